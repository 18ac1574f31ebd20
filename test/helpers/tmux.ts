import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { shellJoin } from '../../lib/transport/shell-quote.js';

const run = promisify(execFile);

/** A command running in a real pseudo-terminal (tmux), driven by keys and read from its screen. */
export interface Terminal {
  /** the screen as text, lines joined as displayed */
  screen(): Promise<string>;
  /** poll the screen until `accept` holds (a string it must contain, or a predicate); fails with the last screen */
  waitFor(accept: string | ((screen: string) => boolean), what?: string): Promise<string>;
  /** type text literally (no Enter) */
  type(text: string): Promise<void>;
  /** press keys by tmux name: Enter, C-c, … */
  press(...keys: string[]): Promise<void>;
  /** wait for the command to end; its exit status (128 + N when signal N killed it, as the shell says) */
  exitCode(): Promise<number>;
  close(): Promise<void>;
}

// generous: a loaded machine is slow, and a wait ends as soon as its condition holds
const WAIT_LIMIT_MS = 60_000;

/**
 * Start `argv` in its own tmux server (a private socket, so tests never meet each other or a user's tmux), in a
 * WIDTH×HEIGHT terminal. The pane stays after the command exits, so its screen and exit status can be read.
 */
export const startTerminal = async (
  argv: string[],
  opts: { cwd: string; env?: Record<string, string>; width?: number; height?: number },
): Promise<Terminal> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-tmux-'));
  const conf = join(dir, 'tmux.conf');
  await writeFile(conf, 'set -g remain-on-exit on\nset -g history-limit 5000\n');
  const socket = join(dir, 'socket');
  const tmux = (...args: string[]) => run('tmux', ['-S', socket, '-f', conf, ...args]).then((r) => r.stdout);
  const env = Object.entries({ TERM: 'xterm-256color', ...opts.env }).map(([k, v]) => `${k}=${v}`);
  // CI would make nop print plain lines. The exit status goes to a file: tmux now and then misses the end of
  // its pane's process (left a zombie, its status never read). The shell around the command keeps running
  // through a Ctrl-C (a trap, which its child does not inherit) to write that file.
  const statusFile = join(dir, 'status');
  const command = `cd ${shellJoin([opts.cwd])} && trap true INT; env -u CI ${shellJoin([...env, ...argv])}; echo $? > ${shellJoin([statusFile])}`;
  await tmux('new-session', '-d', '-s', 'nop', '-x', String(opts.width ?? 160), '-y', String(opts.height ?? 50), command);
  const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'nop', '-S', '-');
  // on a timeout: whether the command still runs, and what it has started
  const processes = async () => {
    const pid = (await tmux('display-message', '-p', '-t', 'nop', '#{pane_pid}')).trim();
    return run('ps', ['-o', 'pid,ppid,stat,etime,args', '--forest', '-g', pid]).then(
      (r) => r.stdout,
      () => `pane process ${pid}: gone`,
    );
  };
  const poll = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const got = await probe();
      if (got !== undefined) return got;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${await screen()}\nprocesses:\n${await processes()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    screen,
    waitFor: (accept, what) => {
      const holds = typeof accept === 'string' ? (s: string) => s.includes(accept) : accept;
      return poll(
        async () => {
          const s = await screen();
          return holds(s) ? s : undefined;
        },
        what ?? (typeof accept === 'string' ? JSON.stringify(accept) : 'the screen'),
      );
    },
    type: async (text) => void (await tmux('send-keys', '-t', 'nop', '-l', text)),
    press: async (...keys) => void (await tmux('send-keys', '-t', 'nop', ...keys)),
    exitCode: () =>
      poll(async () => {
        const status = await readFile(statusFile, 'utf8').catch(() => '');
        return status.endsWith('\n') ? Number(status) : undefined;
      }, 'the command to exit'),
    close: async () => {
      await tmux('kill-server').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
};
