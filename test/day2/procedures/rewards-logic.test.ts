// The rewards role's reading of epoch rewards and its claim verdict (roles/rewards/reward-epochs.ts), without hosts.
import { describe, expect, it } from 'vitest';
import { claimVerdict, rewardLines, type EpochReward } from '../../../roles/rewards/reward-epochs.js';
import { recoverClaim } from '../../../roles/rewards/rewards-state.js';
import { RewardsVarsSchema, type RewardsVars } from '../../../roles/rewards/vars.js';

// epoch 422 now, past its claim_money stage (the api has claimed epoch 421 or failed to)
const CLOCK = { epoch: 422, block: 6_495_400, claimMoney: 6_495_322 };
const r = (epoch: number, rewarded: number, claimed: boolean, earned = 0): EpochReward => ({ epoch, earned, rewarded, claimed });

describe('rewards per epoch', () => {
  it('lists each epoch: claimed, claimable, lost to a later settlement, or none; and says how to recover', () => {
    const lines = rewardLines([r(419, 500, true), r(420, 700, false), r(421, 900, false, 100)], CLOCK, [418, 419, 420, 421]);
    expect(lines).toEqual([
      'epoch 418: no reward recorded',
      'epoch 419: 500 ngonka (500 reward + 0 for work), claimed',
      'epoch 420: 700 ngonka (700 reward + 0 for work), NOT claimed and no longer claimable: the chain pays only the latest settled epoch (421)',
      'epoch 421: 1000 ngonka (900 reward + 100 for work), NOT claimed',
      "epoch 421's claim failed or never ran: recover it with -e rewards_claim=true (the api's POST /admin/v1/claim-reward/recover with force_claim)",
      'claimed rewards vest: they are neither spendable nor usable as collateral or fees until they vest',
    ]);
  });

  it('before claim_money the api claims the previous epoch itself', () => {
    const early = { ...CLOCK, block: CLOCK.claimMoney - 5 };
    expect(rewardLines([r(421, 900, false)], early, [421])).toContain('the api claims epoch 421 itself at block 6495322 (claim_money; now 6495317)');
    expect(claimVerdict([r(421, 900, false)], early)).toEqual({
      verdict: 'refuse',
      reason:
        "refused: epoch 421's claim is not due: the api claims it itself at block 6495322 (claim_money; now 6495317); recover a claim only once that has failed",
    });
  });
});

describe('the claim verdict', () => {
  it('recovers the latest settled epoch when it is unclaimed', () => {
    expect(claimVerdict([r(420, 700, true), r(421, 900, false, 100)], CLOCK)).toEqual({ verdict: 'claim', epoch: 421, coins: 1000 });
  });

  it('has nothing to do when the latest is claimed, earned nothing, or nothing is recorded', () => {
    expect(claimVerdict([r(421, 900, true)], CLOCK)).toMatchObject({ verdict: 'none', reason: "epoch 421's reward is claimed: nothing to recover" });
    expect(claimVerdict([r(421, 0, false)], CLOCK)).toMatchObject({ verdict: 'none' });
    expect(claimVerdict([], CLOCK)).toMatchObject({ verdict: 'none' });
  });

  it('refuses an epoch named by rewards_epoch that is claimed, superseded or unknown', () => {
    const rewards = [r(420, 700, false), r(421, 900, true)];
    expect(claimVerdict(rewards, CLOCK, 421)).toEqual({ verdict: 'refuse', reason: "refused: epoch 421's reward is already claimed" });
    expect(claimVerdict(rewards, CLOCK, 420)).toEqual({
      verdict: 'refuse',
      reason:
        'refused: epoch 420 is no longer claimable: the chain pays only the latest settled epoch (421) and answers any other claim "No rewards for this block height"',
    });
    expect(claimVerdict(rewards, CLOCK, 400)).toMatchObject({
      verdict: 'refuse',
      reason: expect.stringMatching(/^refused: no reward is recorded for epoch 400/),
    });
  });

  it('variables: rewards_claim is a boolean that must be asked for; rewards_epoch a non-negative epoch', () => {
    const base = {
      inventory_hostname: 'gpu1',
      gonka_deploy_dir: '/opt/gonka/deploy/join',
      rewards_epochs: 5,
      gonka_admin_url: 'http://127.0.0.1:9200',
      gonka_api_url: 'http://127.0.0.1:8000',
      rewards_verify_timeout: 120,
    };
    expect(RewardsVarsSchema.parse(base).rewards_claim).toBe(false);
    expect(RewardsVarsSchema.parse({ ...base, rewards_claim: 'true', rewards_epoch: '421' })).toMatchObject({ rewards_claim: true, rewards_epoch: 421 });
    expect(RewardsVarsSchema.safeParse({ ...base, rewards_epoch: -1 }).success).toBe(false);
  });
});

describe('the recovery in check mode', () => {
  it('plans the POST and runs nothing on the host (the task runs in check mode too: ansible_check_mode decides)', async () => {
    const commands: string[] = [];
    const ctx = { check: false, exec: async (script: string) => (commands.push(script), { code: 0, stdout: '', stderr: '' }) };
    const v = { ansible_check_mode: true, rewards_claim_epoch: 421, gonka_admin_url: 'http://127.0.0.1:9200' } as RewardsVars;
    const res = await recoverClaim(ctx as never, v);
    expect(res).toEqual({
      changed: true,
      msg: 'would ask the api to claim epoch 421\'s reward again: POST http://127.0.0.1:9200/admin/v1/claim-reward/recover {"force_claim":true,"epoch_index":421}',
    });
    expect(commands).toEqual([]);
  });
});
