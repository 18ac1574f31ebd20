import { z } from 'zod';
import { chainQuery } from '../../lib/facts/builtin/chain-query.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { apiChainQuery } from '../../lib/gonka/api-chain-query.js';
import type { chainTxModule } from '../../lib/gonka/modules/chain-tx.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { accountAddress } from '../../lib/gonka/account-address.js';
import { coldKeySigner } from '../../lib/gonka/cold-signer.js';
import { KNOWN_AFTER_APPLY } from '../../lib/gonka/key-planning.js';
import { GRANT_GAS } from './cold-funding.js';
import { coldKeyNameOf, keysPlanned, type RegisterVars } from './vars.js';

type GrantArgs = z.input<(typeof chainTxModule)['args']>;

const grantsBy = (pubkey: string): string[] => ['authz', 'grants-by-granter', accountAddress(pubkey)];
const grantsQuery = (v: RegisterVars, pubkey: string) => apiChainQuery(v.gonka, grantsBy(pubkey));

const GrantsSchema = z.object({ grants: z.array(z.looseObject({ grantee: z.string() })).default([]) });

const grantsTo = (output: string, grantee: string): boolean => {
  try {
    const parsed = GrantsSchema.safeParse(JSON.parse(output || '{}'));
    return parsed.success && parsed.data.grants.some((g) => g.grantee === grantee);
  } catch {
    return false;
  }
};

/** What the grant check reads, in the play's batch: the cold account's grants, from the api container. */
export const grantFacts = (v: RegisterVars): FactRequest[] => (v.account_pubkey ? [request(chainQuery, grantsQuery(v, v.account_pubkey))] : []);

/** Whether the cold account has granted the warm key its ML operational permissions (fact `ml_ops_granted`). */
export const checkGrant = async (ctx: ModuleContext, v: RegisterVars): Promise<ModuleResult> => {
  if (keysPlanned(v))
    return { changed: false, msg: 'no ML operational grant yet: the keys role would create the keys', ansible_facts: { ml_ops_granted: false } };
  if (!v.account_pubkey) return { changed: false, failed: true, msg: "variable 'account_pubkey' is missing: run the keys role first" };
  if (!v.warm_key_address) return { changed: false, failed: true, msg: 'warm_key_address is missing: run the keys role first' };
  const answer = await ctx.facts.read(chainQuery, grantsQuery(v, v.account_pubkey));
  if (answer.rc !== 0 && !ctx.check)
    return { changed: false, failed: true, msg: `cannot query grants in the api container: is the api running (deploy role)? ${lastLines(answer.output, 2)}` };
  const granted = answer.rc === 0 && grantsTo(answer.output, v.warm_key_address);
  return {
    changed: false,
    msg: granted ? `${v.warm_key_address} holds the ML operational permissions` : `no ML operational grant to ${v.warm_key_address} yet`,
    ansible_facts: { ml_ops_granted: granted },
  };
};

/**
 * The cold key grants the warm key ML operational permissions, signed where the cold key lives (the task is
 * delegated to the cold signer in the secure workflow), verified on chain after.
 */
export const grantTx = (v: RegisterVars): GrantArgs => {
  const cold = coldKeyNameOf(v);
  const { inferenced, node, where } = coldKeySigner(v);
  const common = {
    from: cold,
    inferenced,
    node,
    chain_id: v.gonka.chain.chain_id,
    gas: GRANT_GAS,
    gas_prices: v.gonka_gas_price || undefined,
    verify_timeout: v.register_verify_timeout,
  };
  if (!v.gonka_keyring_password) throw new Error('the keyring password is missing: set keyring_password or keyring_password_file');
  if (keysPlanned(v)) {
    const warm = v.warm_key_address ?? `the warm key ${KNOWN_AFTER_APPLY}`;
    const tx = ['inference', 'grant-ml-ops-permissions', cold, v.warm_key_address ?? KNOWN_AFTER_APPLY];
    return { ...common, tx, description: `grant ML operational permissions to ${warm} from ${cold} ${where}`, keyring_password: v.gonka_keyring_password };
  }
  if (!v.account_pubkey) throw new Error("variable 'account_pubkey' is missing: run the keys role first");
  if (!v.warm_key_address) throw new Error("variable 'warm_key_address' is missing: run the keys role first");
  return {
    ...common,
    tx: ['inference', 'grant-ml-ops-permissions', cold, v.warm_key_address],
    description: `grant ML operational permissions to ${v.warm_key_address} from ${cold} ${where}`,
    keyring_password: v.gonka_keyring_password,
    verify: { query: grantsBy(v.account_pubkey), contains: v.warm_key_address },
  };
};
