import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { profileNames } from '../../../sim/host/profile.js';
import { failures, keyServer, simFleet, snapshot, type SimFleet } from './harness.js';

const BROKEN: Record<string, RegExp> = {
  'secure-boot': /Secure Boot is enabled.*Disable Secure Boot.*mokutil --import/,
  'driver-mismatch': /reboot needed: the installed driver 570\.133\.20 is not the loaded kernel module \(570\.124\.06\).*allow_reboot: true/,
  'fabric-manager-mismatch': /Fabric Manager 550\.144\.03 .*does not match driver 570\.133\.20.*Fix: apt-get remove nvidia-fabricmanager-550/,
  'low-disk': /only 120 GB free on .* needs at least 250 GB free/,
  'no-gpu': /no NVIDIA GPU on the PCI bus.*network_nodes/,
  'unattended-upgrades': /unattended-upgrades is active and the driver packages are not held.*apt-mark hold/,
};
// the unattended-upgrades profile is fixed by default (the driver gets held); it stops only when holding is refused
const BROKEN_VARS: Record<string, Record<string, unknown>> = { 'unattended-upgrades': { nvidia_hold_driver: false } };

let keys: Awaited<ReturnType<typeof keyServer>>;
beforeAll(async () => {
  keys = await keyServer();
});
afterAll(() => keys.close());

describe('prepare on every healthy profile', async () => {
  const healthy = (await profileNames()).filter((p) => !(p in BROKEN));
  let fleet: SimFleet;
  let first: Awaited<ReturnType<SimFleet['run']>>;
  beforeAll(async () => {
    fleet = await simFleet(Object.fromEntries(healthy.map((p) => [p, { profile: p }])), keys.url, { allow_reboot: true, preflight_ports: [] });
    first = await fleet.run();
  });
  afterAll(() => fleet.cleanup());

  it.each(healthy)('%s converges and runs CUDA containers', (p) => {
    expect(failures(first.events, p)).toEqual([]);
    const cuda = first.events.find((e) => e.type === 'task_result' && e.host === p && e.task.endsWith('CUDA runs in Docker'));
    expect(cuda && cuda.type === 'task_result' ? String(cuda.result.msg) : '').toMatch(/CUDA in Docker sees [1-9]\d* GPU/);
    const rec = first.events.find((e) => e.type === 'task_result' && e.host === p && e.task.endsWith('size the ML node'));
    expect(
      rec && rec.type === 'task_result'
        ? (rec.result.ansible_facts as { gpu_recommendation: { instances: unknown[] } }).gpu_recommendation.instances.length
        : 0,
    ).toBeGreaterThan(0);
  });

  it('a second run changes nothing', async () => {
    const second = await fleet.run();
    expect(
      second.code,
      Object.keys(second.stats)
        .flatMap((h) => failures(second.events, h))
        .join('\n'),
    ).toBe(0);
    for (const [host, s] of Object.entries(second.stats)) expect(s.changed, host).toBe(0);
  });
});

describe('broken profiles stop with an actionable message', () => {
  let fleet: SimFleet;
  let run: Awaited<ReturnType<SimFleet['run']>>;
  beforeAll(async () => {
    fleet = await simFleet(Object.fromEntries(Object.keys(BROKEN).map((p) => [p, { profile: p, vars: BROKEN_VARS[p] }])), keys.url, { preflight_ports: [] });
    run = await fleet.run();
  });
  afterAll(() => fleet.cleanup());

  it.each(Object.entries(BROKEN))('%s', (p, message) => {
    expect(run.code).not.toBe(0);
    expect(failures(run.events, p).join('\n')).toMatch(message);
  });
  it('the pending reboot is an action for the operator, listed after the recap', () => {
    const recap = run.events.find((e) => e.type === 'recap');
    const actions = recap?.type === 'recap' ? recap.operatorActions : [];
    expect(actions).toEqual([
      {
        host: 'driver-mismatch',
        task: 'nvidia : Reboot to load the driver',
        action: 'reboot driver-mismatch (sudo reboot) to load the NVIDIA driver, then run nop again (or set allow_reboot: true)',
      },
    ]);
  });
});

describe('prepare edge cases', () => {
  it('check mode on a fresh host changes nothing', async () => {
    const fleet = await simFleet({ fresh: { profile: 'fresh-2204' } }, keys.url, { preflight_ports: [] });
    try {
      const before = await snapshot(fleet.hosts.fresh.dir);
      const res = await fleet.run({ check: true });
      expect(failures(res.events, 'fresh')).toEqual([]);
      expect(res.stats.fresh.changed).toBeGreaterThan(0);
      expect(await snapshot(fleet.hosts.fresh.dir)).toEqual(before);
    } finally {
      await fleet.cleanup();
    }
  });

  it('a network node without GPUs skips nvidia and gpu-detect; a busy port stops preflight', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    const fleet = await simFleet(
      { net: { profile: 'no-gpu', groups: ['network_nodes'] }, taken: { profile: 'no-gpu', groups: ['network_nodes'], vars: { preflight_ports: [port] } } },
      keys.url,
      { preflight_ports: [] },
    );
    try {
      const res = await fleet.run();
      expect(failures(res.events, 'net')).toEqual([]);
      expect(res.events.some((e) => e.type === 'task_result' && e.host === 'net' && e.task.startsWith('nvidia') && e.status !== 'skipped')).toBe(false);
      expect(failures(res.events, 'taken').join('\n')).toMatch(new RegExp(`port ${port} already in use.*ss -ltnp`));
    } finally {
      busy.close();
      await fleet.cleanup();
    }
  });
});
