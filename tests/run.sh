#!/bin/sh
# Runs the unit tests (cmocka programs), then the integration tests (a real
# examd over TLS on 127.0.0.1) and the browser tests when present. Prints
# "N passed, N failed" last; exits 1 if anything failed.
# Usage: tests/run.sh BUILD BIN [unit|integration|browser]
set -u
BUILD=$1
BIN=$2
ONLY=${3:-all}
passed=0
failed=0
failures=""

count() {	# name status
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else
		failed=$((failed + 1)); failures="$failures $1"; fi
}

if [ "$ONLY" = all ] || [ "$ONLY" = unit ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		echo "== unit: $(basename "$t")"
		"$t"
		count "$(basename "$t")" $?
	done
fi
if [ "$ONLY" = all ] || [ "$ONLY" = integration ]; then
	for t in tests/integration/test_*.py; do
		[ -f "$t" ] || continue
		echo "== integration: $(basename "$t")"
		EXAMD_BIN="$BIN" python3 "$t"
		count "$(basename "$t")" $?
	done
fi
if [ "$ONLY" = all ] || [ "$ONLY" = browser ]; then
	if [ -f tests/browser/run.sh ]; then
		echo "== browser"
		EXAMD_BIN="$BIN" sh tests/browser/run.sh
		count browser $?
	fi
fi
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
