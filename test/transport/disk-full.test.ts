import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import { sshTransport } from '../../lib/transport/ssh.js';
import type { PutOptions, Transport } from '../../lib/transport/transport.js';
import { NOPPASS_PASSWORD, type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { canMount, mountSmallDisk, NOT_ROOT, type SmallDisk } from '../helpers/tmpfs.js';

const run = promisify(execFile);
const uidOf = async (user: string) => Number((await run('id', ['-u', user])).stdout.trim());

const ORIGINAL = 'original bytes\n';
// larger than the whole 64 KiB disk: the write must run out of space part way
const TOO_BIG = Buffer.alloc(200 * 1024, 0x41);

let fleet: SshdFleet;
let disk: SmallDisk;
let scratch: string;
let bigFile: string;
const open: Transport[] = [];

const login = async (user: string) => {
  const h = fleet.hosts[0];
  const t = await sshTransport({ host: h.address, port: h.port, user, privateKeyPath: fleet.clientKey, knownHostsPath: fleet.knownHostsPath });
  open.push(t);
  return t;
};

beforeAll(async () => {
  if (!canMount) return;
  fleet = await startSshdHosts(1);
  disk = await mountSmallDisk(join(fleet.hosts[0].workDir, 'small'), 64);
  scratch = await mkdtemp(join(tmpdir(), 'nop-disk-full-'));
  bigFile = join(scratch, 'big.bin');
  await writeFile(bigFile, TOO_BIG);
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await disk?.unmount();
  await fleet?.stopAll();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Case {
  name: string;
  transport: () => Promise<Transport>;
  /** who owns the original file (the writer must be allowed to replace it in the sticky directory) */
  owner: string;
  opts?: PutOptions;
}

const cases: Case[] = [
  { name: 'SFTP, as the login user', transport: () => login(TEST_USERS.passwordless), owner: TEST_USERS.passwordless },
  { name: 'SSH with become (passwordless sudo)', transport: () => login(TEST_USERS.passwordless), owner: 'root', opts: { become: { user: 'root' } } },
  {
    name: 'SSH with become (sudo password on stdin)',
    transport: () => login(TEST_USERS.withPassword),
    owner: 'root',
    opts: { become: { user: 'root', password: NOPPASS_PASSWORD } },
  },
  { name: 'local', transport: async () => localTransport(), owner: 'root' },
  { name: 'local with become', transport: async () => localTransport(), owner: TEST_USERS.passwordless, opts: { become: { user: TEST_USERS.passwordless } } },
  { name: 'local with a launcher', transport: async () => localTransport({ launcher: ['env', 'NOP_LAUNCHED=1'] }), owner: 'root' },
];

const leftovers = async () => (await readdir(disk.dir)).filter((n) => n !== 'kept.txt');
const stagedInTmp = async () => (await readdir('/tmp')).filter((n) => n.startsWith('.nop-stage-'));

const title = 'a write onto a full disk fails naming the errno, keeps the original and leaves no temp file';
describe.skipIf(!canMount)(canMount ? title : `${title} (skipped: ${NOT_ROOT})`, () => {
  for (const c of cases) {
    it(c.name, async () => {
      const t = await c.transport();
      const dest = join(disk.dir, 'kept.txt');
      await writeFile(dest, ORIGINAL);
      await chown(dest, await uidOf(c.owner), 0);
      const before = await stagedInTmp();

      await expect(t.put(dest, TOO_BIG, c.opts)).rejects.toThrow(new RegExp(`cannot write ${dest}.*: .*No space left on device`));
      expect(await readFile(dest, 'utf8')).toBe(ORIGINAL);
      expect(await leftovers()).toEqual([]);

      await expect(t.putFile(dest, bigFile, c.opts)).rejects.toThrow(/No space left on device/);
      expect(await readFile(dest, 'utf8')).toBe(ORIGINAL);
      expect(await leftovers()).toEqual([]);
      expect(await stagedInTmp()).toEqual(before);

      // the same disk still takes what fits: the failures above were the disk's, not the path's
      await t.put(dest, 'fits\n', c.opts);
      expect(await readFile(dest, 'utf8')).toBe('fits\n');
      expect(await leftovers()).toEqual([]);
    });
  }
});
