#!/bin/sh
# faults_concurrent.sh: 16 writers on one group at once, registrations and
# status changes mixed (through `fraudtree run`, `fraudtree registry
# approve|reject` and, when built, the registry driver). No version may be
# lost or handed out twice, every audit line must be whole and parseable,
# and the audit log must hold exactly one line per successful write.
# FT_CONCURRENT_ROUNDS sets the number of rounds (default 2).
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
ROUNDS=${FT_CONCURRENT_ROUNDS:-2}
STRESS=${FT_BUILDDIR:-.}/tests/unit/registry_stress
[ -x "$STRESS" ] || STRESS=
T=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-conc.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
unset FRAUDTREE_REGISTRY FRAUDTREE_FAULT
export USER=tester
R=$T/reg
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$FT_BIN" gen --rows 300 --seed 1 --fraud-rate 0.3 >"$T/gen.csv" || exit 1
for k in 1 2 3 4; do
	"$FT_BIN" run --quiet --registry "$R" --set registry.group=g "$T/gen.csv" >"$T/out" 2>&1 ||
		{ cat "$T/out"; echo "setup: the pipeline does not pass the gate"; exit 1; }
done
versions=4
writes=4

round=0
while [ $round -lt "$ROUNDS" ]; do
	round=$((round + 1))
	pids=
	w=0
	while [ $w -lt 16 ]; do
		w=$((w + 1))
		v=$(( (w + round) % versions + 1 ))
		case $((w % 4)) in
		0) "$FT_BIN" run --quiet --registry "$R" --set registry.group=g \
			"$T/gen.csv" >"$T/out.$w" 2>"$T/err.$w" & ;;
		1) if [ -n "$STRESS" ]; then
			"$STRESS" publish "$R" g "$T/gen.csv" "writer $w" >"$T/out.$w" 2>"$T/err.$w" &
		   else
			"$FT_BIN" run --quiet --registry "$R" --set registry.group=g \
				"$T/gen.csv" >"$T/out.$w" 2>"$T/err.$w" &
		   fi ;;
		2) "$FT_BIN" registry approve "g/$v" --reason "writer $w" --registry "$R" \
			>"$T/out.$w" 2>"$T/err.$w" & ;;
		3) "$FT_BIN" registry reject "g/$v" --reason "writer $w" --registry "$R" \
			>"$T/out.$w" 2>"$T/err.$w" & ;;
		esac
		pids="$pids $!"
	done
	w=0
	for pid in $pids; do
		w=$((w + 1))
		wait "$pid"
		rc=$?
		case $((w % 4))/$rc in
		[01]/0) versions=$((versions + 1)); writes=$((writes + 1)) ;;
		[23]/0) writes=$((writes + 1)) ;;
		[23]/2) grep -q 'already' "$T/err.$w" ||
			fail "round $round writer $w: $(cat "$T/err.$w")" ;;
		*) fail "round $round writer $w: exit $rc: $(cat "$T/err.$w")" ;;
		esac
	done
	# Every version 1..versions exists, once; nothing beyond.
	i=1
	while [ $i -le $versions ]; do
		[ -f "$R/g/$i/manifest.json" ] || fail "round $round: version $i missing"
		c=$(grep -c "\"event\":\"registered\",\"version\":$i," "$R/g/audit.jsonl")
		[ "$c" = 1 ] || fail "round $round: version $i has $c registered lines"
		i=$((i + 1))
	done
	[ ! -e "$R/g/$i" ] || fail "round $round: unexpected version $i"
	lines=$(wc -l <"$R/g/audit.jsonl")
	[ "$lines" = $writes ] || fail "round $round: $lines audit lines, expected $writes"
	# Each line is one whole JSON object of the documented shape.
	bad=$(grep -c -v -E '^\{"time":"[0-9T:Z-]+","user":"[^"]*","event":"(registered|approved|rejected)","version":[0-9]+,"from":(null|"[A-Za-z]+"),"to":"[A-Za-z]+","reason":"([^"\\]|\\.)*"\}$' \
		"$R/g/audit.jsonl")
	[ "$bad" = 0 ] || fail "round $round: $bad audit lines malformed"
	"$FT_BIN" registry verify --registry "$R" >"$T/verify" 2>&1 ||
		fail "round $round: verify: $(cat "$T/verify")"
	[ -z "$(ls -A "$R/g/.staging" 2>/dev/null)" ] || fail "round $round: staging left behind"
done
echo "faults_concurrent: $ROUNDS rounds of 16 writers, $versions versions, $writes audit lines"
[ $fails -eq 0 ]
