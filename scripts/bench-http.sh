#!/bin/sh
# The stack's ceiling over TLS without disk: GET /healthz on keep-alive
# connections (examc hammer), 100 and 1,000 connections. Every other
# throughput figure is read against this one, measured in the same run.
# Usage: scripts/bench-http.sh BUILD BIN
set -eu
BIN=$2
SECS=${BENCH_SECONDS:-3}
tmp=$(mktemp -d /tmp/examd-bench-http.XXXXXX)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
. scripts/examd-lib.sh
start_examd "$tmp" "$BIN" --access-log 0
pid=$EXAMD_PID
port=$EXAMD_PORT
ulimit -n 4096 2>/dev/null || true
for n in 100 1000; do
	"$BIN/examc" --addr "127.0.0.1:$port" --cacert "$tmp/certs/cert.pem" \
	    hammer --path /healthz --conns $n --seconds "$SECS"
	echo "examd RSS with $n connections: $(rss_kib $pid) kB"
done
