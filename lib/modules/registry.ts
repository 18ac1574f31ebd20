import { assertModule } from './builtin/assert.js';
import { commandModule } from './builtin/command.js';
import { copyModule } from './builtin/copy.js';
import { cronModule } from './builtin/cron.js';
import { debugModule } from './builtin/debug.js';
import { failModule } from './builtin/fail.js';
import { fileModule } from './builtin/file.js';
import { getUrlModule } from './builtin/get_url.js';
import { lineinfileModule } from './builtin/lineinfile.js';
import { packageModule } from './builtin/package.js';
import { serviceModule } from './builtin/service.js';
import { setFactModule } from './builtin/set_fact.js';
import { setupModule } from './builtin/setup.js';
import { shellModule } from './builtin/shell.js';
import { blockinfileModule } from './builtin/blockinfile.js';
import { replaceModule } from './builtin/replace.js';
import { slurpModule } from './builtin/slurp.js';
import { findModule } from './builtin/find.js';
import { fetchModule } from './builtin/fetch.js';
import { groupModule } from './builtin/group.js';
import { userModule } from './builtin/user.js';
import { authorizedKeyModule } from './builtin/authorized_key.js';
import { systemdModule } from './builtin/systemd.js';
import { systemdServiceModule } from './builtin/systemd-service.js';
import { sysctlModule } from './builtin/sysctl.js';
import { hostnameModule } from './builtin/hostname.js';
import { timezoneModule } from './builtin/timezone.js';
import { mountModule } from './builtin/mount.js';
import { aptModule } from './builtin/apt.js';
import { aptKeyModule } from './builtin/apt_key.js';
import { aptRepositoryModule } from './builtin/apt_repository.js';
import { unarchiveModule } from './builtin/unarchive.js';
import { pauseModule } from './builtin/pause.js';
import { gitModule } from './builtin/git.js';
import { rebootModule } from './builtin/reboot.js';
import { waitForConnectionModule } from './builtin/wait_for_connection.js';
import { statModule } from './builtin/stat.js';
import { templateModule } from './builtin/template.js';
import { uriModule } from './builtin/uri.js';
import { waitForModule } from './builtin/wait_for.js';
import { debconfModule } from './builtin/debconf.js';
import { getentModule } from './builtin/getent.js';
import { pingModule } from './builtin/ping.js';
import { rawModule } from './builtin/raw.js';
import { tempfileModule } from './builtin/tempfile.js';
import { chainTxModule } from '../gonka/modules/chain-tx.js';
import { composeServiceModule } from '../gonka/modules/compose-service.js';
import { dockerImageModule } from '../gonka/modules/docker-image.js';
import { gonkaAdminNodeModule } from '../gonka/modules/admin-node.js';
import { hfModelModule } from '../gonka/modules/hf-model.js';
import type { ModuleDefinition } from './module.js';
import { moduleNameOf } from './module-index.js';

const ansible: ModuleDefinition[] = [
  commandModule,
  shellModule,
  fileModule,
  copyModule,
  templateModule,
  lineinfileModule,
  packageModule,
  serviceModule,
  cronModule,
  getUrlModule,
  waitForModule,
  uriModule,
  assertModule,
  debugModule,
  setFactModule,
  setupModule,
  failModule,
  statModule,
  blockinfileModule,
  replaceModule,
  slurpModule,
  findModule,
  fetchModule,
  groupModule,
  userModule,
  authorizedKeyModule,
  systemdModule,
  sysctlModule,
  hostnameModule,
  timezoneModule,
  mountModule,
  aptModule,
  aptKeyModule,
  aptRepositoryModule,
  unarchiveModule,
  pauseModule,
  gitModule,
  rebootModule,
  waitForConnectionModule,
  systemdServiceModule,
  pingModule,
  getentModule,
  tempfileModule,
  debconfModule,
  rawModule,
] as ModuleDefinition[];

// Gonka's own: a compose project's services and images, the admin API's ML nodes, a signed chain transaction, model weights
const gonka = [composeServiceModule, dockerImageModule, gonkaAdminNodeModule, chainTxModule, hfModelModule] as ModuleDefinition[];

/** nop's modules that are Ansible's (same names, arguments and results), as opposed to Gonka's own. */
export const ansibleModules: readonly ModuleDefinition[] = ansible;

export const builtinModules: ReadonlyMap<string, ModuleDefinition> = new Map([...ansible, ...gonka].map((m) => [m.name, m]));

/** A builtin module by name, also as `ansible.builtin.<name>`, `nop.<name>` or its collection's name (`ansible.posix.mount`). */
export const lookupModule = (name: string): ModuleDefinition | undefined => {
  const short = moduleNameOf(name);
  return short === undefined ? undefined : builtinModules.get(short);
};
