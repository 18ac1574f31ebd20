// Day-2 procedures of issue 13, items 7 and 10 (recover keys, pre-stage a chain upgrade), on two simulated full servers
// reached over real sshd, built once: each procedure's fleet run, its check mode (the hosts' deploy dirs snapshotted
// before and after) and its refusals. Destructive cases run last.
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEFAULT_CHAIN, EDITION_1_CHAIN, fundAccount } from '../../../sim/gonka.js';
import { startReleaseServer, type ReleaseServer } from '../../../sim/gonka/release-server.mjs';
import { writeScenario } from '../../../sim/gonka/scenario.mjs';
import { changedEntries, snapshotTree } from '../../e2e/sim-fleet.js';
import { FUNDS, inDeploy, KEYRING_PASSWORD, keyInApi, registerFundedParticipant } from '../procedures/operator-fleet.js';
import {
  createFleet,
  getJson,
  type Fleet,
  type FleetHost,
  failuresOf as failures,
  operatorReport as report,
  ranTasksEndingWith as tasks,
} from '../update/sim-fleet.js';

const playbook = (name: string) => join(import.meta.dirname, '../../../playbooks', `${name}.yml`);
// the results of a task that ran (not skipped by its when), one per host in host order (hosts run in parallel)
const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

const makeOperators = async (fleet: Fleet): Promise<Record<string, { cold: string; warm: string }>> => {
  const out: Record<string, { cold: string; warm: string }> = {};
  await Promise.all(
    fleet.hosts.map(async (h) => {
      const cold = await keyInApi(fleet, h, `${h.name}-cold`);
      const warm = await keyInApi(fleet, h, `${h.name}-warm`);
      await registerFundedParticipant(h, cold);
      Object.assign(h.vars, { account_pubkey: cold.pubkey, cold_key_name: `${h.name}-cold`, keyring_password: KEYRING_PASSWORD });
      out[h.name] = { cold: cold.address, warm: warm.address };
    }),
  );
  const inventory = join(fleet.dir, 'inventory.yml');
  const inv = parse(await readFile(inventory, 'utf8')) as { all: { hosts: Record<string, unknown> } };
  for (const h of fleet.hosts) inv.all.hosts[h.name] = h.vars;
  await writeFile(inventory, stringify(inv));
  return out;
};

// the machine's flags with and without ADX: the CPU check reads only whether `adx` is there
const WITH_ADX = ['fpu', 'sse2', 'avx2', 'bmi2', 'adx'];
const WITHOUT_ADX = ['fpu', 'sse2', 'avx2', 'bmi2'];

describe('day-2 procedures (issue 13, items 7 and 10) on two simulated servers over sshd', () => {
  let fleet: Fleet;
  let releases: ReleaseServer;
  const snapshots = () => Promise.all(fleet.hosts.map((h) => snapshotTree(h.deployDir)));
  const changedPaths = (before: Map<string, string>[], after: Map<string, string>[]) =>
    changedEntries(
      fleet.hosts.map((h) => h.name),
      before,
      after,
    );
  const setCpu = (h: FleetHost, flags: string[]) =>
    // rewritten in place: the host sees this file bound over its /proc/cpuinfo
    writeFile(join(fleet.dir, h.name, 'cpuinfo'), `processor\t: 0\nflags\t\t: ${flags.join(' ')}\n`);

  beforeAll(async () => {
    [fleet, releases] = await Promise.all([
      // the roles' first-edition models on a chain that charges v0.2.16's fees
      createFleet(2, { chain: { ...EDITION_1_CHAIN, fees: DEFAULT_CHAIN.fees } }, { ssh: true, cpuFlags: WITH_ADX }),
      startReleaseServer({ 'v0.2.16-post1': {}, 'v0.2.17': {}, 'v0.2.18': { tampered: true } }),
    ]);
  });
  afterAll(async () => {
    await releases?.close();
    await fleet?.cleanup();
  });

  describe('upgrade-prestage.yml (item 10)', () => {
    const sums = (tag: string) => ({
      inferenced: releases.asset(tag, 'inferenced').binary_sha256,
      'decentralized-api': releases.asset(tag, 'decentralized-api').binary_sha256,
    });
    const nodeBin = (h: FleetHost, name: string) => join(h.deployDir, '.inference/cosmovisor/upgrades', name, 'bin/inferenced');
    const apiBin = (h: FleetHost, name: string) => join(h.deployDir, '.dapi/cosmovisor/upgrades', name, 'bin/decentralized-api');
    let height: number;

    beforeAll(async () => {
      height = Number((await getJson(fleet.hosts[0].url(26657, '/status'))).result.sync_info.latest_block_height);
      // v0.2.16 passed (its assets from release v0.2.16-post1, as on mainnet), v0.2.17 still voting, v0.2.18 passed
      // but served tampered
      const proposals = [
        {
          id: 7,
          title: 'Upgrade v0.2.16',
          votingEndHeight: height - 50,
          tally: { yes: 100 },
          plan: { name: 'v0.2.16', height: height + 50_000, info: releases.planInfo('v0.2.16-post1') },
        },
        {
          id: 8,
          title: 'Upgrade v0.2.17',
          votingEndHeight: height + 40_000,
          plan: { name: 'v0.2.17', height: height + 60_000, info: releases.planInfo('v0.2.17') },
        },
        {
          id: 9,
          title: 'Upgrade v0.2.18',
          votingEndHeight: height - 50,
          tally: { yes: 100 },
          plan: { name: 'v0.2.18', height: height + 90_000, info: releases.planInfo('v0.2.18') },
        },
      ];
      for (const h of fleet.hosts) writeScenario(h.stateDir, { proposals });
    });

    it('--check shows the approved upgrade, its sources and sums and where each binary goes, and changes nothing', async () => {
      const before = await snapshots();
      const res = await fleet.run(playbook('upgrade-prestage'), { upgrade_binary_sha256: sums('v0.2.16-post1') }, { check: true });
      expect(res.code, failures(res)).toBe(0);
      const plan = tasks(res.events, 'Approved upgrade and its binaries');
      expect(plan.map((e) => e.host)).toEqual(['gpu1', 'gpu2']);
      expect(report(plan[0])).toMatch(/upgrade v0\.2\.16 at height \d+ \(\d+ blocks ahead of \d+\), approved by proposal 7 "Upgrade v0\.2\.16"/);
      expect(report(plan[0])).toContain(
        `inferenced: ${releases.asset('v0.2.16-post1', 'inferenced').url} (zip sha256 ${releases.asset('v0.2.16-post1', 'inferenced').zip_sha256}`,
      );
      expect(tasks(res.events, 'The CPU runs the upgrade binaries')[0].result.msg).toBe(
        'the CPU has ADX, which inferenced v0.2.16-post1, decentralized-api v0.2.16-post1 needs',
      );
      const stage = tasks(res.events, 'Upgrade binaries in place (sha256 verified)');
      expect(stage.map((e) => e.status)).toEqual(['changed', 'changed']);
      expect(report(stage[0])).toContain('would place /opt/gonka/deploy/join/.dapi/cosmovisor/upgrades/v0.2.16/bin/decentralized-api from');
      expect(changedPaths(before, await snapshots())).toEqual([]);
      expect(releases.requests).toEqual([]);
    });

    it('refuses, changing nothing: no binary sums, an upgrade not approved, a tampered zip, a wrong binary sum, a CPU without ADX', async () => {
      const before = await snapshots();
      const noSums = await fleet.run(playbook('upgrade-prestage'), {}, { limit: 'gpu1' });
      expect(noSums.code).toBe(2);
      expect(String(tasks(noSums.events, 'Approved upgrade and its binaries')[0].result.msg)).toMatch(
        /refused: inferenced: .*set upgrade_binary_sha256\.inferenced.*; decentralized-api: .*set upgrade_binary_sha256\.decentralized-api/,
      );
      const voting = await fleet.run(playbook('upgrade-prestage'), { upgrade: 'v0.2.17', upgrade_binary_sha256: sums('v0.2.17') }, { limit: 'gpu1' });
      expect(voting.code).toBe(2);
      expect(tasks(voting.events, 'Approved upgrade and its binaries')[0].result.msg).toBe(
        'refused: upgrade v0.2.17 is not approved: proposal 8 is voting period',
      );

      const tampered = await fleet.run(playbook('upgrade-prestage'), { upgrade: 'v0.2.18', upgrade_binary_sha256: sums('v0.2.18') }, { limit: 'gpu1' });
      expect(tampered.code).toBe(2);
      expect(String(tasks(tampered.events, 'Upgrade binaries in place (sha256 verified)')[0].result.msg)).toMatch(
        new RegExp(
          `inferenced: the zip from .*v0\\.2\\.18/inferenced-amd64\\.zip has sha256 [0-9a-f]{64}, the plan says ${releases.asset('v0.2.18', 'inferenced').zip_sha256}: refused, nothing installed`,
        ),
      );
      // the api zip is fine, but nothing of a half-verified upgrade is placed
      const wrong = { ...sums('v0.2.16-post1'), 'decentralized-api': 'e'.repeat(64) };
      const wrongSum = await fleet.run(playbook('upgrade-prestage'), { upgrade_binary_sha256: wrong }, { limit: 'gpu1' });
      expect(wrongSum.code).toBe(2);
      expect(String(tasks(wrongSum.events, 'Upgrade binaries in place (sha256 verified)')[0].result.msg)).toMatch(
        /decentralized-api: the unpacked binary has sha256 [0-9a-f]{64}, the announcement says e{64}: refused, nothing installed/,
      );

      await setCpu(fleet.hosts[1], WITHOUT_ADX);
      try {
        const noAdx = await fleet.run(playbook('upgrade-prestage'), { upgrade_binary_sha256: sums('v0.2.16-post1') }, { limit: 'gpu2' });
        expect(noAdx.code).toBe(2);
        const cpu = tasks(noAdx.events, 'The CPU runs the upgrade binaries')[0];
        expect(String(cpu.result.msg)).toMatch(/refused: the CPU lacks ADX .*SIGILL.*upgrade_allow_cpu_without_adx: true/);
        expect(tasks(noAdx.events, 'Upgrade binaries in place (sha256 verified)')).toEqual([]);
      } finally {
        await setCpu(fleet.hosts[1], WITH_ADX);
      }
      expect(changedPaths(before, await snapshots())).toEqual([]);
      for (const h of fleet.hosts) expect((await readdir(h.deployDir)).filter((n) => n.startsWith('.nop-upgrade'))).toEqual([]);
    });

    it('places both binaries on both hosts, 0755, sums verified; a second run downloads nothing and changes nothing', async () => {
      const res = await fleet.run(playbook('upgrade-prestage'), { upgrade_binary_sha256: sums('v0.2.16-post1') });
      expect(res.code, failures(res)).toBe(0);
      const stage = tasks(res.events, 'Upgrade binaries in place (sha256 verified)');
      expect(stage.map((e) => e.status)).toEqual(['changed', 'changed']);
      expect(report(stage[1])).toContain('/opt/gonka/deploy/join/.inference/cosmovisor/upgrades/v0.2.16/bin/inferenced placed, 0755 (zip sha256');
      for (const h of fleet.hosts) {
        for (const [path, binary] of [
          [nodeBin(h, 'v0.2.16'), 'inferenced'],
          [apiBin(h, 'v0.2.16'), 'decentralized-api'],
        ] as const) {
          expect(await sha256(path)).toBe(releases.asset('v0.2.16-post1', binary).binary_sha256);
          expect((await stat(path)).mode & 0o777).toBe(0o755);
        }
        expect((await readdir(h.deployDir)).filter((n) => n.startsWith('.nop-upgrade'))).toEqual([]);
      }
      const downloads = releases.requests.length;
      const again = await fleet.run(playbook('upgrade-prestage'), { upgrade_binary_sha256: sums('v0.2.16-post1') });
      expect(again.code, failures(again)).toBe(0);
      expect(tasks(again.events, 'Upgrade binaries in place (sha256 verified)').map((e) => e.status)).toEqual(['ok', 'ok']);
      expect(releases.requests.length).toBe(downloads);
    });
  });
  describe('recover-keys.yml (item 7)', () => {
    let accounts: Record<string, { cold: string; warm: string }>;
    const consensusFile = (h: FleetHost) => join(h.deployDir, '.tmkms/secrets/priv_validator_key.softsign');
    // a chain query in the api container, as the operator runs it
    const query = async (h: FleetHost, args: string) => {
      const res = await fleet.sh(h, inDeploy(`docker compose exec -T api inferenced query ${args} -o json --node http://node:26657`));
      if (res.code !== 0) throw new Error(`query ${args} on ${h.name}: ${res.stderr}`);
      return JSON.parse(res.stdout.split('\n').find((l) => l.startsWith('{'))!);
    };
    const participant = async (h: FleetHost, address: string) => (await query(h, `inference show-participant ${address}`)).participant;
    const nodeKey = async (h: FleetHost) => (await getJson(h.url(26657, '/status'))).result.validator_info.pub_key.value as string;

    beforeAll(async () => {
      accounts = await makeOperators(fleet);
    });

    it('refuses when nothing is lost, saying what it checked', async () => {
      const before = await snapshots();
      const res = await fleet.run(playbook('recover-keys'));
      expect(res.code).toBe(2);
      const found = tasks(res.events, 'Which key is lost');
      expect(found.map((e) => e.status)).toEqual(['failed', 'failed']);
      expect(found[0].result.msg).toBe(
        'refused: nothing is lost: the warm key is in the keyring and the consensus key on chain is the one tmkms holds; nothing to recover',
      );
      expect(report(found[0])).toContain(`warm key 'gpu1-warm' (${accounts.gpu1.warm}) is in the api keyring`);
      expect(changedPaths(before, await snapshots())).toEqual([]);
    });

    describe('with the warm key of gpu1 and the consensus key of gpu2 lost', () => {
      let oldChainKey: string;
      beforeAll(async () => {
        const [gpu1, gpu2] = fleet.hosts;
        await rm(join(gpu1.deployDir, '.inference/keyring-file/gpu1-warm.info'));
        oldChainKey = (await participant(gpu2, accounts.gpu2.cold)).validator_key;
        await rm(consensusFile(gpu2));
        // the node falls back to its own key file once tmkms has none: let it write that before anything is compared
        await nodeKey(gpu2);
      });

      it('--check says which key is lost and what would be done, and changes nothing', async () => {
        const before = await snapshots();
        const res = await fleet.run(playbook('recover-keys'), {}, { check: true });
        expect(res.code, failures(res)).toBe(0);
        const found = tasks(res.events, 'Which key is lost');
        expect(found.map((e) => e.result.msg)).toEqual(['lost: the warm key', 'lost: the consensus key (lost)']);
        expect(report(found[1])).toContain('tmkms holds no consensus key');
        expect(tasks(res.events, 'Recreate the warm key').map((e) => [e.host, e.status])).toEqual([['gpu1', 'changed']]);
        expect(tasks(res.events, 'Restart tmkms to generate a consensus key').map((e) => [e.host, e.status])).toEqual([['gpu2', 'changed']]);
        expect(tasks(res.events, 'Register the consensus key from the cold key').map((e) => [e.host, e.status])).toEqual([['gpu2', 'changed']]);
        expect(changedPaths(before, await snapshots())).toEqual([]);
      });

      it('refuses when the cold account cannot pay the grant, sending nothing', async () => {
        const gpu1 = fleet.hosts[0];
        fundAccount(gpu1.stateDir, accounts.gpu1.cold, { spendable: -FUNDS });
        try {
          const before = await snapshots();
          const res = await fleet.run(playbook('recover-keys'), {}, { limit: 'gpu1' });
          expect(res.code).toBe(2);
          const guard = tasks(res.events, 'The cold account can pay the fees')[0];
          expect(guard.status).toBe('failed');
          expect(String(guard.result.msg)).toContain(accounts.gpu1.cold);
          expect(tasks(res.events, 'Recreate the warm key')).toEqual([]);
          expect(changedPaths(before, await snapshots())).toEqual([]);
        } finally {
          fundAccount(gpu1.stateDir, accounts.gpu1.cold, { spendable: FUNDS });
        }
      });

      it('recovers both on the fleet, each verified on chain; the keyring password is never in the output', async () => {
        const [gpu1, gpu2] = fleet.hosts;
        const res = await fleet.run(playbook('recover-keys'));
        expect(res.code, failures(res)).toBe(0);
        const created = tasks(res.events, 'Recreate the warm key')[0];
        const warm = String(created.result.msg).match(/: (gonka1\w+)$/)![1];
        expect(warm).not.toBe(accounts.gpu1.warm);
        expect(report(tasks(res.events, 'Warm key granted on chain')[0])).toContain(`${warm} holds`);
        const grants = await query(gpu1, `authz grants-by-granter ${accounts.gpu1.cold}`);
        expect(grants.grants.filter((g: { grantee: string }) => g.grantee === warm).length).toBeGreaterThan(0);
        const newKey = await nodeKey(gpu2);
        expect(newKey).not.toBe(oldChainKey);
        expect((await participant(gpu2, accounts.gpu2.cold)).validator_key).toBe(newKey);
        expect(tasks(res.events, 'Consensus key on chain and signing')[0].result.msg).toBe(`consensus key ${newKey}: on chain and signing (node /status)`);
        expect(JSON.stringify(res.events)).not.toContain(KEYRING_PASSWORD);
      });

      it('a reset consensus key (tmkms reinstalled with another key) is registered; then nothing is lost', async () => {
        const gpu2 = fleet.hosts[1];
        await writeFile(consensusFile(gpu2), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
        const res = await fleet.run(playbook('recover-keys'), {}, { limit: 'gpu2' });
        expect(res.code, failures(res)).toBe(0);
        expect(tasks(res.events, 'Which key is lost')[0].result.msg).toBe('lost: the consensus key (reset)');
        expect(tasks(res.events, 'Restart tmkms to generate a consensus key')).toEqual([]);
        expect((await participant(gpu2, accounts.gpu2.cold)).validator_key).toBe(await nodeKey(gpu2));
        const again = await fleet.run(playbook('recover-keys'));
        expect(again.code).toBe(2);
        expect(tasks(again.events, 'Which key is lost').map((e) => String(e.result.msg).slice(0, 27))).toEqual([
          'refused: nothing is lost: t',
          'refused: nothing is lost: t',
        ]);
      });
    });
  });
});
