import { createPrivateKey, createPublicKey } from 'node:crypto';
import { posix } from 'node:path';
import type { ModuleContext, ModuleResult } from '../modules/module.js';
import { shellQuote } from '../transport/shell-quote.js';

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
 * The validator's consensus public key (base64, what register-new-participant's --consensus-key takes), read back
 * from tmkms's key once tmkms has started; undefined while tmkms has not generated it. The private seed is read
 * into memory only to derive the public key: it is never returned, logged or written.
 */
export const readConsensusKey = async (ctx: ModuleContext, deployDir: string): Promise<string | undefined> => {
  const file = consensusKeyFile(deployDir);
  if ((await ctx.exec(`test -f ${shellQuote(file)}`)).code !== 0) return undefined;
  return consensusPubkeyOf((await ctx.transport.get(file, { become: ctx.become })).toString('utf8'));
};

/** A task body for the deploy role, after tmkms first starts: publishes `consensus_key`. */
export const publishConsensusKey = async (ctx: ModuleContext, v: { gonka_deploy_dir: string }): Promise<ModuleResult> => {
  const key = await readConsensusKey(ctx, v.gonka_deploy_dir);
  if (!key)
    return {
      changed: false,
      failed: true,
      msg: `${consensusKeyFile(v.gonka_deploy_dir)} does not exist: start tmkms first (docker compose up -d tmkms), it generates the key`,
    };
  return { changed: false, msg: `consensus key ${key}`, ansible_facts: { consensus_key: key } };
};
