# registry-lib.sh: shared by the registry and predict shell tests (sourced).
# Provides $T (a scratch directory removed on exit), $STRESS (the registry
# driver), and small assertions that say what failed.
: "${FT_BIN:?FT_BIN is not set}"
: "${FT_BUILDDIR:?FT_BUILDDIR is not set}"
: "${FT_SRCDIR:?FT_SRCDIR is not set}"
STRESS="$FT_BUILDDIR/tests/unit/registry_stress"
[ -x "$STRESS" ] || { echo "skip: $STRESS not built"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-test.XXXXXX") || exit 1
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
unset FRAUDTREE_REGISTRY FRAUDTREE_FAULT
export USER=tester
umask 022

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect STATUS CMD...: run CMD, keep stdout in $T/out and stderr in $T/err.
expect() {
	_expect_status=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	_expect_got=$?
	[ "$_expect_got" -eq "$_expect_status" ] || {
		cat "$T/out" "$T/err" >&2
		fail "exit $_expect_got, expected $_expect_status: $*"
	}
}

# has FILE TEXT: FILE contains the fixed string TEXT.
has() {
	grep -F -q -e "$2" "$1" || {
		cat "$1" >&2
		fail "$1 lacks: $2"
	}
}

lacks() {
	if grep -F -q -e "$2" "$1"; then
		cat "$1" >&2
		fail "$1 has: $2"
	fi
}

# A data file for lineage and a fresh registration into $1/$2.
printf 'amount,card,isFraud\n150,credit,1\n20,debit,0\n' >"$T/data.csv"
publish() {
	"$STRESS" publish "$1" "$2" "$T/data.csv" "${3:-}" || fail "publish into $1/$2"
}
