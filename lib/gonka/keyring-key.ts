import { posix } from 'node:path';
import { defineFact } from '../facts/fact.js';
import { shellQuote } from '../transport/shell-quote.js';
import { jsonRecord, keyInfo, type KeyInfo } from './key-record.js';
import { keyringCommand, type Keyring } from './keyring.js';

export interface KeyringKeyArg {
  keyring: Keyring;
  name: string;
  /** the keyring password: exported to the batch's shell, never in its script or the cache key */
  password: string;
}

/** A key in a file keyring: present (with what `keys show` says), or absent and whether the keyring exists yet. */
export type KeyringKey = { present: true; key: KeyInfo } | { present: false; keyring: boolean };

// the file backend keeps one NAME.info per key and the passphrase hash in keyhash: both there without the password
const keyringFile = (kr: Keyring, name: string) => posix.join(kr.home, 'keyring-file', name);

const passwordVar = (i: number) => `NOP_KEYRING_PASSWORD_${i}`;

// per key: state, keyhash present, and for a present key the exit status and output of `keys show` (password on stdin)
const section = (a: KeyringKeyArg, i: number): string => `if [ -f ${shellQuote(`${keyringFile(a.keyring, a.name)}.info`)} ]; then
  out=$(printf '%s\\n' "$${passwordVar(i)}" | { ${keyringCommand(a.keyring, ['keys', 'show', a.name, '--output', 'json'])}; } 2>&1)
  printf 'present\\0%s\\0%s\\0' "$?" "$out"
else
  if [ -f ${shellQuote(keyringFile(a.keyring, 'keyhash'))} ]; then k=1; else k=0; fi
  printf 'absent\\0%s\\0\\0' "$k"
fi`;

const FIELDS = 3;

const parseKey = (a: KeyringKeyArg, [state, status, out]: string[]): KeyringKey | Error => {
  if (state === 'absent') return { present: false, keyring: status === '1' };
  if (state !== 'present') return new Error(`no answer for key '${a.name}' in ${a.keyring.home}`);
  // only the last line on failure: earlier lines are prompts
  if (status !== '0') return new Error(`inferenced keys show ${a.name} failed (rc=${status}): ${out.trim().split('\n').at(-1) ?? ''}`);
  const record = jsonRecord(out);
  if (!record) return new Error(`inferenced keys show ${a.name} printed no key record`);
  try {
    return { present: true, key: keyInfo(record) };
  } catch (e) {
    return e as Error;
  }
};

/** A key of a Gonka file keyring (the server's, through the api image, or the cold signer's), read with its password. */
export const keyringKey = defineFact<KeyringKeyArg, KeyringKey>({
  name: 'keyring_key',
  command: (args) => args.map(section).join('\n'),
  parse: ({ stdout }, args) => {
    const fields = stdout.split('\0');
    return args.map((a, i) => parseKey(a, fields.slice(i * FIELDS, (i + 1) * FIELDS)));
  },
  key: (a) => JSON.stringify([a.keyring.home, a.keyring.image ?? null, a.name]),
  env: (args) => Object.fromEntries(args.map((a, i) => [passwordVar(i), a.password])),
});
