#!/bin/sh
# faults_kill.sh: SIGKILL at random moments during registrations (through
# `fraudtree run`, and through the registry driver when it is built, whose
# runs are mostly registry work) and approvals/rejections. Afterwards:
#   - `registry verify` is clean once a writer has run (writers repair what
#     a killed writer left; verify straight after the kills is recorded);
#   - every registration that exited 0 is present, intact, with the number
#     it printed, and no number was handed out twice;
#   - a status change that exited 0 and was not followed by a killed one on
#     the same version is what the manifest says.
# FT_KILL_ITERATIONS sets the number of operations (default 40 in make
# check; run it with 200 by hand).
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
N=${FT_KILL_ITERATIONS:-40}
STRESS=${FT_BUILDDIR:-.}/tests/unit/registry_stress
[ -x "$STRESS" ] || STRESS=
T=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-kill.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
unset FRAUDTREE_REGISTRY FRAUDTREE_FAULT
export USER=tester
R=$T/reg
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$FT_BIN" gen --rows 300 --seed 1 --fraud-rate 0.3 >"$T/gen.csv" || exit 1
"$FT_BIN" run --quiet --registry "$R" --set registry.group=g "$T/gen.csv" >"$T/out" 2>&1 ||
	{ cat "$T/out"; echo "setup: the pipeline does not pass the gate"; exit 1; }
echo 1 >"$T/completed"
: >"$T/status"        # VERSION STATUS of completed status changes
: >"$T/uncertain"     # versions whose last status change was killed

# rnd N: a random number in [0, N)
rnd() {
	echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 ))
}

# ms CMD...: how long CMD takes, in milliseconds (at least 5).
ms() {
	_t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	_t1=$(date +%s%N)
	_d=$(( (_t1 - _t0) / 1000000 ))
	[ $_d -ge 5 ] || _d=5
	echo $_d
}

# Kills land within about the time each kind of operation takes here, so
# that most are interrupted somewhere inside and some finish.
span_run=$(ms "$FT_BIN" run --quiet --registry "$R" --set registry.group=g "$T/gen.csv")
span_stress=$span_run
[ -n "$STRESS" ] && span_stress=$(ms "$STRESS" publish "$R" g "$T/gen.csv")
span_status=$(ms "$FT_BIN" registry approve g/1 --reason calibration --registry "$R")
ls "$R/g" | grep -E '^[0-9]+$' | sort -n >"$T/completed"
grep -q '"status":	"Approved"' "$R/g/1/manifest.json" && echo "1 Approved" >>"$T/status"

killed=0
i=0
while [ $i -lt "$N" ]; do
	i=$((i + 1))
	op=$(rnd 4)
	v=$(( $(rnd "$(wc -l <"$T/completed")") + 1 ))
	v=$(sed -n "${v}p" "$T/completed")
	span=$span_status
	case $op in
	0 | 1)
		if [ $op = 0 ] && [ -n "$STRESS" ]; then
			span=$span_stress
			"$STRESS" publish "$R" g "$T/gen.csv" "kill test $i" >"$T/out" 2>"$T/err" &
		else
			span=$span_run
			"$FT_BIN" run --quiet --registry "$R" --set registry.group=g \
				"$T/gen.csv" >"$T/out" 2>"$T/err" &
		fi ;;
	2) "$FT_BIN" registry approve "g/$v" --reason "kill test $i" --registry "$R" \
		>"$T/out" 2>"$T/err" & ;;
	3) "$FT_BIN" registry reject "g/$v" --reason "kill test $i" --registry "$R" \
		>"$T/out" 2>"$T/err" & ;;
	esac
	pid=$!
	sleep "$(awk -v ms="$(rnd $((span * 3 / 4 + 1)))" 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -9 $pid 2>/dev/null
	{ wait $pid; } 2>/dev/null
	rc=$?
	if [ $rc -ge 128 ]; then
		killed=$((killed + 1))
		[ $op -ge 2 ] && echo "$v" >>"$T/uncertain"
		continue
	fi
	case $op/$rc in
	[01]/0)
		n=$(grep -o '[0-9][0-9]*' "$T/out" | tail -n 1)
		[ -n "$n" ] || { fail "op $i: registered, but printed no number"; continue; }
		grep -qx "$n" "$T/completed" && fail "op $i: version $n handed out twice"
		echo "$n" >>"$T/completed" ;;
	2/0) echo "$v Approved" >>"$T/status"
		grep -vx "$v" "$T/uncertain" >"$T/u2"; mv "$T/u2" "$T/uncertain" ;;
	3/0) echo "$v Rejected" >>"$T/status"
		grep -vx "$v" "$T/uncertain" >"$T/u2"; mv "$T/u2" "$T/uncertain" ;;
	[23]/2)
		# Refused: already in that status (or repaired into it by this
		# very writer); any other reason is a failure.
		grep -q 'already' "$T/err" || fail "op $i: $(cat "$T/err")" ;;
	*) fail "op $i (kind $op): exit $rc: $(cat "$T/err")" ;;
	esac
done

"$FT_BIN" registry verify --registry "$R" >"$T/verify1" 2>&1
before=$?
# One uninterrupted writer repairs whatever the last kill left behind.
"$FT_BIN" run --quiet --registry "$R" --set registry.group=g "$T/gen.csv" >"$T/out" 2>"$T/err" ||
	fail "final registration: $(cat "$T/err")"
grep -o '[0-9][0-9]*' "$T/out" | tail -n 1 >>"$T/completed"
"$FT_BIN" registry verify --registry "$R" >"$T/verify2" 2>&1 ||
	fail "verify after the kills: $(cat "$T/verify2")"

for n in $(cat "$T/completed"); do
	[ -f "$R/g/$n/manifest.json" ] || fail "completed registration $n is missing"
done
[ "$(sort -n "$T/completed" | uniq -d)" = "" ] || fail "a version number was reused"
[ -z "$(ls -A "$R/g/.staging" 2>/dev/null)" ] || fail "staging left behind"
# Audit: exactly one "registered" line per version directory.
for d in "$R"/g/[0-9]*; do
	n=${d##*/}
	c=$(grep -c "\"event\":\"registered\",\"version\":$n," "$R/g/audit.jsonl")
	[ "$c" = 1 ] || fail "version $n has $c registered lines"
done
# Completed status changes stand unless a later one on that version was killed.
awk '{ last[$1] = $2 } END { for (v in last) print v, last[v] }' "$T/status" |
while read -r v want; do
	grep -qx "$v" "$T/uncertain" && continue
	got=$(tr -d ' \t\n' <"$R/g/$v/manifest.json" | grep -o '"status":"[A-Za-z]*"')
	[ "$got" = "\"status\":\"$want\"" ] || echo "version $v is $got, expected $want"
done >"$T/statusdiff"
[ -s "$T/statusdiff" ] && fail "$(cat "$T/statusdiff")"

total=$(ls -d "$R"/g/[0-9]* | wc -l)
if [ $before -ne 0 ]; then
	echo "note: verify straight after the last kill (before any repair): $(head -n 3 "$T/verify1")"
fi
echo "faults_kill: $N operations, $killed killed, $(wc -l <"$T/completed") completed registrations, $total versions"
[ $fails -eq 0 ]
