import type { Change } from '../../modules/module.js';

/** What check mode reports for a plan ("would start tmkms; start node"): apply's own message replaces it. */
export const wouldMsg = (changes: readonly Change[]): string => `would ${changes.map((c) => c.summary).join('; ')}`;
