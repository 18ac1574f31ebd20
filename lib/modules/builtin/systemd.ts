import { z } from 'zod';
import { systemdShow, type UnitShow } from '../../facts/builtin/systemd-show.js';
import { systemdUnit } from '../../facts/builtin/systemd-unit.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { defineModule, type Change, type FileDiff, type ModuleContext, type ModuleResult } from '../module.js';

const systemdArgs = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .refine((n) => !/[*?[]/.test(n), 'This module does not currently support using glob patterns')
      .optional(),
    state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional(),
    enabled: boolArg.optional(),
    masked: boolArg.optional(),
    daemon_reload: boolArg.default(false),
    daemon_reexec: boolArg.default(false),
    /** the system manager only: user units need the user's session bus */
    scope: z.literal('system').default('system'),
    no_block: boolArg.default(false),
    force: boolArg.optional(),
  })
  .refine((a) => a.state !== undefined || a.enabled !== undefined || a.masked !== undefined || a.daemon_reload || a.daemon_reexec, {
    message: 'one of the following is required: state, enabled, masked, daemon_reload, daemon_reexec',
  })
  .refine(
    (a) => a.name !== undefined || (a.state === undefined && a.enabled === undefined && a.masked === undefined),
    'name is required with state, enabled or masked',
  );

type SystemdArgs = z.output<typeof systemdArgs>;

const RUNNING = new Set(['active', 'activating']);

const found = (u: UnitShow) => (u.properties.LoadState ?? 'not-found') !== 'not-found';
const isEnabled = (u: UnitShow) => u.enabledRc === 0 && u.enabledState !== 'indirect' && u.enabledState !== 'alias';

/** The systemctl actions that bring a unit where the task wants it, in Ansible's order: mask, enable, state. */
const actionsFor = (a: SystemdArgs, u: UnitShow): string[] | string => {
  const actions: string[] = [];
  if (a.masked !== undefined && (u.enabledState === 'masked') !== a.masked) actions.push(a.masked ? 'mask' : 'unmask');
  if ((a.enabled !== undefined || a.state !== undefined) && !found(u) && !actions.includes('unmask'))
    return `Could not find the requested service ${a.name}: host`;
  if (a.enabled !== undefined && isEnabled(u) !== a.enabled) actions.push(a.enabled ? 'enable' : 'disable');
  if (a.state === undefined) return actions;
  const active = u.properties.ActiveState ?? '';
  const running = RUNNING.has(active);
  if (a.state === 'started' && !running) actions.push('start');
  if (a.state === 'stopped' && (running || active === 'deactivating')) actions.push('stop');
  if (a.state === 'restarted' || a.state === 'reloaded') actions.push(running ? a.state.slice(0, -2) : 'start');
  return actions;
};

/** Ansible's return values: the unit's properties as read before the task, and where it ends up. */
const resultOf = (a: SystemdArgs, u: UnitShow | undefined, actions: string[]): Record<string, unknown> => ({
  name: a.name ?? null,
  status: u?.properties ?? {},
  ...(a.enabled !== undefined && u ? { enabled: actions.includes('enable') || (isEnabled(u) && !actions.includes('disable')) } : {}),
  ...(a.state !== undefined ? { state: a.state === 'stopped' ? 'stopped' : 'started' } : {}),
});

const describe = (u: UnitShow): string => `ActiveState: ${u.properties.ActiveState ?? ''}\nUnitFileState: ${u.enabledState}\n`;

const diffOf = (name: string, u: UnitShow, actions: string[]): FileDiff => {
  const active = actions.some((x) => ['start', 'restart', 'reload'].includes(x))
    ? 'active'
    : actions.includes('stop')
      ? 'inactive'
      : (u.properties.ActiveState ?? '');
  const file = actions.includes('mask')
    ? 'masked'
    : actions.includes('enable')
      ? 'enabled'
      : actions.includes('disable')
        ? 'disabled'
        : actions.includes('unmask')
          ? '(unmasked)'
          : u.enabledState;
  return { path: `systemd ${name}`, before: describe(u), after: `ActiveState: ${active}\nUnitFileState: ${file}\n` };
};

interface SystemdChange extends Change {
  /** daemon-reload / daemon-reexec first */
  manager: string[];
  actions: string[];
}

const systemctl = (a: SystemdArgs) => ['systemctl', ...(a.no_block ? ['--no-block'] : []), ...(a.force ? ['--force'] : [])];

const run = async (ctx: ModuleContext, argv: string[]): Promise<string | undefined> => {
  const res = await ctx.exec(shellJoin(argv));
  return res.code === 0 ? undefined : `${res.stdout}${res.stderr}`.trim() || `${argv.join(' ')} failed with rc=${res.code}`;
};

const UNIT_FACTS = [{ fact: systemdShow }, { fact: systemdUnit }];

/** Ansible's systemd: daemon-reload/reexec, mask, enable, and the unit's state, doing only what systemd's answers say is needed. */
export const systemdModule = defineModule({
  name: 'systemd',
  aliases: { service: 'name', unit: 'name', 'daemon-reload': 'daemon_reload', 'daemon-reexec': 'daemon_reexec' },
  args: systemdArgs,
  facts: (a) => (a.name ? [request(systemdShow, a.name)] : []),
  plan: async (a, ctx) => {
    const u = a.name ? await ctx.facts.read(systemdShow, a.name) : undefined;
    const manager = [...(a.daemon_reload ? ['daemon-reload'] : []), ...(a.daemon_reexec ? ['daemon-reexec'] : [])];
    const planned = u ? actionsFor(a, u) : [];
    // a unit written just now is known to systemd only after the reload: decided again after it
    if (typeof planned === 'string' && !(manager.length && !ctx.check)) return { changes: [], result: resultOf(a, u, []), failed: planned };
    const actions = typeof planned === 'string' ? [] : planned;
    if (actions.length === 0 && manager.length === 0) return { changes: [], result: resultOf(a, u, []) };
    const change: SystemdChange = {
      summary: [...manager, ...actions].join(', ') + (a.name ? ` ${a.name}` : ''),
      diff: ctx.diff && u && actions.length ? diffOf(a.name!, u, actions) : undefined,
      invalidates: UNIT_FACTS,
      manager,
      actions,
      // reloading the manager is housekeeping: the task changed the host only if the unit did
      quiet: actions.length === 0 && typeof planned !== 'string',
    };
    return { changes: [change], result: resultOf(a, u, actions) };
  },
  apply: async ([change], a, ctx): Promise<Partial<ModuleResult>> => {
    for (const m of change.manager) {
      const err = await run(ctx, ['systemctl', m]);
      if (err) return { changed: false, failed: true, msg: `failure during ${m}: ${err}` };
    }
    let actions = change.actions;
    let u: UnitShow | undefined;
    if (change.manager.length && a.name) {
      ctx.facts.invalidate(UNIT_FACTS);
      u = await ctx.facts.read(systemdShow, a.name);
      const again = actionsFor(a, u);
      if (typeof again === 'string') return { changed: false, failed: true, msg: again, ...resultOf(a, u, []) };
      actions = again;
    }
    for (const action of actions) {
      const err = await run(ctx, [...systemctl(a), action, '--', a.name!]);
      if (err) return { changed: false, failed: true, msg: `Unable to ${action} service ${a.name}: ${err}` };
    }
    return { changed: actions.length > 0, ...(u ? resultOf(a, u, actions) : {}) };
  },
});
