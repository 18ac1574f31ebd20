import { randomBytes } from 'node:crypto';

/**
 * The framing protocol of every remote batch: each section's output is printed between a begin and an end
 * marker that carry a per-batch random nonce and, at the end, the section's exit status. Anything outside the
 * frames (a login banner, an `echo` in .bashrc, a MOTD) is ignored, and a file's content can never forge a
 * marker it cannot know.
 */

export interface FramedBatch {
  script: string;
  parse(stdout: string): BatchSection[];
}

export interface BatchSection {
  stdout: string;
  rc: number;
}

const marker = (nonce: string, kind: 'B' | 'E', i: number) => `@@nop-${nonce}-${kind}${i}`;

/** One script running each section in its own subshell (an `exit` or `cd` in one never reaches the next). */
export const frameBatch = (sections: readonly string[]): FramedBatch => {
  const nonce = randomBytes(8).toString('hex');
  const parts = sections.map(
    (cmd, i) => `printf '\\n%s\\n' '${marker(nonce, 'B', i)}'\n(\n${cmd}\n) </dev/null\nprintf '\\n%s %d\\n' '${marker(nonce, 'E', i)}' "$?"`,
  );
  return { script: parts.join('\n'), parse: (stdout) => parseFrames(stdout, nonce, sections.length) };
};

const parseFrames = (stdout: string, nonce: string, count: number): BatchSection[] => {
  const out: BatchSection[] = [];
  let from = 0;
  for (let i = 0; i < count; i++) {
    const begin = `\n${marker(nonce, 'B', i)}\n`;
    const start = stdout.indexOf(begin, from);
    if (start < 0) throw new Error(`the remote batch stopped before section ${i + 1} of ${count}`);
    const bodyStart = start + begin.length;
    const end = stdout.indexOf(`\n${marker(nonce, 'E', i)} `, bodyStart);
    if (end < 0) throw new Error(`the remote batch's section ${i + 1} of ${count} did not finish`);
    const rcStart = end + marker(nonce, 'E', i).length + 2;
    const rcEnd = stdout.indexOf('\n', rcStart);
    out.push({ stdout: stdout.slice(bodyStart, end), rc: Number(stdout.slice(rcStart, rcEnd < 0 ? undefined : rcEnd)) });
    from = rcEnd < 0 ? stdout.length : rcEnd;
  }
  return out;
};
