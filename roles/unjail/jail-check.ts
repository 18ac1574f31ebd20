import { chainQuery } from '../../lib/facts/builtin/chain-query.js';
import { httpGet, type HttpGet } from '../../lib/facts/builtin/http.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { answerJson, operatorOf, operatorQuery, readChain } from '../../lib/gonka/operator-account.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { OPERATOR_REPORT } from '../../lib/runner/operator-report.js';
import { jailVerdict } from './jail-cause.js';
import type { UnjailVars } from './vars.js';

const validatorsQuery = (v: UnjailVars) => operatorQuery(v, ['staking', 'delegator-validators', operatorOf(v).address]);
const participantQuery = (v: UnjailVars) => operatorQuery(v, ['inference', 'show-participant', operatorOf(v).address]);
const statusRequest = (v: UnjailVars): HttpGet => ({ url: `${v.gonka_rpc_url.replace(/\/+$/, '')}/status`, timeout: 10 });

export const jailFacts = (v: UnjailVars): FactRequest[] =>
  v.gonka_operator ? [request(chainQuery, validatorsQuery(v)), request(chainQuery, participantQuery(v)), request(httpGet, statusRequest(v))] : [];

const rec = (x: unknown): Record<string, unknown> => (x && typeof x === 'object' ? (x as Record<string, unknown>) : {});

// An address and its valoper share the bech32 data part.
const dataPart = (a: string): string => a.slice(a.lastIndexOf('1') + 1, -6);

/** The account's own validator in `query staking delegator-validators`; Amino JSON leaves `jailed: false` out. */
export const ownValidator = (json: Record<string, unknown>, address: string): { jailed: boolean; consensusKey?: string } | undefined => {
  const list = Array.isArray(json.validators) ? json.validators.map(rec) : [];
  const own = list.find((x) => dataPart(String(x.operator_address ?? '')) === dataPart(address));
  if (!own) return undefined;
  const key = rec(own.consensus_pubkey).key;
  return { jailed: own.jailed === true || own.jailed === 'true', consensusKey: typeof key === 'string' ? key : undefined };
};

interface NodeStatus {
  catchingUp?: boolean;
  key?: string;
  time?: number;
}

const nodeStatus = (json: unknown): NodeStatus => {
  const result = rec(rec(json).result);
  const sync = rec(result.sync_info);
  const key = rec(rec(result.validator_info).pub_key).value;
  const time = typeof sync.latest_block_time === 'string' ? Date.parse(sync.latest_block_time) : Number.NaN;
  return {
    catchingUp: typeof sync.catching_up === 'boolean' ? sync.catching_up : undefined,
    key: typeof key === 'string' ? key : undefined,
    time: Number.isFinite(time) ? time : undefined,
  };
};

const signingInfo = async (ctx: ModuleContext, v: UnjailVars, consensusKey: string) => {
  const pubkey = JSON.stringify({ '@type': '/cosmos.crypto.ed25519.PubKey', key: consensusKey });
  const answer = await readChain(ctx, operatorQuery(v, ['slashing', 'signing-info', pubkey]), 'query slashing signing-info');
  if ('error' in answer) return {};
  const info = rec(answer.json.val_signing_info);
  const missed = Number(info.missed_blocks_counter ?? 0);
  return { missedBlocks: Number.isFinite(missed) ? missed : undefined, jailedUntil: typeof info.jailed_until === 'string' ? info.jailed_until : undefined };
};

/**
 * Read `jailed` first; when jailed, say why (the consensus key on chain against the one tmkms signs with, the missed
 * blocks, a node still catching up, the jail period) and refuse when an unjail would not hold. Publishes unjail_needed.
 */
export const checkJail = async (ctx: ModuleContext, v: UnjailVars): Promise<ModuleResult> => {
  const address = operatorOf(v).address;
  const validators = answerJson(await ctx.facts.read(chainQuery, validatorsQuery(v)), 'query staking delegator-validators');
  if ('error' in validators) return { changed: false, failed: true, msg: `${validators.error} (is the api container running?)` };
  const own = ownValidator(validators.json, address);
  if (!own) return { changed: false, failed: true, msg: `${address} has no validator of its own: is the participant registered (playbooks/setup.yml)?` };
  const participant = answerJson(await ctx.facts.read(chainQuery, participantQuery(v)), 'query inference show-participant');
  const chainKey = 'json' in participant ? String(rec(participant.json.participant).validator_key ?? '') || own.consensusKey : own.consensusKey;
  const status = await ctx.facts.read(httpGet, statusRequest(v));
  if (status.status !== 200)
    return {
      changed: false,
      failed: true,
      msg: `refused: the node's RPC ${statusRequest(v).url} does not answer (${status.status || 'no answer'}): start the node first`,
    };
  const node = nodeStatus(status.json);
  const info = own.jailed && chainKey ? await signingInfo(ctx, v, chainKey) : {};
  const verdict = jailVerdict({ jailed: own.jailed, chainKey, tmkmsKey: node.key, catchingUp: node.catchingUp, now: node.time ?? Date.now(), ...info });
  if (verdict.verdict === 'refuse') return { changed: false, failed: true, msg: `refused: ${verdict.reason}`, [OPERATOR_REPORT]: verdict.lines };
  const msg = verdict.verdict === 'unjail' ? `${address} is jailed: unjail it` : `${address} is not jailed`;
  return { changed: false, msg, [OPERATOR_REPORT]: verdict.lines, ansible_facts: { unjail_needed: verdict.verdict === 'unjail' } };
};

/** After the unjail: the validator's `jailed` read again until it is false. */
export const verifyUnjailed = async (ctx: ModuleContext, v: UnjailVars): Promise<ModuleResult> => {
  const address = operatorOf(v).address;
  const free = await pollUntil(ctx, { timeout: v.unjail_verify_timeout, interval: 2 }, async () => {
    const answer = await readChain(ctx, validatorsQuery(v), 'query staking delegator-validators');
    if ('error' in answer) return { waiting: answer.error };
    return ownValidator(answer.json, address)?.jailed === false ? { done: true } : { waiting: `waiting for ${address}'s validator to show jailed: false` };
  });
  if (!free)
    return { changed: false, failed: true, msg: `the unjail was sent, but ${address}'s validator still shows jailed after ${v.unjail_verify_timeout} s` };
  const msg = `${address}: jailed: false on chain`;
  return { changed: false, msg, [OPERATOR_REPORT]: [msg] };
};
