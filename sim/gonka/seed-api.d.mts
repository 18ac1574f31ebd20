/** Another participant's public API over a simulated network's state: GETs of its public routes and /chain-api/. */
export function startSeedApi(stateDir: string, opts?: { host?: string }): Promise<{ url: string; close(): Promise<void> }>;
