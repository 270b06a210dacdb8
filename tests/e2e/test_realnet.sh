#!/usr/bin/env bash
# The real-MTA harness (tests/e2e/realnet.sh): NSD, Postfix and postgrey on
# loopback answer as the domain map in realnet.sh's header says. Driven with
# dig and tests/fakes/smtpc.py; never sends DATA. Runs the same way in both
# modes (MODE only picks the mailvet binary, which this test does not use).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fakes/fakes.sh"
REALNET="$(dirname "$0")/realnet.sh"
trap '"$REALNET" stop; rm -rf "$T"' EXIT

"$REALNET" start >"$T/env" 2>"$T/start.err"
check_eq "realnet starts" "$?" 0
if ! grep -q '^REALNET_SMTP_PORT=' "$T/env"; then
	sed 's/^/    /' "$T/start.err"
	finish
	exit 1
fi
. "$T/env"
SP=$REALNET_SMTP_PORT
C() { $SMTPC "$@"; }
D() { dig @127.0.0.1 -p "$REALNET_DNS_PORT" +time=1 +tries=2 "$@"; }

# greylisting first: the retry has to wait for postgrey's delay
grey_t0=$(date +%s%N)
out=$(C 127.0.0.13 "$SP" "EHLO probe.test" "MAIL FROM:<probe@mailvet.test>" "RCPT TO:<alice@real-grey.test>" "RCPT TO:<alice@real-grey.test>" QUIT)
check_contains "grey: first attempt deferred" "$(echo "$out" | sed -n 4p)" "450 4."
check_contains "grey: says greylisted" "$(echo "$out" | sed -n 4p)" "Recipient address rejected: Greylisted"
check_contains "grey: early retry deferred" "$(echo "$out" | sed -n 5p)" "Greylisted"

out=$("$REALNET" status)
check_eq "status exit" "$?" 0
check_contains "status postfix" "$out" "postfix: running"
check_contains "status postgrey" "$out" "postgrey: running"
check_contains "status nsd" "$out" "nsd: running"

# DNS: NSD answers for every test domain
check_eq "dns: mx" "$(D +short real-ok.test MX)" "10 mx.real-ok.test."
check_eq "dns: mx host" "$(D +short mx.real-ok.test A)" "127.0.0.10"
check_eq "dns: catch-all mx" "$(D +short real-catchall.test MX)" "10 mx.real-catchall.test."
check_eq "dns: null mx" "$(D +short real-nullmx.test MX)" "0 ."
out=$(D real-implicit.test MX)
check_contains "dns: implicit has no mx" "$out" "ANSWER: 0,"
check_contains "dns: implicit noerror" "$out" "status: NOERROR"
check_eq "dns: implicit a" "$(D +short real-implicit.test A)" "127.0.0.14"
check_eq "dns: backup mx pair" "$(D +short real-backup.test MX | sort)" \
	"$(printf '10 mx1.real-backup.test.\n20 mx.real-ok.test.')"
check_eq "dns: dead backup host" "$(D +short mx1.real-backup.test A)" "127.0.0.15"
out=$(D nope.real-ok.test A)
check_contains "dns: nxdomain" "$out" "status: NXDOMAIN"
check_contains "dns: authoritative" "$out" "flags: qr aa"
check_eq "dns: over tcp" "$(D +tcp +short real-grey.test MX)" "10 mx.real-grey.test."

# SMTP: the ordinary host
out=$(C 127.0.0.10 "$SP" "EHLO probe.test" "MAIL FROM:<probe@mailvet.test>" "RCPT TO:<alice@real-ok.test>" "RCPT TO:<no.such.user@real-ok.test>" "RCPT TO:<someone@elsewhere.test>" RSET QUIT)
check_eq "ok: banner" "$(echo "$out" | sed -n 1p)" "220 mx.realnet.test ESMTP realnet"
check_contains "ok: starttls offered" "$(echo "$out" | sed -n 2p)" "250-STARTTLS"
check_eq "ok: existing user" "$(echo "$out" | sed -n 4p)" "250 2.1.5 Ok"
check_eq "ok: unknown user" "$(echo "$out" | sed -n 5p)" \
	"550 5.1.1 <no.such.user@real-ok.test>: Recipient address rejected: User unknown in virtual mailbox table"
check_eq "ok: no relaying" "$(echo "$out" | sed -n 6p)" \
	"454 4.7.1 <someone@elsewhere.test>: Relay access denied"
check_eq "ok: quit" "$(echo "$out" | tail -n 1)" "221 2.0.0 Bye"

# STARTTLS: a real handshake, then a new EHLO without STARTTLS
out=$(C 127.0.0.10 "$SP" "EHLO probe.test" STARTTLS "EHLO probe.test" "MAIL FROM:<probe@mailvet.test>" "RCPT TO:<bob@real-ok.test>" QUIT)
check_contains "tls: handshake" "$(echo "$out" | sed -n 4p)" "TLS TLSv1."
check "tls: not offered again" test "$(echo "$out" | sed -n 5p | grep -c STARTTLS)" = 0
check_eq "tls: rcpt over tls" "$(echo "$out" | sed -n 7p)" "250 2.1.5 Ok"

# catch-all, policy, implicit MX host, dead backup MX
rnd="zz$RANDOM$RANDOM"
out=$(C 127.0.0.11 "$SP" "EHLO probe.test" "MAIL FROM:<probe@mailvet.test>" "RCPT TO:<$rnd@real-catchall.test>" QUIT)
check_eq "catch-all: random local part" "$(echo "$out" | sed -n 4p)" "250 2.1.5 Ok"
out=$(C 127.0.0.12 "$SP" "EHLO probe.test" "MAIL FROM:<probe@mailvet.test>" "RCPT TO:<alice@real-policy.test>" QUIT)
check_eq "policy: sender rejected" "$(echo "$out" | sed -n 4p)" \
	"554 5.7.1 <probe@mailvet.test>: Sender address rejected: realnet policy: sender blocked"
out=$(C 127.0.0.14 "$SP" "EHLO probe.test" "MAIL FROM:<probe@mailvet.test>" "RCPT TO:<bob@real-implicit.test>" "RCPT TO:<carol@real-implicit.test>" QUIT)
check_eq "implicit: user" "$(echo "$out" | sed -n 4p)" "250 2.1.5 Ok"
check_contains "implicit: unknown" "$(echo "$out" | sed -n 5p)" "550 5.1.1"
check_contains "backup: primary refuses" "$(C 127.0.0.15 "$SP")" "CONNECT-FAIL"
out=$(C 127.0.0.10 "$SP" "EHLO probe.test" "MAIL FROM:<probe@mailvet.test>" "RCPT TO:<alice@real-backup.test>" QUIT)
check_eq "backup: secondary accepts" "$(echo "$out" | sed -n 4p)" "250 2.1.5 Ok"

# Postfix's tarpit limits are the defaults (soft 10, hard 20, 1 s)
pc="postconf -c $REALNET_DIR/postfix -xh"
check_eq "error limits" "$($pc smtpd_soft_error_limit) $($pc smtpd_hard_error_limit) $($pc smtpd_error_sleep_time)" \
	"10 20 1s"

# greylisting: accepted once the delay has passed
left=$(( REALNET_GREY_DELAY * 1000 + 300 - ($(date +%s%N) - grey_t0) / 1000000 ))
[ "$left" -gt 0 ] && sleep "$(awk -v ms="$left" 'BEGIN { print ms / 1000 }')"
out=$(C 127.0.0.13 "$SP" "EHLO probe.test" "MAIL FROM:<probe@mailvet.test>" "RCPT TO:<alice@real-grey.test>" "RCPT TO:<bob@real-grey.test>" QUIT)
check_eq "grey: retry after the delay" "$(echo "$out" | sed -n 4p)" "250 2.1.5 Ok"
check_contains "grey: a new recipient is deferred" "$(echo "$out" | sed -n 5p)" "Greylisted"
check "grey: postgrey logged it" grep -q "action=pass, reason=triplet found" \
	"$REALNET_DIR/postgrey/postgrey.log"

# stop: everything gone
pids=$(cat "$REALNET_DIR/postfix-spool/pid/master.pid" "$REALNET_DIR/postgrey/postgrey.pid" \
	"$REALNET_DIR/nsd/nsd.pid" 2>/dev/null | tr -dc '0-9\n')
"$REALNET" stop
check_eq "stop exit" "$?" 0
check "stop removes the directory" test ! -e "$REALNET_DIR"
live=""
for p in $pids; do
	st=$(ps -o stat= -p "$p" 2>/dev/null)
	case $st in ""|Z*) ;; *) live="$live $p" ;; esac
done
check_eq "no daemon left" "$live" ""
left=""
for p in /proc/[0-9]*; do
	cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
	case $cwd in "$REALNET_DIR"|"$REALNET_DIR"/*) left="$left ${p#/proc/}"; continue ;; esac
	{ tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "MAIL_CONFIG=$REALNET_DIR/postfix" &&
		left="$left ${p#/proc/}"
done
check_eq "no process in the directory" "$left" ""
check_eq "nothing listens" "$(ss -Hltn "( sport = :$SP or sport = :$REALNET_DNS_PORT or sport = :$REALNET_GREY_PORT )" | grep -c '127\.0\.0\.1[0-4]\?:')" 0
check_eq "status after stop" "$("$REALNET" status; echo "rc=$?")" "realnet: not started
rc=1"
finish
