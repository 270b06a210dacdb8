#!/usr/bin/env bash
# Hardening: a full disk, few file descriptors, SIGKILL during export and
# during verification (20 times each) — nothing lost, nothing half-written,
# no probe spent twice for a result the cache already held.
# In a network namespace of its own when it can (unshare -rn): thousands of
# loopback connections, and their TIME_WAIT ports, stay out of the host's.
if [ -z "${MAILVET_NETNS:-}" ] && unshare -rn true 2>/dev/null; then
	exec unshare -rn env MAILVET_NETNS=1 bash "$0" "$@"
fi
[ -n "${MAILVET_NETNS:-}" ] && ip link set lo up 2>/dev/null
. "$(dirname "$0")/lib.sh"
B=${BUILD:-build}
export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" XDG_CACHE_HOME="$T/cache"
mkdir -p "$HOME"
python3 - "$T/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("email,notes\n")
    for i in range(60000):
        f.write(f"user{i}@d{i % 50}.test,\"note {i}, with a comma\"\n")
PY
cp "$T/big.csv" "$T/big.orig"

# ---- a file size limit (a full disk): clear error, old output kept ------------
echo "the previous export" >"$T/out.csv"
( ulimit -f 200; "$MAILVET" check --local-only --allow-reserved "$T/big.csv" -o "$T/out.csv" -q ) 2>"$T/err"
check_eq "write past the limit fails" "$?" 1
check_contains "says why" "$(cat "$T/err")" "File too large"
check_eq "previous output untouched" "$(cat "$T/out.csv")" "the previous export"
check "input untouched" cmp -s "$T/big.csv" "$T/big.orig"
check_eq "no temp file left" "$(ls "$T" | grep -c '\.tmp\.')" 0

# ---- SIGKILL during export, 20 times: old file or new file, never a part ------
# The kill moments are spread evenly from the start of an export to half its
# length (measured here) past its end.
t0=$(date +%s%N)
"$MAILVET" check --local-only --allow-reserved "$T/big.csv" -o "$T/ref.csv" -q
full_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
good=0 old=0 mid=0
for i in $(seq 1 20); do
	echo "the previous export" >"$T/k.csv"
	"$MAILVET" check --local-only --allow-reserved "$T/big.csv" -o "$T/k.csv" -q &
	pid=$!
	sleep "$(awk -v i="$i" -v ms="$full_ms" 'BEGIN { printf "%.3f", i * ms * 1.5 / 20 / 1000 }')"
	kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	ls "$T"/k.csv.tmp.* >/dev/null 2>&1 && mid=$((mid + 1))
	if [ "$(cat "$T/k.csv")" = "the previous export" ]; then
		good=$((good + 1)); old=$((old + 1))
	elif cmp -s "$T/k.csv" "$T/ref.csv"; then
		good=$((good + 1))
	else
		echo "  run $i left: $(wc -c <"$T/k.csv") bytes"
	fi
	rm -f "$T"/k.csv.tmp.*
done
echo "  export killed 20 times over ${full_ms} ms: $old left the previous file, $((good - old)) the new one, $mid during the write"
check_eq "every killed export left a whole file" "$good" 20
check "kills landed before the export finished ($old of 20)" [ "$old" -ge 5 ]

# ---- verification: SIGKILL at 20 random moments, then 256 file descriptors -------
# 10 domains of 400 addresses, every reply 50 ms late: more work than the
# 20 killed runs can finish. After each kill: what the cache holds, and
# where the fake server's log stands.
zone="$T/z"; script="$T/s"; list="$T/l.csv"
ND=10 NU=400 NR=$((10 * 400))
: >"$zone"; printf '[listen 127.0.0.2]\ndelay 50\n' >"$script"; echo email >"$list"
for d in $(seq 1 $ND); do
	echo "d$d.test MX 10 mx$d.d.test" >>"$zone"; echo "mx$d.d.test A 127.0.0.2" >>"$zone"
	for u in $(seq 1 $NU); do echo "u$u@d$d.test" >>"$list"; echo "rcpt u$u@d$d.test 250 2.1.5 Ok" >>"$script"; done
done
echo "rcpt * 550 5.1.1 no such user" >>"$script"
"$B/fakes/fake_dns" --listen 127.0.0.1:0 --zone "$zone" >"$T/d.out" 2>/dev/null & dpid=$!
"$B/fakes/fake_smtp" --script "$script" --port 0 --log "$T/smtp.log" >"$T/s.out" 2>/dev/null & spid=$!
for i in $(seq 50); do grep -q ready "$T/d.out" && grep -q ready "$T/s.out" && break; sleep 0.1; done
args=(check "$list" -o "$T/v.csv" --results "$T/v.jsonl" --dns "127.0.0.1:$(awk '{print $2}' "$T/d.out")"
      --smtp-port "$(awk '{print $2}' "$T/s.out")" --allow-private-mx --from p@sender.test
      --helo p.sender.test --cache "$T/v.db" --concurrency 200 -q)
snap() {  # snap N: the addresses with a result in the cache, and the log's length
	python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (a,) in db.execute("select address from results"): print(a)' "$T/v.db" | sort >"$T/snap.$1"
	wc -l <"$T/smtp.log" >"$T/mark.$1"
}
: >"$T/smtp.log"; : >"$T/snap.0"; echo 0 >"$T/mark.0"
kills=0
for i in $(seq 1 20); do
	"$MAILVET" "${args[@]}" &
	pid=$!
	# once this run probes (whatever the machine's speed), at a random moment
	from=$(( $(cat "$T/mark.$((i - 1))") + 1 ))
	for w in $(seq 200); do
		tail -n +"$from" "$T/smtp.log" | grep -q 'C: RCPT TO:<u' && break
		sleep 0.05
	done
	sleep "0.$(( 10 + RANDOM % 50 ))"
	kill -9 $pid 2>/dev/null && kills=$((kills + 1)); wait $pid 2>/dev/null
	sleep 0.1    # the server logs what was already sent
	snap "$i"
done
check_eq "killed runs" "$kills" 20
check_eq "no export from a killed run" "$(ls "$T"/v.csv 2>/dev/null | wc -l)" 0
n20=$(wc -l <"$T/snap.20")
check "the 20th kill still found work ($n20 of $NR cached)" [ "$n20" -lt "$NR" ]
( ulimit -n 256; "$MAILVET" "${args[@]}" )
check_eq "finishes with 256 descriptors and 200 connections allowed" "$?" 0
snap 21
check_eq "every row verified" "$(grep -c '"verdict":"deliverable"' "$T/v.jsonl")" "$NR"
last=$(tail -n +"$(( $(cat "$T/mark.20") + 1 ))" "$T/smtp.log" | grep -c 'C: RCPT TO:<u')
check "the last run resumed: fewer than $NR rows asked ($last)" [ "$last" -lt "$NR" ]
# For each run: no address cached before it was asked again (no probe spent
# twice for a fresh result), and nothing cached before it was lost after it.
out=$(python3 - "$T" 21 <<'PY'
import re, sys
t, runs = sys.argv[1], int(sys.argv[2])
log = open(t + "/smtp.log", errors="replace").read().splitlines()
snaps = [set(open(f"{t}/snap.{i}").read().split()) for i in range(runs + 1)]
marks = [int(open(f"{t}/mark.{i}").read()) for i in range(runs + 1)]
twice = lost = grown = 0
for i in range(1, runs + 1):
    asked = set(re.findall(r"C: RCPT TO:<(u[^>]*)>", "\n".join(log[marks[i - 1]:marks[i]])))
    twice += len(asked & snaps[i - 1])
    lost += len(snaps[i - 1] - snaps[i])
    grown += len(snaps[i]) > len(snaps[i - 1])
print(twice, lost, grown, len(snaps[runs]))
PY
)
read -r twice lost grown final <<<"$out"
echo "  verification killed 20 times: $grown of 21 runs added results, $n20 of $NR cached before the last run, which asked $last"
check_eq "no cached address probed again in 21 runs" "$twice" 0
check_eq "no finished result lost across 20 kills" "$lost" 0
check "the killed runs made progress ($grown of 21 runs added results)" [ "${grown:-0}" -ge 12 ]
check_eq "the cache holds every address" "$final" "$NR"
python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("pragma integrity_check").fetchone()[0])' "$T/v.db" >"$T/integrity"
check_eq "cache consistent after the kills" "$(cat "$T/integrity")" "ok"

# ---- more connections wanted than descriptors allowed ---------------------------
# 10 RCPTs a session: 100 sessions wanted, 64 descriptors. The sessions fit
# in what the limit leaves; and when inherited descriptors take that room
# too, a socket() failing with EMFILE is not the host's fault (it was
# treated as one: hosts backed off for minutes).
awk -F@ 'NR == 1 || $1 ~ /^u([1-9]|[1-9][0-9]|100)$/' "$list" >"$T/l2.csv"
fargs=(check "$T/l2.csv" -o "$T/f.csv" --results "$T/f.jsonl" --dns "127.0.0.1:$(awk '{print $2}' "$T/d.out")"
       --smtp-port "$(awk '{print $2}' "$T/s.out")" --allow-private-mx --from p@sender.test
       --helo p.sender.test --no-cache --concurrency 200 --per-mx 20 --rcpts-per-session 10 -q)
t0=$(date +%s)
( ulimit -n 64; timeout 60 "$MAILVET" "${fargs[@]}" )
check_eq "64 descriptors, 200 connections allowed: finishes" "$?" 0
check_eq "64 descriptors: every row verified" "$(grep -c '"verdict":"deliverable"' "$T/f.jsonl")" 1000
check "64 descriptors: in a bounded time ($(( $(date +%s) - t0 )) s)" [ $(( $(date +%s) - t0 )) -lt 40 ]
t0=$(date +%s)
( for i in $(seq 1 40); do exec {fd}</dev/null; done; ulimit -n 64; timeout 60 "$MAILVET" "${fargs[@]}" )
check_eq "40 of 64 descriptors taken before the start: finishes" "$?" 0
check_eq "40 of 64 taken: every row verified" "$(grep -c '"verdict":"deliverable"' "$T/f.jsonl")" 1000
check "40 of 64 taken: in a bounded time ($(( $(date +%s) - t0 )) s)" [ $(( $(date +%s) - t0 )) -lt 40 ]
kill $dpid $spid 2>/dev/null; wait 2>/dev/null

# ---- many hosts calibrating at once, 500 connections: every run finishes -----------
# 20,000 rows, 1,000 domains, 100 MX hosts on 20 addresses, 1/3 unknown users.
# A session closing gave back every row it had ever asked that was in
# flight elsewhere, a host's calibration row among them; its answer was
# then dropped, the host stayed calibrating, and its held rows were never
# decided: the run hung (2 runs in 3 here).
awk 'BEGIN { print "email"; for (u = 1; u <= 20; u++) for (d = 1; d <= 1000; d++) print "user" u "@farm" d ".test" }' \
	>"$T/farm.csv"
awk 'BEGIN { for (d = 1; d <= 1000; d++) print "farm" d ".test MX 10 mx" (d % 100) ".farm.test"
	for (m = 0; m < 100; m++) print "mx" m ".farm.test A 127.0.0." (2 + m % 20) }' >"$T/farm.zone"
awk 'BEGIN { for (l = 2; l <= 21; l++) {
	print "[listen 127.0.0." l "]"; print "delay 5"; print "error_limit 10 20 1000"
	for (u = 1; u <= 20; u++) if (u % 3) print "rcpt user" u "@* 250 2.1.5 Ok"
	print "rcpt * 550 5.1.1 <x>: Recipient address rejected: User unknown in virtual mailbox table" } }' \
	>"$T/farm.smtp"
"$B/fakes/fake_dns" --listen 127.0.0.1:0 --zone "$T/farm.zone" >"$T/fd.out" 2>/dev/null & dpid=$!
"$B/fakes/fake_smtp" --script "$T/farm.smtp" --port 0 >"$T/fs.out" 2>/dev/null & spid=$!
for i in $(seq 50); do grep -q ready "$T/fd.out" && grep -q ready "$T/fs.out" && break; sleep 0.1; done
ok=0
for i in 1 2 3; do
	timeout 60 "$MAILVET" check "$T/farm.csv" -o "$T/farm.out" --dns "127.0.0.1:$(awk '{print $2}' "$T/fd.out")" \
		--smtp-port "$(awk '{print $2}' "$T/fs.out")" --allow-private-mx --from p@sender.test \
		--helo p.sender.test --no-cache --concurrency 500 --budget 1000000 -q &&
		[ "$(($(wc -l <"$T/farm.out") - 1))" = 14000 ] && ok=$((ok + 1))
done
check_eq "20,000 rows at 100 hosts calibrating, 3 runs: each finished with 14,000 deliverable" "$ok" 3
kill $dpid $spid 2>/dev/null; wait 2>/dev/null
finish
