export function fundAccount(stateDir: string, address: string, amounts?: { spendable?: number; vesting?: number }): unknown;
export function recordPocChoice(stateDir: string, participant: string, modelId: string, choice: string | null): unknown;
/** The chain's state as the simulator keeps it: tests read it as `any` and change what the case sets up. */
// biome-ignore lint/suspicious/noExplicitAny: the state's shape is the simulator's (plain JSON), not a typed contract
export function updateNetwork(stateDir: string, change: (net: any) => any): unknown;
