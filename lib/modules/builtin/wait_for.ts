import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { intArg } from '../arg-types.js';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { defineModule, type Change, type Plan } from '../module.js';
import { pathInfo } from '../path-info.js';

const waitForArgs = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: intArg.pipe(z.number().int().min(1).max(65535)).optional(),
    path: z.string().min(1).optional(),
    /** an extended regular expression (grep -E) the file at `path` must contain */
    search_regex: z.string().min(1).optional(),
    /** started/present: the port accepts connections or the path exists; stopped/absent: the opposite */
    state: z.enum(['started', 'stopped', 'present', 'absent']).default('started'),
    timeout: intArg.default(300),
    delay: intArg.default(0),
    sleep: intArg.pipe(z.number().int().min(1)).default(1),
    connect_timeout: intArg.pipe(z.number().int().min(1)).default(5),
    msg: z.string().optional(),
  })
  .refine((a) => (a.port === undefined) !== (a.path === undefined), 'exactly one of port and path is required')
  .refine(
    (a) => a.search_regex === undefined || (a.path !== undefined && ['started', 'present'].includes(a.state)),
    'search_regex needs path and state present',
  );

type WaitForArgs = z.output<typeof waitForArgs>;

const EXIT_TIMEOUT = 124;
const EXIT_NO_PROBE = 125;

/*
 * The whole wait is one script on the host, so no round trip per attempt. Ports are tested with
 * `nc -z` when the host has it, else with bash's /dev/tcp (bash is on every Debian/Ubuntu server,
 * nc often is not); a host with neither fails with a message saying so.
 */
const WAIT = `host=$1 port=$2 path=$3 regex=$4 want=$5 timeout=$6 delay=$7 pause=$8 ct=$9
if [ -n "$port" ]; then
  if command -v nc >/dev/null 2>&1; then probe() { nc -z -w "$ct" "$host" "$port" >/dev/null 2>&1; }
  elif command -v bash >/dev/null 2>&1; then probe() { timeout "$ct" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null; }
  else echo "wait_for needs nc or bash on the host to test a port" >&2; exit ${EXIT_NO_PROBE}; fi
else
  probe() { [ -e "$path" ] && { [ -z "$regex" ] || grep -Eq -e "$regex" -- "$path" 2>/dev/null; }; }
fi
ready() { if [ "$want" = up ]; then probe; else ! probe; fi; }
start=$(date +%s)
sleep "$delay"
while :; do
  if ready; then echo $(( $(date +%s) - start )); exit 0; fi
  [ $(( $(date +%s) - start )) -ge "$timeout" ] && exit ${EXIT_TIMEOUT}
  sleep "$pause"
done`;

const target = (a: WaitForArgs): string => (a.port !== undefined ? `${a.host}:${a.port}` : (a.path ?? ''));

const timeoutMessage = (a: WaitForArgs): string => {
  if (a.search_regex !== undefined) return `Timeout when waiting for search string ${a.search_regex} in ${a.path}`;
  const stop = a.state === 'stopped' || a.state === 'absent';
  if (a.port !== undefined) return `Timeout when waiting for ${target(a)}${stop ? ' to stop' : ''}`;
  return `Timeout when waiting for ${a.path}${stop ? ' to be absent' : ''}`;
};

/** Waiting changes nothing, but it cannot be planned: the wait is the work, done in apply. */
interface WaitChange extends Change {
  argv: string[];
}

/** Wait, on the host, for a port to open or close or a file to appear, hold a pattern or go away. */
export const waitForModule = defineModule({
  name: 'wait_for',
  args: waitForArgs,
  plan: async (args): Promise<Plan<WaitChange>> => {
    const up = args.state === 'started' || args.state === 'present';
    const argv = [args.host, args.port?.toString() ?? '', args.path ?? '', args.search_regex ?? '', up ? 'up' : 'down'];
    const timing = [args.timeout, args.delay, args.sleep, args.connect_timeout].map(String);
    // nothing is started in check mode, so waiting for it would only time out
    return {
      changes: [{ summary: `wait for ${target(args)}`, argv: [...argv, ...timing], invalidates: args.path !== undefined ? fileFactsOf(args.path) : [] }],
      unplannable: 'remote module (wait_for) does not support check mode',
    };
  },
  apply: async ([change], args, ctx) => {
    const res = await ctx.exec(`set -- ${shellJoin(change.argv)}\n${WAIT}`, {
      timeoutMs: (args.timeout + args.delay + args.connect_timeout + args.sleep + 30) * 1000,
    });
    const base = { changed: false, state: args.state, port: args.port ?? null, path: args.path ?? null, search_regex: args.search_regex ?? null };
    if (res.code !== 0 && res.code !== EXIT_TIMEOUT) return { changed: false, failed: true, msg: res.stderr.trim() || `wait_for failed with rc=${res.code}` };
    if (res.code === EXIT_TIMEOUT) return { changed: false, failed: true, elapsed: args.timeout, msg: args.msg ?? timeoutMessage(args) };
    // Ansible describes the path waited for as it is now (its add_path_info)
    if (args.path !== undefined) ctx.facts.invalidate(fileFactsOf(args.path));
    const now = args.path === undefined ? {} : pathInfo(await ctx.facts.read(fileStat, args.path));
    return { ...base, ...now, elapsed: Number(res.stdout.trim()) };
  },
});
