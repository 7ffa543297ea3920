#!/bin/sh
# bench-header.sh: wide and repeated headers, which must cost time in
# proportion to their size (names are matched with hashing).
#   ours:  fraudtree describe FILE, and fraudtree predict MODEL FILE
#   peer:  pandas.read_csv(FILE) (which repairs repeated names as .1, .2...)
# Files: 100,000 distinct column names, 20,000 copies of one name, both
# with 3 data rows; and a 100 MB header line of 500,000 names (an error).
set -u
. "$BENCH_DIR/common.sh"
log=$BENCH_TMP/header.log
awk 'BEGIN { for (c = 0; c < 100000; c++) printf "c%d,", c; print "amount,card";
	for (r = 0; r < 3; r++) { for (c = 0; c < 100000; c++) printf "1,"; print "150,credit" } }' \
	>"$BENCH_TMP/h-distinct.csv"
awk 'BEGIN { for (c = 0; c < 20000; c++) printf "x,"; print "amount,card";
	for (r = 0; r < 3; r++) { for (c = 0; c < 20000; c++) printf "1,"; print "150,credit" } }' \
	>"$BENCH_TMP/h-same.csv"
awk 'BEGIN { s = sprintf("%0199d", 0); for (i = 0; i < 500000; i++) printf "%s%d,", s, i; print "" }' \
	>"$BENCH_TMP/h-line.csv"
# A model reading amount and card (any registered model would do).
cat >"$BENCH_TMP/h-model.json" <<'EOF_MODEL'
{"format":"fraudtree-model","format_version":"1.0","recipe":{"format":1,"target":"isFraud","positive":"1","negative":"0","na_values":[],"inputs":[{"name":"amount","type":"numeric","impute":"median","fill_value":50,"missing_indicator":false},{"name":"card","type":"categorical","impute":"most_frequent","fill_level":"credit","encode":"onehot","levels":["credit","debit"],"frequency":[70,60],"missing_indicator":false}],"features":[{"name":"amount","input":0,"kind":"numeric"},{"name":"card=credit","input":1,"kind":"onehot","level":0},{"name":"card=debit","input":1,"kind":"onehot","level":1}],"dropped":[],"notes":[]},"tree":{"params":{"criterion":"gini","max_depth":0,"min_samples_split":2,"min_samples_leaf":1,"min_impurity_decrease":0,"max_leaf_nodes":0,"ccp_alpha":0,"max_bins":256},"nfeatures":3,"feature_names":["amount","card=credit","card=debit"],"nodes":[{"left":1,"right":2,"feature":0,"threshold":100,"value":[105,25],"count":[105,25],"impurity":0.3106508875739644,"samples":130,"depth":0},{"left":-1,"right":-1,"feature":-1,"threshold":0,"value":[90,10],"count":[90,10],"impurity":0.18,"samples":100,"depth":1},{"left":-1,"right":-1,"feature":-1,"threshold":0,"value":[15,15],"count":[15,15],"impurity":0.5,"samples":30,"depth":1}]},"threshold":0.5}
EOF_MODEL
cat >"$BENCH_TMP/h-pandas.py" <<'EOF_PY'
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1])
print(df.shape)
EOF_PY

for f in distinct same line; do
	data=$BENCH_TMP/h-$f.csv
	accept=0
	[ $f = line ] && accept="0 2"
	if measure d -a "$accept" -l "$log" -- "$FT_BIN" describe "$data"; then
		line "describe, header $f" "$d_s" "$d_kb"
	else
		echo "  describe $f: failed ($(tail -n 1 "$log" 2>/dev/null))"
	fi
	[ $f = line ] && accept=2
	if measure p -a "$accept" -l "$log" -- "$FT_BIN" predict "$BENCH_TMP/h-model.json" "$data"; then
		line "predict, header $f" "$p_s" "$p_kb"
	else
		echo "  predict $f: failed ($(tail -n 1 "$log" 2>/dev/null))"
	fi
	# pandas takes minutes on the 500,000-name line: compared on the others
	if [ $f != line ] && [ -n "$BENCH_PYTHON" ] && measure peer -a "0 1" -l "$log" -- "$BENCH_PYTHON" "$BENCH_TMP/h-pandas.py" "$data"; then
		line "pandas read_csv, header $f" "$peer_s" "$peer_kb"
		echo "  pandas / describe: time $(ratio "$peer_s" "$d_s")x, memory $(ratio "$peer_kb" "$d_kb")x"
		record "header $f: pandas read_csv" "$d_s" "$d_kb" "$peer_s" "$peer_kb"
	elif [ $f != line ]; then
		echo "  pandas: skipped"
	fi
done
