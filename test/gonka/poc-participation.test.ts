import { describe, expect, it } from 'vitest';
import {
  choiceTx,
  currentEpochOf,
  missingChoiceMessage,
  planParticipation,
  pocChainParams,
  PocParticipationSchema,
  storedChoices,
  type StoredChoice,
} from '../../lib/gonka/poc-participation.js';
import { PROMPT_VALIDATORS } from '../../lib/runner/prompt-validators.js';
import { DEFAULT_CHAIN, paramsJson } from '../../sim/gonka/chain-params.mjs';
import { DEFAULT_SCENARIO } from '../../sim/gonka/scenario.mjs';

const SELF = 'gonka1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq';
const PEER = 'gonka1zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz';
const OTHER = 'gonka1pppppppppppppppppppppppppppppppppppppp';
const MINIMAX = 'MiniMaxAI/MiniMax-M2.7';
const DEEPSEEK = 'deepseek-ai/DeepSeek-V4-Flash-0731';
const GLM = 'zai-org/GLM-5.3-Flash';
const MODELS = [
  { model_id: MINIMAX, penalty_start_epoch: 278 },
  { model_id: DEEPSEEK, penalty_start_epoch: 360 },
  { model_id: GLM, penalty_start_epoch: 394 },
];

const plan = (choices: unknown, stored: [string, StoredChoice][] = [], served = [MINIMAX]) =>
  planParticipation({ models: MODELS, served: new Set(served), choices: PocParticipationSchema.parse(choices), stored: new Map(stored), self: SELF });

const actions = (p: ReturnType<typeof plan>) => p.steps.map((s) => [s.model_id, s.action]);

describe('what to send for which chain state', () => {
  it('nothing on chain: one tx per model not served, none for the served one', () => {
    const p = plan({ [DEEPSEEK]: PEER, [GLM]: 'refuse' });
    expect(actions(p)).toEqual([
      [MINIMAX, 'serve'],
      [DEEPSEEK, 'send'],
      [GLM, 'send'],
    ]);
    expect(p.missing).toEqual([]);
  });

  it('the same choices on chain: nothing is sent again', () => {
    const p = plan({ [DEEPSEEK]: PEER, [GLM]: 'refuse' }, [
      [DEEPSEEK, { kind: 'delegate', to: PEER }],
      [GLM, { kind: 'refuse' }],
    ]);
    expect(actions(p)).toEqual([
      [MINIMAX, 'serve'],
      [DEEPSEEK, 'keep'],
      [GLM, 'keep'],
    ]);
  });

  it('a changed choice is sent: another delegate, a refusal becoming a delegation, an intent replaced', () => {
    const p = plan({ [DEEPSEEK]: OTHER, [GLM]: PEER }, [
      [DEEPSEEK, { kind: 'delegate', to: PEER }],
      [GLM, { kind: 'refuse' }],
    ]);
    expect(p.steps.filter((s) => s.action === 'send').map((s) => [s.model_id, 'choice' in s && s.choice])).toEqual([
      [DEEPSEEK, OTHER],
      [GLM, PEER],
    ]);
    expect(actions(plan('refuse', [[GLM, { kind: 'intent' }]]))).toContainEqual([GLM, 'send']);
  });

  it('a served model needs nothing, whatever is stored for it (committing PoC overrides a stored choice)', () => {
    expect(actions(plan('refuse', [[MINIMAX, { kind: 'refuse' }]], [MINIMAX, GLM]))).toEqual([
      [MINIMAX, 'serve'],
      [DEEPSEEK, 'send'],
      [GLM, 'serve'],
    ]);
  });

  it('one value applies to every model not served; "*" to every model the map does not name', () => {
    expect(plan('refuse').steps.filter((s) => s.action === 'send')).toHaveLength(2);
    const p = plan({ [DEEPSEEK]: PEER, '*': 'refuse' });
    expect(p.steps.map((s) => ('choice' in s ? s.choice : 'serve'))).toEqual(['serve', PEER, 'refuse']);
  });

  it('a model without a choice is missing (never silently the penalty); map entries of models not live are unused', () => {
    const p = plan({ [DEEPSEEK]: PEER, 'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8': 'refuse' });
    expect(p.missing.map((m) => m.model_id)).toEqual([GLM]);
    expect(p.unused).toEqual(['Qwen/Qwen3-235B-A22B-Instruct-2507-FP8']);
    const msg = missingChoiceMessage(p.missing, 400, 0.15);
    expect(msg).toContain("variable 'poc_participation'");
    expect(msg).toContain(`${GLM} (penalty since epoch 394)`);
    expect(msg).toContain('0.15');
    expect(missingChoiceMessage(p.missing, 390, 0.15)).toContain('penalty from epoch 394');
  });

  it('delegating to the participant itself is refused before anything is sent', () => {
    expect(plan({ '*': SELF }).invalid).toHaveLength(2);
  });

  it('the tx for a choice', () => {
    expect(choiceTx(GLM, 'refuse')).toEqual(['inference', 'refuse-poc-delegation', GLM]);
    expect(choiceTx(GLM, PEER)).toEqual(['inference', 'set-poc-delegation', GLM, PEER]);
  });
});

describe('poc_participation values', () => {
  it('refuse or a gonka1 address, alone or per model; anything else names what it must be', () => {
    expect(PocParticipationSchema.safeParse('refuse').success).toBe(true);
    expect(PocParticipationSchema.safeParse({ [GLM]: PEER, '*': 'refuse' }).success).toBe(true);
    for (const bad of ['delegate', 'gonka1short', { [GLM]: 'nothing' }]) expect(PocParticipationSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(PROMPT_VALIDATORS.poc_choice.problem('maybe')).toMatch(/refuse or the gonka1… address/);
    expect(PROMPT_VALIDATORS.poc_choice.problem(PEER)).toBeUndefined();
  });
});

describe("the chain's answers", () => {
  it("the live models, penalty epochs and penalties of the simulator's params (edition 2)", () => {
    const p = pocChainParams(JSON.stringify(paramsJson(DEFAULT_CHAIN, DEFAULT_SCENARIO.epoch)));
    expect(p.models).toEqual(MODELS);
    expect(p.noParticipationPenalty).toBeCloseTo(0.15);
    expect(p.refusalPenalty).toBeCloseTo(0.1);
    expect(currentEpochOf('{"epoch":"422"}')).toBe(422);
  });

  it("the stored choices of one participant, one per model; other participants' records are not its own", () => {
    const json = JSON.stringify({
      delegations: [
        { model_id: DEEPSEEK, delegator: SELF, delegate_to: PEER },
        { model_id: GLM, delegator: OTHER, delegate_to: PEER },
      ],
      refusals: [{ model_id: GLM, participant: SELF }],
      intents: [],
    });
    expect([...storedChoices(json, SELF)]).toEqual([
      [GLM, { kind: 'refuse' }],
      [DEEPSEEK, { kind: 'delegate', to: PEER }],
    ]);
  });
});
