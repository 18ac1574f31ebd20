import { jsonReporter } from '../report/json-reporter.js';
import type { Reporter } from '../report/live-reporter.js';
import { plainReporter } from '../report/plain-reporter.js';
import { EXIT } from '../runner/exit-codes.js';
import { runPlaybook } from '../runner/run-playbook.js';
import { mergeExtraVars } from './extra-vars.js';
import { readSecret } from './read-secret.js';

export interface RunCommandOptions {
  inventory: string[];
  limit?: string;
  tags: string[];
  skipTags: string[];
  check?: boolean;
  diff?: boolean;
  extraVars: string[];
  forks: number;
  startAtTask?: string;
  verbose: number;
  json?: boolean;
  askBecomePass?: boolean;
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

// listr2 is loaded only for a terminal: pipes and CI start faster without it
const pickReporter = async (opts: RunCommandOptions): Promise<Reporter> => {
  const write = (s: string) => void process.stdout.write(s);
  if (opts.json) return { sink: jsonReporter(write), close: async () => undefined };
  if (process.stdout.isTTY && !process.env.CI) return (await import('../report/live-reporter.js')).liveReporter(write, opts.verbose);
  return { sink: plainReporter(write, opts.verbose), close: async () => undefined };
};

/** `nop run`: returns the exit code (ansible-playbook's). */
export const runCommand = async (playbook: string, opts: RunCommandOptions): Promise<number> => {
  const extraVars = await mergeExtraVars(opts.extraVars);
  const becomePassword = opts.askBecomePass ? await readSecret('BECOME password: ') : undefined;
  const reporter = await pickReporter(opts);
  const abort = new AbortController();
  const quit = new AbortController();
  // first Ctrl-C: stop after the running tasks; second: close the connections (removing half-written temp
  // files) and quit; third: quit at once
  const onSigint = () => {
    if (quit.signal.aborted) process.exit(EXIT.interrupted);
    if (abort.signal.aborted) {
      process.stderr.write('[ERROR]: quitting: removing the temp files of writes in flight (Ctrl-C again to quit at once)\n');
      quit.abort();
      return;
    }
    process.stderr.write('\n[ERROR]: User interrupted execution: stopping after the running tasks (Ctrl-C again to quit now)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const summary = await runPlaybook({
      playbook,
      inventories: opts.inventory.length ? opts.inventory : ['/etc/ansible/hosts'],
      limit: opts.limit,
      tags: { only: splitTags(opts.tags), skip: splitTags(opts.skipTags) },
      check: opts.check,
      diff: opts.diff,
      extraVars,
      forks: opts.forks,
      startAtTask: opts.startAtTask,
      verbose: opts.verbose,
      becomePassword,
      connectOptions: {
        acceptNewHostKeys: opts.acceptNewHostKeys,
        knownHostsPath: opts.knownHosts,
        connectTimeoutMs: opts.timeout === undefined ? undefined : opts.timeout * 1000,
        commandTimeoutMs: opts.commandTimeout === undefined ? undefined : opts.commandTimeout * 1000,
      },
      emit: reporter.sink,
      signal: abort.signal,
      quit: quit.signal,
      prompter: process.stdin.isTTY ? (await import('./terminal-prompt.js')).terminalPrompt : undefined,
    });
    // the tasks that were running may still hold local commands: they are not waited for
    if (quit.signal.aborted) process.exit(summary.code);
    await reporter.close();
    return summary.code;
  } finally {
    process.off('SIGINT', onSigint);
  }
};
