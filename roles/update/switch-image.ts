import { posix } from 'node:path';
import { composeContainers } from '../../lib/facts/builtin/compose-ps.js';
import { fileContent } from '../../lib/facts/builtin/file-content.js';
import { composeScript, type ComposeProject } from '../../lib/gonka/compose-command.js';
import { CONFIG_ENV } from '../../lib/gonka/deploy-files.js';
import { composeServiceModule } from '../../lib/gonka/modules/compose-service.js';
import { readFresh } from '../../lib/gonka/poll.js';
import { copyModule } from '../../lib/modules/builtin/copy.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { withServiceImage } from './compose-images.js';
import type { ImageChange } from './plan.js';

/** One compose file of the deploy directory; config.env, which the network node's file interpolates, is sourced when there. */
export const composeProject = (deployDir: string, file: string): ComposeProject => ({ dir: deployDir, files: [file], env_file: CONFIG_ENV });

/** A file's text as the host has it (the `file_content` fact); undefined when it is absent. */
export const readText = async (ctx: ModuleContext, path: string): Promise<string | undefined> => {
  const content = await ctx.facts.read(fileContent, path);
  return content === null ? undefined : content.toString('utf8');
};

/** Point one compose service at `image`, pull it and recreate only that container. */
export const switchImage = async (ctx: ModuleContext, deployDir: string, change: ImageChange, image: string): Promise<string | undefined> => {
  const path = posix.join(deployDir, change.file);
  const text = await readText(ctx, path);
  if (text === undefined) return `${path} is missing`;
  const written = await ctx.call(copyModule, { dest: path, content: withServiceImage(text, change.service, image), backup: true });
  if (written.failed) return `writing ${path}: ${written.msg}`;
  const project = composeProject(deployDir, change.file);
  const pulled = await ctx.exec(composeScript(project, ['pull', change.service]));
  if (pulled.code !== 0) return `docker compose pull ${change.service} failed (rc=${pulled.code}): ${pulled.stderr.trim()}`;
  const up = await ctx.call(composeServiceModule, {
    project_dir: deployDir,
    files: [change.file],
    env_file: CONFIG_ENV,
    services: [change.service],
    state: 'recreated',
  });
  return up.failed ? `docker compose up ${change.service} failed: ${up.msg}` : undefined;
};

/** The container of a compose service is running (not exited, not restarting), as compose says now. */
export const serviceRunning = async (ctx: ModuleContext, deployDir: string, file: string, service: string): Promise<boolean> =>
  (await readFresh(ctx, composeContainers, composeProject(deployDir, file)))?.get(service)?.state === 'running';
