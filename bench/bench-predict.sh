#!/bin/sh
# bench-predict.sh: scoring raw rows with a registered model.
#   ours:  fraudtree predict GROUP/1 FILE -o OUT.csv, after one run registers
#          the model in a scratch registry (not timed)
#   peer:  predict_sklearn.py: unpickle, read_csv, the same transforms,
#          predict_proba, to_csv (the model is fitted once, not timed)
# Both models are depth-10 trees trained without resampling.
set -u
. "$BENCH_DIR/common.sh"
log=$BENCH_TMP/predict.log
reg=$BENCH_TMP/predict-registry
group=bench
ours_s=- ours_kb=-

# A depth-10 tree without resampling: it beats the majority baseline, so the
# default gate lets it in. Scoring cost depends on the tree, not on how it
# was trained; the peer fits the same kind of tree.
registered=
if "$FT_BIN" run --registry "$reg" --set registry.group="$group" \
	--set tree.max_depth=10 "$BENCH_DATA" >"$log" 2>&1; then
	registered=1
fi
version=$(ls "$reg/$group" 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -n 1)

if [ -n "$registered" ] && [ -n "$version" ] &&
	measure ours -l "$log" -- "$FT_BIN" predict --registry "$reg" "$group/$version" \
		"$BENCH_DATA" -o "$BENCH_TMP/ours-scored.csv"; then
	line "fraudtree predict -o" "$ours_s" "$ours_kb"
	echo "  $(rate "$BENCH_ROWS" "$ours_s") rows/s"
else
	echo "  ours: not available ($(tail -n 1 "$log" 2>/dev/null))"
fi

if [ -n "$BENCH_SKLEARN" ]; then
	pkl=$BENCH_TMP/model.pkl
	if "$BENCH_PYTHON" "$BENCH_DIR/predict_sklearn.py" fit "$BENCH_DATA" "$pkl" >"$log" 2>&1 &&
		measure peer -l "$log" -- "$BENCH_PYTHON" "$BENCH_DIR/predict_sklearn.py" predict \
			"$pkl" "$BENCH_DATA" "$BENCH_TMP/peer-scored.csv"; then
		line "pandas + scikit-learn" "$peer_s" "$peer_kb"
		echo "  $(rate "$BENCH_ROWS" "$peer_s") rows/s"
		echo "  peer / fraudtree: time $(ratio "$peer_s" "$ours_s")x, memory $(ratio "$peer_kb" "$ours_kb")x"
	else
		echo "  peer: failed ($(tail -n 1 "$log" 2>/dev/null))"
	fi
else
	peer_s=- peer_kb=-
	echo "  peer: skipped (no pandas or no scikit-learn)"
fi
record "predict: pandas + sklearn" "$ours_s" "$ours_kb" "$peer_s" "$peer_kb"
