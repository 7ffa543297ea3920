#!/bin/sh
# No keystroke does what the user did not mean: the help takes every key
# (`:` goes on to the command line), a menu takes every key, approving asks
# for an explicit y, the target key asks first and t never changes it,
# Ctrl-S does not freeze the screen, an unknown escape sequence is
# swallowed whole, and Ctrl-C never reaches the shell that started us.
. "$FT_SRCDIR/tests/screen/lib.sh"

st_start 100 30 --registry "$REG"
st_wait "loaded 20000 rows x 14 columns"

# a registered version to approve or reject
st_cmd "train"
st_wait "trained in"
st_cmd "register v1"
st_wait "registered fraud-detection-model-group/1"
st_keys 6
st_wait "fraud-detection-model-group/1  PendingManualApproval"

# F1 then ":resample none" Enter: the command runs; nothing reaches the
# Registry screen's keys (r would reject)
st_keys F1
st_wait "Keys on the Registry screen"
st_keys :
st_wait_cursor
st_keys -l "resample undersample"
st_keys Enter
st_wait "resampling: undersample"
st_absent "reason:"
st_absent "Keys on the Registry screen"
# inside the help every other key is the help's: r, a, R do nothing
st_keys F1
st_wait "Keys on the Registry screen"
st_keys r a R j k
sleep 0.3
st_absent "reason:"
st_absent "description (optional)"
st_wait "Keys on the Registry screen"
st_keys q
st_wait_gone "Keys on the Registry screen"
if grep -q '"rejected"\|"approved"' "$REG/fraud-detection-model-group/audit.jsonl"; then
	echo "FAIL: the registry changed from inside the help"; exit 1
fi

# reject asks for a reason, then for y; Enter or n is not a yes
st_keys r
st_wait "Reject fraud-detection-model-group/1, reason:"
st_keys -l "too many false alarms"
st_keys Enter
st_wait "PendingManualApproval -> Rejected"
st_keys Enter
st_wait "nothing changed in the registry"
grep -q '"rejected"' "$REG/fraud-detection-model-group/audit.jsonl" &&
	{ echo "FAIL: rejected without a y"; exit 1; }

# Enter opens the version read-only: what an approver decides on, and no
# key of the Registry screen reaches it
st_keys Enter
st_wait "fraud-detection-model-group/1 (read-only"
st_wait "TN "
st_keys /
st_keys -l "Resolved settings"
st_keys Enter
st_wait "tree.max_depth = "
st_keys /
st_keys -l "Rules at threshold"
st_keys Enter
st_wait_re "then (fraud|legit) \(p="
st_keys /
st_keys -l "Curves"
st_keys Enter
st_wait "ROC: true positive rate"
st_keys a r R
sleep 0.3
st_absent "reason:"
st_absent "description (optional)"
st_keys Escape
st_wait "back to the registry"
st_wait "fraud-detection-model-group/1  PendingManualApproval"

# Ctrl-S does not stop the output (no ixon): the next key still shows
st_keys C-s
st_keys 2
st_wait "split and resampling"
st_keys C-q

# Prepare: the column menu takes every key; 3 does not switch screens
st_keys Enter
st_wait "use as target"
st_keys 3 Tab
sleep 0.3
st_wait "use as target"
st_absent "parameters (+/- change"
st_keys Escape
st_wait_gone "use as target"

# t on Data and Prepare never changes the target; L asks, n keeps it
st_keys t
st_wait "t trains on the Train screen"
st_wait "target isFraud"
st_cmd "search hotmail"
st_wait "hotmail found in row"
st_keys t
st_wait "t trains on the Train screen"
st_wait "target isFraud"
st_keys L
st_wait "the target (now isFraud)? (y/n)"
st_keys n
st_wait "target unchanged"
st_wait "target isFraud"
# d says what it did, u undoes it
st_keys 0 d
st_wait "dropped TransactionID (u undoes)"
st_keys u
st_wait "undone: drop"

# an escape sequence the terminal does not know is swallowed whole: its
# [ would otherwise lower the threshold on the Evaluate screen
st_keys 4
st_wait "threshold 0.5  "
st_keys -l "$(printf '\033[57;5u')"
sleep 0.3
st_wait "threshold 0.5  "
st_keys ']'
st_wait "threshold 0.55  "
st_keys u
st_wait "threshold 0.5  "

st_keys q
st_wait "Quit anyway? (y/n)"
st_keys y
st_exit_ok

# Ctrl-C inside `sh -c 'fraudtree ...; echo'` quits the workbench only: the
# shell goes on (raw mode: no SIGINT to the process group)
tmux -L "$ST_SOCK" kill-server 2>/dev/null
sleep 0.2
cat >"$ST_TMP/ctrlc.sh" <<RUN
cd '$ST_TMP'
'$FT_BIN' '$SAMPLE' --registry '$REG'; echo "[after \$?]"
sleep 600
RUN
i=0
until tmux -L "$ST_SOCK" -f /dev/null new-session -d -s main -x 100 -y 30 "sh '$ST_TMP/ctrlc.sh'"; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || { echo "cannot start tmux"; exit 99; }
	sleep 0.1
done
st_wait "loaded 20000 rows x 14 columns"
st_keys C-c
st_wait "[after 0]"
echo "keys: ok"
