import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import { upstreamVersion } from '../../lib/gpu/compare-versions.js';
import { localTransport } from '../../lib/transport/local.js';
import type { Transport } from '../../lib/transport/transport.js';
import { APT_CATALOG, GONKA_BIN_DIR, REPO_ROOT, SHIMS_DIR } from './paths.js';
import { loadProfile, ProfileSchema, type Profile, type ProfileInput } from './profile.js';
import { codeDirsFor, createSandbox, removeHostDir } from './sandbox.js';
import { SERVED_SHIMS, shimClient, startShimServer } from './shim-server.js';
import { startSimSshd, type SimSshd, type SimSshdOptions } from './sshd.js';

/** The Gonka simulator's state dir on every simulated host (its projects, chain, scenario, settings and clock). */
export const GONKA_STATE_DIR = '/var/lib/nop-sim/docker';
/** Where a simulated host's clock lives: a directory several hosts of one simulated network share. */
export const CLOCK_DIR = `${GONKA_STATE_DIR}/clock`;

export interface SimHostOptions {
  profile: string | ProfileInput;
  /** the host's own directory, created; close() removes it */
  dir: string;
  /** the simulated network's clock, shared with the other hosts of one network (default: a clock of its own) */
  clockDir?: string;
  /** where its simulated containers listen: port offset, private and public address (host-settings.mjs) */
  gonka?: { portOffset?: number; privateAddr?: string; publicAddr?: string };
  /** the Gonka simulator's CLI installed (an operator's machine holding the cold key) */
  inferenced?: boolean;
  /** how `hf download` behaves (shims/hf.mjs): weight shard size, bandwidth, a break after N files */
  hf?: { shard_bytes?: number; bytes_per_second?: number; interrupt_after?: number };
}

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SimHost {
  profile: Profile;
  /** the host's own directory on this machine: everything it wrote is below it (its root, its /etc layer) */
  dir: string;
  /** argv that runs a program on the host (`[...launcher, '/bin/sh', '-c', script]`) */
  launcher: string[];
  /** where a host path is on this machine, to read or write a host's file from a test */
  path(hostPath: string): string;
  /** the Gonka simulator's state dir, on this machine (for scenario.mjs, clock.mjs and friends) */
  gonkaStateDir: string;
  /** a shell script run on the host as its root (the simulator's own access; nop goes through transport()) */
  sh(script: string, opts?: { stdin?: string; cwd?: string; env?: Record<string, string> }): Promise<ShellResult>;
  /** a transport to the host, for runPlaybook's `connect` */
  transport(): Transport;
  /** a real sshd in the host, on a loopback address (needs root) */
  startSshd(opts: SimSshdOptions): Promise<SimSshd>;
  /** the host reboots: the installed driver's module loads, reboot-required clears, enabled units start */
  reboot(): Promise<void>;
  /** stop every process of the host and remove its directory */
  close(): Promise<void>;
}

interface CatalogEntry {
  versions: string[];
  depends?: string[];
  services?: { name: string; enable?: boolean; start?: boolean }[];
  description?: string;
  arch?: string;
}

const DRIVER_PACKAGE = /^nvidia-driver-\d+(-server|-open|-server-open)?$/;

const catalogFor = async (profile: Profile): Promise<Record<string, CatalogEntry>> => {
  const catalog = YAML.parse(await readFile(APT_CATALOG, 'utf8')) as Record<string, CatalogEntry>;
  const kernel = profile.os.kernel;
  const abi = kernel.replace(/-generic$/, '');
  catalog[`linux-headers-${abi}`] = {
    versions: [`${abi}.${abi.split('-')[1]}`],
    arch: 'all',
    description: `Header files related to Linux kernel version ${abi.split('-')[0]}`,
  };
  catalog[`linux-headers-${kernel}`] = {
    versions: [`${abi}.${abi.split('-')[1]}`],
    depends: [`linux-headers-${abi}`],
    description: `Linux kernel headers for version ${kernel}`,
  };
  catalog['linux-headers-generic'] = {
    versions: [`${abi.replace('-', '.')}`],
    depends: [`linux-headers-${kernel}`],
    description: 'Generic Linux kernel headers',
  };
  return catalog;
};

const initialState = (profile: Profile, catalog: Record<string, CatalogEntry>) => {
  const packages: Record<string, { version: string; status: 'ii' }> = {};
  for (const p of profile.packages) {
    const entry = catalog[p.name];
    if (!entry) throw new Error(`profile ${profile.name}: package ${p.name} is not in the simulated archive`);
    packages[p.name] = { version: p.version ?? entry.versions[entry.versions.length - 1], status: 'ii' };
  }
  const services: Record<string, { active: boolean; enabled: boolean }> = {};
  for (const name of Object.keys(packages)) {
    for (const svc of catalog[name].services ?? []) services[svc.name] = { active: svc.start !== false, enabled: svc.enable !== false };
  }
  Object.assign(services, profile.services);
  const driverPkg = Object.keys(packages).find((n) => DRIVER_PACKAGE.test(n));
  const user = driverPkg ? upstreamVersion(packages[driverPkg].version) : null;
  const onDisk = user && packages[`linux-headers-${profile.os.kernel}`] ? user : null;
  const loadable = !profile.secure_boot || profile.mok_enrolled;
  return {
    profile,
    catalog,
    packages,
    holds: profile.holds,
    services,
    driver: { module_on_disk: onDisk, kernel_loaded: profile.driver.kernel_loaded !== undefined ? profile.driver.kernel_loaded : loadable ? onDisk : null },
    reboot: { required: profile.reboot_required, requested: 0, count: 0 },
    iptables: {
      INPUT: { policy: 'ACCEPT', rules: [] },
      FORWARD: { policy: 'DROP', rules: [] },
      OUTPUT: { policy: 'ACCEPT', rules: [] },
    },
    docker: { daemon_config: '', images: [], containers: [] },
    systemd: { loaded: [] as string[], reloads: 0 },
    apt: {},
  };
};

const osRelease = (p: Profile): string =>
  [
    `PRETTY_NAME="${p.os.name} ${p.os.version.replace(/ \(.*\)$/, '')}"`,
    `NAME="${p.os.name}"`,
    `VERSION_ID="${p.os.version_id}"`,
    `VERSION="${p.os.version}"`,
    `VERSION_CODENAME=${p.os.codename}`,
    `ID=${p.os.id}`,
    'ID_LIKE=debian',
    'HOME_URL="https://www.ubuntu.com/"',
    'SUPPORT_URL="https://help.ubuntu.com/"',
    'BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"',
    `UBUNTU_CODENAME=${p.os.codename}`,
    '',
  ].join('\n');

const lsbRelease = (p: Profile): string =>
  `DISTRIB_ID=${p.os.name}\nDISTRIB_RELEASE=${p.os.version_id}\nDISTRIB_CODENAME=${p.os.codename}\nDISTRIB_DESCRIPTION="${p.os.name} ${p.os.version.replace(/ \(.*\)$/, '')}"\n`;

/** Shims are named after the command they stand in for; dpkg-query and friends keep their own names. */
const linkShims = async (binDir: string, inferenced: boolean): Promise<void> => {
  await mkdir(binDir, { recursive: true });
  for (const file of (await readdir(SHIMS_DIR)).filter((f) => f.endsWith('.mjs'))) {
    await chmod(join(SHIMS_DIR, file), 0o755).catch(() => undefined); // an installed package may be read-only
    const name = file.slice(0, -4);
    if (SERVED_SHIMS.has(name)) await writeFile(join(binDir, name), shimClient(name), { mode: 0o755 });
    else await symlink(join(SHIMS_DIR, file), join(binDir, name));
  }
  // the Gonka CLI as an operator installs it: its keyring under ~/.inference, its chain log in the host's state
  if (inferenced)
    await writeFile(join(binDir, 'inferenced'), `#!/bin/sh\nNOP_SIM_STATE_DIR=${GONKA_STATE_DIR} exec ${join(GONKA_BIN_DIR, 'inferenced')} "$@"\n`, {
      mode: 0o755,
    });
};

const run = (launcher: string[], script: string, opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<ShellResult> =>
  new Promise((resolve, reject) => {
    const [cmd, ...args] = launcher;
    const child = spawn(cmd, [...args, '/bin/sh', '-c', script], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });

/** The machine's /proc/cpuinfo with the profile's CPU flags on every core (its count, model and speed stay real). */
const cpuinfoFile = async (dir: string, flags: string[] | undefined): Promise<string | undefined> => {
  if (!flags) return undefined;
  const real = await readFile('/proc/cpuinfo', 'utf8');
  const file = join(dir, 'cpuinfo');
  await writeFile(file, real.replace(/^flags\s*:.*$/gm, `flags\t\t: ${flags.join(' ')}`));
  return file;
};

/**
 * Build a simulated GPU server in `dir` and start it: its own mount namespace (sandbox.ts) in which /etc, /opt,
 * /var… are its own, the state of its hardware profile, and the shim commands first on PATH.
 */
export const createSimHost = async (opts: SimHostOptions): Promise<SimHost> => {
  const p = typeof opts.profile === 'string' ? await loadProfile(opts.profile) : ProfileSchema.parse(opts.profile);
  const localBin = join(opts.dir, 'usr-local/bin');
  const localSbin = join(opts.dir, 'usr-local/sbin');
  for (const d of [localBin, localSbin]) await linkShims(d, opts.inferenced ?? false);
  const sandbox = await createSandbox({
    dir: opts.dir,
    localBin,
    localSbin,
    codeDirs: codeDirsFor(REPO_ROOT),
    binds: opts.clockDir ? { [CLOCK_DIR]: opts.clockDir } : {},
    cpuinfo: await cpuinfoFile(opts.dir, p.cpu_flags),
  });
  const path = sandbox.path;
  // a file as the host's installer leaves it (a symlink in the machine's /etc is replaced, not written through)
  const put = async (hostPath: string, content: string) => {
    await mkdir(dirname(path(hostPath)), { recursive: true });
    await rm(path(hostPath), { force: true });
    await writeFile(path(hostPath), content);
  };
  const sh: SimHost['sh'] = (script, o = {}) => run(sandbox.launcher, o.cwd ? `cd '${o.cwd.replace(/'/g, `'\\''`)}' && ${script}` : script, o);
  let sshd: SimSshd | undefined;
  const host: SimHost = {
    profile: p,
    dir: opts.dir,
    launcher: sandbox.launcher,
    path,
    gonkaStateDir: path(GONKA_STATE_DIR),
    sh,
    transport: () => localTransport({ launcher: sandbox.launcher }),
    startSshd: async (o) => {
      sshd = await startSimSshd(host, o);
      return sshd;
    },
    reboot: async () => {
      const res = await sh('reboot');
      if (res.code !== 0) throw new Error(`reboot failed: ${res.stderr.trim()}`);
    },
    close: async () => {
      await sshd?.stop();
      await sandbox.close();
      await removeHostDir(opts.dir);
    },
  };
  try {
    await startShimServer(sandbox.launcher);
    const mounts = p.disks.flatMap((disk) => disk.partitions.flatMap((part) => (part.mount ? [part.mount] : [])));
    for (const d of ['/etc/docker', '/etc/systemd/system', '/etc/apt/sources.list.d', '/etc/apt/keyrings', GONKA_STATE_DIR, '/run/sshd', ...mounts]) {
      await mkdir(path(d), { recursive: true });
    }
    // a bare server as nop meets it: the deploy dir and the weights' disk are where the operator points them
    for (const d of ['/opt/gonka/deploy/join', '/mnt/shared']) await mkdir(path(d), { recursive: true });
    await put('/etc/os-release', osRelease(p));
    await put('/etc/hostname', `${p.hostname}\n`);
    await put('/etc/lsb-release', lsbRelease(p));
    // the GPUs on the PCI bus (vendor 0x10de, class 0x0302 3D controller): visible before any driver is installed
    for (const gpu of p.gpus) {
      const dev = `/sys/bus/pci/devices/${gpu.bus_id.replace(/^0000/, '').toLowerCase()}`;
      await put(`${dev}/vendor`, '0x10de\n');
      await put(`${dev}/class`, '0x030200\n');
    }
    // the board's DMI, where systemd-detect-virt (and nop's GPU facts) tell a VM from bare metal
    const [vendor, product] = p.virtual_machine ? ['QEMU', 'Standard PC (Q35 + ICH9, 2009)'] : ['Supermicro', 'SYS-821GE-TNHR'];
    await put('/sys/class/dmi/id/sys_vendor', `${vendor}\n`);
    await put('/sys/class/dmi/id/product_name', `${product}\n`);
    const state = { ...initialState(p, await catalogFor(p)), hf: opts.hf ?? {} };
    await put('/var/lib/nop-sim/state.json', `${JSON.stringify(state, null, 2)}\n`);
    if (opts.gonka) await put(`${GONKA_STATE_DIR}/gonka-host.json`, `${JSON.stringify(opts.gonka)}\n`);
    // derived files (reboot-required, the loaded module's version) and docker's own start-up come from the shims
    const boot = await sh(`systemctl daemon-reload${state.services.docker?.active ? ' && systemctl restart docker' : ''}`);
    if (boot.code !== 0) throw new Error(`the simulated host did not start: ${boot.stderr.trim()}`);
  } catch (err) {
    await host.close();
    throw err;
  }
  return host;
};
