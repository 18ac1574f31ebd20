import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, listArg } from '../arg-types.js';
import { installedPackages } from '../../facts/builtin/packages.js';
import { systemFacts } from '../../facts/builtin/system.js';
import { request } from '../../facts/fact.js';
import { defineModule, type Change, type FileDiff, type ModuleContext, type ModuleResult, type Plan } from '../module.js';

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

const APT = 'DEBIAN_FRONTEND=noninteractive apt-get';
// keep locally modified config files, never prompt
const DPKG_OPTS = '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

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
interface AptChange extends Change {
  script: string;
  packages: string[];
  /** `latest` after an update: what to install is decided again from the updated archive */
  upgradeFrom?: Wanted[];
}

// installing or removing a package also ships or removes files, systemd units, cron files and drivers
// (the GPU fact): it may change anything, so its changes invalidate every fact; the update alone only the indexes
const aptStep = (summary: string, script: string, packages: string[], diff?: FileDiff): AptChange => ({
  summary,
  script,
  packages,
  diff,
});

const installStep = (specs: string[], diff?: FileDiff): AptChange =>
  aptStep(`install ${specs.join(' ')}`, `${APT} install -y ${DPKG_OPTS} ${shellJoin(specs)}`, specs, diff);

// the cache update alone is housekeeping: the task changed the host only if a package changed
const updateStep = (quiet: boolean): AptChange => ({
  ...aptStep('update the apt cache', `${APT} update`, []),
  quiet,
  invalidates: [{ fact: installedPackages }],
});

// packages `apt-get install` would install or upgrade (dependencies included), from a simulation: a read
const upgradable = async (ctx: ModuleContext, wanted: Wanted[], installed: Map<string, string>): Promise<Wanted[]> => {
  const res = await ctx.exec(`apt-get install -s -y ${shellJoin(wanted.map((w) => w.spec))}`);
  if (res.code !== 0) throw new Error(`apt-get simulation failed: ${res.stderr.trim()}`);
  const pending = [...res.stdout.matchAll(/^Inst (\S+)/gm)].map((m) => m[1]);
  return wanted.filter((w) => pending.includes(w.name) || !installed.has(w.name));
};

const planRemove = (ctx: ModuleContext, args: PackageArgs, wanted: Wanted[], installed: Map<string, string>): Plan<AptChange> => {
  const changes = wanted.filter((w) => installed.has(w.name));
  if (changes.length === 0) return { changes: [], result: { cache_updated: false, packages: [] } };
  const names = changes.map((w) => w.name);
  const diff = ctx.diff ? diffOf(changes, installed, () => '(absent)') : undefined;
  const verb = args.purge ? 'purge' : 'remove';
  return { changes: [aptStep(`${verb} ${names.join(' ')}`, `${APT} ${verb} -y ${DPKG_OPTS} ${shellJoin(names)}`, names, diff)], result: { packages: names } };
};

const planInstall = async (ctx: ModuleContext, args: PackageArgs, wanted: Wanted[], installed: Map<string, string>): Promise<Plan<AptChange>> => {
  const latest = args.state === 'latest';
  // `latest` is decided from the archive: planned from the current indexes, decided again after an update
  const changes = latest ? await upgradable(ctx, wanted, installed) : wanted.filter((w) => !satisfied(w, installed));
  const specs = changes.map((w) => w.spec);
  const diff = ctx.diff && changes.length ? diffOf(changes, installed, (w) => w.version ?? (latest ? '(latest)' : '(installed)')) : undefined;
  const install = changes.length ? [installStep(specs, diff)] : [];
  if (latest && args.update_cache) return { changes: [{ ...updateStep(true), upgradeFrom: wanted }, ...install], result: { packages: specs } };
  // a converged host stays fast: the cache is updated only when something is to be installed
  if (install.length === 0) return { changes: [], result: { cache_updated: false, packages: [] } };
  return { changes: [...(args.update_cache ? [updateStep(true)] : []), ...install], result: { packages: specs } };
};

const run = async (ctx: ModuleContext, step: AptChange) => {
  const res = await ctx.exec(step.script);
  return { ok: res.code === 0, out: { stdout: res.stdout, stderr: res.stderr, rc: res.code }, msg: res.stderr.trim() || `apt-get failed with rc=${res.code}` };
};

const runSteps = async (ctx: ModuleContext, changes: AptChange[]): Promise<Partial<ModuleResult>> => {
  let cacheUpdated = false;
  for (const step of changes) {
    const res = await run(ctx, step);
    if (!res.ok) return { ...res.out, cache_updated: cacheUpdated, changed: false, failed: true, msg: res.msg };
    if (!step.upgradeFrom) continue;
    cacheUpdated = true;
    const pending = await upgradable(ctx, step.upgradeFrom, await ctx.facts.read(installedPackages, undefined));
    if (pending.length === 0) return { cache_updated: true, changed: false, packages: [] };
    const install = await run(ctx, installStep(pending.map((w) => w.spec)));
    if (!install.ok) return { ...install.out, cache_updated: true, changed: false, failed: true, msg: install.msg };
    return { ...install.out, cache_updated: true, changed: true, packages: pending.map((w) => w.spec) };
  }
  return { cache_updated: changes.some((c) => c.packages.length === 0) };
};

/** Debian-family packages through apt, reading the installed set once per host. */
export const packageModule = defineModule({
  name: 'package',
  args: packageArgs,
  facts: (args) => [request(systemFacts, undefined), ...(args.name === undefined ? [] : [request(installedPackages, undefined)])],
  plan: async (args, ctx) => {
    const system = await ctx.facts.read(systemFacts, undefined);
    if (system.os_family !== 'Debian') return { changes: [], failed: `package: only apt (Debian family) is supported, not ${system.os_family}` };
    // a bare update_cache always updates, and Ansible reports it changed
    if (args.name === undefined) return { changes: [updateStep(false)], result: { cache_updated: false } };
    const wanted = args.name.map(parseSpec);
    const installed = await ctx.facts.read(installedPackages, undefined);
    return args.state === 'absent' ? planRemove(ctx, args, wanted, installed) : planInstall(ctx, args, wanted, installed);
  },
  apply: (changes, _args, ctx) => runSteps(ctx, changes),
});
