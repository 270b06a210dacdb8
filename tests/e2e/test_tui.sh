#!/usr/bin/env bash
# The workbench as a person uses it: tmux at 80x24, keys in, screens out.
# Opens a copy of the sample on the demo network (loopback only), verifies,
# sorts, filters to a tier, triages, accepts a suggestion, exports, quits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

tmux_cmd new-session -d -s "$S" -x 80 -y 24 \
	"cd '$PWD' && env TERM=xterm LANG=C.UTF-8 TZ=UTC NO_COLOR=1 '$MAILVET' --demo '$T/list.csv'; echo EXITED \$?; sleep 30"

check "summary screen" wait_for "Local pass: the cost preview" 20
s=$(screen)
check_contains "rows counted" "$s" "rows                              300"
check_contains "candidates" "$s" "candidates to verify"
check_contains "demo banner" "$s" "DEMO NETWORK"

keys v
check "verification finishes" wait_for "verified 100%" 150
s=$(screen)
check_contains "breaker alert shown" "$s" "ALERT: hooli.test is rejecting the sender"
check_contains "tier counts" "$s" "catch_all"
check_contains "header" "$s" "row^  email"

# sort by email: the current column moves right once
keys l '['
check "sorted by email" wait_for "email^"

# tier summary, pick catch_all (3rd tier), Enter filters
keys F
check "tier box" wait_for "Tiers (Enter filters"
keys j j Enter
sleep 0.3
rows=$(screen | sed -n '4,21p' | grep -c '@')
other=$(screen | sed -n '4,21p' | grep '@' | grep -vc 'catch_all')
check_eq "only catch_all rows shown" "$other" 0
check "some catch_all rows" [ "$rows" -gt 3 ]

# triage: keep, drop, undo
keys s
check "kept" wait_for "1 decisions"
keys d
check "dropped" wait_for "2 decisions"
keys U
check "undone" wait_for "1 decisions"

# detail view with the transcript
keys k Enter
check "detail opens" wait_for "Verification"
s=$(screen)
check_contains "verdict in detail" "$s" "verdict     risky"
keys C-f
check "transcript in detail" wait_for "> RCPT TO:<"
keys q
check "back to table" wait_for "row   email^"

# all tiers again, find the typo, accept the suggestion
keys 0 /
keys g m i a l Enter
check "found the typo row" wait_for "gmial.com"
keys a
check "suggestion accepted" wait_for "suggestion accepted"

# help overlay
keys '?'
check "help" wait_for "Keys (q or Esc closes)"
keys q

# export: the dialog, then write
keys C-s
check "export dialog" wait_for "the 2% line"
keys Enter
check "exported" wait_for "wrote "
msg=$(screen | tail -n 1)
n=$(echo "$msg" | sed -n 's/.*wrote \([0-9]*\) of 300 rows.*/\1/p')
check "export count read" [ -n "$n" ]
check "clean file written" [ -f "$T/list.clean.csv" ]
lines=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$T/list.clean.csv")
check_eq "clean file rows match the report" "$lines" "$n"
check "kept row exported with original bytes" grep -q 'email_original\|^id,' "$T/list.clean.csv"
check "input untouched" cmp -s samples/contacts.csv "$T/list.csv"

# quit: nothing unsaved after the export
keys q
check "quit" wait_for "EXITED 0"
finish
