import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/**
 * A node's identity backup, encrypted on the control machine: scrypt (memory-hard, 128 MiB at N=2^17) derives an
 * AES-256-GCM key from the passphrase; the header (KDF parameters, salt, IV) is authenticated as the cipher's
 * additional data, so a changed byte anywhere, or a wrong passphrase, fails the tag check before anything is used.
 *
 *   NOPBACKUP1\n  header JSON\n  ciphertext  16-byte tag
 */
const MAGIC = Buffer.from('NOPBACKUP1\n');
const TAG_BYTES = 16;
export const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;
// a header asking for more than this would have the control machine allocate gigabytes before the tag check
const MAX_N = 2 ** 20;

const scrypt = (passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const opts: ScryptOptions = { ...kdf, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 };
    scryptCb(passphrase.normalize('NFC'), salt, 32, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });

const HeaderSchema = z.strictObject({
  kdf: z.literal('scrypt'),
  N: z
    .number()
    .int()
    .min(2 ** 14)
    .max(MAX_N)
    .refine((n) => (n & (n - 1)) === 0, 'a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: z.string().regex(/^[A-Za-z0-9+/]{22}==$/),
  cipher: z.literal('aes-256-gcm'),
  iv: z.string().regex(/^[A-Za-z0-9+/]{16}$/),
});

/** Why an archive was refused; nothing it holds was used. */
export class BackupArchiveError extends Error {}

export const encryptArchive = async (plaintext: Buffer, passphrase: string, kdf: { N: number; r: number; p: number } = DEFAULT_KDF): Promise<Buffer> => {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header = Buffer.from(`${JSON.stringify({ kdf: 'scrypt', ...kdf, salt: salt.toString('base64'), cipher: 'aes-256-gcm', iv: iv.toString('base64') })}\n`);
  const cipher = createCipheriv('aes-256-gcm', await scrypt(passphrase, salt, kdf), iv);
  cipher.setAAD(Buffer.concat([MAGIC, header]));
  return Buffer.concat([MAGIC, header, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
};

export const decryptArchive = async (archive: Buffer, passphrase: string): Promise<Buffer> => {
  if (!archive.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupArchiveError('not a nop backup archive (its first bytes are not NOPBACKUP1)');
  const end = archive.indexOf(0x0a, MAGIC.length);
  if (end < 0 || end > MAGIC.length + 1024) throw new BackupArchiveError('the archive header is damaged');
  let header: z.output<typeof HeaderSchema>;
  try {
    header = HeaderSchema.parse(JSON.parse(archive.subarray(MAGIC.length, end).toString('utf8')));
  } catch {
    throw new BackupArchiveError('the archive header is damaged or was altered');
  }
  const body = archive.subarray(end + 1);
  if (body.length < TAG_BYTES) throw new BackupArchiveError('the archive is truncated');
  const key = await scrypt(passphrase, Buffer.from(header.salt, 'base64'), header);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
  decipher.setAAD(archive.subarray(0, end + 1));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new BackupArchiveError('wrong passphrase, or the archive was altered or damaged (its authentication tag does not match)');
  }
};

/** One file of a backup: its path relative to the deploy dir, its mode, its bytes. */
export interface BackupFile {
  path: string;
  mode: number;
  content: Buffer;
}

const ContentSchema = z.strictObject({
  version: z.literal(1),
  host: z.string(),
  created: z.string(),
  /** public identity, compared after a restore */
  node_id: z.string().regex(/^[0-9a-f]{40}$/),
  consensus_key: z.string(),
  files: z.array(z.strictObject({ path: z.string(), mode: z.number().int(), content: z.string() })),
});
export type BackupManifest = Omit<z.output<typeof ContentSchema>, 'files'> & { files: string[] };

/** A safe relative path inside the deploy dir: no absolute path, no `..`, nothing a shell reads specially. */
export const SAFE_BACKUP_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+$/;

export const packBackup = (m: Omit<BackupManifest, 'files' | 'version'>, files: readonly BackupFile[]): Buffer =>
  Buffer.from(JSON.stringify({ ...m, version: 1, files: files.map((f) => ({ path: f.path, mode: f.mode, content: f.content.toString('base64') })) }));

export const unpackBackup = (plaintext: Buffer): { manifest: BackupManifest; files: BackupFile[] } => {
  const parsed = ContentSchema.safeParse(JSON.parse(plaintext.toString('utf8')));
  if (!parsed.success) throw new BackupArchiveError(`the archive's content is not a nop backup: ${parsed.error.issues[0]?.message}`);
  const bad = parsed.data.files.find((f) => !SAFE_BACKUP_PATH.test(f.path));
  if (bad) throw new BackupArchiveError(`the archive names a path outside the deploy dir: ${JSON.stringify(bad.path)}`);
  const { files, ...rest } = parsed.data;
  return {
    manifest: { ...rest, files: files.map((f) => f.path) },
    files: files.map((f) => ({ path: f.path, mode: f.mode & 0o777, content: Buffer.from(f.content, 'base64') })),
  };
};
