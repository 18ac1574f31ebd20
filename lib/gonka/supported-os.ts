/** Distributions Docker's apt repository and NVIDIA's driver packages serve. */
export const SUPPORTED_OS: Record<string, string[]> = { ubuntu: ['20.04', '22.04', '24.04'], debian: ['12'] };

export const SUPPORTED_OS_TEXT = 'Ubuntu 20.04/22.04/24.04 or Debian 12 on x86_64';
