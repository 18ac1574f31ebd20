import { chainQuery } from '../../lib/facts/builtin/chain-query.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { answerJson, operatorOf, operatorQuery, readChain } from '../../lib/gonka/operator-account.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { OPERATOR_REPORT } from '../../lib/runner/operator-report.js';
import { closedReason, ProposalSchema, ProposalsSchema, proposalLine, TallySchema, tallyLine, voteOptionOf, type Proposal, type Tally } from './proposals.js';
import type { VoteVars } from './vars.js';

// autocli's enum flag: PROPOSAL_STATUS_VOTING_PERIOD is `voting-period`
const openQuery = (v: VoteVars) => operatorQuery(v, ['gov', 'proposals', '--proposal-status', 'voting-period']);
const tallyQuery = (v: VoteVars, id: string) => operatorQuery(v, ['gov', 'tally', id]);
const voteQuery = (v: VoteVars, id: string) => operatorQuery(v, ['gov', 'vote', id, operatorOf(v).address]);
const proposalQuery = (v: VoteVars, id: number) => operatorQuery(v, ['gov', 'proposal', String(id)]);

export const openFacts = (v: VoteVars): FactRequest[] => (v.gonka_operator ? [request(chainQuery, openQuery(v))] : []);
export const proposalFacts = (v: VoteVars): FactRequest[] =>
  v.gonka_operator && v.proposal_id !== undefined
    ? [request(chainQuery, proposalQuery(v, v.proposal_id)), request(chainQuery, voteQuery(v, String(v.proposal_id)))]
    : [];

const tallyOf = async (ctx: ModuleContext, v: VoteVars, id: string): Promise<Tally | undefined> => {
  const answer = answerJson(await ctx.facts.read(chainQuery, tallyQuery(v, id)), 'query gov tally');
  if ('error' in answer) return undefined;
  const parsed = TallySchema.safeParse(answer.json.tally);
  return parsed.success ? parsed.data : undefined;
};

// no vote yet is NotFound: undefined
const myVote = async (ctx: ModuleContext, v: VoteVars, id: string): Promise<string | undefined> => {
  const answer = answerJson(await ctx.facts.read(chainQuery, voteQuery(v, id)), 'query gov vote');
  return 'json' in answer ? voteOptionOf(answer.json) : undefined;
};

/** The proposals in their voting period, each with its tally, its voting end and this account's vote. */
export const listOpen = async (ctx: ModuleContext, v: VoteVars): Promise<ModuleResult> => {
  const answer = answerJson(await ctx.facts.read(chainQuery, openQuery(v)), 'query gov proposals');
  if ('error' in answer) return { changed: false, failed: true, msg: `${answer.error} (is the api container running?)` };
  const parsed = ProposalsSchema.safeParse(answer.json);
  if (!parsed.success)
    return { changed: false, failed: true, msg: `query gov proposals answered what is not a proposal list: ${parsed.error.issues[0].message}` };
  const open = parsed.data.proposals;
  const lines = await Promise.all(open.map(async (p) => proposalLine(p, await tallyOf(ctx, v, p.id), await myVote(ctx, v, p.id))));
  return {
    changed: false,
    msg: open.length === 0 ? 'no proposal is in its voting period' : `${open.length} proposal(s) in their voting period`,
    [OPERATOR_REPORT]: lines,
  };
};

/** The proposal exists and is in its voting period; already voted that way: nothing to send (vote_needed). */
export const guardProposal = async (ctx: ModuleContext, v: VoteVars): Promise<ModuleResult> => {
  const id = v.proposal_id!;
  const answer = answerJson(await ctx.facts.read(chainQuery, proposalQuery(v, id)), 'query gov proposal');
  let proposal: Proposal | undefined;
  if ('json' in answer) {
    const parsed = ProposalSchema.safeParse(answer.json.proposal);
    if (!parsed.success)
      return { changed: false, failed: true, msg: `query gov proposal ${id} answered what is not a proposal: ${parsed.error.issues[0].message}` };
    proposal = parsed.data;
  } else if (!/not found|doesn't exist|does not exist/i.test(answer.error)) {
    return { changed: false, failed: true, msg: answer.error };
  }
  const closed = closedReason(id, proposal);
  if (closed) return { changed: false, failed: true, msg: `refused: ${closed}` };
  const current = await myVote(ctx, v, String(id));
  if (current === v.vote_option)
    return { changed: false, msg: `${operatorOf(v).address} already voted ${current} on proposal ${id}`, ansible_facts: { vote_needed: false } };
  const replaces = current ? ` (replaces the earlier vote ${current})` : '';
  return {
    changed: false,
    msg: `proposal ${id} is in its voting period until ${proposal?.voting_end_time}: vote ${v.vote_option}${replaces}`,
    ansible_facts: { vote_needed: true },
  };
};

/** The vote as the chain records it, then the tally. */
export const verifyVote = async (ctx: ModuleContext, v: VoteVars): Promise<ModuleResult> => {
  const id = String(v.proposal_id);
  const address = operatorOf(v).address;
  const seen = await pollUntil(ctx, { timeout: v.vote_verify_timeout, interval: 2 }, async () => {
    const answer = await readChain(ctx, voteQuery(v, id), 'query gov vote');
    const option = 'json' in answer ? voteOptionOf(answer.json) : undefined;
    return option === v.vote_option ? { done: true } : { waiting: `waiting for the chain to show ${address}'s vote ${v.vote_option} on ${id}` };
  });
  if (!seen)
    return { changed: false, failed: true, msg: `the vote was sent, but query gov vote ${id} does not show ${v.vote_option} after ${v.vote_verify_timeout} s` };
  const tally = await readChain(ctx, tallyQuery(v, id), 'query gov tally');
  const parsed = 'json' in tally ? TallySchema.safeParse(tally.json.tally) : undefined;
  const msg = `${address} votes ${v.vote_option} on proposal ${id}; tally ${parsed?.success ? tallyLine(parsed.data) : 'unavailable'}`;
  return { changed: false, msg, [OPERATOR_REPORT]: [msg] };
};
