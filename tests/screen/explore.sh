#!/bin/sh
# Where the fraud is, on the Data screen, at 80x24 and 120x35: the
# inspector's fraud rate per level, the frequency sheet (F: sort, search,
# Enter filters the grid), the row filters (+ - m = and :filter, with
# errors naming the position; Esc clears), :goto, the dropped-column mark,
# a leakage hint, and (at 120x35) a confusion cell's rows shown from the
# Evaluate screen. Figures are those of `describe --by-target` on the
# sample (409 of 20000 rows are fraud, 2.04%; card_type: debit 13867 rows,
# 2.03%; velocity_1h = 16: 21 rows, all fraud).
. "$FT_SRCDIR/tests/screen/lib.sh"

for size in "80 24" "120 35"; do
	set -- $size
	st_start "$1" "$2" --registry "$REG"
	st_wait "loaded 20000 rows x 14 columns"
	# dropped columns are marked in the grid and the inspector
	st_wait "(not trained on: id-like)"
	st_wait "-card_no"

	# the inspector: levels with their fraud rate, the overall rate marked
	st_keys l l l l l l
	st_wait "column 7/14: card_type"
	st_wait "fraud |2.04%"
	st_wait "13867   2.03%"

	# the frequency sheet: every level, sorted by rate, searched, Enter filters
	st_keys F
	st_wait "frequency of card_type: 4 groups, by count"
	st_wait "overall fraud rate 2.04% (409 of 20000 rows)"
	st_wait_re "debit +13867 +69.33% +282 +2.03%"
	st_wait "(missing)"
	st_keys r
	st_wait "frequency of card_type: 4 groups, by rate"
	st_wait_line 5 "\\(missing\\) +278 +1.39% +7 +2.52%"
	st_keys /
	st_keys -l "cred"
	st_keys Enter
	st_keys Enter
	st_wait "filter: card_type = \"credit\" | 5661 of 20000 rows"
	st_wait "(training still uses every row)"
	st_absent "frequency of"
	st_keys Escape
	st_wait "filter cleared: all 20000 rows"
	st_absent "filter: card_type"

	# only frauds, only legitimate
	st_keys +
	st_wait "filter: isFraud = \"1\" | 409 of 20000 rows"
	# the status bar counts the shown rows too
	st_wait_re "transactions.csv \\| (409 of 20000 rows \\(filter\\) x 14 cols|409/20000 x 14) \\| target isFraud"
	st_keys -
	st_wait "filter: isFraud = \"0\" | 19591 of 20000 rows"
	# missing in the selected column, then equal to the selected cell
	st_keys m
	st_wait "filter: card_type is missing | 278 of 20000 rows"
	st_keys Escape
	st_wait "filter cleared"
	st_keys g =
	st_wait "filter: card_type = \"credit\" | 5661 of 20000 rows"

	# an expression, its error naming the position, and :filter to clear
	st_cmd 'filter TransactionAmt > 500 and ProductCD = "C"'
	st_wait 'filter: TransactionAmt > 500 and ProductCD = "C" |'
	st_cmd 'filter TransactionAmt > and'
	st_wait "filter: position 18: expected a value"
	st_wait 'filter: TransactionAmt > 500 and ProductCD = "C" |'
	st_cmd 'filter'
	st_wait "filter cleared: all 20000 rows"

	# :goto a row shown elsewhere; hidden by a filter, it says so
	st_cmd 'goto 1500'
	st_wait "row 1500"
	st_wait_re "^ +1500 "
	st_keys +
	st_wait "409 of 20000 rows"
	st_cmd 'goto 1'
	st_wait "row 1 is not shown by the filter"
	st_keys Escape

	# a leakage hint on the column it concerns, and its values' fraud
	# rates in the sheet
	st_cmd 'column velocity_1h'
	st_wait "leakage hint: the 21 rows with velocity_1h = 16"
	st_keys F
	st_wait "frequency of velocity_1h: 20 groups, by value"
	st_wait "chance: 3.3e-36)"
	st_keys r
	st_wait "20 groups, by rate"
	st_wait_re "16 +21 +0.10% +21 +100.00%"
	st_keys q
	st_wait_gone "frequency of velocity_1h"

	# the Prepare screen marks it too, with the reason for the selected one
	# (at 80x24 the split panel leaves room for 11 columns: find it first)
	st_keys 2
	st_wait "split and resampling"
	st_keys /
	st_keys -l "velocity"
	st_keys Enter
	st_wait "feature, leak?"
	st_wait "leakage hint: velocity_1h: the 21 rows"
	st_keys 1
	st_wait "column 12/14: velocity_1h"

	# from the Evaluate screen, a confusion cell's rows in the Data grid
	if [ "$1" = 120 ]; then
		st_keys 3 t
		st_wait "trained, not saved" 120
		st_keys 4
		st_wait "D in Data"
		st_keys D
		st_wait_re "filter: Missed frauds \\(FN\\) rows of the test split at threshold 0.5 \\| [0-9]+ of 20000 rows"
		st_wait "every column (Esc shows all rows)"
		st_keys Escape
		st_wait "filter cleared: all 20000 rows"
		# the model is not saved: q asks, y quits
		st_keys q
		st_wait "(y/n)"
		st_keys y
	else
		st_keys q
	fi
	st_exit_ok
	tmux -L "$ST_SOCK" kill-server 2>/dev/null
	ST_SOCK="ft-screen-$$-$1"
done
echo "explore screen: ok"
