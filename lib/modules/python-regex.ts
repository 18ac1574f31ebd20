/**
 * Python's `re` syntax where JavaScript spells it differently, for the modules that take Ansible's regular
 * expressions (lineinfile, replace, blockinfile): named groups `(?P<n>…)` and their back-references `(?P=n)`,
 * global inline flags at the start (`(?i)`, `(?ms)`), and `\A` / `\Z`.
 */
const INLINE_FLAGS: Record<string, string> = { i: 'i', m: 'm', s: 's', u: 'u', a: '', L: '', x: '' };

export const pythonRegex = (pattern: string, flags = ''): RegExp => {
  let source = pattern;
  let all = flags;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    if (inline[1].includes('x')) throw new Error(`verbose regular expressions ((?x)) are not supported: ${pattern}`);
    all += [...inline[1]].map((f) => INLINE_FLAGS[f]).join('');
    source = source.slice(inline[0].length);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])\\A/g, '$1(?<![\\s\\S])')
    .replace(/(^|[^\\])\\Z/g, '$1(?![\\s\\S])');
  return new RegExp(source, [...new Set(all)].join(''));
};

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/** Python's match.expand / re.sub template: `\1`, `\g<1>`, `\g<name>` take the match's groups; `\n` and co are escapes. */
export const expandTemplate = (match: RegExpExecArray | RegExpMatchArray, template: string): string =>
  template.replace(/\\g<(\w+)>|\\(\d{1,2})|\\([ntrfvab\\])/g, (whole, named: string | undefined, numbered: string | undefined, escaped: string | undefined) => {
    if (escaped !== undefined) return ESCAPES[escaped] ?? whole;
    const key = named ?? numbered ?? '';
    const group = /^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key];
    return group ?? '';
  });
