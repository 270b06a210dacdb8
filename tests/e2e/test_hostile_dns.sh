#!/usr/bin/env bash
# Hostile DNS against the whole engine (`mailvet check`), each with a
# bounded outcome asserted in the results JSONL and the fakes' logs:
#  1. 1,000 MX records, CNAME chains and loops, truncated and malformed
#     answers, timeouts: the right verdict or a clear unknown, a bounded
#     number of queries, no hang past the DNS timeouts, memory bounded;
#  2. MX hosts on 0.0.0.0, loopback, private, link-local, shared, IPv4-mapped
#     and other embedded-IPv4 IPv6 forms: refused (unsafe_mx) without
#     --allow-private-mx, with no connection made.
# The whole script runs in a network namespace that has only loopback
# (unshare -rn), so no packet can leave the machine even if the guard fails;
# without unshare, part 2 is skipped.
if [ -z "${MAILVET_NETNS:-}" ] && unshare -rn true 2>/dev/null; then
	exec unshare -rn env MAILVET_NETNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fakes/fakes.sh"
[ -n "${MAILVET_NETNS:-}" ] && ip link set lo up 2>/dev/null
export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" XDG_CACHE_HOME="$T/cache"
mkdir -p "$HOME"

# row FILE EMAIL -> "verdict reason mx"
row() {
	$PY - "$@" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["email"] == sys.argv[2]:
        print(o["verdict"], o["reason"], o["mx"] or "-")
        break
else:
    print("missing")
PY
}
# peak RSS in KiB of a command (its exit status is printed first)
peak_rss() {
	$PY - "$@" <<'PY'
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:])
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# ---- 1. hostile answers, --allow-private-mx (the farm is on loopback) ------------
{
	echo "ok.test        MX 10 mx.ok.test"
	echo "mx.ok.test     A  127.0.0.2"
	# 1,000 MX records, every host with an address
	echo "many.test      MANYMX 1000 127.0.0.2"
	# the best MX is the last of 100 (the 99 before it do not resolve)
	for k in $(seq 1 99); do echo "best.test MX 20 nx$k.best.test"; done
	echo "best.test      MX 5 mx.ok.test"
	# CNAMEs: a legal chain to the MX host, the domain an alias of a host
	# (no MX: implicit), the MX host in a loop, the domain itself in a loop
	echo "chain.test     MX 10 mx.chain.test"
	echo "mx.chain.test  CNAME c2.chain.test"
	echo "c2.chain.test  CNAME c3.chain.test"
	echo "c3.chain.test  A 127.0.0.2"
	echo "alias.test     CNAME mx.ok.test"
	echo "mxloop.test    MX 10 mx.mxloop.test"
	echo "mx.mxloop.test CNAME mx2.mxloop.test"
	echo "mx2.mxloop.test CNAME mx.mxloop.test"
	echo "loop.test      CNAME loop2.test"
	echo "loop2.test     CNAME loop.test"
	echo "self.test      CNAME self.test"
	# truncation: TC then TCP (empty, partial), TCP closed, TC over TCP too
	echo "tc.test        MX 10 mx.ok.test"
	echo "tc.test        TRUNCATE"
	echo "tcpart.test    MX 10 mx.ok.test"
	echo "tcpart.test    MX 20 mx.ok.test"
	echo "tcpart.test    TRUNCATE partial"
	echo "tcclose.test   MX 10 mx.ok.test"
	echo "tcclose.test   TRUNCATE tcpclose MX"
	echo "tcalways.test  MX 10 mx.ok.test"
	echo "tcalways.test  TRUNCATE always MX"
	echo "tchost.test    MX 10 mx.tchost.test"
	echo "mx.tchost.test A 127.0.0.2"
	echo "mx.tchost.test TRUNCATE always"
	# malformed answers to the MX query, and to the MX host's address query
	for kind in cut ptrloop rdlen wrongid question; do
		echo "bad-$kind.test MX 10 mx.ok.test"
		echo "bad-$kind.test MALFORMED $kind MX"
	done
	echo "badhost.test   MX 10 mx.badhost.test"
	echo "mx.badhost.test MALFORMED ptrloop"
	# no answer, SERVFAIL
	echo "silent.test    TIMEOUT MX"
	echo "sf.test        SERVFAIL MX"
} >"$T/zone"
{
	echo "[listen 127.0.0.2]"
	for d in ok many best chain alias tc tcpart; do echo "rcpt a@$d.test 250 2.1.5 Ok"; done
	echo "rcpt * 550 5.1.1 no such user"
} >"$T/smtp"
{
	echo email
	for d in ok many best chain alias mxloop loop self tc tcpart tcclose tcalways tchost \
		bad-cut bad-ptrloop bad-rdlen bad-wrongid bad-question badhost silent sf; do
		echo "a@$d.test"
	done
} >"$T/list.csv"
check "dns starts" fake_start dns "$FAKES/fake_dns" --listen 127.0.0.1:0 --zone "$T/zone" --log "$T/dns.log"
check "smtp starts" fake_start smtp "$FAKES/fake_smtp" --script "$T/smtp" --port 0 --log "$T/smtp.log"
net=(--dns "127.0.0.1:${FAKE_PORT[dns]:-0}" --smtp-port "${FAKE_PORT[smtp]:-0}" --from p@sender.test
     --helo p.sender.test --no-cache --dns-timeout 300 --max-retries 1 -q)
t0=$(date +%s%N)
"$MAILVET" check "$T/list.csv" -o "$T/out.csv" --results "$T/r.jsonl" --allow-private-mx "${net[@]}"
check_eq "hostile DNS run exit" "$?" 0
took=$(ms_since "$t0")
# 300 ms a try, 2 tries, then one retry 2 s later: well under 10 s
check "no hang past the DNS timeouts ($took ms)" [ "$took" -lt 10000 ]
R=$T/r.jsonl
check_eq "1,000 MX: verified" "$(row "$R" a@many.test | cut -d' ' -f1,2)" "deliverable accepted"
check_contains "1,000 MX: via one of them" "$(row "$R" a@many.test)" ".many.test"
check "1,000 MX: came over TCP after TC" grep -q '^many\.test MX tcp .* -> NOERROR an=1000$' "$T/dns.log"
# distinct names: a query retried by the resolver after its timeout is logged twice
hosts=$(grep -Eo '^mx[0-9]+\.many\.test A ' "$T/dns.log" | sort -u | wc -l)
check "1,000 MX: at most 10 hosts resolved ($hosts)" [ "$hosts" -ge 1 -a "$hosts" -le 10 ]
check_eq "best MX last of 100: found" "$(row "$R" a@best.test)" "deliverable accepted mx.ok.test"
nx=$(grep -Eo '^nx[0-9]+\.best\.test A ' "$T/dns.log" | sort -u | wc -l)
check "best MX last of 100: at most 9 others resolved ($nx)" [ "$nx" -le 9 ]
check_eq "MX host behind a CNAME chain" "$(row "$R" a@chain.test)" "deliverable accepted mx.chain.test"
check_eq "domain aliased to a host (implicit MX)" "$(row "$R" a@alias.test)" "deliverable accepted alias.test"
check_eq "MX host in a CNAME loop: unknown" "$(row "$R" a@mxloop.test)" "unknown temporary_failure -"
check_eq "domain in a CNAME loop: unknown" "$(row "$R" a@loop.test)" "unknown temporary_failure -"
check_eq "domain its own CNAME: unknown" "$(row "$R" a@self.test)" "unknown temporary_failure -"
# asked, then asked again once (--max-retries 1); a resolver resend may double it
n=$(grep -c '^loop\.test MX ' "$T/dns.log")
check "CNAME loop: not asked in a loop ($n)" [ "$n" -ge 2 -a "$n" -le 4 ]
n=$(grep -c '^mx\.mxloop\.test A ' "$T/dns.log")
check "MX host loop: not asked in a loop ($n)" [ "$n" -ge 2 -a "$n" -le 4 ]
check_eq "TC, then TCP" "$(row "$R" a@tc.test)" "deliverable accepted mx.ok.test"
check "TC: the TCP query was made" grep -q '^tc\.test MX tcp .* -> NOERROR an=1$' "$T/dns.log"
check_eq "TC with a partial answer, then TCP" "$(row "$R" a@tcpart.test)" "deliverable accepted mx.ok.test"
check_eq "TC, TCP closed: unknown" "$(row "$R" a@tcclose.test)" "unknown temporary_failure -"
check_eq "TC over TCP too: unknown, not invalid" "$(row "$R" a@tcalways.test)" "unknown temporary_failure -"
check_eq "MX host's answer always truncated: unknown" "$(row "$R" a@tchost.test)" "unknown temporary_failure -"
for kind in cut ptrloop rdlen wrongid question; do
	check_eq "malformed MX answer ($kind): unknown" "$(row "$R" "a@bad-$kind.test")" "unknown temporary_failure -"
done
check_eq "malformed answer for the MX host: unknown" "$(row "$R" a@badhost.test)" "unknown temporary_failure -"
check_eq "DNS timeout: unknown" "$(row "$R" a@silent.test)" "unknown temporary_failure -"
check_eq "SERVFAIL: unknown" "$(row "$R" a@sf.test)" "unknown temporary_failure -"
check_eq "every row has a result" "$(wc -l <"$R")" 21
check_eq "no probe where DNS failed" \
	"$(grep -Ec 'RCPT TO:<a@(mxloop|loop|self|tcclose|tcalways|tchost|bad-[a-z]+|badhost|silent|sf)\.test>' "$T/smtp.log")" 0
check_eq "never DATA" "$(grep -c VIOLATION "$T/smtp.log")" 0

# memory: 100 domains of 1,000 MX records each against 100 plain domains
: >"$T/mzone"; echo email >"$T/m1.csv"; echo email >"$T/m2.csv"
for d in $(seq 1 100); do
	echo "m$d.test MANYMX 1000 127.0.0.2" >>"$T/mzone"
	echo "p$d.test MX 10 mx.ok.test" >>"$T/mzone"
	echo "a@m$d.test" >>"$T/m1.csv"; echo "a@p$d.test" >>"$T/m2.csv"
done
echo "mx.ok.test A 127.0.0.2" >>"$T/mzone"
check "dns (memory) starts" fake_start mdns "$FAKES/fake_dns" --listen 127.0.0.1:0 --zone "$T/mzone"
mnet=(--dns "127.0.0.1:${FAKE_PORT[mdns]:-0}" --smtp-port "${FAKE_PORT[smtp]:-0}" --from p@sender.test
      --helo p.sender.test --no-cache --dns-timeout 2000 --max-retries 1 --allow-private-mx -q)
read -r rc1 rss1 < <(peak_rss "$MAILVET" check "$T/m2.csv" -o "$T/m2.out" --results "$T/m2.jsonl" "${mnet[@]}")
read -r rc2 rss2 < <(peak_rss "$MAILVET" check "$T/m1.csv" -o "$T/m1.out" --results "$T/m1.jsonl" "${mnet[@]}")
check_eq "100 x 1,000 MX: exit" "$rc2" 0
check_eq "100 x 1,000 MX: every domain answered" "$(grep -c '"reason":"user_unknown"' "$T/m1.jsonl")" 100
check "memory bounded: 100 x 1,000 MX peak $((rss2 / 1024)) MB vs $((rss1 / 1024)) MB for plain domains" \
	[ "$rss2" -lt $((rss1 + 32768)) ]
fake_stop mdns

# ---- 2. the unsafe-MX guard: no connection without --allow-private-mx ---------------
if [ -n "${MAILVET_NETNS:-}" ]; then
	# name:address pairs; every address is one that must never be probed
	unsafe="zero:0.0.0.0 zero8:0.1.2.3 lo:127.0.0.1 lo2:127.0.0.2 ten:10.1.2.3 p172:172.16.5.4
		p192:192.168.1.1 ll:169.254.169.254 cgnat:100.64.0.1 mcast:224.0.0.1 bcast:255.255.255.255
		v6lo:::1 v6any::: v6ll:fe80::1 ula:fd00::1 map-lo:::ffff:127.0.0.1 map-ten:::ffff:10.0.0.1
		map-ll:::ffff:169.254.1.1 map-zero:::ffff:0.0.0.0 compat:::10.0.0.1 nat64:64:ff9b::a00:1
		sixto4:2002:a00:1::1"
	: >"$T/gzone"; echo email >"$T/g.csv"
	for pair in $unsafe; do
		n=${pair%%:*}; a=${pair#*:}
		case $a in *:*) t=AAAA ;; *) t=A ;; esac
		echo "$n.test MX 10 mx.$n.test" >>"$T/gzone"
		echo "mx.$n.test $t $a" >>"$T/gzone"
		echo "a@$n.test" >>"$T/g.csv"
	done
	{
		echo "many.test MANYMX 1000 10.0.0.1"          # 1,000 MX, all private
		echo "implicit.test A 192.168.0.1"              # no MX: the domain's own address
		echo "cn.test MX 10 mx.cn.test"                 # MX host aliased to loopback
		echo "mx.cn.test CNAME lo.alias.test"
		echo "lo.alias.test A 127.0.0.1"
		echo "two.test MX 10 mx.lo.test"                # two MX, both unsafe
		echo "two.test MX 20 mx.ll.test"
	} >>"$T/gzone"
	printf 'a@many.test\na@implicit.test\na@cn.test\na@two.test\n' >>"$T/g.csv"
	ng=$(($(wc -l <"$T/g.csv") - 1))
	# an SMTP server where the loopback MX hosts point, to see any connection
	printf '[listen 127.0.0.1]\ncatchall\n[listen 127.0.0.2]\ncatchall\n' >"$T/gsmtp"
	ip -6 addr show dev lo 2>/dev/null | grep -q '::1' && printf '[listen [::1]]\ncatchall\n' >>"$T/gsmtp"
	check "guard: dns starts" fake_start gdns "$FAKES/fake_dns" --listen 127.0.0.1:0 --zone "$T/gzone" \
		--log "$T/gdns.log"
	check "guard: smtp starts" fake_start gsmtp "$FAKES/fake_smtp" --script "$T/gsmtp" --port 0 \
		--log "$T/gsmtp.log"
	gnet=(--dns "127.0.0.1:${FAKE_PORT[gdns]:-0}" --smtp-port "${FAKE_PORT[gsmtp]:-0}" --from p@sender.test
	      --helo p.sender.test --no-cache --dns-timeout 1000 --max-retries 1 -q)
	t0=$(date +%s%N)
	"$MAILVET" check "$T/g.csv" -o "$T/g.out" --results "$T/g.jsonl" "${gnet[@]}"
	check_eq "guarded run exit" "$?" 0
	check "guarded run is quick ($(ms_since "$t0") ms)" [ "$(ms_since "$t0")" -lt 10000 ]
	bad=$($PY - "$T/g.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if (o["verdict"], o["reason"], o["owner"]) != ("unknown", "unsafe_mx", "none") or o["mx"]:
        print(o["email"], o["verdict"], o["reason"], o["mx"])
PY
)
	check_eq "every unsafe MX refused (unknown, unsafe_mx)" "$bad" ""
	check_eq "one result per row" "$(wc -l <"$T/g.jsonl")" "$ng"
	check_eq "no connection was made" "$(grep -c CONNECT "$T/gsmtp.log" 2>/dev/null)" 0
	hosts=$(grep -Eo '^mx[0-9]+\.many\.test A ' "$T/gdns.log" | sort -u | wc -l)
	check "1,000 private MX: at most 10 resolved ($hosts)" [ "$hosts" -le 10 ]
	# the control: the loopback ones with --allow-private-mx do connect
	printf 'email\na@lo.test\na@cn.test\na@map-lo.test\n' >"$T/g2.csv"
	"$MAILVET" check "$T/g2.csv" -o "$T/g2.out" --results "$T/g2.jsonl" --allow-private-mx \
		--connect-timeout 1000 "${gnet[@]}"
	check_eq "control: loopback MX probed with --allow-private-mx" \
		"$(row "$T/g2.jsonl" a@lo.test | cut -d' ' -f1,3)" "risky mx.lo.test"
	check "control: connections were made" grep -q CONNECT "$T/gsmtp.log"
else
	echo "note: unshare -rn is not available; the unsafe-MX part is skipped (unit tests cover netguard)"
fi
finish
