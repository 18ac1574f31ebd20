import type { RecoverKeysVars } from './vars.js';

/** What the server, tmkms and the chain say about the keys, read before anything changes. */
export interface KeyEvidence {
  warm: { name: string; present: boolean; address?: string };
  /** quick workflow: the cold key in the same keyring (undefined in the secure workflow: it lives on the cold signer) */
  cold?: { name: string; present: boolean };
  /** the consensus key in tmkms's key file; undefined when the file is gone */
  tmkmsKey?: string;
  /** the participant's validator_key on chain */
  chainKey: string;
}

export type KeyVerdict =
  | { verdict: 'recover'; warm: boolean; consensus: 'lost' | 'reset' | ''; lines: string[] }
  | { verdict: 'refuse'; reason: string; lines: string[] };

/**
 * Which key is lost (reference §7): the warm key when the api keyring holds no key of its name (7a: recreate it,
 * re-grant from the cold key); the consensus key when tmkms has none (lost: restarting tmkms generates one) or one
 * the chain does not know (reset, e.g. a reinstalled .tmkms) (7b: register tmkms's key). Neither lost: refuse, so a
 * run never re-keys a healthy node. A quick-workflow keyring without the cold key cannot grant: refuse, saying so.
 */
export const lostKeys = (e: KeyEvidence): KeyVerdict => {
  const lines: string[] = [];
  if (e.warm.present) lines.push(`warm key '${e.warm.name}' (${e.warm.address ?? '?'}) is in the api keyring`);
  else lines.push(`warm key '${e.warm.name}' is missing from the api keyring: recreate it and re-grant ML permissions from the cold key (reference §7a)`);
  const consensus = e.tmkmsKey === undefined ? 'lost' : e.tmkmsKey !== e.chainKey ? 'reset' : '';
  if (consensus === 'lost')
    lines.push(
      `tmkms holds no consensus key (.tmkms/secrets/priv_validator_key.softsign is gone; the chain has ${e.chainKey || 'none'}): restart tmkms to generate one and register it (reference §7b)`,
    );
  else if (consensus === 'reset') lines.push(`tmkms signs with ${e.tmkmsKey}, the chain knows ${e.chainKey || 'none'}: register tmkms's key (reference §7b)`);
  else lines.push(`the consensus key on chain is the one tmkms holds (${e.tmkmsKey})`);
  const warmLost = !e.warm.present;
  if (!warmLost && consensus === '') {
    const reason = 'nothing is lost: the warm key is in the keyring and the consensus key on chain is the one tmkms holds; nothing to recover';
    return { verdict: 'refuse', reason, lines };
  }
  if (warmLost && e.cold && !e.cold.present) {
    const reason = `the cold key '${e.cold.name}' is gone from the server keyring too, so it cannot grant the new warm key: restore it from its mnemonic first (inferenced keys add ${e.cold.name} --recover --keyring-backend file)`;
    return { verdict: 'refuse', reason, lines: [...lines, reason] };
  }
  return { verdict: 'recover', warm: warmLost, consensus, lines };
};

/** Gas of grant-ml-ops-permissions (~20 authz grants and the fee grant in one tx; the register role's bound). */
export const GRANT_GAS = 2_000_000;
/** Gas of MsgSubmitNewParticipant. */
export const SUBMIT_GAS = 200_000;
/** The fee the recovery costs the cold account: the grant and/or the registration, plus a reserve for the warm key's fees. */
export const recoveryCost = (v: Pick<RecoverKeysVars, 'recover_warm_lost' | 'recover_consensus' | 'recover_fee_reserve_ngonka'>) => ({
  gas: (v.recover_warm_lost ? GRANT_GAS : 0) + (v.recover_consensus ? SUBMIT_GAS : 0),
  extra: v.recover_warm_lost ? v.recover_fee_reserve_ngonka : 0,
});
