/**
 * The simulated host's own view of the machine: a mount namespace whose root is a directory of its own, held
 * open by one long-lived process. Production code never knows: commands entering it see `/etc`, `/opt`, `/var`…
 * at their real paths, and the simulator's shims first on PATH.
 *
 * Root of the namespace (`<dir>/root`):
 *   /etc                 overlay: the machine's /etc below, the host's changes in `<dir>/etc.upper`
 *   /usr                 the machine's /usr, read-only (bin, lib, lib64, sbin are symlinks into it, as on Debian)
 *   /usr/local/bin,sbin  the host's own, holding the shims (first on every standard PATH)
 *   /proc, /dev          the machine's (recursive binds)
 *   /opt /var /mnt /root /home /tmp /run /srv /sys   plain directories of the host (/sys: a fake PCI bus)
 *   the simulator's code (and the packages its shims import), read-only at the same paths, so the shims run
 * As root the namespace is `unshare -m`; as any other user `unshare -Urm`, a user namespace in which that user is
 * root (files it creates belong to the user outside).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { shellJoin } from '../../lib/transport/shell-quote.js';

export interface SandboxOptions {
  /** the host's own directory: its root and its /etc layer live here */
  dir: string;
  /** the host's /usr/local/bin and /usr/local/sbin (the shims are there) */
  localBin: string;
  localSbin: string;
  /** machine directories seen at the same path inside, read-only (the simulator's code) */
  codeDirs: string[];
  /** further binds: host path → directory on this machine (read-write), e.g. a clock shared by several hosts */
  binds?: Record<string, string>;
  /** a file on this machine shown as the host's /proc/cpuinfo (read-only); default: the machine's */
  cpuinfo?: string;
}

export interface Sandbox {
  /** the process holding the namespace open */
  pid: number;
  /** argv that runs a program inside: `[...launcher, '/bin/sh', '-c', script]` */
  launcher: string[];
  /** where a path of the host is, seen from this machine (through the holder's root) */
  path(hostPath: string): string;
  /** stop every process of the host, then the holder */
  close(): Promise<void>;
}

const isRoot = (): boolean => process.getuid?.() === 0;

// the host's own top-level directories; everything else at / is the machine's (see mounts())
const OWN_DIRS = ['opt', 'var', 'mnt', 'root', 'home', 'tmp', 'run', 'srv', 'sys', 'boot', 'media'];

/** Top-level symlinks of the merged-/usr layout (bin → usr/bin …), copied as they are. */
const usrLinks = (): [string, string][] =>
  readdirSync('/')
    .filter((name) => lstatSync(join('/', name)).isSymbolicLink())
    .map((name): [string, string] => [name, readlinkSync(join('/', name))])
    .filter(([, target]) => /^\/?usr\//.test(target));

/** Directories to bind read-only at the same path: the code, and where Node resolves the packages the shims import. */
export const codeDirsFor = (repoRoot: string): string[] => {
  const require = createRequire(join(repoRoot, 'package.json'));
  const yamlDir = dirname(dirname(realpathSync(require.resolve('yaml'))));
  const nodePrefix = dirname(dirname(realpathSync(process.execPath)));
  const wanted = [realpathSync(repoRoot), dirname(yamlDir), nodePrefix];
  const inside = (a: string, b: string) => a === b || a.startsWith(`${b}/`);
  return [...new Set(wanted)].filter((d, _, all) => !inside(d, '/usr') && !all.some((o) => o !== d && inside(d, o)));
};

/**
 * In a user namespace, root there cannot copy up a directory that belongs to a user it has no mapping for (the
 * machine's root): the upper layer gets every directory of /etc beforehand, with its mode, so that files can be
 * created and replaced anywhere. Existing files of the machine's root stay read-only there (replace, don't edit).
 */
const seedEtcDirs = async (upper: string): Promise<void> => {
  const walk = async (rel: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(join('/etc', rel), { withFileTypes: true });
    } catch {
      return; // unreadable: left to the machine's /etc
    }
    for (const e of entries.filter((x) => x.isDirectory())) {
      const sub = join(rel, e.name);
      await mkdir(join(upper, sub), { recursive: true });
      await chmod(join(upper, sub), (await stat(join('/etc', sub))).mode & 0o7777);
      await walk(sub);
    }
  };
  await walk('');
};

const mountScript = (root: string, o: SandboxOptions, upper: string, work: string): string => {
  const q = (s: string) => shellJoin([s]);
  const bindRo = (src: string, dst: string) => [`mount --bind ${q(src)} ${q(dst)}`, `mount -o remount,bind,ro ${q(dst)}`];
  return [
    'set -e',
    `mount -t overlay overlay -o ${q(`lowerdir=/etc,upperdir=${upper},workdir=${work}`)} ${q(join(root, 'etc'))}`,
    `mount --rbind /usr ${q(join(root, 'usr'))}`,
    `mount -o remount,bind,ro ${q(join(root, 'usr'))}`,
    `mount --bind ${q(o.localBin)} ${q(join(root, 'usr/local/bin'))}`,
    `mount --bind ${q(o.localSbin)} ${q(join(root, 'usr/local/sbin'))}`,
    `mount --rbind /proc ${q(join(root, 'proc'))}`,
    `mount --rbind /dev ${q(join(root, 'dev'))}`,
    ...(o.cpuinfo ? bindRo(o.cpuinfo, join(root, 'proc/cpuinfo')) : []),
    ...o.codeDirs.flatMap((d) => bindRo(d, join(root, d))),
    ...Object.entries(o.binds ?? {}).map(([at, src]) => `mount --bind ${q(src)} ${q(join(root, at))}`),
    `cd ${q(root)}`,
    // the holder: ready once chrooted; when this process's stdin closes (its owner exited without closing the
    // host), it stops every process of the namespace, as close() would
    `exec chroot . /bin/sh -c ${q(HOLDER)}`,
  ].join('\n');
};

const HOLDER = [
  'echo ready',
  'read _ || true',
  'me=$(readlink /proc/$$/ns/mnt)',
  'for p in /proc/[0-9]*; do n=${p#/proc/}; [ "$n" != $$ ] && [ "$(readlink $p/ns/mnt 2>/dev/null)" = "$me" ] && kill -9 $n 2>/dev/null; done',
  'exit 0',
].join('\n');

/** Lay out the root directory: mount points, the host's own directories, the /usr symlinks. */
const layout = async (root: string, o: SandboxOptions): Promise<void> => {
  for (const d of ['etc', 'usr', 'proc', 'dev', ...OWN_DIRS]) await mkdir(join(root, d), { recursive: true });
  await chmod(join(root, 'tmp'), 0o1777);
  await chmod(join(root, 'root'), 0o700);
  for (const [name, target] of usrLinks()) if (!existsSync(join(root, name))) await symlink(target, join(root, name));
  // Ubuntu's /var/run is /run
  if (!existsSync(join(root, 'var/run'))) await symlink('../run', join(root, 'var/run'));
  for (const d of [...o.codeDirs, ...Object.keys(o.binds ?? {})]) await mkdir(join(root, d), { recursive: true });
};

const waitReady = (child: ChildProcess): Promise<void> =>
  new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the simulated host's namespace did not start (${code}): ${err.trim() || out.trim()}`)));
  });

/** Processes whose mount namespace is the holder's (the holder itself excluded). */
const membersOf = (pid: number, ns: string): number[] =>
  readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n) && Number(n) !== pid)
    .filter((n) => {
      try {
        return readlinkSync(`/proc/${n}/ns/mnt`) === ns;
      } catch {
        return false;
      }
    })
    .map(Number);

const kill = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
};

/** Every process of the namespace, then its holder (synchronous: also run when this process exits). */
const stopAll = (pid: number, ns: string): void => {
  // a process may start another while we stop it: repeat until none is left
  for (let members = membersOf(pid, ns); members.length; members = membersOf(pid, ns)) members.forEach(kill);
  kill(pid);
};

// a process that ends without closing its hosts still takes their processes with it (and if it is killed
// outright, each holder sees its stdin close and does the same from inside)
const open = new Map<number, string>();
process.once('exit', () => open.forEach((ns, pid) => stopAll(pid, ns)));

export const createSandbox = async (o: SandboxOptions): Promise<Sandbox> => {
  const root = join(o.dir, 'root');
  const upper = join(o.dir, 'etc.upper');
  const work = join(o.dir, 'etc.work');
  await mkdir(upper, { recursive: true });
  await mkdir(work, { recursive: true });
  if (!isRoot()) await seedEtcDirs(upper);
  await layout(root, o);
  const unshare = isRoot() ? ['unshare', '-m', '--propagation', 'private'] : ['unshare', '-Urm', '--propagation', 'private'];
  const child = spawn(unshare[0], [...unshare.slice(1), '/bin/sh', '-c', mountScript(root, o, upper, work)], { stdio: ['pipe', 'pipe', 'pipe'] });
  await waitReady(child);
  child.removeAllListeners('exit');
  child.stdout!.destroy();
  child.stderr!.destroy();
  // neither the holder nor its stdin keeps this process alive
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  const pid = child.pid!;
  const ns = readlinkSync(`/proc/${pid}/ns/mnt`);
  open.set(pid, ns);
  const enter = isRoot() ? ['-m'] : ['-U', '-m', '--preserve-credentials'];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid,
    launcher: ['nsenter', '-t', String(pid), ...enter, '-r', '-w'],
    path: (hostPath) => join(`/proc/${pid}/root`, relative('/', join('/', hostPath))),
    close: async () => {
      open.delete(pid);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.ref();
      stopAll(pid, ns);
      await exited;
    },
  };
};

/** Remove a host's directory (after close): its overlay work dir may hold a directory only its owner may enter. */
export const removeHostDir = async (dir: string): Promise<void> => {
  const work = join(dir, 'etc.work');
  if (existsSync(work)) for (const e of readdirSync(work)) if (statSync(join(work, e)).isDirectory()) await chmod(join(work, e), 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
};
