import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlNodeCommand } from '../../../lib/cli/ml-node-command.js';
import type { MlNodeSummary } from '../../../lib/day2/admin-nodes.js';
import { createSimNode, type SimNode } from '../status/sim-node.js';

let node: SimNode;
let id: string;
beforeAll(async () => {
  node = await createSimNode();
  id = (JSON.parse(await readFile(join(node.deployDir, 'node-config.json'), 'utf8')) as { id: string }[])[0].id;
});
afterAll(() => node?.cleanup());

const run = async (action: string, nodeId?: string, json = false) => {
  let text = '';
  const code = await mlNodeCommand(action, nodeId, { inventory: [node.inventory], limit: 'gpu1', json, out: (t) => (text += `${t}\n`) });
  return { code, text };
};

const admin = async (): Promise<{ node: { id: string }; state: { admin_state: { enabled: boolean } } }[]> =>
  (await fetch(node.url(9200, '/admin/v1/nodes'))).json() as never;

describe('nop ml-node against the simulated admin API', () => {
  it('lists the registered ML nodes with status, model, PoC weight and timeslots', async () => {
    const { code, text } = await run('list');
    expect(code).toBe(0);
    expect(text).toMatch(/^ID\s+STATUS\s+ENABLED\s+MODEL\s+POC WEIGHT\s+TIMESLOTS/);
    expect(text).toContain(id);
    const json = JSON.parse((await run('list', undefined, true)).text) as MlNodeSummary[];
    expect(json.map((n) => n.id)).toEqual([id]);
    expect(json[0]).toMatchObject({ enabled: true, model: expect.stringContaining('/') });
  });

  it('disables and enables a node', async () => {
    expect((await run('disable', id)).code).toBe(0);
    expect((await admin()).find((n) => n.node.id === id)?.state.admin_state.enabled).toBe(false);
    expect((await run('status', id)).text).toMatch(new RegExp(`${id}\\s+\\S+\\s+no`));
    expect((await run('enable', id)).code).toBe(0);
    expect((await admin()).find((n) => n.node.id === id)?.state.admin_state.enabled).toBe(true);
  });

  it('removes a node, adds it back from the rendered registration, and updates it in place', async () => {
    expect((await run('remove', id)).text).toContain(`ML node ${id} removed`);
    expect((await admin()).map((n) => n.node.id)).toEqual([]);
    expect((await run('remove', id)).text).toContain('was not registered');
    expect((await run('add')).text).toContain(`added ${id}`);
    expect((await admin()).map((n) => n.node.id)).toEqual([id]);
    expect((await run('add', id)).text).toContain('already registered');
    expect((await run('update', id)).text).toContain(`ML node ${id} updated (put)`);
  });

  it('an unknown node is an admin API error, exit 1', async () => {
    expect((await run('enable', 'nope')).code).toBe(1);
  });

  it('needs exactly one network node: none is Ansible\'s "no hosts", two are named', async () => {
    await expect(mlNodeCommand('list', undefined, { inventory: [node.inventory], limit: 'nothing-here' })).rejects.toThrow(
      /^Specified inventory, host pattern and\/or --limit leaves us with no hosts to target: --limit nothing-here matches no network node/,
    );
    const dir = await mkdtemp(join(tmpdir(), 'nop-ml-node-'));
    try {
      const two = join(dir, 'hosts.ini');
      await writeFile(two, '[network_nodes]\nnet-a ansible_host=127.0.0.1\nnet-b ansible_host=127.0.0.1\n');
      await expect(mlNodeCommand('list', undefined, { inventory: [two] })).rejects.toThrow(/exactly one network node with -l \(matched 2: net-a, net-b\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
