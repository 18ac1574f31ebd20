import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decryptVault, encryptVault, isVaultText } from '../vault/vault.js';
import { OptionError } from './extra-vars.js';
import { EXIT } from '../runner/exit-codes.js';
import { readSecret } from './read-secret.js';
import { loadVaultPasswords, type VaultOptions } from './vault-options.js';

/** `nop vault encrypt|decrypt|view|encrypt_string`, as ansible-vault: files rewritten in place (atomically, mode kept). */
export interface VaultCommandOptions extends VaultOptions {
  name?: string;
  encryptVaultId?: string;
}

const writeInPlace = async (file: string, text: string) => {
  const mode = (await stat(file)).mode & 0o7777;
  const tmp = join(dirname(file), `.${basename(file)}.nop-vault`);
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
};

const onePassword = (passwords: string[]): string => {
  if (passwords.length === 0) throw new OptionError('a vault password is needed: --vault-password-file FILE, --ask-vault-pass or ANSIBLE_VAULT_PASSWORD_FILE');
  return passwords[0];
};

const out = (s: string) => process.stdout.write(s);

export const vaultCommand = async (action: string, args: string[], opts: VaultCommandOptions): Promise<number> => {
  const passwords = await loadVaultPasswords(opts);
  switch (action) {
    case 'encrypt':
      for (const f of args) {
        const text = await readFile(f, 'utf8');
        if (isVaultText(text)) throw new OptionError(`${f} is already encrypted`);
        await writeInPlace(f, encryptVault(text, onePassword(passwords), opts.encryptVaultId));
      }
      out('Encryption successful\n');
      return EXIT.ok;
    case 'decrypt':
      for (const f of args) await writeInPlace(f, decryptVault(await readFile(f, 'utf8'), passwords));
      out('Decryption successful\n');
      return EXIT.ok;
    case 'view':
      for (const f of args) out(decryptVault(await readFile(f, 'utf8'), passwords));
      return EXIT.ok;
    case 'encrypt_string': {
      const plain = args.length ? args.join(' ') : await readSecret('String to encrypt (hidden): ');
      const vault = encryptVault(plain, onePassword(passwords), opts.encryptVaultId);
      const indented = vault
        .trimEnd()
        .split('\n')
        .map((l) => `          ${l}`)
        .join('\n');
      out(`${opts.name ? `${opts.name}: ` : ''}!vault |\n${indented}\n`);
      return EXIT.ok;
    }
    default:
      throw new OptionError(`unknown vault action '${action}': encrypt, decrypt, view or encrypt_string`);
  }
};
