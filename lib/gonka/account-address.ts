import { createHash } from 'node:crypto';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

const polymod = (values: number[]): number =>
  values.reduce((chk, v) => {
    const top = chk >>> 25;
    const next = ((chk & 0x1ffffff) << 5) ^ v;
    return GENERATORS.reduce((c, g, i) => ((top >>> i) & 1 ? c ^ g : c), next);
  }, 1);

const hrpExpand = (hrp: string): number[] => [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];

const toWords = (bytes: Uint8Array): number[] => {
  const words: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      words.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  return words;
};

const bech32 = (hrp: string, bytes: Uint8Array): string => {
  const data = toWords(bytes);
  const mod = polymod([...hrpExpand(hrp), ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (mod >> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...checksum].map((d) => CHARSET[d]).join('')}`;
};

/** The `gonka1…` account address of a base64 secp256k1 public key (Cosmos: ripemd160(sha256(key))). */
export const accountAddress = (pubkeyBase64: string): string => {
  const sha = createHash('sha256').update(Buffer.from(pubkeyBase64, 'base64')).digest();
  return bech32('gonka', createHash('ripemd160').update(sha).digest());
};
