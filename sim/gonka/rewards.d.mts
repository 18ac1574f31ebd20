export function settleEpochReward(
  stateDir: string,
  address: string,
  epoch: number,
  reward?: { earned?: number; rewarded?: number; claimed?: boolean },
): unknown;
export function claimReward(stateDir: string, address: string, epoch: number, refused?: string): { amount: number; result: string };
export function performanceSummaryAnswer(net: unknown, args: { epoch_index: string; participantId: string }, notFound: (what: string) => Error): unknown;
