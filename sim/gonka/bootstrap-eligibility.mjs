// The chain's bootstrap_model_preeligibility event (reference gonka-operations.md §1 "Verify", §5 step 3; docs
// deepseek-bootstrap.md): at each snapshot height (next PoC start − deploy_window) the chain judges every launching
// PoC model (its penalties not started) on the hosts that declared an intent: pre_eligible when meets_v_min
// (intent_host_count ≥ v_min), meets_weight_threshold and meets_reachability all hold. Found with CometBFT's
// block_search (query "bootstrap_model_preeligibility.model_id='M'"), read with block_results?height=H.
// The rest of the network is the scenario's: `bootstrapEligibility[model] = { otherIntentHosts, meetsWeightThreshold,
// meetsReachability }` (default: no other host, both met).
import { chainOf } from './chain-params.mjs';
import { epochIndexAt, latestEpoch } from './epochs.mjs';
import { readNetwork } from './network-state.mjs';

const EVENT = 'bootstrap_model_preeligibility';

// the latest snapshot height at or below `height`
function lastSnapshot(scenario, height) {
  const window = chainOf(scenario).delegation.deploy_window;
  const e = latestEpoch(scenario.epoch, height);
  const next = e.epoch_stages.next_poc_start - window;
  return height >= next ? next : e.epoch_stages.poc_start - window;
}

function eventsAt(stateDir, scenario, snapshot) {
  const chain = chainOf(scenario);
  const epoch = epochIndexAt(scenario.epoch, snapshot);
  const intents = readNetwork(stateDir).intents ?? [];
  return chain.pocModels
    .filter((m) => Number(m.penalty_start_epoch) > epoch)
    .map((m) => {
      const rest = scenario.bootstrapEligibility?.[m.model_id] ?? {};
      const hosts = intents.filter((i) => i.model_id === m.model_id).length + (rest.otherIntentHosts ?? 0);
      const meets = {
        meets_v_min: hosts >= chain.delegation.v_min,
        meets_weight_threshold: rest.meetsWeightThreshold ?? true,
        meets_reachability: rest.meetsReachability ?? true,
      };
      const attributes = {
        model_id: m.model_id,
        pre_eligible: Object.values(meets).every(Boolean),
        ...meets,
        intent_host_count: hosts,
        v_min: chain.delegation.v_min,
      };
      return { type: EVENT, attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: String(value), index: true })) };
    });
}

const modelOfQuery = (query) => new RegExp(`^"?${EVENT}\\.model_id\\s*=\\s*'([^']+)'"?$`).exec(String(query ?? '').trim())?.[1];

/** CometBFT's block_search for the event of one model: the blocks (snapshot heights reached) that hold it. */
export function blockSearch(stateDir, scenario, height, params) {
  const model = modelOfQuery(params.query);
  const snapshot = lastSnapshot(scenario, height);
  const found = model !== undefined && snapshot > 0 && eventsAt(stateDir, scenario, snapshot).some((e) => e.attributes[0].value === model);
  const blocks = found ? [{ block_id: { hash: '' }, block: { header: { height: String(snapshot) } } }] : [];
  return { blocks, total_count: String(blocks.length) };
}

/** CometBFT's block_results: the events the chain emitted at that height. */
export function blockResults(stateDir, scenario, height, params) {
  const h = Number(params.height ?? height);
  const events = h === lastSnapshot(scenario, height) ? eventsAt(stateDir, scenario, h) : [];
  return { height: String(h), txs_results: null, finalize_block_events: events };
}
