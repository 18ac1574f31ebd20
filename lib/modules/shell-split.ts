/**
 * Split a command line into words the way a POSIX shell (and Python's shlex.split) does: quotes and
 * backslashes group, nothing is expanded. `command` runs the words as argv, so `|` or `>` are plain arguments.
 */
export const shellSplit = (line: string): string[] => {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' quote in: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      while (line[i] !== '"') {
        if (i >= line.length) throw new Error(`unterminated " quote in: ${line}`);
        const escaped = line[i] === '\\' && '"\\$`\n'.includes(line[i + 1] ?? '');
        word += escaped ? line[i + 1] : line[i];
        i += escaped ? 2 : 1;
      }
      inWord = true;
      i += 1;
    } else if (c === '\\') {
      word += line[i + 1] ?? '';
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
    } else {
      word += c;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
};
