#!/usr/bin/env bash
# The local pass headless: statuses, reasons, flags, suggestions, the cost
# preview, the clean/rejects/results files, typo fixes, suppression, lists.
. "$(dirname "$0")/lib.sh"
export XDG_DATA_HOME="$T/xdg"      # never the user's own suppression list

S=samples/contacts.csv
json_rows() { grep -c '^{"row":' "$1"; }
field() { grep "\"email\":\"$2\"" "$1" | head -n 1; }   # the JSON line of an email

# --- the sample, default policy: .test domains are reserved -------------------
"$MAILVET" check --local-only "$S" -o "$T/out.csv" --results "$T/r.jsonl" \
	--rejects "$T/rej.csv" 2>"$T/err"
check_eq "sample exit" "$?" 0
err=$(cat "$T/err")
check_contains "summary line" "$err" "local pass: 300 rows:"
check_contains "reserved counted" "$err" "reserved_domain"
check_contains "cost preview" "$err" "cost preview:"
check_eq "one result per row" "$(json_rows "$T/r.jsonl")" 300
rows_out=$(($(wc -l <"$T/out.csv") - 1)); rows_rej=$(($(wc -l <"$T/rej.csv") - 1))
# multi-line notes: count records, not lines, via the JSONL statuses
cand=$(grep -c '"status":"candidate"' "$T/r.jsonl")
check_contains "wrote candidates" "$err" "wrote $cand rows to $T/out.csv"
check_contains "wrote rejects" "$err" "wrote $((300 - cand)) rows to $T/rej.csv"
check "rejects have reasons" grep -q ',invalid,reserved_domain,' "$T/rej.csv"
check "rejects header" grep -q '^id,first_name,last_name,email,company,phone,signup_date,notes,mailvet_status,mailvet_reason' "$T/rej.csv"
[ "$rows_out" -gt 0 ] && [ "$rows_rej" -gt 0 ]; check_eq "both files have rows" "$?" 0

# the JSONL shape
line=$(field "$T/r.jsonl" 'ana.perez@gmial.com')
check_contains "typo suggestion" "$line" '"suggestion":"ana.perez@gmail.com"'
check_contains "typo flag" "$line" '"typo"'
check_contains "typo candidate" "$line" '"status":"candidate"'
line=$(field "$T/r.jsonl" 'n\/a')
[ -z "$line" ] && line=$(grep '"email":"n/a"' "$T/r.jsonl")
check_contains "junk reason" "$line" '"reason":"junk"'
line=$(field "$T/r.jsonl" 'jane..doe@northwind.test')
check_contains "syntax reason" "$line" '"reason":"syntax_error"'
check_contains "syntax detail" "$line" '"detail":"two dots in a row in the local part"'
line=$(field "$T/r.jsonl" 'someone@example.com')
check_contains "reserved reason" "$line" '"reason":"reserved_domain"'
line=$(grep '"email":"alice@northwind.test; bob@contoso.test"' "$T/r.jsonl")
check_contains "several addresses" "$line" '"reason":"multiple_addresses"'
check_contains "several split" "$line" '"addresses":["alice@northwind.test","bob@contoso.test"]'
line=$(field "$T/r.jsonl" 'janedoe@gmail.com')
check_contains "alias flag" "$line" '"alias"'
check_contains "alias status" "$line" '"status":"duplicate"'
line=$(field "$T/r.jsonl" 'tim@gmailcom')
check_contains "missing dot" "$line" '"suggestion":"tim@gmail.com"'
line=$(field "$T/r.jsonl" 'x7@10minutemail.com')
check_contains "disposable" "$line" '"disposable"'
line=$(field "$T/r.jsonl" 'marco.b@libero.it')
check_contains "libero.it real" "$line" '"suggestion":null'
check_contains "libero.it free" "$line" '"free"'
for real in kim.j@hanmail.net joao@uol.com.br hans@gmx.com tess@ymail.com max@mail.com sam@proton.me; do
	check_contains "$real not corrected" "$(field "$T/r.jsonl" "$real")" '"suggestion":null'
done
check "no verification fields yet" sh -c "! grep -q '\"verdict\"' '$T/r.jsonl'"

# --- --allow-reserved: the .test list becomes verifiable -------------------------
"$MAILVET" check -q --local-only --allow-reserved "$S" -o "$T/all.csv" --results "$T/all.jsonl"
check_eq "allow-reserved exit" "$?" 0
check "no reserved" sh -c "! grep -q '\"reason\":\"reserved_domain\"' '$T/all.jsonl'"
line=$(grep -F '"email":"Happy Hogan <happy@stark.test>"' "$T/all.jsonl")
check_contains "display name" "$line" '"display_name"'
check_contains "display normalized" "$line" '"normalized":"happy@stark.test"'
line=$(grep -F '"email":"\"john smith\"@northwind.test"' "$T/all.jsonl")
check_contains "quoted flagged" "$line" '"quoted"'
line=$(grep -F 'xn--bcher-kva.test' "$T/all.jsonl" | grep -F '"email":"jürgen@')
check_contains "idn utf8 local" "$line" '"utf8_local"'
line=$(grep -F '"email":"sales@' "$T/all.jsonl" | head -n 1)
check_contains "role flagged" "$line" '"role"'
check "duplicates point back" grep -q '"status":"duplicate","reason":"duplicate","detail":null,"flags":\["duplicate"\],"suggestion":null,"duplicate_of":[0-9]' "$T/all.jsonl"

# --- --fix-typos: the fix goes into the email column, the original beside it ---
"$MAILVET" check -q --local-only --fix-typos "$S" -o "$T/fixed.csv"
check_eq "fix exit" "$?" 0
check "email_original column" grep -q '^id,first_name,last_name,email,company,phone,signup_date,notes,email_original' "$T/fixed.csv"
check "fixed row" grep -q ',ana.perez@gmail.com,.*,ana.perez@gmial.com' "$T/fixed.csv"
check "one-label fixed" grep -q ',tim@gmail.com,.*,tim@gmailcom' "$T/fixed.csv"

# --- suppression: the default path and --suppression ---------------------------------
mkdir -p "$XDG_DATA_HOME/mailvet"
printf 'marco.b@libero.it\n@hanmail.net\n' >"$XDG_DATA_HOME/mailvet/suppression.txt"
"$MAILVET" check -q --local-only "$S" --results "$T/s.jsonl"
check_contains "default suppression" "$(field "$T/s.jsonl" 'marco.b@libero.it')" '"status":"suppressed"'
check_contains "domain suppressed" "$(field "$T/s.jsonl" 'kim.j@hanmail.net')" '"reason":"suppressed"'
printf 'hans@gmx.com\n' >"$T/supp.txt"
"$MAILVET" check -q --local-only --suppression "$T/supp.txt" "$S" --results "$T/s2.jsonl"
check_contains "override suppression" "$(field "$T/s2.jsonl" 'hans@gmx.com')" '"status":"suppressed"'
check_contains "override replaces default" "$(field "$T/s2.jsonl" 'marco.b@libero.it')" '"status":"candidate"'
"$MAILVET" check -q --local-only --suppression "$T/none.txt" "$S" 2>"$T/err"
check_eq "missing suppression file" "$?" 1
check_eq "missing suppression one line" "$(wc -l <"$T/err")" 1

# --- extra lists, aliases off, tiers, split ----------------------------------------------
printf 'max\n' >"$T/roles.txt"; printf 'mail.com\n' >"$T/disp.txt"
"$MAILVET" check -q --local-only --role-list "$T/roles.txt" --disposable-list "$T/disp.txt" \
	--no-aliases "$S" --results "$T/x.jsonl"
line=$(field "$T/x.jsonl" 'max@mail.com')
check_contains "extra role" "$line" '"role"'
check_contains "extra disposable" "$line" '"disposable"'
check_contains "no aliases" "$(field "$T/x.jsonl" 'janedoe@gmail.com')" '"status":"candidate"'
"$MAILVET" check -q --local-only --role-list "$T/nope.txt" "$S" 2>"$T/err"
check_eq "missing list exit" "$?" 1
"$MAILVET" check -q --local-only --tiers invalid,duplicate --split "$S" -o "$T/split.csv"
check_eq "split exit" "$?" 0
check "split unverified" test -s "$T/split.unverified.csv"
check "split invalid" test -s "$T/split.invalid.csv"
check "split duplicate" test -s "$T/split.duplicate.csv"
check "no empty bucket file" test ! -e "$T/split.deliverable.csv"
check "clean = invalid + duplicate" grep -q ',someone@example.com,' "$T/split.csv"
"$MAILVET" check --local-only --tiers bogus "$S" -o "$T/b.csv" 2>"$T/err"
check_eq "bad tier usage" "$?" 2
check_contains "bad tier named" "$(cat "$T/err")" "bogus"
"$MAILVET" check --local-only --split "$S" 2>/dev/null
check_eq "split needs -o" "$?" 2
"$MAILVET" check --local-only "$S" --results "$S" 2>"$T/err"
check_eq "results never over input" "$?" 1
check "input untouched" cmp -s "$S" samples/contacts.csv
# the policy knobs
"$MAILVET" check -q --local-only --allow-reserved --reject-quoted --reject-utf8-local \
	--allow-ip-literal "$S" --results "$T/p.jsonl"
check_contains "reject quoted" "$(grep -F '"email":"\"john smith\"@northwind.test"' "$T/p.jsonl")" '"reason":"syntax_error"'
check_contains "reject utf8 local" "$(grep -F '"email":"jürgen@' "$T/p.jsonl")" '"reason":"syntax_error"'
check_contains "allow ip literal" "$(field "$T/p.jsonl" 'ip@\[192.0.2.1\]')" '"status":"candidate"'
out=$("$MAILVET" check --help)
for opt in --results --rejects --fix-typos --no-aliases --suppression --allow-reserved \
	--role-list --disposable-list --free-list --tiers --split --reject-quoted \
	--reject-utf8-local --allow-ip-literal --result-columns; do
	check_contains "help $opt" "$out" "$opt"
done
finish
