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
for i in 1 2 3; do "$B/bench/bench_load" "$W/contacts.csv"; done
for i in 1 2 3; do "$B/bench/bench_csvparse" "$W/contacts.csv"; done
# The workbench: the model on the same 1M rows, and keypress to screen on the real binary.
"$B/bench/bench_view" "$W/contacts.csv"
"$B/bench/bench_keys" "$B/mailvet" "$W/contacts.csv" j
# The verification engine on a loopback farm.
BUILD="$B" tests/bench/verify.sh
