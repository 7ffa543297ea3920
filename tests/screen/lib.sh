# Helpers for the screen tests: drive the real workbench inside a private
# tmux server at a fixed size and look at what a person would see.
# Sourced by tests/screen/*.sh; needs FT_BIN and FT_SRCDIR (set by make check).

command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipped"; exit 77; }
: "${FT_BIN:?FT_BIN is not set}"
: "${FT_SRCDIR:?FT_SRCDIR is not set}"

ST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ft-screen.XXXXXX") || exit 99
ST_SOCK="ft-screen-$$"
export HOME="$ST_TMP/home" XDG_STATE_HOME="$ST_TMP/state"
mkdir -p "$HOME"
REG="$ST_TMP/registry"
SAMPLE="$FT_SRCDIR/data/transactions.csv"
unset NO_COLOR FRAUDTREE_REGISTRY TMUX

# ST_KEEP=1 keeps the temporary directory (registry, history) to look at.
st_cleanup() {
	tmux -L "$ST_SOCK" kill-server 2>/dev/null
	if [ -n "${ST_KEEP:-}" ]; then echo "kept $ST_TMP"; else rm -rf "$ST_TMP"; fi
}
trap st_cleanup EXIT

# A UTF-8 locale for the program under test, when the system has one.
ST_LOCALE=
for l in C.UTF-8 C.utf8 en_US.UTF-8 en_US.utf8; do
	if locale -a 2>/dev/null | grep -qix "$l"; then ST_LOCALE=$l; break; fi
done

# st_start COLS LINES [ARGS...]: start the workbench; when it ends the pane
# shows "[exit N]" and the terminal modes it left behind.
st_start() {
	cols=$1 lines=$2
	shift 2
	q=""
	for a in "$@"; do q="$q '$(printf %s "$a" | sed "s/'/'\\\\''/g")'"; done
	cat >"$ST_TMP/run.sh" <<RUN
cd '$ST_TMP'
trap : INT
LC_CTYPE=$ST_LOCALE; export LC_CTYPE
'$FT_BIN'$q
echo "[exit \$?]"
stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '
echo "[modes]"
sleep 600
RUN
	# a server killed just before may still be going away on this socket
	# ("server exited unexpectedly"): try again for a while
	i=0
	until tmux -L "$ST_SOCK" -f /dev/null new-session -d -s main -x "$cols" -y "$lines" \
		"sh '$ST_TMP/run.sh'"; do
		i=$((i + 1))
		[ "$i" -lt 50 ] || { echo "cannot start tmux"; exit 99; }
		tmux -L "$ST_SOCK" kill-server 2>/dev/null
		sleep 0.1
	done
	tmux -L "$ST_SOCK" set-option -g status off >/dev/null
}

st_capture() {
	tmux -L "$ST_SOCK" capture-pane -p -t main 2>/dev/null
}

# st_wait TEXT [SECONDS]: until the screen shows TEXT (fixed string).
st_wait() {
	limit=${2:-20}
	i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		if st_capture | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "FAIL: the screen never showed: $1"
	echo "---- screen ----"
	st_capture
	echo "----------------"
	exit 1
}

# st_wait_re REGEX [SECONDS]: like st_wait with an extended regex.
st_wait_re() {
	limit=${2:-20}
	i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		if st_capture | grep -qE -- "$1"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "FAIL: the screen never matched: $1"
	st_capture
	exit 1
}

# st_wait_gone TEXT [SECONDS]: until TEXT has left the screen.
st_wait_gone() {
	limit=${2:-20}
	i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		if ! st_capture | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "FAIL: the screen still shows: $1"
	st_capture
	exit 1
}

# st_absent TEXT: the screen does not show TEXT now.
st_absent() {
	if st_capture | grep -qF -- "$1"; then
		echo "FAIL: the screen unexpectedly shows: $1"
		st_capture
		exit 1
	fi
}

# st_wait_line N REGEX [SECONDS]: until line N of the screen matches REGEX
# (a redraw after a resize is not atomic, so never check a line just once).
st_wait_line() {
	limit=${3:-20}
	i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		if st_capture | sed -n "$1p" | grep -qE -- "$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "FAIL: line $1 of the screen never matched: $2"
	st_capture
	exit 1
}

# st_pid: the workbench's process id inside the pane.
st_pid() {
	shell=$(tmux -L "$ST_SOCK" list-panes -t main -F '#{pane_pid}')
	ps -o pid= --ppid "$shell" | tr -d ' ' | head -n 1
}

st_keys() {
	tmux -L "$ST_SOCK" send-keys -t main "$@"
}

# st_cmd TEXT: type a command line and run it.
st_cmd() {
	st_keys ':'
	st_wait_cursor
	st_keys -l "$1"
	st_keys Enter
	st_wait_prompt_closed
}

# The command line is open once its ':' shows on the bottom row.
st_wait_cursor() {
	i=0
	while [ "$i" -lt 200 ]; do
		if st_capture | tail -n 1 | grep -q '^:'; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "FAIL: the command line did not open"
	st_capture
	exit 1
}

# The command line has closed (Esc or Enter).
st_wait_prompt_closed() {
	i=0
	while [ "$i" -lt 200 ]; do
		if ! st_capture | tail -n 1 | grep -q '^[:/]'; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "FAIL: the command line did not close"
	st_capture
	exit 1
}

# st_exit_ok: the program ended with status 0 and the terminal is sane.
st_exit_ok() {
	st_wait "[exit 0]"
	st_wait "[modes]"
	if ! st_capture | grep -q "icanon echo"; then
		echo "FAIL: terminal left in a bad mode"
		st_capture
		exit 1
	fi
}

st_resize() {
	tmux -L "$ST_SOCK" resize-window -t main -x "$1" -y "$2"
}
