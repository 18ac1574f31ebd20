export const VOTE_OPTIONS: readonly string[];
type Failure = { code: number; codespace: string; log: string } | undefined;
type Tally = { yes_count: string; abstain_count: string; no_count: string; no_with_veto_count: string };
export function tallyOf(net: unknown, proposal: unknown): Tally;
export function proposalJson(net: unknown, scenario: unknown, now: number, proposal: unknown): { status: string } & Record<string, unknown>;
export function findProposal(scenario: unknown, id: string | number): unknown;
export function applyVote(net: unknown, msg: { proposal_id: string; option: string }, ctx: { scenario: unknown; now: number; signer: string }): Failure;
export function governanceAnswers(notFound: (what: string) => Error): Record<string, (...args: unknown[]) => unknown>;
