import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { canSandbox } from '../helpers/sandbox-host.js';
import { fixturePath, loadCases } from './harness/case.js';
import { compareRuns, judge, type Difference } from './harness/compare.js';
import { nopTool } from './harness/nop.js';
import { runCase } from './harness/run-case.js';
import type { Fixture } from './harness/types.js';
import { KNOWN_DIFFERENCES } from './known-differences.js';

const cases = await loadCases();

describe.skipIf(!canSandbox)('conformance with Ansible (recorded with npm run conformance:record)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expect(existsSync(fixturePath(c.name)), `no fixture for ${c.name}: npm run conformance:record ${c.name}`).toBe(true);
    const fixture = JSON.parse(await readFile(fixturePath(c.name), 'utf8')) as Fixture;
    const runs = await runCase(c, nopTool);
    const verdict = judge(c.name, compareRuns(fixture.runs, runs), KNOWN_DIFFERENCES);
    const line = (d: Difference) => `${d.run}${d.task ? ` ${d.task}` : ''} ${d.key}: ansible ${JSON.stringify(d.ansible)}, nop ${JSON.stringify(d.nop)}`;
    expect(verdict.unexplained.map(line)).toEqual([]);
    expect(verdict.stale.map((k) => `${k.runs?.join(',') ?? '*'} ${k.task ?? '*'} ${k.key} (${k.why})`)).toEqual([]);
  });
});
