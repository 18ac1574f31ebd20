/**
 * A throwaway host on this machine for modules that change system state (users, hostname, sysctls, mounts,
 * apt, services): a mount + UTS + network namespace held open by one process, in which /etc, /var, /usr,
 * /opt, /srv, /home, /root and /mnt are overlays whose changes land in a temp dir, /run is a fresh tmpfs, the
 * host name is its own and the network is its own loopback. Nothing a test does inside reaches the machine.
 * /tmp is shared, so a test's temp dirs are seen at the same path inside and out.
 *
 * Commands enter it through localTransport's launcher (`nsenter … env PATH=…`). The machine's systemd is not
 * the sandbox's init, so what talks to its daemons is the sandbox's own (test/helpers/sandbox-{systemctl,
 * hostnamectl,timedatectl}.sh: the daemons' effect on files, namespaces and unit state), installed over the
 * real tools in the sandbox's /usr (an overlay: the machine's stay as they are).
 * Needs root (mounting overlays).
 */
import { spawn } from 'node:child_process';
import { copyFile, chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localTransport } from '../../lib/transport/local.js';
import type { ExecResult, Transport } from '../../lib/transport/transport.js';

export const canSandbox = process.getuid?.() === 0;
export const NOT_ROOT = 'needs root to build the sandbox (mount, UTS and network namespaces with overlays), as CI runs the tests';

const OVERLAID = ['etc', 'var', 'usr', 'opt', 'srv', 'home', 'root', 'mnt'];
export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const SANDBOX_HOSTNAME = 'sandbox';

export interface SandboxHost {
  /** the process holding the namespaces */
  pid: number;
  /** argv prefix that runs a command inside */
  launcher: string[];
  /** a transport into the sandbox (commands and file operations go through the launcher) */
  transport(): Transport;
  /** run a shell script inside, as root */
  sh(script: string): Promise<ExecResult>;
  /** remove everything the sandbox wrote (after stopping its processes) */
  close(): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
// test/helpers in the source tree, whether this runs from source (vitest) or from dist/
const helpersDir = here.includes('/dist/') ? join(here.replace(/\/dist\//, '/'), '') : here;

const setupScript = (dir: string): string =>
  [
    'set -e',
    ...OVERLAID.flatMap((d) => [
      `mkdir -p '${dir}/${d}.upper' '${dir}/${d}.work'`,
      `mount -t overlay overlay -o 'lowerdir=/${d},upperdir=${dir}/${d}.upper,workdir=${dir}/${d}.work' /${d}`,
    ]),
    'mount -t tmpfs -o mode=0755 sandbox-run /run',
    // /run/systemd/system: what tools (and Ansible) check to know systemd manages the host
    'mkdir -p /run/lock /run/systemd/system',
    'ip link set lo up',
    `hostname ${SANDBOX_HOSTNAME}`,
    `printf '%s\\n' ${SANDBOX_HOSTNAME} > /etc/hostname`,
    // the tools themselves are replaced (the real ones kept as *.real): programs that call them by their full path
    // (Ansible's service module calls /usr/bin/systemctl) reach the sandbox's too
    ...['systemctl', 'hostnamectl', 'timedatectl'].flatMap((tool) => [
      `mv /usr/bin/${tool} /usr/bin/${tool}.real`,
      `cp '${join(helpersDir, `sandbox-${tool}.sh`)}' /usr/bin/${tool}`,
      `chmod 0755 /usr/bin/${tool}`,
    ]),
    'systemctl daemon-reload',
    'echo ready',
    // held open until the test's end closes stdin (or the test process dies)
    'read _ || true',
  ].join('\n');

/** Start a sandbox; `close()` it in afterAll/afterEach. */
export const createSandboxHost = async (): Promise<SandboxHost> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-sandbox-'));
  await mkdir(dir, { recursive: true });
  const child = spawn('unshare', ['-m', '-u', '-n', '--propagation', 'private', '/bin/sh', '-c', setupScript(dir)], { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sandbox did not start (exit ${code}): ${err.trim()}`)));
  });
  child.removeAllListeners('exit');
  const pid = child.pid!;
  const launcher = ['nsenter', '-t', String(pid), '-m', '-u', '-n', '--', 'env', `PATH=${SANDBOX_PATH}`];
  const shared = localTransport({ launcher });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid,
    launcher,
    transport: () => localTransport({ launcher }),
    sh: (script) => shared.exec(script),
    close: async () => {
      await shared.close();
      // every process left inside (a daemon a test started) goes with the namespace
      await localTransport().exec(
        `me=$(readlink /proc/${pid}/ns/mnt); for p in /proc/[0-9]*; do n=\${p#/proc/}; [ "$n" != ${pid} ] && [ "$(readlink $p/ns/mnt 2>/dev/null)" = "$me" ] && kill -9 $n 2>/dev/null; done; true`,
      );
      child.stdin.end();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** Copy a helper file into the sandbox at a path (e.g. a shim). */
export const installInto = async (host: SandboxHost, source: string, dest: string, mode = 0o755): Promise<void> => {
  const tmp = await mkdtemp(join(tmpdir(), 'nop-sandbox-file-'));
  try {
    await copyFile(source, join(tmp, 'f'));
    await chmod(join(tmp, 'f'), mode);
    const res = await host.sh(`install -D -m ${mode.toString(8)} '${join(tmp, 'f')}' '${dest}'`);
    if (res.code !== 0) throw new Error(res.stderr);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
};
