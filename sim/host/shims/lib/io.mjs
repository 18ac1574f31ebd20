// How a shim answers: text on stdout/stderr and an exit code, like the real command.
export const out = (text) => process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
export const err = (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

export const exit = (code, message) => {
  if (message) err(message);
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
