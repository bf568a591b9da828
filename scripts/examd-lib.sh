# Shell helpers for the scripts that start a throw-away examd (sourced).
# start_examd DIR BIN [ARGS...]: certificate, database, examd on a free
# 127.0.0.1 port in the background; sets EXAMD_PID and EXAMD_PORT.
start_examd() {
	_dir=$1 _bin=$2
	shift 2
	"$_bin/examctl" gen-cert "$_dir/certs" >/dev/null
	[ -f "$_dir/examd.db" ] || "$_bin/examctl" --db "$_dir/examd.db" init >/dev/null
	EXAMD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$_bin/examd" --db "$_dir/examd.db" --cert "$_dir/certs/cert.pem" \
	    --key "$_dir/certs/key.pem" --listen "127.0.0.1:$EXAMD_PORT" "$@" \
	    2>"$_dir/examd.log" &
	EXAMD_PID=$!
	_i=0
	until grep -q "listening on" "$_dir/examd.log" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt 300 ] || ! kill -0 $EXAMD_PID 2>/dev/null; then
			cat "$_dir/examd.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# rss_kib PID: resident memory in KiB.
rss_kib() {
	awk '/VmRSS/ {print $2}' "/proc/$1/status"
}
