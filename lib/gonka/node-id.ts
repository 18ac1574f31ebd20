import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';

const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * CometBFT's node id of a `config/node_key.json`: the hex of the first 20 bytes of sha256 of the ed25519 public key
 * (the id peers dial as `id@host:port`, `/status` node_info.id).
 */
export const nodeIdOf = (nodeKeyJson: string): string => {
  const value = (JSON.parse(nodeKeyJson) as { priv_key?: { value?: string } }).priv_key?.value;
  const raw = Buffer.from(value ?? '', 'base64');
  if (raw.length !== 64 && raw.length !== 32) throw new Error(`node_key.json holds a ${raw.length}-byte key, expected an ed25519 key`);
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
  return createHash('sha256').update(pub).digest().subarray(0, 20).toString('hex');
};
