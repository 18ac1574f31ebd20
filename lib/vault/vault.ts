import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * ansible-vault's format (lib/ansible/parsing/vault/__init__.py, VaultAES256): a header
 * `$ANSIBLE_VAULT;1.1;AES256` (1.2 adds a vault id), then hex of `hex(salt)\nhex(hmac)\nhex(ciphertext)` in
 * 80-column lines. Keys: PBKDF2-HMAC-SHA256(password, salt, 10000) → 32-byte AES key, 32-byte HMAC key,
 * 16-byte counter; AES-256-CTR over PKCS#7-padded text; HMAC-SHA256 of the ciphertext.
 */
export const VAULT_HEADER = '$ANSIBLE_VAULT;';

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

export const isVaultText = (text: string): boolean => text.trimStart().startsWith(VAULT_HEADER);

const keys = (password: Buffer, salt: Buffer) => {
  const derived = pbkdf2Sync(password, salt, 10000, 80, 'sha256');
  return { aes: derived.subarray(0, 32), hmac: derived.subarray(32, 64), iv: derived.subarray(64, 80) };
};

const unhex = (s: string, what: string): Buffer => {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) throw new VaultError(`vault format error: ${what} is not hexadecimal`);
  return Buffer.from(s, 'hex');
};

/** The vault id of an encrypted text (1.2's fourth header field), if any. */
export const vaultIdOf = (text: string): string | undefined => text.trimStart().split('\n')[0].trim().split(';')[3];

const tryDecrypt = (body: { salt: Buffer; hmac: Buffer; ciphertext: Buffer }, password: string): Buffer | undefined => {
  const k = keys(Buffer.from(password, 'utf8'), body.salt);
  const mac = createHmac('sha256', k.hmac).update(body.ciphertext).digest();
  if (mac.length !== body.hmac.length || !timingSafeEqual(mac, body.hmac)) return undefined;
  const decipher = createDecipheriv('aes-256-ctr', k.aes, k.iv);
  const padded = Buffer.concat([decipher.update(body.ciphertext), decipher.final()]);
  const pad = padded.at(-1) ?? 0;
  if (pad < 1 || pad > 16) throw new VaultError('vault format error: bad padding');
  return padded.subarray(0, padded.length - pad);
};

/** Decrypt with the first password that fits; an error that names no secret when none does. */
export const decryptVault = (text: string, passwords: readonly string[]): string => {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const fields = header.trim().split(';');
  if (fields[0] !== '$ANSIBLE_VAULT' || !['1.1', '1.2'].includes(fields[1]) || fields[2] !== 'AES256') {
    throw new VaultError(`unsupported vault format '${header.trim()}' (nop reads $ANSIBLE_VAULT;1.1 and 1.2 with AES256)`);
  }
  if (passwords.length === 0)
    throw new VaultError('Attempting to decrypt but no vault secrets found: give --vault-password-file, --ask-vault-pass or ANSIBLE_VAULT_PASSWORD_FILE');
  const inner = unhex(lines.map((l) => l.trim()).join(''), 'the body')
    .toString('latin1')
    .split('\n');
  if (inner.length !== 3) throw new VaultError('vault format error: the body is not salt, hmac and ciphertext');
  const body = { salt: unhex(inner[0], 'the salt'), hmac: unhex(inner[1], 'the hmac'), ciphertext: unhex(inner[2], 'the ciphertext') };
  for (const p of passwords) {
    const plain = tryDecrypt(body, p);
    if (plain) return plain.toString('utf8');
  }
  throw new VaultError('Decryption failed (no vault secrets were found that could decrypt)');
};

/** Encrypt as `ansible-vault encrypt` does (format 1.1, or 1.2 with a vault id). */
export const encryptVault = (plain: string, password: string, vaultId?: string): string => {
  const salt = randomBytes(32);
  const k = keys(Buffer.from(password, 'utf8'), salt);
  const data = Buffer.from(plain, 'utf8');
  const pad = 16 - (data.length % 16);
  const cipher = createCipheriv('aes-256-ctr', k.aes, k.iv);
  const ciphertext = Buffer.concat([cipher.update(Buffer.concat([data, Buffer.alloc(pad, pad)])), cipher.final()]);
  const hmac = createHmac('sha256', k.hmac).update(ciphertext).digest();
  const body = Buffer.from(`${salt.toString('hex')}\n${hmac.toString('hex')}\n${ciphertext.toString('hex')}`, 'latin1').toString('hex');
  const header = vaultId && vaultId !== 'default' ? `$ANSIBLE_VAULT;1.2;AES256;${vaultId}` : '$ANSIBLE_VAULT;1.1;AES256';
  return `${header}\n${body.match(/.{1,80}/g)!.join('\n')}\n`;
};
