import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundAccount } from '../../sim/gonka.js';
import { CHOICE_GAS } from '../../roles/participation/record-choices.js';
import { adminNodes, createFleet, DEPLOY_KNOBS, PASSWORD, seedOverrides, snapshotTree, type Fleet } from './sim-fleet.js';

// one simulated server for the whole file: planned in check mode while bare, then converged, then re-run
let fleet: Fleet;
beforeAll(async () => {
  // an 8×H100 server on driver 580, on the simulated network as mainnet runs today (PoC models, coefficients, fees)
  // the cold account is funded by the test, after the run stopped for it
  fleet = await createFleet([{ name: 'gpu1', profile: 'h100-8x-580', address: '127.0.0.1' }], { operatorFunds: false });
  const s = fleet.servers.gpu1;
  await fleet.writeInventory({
    all: {
      hosts: {
        gpu1: {
          ...s.vars,
          public_ip: '127.0.0.1',
          allow_private_public_ip: true,
          gonka_network: 'mainnet',
          keyring_password: PASSWORD,
          poc_participation: 'refuse',
          key_workflow: 'quick',
          gonka_network_overrides: seedOverrides(fleet.offset),
          ...DEPLOY_KNOBS,
        },
      },
      children: { network_nodes: { hosts: { gpu1: null } }, ml_nodes: { hosts: { gpu1: null } } },
    },
  });
});
afterAll(() => fleet?.cleanup());

const msgOf = (res: Awaited<ReturnType<Fleet['run']>>, task: string): string => String(res.results.find((r) => r.task === task)?.result.msg ?? '');

describe('setup.yml on one full 8×H100 server', () => {
  it('plans the whole setup in check mode on the bare server and changes nothing', async () => {
    const root = fleet.servers.gpu1.host.dir;
    const before = await snapshotTree(root);
    const res = await fleet.run({ check: true });
    expect(res.code, res.output).toBe(0);
    expect(await snapshotTree(root)).toEqual(before);
    expect(msgOf(res, 'keys : Cold account key')).toMatch(/^would create cold key 'gpu1-cold'.*known after apply/);
    expect(msgOf(res, 'config : Gonka deployment settings')).toContain('ACCOUNT_PUBKEY (known after apply)');
    expect(msgOf(res, 'config : Render config.env')).not.toContain(PASSWORD);
    // the model that earns most on 8×H100 at the chain's coefficients: MiniMax 4736 × 0.3024 (GLM 1775 × 0.62, DeepSeek 3072 × 0.246)
    expect(msgOf(res, 'gpu-detect : Detect GPUs and size the ML node')).toMatch(
      /: MiniMaxAI\/MiniMax-M2\.7 \(1432 = rate × coefficient 0\.3024 at epoch \d+\), TP 4/,
    );
    expect(msgOf(res, 'deploy : Model weights in HF_HOME')).toMatch(/^would download MiniMaxAI\/MiniMax-M2\.7/);
    expect(msgOf(res, 'deploy : Start the chain side (tmkms, node, api, proxy)')).toMatch(/^would start tmkms/);
    expect(msgOf(res, 'register : The cold account can pay the fees')).toMatch(/^would check the cold account's balance/);
    expect(msgOf(res, 'register : Participant registered on chain')).toMatch(/^would register the participant of the cold key/);
    expect(msgOf(res, 'register : Grant ML operational permissions from the cold key')).toMatch(/^would grant ML operational permissions/);
    expect(res.results.filter((r) => r.task.startsWith('register :')).every((r) => r.status !== 'failed')).toBe(true);
    expect(res.output).not.toContain(PASSWORD);
  });

  it('stops before registering while the cold account cannot pay the fees, saying what to send where', async () => {
    const res = await fleet.run();
    expect(res.code, res.output).toBe(2);
    const msg = msgOf(res, 'register : The cold account can pay the fees');
    // the grant's fee (2,000,000 gas at 1 ngonka) and the 1 GNK reserve
    expect(msg).toMatch(/^the cold account gonka1\w+ holds 0 ngonka spendable .* send it at least 1002000000 ngonka \(1\.002 GNK\)/);
    const network = JSON.parse(await readFile(join(fleet.servers.gpu1.stateDir, 'gonka-network.json'), 'utf8')) as { participants: Record<string, unknown> };
    expect(network.participants).toEqual({});
    // vesting coins cannot pay; spendable ones do
    const cold = /cold account (gonka1\w+)/.exec(msg)![1];
    fundAccount(fleet.servers.gpu1.stateDir, cold, { vesting: 5_000_000_000, spendable: 1_500_000_000 });
  });

  it('takes the bare server to a registered node with its ML nodes enabled', async () => {
    const first = await fleet.run();
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('registered participant');
    const nodes = await adminNodes(fleet);
    expect(nodes.length).toBe(2);
    expect(nodes.map((n) => Object.keys(n.node.models))).toEqual([['MiniMaxAI/MiniMax-M2.7'], ['MiniMaxAI/MiniMax-M2.7']]);
    expect(nodes.every((n) => n.state.admin_state.enabled)).toBe(true);
    const network = JSON.parse(await readFile(join(fleet.servers.gpu1.stateDir, 'gonka-network.json'), 'utf8')) as {
      participants: Record<string, unknown>;
      grants: { grantee: string }[];
      feegrants: { grantee: string }[];
      accounts: Record<string, { spendable: number }>;
      refusals: unknown[];
    };
    expect(Object.keys(network.participants)).toHaveLength(1);
    // grant-ml-ops-permissions: one authz grant per ML operational message and the fee allowance, all to the warm key
    expect(network.grants.length).toBeGreaterThan(1);
    expect(new Set([...network.grants, ...network.feegrants].map((g) => g.grantee)).size).toBe(1);
    expect(network.feegrants).toHaveLength(1);
    expect(msgOf(first, 'register : The cold account can pay the fees')).toMatch(/^the cold account gonka1\w+ holds 1\.5 GNK spendable/);
    // the grant paid its fee, 2,000,000 gas at 1 ngonka, and each PoC refusal its own, from the cold account's spendable coins
    const [cold] = Object.keys(network.participants);
    expect(network.refusals.length).toBeGreaterThan(0);
    expect(network.accounts[cold].spendable).toBe(1_500_000_000 - 2_000_000 - network.refusals.length * CHOICE_GAS);
    expect(existsSync(fleet.servers.gpu1.host.path('/mnt/shared/hub'))).toBe(true);
    expect(first.output).not.toContain(PASSWORD);
  });

  it('changes nothing on a second run', async () => {
    const second = await fleet.run();
    expect(second.code, second.output).toBe(0);
    expect(second.stats.gpu1.changed, JSON.stringify(second.results.filter((r) => r.status === 'changed').map((r) => [r.task, r.result.msg]))).toBe(0);
  });
});
