#!/bin/sh
# A confirmation longer than the rows it may take (a pasted reason of a
# few thousand characters, a deep path) still shows what is asked and what
# y does: its head and its tail with a line of "..." between, at 80x24. A
# 200 kB paste at the reason prompt neither hangs the workbench nor loses
# the question, and y records the whole reason.
. "$FT_SRCDIR/tests/screen/lib.sh"

G=fraud-detection-model-group
AUDIT="$REG/$G/audit.jsonl"
"$FT_BIN" run -q --registry "$REG" "$SAMPLE" >/dev/null || { echo "FAIL: run"; exit 1; }

st_start 80 24 --registry "$REG" "$SAMPLE"
st_wait "loaded 20000 rows x 14 columns"
st_keys 6
st_wait "$G/1  PendingManualApproval"

# 3000 characters, then a word to find at the end
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%c", 97 + i % 26; printf "THEEND" }' \
	>"$ST_TMP/reason.txt"
st_keys a
st_wait "Approve $G/1, reason:"
tmux -L "$ST_SOCK" load-buffer "$ST_TMP/reason.txt"
tmux -L "$ST_SOCK" paste-buffer -p -t main
st_wait "THEEND"
sleep 0.5
st_keys Enter
st_wait "Approve $G/1: PendingManualApproval -> Approved, reason"
st_wait "THEEND\", gate PASS"
st_wait_re "cancels$"
st_wait_re "^(…|~)$"
st_keys n
st_wait "nothing changed in the registry"

# 200 kB, with a two-byte character astride the 64 kB a paste keeps: the
# workbench answers at once, marks the cut with "…", drops the character it
# split (the reason stays UTF-8), and y records what was shown
E=$(printf '\303\251')
awk -v e="$E" 'BEGIN { for (i = 0; i < 65535; i++) printf "a"; printf "%s", e
	for (i = 0; i < 140000; i++) printf "b"; printf "LAST" }' >"$ST_TMP/big.txt"
st_keys a
st_wait "Approve $G/1, reason:"
tmux -L "$ST_SOCK" load-buffer "$ST_TMP/big.txt"
tmux -L "$ST_SOCK" paste-buffer -p -t main
st_wait "aaaa…" 30
sleep 0.5
st_keys Enter
st_wait "aaa…\", gate PASS" 30
st_wait_re "cancels$"
st_keys y
st_wait "$G/1 is now Approved" 30
awk 'BEGIN { for (i = 0; i < 65535; i++) printf "a"; printf "…\n" }' >"$ST_TMP/want"
tail -n 1 "$AUDIT" | sed 's/.*"reason":"//; s/"}$//' >"$ST_TMP/got"
cmp -s "$ST_TMP/want" "$ST_TMP/got" ||
	{ echo "FAIL: the reason recorded is not the 65535 bytes kept and the mark: $(wc -c <"$ST_TMP/got") bytes, ending $(tail -c 8 "$ST_TMP/got" | od -An -c)"; exit 1; }
st_keys q
st_exit_ok
