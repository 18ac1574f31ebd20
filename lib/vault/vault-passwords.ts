import { addSecret } from '../template/known-secrets.js';
import { decryptVault, isVaultText } from './vault.js';

/**
 * The vault passwords of this run (--vault-password-file, --ask-vault-pass, ANSIBLE_VAULT_PASSWORD_FILE),
 * held in memory only. Every YAML file and `!vault` value nop reads is decrypted with them; what they decrypt
 * is a secret, redacted wherever it would be shown.
 */
const passwords: string[] = [];

export const setVaultPasswords = (list: readonly string[]): void => {
  passwords.splice(0, passwords.length, ...list);
};

/** A file's text, decrypted when it is a vault (the decrypted values are secrets). */
export const readableText = (text: string): string => (isVaultText(text) ? revealed(decryptVault(text, passwords)) : text);

/** An inline `!vault` value, decrypted. */
export const decryptInline = (text: string): string => {
  const plain = revealed(decryptVault(text, passwords));
  ciphertexts.set(plain, text);
  return plain;
};

// each decrypted inline value's vault text: ansible-inventory shows a `!vault` value as that, never as its plaintext
const ciphertexts = new Map<string, string>();

/** The vault text an inline `!vault` value was decrypted from, when `value` is one. */
export const vaultTextOf = (value: string): string | undefined => ciphertexts.get(value);

const revealed = (plain: string): string => {
  addSecret(plain);
  // a decrypted vars file's values are secrets one by one, as their lines
  for (const line of plain.split('\n')) {
    const value = /^\s*[\w.-]+\s*:\s*['"]?(.*?)['"]?\s*$/.exec(line)?.[1];
    if (value) addSecret(value);
  }
  return plain;
};
