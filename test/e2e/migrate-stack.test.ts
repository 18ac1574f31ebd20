import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createFleet, DEPLOY, DEPLOY_KNOBS, PASSWORD, seedOverrides, snapshotTree, type Fleet } from './sim-fleet.js';

// services and node settings today's stack has and nop's older one (up to v0.2.12) did not
const NEW_SERVICES = ['versiond', 'edge-api', 'bridge', 'proxy-ssl'];
const NEW_NODE_ENV = /^(CONFIG_|QUERY_GAS_LIMIT|GONKA_SLOW_QUERY_THRESHOLD_MS)/;

let fleet: Fleet;
beforeAll(async () => {
  fleet = await createFleet([{ name: 'gpu1', profile: 'h100-8x', address: '127.0.0.1' }]);
  await fleet.writeInventory({
    all: {
      hosts: {
        gpu1: {
          ...fleet.servers.gpu1.vars,
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
  const setup = await fleet.run();
  expect(setup.code, setup.output).toBe(0);
});
afterAll(() => fleet?.cleanup());

type ComposeDoc = { services: Record<string, { environment?: string[]; depends_on?: Record<string, unknown> }> };

/** Turn the running node into one deployed by nop's older stack: its compose file and containers as they were. */
const downgradeToOlderStack = async () => {
  const s = fleet.servers.gpu1;
  const file = s.host.path(`${DEPLOY}/docker-compose.yml`);
  const doc = parse(await readFile(file, 'utf8')) as ComposeDoc;
  for (const name of NEW_SERVICES) delete doc.services[name];
  for (const name of NEW_SERVICES) delete doc.services.proxy.depends_on?.[name];
  doc.services.node.environment = doc.services.node.environment?.filter((e) => !NEW_NODE_ENV.test(e));
  await writeFile(file, stringify(doc));
  const res = await s.host.sh(`cd ${DEPLOY} && docker rm -f versiond edge-api bridge >/dev/null && docker ps --format '{{.Names}}'`);
  expect(res.stdout).not.toMatch(/versiond|edge-api|bridge/);
};

const running = async (): Promise<string[]> => (await fleet.servers.gpu1.host.sh(`docker ps --format '{{.Names}}'`)).stdout.split('\n').filter(Boolean).sort();

// what must survive a migration: the keyring (warm and cold keys), the consensus key and the node identity
const keyMaterial = async () => {
  const s = fleet.servers.gpu1;
  const tree = new Map([...(await snapshotTree(s.host.path(`${DEPLOY}/.tmkms`)))].map(([k, v]) => [`.tmkms${k}`, v]));
  for (const [k, v] of await snapshotTree(s.host.path(`${DEPLOY}/.inference`)))
    if (/keyring-file|node_key|priv_validator_key/.test(k)) tree.set(`.inference${k}`, v);
  return tree;
};

const network = async () =>
  JSON.parse(await readFile(join(fleet.servers.gpu1.stateDir, 'gonka-network.json'), 'utf8')) as { participants: Record<string, unknown>; grants: unknown[] };

describe("a node on nop's older stack, moved to today's by a run", () => {
  it('plans the new services in check mode, then starts them without touching keys or chain data, and is idempotent', async () => {
    await downgradeToOlderStack();
    const keys = await keyMaterial();
    expect([...keys.keys()].some((k) => k.includes('keyring-file'))).toBe(true);
    const before = await network();
    const compose = await readFile(fleet.servers.gpu1.host.path(`${DEPLOY}/docker-compose.yml`), 'utf8');

    const plan = await fleet.run({ check: true });
    expect(plan.code, plan.output).toBe(0);
    const planned = plan.results.find((r) => String(r.result.msg ?? '').startsWith('would recreate'));
    expect(String(planned?.result.msg)).toMatch(/docker-compose.yml: .*\bversiond\b/);
    expect(String(planned?.result.msg)).toMatch(/\bedge-api\b.*\bbridge\b|\bbridge\b.*\bedge-api\b/);
    expect(await readFile(fleet.servers.gpu1.host.path(`${DEPLOY}/docker-compose.yml`), 'utf8')).toBe(compose);
    expect(await running()).not.toContain('versiond');

    const moved = await fleet.run();
    expect(moved.code, moved.output).toBe(0);
    expect(await running()).toEqual(expect.arrayContaining(['versiond', 'edge-api', 'bridge', 'node', 'api', 'proxy', 'tmkms']));
    // proxy-ssl's profile is off without a domain: naming it on `up` would have started it anyway
    expect(await running()).not.toContain('proxy-ssl');
    expect(await keyMaterial()).toEqual(keys);
    const after = await network();
    // the same participant and grant: nothing registered again
    expect(Object.keys(after.participants)).toEqual(Object.keys(before.participants));
    expect(after.grants).toHaveLength(before.grants.length);
    expect(moved.output).not.toContain(PASSWORD);

    const again = await fleet.run();
    expect(again.code, again.output).toBe(0);
    expect(again.stats.gpu1.changed, JSON.stringify(again.results.filter((r) => r.status === 'changed').map((r) => [r.task, r.result.msg]))).toBe(0);
  });
});
