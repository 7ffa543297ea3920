#!/bin/sh
# Every workbench command (the rows of ui/commands.c and of each screen) is
# documented in fraudtree(1), and the man page documents no command the
# table lacks.
: "${FT_SRCDIR:?FT_SRCDIR is not set}"
table="$FT_SRCDIR/ui/commands.c $FT_SRCDIR/ui/scr_*.c"
man="$FT_SRCDIR/man/fraudtree.1"
names=$(sed -n 's/^	{ "\([a-z!]*\)", ".*/\1/p' $table)
[ -n "$names" ] || { echo "FAIL: no commands found in $table"; exit 1; }
count=0
status=0
for n in $names; do
	count=$((count + 1))
	# documented as a bold ":name" at the start of a .TP tag line
	if ! grep -qF -- "\\fB:$n\\fR" "$man" && ! grep -qxF -- ".B :$n" "$man" &&
	   ! grep -qF -- ".B :$n " "$man"; then
		echo "FAIL: :$n is not documented in man/fraudtree.1"
		status=1
	fi
done
[ "$count" -ge 20 ] || { echo "FAIL: only $count commands parsed from the table"; exit 1; }
for n in $(sed -n 's/^\\fB:\([a-z!]*\)\\fR.*/\1/p' "$man"); do
	echo "$names" | grep -qx -- "$n" || { echo "FAIL: man page documents :$n, the table lacks it"; status=1; }
done
[ "$status" -eq 0 ] && echo "manpage: $count commands documented"
exit $status
