import type { EventSink } from '../runner/types.js';
import { pythonJson } from './python-json.js';

/** One JSON object per line, for CI and scripts, floats as Ansible prints them (2.0). Results are already redacted by the runner. */
export const jsonReporter =
  (write: (s: string) => void): EventSink =>
  (e) =>
    write(`${pythonJson({ ...e, time: new Date().toISOString() })}\n`);
