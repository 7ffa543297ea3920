#!/bin/sh
# valgrind.sh: every verb on ordinary and hostile inputs, and the unit tests,
# under valgrind (memcheck, full leak check). Any invalid read or write, use
# of uninitialised memory or definite/indirect leak fails the test.
# Too slow for every `make check`: runs only when FT_VALGRIND=1 (skip, 77,
# otherwise, and also when valgrind is missing or the build is sanitized,
# since ASan and valgrind cannot share a process).
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
if [ "${FT_VALGRIND:-}" != 1 ]; then
	echo "skip: set FT_VALGRIND=1 to run the valgrind checks"
	exit 77
fi
command -v valgrind >/dev/null 2>&1 || { echo "skip: valgrind not installed"; exit 77; }
if nm "$FT_BIN" 2>/dev/null | grep -q __asan_init; then
	echo "skip: $FT_BIN is built with AddressSanitizer"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-vg.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
unset FRAUDTREE_REGISTRY FRAUDTREE_FAULT
export USER=tester
C=$FT_SRCDIR/tests/corpus
fails=0
n=0

# vg WANT-STATUS ARGS...: the binary under valgrind; memcheck errors exit 99.
vg_prog() {
	want=$1
	shift
	n=$((n + 1))
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$T/vg.$n" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 99 ] || [ -s "$T/vg.$n" ]; then
		echo "FAIL (valgrind): $*"
		head -n 40 "$T/vg.$n"
		fails=$((fails + 1))
	elif [ "$want" != any ] && [ $rc -ne "$want" ]; then
		echo "FAIL: exit $rc, expected $want: $*"
		head -c 400 "$T/err"
		fails=$((fails + 1))
	fi
}
vg() {
	_w=$1
	shift
	vg_prog "$_w" "$FT_BIN" "$@"
}

"$FT_BIN" gen --rows 300 --seed 1 --fraud-rate 0.3 >"$T/gen.csv" || exit 1
R=$T/reg

vg 0 gen --rows 50 --seed 1
vg 0 describe "$T/gen.csv"
vg 0 describe --json --target isFraud "$T/gen.csv"
vg 0 run --quiet --registry "$R" --set registry.group=g "$T/gen.csv"
vg any run --quiet --no-register --set resample.method=smote \
	--set resample.ratio=0.5 --set 'tune.max_depth=[2,4]' --out "$T/out1" "$T/gen.csv"
vg 0 run --quiet --registry "$R" --set registry.group=g --set tree.max_depth=6 "$T/gen.csv"
vg any run --quiet --no-register --set resample.method=class_weight \
	--set encode.default=frequency --set missing_indicators=true "$T/gen.csv"
vg 0 predict g/1 "$T/gen.csv" --registry "$R" -o "$T/scored.csv"
vg 0 predict g@latest "$T/gen.csv" --registry "$R" --explain
vg 0 predict "$T/out1/model.json" "$T/gen.csv"
vg 0 registry list --registry "$R"
vg 0 registry list g --json --registry "$R"
vg 0 registry show g/1 --registry "$R"
vg 0 registry approve g/1 --reason "valgrind" --registry "$R"
vg 0 registry reject g/2 --reason "valgrind" --registry "$R"
vg 0 registry diff g/1 g/2 --registry "$R"
vg 0 registry verify --registry "$R"

# Error paths free what they allocated too.
for f in "$C"/csv/err_*.csv; do
	vg 2 describe "$f"
done
for f in "$C"/bad/set_*.json; do
	vg 2 run --quiet --no-register --pipeline "$f" "$T/gen.csv"
done
for f in "$C"/bad/model_*.json; do
	case $f in */model_ok.json) want=0 ;; *) want=2 ;; esac
	vg $want predict "$f" "$C/bad/predict_ok.csv"
done
for f in csv_ragged_late csv_nul_late csv_target_three_class csv_only_target; do
	vg 2 run --quiet --no-register "$C/bad/$f.csv"
done
cp -R "$R" "$T/damaged"
echo " " >>"$T/damaged/g/1/model.json"
printf '{broken\n' >>"$T/damaged/g/audit.jsonl"
vg 2 registry verify --registry "$T/damaged"
vg 0 registry list g --registry "$T/damaged"
vg 2 registry show g/1 --registry "$T/damaged"
vg 2 predict g/1 "$T/gen.csv" --registry "$T/damaged"

# The unit tests (cmocka), each under valgrind.
if [ -n "${FT_BUILDDIR:-}" ]; then
	for t in "$FT_BUILDDIR"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		case $t in *.o | *.c) continue ;; esac
		vg_prog 0 "$t"
	done
fi

echo "valgrind: $n runs, $fails failed"
[ $fails -eq 0 ]
