#!/bin/sh
# bench-run.sh: the whole pipeline, headless, on the generated file.
#   ours:  fraudtree run --no-register --set tree.max_depth=10
#                        --set resample.method=oversample FILE
#   peer:  run_sklearn.py (the same steps with pandas and scikit-learn)
# Exit status 1 (gate failed) still counts as a completed run.
set -u
. "$BENCH_DIR/common.sh"
log=$BENCH_TMP/run.log

if measure ours -a "0 1" -l "$log" -- "$FT_BIN" run --no-register \
	--registry "$BENCH_TMP/run-registry" \
	--set tree.max_depth=10 --set resample.method=oversample "$BENCH_DATA"; then
	line "fraudtree run (depth 10, oversample)" "$ours_s" "$ours_kb"
	echo "  $(rate "$BENCH_ROWS" "$ours_s") rows/s, peak $(awk -v k="$ours_kb" -v n="$BENCH_ROWS" \
		'BEGIN { if (k + 0 > 0) printf "%.0f", k * 1024 / n; else printf "-" }') bytes per row"
	grep -i -m 3 -E 'accuracy|recall' "$log" | sed 's/^/  | /'
else
	echo "  ours: not available ($(tail -n 1 "$log" 2>/dev/null))"
fi

if [ -n "$BENCH_SKLEARN" ]; then
	if measure peer -l "$log" -- "$BENCH_PYTHON" "$BENCH_DIR/run_sklearn.py" "$BENCH_DATA"; then
		line "pandas + scikit-learn" "$peer_s" "$peer_kb"
		grep -m 1 test "$log" | sed 's/^/  | /'
		echo "  peer / fraudtree: time $(ratio "$peer_s" "$ours_s")x, memory $(ratio "$peer_kb" "$ours_kb")x"
	else
		echo "  peer: failed ($(tail -n 1 "$log" 2>/dev/null))"
	fi
else
	peer_s=- peer_kb=-
	echo "  peer: skipped (no pandas or no scikit-learn)"
fi
record "run: pandas + sklearn" "$ours_s" "$ours_kb" "$peer_s" "$peer_kb"
