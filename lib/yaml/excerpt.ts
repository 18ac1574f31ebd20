/**
 * The offending line with the one above it and a caret under the column, as Ansible shows a YAML error:
 *
 *     - name: x
 *         debug: {}
 *         ^ here
 */
export const codeExcerpt = (text: string, line: number, col: number): string => {
  const lines = text.split(/\r?\n/);
  const at = lines[line - 1];
  if (at === undefined) return '';
  const above = line > 1 ? [lines[line - 2]] : [];
  const caret = `${' '.repeat(Math.max(0, col - 1))}^ here`;
  return ['', 'The offending line appears to be:', '', ...[...above, at, caret].map((l) => `    ${l}`)].join('\n');
};
