import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../../sim/gonka.js';
import { eventually, getJson, mlnodeReleases, taskResults } from './sim-fleet.js';
import { createSplitFleet, type SplitFleet } from './split-fleet.js';

const PLAYBOOK = join(import.meta.dirname, '../../../playbooks/update.yml');
// the ML server starts on today's image (data/versions.yml) and moves to a later rebuild of it
const {
  later: [IMAGE_A],
} = await mlnodeReleases(1);
// ten blocks per observation (sim/gonka/clock.mjs); an update started 600 blocks before the next PoC is done long before it
const SCENARIO = {
  // an epoch starts here
  networkHeight: 1_500_000,
  blocksPerSecond: 10,
  snapshotLagBlocks: 0,
  modelLoadSeconds: 1,
  epoch: { length: 1500, shift: 0, pocGenerationBlocks: 4, windDownBlocks: 1, pocValidationDelayBlocks: 1, pocValidationEndBlocks: 8 },
};
// timeouts a slow machine never reaches: the simulated chain and model loads move as the role polls
const FAST = { update_poll_interval: 0.2, update_poc_margin_blocks: 600, update_load_timeout: 600, update_window_timeout: 600, update_network_images: false };

describe('update.yml on a split fleet: a network node and an ML-only server (simulated)', () => {
  let fleet: SplitFleet;
  // loopback of the network node: the simulated hosts share one, told apart by nothing but the port offset
  const adminUrl = () => `http://127.0.0.1:${9200 + fleet.offset}/admin/v1/nodes`;
  beforeAll(async () => {
    fleet = await createSplitFleet(SCENARIO);
    // one clock for both hosts: an epoch and its PoC window later, the next PoC is an epoch away
    advance(fleet.net.stateDir, 155);
    await eventually(
      () => getJson(adminUrl()),
      (ns) => ns.length === 1 && ns[0].state.current_status === 'INFERENCE',
      'ml1-node1 serving',
    );
  });
  afterAll(() => fleet?.cleanup());

  it("runs the ML server's admin API calls on its network node", async () => {
    const res = await fleet.run(PLAYBOOK, { ...FAST, mlnode_image: IMAGE_A });
    const results = taskResults(res.events);
    expect(res.code, JSON.stringify([...results.filter((r) => r.status === 'failed'), ...res.events.filter((e) => e.type === 'task_progress').slice(-3)])).toBe(
      0,
    );
    const plan = results.find((e) => e.host === 'ml1' && e.task.endsWith('Plan the update'))!;
    // the id comes from the network node's node-config.json
    expect(String(plan.result.msg)).toContain(`mlnode-1 (ml1-node1): `);
    const update = results.find((e) => e.host === 'ml1' && e.task.endsWith('Update the ML nodes one by one'))!;
    expect(update.status).toBe('changed');
    expect(update.result.admin_api_via).toBe('net1');
    expect(String(update.result.msg)).toContain(`→ ${IMAGE_A}, model loaded, enabled`);
    const progress = res.events.filter((e) => e.type === 'task_progress' && e.host === 'ml1').map((e) => ('line' in e ? e.line : ''));
    expect(progress.join('\n')).not.toMatch(/status -1/);
    const compose = await readFile(join(fleet.ml.deployDir, 'docker-compose.mlnode.yml'), 'utf8');
    expect(compose).toContain(`image: ${IMAGE_A}`);
    const [node] = await getJson(adminUrl());
    expect(node.node.id).toBe('ml1-node1');
    expect(node.state.admin_state.enabled).toBe(true);
  });
});
