import { packageModule } from '../../lib/modules/builtin/package.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { SUPPORTED_OS } from '../../lib/gonka/supported-os.js';
import { ensureAptRepository } from '../../lib/gonka/apt-repository.js';
import type { DockerVars } from './vars.js';

const PACKAGES = ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin'];
// Docker from the distribution or an earlier manual install: kept as it is
const EXISTING = ['docker-ce', 'docker.io', 'moby-engine'];

const osRelease = async (ctx: ModuleContext) => {
  const res = await ctx.exec(`. /etc/os-release; printf '%s %s %s' "$ID" "$VERSION_ID" "$VERSION_CODENAME"`);
  const [id = '', version = '', codename = ''] = res.stdout.trim().split(' ');
  return { id, version, codename };
};

const installedDocker = async (ctx: ModuleContext): Promise<string | undefined> => {
  const res = await ctx.exec(`dpkg-query -W -f='\${Package} \${db:Status-Abbrev}\\n' ${shellJoin(EXISTING)} 2>/dev/null; true`);
  return res.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find(([name, status]) => name && /^[ih]i/.test(status ?? ''))?.[0];
};

/** Docker CE and the compose plugin from Docker's repository, unless a Docker is already installed. */
export const installDocker = async (ctx: ModuleContext, v: DockerVars): Promise<ModuleResult> => {
  const existing = await installedDocker(ctx);
  if (existing) return { changed: false, msg: `${existing} already installed: kept`, docker_package: existing };
  const os = await osRelease(ctx);
  if (!SUPPORTED_OS[os.id]?.includes(os.version)) {
    return {
      changed: false,
      failed: true,
      msg: `Docker's apt repository has no ${os.id} ${os.version}: use Ubuntu 20.04/22.04/24.04 or Debian 12, or install Docker yourself (nop keeps an installed Docker)`,
    };
  }
  const repo = await ensureAptRepository(ctx, {
    name: 'docker',
    keyUrl: v.docker_apt_key_url || `https://download.docker.com/linux/${os.id}/gpg`,
    line: (keyring) => `deb [arch=amd64 signed-by=${keyring}] https://download.docker.com/linux/${os.id} ${os.codename} stable`,
  });
  if (repo.failed) return repo;
  const pkg = await ctx.call(packageModule, { name: PACKAGES, update_cache: true });
  if (pkg.failed) return { ...pkg, msg: `installing Docker failed: ${pkg.msg ?? ''}` };
  return {
    ...pkg,
    changed: repo.changed || pkg.changed,
    msg: `${ctx.check ? 'would install' : 'installed'} ${PACKAGES.join(', ')}`,
    docker_package: 'docker-ce',
  };
};

/** `docker compose` is how nop runs Gonka: an existing Docker without the plugin needs it added. */
export const checkCompose = async (ctx: ModuleContext): Promise<ModuleResult> => {
  if (ctx.check && !(await installedDocker(ctx))) return { changed: false, skipped: true, msg: 'Docker not installed yet (check mode)' };
  const res = await ctx.exec('docker compose version');
  if (res.code === 0) return { changed: false, msg: res.stdout.trim() };
  return {
    changed: false,
    failed: true,
    msg: `docker compose is not available (${res.stderr.trim()}): install the compose plugin (apt-get install docker-compose-plugin from Docker's repository, or docker-compose-v2 with Ubuntu's docker.io)`,
  };
};
