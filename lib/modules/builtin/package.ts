import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, listArg } from '../arg-types.js';
import { defineModule, type FileDiff, type ModuleContext, type ModuleResult } from '../module.js';

const packageArgs = z
  .strictObject({
    /** names, each optionally pinned: `nvidia-driver-550=550.127.05-0ubuntu1` (`*` globs the version) */
    name: listArg.optional(),
    state: z.enum(['present', 'absent', 'latest']).default('present'),
    /** `apt-get update` first, but only when something is to be installed (a converged host stays fast) */
    update_cache: boolArg.default(false),
    purge: boolArg.default(false),
  })
  .refine((a) => a.name !== undefined || a.update_cache, 'name or update_cache is required');

type PackageArgs = z.output<typeof packageArgs>;

interface Wanted {
  name: string;
  version?: string;
  spec: string;
}

const DPKG_KEY = 'dpkg-packages';
const APT = 'DEBIAN_FRONTEND=noninteractive apt-get';
// keep locally modified config files, never prompt
const DPKG_OPTS = '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

/** Installed packages and their versions, from one dpkg-query call shared by every package task on the host. */
const installedPackages = (ctx: ModuleContext): Promise<Map<string, string>> =>
  ctx.facts.cached(DPKG_KEY, async () => {
    const res = await ctx.exec(`dpkg-query -W -f='\${Package} \${Version} \${db:Status-Abbrev}\\n'`);
    if (res.code !== 0) throw new Error(`dpkg-query failed: ${res.stderr.trim()}`);
    const installed = new Map<string, string>();
    for (const line of res.stdout.split('\n')) {
      const [name, version, status] = line.split(' ');
      // the second letter of the status abbreviation is the current state: i = installed
      if (name && status?.[1] === 'i') installed.set(name, version);
    }
    return installed;
  });

const parseSpec = (spec: string): Wanted => {
  const eq = spec.indexOf('=');
  return eq < 0 ? { name: spec, spec } : { name: spec.slice(0, eq), version: spec.slice(eq + 1), spec };
};

const versionMatches = (pattern: string, version: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(version);

const satisfied = (w: Wanted, installed: Map<string, string>): boolean => {
  const version = installed.get(w.name);
  return version !== undefined && (w.version === undefined || versionMatches(w.version, version));
};

const describe = (names: string[], installed: Map<string, string>): string => names.map((n) => `${n} ${installed.get(n) ?? '(absent)'}\n`).join('');

const diffOf = (changes: Wanted[], installed: Map<string, string>, after: (w: Wanted) => string): FileDiff => ({
  path: 'packages',
  before: describe(
    changes.map((w) => w.name),
    installed,
  ),
  after: changes.map((w) => `${w.name} ${after(w)}\n`).join(''),
});

const apt = async (ctx: ModuleContext, script: string): Promise<{ ok: boolean; stdout: string; stderr: string; rc: number }> => {
  const res = await ctx.exec(script);
  return { ok: res.code === 0, stdout: res.stdout, stderr: res.stderr, rc: res.code };
};

// packages `apt-get install` would install or upgrade (dependencies included), from a simulation
const upgradable = async (ctx: ModuleContext, wanted: Wanted[]): Promise<string[]> => {
  const res = await ctx.exec(`apt-get install -s -y ${shellJoin(wanted.map((w) => w.spec))}`);
  if (res.code !== 0) throw new Error(`apt-get simulation failed: ${res.stderr.trim()}`);
  return [...res.stdout.matchAll(/^Inst (\S+)/gm)].map((m) => m[1]);
};

const finish = (
  ctx: ModuleContext,
  step: Awaited<ReturnType<typeof apt>>,
  changes: Wanted[],
  diff: FileDiff | undefined,
  cacheUpdated: boolean,
): ModuleResult => {
  ctx.facts.drop(DPKG_KEY);
  const base = { cache_updated: cacheUpdated, packages: changes.map((w) => w.spec), stdout: step.stdout, stderr: step.stderr, rc: step.rc };
  if (!step.ok) return { ...base, changed: false, failed: true, msg: step.stderr.trim() || `apt-get failed with rc=${step.rc}` };
  return { ...base, changed: true, ...(diff ? { diff: [diff] } : {}) };
};

const updateCache = async (ctx: ModuleContext, args: PackageArgs): Promise<boolean> => {
  if (!args.update_cache || ctx.check) return false;
  const res = await ctx.exec(`${APT} update`);
  if (res.code !== 0) throw new Error(`apt-get update failed: ${res.stderr.trim()}`);
  return true;
};

const remove = async (ctx: ModuleContext, args: PackageArgs, wanted: Wanted[], installed: Map<string, string>): Promise<ModuleResult> => {
  const changes = wanted.filter((w) => installed.has(w.name));
  if (changes.length === 0) return { changed: false, cache_updated: false, packages: [] };
  const diff = ctx.diff ? diffOf(changes, installed, () => '(absent)') : undefined;
  if (ctx.check) return { changed: true, packages: changes.map((w) => w.name), ...(diff ? { diff: [diff] } : {}) };
  const step = await apt(ctx, `${APT} ${args.purge ? 'purge' : 'remove'} -y ${DPKG_OPTS} ${shellJoin(changes.map((w) => w.name))}`);
  return finish(ctx, step, changes, diff, false);
};

const install = async (ctx: ModuleContext, args: PackageArgs, wanted: Wanted[], installed: Map<string, string>): Promise<ModuleResult> => {
  const missing = wanted.filter((w) => !satisfied(w, installed));
  if (args.state === 'present' && missing.length === 0) return { changed: false, cache_updated: false, packages: [] };
  const cacheUpdated = await updateCache(ctx, args);
  const pending = args.state === 'latest' ? await upgradable(ctx, wanted) : [];
  const changes = args.state === 'latest' ? wanted.filter((w) => pending.includes(w.name) || !installed.has(w.name)) : missing;
  if (changes.length === 0) return { changed: false, cache_updated: cacheUpdated, packages: [] };
  const diff = ctx.diff ? diffOf(changes, installed, (w) => w.version ?? (args.state === 'latest' ? '(latest)' : '(installed)')) : undefined;
  if (ctx.check) return { changed: true, packages: changes.map((w) => w.spec), ...(diff ? { diff: [diff] } : {}) };
  const step = await apt(ctx, `${APT} install -y ${DPKG_OPTS} ${shellJoin(changes.map((w) => w.spec))}`);
  return finish(ctx, step, changes, diff, cacheUpdated);
};

/** Debian-family packages through apt, reading the installed set once per host. */
export const packageModule = defineModule({
  name: 'package',
  args: packageArgs,
  run: async (args, ctx) => {
    const system = await ctx.facts.system();
    if (system.os_family !== 'Debian') return { changed: false, failed: true, msg: `package: only apt (Debian family) is supported, not ${system.os_family}` };
    if (args.name === undefined) return { changed: false, cache_updated: await updateCache(ctx, args) };
    const wanted = args.name.map(parseSpec);
    const installed = await installedPackages(ctx);
    return args.state === 'absent' ? remove(ctx, args, wanted, installed) : install(ctx, args, wanted, installed);
  },
});
