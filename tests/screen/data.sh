#!/bin/sh
# Data screen: the sample opens by default, the grid and the column
# inspector show what the file holds, sort and search move the cursor, the
# help lists the keys, and q leaves the terminal as it was.
. "$FT_SRCDIR/tests/screen/lib.sh"

st_start 100 30 --registry "$REG"
st_wait "transactions.csv | 20000 rows x 14 cols | target isFraud | no model"
st_wait "loaded 20000 rows x 14 columns"
st_wait "column 1/14: TransactionID"
st_wait "numeric  (id-like)"
# class balance of the target, counts and shares
st_wait "class balance: isFraud"
st_wait "19591  98.0%"
st_wait "409   2.0%"

# a numeric column: statistics and a histogram split by class, the
# highest bin fraud rate in its title
st_keys l l l l
st_wait "column 5/14: TransactionAmt"
st_wait_re "rate (below \\(full|below, full|<=) [0-9.]+%"
st_wait "min       0.52"
st_wait "max       5283.38"

# a datetime column with a time of day: fraud rate by hour, day, month
st_keys h h
st_wait "column 3/14: timestamp"
st_wait_re "fraud rate by (hour, day of week and month|time) \(all 2.04%\)"
st_wait_re "highest [0-9]{2}:00 [0-9.]+%"
st_keys o
st_wait "inspector: histogram over time"
st_keys o
st_wait "inspector: fraud rate by hour, day of week and month"
st_keys l l

# a categorical column with missing cells: missing count, top values
st_keys l l
st_wait "column 7/14: card_type"
st_wait "missing   278 (1.4%)"
st_wait "top values"
st_wait "levels    3"
st_wait "read NA   \"\" x278"

# missing cells are marked in the grid (dist1 is missing in row 2)
st_keys l l l
st_wait "column 10/14: dist1"
st_wait "missing   10990"

# sort ascending by TransactionAmt: the cheapest transaction comes first
st_keys h h h h h
st_wait "column 5/14: TransactionAmt"
st_keys s
st_wait "sorted by TransactionAmt, ascending"
st_capture | sed -n 3p | grep -q "0.52" || { echo "FAIL: first row after sort"; st_capture; exit 1; }
st_keys s
st_wait "sorted by TransactionAmt, descending"
st_capture | sed -n 3p | grep -q "5283.38" || { echo "FAIL: first row after descending sort"; st_capture; exit 1; }
st_keys s
st_wait "file order"

# search a value, then the next match
st_keys /
st_keys -l "hotmail"
st_keys Enter
st_wait "hotmail found in row"
st_wait "email_domain"
first=$(st_capture | tail -n 1)
st_keys n
st_wait_gone "$first"
st_wait "hotmail found in row"

# help: the keys of this screen and the command list
st_keys F1
st_wait "Keys on the Data screen"
st_wait "the target (label); asks first (:target)"
st_keys Escape
st_wait_gone "Keys on the Data screen"

# the command line completes command names and keeps its history
st_keys :
st_wait_cursor
st_keys -l "thresh"
st_keys Tab
st_wait ":threshold"
st_keys Escape
st_wait_prompt_closed
# column names, then the values of a setting
st_keys :
st_wait_cursor
st_keys -l "impute acc"
st_keys Tab
st_wait ":impute account_age_days"
st_keys -l "con"
st_keys Tab
st_wait ":impute account_age_days constant:"
st_keys C-u
st_keys -l "set tree.criterion "
st_keys Tab Tab
st_wait "entropy  gini"
st_keys Escape
st_wait_prompt_closed
st_cmd "column card_type"
st_wait "column 7/14: card_type"

st_keys q
st_exit_ok
grep -q "column card_type" "$XDG_STATE_HOME/fraudtree/history" || {
	echo "FAIL: command history not saved"; exit 1; }
tmux -L "$ST_SOCK" kill-server

# the next session recalls it with Up
st_start 100 30 --registry "$REG"
st_wait "loaded 20000 rows"
st_keys :
st_wait_cursor
st_keys Up
st_wait ":column card_type"
st_keys Enter
st_wait "column 7/14: card_type"
st_keys q
st_exit_ok
echo "data screen: ok"
