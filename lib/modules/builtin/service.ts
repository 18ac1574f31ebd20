import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { systemdUnit, type UnitStatus } from '../../facts/builtin/systemd-unit.js';
import { request } from '../../facts/fact.js';
import { defineModule, type Change, type FileDiff } from '../module.js';

const serviceArgs = z
  .strictObject({
    name: z.string().min(1),
    state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional(),
    enabled: boolArg.optional(),
    /** `systemctl daemon-reload` first, after a unit file changed */
    daemon_reload: boolArg.default(false),
  })
  .refine((a) => a.state !== undefined || a.enabled !== undefined || a.daemon_reload, 'one of state, enabled or daemon_reload is required');

type ServiceArgs = z.output<typeof serviceArgs>;

const RUNNING = new Set(['active', 'activating', 'reloading']);
// states `systemctl disable` can change (static or generated units cannot be disabled)
const DISABLEABLE = new Set(['enabled', 'enabled-runtime', 'alias']);

const enableAction = (status: UnitStatus, enabled: boolean | undefined): string | undefined => {
  if (enabled === true && !status.enabled) return 'enable';
  if (enabled === false && DISABLEABLE.has(status.UnitFileState)) return 'disable';
  return undefined;
};

const stateAction = (status: UnitStatus, state: ServiceArgs['state']): string | undefined => {
  const running = RUNNING.has(status.ActiveState);
  if (state === 'started') return running ? undefined : 'start';
  if (state === 'stopped') return running ? 'stop' : undefined;
  if (state === 'restarted') return 'restart';
  if (state === 'reloaded') return running ? 'reload' : 'start';
  return undefined;
};

const describe = (active: boolean, enabled: boolean) => `running: ${active}\nenabled: ${enabled}\n`;

const diffOf = (name: string, status: UnitStatus, actions: string[]): FileDiff => {
  const running = RUNNING.has(status.ActiveState);
  const runningAfter = actions.some((a) => ['start', 'restart', 'reload'].includes(a)) || (running && !actions.includes('stop'));
  const enabledAfter = actions.includes('enable') || (status.enabled && !actions.includes('disable'));
  return { path: `service ${name}`, before: describe(running, status.enabled), after: describe(runningAfter, enabledAfter) };
};

const actionsFor = (status: UnitStatus, args: ServiceArgs): string[] =>
  [enableAction(status, args.enabled), stateAction(status, args.state)].filter((a) => a !== undefined);

const systemctl = (actions: readonly string[], name: string) => actions.map((a) => `systemctl ${a} -- ${shellJoin([name])}`).join(' && ');

/** `systemctl daemon-reload` first (when asked), then the actions the unit's state needs. */
interface ServiceChange extends Change {
  reload: boolean;
  actions: string[];
}

const statusOf = (status: UnitStatus) => ({ LoadState: status.LoadState, ActiveState: status.ActiveState, UnitFileState: status.UnitFileState });

/** systemd units: start/stop/restart/reload and enable/disable, doing only what the unit's state needs. */
export const serviceModule = defineModule({
  name: 'service',
  args: serviceArgs,
  facts: (args) => [request(systemdUnit, args.name)],
  plan: async (args, ctx) => {
    const status = await ctx.facts.read(systemdUnit, args.name);
    // as Ansible's service on a systemd host (its systemd module): where the unit ends up
    const result = {
      name: args.name,
      status: statusOf(status),
      ...(args.state !== undefined ? { state: args.state === 'stopped' ? 'stopped' : 'started' } : {}),
      ...(args.enabled !== undefined ? { enabled: args.enabled } : {}),
    };
    // a unit file written just now is only known to systemd after the reload
    if (status.LoadState === 'not-found' && !args.daemon_reload)
      return { changes: [], result: { name: args.name }, failed: `Could not find the requested service ${args.name}` };
    const actions = actionsFor(status, args);
    if (actions.length === 0 && !args.daemon_reload) return { changes: [], result };
    const change: ServiceChange = {
      summary: `${[...(args.daemon_reload ? ['daemon-reload'] : []), ...actions].join(', ')} ${args.name}`,
      diff: ctx.diff && actions.length > 0 ? diffOf(args.name, status, actions) : undefined,
      invalidates: [{ fact: systemdUnit, ...(args.daemon_reload ? {} : { arg: args.name }) }],
      reload: args.daemon_reload,
      actions,
      quiet: actions.length === 0,
    };
    return { changes: [change], result };
  },
  apply: async ([change], args, ctx) => {
    let actions = change.actions;
    if (change.reload) {
      const res = await ctx.exec('systemctl daemon-reload');
      if (res.code !== 0) return { changed: false, failed: true, msg: `daemon-reload failed: ${res.stderr.trim()}` };
      ctx.facts.invalidate([{ fact: systemdUnit }]);
      const status = await ctx.facts.read(systemdUnit, args.name);
      if (status.LoadState === 'not-found') return { changed: false, failed: true, msg: `Could not find the requested service ${args.name}` };
      actions = actionsFor(status, args);
    }
    // a reload alone changes nothing the task asked for (as Ansible reports it)
    if (actions.length === 0) return { changed: false };
    const res = await ctx.exec(systemctl(actions, args.name));
    if (res.code !== 0) return { changed: false, failed: true, msg: `${actions.join(', ')} failed: ${res.stderr.trim()}` };
    return { changed: true };
  },
});
