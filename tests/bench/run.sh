#!/usr/bin/env bash
# make bench: generates its inputs (never committed) and prints figures.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
ROWS=${BENCH_ROWS:-1000000}
W=$(mktemp -d /tmp/mailvet-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$B/bench/gen_contacts" "$ROWS" >"$W/contacts.csv"
echo "input: $ROWS rows, $(du -m "$W/contacts.csv" | cut -f1) MB (generated)"
for i in 1 2 3; do "$B/bench/bench_load" --one-thread "$W/contacts.csv"; done
for i in 1 2 3; do "$B/bench/bench_load" "$W/contacts.csv"; done
for i in 1 2 3; do "$B/bench/bench_load" --one-thread --libcsv-only "$W/contacts.csv"; done
for i in 1 2 3; do "$B/bench/bench_csvparse" "$W/contacts.csv"; done
# The local pass: a corpus with recorded typo truth (gen_corpus), then load +
# local pass speed, peak RSS, and the typo suggestions' precision/recall.
"$B/bench/gen_corpus" "$ROWS" "$W/truth.tsv" >"$W/corpus.csv"
echo "local pass input: $ROWS rows, $(du -m "$W/corpus.csv" | cut -f1) MB, $(wc -l <"$W/truth.tsv") rows with a domain typo (generated)"
# Nine runs and their median: wall times on this shared virtual machine
# move by 20% from one run to the next.
for i in 1 2 3 4 5 6 7 8 9; do "$B/bench/bench_local" "$W/corpus.csv" "$W/truth.tsv" 2>/dev/null | { [ $i = 1 ] && cat || head -n 1; }; done | tee "$W/local.txt"
grep -Eo 'rows in [0-9.]+ s' "$W/local.txt" | grep -Eo '[0-9.]+ ' | sort -n |
	awk '{ t[NR] = $1 } END { if (NR) printf "load + local pass, median of %d runs: %.3f s (fastest %.3f s, slowest %.3f s)\n", NR, t[int((NR + 1) / 2)], t[1], t[NR] }'
# The reply classifier on real replies it was never tuned on.
"$B/bench/bench_replies"
"$B/bench/bench_replies" tests/data/replies_natural.tsv
# The workbench: the model on the same 1M rows, and keypress to screen on the real binary.
"$B/bench/bench_view" "$W/contacts.csv"
"$B/bench/bench_keys" "$B/mailvet" "$W/contacts.csv" j
# The verification engine on a loopback farm; then under load (1M rows at
# 10,000 domains: time, RSS, descriptors, and the workbench meanwhile).
BUILD="$B" tests/bench/verify.sh
BUILD="$B" tests/bench/verify_load.sh
