import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFactStore } from '../../lib/facts/fact-store.js';
import type { ModuleDefinition } from '../../lib/modules/module.js';
import { lookupModule } from '../../lib/modules/registry.js';
import { countingTransport, makeContext, makeTempDir, removeDir, runModule } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

const tasks = (root: string): [string, Record<string, unknown>][] =>
  Array.from(
    { length: 5 },
    (_, i) =>
      [
        ['file', { path: join(root, `dir${i}`), state: 'directory', mode: '0750' }],
        ['copy', { dest: join(root, `copy${i}.env`), content: `VALUE=${i}\n`, mode: '0600' }],
        ['template', { src: 'unit.hbs', dest: join(root, `unit${i}.service`) }],
        ['lineinfile', { path: join(root, `conf${i}`), line: `EXTRA=${i}`, create: true }],
      ] as [string, Record<string, unknown>][],
  ).flat();

describe('batched probes', () => {
  it('a converged run of 20 file tasks costs one round trip: the first miss reads every declared fact', async () => {
    const templates = join(dir, 'templates');
    const root = join(dir, 'root');
    await mkdir(templates);
    await mkdir(root);
    await writeFile(join(templates, 'unit.hbs'), '[Service]\nExecStart={{bin}}\n');
    const opts = { templateDirs: [templates], vars: { bin: '/usr/local/bin/inferenced' } };
    const plan = tasks(root).map(([name, raw]) => {
      const def = lookupModule(name) as ModuleDefinition;
      return { def, args: def.args.parse(raw) };
    });
    expect(plan).toHaveLength(20);
    for (const { def, args } of plan) expect((await runModule(def, args, opts)).changed).toBe(true);

    const transport = countingTransport();
    const facts = createFactStore(transport);
    facts.lookahead(() => plan.flatMap(({ def, args }) => def.facts?.(args) ?? []));
    const ctx = makeContext({ ...opts, transport, facts, diff: true });
    for (const { def, args } of plan) expect((await runModule(def, args, ctx)).changed).toBe(false);
    expect(transport.scripts).toHaveLength(1);
  });
});
