#!/bin/sh
# Browser tests: the candidate's pages in a real headless Chromium (Debian's
# /usr/bin/chromium, driven by playwright-core; nothing is downloaded but
# that npm package) against a real examd over TLS on 127.0.0.1.
#
# Sets up a fresh database (examctl init, the sample bank) and a
# development certificate, starts examd with --web client/web on a free
# port, registers the tests' candidates through the API (fixture.py), runs
# every tests/browser/*.test.mjs with `node --test`, one file at a time,
# and stops examd. Screenshots and examd's log go to tests/out/. Prints
# "N passed, N failed" last and exits 1 on any failure.
#
# Usage: EXAMD_BIN=bin sh tests/browser/run.sh [node --test args...]
# EXAMD_KEEP=1 keeps the temporary folder (database, log) for a look;
# EXAMD_TESTS='tests/browser/void.test.mjs ...' runs only those files.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BIN=${EXAMD_BIN:-bin}
case $BIN in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
OUT="$ROOT/tests/out"
CHROMIUM=${EXAMD_CHROMIUM:-/usr/bin/chromium}

fail() {
	echo "browser: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

command -v node >/dev/null 2>&1 || fail "node is missing (sh scripts/deps.sh installs nodejs and npm)"
[ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing (sh scripts/deps.sh installs chromium)"
[ -x "$BIN/examd" ] && [ -x "$BIN/examctl" ] || fail "no $BIN/examd or $BIN/examctl: run make first"
if [ ! -d tests/browser/node_modules/playwright-core ]; then
	echo "browser: npm ci (playwright-core, no browser download)"
	(cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
	    npm ci --no-audit --no-fund --loglevel=error) ||
	    fail "npm ci failed in tests/browser"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/examd-browser.XXXXXX")
mkdir -p "$OUT"
PID=
cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	cp "$TMP/examd.log" "$OUT/examd.log" 2>/dev/null
	[ "${EXAMD_KEEP:-}" = 1 ] && echo "browser: kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

DB="$TMP/examd.db"
"$BIN/examctl" gen-cert "$TMP/certs" >/dev/null || fail "examctl gen-cert failed"
"$BIN/examctl" --db "$DB" init >/dev/null || fail "examctl init failed"
"$BIN/examctl" --db "$DB" import items/bank >/dev/null ||
    fail "examctl import items/bank failed"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/examd" --db "$DB" --cert "$TMP/certs/cert.pem" --key "$TMP/certs/key.pem" \
    --listen "127.0.0.1:$PORT" --web client/web >"$TMP/examd.log" 2>&1 &
PID=$!
i=0
until grep -q "listening on" "$TMP/examd.log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$PID" 2>/dev/null; then
		cat "$TMP/examd.log" >&2
		fail "examd did not start"
	fi
	sleep 0.1
done
EXAMD_BIN="$BIN" python3 tests/browser/fixture.py "$DB" "https://127.0.0.1:$PORT" \
    "$TMP/certs/cert.pem" "$TMP/world.json" || fail "fixture failed"

# One file at a time: each drives a browser, and the time-out test counts
# seconds. spec for people on stdout, TAP in a file for the counts.
EXAMD_URL="https://127.0.0.1:$PORT" EXAMD_WORLD="$TMP/world.json" \
EXAMD_CERT="$TMP/certs/cert.pem" EXAMD_OUT="$OUT" EXAMD_CHROMIUM="$CHROMIUM" \
EXAMD_DIR="$TMP" EXAMD_BIN="$BIN" \
    node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$OUT/browser.tap" \
    "$@" ${EXAMD_TESTS:-tests/browser/*.test.mjs}
rc=$?
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$OUT/browser.tap")
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$OUT/browser.tap")
skipped=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$OUT/browser.tap")
[ "${skipped:-0}" != 0 ] && echo "browser: $skipped skipped (see above for why)"
passed=${passed:-0}
failed=${failed:-0}
[ "$rc" != 0 ] && [ "$failed" = 0 ] && failed=1	# crashed before counting
echo "$passed passed, $failed failed"
[ "$rc" = 0 ] && [ "$failed" = 0 ]
