import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blocksBehind } from '../../lib/gonka/sync-lag.js';
import { formatBytes, formatDuration, formatEta, formatTransfer } from '../../lib/progress/format.js';
import { hfDownloadProgress } from '../../lib/progress/hf-download.js';
import { slopeMeter } from '../../lib/progress/slope.js';
import { parseTqdmLine, withoutProgressBars } from '../../lib/progress/tqdm-line.js';
import { packageRoot } from '../../lib/runner/paths.js';

describe('slope meter', () => {
  it('estimates until two samples span some time, then gives the rate and when the target is reached', () => {
    const m = slopeMeter();
    expect(m.heading(100)).toEqual({ kind: 'estimating' });
    m.add(1_000, 10);
    expect(m.heading(100)).toEqual({ kind: 'estimating' });
    m.add(3_000, 30);
    expect(m.heading(100)).toEqual({ kind: 'arriving', perSecond: 10, seconds: 7 });
  });

  it('closes a gap toward zero (blocks behind), and says stalled when the value moves away or not at all', () => {
    const m = slopeMeter();
    m.add(0, 1600);
    m.add(1_000, 1202);
    expect(m.heading(0)).toEqual({ kind: 'arriving', perSecond: -398, seconds: 1202 / 398 });
    const away = slopeMeter();
    away.add(0, 100);
    away.add(1_000, 120);
    expect(away.heading(0)).toEqual({ kind: 'stalled' });
    const still = slopeMeter();
    still.add(0, 100);
    still.add(1_000, 100);
    expect(still.heading(0)).toEqual({ kind: 'stalled' });
  });

  it('follows the recent rate: samples older than the window no longer count', () => {
    const m = slopeMeter(10_000);
    m.add(0, 0);
    m.add(60_000, 60); // 1 per second for a minute
    m.add(65_000, 560); // then 100 per second
    m.add(70_000, 1060);
    expect(m.perSecond()).toBe(100);
  });
});

describe('formats', () => {
  it('bytes in SI units, durations at a glance, an ETA that is never "0 s"', () => {
    expect([950, 12_400, 12_400_000, 63_200_000_000, 150_000_000_000].map(formatBytes)).toEqual(['950 B', '12.4 kB', '12.4 MB', '63.2 GB', '150 GB']);
    expect([0.4, 42, 420, 9000].map(formatDuration)).toEqual(['< 1 s', '42 s', '7 min', '2.5 h']);
    expect(formatEta({ kind: 'arriving', perSecond: 398, seconds: 0.36 })).toBe('ETA < 1 s');
    expect(formatEta({ kind: 'estimating' })).toBe('ETA estimating');
    expect(formatEta({ kind: 'stalled' }, 'not catching up')).toBe('not catching up');
  });

  it('a transfer: bytes, total, percent, rate and ETA; "at least" while the total may still grow', () => {
    const heading = { kind: 'arriving', perSecond: 152e6, seconds: 183 } as const;
    expect(formatTransfer({ bytes: 12.4e9, total: 40.2e9, totalFinal: true }, heading)).toBe('12.4 GB of 40.2 GB (30 %), 152 MB/s, ETA 3 min');
    expect(formatTransfer({ bytes: 12.4e9, total: 40.2e9, totalFinal: false }, heading)).toBe('12.4 GB of at least 40.2 GB, 152 MB/s, ETA at least 3 min');
    expect(formatTransfer({ bytes: 5e6, totalFinal: false }, { kind: 'estimating' })).toBe('5.0 MB');
    expect(formatTransfer({ bytes: 5e6, total: 10e6, totalFinal: true }, { kind: 'estimating' })).toBe('5.0 MB of 10.0 MB (50 %), ETA estimating');
  });
});

describe('tqdm lines', () => {
  it('reads the bars huggingface_hub draws (0.x per file, 1.x aggregated, counts) and nothing else', () => {
    expect(parseTqdmLine('model-00001-of-00004.safetensors:  37%|███▋      | 1.84G/4.97G [00:12<00:20, 152MB/s]')).toEqual({
      desc: 'model-00001-of-00004.safetensors',
      percent: 37,
      n: 1.84e9,
      total: 4.97e9,
    });
    expect(parseTqdmLine('config.json: 100%|██████████| 570/570 [00:00<00:00, 1.52MB/s]')).toMatchObject({ n: 570, total: 570 });
    expect(parseTqdmLine('Fetching 12 files:  42%|████▏     | 5/12 [00:31<00:44,  6.29s/it]')).toMatchObject({ desc: 'Fetching 12 files', n: 5, total: 12 });
    expect(parseTqdmLine('Reconstructing (incomplete total...):  42%|████▏     | 2.11GB / 5.02GB   152MB/s  ')).toEqual({
      desc: 'Reconstructing (incomplete total...)',
      percent: 42,
      n: 2.11e9,
      total: 5.02e9,
    });
    expect(parseTqdmLine('Downloading bytes: |██████    | 2.11GB   152MB/s  ')).toEqual({
      desc: 'Downloading bytes',
      percent: undefined,
      n: 2.11e9,
      total: undefined,
    });
    expect(parseTqdmLine('Error: Connection broken: IncompleteRead')).toBeUndefined();
    expect(withoutProgressBars('\rconfig.json: 100%|█| 570/570 [00:00<00:00]\nError: Connection broken\n')).toEqual(['Error: Connection broken']);
  });
});

describe('hf download progress', () => {
  it('sums the per-file bars of huggingface_hub 0.x; the total is final once every file has a size', () => {
    const p = hfDownloadProgress();
    expect(p.state()).toBeUndefined();
    p.feed('Fetching 3 files:   0%|          | 0/3 [00:00<?, ?it/s]\rconfig.json: 100%|██████████| 570/570 [00:00<00:00, 1MB/s]\n');
    p.feed('\rmodel-1.safetensors:  10%|█         | 1.00G/10.0G [00:10<01:30, 100MB/s]');
    // a line counts once its end arrives (tqdm starts each update with \r): a chunk may stop mid-line
    expect(p.state()).toMatchObject({ bytes: 570, total: 570 });
    p.feed('\rmodel-2.safetensors:   0%|     ');
    expect(p.state()).toMatchObject({ bytes: 1e9 + 570, total: 10e9 + 570, totalFinal: false });
    p.feed('     | 0.00/5.00G [00:00<?, ?B/s]\rFetching 3 files:  33%|███       | 1/3 [00:10<00:20, 10.0s/it]');
    p.feed('\r');
    expect(p.state()).toEqual({ bytes: 1e9 + 570, total: 15e9 + 570, totalFinal: true, files: { done: 1, total: 3 } });
  });

  it('counts files already in the cache, which draw no bar, toward a final total', () => {
    const p = hfDownloadProgress();
    p.feed('Fetching 3 files:  67%|██████▋   | 2/3 [00:00<00:00]\rmodel-2.safetensors:  50%|█████     | 2.50G/5.00G [00:10<00:10, 250MB/s]\r');
    expect(p.state()).toMatchObject({ bytes: 2.5e9, total: 5e9, totalFinal: true });
  });

  it('takes the aggregated bar of huggingface_hub 1.x, whose total is "incomplete" until the end', () => {
    const p = hfDownloadProgress();
    p.feed('Downloading bytes: |██        | 2.11GB   152MB/s  \rReconstructing (incomplete total...):  42%|████▏     | 2.11GB / 5.02GB   152MB/s  \n');
    expect(p.state()).toMatchObject({ bytes: 2.11e9, total: 5.02e9, totalFinal: false });
    p.feed('\u001b[AReconstruction complete: 100%|██████████| 5.02GB / 5.02GB   150MB/s  \n');
    expect(p.state()).toMatchObject({ bytes: 5.02e9, total: 5.02e9, totalFinal: true });
  });

  it("reads the simulator's `hf download` bars to the exact size of what it wrote", async () => {
    const home = await mkdtemp(join(tmpdir(), 'nop-hf-'));
    try {
      const child = spawn(process.execPath, [join(packageRoot, 'sim/host/shims/hf.mjs'), 'download', 'Qwen/Qwen3-8B'], {
        env: { ...process.env, HF_HOME: home, TQDM_POSITION: '-1', NOP_SIM_HF_SHARD_BYTES: '300000', NOP_SIM_HF_BYTES_PER_SECOND: '3000000' },
      });
      const p = hfDownloadProgress();
      const seen: number[] = [];
      child.stderr.on('data', (d: Buffer) => {
        p.feed(d.toString());
        const s = p.state();
        if (s) seen.push(s.bytes);
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      const final = p.state()!;
      expect(final.totalFinal).toBe(true);
      expect(final.files).toEqual({ done: 5, total: 5 });
      // two 300 kB shards and three small files, as tqdm rounds them (three significant digits)
      expect(final.bytes).toBe(final.total);
      expect(final.total).toBeGreaterThan(600_000);
      expect(final.total).toBeLessThan(602_000);
      expect(seen.length).toBeGreaterThan(2);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('draws no bars without a terminal unless TQDM_POSITION=-1, as huggingface_hub', async () => {
    const home = await mkdtemp(join(tmpdir(), 'nop-hf-'));
    try {
      const child = spawn(process.execPath, [join(packageRoot, 'sim/host/shims/hf.mjs'), 'download', 'Qwen/Qwen3-8B'], {
        env: { ...process.env, HF_HOME: home },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
      expect(stderr).toBe('');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('sync lag', () => {
  it('blocks behind from two readings of the node, without knowing the block time', () => {
    // the chain makes 2 blocks/s; the node is 1600 blocks (800 s) behind and syncs 400 blocks/s
    const prev = { height: 1000, blockTime: 0, at: 0 };
    const cur = { height: 1400, blockTime: 200_000, at: 1_000 + 1_000_000 };
    expect(blocksBehind({ ...prev, at: 1_000_000 }, cur)).toBe(Math.round((801_000 * 400) / 200_000));
    expect(blocksBehind(prev, { ...prev, at: 5_000 })).toBeUndefined();
  });
});
