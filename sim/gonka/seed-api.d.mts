/** Another participant's public API over a simulated network's state: GETs of its public routes and /chain-api/. */
export function startSeedApi(stateDir: string, opts?: { host?: string; chainId?: string; p2pPort?: number }): Promise<{ url: string; close(): Promise<void> }>;
/** The node id a simulated seed reports for its API base URL (what `inferenced set-seeds` reads from its /status). */
export function seedNodeId(seedApiUrl: string): string;
