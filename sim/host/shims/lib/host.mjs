// Derived host behaviour: what the installed packages, the loaded driver and the last boot imply.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const upstream = (v) => v.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
export const major = (v) => Number.parseInt(v, 10);

export const isInstalled = (state, name) => state.packages[name]?.status === 'ii';

const DRIVER_PACKAGE = /^nvidia-driver-(\d+)(-server|-open|-server-open)?$/;

export const driverPackages = (state) => Object.keys(state.packages).filter((n) => DRIVER_PACKAGE.test(n) && isInstalled(state, n));

/** The user-space driver: the installed nvidia-driver-* package's upstream version. */
export const userSpaceDriver = (state) => {
  const [pkg] = driverPackages(state);
  return pkg ? upstream(state.packages[pkg].version) : null;
};

export const fabricManagerVersion = (state) => {
  const pkg = Object.keys(state.packages).find((n) => n.startsWith('nvidia-fabricmanager') && isInstalled(state, n));
  return pkg ? upstream(state.packages[pkg].version) : null;
};

/** 'missing' (no nvidia-smi), 'no-driver' (module not loaded), 'mismatch' (kernel != user space) or 'ok'. */
export const driverStatus = (state) => {
  const user = userSpaceDriver(state);
  if (!user) return 'missing';
  if (!state.driver.kernel_loaded) return 'no-driver';
  if (state.driver.kernel_loaded !== user) return 'mismatch';
  return 'ok';
};

export const canStart = (state, unit) => {
  if (unit !== 'nvidia-fabricmanager') return true;
  const fm = fabricManagerVersion(state);
  const loaded = state.driver.kernel_loaded;
  return Boolean(fm && loaded && major(fm) === major(loaded));
};

/**
 * After a package change: DKMS builds the module only for a kernel whose headers are installed, and a changed
 * driver asks for a reboot (the running kernel keeps the old module until then).
 */
export const refreshDriver = (state, userBefore) => {
  const user = userSpaceDriver(state);
  const headers = isInstalled(state, `linux-headers-${state.profile.os.kernel}`);
  state.driver.module_on_disk = user && headers ? user : null;
  if (user !== userBefore) state.reboot.required = true;
};

const dockerDaemonConfig = () => {
  try {
    return readFileSync('/etc/docker/daemon.json', 'utf8');
  } catch {
    return '';
  }
};

/** Docker (re)started: it now uses the daemon.json on disk and has made sure its iptables chains exist. */
export const dockerStarted = (state) => {
  state.docker.daemon_config = dockerDaemonConfig();
  state.iptables.DOCKER ??= { rules: [] };
  state.iptables['DOCKER-USER'] ??= { rules: ['-j RETURN'] };
  const forward = state.iptables.FORWARD.rules;
  if (!forward.includes('-j DOCKER-USER')) forward.unshift('-j DOCKER-USER');
};

/** A unit became active: the side effects its daemon has on start. */
export const serviceStarted = (state, name) => {
  if (name === 'docker') dockerStarted(state);
};

// what systemd-tmpfiles recreates in /run at boot (sshd's privilege separation directory)
const RUN_DIRS = ['/run/sshd'];

export const boot = (state) => {
  // /run is a tmpfs: nothing written there survives a reboot
  for (const entry of readdirSync('/run')) rmSync(join('/run', entry), { recursive: true, force: true });
  for (const d of RUN_DIRS) mkdirSync(d, { recursive: true, mode: 0o755 });
  const loadable = !state.profile.secure_boot || state.profile.mok_enrolled;
  state.driver.kernel_loaded = loadable ? state.driver.module_on_disk : null;
  state.reboot.required = false;
  state.reboot.count += 1;
  for (const [name, unit] of Object.entries(state.services)) {
    unit.active = unit.enabled && canStart(state, name);
    if (unit.active) serviceStarted(state, name);
  }
  for (const c of state.docker.containers) {
    const restart = ['always', 'unless-stopped'].includes(c.restart) && c.state === 'running';
    c.state = restart ? 'running' : 'exited';
  }
};

const put = (path, content) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
};

/** Files the real system keeps in step with this state (reboot-required, the loaded module's version). */
export const syncFiles = (state) => {
  const flag = '/var/run/reboot-required';
  if (state.reboot.required) {
    put(flag, '*** System restart required ***\n');
    put(`${flag}.pkgs`, `${driverPackages(state).join('\n')}\n`);
  } else {
    rmSync(flag, { force: true });
    rmSync(`${flag}.pkgs`, { force: true });
  }
  const sys = '/sys/module/nvidia/version';
  if (state.driver.kernel_loaded) put(sys, `${state.driver.kernel_loaded}\n`);
  else rmSync(dirname(sys), { recursive: true, force: true });
};
