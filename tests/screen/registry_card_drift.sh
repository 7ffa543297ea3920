#!/bin/sh
# The Registry screen's model card and drift at 80x24: c writes the
# selected version's card and asks before replacing a file, :card refuses
# a link and a directory and writes Markdown for FILE.md; :drift runs in
# the background and shows the table (the shifted column acts, a missing
# one is named), with progress, and Esc or Ctrl-C stop it without
# leaving the session.
. "$FT_SRCDIR/tests/screen/lib.sh"

G=fraud-detection-model-group
"$FT_BIN" run -q --registry "$REG" "$SAMPLE" >/dev/null || { echo "FAIL: run"; exit 1; }
# TransactionAmt is the fifth column; nothing before it is quoted
awk -F, -v OFS=, 'NR > 1 { $5 = $5 * 3 } { print }' "$SAMPLE" >"$ST_TMP/shifted.csv"
cut -d, -f1-4,6- "$SAMPLE" >"$ST_TMP/noamount.csv"
BIG="$ST_TMP/big.csv"
"$FT_BIN" gen --rows 300000 --seed 7 >"$BIG" || { echo "FAIL: gen"; exit 1; }
hooks=
grep -q '^#define FT_TEST_HOOKS 1' "${FT_BUILDDIR:-.}/config.h" 2>/dev/null && hooks=1
# with test hooks each step of a drift is held 100 ms, so a key surely
# meets it running
[ -n "$hooks" ] && { FRAUDTREE_PAUSE=drift:100; export FRAUDTREE_PAUSE; }
LOG="$ST_TMP/keys.log"
FRAUDTREE_KEY_TIMING=$LOG; export FRAUDTREE_KEY_TIMING

st_start 80 24 --registry "$REG" "$SAMPLE"
st_wait "loaded 20000 rows x 14 columns"
st_keys 6
st_wait "$G/1  PendingManualApproval"

# c: the card of the selected version, to GROUP-VERSION-card.html
st_keys c
st_wait "model card of $G/1 written to"
grep -q '<!DOCTYPE html>' "$ST_TMP/$G-1-card.html" || { echo "FAIL: no HTML card"; exit 1; }
grep -q "$G/1" "$ST_TMP/$G-1-card.html" || { echo "FAIL: the card names no version"; exit 1; }
# again: the file exists, so it asks; n keeps it
echo mine >"$ST_TMP/$G-1-card.html"
st_keys c
st_wait "exists. Overwrite it with the model card"
st_keys n
st_wait "model card not written"
[ "$(cat "$ST_TMP/$G-1-card.html")" = mine ] || { echo "FAIL: replaced after n"; exit 1; }
st_keys c
st_wait "exists. Overwrite it"
st_keys y
st_wait "model card of $G/1 written to"
grep -q '<!DOCTYPE html>' "$ST_TMP/$G-1-card.html" || { echo "FAIL: not replaced after y"; exit 1; }

# :card FILE: never through a link, never over a directory; .md is Markdown
ln -s "$ST_TMP/target" "$ST_TMP/link.html"
st_cmd "card link.html"
st_wait "link.html: is a symbolic link; nothing is written through a link"
[ ! -e "$ST_TMP/target" ] || { echo "FAIL: written through a link"; exit 1; }
mkdir "$ST_TMP/dir"
st_cmd "card dir"
st_wait "dir: not a regular file; nothing written"
st_cmd "card card.md"
st_wait "model card of $G/1 written to card.md"
head -n 1 "$ST_TMP/card.md" | grep -qx "# Model card: $G/1" || { echo "FAIL: no Markdown card"; exit 1; }

# :drift FILE: the table, the shifted column to act on and nothing else
st_cmd "drift shifted.csv"
st_wait "drift of shifted.csv (20000 rows) from $G/1" 60
st_wait_re "^  column +type +psi +level +unseen +missing train/now"
st_wait_re "^  TransactionAmt +numeric +[0-9.]+ +act +- +0%/0%"
st_wait_re "^  card_type +categorical +0(\.[0-9]+)? +stable +0% "
st_wait_re "^  \(score\) +[0-9.]+ +(stable|watch|act)"
st_wait "drift: act (a PSI of 0.25 or more, or a missing column)"
st_wait "drift act (TransactionAmt): shifted.csv against $G/1"
n=$(st_capture | grep -cE '^  [a-zA-Z_]+ +(numeric|datetime|categorical) +[0-9.]+ +act ')
[ "$n" -eq 1 ] || { echo "FAIL: $n columns to act on, expected 1"; st_capture; exit 1; }
st_keys Escape
st_wait_gone "drift of shifted.csv (20000 rows)"
st_wait "$G/1  PendingManualApproval"
# a missing column is named
st_cmd "drift noamount.csv"
st_wait "missing columns (the model reads them): TransactionAmt" 60
st_wait_re "^  TransactionAmt +numeric +- +act +- +-"
# at 80 columns the note goes on under its line, never cut
st_wait_re "^ +missing from the file$"
st_keys Escape
# a file that is not there: one line, the table closed stays closed
st_cmd "drift nosuch.csv"
st_wait "nosuch.csv: No such file or directory"
st_absent "drift of "

if [ -n "$hooks" ]; then
	# a long drift shows its progress; Esc stops it at once
	st_cmd "drift big.csv"
	st_wait_re " drift +\["
	st_wait "Esc cancels"
	st_keys Escape
	st_wait "drift cancelled" 30
	st_absent "drift of big.csv ("
	grep -q '^cancel drift ' "$LOG" || { echo "FAIL: no cancel line for drift"; cat "$LOG"; exit 1; }
	awk '$1 == "cancel" && $3 > 1000 { print "FAIL: " $2 " held the session " $3 " ms"; bad = 1 }
	     END { exit bad }' "$LOG" || exit 1
	# Ctrl-C mid drift stops the drift, not the workbench
	st_cmd "drift big.csv"
	st_wait_re " drift +\["
	st_keys C-c
	st_wait "drift cancelled" 30
	st_absent "[exit"
	st_keys 6
	st_wait "$G/1  PendingManualApproval"
else
	echo "cancelling a drift is checked only with test hooks (a drift can end before any key)"
fi

# the help lists the key and both commands
st_keys '?'
st_wait "model card"
st_keys q
st_keys q
st_exit_ok
echo "registry_card_drift: ok"
