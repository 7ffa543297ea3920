#!/bin/sh
# Exact, never silently cut: at 80x24 the Train screen shows every digit of
# the confusion matrix (it once showed "TN 39" for 3901), a long message is
# kept whole in :messages, completion lists wrap, a deep tree keeps its
# shape (depth column, breadcrumb), and a model trained with other settings
# than the ones on screen is called stale.
. "$FT_SRCDIR/tests/screen/lib.sh"

# no digit is ever followed by the cut mark
no_cut_number() {
	if st_capture | grep -qE '[0-9](…|~)'; then
		echo "FAIL: a number is cut on screen"; st_capture; exit 1
	fi
}

st_start 80 24 --registry "$REG" --set tree.max_depth=0
st_wait "loaded 20000 rows x 14 columns"
st_keys 3
st_wait "parameters (+/- change"
st_keys t
st_wait "trained in"
st_wait_re "FN [0-9]+  TN [0-9]{4} *$"
tn=$(st_capture | sed -n 's/.*FN [0-9]*  TN \([0-9]*\) *$/\1/p')
no_cut_number
st_keys 4
st_wait_re "TN +$tn "
st_keys 3

# the training message is longer than the line: :messages keeps it whole
st_cmd "messages"
st_wait "Messages  (Up/Down"
st_wait_re "\), gate (PASS|FAIL)"
st_keys Escape
st_wait_gone "Messages  (Up/Down"

# stale: the panel shows what the next training uses, and says so
st_cmd "set tree.max_depth 3"
st_wait "model is stale: 1 setting changed:"
st_wait "   tree.max_depth"
st_wait "STALE"
st_keys u
st_wait_gone "model is stale"
st_cmd "set threshold 0.3"
st_absent "model is stale"
st_keys u

# completion lists wrap instead of running off the edge
st_keys :
st_wait_cursor
st_keys -l "set "
st_keys Tab Tab
st_wait "more (type to narrow)"
lines=$(st_capture | grep -c "datetime\.columns\.")
[ "$lines" -ge 2 ] || { echo "FAIL: the completion list did not wrap"; st_capture; exit 1; }
st_keys Escape
st_wait_prompt_closed

# a deep tree: every level indents, the depth leads each row, the path of
# the selected node shows under the outline
st_keys 5
st_wait "Tree: "
i=0
until st_capture | grep -q "expanded every node"; do
	st_keys e
	sleep 0.1
	i=$((i + 1))
	[ "$i" -lt 20 ] || { echo "FAIL: e never expanded everything"; st_capture; exit 1; }
done
st_keys End
st_wait "path: "
i=0
until st_capture | grep -qE "^ +1[0-9] +"; do
	st_keys PPage
	sleep 0.1
	i=$((i + 1))
	[ "$i" -lt 40 ] || { echo "FAIL: no row of depth 10 or more"; st_capture; exit 1; }
done
# depth 11 sits further right than depth 10 (the shape is kept)
st_capture | awk '
	/^ +[0-9]+ +\[[-+]\]/ {
		d = $1 + 0; ind = index($0, "[")
		if (d in at && at[d] != ind) bad = 1
		at[d] = ind
	}
	END {
		for (d in at) if ((d + 1) in at && at[d + 1] <= at[d]) bad = 1
		exit bad
	}' || { echo "FAIL: deeper rows are not indented further"; st_capture; exit 1; }
no_cut_number

# 120x35 too
st_resize 120 35
st_keys 3
st_wait "parameters (+/- change"
st_wait_re "TP [0-9]+  FP [0-9]+  FN [0-9]+  TN $tn"
no_cut_number
# a question stays on screen in a terminal too small for the screens (it
# takes the next key, so it must be seen)
st_keys q
st_wait "Quit anyway? (y/n)"
st_resize 60 12
st_wait "Terminal too small: 60x12"
st_wait "The trained model is neither registered nor saved"
st_keys y
st_exit_ok
echo "layout: ok"
