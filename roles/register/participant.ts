import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { compose } from '../../lib/gonka/deployment-compose.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import { hostRequest } from '../../lib/gonka/host-request.js';
import { sleep } from '../../lib/gonka/poll.js';
import { accountAddress } from '../../lib/gonka/account-address.js';
import { COLD_KEY_PLANNED, keyPlanned } from '../../lib/gonka/key-planning.js';
import type { RegisterVars } from './vars.js';

const participantUrl = (v: RegisterVars, address: string): string => `http://127.0.0.1:${v.gonka.ports.api}/v1/participants/${address}`;

/** 200: on chain; 404: not registered; anything else: the API cannot tell (not running). */
const participantStatus = async (ctx: ModuleContext, v: RegisterVars, address: string): Promise<number> =>
  (await hostRequest(ctx, participantUrl(v, address))).status;

const visibleWithin = async (ctx: ModuleContext, v: RegisterVars, address: string): Promise<boolean> => {
  const deadline = Date.now() + v.register_verify_timeout * 1000;
  for (;;) {
    if ((await participantStatus(ctx, v, address)) === 200) return true;
    if (Date.now() >= deadline) return false;
    ctx.progress(`waiting for participant ${address} to show on chain`);
    await sleep(2);
  }
};

/**
 * The participant on chain: register-new-participant (inside the api container, which holds no cold key: the
 * command sends only public keys) with this validator's consensus key, then verified through the API.
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
  const status = await participantStatus(ctx, v, address);
  if (status === 200) return { changed: false, msg: `participant ${address} is registered`, participant_address: address };
  if (ctx.check) return { changed: true, msg: `would register participant ${address} (${v.gonka.env.PUBLIC_URL})`, participant_address: address };
  if (status !== 404)
    return {
      changed: false,
      failed: true,
      msg: `the public API (127.0.0.1:${v.gonka.ports.api}) answered ${status} for /v1/participants/${address}: is the proxy running (deploy role)?`,
    };
  if (!v.consensus_key) return { changed: false, failed: true, msg: 'consensus_key is missing: the deploy role reads it back from tmkms' };
  const e = v.gonka.env;
  const res = await compose(ctx, v.gonka, NETWORK_COMPOSE, [
    'exec',
    '-T',
    'api',
    'inferenced',
    'register-new-participant',
    e.PUBLIC_URL,
    v.account_pubkey,
    '--node-address',
    e.SEED_API_URL,
    '--consensus-key',
    v.consensus_key,
  ]);
  if (res.code !== 0) {
    // the CLI prints its progress on stdout and the seed's answer (the reason) on stderr
    return { changed: false, failed: true, msg: `registration of ${address} was refused: ${lastLines(res.stderr, 3) || lastLines(res.stdout, 3)}` };
  }
  if (!(await visibleWithin(ctx, v, address))) {
    return { changed: true, failed: true, msg: `registered ${address}, but /v1/participants/${address} does not show it after ${v.register_verify_timeout} s` };
  }
  return { changed: true, msg: `registered participant ${address} with consensus key ${v.consensus_key}`, participant_address: address };
};
