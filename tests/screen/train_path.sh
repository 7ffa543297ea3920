#!/bin/sh
# Train screen at 80x24 with tune.ccp_alpha = path: + switches it on, T
# scores the pruning path and trains at the one-SE alpha, the table opens
# at that row with every digit of its alpha, the parameter panel shows the
# same alpha whole, and Enter or :alpha adopts a row (path off, u undoes).
. "$FT_SRCDIR/tests/screen/lib.sh"

st_start 80 24 --registry "$REG" "$SAMPLE"
st_wait "loaded 20000 rows x 14 columns"
st_keys 3
st_wait "parameters (+/- change, Enter types)"
st_wait_re "^ tune ccp_alpha +none"
st_keys G +
st_wait "set tune.ccp_alpha = path"
st_wait_re "^ tune ccp_alpha +path"
st_keys T
st_wait "tuned and trained in"
st_wait "alpha (validation)"
# the summary's time, when it has a row, is never cut at 80 columns (the
# total alone when the stages' times do not fit)
st_absent "train …"
# the chosen row is on screen, marked, its alpha whole (no cut mark)
st_wait_re "^ [0-9]+ +[0-9.e-]+ +[0-9]+ +[0-9.e-]+ +[0-9.]+ +[0-9.]+ (\*)?1SE$"
row=$(st_capture | grep -E ' (\*)?1SE$' | head -n 1)
alpha=$(echo "$row" | awk '{ print $2 }')
num=$(echo "$row" | awk '{ print $1 }')
case $alpha in *…*|*~*|'') echo "FAIL: the chosen alpha is cut: $row"; exit 1 ;; esac
# the tree was fitted at it, and the panel shows it whole
st_wait_re "^ ccp_alpha +$alpha +"
# no line is wider than the terminal
if st_capture | sed 's/…/~/g' | awk 'length($0) > 80 { bad = 1 } END { exit !bad }'; then
	echo "FAIL: a line is wider than 80 columns"
	st_capture
	exit 1
fi

# the table takes the focus after the history; Enter adopts the row
st_keys v v
st_keys Enter
st_wait "adopted alpha row $num: tree.ccp_alpha $alpha"
st_wait_re "^ tune ccp_alpha +none"
st_keys u
st_wait_re "^ tune ccp_alpha +path"
# :alpha N does the same; a row that is not there is refused by name
st_cmd "alpha 1"
st_wait "adopted alpha row 1: tree.ccp_alpha 0 "
st_wait_re "^ ccp_alpha +0 "
st_cmd "alpha 9999"
st_wait "alpha: pruning path row: expected a number 1.."
# / finds a path row by its text (the path table still has the focus)
st_keys /
st_wait "find:"
st_keys -l "1SE"
st_keys Enter
st_wait "pruning path row $num of"

# t trains without the path even while tune.ccp_alpha is path: the table
# goes (only T tunes)
st_keys Escape u
st_wait_re "^ tune ccp_alpha +path"
st_keys t
st_wait "trained in"
st_wait_gone "alpha (validation)"
st_keys q
st_wait "Quit anyway? (y/n)"
st_keys y
st_exit_ok
