// Key material in the real encodings: bech32 `gonka1...` accounts from secp256k1 keys,
// ed25519 consensus keys (tmkms softsign) and CometBFT node ids.
import crypto from 'node:crypto';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values) {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    GENERATORS.forEach((g, i) => {
      if ((top >>> i) & 1) chk ^= g;
    });
  }
  return chk;
}

const hrpExpand = (hrp) =>
  [...hrp]
    .map((c) => c.charCodeAt(0) >> 5)
    .concat(
      0,
      [...hrp].map((c) => c.charCodeAt(0) & 31),
    );

function toWords(bytes) {
  const words = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      words.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  return words;
}

export function bech32Encode(hrp, bytes) {
  const data = toWords(bytes);
  const mod = polymod([...hrpExpand(hrp), ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (mod >> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...checksum].map((d) => CHARSET[d]).join('')}`;
}

export function bech32Valid(text) {
  const sep = text.lastIndexOf('1');
  if (sep < 1) return false;
  const data = [...text.slice(sep + 1)].map((c) => CHARSET.indexOf(c));
  return !data.includes(-1) && polymod([...hrpExpand(text.slice(0, sep)), ...data]) === 1;
}

const hash = (alg, data) => crypto.createHash(alg).update(data).digest();

export function accountAddress(pubkeyBase64) {
  return bech32Encode('gonka', hash('ripemd160', hash('sha256', Buffer.from(pubkeyBase64, 'base64'))));
}

export const addressHex = (pubkeyBase64) =>
  hash('ripemd160', hash('sha256', Buffer.from(pubkeyBase64, 'base64')))
    .toString('hex')
    .toUpperCase();

export function newAccountKey() {
  const ecdh = crypto.createECDH('secp256k1');
  ecdh.generateKeys();
  const pubkey = ecdh.getPublicKey('base64', 'compressed');
  return { privateKey: ecdh.getPrivateKey('base64'), pubkey, address: accountAddress(pubkey) };
}

// PKCS#8 prefix for a raw 32-byte ed25519 seed.
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');

export function ed25519PublicKey(seed) {
  const key = crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, seed]), format: 'der', type: 'pkcs8' });
  return crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
}

// CometBFT derives both validator addresses and node ids from sha256(pubkey)[:20].
export const cometAddress = (pubkey) => hash('sha256', pubkey).subarray(0, 20);

const SYLLABLES = [
  'ba',
  'ce',
  'di',
  'fo',
  'gu',
  'ha',
  'je',
  'ki',
  'lo',
  'mu',
  'na',
  'pe',
  'ri',
  'so',
  'tu',
  'va',
  'we',
  'xi',
  'yo',
  'zu',
  'ar',
  'en',
  'il',
  'om',
];

// Twenty-four lowercase words, like a BIP39 phrase; only its shape matters to callers.
export function newMnemonic() {
  const bytes = crypto.randomBytes(72);
  return Array.from({ length: 24 }, (_, i) => [0, 1, 2].map((j) => SYLLABLES[bytes[i * 3 + j] % SYLLABLES.length]).join('')).join(' ');
}
