/** Where a measured quantity is heading: how fast it moves and when it reaches its target. */
export type Heading = { kind: 'estimating' } | { kind: 'stalled' } | { kind: 'arriving'; perSecond: number; seconds: number };

export interface SlopeMeter {
  /** a sample: the value at a time (ms since the epoch) */
  add(at: number, value: number): void;
  /** units per second over the recent samples; undefined until two samples span some time */
  perSecond(): number | undefined;
  /** when the latest value reaches `target` at the recent rate */
  heading(target: number): Heading;
}

/**
 * The rate of a quantity over a sliding window of samples (the last `windowMs`, at least two samples), so the
 * estimate follows a download or a sync that speeds up or slows down instead of averaging the whole run.
 */
export const slopeMeter = (windowMs = 30_000): SlopeMeter => {
  let samples: { at: number; value: number }[] = [];
  const perSecond = (): number | undefined => {
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (!first || !last || last.at <= first.at) return undefined;
    return ((last.value - first.value) * 1000) / (last.at - first.at);
  };
  return {
    add(at, value) {
      samples.push({ at, value });
      // polls further apart than the window still give a rate: the last two samples are always kept
      const recent = samples.filter((s) => s.at >= at - windowMs);
      samples = recent.length >= 2 ? recent : samples.slice(-2);
    },
    perSecond,
    heading(target) {
      const rate = perSecond();
      const last = samples[samples.length - 1];
      if (rate === undefined || !last) return { kind: 'estimating' };
      const gap = target - last.value;
      if (gap === 0) return { kind: 'arriving', perSecond: rate, seconds: 0 };
      if (rate === 0 || Math.sign(rate) !== Math.sign(gap)) return { kind: 'stalled' };
      return { kind: 'arriving', perSecond: rate, seconds: gap / rate };
    },
  };
};
