import { keyringKey, type KeyringKeyArg } from '../../lib/gonka/keyring-key.js';
import { jsonRecord, keyInfo, type KeyInfo } from '../../lib/gonka/key-record.js';
import { keyringCommand } from '../../lib/gonka/keyring.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { mnemonicFile } from './mnemonic-file.js';

/** A created key carries its mnemonic, in memory only, for the caller to store or drop. */
export type EnsuredKey = { state: 'present'; key: KeyInfo } | { state: 'created'; key: KeyInfo; mnemonic?: string } | { state: 'planned' };

// only the last stderr line: earlier lines are prompts, and `keys add` prints the mnemonic there
const failure = (what: string, res: { code: number; stderr: string }) =>
  new Error(`${what} failed (rc=${res.code}): ${res.stderr.trim().split('\n').at(-1) ?? ''}`);

const addKey = async (ctx: ModuleContext, a: KeyringKeyArg, fresh: boolean): Promise<Record<string, unknown>> => {
  const stdin = fresh ? `${a.password}\n${a.password}\n` : `${a.password}\n`;
  const res = await ctx.exec(keyringCommand(a.keyring, ['keys', 'add', a.name, '--output', 'json']), { stdin });
  ctx.facts.invalidate([{ fact: keyringKey }]);
  if (res.code !== 0) throw failure(`inferenced keys add on ${ctx.hostname}`, res);
  const record = jsonRecord(res.stdout) ?? jsonRecord(res.stderr);
  if (!record) throw new Error(`inferenced keys add on ${ctx.hostname} printed no key record`);
  return record;
};

/**
 * The key in the keyring (a declared fact: read with the play's other facts): kept when present, else created
 * (the password on stdin, twice for a new keyring). A key is never created while `mnemonicPath` (where its
 * mnemonic is to go) holds an earlier one.
 */
export const ensureKey = async (ctx: ModuleContext, a: KeyringKeyArg, mnemonicPath?: string): Promise<EnsuredKey> => {
  const found = await ctx.facts.read(keyringKey, a);
  if (found.present) return { state: 'present', key: found.key };
  if (mnemonicPath && (await ctx.facts.read(mnemonicFile, mnemonicPath)) !== 'missing') {
    throw new Error(
      `${mnemonicPath} on ${ctx.hostname} exists but key '${a.name}' is not in ${a.keyring.home}: restore it (inferenced keys add ${a.name} --recover) or move the file away`,
    );
  }
  if (ctx.check) return { state: 'planned' };
  const record = await addKey(ctx, a, !found.keyring);
  return { state: 'created', key: keyInfo(record), mnemonic: typeof record.mnemonic === 'string' ? record.mnemonic : undefined };
};
