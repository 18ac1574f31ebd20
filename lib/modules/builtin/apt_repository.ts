import { z } from 'zod';
import { aptSourceFiles } from '../../facts/builtin/apt-source-files.js';
import { aptCacheTime } from '../../facts/builtin/apt-cache-time.js';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { installedPackages } from '../../facts/builtin/packages.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, formatMode, modeArg } from '../arg-types.js';
import { resolveMode } from '../file-attributes.js';
import { defineModule, type Change } from '../module.js';
import { editSources } from './apt-sources-edit.js';

const aptRepositoryArgs = z.strictObject({
  /** a one-line source: `deb [signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/debian bookworm stable` */
  repo: z
    .string()
    .trim()
    .min(1, "Please set argument 'repo' to a non-empty value")
    .regex(/^[^\n]*$/, 'repo must be one line'),
  state: z.enum(['present', 'absent']).default('present'),
  /** the file under /etc/apt/sources.list.d, without .list (default: from the repository's URL) */
  filename: z
    .string()
    .min(1)
    .regex(/^[^/\n]+$/, 'filename is a name, not a path')
    .optional(),
  mode: modeArg.optional(),
  update_cache: boolArg.default(true),
  /** python-apt is not needed: accepted for playbooks written for Ansible */
  install_python_apt: boolArg.optional(),
  validate_certs: boolArg.default(true),
});

interface SourcesChange extends Change {
  script: string;
}

const q = (s: string) => shellJoin([s]);

/** The source files written (atomically: temp file, then rename), emptied ones removed, then the cache updated. */
const scriptOf = (writes: Map<string, string>, removes: string[], created: string | undefined, mode: number | undefined, update: boolean): string =>
  [
    ...[...writes].map(
      ([path, text]) =>
        `t=${q(`${path}.nop-new`)}; printf '%s' ${q(text)} > "$t" && chmod ${formatMode(path === created ? (mode ?? 0o644) : 0o644)} "$t" && mv -f "$t" ${q(path)}`,
    ),
    ...removes.map((path) => `rm -f -- ${q(path)}`),
    ...(update ? ['DEBIAN_FRONTEND=noninteractive apt-get update'] : []),
  ].join(' && ');

/** Ansible's apt_repository for one-line sources: the repository in its own .list file (or removed from all). */
export const aptRepositoryModule = defineModule({
  name: 'apt_repository',
  aliases: { 'update-cache': 'update_cache' },
  args: aptRepositoryArgs,
  facts: () => [request(aptSourceFiles, undefined)],
  plan: async (a, ctx) => {
    const files = await ctx.facts.read(aptSourceFiles, undefined);
    let edit: ReturnType<typeof editSources>;
    try {
      edit = editSources(files, a.repo, a.state === 'present', a.filename);
    } catch (e) {
      return { changes: [], failed: (e as Error).message };
    }
    const result = { repo: a.repo, state: a.state };
    if (edit.writes.size === 0 && edit.removes.length === 0) return { changes: [], result };
    const touched = [...edit.writes.keys(), ...edit.removes];
    const change: SourcesChange = {
      summary: `${a.state === 'present' ? 'add' : 'remove'} ${a.repo}`,
      diff: ctx.diff
        ? { path: touched.join(', '), before: touched.map((p) => files.get(p) ?? '').join(''), after: touched.map((p) => edit.writes.get(p) ?? '').join('') }
        : undefined,
      invalidates: [{ fact: aptSourceFiles }, { fact: aptCacheTime }, { fact: installedPackages }, ...touched.flatMap(fileFactsOf)],
      script: scriptOf(edit.writes, edit.removes, edit.created, a.mode === undefined ? undefined : resolveMode(a.mode, undefined, false), a.update_cache),
    };
    return { changes: [change], result };
  },
  apply: async ([change], _a, ctx) => {
    const res = await ctx.exec(change.script);
    if (res.code !== 0) return { changed: false, failed: true, msg: res.stderr.trim() || `apt_repository failed with rc=${res.code}` };
    return {};
  },
});
