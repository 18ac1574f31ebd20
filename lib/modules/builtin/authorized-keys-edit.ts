/**
 * Ansible's authorized_key algorithm on a file's text: keys are identified by their base64 blob; a present key
 * whose type, options or comment differ is replaced; new keys go after the existing ones (or, exclusive, only the
 * given keys remain, in their order); unparsable lines stay as they are. Ported so files end up byte-identical.
 */
const KEY_TYPES = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ssh-ed25519@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519',
  'ssh-ed25519-cert-v01@openssh.com',
  'ssh-dss',
  'ssh-rsa',
  'ssh-xmss@openssh.com',
  'ssh-xmss-cert-v01@openssh.com',
  'rsa-sha2-256',
  'rsa-sha2-512',
  'ssh-rsa-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com',
]);

/** One line of an authorized_keys file: a key, or a line kept as it is (comment, blank, unparsable). */
export interface KeyLine {
  /** the key's blob, or for a kept line the line itself */
  id: string;
  type?: string;
  options: [string, string | undefined][];
  comment?: string;
  rank: number;
  /** a line written back unchanged */
  raw?: string;
}

/** `no-pty,command="x y",from="a"`: each option and its value, commas inside quotes kept. */
export const parseOptions = (text: string | undefined): [string, string | undefined][] => {
  const out = new Map<string, string | undefined>();
  for (const m of (text ?? '').matchAll(/((?:[^,"']|"[^"]*"|'[^']*')+)/g)) {
    const part = m[1];
    const eq = part.indexOf('=');
    if (eq >= 0) out.set(part.slice(0, eq), part.slice(eq + 1));
    else out.set(part, undefined);
  }
  return [...out.entries()];
};

/** A key line (words split on blanks, as Ansible's shlex with no quotes does); undefined when it holds no key type. */
export const parseKey = (raw: string, rank: number): KeyLine | undefined => {
  const text = raw.replace(/\\#/g, '#');
  const words = text.split(/\s+/).filter((w) => w !== '');
  if (words[0] === '#') return { id: raw, options: [], rank, raw };
  const at = words.findIndex((w) => KEY_TYPES.has(w));
  if (at < 0 || at + 1 >= words.length) return undefined;
  return {
    id: words[at + 1],
    type: words[at],
    options: parseOptions(at > 0 ? words.slice(0, at).join(' ') : undefined),
    comment: words.slice(at + 2).join(' '),
    rank,
  };
};

const parseFile = (text: string): Map<string, KeyLine> => {
  const keys = new Map<string, KeyLine>();
  (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).forEach((line, rank) => {
    const key = parseKey(line, rank);
    keys.set(key ? key.id : line, key ?? { id: line, options: [], rank, raw: line });
  });
  return keys;
};

const sameOptions = (a: KeyLine['options'], b: KeyLine['options']) => a.length === b.length && a.every(([k, v]) => b.some(([k2, v2]) => k2 === k && v2 === v));

const same = (a: KeyLine, b: KeyLine) => a.id === b.id && a.type === b.type && sameOptions(a.options, b.options) && a.comment === b.comment;

const serialize = (keys: Map<string, KeyLine>): string =>
  [...keys.values()]
    .sort((x, y) => x.rank - y.rank)
    .map((k) => {
      if (k.raw !== undefined) return k.raw;
      const options = k.options.length ? `${k.options.map(([o, v]) => (v === undefined ? o : `${o}=${v}`)).join(',')} ` : '';
      return `${options}${k.type} ${k.id} ${k.comment}\n`;
    })
    .join('');

export interface KeyEdit {
  present: boolean;
  /** the keys given (one per line; blank and # lines ignored) */
  keys: string;
  keyOptions?: string;
  comment?: string;
  exclusive: boolean;
}

/** The file's new text (the same text when no key changes); throws on a key that cannot be parsed. */
export const editAuthorizedKeys = (existing: string, e: KeyEdit): string => {
  const keys = parseFile(existing);
  let changed = false;
  const maxRank = keys.size;
  const wanted: string[] = [];
  e.keys
    .split(/\r?\n/)
    .filter((l) => l !== '' && !l.startsWith('#'))
    .forEach((line, rank) => {
      const parsed = parseKey(line, rank);
      if (!parsed || parsed.raw !== undefined) throw new Error(`invalid key specified: ${line}`);
      const key: KeyLine = {
        ...parsed,
        ...(e.keyOptions !== undefined ? { options: parseOptions(e.keyOptions) } : {}),
        ...(e.comment !== undefined ? { comment: e.comment } : {}),
      };
      const current = keys.get(key.id);
      if (!e.present) {
        changed = keys.delete(key.id) || changed;
        return;
      }
      wanted.push(key.id);
      if (current && same(current, key)) return;
      keys.delete(key.id);
      keys.set(key.id, { ...key, rank: maxRank + rank });
      changed = true;
    });
  if (e.present && e.exclusive) for (const id of [...keys.keys()]) if (!wanted.includes(id)) changed = keys.delete(id) || changed;
  // as Ansible: the file is rewritten (every key line normalized) only when a key changed
  return changed ? serialize(keys) : existing;
};
