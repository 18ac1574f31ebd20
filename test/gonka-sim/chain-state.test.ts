// The simulated chain as of v0.2.16: multi-model PoC params, dynamic coefficients, delegation records, fees paid
// from spendable balances or a fee grant, Confirmation PoC in /v1/epochs/latest.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScenario } from '../../sim/gonka/scenario.mjs';
import { fundAccount } from '../../sim/gonka/network-state.mjs';
import { createSimProject, getJson, type SimProject } from './sim-project.js';

const COLD_PASS = 'cold-signer-passphrase';
const MINIMAX = 'MiniMaxAI/MiniMax-M2.7';
const DEEPSEEK = 'deepseek-ai/DeepSeek-V4-Flash-0731';
const GLM = 'zai-org/GLM-5.3-Flash';
const DELEGATE = 'gonka1m7r8uzf7wpc784kyaetdqw9zuguy9k44v5whva';

describe('gonka simulator: chain state of edition 2', () => {
  let sim: SimProject;
  let home: string;
  let cold: { address: string; pubkey: string };
  let warm: string;

  const cli = (args: string[], input = `${COLD_PASS}\n`) => sim.cli([...args, '--keyring-backend', 'file', '--home', home], input);
  const query = async (args: string[]) => {
    const res = await sim.cli(['query', ...args, '--node', sim.url('rpc', ''), '-o', 'json']);
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout);
  };
  const tx = (args: string[], extra = ['--gas-prices', '1ngonka']) =>
    cli(['tx', 'inference', ...args, '--from', 'gonka-account-key', '--node', sim.url('proxy', '/chain-rpc/'), '--yes', ...extra]);
  const code = (out: string) => Number(/^code: (\d+)$/m.exec(out)?.[1]);

  beforeAll(async () => {
    sim = await createSimProject({ scenario: { blocksPerSecond: 2, snapshotLagBlocks: 0, modelLoadSeconds: 0 } });
    home = path.join(sim.root, 'cold');
    expect((await sim.hook(['up', '-d', '--no-deps', 'tmkms', 'node', 'api', 'proxy'])).code).toBe(0);
    expect((await cli(['keys', 'add', 'gonka-account-key'], `${COLD_PASS}\n${COLD_PASS}\n`)).code).toBe(0);
    cold = {
      address: (await cli(['keys', 'show', 'gonka-account-key', '-a'])).stdout.trim(),
      pubkey: JSON.parse((await cli(['keys', 'show', 'gonka-account-key', '-p'])).stdout).key,
    };
    expect((await cli(['keys', 'add', 'warm'], `${COLD_PASS}\n${COLD_PASS}\n`)).code).toBe(0);
    warm = (await cli(['keys', 'show', 'warm', '-a'])).stdout.trim();
  });
  afterAll(() => sim.cleanup());

  it('an account the chain has never seen cannot sign', async () => {
    const res = await tx(['refuse-poc-delegation', GLM]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`Error: rpc error: code = NotFound desc = account ${cold.address} not found: key not found`);
  });

  it('query inference params: the three PoC models with their penalty epochs, delegation params as decimals, fee groups', async () => {
    const { params } = await query(['inference', 'params']);
    expect(params.poc_params.models.map((m: { model_id: string; penalty_start_epoch: string }) => [m.model_id, m.penalty_start_epoch])).toEqual([
      [MINIMAX, '278'],
      [DEEPSEEK, '360'],
      [GLM, '394'],
    ]);
    expect(params.poc_params.models[0]).not.toHaveProperty('weight_scale_factor');
    expect(params.delegation_params).toMatchObject({
      refusal_penalty: { value: '1', exponent: -1 },
      no_participation_penalty: { value: '15', exponent: -2 },
      delegation_share: { value: '5', exponent: -2 },
      deploy_window: '500',
    });
    expect(params.fee_params).toMatchObject({ enabled_fee_groups: ['epoch', 'cosmos'] });
    expect(params.epoch_params).toMatchObject({ epoch_length: '15391', confirmation_poc_safety_window: '500' });
  });

  it('dynamic coefficients per epoch: the starting values, moved by governance within bounds, the minimum when oversupplied', async () => {
    const epoch = Number((await query(['inference', 'get-current-epoch'])).epoch);
    const coefficient = (body: { coefficients: { model_id: string; effective_coefficient: { value: string; exponent: number } }[] }, model: string) => {
      const d = body.coefficients.find((c) => c.model_id === model)!.effective_coefficient;
      return Number(`${d.value}e${d.exponent}`);
    };
    const now = await getJson(sim.url('proxy', '/chain-api/productscience/inference/inference/dynamic_coefficients/0'));
    expect(now.status).toBe(200);
    expect([MINIMAX, DEEPSEEK, GLM].map((m) => coefficient(now.body, m))).toEqual([0.3024, 0.246, 0.62]);
    expect(now.body.coefficients.find((c: { model_id: string }) => c.model_id === GLM).config).toMatchObject({
      coeff_min: { value: '558', exponent: -3 },
      coeff_max: { value: '682', exponent: -3 },
    });
    writeScenario(sim.stateDir, { chain: { coefficients: { [String(epoch + 1)]: { [GLM]: 0.9, [DEEPSEEK]: 0.25 } }, oversupplied: [MINIMAX] } });
    const next = (await getJson(sim.url('proxy', `/chain-api/productscience/inference/inference/dynamic_coefficients/${epoch + 1}`))).body;
    expect([MINIMAX, DEEPSEEK, GLM].map((m) => coefficient(next, m))).toEqual([0.3024, 0.25, 0.682]);
    expect(coefficient((await getJson(sim.url('proxy', `/chain-api/productscience/inference/inference/dynamic_coefficients/${epoch}`))).body, GLM)).toBe(0.62);
    writeScenario(sim.stateDir, { chain: {} });
  });

  it('registration opens the account; vesting coins cannot pay, spendable ones do', async () => {
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
    fundAccount(sim.stateDir, cold.address, { vesting: 9_000_000_000 });
    const vestingOnly = await tx(['refuse-poc-delegation', GLM]);
    expect(code(vestingOnly.stdout)).toBe(5);
    expect(vestingOnly.stdout).toContain('spendable balance 0ngonka is smaller than 200000ngonka: insufficient funds');
    fundAccount(sim.stateDir, cold.address, { spendable: 10_000_000 });
    expect((await query(['bank', 'balances', cold.address])).balances).toEqual([{ denom: 'ngonka', amount: '9010000000' }]);
    const rest = await getJson(sim.url('proxy', `/chain-api/cosmos/bank/v1beta1/spendable_balances/${cold.address}`));
    expect(rest.body.balances).toEqual([{ denom: 'ngonka', amount: '10000000' }]);
    expect((await getJson(sim.url('proxy', `/v2/accounts/${cold.address}`))).body).toEqual({ pubkey: cold.pubkey, balance: 9_010_000_000, denom: 'ngonka' });
  });

  it('a tx without --gas-prices is refused with the chain message; delegation, refusal and intent are one record per model', async () => {
    const free = await tx(['refuse-poc-delegation', GLM], []);
    expect(code(free.stdout)).toBe(13);
    expect(free.stdout).toContain('insufficient fees; got:  required: 200000ngonka: insufficient fee');

    expect(code((await tx(['set-poc-delegation', DEEPSEEK, DELEGATE])).stdout)).toBe(0);
    expect(code((await tx(['refuse-poc-delegation', GLM])).stdout)).toBe(0);
    expect(await query(['inference', 'poc-delegation', cold.address])).toEqual({
      delegations: [{ model_id: DEEPSEEK, delegator: cold.address, delegate_to: DELEGATE }],
      refusals: [{ model_id: GLM, participant: cold.address }],
      intents: [],
    });
    expect(code((await tx(['declare-poc-intent', GLM])).stdout)).toBe(0);
    expect(await query(['inference', 'poc-delegation', cold.address, GLM])).toEqual({
      delegations: [],
      refusals: [],
      intents: [{ model_id: GLM, participant: cold.address }],
    });
    expect(code((await tx(['set-poc-delegation', DEEPSEEK, ''])).stdout)).toBe(0);
    expect((await query(['inference', 'poc-delegation', cold.address, DEEPSEEK])).delegations).toEqual([]);

    const self = await tx(['set-poc-delegation', GLM, cold.address]);
    expect(self.stdout).toContain('cannot delegate to self');
    const retired = await tx(['refuse-poc-delegation', 'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8']);
    expect(retired.stdout).toContain('is not a governance-approved PoC model');
    const spent = (await query(['bank', 'spendable-balances', cold.address])).balances[0].amount;
    // six txs paid: the two refused by their message too (a refused message keeps its fee), not the one refused for its fee
    expect(Number(spent)).toBe(10_000_000 - 6 * 200_000);
  });

  it('the warm key declares intent for the cold account through its grant, the fee paid by the cold account', async () => {
    const grant = await cli([
      'tx',
      'inference',
      'grant-ml-ops-permissions',
      'gonka-account-key',
      warm,
      '--from',
      'gonka-account-key',
      '--gas',
      'auto',
      '--gas-adjustment',
      '1.5',
      '--gas-prices',
      '1ngonka',
      '--node',
      sim.url('proxy', '/chain-rpc/'),
    ]);
    expect(grant.code, grant.stderr).toBe(0);
    expect(grant.stdout).toMatch(/^gas estimate: \d+$/m);
    const before = Number((await query(['bank', 'spendable-balances', cold.address])).balances[0].amount);
    const intent = await cli([
      'tx',
      'inference',
      'declare-poc-intent',
      DEEPSEEK,
      '--from',
      'warm',
      '--fee-granter',
      cold.address,
      '--gas-prices',
      '1ngonka',
      '--yes',
      '--node',
      sim.url('rpc', ''),
    ]);
    expect(code(intent.stdout), intent.stderr).toBe(0);
    expect((await query(['inference', 'poc-delegation', cold.address, DEEPSEEK])).intents).toEqual([{ model_id: DEEPSEEK, participant: cold.address }]);
    expect(Number((await query(['bank', 'spendable-balances', cold.address])).balances[0].amount)).toBe(before - 200_000);
    const allowance = await query(['feegrant', 'grant', cold.address, warm]);
    expect(allowance.allowance.allowance.spend_limit).toEqual([{ denom: 'ngonka', amount: String(10_000_000_000 - 200_000) }]);
  });

  it('store commits of the network hosts a delegate is chosen from', async () => {
    writeScenario(sim.stateDir, { chain: { hosts: [{ address: DELEGATE, models: [DEEPSEEK], weight: 1000 }] } });
    const { latest_epoch } = (await getJson(sim.url('proxy', '/v1/epochs/latest'))).body;
    const commits = await query(['inference', 'poc-v2-store-commit', String(latest_epoch.poc_start_block_height), DELEGATE]);
    expect(commits.commits).toEqual([
      { participant_address: DELEGATE, model_id: DEEPSEEK, count: '32', poc_stage_start_block_height: String(latest_epoch.poc_start_block_height) },
    ]);
    const none = await sim.cli([
      'query',
      'inference',
      'poc-v2-store-commit',
      String(latest_epoch.poc_start_block_height),
      cold.address,
      '--node',
      sim.url('rpc', ''),
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('NotFound');
    writeScenario(sim.stateDir, { chain: {} });
  });

  it('Confirmation PoC shows in /v1/epochs/latest while it runs, never in the safety window', async () => {
    const { block_height, epoch_stages } = (await getJson(sim.url('proxy', '/v1/epochs/latest'))).body;
    const startOffset = block_height - epoch_stages.poc_start - 5;
    writeScenario(sim.stateDir, { confirmationPoc: { startOffset, graceBlocks: 10, generationBlocks: 50, validationBlocks: 50 } });
    const active = (await getJson(sim.url('proxy', '/v1/epochs/latest'))).body;
    expect(active.is_confirmation_poc_active).toBe(true);
    expect(active.active_confirmation_poc_event).toMatchObject({
      epoch_index: active.latest_epoch.index,
      trigger_height: epoch_stages.poc_start + startOffset,
      phase: expect.stringMatching(/^CONFIRMATION_POC_(GRACE_PERIOD|GENERATION)$/),
    });
    writeScenario(sim.stateDir, { confirmationPoc: { startOffset: 15391 - 520, graceBlocks: 10, generationBlocks: 10, validationBlocks: 10 } });
    const refused = await getJson(sim.url('proxy', '/v1/epochs/latest'));
    expect(refused.status).toBe(500);
    expect(refused.body.error).toContain('inside the 500-block safety window');
    writeScenario(sim.stateDir, { confirmationPoc: null });
    expect((await getJson(sim.url('proxy', '/v1/epochs/latest'))).body.is_confirmation_poc_active).toBe(false);
  });
});
