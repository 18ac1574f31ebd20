/**
 * The members of a tar archive (what `tar -c` writes: ustar, GNU long names, pax headers), read on the controller
 * so a host sends many files' contents in one archive: one process, however many files.
 */

export interface TarMember {
  name: string;
  type: string;
  content: Buffer;
}

const BLOCK = 512;

// a field up to its first NUL, found by a plain loop: Buffer#indexOf's argument checks cost more than these short
// searches (a no-change probe parses a header or three per file, for every host)
const text = (block: Buffer, at: number, length: number): string => {
  const stop = Math.min(at + length, block.length);
  let end = at;
  while (end < stop && block[end] !== 0) end++;
  return block.toString('utf8', at, end);
};

const isZeroBlock = (block: Buffer): boolean => {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
};

// octal digits, or (GNU, for sizes past 8 GiB) a big-endian number behind a set high bit
const numeric = (block: Buffer, at: number, length: number): number => {
  const field = block.subarray(at, at + length);
  if (field[0] & 0x80) return field.subarray(1).reduce((n, byte) => n * 256 + byte, field[0] & 0x7f);
  const digits = text(block, at, length).trim();
  return digits === '' ? 0 : Number.parseInt(digits, 8);
};

// pax extended header records: "LENGTH key=value\n"
const paxPath = (data: Buffer): string | undefined => {
  let path: string | undefined;
  for (let at = 0; at < data.length; ) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString());
    if (space < 0 || !Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    if (record.startsWith('path=')) path = record.slice(5);
    at += length;
  }
  return path;
};

/** Every member in order, with its full name (long-name and pax records applied); throws on a cut-off archive. */
export const tarMembers = (archive: Buffer): TarMember[] => {
  const members: TarMember[] = [];
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= archive.length; ) {
    const header = archive.subarray(at, at + BLOCK);
    if (isZeroBlock(header)) break;
    const size = numeric(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const start = at + BLOCK;
    if (start + size > archive.length) throw new Error('the tar archive is cut short');
    const content = archive.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = text(content, 0, content.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(content) ?? longName;
      continue;
    }
    if (type === 'g') continue;
    const ustarPrefix = header.subarray(257, 263).toString('latin1') === 'ustar\0' ? text(header, 345, 155) : '';
    const name = longName ?? (ustarPrefix ? `${ustarPrefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    members.push({ name, type, content: Buffer.from(content) });
  }
  return members;
};
