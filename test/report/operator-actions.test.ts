import { describe, expect, it } from 'vitest';
import { jsonReporter } from '../../lib/report/json-reporter.js';
import { plainReporter } from '../../lib/report/plain-reporter.js';
import type { RunEvent } from '../../lib/runner/types.js';

const stats = { ok: 1, changed: 1, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
const ACTION = "copy the cold key's mnemonic from /opt/gonka/gpu1-cold.mnemonic on gpu1 to offline storage, then delete that file";
const events: RunEvent[] = [
  { type: 'play_start', name: 'Keys', hosts: ['gpu1'] },
  {
    type: 'task_result',
    host: 'gpu1',
    task: 'keys : Cold account key',
    status: 'changed',
    result: { changed: true, msg: 'created', operator_actions: [ACTION] },
  },
  { type: 'play_end', name: 'Keys' },
  { type: 'recap', stats: { gpu1: stats }, operatorActions: [{ host: 'gpu1', task: 'keys : Cold account key', action: ACTION }] },
];

describe('operator actions in every reporter', () => {
  it('plain lines: printed when the task ends (without -v) and listed after the recap', () => {
    let out = '';
    const sink = plainReporter((s) => (out += s), 0);
    events.forEach(sink);
    expect(out).toContain(`changed: [gpu1] keys : Cold account key\nACTION REQUIRED [gpu1]: ${ACTION}\n`);
    expect(out).toMatch(/PLAY RECAP \*+\ngpu1 +: ok=1 .*\n\nWHAT YOU MUST DO NOW \*+\n {2}1\. \[gpu1\] copy the cold key's mnemonic/);
  });

  it('no summary when there is nothing to do', () => {
    let out = '';
    const sink = plainReporter((s) => (out += s), 0);
    sink({ type: 'recap', stats: { gpu1: stats }, operatorActions: [] });
    expect(out).not.toContain('WHAT YOU MUST DO NOW');
  });

  it('JSON: in the task result and in the recap event', () => {
    const lines: string[] = [];
    const sink = jsonReporter((s) => lines.push(s));
    events.forEach(sink);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect((parsed[1].result as Record<string, unknown>).operator_actions).toEqual([ACTION]);
    expect(parsed[3].operatorActions).toEqual([{ host: 'gpu1', task: 'keys : Cold account key', action: ACTION }]);
  });
});
