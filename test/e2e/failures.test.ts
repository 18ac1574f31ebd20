import { afterAll, describe, expect, it } from 'vitest';
import { createFleet, DEPLOY_KNOBS, networkHeight, PASSWORD, seedOverrides, type Fleet } from './sim-fleet.js';
import type { ScenarioPatch } from '../../sim/gonka.js';

const fleets: Fleet[] = [];
afterAll(async () => {
  for (const f of fleets) await f.cleanup();
});

// a full 8×H100 server (MiniMax-M2.7, two ML nodes), with the scenario applied before the run
const failingRun = async (scenario: (f: Fleet) => ScenarioPatch, knobs: Record<string, unknown> = {}) => {
  const f = await createFleet([{ name: 'gpu1', profile: 'h100-8x-580', address: '127.0.0.1' }]);
  fleets.push(f);
  await f.writeInventory({
    all: {
      hosts: {
        gpu1: {
          ...f.servers.gpu1.vars,
          public_ip: '127.0.0.1',
          allow_private_public_ip: true,
          keyring_password: PASSWORD,
          poc_participation: 'refuse',
          gonka_network_overrides: seedOverrides(f.offset),
          ...DEPLOY_KNOBS,
          ...knobs,
        },
      },
      children: { network_nodes: { hosts: { gpu1: null } }, ml_nodes: { hosts: { gpu1: null } } },
    },
  });
  f.scenario('gpu1', scenario(f));
  const res = await f.run();
  const failed = res.results.filter((r) => r.status === 'failed');
  return { res, failed, msg: String(failed[0]?.result.msg ?? '') };
};

// independent servers on their own port offsets: run side by side
describe.concurrent('setup.yml failures name the cause and the fix', () => {
  it('sync stuck at an upgrade whose binary is missing points to playbooks/repair.yml', async () => {
    // a halted node's height never moves: stuck after 4 s without a new block
    const { res, failed, msg } = await failingRun(
      (f) => ({ upgrade: { name: 'v9.9.9', height: networkHeight(f.servers.gpu1) - 500, info: '{"binaries":{}}' } }),
      { sync_stuck_seconds: 4 },
    );
    expect(res.code).toBe(2);
    expect(failed.map((r) => r.task)).toEqual(['deploy : Wait for the chain to sync']);
    expect(msg).toMatch(/chain sync is stuck .*halted at height \d+ for upgrade "v9\.9\.9".*Run playbooks\/repair\.yml/s);
  });

  it('an ML node that fails to load the model says why', async () => {
    const { res, failed, msg } = await failingRun(() => ({ failedNodes: { 'gpu1-node1': 'CUDA out of memory while loading the model' } }));
    expect(res.code).toBe(2);
    expect(failed.map((r) => r.task)).toEqual(['deploy : Wait for the ML nodes to load the model']);
    expect(msg).toMatch(/^ML node gpu1-node1 .*failed to load: CUDA out of memory while loading the model/);
  });

  it('a refused registration says it was refused and why', async () => {
    const { res, failed, msg } = await failingRun(() => ({ registrationRefused: 'participant url http://127.0.0.1:8000 is not reachable from the network' }));
    expect(res.code).toBe(2);
    expect(failed.map((r) => r.task)).toEqual(['register : Participant registered on chain']);
    expect(msg).toMatch(/^registration of gonka1\w+ was refused: .*participant url http:\/\/127\.0\.0\.1:8000 is not reachable from the network/s);
    expect(res.output).not.toContain(PASSWORD);
  });
});
