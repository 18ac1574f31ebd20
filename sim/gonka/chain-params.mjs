// The simulated chain's governance parameters as of v0.2.16 (reference edition 2, gonka-interfaces.md §0, §3, §5;
// gpu-and-models.md "Current PoC models"), overridable per scenario (`scenario.chain`), and their answers in the
// chain's own JSON: `query inference params`, `dynamic_coefficients/<epoch>`, the fee groups a message belongs to.
// Decimals travel as `{value, exponent}` as the chain encodes them.
import { inferenceCollateralParams } from './collateral.mjs';

import crypto from 'node:crypto';

/** The bytes versiond downloads for an approved devshard runtime (its sha256 is the approved value). */
export const devshardBinary = (name) => `#!/bin/sh\n# simulated devshardd ${name}\n`;
const devshardVersion = (name) => ({ name, binary: `devshardd-${name}`, sha256: crypto.createHash('sha256').update(devshardBinary(name)).digest('hex') });

// PoC models: which are live, their penalty epochs and coefficient bounds at the v0.2.16 upgrade.
export const POC_MODELS = Object.freeze([
  {
    model_id: 'MiniMaxAI/MiniMax-M2.7',
    seq_len: 1024,
    penalty_start_epoch: 278,
    coefficient: 0.3024,
    coeff_min: 0.3024,
    coeff_max: 0.3024,
    relative_difficulty: 1,
  },
  {
    model_id: 'deepseek-ai/DeepSeek-V4-Flash-0731',
    seq_len: 1024,
    penalty_start_epoch: 360,
    coefficient: 0.246,
    coeff_min: 0.2214,
    coeff_max: 0.2706,
    relative_difficulty: 1.541666666666,
  },
  {
    model_id: 'zai-org/GLM-5.3-Flash',
    seq_len: 1024,
    penalty_start_epoch: 394,
    coefficient: 0.62,
    coeff_min: 0.558,
    coeff_max: 0.682,
    relative_difficulty: 2.668169014084,
  },
]);

// Governance models (`/v1/governance/models`): the PoC models plus those kept for inference only (Kimi-K2.6 and
// GLM-5.2-FP8, removed from PoC by proposal 101); Qwen3-235B was deleted from the list (proposal 78).
export const GOVERNANCE_MODELS = Object.freeze([...POC_MODELS.map((m) => m.model_id), 'moonshotai/Kimi-K2.6', 'zai-org/GLM-5.2-FP8']);

// What /v1/governance/models says of each model (gpu-and-models.md "Current PoC models": pinned revisions, the v_ram
// registered per instance, the inference validation threshold; GLM's chain ModelArgs add --max-model-len 400000).
export const GOVERNANCE_MODEL_DETAILS = Object.freeze({
  'MiniMaxAI/MiniMax-M2.7': {
    hf_repo: 'MiniMaxAI/MiniMax-M2.7',
    hf_commit: 'd494266a4affc0d2995ba1fa35c8481cbd84294b',
    v_ram: 320,
    validation_threshold: 0.922,
    model_args: [],
  },
  'deepseek-ai/DeepSeek-V4-Flash-0731': {
    hf_repo: 'deepseek-ai/DeepSeek-V4-Flash-0731',
    hf_commit: '7872f01b1d1fe23eabc4c98b48bffcef5a386062',
    v_ram: 280,
    validation_threshold: 0.9,
    model_args: [],
  },
  'zai-org/GLM-5.3-Flash': {
    hf_repo: 'zai-org/GLM-5.3-Flash',
    hf_commit: '04c4e9e95c5da8862dced7e5056455116f83a7e0',
    v_ram: 560,
    validation_threshold: 0.951,
    model_args: ['--max-model-len', '400000'],
  },
});

export const DEFAULT_CHAIN = Object.freeze({
  pocModels: POC_MODELS,
  governanceModels: GOVERNANCE_MODELS,
  delegation: Object.freeze({
    refusal_penalty: 0.1,
    no_participation_penalty: 0.15,
    delegation_share: 0.05,
    w_threshold: 0.1,
    v_min: 3,
    deploy_window: 500,
    initial_model_id: 'MiniMaxAI/MiniMax-M2.7',
  }),
  // fee groups `epoch` and `cosmos` at 1 ngonka per gas; an empty list disables charging (the chain before v0.2.16)
  fees: Object.freeze({ enabledGroups: ['epoch', 'cosmos'], prices: Object.freeze({ epoch: 1, cosmos: 1 }), maxFeeNgonka: 100_000_000_000 }),
  // per epoch index (as a string): { model_id: coefficient } from that epoch on; the start coefficients before the first
  coefficients: Object.freeze({}),
  // model ids whose compute is above the target share: their effective coefficient is the minimum of the range
  oversupplied: Object.freeze([]),
  // other hosts of the network (delegation targets): { address, models: [model_id], weight, commitsPoc: true }
  hosts: Object.freeze([]),
  // devshard runtimes governance approved (read by versiond through the api's /versions)
  devshardVersions: Object.freeze([devshardVersion('v4'), devshardVersion('v5')]),
});

// The network of the reference's first edition (spring 2026, v0.2.12): Qwen3 models, no transaction fees. roles/ still
// deploy it until they move to edition 2 (issue 12, part B); tests of those roles and the demo run it as
// `writeScenario(dir, { chain: EDITION_1_CHAIN })`.
const edition1Model = (model_id) => ({ model_id, seq_len: 256, penalty_start_epoch: 0, coefficient: 1, coeff_min: 1, coeff_max: 1, relative_difficulty: 1 });
const EDITION_1_MODELS = ['Qwen/Qwen3-235B-A22B-Instruct-2507-FP8', 'Qwen/QwQ-32B', 'Qwen/Qwen3-32B-FP8', 'Qwen/Qwen3-4B-Instruct-2507'];
export const EDITION_1_CHAIN = Object.freeze({
  pocModels: EDITION_1_MODELS.map(edition1Model),
  governanceModels: EDITION_1_MODELS,
  fees: { enabledGroups: [], prices: {}, maxFeeNgonka: 100_000_000_000 },
});

export const chainOf = (scenario) => ({ ...DEFAULT_CHAIN, ...(scenario.chain ?? {}) });

/** A decimal as the chain encodes it: `{value, exponent}`, exponent ≤ 0, value an integer (string, as int64 in JSON). */
export function decimal(x) {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  // at most 12 decimals, trailing zeros dropped: 0.3024 → 3024e-4
  const [whole, fraction = ''] = Math.abs(x)
    .toFixed(12)
    .replace(/\.?0+$/, '')
    .split('.');
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '');
  return { value: `${x < 0 ? '-' : ''}${digits}`, exponent: -fraction.length };
}

export const fromDecimal = (d) => Number(`${d.value}e${d.exponent}`);

export const isPocModel = (chain, modelId) => chain.pocModels.some((m) => m.model_id === modelId);
export const isGovernanceModel = (chain, modelId) => chain.governanceModels.includes(modelId);

const clamp = (x, min, max) => Math.min(max, Math.max(min, x));

/** The base coefficient of each PoC model in epoch `epoch`: the latest `coefficients` entry at or before it, in bounds. */
export function baseCoefficients(chain, epoch) {
  const steps = Object.keys(chain.coefficients)
    .map(Number)
    .filter((e) => e <= epoch)
    .sort((a, b) => a - b);
  const values = Object.fromEntries(chain.pocModels.map((m) => [m.model_id, m.coefficient]));
  for (const step of steps) Object.assign(values, chain.coefficients[String(step)]);
  return Object.fromEntries(chain.pocModels.map((m) => [m.model_id, clamp(values[m.model_id], m.coeff_min, m.coeff_max)]));
}

const targetShareBps = (chain) => Math.floor(10_000 / chain.pocModels.length);

/** `dynamic_coefficients/<epoch>`: per model the effective coefficient (the minimum when oversupplied), its base and the frozen config. */
export function dynamicCoefficients(chain, epoch) {
  const base = baseCoefficients(chain, epoch);
  return {
    epoch_index: String(epoch),
    coefficients: chain.pocModels.map((m) => ({
      model_id: m.model_id,
      effective_coefficient: decimal(chain.oversupplied.includes(m.model_id) ? m.coeff_min : base[m.model_id]),
      base_coefficient: decimal(base[m.model_id]),
      config: {
        coeff_min: decimal(m.coeff_min),
        coeff_max: decimal(m.coeff_max),
        target_share_bps: targetShareBps(chain),
        relative_difficulty: decimal(m.relative_difficulty),
      },
      exclude_from_confirmation: false,
    })),
  };
}

const FEE_GROUP_OF_MESSAGE = {
  '/inference.inference.MsgSetPoCDelegation': 'epoch',
  '/inference.inference.MsgRefusePoCDelegation': 'epoch',
  '/inference.inference.MsgDeclarePoCIntent': 'epoch',
  '/inference.inference.MsgSetClaimRecipients': 'epoch',
  '/inference.inference.MsgClaimRewards': 'epoch',
  '/inference.collateral.MsgDepositCollateral': 'epoch',
  '/inference.collateral.MsgWithdrawCollateral': 'epoch',
  '/inference.inference.MsgSubmitNewParticipant': 'onboarding',
  '/inference.inference.MsgSubmitNewUnfundedParticipant': 'onboarding',
};

// SDK messages by module prefix, as the chain's compiled fee groups sort them
const PREFIX_GROUPS = [
  [/^\/cosmos\.(gov|upgrade|consensus|mint|auth\.v1beta1)\./, 'governance'],
  [/^\/cosmos\.(bank|staking|distribution|slashing|authz|feegrant|group|vesting|auth\.vesting|evidence|nft|circuit|crisis)\./, 'cosmos'],
];

export const feeGroupOf = (typeUrl) => FEE_GROUP_OF_MESSAGE[typeUrl] ?? PREFIX_GROUPS.find(([re]) => re.test(typeUrl))?.[1] ?? '';

/** ngonka per gas a tx of these messages must pay: the highest price of an enabled group among them. */
export function requiredGasPrice(chain, typeUrls) {
  const groups = typeUrls.map(feeGroupOf).filter((g) => chain.fees.enabledGroups.includes(g));
  return Math.max(0, ...groups.map((g) => chain.fees.prices[g] ?? 0));
}

/** `query inference params -o json`, the parts the reference names (plus the v0.2.16 fee params). */
export function paramsJson(chain, epochScenario) {
  return {
    params: {
      epoch_params: {
        epoch_length: String(epochScenario.length),
        epoch_shift: String(epochScenario.shift),
        poc_stage_duration: String(epochScenario.pocGenerationBlocks),
        poc_validation_delay: String(epochScenario.pocValidationDelayBlocks),
        poc_validation_duration: String(epochScenario.pocValidationEndBlocks - epochScenario.pocGenerationBlocks - epochScenario.pocValidationDelayBlocks),
        confirmation_poc_safety_window: String(epochScenario.confirmationPocSafetyWindow),
      },
      poc_params: {
        poc_v2_enabled: true,
        // weight_scale_factor is cleared at v0.2.16: the live coefficient is dynamic_coefficients/<epoch>
        models: chain.pocModels.map((m) => ({
          model_id: m.model_id,
          seq_len: String(m.seq_len),
          penalty_start_epoch: String(m.penalty_start_epoch),
          dynamic_coefficient: { coeff_min: decimal(m.coeff_min), coeff_max: decimal(m.coeff_max), relative_difficulty: decimal(m.relative_difficulty) },
        })),
      },
      delegation_params: {
        refusal_penalty: decimal(chain.delegation.refusal_penalty),
        no_participation_penalty: decimal(chain.delegation.no_participation_penalty),
        delegation_share: decimal(chain.delegation.delegation_share),
        w_threshold: decimal(chain.delegation.w_threshold),
        v_min: String(chain.delegation.v_min),
        deploy_window: String(chain.delegation.deploy_window),
        initial_model_id: chain.delegation.initial_model_id,
      },
      collateral_params: inferenceCollateralParams(decimal),
      fee_params: {
        min_gas_price_ngonka: '0',
        enabled_fee_groups: chain.fees.enabledGroups,
        groups: Object.entries(chain.fees.prices).map(([name, price]) => ({ name, min_gas_price: String(price) })),
      },
    },
  };
}
