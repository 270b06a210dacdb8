#!/usr/bin/env bash
# The command line: help, version, usage errors, loading and re-writing.
. "$(dirname "$0")/lib.sh"

out=$("$MAILVET" --version); check_eq "version" "$out" "mailvet 0.1.0"
out=$("$MAILVET" --help); check_contains "help lists check" "$out" "check"
"$MAILVET" --bogus >/dev/null 2>"$T/err"; check_eq "unknown option exit" "$?" 2
check_eq "unknown option one line" "$(wc -l <"$T/err")" 1
"$MAILVET" check --bogus x.csv >/dev/null 2>"$T/err"; check_eq "check unknown option" "$?" 2
check_contains "check names option" "$(cat "$T/err")" "--bogus"
"$MAILVET" frobnicate >/dev/null 2>&1; check_eq "unknown command" "$?" 2
out=$("$MAILVET" check --help); check_contains "check help" "$out" "--output"
"$MAILVET" check --local-only >/dev/null 2>&1; check_eq "check needs file" "$?" 2
"$MAILVET" check --local-only -d '#' x.csv >/dev/null 2>&1; check_eq "bad delimiter" "$?" 2

# missing file, binary file: one line, exit 1
"$MAILVET" check --local-only "$T/none.csv" 2>"$T/err"; check_eq "missing exit" "$?" 1
check_contains "missing message" "$(cat "$T/err")" "No such file"
head -c 4096 /dev/urandom >"$T/bin.csv"
"$MAILVET" check --local-only "$T/bin.csv" 2>"$T/err"; check_eq "binary exit" "$?" 1
check_eq "binary one line" "$(wc -l <"$T/err")" 1
check_contains "binary message" "$(cat "$T/err")" "not a CSV file"

# load and re-write the sample: same fields (every bucket in the clean file:
# by default --local-only keeps only the candidates; see test_localpass.sh)
"$MAILVET" check --local-only --tiers all samples/contacts.csv -o "$T/out.csv" 2>"$T/err"
check_eq "sample rewrite exit" "$?" 0
check_contains "sample summary" "$(cat "$T/err")" "email column: email"
check "sample rewrite identical" cmp -s samples/contacts.csv "$T/out.csv"

# never overwrite the input
cp samples/contacts.csv "$T/in.csv"
"$MAILVET" check --local-only "$T/in.csv" -o "$T/in.csv" 2>"$T/err"
check_eq "refuse input as output" "$?" 1
check_contains "refuse message" "$(cat "$T/err")" "refusing to overwrite"
check "input untouched" cmp -s samples/contacts.csv "$T/in.csv"

# a semicolon file with CRLF, BOM and an unterminated quote
printf '\xef\xbb\xbfName;Correo\r\nAna;ana@x.test\r\nBo;"bo@x.test\r\n' >"$T/semi.csv"
"$MAILVET" check --local-only "$T/semi.csv" -o "$T/semi-out.csv" 2>"$T/err"
check_eq "semi exit" "$?" 0
check_contains "semi sniffed" "$(cat "$T/err")" "semicolon-delimited (sniffed)"
check_contains "unterminated reported" "$(cat "$T/err")" "semi.csv:3: column 2: quoted field"
check_eq "semi bom kept" "$(head -c 3 "$T/semi-out.csv" | od -An -tx1 | tr -d ' ')" "efbbbf"

# the workbench stand-in prints the summary
out=$("$MAILVET" samples/contacts.csv); check_contains "open summary" "$out" "rows"
check_contains "open cost preview" "$out" "cost preview:"
finish
