/**
 * Poll `probe` until `accept` holds (errors count as "not yet"), or fail after `timeoutMs` with the last value: a wait
 * for a condition, with a limit a slow machine never reaches (a hang guard, not a timing).
 */
export const eventually = async <T>(probe: () => Promise<T>, accept: (v: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch {
      // still starting
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
};
