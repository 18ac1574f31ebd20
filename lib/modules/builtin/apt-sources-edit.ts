/**
 * Ansible's apt_repository edits of one-line sources files: lines parsed as it parses them, a source added to its
 * own file (named after its URL, or `filename`), enabled where it is disabled, removed from every file; a file
 * changed is written back normalized (`# ` before a disabled line, ` # ` before a comment), an emptied one removed.
 */
const TYPES = new Set(['deb', 'deb-src']);

interface SourceLine {
  valid: boolean;
  enabled: boolean;
  source: string;
  comment: string;
}

export const parseSourceLine = (raw: string): SourceLine => {
  let line = raw.trim();
  let enabled = true;
  let comment = '';
  if (line.startsWith('#')) {
    enabled = false;
    line = line.slice(1);
  }
  const hash = line.indexOf('#');
  if (hash > 0) {
    comment = line.slice(hash + 1).trim();
    line = line.slice(0, hash);
  }
  let source = line.trim();
  const chunks = source.split(/\s+/).filter(Boolean);
  const valid = chunks.length > 0 && TYPES.has(chunks[0]);
  if (valid) source = chunks.join(' ');
  return { valid, enabled, source, comment };
};

const dump = (lines: SourceLine[]): string => lines.map((l) => `${l.enabled ? '' : '# '}${l.source}${l.comment ? ` # ${l.comment}` : ''}\n`).join('');

/** The file a new source goes to: `<filename>.list`, or its URL's host and path joined by underscores. */
export const suggestFilename = (source: string, filename?: string): string => {
  if (filename !== undefined) return `${filename}.list`;
  const stripped = source.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = stripped.split(/\s+/).filter((p) => p && !TYPES.has(p));
  const first = (parts[0] ?? '').includes('@') ? (parts[0] ?? '').split('@').slice(1).join('@') : (parts[0] ?? '');
  return `${first
    .replace(/[^a-zA-Z0-9]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join('_')}.list`;
};

export interface SourcesEdit {
  /** path → new text; '' with `remove` for a file to delete */
  writes: Map<string, string>;
  removes: string[];
  /** the file a new source was added to (its mode is set) */
  created?: string;
}

const SOURCES_DIR = '/etc/apt/sources.list.d';

/** What adding or removing `repo` does to the source files; throws on a line that is not a source. */
export const editSources = (files: Map<string, string>, repo: string, present: boolean, filename?: string): SourcesEdit => {
  const wanted = parseSourceLine(repo);
  if (!wanted.valid || !wanted.enabled) throw new Error(`Invalid repository string: ${repo.trim()}`);
  const parsed = new Map([...files].map(([path, text]) => [path, (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map(parseSourceLine)]));
  let created: string | undefined;
  let found = false;
  for (const lines of parsed.values()) {
    for (const [i, l] of lines.entries()) {
      if (!l.valid || l.source !== wanted.source) continue;
      if (present) {
        found = true;
        lines[i] = { ...l, enabled: true };
      } else if (l.enabled) lines[i] = { ...l, source: '\u0000' };
    }
  }
  if (present && !found) {
    const name = suggestFilename(wanted.source, filename);
    const path = name.includes('/') ? name : `${SOURCES_DIR}/${name}`;
    parsed.set(path, [...(parsed.get(path) ?? []), { valid: true, enabled: true, source: wanted.source, comment: '' }]);
    created = files.has(path) ? undefined : path;
  }
  const writes = new Map<string, string>();
  const removes: string[] = [];
  for (const [path, lines] of parsed) {
    const kept = lines.filter((l) => l.source !== '\u0000');
    if (kept.length === 0) {
      if (files.has(path)) removes.push(path);
      continue;
    }
    const text = dump(kept);
    if (text !== files.get(path)) writes.set(path, text);
  }
  const changed = [...writes.keys()].some((p) => dump(parsed.get(p)!.filter((l) => l.source !== '\u0000')) !== normalized(files.get(p))) || removes.length > 0;
  return changed ? { writes, removes, created } : { writes: new Map(), removes: [] };
};

// a file as Ansible would write it unchanged: what "changed" is measured against
const normalized = (text: string | undefined): string | undefined =>
  text === undefined ? undefined : dump((text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map(parseSourceLine));
