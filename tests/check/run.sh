#!/usr/bin/env bash
# make check: static checks on the whole tree. Each check is one test;
# ends with "check: N passed, N failed".
#  - style: no banned functions (STYLE.md), no // comments in C, lines of
#    at most 120 columns in src/ and include/ (a tab counts 8; test data
#    tables may be wider)
#  - cppcheck (warning, portability, performance)
#  - clang-tidy (bugprone-*, clang-analyzer-*, minus the noisy few)
set -u
cd "$(dirname "$0")/../.."
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

C_FILES=$(git ls-files 'src/*.c' 'src/**/*.c' 'include/*.h' 'include/**/*.h' 'tests/*.c' 'tests/**/*.c' 'tests/**/*.h' 2>/dev/null | sort -u)
[ -n "$C_FILES" ] || C_FILES=$(find src include tests -name '*.[ch]' | sort)

out=$(grep -nE '\b(sprintf|strcpy|strcat|strncpy|strtok|atoi|sscanf|gets|vsprintf)[[:space:]]*\(' $C_FILES)
if [ -z "$out" ]; then ok "no banned functions"; else bad "banned functions:"; echo "$out" | head -20; fi

out=$(grep -nE '^[[:space:]]*//|;[[:space:]]*//[^/]' $C_FILES)
if [ -z "$out" ]; then ok "no // comments"; else bad "// comments:"; echo "$out" | head -20; fi

SRC_FILES=$(echo "$C_FILES" | grep -E '^(src|include)/')
out=$(for f in $SRC_FILES; do expand -t 8 "$f" | awk -v f="$f" 'length($0) > 120 { print f ":" NR ": " length($0) " columns" }'; done)
if [ -z "$out" ]; then ok "lines of at most 120 columns"; else bad "long lines:"; echo "$out" | head -20; fi

# The reply-rule generator refuses what would silently never work: a second
# rule with an id already used, and a rule an earlier one hides (same phrase,
# or a phrase inside it, and the codes it takes too: first match wins); a
# narrower earlier rule hides nothing.
gen_rules() { printf '%b' "$1" | awk -f src/gen/reply-rules.awk /dev/stdin 2>&1 >/dev/null; }
r1='a\t5xx\t*\tno such user\tinvalid\trecipient\tuser_unknown\tcode\tfield\n'
out=$(gen_rules "${r1}b\t550\t5.1.1\tno such user\tinvalid\trecipient\tuser_unknown\tcode\tfield\n")
case "$out" in *"rule b can never match: rule a"*) ok "rule generator: a hidden rule stops the build";;
	*) bad "rule generator let a hidden rule through: $out";; esac
out=$(gen_rules "${r1}a\t4xx\t*\tover quota\trisky\trecipient\tmailbox_full\tcode\tfield\n")
case "$out" in *"duplicate id: a"*) ok "rule generator: a duplicate id stops the build";;
	*) bad "rule generator let a duplicate id through: $out";; esac
out=$(gen_rules "${r1}d\t550\t*\tsorry, no such user here\tinvalid\trecipient\tuser_unknown\tcode\tfield\n")
case "$out" in *"rule d can never match: rule a"*) ok "rule generator: an earlier phrase inside a later one stops the build";;
	*) bad "rule generator let a rule hidden by a shorter phrase through: $out";; esac
out=$(gen_rules "${r1}c\t*\t*\tno such user\tinvalid\trecipient\tuser_unknown\tcode\tfield\n")
if [ -z "$out" ]; then ok "rule generator: a broader rule after a narrower one is kept"
else bad "rule generator refused a reachable rule: $out"; fi

# The words model is counted from the corpus: the committed table must be
# what the corpus gives now (make reply-model), and the same twice.
B=${BUILD:-build}
if make -s --no-print-directory "$B/gen/reply-model" >/dev/null 2>&1; then
	"$B/gen/reply-model" tests/data/replies.tsv >"$B/reply_model.check" 2>&1
	"$B/gen/reply-model" tests/data/replies.tsv >"$B/reply_model.check2" 2>&1
	if ! cmp -s "$B/reply_model.check" "$B/reply_model.check2"; then bad "words model: two counts of the corpus differ"
	elif cmp -s "$B/reply_model.check" src/reply_model.inc; then ok "words model: src/reply_model.inc matches the corpus"
	else bad "words model: src/reply_model.inc is stale; run make reply-model"; fi
	rm -f "$B/reply_model.check" "$B/reply_model.check2"
else
	bad "words model: its generator does not build"
fi

CFLAGS_CHECK="-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude"
if command -v cppcheck >/dev/null; then
	out=$(cppcheck --enable=warning,portability,performance --std=c11 -Iinclude \
		--inline-suppr --quiet --error-exitcode=1 -j 2 src 2>&1)
	if [ $? = 0 ]; then ok "cppcheck"; else bad "cppcheck:"; echo "$out" | head -30; fi
else
	bad "cppcheck is not installed"
fi

if command -v clang-tidy >/dev/null; then
	checks='-*,bugprone-*,clang-analyzer-*,-bugprone-easily-swappable-parameters'
	checks="$checks,-bugprone-reserved-identifier,-bugprone-narrowing-conversions"
	checks="$checks,-bugprone-assignment-in-if-condition,-bugprone-macro-parentheses"
	checks="$checks,-bugprone-implicit-widening-of-multiplication-result"
	checks="$checks,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling"
	checks="$checks,-clang-analyzer-valist.Uninitialized"
	files=$(ls src/*.c src/ui/*.c 2>/dev/null)
	flags="$CFLAGS_CHECK $(pkg-config --cflags ncursesw 2>/dev/null)"
	out=$(printf '%s\n' $files | xargs -P 2 -n 4 sh -c \
		'clang-tidy -quiet --checks="$0" --warnings-as-errors="*" "$@" -- '"$flags" "$checks" 2>&1)
	if [ $? = 0 ]; then ok "clang-tidy"; else bad "clang-tidy:"; echo "$out" | grep -E 'warning|error' | head -30; fi
else
	bad "clang-tidy is not installed"
fi
echo "check: $pass passed, $fail failed"
[ "$fail" = 0 ]
