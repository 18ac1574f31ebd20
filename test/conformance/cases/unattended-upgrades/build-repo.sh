#!/bin/sh
# The sandbox's own archive (no network) holding unattended-upgrades and apt-listchanges look-alikes: the first
# ships a unit and a conffile, as Debian's does. The machine's sources are set aside.
set -e
mkdir -p /etc/apt/sources.off
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do [ -e "$f" ] && mv "$f" /etc/apt/sources.off/; done
pkg() {
  d=$(mktemp -d)
  mkdir -p "$d/DEBIAN"
  printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: nop <nop@example.invalid>\nDescription: look-alike of %s\n' "$1" "$2" "$1" > "$d/DEBIAN/control"
  if [ "$1" = unattended-upgrades ]; then
    mkdir -p "$d/usr/lib/systemd/system" "$d/etc/apt/apt.conf.d"
    printf '[Unit]\nDescription=Unattended Upgrades Shutdown\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' > "$d/usr/lib/systemd/system/unattended-upgrades.service"
    printf '// as packaged\n' > "$d/etc/apt/apt.conf.d/50unattended-upgrades"
    echo /etc/apt/apt.conf.d/50unattended-upgrades > "$d/DEBIAN/conffiles"
  fi
  dpkg-deb --root-owner-group -Zgzip --build "$d" "/srv/uu/${1}_${2}_all.deb" >/dev/null
  rm -rf "$d"
}
mkdir -p /srv/uu
pkg unattended-upgrades 2.9.1
pkg apt-listchanges 3.24
(cd /srv/uu && dpkg-scanpackages . > Packages 2>/dev/null)
# the archive's public key (a throwaway test key, made once: the same key for every recording and run)
cp "$(dirname "$0")/files/archive-key.asc" /srv/uu-key.asc
