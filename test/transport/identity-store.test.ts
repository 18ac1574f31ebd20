import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityStore } from '../../lib/transport/identity-store.js';

const run = promisify(execFile);
// ssh2's own parser, to check the store's keys against what ssh2 makes of the public key file
const createIdentityParser = () => createRequire(import.meta.url)('ssh2/lib/protocol/keyParser.js') as { parseKey(data: Buffer): unknown };
let dir: string;
const keygen = async (name: string, passphrase = '') => {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', '', '-f', path]);
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-identities-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('identity store: each key file read and parsed once per run', () => {
  it('parses a key once however many connections ask; a key file replaced during the run is seen by the next run', async () => {
    const file = await keygen('once');
    const store = createIdentityStore();
    const first = await store.key(file);
    expect(Buffer.isBuffer(first)).toBe(false);
    expect((first as { isPrivateKey(): boolean }).isPrivateKey()).toBe(true);
    // it signs as the key of the file: the signature verifies with the file's public key
    const data = Buffer.from('session id');
    const signature = (first as { sign(data: Buffer): Buffer }).sign(data);
    const [type, blob] = (await readFile(`${file}.pub`, 'utf8')).split(' ');
    const pub = createIdentityParser().parseKey(Buffer.from(`${type} ${blob}`)) as { verify(data: Buffer, signature: Buffer): boolean };
    expect(pub.verify(data, signature)).toBe(true);
    const publicOf = (key: unknown) => (key as { getPublicSSH(): Buffer }).getPublicSSH().toString('base64');
    const before = publicOf(first);
    await rm(file);
    await rm(`${file}.pub`);
    await keygen('once');
    expect(await store.key(file)).toBe(first);
    const nextRun = createIdentityStore();
    expect(publicOf(await nextRun.key(file))).not.toBe(before);
  });

  it('gives a key it cannot parse as its bytes, so ssh2 skips it as before, and an unreadable file as none', async () => {
    const encrypted = await keygen('encrypted', 'a passphrase');
    const garbage = join(dir, 'garbage');
    await writeFile(garbage, 'not a key\n');
    const store = createIdentityStore();
    expect(await store.key(encrypted)).toEqual(await readFile(encrypted));
    expect(await store.key(garbage)).toEqual(Buffer.from('not a key\n'));
    expect(await store.key(join(dir, 'missing'))).toBeUndefined();
  });
});
