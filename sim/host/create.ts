import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { upstreamVersion } from '../../lib/gpu/compare-versions.js';
import { APT_CATALOG, SHIMS_DIR } from './paths.js';
import { loadProfile, ProfileSchema, type Profile, type ProfileInput } from './profile.js';

export interface SimHostEnv extends Record<string, string> {
  PATH: string;
  NOP_SIM_ROOT: string;
}

export interface SimHost {
  root: string;
  binDir: string;
  env: SimHostEnv;
  inventoryVars: {
    ansible_connection: 'local';
    nop_env: SimHostEnv;
    host_root: string;
    gonka_deploy_dir: string;
    hf_home: string;
  };
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

const runShim = (binDir: string, root: string, name: string, args: string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(join(binDir, name), args, { env: { ...process.env, NOP_SIM_ROOT: root }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${name} ${args.join(' ')} failed (${code}): ${stderr.trim()}`))));
  });

/** The GPUs on the PCI bus (vendor 0x10de, class 0x0302 3D controller): visible before any driver is installed. */
const writePciDevices = async (root: string, p: Profile): Promise<void> => {
  for (const gpu of p.gpus) {
    const dir = join(root, 'sys/bus/pci/devices', gpu.bus_id.replace(/^0000/, '').toLowerCase());
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'vendor'), '0x10de\n');
    await writeFile(join(dir, 'class'), '0x030200\n');
  }
};

/** Shims are named after the command they stand in for; dpkg-query and friends keep their own names. */
const linkShims = async (binDir: string): Promise<void> => {
  const shims = (await readdir(SHIMS_DIR)).filter((f) => f.endsWith('.mjs'));
  for (const file of shims) {
    await chmod(join(SHIMS_DIR, file), 0o755);
    await symlink(join(SHIMS_DIR, file), join(binDir, file.slice(0, -4)));
  }
};

/**
 * Build a simulated GPU host in `dir` (its root): system directories, state from the hardware profile, and the
 * shim commands in `<root>/sim-bin`, to be put first on PATH (see `env`).
 */
export const createSimHost = async ({ profile, dir }: { profile: string | ProfileInput; dir: string }): Promise<SimHost> => {
  const p = typeof profile === 'string' ? await loadProfile(profile) : ProfileSchema.parse(profile);
  const root = dir;
  const binDir = join(root, 'sim-bin');
  const deployDir = join(root, 'opt/gonka/deploy/join');
  const hfHome = join(root, 'mnt/shared');
  const dirs = ['etc/docker', 'etc/systemd/system', 'etc/apt/sources.list.d', 'etc/apt/keyrings', 'var/lib/nop-sim/docker', 'var/run', 'tmp', 'sim-bin'];
  for (const d of [...dirs, deployDir, hfHome, ...p.disks.flatMap((disk) => disk.partitions.map((part) => part.mount ?? ''))]) {
    await mkdir(d.startsWith(root) ? d : join(root, d), { recursive: true });
  }
  await writeFile(join(root, 'etc/os-release'), osRelease(p));
  await writeFile(join(root, 'etc/hostname'), `${p.hostname}\n`);
  await writePciDevices(root, p);
  await writeFile(
    join(root, 'etc/lsb-release'),
    `DISTRIB_ID=${p.os.name}\nDISTRIB_RELEASE=${p.os.version_id}\nDISTRIB_CODENAME=${p.os.codename}\nDISTRIB_DESCRIPTION="${p.os.name} ${p.os.version.replace(/ \(.*\)$/, '')}"\n`,
  );
  const state = initialState(p, await catalogFor(p));
  await writeFile(join(root, 'var/lib/nop-sim/state.json'), `${JSON.stringify(state, null, 2)}\n`);
  await linkShims(binDir);
  // derived files (reboot-required, the loaded module's version) and docker's own start-up come from the shims
  await runShim(binDir, root, 'systemctl', ['daemon-reload']);
  if (state.services.docker?.active) await runShim(binDir, root, 'systemctl', ['restart', 'docker']);
  const env: SimHostEnv = { PATH: `${binDir}:${process.env.PATH ?? ''}`, NOP_SIM_ROOT: root };
  return {
    root,
    binDir,
    env,
    inventoryVars: { ansible_connection: 'local', nop_env: env, host_root: root, gonka_deploy_dir: deployDir, hf_home: hfHome },
  };
};

/** Reboot the simulated host: the installed driver's module is loaded, reboot-required cleared, enabled units start. */
export const rebootSimHost = (root: string): Promise<void> => runShim(join(root, 'sim-bin'), root, 'reboot', []);
