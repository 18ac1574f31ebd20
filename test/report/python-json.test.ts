import { describe, expect, it } from 'vitest';
import { jsonReporter } from '../../lib/report/json-reporter.js';
import { plainReporter } from '../../lib/report/plain-reporter.js';
import type { RunEvent } from '../../lib/runner/types.js';
import { pyFloat } from '../../lib/template/py-float.js';

// set_fact g: "{{ [4 / 2, 1, 1.5e-7, 1e20] }}" and f: 2.0: ansible-playbook -v (ansible-core 2.14) printed
// ok: [localhost] => {"ansible_facts": {"g": [2.0, 1, 1.5e-07, 1e+20]}, "changed": false} and "f": 2.0
const result: RunEvent = {
  type: 'task_result',
  host: 'gpu1',
  task: 'set_fact',
  status: 'ok',
  result: { changed: false, ansible_facts: { g: [pyFloat(4 / 2), 1, 1.5e-7, pyFloat(1e20)], f: pyFloat(2), half: 0.5 } },
};

describe("floats in nop's result output, as Ansible's callbacks print them", () => {
  it('-v: a whole-valued float prints as 2.0, the others as Python repr', () => {
    let out = '';
    plainReporter((s) => (out += s), 1)(result);
    expect(out).toBe('ok: [gpu1] set_fact => {"ansible_facts":{"g":[2.0,1,1.5e-07,1e+20],"f":2.0,"half":0.5}}\n');
  });

  it('--json: the same floats, and the line still reads back as JSON', () => {
    let out = '';
    jsonReporter((s) => (out += s))(result);
    expect(out).toContain('"ansible_facts":{"g":[2.0,1,1.5e-07,1e+20],"f":2.0,"half":0.5}');
    expect(JSON.parse(out).result.ansible_facts.g).toEqual([2, 1, 1.5e-7, 1e20]);
  });

  it('a failed result too, and text that looks like a float stays text', () => {
    let out = '';
    plainReporter((s) => (out += s), 0)({ ...result, status: 'failed', result: { msg: '2.0', rc: pyFloat(1) } });
    expect(out).toBe('fatal: [gpu1]: FAILED! => {"msg":"2.0","rc":1.0}  (set_fact)\n');
  });
});
