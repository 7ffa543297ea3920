#!/bin/sh
# run.sh: the benchmark behind `make bench`.
#
#   FT_BIN=path/to/fraudtree sh bench/run.sh
#
# Generates BENCH_ROWS rows (default 1000000) with `fraudtree gen` into a
# scratch directory, runs every bench/bench-*.sh in name order with
# BENCH_ROWS as its argument (each prints its own figures and may record
# comparisons; the environment is described in common.sh), then prints a
# summary table.
# Peers (pandas, scikit-learn) run when /usr/bin/python3 (or BENCH_PYTHON)
# can import them; otherwise their figures read "skipped". A benchmark that
# fails does not stop the others.
set -u
: "${FT_BIN:?set FT_BIN to the fraudtree binary}"
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BENCH_ROWS=${BENCH_ROWS:-1000000}
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_TMP=$(mktemp -d -t fraudtree-bench.XXXXXX) || exit 1
trap 'rm -rf "$BENCH_TMP"' EXIT INT TERM
BENCH_DATA=$BENCH_TMP/transactions.csv
BENCH_SUMMARY=$BENCH_TMP/summary.tsv
: >"$BENCH_SUMMARY"

py=${BENCH_PYTHON-/usr/bin/python3}
BENCH_PYTHON= BENCH_SKLEARN=
if [ -n "$py" ] && "$py" -c 'import pandas' >/dev/null 2>&1; then
	BENCH_PYTHON=$py
	"$py" -c 'import sklearn' >/dev/null 2>&1 && BENCH_SKLEARN=1
fi
if [ -n "$BENCH_PYTHON" ] && [ -z "${PYTHON:-}" ]; then
	PYTHON=$BENCH_PYTHON
	export PYTHON
fi
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE FT_BIN BENCH_DIR BENCH_ROWS BENCH_REPEAT BENCH_TMP BENCH_DATA BENCH_SUMMARY \
	BENCH_PYTHON BENCH_SKLEARN
. "$BENCH_DIR/common.sh"

echo "fraudtree bench: $("$FT_BIN" --version 2>/dev/null | head -n 1)"
echo "  machine: $(nproc 2>/dev/null || echo '?') CPUs, $(uname -sm)"
if [ -n "$BENCH_PYTHON" ]; then
	peer=$("$BENCH_PYTHON" -c 'import sys, pandas; print("python", sys.version.split()[0], "pandas", pandas.__version__)')
	[ -n "$BENCH_SKLEARN" ] &&
		peer="$peer, scikit-learn $("$BENCH_PYTHON" -c 'import sklearn; print(sklearn.__version__)')"
	echo "  peer: $peer"
else
	echo "  peer: skipped (no pandas)"
fi
echo "  best of $BENCH_REPEAT runs; memory is peak resident set"
echo

echo "gen: $BENCH_ROWS rows"
if ! measure gen -n 1 -- "$FT_BIN" gen --rows "$BENCH_ROWS" --seed 42 -o "$BENCH_DATA"; then
	echo "  fraudtree gen failed; nothing to measure" >&2
	exit 1
fi
size=$(wc -c <"$BENCH_DATA")
line "fraudtree gen" "$gen_s" "$gen_kb"
echo "  $(rate "$BENCH_ROWS" "$gen_s") rows/s, $(awk -v b="$size" -v s="$gen_s" 'BEGIN { printf "%.0f MiB (%.0f MiB/s)", b / 1048576, (s > 0) ? b / 1048576 / s : 0 }')"
echo

status=0
for b in "$BENCH_DIR"/bench-*.sh; do
	[ -f "$b" ] || continue
	name=$(basename "$b" .sh)
	echo "${name#bench-}:"
	sh "$b" "$BENCH_ROWS" || { echo "  ($name failed)"; status=1; }
	echo
done

echo "summary (ratio = peer / fraudtree; above 1 means fraudtree is faster or smaller)"
printf '  %-28s %9s %9s %7s %10s %10s %7s\n' what ours_s peer_s time ours_MiB peer_MiB memory
while IFS="$(printf '\t')" read -r what os ok ps pk; do
	printf '  %-28s %9s %9s %7s %10s %10s %7s\n' "$what" "$os" "$ps" \
		"$(ratio "$ps" "$os")" "$(mb "$ok")" "$(mb "$pk")" "$(ratio "$pk" "$ok")"
done <"$BENCH_SUMMARY"
exit $status
