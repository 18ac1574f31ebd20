import { z } from 'zod';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { timezoneState, type TimezoneState } from '../../facts/builtin/timezone-state.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { execChecked } from '../exec-checked.js';
import { defineModule, type Change } from '../module.js';

const timezoneArgs = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/, 'must be a time zone name such as Europe/Berlin')
      .optional(),
    hwclock: z.enum(['local', 'UTC']).optional(),
  })
  .refine((a) => a.name !== undefined || a.hwclock !== undefined, 'one of the following is required: hwclock, name');

type TimezoneArgs = z.output<typeof timezoneArgs>;

interface TimezoneChange extends Change {
  commands: string[];
}

const zoneFile = (name: string) => `/usr/share/zoneinfo/${name}`;

const commandsFor = (a: TimezoneArgs, s: TimezoneState): string[] => {
  const out: string[] = [];
  if (a.name !== undefined && a.name !== s.name) {
    const q = shellJoin([a.name]);
    out.push(
      s.systemd
        ? `${shellJoin([s.tool])} set-timezone ${q}`
        : `ln -sfn ${shellJoin([`..${zoneFile(a.name)}`])} /etc/localtime && printf '%s\\n' ${q} > /etc/timezone`,
    );
  }
  if (a.hwclock !== undefined && (a.hwclock === 'local') !== s.rtcLocal) {
    out.push(
      s.systemd
        ? `${shellJoin([s.tool])} set-local-rtc ${a.hwclock === 'local' ? 'yes' : 'no'}`
        : `hwclock --systohc ${a.hwclock === 'local' ? '--localtime' : '--utc'}`,
    );
  }
  return out;
};

const stateOf = (a: TimezoneArgs, s: TimezoneState) => ({
  ...(a.name !== undefined ? { name: s.name } : {}),
  ...(a.hwclock !== undefined ? { hwclock: s.rtcLocal ? 'local' : 'UTC' } : {}),
});

/** community.general.timezone: the time zone (and RTC mode), through timedatectl when it answers. */
export const timezoneModule = defineModule({
  name: 'timezone',
  fqcn: 'community.general.timezone',
  aliases: { rtc: 'hwclock' },
  args: timezoneArgs,
  facts: (a) => [request(timezoneState, undefined), ...(a.name ? [request(fileStat, zoneFile(a.name))] : [])],
  plan: async (a, ctx) => {
    if (a.name !== undefined && (await ctx.facts.read(fileStat, zoneFile(a.name))).type !== 'file') {
      return { changes: [], failed: `given timezone "${a.name}" is not available` };
    }
    const s = await ctx.facts.read(timezoneState, undefined);
    const commands = commandsFor(a, s);
    if (commands.length === 0) return { changes: [] };
    const after = { ...stateOf(a, s), ...(a.name ? { name: a.name } : {}), ...(a.hwclock ? { hwclock: a.hwclock } : {}) };
    const change: TimezoneChange = {
      summary: `set the time zone to ${JSON.stringify(after)}`,
      diff: ctx.diff ? { path: 'timezone', before: `${JSON.stringify(stateOf(a, s))}\n`, after: `${JSON.stringify(after)}\n` } : undefined,
      invalidates: [{ fact: timezoneState }, ...fileFactsOf('/etc/localtime'), ...fileFactsOf('/etc/timezone'), ...fileFactsOf('/etc/adjtime')],
      commands,
    };
    return { changes: [change] };
  },
  apply: async ([change], a, ctx) => {
    await execChecked(ctx, change.commands.join(' && '));
    ctx.facts.invalidate(change.invalidates);
    const now = await ctx.facts.read(timezoneState, undefined);
    if (commandsFor(a, now).length)
      return { changed: false, failed: true, msg: `still not desired state, though changes have made - after: ${JSON.stringify(stateOf(a, now))}` };
    // Ansible's log of what it ran, on systemd hosts
    return now.systemd ? { msg: change.commands.map((c) => `executed \`${c}\``).join('\n') } : {};
  },
});
