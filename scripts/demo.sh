#!/bin/sh
# make demo: a working examd on the embedded defaults, in the background.
# Creates demo/ (certificate, database), starts examd on 127.0.0.1:8443
# (EXAMD_DEMO_LISTEN to change) and prints its URL. `make demo-stop` ends it.
set -eu
DIR=${EXAMD_DEMO_DIR:-demo}
LISTEN=${EXAMD_DEMO_LISTEN:-127.0.0.1:8443}
mkdir -p "$DIR"
if [ -f "$DIR/examd.pid" ] && kill -0 "$(cat "$DIR/examd.pid")" 2>/dev/null; then
	echo "demo: examd is already running (pid $(cat "$DIR/examd.pid")); make demo-stop first" >&2
	exit 1
fi
[ -f "$DIR/certs/cert.pem" ] || bin/examctl gen-cert "$DIR/certs" >/dev/null
new=0
[ -f "$DIR/examd.db" ] || new=1
bin/examctl --db "$DIR/examd.db" init >/dev/null
if [ $new = 1 ]; then
	# Content and a sitting, once the commands exist.
	if bin/examctl 2>&1 | grep -q ' import '; then
		bin/examctl --db "$DIR/examd.db" import items/bank >/dev/null
	fi
	if bin/examctl 2>&1 | grep -q ' demo'; then
		bin/examctl --db "$DIR/examd.db" demo > "$DIR/sign-ins.txt"
	fi
fi
WEB=
[ -d client/web ] && WEB="--web client/web"
# shellcheck disable=SC2086
nohup bin/examd --db "$DIR/examd.db" --cert "$DIR/certs/cert.pem" \
    --key "$DIR/certs/key.pem" --listen "$LISTEN" $WEB \
    >"$DIR/examd.log" 2>&1 &
echo $! > "$DIR/examd.pid"
i=0
until grep -q "listening on" "$DIR/examd.log"; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$(cat "$DIR/examd.pid")" 2>/dev/null; then
		cat "$DIR/examd.log" >&2
		exit 1
	fi
	sleep 0.1
done
[ -f "$DIR/sign-ins.txt" ] && cat "$DIR/sign-ins.txt"
echo "examd is running: https://$LISTEN/"
[ -n "$WEB" ] && echo "  candidates: open https://$LISTEN/ and sign in with an access code above (the certificate is self-signed: accept it in the browser)"
echo "  certificate: $DIR/certs/cert.pem  (curl --cacert $DIR/certs/cert.pem https://$LISTEN/healthz)"
echo "  log: $DIR/examd.log   stop: make demo-stop"
