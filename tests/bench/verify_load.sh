#!/usr/bin/env bash
# The load benchmark: ROWS addresses across DOMAINS domains (ROWS/DOMAINS
# each, 2/3 of them real mailboxes) on a loopback farm: the fake DNS, and
# the fake SMTP server on 20 loopback addresses behind MX hosts that the
# domains share, as at real providers; every reply DELAY ms late.
#  1. `mailvet check` with CONCURRENCY connections allowed: time,
#     addresses/s, peak RSS, peak open descriptors;
#  2. the same under RLIMIT_NOFILE 256 (fewer connections, slower);
#  3. the workbench verifying the same list (`mailvet FILE --start`):
#     keypress to screen while the results stream in (tests/bench/bench_keys).
# Inputs are generated here and removed at the end. Environment:
# BENCH_VERIFY_ROWS (1000000), BENCH_VERIFY_DOMAINS (10000),
# BENCH_VERIFY_MX (1000), BENCH_VERIFY_CONCURRENCY (500),
# BENCH_VERIFY_DELAY (5), BENCH_VERIFY_KEYS (1: run part 3).
# In a network namespace of its own when it can (unshare -rn): the tens of
# thousands of loopback connections, and their TIME_WAIT ports, stay out of
# the host's.
set -eu
if [ -z "${MAILVET_NETNS:-}" ] && unshare -rn true 2>/dev/null; then
	exec unshare -rn env MAILVET_NETNS=1 bash "$0" "$@"
fi
[ -n "${MAILVET_NETNS:-}" ] && ip link set lo up
B=${BUILD:-build}
ROWS=${BENCH_VERIFY_ROWS:-1000000}
DOMAINS=${BENCH_VERIFY_DOMAINS:-10000}
MXS=${BENCH_VERIFY_MX:-1000}
CONC=${BENCH_VERIFY_CONCURRENCY:-500}
DELAY=${BENCH_VERIFY_DELAY:-5}
KEYS=${BENCH_VERIFY_KEYS:-1}
PER=$(( (ROWS + DOMAINS - 1) / DOMAINS ))
W=$(mktemp -d /tmp/mailvet-lbench.XXXXXX)
dpid= spid=
trap 'kill $dpid $spid 2>/dev/null; rm -rf "$W"' EXIT
export HOME="$W/home" XDG_CONFIG_HOME="$W/config" XDG_DATA_HOME="$W/data" XDG_CACHE_HOME="$W/cache"
mkdir -p "$HOME"

# the list: round robin over the domains, ROWS rows
awk -v rows="$ROWS" -v doms="$DOMAINS" -v per="$PER" 'BEGIN {
	print "email,name"; n = 0
	for (u = 1; u <= per && n < rows; u++)
		for (d = 1; d <= doms && n < rows; d++) { print "user" u "@farm" d ".test,User " u; n++ }
}' >"$W/list.csv"
awk -v doms="$DOMAINS" -v mxs="$MXS" 'BEGIN {
	for (d = 1; d <= doms; d++) print "farm" d ".test MX 10 mx" (d % mxs) ".farm.test"
	for (m = 0; m < mxs; m++) print "mx" m ".farm.test A 127.0.0." (2 + m % 20)
}' >"$W/zone"
awk -v per="$PER" -v delay="$DELAY" 'BEGIN {
	for (l = 2; l <= 21; l++) {
		print "[listen 127.0.0." l "]"
		print "delay " delay
		print "error_limit 10 20 1000"
		for (u = 1; u <= per; u++) if (u % 3) print "rcpt user" u "@* 250 2.1.5 Ok"
		print "rcpt * 550 5.1.1 <x>: Recipient address rejected: User unknown in virtual mailbox table"
	}
}' >"$W/smtp"
good=$(awk 'NR > 1 { split($0, a, "@"); if (substr(a[1], 5) % 3) n++ } END { print n + 0 }' "$W/list.csv")
"$B/fakes/fake_dns" --listen 127.0.0.1:0 --zone "$W/zone" >"$W/dns.out" 2>/dev/null & dpid=$!
"$B/fakes/fake_smtp" --script "$W/smtp" --port 0 >"$W/smtp.out" 2>/dev/null & spid=$!
for i in $(seq 100); do grep -q ready "$W/dns.out" && grep -q ready "$W/smtp.out" && break; sleep 0.1; done
farm=(--dns "127.0.0.1:$(awk '{print $2}' "$W/dns.out")" --smtp-port "$(awk '{print $2}' "$W/smtp.out")"
      --allow-private-mx --from bench@sender.test --helo bench.sender.test --budget 100000000
      --concurrency "$CONC")
echo "verify load: $ROWS addresses at $DOMAINS domains ($PER each, $good real), $MXS MX hosts on 20" \
	"loopback addresses, $DELAY ms a reply, --concurrency $CONC (generated)"

# run LABEL NOFILE ARGS...: time, peak RSS (rusage) and peak open descriptors
# (/proc, every 50 ms) of one `mailvet check`
run() {
	local label=$1 nofile=$2; shift 2
	rm -f "$W/cache.db"*
	python3 - "$label" "$nofile" "$ROWS" "$good" "$W/clean.csv" "$W/err" "$@" <<'PY'
import os, resource, subprocess, sys, time
label, nofile, rows, good, clean, errpath = sys.argv[1:7]
cmd = sys.argv[7:]
rows, good = int(rows), int(good)
def limit():
    if nofile != "-":
        resource.setrlimit(resource.RLIMIT_NOFILE, (int(nofile), int(nofile)))
t0 = time.monotonic()
with open(errpath, "w") as err:
    p = subprocess.Popen(cmd, stderr=err, preexec_fn=limit)
    peak_fd = 0
    while p.poll() is None:
        try:
            peak_fd = max(peak_fd, len(os.listdir(f"/proc/{p.pid}/fd")))
        except OSError:
            pass
        time.sleep(0.05)
secs = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
lim = nofile if nofile != "-" else str(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
try:
    kept = sum(1 for _ in open(clean)) - 1
except OSError:
    kept = -1
stats = ""
for line in open(errpath):
    if "probes (RCPT)" in line:
        stats = line.strip()
print(f"verify load, {label}: {secs:.1f} s, {rows / secs:.0f} addresses/s, peak RSS {rss:.0f} MB, "
      f"peak {peak_fd} open descriptors (limit {lim}); exit {p.returncode}, "
      f"{kept} deliverable of {good} real")
print(f"verify load, {label}: {stats}")
PY
}
run "as is" - "$B/mailvet" check "$W/list.csv" -o "$W/clean.csv" --cache "$W/cache.db" "${farm[@]}"
run "RLIMIT_NOFILE 256" 256 "$B/mailvet" check "$W/list.csv" -o "$W/clean.csv" --cache "$W/cache.db" "${farm[@]}"
if [ "$KEYS" = 1 ]; then
	rm -f "$W/cache.db"*
	"$B/bench/bench_keys" "$B/mailvet" "$W/list.csv" j -- --start --cache "$W/cache.db" "${farm[@]}"
fi
