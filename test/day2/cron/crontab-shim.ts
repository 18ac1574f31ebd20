/** A crontab(1) stand-in keeping the user's crontab in the file $CRONTAB_FILE. */
export const CRONTAB_SHIM = `#!/bin/sh
f="$CRONTAB_FILE"
case "$1" in
  -l) [ -f "$f" ] || { echo "no crontab for $(id -un)" >&2; exit 1; }; cat "$f" ;;
  -) cat > "$f" ;;
  *) echo "usage: crontab [-l | -]" >&2; exit 2 ;;
esac
`;

/**
 * What cron runs for a crontab line, as crontab(5) says (cronie and Debian's cron alike): after the
 * five time fields (or an @special), the command up to the first unescaped %; `\%` becomes %; the
 * text after that % is the command's stdin, each further unescaped % a newline.
 */
export const cronCommandOf = (line: string): { command: string; stdin: string } => {
  const rest = line.startsWith('@') ? line.replace(/^@\S+\s+/, '') : line.replace(/^(\S+\s+){5}/, '');
  let command = '';
  let i = 0;
  for (; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\' && i + 1 < rest.length) {
      // a backslash escapes the next character; only before % is it dropped
      command += rest[i + 1] === '%' ? '%' : c + rest[i + 1];
      i++;
    } else if (c === '%') break;
    else command += c;
  }
  return { command, stdin: i < rest.length ? rest.slice(i + 1).replace(/%/g, '\n') : '' };
};
