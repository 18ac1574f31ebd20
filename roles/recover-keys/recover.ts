import { httpGet, type HttpGet } from '../../lib/facts/builtin/http.js';
import { KNOWN_AFTER_APPLY } from '../../lib/gonka/key-planning.js';
import { jsonRecord, keyInfo } from '../../lib/gonka/key-record.js';
import { keyringCommand } from '../../lib/gonka/keyring.js';
import { keyringKey } from '../../lib/gonka/keyring-key.js';
import { coldTx, operatorOf, operatorQuery, readChain } from '../../lib/gonka/operator-account.js';
import { pollUntil, readFresh } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { OPERATOR_REPORT } from '../../lib/runner/operator-report.js';
import { participantQuery, warmKeyArg } from './detect.js';
import { GRANT_GAS, SUBMIT_GAS } from './lost-keys.js';
import type { RecoverKeysVars } from './vars.js';

/** The message the warm key must be allowed to send for PoC (reference §7a's check). */
const POC_COMMIT = '/inference.inference.MsgPoCV2StoreCommit';

/**
 * The warm key created again under its name (config.env's KEY_NAME) in the server keyring, through the api image
 * (reference §7a); the keyring password on stdin. Its mnemonic is dropped: the cold key can grant a new one any time.
 */
export const recreateWarmKey = async (ctx: ModuleContext, v: RecoverKeysVars): Promise<ModuleResult> => {
  const a = warmKeyArg(v);
  if (!a) return { changed: false, failed: true, msg: 'the keyring and its password were not resolved (the first task)' };
  const where = `${a.keyring.home} on ${ctx.hostname}`;
  if (ctx.check)
    return {
      changed: true,
      msg: `would create warm key '${a.name}' in ${where}; its address is known after apply`,
      ansible_facts: { recover_warm_address: KNOWN_AFTER_APPLY },
    };
  const found = await ctx.facts.read(keyringKey, a);
  if (found.present)
    return { changed: false, msg: `warm key '${a.name}' (${found.key.address}) is in ${where}`, ansible_facts: { recover_warm_address: found.key.address } };
  // a keyring that exists asks its password once; a new one asks twice
  const stdin = found.keyring ? `${a.password}\n` : `${a.password}\n${a.password}\n`;
  const res = await ctx.exec(keyringCommand(a.keyring, ['keys', 'add', a.name, '--output', 'json']), { stdin });
  ctx.facts.invalidate([{ fact: keyringKey }]);
  // only the last stderr line: earlier lines are prompts, and keys add prints the mnemonic there
  if (res.code !== 0)
    return { changed: false, failed: true, msg: `inferenced keys add ${a.name} failed (rc=${res.code}): ${res.stderr.trim().split('\n').at(-1) ?? ''}` };
  const record = jsonRecord(res.stdout) ?? jsonRecord(res.stderr);
  if (!record) return { changed: true, failed: true, msg: `inferenced keys add ${a.name} printed no key record` };
  const { address } = keyInfo(record);
  return { changed: true, msg: `warm key '${a.name}' recreated in ${where}: ${address}`, ansible_facts: { recover_warm_address: address } };
};

/** chain_tx's arguments: grant-ml-ops-permissions to the new warm key from the cold key, where it lives. */
export const grantTx = (v: RecoverKeysVars) => {
  const account = operatorOf(v);
  const warm = v.recover_warm_address ?? KNOWN_AFTER_APPLY;
  const grants = ['authz', 'grants-by-granter', account.address];
  return {
    ...coldTx(v, {
      tx: ['inference', 'grant-ml-ops-permissions', account.cold_key, warm],
      description: `grant ML operational permissions to ${warm}`,
      gas: GRANT_GAS,
    }),
    done_when: { query: grants, contains: warm },
    verify: { query: grants, contains: warm },
    verify_timeout: v.recover_verify_timeout,
  };
};

/** Reference §7a's check: the cold account's grants name the new warm key for PoC commits, and its fee grant exists. */
export const verifyWarmGrant = async (ctx: ModuleContext, v: RecoverKeysVars): Promise<ModuleResult> => {
  const { address } = operatorOf(v);
  const warm = v.recover_warm_address ?? '';
  const grants = await readChain(ctx, operatorQuery(v, ['authz', 'grants-by-granter', address]), 'query authz grants-by-granter');
  if ('error' in grants) return { changed: false, failed: true, msg: grants.error };
  const list = (grants.json.grants ?? []) as { grantee?: string; authorization?: { msg?: string } }[];
  const mine = list.filter((g) => g.grantee === warm).map((g) => g.authorization?.msg ?? '');
  if (!mine.includes(POC_COMMIT)) return { changed: false, failed: true, msg: `the cold account's grants do not let ${warm} send ${POC_COMMIT}` };
  const allowance = await readChain(ctx, operatorQuery(v, ['feegrant', 'grant', address, warm]), 'query feegrant grant');
  if ('error' in allowance) return { changed: false, failed: true, msg: `no fee grant from ${address} to ${warm}: ${allowance.error}` };
  const lines = [`${warm} holds ${mine.length} ML operational grants from ${address} (${POC_COMMIT} among them)`, `fee grant ${address} → ${warm} on chain`];
  return { changed: false, msg: lines.join('; '), [OPERATOR_REPORT]: lines };
};

/** chain_tx's arguments: submit-new-participant with tmkms's key, the inference URL kept (reference §7b). */
export const registerKeyTx = (v: RecoverKeysVars) => {
  const account = operatorOf(v);
  const key = v.consensus_key ?? KNOWN_AFTER_APPLY;
  const url = v.recover_public_url || '';
  const show = ['inference', 'show-participant', account.address];
  return {
    ...coldTx(v, { tx: ['inference', 'submit-new-participant', url, '--validator-key', key], description: `register consensus key ${key}`, gas: SUBMIT_GAS }),
    done_when: { query: show, contains: `"validator_key":"${key}"` },
    verify: { query: show, contains: `"validator_key":"${key}"` },
    verify_timeout: v.recover_verify_timeout,
  };
};

const statusRequest = (v: RecoverKeysVars): HttpGet => ({ url: `${v.gonka_rpc_url.replace(/\/+$/, '')}/status`, timeout: 10 });

/** The key is the chain's and the one the node signs with (its /status, through tmkms). */
export const verifyConsensusKey = async (ctx: ModuleContext, v: RecoverKeysVars): Promise<ModuleResult> => {
  const key = v.consensus_key ?? '';
  const signing = await pollUntil(ctx, { timeout: v.recover_verify_timeout, interval: 2 }, async () => {
    const status = await readFresh(ctx, httpGet, statusRequest(v));
    const shown = (status.json as { result?: { validator_info?: { pub_key?: { value?: string } } } } | undefined)?.result?.validator_info?.pub_key?.value;
    return shown === key ? { done: true } : { waiting: `the node's /status shows ${shown ?? 'no key'}, waiting for ${key}` };
  });
  if (!signing)
    return { changed: false, failed: true, msg: `the node does not sign with ${key} after ${v.recover_verify_timeout} s: read docker compose logs tmkms node` };
  const participant = await readChain(ctx, participantQuery(v), 'query inference show-participant');
  if ('error' in participant) return { changed: false, failed: true, msg: participant.error };
  const onChain = (participant.json.participant as { validator_key?: string } | undefined)?.validator_key;
  if (onChain !== key) return { changed: false, failed: true, msg: `the chain holds ${onChain ?? 'no key'}, not ${key}` };
  const msg = `consensus key ${key}: on chain and signing (node /status)`;
  return { changed: false, msg, [OPERATOR_REPORT]: [msg] };
};
