import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { RunPlaybookOptions } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';
import type { Transport } from '../../lib/transport/transport.js';
import { createFleet, DEPLOY, DEPLOY_KNOBS, PASSWORD, seedOverrides, snapshotTree, type Fleet } from './sim-fleet.js';

// One simulated full server (network node and ML node), reached through the same transport a real host is, for the
// whole file: converged and re-run with every remote operation counted (issue 11: a no-change run of each play of
// setup.yml costs at most one remote command per host), then turned into a node of nop's older stack and moved to
// today's. The cases run in order and build on each other.
let fleet: Fleet;
beforeAll(async () => {
  fleet = await createFleet([{ name: 'gpu1', profile: 'h100-8x-580', address: '127.0.0.1' }]);
  await fleet.writeInventory({
    all: {
      hosts: {
        gpu1: {
          ...fleet.servers.gpu1.vars,
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

// the check before the first change (every role's preconditions, with the first play's facts) comes before any play
const CHECK = 'the check before the first change';
const PLAYS = [CHECK, 'Network node settings', 'Prepare servers', 'Keys', 'Configure', 'Deploy', 'Register', 'PoC participation'];

/** play → host → remote operations */
type Counts = Record<string, Record<string, number>>;

/**
 * Runs setup.yml once, counting every remote operation (a command, a file put or fetched) per play and per host it
 * reached. A play's operations are those made between its play_start and the next: setup.yml's plays run one after another.
 */
const countedRun = async (): Promise<{ counts: Counts; run: Awaited<ReturnType<Fleet['run']>> }> => {
  const counts: Counts = {};
  let play = CHECK;
  const count = (host: string) => {
    counts[play] ??= {};
    counts[play][host] = (counts[play][host] ?? 0) + 1;
  };
  const connect: NonNullable<RunPlaybookOptions['connect']> = async (host, vars) => {
    const t: Transport = await fleet.connect(host, vars);
    const counted =
      <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
      (...a: A) => {
        count(host);
        return f(...a);
      };
    return {
      kind: t.kind,
      exec: counted(t.exec.bind(t)),
      put: counted(t.put.bind(t)),
      putFile: counted(t.putFile.bind(t)),
      get: counted(t.get.bind(t)),
      forward: t.forward?.bind(t),
      close: () => t.close(),
    };
  };
  const onEvent = (e: RunEvent) => {
    if (e.type === 'play_start') play = e.name;
  };
  const run = await fleet.run({ connect, onEvent });
  return { counts, run };
};

/** Per play, the most any one host needed. */
const perPlay = (counts: Counts): Record<string, number> => Object.fromEntries(PLAYS.map((p) => [p, Math.max(0, ...Object.values(counts[p] ?? {}))]));

describe('remote commands per play of setup.yml', () => {
  let first: Record<string, number>;

  it('a first run converges; its counts are recorded', async () => {
    const res = await countedRun();
    expect(res.run.code, res.run.output).toBe(0);
    first = perPlay(res.counts);
    console.log(`first run, remote operations per play: ${JSON.stringify(first)}`);
    expect(Object.keys(res.counts).filter((p) => !PLAYS.includes(p))).toEqual([]);
  });

  it('a no-change run costs at most one remote command per host per play', async () => {
    const res = await countedRun();
    expect(res.run.code, res.run.output).toBe(0);
    expect(res.run.stats.gpu1.changed, res.run.output).toBe(0);
    const second = perPlay(res.counts);
    console.log(`no-change run, remote operations per play: ${JSON.stringify(second)} (first run: ${JSON.stringify(first)})`);
    for (const play of PLAYS) {
      expect(second[play], `${play}: ${JSON.stringify(res.counts[play])}`).toBeLessThanOrEqual(1);
    }
    // the check read the first play's facts in its own batch: the play reads none of them again
    expect(second['Prepare servers'], JSON.stringify(res.counts)).toBe(0);
  });
});

// services and node settings today's stack has and nop's older one (up to v0.2.12) did not
const NEW_SERVICES = ['versiond', 'edge-api', 'bridge', 'proxy-ssl'];
const NEW_NODE_ENV = /^(CONFIG_|QUERY_GAS_LIMIT|GONKA_SLOW_QUERY_THRESHOLD_MS)/;

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
