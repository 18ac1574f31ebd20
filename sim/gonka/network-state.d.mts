export function fundAccount(stateDir: string, address: string, amounts?: { spendable?: number; vesting?: number }): unknown;
