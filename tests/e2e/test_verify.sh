#!/usr/bin/env bash
# Verification end to end through `mailvet check`, on loopback only:
#  1. the sample on the demo network: every scenario lands in its tier;
#  2. SIGKILL mid-run and resume: no finished result lost, no fresh result
#     probed twice;
#  3. the unsafe-MX guard, in a network namespace that has only loopback.
. "$(dirname "$0")/lib.sh"
B=${BUILD:-build}
export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" XDG_CACHE_HOME="$T/cache"
mkdir -p "$HOME"

jq_row() {  # jq_row FILE EMAIL FIELD -> value (python: no jq dependency)
	python3 - "$@" <<'PY'
import json, sys
path, email, field = sys.argv[1:4]
for line in open(path):
    o = json.loads(line)
    if o["email"].strip() == email:
        v = o.get(field)
        print(",".join(v) if isinstance(v, list) else v)
        break
PY
}

# ---- 1. the sample on the demo network ---------------------------------------
"$MAILVET" check --demo samples/contacts.csv -o "$T/clean.csv" --results "$T/r.jsonl" \
	--split 2>"$T/err"
check_eq "demo check exit" "$?" 0
err=$(cat "$T/err")
check_contains "progress line" "$err" "verify: 260/260 done"
check_contains "breaker alert" "$err" "ALERT: hooli.test is rejecting the sender"
check_eq "one result per row" "$(wc -l < "$T/r.jsonl")" 300
expect() { check_eq "$1 $2" "$(jq_row "$T/r.jsonl" "$1" "$2")" "$3"; }
expect full.box@fabrikam.test verdict risky
expect full.box@fabrikam.test reason mailbox_full
expect over.quota@fabrikam.test reason mailbox_full
expect someone@no-such-domain.test reason domain_not_found
expect founder@piedpiper.test reason no_mx
expect bruce@wayne.test verdict deliverable
expect bruce@wayne.test mx wayne.test
expect mailto:pepper@stark.test mx mx2.stark.test
expect no.such.user@northwind.test reason user_unknown
expect not.in.directory@contoso.test verdict invalid
expect temp1@mailinator.com reason catch_all
check_contains "catch-all flag" "$(jq_row "$T/r.jsonl" temp1@mailinator.com flags)" "catch_all"
hooli=$(python3 -c '
import json,sys
v=set()
for l in open(sys.argv[1]):
    o=json.loads(l)
    if o["email"].endswith("@hooli.test"): v.add((o["verdict"],o["owner"]))
print(sorted(v))' "$T/r.jsonl")
check_eq "sender-side blocks are unknown, never invalid" "$hooli" "[('unknown', 'sender')]"
umb=$(python3 -c '
import json,sys
print(sorted({o["verdict"] for o in map(json.loads, open(sys.argv[1])) if o["email"].endswith("@umbrella.test")}))' "$T/r.jsonl")
check_eq "greylisted domain verified after the retry" "$umb" "['deliverable']"
slow=$(python3 -c '
import json,sys
print(sorted({o["verdict"] for o in map(json.loads, open(sys.argv[1])) if o["email"].endswith("@initech.test")}))' "$T/r.jsonl")
check_eq "slow greeting is not a failure" "$slow" "['deliverable']"
total=0
for f in "$T"/clean.*.csv; do
	n=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="")))-1)' "$f")
	total=$((total + n))
done
check_eq "split files hold every row once" "$total" 300
check_eq "clean = deliverable" "$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="")))-1)' "$T/clean.csv")" \
	"$(grep -c '"verdict":"deliverable"' "$T/r.jsonl")"

# ---- 2. SIGKILL and resume ------------------------------------------------------
zone="$T/kill.zone"; script="$T/kill.smtp"; list="$T/kill.csv"
: >"$zone"; printf '[listen 127.0.0.2]\ndelay 100\n' >"$script"
echo "email" >"$list"
for d in $(seq 1 10); do
	echo "d$d.test MX 10 mx.d$d.test" >>"$zone"
	echo "mx.d$d.test A 127.0.0.2" >>"$zone"
	for u in $(seq 1 30); do
		echo "u$u@d$d.test" >>"$list"
		echo "rcpt u$u@d$d.test 250 2.1.5 Ok" >>"$script"
	done
done
echo "rcpt * 550 5.1.1 no such user" >>"$script"
"$B/fakes/fake_dns" --listen 127.0.0.1:0 --zone "$zone" >"$T/dns.out" 2>/dev/null &
dpid=$!
"$B/fakes/fake_smtp" --script "$script" --port 0 --log "$T/smtp.log" >"$T/smtp.out" 2>/dev/null &
spid=$!
for i in $(seq 50); do grep -q ready "$T/dns.out" && grep -q ready "$T/smtp.out" && break; sleep 0.1; done
dport=$(awk '{print $2}' "$T/dns.out"); sport=$(awk '{print $2}' "$T/smtp.out")
args=(check "$list" -o "$T/kill.clean.csv" --results "$T/kill.jsonl" --dns "127.0.0.1:$dport"
      --smtp-port "$sport" --allow-private-mx --from probe@sender.test --helo probe.sender.test
      --cache "$T/kill.db" --per-mx 1 --concurrency 4 -q)
"$MAILVET" "${args[@]}" &
mpid=$!
sleep 2
kill -9 $mpid 2>/dev/null
wait $mpid 2>/dev/null
check_eq "killed run left no partial export" "$(ls "$T"/kill.clean.csv 2>/dev/null | wc -l)" 0
first=$(grep -c 'C: RCPT TO' "$T/smtp.log")
check "the killed run had probed some" [ "$first" -gt 10 ]
check "...but not all" [ "$first" -lt 300 ]
lines_at_kill=$(wc -l < "$T/smtp.log")
# what the cache holds after the kill: every result written is final
python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (a,) in db.execute("select address from results"): print(a)' "$T/kill.db" | sort >"$T/cached"
check "results survived the SIGKILL" [ "$(wc -l < "$T/cached")" -gt 0 ]
"$MAILVET" "${args[@]}"
check_eq "resumed run exit" "$?" 0
check_eq "every row has a verdict" "$(grep -c '"verdict":"deliverable"' "$T/kill.jsonl")" 300
tail -n +"$((lines_at_kill + 1))" "$T/smtp.log" | grep -o 'C: RCPT TO:<[^>]*>' |
	sed 's/.*<\(.*\)>/\1/' | sort -u >"$T/asked_again"
check_eq "no cached result was probed again" "$(comm -12 "$T/cached" "$T/asked_again" | wc -l)" 0
all=$(grep -c 'C: RCPT TO:<u' "$T/smtp.log")
# 300 rows, 10 catch-all probes, and at most what was in flight at the kill
# (4 connections x 8 unanswered RCPTs) asked twice
check "resume did not start over" [ "$all" -le $((300 + 10 + 32)) ]
check "never DATA" bash -c "! grep -q VIOLATION '$T/smtp.log'"
"$MAILVET" "${args[@]}"
check_eq "third run: all from the cache" "$(grep -c 'C: RCPT TO:<u' "$T/smtp.log")" "$all"
kill $dpid $spid 2>/dev/null; wait 2>/dev/null

# ---- 3. the unsafe-MX guard where no packet can leave loopback ---------------
if unshare -rn true 2>/dev/null; then
	printf 'evil.test MX 10 mx.evil.test\nmx.evil.test A 10.9.8.7\nlo.test MX 10 mx.lo.test\nmx.lo.test A 127.0.0.5\nmap.test MX 10 mx.map.test\nmx.map.test AAAA ::ffff:192.168.1.1\n' >"$T/evil.zone"
	printf 'email\na@evil.test\nb@lo.test\nc@map.test\n' >"$T/evil.csv"
	out=$(unshare -rn bash -c "
		ip link set lo up
		'$B/fakes/fake_dns' --listen 127.0.0.1:0 --zone '$T/evil.zone' >'$T/edns.out' 2>/dev/null &
		for i in \$(seq 50); do grep -q ready '$T/edns.out' && break; sleep 0.1; done
		'$MAILVET' check '$T/evil.csv' -o '$T/evil.clean.csv' --results '$T/evil.jsonl' \
			--dns 127.0.0.1:\$(awk '{print \$2}' '$T/edns.out') --no-cache -q
		echo rc=\$?
		kill %1")
	check_contains "guarded run exit" "$out" "rc=0"
	check_eq "private MX refused" "$(jq_row "$T/evil.jsonl" a@evil.test reason)" "unsafe_mx"
	check_eq "loopback MX refused" "$(jq_row "$T/evil.jsonl" b@lo.test reason)" "unsafe_mx"
	check_eq "IPv4-mapped private MX refused" "$(jq_row "$T/evil.jsonl" c@map.test reason)" "unsafe_mx"
else
	echo "note: unshare -rn is not available; the guard's unit tests still cover it"
fi
# ---- 4. STARTTLS: refused, broken, required; and the doctor ------------------------
printf 'tlsok.test MX 10 mx.tlsok.test\nmx.tlsok.test A 127.0.0.2\ntlsrefuse.test MX 10 mx.tlsrefuse.test\nmx.tlsrefuse.test A 127.0.0.3\ntlsjunk.test MX 10 mx.tlsjunk.test\nmx.tlsjunk.test A 127.0.0.4\nsender.test MX 10 mx.tlsok.test\nsender.test TXT "v=spf1 -all"\n' >"$T/tls.zone"
{
	printf '[listen 127.0.0.2]\nstarttls ok\nrcpt a@tlsok.test 250 2.1.5 Ok\nrcpt * 550 5.1.1 no such user\n'
	printf '[listen 127.0.0.3]\nstarttls refuse\nrcpt a@tlsrefuse.test 250 2.1.5 Ok\nrcpt * 550 5.1.1 no such user\n'
	printf '[listen 127.0.0.4]\nstarttls garbage\nrcpt a@tlsjunk.test 250 2.1.5 Ok\nrcpt * 550 5.1.1 no such user\n'
} >"$T/tls.smtp"
printf 'email\na@tlsok.test\na@tlsrefuse.test\na@tlsjunk.test\n' >"$T/tls.csv"
"$B/fakes/fake_dns" --listen 127.0.0.1:0 --zone "$T/tls.zone" >"$T/tdns.out" 2>/dev/null & dpid=$!
"$B/fakes/fake_smtp" --script "$T/tls.smtp" --port 0 --log "$T/tls.log" >"$T/tsmtp.out" 2>/dev/null & spid=$!
for i in $(seq 50); do grep -q ready "$T/tdns.out" && grep -q ready "$T/tsmtp.out" && break; sleep 0.1; done
targs=(--dns "127.0.0.1:$(awk '{print $2}' "$T/tdns.out")" --smtp-port "$(awk '{print $2}' "$T/tsmtp.out")"
       --allow-private-mx --from probe@sender.test --helo probe.sender.test --no-cache -q)
"$MAILVET" check "$T/tls.csv" -o "$T/tls.clean.csv" --results "$T/tls.jsonl" "${targs[@]}"
check_eq "tls check exit" "$?" 0
expect2() { check_eq "$1 $2" "$(jq_row "$T/tls.jsonl" "$1" "$2")" "$3"; }
expect2 a@tlsok.test tls True
expect2 a@tlsok.test verdict deliverable
expect2 a@tlsrefuse.test verdict deliverable
expect2 a@tlsrefuse.test tls False
expect2 a@tlsjunk.test verdict deliverable
expect2 a@tlsjunk.test tls False
check "the broken handshake was seen, then plain text used" grep -q "TLS-FAIL\|DISCARD\|CLOSE" "$T/tls.log"
"$MAILVET" check "$T/tls.csv" -o "$T/tls2.clean.csv" --results "$T/tls2.jsonl" --tls require "${targs[@]}"
check_eq "require: TLS host ok" "$(jq_row "$T/tls2.jsonl" a@tlsok.test verdict)" deliverable
check_eq "require: refused STARTTLS is unknown" "$(jq_row "$T/tls2.jsonl" a@tlsrefuse.test reason)" tls_failed
out=$("$MAILVET" doctor --dns "127.0.0.1:$(awk '{print $2}' "$T/tdns.out")" \
	--smtp-port "$(awk '{print $2}' "$T/tsmtp.out")" --allow-private-mx \
	--from probe@sender.test --helo probe.sender.test)
check_eq "doctor exit" "$?" 0
check_contains "doctor: MX" "$out" "MAIL FROM domain sender.test receives mail (MX mx.tlsok.test)"
check_contains "doctor: SPF" "$out" "has an SPF record"
check_contains "doctor: port" "$out" "reaches mx.tlsok.test"
out=$("$MAILVET" doctor --helo mx.google.com --dns 127.0.0.1:1 --dns-timeout 200 2>&1)
check_eq "doctor: foreign HELO refused" "$?" 2
kill $dpid $spid 2>/dev/null; wait 2>/dev/null
# ---- 5. slow and closing servers, a per-domain rate, greylisting across runs ---------
printf 'trickle.test MX 10 mx.trickle.test\nmx.trickle.test A 127.0.0.5\nclosing.test MX 10 mx.closing.test\nmx.closing.test A 127.0.0.6\nrate.test MX 10 mx.rate.test\nmx.rate.test A 127.0.0.7\ngrey.test MX 10 mx.grey.test\nmx.grey.test A 127.0.0.8\n' >"$T/h.zone"
{
	printf '[listen 127.0.0.5]\ntrickle 300\n'
	printf '[listen 127.0.0.6]\nshutdown_after 2\nrcpt * 250 2.1.5 Ok\n'
	printf '[listen 127.0.0.7]\nrcpt a@rate.test 250 2.1.5 Ok\nrcpt b@rate.test 250 2.1.5 Ok\nrcpt c@rate.test 250 2.1.5 Ok\nrcpt * 550 5.1.1 no such user\n'
	printf '[listen 127.0.0.8]\ngreylist 3\nrcpt a@grey.test 250 2.1.5 Ok\nrcpt * 550 5.1.1 no such user\n'
} >"$T/h.smtp"
"$B/fakes/fake_dns" --listen 127.0.0.1:0 --zone "$T/h.zone" >"$T/hdns.out" 2>/dev/null & dpid=$!
"$B/fakes/fake_smtp" --script "$T/h.smtp" --port 0 --log "$T/h.log" >"$T/hsmtp.out" 2>/dev/null & spid=$!
for i in $(seq 50); do grep -q ready "$T/hdns.out" && grep -q ready "$T/hsmtp.out" && break; sleep 0.1; done
hargs=(--dns "127.0.0.1:$(awk '{print $2}' "$T/hdns.out")" --smtp-port "$(awk '{print $2}' "$T/hsmtp.out")"
       --allow-private-mx --from probe@sender.test --helo probe.sender.test -q)
printf 'email\na@trickle.test\na@closing.test\n' >"$T/h1.csv"
start=$(date +%s)
"$MAILVET" check "$T/h1.csv" -o "$T/h1.clean.csv" --results "$T/h1.jsonl" --no-cache \
	--banner-timeout 1500 --command-timeout 1500 --max-retries 0 "${hargs[@]}"
check_eq "hostile-server run exit" "$?" 0
check_eq "a server trickling one byte per 300 ms times out" "$(jq_row "$T/h1.jsonl" a@trickle.test reason)" timeout
check "...within the timeouts, no hang" [ $(( $(date +%s) - start )) -lt 30 ]
check_eq "421 after two commands: unknown, not invalid" "$(jq_row "$T/h1.jsonl" a@closing.test verdict)" unknown
printf 'email\na@rate.test\nb@rate.test\nc@rate.test\n' >"$T/h2.csv"
start=$(date +%s%N)
"$MAILVET" check "$T/h2.csv" -o "$T/h2.clean.csv" --results "$T/h2.jsonl" --no-cache \
	--per-domain-rate 60 "${hargs[@]}"
took=$(( ($(date +%s%N) - start) / 1000000 ))
check_eq "rate-limited domain verified" "$(grep -c '"verdict":"deliverable"' "$T/h2.jsonl")" 3
check "60 a minute: 4 RCPTs (probe included) take 3 s or more ($took ms)" [ "$took" -ge 2900 ]
# greylisting across runs: the first run is stopped while the retry waits;
# the next run waits for the retry time instead of asking again at once
printf 'email\na@grey.test\n' >"$T/h3.csv"
timeout --preserve-status -s INT 2 "$MAILVET" check "$T/h3.csv" -o "$T/h3.clean.csv" --cache "$T/h.db" \
	--retry-greylisted 2 "${hargs[@]}"
check_eq "interrupted run exit" "$?" 1
n1=$(grep -c 'C: RCPT TO:<a@grey.test>' "$T/h.log")
"$MAILVET" check "$T/h3.csv" -o "$T/h3.clean.csv" --results "$T/h3.jsonl" --cache "$T/h.db" \
	--retry-greylisted 2 "${hargs[@]}"
check_eq "resumed greylisted row deliverable" "$(jq_row "$T/h3.jsonl" a@grey.test verdict)" deliverable
n2=$(grep -c 'C: RCPT TO:<a@grey.test>' "$T/h.log")
check "asked once more after the restart, not in a loop ($n1 then $n2)" [ $((n2 - n1)) -le 2 ]
kill $dpid $spid 2>/dev/null; wait 2>/dev/null
finish
