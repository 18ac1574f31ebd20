import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

// A file being written in place (open with truncate, then write) reads as '' or half a document: the old updateJson
// took that for the fallback and wrote it back, which wiped every registered participant while a test edited
// gonka-network.json with a plain writeFile as the api's tick recorded its epoch nodes. It must throw and keep the file.
it('updateJson never writes over a file that does not parse whole, and names it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-json-half-'));
  try {
    const file = join(dir, 'gonka-network.json');
    const half = '{"participants":{"gonka1abc":{"pubkey":"A';
    for (const text of [half, '']) {
      await writeFile(file, text);
      const { updateJson } = await import(pathToFileURL(join(REPO_ROOT, 'sim/gonka/json-file.mjs')).href);
      expect(() => updateJson(file, {}, (c: Record<string, unknown>) => ({ ...c, touched: true }))).toThrow(`${file} is not whole JSON`);
      expect(await readFile(file, 'utf8')).toBe(text);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
