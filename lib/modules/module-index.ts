import type { ModuleDefinition } from './module.js';

/**
 * The builtin modules by name, each loaded only when a playbook calls it: loading all of them (their zod schemas,
 * Gonka's modules and what those import) was a fifth of every run's start. `registry.ts` holds the same modules
 * loaded at once, for what needs them all (tests, the conformance table); a unit test keeps the two equal.
 */
const LOADERS: Record<string, () => Promise<ModuleDefinition>> = {
  command: async () => (await import('./builtin/command.js')).commandModule,
  shell: async () => (await import('./builtin/shell.js')).shellModule,
  file: async () => (await import('./builtin/file.js')).fileModule,
  copy: async () => (await import('./builtin/copy.js')).copyModule,
  template: async () => (await import('./builtin/template.js')).templateModule,
  lineinfile: async () => (await import('./builtin/lineinfile.js')).lineinfileModule,
  package: async () => (await import('./builtin/package.js')).packageModule as ModuleDefinition,
  service: async () => (await import('./builtin/service.js')).serviceModule,
  cron: async () => (await import('./builtin/cron.js')).cronModule,
  get_url: async () => (await import('./builtin/get_url.js')).getUrlModule,
  wait_for: async () => (await import('./builtin/wait_for.js')).waitForModule,
  uri: async () => (await import('./builtin/uri.js')).uriModule,
  assert: async () => (await import('./builtin/assert.js')).assertModule,
  debug: async () => (await import('./builtin/debug.js')).debugModule,
  set_fact: async () => (await import('./builtin/set_fact.js')).setFactModule,
  setup: async () => (await import('./builtin/setup.js')).setupModule,
  fail: async () => (await import('./builtin/fail.js')).failModule,
  stat: async () => (await import('./builtin/stat.js')).statModule,
  blockinfile: async () => (await import('./builtin/blockinfile.js')).blockinfileModule,
  replace: async () => (await import('./builtin/replace.js')).replaceModule,
  slurp: async () => (await import('./builtin/slurp.js')).slurpModule,
  find: async () => (await import('./builtin/find.js')).findModule,
  fetch: async () => (await import('./builtin/fetch.js')).fetchModule,
  group: async () => (await import('./builtin/group.js')).groupModule,
  user: async () => (await import('./builtin/user.js')).userModule,
  authorized_key: async () => (await import('./builtin/authorized_key.js')).authorizedKeyModule as ModuleDefinition,
  systemd: async () => (await import('./builtin/systemd.js')).systemdModule,
  // Ansible's newer name for systemd (both are ansible.builtin modules, one implementation)
  systemd_service: async () => (await import('./builtin/systemd-service.js')).systemdServiceModule,
  sysctl: async () => (await import('./builtin/sysctl.js')).sysctlModule as ModuleDefinition,
  hostname: async () => (await import('./builtin/hostname.js')).hostnameModule,
  timezone: async () => (await import('./builtin/timezone.js')).timezoneModule,
  mount: async () => (await import('./builtin/mount.js')).mountModule as ModuleDefinition,
  apt: async () => (await import('./builtin/apt.js')).aptModule,
  apt_key: async () => (await import('./builtin/apt_key.js')).aptKeyModule as ModuleDefinition,
  apt_repository: async () => (await import('./builtin/apt_repository.js')).aptRepositoryModule,
  unarchive: async () => (await import('./builtin/unarchive.js')).unarchiveModule,
  pause: async () => (await import('./builtin/pause.js')).pauseModule,
  git: async () => (await import('./builtin/git.js')).gitModule,
  reboot: async () => (await import('./builtin/reboot.js')).rebootModule,
  wait_for_connection: async () => (await import('./builtin/wait_for_connection.js')).waitForConnectionModule,
  ping: async () => (await import('./builtin/ping.js')).pingModule,
  getent: async () => (await import('./builtin/getent.js')).getentModule,
  tempfile: async () => (await import('./builtin/tempfile.js')).tempfileModule,
  debconf: async () => (await import('./builtin/debconf.js')).debconfModule,
  raw: async () => (await import('./builtin/raw.js')).rawModule,
  // Gonka's own: a compose project's services and images, the admin API's ML nodes, a signed chain transaction, model weights
  compose_service: async () => (await import('../gonka/modules/compose-service.js')).composeServiceModule,
  docker_image: async () => (await import('../gonka/modules/docker-image.js')).dockerImageModule,
  gonka_admin_node: async () => (await import('../gonka/modules/admin-node.js')).gonkaAdminNodeModule,
  chain_tx: async () => (await import('../gonka/modules/chain-tx.js')).chainTxModule,
  hf_model: async () => (await import('../gonka/modules/hf-model.js')).hfModelModule,
} as Record<string, () => Promise<ModuleDefinition>>;

// the modules Ansible moved to collections, by their collection's name (Ansible's runtime redirects sysctl to ansible.posix.sysctl)
const BY_FQCN: Record<string, string> = {
  'ansible.posix.sysctl': 'sysctl',
  'ansible.posix.authorized_key': 'authorized_key',
  'ansible.posix.mount': 'mount',
  'community.general.timezone': 'timezone',
};

// playbooks written for Ansible name modules by their collection; ansible.builtin.<name> also reaches the modules
// Ansible moved to collections
const PREFIXES = ['ansible.builtin.', 'ansible.legacy.', 'nop.'];

/** The builtin module's short name a task key names (`copy`, `ansible.builtin.copy`, `ansible.posix.mount`), if any. */
export const moduleNameOf = (key: string): string | undefined => {
  const fq = BY_FQCN[key];
  if (fq) return fq;
  const prefix = PREFIXES.find((p) => key.startsWith(p));
  const name = prefix ? key.slice(prefix.length) : key;
  return Object.hasOwn(LOADERS, name) ? name : undefined;
};

/** Every builtin module's short name, for suggesting the one a misspelt name meant. */
export const moduleNames = (): string[] => Object.keys(LOADERS);

const loaded = new Map<string, ModuleDefinition>();

/** Load the modules these task keys name (unknown keys are ignored), so that `loadedModule` finds them. */
export const loadModules = async (keys: Iterable<string>): Promise<void> => {
  const names = new Set<string>();
  for (const key of keys) {
    const name = moduleNameOf(key);
    if (name && !loaded.has(name)) names.add(name);
  }
  await Promise.all([...names].map(async (name) => loaded.set(name, await LOADERS[name]())));
};

/** Load every builtin module (a task that names its module inside a value: `action: copy …`). */
export const loadAllModules = (): Promise<void> => loadModules(moduleNames());

/**
 * A builtin module a task key names, once `loadModules` loaded it; undefined for a key that names no module.
 * Asking for a module that exists but was not loaded is nop's own mistake, never the playbook's.
 */
export const loadedModule = (key: string): ModuleDefinition | undefined => {
  const name = moduleNameOf(key);
  if (!name) return undefined;
  const def = loaded.get(name);
  if (!def) throw new Error(`module ${name} was used before it was loaded`);
  return def;
};
