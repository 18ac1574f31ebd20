import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import pLimit from 'p-limit';
import { createFactStore } from '../facts/fact-store.js';
import { findHost, groupsMagicVar, hostVars, limitHosts, loadInventory, NoHostsError, selectHosts, type Inventory } from '../inventory/index.js';
import { connectTransport, type ConnectOptions } from '../transport/connect.js';
import { createIdentityStore } from '../transport/identity-store.js';
import { createKnownHostsStore } from '../transport/known-hosts-store.js';
import type { Transport } from '../transport/transport.js';
import { taskName, type RunContext, type RunDefaults } from './execute-task.js';
import { EXIT } from './exit-codes.js';
import { gatherFactsTask } from './gather-facts.js';
import type { ReaderRequest } from '../facts/fact-store.js';
import { newHostRun, type Connection, type HostRun } from './host-run.js';
import { loadPlaybook } from './load-playbook.js';
import { runPlay } from './run-play.js';
import { PreconditionsFailed, preconditionProblems, problemLine, type PlayTargets, type Problem } from './preconditions.js';
import { RunError } from './run-error.js';
import { hasStartTask } from './start-at-task.js';
import { unknownTagProblems } from './known-tags.js';
import { redact, secretValues } from './redact.js';
import { knownSecrets } from '../template/known-secrets.js';
import { stepGate } from './step.js';
import { resolvePrompts, type Prompter } from './vars-prompt.js';
import { writeBehind } from './write-behind.js';
import type { TagFilter } from './tags.js';
import type { EventSink, HostStats, Playbook, PlaySpec } from './types.js';

export interface RunPlaybookOptions {
  playbook: string;
  inventories: string[];
  limit?: string;
  tags?: TagFilter;
  check?: boolean;
  diff?: boolean;
  extraVars?: Record<string, unknown>;
  forks?: number;
  startAtTask?: string;
  verbose?: number;
  becomePassword?: string;
  connectOptions?: ConnectOptions;
  emit: EventSink;
  /** replaces the transport factory (tests) */
  connect?: (host: string, vars: Record<string, unknown>) => Promise<Transport>;
  /** stop between tasks (Ctrl-C) */
  signal?: AbortSignal;
  /**
   * stop now (a second Ctrl-C): every connection closes at once, each removing the temp files of its writes in
   * flight, and the run returns as interrupted without waiting for its running tasks
   */
  quit?: AbortSignal;
  /** asks for `vars_prompt` values on a terminal; without it a missing value is an error */
  prompter?: Prompter;
  /** --step: ask the prompter before each task */
  step?: boolean;
  /** -b, --become-user, -u, -c */
  defaults?: RunDefaults;
}

export interface RunSummary {
  code: number;
  stats: Record<string, HostStats>;
  retryFile?: string;
}

type VarsOf = (host: string) => Record<string, unknown>;

// each host's inventory variables, merged once per run; a delegate_to target outside the inventory is
// reached by its name, as Ansible does
const inventoryVarsOf = (inv: Inventory): VarsOf => {
  const merged = new Map<string, Record<string, unknown>>();
  return (host) => {
    const hit = merged.get(host);
    if (hit) return hit;
    const vars = findHost(inv, host) ? hostVars(inv, host) : { inventory_hostname: host };
    merged.set(host, vars);
    return vars;
  };
};

const connectionPool = (varsOf: VarsOf, opts: RunPlaybookOptions, upcoming: (host: string) => readonly ReaderRequest[], log: ConnectOptions['log']) => {
  const pool = new Map<string, Promise<Connection>>();
  const connectOptions = {
    knownHosts: createKnownHostsStore(),
    identities: createIdentityStore(),
    ...opts.connectOptions,
    becomePassword: opts.becomePassword,
    log,
  };
  const open = async (host: string): Promise<Connection> => {
    // as in Ansible, extra vars win over the inventory: -e ansible_host=… ansible_port=… ansible_user=… redirect
    // the connection itself, not only what the tasks see
    const vars = { ...varsOf(host), ...opts.extraVars };
    const transport = opts.connect ? await opts.connect(host, vars) : await connectTransport(host, vars, connectOptions);
    const held = writeBehind(transport);
    const facts = createFactStore(held.own);
    facts.lookahead(() => upcoming(host));
    return { transport, writeBehind: held, facts };
  };
  let closed = false;
  const connect = (host: string) => {
    if (closed) return Promise.reject(new Error(`${host}: the run is over, no new connection`));
    const hit = pool.get(host);
    if (hit) return hit;
    const p = open(host);
    pool.set(host, p);
    p.catch(() => pool.delete(host));
    return p;
  };
  return {
    connect,
    // a host that went away (a reboot): its old connection closed, a new one opened with a fresh fact store
    reconnect: async (host: string) => {
      const old = pool.get(host);
      pool.delete(host);
      await old?.then((c) => c.transport.close()).catch(() => undefined);
      return connect(host);
    },
    closeAll: async () => {
      closed = true;
      const conns = await Promise.allSettled(pool.values());
      await Promise.allSettled(conns.map((c) => (c.status === 'fulfilled' ? c.value.transport.close() : undefined)));
    },
  };
};

/** Ansible writes failed hosts beside the playbook; nop falls back to ~/.nop/retry when that is not writable. */
const writeRetryFile = async (playbook: Playbook, hosts: string[]): Promise<string | undefined> => {
  const name = `${basename(playbook.file).replace(/\.ya?ml$/, '')}.retry`;
  for (const dir of [playbook.dir, join(homedir(), '.nop', 'retry')]) {
    try {
      await mkdir(dir, { recursive: true });
      const file = join(dir, name);
      await writeFile(file, `${hosts.join('\n')}\n`);
      return file;
    } catch {
      // try the next place
    }
  }
  return undefined;
};

const withFacts = (play: PlaySpec): PlaySpec =>
  play.gather_facts ? { ...play, sections: [[gatherFactsTask(play), ...play.sections[0]], ...play.sections.slice(1)] } : play;

// a play that runs nothing (only questions, as setup.yml's first play) is not shown as a play
const runsNothing = (play: PlaySpec): boolean => !play.gather_facts && play.sections.every((s) => s.length === 0);

const exitCode = (runs: HostRun[], interrupted: boolean): number => {
  if (interrupted) return EXIT.interrupted;
  if (runs.some((h) => h.stats.unreachable > 0)) return EXIT.unreachable;
  if (runs.some((h) => h.stats.failed > 0)) return EXIT.hostFailed;
  return EXIT.ok;
};

// the unreachable host is shown as Ansible shows one, and counted; no play runs on it
const markUnreachable = (host: HostRun, p: Problem, emit: EventSink) => {
  emit({ type: 'task_result', host: host.name, task: p.check, status: 'unreachable', result: { changed: false, unreachable: true, msg: p.message } });
  host.stats.unreachable++;
  host.status = 'unreachable';
};

const CHECK_PLAY = 'Check before changing anything';

/** Every problem found before the first change, shown as the failed tasks of one play; no host is changed. */
const reportProblems = (problems: Problem[], emit: EventSink, hostRun: (name: string) => HostRun) => {
  const hosts = [...new Set(problems.map((p) => p.host))];
  emit({ type: 'play_start', name: CHECK_PLAY, hosts });
  for (const p of problems.filter((q) => !q.unreachable)) {
    emit({ type: 'task_start', host: p.host, task: p.check });
    emit({ type: 'task_result', host: p.host, task: p.check, status: 'failed', result: { changed: false, failed: true, msg: p.message } });
  }
  for (const name of hosts) {
    const host = hostRun(name);
    if (host.status === 'ok') host.stats.failed = 1;
    host.status = host.status === 'ok' ? 'failed' : host.status;
  }
  emit({ type: 'play_end', name: CHECK_PLAY });
  emit({
    type: 'warning',
    message: `nothing was changed on any host: ${problems.length} problem${problems.length === 1 ? '' : 's'} found before the first change; fix them all, then run again`,
  });
};

const targetProblems = (playbook: Playbook, inv: Inventory, limit: string | undefined): string[] => {
  if (limit !== undefined && limitHosts(inv, selectHosts(inv, 'all'), limit).length === 0) return [`--limit ${limit} matches no host of the inventory`];
  if (playbook.plays.some((play) => limitHosts(inv, selectHosts(inv, play.hosts), limit).length > 0)) return [];
  const patterns = [...new Set(playbook.plays.map((p) => p.hosts))].join(', ');
  return [`no play of the playbook (hosts: ${patterns}) matches a host of the inventory${limit === undefined ? '' : ` with --limit ${limit}`}`];
};

/**
 * What the command line asks for that the playbook and inventory cannot give: nothing to do is not success.
 * Every problem is reported at once, before any host is touched.
 */
const checkBeforeTouching = (playbook: Playbook, inv: Inventory, opts: RunPlaybookOptions): void => {
  const problems = [...unknownTagProblems(playbook, opts.tags ?? { only: [], skip: [] })];
  if (opts.startAtTask !== undefined && !hasStartTask(playbook, opts.startAtTask, taskName))
    problems.push(`No matching task "${opts.startAtTask}" found in ${opts.playbook}`);
  const targets = targetProblems(playbook, inv, opts.limit);
  if (targets.length && problems.length === 0) throw new NoHostsError(targets[0]);
  problems.push(...targets.map((t) => new NoHostsError(t).message));
  if (problems.length) throw new RunError(problems.join('\n'));
};

/** Load, validate, then run a playbook over an inventory. Throws SourceError/InventoryError before touching any host. */
export const runPlaybook = async (opts: RunPlaybookOptions): Promise<RunSummary> => {
  const playbook = await loadPlaybook(opts.playbook);
  const inv = await loadInventory(opts.inventories, { playbookDir: playbook.dir });
  checkBeforeTouching(playbook, inv, opts);
  const varsOf = inventoryVarsOf(inv);
  const runs = new Map<string, HostRun>();
  const groups = groupsMagicVar(inv);
  const hostRun = (name: string) => runs.get(name) ?? runs.set(name, newHostRun(name, varsOf(name), !opts.startAtTask)).get(name)!;
  const run: RunContext = {
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    verbose: opts.verbose ?? 0,
    extraVars: { ...opts.extraVars },
    tags: opts.tags ?? { only: [], skip: [] },
    startAtTask: opts.startAtTask,
    becomePassword: opts.becomePassword,
    playbookDir: playbook.dir,
    emit: opts.emit,
    connect: (host) => pool.connect(host),
    reconnect: (host) => pool.reconnect(host),
    hostVars: (h) => ({ ...varsOf(h), ...(runs.get(h)?.runtimeVars ?? {}) }),
    groups: () => groups,
    aborted: () => opts.signal?.aborted ?? false,
    secretNames: new Set(),
    defaults: opts.defaults ?? {},
    step: opts.step && opts.prompter ? stepGate((question) => opts.prompter!.ask(question, false)) : undefined,
    operatorActions: [],
  };
  // -vvv: every secret the run knows of is hidden, whichever host a line is about
  const fixedSecrets = [opts.becomePassword, opts.connectOptions?.password].filter((s): s is string => Boolean(s));
  const log: ConnectOptions['log'] =
    run.verbose >= 3
      ? (host, line) => {
          const secrets = [...fixedSecrets, ...secretValues({ ...varsOf(host), ...run.extraVars }, run.secretNames), ...knownSecrets()];
          opts.emit({ type: 'verbose', host, message: redact(line, secrets) });
        }
      : undefined;
  const pool = connectionPool(varsOf, opts, (host) => runs.get(host)?.upcoming() ?? [], log);
  opts.emit({ type: 'playbook_start', file: playbook.file, check: run.check });
  for (const message of inv.warnings) opts.emit({ type: 'warning', message });
  const limit = pLimit(Math.max(1, opts.forks ?? 5));
  let startReached = !opts.startAtTask;
  const hostsOf = (play: PlaySpec) => limitHosts(inv, selectHosts(inv, play.hosts), opts.limit);
  // the play a Ctrl-C stopped: its hosts, and those of every later play, are left to do
  let interruptedAt: number | undefined;
  // every question first, then every check, before the first play changes anything: all problems reported together
  const checkEverything = async () => {
    const problems: string[] = [];
    const targets: PlayTargets[] = [];
    for (const play of playbook.plays) {
      const hosts = hostsOf(play).map(hostRun);
      if (hosts.length === 0) continue;
      // an answer is for the whole run, like -e: asked once, for the first play that wants it
      const provided = (name: string) => name in run.extraVars || name in (play.vars ?? {}) || hosts.some((h) => name in h.inventoryVars);
      try {
        const prompted = await resolvePrompts(play, provided, opts.prompter);
        Object.assign(run.extraVars, prompted);
        for (const p of play.vars_prompt ?? []) if (p.private && p.name in prompted) run.secretNames.add(p.name);
      } catch (e) {
        if (!(e instanceof RunError)) throw e;
        problems.push(e.message);
      }
      if (!runsNothing(play)) targets.push({ play: withFacts(play), hosts });
    }
    const found = await preconditionProblems(targets, run, limit);
    if (problems.length) throw new PreconditionsFailed([...problems, ...found.map(problemLine)]);
    return found;
  };
  const runPlays = async () => {
    const found = await checkEverything();
    // as Ansible: an unreachable host is left out and the others go on; any other problem stops every host
    const unreachable = found.filter((p) => p.unreachable);
    for (const p of unreachable) markUnreachable(hostRun(p.host), p, opts.emit);
    if (found.length > unreachable.length) {
      reportProblems(found, opts.emit, hostRun);
      return;
    }
    for (const [index, play] of playbook.plays.entries()) {
      if (opts.signal?.aborted) {
        interruptedAt = index;
        break;
      }
      const hosts = hostsOf(play)
        .map(hostRun)
        .filter((h) => h.status === 'ok');
      const shown = !runsNothing(play);
      if (hosts.length === 0) {
        if (shown) opts.emit({ type: 'warning', message: `no hosts matched "${play.hosts}"${opts.limit ? ` with --limit ${opts.limit}` : ''}: skipping play` });
        continue;
      }
      // once a play reached --start-at-task, later plays run whole, as in Ansible
      if (startReached) for (const h of hosts) h.started = true;
      if (!shown) continue;
      opts.emit({ type: 'play_start', name: play.name ?? play.hosts, hosts: hosts.map((h) => h.name) });
      const end = await runPlay(withFacts(play), hosts, run, limit);
      startReached ||= hosts.some((h) => h.started);
      opts.emit({ type: 'play_end', name: play.name ?? play.hosts });
      if (opts.signal?.aborted) {
        interruptedAt = index;
        break;
      }
      if (end === 'stop') break;
    }
  };
  const quitting = new Promise<'quit'>((resolve) => {
    const quit = () => void pool.closeAll().finally(() => resolve('quit'));
    if (opts.quit?.aborted) quit();
    else opts.quit?.addEventListener('abort', quit, { once: true });
  });
  try {
    const playing = runPlays();
    playing.catch(() => undefined); // after a quit nobody waits for the tasks still running
    const outcome = await Promise.race([playing, quitting]);
    if (outcome === 'quit') return { code: EXIT.interrupted, stats: {} };
  } finally {
    await pool.closeAll();
  }
  const all = [...runs.values()];
  const failedHosts = all.filter((h) => h.stats.failed > 0 || h.stats.unreachable > 0).map((h) => h.name);
  const leftToDo = interruptedAt === undefined ? [] : playbook.plays.slice(interruptedAt).flatMap(hostsOf);
  const retryHosts = [...new Set([...failedHosts, ...leftToDo])];
  const retryFile = retryHosts.length ? await writeRetryFile(playbook, retryHosts) : undefined;
  // as Ansible's recap: only hosts that ran something
  const stats = Object.fromEntries(all.filter((h) => Object.values(h.stats).some((n) => n > 0)).map((h) => [h.name, h.stats]));
  opts.emit({
    type: 'recap',
    stats,
    retryFile,
    retryCommand: retryFile ? `--limit @${retryFile}` : undefined,
    operatorActions: run.operatorActions,
  });
  return { code: exitCode(all, opts.signal?.aborted ?? false), stats, retryFile };
};
