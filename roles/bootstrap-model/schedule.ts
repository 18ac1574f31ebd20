// The bootstrap of a new governance model (reference gonka-operations.md §5, §1 step 4; docs deepseek-bootstrap.md,
// glm-bootstrap.md): declare the intent before the snapshot height, pre-download the weights, switch the ML node in
// the deploy window, verify the model is committed at the next PoC. Pure: what each step may do at a height.

export const BOOTSTRAP_STEPS = ['plan', 'intent', 'switch', 'verify'] as const;
export type BootstrapStep = (typeof BOOTSTRAP_STEPS)[number];

/** The heights of one bootstrap, from live values (reference §5: SNAPSHOT = POC_START − deploy_window). */
export interface Schedule {
  height: number;
  phase: string;
  poc_start: number;
  deploy_window: number;
  snapshot: number;
  /** where the chain is: before the snapshot (declare), inside the deploy window (switch), or in PoC */
  stage: 'before-snapshot' | 'deploy-window' | 'poc';
}

export const scheduleOf = (height: number, phase: string, nextPocStart: number, deployWindow: number): Schedule => {
  const snapshot = nextPocStart - deployWindow;
  const stage = phase !== 'Inference' ? 'poc' : height < snapshot ? 'before-snapshot' : 'deploy-window';
  return { height, phase, poc_start: nextPocStart, deploy_window: deployWindow, snapshot, stage };
};

/** What the chain and the host say of the model, read by the schedule task. */
export interface BootstrapState {
  schedule: Schedule;
  model: string;
  /** the model is a governance model with a PoC group (inference params' poc_params.models) */
  poc_model: boolean;
  /** the account's intent for the model is on chain (poc-delegation's intents) */
  intent: boolean;
  /** the ML node's cache: DOWNLOADED, DOWNLOADING, PARTIAL, NOT_FOUND */
  weights: string;
  /** the models the chosen ML node serves now (admin API) */
  node_models: string[];
  /** the account's models in the current epoch's participants (after a PoC) */
  committed_models: string[];
  /** the chain's bootstrap_model_preeligibility event at the last snapshot height, when it has one */
  pre_eligibility?: Record<string, string>;
}

/** The event's verdict in words (reference §1 "Verify": pre_eligible, meets_v_min, meets_weight_threshold, meets_reachability). */
export const preEligibilityLine = (e: Record<string, string> | undefined): string =>
  e === undefined
    ? 'no bootstrap_model_preeligibility event at the snapshot height yet'
    : `pre_eligible ${e.pre_eligible}: meets_v_min ${e.meets_v_min} (intent_host_count ${e.intent_host_count}${e.v_min ? `, v_min ${e.v_min}` : ''}), meets_weight_threshold ${e.meets_weight_threshold}, meets_reachability ${e.meets_reachability}`;

export const scheduleLines = (s: Schedule): string[] => [
  `block ${s.height} (${s.phase}); next PoC starts at ${s.poc_start}; snapshot height ${s.snapshot} = ${s.poc_start} − deploy_window ${s.deploy_window}`,
  s.stage === 'before-snapshot'
    ? `declare the intent and download the weights now (${s.snapshot - s.height} blocks to the snapshot); switch in the deploy window ${s.snapshot}–${s.poc_start - 1}`
    : s.stage === 'deploy-window'
      ? `inside the deploy window ${s.snapshot}–${s.poc_start - 1} (${s.poc_start - s.height} blocks to PoC): switch the ML node now`
      : 'PoC is running: nothing to do until it ends; then verify the model is committed',
];

/** Why the step may not run now, or undefined. */
export const refusalOf = (step: BootstrapStep, st: BootstrapState): string | undefined => {
  const s = st.schedule;
  if (!st.poc_model) return `${st.model} is not a PoC model on chain (inference params' poc_params.models): wait for its governance proposal to pass`;
  if (step === 'intent') {
    if (s.stage === 'poc') return `block ${s.height}: PoC is running (${s.phase}); declare after it, before the next snapshot height`;
    if (s.stage === 'deploy-window')
      return `block ${s.height} is past the snapshot height ${s.snapshot} (next PoC ${s.poc_start} − deploy_window ${s.deploy_window}): an intent now misses this bootstrap (and declaring without deploying costs 15 %, IntentMissed); declare after the PoC at ${s.poc_start}`;
  }
  if (step === 'switch') {
    if (st.node_models.includes(st.model)) return undefined;
    if (s.stage === 'before-snapshot')
      return `block ${s.height} is outside the deploy window: it opens at the snapshot height ${s.snapshot}, in ${s.snapshot - s.height} blocks (a switch before it changes the node's PoC model for the epoch's own PoC too early)`;
    if (s.stage === 'poc') return `block ${s.height}: PoC is running (${s.phase}); never switch a model during PoC (reference §0)`;
    if (!st.intent) return `no intent for ${st.model} on chain: run the intent step before the snapshot height first`;
    // reference §5 step 3: after the snapshot, pre_eligible decides; when false, the node keeps its old model
    if (st.pre_eligibility?.pre_eligible !== 'true') return `${st.model} is not pre-eligible (${preEligibilityLine(st.pre_eligibility)}): keep the old model`;
    if (st.weights !== 'DOWNLOADED')
      return `the weights of ${st.model} are ${st.weights} on the ML node: the switch would load for hours; run the intent step (it downloads them) first`;
  }
  return undefined;
};

/** After the PoC: the model is among the account's committed models. */
export const verifyCommitted = (st: BootstrapState): { ok: boolean; msg: string } =>
  st.committed_models.includes(st.model)
    ? { ok: true, msg: `${st.model} is committed: this epoch's participants list it for the account` }
    : {
        ok: false,
        msg: `${st.model} is not committed: this epoch's participants list ${st.committed_models.join(', ') || 'no model'} for the account (the node ${st.node_models.includes(st.model) ? 'serves it: check its PoC in the ML node and api logs' : 'does not serve it: was it switched in the deploy window?'})`,
      };
