// x/gov as the operator meets it (reference §9, cosmos-sdk v0.50 gov v1): proposals in their voting period or closed,
// one vote per voter (a re-vote replaces it), the tally in voting power. Proposals come from the scenario
// (`proposals: [{ id, title, votingEndHeight, tally? }]`: `tally` the rest of the network's voting power per option);
// a proposal is in its voting period until its end height, then PASSED or REJECTED by its tally. A proposal with a
// `plan` ({ name, height, info }) is a software upgrade: its one message is MsgSoftwareUpgrade (reference §16).
import { networkHeightAt } from './scenario.mjs';

export const VOTE_OPTIONS = Object.freeze(['yes', 'abstain', 'no', 'no_with_veto']);

const failure = (code, log) => ({ code, codespace: 'gov', log });

// a voter's power: its weight in the latest epoch it served (1 for a participant without one yet)
const powerOf = (net, voter) => {
  const nodes = Object.values(net.participants[voter]?.epochNodes ?? {}).at(-1) ?? [];
  return Math.max(
    1,
    nodes.reduce((sum, n) => sum + n.poc_weight, 0),
  );
};

export function tallyOf(net, proposal) {
  const tally = Object.fromEntries(VOTE_OPTIONS.map((o) => [o, Number(proposal.tally?.[o] ?? 0)]));
  for (const v of net.votes.filter((x) => x.proposal_id === String(proposal.id))) tally[v.option] += powerOf(net, v.voter);
  return {
    yes_count: String(tally.yes),
    abstain_count: String(tally.abstain),
    no_count: String(tally.no),
    no_with_veto_count: String(tally.no_with_veto),
  };
}

const passed = (t) => Number(t.yes_count) > Number(t.no_count) + Number(t.no_with_veto_count);

const isoAt = (scenario, now, height) => {
  const seconds = (height - networkHeightAt(scenario, now)) / scenario.blocksPerSecond;
  return new Date(now + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
};

// x/upgrade's MsgSoftwareUpgrade as the SDK's JSON prints it (height a string, info the plan's JSON string)
const softwareUpgrade = (plan) => ({
  '@type': '/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade',
  authority: 'gonka10d07y265gmmuvt4z0w9aw880jnsr700j2h5m33',
  plan: { name: plan.name, time: '0001-01-01T00:00:00Z', height: String(plan.height), info: plan.info ?? '', upgraded_client_state: null },
});

/** A proposal as `query gov proposal(s) -o json` prints it, its status at `now`. */
export function proposalJson(net, scenario, now, p) {
  const open = networkHeightAt(scenario, now) < p.votingEndHeight;
  const tally = tallyOf(net, p);
  const status = open ? 'PROPOSAL_STATUS_VOTING_PERIOD' : passed(tally) ? 'PROPOSAL_STATUS_PASSED' : 'PROPOSAL_STATUS_REJECTED';
  return {
    id: String(p.id),
    messages: p.plan ? [softwareUpgrade(p.plan)] : [],
    status,
    final_tally_result: open ? { yes_count: '0', abstain_count: '0', no_count: '0', no_with_veto_count: '0' } : tally,
    voting_end_time: isoAt(scenario, now, p.votingEndHeight),
    metadata: '',
    title: p.title ?? `proposal ${p.id}`,
    summary: p.summary ?? '',
    expedited: p.expedited === true,
  };
}

const proposalsOf = (scenario) => scenario.proposals ?? [];

export const findProposal = (scenario, id) => proposalsOf(scenario).find((p) => String(p.id) === String(id));

/** MsgVote: the proposal must exist and be in its voting period; the option one of the four. */
export function applyVote(net, msg, { scenario, now, signer }) {
  const p = findProposal(scenario, msg.proposal_id);
  if (!p) return failure(2, `${msg.proposal_id}: unknown proposal`);
  if (networkHeightAt(scenario, now) >= p.votingEndHeight) return failure(3, `${msg.proposal_id}: inactive proposal`);
  if (!VOTE_OPTIONS.includes(msg.option)) return failure(4, `${msg.option}: invalid vote option`);
  net.votes = net.votes.filter((v) => !(v.proposal_id === String(msg.proposal_id) && v.voter === signer));
  net.votes.push({ proposal_id: String(msg.proposal_id), voter: signer, option: msg.option });
  return undefined;
}

/** The gov queries: `ctx` { scenario, now }. */
export const governanceAnswers = (notFound) => ({
  proposals: (net, { proposal_status }, ctx) => {
    const all = proposalsOf(ctx.scenario).map((p) => proposalJson(net, ctx.scenario, ctx.now, p));
    const wanted = proposal_status ? `PROPOSAL_STATUS_${proposal_status.toUpperCase().replace(/-/g, '_')}` : undefined;
    const proposals = wanted && wanted !== 'PROPOSAL_STATUS_UNSPECIFIED' ? all.filter((p) => p.status === wanted) : all;
    return { proposals, pagination: { next_key: null, total: String(proposals.length) } };
  },
  proposal: (net, { proposal_id }, ctx) => {
    const p = findProposal(ctx.scenario, proposal_id);
    if (!p) throw notFound(`proposal ${proposal_id} doesn't exist`);
    return { proposal: proposalJson(net, ctx.scenario, ctx.now, p) };
  },
  tally: (net, { proposal_id }, ctx) => {
    const p = findProposal(ctx.scenario, proposal_id);
    if (!p) throw notFound(`proposal ${proposal_id} doesn't exist`);
    return { tally: tallyOf(net, p) };
  },
  vote: (net, { proposal_id, voter }) => {
    const v = net.votes.find((x) => x.proposal_id === String(proposal_id) && x.voter === voter);
    if (!v) throw notFound(`voter: ${voter} not found for proposal: ${proposal_id}`);
    return {
      vote: {
        proposal_id: String(proposal_id),
        voter,
        options: [{ option: `VOTE_OPTION_${v.option.toUpperCase()}`, weight: '1.000000000000000000' }],
        metadata: '',
      },
    };
  },
});
