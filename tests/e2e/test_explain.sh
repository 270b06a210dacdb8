#!/usr/bin/env bash
# mailvet explain and mailvet bounces, as a user runs them.
. "$(dirname "$0")/lib.sh"

# ---- explain --------------------------------------------------------------------------
out=$("$MAILVET" explain "550 5.1.1 <a@b.test>: Recipient address rejected: User unknown in virtual mailbox table")
check_eq "explain exit" "$?" 0
check_contains "explain verdict" "$out" "verdict:   invalid"
check_contains "explain owner" "$out" "owner:     recipient"
check_contains "explain reason" "$out" "reason:    user_unknown"
check_contains "explain retry" "$out" "retry:     no"
check_contains "explain action" "$out" "suppress"

out=$("$MAILVET" explain --json "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org")
check_eq "explain json" "$out" '{"code":550,"enhanced":"5.7.1","verdict":"unknown","owner":"sender","reason":"blocklisted_ip","permanent":true,"action":"Do not suppress: your sending IP or domain is on a blocklist; look it up at the named list and request delisting."}'
check "explain json parses" python3 -c 'import json,sys; json.loads(sys.argv[1])' "$out"

# stdin, multi-line, CRLF
out=$(printf '450-4.2.1 The user you are trying to contact is receiving mail at a rate that\r\n450 4.2.1 prevents additional messages from being delivered.\r\n' | "$MAILVET" explain --json)
check_contains "stdin multi-line" "$out" '"reason":"rate_limited"'
check_contains "stdin owner recipient" "$out" '"owner":"recipient"'
check_contains "stdin not permanent" "$out" '"permanent":false'

# the phase: a 550 to MAIL FROM is never the recipient's
out=$("$MAILVET" explain --phase mail --json "550 5.1.1 User unknown")
check_contains "mail phase owner" "$out" '"owner":"sender"'
check_contains "mail phase verdict" "$out" '"verdict":"unknown"'
out=$("$MAILVET" explain --json "host mx.b.test[192.0.2.2] said: 550 5.1.1 unknown user (in reply to MAIL FROM command)")
check_contains "mail phase from tail" "$out" '"owner":"sender"'
out=$("$MAILVET" explain --json "250 2.1.5 Ok")
check_contains "accepted" "$out" '"verdict":"deliverable"'

# hostile server text is escaped on the terminal
out=$("$MAILVET" explain "$(printf '550 5.1.1 no such user \033[31mred\033[0m')")
check_contains "escaped" "$out" '\x1b[31mred'
case "$out" in *$'\033'*) fail "raw ESC reached the terminal" ;; *) pass ;; esac

# a log's text with no code: read when its words are a known reply's (code null in --json)
out=$("$MAILVET" explain --json "Mailbox full")
check_eq "codeless exit" "$?" 0
check_eq "codeless json" "$out" '{"code":null,"enhanced":null,"verdict":"risky","owner":"recipient","reason":"mailbox_full","permanent":false,"action":"Keep but flag: the mailbox is full; retry later, drop it if it stays full for weeks."}'
out=$(printf 'User unknown\n' | "$MAILVET" explain)
check_eq "codeless stdin exit" "$?" 0
check_contains "codeless stdin reason" "$out" "reason:    user_unknown"
check_contains "codeless stdin verdict" "$out" "verdict:   invalid"
out=$("$MAILVET" explain --json "Recipient address rejected: Delayed by Postgrey")
check_contains "codeless greylist" "$out" '"reason":"greylisted"'

# no phrase rule reads it, only a bare 550: the words model does, and says so
out=$("$MAILVET" explain "550 recipient not known on this host")
check_eq "model exit" "$?" 0
check_contains "model reason" "$out" "reason:    user_unknown"
check_contains "model named" "$out" "rule:      words-model"
check_contains "model cue" "$out" "the words that most led it there:"
out=$("$MAILVET" explain "550 xyzzy plugh frobnicate")
check_contains "model unsure: the code decides" "$out" "rule:      code-5xx"

# not a reply: exit 2, one line
"$MAILVET" explain "hello world" >/dev/null 2>"$T/err"; check_eq "unreadable exit" "$?" 2
check_eq "unreadable one line" "$(wc -l <"$T/err")" 1
printf '' | "$MAILVET" explain >/dev/null 2>&1; check_eq "empty stdin exit" "$?" 2
"$MAILVET" explain --phase lunch "550 x" >/dev/null 2>&1; check_eq "bad phase" "$?" 2
"$MAILVET" explain --bogus >/dev/null 2>&1; check_eq "bad option" "$?" 2
head -c 70000 /dev/zero | tr '\0' 'a' | "$MAILVET" explain >/dev/null 2>"$T/err"; check_eq "too big exit" "$?" 2
check_contains "too big message" "$(cat "$T/err")" "64 KiB"
out=$("$MAILVET" explain --help); check_contains "explain help" "$out" "--json"

# ---- bounces: the sample log --------------------------------------------------------------
out=$("$MAILVET" bounces samples/bounces.log)
check_eq "bounces exit" "$?" 0
check_contains "bounces count" "$out" "24 bounces"
check_contains "bounces by provider" "$out" "By provider"
check_contains "bounces alert" "$out" "!! Google: 7 of 8 bounces"
check_contains "bounces alert words" "$out" "Your reputation/authentication at Google is the problem, the recipients are fine"
check_contains "bounces suppressible" "$out" "Recipient-side hard bounces (safe to suppress): 12"

out=$("$MAILVET" bounces --json samples/bounces.log)
check "bounces json parses" python3 -c 'import json,sys; json.loads(sys.argv[1])' "$out"
check_eq "json alert provider" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["alerts"][0]["provider"], d["alerts"][0]["sender"], d["total"], d["format"])' "$out")" "Google 7 24 log"
check_eq "json google row" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); g=[p for p in d["providers"] if p["name"]=="Google"][0]; print(g["total"], g["domains"], g["reasons"]["auth_failure"])' "$out")" "8 2 5"

# ---- bounces: DSN (mbox and a directory of .eml), CSV ------------------------------------------
cat >"$T/dsn.mbox" <<'MBOX'
From MAILER-DAEMON Mon Mar  4 10:00:00 2024
Content-Type: message/delivery-status

Final-Recipient: rfc822; a1@gmail.com
Action: failed
Status: 5.7.26
Diagnostic-Code: smtp; 550-5.7.26 This mail has been blocked because the sender is
    unauthenticated. 550 5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.

Final-Recipient: rfc822; a2@gmail.com
Action: failed
Status: 5.7.26
Diagnostic-Code: smtp; 550 5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy

From MAILER-DAEMON Mon Mar  4 10:01:00 2024
Content-Type: message/delivery-status

Final-Recipient: rfc822; a3@gmail.com
Action: failed
Status: 5.7.1
Diagnostic-Code: smtp; 550 5.7.1 Our system has detected an unusual rate of unsolicited mail originating from your IP address

Final-Recipient: rfc822; a4@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <a4@example.org>: Recipient address rejected: User unknown
MBOX
out=$("$MAILVET" bounces --json "$T/dsn.mbox")
check_eq "mbox exit" "$?" 0
check_eq "mbox segmentation" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["format"], d["total"], d["sender"], d["suppressible"], d["alerts"][0]["provider"], d["alerts"][0]["top_reason"])' "$out")" "dsn 4 3 1 Google auth_failure"

mkdir "$T/eml"
printf 'Final-Recipient: rfc822; b1@yahoo.com\r\nAction: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp; 554 delivery error: dd This user doesn'"'"'t have a yahoo.com account (b1@yahoo.com) [0]\r\n' >"$T/eml/1.eml"
printf 'Final-Recipient: rfc822; b2@orange.fr\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 <b2@orange.fr>: Boite du destinataire pleine. Recipient overquota. OFR_417 [417]\n' >"$T/eml/2.eml"
out=$("$MAILVET" bounces "$T/eml")
check_eq "eml dir exit" "$?" 0
check_contains "eml dir count" "$out" "2 bounces"
check_contains "eml dir yahoo" "$out" "Yahoo"
check_contains "eml dir full" "$out" "mailbox_full"

# a report whose delivery-status part is base64 and whose text part is quoted-printable
ds=$(printf 'Final-Recipient: rfc822; d1@gmail.com\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.\r\n' | base64 -w 76)
{
	printf 'Content-Type: multipart/report; report-type=delivery-status;\n boundary="=_b1"\n\n'
	printf -- '--=_b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nDelivery to d1@gmail.com failed =E2=80=94 see the report.\n'
	printf -- '--=_b1\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n%s\n--=_b1--\n' "$ds"
} >"$T/b64.eml"
out=$("$MAILVET" bounces --json "$T/b64.eml")
check_eq "base64 dsn exit" "$?" 0
check_eq "base64 dsn read" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["format"], d["total"], d["reasons"]["user_unknown"], d["suppressible"])' "$out")" "dsn 1 1 1"

printf 'Email;Diagnostic;Status\nc1@gmail.com;550 5.7.1 likely unsolicited mail;5.7.1\nc2@example.org;Mailbox does not exist;5.1.1\nc3@example.org;452 4.2.2 Mailbox full;4.2.2\n' >"$T/b.csv"
out=$("$MAILVET" bounces --json "$T/b.csv")
check_eq "csv segmentation" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["format"], d["total"], d["reasons"]["spam_content"], d["reasons"]["user_unknown"], d["reasons"]["mailbox_full"], d["suppressible"])' "$out")" "csv 3 1 1 1 1"

# ---- --suppress: recipient-side hard bounces only, into XDG_DATA_HOME --------------------------
export XDG_DATA_HOME="$T/data"
out=$("$MAILVET" bounces --suppress samples/bounces.log 2>"$T/err")
check_eq "suppress exit" "$?" 0
list="$T/data/mailvet/suppression.txt"
check "suppression list written" test -s "$list"
check_contains "suppress message" "$(cat "$T/err")" "12 new addresses"
check_contains "suppress user unknown" "$(cat "$list")" "fatima.z@gmail.com"
check_contains "suppress o365 5.4.1" "$(cat "$list")" "acme.sales@acme-corp.example"
check_contains "suppress no such domain" "$(cat "$list")" "ivan.petrov@shop.test"
for a in ana.lima@gmail.com bruno.costa@gmail.com dara.okafor@gmail.com nadia.haddad@corp.example uma.k@yahoo.com tara.b@example.net jo.keller@mail.example.org; do
	if grep -qi "^$a\$" "$list"; then fail "sender-side or soft bounce $a suppressed"; else pass; fi
done
"$MAILVET" bounces --suppress samples/bounces.log >/dev/null 2>"$T/err"
check_contains "suppress idempotent" "$(cat "$T/err")" "0 new addresses"
out=$("$MAILVET" bounces --json --suppress-file "$T/other.txt" "$T/dsn.mbox")
check_contains "suppress-file json" "$out" '"suppressed_added":1'
check_eq "suppress-file content" "$(grep -v '^#' "$T/other.txt" | grep -c .)" 1

# ---- errors ------------------------------------------------------------------------------------
"$MAILVET" bounces >/dev/null 2>&1; check_eq "bounces no file" "$?" 2
"$MAILVET" bounces --format xml x >/dev/null 2>&1; check_eq "bounces bad format" "$?" 2
"$MAILVET" bounces "$T/none.log" >/dev/null 2>"$T/err"; check_eq "bounces missing" "$?" 1
check_contains "bounces missing message" "$(cat "$T/err")" "No such file"
printf 'name,city\nAna,Lisbon\n' >"$T/plain.csv"
"$MAILVET" bounces "$T/plain.csv" >/dev/null 2>"$T/err"; check_eq "bounces not bounces" "$?" 1
check_eq "bounces not bounces one line" "$(wc -l <"$T/err")" 1
printf 'Mar 3 mx postfix/smtp[1]: A: to=<a@b.test>, status=sent (250 ok)\n' >"$T/ok.log"
"$MAILVET" bounces --format log "$T/ok.log" >/dev/null 2>"$T/err"; check_eq "no bounces exit" "$?" 1
check_contains "no bounces message" "$(cat "$T/err")" "no bounce records"
finish
