export function fundAccount(stateDir: string, address: string, amounts?: { spendable?: number; vesting?: number }): unknown;
export function recordPocChoice(stateDir: string, participant: string, modelId: string, choice: string | null): unknown;
