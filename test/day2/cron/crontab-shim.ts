/** A crontab(1) stand-in keeping the user's crontab in the file $CRONTAB_FILE. */
export const CRONTAB_SHIM = `#!/bin/sh
f="$CRONTAB_FILE"
case "$1" in
  -l) [ -f "$f" ] || { echo "no crontab for $(id -un)" >&2; exit 1; }; cat "$f" ;;
  -) cat > "$f" ;;
  *) echo "usage: crontab [-l | -]" >&2; exit 2 ;;
esac
`;
