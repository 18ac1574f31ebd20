/** One `key = value` of an INI config file, with the line it is on (for messages). */
export interface CfgEntry {
  value: string;
  line: number;
}

export interface CfgFile {
  path: string;
  /** section → key (lower case) → entry */
  sections: Map<string, Map<string, CfgEntry>>;
}

/** A config file nop cannot read: `file:line: what is wrong`. */
export class CfgError extends Error {
  constructor(path: string, line: number, message: string) {
    super(`${path}:${line}: ${message}`);
    this.name = 'CfgError';
  }
}

// Ansible reads its config with Python's configparser and inline_comment_prefixes=(';',): whole-line comments
// start with # or ;, an inline comment with ; after a space, keys are case-insensitive, `=` or `:` separates,
// and an indented line continues the value above it.
const stripInlineComment = (value: string): string => {
  const at = value.search(/\s;/);
  return (at === -1 ? value : value.slice(0, at)).trim();
};

/** Parse the text of an ansible.cfg / nop.cfg. */
export const parseCfg = (text: string, path: string): CfgFile => {
  const sections = new Map<string, Map<string, CfgEntry>>();
  let section: Map<string, CfgEntry> | undefined;
  let last: CfgEntry | undefined;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      last = undefined;
      continue;
    }
    if (/^\s/.test(raw) && last) {
      last.value = `${last.value}\n${stripInlineComment(trimmed)}`;
      continue;
    }
    if (trimmed.startsWith('[')) {
      if (!trimmed.endsWith(']')) throw new CfgError(path, line, `a section header must end with ]: ${trimmed}`);
      const name = trimmed.slice(1, -1).trim();
      section = sections.get(name) ?? sections.set(name, new Map()).get(name)!;
      last = undefined;
      continue;
    }
    const sep = [trimmed.indexOf('='), trimmed.indexOf(':')].filter((n) => n > 0).sort((a, b) => a - b)[0];
    if (sep === undefined) throw new CfgError(path, line, `expected "key = value", got: ${trimmed}`);
    if (!section) throw new CfgError(path, line, `"${trimmed.slice(0, sep).trim()}" comes before any [section] header (settings go under [defaults])`);
    last = { value: stripInlineComment(trimmed.slice(sep + 1)), line };
    section.set(trimmed.slice(0, sep).trim().toLowerCase(), last);
  }
  return { path, sections };
};
