#!/usr/bin/env bash
# The whole test run: every suite on the plain build, then again on the
# ASan+UBSan build. Each suite prints "NAME: N passed, N failed"; this sums
# them into the last line. A suite that dies without its line counts as one
# failure. Exit status is non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
B=${BUILD:-build}
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0
log=$(mktemp -d /tmp/mailvet-tests.XXXXXX)

suite() {
	local name=$1; shift
	local out="$log/$name.log"
	local start=$SECONDS
	"$@" >"$out" 2>&1
	local rc=$?
	local line
	line=$(grep -E '^[A-Za-z0-9_-]*:? ?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: no result line (exit $rc); log follows"
		tail -n 40 "$out" | sed 's/^/    /'
		failed=$((failed + 1))
		return
	fi
	local p f
	p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed.*/\2/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
		[ "$f" = 0 ] && failed=$((failed + 1))
		echo "$name: $p passed, $f failed (exit $rc, $((SECONDS - start))s); failures:"
		grep -E -B30 -A12 '^(FAIL|not ok)|ERROR: |runtime error' "$out" | head -n 120 | sed 's/^/    /'
		grep -A1 '^input kept in' "$out" | sed 's/^/    /'   # a fuzz finding, whole
	else
		echo "$name: $p passed, 0 failed ($((SECONDS - start))s)"
	fi
}

for mode in plain san; do
	if [ $mode = plain ]; then bin=$B; else bin=$B/san; fi
	suite "unit-$mode" "$bin/unit"
	for t in tests/e2e/test_*.sh; do
		[ -e "$t" ] || continue
		n=$(basename "$t" .sh); n=${n#test_}
		suite "$n-$mode" env MAILVET="$bin/mailvet" BUILD="$B" MODE=$mode bash "$t"
	done
done
# Static checks (make check), once.
suite check tests/check/run.sh
# Every fuzz harness briefly (make fuzz runs them longer).
suite fuzz env BUILD="$B" FUZZ_SECONDS="${FUZZ_CI_SECONDS:-5}" tests/fuzz/run.sh
rm -rf "$log"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
