# run-lib.sh: shared by the `fraudtree run` shell tests (sourced).
# Provides $tmp (a scratch directory removed on exit), $data (a generated
# 5000-row transaction file; the test is skipped when gen is missing),
# fail (counts into $fails) and run (checks the exit status).
set -u
: "${FT_BIN:?}"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# run EXPECTED_STATUS ARGS...: stdout to $tmp/out, stderr to $tmp/err
run() {
	want=$1
	shift
	"$FT_BIN" run "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "run $*: exit $got, expected $want"
		sed 's/^/  | /' "$tmp/err" >&2
	fi
}

data=$tmp/tx.csv
if ! "$FT_BIN" gen --rows 5000 --seed 7 --fraud-rate 0.1 >"$data" 2>"$tmp/err"; then
	echo "SKIP: fraudtree gen is not available" >&2
	exit 77
fi
