import { inferencedScript, type Inferenced } from '../../gonka/inferenced-command.js';
import { shellQuote } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

export interface ChainQuery {
  inferenced: Inferenced;
  /** the chain's RPC, e.g. http://node:26657 in the api container, or a seed's /chain-rpc/ */
  node: string;
  /** `inferenced query` arguments, e.g. ['authz', 'grants-by-granter', 'gonka1…'] */
  query: string[];
  /** seconds the query may take: a hung container must not hold the whole batch */
  timeout?: number;
}

export interface ChainAnswer {
  rc: number;
  /** what the query printed (its JSON, -o json; or, when it failed, why) */
  output: string;
}

/** A chain query run with the node's own CLI, read with the play's other facts. */
export const chainQuery = defineFact<ChainQuery, ChainAnswer>({
  name: 'chain_query',
  command: (queries) =>
    queries
      .map((q) => {
        const script = inferencedScript(q.inferenced, ['query', ...q.query, '-o', 'json', '--node', q.node]);
        const bounded = q.timeout ? `timeout ${Math.max(1, Math.round(q.timeout))} sh -c ${shellQuote(script)}` : `(${script})`;
        return `out=$( ${bounded} 2>&1 ); printf '%s\\0%s\\0' "$?" "$out"`;
      })
      .join('\n'),
  parse: ({ stdout }, queries) => {
    const parts = stdout.split('\0');
    return queries.map((_, i) => ({ rc: Number(parts[2 * i]), output: parts[2 * i + 1] ?? '' }));
  },
});
