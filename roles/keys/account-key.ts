import { posix } from 'node:path';
import type { ModuleContext } from '../../lib/modules/module.js';
import { shellQuote } from '../../lib/transport/shell-quote.js';
import type { Keyring } from '../../lib/gonka/keyring.js';

export interface KeyInfo {
  address: string;
  /** base64 secp256k1 public key (ACCOUNT_PUBKEY) */
  pubkey: string;
}

/** A created key carries its mnemonic, in memory only, for the caller to store or drop. */
export type EnsuredKey = { state: 'present'; key: KeyInfo } | { state: 'created'; key: KeyInfo; mnemonic?: string } | { state: 'planned' };

const fileExists = async (ctx: ModuleContext, path: string): Promise<boolean> => (await ctx.exec(`test -f ${shellQuote(path)}`)).code === 0;

// the file backend keeps one NAME.info per key and the passphrase hash in keyhash: both readable without the password
const keyringFile = (kr: Keyring, name: string) => posix.join(kr.home, 'keyring-file', name);

// `keys show|add --output json` prints one JSON object; Cosmos SDK versions differ on stdout or stderr
const jsonRecord = (out: string): Record<string, unknown> | undefined => {
  for (const line of out.split('\n').map((l) => l.trim())) {
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && 'address' in value) return value as Record<string, unknown>;
    } catch {}
  }
  return undefined;
};

const keyInfo = (record: Record<string, unknown>): KeyInfo => {
  const pub = typeof record.pubkey === 'string' ? (JSON.parse(record.pubkey) as { key?: unknown }) : (record.pubkey as { key?: unknown });
  if (typeof record.address !== 'string' || typeof pub?.key !== 'string') throw new Error('inferenced printed a key record without address or pubkey');
  return { address: record.address, pubkey: pub.key };
};

// only the last stderr line: earlier lines are prompts, and `keys add` prints the mnemonic there
const failure = (what: string, res: { code: number; stderr: string }) =>
  new Error(`${what} failed (rc=${res.code}): ${res.stderr.trim().split('\n').at(-1) ?? ''}`);

const runKeys = async (ctx: ModuleContext, kr: Keyring, args: string[], stdin: string) => {
  const res = await ctx.exec(kr.command(args), { stdin });
  if (res.code !== 0) throw failure(`inferenced ${args.slice(0, 2).join(' ')} on ${ctx.hostname}`, res);
  const record = jsonRecord(res.stdout) ?? jsonRecord(res.stderr);
  if (!record) throw new Error(`inferenced ${args.slice(0, 2).join(' ')} on ${ctx.hostname} printed no key record`);
  return record;
};

export const showKey = async (ctx: ModuleContext, kr: Keyring, name: string, password: string): Promise<KeyInfo> =>
  keyInfo(await runKeys(ctx, kr, ['keys', 'show', name, '--output', 'json'], `${password}\n`));

/**
 * The key NAME in the keyring: kept when present, else created (the password on stdin, twice for a new keyring).
 * A key is never created while `mnemonicFile` (where its mnemonic is to go) holds an earlier one.
 */
export const ensureKey = async (ctx: ModuleContext, kr: Keyring, name: string, password: string, mnemonicFile?: string): Promise<EnsuredKey> => {
  if (await fileExists(ctx, `${keyringFile(kr, name)}.info`)) return { state: 'present', key: await showKey(ctx, kr, name, password) };
  if (mnemonicFile && (await fileExists(ctx, mnemonicFile))) {
    throw new Error(
      `${mnemonicFile} on ${ctx.hostname} exists but key '${name}' is not in ${kr.home}: restore it (inferenced keys add ${name} --recover) or move the file away`,
    );
  }
  if (ctx.check) return { state: 'planned' };
  const fresh = !(await fileExists(ctx, keyringFile(kr, 'keyhash')));
  const record = await runKeys(ctx, kr, ['keys', 'add', name, '--output', 'json'], fresh ? `${password}\n${password}\n` : `${password}\n`);
  return { state: 'created', key: keyInfo(record), mnemonic: typeof record.mnemonic === 'string' ? record.mnemonic : undefined };
};
