import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance, networkHeightNow, writeScenario } from '../../../sim/gonka.js';
import { compareVersions } from '../../../lib/gpu/compare-versions.js';
import { imageTag } from '../../../roles/update/compose-images.js';
import { createFleet, eventually, getJson, mlnodeReleases, taskResults, type Fleet, type FleetHost, DEPLOY } from './sim-fleet.js';

const PLAYBOOK = join(import.meta.dirname, '../../../playbooks/update.yml');
// the servers start on today's image (data/versions.yml); each test moves them to a later rebuild of it
const {
  current: CURRENT,
  later: [IMAGE_A, IMAGE_B],
} = await mlnodeReleases(2);
// ten blocks per observation (sim/gonka/clock.mjs); epochs of 1500 blocks with PoC windows of 8: an update started
// 600 blocks before the next PoC (60 observations) is done long before it, so a disabled node serves until then
const SCENARIO = {
  // an epoch starts here
  networkHeight: 1_500_000,
  blocksPerSecond: 10,
  snapshotLagBlocks: 0,
  modelLoadSeconds: 1,
  epoch: { length: 1500, shift: 0, pocGenerationBlocks: 4, windDownBlocks: 1, pocValidationDelayBlocks: 1, pocValidationEndBlocks: 8 },
};
// timeouts a slow machine never reaches: the simulated chain and model loads move as the role polls
const FAST = { update_poll_interval: 0.2, update_poc_margin_blocks: 600, update_load_timeout: 600, update_window_timeout: 600 };

const mlImage = async (h: FleetHost): Promise<string> => {
  const text = await readFile(join(h.deployDir, 'docker-compose.mlnode.yml'), 'utf8');
  return /mlnode-1:\n\s+image: (\S+)/.exec(text)![1];
};

const adminNode = async (h: FleetHost) => (await getJson(h.url(9200, '/admin/v1/nodes')))[0];

describe('update.yml on two full servers (simulated)', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await createFleet(2, SCENARIO);
    for (const h of fleet.hosts) {
      // an epoch and its PoC window later the ML node is in one, its next PoC an epoch away
      advance(h.stateDir, 155);
      await eventually(
        () => adminNode(h),
        (n) => Object.keys(n.state.epoch_models).length > 0 && n.state.current_status === 'INFERENCE',
        `${h.name}'s ML node in an epoch`,
      );
    }
  });
  afterAll(() => fleet?.cleanup());

  it('--check prints the plan and changes nothing', async () => {
    const before = await mlImage(fleet.hosts[0]);
    expect(before).toBe(CURRENT);
    // an update, not a downgrade the role refuses: the target is a later release than the one deployed
    expect(compareVersions(imageTag(IMAGE_A), imageTag(before))).toBe(1);
    const res = await fleet.run(PLAYBOOK, { ...FAST, mlnode_image: IMAGE_A }, { check: true });
    expect(res.code).toBe(0);
    const plans = taskResults(res.events).filter((e) => e.task.endsWith('Plan the update'));
    expect(plans.map((p) => p.host)).toEqual(['gpu1', 'gpu2']);
    expect(String(plans[0].result.msg)).toContain(`mlnode-1 (gpu1-node1): ${before} → ${IMAGE_A}`);
    expect(await mlImage(fleet.hosts[0])).toBe(before);
  });

  // one rollout proves both: nop waits out a Confirmation PoC on each host, then updates one host at a time (a
  // rollout in a window that needs no wait: the rollback case below)
  it('waits for a Confirmation PoC in the Inference phase to end, then updates the ML nodes one host at a time: disable, recreate, model loaded, enable', async () => {
    for (const h of fleet.hosts) {
      // 100 blocks into the next epoch (its PoC over), a Confirmation PoC runs from block 95 to 195 of the epoch: ten
      // observations, more than the ones the run makes before its first look at the window
      const offset = (networkHeightNow(h.stateDir) - SCENARIO.networkHeight) % SCENARIO.epoch.length;
      advance(h.stateDir, (SCENARIO.epoch.length - offset + 100) / SCENARIO.blocksPerSecond);
      writeScenario(h.stateDir, { confirmationPoc: { startOffset: 95, graceBlocks: 0, generationBlocks: 50, validationBlocks: 50 } });
      const latest = await getJson(h.url(8000, '/v1/epochs/latest'));
      expect([latest.phase, latest.is_confirmation_poc_active]).toEqual(['Inference', true]);
    }
    const res = await fleet.run(PLAYBOOK, { ...FAST, mlnode_image: IMAGE_A });
    const results = taskResults(res.events);
    expect(res.code, JSON.stringify([...results.filter((r) => r.status === 'failed'), ...res.events.filter((e) => e.type === 'task_progress').slice(-3)])).toBe(
      0,
    );
    const waits = res.events.filter((e) => e.type === 'task_progress' && e.line.includes('a Confirmation PoC is active'));
    expect(new Set(waits.map((e) => ('host' in e ? e.host : '')))).toEqual(new Set(['gpu1', 'gpu2']));
    const updates = results.filter((e) => e.task.endsWith('Update the ML nodes one by one'));
    expect(updates.map((u) => [u.host, u.status])).toEqual([
      ['gpu1', 'changed'],
      ['gpu2', 'changed'],
    ]);
    // serial 1: gpu2's first task starts only after gpu1's last one ended
    const order = res.events.filter((e) => e.type === 'task_start' || e.type === 'task_result').map((e) => ('host' in e ? e.host : ''));
    expect(order.lastIndexOf('gpu1')).toBeLessThan(order.indexOf('gpu2'));
    for (const h of fleet.hosts) {
      expect(await mlImage(h)).toBe(IMAGE_A);
      const ps = await fleet.sh(h, `cd ${DEPLOY} && docker compose -f docker-compose.mlnode.yml ps --format json mlnode-1`);
      expect(JSON.parse(ps.stdout.trim().split('\n')[0]).Image).toBe(IMAGE_A);
      const latest = await getJson(h.url(8000, '/v1/epochs/latest'));
      expect(latest.is_confirmation_poc_active).toBe(false);
      // the api drives an enabled node back to work on its next look
      const node = await eventually(
        () => adminNode(h),
        (n) => ['INFERENCE', 'POC'].includes(n.state.current_status),
        `${h.name}'s ML node working`,
      );
      expect(node.state.admin_state.enabled).toBe(true);
    }
    expect(String(updates[0].result.msg)).toContain(`→ ${IMAGE_A}, model loaded, enabled`);
    for (const h of fleet.hosts) writeScenario(h.stateDir, { confirmationPoc: null });
  });

  it('rolls back when the model does not load on the new image, fails the host and stops the rollout', async () => {
    writeScenario(fleet.hosts[0].stateDir, { brokenImages: [IMAGE_B] });
    const res = await fleet.run(PLAYBOOK, { ...FAST, mlnode_image: IMAGE_B });
    expect(res.code).not.toBe(0);
    const results = taskResults(res.events);
    const failed = results.find((e) => e.task.endsWith('Update the ML nodes one by one') && e.host === 'gpu1')!;
    expect(failed.status).toBe('failed');
    expect(failed.result.rolled_back).toBe(true);
    expect(String(failed.result.msg)).toMatch(/FAILED: vLLM engine failed to start/);
    expect(String(failed.result.msg)).toContain(`rolled back to ${IMAGE_A}, gpu1-node1 enabled again`);
    // the rollout stopped: gpu2 never started and keeps its image
    expect(results.some((e) => e.host === 'gpu2')).toBe(false);
    expect(await mlImage(fleet.hosts[1])).toBe(IMAGE_A);
    expect(await mlImage(fleet.hosts[0])).toBe(IMAGE_A);
    const node = await eventually(
      () => adminNode(fleet.hosts[0]),
      (n) => ['INFERENCE', 'POC'].includes(n.state.current_status),
      'gpu1 ML node working again',
    );
    expect(node.state.admin_state.enabled).toBe(true);
    const recap = res.events.find((e) => e.type === 'recap');
    expect(recap && recap.type === 'recap' && recap.stats.gpu1.failed).toBe(1);
  });
});
