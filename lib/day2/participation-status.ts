import type { ChainAnswer, ChainQuery } from '../facts/builtin/chain-query.js';
import { pocChainParams, storedChoices, type PocModel } from '../gonka/poc-participation.js';
import { lastLines } from '../gonka/last-lines.js';
import { inNode } from './chain-queries.js';
import type { Check } from './status-checks.js';

/**
 * Per live PoC model, what the participant does about it: serves it (one of its ML nodes runs it), delegated it
 * (and whether the delegate committed PoC this epoch: a delegation counts only then), refused it, declared an intent
 * (bootstrap), or nothing, which costs no_participation_penalty of its weight per epoch from the model's
 * penalty_start_epoch on.
 */
export interface ModelParticipation extends PocModel {
  state: 'serving' | 'delegated' | 'refused' | 'intent' | 'nothing';
  delegate?: string;
  /** whether the delegate committed PoC for the model this epoch; null when the query failed */
  delegateCommitted?: boolean | null;
  /** why delegateCommitted is null */
  commitError?: string;
}

export type ParticipationStatus = { epoch: number; models: ModelParticipation[]; noParticipationPenalty?: number } | { error: string };

/** The chain queries of the first batch: the PoC models and penalties, the account's stored choices. */
export const participationQueries = (deployDir: string, address: string) => ({
  params: inNode(deployDir, ['inference', 'params']),
  choices: inNode(deployDir, ['inference', 'poc-delegation', address]),
});

/** The delegate's PoC v2 store commits of the epoch whose PoC started at `pocStart` (a second batch: it needs the delegates). */
export const storeCommitQuery = (deployDir: string, pocStart: number, delegate: string): ChainQuery =>
  inNode(deployDir, ['inference', 'poc-v2-store-commit', String(pocStart), delegate]);

const jsonLine = (a: ChainAnswer): string => a.output.split('\n').find((l) => l.startsWith('{')) ?? a.output;

/** Whether a store-commit answer holds a commit for `model`: rc≠0 with NotFound is "no commit", any other failure unknown. */
export const committedFor = (a: ChainAnswer, model: string): { committed: boolean } | { error: string } => {
  if (a.rc !== 0) return /NotFound|not found/.test(a.output) ? { committed: false } : { error: lastLines(a.output, 2) };
  try {
    const commits = (JSON.parse(jsonLine(a)) as { commits?: { model_id?: string }[] }).commits ?? [];
    return { committed: commits.some((c) => c.model_id === model) };
  } catch {
    return { error: `query inference poc-v2-store-commit answered what is not JSON: ${a.output.slice(0, 120)}` };
  }
};

/** The first batch's answers judged against the models the node serves; the delegates to ask about next. */
export const participationOf = (
  answers: { params: ChainAnswer; choices: ChainAnswer },
  address: string,
  served: ReadonlySet<string>,
  epoch: number,
): ParticipationStatus => {
  if (answers.params.rc !== 0) return { error: `query inference params: ${lastLines(answers.params.output, 2)}` };
  if (answers.choices.rc !== 0) return { error: `query inference poc-delegation: ${lastLines(answers.choices.output, 2)}` };
  try {
    const chain = pocChainParams(jsonLine(answers.params));
    const stored = storedChoices(jsonLine(answers.choices), address);
    const models = chain.models.map((m): ModelParticipation => {
      if (served.has(m.model_id)) return { ...m, state: 'serving' };
      const s = stored.get(m.model_id);
      if (s === undefined) return { ...m, state: 'nothing' };
      if (s.kind === 'delegate') return { ...m, state: 'delegated', delegate: s.to };
      return { ...m, state: s.kind === 'refuse' ? 'refused' : 'intent' };
    });
    return { epoch, models, noParticipationPenalty: chain.noParticipationPenalty };
  } catch (e) {
    return { error: `the chain's PoC models could not be read: ${(e as Error).message}` };
  }
};

/** The delegates whose store commits decide whether their delegations count. */
export const delegatesOf = (p: ParticipationStatus): string[] => ('error' in p ? [] : [...new Set(p.models.flatMap((m) => (m.delegate ? [m.delegate] : [])))]);

/** The second batch's answers folded in. */
export const withCommits = (p: ParticipationStatus, answers: ReadonlyMap<string, ChainAnswer>): ParticipationStatus => {
  if ('error' in p) return p;
  const models = p.models.map((m) => {
    const a = m.delegate ? answers.get(m.delegate) : undefined;
    if (!m.delegate) return m;
    if (!a) return { ...m, delegateCommitted: null, commitError: 'the PoC start of this epoch is unknown (/v1/epochs/latest)' };
    const c = committedFor(a, m.model_id);
    return 'error' in c ? { ...m, delegateCommitted: null, commitError: c.error } : { ...m, delegateCommitted: c.committed };
  });
  return { ...p, models };
};

const RULE =
  'serving, refused or delegated to a participant that committed PoC this epoch → OK; nothing, or a delegate without a commit → ' +
  'FAIL once the penalty applies (WARN before); intent or unknown → WARN';

const levelFor = (m: ModelParticipation, penalised: boolean): Check['level'] => {
  if (m.state === 'serving' || m.state === 'refused') return 'OK';
  if (m.state === 'intent') return 'WARN';
  if (m.state === 'delegated' && m.delegateCommitted === true) return 'OK';
  if (m.state === 'delegated' && m.delegateCommitted === null) return 'WARN';
  return penalised ? 'FAIL' : 'WARN';
};

const valueFor = (m: ModelParticipation, penalty: string, penalised: boolean): string => {
  const when = penalised ? `penalty since epoch ${m.penalty_start_epoch}` : `penalty from epoch ${m.penalty_start_epoch}`;
  switch (m.state) {
    case 'serving':
      return 'serving';
    case 'refused':
      return 'refused';
    case 'intent':
      return `intent declared, not served yet (${when})`;
    case 'delegated':
      if (m.delegateCommitted === true) return `delegated to ${m.delegate} (committed PoC this epoch)`;
      if (m.delegateCommitted === null) return `delegated to ${m.delegate} (its PoC commit unknown: ${m.commitError})`;
      return `delegated to ${m.delegate}, which has not committed PoC for it this epoch: counts as nothing (${penalty}, ${when})`;
    default:
      return `nothing: set poc_participation and run setup (${penalty}, ${when})`;
  }
};

/** One check per live PoC model. */
export const participationChecks = (p: ParticipationStatus | null): Check[] => {
  if (p === null) return [];
  if ('error' in p) return [{ id: 'poc_participation', name: 'PoC participation', level: 'WARN', value: p.error, threshold: RULE }];
  const penalty = `${p.noParticipationPenalty ?? 0.15} of its weight per epoch`;
  return p.models.map((m) => {
    const penalised = p.epoch >= m.penalty_start_epoch;
    return { id: `poc:${m.model_id}`, name: `PoC ${m.model_id}`, level: levelFor(m, penalised), value: valueFor(m, penalty, penalised), threshold: RULE };
  });
};
