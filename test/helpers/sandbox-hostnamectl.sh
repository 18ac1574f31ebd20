#!/bin/sh
# The sandbox's hostnamectl (test/helpers/sandbox-host.ts): systemd-hostnamed's effect without the daemon. The
# static name is /etc/hostname, the transient one the kernel's (the sandbox has its own UTS namespace).
transient=0 static=0 pretty=0 verb= name=
for a; do
  case "$a" in
    --transient) transient=1 ;;
    --static) static=1 ;;
    --pretty) pretty=1 ;;
    -*) ;;
    *) if [ -z "$verb" ]; then verb=$a; else name=$a; fi ;;
  esac
done
[ "$transient$static$pretty" = 000 ] && { transient=1; static=1; }
case "$verb" in
  ""|status)
    if [ "$transient" = 1 ] && [ "$static" = 0 ]; then hostname; exit 0; fi
    if [ "$static" = 1 ] && [ "$transient" = 0 ]; then sed -n 1p /etc/hostname 2>/dev/null; exit 0; fi
    echo " Static hostname: $(sed -n 1p /etc/hostname 2>/dev/null)"
    echo "Transient hostname: $(hostname)" ;;
  set-hostname)
    [ -n "$name" ] || { echo 'Failed to set host name: empty' >&2; exit 1; }
    [ "$static" = 1 ] && printf '%s\n' "$name" > /etc/hostname
    [ "$transient" = 1 ] && hostname "$name"
    exit 0 ;;
  *) echo "Unknown command verb $verb." >&2; exit 1 ;;
esac
