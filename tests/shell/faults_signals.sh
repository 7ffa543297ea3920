#!/bin/sh
# faults_signals.sh: every writer ends with a message and exit status 2 on a
# closed pipe (no SIGPIPE death) or a file size limit (no SIGXFSZ death,
# EFBIG handled like a full disk: nothing half written, an approval refused
# is not applied later), and Ctrl-C or kill leaves no OUT.tmp.* behind.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
STRESS=${FT_BUILDDIR:-.}/tests/unit/registry_stress
T=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-sig.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
unset FRAUDTREE_REGISTRY FRAUDTREE_FAULT
export USER=tester
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$T" || exit 1

"$FT_BIN" gen --rows 3000 --seed 3 -o d.csv || exit 1
"$FT_BIN" run --quiet --no-register --out m d.csv >/dev/null
[ $? -le 1 ] || { echo "setup: run"; exit 1; }

# ---- a closed pipe: exit 2 with a message, as the man page says ---------
for verb in "gen --rows 500000" "predict m/model.json d.csv" "describe d.csv"; do
	# shellcheck disable=SC2086
	{ env --default-signal=PIPE "$FT_BIN" $verb 2>err; echo $? >rc; } | head -c 10 >/dev/null
	rc=$(cat rc)
	case $verb in
	describe*) [ "$rc" = 0 ] || [ "$rc" = 2 ] || fail "$verb | head: exit $rc" ;;
	*) [ "$rc" = 2 ] || fail "$verb | head: exit $rc, expected 2" ;;
	esac
	if [ "$rc" = 2 ]; then
		grep -q 'Broken pipe' err || fail "$verb | head: message: $(cat err)"
	fi
done

# ---- a file size limit: EFBIG, not SIGXFSZ ------------------------------
(ulimit -f 8; env --default-signal=XFSZ "$FT_BIN" gen --rows 20000 -o big.csv 2>err)
rc=$?
[ $rc = 2 ] || fail "gen -o under ulimit -f: exit $rc, expected 2"
grep -q 'File too large' err || fail "gen under ulimit -f: message: $(cat err)"
[ ! -e big.csv ] || fail "gen under ulimit -f left a partial big.csv"
ls | grep -q '\.tmp\.' && fail "gen under ulimit -f left a temporary: $(ls)"
(ulimit -f 8; env --default-signal=XFSZ "$FT_BIN" predict m/model.json d.csv -o p.csv 2>err)
rc=$?
[ $rc = 2 ] || fail "predict -o under ulimit -f: exit $rc, expected 2"
[ ! -e p.csv ] || fail "predict under ulimit -f left a partial p.csv"
ls | grep -q '\.tmp\.' && fail "predict under ulimit -f left a temporary: $(ls)"
(ulimit -f 8; env --default-signal=XFSZ "$FT_BIN" gen --rows 20000 >big-stdout.csv 2>err)
rc=$?
[ $rc = 2 ] || fail "gen > file under ulimit -f: exit $rc, expected 2"
grep -q 'File too large' err || fail "gen > file under ulimit -f: message: $(cat err)"

# An approval whose manifest cannot be written (the limit lets the short
# audit line through, not the manifest) is refused and never applied.
if [ -x "$STRESS" ]; then
	R=$T/reg
	"$STRESS" publish "$R" g d.csv >/dev/null || fail "publish"
	(ulimit -f 1; env --default-signal=XFSZ "$FT_BIN" registry approve g/1 --reason "size limit" --registry "$R" >out 2>err)
	rc=$?
	[ $rc = 2 ] || fail "approve under ulimit -f: exit $rc, expected 2"
	grep -q 'File too large' err || fail "approve under ulimit -f: message: $(cat err)"
	"$STRESS" publish "$R" g d.csv >/dev/null || fail "publish after"
	"$FT_BIN" registry show g/1 --registry "$R" >out 2>&1
	grep -q 'g/1  PendingManualApproval' out || fail "a refused approval was applied: $(head -n 1 out)"
	"$FT_BIN" registry verify --registry "$R" >out 2>&1 || fail "verify after: $(cat out)"
	grep -q '"approved"' "$R/g/audit.jsonl" && fail "the refused approval stayed in the log"
fi

# ---- SIGINT / SIGTERM remove the temporaries ----------------------------
# predict creates OUT's temporary, then waits to open its input (a pipe
# with no writer yet): a signal now must leave nothing behind.
# A script's background job starts with SIGINT ignored (and keeps it so),
# and one run under nohup with SIGHUP ignored:
# env gives them the default back, as an interactive shell would.
mkfifo in.fifo
for sig in INT TERM HUP; do
	env --default-signal=INT,TERM,HUP "$FT_BIN" predict m/model.json in.fifo -o "out-$sig.csv" \
		2>/dev/null &
	pid=$!
	i=0
	while [ $i -lt 300 ] && ! ls | grep -q "out-$sig.csv.tmp."; do
		sleep 0.05
		i=$((i + 1))
	done
	ls | grep -q "out-$sig.csv.tmp." || fail "SIG$sig: predict made no temporary (test setup)"
	kill -$sig $pid
	i=0
	while [ $i -lt 40 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	if kill -0 $pid 2>/dev/null; then
		fail "SIG$sig did not end predict"
		kill -KILL $pid
	fi
	wait $pid 2>/dev/null
	ls | grep -q "out-$sig.csv.tmp." && fail "SIG$sig left a temporary: $(ls)"
	[ ! -e "out-$sig.csv" ] || fail "SIG$sig left out-$sig.csv"
done
# A signal that arrives between the temporary's creation and its entry in
# the clean-up table waits for the entry (test builds hold that window open
# with FRAUDTREE_PAUSE; elsewhere this only repeats the case above).
hooks=no
if [ -x "$STRESS" ]; then
	FRAUDTREE_FAULT=after-lock "$STRESS" publish "$T/probe" g d.csv >/dev/null 2>&1
	[ $? -gt 128 ] && hooks=yes
fi
for sig in INT TERM; do
	FRAUDTREE_PAUSE=out-temporary:1500 env --default-signal=INT,TERM,HUP \
		"$FT_BIN" predict m/model.json d.csv -o "win-$sig.csv" 2>/dev/null &
	pid=$!
	i=0
	while [ $i -lt 300 ] && ! ls | grep -q "win-$sig.csv.tmp."; do
		sleep 0.01
		i=$((i + 1))
	done
	kill -$sig $pid 2>/dev/null
	wait $pid 2>/dev/null
	ls | grep -q "win-$sig.csv.tmp." && fail "SIG$sig inside the creation window left a temporary: $(ls)"
	# Without the hook predict may be done before the signal: then its
	# finished output stays, as it should.
	if [ $hooks = yes ] && [ -e "win-$sig.csv" ]; then
		fail "SIG$sig inside the creation window left win-$sig.csv"
	fi
done
# gen -o killed while it writes.
"$FT_BIN" gen --rows 20000000 -o huge.csv 2>/dev/null &
pid=$!
i=0
while [ $i -lt 300 ] && ! ls | grep -q 'huge.csv.tmp.'; do
	sleep 0.05
	i=$((i + 1))
done
kill -TERM $pid
wait $pid 2>/dev/null
ls | grep -q 'huge.csv.tmp.' && fail "gen -o killed left a temporary"
[ ! -e huge.csv ] || fail "gen -o killed left huge.csv"

[ $fails -eq 0 ] && echo "faults_signals: ok"
[ $fails -eq 0 ]
