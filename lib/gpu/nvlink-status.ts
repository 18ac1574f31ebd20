export interface NvlinkGpuStatus {
  index: number;
  name: string;
  uuid: string;
  /** active links with their speed in GB/s */
  active: { link: number; gbps: number }[];
  inactive: number;
}

/** Parse `nvidia-smi nvlink -s`. PCIe-only cards list the GPU with no active link. */
export const parseNvlinkStatus = (stdout: string): NvlinkGpuStatus[] => {
  const out: NvlinkGpuStatus[] = [];
  for (const line of stdout.split('\n')) {
    const gpu = /^GPU (\d+): (.+?) \(UUID: ([^)]+)\)/.exec(line);
    if (gpu) {
      out.push({ index: Number(gpu[1]), name: gpu[2], uuid: gpu[3], active: [], inactive: 0 });
      continue;
    }
    const link = /^\s*Link (\d+): (.+)$/.exec(line);
    const current = out[out.length - 1];
    if (!link || !current) continue;
    const speed = /([\d.]+) GB\/s/.exec(link[2]);
    if (speed) current.active.push({ link: Number(link[1]), gbps: Number(speed[1]) });
    else current.inactive += 1;
  }
  return out;
};
