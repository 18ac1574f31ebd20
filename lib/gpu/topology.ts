export interface GpuTopology {
  gpu_count: number;
  /** cell per GPU pair as `nvidia-smi topo -m` prints it: `X`, `NV18`, `PIX`, `NODE`, `SYS`... */
  matrix: string[][];
  /** every pair of distinct GPUs is joined by NVLink */
  nvlink_mesh: boolean;
  /** fewest NVLinks between any pair (0 when some pair has none) */
  min_links: number;
  /** the mesh goes through NVSwitch (Fabric Manager required) */
  nvswitch: boolean;
}

// A GPU has at most 18 NVLinks and bridges join at most 12 of them (NV12): NV18 or more links in total than one GPU
// has can only come from a switch. 4-GPU HGX A100 boards (NV4 direct) correctly stay below that.
const MAX_DIRECT_LINKS = 18;
const BRIDGE_MAX = 12;

const linksOf = (cell: string): number => {
  const m = /^NV(\d+)$/.exec(cell);
  return m ? Number(m[1]) : 0;
};

/** Parse `nvidia-smi topo -m`. Columns beyond the GPUs (NICs, CPU affinity...) are ignored. */
export const parseTopology = (stdout: string): GpuTopology => {
  const lines = stdout.split('\n');
  const header = lines.find((l) => /^\s+GPU0\b/.test(l));
  const gpuCount = header
    ? header
        .trim()
        .split(/\s+/)
        .filter((t) => /^GPU\d+$/.test(t)).length
    : 0;
  const matrix = lines
    .filter((l) => /^GPU\d+\s/.test(l))
    .map((l) =>
      l
        .trim()
        .split(/\s+/)
        .slice(1, gpuCount + 1),
    );
  const pairs = matrix.flatMap((row, i) => row.filter((_, j) => j !== i));
  const links = pairs.map(linksOf);
  const mesh = gpuCount > 1 && matrix.length === gpuCount && links.every((n) => n > 0);
  const minLinks = links.length ? Math.min(...links) : 0;
  return {
    gpu_count: gpuCount,
    matrix,
    nvlink_mesh: mesh,
    min_links: minLinks,
    nvswitch: mesh && (minLinks > BRIDGE_MAX || minLinks * (gpuCount - 1) > MAX_DIRECT_LINKS),
  };
};
