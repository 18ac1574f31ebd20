import { z } from 'zod';
import { fileContent } from '../../facts/builtin/file-content.js';
import { sysctlValue } from '../../facts/builtin/sysctl-value.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { applyFileChange, fileContentFacts, planFileContent, type FileChange } from '../file-content.js';
import { defineModule, type Change } from '../module.js';

const TRUE = new Set(['yes', 'on', '1', 'true', 'y', 't']);
const FALSE = new Set(['no', 'off', '0', 'false', 'n', 'f']);

// Ansible's _parse_value: booleans become 1/0, strings are trimmed
const sysctlValueArg = z.union([z.string(), z.number(), z.boolean()]).transform((v) => {
  if (typeof v === 'boolean') return v ? '1' : '0';
  const s = String(v);
  if (TRUE.has(s.toLowerCase())) return '1';
  if (FALSE.has(s.toLowerCase())) return '0';
  return s.trim();
});

const sysctlArgs = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1, 'name cannot be blank')
      .regex(/^[^\s=]+$/, 'name must be a sysctl key (no blank, no =)'),
    value: sysctlValueArg.pipe(z.string().regex(/^[^\n]*$/, 'value must be one line')).optional(),
    state: z.enum(['present', 'absent']).default('present'),
    reload: boolArg.default(true),
    sysctl_set: boolArg.default(false),
    ignoreerrors: boolArg.default(false),
    sysctl_file: z.string().startsWith('/').default('/etc/sysctl.conf'),
  })
  .refine((a) => a.state === 'absent' || a.value !== undefined, 'value cannot be None')
  .refine((a) => a.state === 'absent' || a.value !== '', 'value cannot be blank');

type SysctlArgs = z.output<typeof sysctlArgs>;

const isSetting = (line: string) => line !== '' && !line.startsWith('#') && !line.startsWith(';') && line.includes('=');

const splitSetting = (line: string): [string, string] => {
  const eq = line.indexOf('=');
  return [line.slice(0, eq).trim(), line.slice(eq + 1).trim()];
};

/** The file's settings, and its text as Ansible rewrites it (every line stripped, `k=v`, the first of a key kept). */
const rewrite = (text: string, a: SysctlArgs): { current: string | undefined; text: string } => {
  const lines =
    text === ''
      ? []
      : text
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => l.trim());
  let current: string | undefined;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    if (!isSetting(line)) {
      out.push(line);
      continue;
    }
    const [k, v] = splitSetting(line);
    // the last occurrence is the file's value (later lines win, as sysctl -p applies them)
    if (k === a.name) current = v;
    if (seen.has(k)) continue;
    seen.add(k);
    if (k !== a.name) out.push(`${k}=${v}`);
    else if (a.state === 'present') out.push(`${k}=${a.value}`);
  }
  if (!seen.has(a.name) && a.state === 'present') out.push(`${a.name}=${a.value}`);
  return { current, text: out.map((l) => `${l}\n`).join('') };
};

const sameWords = (a: string | null, b: string | undefined) =>
  a !== null && b !== undefined && a.split(/\s+/).filter(Boolean).join(' ') === b.split(/\s+/).filter(Boolean).join(' ');

interface CommandChange extends Change {
  argv: string[];
}

/** ansible.posix.sysctl: a kernel parameter in a sysctl file, and (reload, sysctl_set) live. */
export const sysctlModule = defineModule<typeof sysctlArgs, FileChange | CommandChange>({
  name: 'sysctl',
  fqcn: 'ansible.posix.sysctl',
  aliases: { key: 'name', val: 'value' },
  args: sysctlArgs,
  facts: (a) => [request(sysctlValue, a.name), ...fileContentFacts(a.sysctl_file), request(fileContent, a.sysctl_file)],
  plan: async (a, ctx) => {
    const live = await ctx.facts.read(sysctlValue, a.name);
    const file = rewrite((await ctx.facts.read(fileContent, a.sysctl_file))?.toString('utf8') ?? '', a);
    const present = a.state === 'present';
    const writeFile = present ? file.current !== a.value : Boolean(file.current);
    let changed = writeFile;
    // the file already says so: a reload still makes the live value follow it
    if (!writeFile && present && a.reload && !sameWords(live, a.value)) changed = true;
    const setLive = a.sysctl_set && present && live !== null && !sameWords(live, a.value);
    if (a.sysctl_set && present && (live === null || setLive)) changed = true;
    const e = a.ignoreerrors ? ['-e'] : [];
    const invalidates = [{ fact: sysctlValue }];
    const changes: (FileChange | CommandChange)[] = [];
    if (setLive) changes.push({ summary: `set ${a.name}=${a.value}`, argv: ['sysctl', ...e, '-w', `${a.name}=${a.value}`], invalidates });
    if (writeFile) changes.push(...(await planFileContent(ctx, { path: a.sysctl_file, source: bufferSource(file.text) })).changes);
    if (changed && a.reload) changes.push({ summary: `reload ${a.sysctl_file}`, argv: ['sysctl', ...e, '-p', a.sysctl_file], invalidates });
    if (changed && changes.length === 0) changes.push({ summary: `${a.name} cannot be read`, argv: [], invalidates });
    return { changes };
  },
  apply: async (changes, a, ctx) => {
    for (const change of changes) {
      if ('want' in change) {
        await applyFileChange(ctx, change);
        continue;
      }
      if (change.argv.length === 0) continue;
      const res = await ctx.exec(shellJoin(change.argv), { env: { LANG: 'C', LC_ALL: 'C' } });
      const refused = /^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$/m.test(res.stderr);
      if (res.code !== 0 || refused) {
        const what = change.argv.includes('-p') ? 'Failed to reload sysctl: ' : `setting ${a.name} failed: `;
        return { changed: false, failed: true, msg: `${what}${res.stdout}${res.stderr}` };
      }
    }
    return {};
  },
});
