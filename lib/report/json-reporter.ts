import type { EventSink } from '../runner/types.js';

/** One JSON object per line, for CI and scripts. Results are already redacted by the runner. */
export const jsonReporter =
  (write: (s: string) => void): EventSink =>
  (e) =>
    write(`${JSON.stringify({ ...e, time: new Date().toISOString() })}\n`);
