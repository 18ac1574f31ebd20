// How a shim answers: text on stdout/stderr and an exit code, like the real command. A shim runs as its own
// process, or inside the host's shim server (server.mjs), which collects what one call writes in `call`.

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
 * that stdout and stderr sent to one place interleave as they would from its own process).
 */
export const runCommand = (fn, argv) => {
  call = [];
  let code = 0;
  try {
    main(() => fn(argv));
  } catch (e) {
    if (e instanceof CallEnd) code = e.code;
    else {
      // an uncaught error ends a node process with its stack on stderr and status 1
      err(String(e?.stack ?? e));
      code = 1;
    }
  }
  const result = { code, output: call.filter(([, text]) => text !== '') };
  call = undefined;
  return result;
};
