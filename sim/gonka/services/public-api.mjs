// The public, read-only routes over chain state (reference §2.3) that both the api (:9000) and edge-api (:18080)
// answer: status, epochs, participants, accounts, governance models.
import { latestEpoch, epochIndexAt } from '../epochs.mjs';
import { readNetwork } from '../network-state.mjs';
import { chainOf, GOVERNANCE_MODEL_DETAILS } from '../chain-params.mjs';
import { sendError, sendJson } from '../http-util.mjs';

/**
 * `ctx`: { stateDir, scenario(), height() }; `beforeParticipants(epoch)` lets the api publish its own ML nodes for
 * the epoch before the list is read (what the chain records at the end of PoC).
 */
export function publicRoutes(ctx, { beforeParticipants = () => {} } = {}) {
  const { stateDir } = ctx;
  const epochNow = () => epochIndexAt(ctx.scenario().epoch, ctx.height());
  const latest = () => latestEpoch(ctx.scenario().epoch, ctx.height(), ctx.scenario().confirmationPoc);

  function participants(res, epoch) {
    const scenario = ctx.scenario();
    beforeParticipants(epoch);
    if (scenario.pocFailed) return sendError(res, 404, `active participants not found for epoch ${epoch}`);
    const entries = Object.entries(readNetwork(stateDir).participants)
      .filter(([, p]) => p.registeredEpoch < epoch && (p.epochNodes?.[epoch] ?? []).length > 0)
      .map(([address, p]) => participantEntry(address, p, p.epochNodes[epoch]));
    return sendJson(res, 200, {
      active_participants: {
        participants: entries,
        epoch_group_id: epoch,
        epoch_id: epoch,
        poc_start_block_height: latest().latest_epoch.poc_start_block_height,
      },
      block_height: ctx.height(),
    });
  }

  const governanceModels = () => ({
    models: chainOf(ctx.scenario()).governanceModels.map((id) => ({ id, ...(GOVERNANCE_MODEL_DETAILS[id] ?? { hf_repo: id, model_args: [] }) })),
  });

  const account = (address) => readNetwork(stateDir).accounts[address];

  return [
    ['GET', '/v1/status', (req, res) => sendJson(res, 200, { status: 'ok' })],
    ['GET', '/v1/epochs/latest', (req, res) => sendJson(res, 200, latest())],
    ['GET', '/v1/epochs/:epoch', (req, res, { epoch }) => sendError(res, 400, `invalid epoch ${epoch}: only "latest" is supported`)],
    ['GET', '/v1/epochs/current/participants', (req, res) => participants(res, epochNow())],
    [
      'GET',
      '/v1/epochs/:epoch/participants',
      (req, res, { epoch }) => (/^\d+$/.test(epoch) ? participants(res, Number(epoch)) : sendError(res, 400, `invalid epoch ${epoch}`)),
    ],
    [
      'GET',
      '/v1/participants/:address',
      (req, res, { address }) => {
        const p = readNetwork(stateDir).participants[address];
        return p ? sendJson(res, 200, { pubkey: p.pubkey, balance: p.balance }) : sendError(res, 404, `participant not found: ${address}`);
      },
    ],
    [
      'GET',
      '/v2/participants/:address',
      (req, res, { address }) => {
        const p = readNetwork(stateDir).participants[address];
        return p
          ? sendJson(res, 200, { participant: { address, inferenceUrl: p.url ?? '', status: 'ACTIVE' } })
          : sendError(res, 404, `participant not found: ${address}`);
      },
    ],
    [
      'GET',
      '/v2/accounts/:address',
      (req, res, { address }) => {
        const a = account(address);
        const p = readNetwork(stateDir).participants[address];
        return a
          ? sendJson(res, 200, { pubkey: p?.pubkey ?? '', balance: a.spendable + a.vesting, denom: 'ngonka' })
          : sendError(res, 404, `account not found: ${address}`);
      },
    ],
    ['GET', '/v1/governance/models', (req, res) => sendJson(res, 200, governanceModels())],
    ['GET', '/v1/models', (req, res) => sendJson(res, 200, governanceModels())],
  ];
}

const participantEntry = (address, p, nodes) => ({
  index: address,
  validator_key: p.validator_key,
  weight: nodes.reduce((sum, n) => sum + n.poc_weight, 0),
  inference_url: p.url,
  models: [...new Set(nodes.flatMap((n) => n.models))],
  seed: null,
  ml_nodes: [{ ml_nodes: nodes.map(({ node_id, throughput, poc_weight, timeslot_allocation }) => ({ node_id, throughput, poc_weight, timeslot_allocation })) }],
});
