import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setVaultPasswords } from '../vault/vault-passwords.js';
import { OptionError } from './extra-vars.js';
import { readSecret } from './read-secret.js';

export interface VaultOptions {
  vaultPasswordFile?: string[];
  askVaultPass?: boolean;
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

// as Ansible: an executable file is a script whose stdout is the password; a plain file holds it (trailing whitespace dropped)
const passwordFrom = (file: string): string => {
  const path = resolve(file);
  try {
    const text = isExecutable(path) ? execFileSync(path, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }) : readFileSync(path, 'utf8');
    const password = text.replace(/\s+$/, '');
    if (password === '') throw new OptionError(`the vault password file ${file} is empty`);
    return password;
  } catch (e) {
    if (e instanceof OptionError) throw e;
    throw new OptionError(`cannot read the vault password file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
};

/** The run's vault passwords: --vault-password-file (repeatable), else ANSIBLE_VAULT_PASSWORD_FILE, and --ask-vault-pass. */
export const loadVaultPasswords = async (opts: VaultOptions): Promise<string[]> => {
  const files = opts.vaultPasswordFile?.length
    ? opts.vaultPasswordFile
    : [process.env.NOP_VAULT_PASSWORD_FILE ?? process.env.ANSIBLE_VAULT_PASSWORD_FILE].filter((f): f is string => Boolean(f));
  const passwords = files.map(passwordFrom);
  if (opts.askVaultPass) passwords.push(await readSecret('Vault password: '));
  setVaultPasswords(passwords);
  return passwords;
};
