#!/bin/sh
# bench-explore.sh: the fraud figures by value (`describe --by-target`),
# fraudtree against pandas, both measured here in one run.
#   ours:   fraudtree describe FILE --by-target --json (load, column
#           statistics, the figures of every column, leakage hints)
#   peer:   pandas read_csv with the types fraudtree found, then one groupby
#           (count, sum, mean) per column, bin and datetime part
#           (explore_pandas.py time)
# Twice: on the generated file (14 columns, `timestamp` a datetime column),
# and on its datetime column alone with the target (the hour, day of week
# and month figures by themselves). Each time every figure fraudtree wrote
# is then checked against a pandas groupby (explore_pandas.py check); so are
# a small file of long decimals sitting on bin edges, and fraud_oracle.csv
# and insurance_claims.csv (read with --na-values '?') when
# FRAUDTREE_REAL_DATA names a directory holding them. Exit status 1 when a
# figure differs.
set -u
. "$BENCH_DIR/common.sh"
log=$BENCH_TMP/explore.log
status=0

# compare LABEL WHAT FILE: time both sides on FILE, print the ratio, record
# it as WHAT in the summary, then check every figure.
compare() {
	label=$1 what=$2 file=$3
	json=$BENCH_TMP/explore-$what.json
	echo "  $label ($(($(wc -l <"$file") - 1)) rows):"
	if measure ours -l "$log" -- sh -c '"$0" describe "$1" --by-target --json >"$2"' \
		"$FT_BIN" "$file" "$json"; then
		line "fraudtree describe --by-target" "$ours_s" "$ours_kb"
	else
		echo "  ours: not available ($(tail -n 1 "$log" 2>/dev/null))"
		status=1
		return
	fi
	if [ -z "$BENCH_PYTHON" ]; then
		echo "  peer: skipped (no pandas)"
		record "explore: $what" "$ours_s" "$ours_kb" - -
		return
	fi
	EXPLORE_WORK_LOG=$BENCH_TMP/explore-work.log
	export EXPLORE_WORK_LOG
	: >"$EXPLORE_WORK_LOG"
	if measure peer -l "$log" -- "$BENCH_PYTHON" "$BENCH_DIR/explore_pandas.py" time \
		"$file" "$json"; then
		line "pandas read_csv + groupby" "$peer_s" "$peer_kb"
		work=$(sed -n 's/^work //p' "$EXPLORE_WORK_LOG" | sort -n | head -n 1)
		line "  best without python and import" "${work:--}" -
		echo "  pandas / fraudtree: time $(ratio "$peer_s" "$ours_s")x" \
			"($(ratio "${work:--}" "$ours_s")x without python's start and import)," \
			"memory $(ratio "$peer_kb" "$ours_kb")x"
	else
		echo "  peer: failed ($(tail -n 1 "$log" 2>/dev/null))"
		status=1
	fi
	record "explore: $what" "$ours_s" "$ours_kb" "$peer_s" "$peer_kb"
	"$BENCH_PYTHON" "$BENCH_DIR/explore_pandas.py" check "$file" "$json" || status=1
}

compare "the generated file, every column" "every column" "$BENCH_DATA"

# the datetime column and the target, by name (fields may be quoted and
# hold commas: a CSV reader, not awk)
dt=$BENCH_TMP/explore-datetime.csv
py=${BENCH_PYTHON:-python3}
if "$py" -c 'import csv, sys
r = csv.reader(open(sys.argv[1], newline=""))
w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
head = next(r)
a, b = head.index("timestamp"), head.index("isFraud")
w.writerow([head[a], head[b]])
w.writerows([row[a], row[b]] for row in r)' "$BENCH_DATA" "$dt" 2>"$log"; then
	compare "its datetime column alone (hour, day of week, month)" "datetime" "$dt"
else
	echo "  the datetime column alone: skipped (no python to cut it out: $(tail -n 1 "$log"))"
fi

[ -n "$BENCH_PYTHON" ] || exit $status
# numbers whose shortest decimals are long (sevenths), large and negative:
# values on bin edges land where pandas, reading them exactly, puts them
edge=$BENCH_TMP/explore-edges.csv
awk 'BEGIN { print "sevenths,big,neg,label"
	for (i = 1; i <= 700; i++)
		printf "%.17g,%.17g,%.17g,%d\n", i / 7, 1234567890123 + i * 0.25, -i / 3, i % 3 == 0 }' >"$edge"
echo "  parity, long decimals on bin edges:"
if "$FT_BIN" describe "$edge" --by-target --json >"$BENCH_TMP/explore-edges.json" 2>"$log"; then
	"$BENCH_PYTHON" "$BENCH_DIR/explore_pandas.py" check "$edge" "$BENCH_TMP/explore-edges.json" ||
		status=1
else
	echo "  fraudtree failed: $(tail -n 1 "$log")"
	status=1
fi
real=${FRAUDTREE_REAL_DATA:-}
for f in fraud_oracle.csv insurance_claims.csv; do
	if [ -z "$real" ] || [ ! -f "$real/$f" ]; then
		echo "  parity, $f: skipped (set FRAUDTREE_REAL_DATA)"
		continue
	fi
	na=
	[ "$f" = insurance_claims.csv ] && na='?'
	echo "  parity, $f:"
	json=$BENCH_TMP/explore-real.json
	if "$FT_BIN" describe "$real/$f" --na-values "$na" --by-target --json >"$json" 2>"$log"; then
		"$BENCH_PYTHON" "$BENCH_DIR/explore_pandas.py" check "$real/$f" "$json" \
			--na-values "$na" || status=1
	else
		echo "  fraudtree failed: $(tail -n 1 "$log")"
		status=1
	fi
done
exit $status
