import { describe, expect, it } from 'vitest';
import { plainReporter } from '../../lib/report/plain-reporter.js';
import type { RunEvent } from '../../lib/runner/types.js';

const result = (report: unknown): RunEvent => ({
  type: 'task_result',
  host: 'gpu1',
  task: 'nats : Current NATS stream max age',
  status: 'ok',
  result: { changed: false, msg: 'x', operator_report: report },
});

describe('operator report lines', () => {
  it('plain: printed under the task line without -v', () => {
    let out = '';
    plainReporter((s) => (out += s), 0)(result(['txs_to_send: max age forever (wanted 24h)', 'txs_to_observe: max age 24h']));
    expect(out).toBe(
      'ok: [gpu1] nats : Current NATS stream max age\n  [gpu1] txs_to_send: max age forever (wanted 24h)\n  [gpu1] txs_to_observe: max age 24h\n',
    );
  });

  it('plain: nothing extra for a result without a report, or one that is not a list of strings', () => {
    let out = '';
    const sink = plainReporter((s) => (out += s), 0);
    sink(result(undefined));
    sink(result('one string'));
    expect(out).toBe('ok: [gpu1] nats : Current NATS stream max age\nok: [gpu1] nats : Current NATS stream max age\n');
  });
});
