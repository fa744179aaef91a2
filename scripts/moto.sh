#!/usr/bin/env bash
# moto.sh: start and stop a local moto server (the AWS emulator the
# end-to-end tests run against). Loopback only, random free port, stopped by
# PID. See docs/testing.md.
#
#   eval "$(scripts/moto.sh start)"   # exports MOTO_URL and MOTO_PID
#   go test ./test/e2e/...
#   scripts/moto.sh stop
#   scripts/moto.sh check             # prints the Python that has moto, or fails
#
# Environment:
#   MOTO_STATE_DIR  where the PID, URL and log files go (default: a new
#                   mktemp dir on start; on stop, the dir of the last start,
#                   recorded in ${TMPDIR:-/tmp}/demarc-moto-last).
#   MOTO_PYTHON     a Python with moto[server] (default: python3, then pyenv's
#                   3.11.7).
#   MOTO_ENV        extra VAR=value pairs for the server, space separated
#                   (e.g. "INITIAL_NO_AUTH_ACTION_COUNT=50").
set -euo pipefail

die() {
	echo "moto.sh: $*" >&2
	exit 1
}

last_file="${TMPDIR:-/tmp}/demarc-moto-last"

# find_python prints the first interpreter that can import the moto server.
find_python() {
	local c
	for c in "${MOTO_PYTHON:-}" python3 "$HOME/.pyenv/versions/3.11.7/bin/python"; do
		[ -n "$c" ] || continue
		command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || continue
		# Print the real interpreter path: pyenv's shims cost ~100 ms a call.
		if "$c" -c 'import moto.server, flask, flask_cors, sys; print(sys.executable)' 2>/dev/null; then
			return 0
		fi
	done
	return 1
}

start() {
	local py port dir url pid i
	py="$(find_python)" || die "no Python with moto's server found (tried \$MOTO_PYTHON, python3, ~/.pyenv/versions/3.11.7/bin/python).
Install it with:  pip install 'moto[server]'   (moto 5.x; it brings flask and flask_cors)"
	dir="${MOTO_STATE_DIR:-}"
	if [ -z "$dir" ]; then
		dir="$(mktemp -d "${TMPDIR:-/tmp}/demarc-moto.XXXXXX")"
	fi
	mkdir -p "$dir"
	if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
		die "a moto server is already running from $dir (pid $(cat "$dir/pid")); run: scripts/moto.sh stop"
	fi
	# Ask the kernel for a free loopback port. Another process could take it
	# before moto binds; then the readiness wait fails and we try again.
	for _ in 1 2 3; do
		port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
		url="http://127.0.0.1:$port"
		# shellcheck disable=SC2086 # MOTO_ENV is a list of VAR=value words
		env MOTO_IAM_LOAD_MANAGED_POLICIES=true ${MOTO_ENV:-} \
			"$py" -m moto.server -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 </dev/null &
		pid=$!
		for ((i = 0; i < 300; i++)); do # 300 × 0.1 s = 30 s
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)' "$url" >/dev/null 2>&1; then
				echo "$pid" >"$dir/pid"
				echo "$url" >"$dir/url"
				echo "$dir" >"$last_file"
				echo "export MOTO_URL=$url MOTO_PID=$pid MOTO_STATE_DIR=$dir"
				return 0
			fi
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	echo "moto.sh: moto did not answer $url/moto-api/ within 30s; log:" >&2
	tail -n 20 "$dir/moto.log" >&2 || true
	exit 1
}

stop() {
	local dir pid i
	dir="${MOTO_STATE_DIR:-}"
	if [ -z "$dir" ] && [ -f "$last_file" ]; then
		dir="$(cat "$last_file")"
	fi
	[ -n "$dir" ] && [ -f "$dir/pid" ] || die "no running moto recorded (set MOTO_STATE_DIR to the dir printed by start)"
	pid="$(cat "$dir/pid")"
	if kill "$pid" 2>/dev/null; then
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/pid" "$dir/url"
	if [ -f "$last_file" ] && [ "$(cat "$last_file")" = "$dir" ]; then
		rm -f "$last_file"
	fi
	echo "moto.sh: stopped pid $pid" >&2
}

case "${1:-}" in
start) start ;;
stop) stop ;;
check | python)
	# check: is moto usable? Prints the interpreter; fails loudly if not.
	find_python || die "no Python with moto's server found (tried \$MOTO_PYTHON, python3, ~/.pyenv/versions/3.11.7/bin/python).
Install it with:  pip install 'moto[server]'"
	;;
*)
	echo "usage: scripts/moto.sh start|stop|check" >&2
	exit 2
	;;
esac
