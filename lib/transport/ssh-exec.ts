import { constants } from 'node:os';
import { randomBytes } from 'node:crypto';
import { shellJoin } from './shell-quote.js';
import type { SshChannel, SshClient } from './ssh-connection.js';
import { feedStdin, type Stdin } from './stdin.js';
import type { ExecResult } from './transport.js';

/** Exit code reported when a command is killed for exceeding its timeout (as coreutils `timeout` does). */
export const TIMEOUT_EXIT_CODE = 124;

export interface ChannelCommand {
  script: string;
  stdin?: Stdin;
  timeoutMs?: number;
  /** keep stdout's exact bytes in the result (`stdoutBytes`) */
  binary?: boolean;
}

/** Why a channel ended without an exit status: the caller decides which error that is. */
export class ChannelLostError extends Error {
  constructor() {
    super('the channel closed without an exit status');
    this.name = 'ChannelLostError';
  }
}

// ssh2 names signals `SIGTERM`; the protocol itself says `TERM`
const signalExitCode = (signal: string | undefined): number => {
  const name = signal?.startsWith('SIG') ? signal : `SIG${signal}`;
  const number = constants.signals[name as keyof typeof constants.signals] as number | undefined;
  return 128 + (number ?? constants.signals.SIGKILL);
};

// sshd frees a session slot (MaxSessions) only after reaping its command, a moment after the channel closed
const OPEN_ATTEMPTS = 6;
const OPEN_RETRY_MS = 25;
const isSessionLimit = (err: Error): boolean => /open failed/i.test(err.message);

// After the remote `timeout` has sent TERM and, 2 s later, KILL; past this the connection itself is suspect.
const LOCAL_GRACE_MS = 5_000;

/**
 * The command line for sshd. With a timeout, coreutils `timeout` on the host signals the command's whole
 * process group (sudo relays the TERM to a command it runs as another user), which an SSH channel close
 * would not do: sshd keeps waiting for the command.
 */
const commandLine = (cmd: ChannelCommand, start: string): string => {
  const shell = ['/bin/sh', '-c', cmd.script];
  const run = cmd.timeoutMs === undefined ? shell : ['timeout', '-k', '2', `${Math.max(cmd.timeoutMs, 1) / 1000}`, ...shell];
  // the login shell may print first (a banner, an `echo` in .bashrc): what comes before the marker is not the command's
  return `printf '%s\\n' ${start}; printf '%s\\n' ${start} >&2; exec ${shellJoin(run)}`;
};

/** What the command printed: everything after the start marker (all of it if the marker never came). */
const afterMarker = (chunks: Buffer[], start: string): Buffer => {
  const bytes = Buffer.concat(chunks);
  const at = bytes.indexOf(`${start}\n`);
  return at < 0 ? bytes : bytes.subarray(at + start.length + 1);
};

/** Gather a started command's output and outcome; settles once, on close or after the local grace period. */
const collect = (
  channel: SshChannel,
  cmd: ChannelCommand,
  start: string,
  started: number,
  resolve: (result: ExecResult) => void,
  reject: (err: Error) => void,
): void => {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let exit: { code: number | null; signal?: string } | undefined;
  // measured, not flagged by a timer: under load the event loop may handle the exit before a due timer fires
  const pastDeadline = () => cmd.timeoutMs !== undefined && performance.now() - started >= cmd.timeoutMs;
  let sourceError: Error | undefined;
  const timers: NodeJS.Timeout[] = [];
  // a command that finished on its own just before the deadline keeps its real result
  const killedByTimeout = () => pastDeadline() && (exit === undefined || exit.code === 124 || exit.code === 137);
  const result = (): ExecResult => {
    const bytes = afterMarker(out, start);
    const stdout = { stdout: bytes.toString(), ...(cmd.binary ? { stdoutBytes: bytes } : {}) };
    const stderr = afterMarker(err, start).toString();
    if (killedByTimeout()) return { code: TIMEOUT_EXIT_CODE, ...stdout, stderr: `${stderr}command timed out after ${cmd.timeoutMs} ms\n` };
    return { code: exit?.code ?? signalExitCode(exit?.signal), ...stdout, stderr };
  };
  channel.on('data', (d: Buffer) => out.push(d));
  channel.stderr.on('data', (d: Buffer) => err.push(d));
  channel.on('exit', (code: number | null, signal?: string) => {
    exit = { code, signal };
  });
  channel.on('error', () => undefined); // surfaced through 'close' (or the connection's own error)
  if (cmd.timeoutMs !== undefined) {
    timers.push(
      setTimeout(() => {
        channel.close();
        resolve(result());
      }, cmd.timeoutMs + LOCAL_GRACE_MS),
    );
  }
  channel.on('close', () => {
    timers.forEach(clearTimeout);
    if (sourceError) return reject(sourceError);
    if (!exit) return reject(new ChannelLostError());
    resolve(result());
  });
  feedStdin(cmd.stdin, channel, (e) => (sourceError = e));
};

/**
 * Run `/bin/sh -c <script>` on a new channel of `client`, feeding stdin and collecting output.
 * sshd runs the command through the login shell; the explicit /bin/sh makes the dialect the same for every user.
 */
export const execOnChannel = (client: SshClient, cmd: ChannelCommand): Promise<ExecResult> =>
  new Promise((resolve, reject) => {
    const start = `@@nop-start-${randomBytes(6).toString('hex')}`;
    const open = (attempt: number) => {
      // the clock starts when the request leaves, before the host can start the command and its `timeout`: a loaded
      // controller that handles the channel late must still see the remote timeout as past the deadline
      const started = performance.now();
      // listeners go on synchronously: output, exit and close may arrive in the same packet batch as the channel
      client.exec(commandLine(cmd, start), (openErr, channel) => {
        if (!openErr) return collect(channel, cmd, start, started, resolve, reject);
        if (!isSessionLimit(openErr) || attempt >= OPEN_ATTEMPTS) return reject(openErr);
        setTimeout(() => open(attempt + 1), OPEN_RETRY_MS * attempt);
      });
    };
    open(1);
  });
