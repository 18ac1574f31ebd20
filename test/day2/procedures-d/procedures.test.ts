// Issue 13 items 5 (safe decommission) and 6 (switch seeds) on two simulated full servers over real sshd, built once:
// each procedure's check mode (the deploy dirs snapshotted before and after), its refusals, then its fleet run. The
// seed switch runs first; the decommission, which stops everything, last.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAddress } from '../../../lib/gonka/account-address.js';
import { parseEnvFile } from '../../../lib/gonka/service-fingerprints.js';
import { seedNodeId, startSeedApi } from '../../../sim/gonka.js';
import { changedEntries, snapshotTree } from '../../e2e/sim-fleet.js';
import {
  createFleet,
  eventually,
  getJson,
  PUBKEY,
  taskResults,
  type Fleet,
  type FleetHost,
  failuresOf as failures,
  operatorReport as report,
  ranTasksEndingWith as tasks,
} from '../update/sim-fleet.js';

const playbook = (name: string) => join(import.meta.dirname, '../../../playbooks', `${name}.yml`);
type Events = Parameters<typeof taskResults>[0];
// a role's tasks of other stages are reported skipped: only those that ran
const failedMsg = (events: Events, suffix: string, host: string) => {
  const e = tasks(events, suffix).find((t) => t.host === host);
  expect(e?.status, `${host}: ${suffix}`).toBe('failed');
  return String(e!.result.msg);
};

// 60-block epochs at 2 blocks per simulated second: an epoch passes in about 30 looks at the network
const SCENARIO = {
  blocksPerSecond: 2,
  epoch: { length: 60, pocGenerationBlocks: 4, windDownBlocks: 1, pocValidationDelayBlocks: 1, pocValidationEndBlocks: 8 },
};
const ADDRESS = accountAddress(PUBKEY);
// the check-mode cases compare everything but the services' runtime files (SERVICE_RUNTIME_FILES), and read the ML
// nodes' admin state from the api instead

interface AdminNode {
  node: { id: string };
  state: { admin_state: { enabled: boolean }; current_status: string };
}
const adminNodes = (h: FleetHost): Promise<AdminNode[]> => getJson(h.url(9200, '/admin/v1/nodes'));
const participantNodes = async (h: FleetHost): Promise<string[]> => {
  const list = await getJson(h.url(8000, '/v1/epochs/current/participants'));
  const me = list.active_participants?.participants?.find((p: { index: string }) => p.index === ADDRESS);
  return (me?.ml_nodes ?? []).flatMap((g: { ml_nodes: { node_id: string }[] }) => g.ml_nodes.map((n) => n.node_id));
};
const configEnv = async (h: FleetHost) => parseEnvFile(await readFile(join(h.deployDir, 'config.env'), 'utf8'));
const tomlSeeds = async (h: FleetHost) => /seeds = "([^"]*)"/.exec(await readFile(join(h.deployDir, '.inference/config/config.toml'), 'utf8'))?.[1];

describe('decommission and seed switch (issue 13, items 5 and 6) on two simulated servers over sshd', () => {
  let fleet: Fleet;
  let seed: { url: string; close(): Promise<void> };
  let otherChain: { url: string; close(): Promise<void> };
  const snapshots = () => Promise.all(fleet.hosts.map((h) => snapshotTree(h.deployDir)));
  const changedPaths = (before: Map<string, string>[], after: Map<string, string>[]) =>
    changedEntries(
      fleet.hosts.map((h) => h.name),
      before,
      after,
    );

  beforeAll(async () => {
    fleet = await createFleet(2, SCENARIO, { ssh: true });
    [seed, otherChain] = await Promise.all([startSeedApi(fleet.hosts[0].stateDir), startSeedApi(fleet.hosts[0].stateDir, { chainId: 'gonka-testnet' })]);
    await Promise.all(
      fleet.hosts.map(async (h) => {
        const reg = await fetch(h.url(8000, '/v1/participants'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pub_key: PUBKEY, url: 'http://203.0.113.10:8000' }),
        });
        if (reg.status !== 200) throw new Error(`registration on ${h.name} failed: ${await reg.text()}`);
        // the next epoch lists the participant with its loaded ML node
        await eventually(
          () => participantNodes(h),
          (ids) => ids.length > 0,
          `${h.name}'s ML node in the epoch's participants`,
        );
      }),
    );
  });
  afterAll(async () => {
    await Promise.all([seed?.close(), otherChain?.close()]);
    await fleet?.cleanup();
  });

  describe('seeds.yml', () => {
    const p2p = () => `tcp://127.0.0.1:5000`;

    it('--check shows the seed, the derived RPC and p2p, and why a reset is needed; nothing changes', async () => {
      const before = await snapshots();
      const res = await fleet.run(playbook('seeds'), { seed_api_url: seed.url }, { check: true });
      expect(res.code, failures(res)).toBe(0);
      const plan = tasks(res.events, 'Plan the seed switch');
      expect(plan.map((e) => e.status)).toEqual(['ok', 'ok']);
      const text = report(plan[0]);
      expect(text).toContain(`seed ${seed.url}: node ${seedNodeId(seed.url)} on chain gonka-mainnet, p2p listen_addr tcp://127.0.0.1:5000`);
      expect(text).toContain(`config.env SEED_NODE_RPC_URL: http://node2.gonka.ai:8000/chain-rpc/ → ${seed.url}/chain-rpc/`);
      expect(text).toContain(`config.env SEED_NODE_P2P_URL: tcp://node2.gonka.ai:5000 → ${p2p()}`);
      expect(text).toMatch(/the new seeds will not take effect: the node is already initialised .*reset_chain_data=true/);
      expect(tasks(res.events, 'config.env SEED_API_URL').map((e) => e.status)).toEqual(['changed', 'changed']);
      expect(changedPaths(before, await snapshots())).toEqual([]);
    });

    it('refuses a seed that does not answer, or answers for another chain; config.env is untouched', async () => {
      const before = await snapshots();
      const dead = await fleet.run(playbook('seeds'), { seed_api_url: 'http://127.0.0.1:1' }, { limit: 'gpu1' });
      expect(dead.code).not.toBe(0);
      expect(failedMsg(dead.events, 'Plan the seed switch', 'gpu1')).toBe('the seed is refused: http://127.0.0.1:1/chain-rpc/status does not answer');
      const wrong = await fleet.run(playbook('seeds'), { seed_api_url: otherChain.url, reset_chain_data: true }, { limit: 'gpu1' });
      expect(wrong.code).not.toBe(0);
      expect(failedMsg(wrong.events, 'Plan the seed switch', 'gpu1')).toBe(
        "the seed is refused: it answers for chain 'gonka-testnet', this node runs 'gonka-mainnet'",
      );
      expect(tasks(wrong.events, 'config.env SEED_API_URL')).toEqual([]);
      expect(changedPaths(before, await snapshots())).toEqual([]);
    });

    it('without reset_chain_data: config.env names the new seed on both hosts, and the run says why it does not take effect yet', async () => {
      const res = await fleet.run(playbook('seeds'), { seed_api_url: seed.url });
      expect(res.code, failures(res)).toBe(0);
      for (const h of fleet.hosts)
        expect(await configEnv(h)).toMatchObject({ SEED_API_URL: seed.url, SEED_NODE_RPC_URL: `${seed.url}/chain-rpc/`, SEED_NODE_P2P_URL: p2p() });
      // the keyring password and the rest of config.env are kept
      expect((await configEnv(fleet.hosts[0])).KEYRING_PASSWORD).toBe('correct-horse-battery-staple');
      expect(report(tasks(res.events, 'Plan the seed switch')[1])).toContain('the new seeds will not take effect');
      expect(report(tasks(res.events, 'Verify the seed on the host')[0])).toContain(`config.env: SEED_API_URL=${seed.url}`);
      expect(tasks(res.events, 'Stop the node')).toEqual([]);
      expect(await tomlSeeds(fleet.hosts[0])).toMatch(/@node2\.gonka\.ai:5000$/);
    });

    it('with reset_chain_data=true: the node initialises again from the new seed (config.toml); a second run resets nothing', async () => {
      const h = fleet.hosts[0];
      // a reset restarts the node: the run refuses during PoC, so it starts early in an Inference phase
      await eventually(
        () => getJson(h.url(8000, '/v1/epochs/latest')),
        (e) => e.phase === 'Inference' && e.epoch_stages.next_poc_start - e.block_height > 30,
        'an Inference phase with room before the next PoC',
      );
      const res = await fleet.run(playbook('seeds'), { seed_api_url: seed.url, reset_chain_data: true }, { limit: 'gpu1' });
      expect(res.code, failures(res)).toBe(0);
      expect(tasks(res.events, 'Remove the chain data and the init marker')[0].status).toBe('changed');
      const verified = report(tasks(res.events, 'Verify the seed on the host')[0]);
      expect(verified).toContain(`the node initialised again from the new seed: p2p.seeds = ${seedNodeId(seed.url)}@127.0.0.1:5000`);
      expect(await tomlSeeds(h)).toBe(`${seedNodeId(seed.url)}@127.0.0.1:5000`);
      // gpu2 was not reset: still on its first seed
      expect(await tomlSeeds(fleet.hosts[1])).toMatch(/@node2\.gonka\.ai:5000$/);
      const again = await fleet.run(playbook('seeds'), { seed_api_url: seed.url, reset_chain_data: true }, { limit: 'gpu1' });
      expect(again.code, failures(again)).toBe(0);
      expect(report(tasks(again.events, 'Plan the seed switch')[0])).toContain('the node already uses this seed');
      expect(taskResults(again.events).filter((e) => e.status === 'changed')).toEqual([]);
    });
  });

  describe('decommission.yml', () => {
    const enabled = async () => (await Promise.all(fleet.hosts.map(adminNodes))).map((nodes) => nodes.map((n) => n.state.admin_state.enabled));

    it('--check shows the epoch, each ML node scheduled, the backup and the plan; nothing changes', async () => {
      const before = await snapshots();
      const res = await fleet.run(playbook('decommission'), {}, { check: true });
      expect(res.code, failures(res)).toBe(0);
      const plan = tasks(res.events, 'Plan the decommission');
      const text = report(plan[0]);
      expect(text).toMatch(new RegExp(`participant ${ADDRESS}: epoch \\d+, height \\d+, phase \\w+; next PoC at block \\d+`));
      expect(text).toMatch(/ML node \S+: enabled, \w+, (scheduled for inference in|not in) epoch \d+/);
      expect(text).toContain('backup: no archive of gpu1 in backups/');
      expect(text).toContain('a real run needs -e decommission=true and -e backup_taken=true');
      expect(tasks(res.events, 'Disable every ML node').map((e) => e.status)).toEqual(['changed', 'changed']);
      expect(changedPaths(before, await snapshots())).toEqual([]);
      expect(await enabled()).toEqual([[true], [true]]);
    });

    it('refuses without decommission=true, then without backup_taken=true, naming each; nothing is disabled', async () => {
      const without = await fleet.run(playbook('decommission'));
      expect(without.code).not.toBe(0);
      expect(failedMsg(without.events, 'Plan the decommission', 'gpu1')).toMatch(/^decommission refused: .*-e decommission=true$/);
      const noBackup = await fleet.run(playbook('decommission'), { decommission: true });
      expect(failedMsg(noBackup.events, 'Plan the decommission', 'gpu2')).toMatch(
        /back the node identity up first \(nop run playbooks\/backup\.yml -i INVENTORY -l gpu2.*-e backup_taken=true$/,
      );
      expect(tasks(noBackup.events, 'Stop the services')).toEqual([]);
      expect(await enabled()).toEqual([[true], [true]]);
    });

    it('refuses to stop while a node is still scheduled for inference in this epoch (no wait): disabled, still running', async () => {
      const h = fleet.hosts[1];
      // early in an epoch, so the node is still in this epoch's participants when the run looks
      await eventually(
        () => getJson(h.url(8000, '/v1/epochs/latest')),
        (e) => e.epoch_stages.next_poc_start - e.block_height > 30,
        'room before the next PoC',
      );
      expect((await participantNodes(h)).length).toBeGreaterThan(0);
      const res = await fleet.run(playbook('decommission'), { decommission: true, backup_taken: true, decommission_wait_epochs: 0 }, { limit: 'gpu2' });
      expect(res.code).not.toBe(0);
      expect(tasks(res.events, 'Disable every ML node')[0].status).toBe('changed');
      expect(failedMsg(res.events, "Wait until the epoch's participants no longer hold the ML nodes", 'gpu2')).toMatch(
        /^refused to stop: \S+ still scheduled for inference in epoch \d+ .*they leave at the earliest with the PoC at block \d+/,
      );
      expect(tasks(res.events, 'Stop the services')).toEqual([]);
      expect((await adminNodes(h)).map((n) => n.state.admin_state.enabled)).toEqual([false]);
      expect((await fleet.sh(h, "docker ps --format '{{.Names}}'")).stdout).toMatch(/\bnode\b/);
    });

    it('on the fleet: disables, waits until the participants show the nodes out, stops the ML servers then the network node', async () => {
      const res = await fleet.run(playbook('decommission'), { decommission: true, backup_taken: true, decommission_poll_seconds: 0.05 });
      expect(res.code, failures(res)).toBe(0);
      const out = tasks(res.events, "Wait until the epoch's participants no longer hold the ML nodes");
      expect(out.map((e) => String(e.result.msg))).toEqual([
        expect.stringMatching(/no ML node of this participant is scheduled any more/),
        expect.stringMatching(/no ML node of this participant is scheduled any more/),
      ]);
      for (const h of fleet.hosts) {
        const order = taskResults(res.events)
          .filter((e) => e.host === h.name && e.task.endsWith('Stop the services') && e.status !== 'skipped')
          .map((e) => String(e.result.msg));
        expect(order).toEqual([expect.stringMatching(/^stop .*inference/), expect.stringMatching(/^stop .*\bnode\b.*api|^stop .*api.*\bnode\b/)]);
        expect((await fleet.sh(h, "docker ps --format '{{.Names}}'")).stdout.trim()).toBe('');
      }
      expect(report(tasks(res.events, 'Verify nothing runs')[0])).toMatch(/no (ML server|network node service) runs on gpu1/);
    });
  });
});
