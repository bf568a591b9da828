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
"$BIN/examctl" gen-cert "$tmp/certs" >/dev/null
"$BIN/examctl" --db "$tmp/idle.db" init >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/examd" --db "$tmp/idle.db" --cert "$tmp/certs/cert.pem" \
    --key "$tmp/certs/key.pem" --listen "127.0.0.1:$port" 2>"$tmp/examd.log" &
pid=$!
i=0
until grep -q "listening on" "$tmp/examd.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$tmp/examd.log"; exit 1; }
	sleep 0.1
done
curl -s --cacert "$tmp/certs/cert.pem" "https://127.0.0.1:$port/healthz" >/dev/null
echo "examd idle RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"

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
