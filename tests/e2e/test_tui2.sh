#!/usr/bin/env bash
# The workbench, second round: imported bounces in the segments view, the
# domains view and its bulk decision, re-verify, and a resize that keeps
# the cursor. tmux, loopback only (the demo network).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

tmux_cmd new-session -d -s "$S" -x 100 -y 30 \
	"cd '$PWD' && env TERM=xterm LANG=C.UTF-8 TZ=UTC NO_COLOR=1 '$MAILVET' --demo --start \
	 --bounces samples/bounces.log '$T/list.csv'; echo EXITED \$?; sleep 30"

# the domains view open while the results stream in: each result moves its
# domain's counts, and once all are in the lines equal a fresh count
check "verifying" wait_for "verifying" 20
keys D
check "domains view while verifying" wait_for "rows  deliv  risky"
check_contains "opened before the end" "$(screen | head -n 1)" "verifying"
check "verified" wait_for "verified 100%" 60
sleep 0.7
live=$(screen | sed '1d;$d')
check_contains "live counts shown" "$live" "globex.test"
keys q
keys D
check "domains view again" wait_for "rows  deliv  risky"
check_eq "live counts equal a recount" "$(screen | sed '1d;$d')" "$live"
keys q

# segments: this run, then the imported bounces with their alert
keys B
check "segments view" wait_for "domain / reason"
keys Tab
check "imported bounces" wait_for "bounces from samples/bounces.log"
check_contains "bounce alert" "$(screen)" "ALERT: Google"
keys q

# domains view: globex.test's catch-all rows kept in one step, then undone
keys D
check "domains view" wait_for "catch-all rows"
n=$(screen | grep -n '^globex.test' | cut -d: -f1)
check "globex listed" [ -n "$n" ]
for i in $(seq 1 $((n - 3))); do keys j; done
keys s
check "bulk keep" wait_for "kept 11 catch-all rows of globex.test"
keys q
check "kept rows counted" wait_for "kept 11"
keys U
check "bulk undo in one step" wait_for "catch_all 15"

# re-verify the current row
keys R
check "re-verify" wait_for "re-verifying 1 rows"

# resize: the layout follows, the cursor row stays
keys j j j
row=$(screen | grep -c '')
tmux_cmd resize-window -t "$S" -x 80 -y 24 2>/dev/null || tmux_cmd resize-pane -t "$S" -x 80 -y 24
sleep 0.5
keys C-l
check "status after resize" wait_for "4/300"
check_eq "80 columns wide" "$(screen | awk '{ if (length($0) > 80) n++ } END { print n + 0 }')" 0

keys Q
check "quit" wait_for "EXITED 0"
finish
