import { stripVTControlCharacters } from 'node:util';

/** One progress bar as tqdm draws it (Python's progress bars: pip, huggingface_hub, …). */
export interface TqdmBar {
  desc: string;
  percent?: number;
  /** units done (bytes for a byte bar, items for a count bar), scaled back from tqdm's `1.84G` */
  n: number;
  total?: number;
}

const SCALE: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Z: 1e21, Y: 1e24 };

// `1.84G`, `2.11GB`, `570`, `0.00B`: a number, an SI prefix, maybe the unit B
const amount = (text: string): number | undefined => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKMGTPEZY]?)(?:B|it)?\s*$/.exec(text);
  return m ? Math.round(Number(m[1]) * SCALE[m[2]]) : undefined;
};

/**
 * Read one line of tqdm output: `desc:  37%|███▋      | 1.84G/4.97G [00:12<00:20, 152MB/s]` (tqdm's default
 * format), `desc:  42%|████▏ | 2.11GB / 5.02GB  152MB/s` (huggingface_hub 1.x) or `desc: | 2.11GB  152MB/s` (no
 * total); undefined for anything else.
 */
export const parseTqdmLine = (line: string): TqdmBar | undefined => {
  const head = /^(.*?):\s+(?:(\d{1,3})%)?\|/.exec(line);
  if (!head) return undefined;
  const afterBar = line.slice(line.lastIndexOf('|') + 1);
  const counts = afterBar
    .replace(/\[.*$/, '')
    .trim()
    .split(/\s{2,}/)[0];
  const [done, total] = counts.split('/').map((part) => amount(part));
  if (done === undefined) return undefined;
  return {
    desc: head[1].trim(),
    percent: head[2] === undefined ? undefined : Number(head[2]),
    n: done,
    total: counts.includes('/') ? total : undefined,
  };
};

/** Terminal control sequences (cursor moves between stacked bars) are not text. */
export const stripAnsi = (text: string): string => stripVTControlCharacters(text);

/** The lines of a tool's stderr that are not progress bars (for an error message). */
export const withoutProgressBars = (text: string): string[] =>
  stripAnsi(text)
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && parseTqdmLine(l) === undefined);
