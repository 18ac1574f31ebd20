import { z } from 'zod';

export const VOTE_OPTIONS = ['yes', 'no', 'no_with_veto', 'abstain'] as const;
export type VoteOption = (typeof VOTE_OPTIONS)[number];

export const VOTING_PERIOD = 'PROPOSAL_STATUS_VOTING_PERIOD';

const count = z.union([z.string(), z.number()]).transform(Number).default(0);
export const TallySchema = z.looseObject({ yes_count: count, no_count: count, abstain_count: count, no_with_veto_count: count });
export type Tally = z.output<typeof TallySchema>;

export const ProposalSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  status: z.string(),
  title: z.string().default(''),
  voting_end_time: z.string().optional(),
  expedited: z.boolean().default(false),
  final_tally_result: TallySchema.optional(),
});
export type Proposal = z.output<typeof ProposalSchema>;

export const ProposalsSchema = z.looseObject({ proposals: z.array(ProposalSchema).default([]) });

/** `VOTE_OPTION_NO_WITH_VETO` → `no_with_veto`. */
export const optionOf = (chainOption: string): string => chainOption.replace(/^VOTE_OPTION_/, '').toLowerCase();

/** The option a voter's vote (`query gov vote ID VOTER`) gives, weighted options reduced to the heaviest. */
export const voteOptionOf = (json: unknown): string | undefined => {
  const parsed = z
    .looseObject({ vote: z.looseObject({ options: z.array(z.looseObject({ option: z.string(), weight: z.string().optional() })).default([]) }) })
    .safeParse(json);
  if (!parsed.success) return undefined;
  const [top] = [...parsed.data.vote.options].sort((a, b) => Number(b.weight ?? 1) - Number(a.weight ?? 1));
  return top ? optionOf(top.option) : undefined;
};

const statusWord = (status: string): string =>
  status
    .replace(/^PROPOSAL_STATUS_/, '')
    .toLowerCase()
    .replaceAll('_', ' ');

export const tallyLine = (t: Tally): string => {
  const total = t.yes_count + t.no_count + t.abstain_count + t.no_with_veto_count;
  const pct = (n: number) => (total === 0 ? '0 %' : `${((100 * n) / total).toFixed(1)} %`);
  return `yes ${t.yes_count} (${pct(t.yes_count)}) · no ${t.no_count} (${pct(t.no_count)}) · no_with_veto ${t.no_with_veto_count} (${pct(t.no_with_veto_count)}) · abstain ${t.abstain_count} (${pct(t.abstain_count)})`;
};

/** One line per open proposal: id, title, voting end, tally, this account's vote. */
export const proposalLine = (p: Proposal, tally: Tally | undefined, myVote: string | undefined): string =>
  `#${p.id} ${p.title ? `"${p.title}" ` : ''}${p.expedited ? '(expedited) ' : ''}voting ends ${p.voting_end_time ?? 'at an unknown time'}; tally ${tally ? tallyLine(tally) : 'unknown'}; your vote: ${myVote ?? 'none'}`;

/** Why a vote on `p` is refused, or undefined: only a proposal in its voting period takes votes. */
export const closedReason = (id: number, p: Proposal | undefined): string | undefined => {
  if (!p) return `proposal ${id} does not exist`;
  if (p.status === VOTING_PERIOD) return undefined;
  return `proposal ${id} is closed (${statusWord(p.status)}${p.voting_end_time ? `, voting ended ${p.voting_end_time}` : ''}): it takes no votes`;
};
