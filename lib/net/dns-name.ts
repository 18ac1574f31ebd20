/** Why `name` is not a DNS host name (RFC 1123: dot-separated labels of letters, digits and inner hyphens), in words. */
export const dnsNameProblem = (name: string): string | undefined => {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length === 0) return 'is empty';
  if (bare.length > 253) return 'is longer than the 253 characters a DNS name may have';
  for (const label of bare.split('.')) {
    if (label.length === 0) return 'has an empty part between two dots';
    if (label.length > 63) return `has a part longer than 63 characters (${label.slice(0, 20)}…)`;
    if ([...label].some((c) => !/[A-Za-z0-9-]/.test(c))) return 'may contain only letters, digits, hyphens and dots';
    if (label.startsWith('-') || label.endsWith('-')) return 'has a part that starts or ends with a hyphen';
  }
  return undefined;
};
