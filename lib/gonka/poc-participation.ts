import { z } from 'zod';
import { DecimalSchema } from './model-ranking.js';
import { pocChoiceProblem, REFUSE } from './poc-choice.js';

/**
 * Multi-model PoC participation (reference edition 2, operations §1): per live PoC model a participant serves it
 * (commits PoC: no transaction), delegates it to another participant, refuses it, or does nothing, which costs
 * `no_participation_penalty` (0.15) of its weight per epoch once the model's `penalty_start_epoch` is reached. The
 * operator's choice for the models a server does not serve is `poc_participation`; nop never picks one for them.
 */

/** The key of `poc_participation` that applies to every live model the map does not name. */
export const ANY_MODEL = '*';

const ChoiceSchema = z.string().superRefine((value, ctx) => {
  const problem = pocChoiceProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `'${value}' ${problem}` });
});

/** `refuse` or a delegate's address for every model not served, or a map model_id (or `*`) → choice. */
export const PocParticipationSchema = z.union([ChoiceSchema, z.record(z.string().min(1), ChoiceSchema)]);
export type PocParticipation = z.output<typeof PocParticipationSchema>;

export interface PocModel {
  model_id: string;
  penalty_start_epoch: number;
}

export interface PocChainParams {
  models: PocModel[];
  /** the share of a model's weight lost per epoch by doing nothing (delegation_params.no_participation_penalty) */
  noParticipationPenalty: number | undefined;
  refusalPenalty: number | undefined;
}

const ParamsSchema = z.looseObject({
  params: z.looseObject({
    poc_params: z.looseObject({
      models: z.array(z.looseObject({ model_id: z.string().min(1), penalty_start_epoch: z.coerce.number().int().nonnegative().default(0) })),
    }),
    delegation_params: z.looseObject({ no_participation_penalty: DecimalSchema.optional(), refusal_penalty: DecimalSchema.optional() }).optional(),
  }),
});

/** The live PoC models and penalties of `query inference params -o json`; throws on output that is not its JSON. */
export const pocChainParams = (paramsJson: string): PocChainParams => {
  const p = ParamsSchema.parse(JSON.parse(paramsJson)).params;
  return {
    models: p.poc_params.models.map((m) => ({ model_id: m.model_id, penalty_start_epoch: m.penalty_start_epoch })),
    noParticipationPenalty: p.delegation_params?.no_participation_penalty,
    refusalPenalty: p.delegation_params?.refusal_penalty,
  };
};

/** The epoch of `query inference get-current-epoch -o json`. */
export const currentEpochOf = (json: string): number => z.looseObject({ epoch: z.coerce.number().int().nonnegative() }).parse(JSON.parse(json)).epoch;

/** A participant's stored choice for one model, as `query inference poc-delegation ADDR` shows it. */
export type StoredChoice = { kind: 'delegate'; to: string } | { kind: 'refuse' } | { kind: 'intent' };

const RecordsSchema = z.looseObject({
  delegations: z.array(z.looseObject({ model_id: z.string(), delegator: z.string(), delegate_to: z.string() })).default([]),
  refusals: z.array(z.looseObject({ model_id: z.string(), participant: z.string() })).default([]),
  intents: z.array(z.looseObject({ model_id: z.string(), participant: z.string() })).default([]),
});

/** The stored choice per model of `address` (one per model: a new one replaces the old). */
export const storedChoices = (json: string, address: string): Map<string, StoredChoice> => {
  const r = RecordsSchema.parse(JSON.parse(json));
  const out = new Map<string, StoredChoice>();
  for (const i of r.intents) if (i.participant === address) out.set(i.model_id, { kind: 'intent' });
  for (const x of r.refusals) if (x.participant === address) out.set(x.model_id, { kind: 'refuse' });
  for (const d of r.delegations) if (d.delegator === address) out.set(d.model_id, { kind: 'delegate', to: d.delegate_to });
  return out;
};

/** The operator's choice for one model: its own entry, else `*`, else the single choice for all. */
export const choiceFor = (choices: PocParticipation, model: string): string | undefined =>
  typeof choices === 'string' ? choices : (choices[model] ?? choices[ANY_MODEL]);

const matches = (stored: StoredChoice | undefined, choice: string): boolean =>
  stored !== undefined && (choice === REFUSE ? stored.kind === 'refuse' : stored.kind === 'delegate' && stored.to === choice);

export type ModelStep =
  | { model_id: string; action: 'serve' }
  | { model_id: string; action: 'keep'; choice: string }
  | { model_id: string; action: 'send'; choice: string; was: StoredChoice | undefined };

export interface ParticipationPlan {
  steps: ModelStep[];
  /** live models neither served nor given a choice: the run stops naming them */
  missing: PocModel[];
  /** choices nop will not send, with why (a delegation to the participant itself) */
  invalid: string[];
  /** entries of the map for models that are not live PoC models (retired, or a typo): said, never sent */
  unused: string[];
}

/**
 * What to send for which chain state: nothing for a served model (committing PoC overrides any stored choice) nor for
 * a choice already on chain; the choice otherwise, replacing whatever is stored.
 */
export const planParticipation = (input: {
  models: PocModel[];
  served: ReadonlySet<string>;
  choices: PocParticipation;
  stored: ReadonlyMap<string, StoredChoice>;
  self: string;
}): ParticipationPlan => {
  const plan: ParticipationPlan = { steps: [], missing: [], invalid: [], unused: [] };
  for (const m of input.models) {
    if (input.served.has(m.model_id)) {
      plan.steps.push({ model_id: m.model_id, action: 'serve' });
      continue;
    }
    const choice = choiceFor(input.choices, m.model_id);
    if (choice === undefined) plan.missing.push(m);
    else if (choice === input.self) plan.invalid.push(`${m.model_id}: ${choice} is this participant itself; a participant cannot delegate to itself`);
    else if (matches(input.stored.get(m.model_id), choice)) plan.steps.push({ model_id: m.model_id, action: 'keep', choice });
    else plan.steps.push({ model_id: m.model_id, action: 'send', choice, was: input.stored.get(m.model_id) });
  }
  const live = new Set(input.models.map((m) => m.model_id));
  if (typeof input.choices !== 'string') plan.unused = Object.keys(input.choices).filter((k) => k !== ANY_MODEL && !live.has(k));
  return plan;
};

/** The `inferenced tx` arguments recording a choice (reference: interfaces, "Multi-model PoC"). */
export const choiceTx = (model: string, choice: string): string[] =>
  choice === REFUSE ? ['inference', 'refuse-poc-delegation', model] : ['inference', 'set-poc-delegation', model, choice];

/** A choice in words: "refuse" / "delegate to gonka1…". */
export const choiceWords = (choice: string): string => (choice === REFUSE ? 'refuse' : `delegate to ${choice}`);

const storedWords = (s: StoredChoice | undefined): string =>
  s === undefined ? 'nothing' : s.kind === 'delegate' ? `delegated to ${s.to}` : s.kind === 'refuse' ? 'refused' : 'intent declared';

/** One send step in words, with what it replaces. */
export const stepWords = (s: Extract<ModelStep, { action: 'send' }>): string => `${s.model_id}: ${choiceWords(s.choice)} (on chain: ${storedWords(s.was)})`;

/** Why the run stops for models without a choice: the variable, the penalty and how to set it. */
export const missingChoiceMessage = (missing: PocModel[], epoch: number, penalty: number | undefined): string => {
  const cost = `${penalty ?? 0.15} of the model's weight per epoch`;
  const list = missing
    .map(
      (m) =>
        `${m.model_id} (${epoch >= m.penalty_start_epoch ? `penalty since epoch ${m.penalty_start_epoch}` : `penalty from epoch ${m.penalty_start_epoch}`})`,
    )
    .join(', ');
  return (
    `variable 'poc_participation' has no choice for the live PoC model(s) this server does not serve: ${list}; doing nothing costs ${cost}. ` +
    `Set poc_participation: {"MODEL": refuse | gonka1… (a participant to delegate to)}, or "*" for every model not named`
  );
};
