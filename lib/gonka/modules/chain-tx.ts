import { z } from 'zod';
import { chainQuery, type ChainQuery } from '../../facts/builtin/chain-query.js';
import { request } from '../../facts/fact.js';
import { intArg } from '../../modules/arg-types.js';
import { defineModule, type Change, type ModuleContext, type Plan } from '../../modules/module.js';
import { pollUntil } from '../poll.js';
import { InferencedSchema, inferencedScript } from '../inferenced-command.js';
import { lastLines } from '../last-lines.js';
import { gasPriceFromParams } from '../chain-fees.js';
import { wouldMsg } from './would-msg.js';

const QuerySchema = z.strictObject({
  /** `inferenced query` arguments, e.g. ['authz', 'grants-by-granter', 'gonka1…'] */
  query: z.array(z.string().min(1)).min(1),
  /** what the query's output must contain; without it, the query succeeding is enough */
  contains: z.string().min(1).optional(),
});
type Query = z.output<typeof QuerySchema>;

const chainTxArgs = z.strictObject({
  /** `inferenced tx` arguments, e.g. ['inference', 'grant-ml-ops-permissions', 'cold', 'gonka1…'] */
  tx: z.array(z.string().min(1)).min(2),
  /** what the transaction does, in words: the plan and the messages say it (default: the tx command and the key) */
  description: z.string().min(1).optional(),
  /** the key that signs (the cold key for most operator transactions) */
  from: z.string().min(1),
  /** where the key lives: the api container of the server (quick workflow) or a home on the cold signer */
  inferenced: InferencedSchema,
  /** the chain's RPC */
  node: z.url({ protocol: /^(https?|tcp)$/ }),
  chain_id: z.string().min(1),
  gas: z.union([z.literal('auto'), z.number().int().positive()]).default('auto'),
  gas_adjustment: z.number().positive().default(1.5),
  /** from the chain's fee params: every tx since v0.2.16 pays its gas */
  gas_prices: z
    .string()
    .regex(/^\d+(\.\d+)?[a-z]+$/, 'a gas price such as 1ngonka')
    .optional(),
  /** sent on stdin, never on a command line */
  keyring_password: z.string().min(1),
  /** the transaction's effect is already on chain when this query holds: nothing is sent */
  done_when: QuerySchema.optional(),
  /** after sending, this query must hold within verify_timeout seconds */
  verify: QuerySchema.optional(),
  verify_timeout: intArg.default(60),
  verify_interval: intArg.default(2),
});

type Args = z.output<typeof chainTxArgs>;

const txName = (a: Args): string => `tx ${a.tx.slice(0, 2).join(' ')}`;
const describe = (a: Args): string => a.description ?? `${a.tx.slice(0, 2).join(' ')} from ${a.from}`;

const queryOf = (a: Args, q: Query): ChainQuery => ({ inferenced: a.inferenced, node: a.node, query: q.query });

const holds = async (ctx: ModuleContext, a: Args, q: Query): Promise<boolean> => {
  const answer = await ctx.facts.read(chainQuery, queryOf(a, q));
  return answer.rc === 0 && (q.contains === undefined || answer.output.includes(q.contains));
};

const PARAMS_QUERY = ['inference', 'params'];

/** The gas price to send: the argument, else the chain's (fee params); undefined when the chain charges none. */
const gasPrice = async (ctx: ModuleContext, a: Args): Promise<{ price: string | undefined } | { error: string }> => {
  if (a.gas_prices) return { price: a.gas_prices };
  const answer = await ctx.facts.read(chainQuery, queryOf(a, { query: PARAMS_QUERY }));
  if (answer.rc !== 0) return { error: `cannot read the chain's fee params: ${lastLines(answer.output, 3)}` };
  try {
    return { price: gasPriceFromParams(answer.output) };
  } catch (err) {
    return { error: `query inference params answered what is not its params JSON: ${(err as Error).message}` };
  }
};

const txArgv = (a: Args, gasPrices: string | undefined): string[] => [
  'tx',
  ...a.tx,
  '--from',
  a.from,
  '--keyring-backend',
  'file',
  '--node',
  a.node,
  '--chain-id',
  a.chain_id,
  '--gas',
  String(a.gas),
  ...(a.gas === 'auto' ? ['--gas-adjustment', String(a.gas_adjustment)] : []),
  ...(gasPrices ? ['--gas-prices', gasPrices] : []),
  '--yes',
  '-o',
  'json',
];

// the CLI prints the broadcast result as JSON (or `code: N` lines in text mode); a non-zero code is a refusal
const resultCode = (out: string): string | undefined => /"code":\s*(\d+)/.exec(out)?.[1] ?? /^code: (\d+)/m.exec(out)?.[1];
// JSON (`-o json`), text mode's `txhash:` line, or the custom commands' "Transaction sent with hash: …" (grant-ml-ops-permissions)
const txHash = (out: string): string | undefined =>
  /"txhash":\s*"([0-9A-F]+)"/i.exec(out)?.[1] ?? /^txhash: ([0-9A-F]+)$/im.exec(out)?.[1] ?? /Transaction sent with hash: ([0-9A-F]+)/i.exec(out)?.[1];

// the chain's reason for a refusal: raw_log of the JSON result (the passphrase prompt and gas estimate go to stderr after it)
const rawLog = (out: string): string | undefined => {
  const quoted = /"raw_log":\s*("(?:[^"\\]|\\.)*")/.exec(out)?.[1];
  return quoted ? (JSON.parse(quoted) as string) || undefined : undefined;
};

/**
 * A transaction signed where its key lives and verified on chain: skipped when `done_when` already holds, sent with
 * the keyring password on stdin, then `verify` polled until it holds.
 */
export const chainTxModule = defineModule({
  name: 'chain_tx',
  args: chainTxArgs,
  facts: (a) => (a.done_when ? [request(chainQuery, queryOf(a, a.done_when))] : []),
  plan: async (a, ctx): Promise<Plan<Change>> => {
    if (a.done_when && (await holds(ctx, a, a.done_when))) return { changes: [], result: { msg: `already on chain: ${describe(a)}` } };
    const changes = [{ summary: a.description ?? `send ${describe(a)}`, invalidates: [{ fact: chainQuery }] }];
    return { changes, result: { msg: wouldMsg(changes) } };
  },
  apply: async (_changes, a, ctx) => {
    const gas = await gasPrice(ctx, a);
    if ('error' in gas) return { changed: false, failed: true, msg: `${txName(a)} not sent: ${gas.error}` };
    const res = await ctx.exec(inferencedScript(a.inferenced, txArgv(a, gas.price)), { stdin: `${a.keyring_password}\n` });
    const code = resultCode(res.stdout);
    if (res.code !== 0 || (code !== undefined && code !== '0')) {
      return {
        changed: false,
        failed: true,
        msg: `${txName(a)} was refused${code ? ` (code ${code})` : ''}: ${rawLog(res.stdout) ?? lastLines(`${res.stdout}\n${res.stderr}`, 3)}`,
      };
    }
    const txhash = txHash(res.stdout);
    const verify = a.verify;
    if (!verify) return { txhash, msg: `${describe(a)}: sent (${txhash ?? 'no hash'})` };
    const seen = await pollUntil(ctx, { timeout: a.verify_timeout, interval: a.verify_interval }, async () => {
      ctx.facts.invalidate([{ fact: chainQuery, arg: queryOf(a, verify) }]);
      return (await holds(ctx, a, verify)) ? { done: true } : { waiting: `waiting for ${verify.query.join(' ')} to show the transaction` };
    });
    if (!seen)
      return {
        failed: true,
        txhash,
        msg: `sent ${txName(a)} (${txhash ?? 'no hash'}), but ${verify.query.join(' ')} does not show it after ${a.verify_timeout} s`,
      };
    return { txhash, msg: `${describe(a)}: on chain (${txhash ?? 'verified'})` };
  },
});
