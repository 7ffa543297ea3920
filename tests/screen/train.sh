#!/bin/sh
# Train screen: typed values, the tuning grid as a table and a heat map,
# adopting a grid row, the run history, cancelling with Esc while the
# screen keeps answering.
. "$FT_SRCDIR/tests/screen/lib.sh"

st_start 100 30 --registry "$REG"
st_wait "loaded 20000 rows x 14 columns"
st_keys 3
st_wait "parameters (+/- change, Enter types)"

# a value typed after Enter (min_samples_leaf is the 4th parameter)
st_keys j j j Enter
st_wait "min_samples_leaf: 1"
st_keys BSpace
st_keys -l "5"
st_keys Enter
st_wait "set tree.min_samples_leaf"
st_wait_re "^ min_samples_leaf +5 *$"
# a bad value is refused with the reason, the setting stays
st_keys Enter
st_wait "min_samples_leaf: 5"
st_keys BSpace
st_keys -l "0"
st_keys Enter
st_wait "tree.min_samples_leaf"
st_wait_re "^ min_samples_leaf +5 *$"

# / finds a parameter by its text, n goes on, and Enter edits what it found
st_keys /
st_wait "find:"
st_keys -l "objective"
st_keys Enter
st_wait "parameter 13 of 14"
st_keys Enter
st_wait "tune objective: balanced_accuracy"
st_keys Escape
st_wait_gone "tune objective: balanced_accuracy"
st_keys /
st_wait "find:"
st_keys -l "no such parameter"
st_keys Enter
st_wait "no parameter holds 'no such parameter'"
st_keys g
# the tuning grid: two depths x two splits
st_keys g j j j j j j j j j
st_wait_re "^ tune max_depth +- "
st_keys Enter
st_wait "tune max_depth:"
st_keys -l "2,4"
st_keys Enter
st_wait_re "^ tune max_depth +2,4 "
st_keys j Enter
st_wait "tune min_samples_split:"
st_keys -l "2,200"
st_keys Enter
st_wait_re "^ tune min_samples_split +2,200 "
st_keys T
st_wait "tuned and trained in"
# the table: four rows in grid order, and the heat map's axes
st_wait_re "^ 1 +2 +2 +5 "
st_wait_re "^ 2 +2 +200 +5 "
st_wait_re "^ 3 +4 +2 +5 "
st_wait_re "^ 4 +4 +200 +5 "
st_wait "depth x split: balanced_accuracy"
st_wait_re "  2 +200"
# adopt grid row 2 (depth 2, split 200)
st_keys v v
st_keys j Enter
st_wait "adopted row 2: max_depth 2, min_samples_split 200, min_samples_leaf 5"
st_keys Escape
st_wait_re "^ max_depth +2 "
st_wait_re "^ min_samples_split +200 "

# train the adopted point; the history has both runs; restore run 1
st_keys t
st_wait_re "trained in .*depth [0-2],"
st_keys v
st_wait_re "^ 2 +gini +[0-2] +200 +5 "
st_keys k Enter
st_wait "settings of run 1 restored"

# Esc cancels a run and the screen answers meanwhile: a large grid
st_cmd "set tune.max_depth [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]"
st_cmd "set tune.min_samples_split [2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]"
st_keys T
st_wait "Esc cancels"
st_keys Escape
st_wait "tuning cancelled"
st_keys q
st_wait "anyway? (y/n)"
st_keys y
st_exit_ok
echo "train screen: ok"
