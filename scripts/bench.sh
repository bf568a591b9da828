#!/bin/sh
# make bench: prints the figures that matter, each beside a reference run
# made in the same invocation. Usage: scripts/bench.sh BUILD BIN
set -eu
BUILD=$1
BIN=$2
SECS=${BENCH_SECONDS:-3}
tmp=$(mktemp -d /tmp/examd-bench.XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
pid=

echo "== store: group commit on vs off (batch size 1)"
"$BUILD/bench/bench_store" "$tmp" "$SECS"

echo
echo "== examd idle memory"
. scripts/examd-lib.sh
start_examd "$tmp" "$BIN" --access-log 0
pid=$EXAMD_PID
curl -s --cacert "$tmp/certs/cert.pem" "https://127.0.0.1:$EXAMD_PORT/healthz" >/dev/null
echo "examd idle RSS: $(rss_kib $pid) kB"
kill $pid

for b in "$BUILD"/bench/bench_*; do
	case $b in */bench_store) continue;; esac
	[ -x "$b" ] || continue
	echo
	echo "== $(basename "$b")"
	"$b" "$tmp" "$SECS"
done
for s in scripts/bench-*.sh scripts/bench-*.py; do
	[ -f "$s" ] || continue
	echo
	echo "== $(basename "$s")"
	case $s in *.py) EXAMD_BIN="$BIN" python3 "$s";; *) sh "$s" "$BUILD" "$BIN";; esac
done
