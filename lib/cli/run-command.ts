import { PreconditionsFailed } from '../runner/preconditions.js';
import { resolve } from 'node:path';
import type { LoadedSettings } from '../config/settings.js';
import { limitHosts, loadInventory, selectHosts } from '../inventory/index.js';
import { type BatchedWriter, batchedWriter } from '../report/batched-writer.js';
import { jsonReporter } from '../report/json-reporter.js';
import type { Reporter } from '../report/live-reporter.js';
import { plainReporter } from '../report/plain-reporter.js';
import { formatListing } from '../report/playbook-listing.js';
import { EXIT } from '../runner/exit-codes.js';
import { loadPlaybook } from '../runner/load-playbook.js';
import { runPlaybook } from '../runner/run-playbook.js';
import type { Prompter } from '../runner/vars-prompt.js';
import type { ConnectOptions } from '../transport/connect.js';
import { cliSettings } from './cli-settings.js';
import { mergeExtraVars, OptionError } from './extra-vars.js';
import { PromptInterrupted } from './prompt-interrupted.js';
import { readSecret } from './read-secret.js';
import { loadVaultPasswords, type VaultOptions } from './vault-options.js';

export interface RunCommandOptions extends VaultOptions {
  inventory: string[];
  limit?: string;
  tags: string[];
  skipTags: string[];
  check?: boolean;
  diff?: boolean;
  extraVars: string[];
  forks?: number;
  startAtTask?: string;
  verbose: number;
  json?: boolean;
  askBecomePass?: boolean;
  askPass?: boolean;
  user?: string;
  become?: boolean;
  becomeUser?: string;
  privateKey?: string;
  keyFile?: string;
  connection?: 'local' | 'ssh' | 'smart';
  step?: boolean;
  listHosts?: boolean;
  listTasks?: boolean;
  listTags?: boolean;
  syntaxCheck?: boolean;
  acceptNewHostKeys?: boolean;
  knownHosts?: string;
  timeout?: number;
  commandTimeout?: number;
}

const splitTags = (values: readonly string[]) =>
  values
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);

const stdoutWrite = (s: string) => void process.stdout.write(s);

// listr2 is loaded only for a terminal: pipes and CI start faster without it. --step asks before every task and
// -vvv prints every command: both read best as plain lines.
// Lines for a pipe or a file go out once per turn of the event loop (`out.flush()` before anything else speaks).
const pickReporter = async (opts: RunCommandOptions, out: BatchedWriter): Promise<Reporter> => {
  const plain = (sink: Reporter['sink']): Reporter => ({
    sink,
    idle: async () => out.flush(),
    close: async () => out.flush(),
  });
  if (opts.json) return plain(jsonReporter(out.write));
  const live = process.stdout.isTTY && !process.env.CI && !opts.step && opts.verbose < 3;
  if (live) return (await import('../report/live-reporter.js')).liveReporter(stdoutWrite, opts.verbose);
  return plain(plainReporter(out.write, opts.verbose));
};

// questions wait until the live display has finished drawing, so nothing redraws over them
const promptBeside = async (reporter: Reporter): Promise<Prompter | undefined> => {
  if (!process.stdin.isTTY) return undefined;
  const { terminalPrompt } = await import('./terminal-prompt.js');
  return {
    ask: async (question, hidden) => {
      await reporter.idle();
      return terminalPrompt.ask(question, hidden);
    },
    tell: terminalPrompt.tell,
  };
};

const inventoriesOf = (opts: RunCommandOptions, loaded: LoadedSettings): string[] =>
  opts.inventory.length ? opts.inventory : [...loaded.settings.inventory.value];

/** --syntax-check, --list-hosts, --list-tasks, --list-tags: what ansible-playbook prints; nothing runs, nothing is asked. */
const listing = async (playbookArg: string, opts: RunCommandOptions, loaded: LoadedSettings): Promise<number> => {
  const playbook = await loadPlaybook(playbookArg);
  if (opts.syntaxCheck) {
    stdoutWrite(`\nplaybook: ${playbookArg}\n`);
    return EXIT.ok;
  }
  const inv = opts.listHosts ? await loadInventory(inventoriesOf(opts, loaded), { playbookDir: playbook.dir }) : undefined;
  const text = formatListing(playbookArg, playbook, {
    hostsOf: inv && ((play) => limitHosts(inv, selectHosts(inv, play.hosts), opts.limit)),
    tasks: opts.listTasks ?? false,
    tags: opts.listTags ?? false,
    filter: { only: splitTags(opts.tags), skip: splitTags(opts.skipTags) },
  });
  stdoutWrite(text);
  return EXIT.ok;
};

/** -k and -K, as ansible-playbook asks them: with both, an empty become password means the SSH password. */
const askPasswords = async (opts: RunCommandOptions): Promise<{ ssh?: string; become?: string }> => {
  const ssh = opts.askPass ? await readSecret('SSH password: ') : undefined;
  if (!opts.askBecomePass) return { ssh };
  const become = await readSecret(ssh === undefined ? 'BECOME password: ' : 'BECOME password[defaults to SSH password]: ');
  return { ssh, become: become === '' && ssh !== undefined ? ssh : become };
};

// command line over environment over config file over defaults (Ansible's order); the inventory's per-host
// connection variables win over all of these when the connection is made
const connectOptions = (opts: RunCommandOptions, loaded: LoadedSettings, sshPassword: string | undefined): ConnectOptions => {
  const { settings } = loaded;
  const keyFile = opts.privateKey ?? opts.keyFile;
  return {
    acceptNewHostKeys: opts.acceptNewHostKeys || !settings.host_key_checking.value,
    knownHostsPath: opts.knownHosts,
    connectTimeoutMs: (opts.timeout ?? settings.timeout.value) * 1000,
    commandTimeoutMs: opts.commandTimeout === undefined ? undefined : opts.commandTimeout * 1000,
    remoteUser: opts.user ?? settings.remote_user.value,
    privateKeyFile: keyFile ? resolve(keyFile) : settings.private_key_file.value,
    connection: opts.connection === 'smart' ? 'ssh' : opts.connection,
    password: sshPassword,
  };
};

const interrupted = (): number => {
  process.stderr.write('\n[ERROR]: User interrupted execution\n');
  return EXIT.interrupted;
};

/** `nop run`: returns the exit code (ansible-playbook's). */
export const runCommand = async (playbook: string, opts: RunCommandOptions): Promise<number> => {
  const loaded = await cliSettings();
  try {
    // before anything is read: playbooks, inventories and vars files may be (or hold) vaults
    await loadVaultPasswords(opts);
  } catch (e) {
    if (e instanceof PromptInterrupted) return interrupted();
    throw e;
  }
  if (opts.verbose > 0 && !opts.json) stdoutWrite(loaded.file ? `Using ${loaded.file} as config file\n` : 'No config file found; using defaults\n');
  if (opts.syntaxCheck || opts.listHosts || opts.listTasks || opts.listTags) return listing(playbook, opts, loaded);
  if (opts.step && !process.stdin.isTTY) throw new OptionError('--step asks before each task: run it on a terminal');
  const extraVars = await mergeExtraVars(opts.extraVars);
  let passwords: { ssh?: string; become?: string };
  try {
    passwords = await askPasswords(opts);
  } catch (e) {
    if (e instanceof PromptInterrupted) return interrupted();
    throw e;
  }
  const out = batchedWriter(stdoutWrite);
  const reporter = await pickReporter(opts, out);
  const abort = new AbortController();
  const quit = new AbortController();
  // the live display hides the cursor while it draws: give it back before leaving early
  const exitNow = (code: number): never => {
    out.flush();
    if (process.stdout.isTTY) process.stdout.write('\u001b[?25h');
    return process.exit(code);
  };
  // first Ctrl-C: stop after the running tasks; second: close the connections (removing half-written temp
  // files) and quit; third: quit at once
  const onSigint = () => {
    out.flush();
    if (quit.signal.aborted) exitNow(EXIT.interrupted);
    if (abort.signal.aborted) {
      process.stderr.write('[ERROR]: quitting: removing the temp files of writes in flight (Ctrl-C again to quit at once)\n');
      quit.abort();
      return;
    }
    process.stderr.write('\n[ERROR]: User interrupted execution: stopping after the running tasks (Ctrl-C again to quit now)\n');
    reporter.stopping?.();
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const summary = await runPlaybook({
      playbook,
      inventories: inventoriesOf(opts, loaded),
      limit: opts.limit,
      tags: { only: splitTags(opts.tags), skip: splitTags(opts.skipTags) },
      check: opts.check,
      diff: opts.diff,
      extraVars,
      forks: opts.forks ?? loaded.settings.forks.value,
      startAtTask: opts.startAtTask,
      verbose: opts.verbose,
      becomePassword: passwords.become,
      connectOptions: connectOptions(opts, loaded, passwords.ssh),
      defaults: {
        become: opts.become,
        becomeUser: opts.becomeUser,
        remoteUser: opts.user ?? loaded.settings.remote_user.value,
        connection: opts.connection === 'smart' ? 'ssh' : opts.connection,
      },
      emit: reporter.sink,
      signal: abort.signal,
      quit: quit.signal,
      prompter: await promptBeside(reporter),
      step: opts.step,
    });
    // the tasks that were running may still hold local commands: they are not waited for
    if (quit.signal.aborted) exitNow(summary.code);
    await reporter.close();
    return summary.code;
  } catch (e) {
    if (e instanceof PromptInterrupted) return interrupted();
    // the checks before the first change failed: the live display gives the terminal back before the problems show
    if (e instanceof PreconditionsFailed) await reporter.close();
    throw e;
  } finally {
    out.flush();
    process.off('SIGINT', onSigint);
  }
};
