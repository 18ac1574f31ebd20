import type { DiskSpace } from '../../lib/gpu/facts.js';
import { diskSpace } from '../../lib/facts/builtin/disk-space.js';
import { request } from '../../lib/facts/fact.js';
import type { Precondition } from '../../lib/roles/role.js';
import type { PreflightVars } from './vars.js';

/** Free space the weights and chain data need (gpu-and-models.md): 250 GB mainnet, 133 GB testnet. */
export const REQUIRED_FREE_GB = { mainnet: 250, testnet: 133 } as const;

interface Filesystem {
  mount: string;
  available_bytes: number;
  paths: string[];
}

const byFilesystem = (spaces: DiskSpace[]): Filesystem[] => {
  const byMount = new Map<string, Filesystem>();
  for (const s of spaces) {
    const fs = byMount.get(s.mount) ?? { mount: s.mount, available_bytes: s.available_bytes, paths: [] };
    fs.paths.push(s.path);
    byMount.set(s.mount, fs);
  }
  return [...byMount.values()];
};

const gb = (bytes: number) => Math.floor(bytes / 1e9);

const paths = (v: PreflightVars) => [v.gonka_deploy_dir, v.hf_home];

/** Room for the chain data (deploy dir) and the model weights (HF_HOME), on whatever file systems hold them. */
export const diskCheck: Precondition<PreflightVars> = {
  name: 'Free disk space for the deploy dir and HF_HOME',
  facts: (v) => paths(v).map((p) => request(diskSpace, p)),
  invalidates: [],
  run: async (ctx, v) => {
    const need = v.preflight_min_free_gb ?? REQUIRED_FREE_GB[v.gonka_network];
    const all = byFilesystem(await Promise.all(paths(v).map((p) => ctx.facts.read(diskSpace, p))));
    const short = all.filter((fs) => gb(fs.available_bytes) < need);
    const summary = all.map((fs) => `${gb(fs.available_bytes)} GB free on ${fs.mount} (${fs.paths.join(', ')})`).join('; ');
    if (short.length === 0) return { changed: false, msg: summary, filesystems: all };
    const problems = short.map((fs) => `only ${gb(fs.available_bytes)} GB free on ${fs.mount} for ${fs.paths.join(' and ')}`).join('; ');
    return {
      changed: false,
      failed: true,
      filesystems: all,
      msg: `${problems}: ${v.preflight_min_free_gb === undefined ? v.gonka_network : 'preflight_min_free_gb'} needs at least ${need} GB free. Free space there, or mount a larger disk and point hf_home (model weights) and gonka_deploy_dir at it (preflight_min_free_gb lowers the minimum, for a small model on purpose)`,
    };
  },
};
