import { z } from 'zod';
import { gpuFacts, gpuRequest } from '../../lib/gpu/gpu-state.js';
import type { GpuFacts } from '../../lib/gpu/facts.js';
import { NoUsableGpuError, recommend, RecommendOverrideSchema } from '../../lib/gpu/recommend.js';
import { catalogRecommendation, ModelOverrideSchema } from '../../lib/gonka/catalog-recommendation.js';
import { fetchLivePocModels } from '../../lib/gonka/live-poc-models.js';
import { loadModelCatalog } from '../../lib/gonka/model-catalog.js';
import { loadNetwork, withNetworkOverrides } from '../../lib/gonka/network.js';
import { loadVersions, withVersionOverrides } from '../../lib/gonka/versions.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { type CodeTask, defineRole, type Precondition } from '../../lib/roles/role.js';

const GpuDetectVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1).describe('the directory the Gonka files are rendered into'),
  hf_home: z.string().min(1).describe('model weights directory (HF_HOME)'),
  gonka_network: z.enum(['mainnet', 'testnet']).describe('the Gonka network: data/networks/NAME.yml'),
  gonka_network_overrides: z
    .record(z.string(), z.unknown())
    .describe("keys of the network file to replace: its seed_api_url is where the chain's PoC models are read"),
  gonka_versions_overrides: z.record(z.string(), z.unknown()).describe('keys of data/versions.yml to replace (image tags)'),
  gpu_override: RecommendOverrideSchema.describe(
    "the operator's choice, over the computed recommendation: image, model, tensor_parallel, max_model_len, gpu_memory_utilization, kv_cache_dtype, attention_backend, max_concurrent",
  ),
  gpu_sizing: z
    .enum(['chain', 'legacy'])
    .describe(
      "chain: the live PoC model that earns most on the host's GPUs (data/model-catalog.yml's rate × the chain's coefficient this epoch); legacy: the spring-2026 Qwen sizing of nop's older stack",
    ),
  gonka_chain_api: z
    .union([z.literal(''), z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'expected an http(s) URL')])
    .describe(
      "a Gonka public API (its /chain-api/ open) the live PoC models and coefficients are read through; empty: the seed the node joins through (the network's seed_api_url)",
    ),
  gonka_model: ModelOverrideSchema.describe(
    "the operator's PoC model (ORG/MODEL, or {model_id, variant: nvfp4}) instead of the best-ranked one; empty: the best-ranked",
  ),
});

type GpuDetectVars = z.output<typeof GpuDetectVarsSchema>;

const usableGpuMessage = (e: NoUsableGpuError) =>
  `${e.message}: an ML node needs a working NVIDIA GPU. Run the nvidia role (nop run playbooks/prepare.yml), or put a host without GPUs in network_nodes only`;

/** The public API the chain is read through: the operator's, else the seed the node joins through (its /chain-api/ is open). */
const chainApi = async (v: GpuDetectVars): Promise<string> =>
  v.gonka_chain_api || withNetworkOverrides(await loadNetwork(v.gonka_network), v.gonka_network_overrides).seed_api_url;

/** The ML node for these GPUs: the result Detect publishes, or why none fits. */
const sizeMlNode = async (facts: GpuFacts, v: GpuDetectVars): Promise<ModuleResult> => {
  const versions = withVersionOverrides(await loadVersions(), v.gonka_versions_overrides);
  let sized: ReturnType<typeof recommend>;
  try {
    sized = recommend(facts, { network: v.gonka_network, override: v.gpu_override, versions });
  } catch (e) {
    if (!(e instanceof NoUsableGpuError)) throw e;
    return { changed: false, failed: true, msg: usableGpuMessage(e) };
  }
  if (v.gpu_sizing === 'legacy') {
    const summary = `${sized.gpus.length}x ${sized.gpus[0].name}: ${sized.model}, TP ${sized.tensor_parallel}, ${sized.instances.length} instance(s), ${sized.image}`;
    return { changed: false, msg: summary, ansible_facts: { gpu_facts: facts, gpu_recommendation: sized } };
  }
  const api = await chainApi(v);
  const chain = await fetchLivePocModels(api).catch((e: unknown) => e as Error);
  if (chain instanceof Error)
    return {
      changed: false,
      failed: true,
      msg: `the chain's live PoC models could not be read through ${api} (${v.gonka_chain_api ? 'gonka_chain_api' : "the network's seed_api_url"}): ${chain.message}. Set gonka_chain_api to a public API whose /chain-api/ nop reaches from here`,
    };
  try {
    const rec = catalogRecommendation(sized, facts, loadModelCatalog(), chain, v.gonka_model);
    const why = rec.model_choice.overridden
      ? 'gonka_model'
      : `${rec.model_choice.score?.toFixed(0)} = rate × coefficient ${rec.model_choice.coefficient} at epoch ${rec.model_choice.epoch}`;
    const summary = `${rec.gpus.length}x ${rec.gpus[0].name}: ${rec.model} (${why}), TP ${rec.tensor_parallel}, ${rec.instances.length} instance(s), ${rec.image} (driver ≥ ${rec.min_driver})`;
    return { changed: false, msg: summary, ansible_facts: { gpu_facts: facts, gpu_recommendation: rec } };
  } catch (e) {
    return { changed: false, failed: true, msg: e instanceof Error ? e.message : String(e) };
  }
};

const detect = async (ctx: ModuleContext, v: GpuDetectVars): Promise<ModuleResult> => {
  const facts = await gpuFacts(ctx, v);
  // in check mode the driver the nvidia role would install is not there yet
  if (ctx.check && facts.nvidia_smi.state !== 'ok')
    return { changed: false, skipped: true, msg: `no GPU facts before the driver is installed (nvidia-smi: ${facts.nvidia_smi.state})` };
  return sizeMlNode(facts, v);
};

/**
 * The ML node layout fits the GPUs (their count and architecture, the operator's gpu_override and gonka_model, the
 * live PoC models): known before anything changes once the driver answers. On a bare server the GPUs' memory is
 * unknown until the nvidia role ran: the Detect task sizes them then.
 */
const layoutFits: Precondition<GpuDetectVars> = {
  name: 'The ML node layout fits the GPUs',
  facts: (v) => [gpuRequest(v)],
  invalidates: [],
  run: async (ctx, v) => {
    const facts = await gpuFacts(ctx, v);
    if (facts.nvidia_smi.state !== 'ok' || facts.gpus.length === 0) return { changed: false, msg: 'the GPUs are sized once the driver answers' };
    const sized = await sizeMlNode(facts, v);
    return sized.failed ? sized : { changed: false, msg: sized.msg };
  },
};

/**
 * The GPU fact (the nvidia role's read of it, unless it changed the stack since) and the ML node for it, published
 * for the roles that follow: the catalog layout of the live PoC model that earns most here at the chain's coefficients
 * (gpu_sizing: legacy keeps the spring-2026 Qwen sizing of nop's older stack).
 */
const detectTask: CodeTask<GpuDetectVars> = {
  name: 'Detect GPUs and size the ML node',
  // the chain is read on the controller (fetchLivePocModels): the host's only read is the GPU fact
  facts: (v) => [gpuRequest(v)],
  invalidates: [],
  run: detect,
};

export default defineRole({
  name: 'gpu-detect',
  vars: GpuDetectVarsSchema,
  preconditions: [layoutFits],
  tasks: [detectTask],
});
