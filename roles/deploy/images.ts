import type { Deployment } from '../../lib/gonka/deployment.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { MLNODE_COMPOSE, NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { compose, composeFileExists } from '../../lib/gonka/deployment-compose.js';
import { lastLines } from '../../lib/gonka/last-lines.js';

const networkImages = (d: Deployment): string[] => [
  d.images.tmkms,
  d.images.node,
  d.images.api,
  d.images.edge_api,
  d.images.versiond,
  ...(d.bridge ? [d.images.bridge] : []),
  ...(d.ssl_domain ? [d.images.proxy_ssl] : []),
  d.images.proxy,
  d.images.explorer,
];

/** The images each compose file of this host runs. */
export const imagesByFile = (d: Deployment): [string, string[]][] => [
  ...(d.topology.network ? [[NETWORK_COMPOSE, networkImages(d)] as [string, string[]]] : []),
  ...(d.topology.ml ? [[MLNODE_COMPOSE, [...new Set([...d.mlnodes.map((m) => m.image), d.images.nginx])]] as [string, string[]]] : []),
];

const missingImages = async (ctx: ModuleContext, images: string[]): Promise<string[] | undefined> => {
  const res = await ctx.exec(
    `command -v docker >/dev/null || exit 127\nfor i in ${shellJoin(images)}; do docker image inspect "$i" >/dev/null 2>&1 || echo "$i"; done`,
  );
  if (res.code !== 0) return undefined;
  return res.stdout.split('\n').filter(Boolean);
};

/** `docker compose pull` for each compose file that runs an image not yet on the host. */
export const pullImages = async (ctx: ModuleContext, d: Deployment): Promise<ModuleResult> => {
  const pulled: string[] = [];
  for (const [file, images] of imagesByFile(d)) {
    const missing = await missingImages(ctx, images);
    if (missing === undefined || !(await composeFileExists(ctx, d, file))) {
      if (ctx.check) return { changed: true, msg: `would pull the images of ${file} (docker or ${file} is not in place yet)` };
      return {
        changed: false,
        failed: true,
        msg: `cannot pull the images of ${file}: docker is not installed or ${file} is missing (run the docker and config roles first)`,
      };
    }
    if (missing.length === 0) continue;
    if (ctx.check) {
      pulled.push(...missing);
      continue;
    }
    ctx.progress(`pulling ${missing.length} image(s) of ${file}: ${missing.join(', ')}`);
    const res = await compose(ctx, d, file, ['pull']);
    if (res.code !== 0)
      return { changed: pulled.length > 0, failed: true, msg: `docker compose -f ${file} pull failed (rc=${res.code}): ${lastLines(res.stderr, 5)}` };
    pulled.push(...missing);
  }
  if (pulled.length === 0) return { changed: false, msg: 'every image is present' };
  return { changed: true, msg: `${ctx.check ? 'would pull' : 'pulled'} ${pulled.join(', ')}`, pulled };
};
