// Day-2 procedures of issue 13, part f (the local PoC test) on two simulated full servers reached over real sshd,
// built once: check mode (the hosts' deploy dirs snapshotted before and after), each refusal, the happy path on the
// fleet, a forced failure (OOM, no GPU group) and Ctrl-C (SIGINT to a real `nop run` process), each restored.
import { spawn } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDITION_1_CHAIN, fundAccount, writeScenario } from '../../../sim/gonka.js';
import { createKeyring, saveKey } from '../../../sim/gonka/keyring.mjs';
import { newAccountKey } from '../../../sim/gonka/keys.mjs';
import { changedEntries, snapshotTree } from '../../e2e/sim-fleet.js';
import {
  createFleet,
  eventually,
  getJson,
  type Fleet,
  type FleetHost,
  failuresOf as failures,
  operatorReport as report,
  tasksEndingWith as tasks,
} from '../update/sim-fleet.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('local PoC test (issue 13, item 11) on two simulated servers over sshd', () => {
  let fleet: Fleet;
  // a copy beside the inventory: a failed run's retry file goes there, not into the repository
  const playbook = (name: string) => join(fleet.dir, `${name}.yml`);
  const snapshots = () => Promise.all(fleet.hosts.map((h) => snapshotTree(h.deployDir)));
  const changedPaths = (before: Map<string, string>[], after: Map<string, string>[]) =>
    changedEntries(
      fleet.hosts.map((h) => h.name),
      before,
      after,
    );
  const apiStatus = async (h: FleetHost) => (await fleet.sh(h, "docker inspect -f '{{.State.Status}}' api")).stdout.trim();
  const mlState = (h: FleetHost) => getJson(h.url(8080, '/api/v1/state'));
  // the api brings its ML node to serving in the background: waited for, never read once
  const serving = (h: FleetHost) =>
    eventually(
      () => mlState(h),
      (s) => s.state === 'INFERENCE' && s.inference_healthy === true && s.poc_status === 'IDLE',
      `${h.name}'s ML node serving`,
    );
  const setGeneration = (h: FleetHost, pocGeneration: Record<string, unknown>) => writeScenario(h.stateDir, { pocGeneration });

  beforeAll(async () => {
    fleet = await createFleet(2, {}, { ssh: true });
    for (const name of ['poc-test', 'bootstrap-model']) await copyFile(join(ROOT, 'playbooks', `${name}.yml`), playbook(name));
    await Promise.all(fleet.hosts.map(serving));
  });
  afterAll(() => fleet?.cleanup());

  it('--check shows the plan on every host and changes nothing', async () => {
    const before = await snapshots();
    const res = await fleet.run(playbook('poc-test'), {}, { check: true });
    expect(res.code, failures(res)).toBe(0);
    const plans = tasks(res.events, 'PoC test plan');
    expect(plans.map((e) => e.status)).toEqual(['ok', 'ok']);
    expect(report(plans[0])).toMatch(/plan: docker pause api → POST \/api\/v1\/inference\/pow\/init\/generate .*"block_hash":"TEST".*"batch_size":32/);
    expect(report(plans[0])).toContain('"url":"http://api:9100"');
    const runs = tasks(res.events, 'Local PoC test');
    expect(runs.map((e) => e.status)).toEqual(['changed', 'changed']);
    expect(String(runs[0].result.msg)).toMatch(/^would pause api, run PoC v2 generation on mlnode-\d+/);
    expect(changedPaths(before, await snapshots())).toEqual([]);
    for (const h of fleet.hosts) expect(await apiStatus(h)).toBe('running');
  });

  it('refuses, saying why, near the next PoC and when the api is already paused; nothing changes', async () => {
    const [gpu1, gpu2] = fleet.hosts;
    expect((await fleet.sh(gpu2, 'docker pause api')).code).toBe(0);
    try {
      // an epoch is 15,391 blocks: a margin larger than that is never met
      const res = await fleet.run(playbook('poc-test'), { poc_test_margin_blocks: 20000 });
      expect(res.code).toBe(2);
      const [p1, p2] = tasks(res.events, 'PoC test plan');
      expect(p1.status).toBe('failed');
      expect(String(p1.result.msg)).toMatch(/PoC test refused on mlnode-\d+: block \d+: the next PoC starts in \d+ blocks \(< poc_test_margin_blocks 20000\)/);
      expect(String(p2.result.msg)).toContain('the api container is already paused');
      expect(tasks(res.events, 'Local PoC test')).toEqual([]);
      expect(await apiStatus(gpu1)).toBe('running');
      expect(await apiStatus(gpu2)).toBe('paused');
    } finally {
      await fleet.sh(gpu2, 'docker unpause api');
    }
  });

  it('passes on the fleet (-i, both hosts): GPU group and batch lines seen, then everything as it was', async () => {
    const res = await fleet.run(playbook('poc-test'));
    expect(res.code, failures(res)).toBe(0);
    const runs = tasks(res.events, 'Local PoC test');
    expect(runs.map((e) => [e.host, e.result.passed])).toEqual([
      ['gpu1', true],
      ['gpu2', true],
    ]);
    const text = report(runs[0]);
    expect(text).toMatch(/Created 1 GPU groups:/);
    expect(text).toMatch(/Group 0: GpuGroup\(devices=\[0\], primary=0\) \(VRAM: [\d.]+GB\)/);
    expect(text).toMatch(/Using batch size: 32 for GPU group \[0\]/);
    expect(text).toContain('PoC test PASSED: 1 GPU group(s), each generating with its batch size');
    expect(text).toMatch(/restored: PoC generation stopped; api unpaused; mlnode-\d+ serves \S+ again, PoC idle, the api running/);
    for (const h of fleet.hosts) {
      expect(await apiStatus(h)).toBe('running');
      expect((await mlState(h)).poc_status).toBe('IDLE');
    }
  });

  it('fails on an OOM (wedged engine: restarted) and on no GPU group, and puts both hosts back', async () => {
    const [gpu1, gpu2] = fleet.hosts;
    setGeneration(gpu1, { failure: 'oom' });
    setGeneration(gpu2, { failure: 'no-gpu-group' });
    try {
      const res = await fleet.run(playbook('poc-test'));
      expect(res.code).toBe(2);
      const [r1, r2] = tasks(res.events, 'Local PoC test');
      expect([r1.status, r2.status]).toEqual(['failed', 'failed']);
      expect(report(r1)).toMatch(/PoC test FAILED: .*CUDA out of memory/);
      expect(report(r1)).toMatch(/restored: mlnode-\d+ restarted \(its engine did not stop.*; api unpaused; mlnode-\d+ serves \S+ again/);
      expect(report(r2)).toMatch(
        /PoC test FAILED: init\/generate answered 503 \(no GPU group: no vLLM backend took the request\): "No vLLM backends available"/,
      );
      expect(report(r2)).toMatch(/restored: PoC generation stopped; api unpaused; mlnode-\d+ serves/);
      expect(`${report(r1)}\n${report(r2)}`).not.toContain('NOT RESTORED');
      for (const h of fleet.hosts) {
        expect(await apiStatus(h)).toBe('running');
        expect((await mlState(h)).state).toBe('INFERENCE');
      }
    } finally {
      for (const h of fleet.hosts) setGeneration(h, {});
    }
  });

  it('Ctrl-C (SIGINT to nop) while generating: the run stops, the host is put back, exit 99', async () => {
    const gpu1 = fleet.hosts[0];
    // the batch lines never come: the test is still watching when the signal arrives
    setGeneration(gpu1, { batchAfterSeconds: 1e9 });
    try {
      const child = spawn(process.execPath, [join(ROOT, 'bin/nop.js'), 'run', playbook('poc-test'), '-i', join(fleet.dir, 'inventory.yml'), '-l', 'gpu1'], {
        env: { ...process.env, CI: '1' },
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
      // nop ending before the generation started is a failure shown with its output, not a wait until the hang guard
      const started = eventually(
        () => getJson(gpu1.url(8080, '/api/v1/inference/pow/status')),
        (s) => s.status === 'GENERATING',
        'PoC generation started',
        600_000,
      );
      started.catch(() => undefined);
      const first = await Promise.race([started.then(() => 'generating'), exited.then((c) => `nop exited (${c}) first`)]);
      expect(first, output).toBe('generating');
      expect(await apiStatus(gpu1)).toBe('paused');
      child.kill('SIGINT');
      const code = await exited;
      expect(code, output).toBe(99);
      expect(output).toMatch(/PoC test FAILED: interrupted \(Ctrl-C\) before a verdict/);
      expect(output).toMatch(/restored: PoC generation stopped; api unpaused/);
      expect(await apiStatus(gpu1)).toBe('running');
      expect((await mlState(gpu1)).poc_status).toBe('IDLE');
    } finally {
      setGeneration(gpu1, {});
    }
  });

  describe('bootstrap of a new governance model (item 13)', () => {
    // a model governance just added, with a PoC group whose penalties start later (a launching model)
    const NEW = 'Qwen/Qwen3-8B';
    const EPOCH = 15391;
    const cold = new Map<string, ReturnType<typeof newAccountKey>>();
    const latest = (h: FleetHost) => getJson(h.url(8000, '/v1/epochs/latest'));
    // the chain `blocks` before the PoC after next (never backwards): the node syncs there before the case runs
    const placeBeforePoc = async (h: FleetHost, blocks: number) => {
      const e = await latest(h);
      let target = e.epoch_stages.next_poc_start - blocks;
      if (target <= e.block_height) target += EPOCH;
      writeScenario(h.stateDir, { networkHeight: target });
      await eventually(
        () => latest(h),
        (l) => l.block_height >= target && l.phase === 'Inference',
        `${h.name} at block ${target}`,
      );
    };
    const intents = async (h: FleetHost) => JSON.parse(await readFile(join(h.stateDir, 'gonka-network.json'), 'utf8')).intents;
    const adminModels = async (h: FleetHost) => Object.keys((await getJson(h.url(9200, '/admin/v1/nodes')))[0].node.models);
    const MODEL = { bootstrap_model: NEW };

    beforeAll(async () => {
      // the quick workflow's server keyring holds each host's cold key; the inventory names its public key
      const inventory = parse(await readFile(join(fleet.dir, 'inventory.yml'), 'utf8'));
      for (const h of fleet.hosts) {
        const home = join(h.deployDir, '.inference');
        const key = newAccountKey();
        cold.set(h.name, key);
        createKeyring(home, String(h.vars.keyring_password));
        saveKey(home, String(h.vars.keyring_password), `${h.name}-cold`, key);
        inventory.all.hosts[h.name].account_pubkey = key.pubkey;
        fundAccount(h.stateDir, key.address, { spendable: 1_000_000_000 });
        const chain = { pocModels: EDITION_1_CHAIN.pocModels ?? [], governanceModels: EDITION_1_CHAIN.governanceModels ?? [] };
        const launching = { ...chain.pocModels[0], model_id: NEW, penalty_start_epoch: 1_000_000 };
        writeScenario(h.stateDir, { chain: { pocModels: [...chain.pocModels, launching], governanceModels: [...chain.governanceModels, NEW] } });
      }
      await writeFile(join(fleet.dir, 'inventory.yml'), stringify(inventory));
      await Promise.all(fleet.hosts.map((h) => placeBeforePoc(h, 3000)));
    });

    it('--check before the snapshot: the heights, what the intent step would do, and nothing changes', async () => {
      const before = await snapshots();
      const res = await fleet.run(playbook('bootstrap-model'), { ...MODEL, bootstrap_step: 'intent' }, { check: true });
      expect(res.code, failures(res)).toBe(0);
      const [s1] = tasks(res.events, 'Bootstrap schedule');
      expect(report(s1)).toMatch(/next PoC starts at (\d+); snapshot height (\d+) = \1 − deploy_window 500/);
      expect(report(s1)).toMatch(/declare the intent and download the weights now \(\d+ blocks to the snapshot\); switch in the deploy window/);
      expect(report(s1)).toContain(`${NEW}: a PoC model on chain; intent not declared; weights on the ML node NOT_FOUND`);
      expect(tasks(res.events, 'Declare the PoC intent').map((e) => e.status)).toEqual(['changed', 'changed']);
      expect(String(tasks(res.events, 'Pre-download the weights')[0].result.msg)).toBe(`would download ${NEW} into the ML node's cache`);
      expect(changedPaths(before, await snapshots())).toEqual([]);
      for (const h of fleet.hosts) expect(await intents(h)).toEqual([]);
    });

    it('refuses the switch before the deploy window, saying when it opens; nothing changes', async () => {
      const res = await fleet.run(playbook('bootstrap-model'), { ...MODEL, bootstrap_step: 'switch' });
      expect(res.code).toBe(2);
      for (const e of tasks(res.events, 'Bootstrap schedule'))
        expect(String(e.result.msg)).toMatch(/^switch refused: block \d+ is outside the deploy window: it opens at the snapshot height \d+, in \d+ blocks/);
      expect(tasks(res.events, 'Switch the ML node to the model')).toEqual([]);
      for (const h of fleet.hosts) expect(await adminModels(h)).not.toContain(NEW);
    });

    it('declares the intent from the cold key and downloads the weights on the fleet (-i), verified on chain and on the node', async () => {
      const res = await fleet.run(playbook('bootstrap-model'), { ...MODEL, bootstrap_step: 'intent' });
      expect(res.code, failures(res)).toBe(0);
      expect(tasks(res.events, 'Intent on chain').map((e) => e.status)).toEqual(['ok', 'ok']);
      expect(tasks(res.events, 'Pre-download the weights').map((e) => e.result.msg)).toEqual([
        `${NEW} DOWNLOADED on the ML node`,
        `${NEW} DOWNLOADED on the ML node`,
      ]);
      for (const h of fleet.hosts) expect(await intents(h)).toEqual([{ model_id: NEW, participant: cold.get(h.name)!.address }]);
      const again = await fleet.run(playbook('bootstrap-model'), { ...MODEL, bootstrap_step: 'intent' });
      expect(again.code, failures(again)).toBe(0);
      expect(tasks(again.events, 'Declare the PoC intent').map((e) => e.status)).toEqual(['skipped', 'skipped']);
    });

    it('in the deploy window: refuses a new intent (past the snapshot) and a switch not pre-eligible, switches a pre-eligible model, and verify says what is committed', async () => {
      await Promise.all(fleet.hosts.map((h) => placeBeforePoc(h, 300)));
      const late = await fleet.run(playbook('bootstrap-model'), { ...MODEL, bootstrap_step: 'intent' });
      expect(late.code).toBe(2);
      for (const e of tasks(late.events, 'Bootstrap schedule'))
        expect(String(e.result.msg)).toMatch(
          /^intent refused: block \d+ is past the snapshot height \d+ \(next PoC \d+ − deploy_window 500\): an intent now misses this bootstrap/,
        );
      // alone, a host misses v_min (3 intent hosts): the chain's event says so and the node keeps its model
      const alone = await fleet.run(playbook('bootstrap-model'), { ...MODEL, bootstrap_step: 'switch' });
      expect(alone.code).toBe(2);
      for (const e of tasks(alone.events, 'Bootstrap schedule'))
        expect(String(e.result.msg)).toBe(
          `switch refused: ${NEW} is not pre-eligible (pre_eligible false: meets_v_min false (intent_host_count 1, v_min 3), meets_weight_threshold true, meets_reachability true): keep the old model`,
        );
      for (const h of fleet.hosts) expect(await adminModels(h)).not.toContain(NEW);
      for (const h of fleet.hosts) writeScenario(h.stateDir, { bootstrapEligibility: { [NEW]: { otherIntentHosts: 2 } } });
      const res = await fleet.run(playbook('bootstrap-model'), { ...MODEL, bootstrap_step: 'switch' });
      expect(res.code, failures(res)).toBe(0);
      expect(report(tasks(res.events, 'Bootstrap schedule')[0])).toContain(
        `${NEW} at the snapshot: pre_eligible true: meets_v_min true (intent_host_count 3, v_min 3)`,
      );
      expect(tasks(res.events, 'Switch the ML node to the model').map((e) => e.status)).toEqual(['changed', 'changed']);
      for (const h of fleet.hosts) expect(await adminModels(h)).toEqual([NEW]);
      // the fleet's accounts are not registered participants: this epoch lists nothing for them
      const verify = await fleet.run(playbook('bootstrap-model'), { ...MODEL, bootstrap_step: 'verify' });
      expect(verify.code).toBe(2);
      expect(String(tasks(verify.events, 'Bootstrap schedule')[0].result.msg)).toBe(
        `${NEW} is not committed: this epoch's participants list no model for the account (the node serves it: check its PoC in the ML node and api logs)`,
      );
    });
  });
});
