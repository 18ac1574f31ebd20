export interface StatusKnobs {
  peers: number;
  inferenceCount: number;
  missedRequests: number;
  /** blocks the validator missed of the last 100 (its signing info; a jailed one shows at least 51) */
  missedBlocks: number;
}

export const DEFAULT_STATUS_KNOBS: Readonly<StatusKnobs>;
export function readStatusKnobs(stateDir: string): StatusKnobs;
export function writeStatusKnobs(stateDir: string, patch: Partial<StatusKnobs>): StatusKnobs;
export function netInfoResult(peers: number): unknown;
export function currentEpochStats(knobs: StatusKnobs): {
  inference_count: string;
  missed_requests: string;
  earned_coins: string;
  rewarded_coins: string;
  burned_coins: string;
  validated_inferences: string;
  invalidated_inferences: string;
};
