import { chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import { sshTransport } from '../../lib/transport/ssh.js';
import type { PutOptions, Transport } from '../../lib/transport/transport.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';

// Every path checks the size that landed against the size it meant to send, before the rename. A source whose
// size changes between the two (here /proc/cpuinfo: stat says 0 bytes, reading gives more) must not replace
// the original.
const SOURCE = '/proc/cpuinfo';
let fleet: SshdFleet;
let dir: string;
const open: Transport[] = [];

const login = async () => {
  const h = fleet.hosts[0];
  const t = await sshTransport({
    host: h.address,
    port: h.port,
    user: TEST_USERS.passwordless,
    privateKeyPath: fleet.clientKey,
    knownHostsPath: fleet.knownHostsPath,
  });
  open.push(t);
  return t;
};

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  dir = join(fleet.hosts[0].workDir, 'size-check');
  await mkdir(dir);
  const uid = Number(execFileSync('id', ['-u', TEST_USERS.passwordless]).toString().trim());
  await chown(dir, uid, uid);
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await fleet?.stopAll();
});

const cases: { name: string; transport: () => Promise<Transport>; opts?: PutOptions }[] = [
  { name: 'SFTP', transport: login },
  { name: 'ssh with become', transport: login, opts: { become: { user: 'root' } } },
  { name: 'local', transport: async () => localTransport() },
  { name: 'local with become', transport: async () => localTransport(), opts: { become: { user: TEST_USERS.passwordless } } },
  { name: 'local with a launcher', transport: async () => localTransport({ launcher: ['env', 'NOP_LAUNCHED=1'] }) },
];

describe('a write whose size does not match is refused before the rename', () => {
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const dest = join(dir, `f${i}`);
      await writeFile(dest, 'original');
      const uid = Number(execFileSync('id', ['-u', TEST_USERS.passwordless]).toString().trim());
      await chown(dest, uid, uid);
      const t = await c.transport();
      await expect(t.putFile(dest, SOURCE, c.opts)).rejects.toThrow(new RegExp(`cannot write ${dest}.*: size check failed: \\d+ bytes written, 0 expected`));
      expect(await readFile(dest, 'utf8')).toBe('original');
      expect((await readdir(dir)).filter((n) => n.includes('.nop-'))).toEqual([]);
    });
  }
});
