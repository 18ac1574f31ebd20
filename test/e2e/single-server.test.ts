import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet, DEPLOY_KNOBS, PASSWORD, seedOverrides, type Fleet } from './sim-fleet.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.cleanup();
  fleet = undefined;
});

const single = async (extra: Record<string, unknown> = {}) => {
  fleet = await createFleet([{ name: 'gpu1', profile: 'h100-8x', address: '127.0.0.1' }]);
  const s = fleet.servers.gpu1;
  await fleet.writeInventory({
    all: {
      hosts: {
        gpu1: { ...s.vars, public_ip: '127.0.0.1', gonka_network: 'mainnet', keyring_password: PASSWORD, key_workflow: 'quick', gonka_network_overrides: seedOverrides(fleet.offset), ...DEPLOY_KNOBS, ...extra },
      },
      children: { network_nodes: { hosts: { gpu1: null } }, ml_nodes: { hosts: { gpu1: null } } },
    },
  });
  return fleet;
};

const adminNodes = async (f: Fleet) => {
  const res = await fetch(`http://127.0.0.1:${9200 + f.offset}/admin/v1/nodes`);
  return (await res.json()) as { node: { id: string; models: Record<string, unknown> }; state: { admin_state: { enabled: boolean } } }[];
};

describe('setup.yml on one full 8×H100 server', () => {
  it('takes a bare server to a registered node with its ML nodes enabled; a second run changes nothing', { timeout: 240_000 }, async () => {
    const f = await single();
    const first = await f.run();
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('registered participant');
    const nodes = await adminNodes(f);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.state.admin_state.enabled)).toBe(true);
    const network = JSON.parse(await readFile(join(f.servers.gpu1.stateDir, 'gonka-network.json'), 'utf8')) as { participants: Record<string, unknown>; grants: { grantee: string }[] };
    expect(Object.keys(network.participants)).toHaveLength(1);
    expect(network.grants).toHaveLength(1);
    const hub = join(f.servers.gpu1.host.inventoryVars.hf_home, 'hub');
    expect(existsSync(hub)).toBe(true);
    expect(first.output).not.toContain(PASSWORD);

    const second = await f.run();
    expect(second.code, second.output).toBe(0);
    expect(second.stats.gpu1.changed, JSON.stringify(second.results.filter((r) => r.status === 'changed').map((r) => [r.task, r.result.msg]))).toBe(0);
  });

  it('changes nothing in check mode on a bare server', { timeout: 120_000 }, async () => {
    const f = await single();
    const res = await f.run({ check: true });
    expect(res.code, res.output).toBe(0);
    expect(existsSync(join(f.servers.gpu1.host.inventoryVars.gonka_deploy_dir, 'docker-compose.yml'))).toBe(false);
    expect(existsSync(join(f.servers.gpu1.stateDir, 'gonka-network.json'))).toBe(false);
  });
});
