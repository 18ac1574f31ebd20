import type { Transfer } from './format.js';
import { parseTqdmLine, stripAnsi } from './tqdm-line.js';

interface Bar {
  n: number;
  total?: number;
}

export interface HfDownload extends Transfer {
  /** `Fetching N files`: files finished and in the repository */
  files?: { done: number; total: number };
}

/**
 * The progress of `hf download` (huggingface_hub), read from its stderr as it comes (chunks may end mid-line).
 * huggingface_hub 0.x draws one bar per file plus `Fetching N files`; 1.x one `Reconstructing` bar for all bytes,
 * whose total says "(incomplete total...)" while files are still being added. The total is final only when every
 * file's size is known.
 */
export const hfDownloadProgress = () => {
  const perFile = new Map<string, Bar>();
  let aggregate: (Bar & { final: boolean }) | undefined;
  let files: { done: number; total: number } | undefined;
  let pending = '';

  const take = (segment: string) => {
    const bar = parseTqdmLine(stripAnsi(segment).trim());
    if (!bar) return;
    const fetching = /^(?:\[dry-run\] )?Fetching (\d+|\.\.\.) files$/.exec(bar.desc);
    if (fetching) {
      if (bar.total !== undefined) files = { done: bar.n, total: bar.total };
      return;
    }
    if (/^Reconstruct/.test(bar.desc)) {
      aggregate = { n: bar.n, total: bar.total, final: !bar.desc.includes('incomplete total') };
      return;
    }
    // network bytes (before deduplication): not the size of the files
    if (/^Download(ing bytes| complete)/.test(bar.desc)) return;
    perFile.set(bar.desc, { n: bar.n, total: bar.total });
  };

  const fromFiles = (): HfDownload | undefined => {
    if (perFile.size === 0) return undefined;
    const bars = [...perFile.values()];
    const completed = bars.filter((b) => b.total !== undefined && b.n >= b.total).length;
    // files already in the cache are counted done without ever drawing a bar
    const withoutBar = files ? Math.max(0, files.done - completed) : 0;
    return {
      bytes: bars.reduce((sum, b) => sum + b.n, 0),
      total: bars.reduce((sum, b) => sum + (b.total ?? b.n), 0),
      totalFinal: files !== undefined && perFile.size + withoutBar >= files.total,
      files,
    };
  };

  return {
    feed(text: string): void {
      const parts = (pending + text).split(/[\r\n]/);
      pending = parts.pop() ?? '';
      parts.forEach(take);
    },
    /** undefined until a bar has been seen */
    state(): HfDownload | undefined {
      if (aggregate)
        return { bytes: aggregate.n, total: aggregate.total, totalFinal: aggregate.final || (files !== undefined && files.done >= files.total), files };
      return fromFiles();
    },
  };
};
