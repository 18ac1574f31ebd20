import { z } from 'zod';
import { aptCacheTime } from '../../facts/builtin/apt-cache-time.js';
import { debInfo } from '../../facts/builtin/deb-info.js';
import { installedPackages } from '../../facts/builtin/packages.js';
import { systemFacts } from '../../facts/builtin/system.js';
import { request, type FactRequest } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, intArg, listArg } from '../arg-types.js';
import { defineModule, type Change, type FileDiff, type ModuleContext, type ModuleResult, type Plan } from '../module.js';

const UPGRADES = { yes: 'upgrade', safe: 'upgrade', full: 'dist-upgrade', dist: 'dist-upgrade' } as const;

const aptArgs = z
  .strictObject({
    /** names, each optionally pinned: `nvidia-driver-550=550.127.05-0ubuntu1` (`*` globs the version) */
    name: listArg.optional(),
    state: z.enum(['present', 'absent', 'latest']).default('present'),
    /** `apt-get update` first; with packages, only when something is to be installed (a converged host stays fast) */
    update_cache: boolArg.optional(),
    /** update the cache only if it is older than this many seconds (implies update_cache) */
    cache_valid_time: intArg.default(0),
    purge: boolArg.default(false),
    autoremove: boolArg.default(false),
    /** a .deb on the host to install (with its dependencies) */
    deb: z.string().min(1).optional(),
    upgrade: z.union([z.boolean().transform((b) => (b ? 'yes' : 'no')), z.enum(['no', 'yes', 'safe', 'full', 'dist'])]).default('no'),
    install_recommends: boolArg.optional(),
    default_release: z.string().min(1).optional(),
    allow_unauthenticated: boolArg.default(false),
    allow_downgrade: boolArg.default(false),
    dpkg_options: z
      .string()
      .regex(/^[\w-]+(,[\w-]+)*$/, 'dpkg_options: comma-separated dpkg options such as force-confdef,force-confold')
      .default('force-confdef,force-confold'),
    lock_timeout: intArg.default(60),
    /** package's backend choice: apt is the only one */
    use: z.enum(['auto', 'apt']).optional(),
  })
  .refine((a) => a.name !== undefined || a.deb !== undefined || a.update_cache !== undefined || a.cache_valid_time > 0 || a.autoremove || a.upgrade !== 'no', {
    message: 'one of the following is required: autoremove, deb, name, update_cache, upgrade',
  })
  .refine((a) => a.deb === undefined || a.state === 'present', 'deb only supports state=present');

type AptArgs = z.output<typeof aptArgs>;

interface Wanted {
  name: string;
  version?: string;
  spec: string;
}

// keep locally modified config files and never prompt (Ansible's dpkg_options), wait for the dpkg lock
const aptGet = (a: AptArgs, ...rest: string[]) =>
  [
    'DEBIAN_FRONTEND=noninteractive apt-get',
    ...rest,
    ...a.dpkg_options.split(',').flatMap((o) => ['-o', `Dpkg::Options::=--${o}`]),
    '-o',
    `DPkg::Lock::Timeout=${a.lock_timeout}`,
    ...(a.install_recommends === true ? ['--install-recommends'] : a.install_recommends === false ? ['--no-install-recommends'] : []),
    ...(a.default_release ? ['-t', shellJoin([a.default_release])] : []),
    ...(a.allow_unauthenticated ? ['--allow-unauthenticated'] : []),
    ...(a.allow_downgrade ? ['--allow-downgrades'] : []),
  ].join(' ');

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

/** One apt step; it changes the installed set (and, for update, the archive indexes). */
export interface AptChange extends Change {
  script: string;
  packages: string[];
  /** `latest` after an update: what to install is decided again from the updated archive */
  upgradeFrom?: Wanted[];
  /** the cache update itself */
  update?: boolean;
}

// installing or removing a package also ships or removes files, systemd units, cron files and drivers
// (the GPU fact): it may change anything, so its changes invalidate every fact; the update alone only the indexes
const aptStep = (summary: string, script: string, packages: string[], diff?: FileDiff): AptChange => ({
  summary,
  script,
  packages,
  diff,
});

const installStep = (a: AptArgs, specs: string[], diff?: FileDiff): AptChange =>
  aptStep(`install ${specs.join(' ')}`, `${aptGet(a, 'install', '-y')} ${shellJoin(specs)}`, specs, diff);

// the cache update alone is housekeeping when packages are asked for: the task changed the host only if one did
const updateStep = (quiet: boolean): AptChange => ({
  ...aptStep('update the apt cache', 'DEBIAN_FRONTEND=noninteractive apt-get update', []),
  quiet,
  update: true,
  invalidates: [{ fact: installedPackages }, { fact: aptCacheTime }],
});

/** What an apt-get command would do (its simulation: a read): the packages it would install (Inst) or remove (Remv). */
const simulate = async (ctx: ModuleContext, verb: string, args: string, kind: 'Inst' | 'Remv'): Promise<string[]> => {
  const res = await ctx.exec(`apt-get ${verb} -s -y ${args}`);
  if (res.code !== 0) throw new Error(`apt-get simulation failed: ${res.stderr.trim()}`);
  return [...res.stdout.matchAll(new RegExp(`^${kind} (\\S+)`, 'gm'))].map((m) => m[1]);
};

// packages `apt-get install` would install or upgrade (dependencies included), from a simulation
const upgradable = async (ctx: ModuleContext, wanted: Wanted[], installed: Map<string, string>): Promise<Wanted[]> => {
  const pending = await simulate(ctx, 'install', shellJoin(wanted.map((w) => w.spec)), 'Inst');
  return wanted.filter((w) => pending.includes(w.name) || !installed.has(w.name));
};

const planRemove = (ctx: ModuleContext, a: AptArgs, wanted: Wanted[], installed: Map<string, string>): AptChange[] => {
  const changes = wanted.filter((w) => installed.has(w.name));
  if (changes.length === 0) return [];
  const names = changes.map((w) => w.name);
  const diff = ctx.diff ? diffOf(changes, installed, () => '(absent)') : undefined;
  const verb = a.purge ? 'purge' : 'remove';
  return [aptStep(`${verb} ${names.join(' ')}`, `${aptGet(a, verb, '-y', ...(a.autoremove ? ['--auto-remove'] : []))} ${shellJoin(names)}`, names, diff)];
};

/** Packages the archive does not know (apt-get's simulation says so): Ansible's "No package matching … is available". */
const unavailable = async (ctx: ModuleContext, wanted: Wanted[]): Promise<string | undefined> => {
  const res = await ctx.exec(`apt-get install -s -y ${shellJoin(wanted.map((w) => w.spec))}`);
  if (res.code === 0) return undefined;
  const missing = /Unable to locate package (\S+)|Version '([^']+)' for '([^']+)' was not found/.exec(res.stderr);
  if (missing?.[1]) return `No package matching '${missing[1]}' is available`;
  if (missing?.[3]) return `No package matching '${missing[3]}=${missing[2]}' is available`;
  return `apt-get cannot install ${wanted.map((w) => w.spec).join(' ')}: ${res.stderr.trim()}`;
};

const planInstall = async (
  ctx: ModuleContext,
  a: AptArgs,
  wanted: Wanted[],
  installed: Map<string, string>,
  updating: boolean,
): Promise<AptChange[] | string> => {
  const latest = a.state === 'latest';
  // `latest` is decided from the archive: planned from the current indexes, decided again after an update
  const changes = latest ? await upgradable(ctx, wanted, installed) : wanted.filter((w) => !satisfied(w, installed));
  if (changes.length === 0) return [];
  // what is missing must exist in the archive (after an update it may: apt-get says so then; check mode updates nothing)
  const missing = latest || (updating && !ctx.check) ? undefined : await unavailable(ctx, changes);
  if (missing) return missing;
  const diff = ctx.diff ? diffOf(changes, installed, (w) => w.version ?? (latest ? '(latest)' : '(installed)')) : undefined;
  return [
    installStep(
      a,
      changes.map((w) => w.spec),
      diff,
    ),
  ];
};

/** The .deb: installed (with its dependencies) unless that version of its package already is. */
const planDeb = async (ctx: ModuleContext, a: AptArgs, installed: Map<string, string>): Promise<AptChange[] | string> => {
  const info = await ctx.facts.read(debInfo, a.deb!);
  if (!info) return `Unable to install package: ${a.deb} is not a readable .deb`;
  if (installed.get(info.name) === info.version) return [];
  const path = a.deb!.startsWith('/') ? a.deb! : `./${a.deb}`;
  const diff = ctx.diff ? { path: 'packages', before: describe([info.name], installed), after: `${info.name} ${info.version}\n` } : undefined;
  return [aptStep(`install ${a.deb}`, `${aptGet(a, 'install', '-y')} ${shellJoin([path])}`, [info.name], diff)];
};

const planUpgrade = async (ctx: ModuleContext, a: AptArgs): Promise<AptChange[]> => {
  if (a.upgrade === 'no') return [];
  const command = UPGRADES[a.upgrade];
  const pending = await simulate(ctx, command, '', 'Inst');
  return pending.length ? [aptStep(`${command} (${pending.join(' ')})`, aptGet(a, command, '-y', ...(a.autoremove ? ['--auto-remove'] : [])), pending)] : [];
};

const planAutoremove = async (ctx: ModuleContext, a: AptArgs, planned: AptChange[]): Promise<AptChange[]> => {
  // a removal of the named packages carries --auto-remove itself
  if (!a.autoremove || planned.some((c) => c.script.includes('--auto-remove'))) return [];
  const orphans = await simulate(ctx, 'autoremove', '', 'Remv');
  return orphans.length ? [aptStep(`autoremove ${orphans.join(' ')}`, aptGet(a, 'autoremove', '-y', ...(a.purge ? ['--purge'] : [])), orphans)] : [];
};

const isStale = async (ctx: ModuleContext, a: AptArgs): Promise<boolean> => {
  if (a.cache_valid_time === 0) return true;
  const t = await ctx.facts.read(aptCacheTime, undefined);
  return t.mtime + a.cache_valid_time < t.now;
};

const wantsUpdate = (a: AptArgs) => a.update_cache === true || (a.update_cache === undefined && a.cache_valid_time > 0);

const aptFacts = (a: AptArgs): FactRequest[] => [
  request(systemFacts, undefined),
  ...(a.name !== undefined || a.deb !== undefined ? [request(installedPackages, undefined)] : []),
  ...(wantsUpdate(a) ? [request(aptCacheTime, undefined)] : []),
  ...(a.deb !== undefined ? [request(debInfo, a.deb)] : []),
];

const planApt = async (a: AptArgs, ctx: ModuleContext): Promise<Plan<AptChange>> => {
  const system = await ctx.facts.read(systemFacts, undefined);
  if (system.os_family !== 'Debian') return { changes: [], failed: `apt: only Debian-family hosts have apt, not ${system.os_family}` };
  const update = wantsUpdate(a) && (await isStale(ctx, a));
  const cacheTime = wantsUpdate(a) ? (await ctx.facts.read(aptCacheTime, undefined)).mtime : undefined;
  const result = { cache_updated: false, ...(cacheTime !== undefined ? { cache_update_time: cacheTime } : {}) };
  const onlyCache = a.name === undefined && a.deb === undefined && a.upgrade === 'no' && !a.autoremove;
  // a bare cache update is the task's change (Ansible reports it changed when the cache moved)
  if (onlyCache) return { changes: update ? [updateStep(false)] : [], result };
  const installed = a.name !== undefined || a.deb !== undefined ? await ctx.facts.read(installedPackages, undefined) : new Map<string, string>();
  const wanted = (a.name ?? []).map(parseSpec);
  const deb = a.deb !== undefined ? await planDeb(ctx, a, installed) : [];
  if (typeof deb === 'string') return { changes: [], result, failed: deb };
  const named = a.state === 'absent' ? planRemove(ctx, a, wanted, installed) : wanted.length ? await planInstall(ctx, a, wanted, installed, update) : [];
  if (typeof named === 'string') return { changes: [], result, failed: named };
  const steps = [...deb, ...named, ...(await planUpgrade(ctx, a))];
  steps.push(...(await planAutoremove(ctx, a, steps)));
  const packages = named.flatMap((s) => s.packages);
  const out = { ...result, ...(a.name !== undefined ? { packages } : {}) };
  if (a.state === 'latest' && update)
    return { changes: [{ ...updateStep(true), upgradeFrom: wanted }, ...steps.filter((s) => !named.includes(s))], result: out };
  // a converged host stays fast: the cache is updated only when something is to be installed
  if (steps.length === 0) return { changes: [], result: out };
  return { changes: [...(update && a.state !== 'absent' ? [updateStep(true)] : []), ...steps], result: out };
};

const run = async (ctx: ModuleContext, step: AptChange) => {
  const res = await ctx.exec(step.script);
  return { ok: res.code === 0, out: { stdout: res.stdout, stderr: res.stderr, rc: res.code }, msg: res.stderr.trim() || `apt-get failed with rc=${res.code}` };
};

const cacheMtime = async (ctx: ModuleContext): Promise<number> => {
  ctx.facts.invalidate([{ fact: aptCacheTime }]);
  return (await ctx.facts.read(aptCacheTime, undefined)).mtime;
};

const runSteps = async (ctx: ModuleContext, a: AptArgs, changes: AptChange[], before: Partial<ModuleResult>): Promise<Partial<ModuleResult>> => {
  let cache: Partial<ModuleResult> = {};
  let changed = false;
  let out: Partial<ModuleResult> = {};
  for (const step of changes) {
    const res = await run(ctx, step);
    if (!res.ok) return { ...res.out, ...cache, changed: false, failed: true, msg: res.msg };
    if (step.update) {
      const time = await cacheMtime(ctx);
      cache = { cache_updated: time !== before.cache_update_time, cache_update_time: time };
      // a bare update is changed when the cache moved
      if (!step.quiet) changed = cache.cache_updated === true;
    } else {
      changed = true;
      out = res.out;
    }
    if (!step.upgradeFrom) continue;
    const pending = await upgradable(ctx, step.upgradeFrom, await ctx.facts.read(installedPackages, undefined));
    if (pending.length === 0) return { ...cache, changed, packages: [] };
    const install = await run(
      ctx,
      installStep(
        a,
        pending.map((w) => w.spec),
      ),
    );
    if (!install.ok) return { ...install.out, ...cache, changed: false, failed: true, msg: install.msg };
    changed = true;
    out = { ...install.out, packages: pending.map((w) => w.spec) };
  }
  return { ...out, ...cache, changed };
};

/** Debian's apt: packages present, absent or latest, a .deb, upgrades, autoremove, and the cache (with cache_valid_time). */
export const aptModule = defineModule({
  name: 'apt',
  aliases: { pkg: 'name', package: 'name', 'update-cache': 'update_cache', 'install-recommends': 'install_recommends', 'default-release': 'default_release' },
  args: aptArgs,
  facts: aptFacts,
  plan: planApt,
  apply: async (changes, a, ctx) => {
    const before = wantsUpdate(a) ? { cache_update_time: (await ctx.facts.read(aptCacheTime, undefined)).mtime } : {};
    return runSteps(ctx, a, changes, before);
  },
});
