import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminNodes, createFleet, DEPLOY_KNOBS, PASSWORD, seedOverrides, snapshotTree, type Fleet } from './sim-fleet.js';

// one simulated server for the whole file: planned in check mode while bare, then converged, then re-run
let fleet: Fleet;
beforeAll(async () => {
  fleet = await createFleet([{ name: 'gpu1', profile: 'h100-8x', address: '127.0.0.1' }]);
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
    expect(msgOf(res, 'deploy : Model weights in HF_HOME')).toMatch(/^would download Qwen\//);
    expect(msgOf(res, 'deploy : Start the chain side (tmkms, node, api, proxy)')).toMatch(/^would start tmkms/);
    expect(msgOf(res, 'register : Participant registered on chain')).toMatch(/^would register the participant of the cold key/);
    expect(msgOf(res, 'register : Grant ML operational permissions from the cold key')).toMatch(/^would grant ML operational permissions/);
    expect(res.results.filter((r) => r.task.startsWith('register :')).every((r) => r.status !== 'failed')).toBe(true);
    expect(res.output).not.toContain(PASSWORD);
  });

  it('takes the bare server to a registered node with its ML nodes enabled', async () => {
    const first = await fleet.run();
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('registered participant');
    const nodes = await adminNodes(fleet);
    expect(nodes.length).toBe(2);
    expect(nodes.every((n) => n.state.admin_state.enabled)).toBe(true);
    const network = JSON.parse(await readFile(join(fleet.servers.gpu1.stateDir, 'gonka-network.json'), 'utf8')) as {
      participants: Record<string, unknown>;
      grants: { grantee: string }[];
      feegrants: { grantee: string }[];
    };
    expect(Object.keys(network.participants)).toHaveLength(1);
    // grant-ml-ops-permissions: one authz grant per ML operational message and the fee allowance, all to the warm key
    expect(network.grants.length).toBeGreaterThan(1);
    expect(new Set([...network.grants, ...network.feegrants].map((g) => g.grantee)).size).toBe(1);
    expect(network.feegrants).toHaveLength(1);
    expect(existsSync(fleet.servers.gpu1.host.path('/mnt/shared/hub'))).toBe(true);
    expect(first.output).not.toContain(PASSWORD);
  });

  it('changes nothing on a second run', async () => {
    const second = await fleet.run();
    expect(second.code, second.output).toBe(0);
    expect(second.stats.gpu1.changed, JSON.stringify(second.results.filter((r) => r.status === 'changed').map((r) => [r.task, r.result.msg]))).toBe(0);
  });
});
