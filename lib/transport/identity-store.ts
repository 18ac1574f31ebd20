import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** A private key as ssh2 parsed it (opaque here: ssh2 takes it back as it takes the file's bytes). */
export type ParsedIdentity = object;

/** ssh2's key parser, the one its client applies to a key given as bytes: passed in by the SSH transport. */
export type KeyParser = (data: Buffer) => ParsedIdentity | Error;

/**
 * The identity (private key) files of one run, each read and parsed once however many hosts the run connects to:
 * ssh2 parsed the file again for every connection (for an ed25519 key, deriving its public key each time). A file
 * that cannot be read is no identity (skipped, as OpenSSH does); one ssh2 cannot parse (encrypted, another format)
 * is handed over as its bytes, so ssh2 skips it exactly as it did before. Changes to a key file during the run are
 * seen only by the next run. The store loads no SSH code: the transport gives it ssh2's parser, the very module its
 * client uses (ssh2 knows a parsed key by a symbol of that module).
 */
export interface IdentityStore {
  /** the key of `file`, parsed where ssh2 can; undefined when the file cannot be read */
  key(file: string, parse: KeyParser): Promise<ParsedIdentity | Buffer | undefined>;
}

// ssh2 keeps a parsed key's private half as PEM text, which OpenSSL decodes again for every signature (one per
// connection). The key handed to ssh2 inherits from the parsed one with that text replaced by its decoded KeyObject,
// which node:crypto signs with as it does with PEM. Should a later ssh2 keep it otherwise, the parsed key goes as is.
const withDecodedPrivateHalf = (parsed: ParsedIdentity): ParsedIdentity => {
  const slots = Object.getOwnPropertySymbols(parsed).filter((s) => s.description === 'Private key PEM');
  const pem = slots.length === 1 ? (parsed as Record<symbol, unknown>)[slots[0]] : undefined;
  if (typeof pem !== 'string') return parsed;
  return Object.create(parsed, { [slots[0]]: { value: createPrivateKey(pem) } }) as ParsedIdentity;
};

const load = async (file: string, parse: KeyParser): Promise<ParsedIdentity | Buffer | undefined> => {
  const bytes = await readFile(file).catch(() => undefined);
  if (bytes === undefined) return undefined;
  const parsed = parse(bytes);
  return parsed instanceof Error ? bytes : withDecodedPrivateHalf(parsed);
};

export const createIdentityStore = (): IdentityStore => {
  const keys = new Map<string, Promise<ParsedIdentity | Buffer | undefined>>();
  return {
    key: (file, parse) => {
      let hit = keys.get(file);
      if (!hit) {
        hit = load(file, parse);
        keys.set(file, hit);
      }
      return hit;
    },
  };
};
