import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeDirsFor, createSandbox, removeHostDir, type Sandbox } from '../../sim/host/sandbox.js';
import { REPO_ROOT } from '../../sim/host/paths.js';
import { eventually } from '../helpers/eventually.js';

let dir: string;
let box: Sandbox;
const sh = (script: string) => {
  const [cmd, ...args] = box.launcher;
  const res = spawnSync(cmd, [...args, '/bin/sh', '-c', script], { encoding: 'utf8' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
};

// gone, or a zombie its new parent has not reaped yet
const running = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-sandbox-'));
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'apt-get'), '#!/bin/sh\necho simulated apt-get\n', { mode: 0o755 });
  box = await createSandbox({ dir: join(dir, 'host'), localBin: bin, localSbin: bin, codeDirs: codeDirsFor(REPO_ROOT) });
});
afterAll(async () => {
  await box?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the simulated host namespace', () => {
  it('writes land in the host, never in the machine', () => {
    const hostsBefore = readFileSync('/etc/hosts', 'utf8');
    const script = [
      'set -e',
      'mkdir -p /etc/docker && echo "{}" > /etc/docker/daemon.json',
      'mkdir -p /etc/apt/sources.list.d && echo "deb x" > /etc/apt/sources.list.d/nop-sandbox-test.list',
      'echo "127.0.0.9 sim" > /etc/.hosts.tmp && mv /etc/.hosts.tmp /etc/hosts',
      'mkdir -p /opt/gonka/deploy/join /var/lib/nop-sandbox-test /mnt/shared/hub /root/.cache /home/someone /srv/x',
      'echo a > /opt/gonka/deploy/join/config.env && echo b > /var/lib/nop-sandbox-test/f && echo c > /mnt/shared/hub/f',
      'echo d > /root/.cache/f && echo e > /tmp/nop-sandbox-test && echo f > /run/nop-sandbox-test && echo g > /var/run/vr',
      'echo h > /usr/local/sbin/nop-sandbox-test && rm /usr/local/sbin/nop-sandbox-test',
      'cat /etc/hosts /opt/gonka/deploy/join/config.env /run/vr',
    ].join('\n');
    expect(sh(script)).toMatchObject({ code: 0, stdout: '127.0.0.9 sim\na\ng\n' });
    expect(readFileSync('/etc/hosts', 'utf8')).toBe(hostsBefore);
    for (const p of ['/etc/apt/sources.list.d/nop-sandbox-test.list', '/var/lib/nop-sandbox-test', '/tmp/nop-sandbox-test', '/run/nop-sandbox-test']) {
      expect(existsSync(p), p).toBe(false);
    }
  });

  it("a test reads and writes the host's files at their host paths", async () => {
    expect(await readFile(box.path('/etc/docker/daemon.json'), 'utf8')).toBe('{}\n');
    await writeFile(box.path('/etc/nop-sandbox-from-test'), 'hello\n');
    expect(sh('cat /etc/nop-sandbox-from-test').stdout).toBe('hello\n');
    expect(existsSync('/etc/nop-sandbox-from-test')).toBe(false);
  });

  it('the machine’s programs are there read-only, the shims first on PATH, the simulator’s code at its own path', () => {
    expect(sh('command -v apt-get; apt-get').stdout).toMatch(/^\/usr\/local\/s?bin\/apt-get\nsimulated apt-get\n$/);
    expect(sh('touch /usr/nop-sandbox-test').code).not.toBe(0);
    expect(sh(`cd ${REPO_ROOT} && test -f sim/host/shims/docker.mjs && node -e "import('yaml').then(() => console.log('ok'))"`).stdout).toBe('ok\n');
  });

  it('close() stops every process of the host, detached or not', async () => {
    const own = await mkdtemp(join(tmpdir(), 'nop-sandbox-own-'));
    const other = await createSandbox({ dir: own, localBin: join(dir, 'bin'), localSbin: join(dir, 'bin'), codeDirs: [] });
    const [cmd, ...args] = other.launcher;
    const res = spawnSync(cmd, [...args, '/bin/sh', '-c', 'setsid sleep 1000 >/dev/null 2>&1 < /dev/null & echo $!'], { encoding: 'utf8' });
    const pid = Number(res.stdout.trim());
    expect(running(pid)).toBe(true);
    await other.close();
    expect(running(pid)).toBe(false);
    expect(running(other.pid)).toBe(false);
    await removeHostDir(own);
    expect(existsSync(own)).toBe(false);
  });
});

const distSandbox = join(REPO_ROOT, 'dist/sim/host/sandbox.js');

describe('a host whose owner dies without closing it', () => {
  // the owner: a process that opens a host, starts a detached process in it, then ends (killed, or exiting)
  const owner = (how: 'SIGKILL' | 'exit') => `
    import { spawnSync } from 'node:child_process';
    import { mkdirSync, mkdtempSync } from 'node:fs';
    import { join } from 'node:path';
    const { createSandbox } = await import(${JSON.stringify(distSandbox)});
    const dir = mkdtempSync(join(process.argv[1], 'owner-'));
    mkdirSync(join(dir, 'bin'));
    const box = await createSandbox({ dir: join(dir, 'host'), localBin: join(dir, 'bin'), localSbin: join(dir, 'bin'), codeDirs: [] });
    const [cmd, ...args] = box.launcher;
    const res = spawnSync(cmd, [...args, '/bin/sh', '-c', 'setsid sleep 1000 >/dev/null 2>&1 </dev/null & echo $!'], { encoding: 'utf8' });
    process.stdout.write(JSON.stringify({ holder: box.pid, sleeper: Number(res.stdout.trim()) }) + '\\n');
    ${how === 'SIGKILL' ? "process.kill(process.pid, 'SIGKILL');" : 'process.exit(0);'}
  `;
  it.skipIf(!existsSync(distSandbox)).each(['SIGKILL', 'exit'] as const)('%s: every process of the host stops', async (how) => {
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', owner(how), dir], { encoding: 'utf8' });
    const { holder, sleeper } = JSON.parse(res.stdout) as { holder: number; sleeper: number };
    expect(sleeper).toBeGreaterThan(0);
    await eventually(
      async () => [running(holder), running(sleeper)],
      (alive) => !alive[0] && !alive[1],
      'the host to stop with its owner',
    );
  });
});

describe('as a user other than root', () => {
  it.skipIf(process.getuid?.() !== 0 || !existsSync(join(REPO_ROOT, 'dist/sim/host/sandbox.js')))(
    'a user namespace gives the same view, writable everywhere',
    async () => {
      const own = await mkdtemp(join(tmpdir(), 'nop-sandbox-user-'));
      await chmod(own, 0o777);
      const uid = Number(spawnSync('id', ['-u', 'noptest'], { encoding: 'utf8' }).stdout);
      const gid = Number(spawnSync('id', ['-g', 'noptest'], { encoding: 'utf8' }).stdout);
      const script = `
        import { spawnSync } from 'node:child_process';
        import { mkdirSync, writeFileSync } from 'node:fs';
        const { createSandbox, codeDirsFor, removeHostDir } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/sim/host/sandbox.js'))});
        mkdirSync(${JSON.stringify(join(own, 'bin'))});
        const box = await createSandbox({ dir: ${JSON.stringify(join(own, 'host'))}, localBin: ${JSON.stringify(join(own, 'bin'))}, localSbin: ${JSON.stringify(join(own, 'bin'))}, codeDirs: codeDirsFor(${JSON.stringify(REPO_ROOT)}) });
        const [cmd, ...args] = box.launcher;
        const res = spawnSync(cmd, [...args, '/bin/sh', '-c', process.argv[1]], { encoding: 'utf8' });
        await box.close();
        await removeHostDir(${JSON.stringify(join(own, 'host'))});
        process.stdout.write(JSON.stringify({ code: res.status, stdout: res.stdout, stderr: res.stderr }));
      `;
      const inner = [
        'set -e',
        'id -u',
        'mkdir -p /etc/docker && echo "{}" > /etc/docker/daemon.json',
        'echo "deb x" > /etc/apt/sources.list.d/nop.list',
        'echo "127.0.0.9 sim" > /etc/.hosts.tmp && mv /etc/.hosts.tmp /etc/hosts',
        'mkdir -p /opt/gonka /var/lib/x /mnt/shared /root/.x && echo ok > /opt/gonka/f',
        'cat /etc/hosts /opt/gonka/f',
      ].join('\n');
      const res = spawnSync(process.execPath, ['--input-type=module', '-e', script, inner], { uid, gid, encoding: 'utf8', cwd: own });
      expect(res.stderr).toBe('');
      expect(JSON.parse(res.stdout)).toEqual({ code: 0, stdout: '0\n127.0.0.9 sim\nok\n', stderr: '' });
      await rm(own, { recursive: true, force: true });
    },
  );
});
