import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeServiceModule } from '../../lib/gonka/modules/compose-service.js';
import { runModule } from '../../lib/modules/run-module.js';
import { snapshotTree } from '../e2e/sim-fleet.js';
import { countingTransport } from '../modules/helpers.js';
import { gonkaHost, PROJECT, runningServices, type GonkaHost } from './gonka-host.js';

const CHAIN = ['tmkms', 'node', 'api', 'proxy'];

describe('compose_service on a simulated server', () => {
  let h: GonkaHost;
  beforeAll(async () => {
    h = await gonkaHost();
  });
  afterAll(() => h?.cleanup());

  it('check mode predicts the start and changes nothing', async () => {
    const before = await snapshotTree(h.host.dir);
    const res = await runModule(composeServiceModule, { ...PROJECT, services: CHAIN, one_by_one: true }, h.context({ check: true }));
    expect(res).toMatchObject({ changed: true, started: CHAIN });
    expect(res.failed).toBeUndefined();
    expect(await runningServices(h)).toEqual([]);
    expect(await snapshotTree(h.host.dir)).toEqual(before);
  });

  it('starts the services one by one in the order given, then a second run changes nothing in one command', async () => {
    const first = await runModule(composeServiceModule, { ...PROJECT, services: CHAIN, one_by_one: true }, h.context());
    expect(first).toMatchObject({ changed: true, started: CHAIN, msg: 'start tmkms; start node; start api; start proxy' });
    expect(await runningServices(h)).toEqual([...CHAIN].sort());
    const transport = countingTransport(h.host.transport());
    const second = await runModule(composeServiceModule, { ...PROJECT, services: CHAIN, one_by_one: true }, h.context({ transport }));
    expect(second).toMatchObject({ changed: false, services: CHAIN });
    expect(transport.scripts).toHaveLength(1);
  });

  it('stops what runs, and only that; stopping again changes nothing', async () => {
    const stop = await runModule(composeServiceModule, { ...PROJECT, services: ['proxy', 'explorer'], state: 'stopped' }, h.context());
    expect(stop).toMatchObject({ changed: true, msg: 'stop proxy' });
    expect(await runningServices(h)).toEqual(['api', 'node', 'tmkms']);
    const again = await runModule(composeServiceModule, { ...PROJECT, services: ['proxy'], state: 'stopped' }, h.context());
    expect(again.changed).toBe(false);
  });

  it('recreates a running service (a new container, as asked, every time)', async () => {
    const created = async () => JSON.parse((await h.compose('ps --format json tmkms')).stdout.trim()).CreatedAt as string;
    const before = await created();
    const res = await runModule(composeServiceModule, { ...PROJECT, services: ['tmkms'], state: 'recreated' }, h.context());
    expect(res).toMatchObject({ changed: true, msg: 'recreate tmkms' });
    expect(await created()).not.toBe(before);
  });

  it("a service compose does not know fails the task with compose's reason", async () => {
    const res = await runModule(composeServiceModule, { ...PROJECT, services: ['nosuch'] }, h.context());
    expect(res.failed).toBe(true);
    expect(res.msg).toMatch(/^docker compose up -d --no-deps nosuch failed \(rc=1\): .*no such service: nosuch/s);
  });
});

describe('compose_service before the files are rendered', () => {
  let h: GonkaHost;
  beforeAll(async () => {
    h = await gonkaHost({ files: false });
  });
  afterAll(() => h?.cleanup());

  it('fails naming the compose files and the config role; check mode plans the start instead', async () => {
    const res = await runModule(composeServiceModule, { ...PROJECT, services: CHAIN }, h.context());
    expect(res.failed).toBe(true);
    expect(res.msg).toBe(
      'docker compose -f docker-compose.yml ps failed in /opt/gonka/deploy/join: is docker running and are the files rendered (config role)?',
    );
    const planned = await runModule(composeServiceModule, { ...PROJECT, services: CHAIN }, h.context({ check: true }));
    expect(planned).toMatchObject({ changed: true, started: CHAIN });
  });
});
