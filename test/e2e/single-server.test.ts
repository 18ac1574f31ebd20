import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunPlaybookOptions } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';
import type { Transport } from '../../lib/transport/transport.js';
import { fundAccount } from '../../sim/gonka.js';
import { CHOICE_GAS } from '../../roles/participation/record-choices.js';
import { adminNodes, createFleet, DEPLOY, DEPLOY_KNOBS, PASSWORD, seedOverrides, snapshotTree, type Fleet, writeOlderStackCompose } from './sim-fleet.js';

// One simulated full server (network node and ML node) for the whole file, reached through the same transport a real
// host is: planned in check mode while bare, converged (stopping once for the cold account's fees), re-run with every
// remote operation counted (issue 11: a no-change run of each play of setup.yml costs at most one remote command per
// host; the README's table of remote commands per play comes from here), then turned into a node of nop's older stack
// and moved to today's. The cases run in order and build on each other: one converged server serves them all.
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

// the check before the first change (every role's preconditions, with the first play's facts) comes before any play
const CHECK = 'the check before the first change';
const PLAYS = [CHECK, 'Network node settings', 'Prepare servers', 'Keys', 'Configure', 'Deploy', 'Register', 'PoC participation'];

type Run = Awaited<ReturnType<Fleet['run']>>;

/** play → host → remote operations */
type Counts = Record<string, Record<string, number>>;

/**
 * Runs setup.yml once, counting every remote operation (a command, a file put or fetched) per play and per host it
 * reached. A play's operations are those made between its play_start and the next: setup.yml's plays run one after another.
 */
const countedRun = async (): Promise<{ counts: Counts; run: Run }> => {
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

const msgOf = (res: Run, task: string): string => String(res.results.find((r) => r.task === task)?.result.msg ?? '');

// The first run's count of each play, on the bare server: Register and PoC participation from the run after the cold
// account was funded (the run before stopped at Register's fee check), every other play from the run that stopped.
const FIRST_RUN_AFTER_FUNDING = ['Register', 'PoC participation'];
let stopped: Counts;
let first: Record<string, number>;

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
    const { run: res, counts } = await countedRun();
    stopped = counts;
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

  it('takes the bare server to a registered node with its ML nodes enabled; its counts are recorded', async () => {
    const { run: converged, counts } = await countedRun();
    expect(converged.code, converged.output).toBe(0);
    const [before, after] = [perPlay(stopped), perPlay(counts)];
    first = Object.fromEntries(PLAYS.map((p) => [p, FIRST_RUN_AFTER_FUNDING.includes(p) ? after[p] : before[p]]));
    console.log(`first run, remote operations per play: ${JSON.stringify(first)}`);
    for (const c of [stopped, counts]) expect(Object.keys(c).filter((p) => !PLAYS.includes(p))).toEqual([]);
    expect(Object.keys(stopped)).not.toContain('PoC participation');
    expect(converged.output).toContain('registered participant');
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
    expect(msgOf(converged, 'register : The cold account can pay the fees')).toMatch(/^the cold account gonka1\w+ holds 1\.5 GNK spendable/);
    // the grant paid its fee, 2,000,000 gas at 1 ngonka, and each PoC refusal its own, from the cold account's spendable coins
    const [cold] = Object.keys(network.participants);
    expect(network.refusals.length).toBeGreaterThan(0);
    expect(network.accounts[cold].spendable).toBe(1_500_000_000 - 2_000_000 - network.refusals.length * CHOICE_GAS);
    expect(existsSync(fleet.servers.gpu1.host.path('/mnt/shared/hub'))).toBe(true);
    expect(converged.output).not.toContain(PASSWORD);
  });

  it('changes nothing on a second run, which costs at most one remote command per host per play', async () => {
    const { run: second, counts } = await countedRun();
    expect(second.code, second.output).toBe(0);
    expect(second.stats.gpu1.changed, JSON.stringify(second.results.filter((r) => r.status === 'changed').map((r) => [r.task, r.result.msg]))).toBe(0);
    const perPlayNow = perPlay(counts);
    console.log(`no-change run, remote operations per play: ${JSON.stringify(perPlayNow)} (first run: ${JSON.stringify(first)})`);
    expect(Object.keys(counts).filter((p) => !PLAYS.includes(p))).toEqual([]);
    for (const play of PLAYS) {
      expect(perPlayNow[play], `${play}: ${JSON.stringify(counts[play])}`).toBeLessThanOrEqual(1);
    }
    // the check read the first play's facts in its own batch: the play reads none of them again
    expect(perPlayNow['Prepare servers'], JSON.stringify(counts)).toBe(0);
  });
});

/** Turn the running node into one deployed by nop's older stack: its compose file and containers as they were. */
const downgradeToOlderStack = async () => {
  const s = fleet.servers.gpu1;
  const file = s.host.path(`${DEPLOY}/docker-compose.yml`);
  await writeOlderStackCompose(file);
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
