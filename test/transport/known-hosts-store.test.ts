import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyHostKey } from '../../lib/transport/known-hosts.js';
import { createKnownHostsStore } from '../../lib/transport/known-hosts-store.js';
import { results, workspace } from '../runner/helpers.js';
import { startSshdHosts, TEST_USERS } from '../helpers/sshd.js';

const blob = (type: string, body: string) => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
};
const keyA = blob('ssh-ed25519', 'key-a');
const keyB = blob('ssh-ed25519', 'key-b');
const line = (host: string, key: Buffer) => `${host} ssh-ed25519 ${key.toString('base64')}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-kh-store-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('known_hosts store: each file parsed once per run', () => {
  it('reads a file once, however many hosts ask: a change made during the run is seen by the next run', async () => {
    const file = join(dir, 'once');
    await writeFile(file, `${line('gpu1', keyA)}\n${line('gpu2', keyA)}\n`);
    const run = createKnownHostsStore();
    expect(verifyHostKey(await run.entriesFor([file], 'gpu1', 22), 'gpu1', 22, keyA).status).toBe('match');
    await writeFile(file, `${line('gpu1', keyB)}\n${line('gpu2', keyB)}\n`);
    expect(verifyHostKey(await run.entriesFor([file], 'gpu2', 22), 'gpu2', 22, keyA).status).toBe('match');
    const nextRun = createKnownHostsStore();
    expect(verifyHostKey(await nextRun.entriesFor([file], 'gpu2', 22), 'gpu2', 22, keyA).status).toBe('changed');
  });

  it('knows a recorded key at once, with the line it landed on (after a missing final newline)', async () => {
    const file = join(dir, 'record');
    await writeFile(file, `# fleet\n${line('gpu1', keyA)}`);
    const run = createKnownHostsStore();
    expect(verifyHostKey(await run.entriesFor([file], 'gpu2', 22), 'gpu2', 22, keyA).status).toBe('unknown');
    await Promise.all([run.record(file, line('gpu2', keyA)), run.record(file, line('[gpu3]:2222', keyA))]);
    expect(await readFile(file, 'utf8')).toBe(`# fleet\n${line('gpu1', keyA)}\n${line('gpu2', keyA)}\n${line('[gpu3]:2222', keyA)}\n`);
    const changed = verifyHostKey(await run.entriesFor([file], 'gpu3', 2222), 'gpu3', 2222, keyB);
    expect(changed.status === 'changed' && changed.entry.line).toBe(4);
    expect(verifyHostKey(await run.entriesFor([file], 'gpu2', 22), 'gpu2', 22, keyA).status).toBe('match');
  });

  it('reads the file again when another writer changed it under a record', async () => {
    const file = join(dir, 'shared');
    await writeFile(file, `${line('gpu1', keyA)}\n`);
    const run = createKnownHostsStore();
    await run.entriesFor([file], 'gpu1', 22);
    await appendFile(file, `${line('gpu9', keyB)}\n`);
    await run.record(file, line('gpu2', keyA));
    expect(verifyHostKey(await run.entriesFor([file], 'gpu9', 22), 'gpu9', 22, keyB).status).toBe('match');
    const gpu2 = verifyHostKey(await run.entriesFor([file], 'gpu2', 22), 'gpu2', 22, keyB);
    expect(gpu2.status === 'changed' && gpu2.entry.line).toBe(3);
  });
});

describe('a run over real sshd hosts with --accept-new-host-keys', () => {
  it('records each new host once, in one shared file, and the next run trusts them', async () => {
    const fleet = await startSshdHosts(3);
    const ws = await workspace();
    try {
      const knownHosts = join(ws.dir, 'known_hosts');
      const hosts = Object.fromEntries(
        fleet.hosts.map((h) => [
          h.name,
          { ansible_host: h.address, ansible_port: h.port, ansible_user: TEST_USERS.passwordless, ansible_ssh_private_key_file: fleet.clientKey },
        ]),
      );
      await ws.write('inventory.yml', stringify({ all: { hosts } }));
      await ws.write('ping.yml', '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: "true"\n');
      const first = await ws.run('ping.yml', { forks: 3, connectOptions: { knownHostsPath: knownHosts, acceptNewHostKeys: true } });
      expect(first.code).toBe(0);
      const lines = (await readFile(knownHosts, 'utf8')).split('\n').filter(Boolean).sort();
      expect(lines).toEqual(fleet.hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKeyPub}`).sort());
      const second = await ws.run('ping.yml', { forks: 3, connectOptions: { knownHostsPath: knownHosts } });
      expect(second.code).toBe(0);
      expect(results(second.events)).toHaveLength(3);
    } finally {
      await fleet.stopAll();
      await ws.cleanup();
    }
  });
});
