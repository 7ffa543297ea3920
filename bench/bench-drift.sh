#!/bin/sh
# bench-drift.sh: is a file still like the training data?
#   ours:  fraudtree drift MODEL.json FILE --json, after one run writes the
#          model (a depth-10 tree, not timed)
#   peer:  drift_pandas.py: read_csv, every input binned by the same
#          model.json reference, the tree of predict_sklearn.py scoring the
#          rows (fitted once, not timed), PSI of each against the training
#          shares
# FILE is the generated file itself: both sides must find it stable, and
# their PSI of every input must agree (the same bins, the same formula).
set -u
. "$BENCH_DIR/common.sh"
log=$BENCH_TMP/drift.log
model=$BENCH_TMP/drift-model
ours_s=- ours_kb=-

if "$FT_BIN" run --no-register --out "$model" --set tree.max_depth=10 -q \
	"$BENCH_DATA" >"$log" 2>&1 &&
	measure ours -l "$BENCH_TMP/ours-drift.json" -- "$FT_BIN" drift "$model/model.json" \
		"$BENCH_DATA" --json; then
	line "fraudtree drift" "$ours_s" "$ours_kb"
	echo "  $(rate "$BENCH_ROWS" "$ours_s") rows/s"
else
	echo "  ours: not available ($(tail -n 1 "$log" 2>/dev/null))"
fi

if [ -n "$BENCH_SKLEARN" ] && [ -f "$model/model.json" ]; then
	pkl=$BENCH_TMP/drift-peer.pkl
	out=$BENCH_TMP/peer-drift.json
	if "$BENCH_PYTHON" "$BENCH_DIR/drift_pandas.py" fit "$BENCH_DATA" "$pkl" >"$log" 2>&1 &&
		measure peer -l "$log" -- "$BENCH_PYTHON" "$BENCH_DIR/drift_pandas.py" measure \
			"$model/model.json" "$pkl" "$BENCH_DATA" "$out"; then
		line "pandas (+ scikit-learn score)" "$peer_s" "$peer_kb"
		echo "  $(rate "$BENCH_ROWS" "$peer_s") rows/s"
		echo "  peer / fraudtree: time $(ratio "$peer_s" "$ours_s")x, memory $(ratio "$peer_kb" "$ours_kb")x"
		"$BENCH_PYTHON" - "$BENCH_TMP/ours-drift.json" "$out" <<'EOF' || echo "  (the PSI could not be compared)"
import json, sys
ours = {c["name"]: c.get("psi") for c in json.load(open(sys.argv[1]))["columns"]}
peer = json.load(open(sys.argv[2]))["columns"]
diff = max(abs(ours[k] - v) for k, v in peer.items())
print("  PSI of the %d inputs: largest |ours - peer| %.1e, largest PSI %.1e"
      % (len(peer), diff, max(ours.values())))
EOF
	else
		echo "  peer: failed ($(tail -n 1 "$log" 2>/dev/null))"
	fi
else
	peer_s=- peer_kb=-
	echo "  peer: skipped (no pandas or no scikit-learn)"
fi
record "drift: pandas" "$ours_s" "$ours_kb" "$peer_s" "$peer_kb"
