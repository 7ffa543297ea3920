#!/bin/sh
# The Data inspector answers "where is the fraud?" for numeric and datetime
# columns, at 80x24 and 120x35, on a small made-up file whose figures are
# known (the same as `describe --by-target` prints for it): 60 legitimate
# rows with amounts 0..47.2 at 10:00-17:59 on weekdays of January to April,
# 20 frauds with amounts 90..99.5 at 03:00-03:59 on Saturdays of February.
# - amount: the histogram stacks each bin's fraud rows at its foot (a shade
#   of their own without colours, the fraud colour with them) and names the
#   highest bin rate (100.00%);
# - when (date and time): the fraud rate by hour, day of week and month,
#   each part's highest group spelled out (03:00 100.0%, Sat 100.0%,
#   Feb 62.5%: 20 of 32 rows); o switches to the histogram over time;
# - day (dates only): the same without hours, min and max without a time.
# Then: numbers in the inspector and the frequency sheet are never rounded
# or cut; without a target o says there is no fraud rate; a row-order
# column among a trained tree's top features gets its hint on the Data and
# Prepare screens, whole, and only once a tree is trained.
. "$FT_SRCDIR/tests/screen/lib.sh"

csv="$ST_TMP/inspect.csv"
{
	echo "amount,when,day,is_fraud"
	i=0
	for d in 2024-01-08 2024-01-09 2024-01-10 2024-02-06 2024-02-07 \
		2024-03-04 2024-03-05 2024-03-06 2024-04-01 2024-04-02; do
		for k in 0 1 2 3 4 5; do
			printf '%d.%d,%s %02d:%02d:00,%s,0\n' $((i * 8 / 10)) $((i * 8 % 10)) \
				"$d" $((10 + i % 8)) "$k" "$d"
			i=$((i + 1))
		done
	done
	j=0
	for d in 2024-02-03 2024-02-10 2024-02-17 2024-02-24; do
		for k in 0 1 2 3 4; do
			printf '%d.%d,%s 03:%02d:00,%s,1\n' $((90 + j / 2)) $((j % 2 * 5)) \
				"$d" $((k * 7)) "$d"
			j=$((j + 1))
		done
	done
} >"$csv"

NO_COLOR=1; export NO_COLOR
for size in "80 24" "120 35"; do
	set -- $size
	st_start "$1" "$2" --registry "$REG" "$csv"
	st_wait "loaded 80 rows x 4 columns"

	# amount: legitimate bars on the left, the frauds' shade on the right
	st_wait "column 1/4: amount"
	st_wait_re "(rate <=|full) 100.00%"
	st_wait_re "^max +99.5 +(█)+ +(▒)+( |\$)"
	st_absent "histogram ("

	# when: hour, day of week and month, the peaks named
	st_keys l
	st_wait "column 2/4: when"
	st_wait_re "fraud rate by (hour, day of week and month|time) \\(all 25.00%\\)"
	st_wait_re " 0     6     12    18     (MTWTFSS JFMAMJJASOND|MoTuWeThFrSaSu JaFeMa)"
	st_wait "highest 03:00 100.0%  Sat 100.0%  Feb 62.5%"
	st_keys o
	st_wait "inspector: histogram over time"
	st_wait_gone "highest 03:00"
	st_wait "2024-01-08 10:00:00"
	st_keys o
	st_wait "inspector: fraud rate by hour, day of week and month"
	st_wait "highest 03:00 100.0%"

	# day: dates only, so no hours and no time in min and max
	st_keys l
	st_wait "column 3/4: day"
	st_wait_re "^min +2024-01-08 +( |·)"
	st_wait_re "^max +2024-04-02 +( |·)"
	st_wait_re "^ +(MTWTFSS JFMAMJJASOND|MoTuWeThFrSaSu JaFeMaApMaJuJuAuSeOcNoDe)\$"
	st_wait_re "Sat 100.0% +Feb 62.5%"
	st_absent " 0     6     12"

	st_keys q
	st_exit_ok
	tmux -L "$ST_SOCK" kill-server 2>/dev/null
	ST_SOCK="ft-screen-$$-$1"
done

# a number in the inspector (min, max, median, the histogram's edges) is
# never rounded: 1234567891.25 is not 1234567891
big="$ST_TMP/big.csv"
awk 'BEGIN { print "big,is_fraud"; for (i = 1; i <= 50; i++) printf "123456789%d.25,%d\n", i, i % 2 }' >"$big"
st_start 80 24 --registry "$REG" "$big"
st_wait "column 1/2: big"
st_wait_re "^min +1234567891.25 "
st_wait_re "^max +12345678950.25 "
st_wait_re "^median +12345678925.75 "
st_wait_re "^ +1234567891.25\$"
# nor in the frequency sheet: a bin's edges whole, the bars give way
st_keys F
st_wait "frequency of big: 10 groups"
st_wait_re "^ \\[1234567891\\.25, [0-9.]+\\) +9 +18\\.00% "
st_wait_re "^ \\[[0-9.]+, 12345678950\\.25\\] +41 +82\\.00% "
st_keys Escape
st_keys q
st_exit_ok
tmux -L "$ST_SOCK" kill-server 2>/dev/null
ST_SOCK="ft-screen-$$-big"

# infinite values are named (not written 0), and the histogram is over the
# finite range, -1e308 to 1e308, an infinity in the bin at its end
huge="$ST_TMP/huge.csv"
{
	echo "x,label"
	echo "inf,1"; echo "-inf,0"; echo "1e308,1"; echo "-1e308,0"
	i=1
	while [ $i -le 30 ]; do echo "$i.5,$((i % 2))"; i=$((i + 1)); done
} >"$huge"
ST_SOCK="ft-screen-$$-huge"
st_start 80 24 --registry "$REG" "$huge"
st_wait "column 1/2: x"
st_wait_re "^min +-inf( |\$)"
st_wait_re "^max +inf( |\$)"
st_wait_re "^ +-inf +inf\$"
st_keys q
st_exit_ok
tmux -L "$ST_SOCK" kill-server 2>/dev/null

# without a binary target there is no fraud rate: o says so and keeps the
# histogram over time
nt="$ST_TMP/notarget.csv"
awk 'BEGIN { print "stamp,amount"; for (i = 0; i < 100; i++) printf "2024-01-%02d 0%d:00:00,%d\n", i % 28 + 1, i % 10, i }' >"$nt"
ST_SOCK="ft-screen-$$-nt"
st_start 80 24 --registry "$REG" "$nt"
st_wait "column 1/2: stamp"
st_wait "histogram (20 bins)"
st_keys o
st_wait "inspector: fraud rate by hour, day and month needs a binary target (L sets it)"
st_wait "histogram (20 bins)"
st_keys q
st_exit_ok
tmux -L "$ST_SOCK" kill-server 2>/dev/null

# a row-order column among the tree's top features (paysim's step: it
# grows with the row number, frauds only late): no hint before a tree is
# trained; once one is, the Data screen shows the hint whole over the
# inspector and the Prepare screen marks the column and gives the reason
steps="$ST_TMP/steps.csv"
awk 'BEGIN {
	print "step,amount,label"
	for (i = 0; i < 600; i++)
		printf "%d,%d,%d\n", int(i / 10), (i * 7919) % 500, (i >= 450 && i % 3 == 0)
}' >"$steps"
for size in "80 24" "120 35"; do
	set -- $size
	ST_SOCK="ft-screen-$$-steps-$1"
	st_start "$1" "$2" --registry "$REG" "$steps"
	st_wait "column 1/3: step"
	st_wait "class balance: label"
	st_absent "leakage hint"
	st_keys 3 t
	st_wait "trained, not saved" 60
	st_keys 1
	st_wait "column 1/3: step  (leakage hint above)"
	st_wait_re "^ leakage hint: time-like \\(it grows with the row number\\) and the tree's"
	st_wait "(split by time, or drop it)"
	st_keys l
	st_wait "column 2/3: amount"
	st_absent "leakage hint"
	st_keys 2
	st_wait_re "^ step +feature, leak\\? "
	st_wait_re "^ leakage hint: step: time-like \\(it grows with the row number\\)"
	st_wait "(split by time, or drop it)"
	st_keys q
	st_wait "Quit anyway? (y/n)"
	st_keys y
	st_exit_ok
	tmux -L "$ST_SOCK" kill-server 2>/dev/null
done
ST_SOCK="ft-screen-$$-colour"

# with colours the frauds are the fraud colour (red), named in the title
unset NO_COLOR
st_start 120 35 --registry "$REG" "$csv"
st_wait "fraud in red; rate below, full 100.00%"
esc=$(printf '\033')
i=0
until tmux -L "$ST_SOCK" capture-pane -e -p -t main | grep 'max  ' | grep -q "${esc}\\[31m█"; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "FAIL: no fraud colour in the histogram"; st_capture; exit 1; }
	sleep 0.1
done
st_keys q
st_exit_ok
echo "inspector screen: ok"
