import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPatternsMatch, keyTypeOf, verifyHostKey } from '../../lib/transport/known-hosts.js';
import { createKnownHostsStore } from '../../lib/transport/known-hosts-store.js';

const blob = (type: string, body: string) => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
};

const keyA = blob('ssh-ed25519', 'key-a');
const keyB = blob('ssh-ed25519', 'key-b');
const rsa = blob('ssh-rsa', 'rsa-key');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-kh-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('known_hosts', () => {
  it('reads the key type from a key blob', () => {
    expect(keyTypeOf(keyA)).toBe('ssh-ed25519');
  });

  it('matches plain, wildcard, negated and hashed host patterns', () => {
    expect(hostPatternsMatch('gpu1,10.0.0.5', '10.0.0.5')).toBe(true);
    expect(hostPatternsMatch('*.example.com,!bad.example.com', 'gpu.example.com')).toBe(true);
    expect(hostPatternsMatch('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
    expect(hostPatternsMatch('[10.0.0.5]:2222', '10.0.0.5')).toBe(false);
    const salt = Buffer.from('0123456789abcdefghij');
    const hash = createHmac('sha1', salt).update('[10.0.0.5]:2222').digest('base64');
    expect(hostPatternsMatch(`|1|${salt.toString('base64')}|${hash}`, '[10.0.0.5]:2222')).toBe(true);
    expect(hostPatternsMatch(`|1|${salt.toString('base64')}|${hash}`, '10.0.0.5')).toBe(false);
  });

  it('tells match, unknown, changed (with file and line) and revoked apart', async () => {
    const file = join(dir, 'known_hosts');
    await writeFile(
      file,
      [
        '# comment',
        `gpu1 ssh-ed25519 ${keyA.toString('base64')}`,
        `[gpu2]:2222 ssh-rsa ${rsa.toString('base64')}`,
        `@revoked * ssh-ed25519 ${keyB.toString('base64')}`,
        '@cert-authority * ssh-ed25519 AAAA',
        '',
      ].join('\n'),
    );
    const store = createKnownHostsStore();
    const verify = async (host: string, port: number, key: Buffer) =>
      verifyHostKey(await store.entriesFor([file, join(dir, 'does-not-exist')], host, port), host, port, key);
    expect((await verify('gpu1', 22, keyA)).status).toBe('match');
    expect(await verify('gpu3', 22, keyA)).toEqual({
      status: 'unknown',
      lineToAdd: `gpu3 ssh-ed25519 ${keyA.toString('base64')}`,
    });
    const changed = await verify('gpu2', 2222, keyA);
    expect(changed.status).toBe('changed');
    expect(changed.status === 'changed' && `${changed.entry.file}:${changed.entry.line}`).toBe(`${file}:3`);
    expect((await verify('gpu1', 22, keyB)).status).toBe('revoked');
    expect((await verify('GPU1', 22, keyA)).status).toBe('match');
  });
});
