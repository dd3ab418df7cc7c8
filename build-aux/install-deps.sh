#!/bin/sh
# install-deps.sh -- install the Debian packages lsmvtab needs, if missing.
# Usage: build-aux/install-deps.sh [extra-package ...]
# Runs apt-get (through sudo when not root) only when something is missing.
set -e
PKGS="build-essential autoconf automake libtool pkg-config libsqlite3-dev sqlite3 \
libxxhash-dev check libsubunit-dev python3 $*"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
