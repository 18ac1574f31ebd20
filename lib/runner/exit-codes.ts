/** Exit codes as ansible-playbook 2.14 returns them. */
export const EXIT = { ok: 0, error: 1, hostFailed: 2, unreachable: 4, parserError: 4, badOptions: 5, interrupted: 99, unexpected: 250 } as const;
