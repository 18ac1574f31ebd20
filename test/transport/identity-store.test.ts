import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import keyParser from 'ssh2/lib/protocol/keyParser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityStore } from '../../lib/transport/identity-store.js';

const run = promisify(execFile);
// ssh2's parser, as the SSH transport gives it to the store
const parse = (bytes: Buffer) => keyParser.parseKey(bytes);
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
    const first = await store.key(file, parse);
    expect(Buffer.isBuffer(first)).toBe(false);
    expect((first as { isPrivateKey(): boolean }).isPrivateKey()).toBe(true);
    // it signs as the key of the file: the signature verifies with the file's public key
    const data = Buffer.from('session id');
    const signature = (first as { sign(data: Buffer): Buffer }).sign(data);
    const [type, blob] = (await readFile(`${file}.pub`, 'utf8')).split(' ');
    const pub = keyParser.parseKey(Buffer.from(`${type} ${blob}`)) as { verify(data: Buffer, signature: Buffer): boolean };
    expect(pub.verify(data, signature)).toBe(true);
    const publicOf = (key: unknown) => (key as { getPublicSSH(): Buffer }).getPublicSSH().toString('base64');
    const before = publicOf(first);
    await rm(file);
    await rm(`${file}.pub`);
    await keygen('once');
    expect(await store.key(file, parse)).toBe(first);
    const nextRun = createIdentityStore();
    expect(publicOf(await nextRun.key(file, parse))).not.toBe(before);
  });

  it('gives a key it cannot parse as its bytes, so ssh2 skips it as before, and an unreadable file as none', async () => {
    const encrypted = await keygen('encrypted', 'a passphrase');
    const garbage = join(dir, 'garbage');
    await writeFile(garbage, 'not a key\n');
    const store = createIdentityStore();
    expect(await store.key(encrypted, parse)).toEqual(await readFile(encrypted));
    expect(await store.key(garbage, parse)).toEqual(Buffer.from('not a key\n'));
    expect(await store.key(join(dir, 'missing'), parse)).toBeUndefined();
  });
});
