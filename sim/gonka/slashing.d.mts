type Failure = { code: number; codespace: string; log: string } | undefined;
export function applyUnjail(net: unknown, msg: unknown, ctx: { scenario: unknown; now: number; signer: string }): Failure;
export function signingInfoAnswer(notFound: (what: string) => Error): (...args: unknown[]) => unknown;
