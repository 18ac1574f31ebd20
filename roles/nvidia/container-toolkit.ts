import { fileContent } from '../../lib/facts/builtin/file-content.js';
import { fileFactsOf } from '../../lib/facts/builtin/file-facts.js';
import { packageModule } from '../../lib/modules/builtin/package.js';
import { serviceModule } from '../../lib/modules/builtin/service.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { ensureAptRepository } from '../../lib/gonka/apt-repository.js';
import type { NvidiaVars } from './vars.js';

export const CONTAINER_TOOLKIT_REPO = {
  name: 'nvidia-container-toolkit',
  line: (keyring: string) => `deb [signed-by=${keyring}] https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /`,
};

const hasNvidiaRuntime = (config: Buffer | null): boolean => {
  try {
    return Boolean((JSON.parse(config?.toString('utf8') || '{}') as { runtimes?: Record<string, unknown> }).runtimes?.nvidia);
  } catch {
    return false;
  }
};

/** NVIDIA's repository and the toolkit package that lets Docker hand GPUs to containers. */
export const installContainerToolkit = async (ctx: ModuleContext, v: NvidiaVars): Promise<ModuleResult> => {
  const repo = await ensureAptRepository(ctx, { ...CONTAINER_TOOLKIT_REPO, keyUrl: v.nvidia_container_toolkit_key_url });
  if (repo.failed) return repo;
  const pkg = await ctx.call(packageModule, { name: ['nvidia-container-toolkit'], update_cache: true });
  return {
    ...pkg,
    changed: repo.changed || pkg.changed,
    msg: pkg.failed ? `installing nvidia-container-toolkit failed: ${pkg.msg ?? ''}` : 'NVIDIA Container Toolkit installed',
  };
};

/** `nvidia-ctk runtime configure --runtime=docker`, only when daemon.json has no nvidia runtime yet, then a Docker restart. */
export const configureDockerRuntime = async (ctx: ModuleContext): Promise<ModuleResult> => {
  const path = '/etc/docker/daemon.json';
  if (hasNvidiaRuntime(await ctx.facts.read(fileContent, path))) return { changed: false, msg: 'Docker already has the nvidia runtime' };
  if (ctx.check) return { changed: true, msg: 'would run nvidia-ctk runtime configure --runtime=docker and restart Docker' };
  const res = await ctx.exec(`nvidia-ctk runtime configure --runtime=docker --config=${shellJoin([path])}`);
  ctx.facts.invalidate(fileFactsOf(path));
  if (res.code !== 0) return { changed: false, failed: true, msg: `nvidia-ctk runtime configure failed: ${res.stderr.trim()}` };
  const restart = await ctx.call(serviceModule, { name: 'docker', state: 'restarted' });
  if (restart.failed) return { ...restart, msg: `Docker did not restart with the nvidia runtime: ${restart.msg ?? ''}` };
  return { changed: true, msg: 'nvidia runtime added to Docker; Docker restarted' };
};
