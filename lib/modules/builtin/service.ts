import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { defineModule, type FileDiff, type ModuleContext } from '../module.js';

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

interface UnitStatus {
  LoadState: string;
  ActiveState: string;
  UnitFileState: string;
  /** `systemctl is-enabled` exits 0 for enabled, static, indirect, alias, generated units */
  enabled: boolean;
}

// One round trip for everything the module decides on.
const statusScript = (name: string) => `set -- ${shellJoin([name])}
load=$(systemctl show -p LoadState --value -- "$1" 2>/dev/null)
active=$(systemctl is-active -- "$1" 2>/dev/null)
file=$(systemctl is-enabled -- "$1" 2>/dev/null)
rc=$?
printf '%s|%s|%s|%s\\n' "$load" "$active" "$file" "$rc"`;

const unitStatus = (ctx: ModuleContext, name: string): Promise<UnitStatus> =>
  ctx.facts.cached(`systemd-unit:${name}`, async () => {
    const res = await ctx.exec(statusScript(name));
    if (res.code !== 0) throw new Error(`cannot read the state of ${name}: ${res.stderr.trim()}`);
    const [LoadState, ActiveState, UnitFileState, rc] = res.stdout.trim().split('|');
    return { LoadState, ActiveState, UnitFileState, enabled: rc === '0' };
  });

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

/** systemd units: start/stop/restart/reload and enable/disable, doing only what the unit's state needs. */
export const serviceModule = defineModule({
  name: 'service',
  args: serviceArgs,
  run: async (args, ctx) => {
    if (args.daemon_reload && !ctx.check) {
      const res = await ctx.exec('systemctl daemon-reload');
      if (res.code !== 0) return { changed: false, failed: true, name: args.name, msg: `daemon-reload failed: ${res.stderr.trim()}` };
      ctx.facts.drop(`systemd-unit:${args.name}`);
    }
    const status = await unitStatus(ctx, args.name);
    if (status.LoadState === 'not-found') return { changed: false, failed: true, name: args.name, msg: `Could not find the requested service ${args.name}` };
    const actions = [enableAction(status, args.enabled), stateAction(status, args.state)].filter((a) => a !== undefined);
    const diff = ctx.diff && actions.length > 0 ? { diff: [diffOf(args.name, status, actions)] } : {};
    const base = { name: args.name, status: { LoadState: status.LoadState, ActiveState: status.ActiveState, UnitFileState: status.UnitFileState } };
    if (actions.length === 0 || ctx.check) return { changed: actions.length > 0, ...base, ...diff };
    const script = actions.map((a) => `systemctl ${a} -- ${shellJoin([args.name])}`).join(' && ');
    const res = await ctx.exec(script);
    ctx.facts.drop(`systemd-unit:${args.name}`);
    if (res.code !== 0) return { changed: false, failed: true, ...base, msg: `${actions.join(', ')} failed: ${res.stderr.trim()}` };
    return { changed: true, ...base, ...diff };
  },
});
