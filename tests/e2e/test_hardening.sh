#!/usr/bin/env bash
# Hardening: a full disk, few file descriptors, SIGKILL during export and
# during verification (repeated) — nothing lost, nothing half-written.
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

# ---- SIGKILL during export, 10 times: old file or new file, never a part ------
"$MAILVET" check --local-only --allow-reserved "$T/big.csv" -o "$T/ref.csv" -q
good=0
for i in $(seq 1 10); do
	echo "the previous export" >"$T/k.csv"
	"$MAILVET" check --local-only --allow-reserved "$T/big.csv" -o "$T/k.csv" -q &
	pid=$!
	sleep "0.$(( (i * 37) % 10 ))$(( i % 10 ))"
	kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	if [ "$(cat "$T/k.csv")" = "the previous export" ] || cmp -s "$T/k.csv" "$T/ref.csv"; then
		good=$((good + 1))
	else
		echo "  run $i left: $(wc -c <"$T/k.csv") bytes"
	fi
	rm -f "$T"/k.csv.tmp.*
done
check_eq "every killed export left a whole file" "$good" 10

# ---- verification with 256 file descriptors and SIGKILL at random moments -------
zone="$T/z"; script="$T/s"; list="$T/l.csv"
: >"$zone"; printf '[listen 127.0.0.2]\ndelay 150\n' >"$script"; echo email >"$list"
for d in $(seq 1 40); do
	echo "d$d.test MX 10 mx$d.d.test" >>"$zone"; echo "mx$d.d.test A 127.0.0.2" >>"$zone"
	for u in $(seq 1 10); do echo "u$u@d$d.test" >>"$list"; echo "rcpt u$u@d$d.test 250 2.1.5 Ok" >>"$script"; done
done
echo "rcpt * 550 5.1.1 no such user" >>"$script"
"$B/fakes/fake_dns" --listen 127.0.0.1:0 --zone "$zone" >"$T/d.out" 2>/dev/null & dpid=$!
"$B/fakes/fake_smtp" --script "$script" --port 0 --log "$T/smtp.log" >"$T/s.out" 2>/dev/null & spid=$!
for i in $(seq 50); do grep -q ready "$T/d.out" && grep -q ready "$T/s.out" && break; sleep 0.1; done
args=(check "$list" -o "$T/v.csv" --results "$T/v.jsonl" --dns "127.0.0.1:$(awk '{print $2}' "$T/d.out")"
      --smtp-port "$(awk '{print $2}' "$T/s.out")" --allow-private-mx --from p@sender.test
      --helo p.sender.test --cache "$T/v.db" --concurrency 200 -q)
kills=0
for i in $(seq 1 8); do
	"$MAILVET" "${args[@]}" &
	pid=$!
	sleep "0.$(( 2 + (i * 3) % 7 ))"
	kill -9 $pid 2>/dev/null && kills=$((kills + 1)); wait $pid 2>/dev/null
done
check "killed runs" [ "$kills" -ge 1 ]
before=$(grep -c 'C: RCPT TO:<u' "$T/smtp.log")
( ulimit -n 256; "$MAILVET" "${args[@]}" )
check_eq "finishes with 256 descriptors and 200 connections allowed" "$?" 0
check_eq "every row verified" "$(grep -c '"verdict":"deliverable"' "$T/v.jsonl")" 400
last=$(( $(grep -c 'C: RCPT TO:<u' "$T/smtp.log") - before ))
check "the last run resumed: fewer than 400 rows asked ($last)" [ "$last" -lt 400 ]
python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("pragma integrity_check").fetchone()[0])' "$T/v.db" >"$T/integrity"
check_eq "cache consistent after the kills" "$(cat "$T/integrity")" "ok"
kill $dpid $spid 2>/dev/null; wait 2>/dev/null
finish
