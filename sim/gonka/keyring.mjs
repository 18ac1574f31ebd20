// The `file` keyring backend: keyring-file/ holds a passphrase hash and one encrypted record
// per key (NAME.info) plus an address index (HEXADDR.address); everything 0600 in a 0700 dir.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { addressHex } from './keys.mjs';

const dirOf = (home) => path.join(home, 'keyring-file');
const hashFile = (home) => path.join(dirOf(home), 'keyhash');

export const keyringExists = (home) => fs.existsSync(hashFile(home));

function derive(password, salt) {
  return crypto.scryptSync(password, salt, 32);
}

export function createKeyring(home, password) {
  fs.mkdirSync(dirOf(home), { recursive: true, mode: 0o700 });
  const salt = crypto.randomBytes(16);
  fs.writeFileSync(hashFile(home), `${salt.toString('base64')}$${derive(password, salt).toString('base64')}`, { mode: 0o600 });
}

export function passwordMatches(home, password) {
  const [salt, hash] = fs.readFileSync(hashFile(home), 'utf8').split('$');
  return crypto.timingSafeEqual(derive(password, Buffer.from(salt, 'base64')), Buffer.from(hash, 'base64'));
}

const infoFile = (home, name) => path.join(dirOf(home), `${name}.info`);

export function saveKey(home, password, name, key) {
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', derive(password, salt), iv);
  const secret = Buffer.concat([cipher.update(key.privateKey, 'utf8'), cipher.final()]);
  const record = {
    name,
    type: 'local',
    pubkey: key.pubkey,
    address: key.address,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    secret: secret.toString('base64'),
  };
  fs.writeFileSync(infoFile(home, name), JSON.stringify(record), { mode: 0o600 });
  fs.writeFileSync(path.join(dirOf(home), `${addressHex(key.pubkey).toLowerCase()}.address`), name, { mode: 0o600 });
}

export function loadKey(home, nameOrAddress) {
  const direct = infoFile(home, nameOrAddress);
  if (fs.existsSync(direct)) return JSON.parse(fs.readFileSync(direct, 'utf8'));
  return listKeys(home).find((k) => k.address === nameOrAddress);
}

export function listKeys(home) {
  if (!fs.existsSync(dirOf(home))) return [];
  return fs
    .readdirSync(dirOf(home))
    .filter((f) => f.endsWith('.info'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dirOf(home), f), 'utf8')));
}
