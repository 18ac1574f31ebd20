import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gonkaAdminNodeModule } from '../../lib/gonka/modules/admin-node.js';
import { runModule } from '../../lib/modules/run-module.js';
import { eventually } from '../helpers/eventually.js';
import { countingTransport } from '../modules/helpers.js';
import { DEPLOY, gonkaHost, MODEL, type GonkaHost } from './gonka-host.js';

interface Listed {
  node: { id: string; host: string; models: Record<string, { args: string[] }> };
  state: { admin_state: { enabled: boolean } };
}

const ENTRY = {
  id: 'node2',
  host: '10.0.0.7',
  inference_port: 5050,
  poc_port: 8080,
  max_concurrent: 100,
  models: { [MODEL]: { args: ['--tensor-parallel-size', '1'] } },
  hardware: [{ type: 'NVIDIA RTX 3090', count: 1 }],
};
const WITH_TP2 = { ...ENTRY, models: { [MODEL]: { args: ['--tensor-parallel-size', '2'] } } };

const listed = async (h: GonkaHost): Promise<Listed[]> => (await fetch(h.url(9200, '/admin/v1/nodes'))).json() as Promise<Listed[]>;
const node2 = async (h: GonkaHost) => (await listed(h)).find((n) => n.node.id === 'node2');

const startApi = async (h: GonkaHost) => {
  const up = await h.compose('up -d tmkms node api');
  if (up.code !== 0) throw new Error(up.stderr);
  await eventually(
    () => listed(h),
    (ns) => Array.isArray(ns),
    'the admin API',
  );
};

describe('gonka_admin_node on a simulated network node', () => {
  let h: GonkaHost;
  beforeAll(async () => {
    h = await gonkaHost();
    await startApi(h);
  });
  afterAll(() => h?.cleanup());

  it('check mode predicts the add and changes nothing', async () => {
    const res = await runModule(gonkaAdminNodeModule, { nodes: [ENTRY] }, h.context({ check: true }));
    expect(res.changed).toBe(true);
    expect(await node2(h)).toBeUndefined();
  });

  it('adds the node enabled, verified; a second run changes nothing in one command', async () => {
    const first = await runModule(gonkaAdminNodeModule, { nodes: [ENTRY] }, h.context());
    expect(first).toMatchObject({ changed: true, msg: 'add node2 on gpu1' });
    expect(await node2(h)).toMatchObject({ node: { host: '10.0.0.7' }, state: { admin_state: { enabled: true } } });
    const transport = countingTransport(h.host.transport());
    const second = await runModule(gonkaAdminNodeModule, { nodes: [ENTRY] }, h.context({ transport }));
    expect(second).toMatchObject({ changed: false, msg: 'node2 in the admin API, enabled' });
    expect(transport.scripts).toHaveLength(1);
  });

  it('updates a changed node in place (PUT) and disables it in one task', async () => {
    const planned = await runModule(gonkaAdminNodeModule, { nodes: [WITH_TP2], enabled: false }, h.context({ check: true }));
    expect(planned.changed).toBe(true);
    const res = await runModule(gonkaAdminNodeModule, { nodes: [WITH_TP2], enabled: false }, h.context());
    expect(res).toMatchObject({ changed: true, msg: 'update node2, disable node2 on gpu1' });
    expect(await node2(h)).toMatchObject({
      node: { models: { [MODEL]: { args: ['--tensor-parallel-size', '2'] } } },
      state: { admin_state: { enabled: false } },
    });
    expect((await runModule(gonkaAdminNodeModule, { nodes: [WITH_TP2], enabled: false }, h.context())).changed).toBe(false);
  });

  it('enables a disabled node', async () => {
    const res = await runModule(gonkaAdminNodeModule, { nodes: [WITH_TP2] }, h.context());
    expect(res).toMatchObject({ changed: true, msg: 'enable node2 on gpu1' });
    expect((await node2(h))?.state.admin_state.enabled).toBe(true);
  });

  it('a node named by its id only is disabled and enabled as registered; an id the api does not list fails', async () => {
    const disabled = await runModule(gonkaAdminNodeModule, { nodes: [{ id: 'node2' }], enabled: false }, h.context());
    expect(disabled).toMatchObject({ changed: true, msg: 'disable node2 on gpu1' });
    expect(await node2(h)).toMatchObject({ node: { host: '10.0.0.7' }, state: { admin_state: { enabled: false } } });
    expect((await runModule(gonkaAdminNodeModule, { nodes: [{ id: 'node2' }], enabled: false }, h.context())).changed).toBe(false);
    expect(await runModule(gonkaAdminNodeModule, { nodes: [{ id: 'node2' }] }, h.context())).toMatchObject({ changed: true, msg: 'enable node2 on gpu1' });
    const unknown = await runModule(gonkaAdminNodeModule, { nodes: [{ id: 'node9' }] }, h.context());
    expect(unknown).toMatchObject({ failed: true, msg: 'node9 not in the admin API on gpu1' });
    expect((await node2(h))?.state.admin_state.enabled).toBe(true);
  });

  it('removes the node; removing it again changes nothing', async () => {
    const res = await runModule(gonkaAdminNodeModule, { nodes: [WITH_TP2], state: 'absent' }, h.context());
    expect(res).toMatchObject({ changed: true, msg: 'remove node2 on gpu1' });
    expect(await node2(h)).toBeUndefined();
    const again = await runModule(gonkaAdminNodeModule, { nodes: [WITH_TP2], state: 'absent' }, h.context());
    expect(again).toMatchObject({ changed: false, msg: 'node2 absent' });
  });

  it('an admin API that does not answer fails the task naming it; check mode plans the add', async () => {
    const stop = await h.compose('stop api');
    expect(stop.code, stop.stderr).toBe(0);
    const res = await runModule(gonkaAdminNodeModule, { nodes: [ENTRY] }, h.context());
    expect(res).toMatchObject({ changed: false, failed: true, msg: 'the admin API (http://127.0.0.1:9200) on gpu1 does not answer' });
    const planned = await runModule(gonkaAdminNodeModule, { nodes: [ENTRY] }, h.context({ check: true }));
    expect(planned.changed).toBe(true);
  });
});

describe('gonka_admin_node on an api older than v0.2.4 (no PUT)', () => {
  let h: GonkaHost;
  beforeAll(async () => {
    h = await gonkaHost();
    const env = await h.host.sh(`sed -i 's/GONKA_VERSION=0.2.9/GONKA_VERSION=0.2.3/' ${DEPLOY}/config.env`);
    if (env.code !== 0) throw new Error(env.stderr);
    await startApi(h);
  });
  afterAll(() => h?.cleanup());

  it('updates by DELETE then POST, keeping the node disabled when asked', async () => {
    await runModule(gonkaAdminNodeModule, { nodes: [ENTRY], enabled: false }, h.context());
    expect((await node2(h))?.state.admin_state.enabled).toBe(false);
    const res = await runModule(gonkaAdminNodeModule, { nodes: [WITH_TP2], enabled: false }, h.context());
    expect(res).toMatchObject({ changed: true, msg: 'update node2 on gpu1' });
    expect(await node2(h)).toMatchObject({
      node: { models: { [MODEL]: { args: ['--tensor-parallel-size', '2'] } } },
      state: { admin_state: { enabled: false } },
    });
  });
});
