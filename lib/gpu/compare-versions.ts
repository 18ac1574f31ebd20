/**
 * Compare two version strings the way humans read them: `570.133.20` > `570.86.15`, `3.0.12` > `3.0.9`.
 * Accepts a leading `v`, a Debian epoch (`1:`) and revision (`-0ubuntu1`, ignored), and a pre-release after
 * `-` in semver style (`1.2.0-rc1` < `1.2.0`) when the part after `-` starts with a letter, except a post-release
 * in PEP 440 style (`3.0.14-post2` > `3.0.14`): Gonka tags its rebuilds of a release that way.
 * Returns a negative number, zero or a positive number, like Array.prototype.sort expects.
 */
export const compareVersions = (a: string, b: string): number => {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  const len = Math.max(pa.core.length, pb.core.length);
  for (let i = 0; i < len; i++) {
    const diff = (pa.core[i] ?? 0) - (pb.core[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (pa.rank !== pb.rank) return Math.sign(pa.rank - pb.rank);
  if (pa.suffix === pb.suffix) return 0;
  return pa.suffix.localeCompare(pb.suffix, 'en', { numeric: true }) < 0 ? -1 : 1;
};

interface ParsedVersion {
  core: number[];
  /** -1 a pre-release, 0 the release, 1 a post-release of the same core */
  rank: -1 | 0 | 1;
  /** the pre- or post-release label, compared within its rank (`rc2` < `rc10`, `post1` < `post2`) */
  suffix: string;
}

const releaseRank = (suffix: string): ParsedVersion['rank'] => {
  if (/^post\d*$/i.test(suffix)) return 1;
  return /^[A-Za-z]/.test(suffix) ? -1 : 0;
};

const parseVersion = (raw: string): ParsedVersion => {
  const noEpoch = raw.trim().replace(/^v/i, '').replace(/^\d+:/, '');
  const dash = noEpoch.indexOf('-');
  const core = dash < 0 ? noEpoch : noEpoch.slice(0, dash);
  const suffix = dash < 0 ? '' : noEpoch.slice(dash + 1);
  const parts = core.split(/[.+]/).map((p) => Number.parseInt(p, 10));
  if (core === '' || parts.some(Number.isNaN)) throw new Error(`not a version: '${raw}'`);
  const rank = releaseRank(suffix);
  return { core: parts, rank, suffix: rank === 0 ? '' : suffix };
};

/** The leading number of a version (`570` of `570.133.20-0ubuntu1`). */
export const majorVersion = (version: string): number => parseVersion(version).core[0];

/** The upstream part of a Debian package version: `1:570.133.20-0ubuntu0.22.04.1` → `570.133.20`. */
export const upstreamVersion = (debianVersion: string): string =>
  debianVersion
    .trim()
    .replace(/^\d+:/, '')
    .replace(/-[^-]*$/, '');
