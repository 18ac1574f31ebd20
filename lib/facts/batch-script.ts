import { randomBytes } from 'node:crypto';

/**
 * The framing protocol of every remote batch: each section's output is printed between a begin and an end
 * marker that carry a per-batch random nonce and, at the end, the section's exit status. Anything outside the
 * frames (a login banner, an `echo` in .bashrc, a MOTD) is ignored, and a file's content can never forge a
 * marker it cannot know.
 */

export interface FramedBatch {
  script: string;
  /** the command's stdout: its exact bytes (a section may print an archive), or text */
  parse(stdout: Buffer | string): BatchSection[];
}

export interface BatchSection {
  stdout: string;
  /** the section's exact bytes (stdout is them decoded as UTF-8) */
  bytes: Buffer;
  rc: number;
}

const marker = (nonce: string, kind: 'B' | 'E', i: number) => `@@nop-${nonce}-${kind}${i}`;

/**
 * One script running each section in its own subshell (an `exit` or `cd` in one never reaches the next). Only the
 * last section may print bytes a file on the host decides (an archive of its content): its end is the last end
 * marker of the output, which no content before it can move, even one that knew the nonce.
 */
export const frameBatch = (sections: readonly string[]): FramedBatch => {
  const nonce = randomBytes(8).toString('hex');
  const parts = sections.map(
    (cmd, i) => `printf '\\n%s\\n' '${marker(nonce, 'B', i)}'\n(\n${cmd}\n) </dev/null\nprintf '\\n%s %d\\n' '${marker(nonce, 'E', i)}' "$?"`,
  );
  return { script: parts.join('\n'), parse: (stdout) => parseFrames(typeof stdout === 'string' ? Buffer.from(stdout) : stdout, nonce, sections.length) };
};

const parseFrames = (stdout: Buffer, nonce: string, count: number): BatchSection[] => {
  const out: BatchSection[] = [];
  let from = 0;
  for (let i = 0; i < count; i++) {
    const begin = `\n${marker(nonce, 'B', i)}\n`;
    const start = stdout.indexOf(begin, from);
    if (start < 0) throw new Error(`the remote batch stopped before section ${i + 1} of ${count}`);
    const bodyStart = start + begin.length;
    const endMark = `\n${marker(nonce, 'E', i)} `;
    const end = i === count - 1 ? stdout.lastIndexOf(endMark) : stdout.indexOf(endMark, bodyStart);
    if (end < bodyStart) throw new Error(`the remote batch's section ${i + 1} of ${count} did not finish`);
    const rcStart = end + endMark.length;
    const rcEnd = stdout.indexOf('\n', rcStart);
    const bytes = stdout.subarray(bodyStart, end);
    out.push({ stdout: bytes.toString(), bytes, rc: Number(stdout.toString('latin1', rcStart, rcEnd < 0 ? undefined : rcEnd)) });
    from = rcEnd < 0 ? stdout.length : rcEnd;
  }
  return out;
};
