import { z } from 'zod';
import { fileContent } from '../../facts/builtin/file-content.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { request } from '../../facts/fact.js';
import { defineModule } from '../module.js';

const slurpArgs = z.strictObject({ src: z.string().min(1) });

/** Ansible's slurp: a file's content, base64-encoded, read with the play's other facts. */
export const slurpModule = defineModule({
  name: 'slurp',
  aliases: { path: 'src' },
  args: slurpArgs,
  facts: (a) => [request(fileStat, a.src), request(fileContent, a.src)],
  plan: async (a, ctx) => {
    const state = await ctx.facts.read(fileStat, a.src);
    if (!state.exists) return { changes: [], failed: `file not found: ${a.src}` };
    if (state.type === 'directory') return { changes: [], failed: `source is a directory and must be a file: ${a.src}` };
    const content = await ctx.facts.read(fileContent, a.src).catch((e: Error) => e);
    if (content instanceof Error) return { changes: [], failed: `file is not readable: ${a.src}` };
    return { changes: [], result: { content: (content ?? Buffer.alloc(0)).toString('base64'), source: a.src, encoding: 'base64' } };
  },
});
