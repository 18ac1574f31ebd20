// The day-2 procedures' planning and parsing, and the simulator's chain rules they meet (governance, slashing,
// collateral), without hosts.
import { describe, expect, it } from 'vitest';
import { jailVerdict } from '../../../roles/unjail/jail-cause.js';
import { ownValidator } from '../../../roles/unjail/jail-check.js';
import { VoteVarsSchema } from '../../../roles/vote/vars.js';
import { guardWithdraw } from '../../../roles/collateral/collateral-state.js';
import { closedReason, proposalLine, ProposalSchema, TallySchema, voteOptionOf } from '../../../roles/vote/proposals.js';
import { activeWeight, DecimalSchema, explain, fullCollateral, withdrawRefusal } from '../../../roles/collateral/weight.js';
import { applyVote, proposalJson, tallyOf } from '../../../sim/gonka/governance.mjs';
import { applyUnjail } from '../../../sim/gonka/slashing.mjs';
import { applyWithdraw, releaseUnbonded } from '../../../sim/gonka/collateral.mjs';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const KEY = 'tmkmsKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

describe('unjail: why the validator is jailed and whether an unjail would hold', () => {
  const jailed = { jailed: true, chainKey: KEY, tmkmsKey: KEY, missedBlocks: 62, jailedUntil: '2026-11-30T11:50:00Z', catchingUp: false, now: NOW };

  it('not jailed: nothing to do', () => {
    expect(jailVerdict({ ...jailed, jailed: false })).toEqual({ verdict: 'not_jailed', lines: ['jailed: false: nothing to do'] });
  });

  it('jailed for missed blocks, synced, the jail period over: unjail', () => {
    const v = jailVerdict(jailed);
    expect(v.verdict).toBe('unjail');
    expect(v.lines).toContain('missed 62 of the last 100 blocks (jailed below 50 signed)');
    expect(v.lines.join('\n')).toMatch(/cause: missed blocks while the node was down or lagging/);
  });

  it('refuses: the consensus key on chain differs from tmkms, tmkms holds none, the node catches up, the jail period lasts', () => {
    expect(jailVerdict({ ...jailed, chainKey: 'other' })).toMatchObject({
      verdict: 'refuse',
      reason: expect.stringMatching(/^the consensus key on chain \(other\) is not the one tmkms signs with/),
    });
    expect(jailVerdict({ ...jailed, tmkmsKey: undefined })).toMatchObject({
      verdict: 'refuse',
      reason: expect.stringMatching(/^the node's \/status shows no validator key: tmkms is not signing/),
    });
    expect(jailVerdict({ ...jailed, catchingUp: true })).toMatchObject({ verdict: 'refuse', reason: expect.stringMatching(/^the node is still catching up/) });
    expect(jailVerdict({ ...jailed, jailedUntil: '2026-11-30T12:10:00Z' })).toMatchObject({
      verdict: 'refuse',
      reason: 'the jail period lasts until 2026-11-30T12:10:00Z: the chain refuses an unjail before then; run again after it',
    });
  });

  it("finds the account's own validator; Amino JSON leaves jailed: false out", () => {
    const address = 'gonka1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnruk0x0';
    const valoper = 'gonkavaloper1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnxxxxxx';
    expect(ownValidator({ validators: [{ operator_address: valoper, consensus_pubkey: { key: KEY } }] }, address)).toEqual({
      jailed: false,
      consensusKey: KEY,
    });
    expect(ownValidator({ validators: [{ operator_address: valoper, jailed: true }] }, address)?.jailed).toBe(true);
    expect(ownValidator({ validators: [] }, address)).toBeUndefined();
  });
});

describe('vote: proposals, tallies and votes', () => {
  const open = ProposalSchema.parse({ id: '7', status: 'PROPOSAL_STATUS_VOTING_PERIOD', title: 'Add GLM', voting_end_time: '2026-12-01T00:00:00Z' });

  it('one line per open proposal: tally in numbers and shares, your vote', () => {
    const tally = TallySchema.parse({ yes_count: '30', no_count: '10', abstain_count: '0', no_with_veto_count: '0' });
    expect(proposalLine(open, tally, 'no')).toBe(
      '#7 "Add GLM" voting ends 2026-12-01T00:00:00Z; tally yes 30 (75.0 %) · no 10 (25.0 %) · no_with_veto 0 (0.0 %) · abstain 0 (0.0 %); your vote: no',
    );
  });

  it('only a proposal in its voting period takes votes', () => {
    expect(closedReason(7, open)).toBeUndefined();
    expect(closedReason(9, undefined)).toBe('proposal 9 does not exist');
    expect(closedReason(7, { ...open, status: 'PROPOSAL_STATUS_REJECTED' })).toBe(
      'proposal 7 is closed (rejected, voting ended 2026-12-01T00:00:00Z): it takes no votes',
    );
  });

  it("a vote's option, weighted options reduced to the heaviest", () => {
    expect(voteOptionOf({ vote: { options: [{ option: 'VOTE_OPTION_NO_WITH_VETO', weight: '1.0' }] } })).toBe('no_with_veto');
    expect(
      voteOptionOf({
        vote: {
          options: [
            { option: 'VOTE_OPTION_YES', weight: '0.3' },
            { option: 'VOTE_OPTION_NO', weight: '0.7' },
          ],
        },
      }),
    ).toBe('no');
    expect(voteOptionOf({})).toBeUndefined();
  });
});

describe('vote and collateral variables', () => {
  const base = { inventory_hostname: 'gpu1', gonka_deploy_dir: '/opt/gonka/deploy/join', vote_verify_timeout: 60 };

  it('an unknown vote option is refused before anything runs, naming the options', () => {
    const res = VoteVarsSchema.safeParse({ ...base, proposal_id: 7, vote_option: 'maybe' });
    expect(res.success).toBe(false);
    expect(res.error?.issues[0]).toMatchObject({ path: ['vote_option'], message: 'must be one of yes, no, no_with_veto, abstain' });
    expect(VoteVarsSchema.safeParse({ ...base, proposal_id: 7 }).error?.issues[0].message).toMatch(/^proposal_id and vote_option go together/);
  });

  it('a withdrawal without withdraw_collateral: true is refused naming the variable, before any chain read', async () => {
    const v = { withdraw_collateral: false, collateral_withdraw_ngonka: 3360 } as Parameters<typeof guardWithdraw>[1];
    expect((await guardWithdraw(undefined as never, v)).msg).toMatch(
      /^refused: withdrawing 3360 ngonka needs withdraw_collateral: true \(-e withdraw_collateral=true\)/,
    );
  });
});

describe('collateral: the 20 %/80 % rule', () => {
  const p = { baseWeightRatio: 0.2, perWeightUnit: 4.2, unbondingEpochs: 1 };
  const state = { deposited: 6720, weight: 1000, unbonding: [] };

  it('full collateral is weight × 0.8 × 4.2; active weight grows with the deposit up to the weight', () => {
    expect(fullCollateral(1000, p)).toBe(3360);
    expect(activeWeight(1000, 0, p)).toBe(200);
    expect(activeWeight(1000, 1680, p)).toBe(600);
    expect(activeWeight(1000, 6720, p)).toBe(1000);
  });

  it('decimals as the chain encodes them', () => {
    expect(DecimalSchema.parse({ value: '42', exponent: -1 })).toBe(4.2);
    expect(DecimalSchema.parse('0.2')).toBe(0.2);
  });

  it('a withdrawal within the buffer is allowed; one below the kept weight is refused naming the most that can go', () => {
    expect(withdrawRefusal(state, p, 3360, 100)).toBeUndefined();
    expect(withdrawRefusal(state, p, 5000, 100)).toMatch(
      /leaves an active weight of 609\.52 of 1000 \(61 %\), below collateral_keep_weight_percent 100 %: withdraw at most 3360 ngonka/,
    );
    expect(withdrawRefusal(state, p, 5000, 50)).toBeUndefined();
    expect(withdrawRefusal(state, p, 7000, 0)).toMatch(/^only 6720 ngonka .* is deposited/);
  });

  it('explains the rule, the buffer, the next-epoch effect and the unbonding period', () => {
    const lines = explain({ ...state, unbonding: [{ amount: 100, completionEpoch: 430 }] }, p).join('\n');
    expect(lines).toContain('unbonding: 100 ngonka (0.0000001 GNK), back in the account at epoch 430 (slashable until then)');
    expect(lines).toContain('weight 1000: 200 always active; 800 needs 3360 ngonka (0.00000336 GNK); active now 1000 (100 %)');
    expect(lines).toContain('a 2× buffer is 6720 ngonka');
    expect(lines).toContain('a withdrawal unbonds for 1 epoch(s), still slashable, before it returns to the account');
  });
});

describe('simulated chain rules the procedures meet', () => {
  const scenario = { anchoredAt: NOW, networkHeight: 1000, blocksPerSecond: 1, jailed: true, jailSeconds: 600, epoch: { shift: 0, length: 100 } };
  const voter = 'gonka1voter';
  const network = () => ({
    participants: { [voter]: { epochNodes: { 9: [{ poc_weight: 40 }] } } },
    votes: [] as unknown[],
    unjailedAt: {},
    collateral: {} as Record<string, number>,
    accounts: {} as Record<string, { spendable: number; vesting: number }>,
  });
  const gov = { ...scenario, proposals: [{ id: 7, votingEndHeight: 1100, tally: { yes: 10 } }] };

  it('gov: a vote counts its voting power; closed, unknown proposals and invalid options are refused', () => {
    const net = network();
    expect(applyVote(net, { proposal_id: '7', option: 'no' }, { scenario: gov, now: NOW, signer: voter })).toBeUndefined();
    expect(tallyOf(net, gov.proposals[0])).toEqual({ yes_count: '10', abstain_count: '0', no_count: '40', no_with_veto_count: '0' });
    expect(applyVote(net, { proposal_id: '7', option: 'yes' }, { scenario: gov, now: NOW + 200_000, signer: voter })).toEqual({
      code: 3,
      codespace: 'gov',
      log: '7: inactive proposal',
    });
    expect(applyVote(net, { proposal_id: '8', option: 'yes' }, { scenario: gov, now: NOW, signer: voter })).toMatchObject({
      code: 2,
      log: '8: unknown proposal',
    });
    expect(applyVote(net, { proposal_id: '7', option: 'maybe' }, { scenario: gov, now: NOW, signer: voter })).toMatchObject({ code: 4 });
    expect(proposalJson(net, gov, NOW + 200_000, gov.proposals[0]).status).toBe('PROPOSAL_STATUS_REJECTED');
  });

  it('slashing: MsgUnjail is refused before jailed_until, accepted after', () => {
    const net = network();
    expect(applyUnjail(net, {}, { scenario, now: NOW + 1000, signer: voter })).toEqual({
      code: 7,
      codespace: 'slashing',
      log: 'validator still jailed; cannot be unjailed',
    });
    expect(applyUnjail(net, {}, { scenario, now: NOW + 600_000, signer: voter })).toBeUndefined();
    expect(applyUnjail(net, {}, { scenario, now: NOW + 600_001, signer: voter })).toMatchObject({ code: 5 });
  });

  it('collateral: a withdrawal unbonds until completion_epoch, then returns to the account', () => {
    const net = network();
    net.collateral[voter] = 500;
    expect(applyWithdraw(net, 600, { scenario, now: NOW, signer: voter })).toMatchObject({ code: 1101 });
    expect(applyWithdraw(net, 200, { scenario, now: NOW, signer: voter })).toBeUndefined();
    expect(net).toMatchObject({ collateral: { [voter]: 300 }, unbonding: [{ participant: voter, amount: 200, completion_epoch: 11 }] });
    releaseUnbonded(net, scenario, NOW + 50_000);
    expect(net.accounts[voter]).toBeUndefined();
    releaseUnbonded(net, scenario, NOW + 100_000);
    expect(net).toMatchObject({ accounts: { [voter]: { spendable: 200 } }, unbonding: [] });
  });
});
