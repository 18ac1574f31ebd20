import type { KeyInfo } from '../../lib/gonka/key-record.js';
import { keyringCommand, type Keyring } from '../../lib/gonka/keyring.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { mnemonicFile, storeMnemonic, type MnemonicFileState } from './mnemonic-file.js';

/** A cold key in its keyring, and where its mnemonic (the key's only backup) belongs. */
export interface ColdKey {
  ctx: ModuleContext;
  kr: Keyring;
  name: string;
  key: KeyInfo;
  mnemonicFile: string;
}

export const KEPT_BY_OPERATOR = 'cold_mnemonic_kept_by_operator';

const which = (c: ColdKey) => `cold key '${c.name}' (${c.key.address})`;
const where = (c: ColdKey) => `${c.kr.home} on ${c.ctx.hostname}`;

const waysOut = (c: ColdKey) =>
  `Either store its mnemonic in ${c.mnemonicFile} (mode 0600) — if you have none, delete the key while nothing depends on it ` +
  `(on ${c.ctx.hostname}: ${keyringCommand(c.kr, ['keys', 'delete', c.name, '--yes'])}) and re-run, so a new key is created with its ` +
  `mnemonic stored — or, if you keep this key's backup yourself, set ${KEPT_BY_OPERATOR}: true.`;

/**
 * Stores a key created in this run: it does not count as created until its mnemonic is stored. Returns why it
 * could not be (the key then exists without a backup, and the next run stops at `existingKeyBackup`).
 */
export const storeNewKeyBackup = async (c: ColdKey, mnemonic: string | undefined): Promise<string | undefined> => {
  const created = `${which(c)} was created in ${where(c)}, but`;
  if (mnemonic === undefined) return `${created} inferenced printed no mnemonic, so its only backup could not be stored. ${waysOut(c)}`;
  try {
    await storeMnemonic(c.ctx, c.mnemonicFile, mnemonic);
    return undefined;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return `${created} storing its mnemonic in ${c.mnemonicFile} failed (${why}). The mnemonic was the key's only backup and is kept nowhere else, so the node must not use this key. ${waysOut(c)}`;
  }
};

const FILE_IS: Record<Exclude<MnemonicFileState, 'stored'>, string> = {
  missing: 'does not exist',
  empty: 'is empty',
  'not a regular file': 'is not a regular file',
  'readable by others': 'is readable by others',
};

/** An existing key is used only when its mnemonic is stored (0600) or the operator keeps it; otherwise, why not. */
export const existingKeyBackup = async (c: ColdKey, keptByOperator: boolean): Promise<string | undefined> => {
  if (keptByOperator) return undefined;
  const state = await c.ctx.facts.read(mnemonicFile, c.mnemonicFile);
  if (state === 'stored') return undefined;
  if (state === 'readable by others')
    return `the mnemonic of ${which(c)}, ${c.mnemonicFile}, is readable by others: chmod 600 it, or copy it offline, delete it and set ${KEPT_BY_OPERATOR}: true.`;
  return `${which(c)} is in ${where(c)}, but its mnemonic, the key's only backup, is not stored: ${c.mnemonicFile} ${FILE_IS[state]}. ${waysOut(c)}`;
};
