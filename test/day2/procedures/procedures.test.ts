// The day-2 procedures of issue 13 (unjail, governance, collateral, rewards) on one fleet of two simulated servers
// reached over real sshd, built once: each procedure's happy path on the fleet, its check mode (nothing changes on
// the hosts or on chain), and each refusal.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { accountAddress } from '../../../lib/gonka/account-address.js';
import { networkHeightNow, settleEpochReward, updateNetwork, writeScenario } from '../../../sim/gonka.js';
import { REPO_ROOT } from '../../../sim/host/paths.js';
import { snapshotTree } from '../../e2e/sim-fleet.js';
import { getJson, PUBKEY } from '../update/sim-fleet.js';
import { createOperatorFleet, type OperatorFleet, type OperatorHost } from './operator-fleet.js';

let fleet: OperatorFleet;
beforeAll(async () => {
  fleet = await createOperatorFleet(2);
  await allProcedures();
  for (const h of fleet.operators) {
    // weight 1000 this epoch: 800 of it needs 1000 × 0.8 × 4.2 = 3360 ngonka of collateral
    setWeight(h, 1000);
    const height = networkHeightNow(h.stateDir);
    writeScenario(h.stateDir, {
      jailed: true,
      proposals: [
        { id: 5, title: 'Retire Qwen3-235B', votingEndHeight: height - 10, tally: { yes: 900, no: 50 } },
        { id: 7, title: 'Add GLM-5.3-Flash', votingEndHeight: height + 100_000, tally: { yes: 1000, no: 10 } },
      ],
    });
  }
});
afterAll(() => fleet?.cleanup());

// the three procedures as plays of one playbook: their check modes and happy paths in one run each
const ALL = 'procedures.yml';
const allProcedures = () =>
  writeFile(
    join(fleet.dir, ALL),
    stringify(['unjail', 'vote', 'collateral'].map((role) => ({ name: role, hosts: 'network_nodes', gather_facts: false, roles: [role] }))),
  );

const run = async (playbook: string, opts: { extraVars?: Record<string, unknown>; check?: boolean; limit?: string } = {}) => {
  const events: RunEvent[] = [];
  // a copy beside the inventory: a failed run's retry file goes there, not into the repository
  const copy = join(fleet.dir, playbook);
  if (playbook !== ALL) await copyFile(join(REPO_ROOT, 'playbooks', playbook), copy);
  const summary = await runPlaybook({
    playbook: copy,
    inventories: [fleet.inventory],
    emit: (e) => events.push(e),
    forks: 2,
    // no connect: nop reaches the hosts over ssh, as the inventory says
    ...opts,
  });
  const results = events.filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result');
  return { code: summary.code, results, output: JSON.stringify(events) };
};

type Run = Awaited<ReturnType<typeof run>>;
const result = (r: Run, host: string, task: string) => r.results.find((e) => e.host === host && e.task.endsWith(task));
// chain state is changed only through the simulator's updateNetwork (locked, written by rename): a plain writeFile
// here once raced the api's tick, which read the half-written file as empty and wiped the registered participants
const setWeight = (h: OperatorHost, weight: number) =>
  updateNetwork(h.stateDir, (net) => {
    net.participants[h.address].epochNodes = { 1: [{ id: 'node1', models: [], poc_weight: weight }] };
    return net;
  });
const networkState = async (h: OperatorHost): Promise<any> => JSON.parse(await readFile(join(h.stateDir, 'gonka-network.json'), 'utf8'));

// what the running services write whatever nop does: the node's block data, the api's node database and NATS store
const SERVICE_STATE = ['/.inference/data/', '/.dapi/gonka.db', '/.dapi/.nats/'];
const ownFiles = (tree: Map<string, string>) => [...tree].filter(([path]) => !SERVICE_STATE.some((p) => path.startsWith(p)));

/** What a procedure may change: the deploy dir on each host and each chain's state. */
const snapshot = async () =>
  Promise.all(fleet.operators.map(async (h) => ({ files: ownFiles(await snapshotTree(h.deployDir)), chain: await networkState(h) })));

const jailed = async (h: OperatorHost): Promise<boolean> => {
  const res = await fetch(h.url(26657, '/status'));
  const body = (await res.json()) as { result: { validator_info: { voting_power: string } } };
  return body.result.validator_info.voting_power === '0';
};

const VOTE = { proposal_id: 7, vote_option: 'yes' };
const DEPOSIT = { collateral_deposit_ngonka: 6720 };
const report = (r: Run, host: string, task: string) => (result(r, host, task)!.result.operator_report as string[]).join('\n');

describe('unjail, vote and collateral on the fleet', () => {
  it('check mode: each procedure reads, explains and plans on both hosts, and nothing changes on the hosts or on chain', async () => {
    const before = await snapshot();
    const res = await run(ALL, { check: true, extraVars: { ...VOTE, ...DEPOSIT } });
    expect(res.code, res.output).toBe(0);
    expect(await snapshot()).toEqual(before);
    for (const h of fleet.operators) {
      expect(report(res, h.name, 'Jailed, and why')).toMatch(/^jailed: true\nmissed 51 of the last 100 blocks .*\nconsensus key on chain matches tmkms/);
      expect(result(res, h.name, 'Unjail from the cold key')?.result.msg).toMatch(
        new RegExp(`^would unjail the validator from ${h.name}-cold in the api container`),
      );
      expect(report(res, h.name, 'Proposals in their voting period')).toMatch(
        /^#7 "Add GLM-5.3-Flash" voting ends \d{4}-\d\d-\d\dT\S+; tally yes 1000 \(99\.0 %\) · no 10 \(1\.0 %\) .*; your vote: none$/,
      );
      expect(result(res, h.name, 'Vote from the cold key')?.result.msg).toMatch(new RegExp(`^would vote yes on proposal 7 from ${h.name}-cold`));
      const collateral = report(res, h.name, 'Collateral and weight');
      expect(collateral).toContain('rule: 20 % of the weight is always active; the other 80 % only in proportion to collateral, 4.2 ngonka per weight unit');
      expect(collateral).toContain('weight 1000: 200 always active; 800 needs 3360 ngonka');
      expect(collateral).toMatch(/a withdrawal unbonds for 1 epoch\(s\), still slashable/);
      expect(result(res, h.name, 'Deposit collateral from the cold key')?.result.msg).toMatch(
        new RegExp(`^would deposit 6720 ngonka of collateral from ${h.name}-cold`),
      );
    }
  });

  it('unjails, votes and deposits from each cold key, each verified on chain', async () => {
    const res = await run(ALL, { extraVars: { ...VOTE, ...DEPOSIT } });
    expect(res.code, res.output).toBe(0);
    for (const h of fleet.operators) {
      expect(result(res, h.name, 'Validator unjailed on chain')?.result.msg).toBe(`${h.address}: jailed: false on chain`);
      expect(await jailed(h)).toBe(false);
      expect(result(res, h.name, 'Vote and tally on chain')?.result.msg).toMatch(new RegExp(`^${h.address} votes yes on proposal 7; tally yes 2000 `));
      expect(result(res, h.name, 'Collateral on chain')?.result.msg).toBe(`${h.address}: 6720 ngonka of collateral on chain`);
      const chain = await networkState(h);
      expect(chain.votes).toEqual([{ proposal_id: '7', voter: h.address, option: 'yes' }]);
      expect(chain.collateral[h.address]).toBe(6720);
    }
  });
});

describe('refusals: each names why, and nothing is sent', () => {
  it('unjail: a consensus key on chain that tmkms does not hold (gpu1); the jail period not over (gpu2)', async () => {
    const [gpu1, gpu2] = fleet.operators;
    const tmkmsKey = (await networkState(gpu1)).participants[gpu1.address].validator_key;
    const setKey = (key: string) =>
      updateNetwork(gpu1.stateDir, (net) => {
        net.participants[gpu1.address].validator_key = key;
        return net;
      });
    setKey(Buffer.alloc(32, 7).toString('base64'));
    writeScenario(gpu1.stateDir, { jailed: true });
    writeScenario(gpu2.stateDir, { jailed: true, jailSeconds: 3600 });
    const before = await snapshot();
    const res = await run('unjail.yml');
    expect(res.code).toBe(2);
    expect(result(res, 'gpu1', 'Jailed, and why')?.result.msg).toMatch(
      /^refused: the consensus key on chain \(\S+\) is not the one tmkms signs with .*register the tmkms key first/,
    );
    expect(result(res, 'gpu2', 'Jailed, and why')?.result.msg).toMatch(/^refused: the jail period lasts until \S+: the chain refuses an unjail before then/);
    expect(await snapshot()).toEqual(before);
    setKey(tmkmsKey);
    for (const h of fleet.operators) writeScenario(h.stateDir, { jailed: false, jailSeconds: 0 });
  });

  it('vote: a closed proposal', async () => {
    const before = await snapshot();
    const res = await run('vote.yml', { limit: 'gpu1', extraVars: { proposal_id: 5, vote_option: 'no' } });
    expect(res.code).toBe(2);
    expect(result(res, 'gpu1', 'The proposal takes votes')?.result.msg).toMatch(
      /^refused: proposal 5 is closed \(passed, voting ended \S+\): it takes no votes$/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('collateral: a withdrawal below the kept weight (gpu1); one the cold account cannot pay the fee of (gpu2, weight 0)', async () => {
    const gpu2 = fleet.operators[1];
    updateNetwork(gpu2.stateDir, (net) => {
      net.participants[gpu2.address].epochNodes = {};
      net.accounts[gpu2.address].spendable = 0;
      return net;
    });
    const before = await snapshot();
    const res = await run('collateral.yml', { extraVars: { collateral_withdraw_ngonka: 5000, withdraw_collateral: true } });
    expect(res.code).toBe(2);
    expect(result(res, 'gpu1', 'The withdrawal keeps the weight')?.result.msg).toMatch(
      /^refused: withdrawing 5000 ngonka .* leaves an active weight of 609\.52 of 1000 \(61 %\), below collateral_keep_weight_percent 100 %: withdraw at most 3360 ngonka/,
    );
    expect(result(res, 'gpu2', 'The withdrawal keeps the weight')?.result.msg).toMatch(
      new RegExp(`^the cold account ${gpu2.address} holds 0 ngonka spendable .*send it at least \\d+ ngonka`),
    );
    expect(await snapshot()).toEqual(before);
  });
});

// The api claims for the participant of its ACCOUNT_PUBKEY: the fleet deployed it with the fixture's PUBKEY (the cold
// key registered later is another account), so the rewards runs name that account
const API_ACCOUNT = { account_pubkey: PUBKEY };
const apiAddress = accountAddress(PUBKEY);
const summaryOf = async (h: OperatorHost, epoch: number) => (await networkState(h)).performance[apiAddress][epoch];

describe('rewards', () => {
  let epoch: number;
  beforeAll(async () => {
    epoch = Number((await getJson(fleet.operators[0].url(8000, '/v1/epochs/latest'))).latest_epoch.index);
    for (const h of fleet.operators) {
      // two epochs ago the api's claim went through; the last epoch's failed (the api was down at claim_money)
      settleEpochReward(h.stateDir, apiAddress, epoch - 2, { rewarded: 500, claimed: true });
      settleEpochReward(h.stateDir, apiAddress, epoch - 1, { rewarded: 900, earned: 100 });
    }
  });

  it("check mode: lists each epoch's reward, plans the recovery of the failed claim, and changes nothing", async () => {
    const before = await snapshot();
    const res = await run('rewards.yml', { check: true, extraVars: { ...API_ACCOUNT, rewards_claim: true } });
    expect(res.code, res.output).toBe(0);
    expect(await snapshot()).toEqual(before);
    for (const h of fleet.operators) {
      const lines = report(res, h.name, 'Rewards per epoch');
      expect(lines).toContain(`epoch ${epoch - 2}: 500 ngonka (500 reward + 0 for work), claimed`);
      expect(lines).toContain(`epoch ${epoch - 1}: 1000 ngonka (900 reward + 100 for work), NOT claimed`);
      expect(lines).toContain(`epoch ${epoch - 1}'s claim failed or never ran: recover it with -e rewards_claim=true`);
      expect(result(res, h.name, 'Recover the claim through the api')?.result.msg).toMatch(
        new RegExp(
          `^would ask the api to claim epoch ${epoch - 1}'s reward again: POST \\S+/admin/v1/claim-reward/recover \\{"force_claim":true,"epoch_index":${epoch - 1}\\}$`,
        ),
      );
    }
  });

  it('refuses to claim an epoch already claimed, and sends nothing', async () => {
    const before = await snapshot();
    const res = await run('rewards.yml', { limit: 'gpu1', extraVars: { ...API_ACCOUNT, rewards_claim: true, rewards_epoch: epoch - 2 } });
    expect(res.code).toBe(2);
    expect(result(res, 'gpu1', 'Rewards per epoch')?.result.msg).toBe(`refused: epoch ${epoch - 2}'s reward is already claimed`);
    expect(await snapshot()).toEqual(before);
  });

  it('recovers the failed claim through the api (gpu1, verified claimed on chain); a claim the chain declines fails and says so (gpu2)', async () => {
    const [gpu1, gpu2] = fleet.operators;
    writeScenario(gpu2.stateDir, { claimRefused: 'missed validations' });
    // the first look after the POST already shows gpu1's claim: the timeout only bounds gpu2's wait for what never comes
    const res = await run('rewards.yml', { extraVars: { ...API_ACCOUNT, rewards_claim: true, rewards_verify_timeout: 2 } });
    expect(res.code).toBe(2);
    expect(result(res, 'gpu1', 'Reward claimed on chain')?.result.msg).toBe(
      `${apiAddress}: epoch ${epoch - 1}'s reward claimed on chain (1000 ngonka, vesting)`,
    );
    expect((await summaryOf(gpu1, epoch - 1)).claimed).toBe(true);
    expect((await networkState(gpu1)).accounts[apiAddress].vesting).toBe(1500);
    expect(result(res, 'gpu2', 'Reward claimed on chain')?.result.msg).toMatch(
      new RegExp(`^the claim for epoch ${epoch - 1} was sent, but the chain still shows claimed: false after 2 s: the chain declined it`),
    );
    expect((await summaryOf(gpu2, epoch - 1)).claimed).toBe(false);
    writeScenario(gpu2.stateDir, { claimRefused: null });
  });
});

describe('collateral withdrawal', () => {
  it('withdraws what the weight does not need, with withdraw_collateral: it unbonds for one epoch', async () => {
    const res = await run('collateral.yml', { limit: 'gpu1', extraVars: { collateral_withdraw_ngonka: 3360, withdraw_collateral: true } });
    expect(res.code, res.output).toBe(0);
    const h = fleet.operators[0];
    expect(report(res, 'gpu1', 'Collateral on chain')).toMatch(
      /\ndeposited: 3360 ngonka .*\nunbonding: 3360 ngonka .*, back in the account at epoch \d+ \(slashable until then\)/,
    );
    expect((await networkState(h)).unbonding).toEqual([expect.objectContaining({ participant: h.address, amount: 3360 })]);
  });
});
