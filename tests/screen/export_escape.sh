#!/bin/sh
# The workbench's :export rules and :export text write files a person
# reads: a column name and a class label from the data (an escape sequence
# and a line break in them) reach them with their control characters made
# visible, as on the screen, never raw.
. "$FT_SRCDIR/tests/screen/lib.sh"

E=$(printf '\033')
# device_risk renamed v ESC [2J x, and the fraud label "yes<newline>ESC[2J"
# (isFraud is the sample's last column)
awk -v e="$E" -F, -v OFS=, '
	NR == 1 { sub(/device_risk/, "v" e "[2Jx"); print; next }
	{ $NF = $NF == 1 ? "\"yes\n" e "[2J\"" : "no"; print }' "$SAMPLE" >"$ST_TMP/esc.csv"
grep -q "$E" "$ST_TMP/esc.csv" || { echo "setup: no escape in the data"; exit 1; }

st_start 100 30 "$ST_TMP/esc.csv" --set "positive=$(printf 'yes\n\033[2J')"
st_wait "loaded 20000 rows x 14 columns"
st_cmd "train"
st_wait "trained, not saved"
st_cmd "export rules r.txt"
st_wait "r.txt"
st_cmd "export text t.txt"
st_wait "t.txt"
for f in r.txt t.txt; do
	[ -s "$ST_TMP/$f" ] || { echo "FAIL: :export wrote no $f"; exit 1; }
	if LC_ALL=C grep -q "$(printf '[\033\007\r\177]')" "$ST_TMP/$f"; then
		echo "FAIL: $f holds a raw control character:"
		LC_ALL=C grep -n "$(printf '[\033\007\r\177]')" "$ST_TMP/$f" | head -n 2 | cat -v
		exit 1
	fi
	grep -qF 'v\e[2Jx' "$ST_TMP/$f" || { echo "FAIL: $f does not name the column escaped"; head -n 3 "$ST_TMP/$f"; exit 1; }
	grep -qF 'yes\n\e[2J' "$ST_TMP/$f" || { echo "FAIL: $f does not name the label escaped"; head -n 3 "$ST_TMP/$f"; exit 1; }
done
# one line per rule: the label's line break did not split one
[ "$(grep -c '^' "$ST_TMP/r.txt")" -eq "$(grep -c ' then ' "$ST_TMP/r.txt")" ] || {
	echo "FAIL: a rule of r.txt spans lines"; head -n 3 "$ST_TMP/r.txt"; exit 1; }
st_keys q
st_wait "Quit anyway? (y/n)"
st_keys y
st_exit_ok
echo "export_escape: ok"
