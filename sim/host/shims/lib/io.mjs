// How a shim answers: text on stdout/stderr and an exit code, like the real command. A shim runs as its own
// process, or inside the host's shim server (server.mjs), which collects what one call writes in `call`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** while the shim server runs a command: what it has written so far, in order ([stream, text]) */
let call;

const write = (stream, text) => (call ? call.push([stream, text]) : process[stream].write(text));

/** Text on stdout as it is (no newline added). */
export const raw = (text) => write('stdout', text);
export const out = (text) => write('stdout', text.endsWith('\n') || text === '' ? text : `${text}\n`);
export const err = (text) => write('stderr', text.endsWith('\n') ? text : `${text}\n`);

/** Thrown inside the shim server where a shim process would exit: the call ends with `code`. */
class CallEnd extends Error {
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}

export const exit = (code, message) => {
  if (message) err(message);
  if (call) throw new CallEnd(code);
  process.exit(code);
};

/** in the shim server: the caller's stdin, where its client sent it (shim-server.ts: STDIN_READERS) */
let callStdin;
export const setStdin = (text) => {
  callStdin = text;
};

/** All of stdin, as text: the process's own, or in the shim server the caller's (else the call falls back). */
export const readStdin = () => {
  if (!call) return readFileSync(0, 'utf8');
  if (callStdin === undefined) fallback();
  return callStdin;
};

/** Thrown inside the shim server where a shim hands the call on to a program: the client runs it itself. */
class CallExec extends Error {
  constructor(program, argv, env, input) {
    super(`exec ${program}`);
    Object.assign(this, { program, argv, env, input });
  }
}

/** Thrown inside the shim server where a call must run as its own process after all (server.mjs: `fallback`). */
class CallFallback extends Error {}

/** Thrown inside the shim server where the call's answer comes later, from async work (answerLater). */
class CallLater extends Error {
  constructor(work) {
    super('later');
    this.work = work;
  }
}

/**
 * In the shim server: the call's answer is what `work` (async: { code, stdout, stderr }) gives; the server answers
 * no other call meanwhile. A chain query so runs in the server itself, no program started.
 */
export const answerLater = (work) => {
  throw new CallLater(work);
};

/** Whether this call is run by the shim server (else the shim is its own process). */
export const inServerCall = () => call !== undefined;

/** The call cannot be answered by the shim server (it needs what only the caller's process has). */
export const fallback = () => {
  if (call) throw new CallFallback('fallback');
};

/** `cmd` as execvp finds it on `path`, else undefined. */
const onPath = (cmd, path) => {
  const candidates = cmd.includes('/') ? [cmd] : path.split(':').map((dir) => join(dir || '.', cmd));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
};

/**
 * Hand the rest of the call to a program, with this process's stdin (or `input`), stdout and stderr, and end with
 * its exit code: a streaming command (curl, an `exec` in a container) stays the program's own. `env` is added to the
 * caller's environment. As its own process the shim runs it as a child; in the shim server the client execs it
 * (no node process waits for it). A program that cannot be found ends the call with `notFound(cmd)`.
 */
export const execInstead = (argv, { env = {}, input, notFound }) => {
  const path = env.PATH ?? process.env.PATH ?? '';
  if (call) {
    const program = onPath(argv[0], path);
    if (!program) exit(...notFound(argv[0]));
    throw new CallExec(program, argv.slice(1), env, input);
  }
  const res = spawnSync(argv[0], argv.slice(1), {
    stdio: [input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'],
    input,
    env: { ...process.env, ...env },
  });
  if (res.error) exit(...notFound(argv[0]));
  exit(res.status ?? 1);
};

/** What `sh` says for a command that is not installed. */
export const notInstalled = (cmd) => exit(127, `sh: 1: ${cmd}: not found`);

/** Left-aligned columns separated by at least `gap` spaces, like the tables of docker and systemctl. */
export const table = (rows, gap = 3) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? String(c) : String(c).padEnd(widths[i] + gap)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
};

/** Thrown to end a shim with an exit code from inside withState (so the lock is released first). */
export class ShimExit extends Error {
  constructor(code, text) {
    super(text);
    this.code = code;
  }
}

export const abort = (code, text) => {
  throw new ShimExit(code, text);
};

/** Run a shim's main; a ShimExit becomes its message on stderr and its exit code. */
export const main = (fn) => {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ShimExit)) throw e;
    exit(e.code, e.message);
  }
};

/**
 * A shim command: `command((argv) => …)` in the shim's own file. Run as a program, it runs at once with the
 * process's arguments; imported by the shim server, it is returned for the server to call.
 */
let serving = false;
export const command = (fn) => {
  if (!serving) main(() => fn(process.argv.slice(2)));
  return fn;
};

/** The shim server: from now on, imported commands are returned, not run. */
export const serve = () => {
  serving = true;
};

/**
 * Run one command in this process: its exit code and what it wrote, as [stream, text] in the order written (so
 * that stdout and stderr sent to one place interleave as they would from its own process); or the program it
 * hands the call on to (`exec`, after what it wrote), or `fallback` when it must run as its own process.
 */
export const runCommand = (fn, argv) => {
  call = [];
  let code = 0;
  let ended;
  try {
    main(() => fn(argv));
  } catch (e) {
    if (e instanceof CallEnd) code = e.code;
    else if (e instanceof CallExec || e instanceof CallFallback || e instanceof CallLater) ended = e;
    else {
      // an uncaught error ends a node process with its stack on stderr and status 1
      err(String(e?.stack ?? e));
      code = 1;
    }
  }
  const output = call.filter(([, text]) => text !== '');
  call = undefined;
  if (ended instanceof CallFallback) return { fallback: true };
  if (ended instanceof CallLater) return { later: ended.work, output };
  if (ended) return { exec: ended, output };
  return { code, output };
};
