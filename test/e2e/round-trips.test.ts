import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunPlaybookOptions } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';
import type { Transport } from '../../lib/transport/transport.js';
import { createFleet, DEPLOY_KNOBS, PASSWORD, seedOverrides, type Fleet } from './sim-fleet.js';

// issue 11: a no-change run of each play of setup.yml costs at most one remote command per host. Counted on one
// simulated full server (network node and ML node), reached through the same transport a real host is.
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
});
afterAll(() => fleet?.cleanup());

const PLAYS = ['Network node settings', 'Prepare servers', 'Keys', 'Configure', 'Deploy', 'Register'];

/** play → host → remote operations */
type Counts = Record<string, Record<string, number>>;

/**
 * Runs setup.yml once, counting every remote operation (a command, a file put or fetched) per play and per host it
 * reached. A play's operations are those made between its play_start and the next: setup.yml's plays run one after another.
 */
const countedRun = async (): Promise<{ counts: Counts; run: Awaited<ReturnType<Fleet['run']>> }> => {
  const counts: Counts = {};
  let play = '(before the first play)';
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
  });
});
