import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { advance, clockNow, observe, setClock } from '../../sim/gonka/clock.mjs';
import { networkHeightNow, readScenario, writeScenario } from '../../sim/gonka/scenario.mjs';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-clock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const wallWait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the simulated clock', () => {
  it('stands still while nobody looks, however much wall time passes', async () => {
    const t0 = clockNow(dir);
    await wallWait(50);
    expect(clockNow(dir)).toBe(t0);
  });

  it('moves one step per observation, and by what a test advances', () => {
    const t0 = clockNow(dir);
    observe(dir);
    observe(dir);
    expect(clockNow(dir)).toBe(t0 + 2000);
    advance(dir, 30);
    expect(clockNow(dir)).toBe(t0 + 32_000);
    setClock(dir, { stepSeconds: 0.25 });
    expect(clockNow(dir)).toBe(t0 + 32_000);
    observe(dir);
    expect(clockNow(dir)).toBe(t0 + 32_250);
  });

  it('in wall mode follows wall time, scaled, from where it was; observations do not move it', async () => {
    advance(dir, 100);
    const before = clockNow(dir);
    setClock(dir, { mode: 'wall', scale: 10 });
    observe(dir);
    await wallWait(100);
    const after = clockNow(dir);
    expect(after - before).toBeGreaterThanOrEqual(1000);
  });

  it('drives the network height: every reader agrees, and a scenario change keeps it continuous', () => {
    writeScenario(dir, { networkHeight: 1000, blocksPerSecond: 2 });
    observe(dir);
    expect(networkHeightNow(dir)).toBe(1002);
    advance(dir, 10);
    expect(networkHeightNow(dir)).toBe(1022);
    const next = writeScenario(dir, { blocksPerSecond: 10 });
    expect(next.networkHeight).toBe(1022);
    observe(dir);
    expect(networkHeightNow(dir)).toBe(1032);
    expect(readScenario(dir).blocksPerSecond).toBe(10);
  });
});
