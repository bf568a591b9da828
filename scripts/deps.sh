#!/bin/sh
# Installs the Debian packages examd needs to build and test. As root it
# runs apt-get; otherwise it prints the line to run and exits 1.
set -eu
PKGS="build-essential pkg-config libevent-dev libssl-dev libsqlite3-dev
libxml2-dev libxml2-utils libcmocka-dev libjansson-dev libargon2-dev
python3 sqlite3 openssl curl ca-certificates tzdata"
# Browser tests: Debian's Chromium, driven by playwright-core from npm.
# A node that came with npm from elsewhere (nodesource) is kept as it is.
if [ "${EXAMD_NO_BROWSER:-}" != 1 ]; then
	PKGS="$PKGS chromium"
	command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "examd needs these Debian packages:$missing" >&2
	echo "run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
