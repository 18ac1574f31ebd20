import { chainQuery, type ChainAnswer, type ChainQuery } from '../../lib/facts/builtin/chain-query.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { accountAddress } from '../../lib/gonka/account-address.js';
import { apiChainQuery } from '../../lib/gonka/api-chain-query.js';
import { fundingShortfall, gasPriceFromParams, ngonkaPerGas, spendableFromBalances } from '../../lib/gonka/chain-fees.js';
import { coldKeySigner } from '../../lib/gonka/cold-signer.js';
import { coldKeyName } from '../../lib/gonka/key-names.js';
import { COLD_KEY_PLANNED, keyPlanned } from '../../lib/gonka/key-planning.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import { chainTxModule } from '../../lib/gonka/modules/chain-tx.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import {
  choiceTx,
  choiceWords,
  currentEpochOf,
  missingChoiceMessage,
  planParticipation,
  pocChainParams,
  stepWords,
  storedChoices,
  type ModelStep,
} from '../../lib/gonka/poc-participation.js';
import { REFUSE } from '../../lib/gonka/poc-choice.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { ParticipationVars } from './vars.js';

/** The gas limit of one delegation or refusal: fixed, so the cold account's check knows the fee before sending. */
export const CHOICE_GAS = 300_000;

type SendStep = Extract<ModelStep, { action: 'send' }>;

/** What the role reads on the network node (the api container's CLI, against its own chain node). */
const queries = (v: ParticipationVars, address: string) => ({
  params: apiChainQuery(v.gonka, ['inference', 'params']),
  epoch: apiChainQuery(v.gonka, ['inference', 'get-current-epoch']),
  stored: apiChainQuery(v.gonka, ['inference', 'poc-delegation', address]),
});

/** The facts the task reads in the play's batch: the chain's PoC models, the epoch, the account's stored choices. */
export const participationFacts = (v: ParticipationVars): FactRequest[] =>
  v.account_pubkey === undefined ? [] : Object.values(queries(v, accountAddress(v.account_pubkey))).map((q) => request(chainQuery, q));

/** The models the participant serves: every ML node of its node-config.json (this server's and its ML servers'). */
const servedModels = (v: ParticipationVars): Set<string> => new Set(v.gonka.node_config.map((e) => e.model));

const failed = (msg: string, changed = false): ModuleResult => ({ changed, failed: true, msg });

/** A chain query through the fact store: declared ones come from the play's batch, others are read now. */
const readChain = async (ctx: ModuleContext, q: ChainQuery): Promise<ChainAnswer> => ctx.facts.read(chainQuery, q);

/** A delegate must be a participant on chain: a delegation to anyone else counts as not participating. */
const unknownDelegates = async (ctx: ModuleContext, v: ParticipationVars, sends: SendStep[]): Promise<string | undefined> => {
  const delegates = [...new Set(sends.filter((s) => s.choice !== REFUSE).map((s) => s.choice))];
  const answers = await Promise.all(delegates.map((d) => readChain(ctx, apiChainQuery(v.gonka, ['inference', 'show-participant', d]))));
  const unknown = delegates.filter((_, i) => answers[i].rc !== 0);
  if (unknown.length === 0) return undefined;
  const models = (d: string) => sends.filter((s) => s.choice === d).map((s) => s.model_id);
  return unknown
    .map(
      (d) =>
        `poc_participation: ${d} (for ${models(d).join(', ')}) is not a participant on chain: a delegation to it counts as not participating. ` +
        'Name a participant that serves the model, or refuse',
    )
    .join('; ');
};

/** The cold account pays the fees of the choices it sends: stop, saying what to fund, when it cannot. */
const fundingProblem = async (ctx: ModuleContext, v: ParticipationVars, address: string, paramsJson: string, sends: number) => {
  const price = gasPriceFromParams(paramsJson);
  if (price === undefined) return { price };
  const balances = await readChain(ctx, apiChainQuery(v.gonka, ['bank', 'spendable-balances', address]));
  if (balances.rc !== 0) return { price, problem: `cannot read the spendable balance of ${address}: ${lastLines(balances.output, 3)}` };
  const required = Math.ceil(sends * CHOICE_GAS * ngonkaPerGas(price));
  return { price, problem: fundingShortfall({ address, spendable: spendableFromBalances(balances.output), required }) };
};

const summary = (steps: ModelStep[]): string =>
  steps.map((s) => (s.action === 'serve' ? `${s.model_id}: served` : `${s.model_id}: ${choiceWords(s.choice)}`)).join('; ');

const servedWords = (steps: ModelStep[]): string => {
  const served = steps.filter((s) => s.action === 'serve').map((s) => s.model_id);
  return served.length ? `; served: ${served.join(', ')}` : '';
};

/** Send one choice where the cold key lives, then wait for the network node's chain to show it. */
const send = async (
  ctx: ModuleContext,
  signerCtx: ModuleContext,
  v: ParticipationVars,
  step: SendStep,
  storedQuery: ChainQuery,
  address: string,
  price?: string,
) => {
  const signer = coldKeySigner(v);
  if (!v.gonka_keyring_password) return 'the keyring password is missing: set keyring_password or keyring_password_file';
  const sent = await signerCtx.call(chainTxModule, {
    tx: choiceTx(step.model_id, step.choice),
    description: `${choiceWords(step.choice)} for PoC model ${step.model_id}, from ${coldKeyName(v)} ${signer.where}`,
    from: coldKeyName(v),
    inferenced: signer.inferenced,
    node: signer.node,
    chain_id: v.gonka.chain.chain_id,
    gas: CHOICE_GAS,
    gas_prices: price,
    keyring_password: v.gonka_keyring_password,
  });
  if (sent.failed) return `${step.model_id}: ${sent.msg}`;
  const seen = await pollUntil(ctx, { timeout: v.participation_verify_timeout, interval: 2, refresh: [{ fact: chainQuery, arg: storedQuery }] }, async () => {
    const answer = await ctx.facts.read(chainQuery, storedQuery);
    const now = answer.rc === 0 ? storedChoices(answer.output, address).get(step.model_id) : undefined;
    const done = now !== undefined && (step.choice === REFUSE ? now.kind === 'refuse' : now.kind === 'delegate' && now.to === step.choice);
    return done ? { done: true } : { waiting: `waiting for query inference poc-delegation to show ${step.model_id}: ${choiceWords(step.choice)}` };
  });
  return seen ? undefined : `${step.model_id}: sent, but query inference poc-delegation does not show it after ${v.participation_verify_timeout} s`;
};

/**
 * For every live PoC model the participant does not serve, the operator's choice (poc_participation) recorded on chain
 * from the cold key and verified by query; a choice already on chain is not sent again. A live model without a
 * choice stops the run naming the variable: nop never leaves a model to the no-participation penalty silently.
 */
export const recordChoices = async (ctx: ModuleContext, v: ParticipationVars): Promise<ModuleResult> => {
  if (v.account_pubkey === undefined) {
    if (keyPlanned(ctx, COLD_KEY_PLANNED))
      return { changed: true, msg: 'would record the PoC participation choices of the cold key the keys role would create' };
    return failed("variable 'account_pubkey' is missing: run the keys role first");
  }
  const address = accountAddress(v.account_pubkey);
  const q = queries(v, address);
  const [params, epoch, stored] = await Promise.all([q.params, q.epoch, q.stored].map((x) => readChain(ctx, x)));
  const broken = [params, epoch, stored].find((a) => a.rc !== 0);
  if (broken) {
    const why = `cannot read the chain's PoC models in the api container: ${lastLines(broken.output, 3)}`;
    return ctx.check ? { changed: false, skipped: true, msg: `${why} (the deploy role starts the api)` } : failed(why);
  }
  let chain: ReturnType<typeof pocChainParams>;
  let now: number;
  let onChain: ReturnType<typeof storedChoices>;
  try {
    chain = pocChainParams(params.output);
    now = currentEpochOf(epoch.output);
    onChain = storedChoices(stored.output, address);
  } catch (err) {
    return failed(`the chain's PoC models or ${address}'s choices could not be read: ${(err as Error).message}`);
  }
  const plan = planParticipation({ models: chain.models, served: servedModels(v), choices: v.poc_participation, stored: onChain, self: address });
  if (plan.invalid.length) return failed(`poc_participation: ${plan.invalid.join('; ')}`);
  if (plan.missing.length) return failed(missingChoiceMessage(plan.missing, now, chain.noParticipationPenalty));
  const ignored = plan.unused.length ? ` (not live PoC models, ignored: ${plan.unused.join(', ')})` : '';
  const sends = plan.steps.filter((s): s is SendStep => s.action === 'send');
  const result = { poc_participation_steps: plan.steps };
  if (sends.length === 0) return { changed: false, msg: `on chain already: ${summary(plan.steps)}${ignored}`, ...result };
  const unknown = await unknownDelegates(ctx, v, sends);
  if (unknown) return failed(unknown);
  const funding = await fundingProblem(ctx, v, address, params.output, sends.length);
  if (funding.problem) return failed(funding.problem);
  if (ctx.check) return { changed: true, msg: `would record ${sends.map(stepWords).join('; ')}${servedWords(plan.steps)}${ignored}`, ...result };
  const signer = coldKeySigner(v);
  const signerCtx = signer.host ? await ctx.onHost(signer.host) : ctx;
  const done: SendStep[] = [];
  for (const step of sends) {
    const problem = await send(ctx, signerCtx, v, step, q.stored, address, funding.price);
    if (problem) {
      const before = done.length ? ` (recorded before it: ${done.map((s) => s.model_id).join(', ')})` : '';
      return failed(`${problem}${before}`, done.length > 0);
    }
    done.push(step);
  }
  return { changed: true, msg: `recorded ${sends.map(stepWords).join('; ')}${servedWords(plan.steps)}${ignored}`, ...result };
};
