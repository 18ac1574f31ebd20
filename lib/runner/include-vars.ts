import { readdir, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import type { ModuleResult } from '../modules/module.js';
import { renderValue } from '../template/render.js';
import { parseKeyValues } from './free-form.js';
import { isMapping, loadYaml, validate, type PathPart, type YamlSource } from './source.js';
import type { TaskAction } from './types.js';

/**
 * `include_vars`: variables from a YAML/JSON file or a directory of them on the controller, as host
 * facts (Ansible's action plugin: `ansible_facts` and `ansible_included_var_files`).
 */
const argsSchema = z
  .strictObject({
    file: z.string().optional(),
    dir: z.string().optional(),
    name: z
      .string()
      .regex(/^[A-Za-z_]\w*$/, 'must be a valid variable name')
      .optional(),
    files_matching: z.string().optional(),
    ignore_files: z.union([z.string(), z.array(z.string())]).optional(),
    extensions: z.array(z.string()).optional(),
    depth: z.number().int().min(0).optional(),
    ignore_unknown_extensions: z.boolean().optional(),
    hash_behaviour: z.enum(['replace', 'merge']).optional(),
  })
  .refine((a) => !(a.file && a.dir), 'give either file or dir, not both')
  .refine((a) => a.file || a.dir, 'give file or dir');
type Args = z.output<typeof argsSchema>;

const mapping = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const { options, raw } = parseKeyValues(value);
  return raw === undefined ? options : { ...options, file: raw };
};

/** Validate the task's argument at load (untemplated parts only: a templated name is checked when reached). */
export const parseIncludeVars = (value: unknown, src: YamlSource, path: PathPart[]): Args => validate(argsSchema, mapping(value), src, path);

// the lookup order of a relative name: the including file's vars/ and directory, then the playbook's
const candidates = (name: string, dirs: string[]): string[] => (isAbsolute(name) ? [name] : dirs.flatMap((d) => [join(d, 'vars', name), join(d, name)]));

const firstExisting = async (paths: string[]): Promise<string | undefined> => {
  for (const p of paths)
    if (
      await stat(p).then(
        () => true,
        () => false,
      )
    )
      return p;
  return undefined;
};

const readVarsFile = async (file: string): Promise<Record<string, unknown>> => {
  const src = await loadYaml(file);
  if (src.value === null || src.value === undefined) return {};
  if (!isMapping(src.value)) throw src.error([], 'a vars file must be a mapping');
  return src.value;
};

const walk = async (dir: string, depth: number, level = 1): Promise<string[]> => {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (depth === 0 || level < depth) out.push(...(await walk(path, depth, level + 1)));
    } else out.push(path);
  }
  return out;
};

const dirFiles = async (dir: string, a: Args): Promise<string[]> => {
  const extensions = (a.extensions ?? ['yaml', 'yml', 'json']).map((e) => `.${e}`);
  const ignore = a.ignore_files === undefined ? [] : Array.isArray(a.ignore_files) ? a.ignore_files : [a.ignore_files];
  const matching = a.files_matching === undefined ? undefined : new RegExp(`^(?:${a.files_matching})`);
  const files = await walk(dir, a.depth ?? 0);
  return files.filter((f) => {
    const name = basename(f);
    if (
      ignore.some(
        (i) =>
          name === i ||
          new RegExp(
            `^${i
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '.*')
              .replace(/\?/g, '.')}$`,
          ).test(name),
      )
    )
      return false;
    if (matching && !matching.test(name)) return false;
    if (extensions.includes(extname(name))) return true;
    if (a.ignore_unknown_extensions) return false;
    throw new Error(`${relative(dir, f)} does not have a valid extension: ${extensions.map((e) => e.slice(1)).join(', ')}`);
  });
};

const merge = (into: Record<string, unknown>, from: Record<string, unknown>, deep: boolean): Record<string, unknown> => {
  if (!deep) return { ...into, ...from };
  const out = { ...into };
  for (const [k, v] of Object.entries(from)) out[k] = isMapping(out[k]) && isMapping(v) ? merge(out[k] as Record<string, unknown>, v, true) : v;
  return out;
};

/** The include_vars task's action: `dirs` are where a relative file or dir is looked for. */
export const includeVarsAction = (raw: unknown, dirs: string[]): TaskAction => ({
  kind: 'code',
  invalidates: [],
  run: async (_ctx, vars): Promise<ModuleResult> => {
    const a = argsSchema.parse(renderValue(mapping(raw), vars));
    const wanted = (a.file ?? a.dir)!;
    const found = await firstExisting(candidates(wanted, dirs));
    if (!found) return { changed: false, failed: true, msg: `Could not find or access '${wanted}'` };
    const files = a.dir ? await dirFiles(found, a) : [found];
    let loaded: Record<string, unknown> = {};
    for (const f of files) loaded = merge(loaded, await readVarsFile(f), a.hash_behaviour === 'merge');
    return {
      changed: false,
      ansible_facts: a.name ? { [a.name]: loaded } : loaded,
      ansible_included_var_files: files,
    };
  },
});
