import { execFileSync } from 'node:child_process';
import { chown, mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALE_TEMP_MINUTES } from '../../lib/transport/atomic-write.js';
import { localTransport } from '../../lib/transport/local.js';
import { sshTransport } from '../../lib/transport/ssh.js';
import type { PutOptions, Transport } from '../../lib/transport/transport.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';

// The next write into a directory sweeps temp files of nop's own pattern left by an interrupted run, judged
// by age: a temp idle past the threshold goes, a fresh one (a writer still at work) and anything not of
// nop's exact pattern stay.
let fleet: SshdFleet;
const open: Transport[] = [];
let loginUid: number;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  loginUid = Number(execFileSync('id', ['-u', TEST_USERS.passwordless]).toString().trim());
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await fleet?.stopAll();
});

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

const PLANTED = {
  stale: '.app.conf.nop-0123456789ab',
  staleOther: '.other.conf.nop-ba9876543210',
  fresh: '.app.conf.nop-aaaaaaaaaaaa',
  notOurs: '.app.conf.nop-keep',
  notOursEither: 'app.conf.nop-cccccccccccc',
};

const plant = async (dir: string) => {
  const old = new Date(Date.now() - (STALE_TEMP_MINUTES + 30) * 60_000);
  for (const [kind, name] of Object.entries(PLANTED)) {
    const path = join(dir, name);
    await writeFile(path, 'half written');
    await chown(path, loginUid, loginUid);
    if (kind !== 'fresh') await utimes(path, old, old);
  }
};

const cases: { name: string; transport: () => Promise<Transport>; opts?: PutOptions }[] = [
  { name: 'SFTP', transport: login },
  { name: 'ssh with become', transport: login, opts: { become: { user: 'root' } } },
  { name: 'local', transport: async () => localTransport() },
  { name: 'local with a launcher', transport: async () => localTransport({ launcher: ['env', 'NOP_LAUNCHED=1'] }) },
];

describe('stale temp files are swept by the next write into their directory', () => {
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const dir = join(fleet.hosts[0].workDir, `sweep-${i}`);
      await mkdir(dir);
      await chown(dir, loginUid, loginUid);
      await plant(dir);
      const t = await c.transport();
      await t.put(join(dir, 'app.conf'), 'new\n', c.opts);
      expect((await readdir(dir)).sort()).toEqual(['app.conf', PLANTED.fresh, PLANTED.notOurs, PLANTED.notOursEither].sort());
      await rm(dir, { recursive: true });
    });
  }
});
