import { describe, expect, it } from 'vitest';
import { ephemeralPortRange, fetchable, PUBLISHED_PORTS, releasePortOffset, reservePortOffset } from '../../sim/port-offset.js';

// A simulated node's published ports inside the kernel's ephemeral range were taken, between the reservation and
// `docker compose up`, by the suite's own loopback connections and listen(0) servers (a simulated host's sshd):
// "Bind for 127.0.0.1:45869 failed: port is already allocated" in a full run. Offsets keep them out of that range.
describe('reservePortOffset', () => {
  it("keeps every published port of the offset outside the kernel's ephemeral range", async () => {
    const [low, high] = ephemeralPortRange();
    for (let i = 0; i < 20; i++) {
      const offset = await reservePortOffset();
      try {
        const inside = PUBLISHED_PORTS.map((p) => p + offset).filter((port) => port >= low && port <= high);
        expect(inside, `offset ${offset}`).toEqual([]);
        expect(Math.max(...PUBLISHED_PORTS) + offset).toBeLessThanOrEqual(65535);
        expect(offset).toBeGreaterThan(0);
        expect(fetchable(offset), `offset ${offset}`).toBe(true);
      } finally {
        releasePortOffset(offset);
      }
    }
  });

  it('gives overlapping-free offsets to nodes that run together', async () => {
    const offsets: number[] = [];
    try {
      for (let i = 0; i < 6; i++) offsets.push(await reservePortOffset());
      const ports = offsets.flatMap((o) => PUBLISHED_PORTS.map((p) => p + o));
      expect(new Set(ports).size).toBe(ports.length);
    } finally {
      for (const o of offsets) releasePortOffset(o);
    }
  });

  // a test's fetch() of a published port failed with "bad port": fetch refuses some ports (10080, 6000, 5060…)
  it('keeps published ports off the ports fetch() refuses', async () => {
    expect(fetchable(2080)).toBe(false);
    expect(fetchable(1000)).toBe(false);
    expect(fetchable(100)).toBe(true);
    const refused = await fetch('http://127.0.0.1:10080/').then(
      () => undefined,
      (e: Error) => (e.cause as Error | undefined)?.message,
    );
    expect(refused).toBe('bad port');
  });
});
