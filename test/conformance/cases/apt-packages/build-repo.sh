#!/bin/sh
# A local apt archive for the sandbox (no network): the machine's sources set aside, small packages built with
# dpkg-deb. $1: directory for archives; packages: nop-hello 1.0 and 1.1, nop-lib, nop-app (depends on nop-lib),
# nop-extra (in a second archive, added by the playbook), nop-tool 2.0 (a .deb file), and an OpenPGP key.
set -e
mkdir -p /etc/apt/sources.off
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do [ -e "$f" ] && mv "$f" /etc/apt/sources.off/; done
build() {
  d=$(mktemp -d)
  mkdir -p "$d/DEBIAN" "$d/usr/share/nop-test"
  {
    echo "Package: $1"
    echo "Version: $2"
    echo "Architecture: all"
    echo "Maintainer: nop <nop@example.invalid>"
    [ -z "$3" ] || echo "Depends: $3"
    echo "Description: nop test package $1"
  } > "$d/DEBIAN/control"
  echo "$1 $2" > "$d/usr/share/nop-test/$1"
  dpkg-deb --root-owner-group -Zgzip --build "$d" "$4/${1}_${2}_all.deb" >/dev/null
  rm -rf "$d"
}
mkdir -p /srv/repo /srv/extra /srv/debs
build nop-hello 1.0 "" /srv/repo
build nop-hello 1.1 "" /srv/repo
build nop-lib 1.0 "" /srv/repo
build nop-app 1.0 nop-lib /srv/repo
build nop-extra 1.0 "" /srv/extra
build nop-tool 2.0 "" /srv/debs
for r in /srv/repo /srv/extra; do (cd "$r" && dpkg-scanpackages -m . > Packages 2>/dev/null); done
echo 'deb [trusted=yes] file:/srv/repo ./' > /etc/apt/sources.list.d/local.list
apt-get update -qq
