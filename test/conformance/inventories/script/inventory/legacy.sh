#!/bin/sh
# an older script without _meta: host variables come from --host NAME
case "$1" in
  --list) echo '{"legacy": ["old-1"]}' ;;
  --host) printf '{"asked_for": "%s"}\n' "$2" ;;
esac
