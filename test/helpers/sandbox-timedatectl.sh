#!/bin/sh
# The sandbox's timedatectl (test/helpers/sandbox-host.ts): systemd-timedated's effect without the daemon. The
# time zone is where /etc/localtime points (and /etc/timezone, as Debian keeps it); the RTC mode is /etc/adjtime.
zone() { readlink /etc/localtime | sed 's|.*/zoneinfo/||'; }
rtc_local() { [ "$(sed -n 3p /etc/adjtime 2>/dev/null)" = LOCAL ] && echo yes || echo no; }
case "$1" in
  ""|status)
    z=$(zone)
    echo "               Local time: $(TZ=$z date)"
    echo "           Universal time: $(date -u)"
    echo "                Time zone: $z ($(TZ=$z date +%Z), $(TZ=$z date +%z))"
    echo "          RTC in local TZ: $(rtc_local)" ;;
  set-timezone)
    [ -f "/usr/share/zoneinfo/$2" ] || { echo "Failed to set time zone: Invalid or not installed time zone '$2'" >&2; exit 1; }
    ln -sfn "../usr/share/zoneinfo/$2" /etc/localtime
    printf '%s\n' "$2" > /etc/timezone ;;
  set-local-rtc)
    case "$2" in 1|yes|true|on) mode=LOCAL ;; *) mode=UTC ;; esac
    printf '0.0 0 0.0\n0\n%s\n' "$mode" > /etc/adjtime ;;
  *) echo "Unknown command verb $1." >&2; exit 1 ;;
esac
