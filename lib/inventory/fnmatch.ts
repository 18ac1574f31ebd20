/** Python's fnmatch.translate as a JS RegExp: `*`, `?`, `[seq]` and `[!seq]`, matched against the whole name. */
export const globToRegExp = (glob: string): RegExp => {
  let out = '';
  for (let i = 0; i < glob.length; i += 1) {
    const ch = glob[i];
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[') {
      let j = i + 1;
      if (glob[j] === '!') j += 1;
      if (glob[j] === ']') j += 1;
      while (j < glob.length && glob[j] !== ']') j += 1;
      if (j >= glob.length) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, j).replace(/\\/g, '\\\\');
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      else if (body.startsWith('^')) body = `\\${body}`;
      out += `[${body}]`;
      i = j;
    } else out += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^(?:${out})$`, 's');
};
