export const MLNODE_REPOSITORY = 'ghcr.io/product-science/mlnode';

/** The ML node image for a release: Blackwell GPUs need the `-blackwell` variant of the same tag. */
export const mlnodeImage = (version: string, blackwell: boolean): string => {
  const tag = version.replace(/-blackwell$/, '');
  return `${MLNODE_REPOSITORY}:${tag}${blackwell ? '-blackwell' : ''}`;
};
