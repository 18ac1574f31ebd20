import { chainQuery } from '../../lib/facts/builtin/chain-query.js';
import { httpGet, type HttpGet } from '../../lib/facts/builtin/http.js';
import { request, type FactRef, type FactRequest } from '../../lib/facts/fact.js';
import { accountAddress } from '../../lib/gonka/account-address.js';
import { networkProject } from '../../lib/gonka/deployment-project.js';
import { inferencedScript } from '../../lib/gonka/inferenced-command.js';
import { COLD_KEY_PLANNED, keyPlanned } from '../../lib/gonka/key-planning.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { RegisterVars } from './vars.js';

/** The participant of the cold account as the public API shows it: 200 registered, 404 not (yet). */
const participantRequest = (v: RegisterVars, address: string): HttpGet => ({
  url: `http://127.0.0.1:${v.gonka.ports.api}/v1/participants/${address}`,
  timeout: 10,
});

/** What the task reads: the participant, once the cold key's public key is known. */
export const participantFacts = (v: RegisterVars): FactRequest[] =>
  v.account_pubkey === undefined ? [] : [request(httpGet, participantRequest(v, accountAddress(v.account_pubkey)))];

/**
 * A registration changes what the chain answers (the participant's own GET is read again right after it); the
 * runner invalidates these after every run of the task, so naming less keeps a no-change play at one round trip.
 */
export const registrationChanges: FactRef[] = [{ fact: chainQuery }];

// inside the api container, which holds no cold key: the command sends only public keys, to the seed's API
const registerScript = (v: RegisterVars, pubkey: string, consensusKey: string): string =>
  inferencedScript({ ...networkProject(v.gonka), service: 'api' }, [
    'register-new-participant',
    v.gonka.env.PUBLIC_URL,
    pubkey,
    '--node-address',
    v.gonka.env.SEED_API_URL,
    '--consensus-key',
    consensusKey,
  ]);

const visibleWithin = (ctx: ModuleContext, v: RegisterVars, req: HttpGet): Promise<boolean | undefined> =>
  pollUntil(ctx, { timeout: v.register_verify_timeout, interval: 2, refresh: [{ fact: httpGet, arg: req }] }, async () =>
    (await ctx.facts.read(httpGet, req)).status === 200 ? { done: true } : { waiting: `waiting for ${req.url} to show the participant` },
  );

/**
 * The participant on chain: register-new-participant with this validator's consensus key, then verified through
 * the API.
 */
export const registerParticipant = async (ctx: ModuleContext, v: RegisterVars): Promise<ModuleResult> => {
  if (v.account_pubkey === undefined) {
    if (keyPlanned(ctx, COLD_KEY_PLANNED))
      return {
        changed: true,
        msg: `would register the participant of the cold key the keys role would create (${v.gonka.env.PUBLIC_URL}); its address is known after apply`,
      };
    return { changed: false, failed: true, msg: "variable 'account_pubkey' is missing: run the keys role first (it publishes the cold key's public key)" };
  }
  const address = accountAddress(v.account_pubkey);
  const req = participantRequest(v, address);
  const { status } = await ctx.facts.read(httpGet, req);
  if (status === 200) return { changed: false, msg: `participant ${address} is registered`, participant_address: address };
  if (ctx.check) return { changed: true, msg: `would register participant ${address} (${v.gonka.env.PUBLIC_URL})`, participant_address: address };
  if (status !== 404)
    return {
      changed: false,
      failed: true,
      msg: `the public API (127.0.0.1:${v.gonka.ports.api}) answered ${status} for /v1/participants/${address}: is the proxy running (deploy role)?`,
    };
  if (!v.consensus_key) return { changed: false, failed: true, msg: 'consensus_key is missing: the deploy role reads it back from tmkms' };
  const res = await ctx.exec(registerScript(v, v.account_pubkey, v.consensus_key));
  // the CLI prints its progress on stdout and the seed's answer (the reason) on stderr
  ctx.facts.invalidate([{ fact: httpGet, arg: req }]);
  if (res.code !== 0)
    return { changed: false, failed: true, msg: `registration of ${address} was refused: ${lastLines(res.stderr, 3) || lastLines(res.stdout, 3)}` };
  if (!(await visibleWithin(ctx, v, req)))
    return { changed: true, failed: true, msg: `registered ${address}, but /v1/participants/${address} does not show it after ${v.register_verify_timeout} s` };
  return { changed: true, msg: `registered participant ${address} with consensus key ${v.consensus_key}`, participant_address: address };
};
