#!/bin/sh
# bench-explore.sh: the fraud figures by value (`describe --by-target`).
#   ours:   fraudtree describe FILE --by-target --json  (load, stats, figures
#           of every column, leakage hints)
#   peer:   pandas read_csv + one groupby (count, sum, mean) per column and
#           datetime part (explore_pandas.py time)
# Then every figure fraudtree printed is checked against a pandas groupby
# (explore_pandas.py check) on the generated file and, when
# FRAUDTREE_REAL_DATA names a directory holding them, on fraud_oracle.csv
# and insurance_claims.csv (read with --na-values '?'). Exit status 1 when
# a figure differs.
set -u
. "$BENCH_DIR/common.sh"
log=$BENCH_TMP/explore.log
ours_json=$BENCH_TMP/explore.json
status=0

if measure ours -l "$log" -- sh -c '"$0" describe "$1" --by-target --json >"$2"' \
	"$FT_BIN" "$BENCH_DATA" "$ours_json"; then
	line "fraudtree describe --by-target" "$ours_s" "$ours_kb"
else
	echo "  ours: not available ($(tail -n 1 "$log" 2>/dev/null))"
fi

if [ -z "$BENCH_PYTHON" ]; then
	echo "  peer: skipped (no pandas)"
	record "explore: pandas groupby" "$ours_s" "$ours_kb" - -
	exit 0
fi
if measure peer -l "$log" -- "$BENCH_PYTHON" "$BENCH_DIR/explore_pandas.py" time \
	"$BENCH_DATA" isFraud 1; then
	line "pandas read_csv + groupby" "$peer_s" "$peer_kb"
	echo "  pandas / fraudtree: time $(ratio "$peer_s" "$ours_s")x, memory $(ratio "$peer_kb" "$ours_kb")x"
else
	echo "  peer: failed ($(tail -n 1 "$log" 2>/dev/null))"
fi
record "explore: pandas groupby" "$ours_s" "$ours_kb" "$peer_s" "$peer_kb"

echo "  parity, generated file:"
"$BENCH_PYTHON" "$BENCH_DIR/explore_pandas.py" check "$BENCH_DATA" "$ours_json" || status=1
real=${FRAUDTREE_REAL_DATA:-}
for f in fraud_oracle.csv insurance_claims.csv; do
	if [ -z "$real" ] || [ ! -f "$real/$f" ]; then
		echo "  parity, $f: skipped (set FRAUDTREE_REAL_DATA)"
		continue
	fi
	na=
	[ "$f" = insurance_claims.csv ] && na='?'
	echo "  parity, $f:"
	if "$FT_BIN" describe "$real/$f" --na-values "$na" --by-target --json >"$ours_json" 2>"$log"; then
		"$BENCH_PYTHON" "$BENCH_DIR/explore_pandas.py" check "$real/$f" "$ours_json" \
			--na-values "$na" || status=1
	else
		echo "  fraudtree failed: $(tail -n 1 "$log")"
		status=1
	fi
done
exit $status
