#!/bin/sh
# The Evaluate, Tree and Registry screens at the smallest supported size
# (80x24): what they say before a model exists, the live threshold, a
# matrix cell's rows, explaining a row on the tree, search and jumps, the
# rules and importance views, the gate panel refusing and then allowing a
# registration, comparing two versions, approving one, and a damaged
# version shown as such.
. "$FT_SRCDIR/tests/screen/lib.sh"

st_start 80 24 --registry "$REG"
st_wait "loaded 20000 rows x 14 columns"

# before any model: a helpful line on each screen
st_keys 4
st_wait "No model trained yet. Press 3 to train a model."
st_keys 5
st_wait "No model trained yet. Press 3 to train a model."
st_keys 6
st_wait "No registry yet at"

st_cmd "train"
st_wait "trained in"

# Evaluate: matrix, baseline, curve; the threshold moves live
st_keys 4
st_wait "Confusion matrix (test)"
st_wait "majority baseline"
st_wait "ROC test AUC"
st_wait "threshold 0.5  "
st_keys Right
st_wait "threshold 0.51  "
st_keys '['
st_wait "threshold 0.46"
st_keys ']'
st_wait "threshold 0.51  "
st_keys Left
st_wait "threshold 0.5  "
st_keys c
st_wait "PR test AUC"
st_keys v
st_wait "Confusion matrix (validation)"
# the validation curve is computed in the background, then drawn
st_wait "PR validation AUC"
st_wait_gone "computing the curve"
st_wait_re "0 recall +0\.5 +1"
# the risk chart: recall of cases and of amount against the alert rate,
# the threshold and the least costly one marked, axes labelled
st_keys v c
st_wait "Confusion matrix (test)"
st_wait "Risk test"
st_wait_re "0\.5 .*min cost [0-9]"
st_wait_re "0 alerts +0\.5 +1"
st_keys c
st_wait "ROC test AUC"
st_wait_re "0 FPR +0\.5 +1"

# the missed frauds (FN is selected first); Enter on one explains it
st_keys Enter
st_wait "Missed frauds (FN):"
st_wait "Enter: explain"
st_keys Enter
st_wait "Explain row #"
st_wait "actual fraud, predicted legit"
st_wait "[row: "

# Tree: leave explain mode, jumps, search, rules, importance
st_keys Escape
st_wait_gone "Explain row #"
st_keys f
st_wait "(most frauds)"
st_keys E
st_wait "the most of any leaf"
st_keys /
st_wait "Find in tree:"
st_keys -l "velocity"
st_keys Enter
st_wait "match 1/"
st_keys n
st_wait "match 2/"
st_keys r
st_wait "Rules: "
st_wait "if velocity_1h"
n=$(st_capture | sed -n 's/^Rules: \([0-9]*\) leaves.*/\1/p')
# :export rules writes what the screen shows: one line per leaf, in the
# data's terms (card_type = debit, not the one-hot card_type=debit <= 0.50)
st_cmd "export rules rules.txt"
st_wait "rules written to rules.txt"
[ "$(wc -l <"$ST_TMP/rules.txt")" -eq "$n" ] || {
	echo "FAIL: $n leaves on screen, $(wc -l <"$ST_TMP/rules.txt") exported rules"; exit 1; }
if grep -vqE '^if .* then [^ ]+ \(p=[0-9.]+, n=[0-9]+\)$' "$ST_TMP/rules.txt" ||
   grep -qE '=[^ ]+ (<=|>) 0\.50' "$ST_TMP/rules.txt" ||
   ! grep -qE ' (=|!=) [a-z]' "$ST_TMP/rules.txt"; then
	echo "FAIL: exported rules are not the screen's"; head -3 "$ST_TMP/rules.txt"; exit 1
fi
st_keys r i
st_wait "Feature importance:"
st_keys i
st_wait "split (the test that leads to the node)"
st_keys x
st_wait "Explain row #"
st_keys -l "12"
st_keys Enter
st_wait "Explain row #12 (line 13)"
st_keys e
st_wait "expanded to depth"
st_keys c
st_wait "[+] all rows"

# a gate this tree cannot meet: the Registry refuses, saying why
st_cmd 'set gate [{"metric": "recall", "op": ">=", "value": 0.99}]'
st_keys 6
st_wait "Gate: FAIL"
st_wait "FAIL  recall >= 0.99"
st_keys R
st_wait "not registered: gate failed"
[ ! -d "$REG/fraud-detection-model-group/1" ] || { echo "FAIL: registered despite the gate"; exit 1; }

# the default gate passes: a gate edit re-evaluates the current model at
# once (no retraining), so the same model registers right away
st_cmd 'set gate [{"metric": "accuracy", "op": ">=", "value": 0.85}]'
st_wait "Gate: PASS"
st_wait "gate  PASS"
st_absent "training"
st_keys R
st_wait "description (optional)"
st_keys -l "full depth"
st_keys Enter
st_wait "Registered fraud-detection-model-group/1"
st_wait "fraud-detection-model-group/1  PendingManualApproval"
st_wait "description: full depth"
st_wait "flags: none (gate and threshold meet the policy and the defaults)"
# explain mode names the reason codes and texts predict --reasons writes
# for a row: the first row with two reasons, explained on the Tree screen
"$FT_BIN" predict --registry "$REG" fraud-detection-model-group/1 "$SAMPLE" --reasons 3 \
	-o "$ST_TMP/reasons.csv"
row=$(awk -F, 'NR > 1 && $(NF - 1) != "" { print NR - 1; exit }' "$ST_TMP/reasons.csv")
[ -n "$row" ] || { echo "FAIL: no row with two reasons"; exit 1; }
first=$(sed -n "$((row + 1))p" "$ST_TMP/reasons.csv" | awk -F, '{ print $(NF - 2) }')
text=$(awk -v c="\"$first\"" '$0 ~ "\"code\":[ \t]*" c { f = 1 }
	f && /"text":/ { sub(/.*"text":[ \t]*"/, ""); sub(/"[^"]*$/, ""); print; exit }' \
	"$REG/fraud-detection-model-group/1/model.json")
st_keys 5 x
st_wait "Explain row # (empty: off)"
st_keys -l "$row"
st_keys Enter
st_wait "Explain row #$row "
st_wait "Reasons: $first $text (+"
st_keys Escape 6
st_wait "description: full depth"
st_cmd "set tree.max_depth 4"
st_cmd 'set gate [{"metric": "accuracy", "op": ">=", "value": 0.8}]'
st_cmd "train"
st_wait "trained, not saved"
st_wait "Gate: PASS"
st_keys R
st_wait "description (optional)"
st_keys -l "depth 4"
st_keys Enter
st_wait "Registered fraud-detection-model-group/2"
# version 2's gate was lowered in the session: the details flag it
st_wait "! gate accuracy>=0.8 is weaker than the default accuracy>=0.85"

# compare: mark version 2, select version 1, d shows the differences only
st_keys End m
st_wait "marked fraud-detection-model-group/2"
st_keys Up d
st_wait "Differences fraud-detection-model-group/2 -> fraud-detection-model-group/1"
st_wait "tree.max_depth: 4 -> 8"
st_keys Escape
st_wait_gone "Differences fraud-detection-model-group"
st_wait "fraud-detection-model-group/1  PendingManualApproval"

# approve version 1 with a reason: the confirmation shows the version, the
# status change, the reason and the gate; any key but y changes nothing
st_keys a
st_wait "Approve fraud-detection-model-group/1, reason:"
st_keys -l "best recall"
st_keys Enter
st_wait "PendingManualApproval -> Approved, reason"
st_wait '"best recall", gate PASS (accuracy 0.9865 >= 0.85'
st_keys n
st_wait "nothing changed in the registry"
grep -q '"best recall"' "$REG/fraud-detection-model-group/audit.jsonl" &&
	{ echo "FAIL: approved without a y"; exit 1; }
# keys typed ahead never answer the confirmation: "a", a reason, Enter and
# "y" in one burst leave it asking, and so does a pasted "ok<newline>y"
st_keys a b u r s t Enter y
st_wait "PendingManualApproval -> Approved, reason"
sleep 0.3
grep -q '"burst"' "$REG/fraud-detection-model-group/audit.jsonl" &&
	{ echo "FAIL: a typed-ahead y approved"; exit 1; }
st_keys n
st_wait "nothing changed in the registry"
st_keys a
st_wait "Approve fraud-detection-model-group/1, reason:"
tmux -L "$ST_SOCK" set-buffer "$(printf 'pasted\ny')"
tmux -L "$ST_SOCK" paste-buffer -t main
st_wait "PendingManualApproval -> Approved, reason"
sleep 0.3
grep -q 'pasted' "$REG/fraud-detection-model-group/audit.jsonl" &&
	{ echo "FAIL: a pasted y approved"; exit 1; }
st_keys n
st_wait "nothing changed in the registry"
# a capital Y (Shift held, Caps Lock on) is not the explicit y either
st_keys a
st_wait "Approve fraud-detection-model-group/1, reason:"
st_keys -l "best recall"
st_keys Enter
st_wait "PendingManualApproval -> Approved, reason"
st_keys Y
st_wait "nothing changed in the registry"
grep -q '"best recall"' "$REG/fraud-detection-model-group/audit.jsonl" &&
	{ echo "FAIL: approved with a capital Y"; exit 1; }
st_keys a
st_wait "Approve fraud-detection-model-group/1, reason:"
st_keys -l "best recall"
st_keys Enter
st_wait "PendingManualApproval -> Approved, reason"
st_keys y
st_wait "fraud-detection-model-group/1 is now Approved"
st_wait "Approved  "
# at 80 columns the gate lines are cut, but never inside a number (the
# baseline's 0.9795 once showed as "0.9…")
st_wait "beats the majority baseline"
if st_capture | grep -E '[0-9.](…|~)'; then
	echo "FAIL: a number is cut on the Registry screen"; st_capture; exit 1
fi
grep -q '"best recall"' "$REG/fraud-detection-model-group/audit.jsonl" || {
	echo "FAIL: approval reason not in the audit log"; exit 1; }

# a damaged version is listed as such and never stops the rest
printf 'tampered\n' >>"$REG/fraud-detection-model-group/2/model.json"
st_keys 5 6
st_wait "DAMAGED: "
st_wait "Approved  "

st_keys q
st_exit_ok
echo "evaluate_tree_registry: ok"
