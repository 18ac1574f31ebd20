import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFactStore } from '../../lib/facts/fact-store.js';
import { createModuleContext } from '../../lib/modules/context.js';
import { modelCacheDir } from '../../lib/gonka/model-weights.js';
import { hfModelModule } from '../../lib/gonka/modules/hf-model.js';
import { runModule } from '../../lib/modules/run-module.js';
import { createSimHost, type SimHost } from '../../sim/host/create.js';
import { recommendationFor } from '../config/fixtures.js';
import { updateHostState } from '../sim-host/sim-host.js';
import { countingTransport } from '../modules/helpers.js';

let dir: string;
let host: SimHost;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-weights-'));
  host = await createSimHost({ profile: 'rtx3090-1x', dir: join(dir, 'server') });
});
afterEach(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

// how the host's `hf download` behaves (sim/host/shims/hf.mjs)
const download = async (knobs: { shard_bytes?: number; bytes_per_second?: number; interrupt_after?: number }, opts: { check?: boolean } = {}) => {
  await updateHostState(host, (state) => {
    state.hf = knobs;
  });
  const progress: string[] = [];
  const transport = countingTransport(host.transport());
  const ctx = createModuleContext({
    hostname: 'gpu1',
    transport,
    facts: createFactStore(transport).reader(undefined),
    check: opts.check ?? false,
    diff: false,
    env: {},
    vars: {},
    templateDirs: [],
    fileDirs: [],
    progress: (line) => progress.push(line),
  });
  const hfHome = '/mnt/shared';
  const { model } = await recommendationFor('1xRTX3090', 'mainnet');
  const result = await runModule(hfModelModule, { model, hf_home: hfHome, timeout: 600 }, ctx);
  return { result, progress, cacheDir: host.path(modelCacheDir(hfHome, model)), commands: transport.scripts.length };
};

describe('hf_model: model weights', () => {
  it('reports bytes of the total, percent, rate and ETA while the download runs', { timeout: 120_000 }, async () => {
    // two 4 MB shards at 1 MB/s: the download lasts at least 8 s, and its progress is read every 2 s
    const { result, progress, cacheDir } = await download({ shard_bytes: 4_000_000, bytes_per_second: 1_000_000 });
    expect(result.failed, String(result.msg)).toBeFalsy();
    expect(result.msg).toMatch(/^downloaded /);
    const lines = progress.filter((l) => l.startsWith('downloading ') && l.includes(' of '));
    expect(lines.length, progress.join('\n')).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/: [\d.]+ (B|kB|MB) of 8\.0 MB \(\d+ %\)(, [\d.]+ (kB|MB)\/s)?, ETA (estimating|< 1 s|\d+ s)$/);
    expect(
      lines.some((l) => /\/s, ETA (< 1 s|\d+ s)$/.test(l)),
      lines.join('\n'),
    ).toBe(true);
    // the log that carried the progress is gone
    expect(existsSync(`${cacheDir}.download.log`)).toBe(false);
  });

  it('check mode plans the download and writes nothing; once complete, a run changes nothing in one command', { timeout: 120_000 }, async () => {
    const planned = await download({ shard_bytes: 1000 }, { check: true });
    expect(planned.result).toMatchObject({
      changed: true,
      msg: expect.stringMatching(/^would download Qwen\/\S+ into \/mnt\/shared\/hub\/models--.* \(not downloaded\)$/),
    });
    expect(existsSync(planned.cacheDir)).toBe(false);
    expect((await download({ shard_bytes: 1000 })).result).toMatchObject({ changed: true, msg: expect.stringMatching(/^downloaded /) });
    const again = await download({ shard_bytes: 1000 });
    expect(again.result).toMatchObject({ changed: false, msg: expect.stringMatching(/ is complete in /) });
    expect(again.commands).toBe(1);
  });

  it('a broken download fails with the error, not the progress bars, and leaves no log behind', { timeout: 120_000 }, async () => {
    const { result, cacheDir } = await download({ interrupt_after: 3 });
    expect(result.failed).toBe(true);
    expect(result.msg).toMatch(
      /failed \(rc=1\): Error: Connection broken while downloading model-0000\d-of-00002\.safetensors: IncompleteRead; run the role again/,
    );
    expect(result.msg).not.toContain('%|');
    expect((await readdir(join(cacheDir, '..'))).filter((f) => f.endsWith('.log'))).toEqual([]);
  });
});
