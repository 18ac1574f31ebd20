import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lazyVars } from '../../lib/runner/lazy-vars.js';
import { createParsedAhead } from '../../lib/runner/parsed-ahead.js';
import { PyFloat } from '../../lib/template/py-float.js';
import { results, workspace, type Workspace } from './helpers.js';

const schema = z.object({ path: z.string(), mode: z.string().optional() });

describe("parsed ahead: the lookahead's parse of a module's arguments, for the task to take", () => {
  it('gives the parse of exactly the same arguments by the same schema, once', () => {
    const ahead = createParsedAhead();
    const data = { path: '/srv/a', mode: '0644' };
    ahead.put(schema, { path: '/srv/a', mode: '0644' }, data);
    expect(ahead.take(z.object({ path: z.string() }), { path: '/srv/a', mode: '0644' })).toBeUndefined();
    expect(ahead.take(schema, { path: '/srv/a', mode: '0640' })).toBeUndefined();
    expect(ahead.take(schema, { path: '/srv/a' })).toBeUndefined();
    expect(ahead.take(schema, { path: '/srv/a', mode: '0644' })).toEqual({ success: true, data });
    // taken: a module may change what it was given, and the next task (or a retry) parses its own
    expect(ahead.take(schema, { path: '/srv/a', mode: '0644' })).toBeUndefined();
  });

  it('keeps nothing but plain data, and forgets everything when a new lookahead starts', () => {
    const ahead = createParsedAhead();
    const args = [
      { path: '/srv/a', size: new PyFloat(2) },
      { path: '/srv/a', content: Buffer.from('x') },
      { path: lazyVars({ p: '/srv/a' }) },
      { path: '/srv/a', mode: undefined },
      { path: '/srv/a', n: -0 },
    ];
    for (const a of args) ahead.put(schema, a, a);
    for (const a of args) expect(ahead.take(schema, a)).toBeUndefined();
    ahead.put(schema, { path: '/srv/b' }, { path: '/srv/b' });
    ahead.clear();
    expect(ahead.take(schema, { path: '/srv/b' })).toBeUndefined();
  });
});

describe('a task whose arguments changed after the lookahead read them', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await workspace();
    await ws.write('inventory.yml', 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n');
  });
  afterAll(async () => ws?.cleanup());

  it('runs with its arguments as they render when it runs (a variable set in between)', async () => {
    const dest = join(ws.dir, 'out.conf');
    // the stat misses and reads the coming tasks' facts: the copy's arguments as they render then (content: one)
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  vars: { word: one, dest: "${dest}" }
  tasks:
    - stat: { path: "{{ dest }}" }
    - set_fact: { word: two }
    - copy: { dest: "{{ dest }}", content: "{{ word }}\\n", mode: "0600" }
    - copy: { dest: "{{ dest }}", content: "{{ word }}\\n", mode: "0600" }
`,
    );
    const run = await ws.run('site.yml');
    expect(results(run.events).map((e) => e.status)).toEqual(['ok', 'ok', 'changed', 'ok']);
    expect(await readFile(dest, 'utf8')).toBe('two\n');
  });
});
