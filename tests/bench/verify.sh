#!/usr/bin/env bash
# The verification benchmark: a loopback farm (fake DNS + fake SMTP) of
# DOMAINS domains with PER addresses each (2/3 real mailboxes, 1/3 unknown),
# every reply delayed DELAY ms, verified by `mailvet check`. Prints
# addresses/s, connections per 100 addresses and round trips per address.
set -eu
B=${BUILD:-build}
DOMAINS=${BENCH_DOMAINS:-200}
PER=${BENCH_PER:-25}
DELAY=${BENCH_DELAY:-5}
W=$(mktemp -d /tmp/mailvet-vbench.XXXXXX)
trap 'kill $dpid $spid 2>/dev/null; rm -rf "$W"' EXIT
zone=$W/zone; script=$W/smtp; list=$W/list.csv
: >"$zone"; echo email >"$list"
{
	echo "[listen 127.0.0.2]"
	echo "delay $DELAY"
	echo "error_limit 10 20 1000"
	for d in $(seq 1 "$DOMAINS"); do
		echo "farm$d.test MX 10 mx$((d % 20)).farm.test" >>"$zone"
		for u in $(seq 1 "$PER"); do
			echo "user$u@farm$d.test" >>"$list"
			[ $((u % 3)) = 0 ] || echo "rcpt user$u@farm$d.test 250 2.1.5 Ok"
		done
	done
	echo "rcpt * 550 5.1.1 <x>: Recipient address rejected: User unknown in virtual mailbox table"
} >"$script"
for m in $(seq 0 19); do echo "mx$m.farm.test A 127.0.0.2" >>"$zone"; done
"$B/fakes/fake_dns" --listen 127.0.0.1:0 --zone "$zone" >"$W/dns.out" 2>/dev/null & dpid=$!
"$B/fakes/fake_smtp" --script "$script" --port 0 >"$W/smtp.out" 2>/dev/null & spid=$!
for i in $(seq 100); do grep -q ready "$W/dns.out" && grep -q ready "$W/smtp.out" && break; sleep 0.1; done
n=$((DOMAINS * PER))
start=$(date +%s.%N)
"$B/mailvet" check "$list" -o "$W/clean.csv" --no-cache --dns "127.0.0.1:$(awk '{print $2}' "$W/dns.out")" \
	--smtp-port "$(awk '{print $2}' "$W/smtp.out")" --allow-private-mx --from bench@sender.test \
	--helo bench.sender.test --budget 1000000 2>"$W/err"
end=$(date +%s.%N)
line=$(grep 'probes (RCPT)' "$W/err")
probes=$(echo "$line" | sed -E 's/^ *([0-9]+) probes.*/\1/')
conns=$(echo "$line" | sed -E 's/.* ([0-9]+) connections.*/\1/')
rtts=$(echo "$line" | sed -E 's/.* ([0-9]+) round trips.*/\1/')
python3 - "$n" "$start" "$end" "$probes" "$conns" "$rtts" "$DOMAINS" "$PER" "$DELAY" <<'PY'
import sys
n, t0, t1, probes, conns, rtts, doms, per, delay = sys.argv[1:]
n = int(n); secs = float(t1) - float(t0)
print(f"verify: {n} addresses at {doms} domains ({per} each, 20 MX hosts, {delay} ms a reply): "
      f"{n/secs:.0f} addresses/s ({secs:.1f} s)")
print(f"verify: {int(conns)*100/n:.2f} connections per 100 addresses (target <= 20), "
      f"{int(rtts)/n:.2f} round trips per address (target <= 1.3), "
      f"{int(probes)/n:.3f} RCPTs per address (catch-all probes and calibrations included)")
PY
