import { installedPackages } from '../../lib/facts/builtin/packages.js';
import { systemFacts } from '../../lib/facts/builtin/system.js';
import { request } from '../../lib/facts/fact.js';
import { SUPPORTED_OS } from '../../lib/gonka/supported-os.js';
import type { AptRepository } from '../../lib/roles/apt-repository.js';
import type { CodeTask } from '../../lib/roles/role.js';
import type { DockerVars } from './vars.js';

export const DOCKER_PACKAGES = ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin'];
// Docker from the distribution or an earlier manual install: kept as it is
const EXISTING = ['docker-ce', 'docker.io', 'moby-engine'];

/** Docker is to be installed from Docker's repository (none is there yet). */
export const dockerMissing = (v: DockerVars): boolean => v.docker_package === null;

/**
 * Which Docker the host has (any is kept), else whether Docker's repository serves its distribution: published as
 * `docker_package` (null: none) and `docker_apt_distribution` for the tasks that install it.
 */
export const installedDocker: CodeTask<DockerVars> = {
  name: 'Docker on this host, or a repository for it',
  check_mode: false,
  facts: () => [request(installedPackages, undefined), request(systemFacts, undefined)],
  invalidates: [],
  run: async (ctx) => {
    const [installed, sys] = await Promise.all([ctx.facts.read(installedPackages, undefined), ctx.facts.read(systemFacts, undefined)]);
    const existing = EXISTING.find((name) => installed.has(name));
    if (existing) return { changed: false, msg: `${existing} already installed: kept`, ansible_facts: { docker_package: existing } };
    const os = { id: sys.distribution, version: sys.distribution_version, codename: sys.distribution_release };
    if (!SUPPORTED_OS[os.id]?.includes(os.version)) {
      return {
        changed: false,
        failed: true,
        msg: `Docker's apt repository has no ${os.id} ${os.version}: use Ubuntu 20.04/22.04/24.04 or Debian 12, or install Docker yourself (nop keeps an installed Docker)`,
      };
    }
    return {
      changed: false,
      msg: `no Docker installed: ${DOCKER_PACKAGES.join(', ')} from Docker's repository for ${os.id} ${os.codename}`,
      ansible_facts: { docker_package: null, docker_apt_distribution: { id: os.id, codename: os.codename } },
    };
  },
};

/** Docker's repository for the host's distribution (known once the first task ran; a placeholder before, for planning reads). */
export const DOCKER_REPOSITORY: AptRepository<DockerVars> = {
  label: 'Docker',
  name: 'docker',
  keyUrl: (v) => v.docker_apt_key_url || `https://download.docker.com/linux/${v.docker_apt_distribution?.id ?? 'ubuntu'}/gpg`,
  line: (v, keyring) =>
    `deb [arch=amd64 signed-by=${keyring}] https://download.docker.com/linux/${v.docker_apt_distribution?.id ?? ''} ${v.docker_apt_distribution?.codename ?? ''} stable`,
};
