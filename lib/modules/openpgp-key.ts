import { createHash } from 'node:crypto';

/**
 * OpenPGP public keys as apt's signed-by keyrings want them: binary (an ASCII-armored key is dearmored here, so
 * the host needs no gpg), and identified by the primary key's fingerprint (RFC 4880 v4: SHA-1 over 0x99, the
 * packet's two-byte length and its body).
 */
export const dearmor = (key: Buffer): Buffer => {
  const text = key.toString('latin1');
  if (!text.includes('-----BEGIN PGP')) return key;
  const body = text
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join('\n')
    .split('-----END PGP')[0];
  const base64 = body
    .split(/\r?\n/)
    .filter((l) => l && !l.startsWith('='))
    .join('');
  return Buffer.from(base64, 'base64');
};

/** The first packet's tag and body. */
const firstPacket = (bin: Buffer): { tag: number; body: Buffer } | undefined => {
  if (bin.length < 2 || (bin[0] & 0x80) === 0) return undefined;
  if (bin[0] & 0x40) {
    // new format: one-, two- or five-byte length
    const tag = bin[0] & 0x3f;
    const l0 = bin[1];
    if (l0 < 192) return { tag, body: bin.subarray(2, 2 + l0) };
    if (l0 < 224) return { tag, body: bin.subarray(3, 3 + ((l0 - 192) << 8) + bin[2] + 192) };
    if (l0 === 255) return { tag, body: bin.subarray(6, 6 + bin.readUInt32BE(2)) };
    return undefined;
  }
  const tag = (bin[0] >> 2) & 0x0f;
  const lengthType = bin[0] & 0x03;
  const size = [1, 2, 4][lengthType];
  if (size === undefined) return undefined;
  const length = size === 1 ? bin[1] : size === 2 ? bin.readUInt16BE(1) : bin.readUInt32BE(1);
  return { tag, body: bin.subarray(1 + size, 1 + size + length) };
};

/** The primary key's v4 fingerprint (upper-case hex), or undefined when this is not an OpenPGP public key. */
export const fingerprintOf = (bin: Buffer): string | undefined => {
  const packet = firstPacket(bin);
  if (packet?.tag !== 6 || packet.body[0] !== 4) return undefined;
  const head = Buffer.from([0x99, packet.body.length >> 8, packet.body.length & 0xff]);
  return createHash('sha1').update(head).update(packet.body).digest('hex').toUpperCase();
};
