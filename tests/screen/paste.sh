#!/bin/sh
# Keys and pastes at a confirmation, on the Registry screen with a pending
# version: keys typed before the confirmation is drawn never answer it
# (a, a reason, Enter and y in one burst), and a paste is text, never keys:
# the workbench turns on the terminal's bracketed paste, a pasted
# "ok<newline>y" at the reason prompt is the reason "ok y" (the prompt
# stays open), a pasted y at the confirmation answers nothing (nor a y
# smuggled after an end mark inside the pasted text), a paste on
# a screen is ignored with a message (a pasted "q" does not quit), a paste
# into the command line is its text, and the terminal is left without
# bracketed paste on exit and while stopped (kill -TSTP), with it again
# after fg.
. "$FT_SRCDIR/tests/screen/lib.sh"

G=fraud-detection-model-group
AUDIT="$REG/$G/audit.jsonl"
"$FT_BIN" run -q --registry "$REG" "$SAMPLE" >/dev/null || { echo "FAIL: run"; exit 1; }
approved() { grep -q '"Approved"' "$AUDIT"; }

st_start 100 30 --registry "$REG" "$SAMPLE"
st_wait "loaded 20000 rows x 14 columns"
st_keys 6
st_wait "$G/1  PendingManualApproval"

# typed ahead: the y reaches the program before the confirmation is drawn
st_keys a o k Enter y
st_wait "PendingManualApproval -> Approved, reason"
sleep 0.5
approved && { echo "FAIL: a y typed ahead approved"; exit 1; }
st_keys n
st_wait "nothing changed in the registry"

# a bracketed paste at the reason prompt is text: its line break neither
# ends the prompt nor lets the y answer anything
st_keys a
st_wait "Approve $G/1, reason:"
tmux -L "$ST_SOCK" set-buffer "$(printf 'ok\ny')"
tmux -L "$ST_SOCK" paste-buffer -p -t main
st_wait "reason: ok y"
sleep 0.5
approved && { echo "FAIL: a pasted ok<newline>y approved"; exit 1; }
st_absent "PendingManualApproval -> Approved"
# the reason is confirmed with keys; a pasted y at the confirmation is no
# answer, the question stays on screen
st_keys Enter
st_wait "PendingManualApproval -> Approved, reason"
st_wait '"ok y"'
tmux -L "$ST_SOCK" set-buffer y
tmux -L "$ST_SOCK" paste-buffer -p -t main
sleep 0.5
approved && { echo "FAIL: a pasted y answered the confirmation"; exit 1; }
st_wait "PendingManualApproval -> Approved, reason"
# nor does text that holds the paste's end mark itself, then a y: what
# comes with a paste, after its end, goes with it
printf 'x\033[201~y' >"$ST_TMP/forged"
tmux -L "$ST_SOCK" load-buffer "$ST_TMP/forged"
tmux -L "$ST_SOCK" paste-buffer -p -t main
sleep 0.5
approved && { echo "FAIL: a y after a forged end of paste approved"; exit 1; }
st_wait "PendingManualApproval -> Approved, reason"
st_keys n
st_wait "nothing changed in the registry"

# a paste on the screen is no key: a pasted "a" opens nothing, "q" does
# not quit, "1" switches to no other screen; the message says why
tmux -L "$ST_SOCK" set-buffer "aq1"
tmux -L "$ST_SOCK" paste-buffer -p -t main
st_wait "pasted text ignored"
st_absent "reason:"
st_wait "$G/1  PendingManualApproval"
# a paste that ends without its end mark (the terminal lost it) is over
# after a second of silence and is still not keys
printf '\033[200~q' >"$ST_TMP/unended"
tmux -L "$ST_SOCK" load-buffer "$ST_TMP/unended"
tmux -L "$ST_SOCK" paste-buffer -t main
sleep 1.5
st_wait "$G/1  PendingManualApproval"
# into the command line: the text goes in as it is
st_keys :
st_wait_cursor
tmux -L "$ST_SOCK" set-buffer "help"
tmux -L "$ST_SOCK" paste-buffer -p -t main
st_wait ":help"
sleep 0.2   # keys right on a paste's heels are taken for its tail
st_keys Escape
st_wait_prompt_closed

st_keys q
st_exit_ok
# after the exit the tty echoes a paste as plain text: no mode left on
tmux -L "$ST_SOCK" set-buffer "after-exit"
tmux -L "$ST_SOCK" paste-buffer -p -t main
st_wait "after-exit"
if st_capture | grep -q '200~'; then
	echo "FAIL: bracketed paste left on after exit"; st_capture; exit 1
fi

# stopped (kill -TSTP: raw mode reads Ctrl-Z as a key) under a shell with
# job control, whose own line editing is off: the shell's terminal has no
# bracketed paste, so a paste there shows as the plain text the tty
# echoes; after fg the workbench has it again
command -v bash >/dev/null 2>&1 || { echo "paste: ok (no bash: stop not tried)"; exit 0; }
tmux -L "$ST_SOCK" new-session -d -s stop -x 100 -y 30 \
	"env PS1='$ ' HOME='$HOME' bash --norc --noprofile --noediting -i"
sk() { tmux -L "$ST_SOCK" send-keys -t stop "$@"; }
sc() { tmux -L "$ST_SOCK" capture-pane -p -t stop; }
swait() {
	i=0
	until sc | grep -qF -- "$1"; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { echo "FAIL: never showed: $1"; sc; exit 1; }
		sleep 0.1
	done
}
swait '$'
sk -l "cd '$ST_TMP' && LC_CTYPE=$ST_LOCALE '$FT_BIN' --registry '$REG' '$SAMPLE'"
sk Enter
swait "loaded 20000 rows x 14 columns"
pid=$(tmux -L "$ST_SOCK" list-panes -t stop -F '#{pane_pid}')
pid=$(ps -o pid= --ppid "$pid" | tr -d ' ' | head -n 1)
kill -TSTP "$pid"
swait "Stopped"
tmux -L "$ST_SOCK" set-buffer "stopped-paste"
tmux -L "$ST_SOCK" paste-buffer -p -t stop
swait "stopped-paste"
if sc | grep -q '200~'; then
	echo "FAIL: bracketed paste left on while stopped"; sc; exit 1
fi
sk C-u
sk -l fg
sk Enter
swait "Registry"
tmux -L "$ST_SOCK" set-buffer "q"
tmux -L "$ST_SOCK" paste-buffer -p -t stop
swait "pasted text ignored"
sleep 0.2
sk q
i=0
while kill -0 "$pid" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "FAIL: q did not end the resumed workbench"; sc; exit 1; }
	sleep 0.1
done
echo "paste: ok"
