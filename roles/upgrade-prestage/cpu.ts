import { ADX_CAUSE, adxFixes, adxOf } from '../../lib/gonka/cpu-adx.js';
import { releaseNeedsAdx, type UpgradeBinary } from '../../lib/gonka/upgrade-plan.js';

/**
 * Whether this CPU runs the upgrade's binaries: those of v0.2.16-post1 and later need ADX (reference §16, the same
 * knowledge as preflight's check); a release the URLs do not name is assumed to need it.
 */
export const cpuVerdictFor = (
  binaries: readonly Pick<UpgradeBinary, 'binary' | 'release'>[],
  flags: readonly string[],
  allowWithoutAdx: boolean,
): { ok: true; msg: string } | { ok: false; msg: string } => {
  const needing = binaries.filter((b) => releaseNeedsAdx(b.release));
  if (needing.length === 0) return { ok: true, msg: `the binaries (${releases(binaries)}) predate v0.2.16-post1: no ADX needed` };
  const adx = adxOf(flags);
  if (adx === 'present') return { ok: true, msg: `the CPU has ADX, which ${releases(needing)} needs` };
  if (adx === 'unknown') return { ok: false, msg: 'refused: /proc/cpuinfo lists no x86 CPU flags: the upgrade binaries are built for x86-64 with ADX' };
  if (allowWithoutAdx) return { ok: true, msg: 'the CPU lacks ADX; allowed by upgrade_allow_cpu_without_adx (replace the binaries with portable builds)' };
  return {
    ok: false,
    msg: `refused: the CPU lacks ADX (no adx in /proc/cpuinfo flags), which ${releases(needing)} needs: ${ADX_CAUSE}. ${adxFixes('upgrade_allow_cpu_without_adx')}`,
  };
};

const releases = (binaries: readonly Pick<UpgradeBinary, 'binary' | 'release'>[]): string =>
  binaries.map((b) => `${b.binary} ${b.release ?? 'of an unnamed release'}`).join(', ');
