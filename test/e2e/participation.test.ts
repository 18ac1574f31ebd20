import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../lib/cli/status-command.js';
import type { Check } from '../../lib/day2/status-checks.js';
import { runPlaybook } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';
import { chainOf, fundAccount, readScenario, recordPocChoice } from '../../sim/gonka.js';
import { newAccountKey } from '../../sim/gonka/keys.mjs';
import { CHOICE_GAS } from '../../roles/participation/record-choices.js';
import { sshInto, type SimSshAccess } from '../helpers/sim-ssh.js';
import { createFleet, DEPLOY, DEPLOY_KNOBS, PASSWORD, seedOverrides, type Fleet, type SimServer } from './sim-fleet.js';

// Item 4 of issue 12: a choice for every live PoC model a server does not serve, recorded from the cold key. One full
// server in the quick workflow (the cold key in its api container), reached over real sshd, set up once by setup.yml;
// the cases after it run only the plays the participation role needs (GPUs, keys, config: its facts), not the
// whole setup again. The secure workflow (the cold key on the operator's machine) is asserted in fleet.test.ts,
// whose secure setup.yml run records the refusals.
const PEER = newAccountKey().address;
const STRANGER = newAccountKey().address;

interface NetworkJson {
  participants: Record<string, unknown>;
  delegations: { model_id: string; delegator: string; delegate_to: string }[];
  refusals: { model_id: string; participant: string }[];
  accounts: Record<string, { spendable: number; vesting: number }>;
}

let quick: Fleet;
let ssh: SimSshAccess | undefined;
// the plays whose facts the participation role reads, and the role: what a changed choice needs
const PARTICIPATION_ONLY = `- hosts: network_nodes
  gather_facts: false
  roles: [gpu-detect, keys, config, participation]
`;

const liveModels = (s: SimServer): string[] => chainOf(readScenario(s.stateDir)).pocModels.map((m) => m.model_id);
const network = async (s: SimServer): Promise<NetworkJson> => JSON.parse(await readFile(join(s.stateDir, 'gonka-network.json'), 'utf8')) as NetworkJson;
const served = (s: SimServer): string[] =>
  (JSON.parse(readFileSync(s.host.path(`${DEPLOY}/node-config.json`), 'utf8')) as { models: Record<string, unknown> }[]).flatMap((e) => Object.keys(e.models));
const unserved = (s: SimServer): string[] => liveModels(s).filter((m) => !served(s).includes(m));
/** The txs the simulated CLI ran on a host so far (its argv log). */
const txsOn = (s: SimServer): string[][] =>
  readFileSync(join(s.stateDir, 'inferenced-argv.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[])
    .filter((argv) => argv[0] === 'tx');
const choiceTxs = (s: SimServer) => txsOn(s).filter((argv) => /poc-delegation/.test(argv[2]));

const TASK = 'participation : PoC participation in every live model';
const taskOf = <R extends { results: { task: string; status: string; result: { msg?: unknown } }[] }>(res: R) => {
  const r = res.results.find((x) => x.task === TASK);
  return { ...res, task: r?.status, msg: String(r?.result.msg ?? '') };
};
/** setup.yml whole */
const setup = async (opts: { extraVars?: Record<string, unknown> } = {}) => taskOf(await quick.run(opts));
/** only the participation role and the roles it reads facts from */
const participation = async (opts: { check?: boolean; extraVars?: Record<string, unknown> } = {}) => {
  const events: RunEvent[] = [];
  const summary = await runPlaybook({
    playbook: join(quick.dir, 'participation.yml'),
    inventories: [join(quick.dir, 'inventory.yml')],
    emit: (e) => events.push(e),
    connect: quick.connect,
    ...opts,
  });
  const results = events.filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result');
  return taskOf({ ...summary, results, output: JSON.stringify(events) });
};

const fleetVars = (s: SimServer, f: Fleet, workflow: 'quick') => ({
  ...s.vars,
  public_ip: '127.0.0.1',
  allow_private_public_ip: true,
  gonka_network: 'mainnet',
  keyring_password: PASSWORD,
  key_workflow: workflow,
  gonka_network_overrides: seedOverrides(f.offset),
  ...DEPLOY_KNOBS,
});

beforeAll(async () => {
  // today's chain (edition 2): its most earning model on 8×H100 (MiniMax-M2.7) needs driver 575 or newer
  quick = await createFleet([{ name: 'gpu1', profile: 'h100-8x-580', address: '127.0.0.1' }]);
  const gpu1 = quick.servers.gpu1;
  // another participant of the network, serving every PoC model and committing PoC for it: the delegate
  quick.scenario('gpu1', { chain: { hosts: [{ address: PEER, models: liveModels(gpu1), weight: 100, commitsPoc: true }] } });
  ssh = await sshInto(gpu1.host);
  await quick.writeInventory({
    all: {
      hosts: { gpu1: { ...fleetVars(gpu1, quick, 'quick'), ...ssh.vars } },
      children: { network_nodes: { hosts: { gpu1: null } }, ml_nodes: { hosts: { gpu1: null } } },
    },
  });
  await writeFile(join(quick.dir, 'participation.yml'), PARTICIPATION_ONLY);
});
afterAll(async () => {
  await ssh?.close();
  await quick?.cleanup();
});

describe('quick workflow: the cold key on the server', () => {
  it('without poc_participation and without a terminal, the run stops naming it before any host is touched', async () => {
    const events: RunEvent[] = [];
    await expect(quick.run({ onEvent: (e) => events.push(e) })).rejects.toThrow(/'poc_participation' is required .*-e poc_participation=/);
    expect(events.filter((e) => e.type === 'task_result')).toEqual([]);
  });

  it('records a delegation for every model it does not serve, verified on chain', async () => {
    const res = await setup({ extraVars: { poc_participation: { '*': PEER } } });
    expect(res.code, res.output).toBe(0);
    expect(res.task).toBe('changed');
    const gpu1 = quick.servers.gpu1;
    const [cold] = Object.keys((await network(gpu1)).participants);
    const expected = unserved(gpu1);
    expect(expected.length).toBeGreaterThan(0);
    expect((await network(gpu1)).delegations).toEqual(expected.map((model_id) => ({ model_id, delegator: cold, delegate_to: PEER })));
    // nothing for the model it serves
    expect(choiceTxs(gpu1).map((argv) => argv[3])).toEqual(expected);
    expect(res.msg).toContain(`served: ${served(gpu1)[0]}`);
  });

  it('a second run sends nothing', async () => {
    const before = txsOn(quick.servers.gpu1).length;
    const res = await participation({ extraVars: { poc_participation: { '*': PEER } } });
    expect(res.code, res.output).toBe(0);
    expect(res.task).toBe('ok');
    expect(res.msg).toMatch(/^on chain already: /);
    expect(txsOn(quick.servers.gpu1)).toHaveLength(before);
  });

  it('check mode plans a changed choice and sends nothing', async () => {
    const gpu1 = quick.servers.gpu1;
    const [first] = unserved(gpu1);
    const before = { txs: txsOn(gpu1).length, chain: await network(gpu1) };
    const res = await participation({ check: true, extraVars: { poc_participation: { [first]: PEER, '*': 'refuse' } } });
    expect(res.code, res.output).toBe(0);
    expect(res.task).toBe('changed');
    for (const m of unserved(gpu1).slice(1)) expect(res.msg).toContain(`${m}: refuse (on chain: delegated to ${PEER})`);
    expect(txsOn(gpu1)).toHaveLength(before.txs);
    expect(await network(gpu1)).toEqual(before.chain);
  });

  it('a delegate that is not a participant on chain stops the task before any tx', async () => {
    const gpu1 = quick.servers.gpu1;
    const before = txsOn(gpu1).length;
    const res = await participation({ extraVars: { poc_participation: { '*': STRANGER } } });
    expect(res.code).toBe(2);
    expect(res.task).toBe('failed');
    expect(res.msg).toContain(`poc_participation: ${STRANGER}`);
    expect(res.msg).toContain('is not a participant on chain');
    expect(txsOn(gpu1)).toHaveLength(before);
  });

  it('an unfunded cold account stops the task saying what to fund; funded, the changed choice is sent with the gas price', async () => {
    const gpu1 = quick.servers.gpu1;
    // the chain charges v0.2.16's fees; the coins the operator sent before registering are spent elsewhere now
    const [cold] = Object.keys((await network(gpu1)).participants);
    fundAccount(gpu1.stateDir, cold, { spendable: -(await network(gpu1)).accounts[cold].spendable });
    const [first, ...rest] = unserved(gpu1);
    const choice = { poc_participation: { [first]: PEER, '*': 'refuse' } };
    const before = txsOn(gpu1).length;
    const refused = await participation({ extraVars: choice });
    expect(refused.code).toBe(2);
    const fee = rest.length * CHOICE_GAS;
    expect(refused.msg).toMatch(new RegExp(`^the cold account gonka1\\w+ holds 0 ngonka spendable .* send it at least ${fee} ngonka`));
    expect(txsOn(gpu1)).toHaveLength(before);
    expect(refused.msg).toContain(`cold account ${cold} `);
    fundAccount(gpu1.stateDir, cold, { spendable: fee });
    const res = await participation({ extraVars: choice });
    expect(res.code, res.output).toBe(0);
    const sent = choiceTxs(gpu1).slice(-rest.length);
    expect(sent.map((argv) => argv.slice(1, 4))).toEqual(rest.map((m) => ['inference', 'refuse-poc-delegation', m]));
    for (const argv of sent) expect(argv.join(' ')).toContain('--gas-prices 1ngonka');
    const chain = await network(gpu1);
    expect(chain.refusals.map((r) => r.model_id)).toEqual(rest);
    expect(chain.delegations.map((d) => d.model_id)).toEqual([first]);
  });

  it('nop status shows each model: serving, delegated (and whether the delegate committed PoC), refused, or nothing', async () => {
    const gpu1 = quick.servers.gpu1;
    const status = async () => {
      let text = '';
      await statusCommand({ inventory: [join(quick.dir, 'inventory.yml')], json: true, out: (t) => (text += t) });
      const checks = (JSON.parse(text) as { hosts: { checks: Check[] }[] }).hosts[0].checks;
      return Object.fromEntries(checks.filter((c) => c.id.startsWith('poc:')).map((c) => [c.id.slice(4), `${c.level} ${c.value}`]));
    };
    const [first, ...rest] = unserved(gpu1);
    const shown = await status();
    expect(shown[served(gpu1)[0]]).toBe('OK serving');
    expect(shown[first]).toBe(`OK delegated to ${PEER} (committed PoC this epoch)`);
    for (const m of rest) expect(shown[m]).toBe('OK refused');
    // the delegate stops committing PoC; a refusal is cleared (nothing stored): both cost the penalty now
    quick.scenario('gpu1', { chain: { hosts: [{ address: PEER, models: liveModels(gpu1), weight: 100, commitsPoc: false }] } });
    const [cold] = Object.keys((await network(gpu1)).participants);
    recordPocChoice(gpu1.stateDir, cold, rest[0], null);
    const after = await status();
    expect(after[first]).toMatch(new RegExp(`^FAIL delegated to ${PEER}, which has not committed PoC for it this epoch`));
    expect(after[rest[0]]).toMatch(/^FAIL nothing: set poc_participation and run setup/);
  });
});
