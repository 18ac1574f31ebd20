import { readFile } from 'node:fs/promises';
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
  if (v.keyring_password !== undefined) return v.keyring_password;
  if (v.keyring_password_file === undefined)
    throw new KeysVariableError('keyring_password', 'is required (or keyring_password_file): it encrypts the file keyring');
  const text = await readFile(v.keyring_password_file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new KeysVariableError('keyring_password_file', `cannot read ${v.keyring_password_file} (${e.code ?? e.message})`);
  });
  const first = text.split('\n')[0].trim();
  if (first.length < 8) throw new KeysVariableError('keyring_password_file', 'the password (its first line) must have at least 8 characters');
  return first;
};
