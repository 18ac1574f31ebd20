import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainTxModule } from '../../lib/gonka/modules/chain-tx.js';
import { fundAccount } from '../../sim/gonka/network-state.mjs';
import { runModule } from '../modules/helpers.js';
import { createSimProject, INFERENCED, type SimProject } from './sim-project.js';

const PASS = 'cold-signer-passphrase';
const TARGET = 'gonka1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnwkn8kx';

describe('chain_tx against the simulated v0.2.16 chain', () => {
  let sim: SimProject;
  let home: string;
  let cold: string;
  // the module runs the operator's inferenced binary (the simulator's CLI here) with its own home
  const env = () => ({ PATH: `${path.dirname(INFERENCED)}:${process.env.PATH}`, NOP_SIM_STATE_DIR: sim.stateDir });
  const balance = async (address: string): Promise<number> => {
    const out = await sim.cli(['query', 'bank', 'spendable-balances', address, '--node', sim.url('rpc', ''), '-o', 'json']);
    return Number(JSON.parse(out.stdout).balances[0]?.amount ?? 0);
  };

  beforeAll(async () => {
    sim = await createSimProject({ scenario: { blocksPerSecond: 20, snapshotLagBlocks: 0 } });
    expect((await sim.hook(['up', '-d', '--no-deps', 'tmkms', 'node'])).code).toBe(0);
    home = path.join(sim.root, 'cold');
    const add = await sim.cli(['keys', 'add', 'cold', '--keyring-backend', 'file', '--home', home], `${PASS}\n${PASS}\n`);
    expect(add.code, add.stderr).toBe(0);
    cold = /address: (\S+)/.exec(add.stdout)![1];
    fundAccount(sim.stateDir, cold, { spendable: 10_000_000 });
  });
  afterAll(() => sim?.cleanup());

  it("sends with the gas price the chain's fee params set, when the task gives none, and verifies on chain", async () => {
    const res = await runModule(
      chainTxModule,
      {
        tx: ['bank', 'send', 'cold', TARGET, '1000ngonka'],
        from: 'cold',
        inferenced: { home },
        node: sim.url('rpc', ''),
        chain_id: 'gonka-mainnet',
        keyring_password: PASS,
        verify: { query: ['bank', 'balances', TARGET], contains: '"amount":"1000"' },
      },
      { env: env() },
    );
    expect(res.failed, String(res.msg)).toBeFalsy();
    expect(res.changed).toBe(true);
    // 1000 sent; the fee is the gas (estimated, × 1.5) at the cosmos group's 1 ngonka
    const fee = 10_000_000 - 1000 - (await balance(cold));
    expect(fee).toBeGreaterThan(0);
    expect(Number.isInteger(fee)).toBe(true);
  });
});
