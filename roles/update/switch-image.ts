import { copyModule } from '../../lib/modules/builtin/copy.js';
import { posix } from 'node:path';
import type { ModuleContext } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { withServiceImage } from './compose-images.js';
import { readText, type ImageChange } from './plan.js';

// config.env is sourced (never passed on argv) because the network compose file interpolates it
const composeScript = (deployDir: string, file: string, service: string): string =>
  [
    `cd ${shellJoin([deployDir])} || exit 1`,
    'if [ -f config.env ]; then set -a; . ./config.env; set +a; fi',
    `docker compose ${shellJoin(['-f', file, 'pull', service])} || exit 1`,
    `docker compose ${shellJoin(['-f', file, 'up', '-d', '--no-deps', service])}`,
  ].join('\n');

/** Point one compose service at `image`, pull it and recreate only that container. */
export const switchImage = async (ctx: ModuleContext, deployDir: string, change: ImageChange, image: string): Promise<string | undefined> => {
  const path = posix.join(deployDir, change.file);
  const text = await readText(ctx, path);
  if (text === undefined) return `${path} is missing`;
  const written = await ctx.call(copyModule, { dest: path, content: withServiceImage(text, change.service, image), backup: true });
  if (written.failed) return `writing ${path}: ${written.msg}`;
  const res = await ctx.exec(composeScript(deployDir, change.file, change.service));
  return res.code === 0 ? undefined : `docker compose up ${change.service} failed (rc=${res.code}): ${res.stderr.trim()}`;
};

/** The container of a compose service is running (not exited, not restarting). */
export const serviceRunning = async (ctx: ModuleContext, deployDir: string, file: string, service: string): Promise<boolean> => {
  const res = await ctx.exec(`cd ${shellJoin([deployDir])} && docker compose ${shellJoin(['-f', file, 'ps', '--format', 'json', service])}`);
  return res.code === 0 && res.stdout.split('\n').some((l) => l.trim().startsWith('{') && (JSON.parse(l) as { State?: string }).State === 'running');
};
