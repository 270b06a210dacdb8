#!/usr/bin/env bash
# realnet — real Debian mail components on loopback, for end-to-end truth:
# NSD (authoritative DNS), a private Postfix instance with five smtpd
# listeners, and postgrey. Nothing leaves 127.0.0.0/8; nothing is relayed or
# delivered (every transport is "error", no smtp client service exists, and
# mailvet never sends DATA anyway).
#
#   tests/e2e/realnet.sh start    install what is missing, (re)start all,
#                                 print the settings below as shell
#                                 assignments (eval "$(realnet.sh start)")
#   tests/e2e/realnet.sh stop     stop everything, remove the directory
#   tests/e2e/realnet.sh status   print the settings and what runs; exit 0
#                                 only when all three run
#
# Settings printed (and kept in $REALNET_DIR/env):
#   REALNET_DIR         /tmp/mailvet-realnet (override with REALNET_DIR)
#   REALNET_DNS         127.0.0.1:PORT, for mailvet --dns
#   REALNET_DNS_PORT    5354 when free, else a free high port
#   REALNET_SMTP_PORT   25 when nothing listens on port 25, else a free
#                       high port; every smtpd below listens on it
#   REALNET_GREY_PORT   postgrey's policy port (10023 when free)
#   REALNET_GREY_DELAY  postgrey --delay, seconds (2)
# Ports can be forced with the same variable names in the environment.
#
# Domains (zones served by NSD) and hosts (Postfix smtpd on 127.0.0.N):
#   real-ok.test        MX 10 mx.real-ok.test        127.0.0.10  mailboxes
#                       alice, bob, postmaster; any other user: 550 5.1.1
#   real-catchall.test  MX 10 mx.real-catchall.test  127.0.0.11  accepts any
#                       local part (@real-catchall.test in the mailbox map)
#   real-policy.test    MX 10 mx.real-policy.test    127.0.0.12  rejects every
#                       sender: "554 5.7.1 <sender>: Sender address rejected:
#                       realnet policy: sender blocked" (check_sender_access)
#   real-grey.test      MX 10 mx.real-grey.test      127.0.0.13  postgrey:
#                       "450 4.2.0 ... Greylisted" until the delay has passed
#   real-nullmx.test    MX 0 .                       (null MX, RFC 7505)
#   real-implicit.test  no MX; A 127.0.0.14          smtpd on 127.0.0.14
#   real-backup.test    MX 10 mx1.real-backup.test   127.0.0.15  nothing
#                       listens (connection refused); MX 20 mx.real-ok.test
# A name that does not exist inside these zones (nope.real-ok.test) is
# NXDOMAIN; a domain outside them gets REFUSED (NSD is not a resolver).
# alice@ and bob@ exist in real-ok, real-policy, real-grey, real-implicit and
# real-backup. Every host offers STARTTLS (self-signed certificate), keeps
# Postfix's default error limits (soft 10, hard 20, 1 s sleep) and relays
# nothing (other domains: 454 4.7.1 Relay access denied).
set -u
DIR=${REALNET_DIR:-/tmp/mailvet-realnet}
GREY_DELAY=${REALNET_GREY_DELAY:-2}
PKGS="postfix nsd postgrey bind9-dnsutils openssl"
HERE=$(cd "$(dirname "$0")" && pwd)
TPL=$HERE/realnet

say() { echo "realnet: $*" >&2; }
die() { say "$*"; exit 1; }

# A start that failed half-way: show the logs, stop what did start.
start_failed() {
	say "$*"
	local f
	for f in nsd/nsd.log postgrey/postgrey.log postfix/start.log postfix-spool/maillog; do
		[ -s "$DIR/$f" ] || continue
		say "--- $f"
		tail -n 8 "$DIR/$f" | sed 's/^/    /' >&2
	done
	stop_all
	exit 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- packages -------------------------------------------------------------------
# Installed non-interactively; no daemon may start during the install (a
# temporary policy-rc.d, only when the machine has none), and Postfix is
# told to leave the system configuration alone.
install_packages() {
	local missing="" p
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	command -v apt-get >/dev/null || die "not Debian: install$missing yourself"
	say "installing$missing"
	echo "postfix postfix/main_mailer_type select No configuration" |
		as_root debconf-set-selections
	local made_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# realnet: no daemon starts during the install\nexit 101\n' |
			as_root tee /usr/sbin/policy-rc.d >/dev/null
		as_root chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	local rc=0
	local log
	log=$(mktemp /tmp/realnet-apt.XXXXXX)
	{ as_root apt-get update -qq &&
	  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing; } >"$log" 2>&1 || rc=1
	[ $rc = 0 ] || tail -n 20 "$log" >&2
	rm -f "$log"
	[ $made_policy = 1 ] && as_root rm -f /usr/sbin/policy-rc.d
	[ $rc = 0 ] || die "apt-get install$missing failed"
}

# ---- ports --------------------------------------------------------------------------
tcp_used() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
udp_used() { [ -n "$(ss -Hlun "sport = :$1" 2>/dev/null)" ]; }

# pick_port PREFERRED tcp|both: PREFERRED if free, else a free high port
pick_port() {
	local p=$1 i
	for i in $(seq 1 200); do
		if ! tcp_used "$p" && { [ "$2" = tcp ] || ! udp_used "$p"; }; then
			echo "$p"; return 0
		fi
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
	done
	return 1
}

# ---- processes ------------------------------------------------------------------------
# alive: exists and is not a zombie (daemons are reparented to PID 1, which
# may reap them late)
pid_alive() {
	local st
	[ -n "${1:-}" ] || return 1
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $st in Z*|"") return 1 ;; esac
}
pid_of() { [ -s "$1" ] && tr -dc '0-9' <"$1"; }

# Processes that belong to this instance: working directory or command line
# inside $DIR (Postfix daemons chdir to their queue directory), or a Postfix
# process started with this instance's MAIL_CONFIG.
own_pids() {
	local d pid cwd
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" = $$ ] && continue
		cwd=$(readlink "$d/cwd" 2>/dev/null) || continue
		case $cwd in "$DIR"|"$DIR"/*) echo "$pid"; continue ;; esac
		{ tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF -- "$DIR/" && { echo "$pid"; continue; }
		{ tr '\0' '\n' <"$d/environ"; } 2>/dev/null | grep -qxF "MAIL_CONFIG=$DIR/postfix" &&
			echo "$pid"
	done
}

wait_gone() {
	local pid=$1 i
	for i in $(seq 1 50); do pid_alive "$pid" || return 0; sleep 0.1; done
	return 1
}

stop_all() {
	[ -d "$DIR" ] || return 0
	local pid
	pid=$(pid_of "$DIR/postfix-spool/pid/master.pid")
	if pid_alive "$pid"; then
		postfix -c "$DIR/postfix" stop >/dev/null 2>&1
		wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null
	fi
	for f in "$DIR/postgrey/postgrey.pid" "$DIR/nsd/nsd.pid"; do
		pid=$(pid_of "$f")
		if pid_alive "$pid"; then
			kill -TERM "$pid" 2>/dev/null
			wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null
		fi
	done
	# stragglers (smtpd children finishing, a crashed start)
	local left i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		left=$(own_pids)
		[ -z "$left" ] && break
		[ "$i" -gt 5 ] && kill -KILL $left 2>/dev/null || kill -TERM $left 2>/dev/null
		sleep 0.2
	done
	rm -rf "$DIR"
}

# ---- configuration ------------------------------------------------------------------------
# render TEMPLATE OUT: substitute @DIR@ @DNS_PORT@ @SMTP_PORT@ @GREY_PORT@
render() {
	[ -r "$1" ] || die "missing template $1"
	sed -e "s|@DIR@|$DIR|g" -e "s|@DNS_PORT@|$DNS_PORT|g" \
	    -e "s|@SMTP_PORT@|$SMTP_PORT|g" -e "s|@GREY_PORT@|$GREY_PORT|g" "$1" >"$2"
}

print_env() {
	cat <<EOF
REALNET_DIR=$DIR
REALNET_DNS=127.0.0.1:$DNS_PORT
REALNET_DNS_PORT=$DNS_PORT
REALNET_SMTP_PORT=$SMTP_PORT
REALNET_GREY_PORT=$GREY_PORT
REALNET_GREY_DELAY=$GREY_DELAY
EOF
}

# banner HOST PORT: the first line a server sends, empty when none
banner() {
	local line=""
	{ exec 3<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
	IFS= read -r -t 2 line <&3
	printf 'QUIT\r\n' >&3 2>/dev/null
	exec 3<&- 3>&-
	printf '%s' "$line"
}

start_all() {
	install_packages
	stop_all
	DNS_PORT=${REALNET_DNS_PORT:-$(pick_port 5354 both)} || die "no free DNS port"
	if [ -n "${REALNET_SMTP_PORT:-}" ]; then
		SMTP_PORT=$REALNET_SMTP_PORT
	elif tcp_used 25; then
		SMTP_PORT=$(pick_port 2525 tcp) || die "no free SMTP port"
		say "port 25 is taken here; the smtpd listeners use port $SMTP_PORT"
	else
		SMTP_PORT=25
	fi
	GREY_PORT=${REALNET_GREY_PORT:-$(pick_port 10023 tcp)} || die "no free postgrey port"
	mkdir -p "$DIR/nsd" "$DIR/postfix" "$DIR/postfix-spool" "$DIR/postfix-data" "$DIR/postgrey"
	chmod 755 "$DIR"

	# NSD
	local z
	render "$TPL/nsd.conf" "$DIR/nsd/nsd.conf"
	for z in "$TPL"/zones/*.zone; do cp "$z" "$DIR/nsd/"; done
	nsd-checkconf "$DIR/nsd/nsd.conf" >&2 || start_failed "bad nsd.conf"
	nsd -c "$DIR/nsd/nsd.conf" </dev/null >>"$DIR/nsd/nsd.log" 2>&1 ||
		start_failed "nsd did not start"

	# postgrey: its own database, no whitelists, no auto-whitelisting
	: >"$DIR/postgrey/whitelist_clients"
	: >"$DIR/postgrey/whitelist_recipients"
	chown -R postgrey:postgrey "$DIR/postgrey" 2>/dev/null
	setsid postgrey --inet="127.0.0.1:$GREY_PORT" --delay="$GREY_DELAY" \
		--dbdir="$DIR/postgrey" --user=postgrey --hostname=realnet.test \
		--whitelist-clients="$DIR/postgrey/whitelist_clients" \
		--whitelist-recipients="$DIR/postgrey/whitelist_recipients" \
		--auto-whitelist-clients=0 </dev/null >>"$DIR/postgrey/postgrey.log" 2>&1 &
	echo $! >"$DIR/postgrey/postgrey.pid"

	# Postfix: a private instance in $DIR/postfix
	render "$TPL/main.cf" "$DIR/postfix/main.cf"
	render "$TPL/master.cf" "$DIR/postfix/master.cf"
	cp "$TPL/vmailbox" "$TPL/sender_policy" "$DIR/postfix/"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$DIR/postfix/key.pem" -out "$DIR/postfix/cert.pem" -days 3 \
		-subj "/CN=mx.realnet.test" >/dev/null 2>&1 || start_failed "openssl req failed"
	chmod 600 "$DIR/postfix/key.pem"
	chown postfix:postfix "$DIR/postfix-data"
	postfix -c "$DIR/postfix" start </dev/null >>"$DIR/postfix/start.log" 2>&1 ||
		start_failed "postfix did not start"

	print_env >"$DIR/env"

	# ready when NSD answers, postgrey listens and every smtpd greets
	local i ok
	for i in $(seq 1 100); do
		ok=1
		[ "$(dig @127.0.0.1 -p "$DNS_PORT" +short +time=1 +tries=1 real-ok.test SOA 2>/dev/null)" ] || ok=0
		[ $ok = 1 ] && { tcp_used "$GREY_PORT" || ok=0; }
		if [ $ok = 1 ]; then
			for z in 10 11 12 13 14; do
				case $(banner "127.0.0.$z" "$SMTP_PORT") in 220*) ;; *) ok=0; break ;; esac
			done
		fi
		[ $ok = 1 ] && break
		sleep 0.1
	done
	if [ $ok != 1 ]; then
		status_all >&2
		start_failed "not ready after 10 s"
	fi
	print_env
}

status_all() {
	[ -f "$DIR/env" ] || { echo "realnet: not started"; return 1; }
	cat "$DIR/env"
	local rc=0 pid name
	for name in postfix:postfix-spool/pid/master.pid postgrey:postgrey/postgrey.pid \
	            nsd:nsd/nsd.pid; do
		pid=$(pid_of "$DIR/${name#*:}")
		if pid_alive "$pid"; then
			echo "${name%%:*}: running (pid $pid)"
		else
			echo "${name%%:*}: stopped"
			rc=1
		fi
	done
	return $rc
}

case ${1:-} in
start) start_all ;;
stop) stop_all ;;
status) status_all ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
