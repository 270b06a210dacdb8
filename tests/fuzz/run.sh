#!/usr/bin/env bash
# make fuzz: runs every harness for FUZZ_SECONDS (default 60) on its seed
# corpus (tests/fuzz/corpus/NAME); new inputs go to a scratch copy, so the
# committed corpus only changes by hand; tests/fuzz/NAME.dict, when there
# is one, is passed as the libFuzzer dictionary; an input that fails is kept
# in build/fuzz-found/NAME and printed (base64). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
S=${FUZZ_SECONDS:-60}
pass=0 fail=0
for h in "$B"/fuzz/fuzz_*; do
	[ -x "$h" ] || continue
	name=$(basename "$h"); name=${name#fuzz_}
	work=$(mktemp -d /tmp/mailvet-fuzz.XXXXXX)
	[ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$work/"
	dict=()
	[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
	if "$h" -max_total_time="$S" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		"${dict[@]}" -artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
		echo "fuzz $name: ok ($(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$work.log" | grep -Eo '[0-9]+' || grep -Eo '#[0-9]+' "$work.log" | tail -n1) runs in ${S}s)"
		pass=$((pass + 1))
	else
		echo "fuzz $name: FAILED"; tail -n 30 "$work.log"
		# keep what it found, and show it, so it can become a regression test
		keep="$B/fuzz-found/$name"
		mkdir -p "$keep"
		for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
			[ -e "$f" ] || continue
			cp "$f" "$keep/"
			echo "input kept in $keep/$(basename "$f") ($(wc -c <"$f") bytes), base64:"
			head -c 4096 "$f" | base64 -w 0; echo
		done
		fail=$((fail + 1))
	fi
	rm -rf "$work" "$work.log"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
