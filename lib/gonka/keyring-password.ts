import { readFile } from 'node:fs/promises';
import { DeploymentVariableError } from './deployment-variable-error.js';
import { KeyringPasswordSchema } from './value-schemas.js';

/**
 * The keyring password, from `keyring_password` or the first line of `keyring_password_file` (a file on the
 * controller); undefined when neither is set. The file's path may be shown; what it holds is a secret: the
 * keys role passes it on stdin only, and config publishes it as `gonka_keyring_password`, a name the runner redacts.
 */
export const readKeyringPassword = async (v: { keyring_password?: string; keyring_password_file?: string }): Promise<string | undefined> => {
  if (v.keyring_password !== undefined) return v.keyring_password;
  if (v.keyring_password_file === undefined) return undefined;
  const text = await readFile(v.keyring_password_file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new DeploymentVariableError('keyring_password_file', `cannot read ${v.keyring_password_file} (${e.code ?? e.message})`);
  });
  const res = KeyringPasswordSchema.safeParse(text.split('\n')[0].trim());
  if (!res.success) throw new DeploymentVariableError('keyring_password_file', `the password (its first line) ${res.error.issues[0].message}`);
  return res.data;
};
