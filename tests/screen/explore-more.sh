#!/bin/sh
# More of where the fraud is, on the Data screen at 80x24 and 120x35:
# searching the grid while a filter is on looks only at the filtered rows
# (on the sample, the first fraud at Air Blue is row 910; row 1 is a
# legitimate one).
. "$FT_SRCDIR/tests/screen/lib.sh"

for size in "80 24" "120 35"; do
	set -- $size
	st_start "$1" "$2" --registry "$REG"
	st_wait "loaded 20000 rows x 14 columns"

	# search within a filter: only frauds, then / finds a fraud row
	st_keys +
	st_wait "filter: isFraud = \"1\" | 409 of 20000 rows"
	st_keys /
	st_keys -l "Air Blue"
	st_keys Enter
	st_wait "Air Blue found in row 910, merchant"
	st_keys n
	st_wait "Air Blue found in row 1353, merchant"
	st_keys N
	st_wait "Air Blue found in row 910, merchant"
	st_cmd 'search zzzq'
	st_wait "not found among the 409 filtered rows: zzzq"
	# with the filter cleared, every row is searched again
	st_keys Escape
	st_wait "filter cleared: all 20000 rows"
	st_keys g /
	st_keys -l "Air Blue"
	st_keys Enter
	st_wait "Air Blue found in row 2, merchant"

	st_keys q
	st_exit_ok
	tmux -L "$ST_SOCK" kill-server 2>/dev/null
	ST_SOCK="ft-screen-$$-$1"
done
echo "explore-more screen: ok"
