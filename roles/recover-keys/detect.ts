import { chainQuery } from '../../lib/facts/builtin/chain-query.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { consensusKey } from '../../lib/gonka/consensus-key.js';
import { warmKeyName } from '../../lib/gonka/key-names.js';
import { serverKeyring, type Keyring } from '../../lib/gonka/keyring.js';
import { keyringKey, type KeyringKeyArg } from '../../lib/gonka/keyring-key.js';
import { answerJson, operatorOf, operatorQuery, resolveOperatorAccount } from '../../lib/gonka/operator-account.js';
import { imageOf, loadVersions, withVersionOverrides } from '../../lib/gonka/versions.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { OPERATOR_REPORT } from '../../lib/runner/operator-report.js';
import { lostKeys } from './lost-keys.js';
import type { RecoverKeysVars } from './vars.js';

/** The cold account (where it signs, the keyring password) and the server keyring the warm key lives in. */
export const resolveAccountAndKeyring = async (v: RecoverKeysVars): Promise<ModuleResult> => {
  const account = await resolveOperatorAccount(v);
  if (account.failed) return account;
  const image = imageOf('api', withVersionOverrides(await loadVersions(), v.gonka_versions_overrides));
  const keyring: Keyring = serverKeyring(v.gonka_deploy_dir, image);
  return { ...account, ansible_facts: { ...(account.ansible_facts as Record<string, unknown>), recover_keyring: keyring } };
};

const keyArg = (v: RecoverKeysVars, name: string): KeyringKeyArg | undefined =>
  v.recover_keyring && v.gonka_keyring_password ? { keyring: v.recover_keyring, name, password: v.gonka_keyring_password } : undefined;

export const warmKeyArg = (v: RecoverKeysVars) => keyArg(v, warmKeyName(v));
const coldKeyArg = (v: RecoverKeysVars) => (v.key_workflow === 'quick' && v.gonka_operator ? keyArg(v, v.gonka_operator.cold_key) : undefined);
export const participantQuery = (v: RecoverKeysVars) => operatorQuery(v, ['inference', 'show-participant', operatorOf(v).address]);

export const detectFacts = (v: RecoverKeysVars): FactRequest[] => {
  if (!v.gonka_operator) return [];
  const keys = [warmKeyArg(v), coldKeyArg(v)].flatMap((a) => (a ? [request(keyringKey, a)] : []));
  return [...keys, request(consensusKey, v.gonka_deploy_dir), request(chainQuery, participantQuery(v))];
};

const keyState = async (ctx: ModuleContext, a: KeyringKeyArg | undefined) => {
  if (!a) return undefined;
  const found = await ctx.facts.read(keyringKey, a);
  return { name: a.name, present: found.present, address: found.present ? found.key.address : undefined };
};

/**
 * Read which key is lost (the warm key in the api keyring, tmkms's consensus key against the chain's) and say it;
 * refuse when nothing is. Publishes recover_warm_lost, recover_consensus, recover_public_url and, when tmkms already
 * holds the key to register, consensus_key.
 */
export const detectLostKeys = async (ctx: ModuleContext, v: RecoverKeysVars): Promise<ModuleResult> => {
  const participant = answerJson(await ctx.facts.read(chainQuery, participantQuery(v)), 'query inference show-participant');
  if ('error' in participant)
    return {
      changed: false,
      failed: true,
      msg: `${participant.error}: is ${operatorOf(v).address} registered (playbooks/setup.yml) and the api container running?`,
    };
  const p = (participant.json.participant ?? {}) as { validator_key?: string; inference_url?: string };
  const warm = (await keyState(ctx, warmKeyArg(v)))!;
  const verdict = lostKeys({
    warm,
    cold: await keyState(ctx, coldKeyArg(v)),
    tmkmsKey: await ctx.facts.read(consensusKey, v.gonka_deploy_dir),
    chainKey: p.validator_key ?? '',
  });
  if (verdict.verdict === 'refuse') return { changed: false, failed: true, msg: `refused: ${verdict.reason}`, [OPERATOR_REPORT]: verdict.lines };
  const lost = [verdict.warm ? 'the warm key' : '', verdict.consensus ? `the consensus key (${verdict.consensus})` : ''].filter(Boolean).join(' and ');
  const tmkmsKey = verdict.consensus === 'reset' ? await ctx.facts.read(consensusKey, v.gonka_deploy_dir) : undefined;
  return {
    changed: false,
    msg: `lost: ${lost}`,
    [OPERATOR_REPORT]: verdict.lines,
    ansible_facts: {
      recover_warm_lost: verdict.warm,
      recover_consensus: verdict.consensus,
      recover_public_url: p.inference_url ?? '',
      ...(tmkmsKey ? { consensus_key: tmkmsKey } : {}),
    },
  };
};
