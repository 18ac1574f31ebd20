import type { FactStore, ReaderRequest } from '../facts/fact-store.js';
import type { Transport } from '../transport/transport.js';
import { createParsedAhead, type ParsedAhead } from './parsed-ahead.js';
import type { RunAhead } from './run-ahead.js';
import type { HostStats } from './types.js';
import type { WriteBehind } from './write-behind.js';

/** One host's state for the whole run. */
export interface HostRun {
  name: string;
  /** inventory variables (group, host, group_vars/host_vars files), already in precedence order */
  inventoryVars: Record<string, unknown>;
  /** set_fact results and registered variables: they outlive the play, as in Ansible */
  runtimeVars: Record<string, unknown>;
  /** the names in runtimeVars that are facts a module gathered (setup, hostname…), which `meta: clear_facts` forgets; set_fact's and include_vars' are not */
  cachedFacts: Set<string>;
  stats: HostStats;
  status: 'ok' | 'failed' | 'unreachable';
  notified: Set<string>;
  /** --start-at-task: whether the named task has been reached on this host */
  started: boolean;
  /** the facts of the tasks still to come in the play (see lookahead.ts) */
  upcoming: () => readonly ReaderRequest[];
  /** module arguments the lookahead parsed, for their tasks to take (parsed-ahead.ts) */
  parsedAhead: ParsedAhead;
  /** tasks running ahead of their held changes (run-ahead.ts); set once the host is connected */
  ahead?: RunAhead;
}

export interface Connection {
  transport: Transport;
  /** the way tasks reach the host: their changes may be held and sent together (write-behind.ts) */
  writeBehind: WriteBehind;
  facts: FactStore;
}

export const emptyStats = (): HostStats => ({ ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 });

export const newHostRun = (name: string, inventoryVars: Record<string, unknown>, started: boolean): HostRun => ({
  name,
  inventoryVars,
  runtimeVars: {},
  cachedFacts: new Set(),
  stats: emptyStats(),
  status: 'ok',
  notified: new Set(),
  started,
  upcoming: () => [],
  parsedAhead: createParsedAhead(),
});
