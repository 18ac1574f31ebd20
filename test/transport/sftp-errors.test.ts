import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTransport } from '../../lib/transport/ssh.js';
import type { Transport } from '../../lib/transport/transport.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { canMount, mountSmallDisk, NOT_ROOT, type SmallDisk } from '../helpers/tmpfs.js';

// SFTP v3 has a status code for few errnos; every other one arrives as a bare "Failure". A failed write or read
// must still say why, and name the path.
let fleet: SshdFleet;
let t: Transport;
let work: string;
let readOnly: SmallDisk | undefined;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  const h = fleet.hosts[0];
  work = h.workDir;
  t = await sshTransport({
    host: h.address,
    port: h.port,
    user: TEST_USERS.passwordless,
    privateKeyPath: fleet.clientKey,
    knownHostsPath: fleet.knownHostsPath,
  });
});

afterAll(async () => {
  await t?.close();
  await readOnly?.unmount();
  await fleet?.stopAll();
});

const temps = async (dir: string) => (await readdir(dir)).filter((n) => n.includes('.nop-'));

describe('SFTP errors name the errno and the path', () => {
  it('Permission denied', async () => {
    const dir = join(work, 'locked');
    await mkdir(dir);
    await chmod(dir, 0o755); // owned by root: the login user cannot create files in it
    await expect(t.put(join(dir, 'f'), 'x')).rejects.toThrow(`cannot write ${join(dir, 'f')}: Permission denied`);
    await expect(t.putFile(join(dir, 'g'), '/etc/hostname')).rejects.toThrow(`cannot write ${join(dir, 'g')}: Permission denied`);
  });

  it('a directory in the way of the rename', async () => {
    const dest = join(work, 'a-directory');
    await t.exec(`mkdir ${dest}`); // the login user's own, so the sticky work dir lets it be replaced
    await expect(t.put(dest, 'x')).rejects.toThrow(new RegExp(`cannot write ${dest}: .*(Is a directory|cannot overwrite directory)`));
    expect(await readdir(dest)).toEqual([]);
    expect(await temps(work)).toEqual([]);
  });

  it('a directory read as a file', async () => {
    const dir = join(work, 'read-me');
    await mkdir(dir);
    await expect(t.get(dir)).rejects.toThrow(new RegExp(`cannot read ${dir}: .*Is a directory`));
  });

  it.skipIf(!canMount)(canMount ? 'Read-only file system' : `Read-only file system (skipped: ${NOT_ROOT})`, async () => {
    readOnly = await mountSmallDisk(join(work, 'ro'), 64);
    await writeFile(join(readOnly.dir, 'kept'), 'before');
    const { execFile } = await import('node:child_process');
    await new Promise((resolve, reject) => execFile('mount', ['-o', 'remount,ro', readOnly!.dir], (e) => (e ? reject(e) : resolve(undefined))));
    const dest = join(readOnly.dir, 'kept');
    await expect(t.put(dest, 'after')).rejects.toThrow(new RegExp(`cannot write ${dest}: .*Read-only file system`));
    expect(await readFile(dest, 'utf8')).toBe('before');
  });
});
