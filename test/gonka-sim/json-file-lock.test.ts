import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/host/paths.js';

// The simulator's network state is updated by several processes (the api service, the CLI's txs, the tests' funding):
// a read-change-write without a lock loses one of two concurrent updates, as a full CI run showed (a registered
// participant vanished). Three processes incrementing one counter must end at the sum.
it('concurrent updateJson calls from three processes lose no update', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-json-lock-'));
  try {
    const file = join(dir, 'counter.json');
    const mod = pathToFileURL(join(REPO_ROOT, 'sim/gonka/json-file.mjs')).href;
    const script = `const { updateJson } = await import(${JSON.stringify(mod)}); for (let i = 0; i < 300; i++) updateJson(${JSON.stringify(file)}, { n: 0 }, (c) => ({ n: c.n + 1 }));`;
    const run = () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    await Promise.all([run(), run(), run()]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 900 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
