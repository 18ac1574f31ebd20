// optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost 1
const editDistance = (a: string, b: string): number => {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
};

/**
 * The valid word a misspelt one most likely meant (`hsts` → `hosts`, `dst` → `dest`), or undefined when none is
 * close: at most a third of the word's letters wrong (at least one), case ignored.
 */
export const nearestWord = (word: string, candidates: Iterable<string>): string | undefined => {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: { word: string; distance: number } | undefined;
  for (const c of candidates) {
    const distance = editDistance(w, c.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { word: c, distance };
  }
  return best?.word;
};

/** `; did you mean 'hosts'?` after a message about an unknown word, or nothing when no valid word is close. */
export const didYouMean = (word: string, candidates: Iterable<string>): string => {
  const near = nearestWord(word, candidates);
  return near === undefined ? '' : `; did you mean '${near}'?`;
};
