export function bech32Encode(hrp: string, bytes: Uint8Array): string;
export function bech32Valid(text: string): boolean;
export function accountAddress(pubkeyBase64: string): string;
export function addressHex(pubkeyBase64: string): string;
export function newAccountKey(): { privateKey: string; pubkey: string; address: string };
export function ed25519PublicKey(seed: Buffer): Buffer;
export function cometAddress(pubkey: Buffer): Buffer;
export function newMnemonic(): string;
