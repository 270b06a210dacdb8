#!/usr/bin/env bash
# End-to-end truth: mailvet against REAL Debian components on loopback —
# NSD serving the zones, Postfix (virtual mailboxes, a catch-all domain, a
# sender policy reject) and postgrey — started and stopped by realnet.sh.
. "$(dirname "$0")/lib.sh"
export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" XDG_CACHE_HOME="$T/cache"
mkdir -p "$HOME"
RN="$(dirname "$0")/realnet.sh"
env_out=$("$RN" start 2>"$T/realnet.err")
if [ $? != 0 ]; then
	cat "$T/realnet.err"
	echo "realverify: 0 passed, 1 failed"; exit 1
fi
eval "$env_out"
trap '"$RN" stop >/dev/null 2>&1; rm -rf "$T"' EXIT

cat >"$T/list.csv" <<'CSV'
name,email
Alice,alice@real-ok.test
Bob,BOB@real-ok.test
Nobody,nobody@real-ok.test
Ghost,ghost.writer@real-ok.test
Cathy,cathy@real-catchall.test
Pol,alice@real-policy.test
Grey,alice@real-grey.test
Null,alice@real-nullmx.test
Impl,alice@real-implicit.test
Back,bob@real-backup.test
Gone,x@nope.real-ok.test
CSV
"$MAILVET" check "$T/list.csv" -o "$T/clean.csv" --results "$T/r.jsonl" \
	--dns "$REALNET_DNS" --smtp-port "$REALNET_SMTP_PORT" --allow-private-mx \
	--from verify@sender.test --helo probe.sender.test --retry-greylisted 3 \
	--max-retries 3 2>"$T/err"
check_eq "check exit" "$?" 0
field() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["email"] == sys.argv[2]:
        print(o.get(sys.argv[3])); break' "$T/r.jsonl" "$1" "$2"
}
expect() { check_eq "$1 $2" "$(field "$1" "$2")" "$3"; }
expect alice@real-ok.test verdict deliverable
expect alice@real-ok.test tls True
expect BOB@real-ok.test verdict deliverable
expect nobody@real-ok.test reason user_unknown
expect ghost.writer@real-ok.test verdict invalid
expect cathy@real-catchall.test verdict risky
expect cathy@real-catchall.test reason catch_all
expect alice@real-policy.test verdict unknown
expect alice@real-policy.test owner sender
expect alice@real-grey.test verdict deliverable
expect alice@real-nullmx.test reason no_mx
expect alice@real-implicit.test verdict deliverable
expect alice@real-implicit.test mx real-implicit.test
expect bob@real-backup.test verdict deliverable
expect bob@real-backup.test mx mx.real-ok.test
expect x@nope.real-ok.test reason domain_not_found
# what Postfix saw: never DATA, never the null-MX domain's A record
log="$REALNET_DIR/postfix-spool/maillog"
if [ -f "$log" ]; then
	check "Postfix never saw DATA" bash -c "! grep -q 'DATA' '$log' || ! grep -qi 'command=DATA' '$log'"
fi
check_contains "greylisting waited and retried" "$(cat "$T/err")" "verified 11 rows"
check "clean file has the deliverable rows" grep -q "alice@real-ok.test" "$T/clean.csv"
finish
