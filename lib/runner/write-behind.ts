import { CommandError } from '../modules/module.js';
import { type Content, sizeOf } from '../transport/atomic-write.js';
import { directoryScript, type HostOp, opBatch } from '../transport/op-batch.js';
import type { Become, ExecOptions, ExecResult, PutOptions, StagedFile, Transport } from '../transport/transport.js';
import { UnreachableError } from '../transport/transport.js';

/** Who held a change: one step (a task, or one item of a loop) that the runner can roll back. Opaque here. */
export type StepToken = object;

/** A change an earlier step held has failed: the steps after it ran on a state the host never reached. */
export class SpeculationFailed extends Error {
  constructor(
    readonly step: StepToken,
    readonly error: Error,
  ) {
    super(`an earlier change failed: ${error.message}`);
    this.name = 'SpeculationFailed';
  }
}

/** The transport a host's own tasks use, plus the one kind of change that is only success or failure. */
export interface HostTransport extends Transport {
  /** run a script whose only outcome is its exit status; a failure is a CommandError naming the script */
  change(script: string, opts?: ExecOptions): Promise<void>;
  /** make a directory (op-batch.ts's directory op) as a change; a failure is a CommandError naming its script */
  makeDirectory(path: string, mode: number | undefined, opts?: ExecOptions): Promise<void>;
}

export interface WriteBehind {
  /** for the host's own tasks: while a step holds, its writes and changes wait to go with the next ones */
  own: HostTransport;
  /** for other hosts' tasks delegated here: nothing waits, and the host's own failures are not theirs */
  foreign: Transport;
  /** the step whose writes may be held from now on; undefined: none, every change goes out at once */
  holdFor(step: StepToken | undefined): void;
  /** send what is held and wait for what is in flight; a failure is kept for takeFailure() */
  flush(): Promise<void>;
  /** a change is held or in flight: the steps since are not confirmed yet */
  unconfirmed(): boolean;
  /** the failed change found by a flush (taken once), with the step that held it */
  takeFailure(): { step: StepToken; error: Error } | undefined;
}

interface Held {
  op: HostOp;
  step: StepToken;
  become?: Become;
  /** a script's environment (the task's `environment`); a write has none of its own */
  env?: Record<string, string>;
  /** the error the step would have seen had the change gone out at once */
  error(failure: { code: number; stderr: string }): Error;
}

// what is held in memory stays small: larger content goes out on its own, after everything held before it. A file
// on the controller is held whatever its size where the transport can upload it ahead of the batch (only its path
// is held); elsewhere (local: no round trips to save) a large one is written on its own too.
const MAX_HELD_FILE_BYTES = 1024 * 1024;
const MAX_HELD_BYTES = 8 * 1024 * 1024;

// A batch is one command line, which must fit what the kernel takes for one argument (128 KiB), after the quoting of
// the ssh command and of the become wrapper (about a quarter more): held changes that need more go in several.
const MAX_BATCH_SCRIPT_BYTES = 64 * 1024;

/** The held ops in order, in parts whose batch each fits one command line (almost always one part). */
const commandParts = (ops: Held[], tail: string | undefined): Held[][] => {
  const script = opBatch(
    ops.map((h) => h.op),
    tail === undefined ? undefined : { script: tail },
  ).script;
  if (ops.length <= 1 || script.length <= MAX_BATCH_SCRIPT_BYTES) return [ops];
  const half = Math.ceil(ops.length / 2);
  return [...commandParts(ops.slice(0, half), tail), ...commandParts(ops.slice(half), tail)];
};

const becomeKey = (become: Become | undefined) => JSON.stringify([become?.user ?? '', become?.password ?? '']);
const envKey = (env: Record<string, string> | undefined) => (env === undefined ? undefined : JSON.stringify(Object.entries(env).sort()));

/**
 * The runner's write-behind for one host: changes of steps that may run ahead (file, copy, template,
 * lineinfile… whose outcome is only success or failure) are held and sent together in one command, in order,
 * stopping at the first failure (lib/transport/op-batch.ts). Anything else that reaches the host (a command, a
 * read, a forwarded port, large content held in memory) sends what is held first; a read of the same user rides in the same round
 * trip. A failed change is the failure of the step that held it: thrown to that step if it is the one asking, kept
 * for the runner (and thrown to later steps as SpeculationFailed) otherwise.
 */
export const writeBehind = (transport: Transport): WriteBehind => {
  let held: Held[] = [];
  let heldBytes = 0;
  let inFlight: Promise<unknown> | undefined;
  let failure: { step: StepToken; error: Error } | undefined;
  let current: StepToken | undefined;
  const swept = new Set<string>();

  // one batch is one command: one user, and one environment for its scripts (writes go with any)
  const heldEnv = () => held.find((h) => h.env !== undefined)?.env;
  const fits = (become: Become | undefined, env: Record<string, string> | undefined): boolean => {
    if (held.length === 0) return true;
    if (becomeKey(held[0].become) !== becomeKey(become)) return false;
    const ours = envKey(heldEnv());
    return env === undefined || ours === undefined || ours === envKey(env);
  };

  // the directories the batch's writes are the first into (per user): swept of stale temp files first
  const unswept = (ops: readonly Held[]): string[] => {
    const dirs: string[] = [];
    for (const h of ops) {
      if (h.op.kind !== 'put') continue;
      const dir = h.op.dest.slice(0, Math.max(h.op.dest.lastIndexOf('/'), 0)) || (h.op.dest.startsWith('/') ? '/' : '.');
      const key = `${h.become?.user ?? ''}\0${dir}`;
      if (swept.has(key)) continue;
      swept.add(key);
      dirs.push(dir);
    }
    return dirs;
  };

  // a large file from the controller, which the transport can upload ahead of the batch (Transport.stage)
  const stagedPath = ({ op }: Held): string | undefined =>
    op.kind === 'put' && 'path' in op.content && op.size > MAX_HELD_FILE_BYTES ? op.content.path : undefined;

  /**
   * The batch's ops, its large files uploaded first where the transport can: all in flight at once in one session,
   * into temp files the batch installs. One that cannot be staged (its directory is made by this very batch, a
   * full disk) goes in the batch's own stream, whose failure names the errno and belongs to its step. Staging
   * writes as the login user: a batch with become streams everything (one batch is one user).
   */
  const prepare = async (ops: Held[]): Promise<{ ops: HostOp[]; staged: StagedFile[] }> => {
    const stage = transport.stage?.bind(transport);
    if (!stage || ops[0].become !== undefined) return { ops: ops.map((h) => h.op), staged: [] };
    const files = await Promise.all(
      ops.map((h) => {
        const path = stagedPath(h);
        return path === undefined || h.op.kind !== 'put' ? undefined : stage(h.op.dest, path).catch(() => undefined);
      }),
    );
    return {
      ops: ops.map(({ op }, i) => {
        const file = files[i];
        return file && op.kind === 'put' ? { kind: 'install', dest: op.dest, tmp: file.tmp, size: op.size, opts: op.opts } : op;
      }),
      staged: files.filter((f) => f !== undefined),
    };
  };

  /** One round trip: the held ops, then `tail` if given; records the first failure. */
  const sendOne = async (ops: Held[], tail?: { script: string; opts: ExecOptions }): Promise<ExecResult | undefined> => {
    const first = ops[0];
    const prepared = await prepare(ops);
    const batch = opBatch(prepared.ops, tail && { script: tail.script, stdin: tail.opts.stdin }, unswept(ops));
    let result: ExecResult;
    try {
      const env = tail?.opts.env ?? ops.find((h) => h.env !== undefined)?.env;
      result = await transport.exec(batch.script, { ...tail?.opts, become: first.become, env, stdin: batch.stdin });
    } catch (err) {
      // the connection is gone: the first change held is where the host stopped being known
      failure ??= { step: first.step, error: err as Error };
      return undefined;
    } finally {
      // the batch installed them or removed them (or the host is gone)
      for (const file of prepared.staged) file.release();
    }
    const outcome = batch.parse(result);
    if (outcome.failure) failure ??= { step: ops[outcome.done].step, error: ops[outcome.done].error(outcome.failure) };
    return outcome.tail;
  };

  /** The held ops, then `tail` if given: one round trip, or one per part where they need more than one command. */
  const send = async (ops: Held[], tail?: { script: string; opts: ExecOptions }): Promise<ExecResult | undefined> => {
    const all = commandParts(ops, tail?.script);
    for (const part of all.slice(0, -1)) {
      await sendOne(part);
      if (failure) return undefined;
    }
    return sendOne(all[all.length - 1], tail);
  };

  const track = <T>(p: Promise<T>): Promise<T> => {
    const settled = p.finally(() => {
      if (inFlight === settled) inFlight = undefined;
    });
    inFlight = settled;
    settled.catch(() => undefined);
    return settled;
  };

  /** Until nothing is held or in flight (new holds may arrive while a batch is out). */
  const drain = async (): Promise<void> => {
    while (held.length || inFlight) {
      if (inFlight) {
        await inFlight.catch(() => undefined);
        continue;
      }
      // after a failure nothing held later may go out: it was planned on a state the host never reached
      if (failure) {
        held = [];
        heldBytes = 0;
        return;
      }
      const ops = held;
      held = [];
      heldBytes = 0;
      await track(send(ops));
    }
  };

  // the host's own steps: a failure they held is theirs; one an earlier step held undoes what they assumed
  const ownFailure = () => {
    if (!failure) return;
    if (failure.step === current) {
      const { error } = failure;
      failure = undefined;
      throw error;
    }
    throw new SpeculationFailed(failure.step, failure.error);
  };
  const ownReady = async () => {
    ownFailure();
    await drain();
    ownFailure();
  };
  // delegated tasks wait for the host's changes but do not fail for them, unless the host itself is gone
  const foreignReady = async () => {
    await drain();
    if (failure?.error instanceof UnreachableError) throw failure.error;
  };

  const holding = (become: Become | undefined, env: Record<string, string> | undefined): boolean => current !== undefined && fits(become, env);

  const hold = (entry: Held, bytes = 0) => {
    held.push(entry);
    heldBytes += bytes;
  };

  const ownExec = async (script: string, opts: ExecOptions = {}): Promise<ExecResult> => {
    ownFailure();
    await (inFlight?.catch(() => undefined) ?? Promise.resolve());
    // a command (a fact read) as the same user goes out with what is held, in one round trip
    if (held.length && fits(opts.become, opts.env ?? {}) && heldBytes <= MAX_HELD_BYTES) {
      const ops = held;
      held = [];
      heldBytes = 0;
      const tail = await track(send(ops, { script, opts }));
      ownFailure();
      if (tail) return tail;
    }
    await ownReady();
    return transport.exec(script, opts);
  };

  const putError = (dest: string, become: Become | undefined) => (f: { stderr: string }) =>
    new Error(`cannot write ${dest}${become ? ` as ${become.user}` : ''}: ${f.stderr.trim()}`);

  const ownPut = async (dest: string, content: Content, opts: PutOptions, direct: () => Promise<void>): Promise<void> => {
    ownFailure();
    const size = await sizeOf(content).catch(() => undefined);
    const inMemory = 'bytes' in content ? (size ?? 0) : 0;
    const holdable = size !== undefined && (size <= MAX_HELD_FILE_BYTES || ('path' in content && transport.stage !== undefined));
    if (holdable && holding(opts.become, undefined)) {
      if (heldBytes + inMemory > MAX_HELD_BYTES) await ownReady();
      const { become, ...attributes } = opts;
      hold({ op: { kind: 'put', dest, content, size, opts: attributes }, step: current!, become, error: putError(dest, become) }, inMemory);
      return;
    }
    await ownReady();
    return direct();
  };

  /**
   * A change that is only success or failure: held where a step holds, else sent at once. A script brings its
   * environment (one batch has one); a directory needs none and goes with any. `script` is what the shell runs
   * for it, and what its failure names.
   */
  const ownChange = async (op: Extract<HostOp, { kind: 'script' | 'directory' }>, script: string, opts: ExecOptions): Promise<void> => {
    ownFailure();
    const env = op.kind === 'script' ? (opts.env ?? {}) : undefined;
    if (holding(opts.become, env)) {
      const error = (f: { code: number; stderr: string }) => new CommandError(script, { code: f.code, stdout: '', stderr: f.stderr });
      hold({ op, step: current!, become: opts.become, env, error });
      return;
    }
    const result = await ownExec(script, opts);
    if (result.code !== 0) throw new CommandError(script, result);
  };

  const own: HostTransport = {
    ...transport,
    exec: ownExec,
    put: (dest, content, opts = {}) => ownPut(dest, { bytes: Buffer.from(content) }, opts, () => transport.put(dest, content, opts)),
    putFile: (dest, localPath, opts = {}) => ownPut(dest, { path: localPath }, opts, () => transport.putFile(dest, localPath, opts)),
    get: async (path, opts) => {
      await ownReady();
      return transport.get(path, opts);
    },
    forward: transport.forward
      ? async (host, port) => {
          await ownReady();
          return transport.forward!(host, port);
        }
      : undefined,
    change: (script, opts = {}) => ownChange({ kind: 'script', script }, script, opts),
    makeDirectory: (path, mode, opts = {}) => ownChange({ kind: 'directory', path, mode }, directoryScript(path, mode), opts),
  };

  const foreign: Transport = {
    ...transport,
    exec: async (script, opts) => {
      await foreignReady();
      return transport.exec(script, opts);
    },
    put: async (dest, content, opts) => {
      await foreignReady();
      return transport.put(dest, content, opts);
    },
    putFile: async (dest, localPath, opts) => {
      await foreignReady();
      return transport.putFile(dest, localPath, opts);
    },
    get: async (path, opts) => {
      await foreignReady();
      return transport.get(path, opts);
    },
    forward: transport.forward
      ? async (host, port) => {
          await foreignReady();
          return transport.forward!(host, port);
        }
      : undefined,
  };

  return {
    own,
    foreign,
    holdFor: (step) => {
      current = step;
    },
    flush: drain,
    unconfirmed: () => held.length > 0 || inFlight !== undefined,
    takeFailure: () => {
      const taken = failure;
      failure = undefined;
      return taken;
    },
  };
};
