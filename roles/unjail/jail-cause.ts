/** What the chain and the server say about the validator, read before anything is sent. */
export interface JailEvidence {
  jailed: boolean;
  /** the consensus key the chain holds for the participant (show-participant's validator_key) */
  chainKey?: string | undefined;
  /** the key the node signs with through tmkms (its /status validator_info) */
  tmkmsKey?: string | undefined;
  /** signing info: blocks missed of the window, and until when the validator stays jailed */
  missedBlocks?: number | undefined;
  jailedUntil?: string | undefined;
  /** the node's /status catching_up; undefined when it did not answer */
  catchingUp?: boolean | undefined;
  /** the chain's time now (ms), to compare jailedUntil with */
  now: number;
}

export type JailVerdict =
  | { verdict: 'not_jailed'; lines: string[] }
  | { verdict: 'unjail'; lines: string[] }
  | { verdict: 'refuse'; lines: string[]; reason: string };

const SIGNED_BLOCKS_WINDOW = 100;

/**
 * Why the validator is jailed and whether unjailing now would hold (reference §8 and §7b): a consensus key that
 * differs between the chain and tmkms keeps every block unsigned (unjailing re-jails it: register the tmkms key
 * first); a node still catching up misses blocks again; before jailed_until the chain refuses MsgUnjail.
 */
export const jailVerdict = (e: JailEvidence): JailVerdict => {
  if (!e.jailed) return { verdict: 'not_jailed', lines: ['jailed: false: nothing to do'] };
  const lines = ['jailed: true'];
  if (e.missedBlocks !== undefined) lines.push(`missed ${e.missedBlocks} of the last ${SIGNED_BLOCKS_WINDOW} blocks (jailed below 50 signed)`);
  const mismatch = e.chainKey !== undefined && e.tmkmsKey !== undefined && e.chainKey !== e.tmkmsKey;
  if (e.tmkmsKey === undefined) {
    const reason =
      "the node's /status shows no validator key: tmkms is not signing; start tmkms (docker compose up -d tmkms) or register a new consensus key (reference §7b)";
    return { verdict: 'refuse', lines: [...lines, `cause: ${reason}`], reason };
  }
  if (mismatch) {
    const reason = `the consensus key on chain (${e.chainKey}) is not the one tmkms signs with (${e.tmkmsKey}): every block goes unsigned and an unjail would be jailed again; register the tmkms key first (reference §7b: tx inference submit-new-participant --validator-key)`;
    return { verdict: 'refuse', lines: [...lines, `cause: ${reason}`], reason };
  }
  lines.push(`consensus key on chain matches tmkms (${e.tmkmsKey})`);
  if (e.catchingUp === true) {
    const reason = 'the node is still catching up: it would miss blocks and be jailed again; wait until /status shows catching_up: false';
    return { verdict: 'refuse', lines: [...lines, `cause: ${reason}`], reason };
  }
  lines.push('cause: missed blocks while the node was down or lagging (network trouble, a restart, node lag); the node is synced now');
  const until = e.jailedUntil ? Date.parse(e.jailedUntil) : Number.NaN;
  if (Number.isFinite(until) && until > e.now) {
    const reason = `the jail period lasts until ${e.jailedUntil}: the chain refuses an unjail before then; run again after it`;
    return { verdict: 'refuse', lines: [...lines, reason], reason };
  }
  return { verdict: 'unjail', lines: [...lines, 'unjail from the cold key'] };
};
