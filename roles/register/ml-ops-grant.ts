import { z } from 'zod';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { compose } from '../../lib/gonka/deployment-compose.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import { sleep } from '../../lib/gonka/poll.js';
import { defaultInferencedHome } from '../../lib/gonka/keyring.js';
import { accountAddress } from '../../lib/gonka/account-address.js';
import { COLD_KEY_PLANNED, keyPlanned, KNOWN_AFTER_APPLY, WARM_KEY_PLANNED } from '../../lib/gonka/key-planning.js';
import { coldKeyNameOf, type RegisterVars } from './vars.js';
import { GRANT_GAS, queryInApi } from './cold-funding.js';

const GrantsSchema = z.object({ grants: z.array(z.looseObject({ grantee: z.string() })).default([]) });

/** Whether the cold account has granted the warm key its ML operational permissions, read from the chain in the api container. */
export const grantOnChain = async (ctx: ModuleContext, v: RegisterVars): Promise<boolean | undefined> => {
  if (v.account_pubkey === undefined) return undefined;
  const granter = accountAddress(v.account_pubkey);
  const res = await queryInApi(ctx, v, ['authz', 'grants-by-granter', granter]);
  if (res.code !== 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(res.stdout || '{}');
  } catch {
    return undefined;
  }
  const parsed = GrantsSchema.safeParse(json);
  return parsed.success && parsed.data.grants.some((g) => g.grantee === v.warm_key_address);
};

/** Check the grant; its result (fact `ml_ops_granted`) decides whether the cold key must sign one. */
export const checkGrant = async (ctx: ModuleContext, v: RegisterVars): Promise<ModuleResult> => {
  if ((!v.warm_key_address && keyPlanned(ctx, WARM_KEY_PLANNED)) || (!v.account_pubkey && keyPlanned(ctx, COLD_KEY_PLANNED))) {
    return { changed: false, msg: 'no ML operational grant yet: the keys role would create the keys', ansible_facts: { ml_ops_granted: false } };
  }
  if (!v.account_pubkey) return { changed: false, failed: true, msg: "variable 'account_pubkey' is missing: run the keys role first" };
  if (!v.warm_key_address) return { changed: false, failed: true, msg: 'warm_key_address is missing: run the keys role first' };
  const granted = await grantOnChain(ctx, v);
  if (granted === undefined && !ctx.check)
    return { changed: false, failed: true, msg: 'cannot query grants in the api container: is the api running (deploy role)?' };
  return {
    changed: false,
    msg: granted ? `${v.warm_key_address} holds the ML operational permissions` : `no ML operational grant to ${v.warm_key_address} yet`,
    ansible_facts: { ml_ops_granted: granted === true },
  };
};

const txArgs = (v: RegisterVars, node: string): string[] => {
  const cold = coldKeyNameOf(v);
  return [
    'tx',
    'inference',
    'grant-ml-ops-permissions',
    cold,
    v.warm_key_address!,
    '--from',
    cold,
    '--keyring-backend',
    'file',
    '--gas',
    String(GRANT_GAS),
    ...(v.gonka_gas_price ? ['--gas-prices', v.gonka_gas_price] : []),
    '--node',
    node,
    '--chain-id',
    v.gonka.chain.chain_id,
    '--yes',
  ];
};

// the cold signer's own keyring setting is one of its host variables
const signerKeyringDir = async (ctx: ModuleContext, v: RegisterVars): Promise<string> => {
  const own = (ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined)?.[ctx.hostname]?.cold_keyring_dir;
  if (typeof own === 'string') return own;
  return v.cold_keyring_dir ?? (await defaultInferencedHome(ctx));
};

const signOnColdSigner = async (ctx: ModuleContext, v: RegisterVars, stdin: string) => {
  const home = await signerKeyringDir(ctx, v);
  const node = v.cold_signer_node_url ?? v.gonka.env.SEED_NODE_RPC_URL;
  return ctx.exec(`inferenced ${shellJoin([...txArgs(v, node), '--home', home])}`, { stdin });
};

/**
 * The cold key grants the warm key ML operational permissions: in the quick workflow from the server's keyring
 * (in the api container), in the secure one on the cold_signer host (this task is delegated there). The
 * keyring password goes on stdin.
 */
export const grantMlOps = async (ctx: ModuleContext, v: RegisterVars): Promise<ModuleResult> => {
  const where = v.key_workflow === 'secure' ? `on ${ctx.hostname}` : 'on the server';
  if (ctx.check)
    return {
      changed: true,
      msg: `would grant ML operational permissions to ${v.warm_key_address ?? `the warm key ${KNOWN_AFTER_APPLY}`} from ${coldKeyNameOf(v)} ${where}`,
    };
  if (!v.gonka_keyring_password) return { changed: false, failed: true, msg: 'the keyring password is missing: set keyring_password or keyring_password_file' };
  const stdin = `${v.gonka_keyring_password}\n`;
  const res =
    v.key_workflow === 'secure'
      ? await signOnColdSigner(ctx, v, stdin)
      : await compose(ctx, v.gonka, NETWORK_COMPOSE, ['exec', '-T', 'api', 'inferenced', ...txArgs(v, v.gonka.env.DAPI_CHAIN_NODE__URL)], stdin);
  const code = /^code: (\d+)/m.exec(res.stdout)?.[1] ?? /"code":\s*(\d+)/.exec(res.stdout)?.[1];
  if (res.code !== 0 || (code !== undefined && code !== '0')) {
    return { changed: false, failed: true, msg: `grant-ml-ops-permissions ${where} failed: ${lastLines(`${res.stderr}\n${res.stdout}`, 3)}` };
  }
  return { changed: true, msg: `${coldKeyNameOf(v)} granted ML operational permissions to ${v.warm_key_address} ${where}` };
};

/** After granting: the grant shows on chain within register_verify_timeout. */
export const verifyGrant = async (ctx: ModuleContext, v: RegisterVars): Promise<ModuleResult> => {
  if (ctx.check) return { changed: false, skipped: true, msg: 'nothing granted in check mode' };
  const deadline = Date.now() + v.register_verify_timeout * 1000;
  for (;;) {
    if (await grantOnChain(ctx, v)) return { changed: false, msg: `grant to ${v.warm_key_address} is on chain`, ansible_facts: { ml_ops_granted: true } };
    if (Date.now() >= deadline)
      return { changed: false, failed: true, msg: `the ML operational grant to ${v.warm_key_address} is not on chain after ${v.register_verify_timeout} s` };
    ctx.progress(`waiting for the grant to ${v.warm_key_address} to show on chain`);
    await sleep(2);
  }
};
