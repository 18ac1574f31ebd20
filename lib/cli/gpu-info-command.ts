import { z } from 'zod';
import { gpuState } from '../facts/builtin/gpu.js';
import { createFactStore } from '../facts/fact-store.js';
import { NoUsableGpuError, recommend, RecommendOverrideSchema, type Recommendation } from '../gpu/recommend.js';
import { loadVersions, withVersionOverrides } from '../gonka/versions.js';
import { hostVars, limitHosts, loadInventory, NoHostsError, selectHosts } from '../inventory/index.js';
import { connectTransport, type ConnectOptions } from '../transport/connect.js';
import { UnreachableError, type Transport } from '../transport/transport.js';
import { parseConverted } from '../modules/converted-args.js';
import { OptionError } from './extra-vars.js';
import { loadModelCatalog } from '../gonka/model-catalog.js';
import { rankModels, type RankedLayout } from '../gonka/model-ranking.js';
import { fetchLivePocModels, type LivePocModels } from '../gonka/live-poc-models.js';

export interface GpuInfoCommandOptions {
  /** inventory sources; none: the local machine */
  inventory?: string[];
  limit?: string;
  json?: boolean;
  connectOptions?: ConnectOptions;
  /** a Gonka public API whose /chain-api/ is open (a public seed): rank the live PoC models by its coefficients */
  chainApi?: string;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

// the inventory variables gpu-detect reads, with its defaults
const HostSettingsSchema = z.object({
  gonka_deploy_dir: z.string().default('/opt/gonka/deploy/join'),
  hf_home: z.string().default('/mnt/shared'),
  gonka_network: z.enum(['mainnet', 'testnet']).default('mainnet'),
  gonka_versions_overrides: z.record(z.string(), z.unknown()).default({}),
  gpu_override: RecommendOverrideSchema.default({}),
});

type HostReport = { host: string } & ({ recommendation: Recommendation; ranking?: RankedLayout[] } | { error: string });

type ChainModels = LivePocModels;

/** The live PoC models and this epoch's effective coefficients, from a public API's chain REST routes. */
const chainModels = (base: string): Promise<ChainModels> => fetchLivePocModels(base);

// the ranking is for the server's largest group of one GPU model (architectures are never mixed in an instance)
const rankFor = (r: Recommendation, chain: ChainModels): RankedLayout[] => {
  const counts = new Map<string, number>();
  for (const g of r.gpus) counts.set(g.name, (counts.get(g.name) ?? 0) + 1);
  const [name, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return rankModels(loadModelCatalog(), name, count, chain.live);
};

const rankingJson = (ranking: RankedLayout[]) => ranking.map(({ layout: _l, ...r }) => r);

const rankingTable = (ranking: RankedLayout[], epoch: number): string[] => [
  `  PoC models at epoch ${epoch} (rate × GPUs used / 8 × coefficient):`,
  ...ranking.map(
    (r) =>
      `    ${`${r.model_id}${r.variant === 'fp8' ? '' : ` ${r.variant}`}`.padEnd(42)} ${r.score === null ? `-  ${r.why}` : `${r.score.toFixed(0).padStart(6)}  = ${r.poc_nonces_per_min_8gpu}/min × ${r.instances * r.tensor_parallel}/8 × ${r.coefficient} (TP ${r.tensor_parallel} × ${r.instances})`}`,
  ),
];

/** The JSON shape of one host: the GPUs and the recommendation, minus what only node-config needs. */
const jsonOf = (r: Recommendation) => ({
  gpus: r.gpus.map((g) => ({ index: g.index, name: g.name, memory_mib: g.memory_mib, compute_cap: g.compute_cap, arch: g.arch })),
  nvlink: r.nvlink,
  model: r.model,
  tensor_parallel: r.tensor_parallel,
  instances: r.instances,
  gpu_memory_utilization: r.gpu_memory_utilization,
  max_model_len: r.max_model_len,
  kv_cache_dtype: r.kv_cache_dtype,
  attention_backend: r.attention_backend,
  image: r.image,
  warnings: r.warnings,
});

const table = (r: Recommendation): string => {
  const rows = r.gpus.map(
    (g) => `  ${String(g.index).padEnd(3)} ${g.name.padEnd(32)} ${`${g.memory_mib} MiB`.padEnd(11)} ${g.compute_cap.padEnd(5)} ${g.arch}`,
  );
  return [
    `  #   ${'GPU'.padEnd(32)} ${'memory'.padEnd(11)} ${'cc'.padEnd(5)} arch`,
    ...rows,
    `  NVLink mesh:     ${r.nvlink ? 'yes' : 'no'}`,
    `  model:           ${r.model}`,
    `  tensor parallel: ${r.tensor_parallel} (${r.instances.map((i) => `${i.id}: GPUs ${i.gpu_ids.join(',')}`).join('; ')})`,
    `  gpu memory util: ${r.gpu_memory_utilization}`,
    `  max model len:   ${r.max_model_len}`,
    `  kv cache dtype:  ${r.kv_cache_dtype}`,
    `  attention:       ${r.attention_backend}`,
    `  image:           ${r.image}`,
    ...r.warnings.map((w) => `  warning: ${w}`),
  ].join('\n');
};

/** The host's gpu-detect settings from its inventory variables, converted as role variables are (a YAML 1.0 is the number 1). */
export const gpuInfoSettings = (vars: Record<string, unknown>) => parseConverted(HostSettingsSchema, vars);

const inspect = async (host: string, vars: Record<string, unknown>, opts: GpuInfoCommandOptions, chain?: ChainModels): Promise<HostReport> => {
  const parsed = gpuInfoSettings(vars);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { host, error: `variable '${issue.path.join('.')}': ${issue.message}` };
  }
  const s = parsed.data;
  let transport: Transport;
  try {
    transport = await connectTransport(host, vars, opts.connectOptions);
  } catch (e) {
    if (e instanceof UnreachableError) return { host, error: `unreachable: ${e.message}` };
    throw e;
  }
  try {
    // the gpu-detect role's own fact: one command, the same parse
    const facts = await createFactStore(transport).reader(undefined).read(gpuState, { deployDir: s.gonka_deploy_dir, hfHome: s.hf_home });
    const versions = withVersionOverrides(await loadVersions(), s.gonka_versions_overrides);
    const recommendation = recommend(facts, { network: s.gonka_network, override: s.gpu_override, versions });
    return { host, recommendation, ranking: chain && rankFor(recommendation, chain) };
  } catch (e) {
    if (e instanceof NoUsableGpuError) return { host, error: `no usable NVIDIA GPU: ${e.message}` };
    throw e;
  } finally {
    await transport.close();
  }
};

const targets = async (opts: GpuInfoCommandOptions): Promise<{ host: string; vars: Record<string, unknown> }[]> => {
  if (!opts.inventory?.length) return [{ host: 'localhost', vars: { ansible_connection: 'local' } }];
  const inv = await loadInventory(opts.inventory);
  const hosts = limitHosts(inv, selectHosts(inv, 'all'), opts.limit);
  if (hosts.length === 0)
    throw new NoHostsError(opts.limit === undefined ? 'the inventory has no host' : `--limit ${opts.limit} matches no host of the inventory`);
  return hosts.map((host) => ({ host, vars: hostVars(inv, host) }));
};

/** `nop gpu-info [-i INVENTORY] [-l HOST] [--json]`: detected GPUs and the ML node sizing; 1 when a host has no usable GPU. */
export const gpuInfoCommand = async (opts: GpuInfoCommandOptions): Promise<number> => {
  const out = opts.out ?? ((t: string) => process.stdout.write(`${t}\n`));
  const err = opts.err ?? ((t: string) => process.stderr.write(`${t}\n`));
  if (opts.chainApi !== undefined && !/^https?:\/\/[^\s/]+/.test(opts.chainApi))
    throw new OptionError(`--chain-api: expected an http(s) URL, got ${JSON.stringify(opts.chainApi)}`);
  const chain = opts.chainApi ? await chainModels(opts.chainApi) : undefined;
  const reports: HostReport[] = [];
  for (const t of await targets(opts)) reports.push(await inspect(t.host, t.vars, opts, chain));
  if (opts.json) {
    const jsonOfReport = (r: HostReport) =>
      'error' in r
        ? { error: r.error }
        : { ...jsonOf(r.recommendation), ...(r.ranking && chain ? { ranking: { epoch: chain.epoch, models: rankingJson(r.ranking) } } : {}) };
    out(JSON.stringify(Object.fromEntries(reports.map((r) => [r.host, jsonOfReport(r)])), null, 2));
  } else {
    for (const r of reports) {
      if ('error' in r) err(`${r.host}: ${r.error}`);
      else out([`${r.host}`, table(r.recommendation), ...(r.ranking && chain ? rankingTable(r.ranking, chain.epoch) : [])].join('\n'));
    }
  }
  return reports.some((r) => 'error' in r) ? 1 : 0;
};
