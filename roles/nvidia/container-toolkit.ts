import { fileContent } from '../../lib/facts/builtin/file-content.js';
import { fileFactsOf } from '../../lib/facts/builtin/file-facts.js';
import { serviceModule } from '../../lib/modules/builtin/service.js';
import { systemdUnit } from '../../lib/facts/builtin/systemd-unit.js';
import { request } from '../../lib/facts/fact.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { CodeTask } from '../../lib/roles/role.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { AptRepository } from '../../lib/roles/apt-repository.js';
import type { NvidiaVars } from './vars.js';

/** NVIDIA's repository of the toolkit that lets Docker hand GPUs to containers (apt expands `$(ARCH)` itself). */
export const CONTAINER_TOOLKIT_REPOSITORY: AptRepository<NvidiaVars> = {
  label: 'NVIDIA Container Toolkit',
  name: 'nvidia-container-toolkit',
  keyUrl: (v) => v.nvidia_container_toolkit_key_url,
  line: (_v, keyring) => `deb [signed-by=${keyring}] https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /`,
};

const hasNvidiaRuntime = (config: Buffer | null): boolean => {
  try {
    return Boolean((JSON.parse(config?.toString('utf8') || '{}') as { runtimes?: Record<string, unknown> }).runtimes?.nvidia);
  } catch {
    return false;
  }
};

const DAEMON_JSON = '/etc/docker/daemon.json';

const configureDockerRuntime = async (ctx: ModuleContext): Promise<ModuleResult> => {
  const path = DAEMON_JSON;
  if (hasNvidiaRuntime(await ctx.facts.read(fileContent, path))) return { changed: false, msg: 'Docker already has the nvidia runtime' };
  if (ctx.check) return { changed: true, msg: 'would run nvidia-ctk runtime configure --runtime=docker and restart Docker' };
  const res = await ctx.exec(`nvidia-ctk runtime configure --runtime=docker --config=${shellJoin([path])}`);
  if (res.code !== 0) return { changed: false, failed: true, msg: `nvidia-ctk runtime configure failed: ${res.stderr.trim()}` };
  const restart = await ctx.call(serviceModule, { name: 'docker', state: 'restarted' });
  if (restart.failed) return { ...restart, msg: `Docker did not restart with the nvidia runtime: ${restart.msg ?? ''}` };
  return { changed: true, msg: 'nvidia runtime added to Docker; Docker restarted' };
};

/** `nvidia-ctk runtime configure --runtime=docker`, only when daemon.json has no nvidia runtime yet, then a Docker restart. */
export const dockerRuntime: CodeTask<NvidiaVars> = {
  name: 'Docker uses the nvidia runtime',
  facts: () => [request(fileContent, DAEMON_JSON)],
  invalidates: [...fileFactsOf(DAEMON_JSON), { fact: systemdUnit, arg: 'docker' }],
  run: configureDockerRuntime,
};
