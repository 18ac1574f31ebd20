import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { type Content, ownershipScript, STALE_TEMP_MINUTES, streamOf, sweepScript, tempName } from './atomic-write.js';
import { PERL_BATCH_PROGRAM } from './op-batch-perl.js';
import { shellJoin } from './shell-quote.js';
import type { Stdin } from './stdin.js';
import type { ExecResult, PutOptions } from './transport.js';

/**
 * Changes sent to a host together, in one command: each runs only once the one before it succeeded, so the host
 * goes through exactly the states it would go through one command at a time, stopping at the first failure.
 */
export type HostOp =
  /** a script whose only outcome is its exit status (mkdir, chmod, ln…); its output is not kept */
  | { kind: 'script'; script: string }
  /** a directory made where there was none, with its parents (`mkdir -p`), then given `mode` (the umask's without) */
  | { kind: 'directory'; path: string; mode?: number }
  /** a file written as `put` writes it: a temp file beside dest, its size checked, mode and owner set, renamed */
  | { kind: 'put'; dest: string; content: Content; size: number; opts: PutOptions }
  /** a file whose content is already in a temp file beside dest (Transport.stage): its size checked, mode and owner set, renamed */
  | { kind: 'install'; dest: string; tmp: string; size: number; opts: PutOptions };

export interface OpBatchResult {
  /** how many ops succeeded, in order */
  done: number;
  /** the op at index `done`, when it failed: its exit status and what it printed on stderr */
  failure?: { code: number; stderr: string };
  /** the result of the script that followed the ops (a read merged into the same round trip), when they all succeeded */
  tail?: ExecResult;
}

export interface OpBatch {
  script: string;
  /**
   * every put's content in order, each followed by its end marker, then the tail's own stdin; made when first read
   * (a file's content is a stream that opens it), so a batch built only to measure its script opens nothing
   */
  readonly stdin: Stdin | undefined;
  parse(result: ExecResult): OpBatchResult;
}

const RC = '__nop_rc';

// Small text the shell writes itself, with builtins (read, printf): no head process per file, which was most of what
// a first run cost a host. Only printable ASCII, tab and newline, whose bytes every sh's read keeps as they are; up
// to a size where reading it a byte at a time (what read does on a pipe) still costs less than starting head. The
// content (a secret, a mnemonic) is never an argument: printf is a builtin of every sh nop runs on (dash, bash,
// busybox), as `[` is for the env prologue's values (env-prologue.ts).
const MAX_SHELL_WRITTEN_BYTES = 1024;

/** The content as lines the shell reads back, or undefined where head must copy it. */
interface ShellLines {
  /** lines ending in a newline */
  full: number;
  /** the content ends in a line without a newline: it is sent with one, and written without */
  partial: boolean;
}
const shellLines = (content: Content, size: number): ShellLines | undefined => {
  // content that is not the size announced goes to head, whose size check fails it
  if (!('bytes' in content) || size > MAX_SHELL_WRITTEN_BYTES || content.bytes.length !== size) return undefined;
  let full = 0;
  for (const b of content.bytes) {
    if (b === 0x0a) full++;
    else if (b !== 0x09 && (b < 0x20 || b > 0x7e)) return undefined;
  }
  return { full, partial: size > 0 && content.bytes[size - 1] !== 0x0a };
};

// The content is read from the batch's stdin, then a line that must be the op's end marker. A sender cut off early
// (an interrupted run) leaves the content short and the marker missing; content longer or shorter than announced
// moves the marker: either way nothing is renamed. By head: exactly `size` bytes (GNU and busybox head never read
// past them). By the shell: `full` lines, then the partial one; its printf failing (a full disk) is written again
// by cat only to say why (dash's printf names no errno). The temp file is never a planted one (set -C); it is
// created with its final mode when a umask can give it (no x or special bits, no new owner), saving a chmod, else
// private (077).
const putScript = (op: Extract<HostOp, { kind: 'put' }>, endMarker: string, lines: ShellLines | undefined): string => {
  const tmpPath = tempName(op.dest);
  const tmp = shellJoin([tmpPath]);
  const dest = shellJoin([op.dest]);
  const mode = op.opts.mode ?? 0o644;
  const chown = Boolean(op.opts.owner || op.opts.group);
  const createdWithMode = (mode & ~0o666) === 0 && !chown;
  const umask = createdWithMode ? ~mode & 0o777 : 0o077;
  const install = [
    ...(createdWithMode ? [] : [`chmod ${mode.toString(8)} ${tmp}`]),
    ...(chown ? [ownershipScript(tmpPath, op.opts)] : []),
    `mv -fT ${tmp} ${dest}`,
  ];
  const notWhole = `echo "size check failed: the content of ${op.size} bytes did not arrive whole" >&2; exit 1`;
  const write = lines
    ? [
        '__nop_v= __nop_i=0',
        `while [ "$__nop_i" -lt ${lines.full} ] && IFS= read -r __nop_l; do __nop_v="$__nop_v$__nop_l\n"; __nop_i=$((__nop_i + 1)); done`,
        ...(lines.partial ? [`[ "$__nop_i" -lt ${lines.full} ] || { IFS= read -r __nop_l && __nop_v="$__nop_v$__nop_l"; } || __nop_i=-1`] : []),
        'IFS= read -r __nop_end || __nop_end=',
        `[ "$__nop_i" -eq ${lines.full} ] && [ "\${#__nop_v}" -eq ${op.size} ] && [ "$__nop_end" = '${endMarker}' ] || { ${notWhole}; }`,
        `printf '%s' "$__nop_v" > ${tmp} 2>/dev/null || { rm -f ${tmp}; printf '%s' "$__nop_v" | cat > ${tmp} && echo 'write error' >&2; rm -f ${tmp}; exit 1; }`,
      ]
    : [
        `head -c ${op.size} > ${tmp} || { rm -f ${tmp}; exit 1; }`,
        'IFS= read -r __nop_end || __nop_end=',
        `[ "$__nop_end" = '${endMarker}' ] || { rm -f ${tmp}; ${notWhole}; }`,
      ];
  return [`umask ${umask.toString(8).padStart(3, '0')}`, 'set -C', ...write, `{ ${install.join(' && ')}; } || { rm -f ${tmp}; exit 1; }`].join('\n');
};

// the temp file was created by the login user, exclusively and private (Transport.stage); a batch that stops before
// this op removes it (see opBatch), and so does any failure here
const installStagedScript = (op: Extract<HostOp, { kind: 'install' }>): string => {
  const tmp = shellJoin([op.tmp]);
  const mode = (op.opts.mode ?? 0o644).toString(8);
  return [
    `__nop_size=$(wc -c < ${tmp}) || { rm -f ${tmp}; exit 1; }`,
    `[ "$__nop_size" -eq ${op.size} ] || { rm -f ${tmp}; echo "size check failed: $__nop_size bytes written, ${op.size} expected" >&2; exit 1; }`,
    `{ chmod ${mode} ${tmp} && ${ownershipScript(op.tmp, op.opts)} && mv -fT ${tmp} ${shellJoin([op.dest])}; } || { rm -f ${tmp}; exit 1; }`,
  ].join('\n');
};

/**
 * The shell's way to make a directory op's directory: with its mode in one process where its parent exists; where
 * that fails (no parent; the path appeared since it was read) `mkdir -p` then `chmod`, so the mode is exact whichever
 * ran.
 */
export const directoryScript = (path: string, mode: number | undefined): string => {
  const p = shellJoin([path]);
  if (mode === undefined) return `mkdir -p -- ${p}`;
  const m = mode.toString(8).padStart(4, '0');
  return `{ mkdir -m ${m} -- ${p} 2>/dev/null || { mkdir -p -- ${p} && chmod ${m} -- ${p}; }; }`;
};

const opScript = (op: HostOp, endMarker: string, lines: ShellLines | undefined): string => {
  if (op.kind === 'script') return `(\n${op.script}\n) </dev/null 2>&1 >/dev/null`;
  if (op.kind === 'directory') return `(\n${directoryScript(op.path, op.mode)}\n) </dev/null 2>&1 >/dev/null`;
  if (op.kind === 'install') return `(\n${installStagedScript(op)}\n) </dev/null 2>&1 >/dev/null`;
  return `(\n${putScript(op, endMarker, lines)}\n) 2>&1 >/dev/null`;
};

/** What follows a put's content on stdin: its end marker line (after a newline the shell needs to read a last line). */
const trailerOf = (lines: ShellLines | undefined, endMarker: string): string => `${lines?.partial ? '\n' : ''}${endMarker}\n`;

const contentStream = (
  ops: readonly HostOp[],
  lines: readonly (ShellLines | undefined)[],
  endMarker: (i: number) => string,
  tail: Stdin | undefined,
): Stdin | undefined => {
  const parts: (Buffer | Readable | string)[] = [];
  ops.forEach((op, i) => {
    if (op.kind !== 'put') return;
    parts.push(streamOf(op.content), trailerOf(lines[i], endMarker(i)));
  });
  if (tail !== undefined) parts.push(tail);
  if (parts.length === 0) return undefined;
  if (parts.every((p) => !(p instanceof Readable))) return Buffer.concat(parts.map((p) => Buffer.from(p as Buffer | string)));
  return Readable.from(
    (async function* () {
      for (const part of parts) {
        if (part instanceof Readable) for await (const chunk of part) yield chunk as Buffer;
        else yield Buffer.from(part);
      }
    })(),
    { objectMode: false },
  );
};

// the ops as the perl batch's arguments (op-batch-perl.ts): values as they are, each its own word, shell-quoted
const perlArgs = (op: HostOp, trailer: string): string[] => {
  const attributes = (opts: PutOptions) => [String(opts.mode ?? 0o644), opts.owner ?? '', opts.group ?? ''];
  switch (op.kind) {
    case 'script':
      return ['s', op.script];
    case 'directory':
      return ['d', op.path, op.mode === undefined ? '' : String(op.mode)];
    case 'put':
      return ['p', op.dest, tempName(op.dest), String(op.size), ...attributes(op.opts), trailer];
    case 'install':
      return ['i', op.dest, op.tmp, String(op.size), ...attributes(op.opts)];
  }
};

/**
 * Where the host has perl, the whole batch runs in it (op-batch-perl.ts): no process per file or directory. It
 * reads the same stdin and frames its output as the shell batch that follows, which runs where there is no perl.
 * PERL_BADLANG's own value goes with the arguments (expanded before the assignment applies).
 */
const perlBatch = (nonce: string, args: readonly string[]): string =>
  [
    'if command -v perl >/dev/null 2>&1; then',
    `PERL_BADLANG=0 exec perl -e ${shellJoin([PERL_BATCH_PROGRAM])} -- "\${PERL_BADLANG+1}" "\${PERL_BADLANG-}" ${shellJoin([nonce, String(STALE_TEMP_MINUTES * 60), ...args])}`,
    'fi',
  ].join('\n');

/**
 * One script running `ops` in order and stopping at the first that fails, then (when all succeeded) `tail`, a
 * script whose output and exit status are returned as they are (a fact read riding along). Each op's messages are
 * framed on stdout with a per-batch nonce (the tail owns stderr), so a message is attributed to the op that printed
 * it. `sweepDirs` are swept of stale temp files first. Run by perl where the host has it, by the shell elsewhere
 * (each op in its own subshell, one find for the sweep): the same stdin, the same frames, the same outcome.
 */
export const opBatch = (ops: readonly HostOp[], tail?: { script: string; stdin?: Stdin }, sweepDirs: readonly string[] = []): OpBatch => {
  const nonce = randomBytes(8).toString('hex');
  const mark = (kind: 'B' | 'E' | 'P', i: number) => `@@nop-${nonce}-${kind}${i}`;
  const tailMark = `@@nop-${nonce}-T`;
  const shell = ops.map((op) => (op.kind === 'put' ? shellLines(op.content, op.size) : undefined));
  const args = [
    ...sweepDirs.flatMap((d) => ['w', d]),
    ...ops.flatMap((op, i) => perlArgs(op, trailerOf(shell[i], mark('P', i)))),
    ...(tail ? ['t', tail.script] : []),
  ];
  const lines: string[] = [perlBatch(nonce, args)];
  if (sweepDirs.length) lines.push(sweepScript(...sweepDirs));
  ops.forEach((op, i) => {
    // a batch that stops here leaves the staged content of the ops after this one to nobody: removed
    const unreached = ops.slice(i + 1).flatMap((later) => (later.kind === 'install' ? [later.tmp] : []));
    const stop = unreached.length ? `{ rm -f ${shellJoin(unreached)}; exit 0; }` : 'exit 0';
    lines.push(
      `printf '\\n%s\\n' '${mark('B', i)}'`,
      opScript(op, mark('P', i), shell[i]),
      `${RC}=$?`,
      `printf '\\n%s %d\\n' '${mark('E', i)}' "$${RC}"`,
      `[ "$${RC}" -eq 0 ] || ${stop}`,
    );
  });
  if (tail) lines.push(`printf '\\n%s\\n' '${tailMark}'`, `(\n${tail.script}\n)`);
  const parse = (result: ExecResult): OpBatchResult => {
    const out = result.stdout;
    let from = 0;
    for (let i = 0; i < ops.length; i++) {
      const begin = `\n${mark('B', i)}\n`;
      const start = out.indexOf(begin, from);
      const endAt = start < 0 ? -1 : out.indexOf(`\n${mark('E', i)} `, start + begin.length);
      if (endAt < 0) {
        // the batch itself stopped (killed, cut off): the op in flight is the one that failed
        const said = start < 0 ? '' : out.slice(start + begin.length);
        return { done: i, failure: { code: result.code === 0 ? 1 : result.code, stderr: `${said}${result.stderr}`.trim() || 'the batch stopped' } };
      }
      const rcStart = endAt + mark('E', i).length + 2;
      const rcEnd = out.indexOf('\n', rcStart);
      const code = Number(out.slice(rcStart, rcEnd < 0 ? undefined : rcEnd));
      if (code !== 0) return { done: i, failure: { code, stderr: out.slice(start + begin.length, endAt) } };
      from = rcEnd < 0 ? out.length : rcEnd;
    }
    if (!tail) return { done: ops.length };
    const at = out.indexOf(`\n${tailMark}\n`, from);
    return { done: ops.length, tail: { code: result.code, stdout: at < 0 ? '' : out.slice(at + tailMark.length + 2), stderr: result.stderr } };
  };
  let stdin: { made: Stdin | undefined } | undefined;
  return {
    script: lines.join('\n'),
    get stdin() {
      stdin ??= { made: contentStream(ops, shell, (i) => mark('P', i), tail?.stdin) };
      return stdin.made;
    },
    parse,
  };
};
