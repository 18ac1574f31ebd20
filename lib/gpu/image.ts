/** Where the ML node images live since the 3.0.14 line (before: ghcr.io/product-science/mlnode). */
export const MLNODE_REPOSITORY = 'ghcr.io/gonka-ai/mlnode';
const LEGACY_REPOSITORY = 'ghcr.io/product-science/mlnode';

// only the 3.0.12 line (Qwen era) had separate Blackwell builds, published under the old registry
const isLegacyLine = (tag: string): boolean => /^3\.0\.(\d|1[0-2])(\D|$)/.test(tag);

/**
 * The ML node image of a release: one image for every GPU from 3.0.14 on; the 3.0.12 line needs its
 * `-blackwell` variant on Blackwell GPUs.
 */
export const mlnodeImage = (version: string, blackwell: boolean): string => {
  const tag = version.replace(/-blackwell$/, '');
  if (isLegacyLine(tag)) return `${LEGACY_REPOSITORY}:${tag}${blackwell ? '-blackwell' : ''}`;
  return `${MLNODE_REPOSITORY}:${tag}`;
};
