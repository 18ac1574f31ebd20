import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScenario } from '../../sim/gonka/scenario.mjs';
import { fundAccount } from '../../sim/gonka/network-state.mjs';
import { bech32Valid } from '../../sim/gonka/keys.mjs';
import { runQuery } from '../../sim/gonka/inferenced-cli.mjs';
import { createSimProject, eventually, getJson, MODEL, type SimProject } from './sim-project.js';

const WARM_PASS = 'correct horse battery';
const COLD_PASS = 'cold-signer-passphrase';

describe('gonka simulator: inferenced CLI against the simulated chain', () => {
  let sim: SimProject;
  let coldHome: string;
  let cold: { address: string; pubkey: string };
  let warmAddress: string;

  const coldCli = (args: string[], input = `${COLD_PASS}\n`) => sim.cli([...args, '--keyring-backend', 'file', '--home', coldHome], input);

  beforeAll(async () => {
    sim = await createSimProject({
      scenario: {
        blocksPerSecond: 20,
        snapshotLagBlocks: 0,
        epoch: { length: 30, pocGenerationBlocks: 4, windDownBlocks: 1, pocValidationDelayBlocks: 1, pocValidationEndBlocks: 8 },
        modelLoadSeconds: 0,
      },
    });
    coldHome = path.join(sim.root, 'cold');
    expect((await sim.hook(['up', '-d', '--no-deps', 'tmkms', 'node'])).code).toBe(0);
  });
  afterAll(() => sim.cleanup());

  it('keys add in the api container: real-format output, mnemonic on stderr, 0600 keyring files', async () => {
    const add = await sim.hook(
      ['run', '--rm', '--no-deps', 'api', 'inferenced', 'keys', 'add', 'my-node-warm', '--keyring-backend', 'file'],
      `${WARM_PASS}\n${WARM_PASS}\n`,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(
      /^- address: gonka1[02-9ac-hj-np-z]{38}\n {2}name: my-node-warm\n {2}pubkey: '\{"@type":"\/cosmos\.crypto\.secp256k1\.PubKey","key":"[A-Za-z0-9+/]{44}"\}'\n {2}type: local\n$/,
    );
    expect(add.stderr).toContain('**Important** write this mnemonic phrase in a safe place.');
    expect(add.stderr.trim().split('\n').at(-1)!.split(' ')).toHaveLength(24);
    warmAddress = /address: (\S+)/.exec(add.stdout)![1];
    expect(bech32Valid(warmAddress)).toBe(true);
    const dir = path.join(sim.deploy, '.inference/keyring-file');
    const files = await fs.readdir(dir);
    expect(files).toContain('my-node-warm.info');
    for (const f of files) expect((await fs.stat(path.join(dir, f))).mode & 0o777).toBe(0o600);
    const shown = await sim.hook([
      'run',
      '--rm',
      '--no-deps',
      'api',
      'sh',
      '-c',
      'printf "%s\\n" "$KEYRING_PASSWORD" | inferenced keys show "$KEY_NAME" --keyring-backend file -a',
    ]);
    expect(shown.stdout.trim()).toBe(warmAddress);
  });

  it('rejects a wrong passphrase and mismatched new passphrases', async () => {
    const wrong = await sim.hook(['run', '--rm', 'api', 'inferenced', 'keys', 'show', 'my-node-warm', '-a', '--keyring-backend', 'file'], 'nope\nnope\nnope\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Error: too many failed passphrase attempts');
    const mismatch = await coldCli(['keys', 'add', 'x'], 'first-password\nsecond-password\n');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('Error: passphrase do not match');
  });

  it('creates the cold key on a cold-signer host and shows its pubkey', async () => {
    const add = await coldCli(['keys', 'add', 'gonka-account-key'], `${COLD_PASS}\n${COLD_PASS}\n`);
    expect(add.code, add.stderr).toBe(0);
    const pub = await coldCli(['keys', 'show', 'gonka-account-key', '--pubkey']);
    const parsed = JSON.parse(pub.stdout);
    expect(parsed['@type']).toBe('/cosmos.crypto.secp256k1.PubKey');
    expect(Buffer.from(parsed.key, 'base64')).toHaveLength(33);
    cold = { address: (await coldCli(['keys', 'show', 'gonka-account-key', '-a'])).stdout.trim(), pubkey: parsed.key };
    const list = await coldCli(['keys', 'list']);
    expect(list.stdout).toContain(`- address: ${cold.address}`);
  });

  it('registration refused by the seed fails the command', async () => {
    writeScenario(sim.stateDir, { registrationRefused: 'participant registration is closed' });
    await sim.hook(['up', '-d']);
    const reg = await sim.cli([
      'register-new-participant',
      'http://203.0.113.7:8000',
      cold.pubkey,
      '--node-address',
      sim.url('proxy', ''),
      '--node',
      sim.url('rpc', ''),
    ]);
    expect(reg.code).toBe(1);
    expect(reg.stderr).toContain('server returned status 400');
    writeScenario(sim.stateDir, { registrationRefused: null });
  });

  it('register-new-participant makes the participant visible with the node consensus key', async () => {
    const reg = await sim.cli([
      'register-new-participant',
      'http://203.0.113.7:8000',
      cold.pubkey,
      '--node-address',
      sim.url('proxy', ''),
      '--node',
      sim.url('rpc', ''),
    ]);
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout).toContain('Participant registration successful');
    expect(await getJson(sim.url('proxy', `/v1/participants/${cold.address}`))).toEqual({ status: 200, body: { pubkey: cold.pubkey, balance: 0 } });
    expect((await getJson(sim.url('proxy', '/v1/participants/gonka1unknown'))).status).toBe(404);
  });

  it('grant-ml-ops-permissions: refused without --gas-prices, then for an unfunded cold account; from a funded one, authz grants plus a fee allowance', async () => {
    const grantArgs = (extra: string[]) => [
      'tx',
      'inference',
      'grant-ml-ops-permissions',
      'gonka-account-key',
      warmAddress,
      '--from',
      'gonka-account-key',
      '--gas',
      '2000000',
      ...extra,
      '--node',
      sim.url('proxy', '/chain-rpc/'),
    ];
    const free = await coldCli(grantArgs([]));
    expect(free.code).toBe(1);
    expect(free.stderr).toContain('Error: transaction failed on broadcast with code 13: insufficient fees; got:  required: 2000000ngonka: insufficient fee');
    const unfunded = await coldCli(grantArgs(['--gas-prices', '1ngonka']));
    expect(unfunded.code).toBe(1);
    expect(unfunded.stderr).toContain('code 5: spendable balance 0ngonka is smaller than 2000000ngonka: insufficient funds');
    fundAccount(sim.stateDir, cold.address, { spendable: 5_000_000, vesting: 1_000_000_000 });

    const grant = await coldCli(grantArgs(['--gas-prices', '1ngonka']));
    expect(grant.code, grant.stderr).toBe(0);
    expect(grant.stderr).toContain('Detected chain-id: gonka-mainnet');
    expect(grant.stdout).toContain('Including new feegrant allowance from cold to warm in this transaction.');
    expect(grant.stdout).toMatch(/^Transaction sent with hash: [0-9A-F]{64}$/m);
    expect(grant.stdout).toContain('Transaction confirmed successfully!');
    const grants = JSON.parse((await sim.cli(['query', 'authz', 'grants-by-granter', cold.address, '--node', sim.url('rpc', ''), '-o', 'json'])).stdout).grants;
    expect(grants).toHaveLength(16);
    expect(grants.every((g: { grantee: string }) => g.grantee === warmAddress)).toBe(true);
    expect(grants.map((g: { authorization: { msg: string } }) => g.authorization.msg)).toContain('/inference.inference.MsgPoCV2StoreCommit');
    const allowance = JSON.parse((await sim.cli(['query', 'feegrant', 'grant', cold.address, warmAddress, '--node', sim.url('rpc', ''), '-o', 'json'])).stdout);
    expect(allowance.allowance.allowance).toMatchObject({ spend_limit: [{ denom: 'ngonka', amount: '10000000000' }] });
    const spendable = JSON.parse((await sim.cli(['query', 'bank', 'spendable-balances', cold.address, '--node', sim.url('rpc', ''), '-o', 'json'])).stdout);
    expect(spendable.balances).toEqual([{ denom: 'ngonka', amount: '3000000' }]);

    const again = await coldCli(grantArgs(['--gas-prices', '1ngonka']));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Existing feegrant allowance from cold to warm detected; skipping MsgGrantAllowance.');
  });

  it('the participant shows in the epoch after registration, with its ML nodes; 404 when PoC failed', async () => {
    const env = path.join(sim.deploy, 'config.env');
    await fs.appendFile(env, `export ACCOUNT_PUBKEY=${cold.pubkey}\n`);
    expect((await sim.hook(['up', '-d'])).code).toBe(0);
    const list = await eventually(
      () => getJson(sim.url('proxy', '/v1/epochs/current/participants')),
      (r) => r.status === 200 && r.body.active_participants.participants.some((p: { index: string }) => p.index === cold.address),
      'participant in an epoch',
    );
    const me = list.body.active_participants.participants.find((p: { index: string }) => p.index === cold.address);
    expect(me).toMatchObject({ inference_url: 'http://203.0.113.7:8000', weight: 100, models: [MODEL] });
    expect(me.ml_nodes[0].ml_nodes[0]).toEqual({ node_id: 'node1', throughput: 1000, poc_weight: 100, timeslot_allocation: [true, false] });
    const status = await getJson(sim.url('rpc', '/status'));
    expect(me.validator_key).toBe(status.body.result.validator_info.pub_key.value);
    expect(typeof list.body.active_participants.epoch_id).toBe('number');

    writeScenario(sim.stateDir, { pocFailed: true });
    await eventually(
      () => getJson(sim.url('proxy', '/v1/epochs/current/participants')),
      (r) => r.status === 404,
      'PoC failure',
    );
    writeScenario(sim.stateDir, { pocFailed: false });
  });

  it("a query answered in this process (runQuery, as the host's shim server answers the roles' queries) prints and fails as the command does", async () => {
    const inProcess = async (args: string[]) => {
      const own = process.env.NOP_SIM_STATE_DIR;
      process.env.NOP_SIM_STATE_DIR = sim.stateDir;
      try {
        return await runQuery(args);
      } finally {
        if (own === undefined) delete process.env.NOP_SIM_STATE_DIR;
        else process.env.NOP_SIM_STATE_DIR = own;
      }
    };
    const node = ['--node', sim.url('rpc', '')];
    for (const args of [
      ['query', 'bank', 'spendable-balances', cold.address, ...node, '-o', 'json'],
      ['query', 'staking', 'delegator-validators', cold.address, ...node],
      ['query', 'inference', 'show-participant', 'gonka1nobody', ...node, '-o', 'json'],
      ['query', 'bank', 'balances', cold.address, '--node', 'http://127.0.0.1:1', '-o', 'json'],
    ]) {
      const command = await sim.cli(args);
      expect(await inProcess(args), args.join(' ')).toEqual(command);
    }
  });

  it('jailing shows in query staking delegator-validators and unjail clears it', async () => {
    writeScenario(sim.stateDir, { jailed: true });
    const jailed = await sim.cli(['query', 'staking', 'delegator-validators', cold.address, '--node', sim.url('rpc', ''), '-o', 'json']);
    expect(JSON.parse(jailed.stdout).validators[0].jailed).toBe(true);
    const text = await sim.cli(['query', 'staking', 'delegator-validators', cold.address, '--node', sim.url('rpc', '')]);
    expect(text.stdout).toMatch(/^ {2}jailed: true$/m);
    const unjail = await coldCli([
      'tx',
      'slashing',
      'unjail',
      '--from',
      'gonka-account-key',
      '--chain-id',
      'gonka-mainnet',
      '--gas',
      'auto',
      '--gas-adjustment',
      '1.5',
      '--fees',
      '200000ngonka',
      '--yes',
      '--node',
      sim.url('proxy', '/chain-rpc/'),
    ]);
    expect(unjail.stdout).toMatch(/^code: 0$/m);
    const after = await sim.cli(['query', 'staking', 'delegator-validators', cold.address, '--node', sim.url('rpc', ''), '-o', 'json']);
    expect(JSON.parse(after.stdout).validators[0].jailed).toBe(false);
    const again = await coldCli(['tx', 'slashing', 'unjail', '--from', 'gonka-account-key', '--fees', '200000ngonka', '--yes', '--node', sim.url('rpc', '')]);
    expect(again.stdout).toMatch(/^code: 5$/m);
  });

  it('every invocation is in the argv log and no passphrase ever reached a command line', async () => {
    const log = await fs.readFile(path.join(sim.stateDir, 'inferenced-argv.log'), 'utf8');
    const lines = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    expect(lines.some((argv) => argv.join(' ') === 'keys add my-node-warm --keyring-backend file')).toBe(true);
    expect(lines.some((argv) => argv[0] === 'register-new-participant')).toBe(true);
    expect(log).not.toContain(WARM_PASS);
    expect(log).not.toContain(COLD_PASS);
  });
});
