import { z } from 'zod';
import { chainQuery, type ChainAnswer, type ChainQuery } from '../facts/builtin/chain-query.js';
import type { ModuleContext, ModuleResult } from '../modules/module.js';
import { accountAddress } from './account-address.js';
import { coldSignerHost } from './cold-signer.js';
import { CONFIG_ENV, NETWORK_COMPOSE } from './deploy-files.js';
import { DeploymentVariableError } from './deployment-variable-error.js';
import type { Inferenced } from './inferenced-command.js';
import { coldKeyName } from './key-names.js';
import { readKeyringPassword } from './keyring-password.js';
import { loadNetwork, NETWORK_NAMES, withNetworkOverrides } from './network.js';
import { AbsolutePathSchema, KeyringPasswordSchema } from './value-schemas.js';

/** The chain's RPC as the api container reaches it (config.env's DAPI_CHAIN_NODE__URL, as nop renders it). */
export const API_CHAIN_NODE = 'http://node:26657';

const keyName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

/**
 * The variables every day-2 procedure that acts for the host's cold account reads: the deployed network node
 * (gonka_deploy_dir), the network (chain id, seed RPC), where the cold key lives (key_workflow, the cold_signer
 * group) and the keyring password. The same names as the setup roles, so one inventory serves both.
 */
export const OperatorVarsShape = {
  inventory_hostname: z.string().min(1).describe("set by nop: the host's inventory name"),
  groups: z.record(z.string(), z.array(z.string())).default({}).describe("set by nop: the inventory groups (cold_signer names the secure workflow's signer)"),
  gonka_deploy_dir: AbsolutePathSchema.describe('the deploy directory on the network node (config.env, docker-compose.yml)'),
  gonka_network: z.enum(NETWORK_NAMES).default('mainnet').describe('the Gonka network: its chain id and seed RPC (data/networks/NAME.yml)'),
  gonka_network_overrides: z.record(z.string(), z.unknown()).default({}).describe('overrides of the network file (seed_node_rpc_url, chain_id, …)'),
  key_workflow: z.enum(['quick', 'secure']).default('quick').describe('where the cold key signs: the api container (quick) or the cold_signer host (secure)'),
  account_pubkey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9+/]{44}$/, 'expected a base64 secp256k1 public key')
    .optional()
    .describe("the cold account's base64 public key (the keys role's fact, or the inventory's)"),
  cold_key_name: keyName.optional().describe("the cold key's name in its keyring (default <host>-cold)"),
  keyring_password: KeyringPasswordSchema.optional().describe('the keyring password of the keyring holding the cold key'),
  keyring_password_file: z.string().min(1).optional().describe('a file on the controller holding the keyring password (first line)'),
  cold_keyring_dir: AbsolutePathSchema.optional().describe('secure workflow: the inferenced home on the cold signer (default ~/.inference)'),
  cold_signer_node_url: z.url().optional().describe("secure workflow: the chain RPC the cold signer broadcasts to (default: the seed node's RPC)"),
  hostvars: z
    .custom<Record<string, Record<string, unknown> | undefined>>((x) => typeof x === 'object' && x !== null)
    .optional()
    .describe("set by nop: every host's variables (the cold signer's cold_keyring_dir)"),
  ansible_check_mode: z.boolean().default(false).describe('set by nop: whether the run is in check mode'),
  /** set by the first task of the procedure (resolveOperatorAccount) */
  gonka_operator: z
    .custom<OperatorAccount>((x) => typeof x === 'object' && x !== null)
    .optional()
    .describe('set by nop: the cold account, where it signs and where queries run'),
  gonka_keyring_password: z.string().optional().describe('set by nop: the keyring password, resolved from keyring_password or keyring_password_file'),
  gonka_gas_price: z.string().optional().describe("set by nop: the chain's gas price (the cold account's fee check)"),
};

export const OperatorVarsSchema = z.object(OperatorVarsShape);
export type OperatorVars = z.output<typeof OperatorVarsSchema>;

/** The cold account a procedure acts for, and where its queries and transactions run. */
export interface OperatorAccount {
  address: string;
  chain_id: string;
  cold_key: string;
  /** where the cold key signs: the api container (quick) or the cold signer's home (secure) */
  signer: { inferenced: Inferenced; node: string; where: string; host?: string };
  /** `inferenced query` in the server's api container, against the node beside it */
  query: { inferenced: Inferenced; node: string };
}

const signerHome = (v: OperatorVars, signer: string): string => {
  const own = v.hostvars?.[signer]?.cold_keyring_dir;
  if (own === undefined || own === null) return v.cold_keyring_dir ?? '~/.inference';
  const res = AbsolutePathSchema.safeParse(own);
  if (!res.success) throw new DeploymentVariableError(`hostvars.${signer}.cold_keyring_dir`, res.error.issues[0].message);
  return res.data;
};

const accountOf = async (v: OperatorVars): Promise<OperatorAccount> => {
  if (!v.account_pubkey) throw new DeploymentVariableError('account_pubkey', "is missing: the cold account's public key (the keys role prints it)");
  const network = withNetworkOverrides(await loadNetwork(v.gonka_network), v.gonka_network_overrides);
  const api: Inferenced = { project_dir: v.gonka_deploy_dir, files: [NETWORK_COMPOSE], env_file: CONFIG_ENV, service: 'api' };
  const query = { inferenced: api, node: API_CHAIN_NODE };
  const secure = v.key_workflow === 'secure';
  const host = secure ? coldSignerHost(v) : undefined;
  const signer = host
    ? { inferenced: { home: signerHome(v, host) }, node: v.cold_signer_node_url ?? network.seed_node_rpc_url, where: `on ${host}`, host }
    : { ...query, where: `in the api container of ${v.inventory_hostname}` };
  return { address: accountAddress(v.account_pubkey), chain_id: network.chain_id, cold_key: coldKeyName(v), signer, query };
};

/**
 * The first task of every procedure acting for the cold account: computed on the controller (no remote command),
 * published as `gonka_operator`; the keyring password as `gonka_keyring_password`, a name the runner redacts.
 */
export const resolveOperatorAccount = async (v: OperatorVars): Promise<ModuleResult> => {
  try {
    const account = await accountOf(v);
    const password = await readKeyringPassword(v);
    if (password === undefined) throw new DeploymentVariableError('keyring_password', 'is missing: set keyring_password or keyring_password_file');
    return {
      changed: false,
      msg: `cold account ${account.address} ('${account.cold_key}', signs ${account.signer.where}) on ${account.chain_id}`,
      ansible_facts: { gonka_operator: account, gonka_keyring_password: password },
    };
  } catch (e) {
    if (e instanceof DeploymentVariableError || (e instanceof Error && e.message.startsWith('variable ')))
      return { changed: false, failed: true, msg: e.message };
    throw e;
  }
};

/** The account (set by resolveOperatorAccount, which every procedure runs first). */
export const operatorOf = (v: OperatorVars): OperatorAccount => {
  if (!v.gonka_operator) throw new Error('gonka_operator is missing: the procedure runs resolveOperatorAccount first');
  return v.gonka_operator;
};

/** `inferenced query ARGS` in the server's api container. */
export const operatorQuery = (v: OperatorVars, args: string[]): ChainQuery => ({ ...operatorOf(v).query, query: args });

/** The cold signer to delegate a transaction to in the secure workflow (the cold key never leaves it). */
export const coldSignerOf = (v: OperatorVars): string | undefined => v.gonka_operator?.signer.host;

/** A chain query's JSON (`-o json` prints one line; docker compose may print warnings around it), or why not. */
export const answerJson = (answer: ChainAnswer, what: string): { json: Record<string, unknown> } | { error: string } => {
  if (answer.rc !== 0) return { error: `${what} failed: ${lastLine(answer.output)}` };
  const line = answer.output.split('\n').find((l) => l.trim().startsWith('{'));
  try {
    if (line) return { json: JSON.parse(line) as Record<string, unknown> };
  } catch {
    // reported below
  }
  return { error: `${what} answered what is not JSON: ${lastLine(answer.output)}` };
};

const lastLine = (s: string): string =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1) ?? 'no output';

/** Read a query fresh (a procedure verifies what the chain says now). */
export const readChain = async (ctx: ModuleContext, q: ChainQuery, what: string) => {
  ctx.facts.invalidate([{ fact: chainQuery, arg: q }]);
  return answerJson(await ctx.facts.read(chainQuery, q), what);
};

/** chain_tx's arguments for a transaction the cold key signs where it lives (verified by the procedure after it). */
export const coldTx = (v: OperatorVars, t: { tx: string[]; description: string; gas?: number | 'auto' }) => {
  const account = operatorOf(v);
  if (!v.gonka_keyring_password) throw new Error('the keyring password is missing: set keyring_password or keyring_password_file');
  return {
    tx: t.tx,
    description: `${t.description} from ${account.cold_key} ${account.signer.where}`,
    from: account.cold_key,
    inferenced: account.signer.inferenced,
    node: account.signer.node,
    chain_id: account.chain_id,
    gas: t.gas ?? ('auto' as const),
    gas_prices: v.gonka_gas_price || undefined,
    keyring_password: v.gonka_keyring_password,
  };
};
