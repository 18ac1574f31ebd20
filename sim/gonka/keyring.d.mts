/** The `file` keyring backend of the simulated inferenced (keyring-file/ under an inferenced home). */
export function keyringExists(home: string): boolean;
export function createKeyring(home: string, password: string): void;
export function saveKey(home: string, password: string, name: string, key: { pubkey: string; address: string; privateKey: string }): void;
