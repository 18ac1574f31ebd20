import type { ChainAnswer, ChainQuery } from '../facts/builtin/chain-query.js';
import { CONFIG_ENV, NETWORK_COMPOSE } from '../gonka/deploy-files.js';

/**
 * Chain state no HTTP API of a Gonka node serves (the public API has no jailing nor per-epoch stats): read with the
 * node image's own `inferenced` CLI, run inside the running `node` container against that node's RPC, so nothing
 * but the host's docker is needed and no port is exposed.
 */
export interface ChainQueryResult {
  /** null when the query could not be made (container down, RPC not answering…) */
  jailed: boolean | null;
  inferenceCount: number | null;
  missedRequests: number | null;
  /** why a value is null, for the detail view */
  errors: string[];
}

// Ample for a local query; a hung container must not hold the whole status run.
const QUERY_TIMEOUT_SECONDS = 20;

/** `inferenced query` in the running node container, against its own RPC. */
export const inNode = (deployDir: string, query: string[]): ChainQuery => ({
  inferenced: { project_dir: deployDir, files: [NETWORK_COMPOSE], env_file: CONFIG_ENV, service: 'node' },
  node: 'tcp://localhost:26657',
  query,
  timeout: QUERY_TIMEOUT_SECONDS,
});

/** The queries about one account address: its validators, and its Participant record. */
export const chainQueries = (deployDir: string, address: string) => ({
  // cosmos x/staking: the validators this account delegates to, its own (self-delegated) one among them
  validators: inNode(deployDir, ['staking', 'delegator-validators', address]),
  // Gonka x/inference (Ignite-scaffolded map keyed by address): the Participant record with current_epoch_stats
  participant: inNode(deployDir, ['inference', 'show-participant', address]),
});

type Section = ChainAnswer | undefined;

const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

// `-o json` prints one JSON line; docker compose may add warnings around it.
const jsonOf = (s: Section): Record<string, unknown> | undefined => {
  if (s?.rc !== 0) return undefined;
  const line = s.output.split('\n').find((l) => l.startsWith('{'));
  try {
    return line ? rec(JSON.parse(line)) : undefined;
  } catch {
    return undefined;
  }
};

const errorOf = (what: string, s: Section): string => {
  const lines = (s?.output ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return `${what}: ${lines.find((l) => l.startsWith('Error')) ?? lines.at(-1) ?? 'no answer'}`;
};

// An address and its valoper share the bech32 data part (same bytes, other prefix and checksum).
const bech32Data = (a: string): string => a.slice(a.lastIndexOf('1') + 1, -6);

// Amino JSON leaves zero values out: a validator without `jailed` is not jailed, a stats record without a count has 0.
const jailedOf = (body: Record<string, unknown>, address: string): boolean | null => {
  const validators = Array.isArray(body.validators) ? body.validators.map(rec) : [];
  const own = validators.find((v) => bech32Data(String(v.operator_address ?? '')) === bech32Data(address));
  return own ? own.jailed === true || own.jailed === 'true' : null;
};

const count = (v: unknown): number => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? 0 : Number(v));

/** Jailing and this epoch's inference counts from the queries' answers. */
export const parseChainQueries = (answers: { validators: Section; participant: Section }, address: string): ChainQueryResult => {
  const errors: string[] = [];
  const vSection = answers.validators;
  const validators = jsonOf(vSection);
  if (!validators) errors.push(errorOf('query staking delegator-validators', vSection));
  const jailed = validators ? jailedOf(validators, address) : null;
  if (validators && jailed === null) errors.push(`query staking delegator-validators: ${address} has no validator of its own`);
  const pSection = answers.participant;
  const participant = jsonOf(pSection);
  if (!participant) errors.push(errorOf('query inference show-participant', pSection));
  const stats = participant ? rec(rec(participant.participant).current_epoch_stats) : undefined;
  return {
    jailed,
    inferenceCount: stats ? count(stats.inference_count) : null,
    missedRequests: stats ? count(stats.missed_requests) : null,
    errors,
  };
};
