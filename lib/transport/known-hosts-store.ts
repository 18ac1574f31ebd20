import { readFile, stat } from 'node:fs/promises';
import { appendKnownHost, type KnownHostEntry, knownHostName, parseKnownHosts } from './known-hosts.js';

/**
 * The known_hosts files of one run, each read and parsed once however many hosts the run connects to (it was
 * once per host), and indexed by host name: plain names are looked up, only hashed, wildcard and negated patterns
 * are matched one by one. A key recorded with --accept-new-host-keys joins the parsed file at once, so the run's
 * later connections trust it. Changes other processes make to a file during the run are seen only by the next
 * run, except that recording a key re-reads a file that changed under it.
 */
export interface KnownHostsStore {
  /** every entry of `files` that may concern host:port (all `@revoked` ones included), in file and line order */
  entriesFor(files: readonly string[], host: string, port: number): Promise<KnownHostEntry[]>;
  /** append `line` (a host key line) to `file`, creating it, and trust it from now on */
  record(file: string, line: string): Promise<void>;
}

interface ParsedFile {
  /** bytes of the file as parsed (what was read, plus what was recorded since) */
  size: number;
  endsWithNewline: boolean;
  /** the line number the next appended line gets */
  nextLine: number;
  /** entries of plain (not hashed, not wildcard) patterns, by lower-case host name */
  byName: Map<string, KnownHostEntry[]>;
  /** entries every host must be matched against: hashed, wildcard or negated patterns, and `@revoked` ones */
  scanned: KnownHostEntry[];
}

const isPlain = (patterns: string): boolean => !patterns.startsWith('|') && !/[*?!]/.test(patterns);

const addEntry = (parsed: ParsedFile, entry: KnownHostEntry): void => {
  if (entry.revoked || !isPlain(entry.hostPatterns)) {
    parsed.scanned.push(entry);
    return;
  }
  for (const name of entry.hostPatterns.toLowerCase().split(',')) parsed.byName.set(name, [...(parsed.byName.get(name) ?? []), entry]);
};

const parse = (file: string, text: string): ParsedFile => {
  const lines = text.split('\n');
  const parsed: ParsedFile = {
    size: Buffer.byteLength(text),
    endsWithNewline: text.endsWith('\n'),
    // appendKnownHost starts a new line first when the file does not end with one
    nextLine: text === '' || text.endsWith('\n') ? lines.length : lines.length + 1,
    byName: new Map(),
    scanned: [],
  };
  for (const entry of parseKnownHosts(file, text)) addEntry(parsed, entry);
  return parsed;
};

// a missing or unreadable file contributes nothing, as with OpenSSH
const load = async (file: string): Promise<ParsedFile> => parse(file, await readFile(file, 'utf8').catch(() => ''));

export const createKnownHostsStore = (): KnownHostsStore => {
  const files = new Map<string, Promise<ParsedFile>>();
  const parsedFile = (file: string): Promise<ParsedFile> => {
    let hit = files.get(file);
    if (!hit) {
      hit = load(file);
      files.set(file, hit);
    }
    return hit;
  };
  // records into one file one at a time, so each knows the line number it lands on
  const recording = new Map<string, Promise<void>>();

  const entriesFor = async (list: readonly string[], host: string, port: number) => {
    const name = knownHostName(host, port).toLowerCase();
    const parsed = await Promise.all(list.map(parsedFile));
    return parsed.flatMap((p) => [...(p.byName.get(name) ?? []), ...p.scanned].sort((a, b) => a.line - b.line));
  };

  const recordNow = async (file: string, line: string) => {
    const parsed = await parsedFile(file);
    await appendKnownHost(file, line);
    const size = (await stat(file)).size;
    const separator = parsed.size > 0 && !parsed.endsWithNewline ? 1 : 0;
    if (size !== parsed.size + separator + Buffer.byteLength(`${line}\n`)) {
      // someone else changed the file meanwhile: read it again, our line included
      files.set(file, load(file));
      return;
    }
    const [entry] = parseKnownHosts(file, `${'\n'.repeat(parsed.nextLine - 1)}${line}`);
    if (entry) addEntry(parsed, entry);
    parsed.size = size;
    parsed.endsWithNewline = true;
    parsed.nextLine += 1;
  };

  const record = (file: string, line: string) => {
    const next = (recording.get(file) ?? Promise.resolve()).catch(() => undefined).then(() => recordNow(file, line));
    recording.set(file, next);
    return next;
  };

  return { entriesFor, record };
};
