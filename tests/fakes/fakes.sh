# Shell helpers to run the fake servers from an e2e script. Source it after
# tests/e2e/lib.sh (it uses $T and $BUILD) :
#
#   . "$(dirname "$0")/../fakes/fakes.sh"
#   fake_start dns  "$FAKES/fake_dns"  --listen 127.0.0.1:0 --zone "$T/zone"
#   fake_start smtp "$FAKES/fake_smtp" --script "$T/script" --port 0
#   "$MAILVET" ... --dns "127.0.0.1:${FAKE_PORT[dns]}" --smtp-port "${FAKE_PORT[smtp]}"
#   fake_bytes "$T/smtp.log" 1      # what connection 1 sent, escaped
#
# Every fake started here is stopped (SIGTERM, then SIGKILL) when the script
# exits; fake_stop stops one now and fails when it did not exit cleanly.

FAKES=${FAKES:-${BUILD:-build}/fakes}
# Debian's python3 without site-packages starts in 10 ms (a pyenv shim: 90)
if [ -x /usr/bin/python3 ]; then PY="/usr/bin/python3 -S"; else PY="python3 -S"; fi
SMTPC="$PY $(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/smtpc.py"
declare -A FAKE_PID=() FAKE_PORT=()

# fake_start NAME PROGRAM ARGS...: start in the background, wait (5 s at
# most) for its "ready" line; sets FAKE_PID[NAME] and, when it printed
# "ready PORT", FAKE_PORT[NAME]. Its stdout/stderr go to $T/NAME.out.
fake_start() {
	local name=$1; shift
	"$@" >"$T/$name.out" 2>&1 &
	FAKE_PID[$name]=$!
	local i line
	for i in $(seq 1 100); do
		line=$(head -n 1 "$T/$name.out" 2>/dev/null)
		case $line in
		ready) return 0 ;;
		"ready "*) FAKE_PORT[$name]=${line#ready }; return 0 ;;
		esac
		kill -0 "${FAKE_PID[$name]}" 2>/dev/null || break
		sleep 0.05
	done
	echo "fake_start $name: not ready:"; sed 's/^/    /' "$T/$name.out"
	return 1
}

# fake_stop NAME: SIGTERM, wait; returns the exit status (0 = clean).
fake_stop() {
	local pid=${FAKE_PID[$1]:-}
	[ -n "$pid" ] || return 1
	unset "FAKE_PID[$1]"
	kill -TERM "$pid" 2>/dev/null
	local i
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
}

fakes_stop_all() {
	local n
	for n in "${!FAKE_PID[@]}"; do
		fake_stop "$n" >/dev/null 2>&1
	done
}
trap 'fakes_stop_all; rm -rf "$T"' EXIT

# fake_bytes LOG ID: the exact bytes connection ID sent, in the log's
# escaped form (e.g. "EHLO x\r\nQUIT\r\n").
fake_bytes() {
	awk -v id="$2" '$1 == id && $2 == "C:" { sub(/^[0-9]+ C: /, ""); printf "%s", $0 }' "$1"
}

# fake_conns LOG ADDR:PORT: the connection ids accepted on that listener.
fake_conns() {
	awk -v a="$2" '$2 == "CONNECT" && $3 == a { print $1 }' "$1"
}

# fake_wait_log FILE PATTERN [TENTHS]: wait until FILE has a line matching
# the extended regex PATTERN (default 3 s).
fake_wait_log() {
	local i
	for i in $(seq 1 "${3:-30}"); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
