import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { PreflightVars } from './vars.js';

/** Free space the weights and chain data need (gpu-and-models.md): 250 GB mainnet, 133 GB testnet. */
export const REQUIRED_FREE_GB = { mainnet: 250, testnet: 133 } as const;

interface Filesystem {
  mount: string;
  available_bytes: number;
  paths: string[];
}

// df on the nearest existing directory: the deploy dir and HF_HOME may not exist yet on a bare host
const script = (paths: string[]) => `
nearest() { p=$1; while [ ! -d "$p" ] && [ "$p" != / ]; do p=$(dirname "$p"); done; printf '%s' "$p"; }
for p in ${shellJoin(paths)}; do df -PB1 "$(nearest "$p")" | awk -v p="$p" 'NR==2 {print p "\\t" $4 "\\t" $6}'; done
`;

const filesystems = async (ctx: ModuleContext, paths: string[]): Promise<Filesystem[]> => {
  const res = await ctx.exec(script(paths));
  if (res.code !== 0) throw new Error(`df failed: ${res.stderr.trim()}`);
  const byMount = new Map<string, Filesystem>();
  for (const line of res.stdout.split('\n').filter(Boolean)) {
    const [path, avail, mount] = line.split('\t');
    const fs = byMount.get(mount) ?? { mount, available_bytes: Number(avail), paths: [] };
    fs.paths.push(path);
    byMount.set(mount, fs);
  }
  return [...byMount.values()];
};

const gb = (bytes: number) => Math.floor(bytes / 1e9);

export const checkDisk = async (ctx: ModuleContext, v: PreflightVars): Promise<ModuleResult> => {
  const need = REQUIRED_FREE_GB[v.gonka_network];
  const all = await filesystems(ctx, [v.gonka_deploy_dir, v.hf_home]);
  const short = all.filter((fs) => gb(fs.available_bytes) < need);
  const summary = all.map((fs) => `${gb(fs.available_bytes)} GB free on ${fs.mount} (${fs.paths.join(', ')})`).join('; ');
  if (short.length === 0) return { changed: false, msg: summary, filesystems: all };
  const problems = short.map((fs) => `only ${gb(fs.available_bytes)} GB free on ${fs.mount} for ${fs.paths.join(' and ')}`).join('; ');
  return {
    changed: false,
    failed: true,
    filesystems: all,
    msg: `${problems}: ${v.gonka_network} needs at least ${need} GB free. Free space there, or mount a larger disk and point hf_home (model weights) and gonka_deploy_dir at it`,
  };
};
