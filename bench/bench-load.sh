#!/bin/sh
# bench-load.sh: loading the file into typed columns with statistics.
#   ours:     fraudtree describe FILE --json   (parse, type, stats, class balance)
#   floor:    csv_count FILE                   (one libcsv pass, nothing converted)
#   peer:     pandas.read_csv + DataFrame.describe(include='all')
set -u
. "$BENCH_DIR/common.sh"
log=$BENCH_TMP/load.log

if measure ours -l "$log" -- "$FT_BIN" describe "$BENCH_DATA" --json; then
	line "fraudtree describe --json" "$ours_s" "$ours_kb"
	echo "  $(rate "$BENCH_ROWS" "$ours_s") rows/s"
else
	echo "  ours: not available ($(tail -n 1 "$log" 2>/dev/null))"
fi

count=${BENCH_CSV_COUNT:-}
if [ -n "$count" ] && [ -x "$count" ] && measure floor -- "$count" "$BENCH_DATA"; then
	line "libcsv pass, no conversion" "$floor_s" "$floor_kb"
	echo "  fraudtree / libcsv pass: time $(ratio "$ours_s" "$floor_s")x"
	record "load: libcsv pass (as peer)" "$ours_s" "$ours_kb" "$floor_s" "$floor_kb"
else
	echo "  libcsv pass: skipped (csv_count not built)"
fi

if [ -n "$BENCH_PYTHON" ]; then
	if measure peer -l "$log" -- "$BENCH_PYTHON" "$BENCH_DIR/load_pandas.py" "$BENCH_DATA"; then
		line "pandas read_csv + describe" "$peer_s" "$peer_kb"
		echo "  pandas / fraudtree: time $(ratio "$peer_s" "$ours_s")x, memory $(ratio "$peer_kb" "$ours_kb")x"
	else
		echo "  peer: failed ($(tail -n 1 "$log" 2>/dev/null))"
	fi
else
	peer_s=- peer_kb=-
	echo "  peer: skipped (no pandas)"
fi
record "load: pandas" "$ours_s" "$ours_kb" "$peer_s" "$peer_kb"
