type Failure = { code: number; codespace: string; log: string } | undefined;
export const UNBONDING_PERIOD_EPOCHS: number;
export function releaseUnbonded(net: unknown, scenario: unknown, now: number): void;
export function applyWithdraw(net: unknown, amount: number, ctx: { scenario: unknown; now: number; signer: string }): Failure;
export function unbondingAnswer(net: unknown, args: { participant: string }): unknown;
export function collateralParamsAnswer(): unknown;
export function inferenceCollateralParams(decimal: (x: number) => unknown): unknown;
