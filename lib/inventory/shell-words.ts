/**
 * Python's shlex.split(line, comments=True), which Ansible uses for INI host lines: POSIX quoting,
 * and an unquoted `#` anywhere ends the line (so `pass=ab#cd` is `pass=ab`).
 */
export const splitShellWords = (line: string): string[] => {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quote === "'") {
      if (ch === "'") quote = '';
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = '';
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (ch === '#') break;
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\') {
      if (i + 1 >= line.length) throw new Error('No escaped character');
      word += line[++i];
    } else word += ch;
  }
  if (quote) throw new Error('No closing quotation');
  if (inWord) words.push(word);
  return words;
};
