import { readKeyringPassword } from '../../lib/gonka/keyring-password.js';
import type { KeysVars } from './vars.js';

/** The operator must fix a variable: the message names it. */
export class KeysVariableError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`variable '${variable}': ${message}`);
    this.name = 'KeysVariableError';
  }
}

/** The keyring password, from `keyring_password` or the first line of `keyring_password_file` (on the controller). */
export const keyringPassword = async (v: KeysVars): Promise<string> => {
  const password = await readKeyringPassword(v);
  if (password === undefined) throw new KeysVariableError('keyring_password', 'is required (or keyring_password_file): it encrypts the file keyring');
  return password;
};
