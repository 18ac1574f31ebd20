import { httpGet } from '../../lib/facts/builtin/http.js';
import { adminNodesRequest, parseAdminNodes, type AdminNode } from '../../lib/gonka/admin-api.js';
import { operatorOf, operatorQuery, readChain } from '../../lib/gonka/operator-account.js';
import { pollUntil, readFresh } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { OPERATOR_REPORT } from '../../lib/runner/operator-report.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { type BootstrapState, preEligibilityLine, refusalOf, scheduleLines, scheduleOf, verifyCommitted } from './schedule.js';
import type { BootstrapVars } from './vars.js';

const api = (v: BootstrapVars, path: string) => `${v.gonka_api_url.replace(/\/+$/, '')}${path}`;
const mlnode = (v: BootstrapVars, path: string) => `${v.mlnode_management_url.replace(/\/+$/, '')}${path}`;

const getJson = async <T>(ctx: ModuleContext, url: string): Promise<T | undefined> => {
  const res = await readFresh(ctx, httpGet, { url, timeout: 10 });
  return res.status === 200 ? (res.json as T) : undefined;
};

// the ML node's model cache API takes POSTs, reads included (reference §2.4): the body reaches curl on stdin
const postJson = async (ctx: ModuleContext, url: string, body: unknown): Promise<{ status: number; json?: Record<string, unknown> }> => {
  const res = await ctx.exec(`curl -sS --max-time 30 -X POST -H 'Content-Type: application/json' --data-binary @- -w '\\n%{http_code}' ${shellJoin([url])}`, {
    stdin: JSON.stringify(body),
  });
  const cut = res.stdout.lastIndexOf('\n');
  try {
    return { status: Number(res.stdout.slice(cut + 1)) || 0, json: JSON.parse(res.stdout.slice(0, cut)) };
  } catch {
    return { status: Number(res.stdout.slice(cut + 1)) || 0 };
  }
};

interface Params {
  params?: { poc_params?: { models?: { model_id: string }[] }; delegation_params?: { deploy_window?: string } };
}
interface Epochs {
  block_height: number;
  phase: string;
  epoch_stages?: { next_poc_start?: number };
}
interface GovModels {
  models?: { id: string; hf_repo?: string; hf_commit?: string }[];
}
interface Participants {
  active_participants?: { participants?: { index: string; models?: string[] }[] };
}

interface RpcResult<T> {
  result?: T;
}
type EventAttrs = { key: string; value: string }[];

// CometBFT's block_search for the model's event, then the block's results (reference §1 "Verify")
const preEligibility = async (ctx: ModuleContext, v: BootstrapVars, snapshot: number): Promise<Record<string, string> | undefined> => {
  const rpc = v.gonka_rpc_url.replace(/\/+$/, '');
  const query = encodeURIComponent(`"bootstrap_model_preeligibility.model_id='${v.bootstrap_model}'"`);
  const found = await getJson<RpcResult<{ blocks?: { block: { header: { height: string } } }[] }>>(ctx, `${rpc}/block_search?query=${query}&order_by="desc"`);
  const heights = (found?.result?.blocks ?? []).map((b) => Number(b.block.header.height)).filter((h) => h >= snapshot);
  if (heights.length === 0) return undefined;
  const results = await getJson<RpcResult<{ finalize_block_events?: { type: string; attributes: EventAttrs }[] }>>(
    ctx,
    `${rpc}/block_results?height=${Math.max(...heights)}`,
  );
  const event = (results?.result?.finalize_block_events ?? [])
    .filter((e) => e.type === 'bootstrap_model_preeligibility')
    .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])))
    .find((a) => a.model_id === v.bootstrap_model);
  return event;
};

const chosenNode = (nodes: AdminNode[] | undefined, v: BootstrapVars): AdminNode | undefined =>
  v.bootstrap_node_id ? nodes?.find((n) => n.node.id === v.bootstrap_node_id) : nodes?.[0];

const weightsStatus = async (ctx: ModuleContext, v: BootstrapVars): Promise<string> => {
  const res = await postJson(ctx, mlnode(v, '/api/v1/models/status'), { hf_repo: v.bootstrap_model });
  return res.status === 200 && typeof res.json?.status === 'string' ? res.json.status : `unknown (the ML node answered ${res.status || 'nothing'})`;
};

/** Everything the step depends on, read now; or why it cannot be read. */
const readState = async (ctx: ModuleContext, v: BootstrapVars): Promise<{ state: BootstrapState; node?: AdminNode; hfCommit?: string } | { error: string }> => {
  const epochs = await getJson<Epochs>(ctx, api(v, '/v1/epochs/latest'));
  if (!epochs?.epoch_stages?.next_poc_start) return { error: "the public API did not answer /v1/epochs/latest with the next PoC's start" };
  const params = await readChain(ctx, operatorQuery(v, ['inference', 'params']), 'query inference params');
  if ('error' in params) return { error: params.error };
  const p = params.json as Params;
  const deployWindow = Number(p.params?.delegation_params?.deploy_window ?? 500);
  const stored = await readChain(ctx, operatorQuery(v, ['inference', 'poc-delegation', operatorOf(v).address]), 'query inference poc-delegation');
  const intents = 'json' in stored ? ((stored.json.intents as { model_id: string }[] | undefined) ?? []) : [];
  const listed = await readFresh(ctx, httpGet, adminNodesRequest(v.gonka_admin_url));
  const nodes = parseAdminNodes(listed.status, listed.json);
  const node = chosenNode(nodes, v);
  const gov = (await getJson<GovModels>(ctx, api(v, '/v1/governance/models')))?.models?.find((m) => m.id === v.bootstrap_model);
  const participants = await getJson<Participants>(ctx, api(v, '/v1/epochs/current/participants'));
  const mine = participants?.active_participants?.participants?.find((e) => e.index === operatorOf(v).address);
  const schedule = scheduleOf(epochs.block_height, epochs.phase, epochs.epoch_stages.next_poc_start, deployWindow);
  return {
    node,
    hfCommit: v.bootstrap_hf_commit ?? gov?.hf_commit,
    state: {
      schedule,
      model: v.bootstrap_model,
      poc_model: (p.params?.poc_params?.models ?? []).some((m) => m.model_id === v.bootstrap_model),
      intent: intents.some((i) => i.model_id === v.bootstrap_model),
      weights: await weightsStatus(ctx, v),
      node_models: Object.keys(node?.node.models ?? {}),
      committed_models: mine?.models ?? [],
      pre_eligibility: schedule.stage === 'before-snapshot' ? undefined : await preEligibility(ctx, v, schedule.snapshot),
    },
  };
};

const stateLines = (st: BootstrapState, nodeId: string | undefined): string[] => [
  ...scheduleLines(st.schedule),
  `${st.model}: ${st.poc_model ? 'a PoC model on chain' : 'NOT a PoC model on chain'}; intent ${st.intent ? 'declared' : 'not declared'}; weights on the ML node ${st.weights}`,
  ...(st.schedule.stage === 'before-snapshot' ? [] : [`${st.model} at the snapshot: ${preEligibilityLine(st.pre_eligibility)}`]),
  `ML node ${nodeId ?? '(none)'} serves ${st.node_models.join(', ') || 'nothing'}; committed this epoch: ${st.committed_models.join(', ') || 'nothing'}`,
];

/** The schedule and the state, said to the operator; the step refused (with why) when it may not run now. */
export const scheduleTask = async (ctx: ModuleContext, v: BootstrapVars): Promise<ModuleResult> => {
  const read = await readState(ctx, v);
  if ('error' in read) return { changed: false, failed: true, msg: read.error };
  const { state, node } = read;
  const report = stateLines(state, node?.node.id);
  const step = v.bootstrap_step;
  if (step === 'verify') {
    const verdict = verifyCommitted(state);
    return { changed: false, failed: !verdict.ok, msg: verdict.msg, [OPERATOR_REPORT]: [...report, verdict.msg] };
  }
  const refused = step === 'plan' ? undefined : refusalOf(step, state);
  if (refused) return { changed: false, failed: true, msg: `${step} refused: ${refused}`, [OPERATOR_REPORT]: [...report, `${step} refused: ${refused}`] };
  if (step === 'switch' && !node) return { changed: false, failed: true, msg: `no ML node ${v.bootstrap_node_id ?? ''} in the admin API to switch` };
  const entry = node && {
    id: node.node.id,
    host: node.node.host,
    inference_port: node.node.inference_port,
    poc_port: node.node.poc_port,
    max_concurrent: node.node.max_concurrent,
    models: { [v.bootstrap_model]: { args: v.bootstrap_model_args } },
  };
  return {
    changed: false,
    msg: report[1],
    [OPERATOR_REPORT]: report,
    ansible_facts: {
      bootstrap_todo: {
        intent: step === 'intent' && !state.intent,
        download: step === 'intent' && state.weights !== 'DOWNLOADED',
        hf_commit: read.hfCommit,
        ...(step === 'switch' ? { node: entry } : {}),
      },
    },
  };
};

/** Pre-download the weights through the ML node (reference §4a) and wait until they are DOWNLOADED. */
export const downloadTask = async (ctx: ModuleContext, v: BootstrapVars): Promise<ModuleResult> => {
  const commit = v.bootstrap_todo?.hf_commit;
  if (ctx.check) return { changed: true, msg: `would download ${v.bootstrap_model}${commit ? `@${commit}` : ''} into the ML node's cache` };
  const started = await postJson(ctx, mlnode(v, '/api/v1/models/download'), { hf_repo: v.bootstrap_model, ...(commit ? { hf_commit: commit } : {}) });
  if (started.status !== 202 && started.status !== 200)
    return { changed: false, failed: true, msg: `the ML node refused the download (${started.status}): ${JSON.stringify(started.json)}` };
  const done = await pollUntil(ctx, { timeout: v.bootstrap_download_timeout, interval: v.bootstrap_poll_interval }, async () => {
    const status = await weightsStatus(ctx, v);
    return status === 'DOWNLOADED' ? { done: true } : { waiting: `${v.bootstrap_model}: ${status}` };
  });
  if (!done) return { changed: true, failed: true, msg: `${v.bootstrap_model} is not DOWNLOADED after ${v.bootstrap_download_timeout} s` };
  return { changed: true, msg: `${v.bootstrap_model} DOWNLOADED on the ML node`, [OPERATOR_REPORT]: [`${v.bootstrap_model} DOWNLOADED on the ML node`] };
};

/** The intent as the chain records it. */
export const verifyIntentTask = async (ctx: ModuleContext, v: BootstrapVars): Promise<ModuleResult> => {
  const address = operatorOf(v).address;
  const stored = await readChain(ctx, operatorQuery(v, ['inference', 'poc-delegation', address]), 'query inference poc-delegation');
  const intents = 'json' in stored ? ((stored.json.intents as { model_id: string }[] | undefined) ?? []) : [];
  if (!intents.some((i) => i.model_id === v.bootstrap_model))
    return { changed: false, failed: true, msg: `query inference poc-delegation ${address} shows no intent for ${v.bootstrap_model}` };
  const msg = `intent for ${v.bootstrap_model} on chain for ${address}; switch the ML node in the deploy window: -e bootstrap_step=switch`;
  return { changed: false, msg, [OPERATOR_REPORT]: [msg] };
};
