import { createPrivateKey, createPublicKey } from 'node:crypto';
import { posix } from 'node:path';
import { defineFact } from '../facts/fact.js';
import type { ModuleContext, ModuleResult } from '../modules/module.js';
import { shellQuote } from '../transport/shell-quote.js';
import { pollUntil } from './poll.js';

/** The consensus key tmkms-softsign-with-keygen generates on its first start (base64 ed25519 seed). */
export const consensusKeyFile = (deployDir: string): string => posix.join(deployDir, '.tmkms', 'secrets', 'priv_validator_key.softsign');

// PKCS#8 DER prefix of a raw 32-byte ed25519 seed
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** base64 ed25519 public key of a softsign key file's content (the seed, or seed and public key). */
export const consensusPubkeyOf = (fileContent: string): string => {
  const raw = Buffer.from(fileContent.trim(), 'base64');
  if (raw.length !== 32 && raw.length !== 64) throw new Error(`the tmkms key holds ${raw.length} bytes, expected an ed25519 seed (32)`);
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
};

/**
 * The validator's consensus public key (base64, what register-new-participant's --consensus-key takes) of a deploy
 * directory's tmkms key; undefined while tmkms has not generated it. The key file holds the private seed: it is
 * derived to the public key as the batch is parsed, and only the public key is kept (never logged or written).
 */
export const consensusKey = defineFact<string, string | undefined>({
  name: 'consensus_key',
  command: (dirs) =>
    dirs
      .map((d) => `f=${shellQuote(consensusKeyFile(d))}; if [ -f "$f" ]; then printf 'key\\0'; cat -- "$f"; else printf 'none\\0'; fi; printf '\\0'`)
      .join('\n'),
  parse: ({ stdout }, dirs) => {
    const parts = stdout.split('\0');
    return dirs.map((d, i) => {
      if (parts[2 * i] !== 'key') return undefined;
      try {
        return consensusPubkeyOf(parts[2 * i + 1] ?? '');
      } catch (e) {
        return new Error(`${consensusKeyFile(d)}: ${(e as Error).message}`);
      }
    });
  },
  key: (dir) => dir,
});

/** The consensus key as the host has it now (read again, whatever the run read before). */
export const readConsensusKey = (ctx: ModuleContext, deployDir: string): Promise<string | undefined> => {
  ctx.facts.invalidate([{ fact: consensusKey, arg: deployDir }]);
  return ctx.facts.read(consensusKey, deployDir);
};

/**
 * The validator's consensus public key, read back from tmkms (it writes the key on its first start, a moment after
 * its container starts; waited for up to `timeout` seconds) and published as `consensus_key` for the register role.
 */
export const publishConsensusKey = async (ctx: ModuleContext, deployDir: string, timeout: number): Promise<ModuleResult> => {
  const read = async () => {
    const key = await ctx.facts.read(consensusKey, deployDir);
    return key ? { done: key } : { waiting: `waiting for tmkms to write ${consensusKeyFile(deployDir)}` };
  };
  const key = ctx.check
    ? await ctx.facts.read(consensusKey, deployDir)
    : await pollUntil(ctx, { timeout, interval: 1, refresh: [{ fact: consensusKey, arg: deployDir }] }, read);
  if (key) return { changed: false, msg: `consensus key ${key}`, ansible_facts: { consensus_key: key } };
  if (ctx.check) return { changed: false, skipped: true, msg: 'tmkms has not generated the consensus key yet (check mode)' };
  return {
    changed: false,
    failed: true,
    msg: `${consensusKeyFile(deployDir)} does not exist ${timeout} s after tmkms started: tmkms generates it on its first start (start tmkms first; see docker compose logs tmkms)`,
  };
};
