import { posix } from 'node:path';
import { AbsolutePathSchema } from '../../lib/gonka/value-schemas.js';
import { imageOf, loadVersions, withVersionOverrides } from '../../lib/gonka/versions.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { defineRole } from '../../lib/roles/role.js';
import { ensureKey, type EnsuredKey } from './account-key.js';
import { existingKeyBackup, KEPT_BY_OPERATOR, storeNewKeyBackup, type ColdKey } from './cold-key-backup.js';
import { keyringPassword, KeysVariableError } from './keyring-password.js';
import { COLD_KEY_PLANNED, WARM_KEY_PLANNED } from '../../lib/gonka/key-planning.js';
import { defaultInferencedHome, localKeyring, serverKeyring, type Keyring } from '../../lib/gonka/keyring.js';
import { KeysVarsSchema, type KeysVars } from './vars.js';
import { coldSignerHost } from '../../lib/gonka/cold-signer.js';
import { coldKeyName, warmKeyName } from '../../lib/gonka/key-names.js';

const onServer = async (v: KeysVars): Promise<Keyring> =>
  serverKeyring(v.gonka_deploy_dir, imageOf('api', withVersionOverrides(await loadVersions(), v.gonka_versions_overrides)));

// the cold signer's own settings (its keyring, where the mnemonic goes) are read from its host variables first
const signerSetting = (ctx: ModuleContext, v: KeysVars, name: 'cold_keyring_dir' | 'cold_mnemonic_file'): string | undefined => {
  const own = (ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined)?.[ctx.hostname]?.[name];
  if (own === undefined || own === null) return v[name];
  const res = AbsolutePathSchema.safeParse(own);
  if (!res.success) throw new KeysVariableError(`hostvars.${ctx.hostname}.${name}`, res.error.issues[0].message);
  return res.data;
};

const coldKeyring = async (ctx: ModuleContext, v: KeysVars): Promise<Keyring> =>
  v.key_workflow === 'secure' ? localKeyring(signerSetting(ctx, v, 'cold_keyring_dir') ?? (await defaultInferencedHome(ctx))) : onServer(v);

const mnemonicFileOf = (ctx: ModuleContext, v: KeysVars, kr: Keyring, name: string): string => {
  const set = v.key_workflow === 'secure' ? signerSetting(ctx, v, 'cold_mnemonic_file') : v.cold_mnemonic_file;
  return set ?? posix.join(v.key_workflow === 'secure' ? kr.home : v.gonka_deploy_dir, `${name}.mnemonic`);
};

const describe = (what: string, name: string, kr: Keyring, ctx: ModuleContext, key: EnsuredKey): string => {
  const where = `${kr.home} on ${ctx.hostname}`;
  if (key.state === 'planned') return `would create ${what} '${name}' in ${where}`;
  return `${what} '${name}' (${key.key.address}) ${key.state === 'created' ? 'created' : 'kept'} in ${where}`;
};

const backupNote = (cold: ColdKey, created: boolean, keptByOperator: boolean): string => {
  if (created) return `; its mnemonic is in ${cold.mnemonicFile} (0600): copy it offline, then delete the file and set ${KEPT_BY_OPERATOR}: true`;
  return keptByOperator ? `; its mnemonic is kept by the operator (${KEPT_BY_OPERATOR})` : `; its mnemonic is in ${cold.mnemonicFile}`;
};

const coldKey = async (ctx: ModuleContext, v: KeysVars): Promise<ModuleResult> => {
  const password = await keyringPassword(v);
  const name = coldKeyName(v);
  const kr = await coldKeyring(ctx, v);
  const mnemonicFile = mnemonicFileOf(ctx, v, kr, name);
  const key = await ensureKey(ctx, kr, name, password, mnemonicFile);
  const msg = describe('cold key', name, kr, ctx, key);
  if (key.state === 'planned')
    return {
      changed: true,
      msg: `${msg}; its public key (ACCOUNT_PUBKEY) is known after apply`,
      ansible_facts: { [COLD_KEY_PLANNED]: true, cold_key_name: name },
    };
  const created = key.state === 'created';
  const cold: ColdKey = { ctx, kr, name, key: key.key, mnemonicFile };
  const problem = created ? await storeNewKeyBackup(cold, key.mnemonic) : await existingKeyBackup(cold, v.cold_mnemonic_kept_by_operator);
  if (problem) return { changed: created, failed: true, msg: problem };
  // until the operator keeps the backup, the mnemonic sits on a disk: that is theirs to fix, every run
  const onDisk = !v.cold_mnemonic_kept_by_operator;
  return {
    changed: created,
    msg: msg + backupNote(cold, created, v.cold_mnemonic_kept_by_operator),
    ansible_facts: { account_pubkey: key.key.pubkey, cold_key_name: name, cold_key_address: key.key.address },
    operator_actions: onDisk
      ? [`copy the cold key's mnemonic from ${mnemonicFile} on ${ctx.hostname} to offline storage, then delete that file and set ${KEPT_BY_OPERATOR}: true`]
      : [],
  };
};

const warmKey = async (ctx: ModuleContext, v: KeysVars): Promise<ModuleResult> => {
  const password = await keyringPassword(v);
  const name = warmKeyName(v);
  const kr = await onServer(v);
  // the warm key is operational only: the cold key can grant a new one, so its mnemonic is not kept
  const key = await ensureKey(ctx, kr, name, password);
  const msg = describe('warm key', name, kr, ctx, key);
  if (key.state === 'planned')
    return { changed: true, msg: `${msg}; its address is known after apply`, ansible_facts: { [WARM_KEY_PLANNED]: true, key_name: name } };
  return { changed: key.state === 'created', msg, ansible_facts: { key_name: name, warm_key_address: key.key.address } };
};

/**
 * The validator's keys, before config renders config.env: the cold (account) key, whose public key becomes
 * ACCOUNT_PUBKEY, and the warm (ML operational) key KEY_NAME in the keyring the api container mounts.
 * quick: both on the server; secure: the cold key on the cold_signer host only. The keyring password goes
 * on stdin, the cold key's mnemonic into a 0600 file on the host holding the key.
 */
export default defineRole({
  name: 'keys',
  vars: KeysVarsSchema,
  tasks: [
    { name: 'Cold account key', delegate_to: (v) => (v.key_workflow === 'secure' ? coldSignerHost(v) : undefined), run: coldKey },
    { name: 'Warm ML operational key', run: warmKey },
  ],
});
