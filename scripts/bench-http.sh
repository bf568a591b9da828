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
"$BIN/examctl" gen-cert "$tmp/certs" >/dev/null
"$BIN/examctl" --db "$tmp/b.db" init >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/examd" --db "$tmp/b.db" --cert "$tmp/certs/cert.pem" \
    --key "$tmp/certs/key.pem" --listen "127.0.0.1:$port" --access-log 0 \
    2>"$tmp/examd.log" &
pid=$!
i=0
until grep -q "listening on" "$tmp/examd.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$tmp/examd.log"; exit 1; }
	sleep 0.1
done
ulimit -n 4096 2>/dev/null || true
for n in 100 1000; do
	"$BIN/examc" --addr "127.0.0.1:$port" --cacert "$tmp/certs/cert.pem" \
	    hammer --path /healthz --conns $n --seconds "$SECS"
	echo "examd RSS with $n connections: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
done
