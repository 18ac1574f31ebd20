import { z } from 'zod';
import { dockerImage } from '../../facts/builtin/docker-images.js';
import { request } from '../../facts/fact.js';
import { defineModule, type Change, type Plan } from '../../modules/module.js';
import { composeScript } from '../compose-command.js';
import { lastLines } from '../last-lines.js';
import { projectArgs, projectOf } from './project-args.js';
import { wouldMsg } from './would-msg.js';

const imageName = z.string().regex(/^[a-z0-9][\w.\-/:@]*$/i, 'not an image reference');

const dockerImageArgs = z.strictObject({
  ...projectArgs,
  /** the images the project's files run: pulled (all of the files' images, by compose) when one is missing */
  images: z.array(imageName).min(1),
});

interface PullChange extends Change {
  missing: string[];
}

/** The images a compose project runs, on the host: `docker compose pull` when any is missing. */
export const dockerImageModule = defineModule({
  name: 'docker_image',
  args: dockerImageArgs,
  facts: (a) => a.images.map((i) => request(dockerImage, i)),
  plan: async (a, ctx): Promise<Plan<PullChange>> => {
    let present: boolean[];
    try {
      present = await Promise.all(a.images.map((i) => ctx.facts.read(dockerImage, i)));
    } catch (e) {
      // a bare server in check mode: docker comes with an earlier task of the same run
      if (!ctx.check) return { changes: [], failed: (e as Error).message };
      present = a.images.map(() => false);
    }
    const missing = a.images.filter((_, i) => !present[i]);
    if (missing.length === 0) return { changes: [], result: { msg: 'every image is present' } };
    const changes = [{ summary: `pull ${missing.join(', ')}`, missing, invalidates: missing.map((arg) => ({ fact: dockerImage, arg })) }];
    return { changes, result: { pulled: missing, msg: wouldMsg(changes) } };
  },
  apply: async ([change], a, ctx) => {
    ctx.progress(`pulling ${change.missing.length} image(s): ${change.missing.join(', ')}`);
    const res = await ctx.exec(composeScript(projectOf(a), ['pull']));
    const where = `docker compose -f ${a.files.join(' -f ')} pull`;
    if (res.code !== 0) return { failed: true, msg: `${where} failed (rc=${res.code}): ${lastLines(res.stderr, 5)}` };
    // compose pulls what the files run: an image named here that they do not run stays missing
    ctx.facts.invalidate(change.missing.map((arg) => ({ fact: dockerImage, arg })));
    const present = await Promise.all(change.missing.map((i) => ctx.facts.read(dockerImage, i)));
    const still = change.missing.filter((_, i) => !present[i]);
    if (still.length) return { failed: true, msg: `${where} did not bring ${still.join(', ')}: is it the image the compose files run (config role)?` };
    return { msg: `pulled ${change.missing.join(', ')}` };
  },
});
