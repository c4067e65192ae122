# nginx_lib.sh - sourced by the end-to-end tests that run a real nginx (Debian's
# nginx-light) on 127.0.0.1.
#
# The caller sets bin and defines write_conf PORT, which writes $tmp/nginx.conf for a
# server listening on 127.0.0.1:PORT that answers /ready without logging it. nginx_setup
# skips (exit 0, saying why) where nginx or curl is missing, makes $tmp and stops nginx
# by PID at exit; nginx_start starts it on a free port (it refuses a busy one, so a few
# are tried) and sets $port and $url, or skips when nginx will not start.
nginx_setup() {
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	if [ ! -x "$NGINX" ] || ! command -v curl >/dev/null 2>&1; then
		echo "skip: nginx or curl is not installed (apt-get install nginx-light curl)"
		exit 77 # skipped (ctest SKIP_RETURN_CODE)
	fi
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	pid=
	trap nginx_cleanup EXIT INT TERM
}

nginx_cleanup() {
	nginx_stop
	rm -rf "$tmp"
}

nginx_stop() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
}

nginx_start() {
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + $$ % 20000 + try * 97))
		write_conf "$port"
		"$NGINX" -p "$tmp" -c "$tmp/nginx.conf" -g 'daemon off;' 2>>"$tmp/start.log" &
		pid=$!
		up=
		for i in 1 2 3 4 5 6 7 8 9 10; do
			curl -sf -o /dev/null "http://127.0.0.1:$port/ready" && up=1 && break
			sleep 0.2
		done
		if [ -n "$up" ] && kill -0 "$pid" 2>/dev/null; then
			url="http://127.0.0.1:$port"
			return 0
		fi
		wait "$pid" 2>/dev/null
		pid=
	done
	echo "skip: nginx would not start on 127.0.0.1:"
	cat "$tmp/start.log" "$tmp/error.log" 2>/dev/null | tail -5
	exit 77 # skipped (ctest SKIP_RETURN_CODE)
}
