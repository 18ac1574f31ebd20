import { createHash } from 'node:crypto';

/**
 * glibc's SHA-512 crypt (`$6$salt$hash`, Ulrich Drepper's specification), what `password_hash('sha512')`
 * and /etc/shadow use. Node's crypto has SHA-512 but not this scheme.
 */
const B64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

const sha512 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

const repeatTo = (bytes: Buffer, length: number): Buffer => Buffer.concat(Array.from({ length: Math.ceil(length / 64) }, () => bytes)).subarray(0, length);

const encode = (b: Buffer): string => {
  let out = '';
  const put = (v: number, n: number) => {
    for (let i = 0; i < n; i++, v >>= 6) out += B64[v & 0x3f];
  };
  for (const [x, y, z] of ORDER) put((b[x] << 16) | (b[y] << 8) | b[z], 4);
  put(b[63], 2);
  return out;
};

export const sha512Crypt = (password: string, saltText: string, rounds?: number): string => {
  const key = Buffer.from(password, 'utf8');
  const salt = Buffer.from(saltText.slice(0, 16), 'utf8');
  const n = rounds === undefined ? 5000 : Math.min(999_999_999, Math.max(1000, rounds));
  const alt = sha512(key, salt, key);
  const a = createHash('sha512').update(key).update(salt).update(repeatTo(alt, key.length));
  for (let len = key.length; len > 0; len >>= 1) a.update(len & 1 ? alt : key);
  let c = a.digest();
  const dp = repeatTo(sha512(...Array.from({ length: key.length }, () => key)), key.length);
  const ds = repeatTo(sha512(...Array.from({ length: 16 + c[0] }, () => salt)), salt.length);
  for (let i = 0; i < n; i++) {
    const h = createHash('sha512');
    h.update(i & 1 ? dp : c);
    if (i % 3) h.update(ds);
    if (i % 7) h.update(dp);
    h.update(i & 1 ? c : dp);
    c = h.digest();
  }
  return `$6$${rounds === undefined ? '' : `rounds=${n}$`}${salt.toString('utf8')}$${encode(c)}`;
};
