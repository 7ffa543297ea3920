#!/bin/sh
# Nothing is lost or left broken by surprise: opening another file with an
# unsaved model asks first (as quitting does), Ctrl-C asks too, Esc stops a
# load and a tuning run promptly (the key-timing log records how long the
# job took to stop), and running out of memory restores the terminal and
# says so.
. "$FT_SRCDIR/tests/screen/lib.sh"

OTHER="$ST_TMP/other.csv"
head -n 2001 "$SAMPLE" >"$OTHER"
RENAMED="$ST_TMP/renamed.csv"
{ head -n 1 "$OTHER" | sed 's/isFraud$/fraud_label/'; sed 1d "$OTHER"; } >"$RENAMED"

# :open with a trained, unsaved model asks; n keeps the model
st_start 100 30 --registry "$REG"
st_wait "loaded 20000 rows x 14 columns"
st_cmd "train"
st_wait "trained, not saved"
# a file that cannot be read is refused at once, without the question
st_cmd "open missing.csv"
st_wait "missing.csv: No such file or directory"
st_absent "anyway? (y/n)"
st_cmd "open $OTHER"
st_wait "Open other.csv anyway? (y/n)"
st_wait "trained, not saved"
st_keys n
st_wait "open cancelled; the model is kept"
st_wait "20000 rows x 14 cols"
st_wait "trained, not saved"
# Ctrl-C at the question keeps the model too
st_cmd "open $OTHER"
st_wait "anyway? (y/n)"
st_keys C-c
st_wait "open cancelled; the model is kept"
# y loads the other file and closes the model
st_cmd "open $OTHER"
st_wait "anyway? (y/n)"
st_keys y
st_wait "the previous model was closed"
st_wait "other.csv | 2000 rows x 14 cols"
st_wait "no model"
# nothing at risk now: :open loads without asking
st_cmd "train"
st_wait "trained, not saved"
st_cmd "save $ST_TMP/p.json"
st_wait "they match the model"
st_cmd "open $SAMPLE"
st_wait "transactions.csv | 20000 rows"
st_absent "anyway? (y/n)"
# a file without the current target's column gets a guessed target
st_cmd "open $RENAMED"
st_wait "no column isFraud, so the target is now fraud_label (guessed)"
st_wait "target fraud_label"
st_cmd "train"
st_wait "trained, not saved"

# Ctrl-C with an unsaved model asks like q; a second Ctrl-C quits
st_cmd "train"
st_wait "trained, not saved"
st_keys C-c
st_wait "Quit anyway? (y/n)"
st_keys n
st_wait "quit cancelled"
st_keys C-c
st_wait "Quit anyway? (y/n)"
st_keys C-c
st_exit_ok
tmux -L "$ST_SOCK" kill-server

# Esc stops a load and a tuning run of a large file and gives the session
# back at once; the timing log says how long after the key (generous
# bounds: sanitizer builds are several times slower)
BIG="$ST_TMP/big.csv"
"$FT_BIN" gen --rows 300000 --seed 7 >"$BIG" || { echo "FAIL: gen"; exit 1; }
LOG="$ST_TMP/keys.log"
FRAUDTREE_KEY_TIMING=$LOG; export FRAUDTREE_KEY_TIMING
# 300,000 rows load in a fraction of a second: with test hooks each 1 MiB
# step of a load is held 100 ms, so the Esc below surely meets a running load
FRAUDTREE_PAUSE=load:100; export FRAUDTREE_PAUSE
st_start 100 30 --registry "$REG" "$BIG" \
	--set 'tune.max_depth=[4,6,8,10,12,14,16,18,20]' \
	--set 'tune.min_samples_split=[2,5,10,20,50]'
if grep -q '^#define FT_TEST_HOOKS 1' "${FT_BUILDDIR:-.}/config.h" 2>/dev/null; then
	st_wait " load "
	st_keys Escape
	st_wait "loading cancelled" 30
	st_wait "0 rows x 0 cols"
	grep -q '^cancel load ' "$LOG" || { echo "FAIL: no cancel line for the load"; cat "$LOG"; exit 1; }
	st_cmd "open $BIG"
else
	echo "cancelling a load is checked only with test hooks (a load can end before any key)"
fi
st_wait "loaded 300000 rows" 60
st_keys 3
st_wait "tune objective"
st_keys T
st_wait "| tuning"
st_wait_re " (tune|prepare) +\["
st_keys Escape
st_wait "tuning cancelled" 30
st_wait "no model"
grep -q '^cancel tune ' "$LOG" || { echo "FAIL: no cancel line for tuning"; cat "$LOG"; exit 1; }
# the session is free again at once, whenever the engine notices
awk '$1 == "cancel" && $3 > 1000 { print "FAIL: " $2 " held the session " $3 " ms after Esc"; bad = 1 }
     END { exit bad }' "$LOG" || exit 1
awk '$1 == "Train" && $2 == 27 && $3 > 500 { print "FAIL: Esc took " $3 " ms"; bad = 1 }
     END { exit bad }' "$LOG" || exit 1
st_keys t
st_wait "trained in" 60
st_absent "busy:"
# registering hashes the whole file: it runs in the background too
st_cmd "register from the big file"
st_wait "registered fraud-detection-model-group/1" 60
st_wait "registered v1"
st_keys q
st_exit_ok
tmux -L "$ST_SOCK" kill-server
unset FRAUDTREE_KEY_TIMING FRAUDTREE_PAUSE

# Out of memory (a test-only fault, FRAUDTREE_FAULT=oom, makes the first
# key after loading fail to allocate): the terminal is restored and the
# message is readable, once, on the normal screen.
if grep -q '^#define FT_TEST_HOOKS 1' "${FT_BUILDDIR:-.}/config.h" 2>/dev/null; then
	FRAUDTREE_FAULT=oom; export FRAUDTREE_FAULT
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1"
	export ASAN_OPTIONS
	st_start 100 30 --registry "$REG"
	st_wait "loaded 20000 rows"
	st_keys j
	st_wait "[exit"
	st_wait "[modes]"
	st_capture | grep -q "icanon echo" || { echo "FAIL: out of memory left the terminal raw"; st_capture; exit 1; }
	st_capture | grep -q "exit 0" && { echo "FAIL: out of memory ended with status 0"; st_capture; exit 1; }
	n=$(st_capture | grep -c "fraudtree: out of memory")
	[ "$n" -eq 1 ] || { echo "FAIL: out-of-memory message shown $n times"; st_capture; exit 1; }
	st_absent "TransactionID"
	tmux -L "$ST_SOCK" kill-server
	unset FRAUDTREE_FAULT
else
	echo "out of memory: built without test hooks, not checked"
fi
echo "safety: ok"
