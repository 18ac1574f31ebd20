import { z } from 'zod';
import { composeContainers } from '../../facts/builtin/compose-ps.js';
import { request } from '../../facts/fact.js';
import { boolArg } from '../../modules/arg-types.js';
import { defineModule, type Change, type Plan } from '../../modules/module.js';
import { composeScript } from '../compose-command.js';
import { lastLines } from '../last-lines.js';
import { projectArgs, projectOf } from './project-args.js';
import { wouldMsg } from './would-msg.js';

const composeServiceArgs = z.strictObject({
  ...projectArgs,
  services: z.array(z.string().min(1)).min(1),
  /** running: started if not running; recreated: recreated whatever their state; stopped */
  state: z.enum(['running', 'recreated', 'stopped']).default('running'),
  /** start one service at a time, in the order given (tmkms before node before api…) */
  one_by_one: boolArg.default(false),
});

type Args = z.output<typeof composeServiceArgs>;

interface ComposeChange extends Change {
  args: string[];
}

// a container that starts or stops changes what compose lists, what its endpoints answer and whatever it writes to
// its volumes (tmkms its key, the node its data): its change invalidates every fact of the host
const change = (verb: string, services: string[], args: string[]): ComposeChange => ({
  summary: `${verb} ${services.join(', ')}`,
  args,
  invalidates: undefined,
});

const startChanges = (a: Args, missing: string[]): ComposeChange[] =>
  a.one_by_one ? missing.map((s) => change('start', [s], ['up', '-d', '--no-deps', s])) : [change('start', missing, ['up', '-d', '--no-deps', ...missing])];

/**
 * Services of a compose project in the wanted state, through `docker compose` in the deploy directory with its
 * env file sourced (the keyring password reaches the containers without ever being on a command line).
 */
export const composeServiceModule = defineModule({
  name: 'compose_service',
  args: composeServiceArgs,
  facts: (a) => [request(composeContainers, projectOf(a))],
  plan: async (a, ctx): Promise<Plan<ComposeChange>> => {
    const containers = await ctx.facts.read(composeContainers, projectOf(a));
    const where = `docker compose -f ${a.files.join(' -f ')}`;
    if (containers === undefined && !ctx.check) {
      return { changes: [], failed: `${where} ps failed in ${a.project_dir}: is docker running and are the files rendered (config role)?` };
    }
    const running = (s: string) => containers?.get(s)?.state === 'running';
    const planned = (changes: ComposeChange[], extra: Record<string, unknown> = {}): Plan<ComposeChange> => ({
      changes,
      result: { services: a.services, msg: changes.length ? wouldMsg(changes) : `${a.services.join(', ')} ${a.state}`, ...extra },
    });
    if (a.state === 'recreated') return planned([change('recreate', a.services, ['up', '-d', '--no-deps', '--force-recreate', ...a.services])]);
    if (a.state === 'stopped') {
      const up = a.services.filter(running);
      return planned(up.length ? [change('stop', up, ['stop', ...up])] : []);
    }
    const missing = a.services.filter((s) => !running(s));
    return planned(missing.length ? startChanges(a, missing) : [], missing.length ? { started: missing } : {});
  },
  apply: async (changes, a, ctx) => {
    for (const c of changes) {
      ctx.progress(`docker compose ${c.args.join(' ')}`);
      const res = await ctx.exec(composeScript(projectOf(a), c.args));
      if (res.code !== 0) return { failed: true, msg: `docker compose ${c.args.join(' ')} failed (rc=${res.code}): ${lastLines(res.stderr, 5)}` };
    }
    return { msg: changes.map((c) => c.summary).join('; ') };
  },
});
