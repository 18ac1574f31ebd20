import { config } from 'zod';

/**
 * zod compiles a parser for each object schema (new Function) on its first parse: code that V8's code cache cannot
 * keep, compiled on every start for schemas a run parses a few times each. Its interpreter is cheaper there: about
 * 5 ms of CPU from `nop run` to the first connection. Only schemas built after this call are affected, so the CLI
 * calls it before any command loads its modules (and builds their schemas).
 */
export const interpretSchemas = (): void => {
  config({ jitless: true });
};
