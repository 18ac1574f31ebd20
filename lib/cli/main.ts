import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { InventoryError, MissingInventoryError, NoHostsError } from '../inventory/errors.js';
import { EXIT } from '../runner/exit-codes.js';
import { packageRoot } from '../runner/paths.js';
import { RunError } from '../runner/run-error.js';
import { SourceError } from '../runner/source.js';
import { UnreachableError } from '../transport/transport.js';
import { OptionError } from './extra-vars.js';

const version = (): string => {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
};

const collect = (value: string, previous: string[]) => [...previous, value];
const count = (_: string, previous: number) => previous + 1;
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new OptionError(`expected a positive whole number, got "${value}"`);
  return n;
};

/** The SSH flags every command that reaches hosts takes. */
const withSshFlags = (command: Command): Command =>
  command
    .option('--accept-new-host-keys', 'record host keys of hosts not yet in known_hosts (changed keys are always refused)')
    .option('--known-hosts <file>', 'known_hosts file to verify host keys against')
    .addOption(new Option('-T, --timeout <seconds>', 'SSH connect timeout (config: timeout, default 10)').argParser(positiveInt));

type SshFlags = { acceptNewHostKeys?: boolean; knownHosts?: string; timeout?: number; inventory?: string[] };

/** The SSH flags over the config file and environment (remote_user, private_key_file, host_key_checking, timeout). */
const sshOptions = async (opts: SshFlags) => {
  const { cliSettings } = await import('./cli-settings.js');
  const { settings } = await cliSettings();
  return {
    inventory: opts.inventory?.length ? opts.inventory : [...settings.inventory.value],
    connect: {
      acceptNewHostKeys: opts.acceptNewHostKeys || !settings.host_key_checking.value,
      knownHostsPath: opts.knownHosts,
      connectTimeoutMs: (opts.timeout ?? settings.timeout.value) * 1000,
      remoteUser: settings.remote_user.value,
      privateKeyFile: settings.private_key_file.value,
    },
  };
};

const program = (): Command => {
  const cmd = new Command('nop')
    .description('Ansible-style playbooks that take bare GPU servers to producing Gonka nodes')
    .version(version(), '--version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    // before any command loads its modules, and so builds its schemas (lib/cli/interpret-schemas.ts)
    .hook('preAction', async () => (await import('./interpret-schemas.js')).interpretSchemas());

  withSshFlags(cmd.command('run'))
    .description('run a playbook against an inventory (ansible-playbook)')
    .argument('<playbook>', 'playbook YAML file')
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'limit to hosts matching a pattern, or @file of host names')
    .option('-t, --tags <tags>', 'only run tasks tagged with these (comma separated, repeatable)', collect, [])
    .option('--skip-tags <tags>', 'skip tasks tagged with these', collect, [])
    .option('-C, --check', 'check mode: change nothing, report what would change')
    .option('-D, --diff', 'show the differences in changed files')
    .option('-e, --extra-vars <vars>', 'k=v pairs, JSON, or @file.yml (repeatable; highest precedence)', collect, [])
    .option('-f, --forks <n>', 'hosts in parallel (config: forks, default 5)', positiveInt)
    .option('--start-at-task <name>', 'start at the task with this name')
    .option('--step', 'one-step-at-a-time: confirm each task before running it')
    .option('--list-hosts', 'outputs a list of matching hosts; does not run anything')
    .option('--list-tasks', 'list all tasks that would be executed')
    .option('--list-tags', 'list all available tags')
    .option('--syntax-check', 'perform a syntax check on the playbook, but do not execute it')
    .option('-v, --verbose', 'more output (repeat for more; -vvv: every remote command and the SSH connection details)', count, 0)
    .option('--json', 'one JSON event per line')
    .option('-u, --user <user>', 'connect as this user where the inventory sets no ansible_user (config: remote_user)')
    .option('--private-key <file>', 'use this file to authenticate the connection (config: private_key_file)')
    .addOption(new Option('--key-file <file>').hideHelp())
    .addOption(new Option('-c, --connection <type>', 'connection type where the inventory sets none').choices(['ssh', 'local', 'smart']))
    .option('-k, --ask-pass', 'ask for the SSH password (hidden; read from stdin when not a terminal)')
    .option('-b, --become', 'run operations with become (sudo) unless the playbook says otherwise')
    .option('--become-user <user>', 'run operations as this user (default root)')
    .option('-K, --ask-become-pass', 'ask for the sudo password (read from stdin when not a terminal)')
    .addOption(new Option('--command-timeout <seconds>', 'timeout of one remote command').argParser(positiveInt))
    .option('--vault-password-file <file>', 'vault password file (an executable one prints it; repeatable; env ANSIBLE_VAULT_PASSWORD_FILE)', collect, [])
    .option('-J, --ask-vault-pass', 'ask for the vault password (hidden; read from stdin when not a terminal)')
    .action(async (playbook: string, opts) => {
      const { runCommand } = await import('./run-command.js');
      cmd.setOptionValue('exitCode', await runCommand(playbook, opts));
    });

  cmd
    .command('vault')
    .description('encrypt, decrypt and view ansible-vault files; encrypt_string for !vault values (ansible-vault)')
    .argument('<action>', 'encrypt | decrypt | view | encrypt_string')
    .argument('[args...]', 'files (encrypt, decrypt, view) or the string to encrypt (asked, hidden, when absent)')
    .option('--vault-password-file <file>', 'vault password file (repeatable; env ANSIBLE_VAULT_PASSWORD_FILE)', collect, [])
    .option('-J, --ask-vault-pass', 'ask for the vault password')
    .option('-n, --name <name>', 'encrypt_string: the variable name to print before the value')
    .option('--encrypt-vault-id <id>', 'label the encrypted text with this vault id (format 1.2)')
    .action(async (action: string, args: string[], opts) => {
      const { vaultCommand } = await import('./vault-command.js');
      cmd.setOptionValue('exitCode', await vaultCommand(action, args, opts));
    });

  cmd
    .command('inventory')
    .description('show the inventory as nop sees it (ansible-inventory)')
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect, [])
    .option('--list', 'all groups and hosts, as JSON')
    .option('--host <name>', "one host's variables, as JSON")
    .option('--graph', 'the group tree')
    .option('--yaml', 'print --list and --host as YAML')
    .option('--toml', 'print --list as TOML')
    .option('--export', 'keep group variables on their groups instead of flattening them onto hosts')
    .option('--vars', 'with --graph: show each host and group its variables')
    .option('--playbook-dir <dir>', 'also read group_vars/ and host_vars/ beside this directory')
    .option('--vault-password-file <file>', 'vault password file (an executable one prints it; repeatable; env ANSIBLE_VAULT_PASSWORD_FILE)', collect, [])
    .option('-J, --ask-vault-pass', 'ask for the vault password (hidden; read from stdin when not a terminal)')
    .action(async (opts) => {
      const { inventoryCommand } = await import('./inventory-command.js');
      const { inventory } = await sshOptions(opts);
      cmd.setOptionValue('exitCode', await inventoryCommand({ ...opts, inventory }));
    });

  withSshFlags(cmd.command('gpu-info'))
    .description('detected GPUs and the recommended ML node layout (this machine without -i)')
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'only these hosts')
    .option('--json', 'as JSON')
    .option('--chain-api <url>', "rank the live PoC models by the chain's coefficients, read from this public API (a seed, e.g. http://node2.gonka.ai:8000)")
    .action(async (opts) => {
      const { gpuInfoCommand } = await import('./gpu-info-command.js');
      const { connect } = await sshOptions(opts);
      // without -i, gpu-info looks at this machine, whatever the config file's inventory
      cmd.setOptionValue(
        'exitCode',
        await gpuInfoCommand({ inventory: opts.inventory, limit: opts.limit, json: opts.json, chainApi: opts.chainApi, connectOptions: connect }),
      );
    });

  withSshFlags(cmd.command('status'))
    .description('per-host health of Gonka nodes (exit 2 on any FAIL)')
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'limit to hosts matching a pattern')
    .option('--json', 'as JSON')
    .option('--watch [seconds]', 'refresh every N seconds (default 10) until Ctrl-C')
    .option('--prometheus <file>', 'also write a node_exporter textfile (atomic)')
    .option('-f, --forks <n>', 'hosts in parallel', positiveInt, 5)
    .action(async (opts) => {
      const { statusCommand } = await import('./status-command.js');
      cmd.setOptionValue('exitCode', await statusCommand({ ...opts, ...(await sshOptions(opts)) }));
    });

  withSshFlags(cmd.command('ml-node'))
    .description('ML nodes through the network node admin API')
    .argument('<action>', 'list|status|add|update|remove|enable|disable')
    .argument('[id]', 'ML node id')
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect, [])
    .option('-l, --limit <network-node>', 'the network node')
    .option('--json', 'as JSON')
    .action(async (action: string, id: string | undefined, opts) => {
      const { mlNodeCommand } = await import('./ml-node-command.js');
      cmd.setOptionValue('exitCode', await mlNodeCommand(action, id, { ...opts, ...(await sshOptions(opts)) }));
    });

  cmd
    .command('cron')
    .description('schedule a playbook (systemd timer or crontab entry, flock, JSON log)')
    .argument('<action>', 'install | list | remove')
    .argument('[playbook]', 'playbook YAML file (install, remove)')
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect, [])
    .option('--every <interval>', 'how often: 15m, 1h, 1d', '15m')
    .option('--lock-file <file>', 'the day-2 lock (default ~/.nop/locks/gonka-day2.lock)')
    .option('--log-file <file>', 'JSON event log (default ~/.nop/log/cron.jsonl)')
    .option('--scheduler <kind>', 'systemd timer or crontab entry: auto | systemd | cron', 'auto')
    .option('--unit-dir <dir>', 'systemd unit dir (default /etc/systemd/system as root, ~/.config/systemd/user otherwise)')
    .action(async (action: string, playbook: string | undefined, opts) => {
      if (action !== 'install' && action !== 'list' && action !== 'remove') throw new OptionError(`nop cron: unknown action "${action}"`);
      const { cronCommand } = await import('./cron-command.js');
      const cronOpts = {
        playbook,
        inventory: opts.inventory,
        every: opts.every,
        lockFile: opts.lockFile,
        logFile: opts.logFile,
        scheduler: opts.scheduler,
        unitDir: opts.unitDir,
      };
      cmd.setOptionValue('exitCode', await cronCommand(action, cronOpts));
    });

  const upstream = cmd.command('upstream').description("compare nop's Gonka stack with upstream's deploy/join");
  withSshFlags(upstream.command('diff'))
    .description(
      "differences between upstream's deploy/join at a release and nop's files, each labelled with its hardening policy or as drift (exit 1 on drift)",
    )
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'only these hosts')
    .option('--ref <ref>', 'a gonka-ai/gonka tag, branch or commit, read from GitHub (default: release/<release in data/versions.yml>)')
    .option('--dir <path>', "a directory with upstream's deploy/join files (offline)")
    .option('--deployed', 'compare the files deployed on the hosts instead of what nop renders from the inventory')
    .option('--json', 'as JSON')
    .addOption(new Option('--source <url>', 'raw-file server of gonka-ai/gonka').hideHelp())
    .action(async (opts) => {
      const { upstreamDiffCommand } = await import('./upstream-command.js');
      const { inventory, connect } = await sshOptions(opts);
      cmd.setOptionValue('exitCode', await upstreamDiffCommand({ ...opts, inventory, connectOptions: connect }));
    });

  cmd
    .command('versions')
    .description('the pinned Gonka image versions (data/versions.yml)')
    .option('--json', 'as JSON')
    .option('--refresh', 'move the release components to the latest gonka-ai/gonka release')
    .option('--source <url>', 'releases endpoint (default: the GitHub API, releases/latest)')
    .action(async (opts) => {
      const { versionsCommand } = await import('./versions-command.js');
      cmd.setOptionValue('exitCode', await versionsCommand(opts));
    });

  cmd
    .command('demo')
    .description('set up a simulated 8×H100 server end to end on this machine (npm start)')
    .option('--keep', 'leave the simulated server running for day-2 commands (as root: reached over SSH)')
    .option('--stop', 'stop and remove the server a --keep demo left running')
    .action(async (opts: { keep?: boolean; stop?: boolean }) => {
      const { demoCommand } = await import('./demo-command.js');
      cmd.setOptionValue('exitCode', await demoCommand(opts));
    });

  return cmd;
};

const isSystemError = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';

const report = (e: unknown, verbosity: number): number => {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    return EXIT.badOptions;
  }
  if (e instanceof OptionError) {
    process.stderr.write(`ERROR! ${e.message}\n`);
    return EXIT.badOptions;
  }
  if (e instanceof SourceError || e instanceof InventoryError) {
    process.stderr.write(`ERROR! ${e.message}\n`);
    return EXIT.parserError;
  }
  // a file that cannot be written, a command that is not installed: the environment, not a bug
  if (isSystemError(e)) {
    process.stderr.write(`ERROR! ${e.message}\n`);
    return EXIT.error;
  }
  if (e instanceof UnreachableError) {
    process.stderr.write(`ERROR! unreachable: ${e.message}\n`);
    return EXIT.unreachable;
  }
  // named, not imported: the versions command is loaded only when it runs
  if (
    e instanceof RunError ||
    e instanceof MissingInventoryError ||
    e instanceof NoHostsError ||
    (e instanceof Error && (e.name === 'ReleaseSourceError' || e.name === 'UpstreamSourceError'))
  ) {
    process.stderr.write(`ERROR! ${e.message}\n`);
    return EXIT.error;
  }
  // as ansible-playbook: the message, and the traceback only when asked for (-vvv)
  const message = e instanceof Error ? e.message : String(e);
  const trace = e instanceof Error && verbosity >= 3 ? `\n${e.stack}` : '\nto see the full traceback, use -vvv';
  process.stderr.write(`ERROR! Unexpected Exception, this is probably a bug: ${message}${trace}\n`);
  return EXIT.unexpected;
};

// -v, -vv, -vvv anywhere on the command line (commander has not parsed them when parsing itself failed)
const verbosityOf = (argv: readonly string[]): number => argv.reduce((n, a) => (a === '--verbose' ? n + 1 : /^-v+$/.test(a) ? n + a.length - 1 : n), 0);

/** The `nop` command line; returns the process exit code. */
export const main = async (argv: string[]): Promise<number> => {
  const cmd = program();
  try {
    await cmd.parseAsync(argv, { from: 'user' });
    return (cmd.getOptionValue('exitCode') as number | undefined) ?? EXIT.ok;
  } catch (e) {
    return report(e, verbosityOf(argv));
  }
};
