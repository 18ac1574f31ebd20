#!/bin/sh
# The sandbox's systemctl (test/helpers/sandbox-host.ts). The machine's systemd is not the sandbox's init, so
# what needs a running manager is simulated here: which units are loaded (as of the last daemon-reload), which
# are active, start/stop/restart/reload, and `show`. What systemctl does on files alone (is-enabled, enable,
# disable, mask, unmask, list-unit-files) is the real systemctl, offline (--root=/), on the sandbox's /etc.
# Every runtime action is appended to /run/sandbox-systemd/log ("start nginx.service"), for tests to read.
REAL=/usr/bin/systemctl.real
STATE=/run/sandbox-systemd
mkdir -p "$STATE"

verb=
props=
value=0
units=
all="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    -p|--property) props="$props,$2"; shift ;;
    --property=*) props="$props,${1#--property=}" ;;
    --value) value=1 ;;
    --) ;;
    -*) ;;
    *) if [ -z "$verb" ]; then verb=$1; else units="$units $1"; fi ;;
  esac
  shift
done

unit_name() { case "$1" in *.*) printf '%s' "$1" ;; *) printf '%s.service' "$1" ;; esac; }

unit_file() {
  for d in /etc/systemd/system /run/systemd/system /usr/lib/systemd/system; do
    if [ -e "$d/$1" ] || [ -L "$d/$1" ]; then printf '%s' "$d/$1"; return 0; fi
  done
  return 1
}

load_state() {
  f=$(unit_file "$1") || { echo not-found; return; }
  if [ "$(readlink "$f")" = /dev/null ]; then echo masked; return; fi
  if grep -qxF "$1" "$STATE/loaded" 2>/dev/null; then echo loaded; else echo not-found; fi
}

active_state() { if [ -e "$STATE/$1.active" ]; then echo active; else echo inactive; fi; }

file_state() { $REAL --root=/ is-enabled "$1" 2>/dev/null; }

# the unit files' names (the shell's own ${f##*/}: a basename process per file made each daemon-reload cost hundreds)
snapshot() {
  for d in /etc/systemd/system /run/systemd/system /usr/lib/systemd/system; do
    [ -d "$d" ] && for f in "$d"/*.service "$d"/*.timer "$d"/*.socket "$d"/*.mount "$d"/*.target; do
      [ -e "$f" ] && printf '%s\n' "${f##*/}"
    done
  done | sort -u > "$STATE/loaded.new"
  mv -f "$STATE/loaded.new" "$STATE/loaded"
}

show_one() {
  u=$1
  load=$(load_state "$u")
  active=$(active_state "$u")
  sub=dead; [ "$active" = active ] && sub=running
  ufs=$(file_state "$u")
  for kv in "Id=$u" "Names=$u" "LoadState=$load" "ActiveState=$active" "SubState=$sub" "UnitFileState=$ufs" "Description=$u"; do
    k=${kv%%=*}
    if [ -n "$props" ]; then case ",$props," in *",$k,"*) ;; *) continue ;; esac; fi
    if [ "$value" = 1 ]; then printf '%s\n' "${kv#*=}"; else printf '%s\n' "$kv"; fi
  done
}

runtime() {
  action=$1
  u=$2
  case "$(load_state "$u")" in
    masked) echo "Failed to $action $u: Unit $u is masked." >&2; return 1 ;;
    not-found) echo "Failed to $action $u: Unit $u not found." >&2; return 5 ;;
  esac
  case "$action" in
    start|restart|reload-or-restart|try-restart) touch "$STATE/$u.active" ;;
    stop) rm -f "$STATE/$u.active" ;;
    reload)
      [ -e "$STATE/$u.active" ] || { echo "Job for $u failed: the unit is not active." >&2; return 1; } ;;
  esac
  echo "$action $u" >> "$STATE/log"
}

[ -f "$STATE/loaded" ] || snapshot

case "$verb" in
  daemon-reload) snapshot; echo daemon-reload >> "$STATE/log" ;;
  daemon-reexec) echo daemon-reexec >> "$STATE/log" ;;
  show)
    first=1
    for x in $units; do [ "$first" = 1 ] || echo; first=0; show_one "$(unit_name "$x")"; done ;;
  is-active)
    rc=3
    for x in $units; do a=$(active_state "$(unit_name "$x")"); echo "$a"; [ "$a" = active ] && rc=0; done
    exit $rc ;;
  start|stop|restart|reload|try-restart|reload-or-restart)
    for x in $units; do runtime "$verb" "$(unit_name "$x")" || exit $?; done ;;
  "") exit 0 ;;
  *)
    # file operations: the real systemctl, offline, on the sandbox's /etc
    # shellcheck disable=SC2086
    exec $REAL --root=/ $all ;;
esac
