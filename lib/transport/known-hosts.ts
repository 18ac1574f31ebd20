import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One key line of a known_hosts file, remembered with where it came from (for error messages). */
export interface KnownHostEntry {
  file: string;
  line: number;
  hostPatterns: string;
  keyType: string;
  keyBase64: string;
  revoked: boolean;
}

export type HostKeyVerdict =
  | { status: 'match'; entry: KnownHostEntry }
  | { status: 'unknown'; lineToAdd: string }
  | { status: 'changed'; entry: KnownHostEntry; lineToAdd: string }
  | { status: 'revoked'; entry: KnownHostEntry };

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. */
export const knownHostName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);

/** The key type an SSH public key blob announces (its first length-prefixed string). */
export const keyTypeOf = (blob: Buffer): string => {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
};

export const knownHostsLine = (host: string, port: number, key: Buffer): string => `${knownHostName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}`;

const parseLine = (file: string, text: string, index: number): KnownHostEntry | undefined => {
  const fields = text.trim().split(/\s+/);
  if (fields.length === 0 || fields[0] === '' || fields[0].startsWith('#')) return undefined;
  const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
  // @cert-authority lines trust a CA, not a host key; certificates are not supported, so they never match.
  if (marker !== undefined && marker !== '@revoked') return undefined;
  const [hostPatterns, keyType, keyBase64] = fields;
  if (!hostPatterns || !keyType || !keyBase64) return undefined;
  return { file, line: index + 1, hostPatterns, keyType, keyBase64, revoked: marker === '@revoked' };
};

/** The key lines of one known_hosts file's text. */
export const parseKnownHosts = (file: string, text: string): KnownHostEntry[] =>
  text
    .split('\n')
    .map((line, i) => parseLine(file, line, i))
    .filter((e): e is KnownHostEntry => e !== undefined);

const hashedMatches = (pattern: string, name: string): boolean => {
  const [, , saltB64, hashB64] = pattern.split('|');
  if (!saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = createHmac('sha1', Buffer.from(saltB64, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
};

const globMatches = (pattern: string, name: string): boolean => {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(name);
};

/** OpenSSH semantics: comma-separated patterns, `!pattern` vetoes, `|1|salt|hash` is a hashed name. */
export const hostPatternsMatch = (patterns: string, name: string): boolean => {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatches(pattern.slice(1), name)) return false;
    } else if (globMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
};

/** RSA keys are stored as `ssh-rsa` but negotiated as rsa-sha2-*; everything else negotiates under its own name. */
export const hostKeyAlgorithmsFor = (keyType: string): string[] => (keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType]);

export const entriesForHost = (entries: readonly KnownHostEntry[], host: string, port: number): KnownHostEntry[] => {
  const name = knownHostName(host, port);
  return entries.filter((e) => hostPatternsMatch(e.hostPatterns, name));
};

/**
 * Decide whether `key` is the host's known key. Any recorded key for the host that is not the presented one
 * means the host changed: we never fall back to "unknown" (and so never to accept-new) for a known host.
 */
export const verifyHostKey = (entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict => {
  const keyType = keyTypeOf(key);
  const keyBase64 = key.toString('base64');
  const lineToAdd = knownHostsLine(host, port, key);
  const forHost = entriesForHost(entries, host, port);
  const revoked = entries.find((e) => e.revoked && e.keyBase64 === keyBase64);
  if (revoked) return { status: 'revoked', entry: revoked };
  const trusted = forHost.filter((e) => !e.revoked);
  const same = trusted.find((e) => e.keyType === keyType && e.keyBase64 === keyBase64);
  if (same) return { status: 'match', entry: same };
  if (trusted.length === 0) return { status: 'unknown', lineToAdd };
  const old = trusted.find((e) => e.keyType === keyType) ?? trusted[0];
  return { status: 'changed', entry: old, lineToAdd };
};

/** Append a line, creating the file (0600) and its directory (0700) when needed. */
export const appendKnownHost = async (file: string, line: string): Promise<void> => {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  const separator = existing && !existing.endsWith('\n') ? '\n' : '';
  // the mode applies when the file is created; an existing file keeps the mode its owner chose
  await appendFile(file, `${separator}${line}\n`, { mode: 0o600 });
};
