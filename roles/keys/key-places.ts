import { posix } from 'node:path';
import { coldSignerHost } from '../../lib/gonka/cold-signer.js';
import { coldKeyName, warmKeyName } from '../../lib/gonka/key-names.js';
import { defaultInferencedHome, localKeyring, serverKeyring, type Keyring } from '../../lib/gonka/keyring.js';
import { AbsolutePathSchema } from '../../lib/gonka/value-schemas.js';
import { imageOf, loadVersions, withVersionOverrides } from '../../lib/gonka/versions.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import type { CodeTask } from '../../lib/roles/role.js';
import { keyringPassword, KeysVariableError } from './keyring-password.js';
import type { KeyPlaces, KeysVars } from './vars.js';

// the cold signer's own settings (its keyring, where the mnemonic goes) are read from its host variables first
const signerSetting = (ctx: ModuleContext, v: KeysVars, signer: string, name: 'cold_keyring_dir' | 'cold_mnemonic_file'): string | undefined => {
  const own = (ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined)?.[signer]?.[name];
  if (own === undefined || own === null) return v[name];
  const res = AbsolutePathSchema.safeParse(own);
  if (!res.success) throw new KeysVariableError(`hostvars.${signer}.${name}`, res.error.issues[0].message);
  return res.data;
};

const coldPlace = async (ctx: ModuleContext, v: KeysVars, server: Keyring): Promise<KeyPlaces['cold']> => {
  const name = coldKeyName(v);
  if (v.key_workflow === 'quick') return { name, keyring: server, mnemonic_file: v.cold_mnemonic_file ?? posix.join(v.gonka_deploy_dir, `${name}.mnemonic`) };
  const signer = coldSignerHost(v);
  const home = signerSetting(ctx, v, signer, 'cold_keyring_dir') ?? (await defaultInferencedHome(await ctx.onHost(signer)));
  return { name, keyring: localKeyring(home), mnemonic_file: signerSetting(ctx, v, signer, 'cold_mnemonic_file') ?? posix.join(home, `${name}.mnemonic`) };
};

/**
 * Which keys, in which keyrings (and that the keyring password is there): computed on the controller (the cold signer's home directory
 * is asked only when the secure workflow leaves cold_keyring_dir unset), so the key tasks can declare their facts.
 */
export const keyPlaces: CodeTask<KeysVars> = {
  name: 'Keys and their keyrings',
  check_mode: false,
  invalidates: [],
  run: async (ctx, v) => {
    // read here to fail with a message naming the variable; the no_log task after this one publishes it
    await keyringPassword(v);
    const server = serverKeyring(v.gonka_deploy_dir, imageOf('api', withVersionOverrides(await loadVersions(), v.gonka_versions_overrides)));
    const places: KeyPlaces = { cold: await coldPlace(ctx, v, server), warm: { name: warmKeyName(v), keyring: server } };
    return {
      changed: false,
      msg: `cold key '${places.cold.name}' in ${places.cold.keyring.home}; warm key '${places.warm.name}' in ${server.home}`,
      ansible_facts: { gonka_keys: places },
    };
  },
};

/**
 * The keyring password (keyring_password, or the first line of keyring_password_file on the controller), for the key
 * tasks and their facts: a task of its own, no_log, so not even its redacted value is shown.
 */
export const keyringPasswordTask: CodeTask<KeysVars> = {
  name: 'Keyring password',
  check_mode: false,
  no_log: true,
  invalidates: [],
  run: async (_ctx, v) => ({ changed: false, ansible_facts: { gonka_keyring_password: await keyringPassword(v) } }),
};
