#!/usr/bin/env bash
# The test network's own fakes (tests/fakes/): fake_dns driven with dig and
# raw packets, fake_smtp driven with tests/fakes/smtpc.py and openssl
# s_client. Every directive of both languages is exercised at least once;
# loopback only, ports picked by the fakes themselves (port 0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fakes/fakes.sh"

# ms NNN: true when the "[NNNms]" prefix of $1 is >= $2 and < $3
ms_between() {
	local v=${1#[}; v=${v%%ms]*}
	[ "$v" -ge "$2" ] && [ "$v" -lt "$3" ]
}

# ---- fake_dns -------------------------------------------------------------------
cat >"$T/zone" <<'EOF'
# records
ok.test        MX    10 mx.ok.test
ok.test        MX    20 mx2.ok.test ttl=60
mx.ok.test     A     127.0.0.10
mx.ok.test     AAAA  ::1
ok.test        NS    ns.ok.test
ok.test        TXT   "v=spf1 -all" "two # words"
bare.test      TXT   hello bare world
null.test      MX    0 .
alias.test     CNAME mx.ok.test
loop1.test     CNAME loop2.test
loop2.test     CNAME loop1.test
deep.sub.ent.test A  127.0.0.1
# scenarios
sf.test        SERVFAIL
ref.test       REFUSED
to.test        TIMEOUT
half.test      A     127.0.0.9
half.test      TIMEOUT AAAA
tr.test        TRUNCATE
tr.test        MX    10 mx.ok.test
bad.test       MALFORMED
many.test      MANYMX 1000
slow.test      DELAY 500
slow.test      A     127.0.0.11
many2.test     MANYMX 1000 127.0.0.7
many6.test     MANYMX 3 ::1
tp.test        MX    10 a.tp.test
tp.test        MX    20 b.tp.test
tp.test        TRUNCATE partial
tcl.test       MX    10 mx.ok.test
tcl.test       TRUNCATE tcpclose MX
alw.test       MX    10 mx.ok.test
alw.test       TRUNCATE always MX
pl.test        MALFORMED ptrloop
rl.test        MALFORMED rdlen A
wi.test        MX    10 mx.ok.test
wi.test        MALFORMED wrongid
qq.test        MX    10 mx.ok.test
qq.test        MALFORMED question MX
EOF
check "dns starts" fake_start dns "$FAKES/fake_dns" --listen 127.0.0.1:0 --zone "$T/zone" \
	--log "$T/dns.log" --pidfile "$T/dns.pid"
DP=${FAKE_PORT[dns]:-0}
check "dns port chosen" test "$DP" -gt 0
check_eq "dns pidfile" "$(cat "$T/dns.pid" 2>/dev/null)" "${FAKE_PID[dns]:-}"
D() { dig @127.0.0.1 -p "$DP" +time=1 +tries=1 "$@"; }
# the slow ones run in the background while the rest goes on
D to.test MX >"$T/to.out" 2>&1 &
to_pid=$!
D half.test AAAA >"$T/half.out" 2>&1 &
half_pid=$!
( t0=$(date +%s%N); D +time=2 slow.test A +short
  echo "$(( ($(date +%s%N) - t0) / 1000000 ))" ) >"$T/slow.out" 2>&1 &
slow_pid=$!
D wi.test MX >"$T/wi.out" 2>&1 &
wi_pid=$!
D qq.test MX >"$T/qq.out" 2>&1 &
qq_pid=$!

check_eq "mx answer" "$(D ok.test MX +short | sort)" "$(printf '10 mx.ok.test.\n20 mx2.ok.test.')"
check_contains "mx ttl" "$(D ok.test MX +noall +answer)" "ok.test.		60	IN	MX	20 mx2.ok.test."
check_eq "case-insensitive" "$(D OK.TeSt mx +short | sort | head -n 1)" "10 mx.ok.test."
check_contains "question case kept" "$(D OK.TeSt MX +noall +question)" "OK.TeSt."
check_eq "a" "$(D mx.ok.test A +short)" "127.0.0.10"
check_eq "aaaa" "$(D mx.ok.test AAAA +short)" "::1"
check_eq "ns" "$(D ok.test NS +short)" "ns.ok.test."
check_eq "txt quoted" "$(D ok.test TXT +short)" '"v=spf1 -all" "two # words"'
check_eq "txt bare" "$(D bare.test TXT +short)" '"hello bare world"'
check_eq "null mx" "$(D null.test MX +short)" "0 ."
check_eq "cname chased" "$(D alias.test A +short)" "$(printf 'mx.ok.test.\n127.0.0.10')"
out=$(D nope.test A)
check_contains "nxdomain" "$out" "status: NXDOMAIN"
check_contains "nxdomain authoritative" "$out" "flags: qr aa"
out=$(D mx.ok.test MX)
check_contains "nodata status" "$out" "status: NOERROR"
check_contains "nodata empty" "$out" "ANSWER: 0,"
check_contains "empty non-terminal" "$(D ent.test A)" "status: NOERROR"
out=$(D loop1.test A)
check_contains "cname loop answered" "$out" "status: NOERROR"
check_contains "cname loop chain" "$out" "loop2.test.		300	IN	CNAME	loop1.test."
check_contains "servfail" "$(D sf.test MX)" "status: SERVFAIL"
check_contains "refused" "$(D ref.test MX)" "status: REFUSED"
check_eq "typed timeout: A answered" "$(D half.test A +short)" "127.0.0.9"
out=$(D +ignore tr.test MX)
check_contains "truncate: tc over udp" "$out" "flags: qr aa tc"
check_contains "truncate: empty over udp" "$out" "ANSWER: 0,"
check_eq "truncate: full over tcp" "$(D tr.test MX +short)" "10 mx.ok.test."
check_contains "malformed" "$(D bad.test A 2>&1)" "malformed"
out=$(D many.test MX)
check_contains "manymx: 1000 over tcp" "$out" "ANSWER: 1000,"
check_contains "manymx: names" "$out" "many.test.		300	IN	MX	10 mx1000.many.test."
check_contains "manymx: tc over udp" "$(D +ignore many.test MX)" "flags: qr aa tc"
check_eq "manymx addr: mxK has it" "$(D mx5.many2.test A +short)" "127.0.0.7"
check_eq "manymx addr: the last one too" "$(D mx1000.many2.test A +short)" "127.0.0.7"
check_contains "manymx addr: K past N is nxdomain" "$(D mx1001.many2.test A)" "status: NXDOMAIN"
check_eq "manymx addr: ipv6" "$(D mx3.many6.test AAAA +short)" "::1"
out=$(D mx2.many6.test A)
check_contains "manymx addr: other type nodata" "$out" "status: NOERROR"
check_contains "manymx addr: other type empty" "$out" "ANSWER: 0,"
out=$(D +ignore tp.test MX)
check_contains "truncate partial: tc over udp" "$out" "flags: qr aa tc"
check_contains "truncate partial: first record over udp" "$out" "ANSWER: 1,"
check_eq "truncate partial: full over tcp" "$(D tp.test MX +short | sort)" "$(printf '10 a.tp.test.\n20 b.tp.test.')"
check_contains "truncate tcpclose: tc over udp" "$(D +ignore tcl.test MX)" "flags: qr aa tc"
out=$(D +tcp tcl.test MX 2>&1)
check "truncate tcpclose: no answer over tcp" test "${out/ANSWER SECTION/}" = "$out"
out=$(D +tcp alw.test MX)
check_contains "truncate always: tc over tcp" "$out" "flags: qr aa tc"
check_contains "truncate always: empty over tcp" "$out" "ANSWER: 0,"
check_contains "malformed ptrloop" "$(D pl.test A 2>&1)" "bad compression pointer"
check_contains "malformed rdlen" "$(D rl.test A 2>&1)" "malformed"
check_contains "edns opt echoed" "$(D ok.test MX)" "EDNS: version: 0"
out=$(D +noedns ok.test MX)
check "no edns, no opt" test "${out/EDNS:/}" = "$out"
check_contains "no edns, answer" "$out" "ANSWER: 2,"

# hostile client input: short, garbage, pointer loop, oversized TCP prefix
$PY - "$DP" <<'EOF'
import socket, struct, sys
port = int(sys.argv[1])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for pkt in (b"", b"\x01", b"\x00" * 11, bytes(range(256)) * 4,
            struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01",
            struct.pack(">HHHHHH", 8, 0, 1, 0, 0, 0) + b"\x3f" + b"a" * 10,
            struct.pack(">HHHHHH", 9, 0, 2, 0, 0, 0) + b"\x00\x00\x01\x00\x01" * 2):
    u.sendto(pkt, ("127.0.0.1", port))
t = socket.create_connection(("127.0.0.1", port))
t.sendall(b"\xff\xff" + b"x" * 100)
t.close()
t = socket.create_connection(("127.0.0.1", port))
t.sendall(b"\x00\x05abcde")
t.close()
EOF
check_eq "survives hostile queries" "$(D mx.ok.test A +short)" "127.0.0.10"
check "hostile: formerr logged" grep -q -- "-> FORMERR" "$T/dns.log"
check "hostile: short dropped" grep -q -- "-> DROPPED" "$T/dns.log"
# c-ares-style query over TCP with a second query on the same connection
out=$($PY - "$DP" <<'EOF'
import socket, struct, sys
def q(i, name, t):
    m = struct.pack(">HHHHHH", i, 0x0100, 1, 0, 0, 1)
    for l in name.split("."):
        m += bytes([len(l)]) + l.encode()
    m += b"\x00" + struct.pack(">HH", t, 1)
    m += b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 0)   # EDNS0 OPT
    return struct.pack(">H", len(m)) + m
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(q(1, "ok.test", 15) + q(2, "null.test", 15))
buf = b""
while len(buf) < 4:
    buf += s.recv(65536)
res = []
for _ in range(2):
    while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
        buf += s.recv(65536)
    n = struct.unpack(">H", buf[:2])[0]
    m, buf = buf[2:2 + n], buf[2 + n:]
    i, fl, qd, an, ns, ar = struct.unpack(">HHHHHH", m[:12])
    res.append("%d rcode=%d an=%d ar=%d" % (i, fl & 15, an, ar))
print(" ".join(res))
EOF
)
check_eq "tcp: two queries, one connection" "$out" "1 rcode=0 an=2 ar=1 2 rcode=0 an=1 ar=1"

wait "$to_pid" "$half_pid" "$slow_pid" "$wi_pid" "$qq_pid"
check_contains "malformed wrongid: ignored by the client" "$(cat "$T/wi.out")" "ID mismatch"
check_contains "malformed question: ignored by the client" "$(cat "$T/qq.out")" "Question section mismatch"
check "log: tcpclose" grep -Eq '^tcl\.test MX tcp .* -> CLOSED an=0$' "$T/dns.log"
check_eq "log: every malformed kind" "$(grep -Ec '^(pl|rl|wi|qq)\.test [A-Z]+ udp .* -> MALFORMED' "$T/dns.log")" 4
check_contains "timeout" "$(cat "$T/to.out")" "timed out"
check_contains "typed timeout: AAAA dropped" "$(cat "$T/half.out")" "timed out"
check_eq "delay answer" "$(head -n 1 "$T/slow.out")" "127.0.0.11"
el=$(sed -n 2p "$T/slow.out")
check "delay >= 500 ms (was ${el})" test "${el:-0}" -ge 480
check "log: mx query line" grep -Eq '^ok\.test MX udp 127\.0\.0\.1:[0-9]+ -> NOERROR an=2$' "$T/dns.log"
check "log: truncated then tcp" grep -Eq '^tr\.test MX tcp .* -> NOERROR an=1$' "$T/dns.log"
check "log: timeout" grep -Eq '^to\.test MX udp .* -> TIMEOUT an=0$' "$T/dns.log"
check_eq "log: no A query for null.test" "$(grep -c '^null\.test A ' "$T/dns.log")" 0
check "dns stops cleanly" fake_stop dns
check "dns pidfile removed" test ! -e "$T/dns.pid"
"$FAKES/fake_dns" --listen 192.0.2.1:53 --zone "$T/zone" >/dev/null 2>"$T/err"
check_eq "dns refuses non-loopback" "$?" 2
printf 'x.test A 999.1.1.1\n' >"$T/badzone"
"$FAKES/fake_dns" --listen 127.0.0.1:0 --zone "$T/badzone" >/dev/null 2>"$T/err"
check_eq "dns bad zone exit" "$?" 1
check_contains "dns bad zone line" "$(cat "$T/err")" "badzone:1"

# ---- fake_smtp --------------------------------------------------------------------
cat >"$T/script" <<'EOF'
# .2: the ordinary host
[listen 127.0.0.2]
hostname mx.ok.test
banner 220-mx.ok.test ESMTP\n220 welcome
rcpt bob@ok.test 250 2.1.5 bob ok
rcpt *@ok.test 550-5.1.1 <x@ok.test>: Recipient address rejected:\n550 5.1.1 User unknown
rcpt carol@* 250 2.1.5 carol anywhere
rcpt al@* 250 2.1.5 al where no domain rule says otherwise
rcpt * 554 5.7.1 Relay access denied
reply NOOP 250 2.0.0 noop here
reply VRFY 252 2.0.0 cannot VRFY
[listen 127.0.0.3]
greylist 1
cap PIPELINING
cap STARTTLS
cap SMTPUTF8
cap SIZE 35882577
cap 8BITMIME
[listen 127.0.0.4]
catchall
rcpt * 550 5.1.1 never used
max_rcpt 1 550 5.5.3 second recipient refused
[listen 127.0.0.5]
ehlo 502 5.5.2 Error: command not recognized
helo 250 old.school
mail 451 4.3.0 try later
[listen 127.0.0.6]
banner 554 5.7.1 mx.test: no SMTP service here
[listen 127.0.0.7]
no_banner
[listen 127.0.0.8]
close_on_accept
[listen 127.0.0.9]
banner_delay 200
delay 30
delay RCPT 100
[listen 127.0.0.10]
shutdown_after 2
[listen 127.0.0.11]
close_after rcpt 2
[listen 127.0.0.12]
close_after mail
[listen 127.0.0.13]
close_after ehlo
[listen 127.0.0.14]
close_after banner
[listen 127.0.0.15]
error_limit 2 4 150
rcpt * 550 5.1.1 no such user
[listen 127.0.0.16]
banner long:10485760:220 
[listen 127.0.0.17]
ehlo endless:250-x
[listen 127.0.0.18]
trickle 15
banner 220 slow
[listen 127.0.0.19]
mail garbage:64
[listen 127.0.0.20]
starttls ok
close_after tls
[listen 127.0.0.21]
starttls refuse
[listen 127.0.0.22]
starttls garbage
[listen 127.0.0.23]
starttls ok
greylist 0 451 4.7.1 <ADDR> greylisted, come back
max_rcpt 3
close_after rset
[listen 127.0.0.24]
rcpt * 550 5.1.1 \e[31mred\e[0m =HYPERLINK("http://x")
rcpt raw@x.test raw:250 bare lf\n
EOF
check "smtp starts" fake_start smtp "$FAKES/fake_smtp" --script "$T/script" --port 0 \
	--log "$T/smtp.log" --pidfile "$T/smtp.pid"
P=${FAKE_PORT[smtp]:-0}
L=$T/smtp.log
check "smtp port chosen" test "$P" -gt 0
check_eq "smtp pidfile" "$(cat "$T/smtp.pid" 2>/dev/null)" "${FAKE_PID[smtp]:-}"
C() { $SMTPC "$@"; }

# greylisting, first sight (the retry comes later, after the delay)
grey_t0=$(date +%s%N)
out=$(C 127.0.0.3 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<g@grey.test>" "RCPT TO:<g@grey.test>" QUIT)
check_contains "greylist first" "$out" \
	"450 4.7.1 <g@grey.test>: Recipient address rejected: Greylisted, try again later"
check_eq "greylist early retry" "$(echo "$out" | grep -c '^450 4.7.1')" 2

# exact replies by address, domain and default; the exact client bytes
out=$(C 127.0.0.2 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<c@d>" RSET NOOP "VRFY x" "HELP" QUIT)
check_eq "ordinary session" "$out" "220-mx.ok.test ESMTP | 220 welcome
250-mx.ok.test | 250-PIPELINING | 250-SIZE 10240000 | 250-ENHANCEDSTATUSCODES | 250-8BITMIME | 250 SMTPUTF8
250 2.1.0 Ok
554 5.7.1 Relay access denied
250 2.0.0 Ok
250 2.0.0 noop here
252 2.0.0 cannot VRFY
502 5.5.2 Error: command not recognized
221 2.0.0 Bye"
id=$(fake_conns "$L" "127.0.0.2:$P" | tail -n 1)
check_eq "exact client bytes" "$(fake_bytes "$L" "$id")" \
	'EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRSET\r\nNOOP\r\nVRFY x\r\nHELP\r\nQUIT\r\n'
check "close logged" grep -q "^$id CLOSE server$" "$L"
out=$(C 127.0.0.2 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<BOB@ok.test>" "RCPT TO:<al@OK.TEST>" QUIT)
check_contains "rcpt exact" "$out" "250 2.1.5 bob ok"
check_contains "rcpt by domain, multi-line" "$out" \
	"550-5.1.1 <x@ok.test>: Recipient address rejected: | 550 5.1.1 User unknown"
out=$(C 127.0.0.2 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<Carol@any.test>" "RCPT TO:<carolx@any.test>" \
	"RCPT TO:<xcarol@any.test>" "RCPT TO:<al@elsewhere.test>" QUIT)
check_eq "rcpt by local part at any domain" "$(echo "$out" | sed -n 4,7p)" "250 2.1.5 carol anywhere
554 5.7.1 Relay access denied
554 5.7.1 Relay access denied
250 2.1.5 al where no domain rule says otherwise"
out=$(C 127.0.0.2 "$P" "MAIL FROM:<a@b>" "EHLO x" "RCPT TO:<a@b>" "MAIL FROM:<a@b>" "MAIL FROM:<a@b>" QUIT)
check_contains "mail before ehlo" "$out" "503 5.5.1 Error: send HELO/EHLO first"
check_contains "rcpt before mail" "$out" "503 5.5.1 Error: need MAIL command"
check_contains "nested mail" "$out" "503 5.5.1 Error: nested MAIL command"
out=$(C 127.0.0.2 "$P" "@pipe:EHLO x|MAIL FROM:<a@b>|RCPT TO:<bob@ok.test>|RCPT TO:<x@y>|QUIT")
check_eq "pipelined replies in order" "$(echo "$out" | cut -c1-3 | tr '\n' ' ')" "220 250 250 250 554 221 "

# EHLO capabilities, EHLO refused then HELO, MAIL refused
out=$(C 127.0.0.3 "$P" "EHLO x" QUIT)
check_contains "caps list" "$out" "250-fake.test | 250-PIPELINING | 250-STARTTLS | 250-SMTPUTF8 | 250-SIZE 35882577 | 250 8BITMIME"
out=$(C 127.0.0.5 "$P" "EHLO x" "HELO x" "MAIL FROM:<a@b>" QUIT)
check_eq "ehlo refused, helo, mail refused" "$out" "220 fake.test ESMTP fake_smtp
502 5.5.2 Error: command not recognized
250 old.school
451 4.3.0 try later
221 2.0.0 Bye"

# greylisting: accepted once the delay has passed, in a new session
left=$(( 1100 - ($(date +%s%N) - grey_t0) / 1000000 ))
[ "$left" -gt 0 ] && sleep "$(awk -v ms="$left" "BEGIN { print ms / 1000 }")"
out=$(C 127.0.0.3 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<g@grey.test>" "RCPT TO:<new@grey.test>" QUIT)
check_eq "greylist after delay" "$(echo "$out" | sed -n 4,5p)" "250 2.1.5 Ok
450 4.7.1 <new@grey.test>: Recipient address rejected: Greylisted, try again later"
out=$(C 127.0.0.23 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<z@z.test>" "RCPT TO:<z@z.test>")
check_contains "greylist 0 s, own reply" "$out" "451 4.7.1 <z@z.test> greylisted, come back"
check_eq "greylist 0 s retry passes" "$(echo "$out" | tail -n 1)" "250 2.1.5 Ok"

# catch-all and the second-RCPT rule
out=$(C 127.0.0.4 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<x8f3k2@any.test>" "RCPT TO:<y@any.test>" RSET "MAIL FROM:<a@b>" "RCPT TO:<z@any.test>" QUIT)
check_eq "catch-all and max_rcpt" "$(echo "$out" | sed -n 4,8p)" "250 2.1.5 Ok
550 5.5.3 second recipient refused
250 2.0.0 Ok
250 2.1.0 Ok
550 5.5.3 second recipient refused"
out=$(C 127.0.0.23 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<z@z.test>" "RCPT TO:<y@z.test>" "RCPT TO:<y@z.test>" "RCPT TO:<w@z.test>")
check_contains "max_rcpt default reply" "$out" "452 4.5.3 Error: too many recipients"

# refusal banner, silence, immediate close
out=$(C 127.0.0.6 "$P" "EHLO x" QUIT)
check_eq "554 banner" "$out" "554 5.7.1 mx.test: no SMTP service here
503 5.5.1 Error: no valid commands
221 2.0.0 Bye"
check_eq "no banner" "$(C --timeout 0.3 127.0.0.7 "$P")" "TIMEOUT"
check_eq "close on accept" "$(C 127.0.0.8 "$P")" "CLOSED"
check_eq "close after banner" "$(C 127.0.0.14 "$P" "EHLO x")" "220 fake.test ESMTP fake_smtp
CLOSED"
out=$(C 127.0.0.13 "$P" "EHLO x" "MAIL FROM:<a@b>")
check_eq "close after ehlo" "$(echo "$out" | tail -n 1)" "CLOSED"
out=$(C 127.0.0.12 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<a@b>")
check_eq "close after mail" "$(echo "$out" | tail -n 2)" "250 2.1.0 Ok
CLOSED"
out=$(C 127.0.0.11 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<a@b>" "RCPT TO:<c@d>" "RCPT TO:<e@f>")
check_eq "close after rcpt 2" "$(echo "$out" | tail -n 3)" "250 2.1.5 Ok
250 2.1.5 Ok
CLOSED"
out=$(C 127.0.0.23 "$P" "EHLO x" RSET NOOP)
check_eq "close after rset" "$(echo "$out" | tail -n 2)" "250 2.0.0 Ok
CLOSED"
out=$(C 127.0.0.10 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<a@b>" NOOP)
check_eq "421 after 2 commands" "$(echo "$out" | tail -n 3)" "250 2.1.0 Ok
421 4.7.0 fake.test Error: too many commands, closing
CLOSED"

# Postfix-like error limits: slower after SOFT errors, 421 after HARD
out=$(C --time 127.0.0.15 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<a@x>" "RCPT TO:<b@x>" "RCPT TO:<c@x>" "RCPT TO:<d@x>" "RCPT TO:<e@x>" NOOP)
r3=$(echo "$out" | sed -n 4p); r5=$(echo "$out" | sed -n 6p)
check "errors below soft limit: fast ($r3)" ms_between "$r3" 0 200
check "errors past soft limit: delayed ($r5)" ms_between "$r5" 140 1500
check_contains "hard limit 421" "$(echo "$out" | sed -n 8p)" "421 4.7.0 fake.test Error: too many errors"
check_eq "hard limit closes" "$(echo "$out" | tail -n 1)" "CLOSED"

# latency: banner delay, per-reply delay, per-verb delay
out=$(C --time 127.0.0.9 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<a@b>" QUIT)
check "banner delay ($(echo "$out" | sed -n 1p))" ms_between "$(echo "$out" | sed -n 1p)" 190 2000
check "reply delay ($(echo "$out" | sed -n 2p))" ms_between "$(echo "$out" | sed -n 2p)" 28 1000
check "rcpt delay ($(echo "$out" | sed -n 4p))" ms_between "$(echo "$out" | sed -n 4p)" 125 2000

# hostile servers
out=$(C --max 20000000 --timeout 10 127.0.0.16 "$P" QUIT)
check_contains "10 MB reply line" "$out" "220 xxxxxxxx"
check_contains "10 MB reply size" "$out" "...(10485764 bytes)"
check_eq "endless continuation" "$(C 127.0.0.17 "$P" "EHLO x" | tail -n 1)" "TOOMANY 1001"
out=$(C --time 127.0.0.18 "$P" QUIT)
check "trickle: 10 bytes at 15 ms ($(echo "$out" | head -n 1))" \
	ms_between "$(echo "$out" | head -n 1)" 120 2000
out=$(C 127.0.0.19 "$P" "EHLO x" "MAIL FROM:<a@b>")
check_eq "garbage reply" "$(echo "$out" | tail -n 1)" \
	'BAD \x00\x01\x02\x03\x04\x05\x06\x07\x08\x09'
out=$(C 127.0.0.19 "$P" "HELO x" "MAIL FROM:<a@b>")
check_eq "garbage logged" "$(grep -c 'S: garbage (64 bytes)' "$L")" 2
# terminal escapes and spreadsheet formulas reach the client as raw bytes;
# raw: replies go out exactly (here a bare LF)
out=$(C 127.0.0.24 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<a@b>" "RCPT TO:<raw@x.test>" QUIT)
check_contains "escape bytes in reply" "$out" '550 5.1.1 \x1b[31mred\x1b[0m =HYPERLINK("http://x")'
check_contains "raw reply" "$out" "250 bare lf"
check "escape bytes logged" grep -q 'S: 550 5.1.1 \\x1b\[31mred' "$L"
check "raw reply logged" grep -q 'S: 250 bare lf\\n$' "$L"

# STARTTLS: real handshake, fresh session, no STARTTLS offered again
out=$(C 127.0.0.3 "$P" "EHLO x" STARTTLS "EHLO y" "MAIL FROM:<a@b>" "RCPT TO:<g@grey.test>" QUIT)
check_contains "tls handshake" "$out" "TLS TLSv1."
check_eq "re-ehlo without STARTTLS" "$(echo "$out" | sed -n 5p)" \
	"250-fake.test | 250-PIPELINING | 250-SMTPUTF8 | 250-SIZE 35882577 | 250 8BITMIME"
check_eq "commands over tls" "$(echo "$out" | tail -n 2)" "250 2.1.5 Ok
221 2.0.0 Bye"
id=$(fake_conns "$L" "127.0.0.3:$P" | tail -n 1)
check "tls logged" grep -Eq "^$id TLS TLSv1\.[23] " "$L"
check_eq "client bytes across tls" "$(fake_bytes "$L" "$id")" \
	'EHLO x\r\nSTARTTLS\r\nEHLO y\r\nMAIL FROM:<a@b>\r\nRCPT TO:<g@grey.test>\r\nQUIT\r\n'
out=$(printf 'EHLO s\r\nQUIT\r\n' | timeout 10 openssl s_client -starttls smtp -quiet \
	-connect "127.0.0.23:$P" 2>&1)
check_contains "openssl s_client starttls" "$out" "250 SMTPUTF8"
check_contains "openssl s_client quit" "$out" "221 2.0.0 Bye"
out=$(C 127.0.0.23 "$P" "EHLO x" STARTTLS STARTTLS)
check_contains "starttls twice" "$out" "554 5.5.1 Error: TLS already active"
out=$(C 127.0.0.20 "$P" "EHLO x" STARTTLS "EHLO y")
check_eq "close after tls" "$(echo "$out" | tail -n 1)" "CLOSED"
out=$(C 127.0.0.21 "$P" "EHLO x" STARTTLS QUIT)
check_contains "starttls offered (refuse)" "$out" "250 STARTTLS"
check_contains "starttls refused" "$out" "454 4.7.0 TLS not available due to local problem"
out=$(C 127.0.0.22 "$P" "EHLO x" STARTTLS)
check_contains "starttls garbage" "$(echo "$out" | tail -n 1)" "TLS-FAIL"
out=$(C 127.0.0.2 "$P" "EHLO x" STARTTLS)
check_contains "starttls not offered" "$out" "502 5.5.1 Error: command not implemented"
C 127.0.0.23 "$P" "EHLO x" "@send:STARTTLS\r\nEHLO injected\r\n" "@read" >/dev/null
id=$(fake_conns "$L" "127.0.0.23:$P" | tail -n 1)
check "starttls injection discarded" grep -q "^$id DISCARD 15$" "$L"

# DATA is a violation; long lines are refused
out=$(C 127.0.0.2 "$P" "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<bob@ok.test>" DATA QUIT)
check_contains "data refused" "$out" "554 5.5.1 Error: DATA is not allowed here"
id=$(fake_conns "$L" "127.0.0.2:$P" | tail -n 1)
check "violation logged" grep -q "^$id VIOLATION DATA$" "$L"
long=$(head -c 5000 /dev/zero | tr '\0' a)
out=$(C 127.0.0.2 "$P" "EHLO $long" NOOP)
check_eq "long line refused" "$out" "220-mx.ok.test ESMTP | 220 welcome
500 5.5.0 Error: line too long
CLOSED"
check "long line logged" grep -Eq '^[0-9]+ C-TOOLONG [0-9]+$' "$L"
out=$(C 127.0.0.2 "$P" "@send:NOOP\r\nEHLO $long\r\n" "@read" "@read" "@read")
check_eq "lines before a long one are answered first" "$(echo "$out" | cut -c1-3 | tr '\n' ' ')" \
	"220 250 500 CLO "
out=$(C 127.0.0.2 "$P" "EHLO x" "@send:RCPT TO:<bare@lf>\nNOOP\r\nQUI" "@read" "@read" "@close")
id=$(fake_conns "$L" "127.0.0.2:$P" | tail -n 1)
sleep 0.2
check_eq "bare LF and partial line logged exactly" "$(fake_bytes "$L" "$id")" \
	'EHLO x\r\nRCPT TO:<bare@lf>\nNOOP\r\nQUI'

# many clients at once
out=$($PY - "$P" <<'EOF'
import socket, sys
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.4", port)) for _ in range(200)]
ok = 0
for s in socks:
    s.settimeout(5)
    if s.makefile("rb").readline().startswith(b"220 "):
        ok += 1
for s in socks:
    s.sendall(b"QUIT\r\n")
    s.close()
print(ok)
EOF
)
check_eq "200 concurrent connections" "$out" 200

check "smtp stops cleanly" fake_stop smtp
check "smtp pidfile removed" test ! -e "$T/smtp.pid"

# explicit ports, several listeners; script errors
cat >"$T/s2" <<'EOF'
[listen 127.0.0.2]
[listen [::1]]
EOF
if $PY -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	check "ipv6 listener" fake_start s2 "$FAKES/fake_smtp" --script "$T/s2" --port 0
	check_contains "ipv6 banner" "$($SMTPC ::1 "${FAKE_PORT[s2]:-0}" QUIT)" "221 2.0.0 Bye"
	fake_stop s2
fi
printf '[listen 127.0.0.2:1]\nfrobnicate\n' >"$T/s3"
"$FAKES/fake_smtp" --script "$T/s3" >/dev/null 2>"$T/err"
check_eq "unknown directive exit" "$?" 1
check_contains "unknown directive named" "$(cat "$T/err")" "s3:2: unknown directive: frobnicate"
printf '[listen 10.0.0.1:25]\n' >"$T/s4"
"$FAKES/fake_smtp" --script "$T/s4" >/dev/null 2>"$T/err"
check_contains "non-loopback refused" "$(cat "$T/err")" "need a loopback address"
check_eq "no fakes left" "$(jobs -pr | wc -l)" 0
finish
