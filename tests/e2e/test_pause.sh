#!/usr/bin/env bash
# The workbench's pause key against the fake DNS and SMTP servers
# (loopback): p on a row pauses its provider, and no RCPT reaches that
# provider's MX until p resumes it, then its rows finish; and p on a row
# of a provider the circuit breaker stopped (the ALERT banner) resumes it.
# slow.test answers one RCPT at a time, slowly, so its rows are still
# queued when p comes; blocky.test rejects the sender (policy) on every
# RCPT, which trips the breaker. A pause holds back what is not yet handed
# to a connection; with --max-rejects 1 a connection has one RCPT in
# flight at a time, so what reaches the MX after a pause is only what was
# already on the wire.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"
B=${BUILD:-build}

printf '%s\n' 'slow.test MX 10 mx.slow.test' 'mx.slow.test A 127.0.0.2' \
	'quick.test MX 10 mx.quick.test' 'mx.quick.test A 127.0.0.3' \
	'blocky.test MX 10 mx.blocky.test' 'mx.blocky.test A 127.0.0.4' \
	'sender.test MX 10 mx.quick.test' >"$T/p.zone"
{
	# no PIPELINING: one RCPT in flight per connection, each answered late
	printf '[listen 127.0.0.2]\ncap SIZE 10240000\ncap ENHANCEDSTATUSCODES\ndelay rcpt 500\n'
	for i in $(seq -w 1 16); do printf 'rcpt u%s@slow.test 250 2.1.5 Ok\n' "$i"; done
	printf 'rcpt * 550 5.1.1 <ADDR>: Recipient address rejected: User unknown\n'
	printf '[listen 127.0.0.3]\nrcpt * 550 5.1.1 no such user\n'
	for i in 1 2 3 4; do printf 'rcpt q%s@quick.test 250 2.1.5 Ok\n' "$i"; done
	printf '[listen 127.0.0.4]\nrcpt * 550 5.7.1 Service unavailable; client host [127.0.0.1] blocked using zen.spamhaus.org\n'
} >"$T/p.smtp"
{
	echo email
	for i in $(seq -w 1 16); do echo "u$i@slow.test"; done
	for i in 1 2 3 4; do echo "q$i@quick.test"; done
	for i in $(seq -w 1 12); do echo "b$i@blocky.test"; done
} >"$T/p.csv"

"$B/fakes/fake_dns" --listen 127.0.0.1:0 --zone "$T/p.zone" >"$T/dns.out" 2>/dev/null & dpid=$!
"$B/fakes/fake_smtp" --script "$T/p.smtp" --port 0 --log "$T/smtp.log" >"$T/smtp.out" 2>/dev/null & spid=$!
trap 'kill $dpid $spid 2>/dev/null; tmux_cmd kill-server 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 50); do grep -q ready "$T/dns.out" && grep -q ready "$T/smtp.out" && break; sleep 0.1; done
dport=$(awk '{print $2}' "$T/dns.out") sport=$(awk '{print $2}' "$T/smtp.out")

# RCPTs the MX of a domain has received so far
rcpts() { grep -c "C: RCPT TO:<[^>]*@$1>" "$T/smtp.log"; }

tmux_cmd new-session -d -s "$S" -x 200 -y 45 \
	"cd '$PWD' && env TERM=xterm LANG=C.UTF-8 TZ=UTC NO_COLOR=1 '$MAILVET' --start --no-cache \
	 --dns 127.0.0.1:$dport --smtp-port $sport --allow-private-mx --from probe@sender.test \
	 --helo probe.sender.test --max-rejects 1 '$T/p.csv'; echo EXITED \$?; sleep 30"
check "table while verifying" wait_for "verifying" 20

# the cursor is on row 1, u01@slow.test: pause slow.test once its MX is known
for i in $(seq 100); do [ "$(rcpts slow.test)" -ge 1 ] && break; sleep 0.1; done
check "slow.test probed before the pause" [ "$(rcpts slow.test)" -ge 1 ]
keys p
check "pause shown" wait_for "paused slow.test (p again resumes)"
sleep 1.5                               # the RCPTs already sent are answered
held=$(rcpts slow.test)
check "slow.test rows left when paused" [ "$held" -lt 17 ]
sleep 3
check_eq "no RCPT reaches slow.test's MX while paused" "$(rcpts slow.test)" "$held"
check_contains "still verifying while paused" "$(screen | head -n 1)" "verifying"
check "the other providers go on" [ "$(rcpts quick.test)" -ge 5 ]

# the breaker stops blocky.test and says so in a banner
check "breaker alert banner" wait_for "ALERT: blocky.test is rejecting the sender"
check_contains "banner names the key" "$(screen)" "(p on a row there: pause/resume)"
blocked=$(rcpts blocky.test)
check "blocky.test rows held back" [ "$blocked" -lt 12 ]

# resume slow.test: its rows finish
keys p
check "resume shown" wait_for "resumed slow.test"
for i in $(seq 200); do [ "$(rcpts slow.test)" -ge 17 ] && break; sleep 0.1; done
check_eq "every slow.test row probed after the resume" \
	"$(grep -o 'C: RCPT TO:<u[0-9]*@slow.test>' "$T/smtp.log" | sort -u | wc -l)" 16

# p on a blocky.test row resumes the provider the breaker stopped: the
# banner goes and its held rows are probed again
keys / b 0 1 @ Enter
check "cursor on a blocky.test row" wait_for "b01@blocky.test"
keys p
check "resume after the alert" wait_for "resumed blocky.test after the alert"
for i in $(seq 100); do [ "$(rcpts blocky.test)" -gt "$blocked" ] && break; sleep 0.1; done
check "blocky.test probed again after the resume" [ "$(rcpts blocky.test)" -gt "$blocked" ]

check "verification ends" wait_for "verified 100%" 60
check_contains "slow.test rows deliverable" "$(screen)" "deliverable 20"
check "no DATA ever" [ "$(grep -c VIOLATION "$T/smtp.log")" = 0 ]

keys Q
check "quit" wait_for "EXITED 0"
finish
