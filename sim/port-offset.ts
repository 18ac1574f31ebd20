import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../lib/cron/process-alive.js';

/**
 * Port offsets for simulated Gonka nodes (the simulator adds a host's port offset, sim/gonka/host-settings.mjs, to every published port):
 * the demo's and every test's. Two processes (the demo, vitest workers) pick offsets at the same time, and a probe alone races the other's bind, so an offset is
 * also reserved in a directory shared by every process on the machine: a file per offset, created exclusively,
 * holding the reserving process's pid (a dead pid's reservation is void).
 */

// every host port a simulated node may publish: p2p, proxy (http and https), rpc, tmkms, admin, PoC callback, ML node and
// inference ports (8 instances), the bridge's geth p2p
const RANGES: [number, number][] = [
  [5000, 5008],
  [5050, 5058],
  [8000, 8000],
  [8443, 8443],
  [30303, 30303],
  [8080, 8088],
  [9100, 9100],
  [9200, 9200],
  [26656, 26658],
];
export const PUBLISHED_PORTS = RANGES.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
const PORTS = PUBLISHED_PORTS;
const DIR = join(tmpdir(), 'nop-sim-port-offsets');

/** The kernel's ephemeral ports: where listen(0), freePort and every outgoing connection's local port come from. */
export const ephemeralPortRange = (): [number, number] => {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  return [low, high];
};

// A published port inside the ephemeral range may be taken, between the probe and the simulator's bind, by any
// loopback connection or listen(0) of the suite (a simulated host's sshd, a seed, a fetch): so the offsets keep every
// port below the range (32768 on Linux's default: offsets 1 to 2464), else above it, and only where neither fits
// (a range that spans almost every port) anywhere that stays below 65536.
const offsetWindow = (): [number, number] => {
  const [low, high] = ephemeralPortRange();
  const min = Math.min(...PORTS);
  const max = Math.max(...PORTS);
  if (low - 1 - max >= 1) return [1, low - 1 - max];
  if (high + 1 - min <= 65535 - max) return [high + 1 - min, 65535 - max];
  return [1, 65535 - max];
};

// the ports fetch() refuses to reach (the WHATWG Fetch standard's "bad ports", the ones above the lowest published
// port): an offset that puts a published port on one made every fetch of it fail with "bad port" (offset 2080: the
// seed's 8000 on 10080), about one offset in twenty
const FETCH_BAD_PORTS = new Set([5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080]);

/** Whether every port the offset publishes can be fetched. */
export const fetchable = (offset: number): boolean => PORTS.every((p) => !FETCH_BAD_PORTS.has(p + offset));

// live reservations; a dead process's file is removed on the way
const reserved = (): number[] =>
  readdirSync(DIR).flatMap((name) => {
    try {
      if (processAlive(Number(readFileSync(join(DIR, name), 'utf8')))) return [Number(name)];
      rmSync(join(DIR, name), { force: true });
      return [];
    } catch {
      return [];
    }
  });

const overlaps = (a: number, b: number): boolean => {
  const ports = new Set(PORTS.map((p) => p + a));
  return PORTS.some((p) => ports.has(p + b));
};

const canBind = (port: number, address: string): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, address, () => s.close(() => resolve(true)));
  });

/** Reserve an offset whose ports are free on every address given; release it when the simulated node is gone. */
export const reservePortOffset = async (addresses: string[] = ['127.0.0.1']): Promise<number> => {
  mkdirSync(DIR, { recursive: true, mode: 0o1777 });
  const [first, last] = offsetWindow();
  for (let attempt = 0; attempt < 200; attempt++) {
    const offset = first + Math.floor(Math.random() * (last - first + 1));
    if (!fetchable(offset) || reserved().some((o) => overlaps(o, offset))) continue;
    const checks = await Promise.all([...new Set(addresses)].flatMap((a) => PORTS.map((p) => canBind(p + offset, a))));
    if (!checks.every(Boolean)) continue;
    try {
      writeFileSync(join(DIR, String(offset)), String(process.pid), { flag: 'wx' });
    } catch {
      continue;
    }
    // another process may have reserved an overlapping offset between our check and our file
    if (reserved().some((o) => o !== offset && overlaps(o, offset))) {
      releasePortOffset(offset);
      continue;
    }
    return offset;
  }
  throw new Error('no free port offset for a simulated node');
};

export const releasePortOffset = (offset: number): void => rmSync(join(DIR, String(offset)), { force: true });
