/** What `inferenced keys show|add --output json` says about a key. */
export interface KeyInfo {
  address: string;
  /** base64 secp256k1 public key (ACCOUNT_PUBKEY) */
  pubkey: string;
}

/** The one JSON object `keys show|add --output json` prints; Cosmos SDK versions differ on stdout or stderr, so both are searched. */
export const jsonRecord = (out: string): Record<string, unknown> | undefined => {
  for (const line of out.split('\n').map((l) => l.trim())) {
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && 'address' in value) return value as Record<string, unknown>;
    } catch {}
  }
  return undefined;
};

export const keyInfo = (record: Record<string, unknown>): KeyInfo => {
  const pub = typeof record.pubkey === 'string' ? (JSON.parse(record.pubkey) as { key?: unknown }) : (record.pubkey as { key?: unknown });
  if (typeof record.address !== 'string' || typeof pub?.key !== 'string') throw new Error('inferenced printed a key record without address or pubkey');
  return { address: record.address, pubkey: pub.key };
};
