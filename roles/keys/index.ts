import { request, type FactRequest } from '../../lib/facts/fact.js';
import { coldSignerHost } from '../../lib/gonka/cold-signer.js';
import { COLD_KEY_PLANNED, WARM_KEY_PLANNED } from '../../lib/gonka/key-planning.js';
import type { Keyring } from '../../lib/gonka/keyring.js';
import { keyringKey } from '../../lib/gonka/keyring-key.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { type CodeTask, defineRole } from '../../lib/roles/role.js';
import { ensureKey, type EnsuredKey } from './account-key.js';
import { existingKeyBackup, KEPT_BY_OPERATOR, storeNewKeyBackup, type ColdKey } from './cold-key-backup.js';
import { keyPlaces, keyringPasswordTask } from './key-places.js';
import { mnemonicFile } from './mnemonic-file.js';
import { type KeyPlaces, KeysVarsSchema, type KeysVars } from './vars.js';

const describe = (what: string, name: string, kr: Keyring, ctx: ModuleContext, key: EnsuredKey): string => {
  const where = `${kr.home} on ${ctx.hostname}`;
  if (key.state === 'planned') return `would create ${what} '${name}' in ${where}`;
  return `${what} '${name}' (${key.key.address}) ${key.state === 'created' ? 'created' : 'kept'} in ${where}`;
};

const backupNote = (cold: ColdKey, created: boolean, keptByOperator: boolean): string => {
  if (created) return `; its mnemonic is in ${cold.mnemonicFile} (0600): copy it offline, then delete the file and set ${KEPT_BY_OPERATOR}: true`;
  return keptByOperator ? `; its mnemonic is kept by the operator (${KEPT_BY_OPERATOR})` : `; its mnemonic is in ${cold.mnemonicFile}`;
};

// the first task computed where the keys live; without it (it failed) the key tasks do not run
const placesOf = (v: KeysVars): { places: KeyPlaces; password: string } => {
  if (!v.gonka_keys || v.gonka_keyring_password === undefined)
    throw new Error('the keys, their keyrings and password were not computed (the first tasks of the role)');
  return { places: v.gonka_keys, password: v.gonka_keyring_password };
};

const keyFacts = (v: KeysVars, which: 'cold' | 'warm'): FactRequest[] => {
  if (!v.gonka_keys || v.gonka_keyring_password === undefined) return [];
  const place = v.gonka_keys[which];
  const key = request(keyringKey, { keyring: place.keyring, name: place.name, password: v.gonka_keyring_password });
  return 'mnemonic_file' in place ? [key, request(mnemonicFile, place.mnemonic_file)] : [key];
};

const coldKey = async (ctx: ModuleContext, v: KeysVars): Promise<ModuleResult> => {
  const { places, password } = placesOf(v);
  const { name, keyring: kr, mnemonic_file: mnemonicPath } = places.cold;
  const key = await ensureKey(ctx, { keyring: kr, name, password }, mnemonicPath);
  const msg = describe('cold key', name, kr, ctx, key);
  if (key.state === 'planned')
    return {
      changed: true,
      msg: `${msg}; its public key (ACCOUNT_PUBKEY) is known after apply`,
      ansible_facts: { [COLD_KEY_PLANNED]: true, cold_key_name: name },
    };
  const created = key.state === 'created';
  const cold: ColdKey = { ctx, kr, name, key: key.key, mnemonicFile: mnemonicPath };
  const problem = created ? await storeNewKeyBackup(cold, key.mnemonic) : await existingKeyBackup(cold, v.cold_mnemonic_kept_by_operator);
  if (problem) return { changed: created, failed: true, msg: problem };
  // until the operator keeps the backup, the mnemonic sits on a disk: that is theirs to fix, every run
  const onDisk = !v.cold_mnemonic_kept_by_operator;
  return {
    changed: created,
    msg: msg + backupNote(cold, created, v.cold_mnemonic_kept_by_operator),
    ansible_facts: { account_pubkey: key.key.pubkey, cold_key_name: name, cold_key_address: key.key.address },
    operator_actions: onDisk
      ? [`copy the cold key's mnemonic from ${mnemonicPath} on ${ctx.hostname} to offline storage, then delete that file and set ${KEPT_BY_OPERATOR}: true`]
      : [],
  };
};

const warmKey = async (ctx: ModuleContext, v: KeysVars): Promise<ModuleResult> => {
  const { places, password } = placesOf(v);
  const { name, keyring: kr } = places.warm;
  // the warm key is operational only: the cold key can grant a new one, so its mnemonic is not kept
  const key = await ensureKey(ctx, { keyring: kr, name, password });
  const msg = describe('warm key', name, kr, ctx, key);
  if (key.state === 'planned')
    return { changed: true, msg: `${msg}; its address is known after apply`, ansible_facts: { [WARM_KEY_PLANNED]: true, key_name: name } };
  return { changed: key.state === 'created', msg, ansible_facts: { key_name: name, warm_key_address: key.key.address } };
};

// creating a key changes its keyring; storing a mnemonic, its file: nothing else
const KEY_CHANGES = [{ fact: keyringKey }, { fact: mnemonicFile }];

const coldKeyTask: CodeTask<KeysVars> = {
  name: 'Cold account key',
  delegate_to: (v) => (v.key_workflow === 'secure' ? coldSignerHost(v) : undefined),
  facts: (v) => keyFacts(v, 'cold'),
  invalidates: KEY_CHANGES,
  run: coldKey,
};

const warmKeyTask: CodeTask<KeysVars> = { name: 'Warm ML operational key', facts: (v) => keyFacts(v, 'warm'), invalidates: KEY_CHANGES, run: warmKey };

/**
 * The validator's keys, before config renders config.env: the cold (account) key, whose public key becomes
 * ACCOUNT_PUBKEY, and the warm (ML operational) key KEY_NAME in the keyring the api container mounts.
 * quick: both on the server; secure: the cold key on the cold_signer host only. The keyring password goes
 * on stdin (and to the key facts in their environment), the cold key's mnemonic into a 0600 file on the host
 * holding the key.
 */
export default defineRole({
  name: 'keys',
  vars: KeysVarsSchema,
  tasks: [keyPlaces, keyringPasswordTask, coldKeyTask, warmKeyTask],
});
