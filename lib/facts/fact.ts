import type { Become } from '../transport/transport.js';

/**
 * A fact is what is true on a host, read by a shell command and parsed on the controller: typed, keyed by its
 * name and argument, read once per run and cached until a change invalidates it. Many facts (and many
 * arguments of one fact) are read together in one remote script (lib/facts/batch-script.ts).
 */
export interface FactDefinition<A = unknown, T = unknown> {
  /** unique: the cache and invalidations name facts by it */
  name: string;
  /** a POSIX sh script printing what `parse` needs for every argument, in one go (one process, not one per argument) */
  command(args: readonly A[]): string;
  /** one value per argument, in order (an Error for an argument that could not be read); `output.rc` is the script's exit status */
  parse(output: FactOutput, args: readonly A[]): (T | Error)[];
  /** the cache key of an argument (default: JSON) */
  key?(arg: A): string;
  /**
   * Whether a change to `changed` makes the cached `cached` stale (default: the same key). The file fact says
   * a changed directory makes everything below it stale.
   */
  affects?(changed: A, cached: A): boolean;
  /**
   * Values the command needs that must never be part of a script, a log or the cache key (a keyring password):
   * exported in the batch's shell, travelling on stdin as every exec's environment does. The command names them
   * (`"$NOP_KEYRING_PASSWORD"`); `key` must leave them out.
   */
  env?(args: readonly A[]): Record<string, string>;
  /**
   * Facts this one is computed from the same state as: a change that makes one of them stale makes this one stale
   * too (the driver stack a package install changed, whatever task installed it).
   */
  dependsOn?(): readonly FactDefinition<never, unknown>[];
  /**
   * Read together with the other facts of this joint in one section (one script for all of them): its command and
   * parse are then the joint's, given just this fact. The file facts share one `find` and one `tar` this way.
   */
  joint?: Joint;
}

/** One fact's arguments in a joint section. */
export interface JointPart {
  fact: FactDefinition;
  args: readonly unknown[];
}

/**
 * One script reading several facts at once, and the parser sharing its output out among them. Its section is the
 * last of its batch, where output that is not text (an archive, `output.bytes`) is framed safely.
 */
export interface Joint {
  name: string;
  command(parts: readonly JointPart[]): string;
  /** per part, one value per argument (an Error for one that could not be read) */
  parse(output: FactOutput, parts: readonly JointPart[]): unknown[][];
}

export interface FactOutput {
  stdout: string;
  /** stdout's exact bytes, where it carries more than text (the file probe's archive) */
  bytes?: Buffer;
  rc: number;
}

/** A fact wanted for one argument. */
export interface FactRequest<A = unknown, T = unknown> {
  fact: FactDefinition<A, T>;
  arg: A;
}

/** What a change makes stale: one argument of a fact, or every argument of it. */
export interface FactRef<A = unknown> {
  fact: FactDefinition<A, unknown>;
  arg?: A;
}

/**
 * What a change makes true, so the tasks after it need not read it again: one argument's value, or the value of
 * every argument `covers` accepts (a directory just created is empty: every path below it is absent).
 */
export type KnownFact<A = unknown, T = unknown> =
  | { fact: FactDefinition<A, T>; arg: A; value: T }
  | { fact: FactDefinition<A, T>; covers: (arg: A) => boolean; value: (arg: A) => T };

export const defineFact = <A = void, T = unknown>(def: FactDefinition<A, T>): FactDefinition<A, T> => def;

/** `request(fileFact, '/etc/hosts')`: the typed pair a module declares and the cache reads. */
export const request = <A, T>(fact: FactDefinition<A, T>, arg: A): FactRequest<A, T> => ({ fact, arg });

export const factKey = <A>(fact: FactDefinition<A, unknown>, arg: A): string => (fact.key ? fact.key(arg) : JSON.stringify(arg ?? null));

/** Who reads a fact: the login user, or the task's become user (root-only paths look absent to others). */
export const readerOf = (become: Become | undefined): string => become?.user ?? '';

/** A fact that could not be read (its command failed in a way the parser does not accept). */
export class FactError extends Error {
  constructor(
    readonly fact: string,
    message: string,
  ) {
    super(`fact ${fact}: ${message}`);
    this.name = 'FactError';
  }
}
