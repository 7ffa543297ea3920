#!/bin/sh
# Terminal manners: resizes are followed, a tiny terminal gets a clear
# message instead of garbage, quitting with an unsaved model asks first,
# Ctrl-C restores the terminal, and without a terminal the program refuses
# at once instead of hanging.
. "$FT_SRCDIR/tests/screen/lib.sh"

# no terminal: a clear message and status 2
"$FT_BIN" --registry "$REG" </dev/null >"$ST_TMP/out" 2>"$ST_TMP/err"
rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: non-tty exit status $rc"; exit 1; }
grep -q "needs a terminal" "$ST_TMP/err" || { echo "FAIL: non-tty message"; cat "$ST_TMP/err"; exit 1; }

# an unknown option is an error before the terminal is touched
"$FT_BIN" --bogus >/dev/null 2>"$ST_TMP/err"
[ $? -eq 2 ] && grep -q "unknown option '--bogus'" "$ST_TMP/err" || {
	echo "FAIL: unknown option"; cat "$ST_TMP/err"; exit 1; }

# a terminal it cannot drive: a clear message and status 2, the tty as it was
for t in nosuchterm dumb; do
	cat >"$ST_TMP/term.sh" <<RUN
TERM=$t '$FT_BIN' --registry '$REG'
echo "[exit \$?]"
stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '
echo "[modes]"
sleep 600
RUN
	i=0
	until tmux -L "$ST_SOCK" -f /dev/null new-session -d -s main -x 100 -y 30 "sh '$ST_TMP/term.sh'"; do
		i=$((i + 1))
		[ "$i" -lt 50 ] || { echo "cannot start tmux"; exit 99; }
		sleep 0.1
	done
	st_wait "[exit 2]"
	st_wait "cannot drive the terminal '$t'"
	st_wait "[modes]"
	st_capture | grep -q "icanon echo" || { echo "FAIL: TERM=$t left the terminal raw"; st_capture; exit 1; }
	tmux -L "$ST_SOCK" kill-server
done

# resizes: 100x30 -> 80x24 -> 40x10 (too small) -> 100x30
st_start 100 30 --registry "$REG"
st_wait "loaded 20000 rows x 14 columns"
st_resize 80 24
st_wait_line 23 "transactions.csv \| 20000 rows"
st_wait_line 1 "1 Data  2 Prepare"
st_wait "column 1/14: TransactionID"
[ "$(st_capture | wc -l)" -eq 24 ] || { echo "FAIL: pane is not 24 lines"; exit 1; }
# at 80 columns the Prepare screen's class counts and imputations show whole
st_keys 2
st_wait "fraud %"
st_wait_re "train resampled +11755 +245 +2\.04%"
st_keys j j j j j j
st_wait_re "card_type +feature"
st_keys i
st_wait "constant:missing"
st_keys i
st_wait_gone "constant:missing"
st_keys 1
st_resize 40 10
st_wait "Terminal too small: 40x10"
st_wait "need 80x24; q quits"
st_absent "TransactionID"
st_resize 100 30
st_wait "column 1/14: TransactionID"
st_absent "Terminal too small"

# a trained model that is neither saved nor registered: q asks
st_keys 3
st_wait "parameters"
st_keys t
st_wait "trained, not saved"
st_keys q
st_wait "Quit anyway? (y/n)"
st_keys n
st_wait "quit cancelled"
st_cmd "q"
st_wait "Quit anyway? (y/n)"
st_keys y
st_exit_ok
tmux -L "$ST_SOCK" kill-server

# starting in a tiny terminal, then q
st_start 40 10 --registry "$REG"
st_wait "Terminal too small: 40x10"
st_keys q
st_exit_ok
tmux -L "$ST_SOCK" kill-server

# Ctrl-C: the terminal comes back sane
st_start 100 30 --registry "$REG"
st_wait "loaded 20000 rows"
st_keys C-c
st_wait "[exit"
st_wait "[modes]"
st_capture | grep -q "icanon echo" || { echo "FAIL: Ctrl-C left the terminal raw"; st_capture; exit 1; }
tmux -L "$ST_SOCK" kill-server

# a crash (SIGSEGV) and a kill (SIGTERM) still restore the terminal
for sig in SEGV TERM; do
	st_start 100 30 --registry "$REG"
	st_wait "loaded 20000 rows"
	shell=$(tmux -L "$ST_SOCK" list-panes -t main -F '#{pane_pid}')
	pid=$(ps -o pid= --ppid "$shell" | tr -d ' ' | head -n 1)
	[ -n "$pid" ] || { echo "FAIL: no workbench process"; exit 1; }
	kill -s "$sig" "$pid"
	st_wait "[exit"
	st_wait "[modes]"
	st_capture | grep -q "icanon echo" || { echo "FAIL: SIG$sig left the terminal raw"; st_capture; exit 1; }
	st_capture | grep -q "exit 0" && { echo "FAIL: SIG$sig did not end the process by the signal"; exit 1; }
	tmux -L "$ST_SOCK" kill-server
done

# NO_COLOR still shows everything (monochrome attributes only)
NO_COLOR=1; export NO_COLOR
st_start 80 24 --registry "$REG"
st_wait "column 1/14: TransactionID"
st_keys q
st_exit_ok
echo "terminal: ok"
