import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { chainOf, readScenario } from '../../sim/gonka.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminNodes, closedPort, createFleet, DEPLOY, DEPLOY_KNOBS, PASSWORD, seedOverrides, type Fleet } from './sim-fleet.js';

// network node net1 (no GPU), ML servers with different GPUs, and the operator's machine as the cold signer
let fleet: Fleet;
const ADDR = { net1: '127.0.0.2', ml1: '127.0.0.3', ml2: '127.0.0.4', operator: '127.0.0.5' } as const;
const COLD_HOME = '/root/.inference';

beforeAll(async () => {
  fleet = await createFleet([
    { name: 'net1', profile: 'no-gpu', address: ADDR.net1 },
    { name: 'ml1', profile: 'h100-8x-580', address: ADDR.ml1 },
    { name: 'ml2', profile: 'h100-8x-580', address: ADDR.ml2 },
    { name: 'operator', profile: 'no-gpu', address: ADDR.operator, inferenced: true },
  ]);
  const s = fleet.servers;
  await fleet.writeInventory({
    all: {
      vars: {
        key_workflow: 'secure',
        keyring_password: PASSWORD,
        poc_participation: 'refuse',
        gonka_network_overrides: seedOverrides(fleet.offset),
        ...DEPLOY_KNOBS,
      },
      hosts: {
        net1: { ...s.net1.vars, public_ip: '127.0.0.1', allow_private_public_ip: true, private_ip: ADDR.net1 },
        ml1: { ...s.ml1.vars, private_ip: ADDR.ml1, network_node: 'net1' },
        // the operator's model here (GLM-5.3-Flash, TP8: one ML node); ml1 serves what earns most (MiniMax-M2.7, TP4: two)
        ml2: { ...s.ml2.vars, private_ip: ADDR.ml2, network_node: 'net1', gonka_model: 'zai-org/GLM-5.3-Flash' },
        operator: { cold_keyring_dir: COLD_HOME },
      },
      children: {
        network_nodes: { hosts: { net1: null } },
        ml_nodes: { hosts: { ml1: null, ml2: null } },
        cold_signer: { hosts: { operator: null } },
      },
    },
  });
});
afterAll(() => fleet?.cleanup());

describe('setup.yml on a fleet: network node, two ML servers, local cold signer (secure workflow)', () => {
  it('deploys and registers everything in one run; the cold key stays on the cold signer', async () => {
    const res = await fleet.run();
    expect(res.code, res.output).toBe(0);
    expect(Object.keys(res.stats).sort()).toEqual(['ml1', 'ml2', 'net1']);
    const nodes = await adminNodes(fleet);
    expect(nodes.map((n) => n.node.id).sort()).toEqual(['ml1-node1', 'ml1-node2', 'ml2-node1']);
    expect(nodes.filter((n) => n.node.id.startsWith('ml1')).every((n) => n.node.host === ADDR.ml1)).toBe(true);
    expect(nodes.find((n) => n.node.id === 'ml2-node1')?.node.host).toBe(ADDR.ml2);
    expect(nodes.every((n) => n.state.admin_state.enabled)).toBe(true);
    // different models on the two servers
    expect(new Set(nodes.map((n) => Object.keys(n.node.models)[0])).size).toBe(2);
    const network = JSON.parse(await readFile(join(fleet.servers.net1.stateDir, 'gonka-network.json'), 'utf8')) as {
      participants: Record<string, unknown>;
      grants: { grantee: string }[];
      feegrants: { grantee: string }[];
      refusals: { model_id: string; participant: string }[];
    };
    expect(Object.keys(network.participants)).toHaveLength(1);
    // grant-ml-ops-permissions: one authz grant per ML operational message and the fee allowance, all to the warm key
    expect(network.grants.length).toBeGreaterThan(1);
    expect(new Set([...network.grants, ...network.feegrants].map((g) => g.grantee)).size).toBe(1);
    expect(network.feegrants).toHaveLength(1);
    expect(existsSync(fleet.servers.operator.host.path(`${COLD_HOME}/keyring-file/net1-cold.info`))).toBe(true);
    expect(existsSync(fleet.servers.net1.host.path(`${DEPLOY}/.inference/keyring-file/net1-cold.info`))).toBe(false);
    // PoC participation: the models neither ML server serves are refused from the cold key, signed on the cold signer
    const served = new Set(nodes.map((n) => Object.keys(n.node.models)[0]));
    const unserved = chainOf(readScenario(fleet.servers.net1.stateDir))
      .pocModels.map((m) => m.model_id)
      .filter((m) => !served.has(m));
    expect(unserved.length).toBeGreaterThan(0);
    expect(network.refusals).toEqual(unserved.map((model_id) => ({ model_id, participant: Object.keys(network.participants)[0] })));
    const refusalsSent = (host: 'net1' | 'operator') =>
      readFileSync(join(fleet.servers[host].stateDir, 'inferenced-argv.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"refuse-poc-delegation"'));
    expect(refusalsSent('operator')).toHaveLength(unserved.length);
    expect(refusalsSent('net1')).toEqual([]);
    expect(res.output).not.toContain(PASSWORD);
  });

  it('with an ML server unreachable, the others complete; the recap and exit code name it in the retry file', async () => {
    const s = fleet.servers;
    const ml2 = { ...s.ml2.vars, private_ip: ADDR.ml2, network_node: 'net1', gonka_model: 'zai-org/GLM-5.3-Flash' };
    const inventory = (ml2Vars: Record<string, unknown>) => ({
      all: {
        vars: {
          key_workflow: 'secure',
          keyring_password: PASSWORD,
          poc_participation: 'refuse',
          gonka_network_overrides: seedOverrides(fleet.offset),
          ...DEPLOY_KNOBS,
        },
        hosts: {
          net1: { ...s.net1.vars, public_ip: '127.0.0.1', allow_private_public_ip: true, private_ip: ADDR.net1 },
          ml1: { ...s.ml1.vars, private_ip: ADDR.ml1, network_node: 'net1' },
          ml2: ml2Vars,
          operator: { cold_keyring_dir: COLD_HOME },
        },
        children: { network_nodes: { hosts: { net1: null } }, ml_nodes: { hosts: { ml1: null, ml2: null } }, cold_signer: { hosts: { operator: null } } },
      },
    });
    // ml2's ML node containers are gone and its sshd is down
    await fleet.stopMlNodes('ml2');
    await fleet.writeInventory(
      inventory({ ...ml2, ansible_connection: 'ssh', ansible_host: '127.0.0.1', ansible_port: await closedPort(), ansible_user: 'root' }),
    );
    const broken = await fleet.run();
    expect(broken.code, broken.output).toBe(4);
    expect(broken.stats.ml2.unreachable).toBeGreaterThan(0);
    expect(broken.stats.net1.failed + broken.stats.net1.unreachable, broken.output).toBe(0);
    expect(broken.stats.ml1.failed + broken.stats.ml1.unreachable, broken.output).toBe(0);
    expect(broken.retryFile).toBeDefined();
    expect((await readFile(broken.retryFile!, 'utf8')).trim()).toBe('ml2');

    expect(broken.output).toContain('left out of node-config (not prepared in this run: unreachable or failed): ml2');

    // ml2 back; as on a fleet first set up while ml2 was unreachable, net1's api has never heard of ml2's nodes
    await fleet.writeInventory(inventory(ml2));
    const deleted = await fetch(`http://127.0.0.1:${9200 + fleet.offset}/admin/v1/nodes/ml2-node1`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const retried = await fleet.run({ limit: `@${broken.retryFile!}` });
    expect(retried.code, retried.output).toBe(0);
    expect(Object.keys(retried.stats)).toEqual(['ml2']);
    const added = retried.results.find((r) => r.host === 'ml2' && r.task === "deploy : This server's ML nodes in its network node's admin API");
    expect(added?.status, retried.output).toBe('changed');
    const nodes = await adminNodes(fleet);
    const ml2Node = nodes.find((n) => n.node.id === 'ml2-node1');
    expect(ml2Node?.node.host).toBe(ADDR.ml2);
    expect(ml2Node?.state.admin_state.enabled).toBe(true);
    expect(nodes.map((n) => n.node.id).sort()).toEqual(['ml1-node1', 'ml1-node2', 'ml2-node1']);

    const again = await fleet.run({ limit: `@${broken.retryFile!}` });
    expect(again.code, again.output).toBe(0);
    expect(again.stats.ml2.changed, again.output).toBe(0);
  });
});
