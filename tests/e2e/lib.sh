# Shared helpers for the end-to-end scripts: source it, call check/check_eq,
# end with finish. Prints "NAME: N passed, N failed".
set -u
: "${MAILVET:=build/mailvet}"
_pass=0 _fail=0
T=$(mktemp -d /tmp/mailvet-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT

pass() { _pass=$((_pass + 1)); }
fail() { _fail=$((_fail + 1)); echo "FAIL $*"; }

# check "what" command...  (passes when the command succeeds)
check() { local what=$1; shift; if "$@"; then pass; else fail "$what"; fi; }

# check_eq "what" actual expected
check_eq() {
	if [ "$2" = "$3" ]; then pass; else
		fail "$1"; printf '  got:      %q\n  expected: %q\n' "$2" "$3"; fi
}

# check_contains "what" haystack needle
check_contains() {
	case "$2" in *"$3"*) pass ;; *) fail "$1"; printf '  %q\n  lacks %q\n' "$2" "$3" ;; esac
}

finish() { echo "$(basename "$0" .sh): $_pass passed, $_fail failed"; [ "$_fail" = 0 ]; }
