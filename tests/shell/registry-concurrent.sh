#!/bin/sh
# registry-concurrent.sh: eight processes registering into one group at
# once get versions 1..8, none lost or duplicated, with eight intact audit
# lines; then the same through `fraudtree run` when a run can pass the gate.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
R="$T/reg"

check_group() {
	group=$1
	n=$2
	i=1
	while [ $i -le "$n" ]; do
		[ -f "$R/$group/$i/manifest.json" ] || fail "$group/$i is missing"
		[ "$(grep -c "\"event\":\"registered\",\"version\":$i," "$R/$group/audit.jsonl")" = 1 ] ||
			fail "$group/$i is not registered exactly once in the audit log"
		i=$((i + 1))
	done
	[ ! -e "$R/$group/$i" ] || fail "$group has more than $n versions"
	[ "$(wc -l <"$R/$group/audit.jsonl")" = "$n" ] || fail "$group: not $n audit lines"
	expect 0 "$FT_BIN" registry verify "$group" --registry "$R"
	[ -z "$(ls "$R/$group/.staging")" ] || fail "$group: staging left behind"
}

for round in 1 2 3; do
	pids=
	for k in 1 2 3 4 5 6 7 8; do
		"$STRESS" publish "$R" "busy$round" "$T/data.csv" "writer $k" >"$T/v.$round.$k" &
		pids="$pids $!"
	done
	for p in $pids; do
		wait "$p" || fail "a registration failed"
	done
	cat "$T"/v.$round.* | sort -n | tr '\n' ' ' >"$T/versions"
	[ "$(cat "$T/versions")" = "1 2 3 4 5 6 7 8 " ] || fail "versions: $(cat "$T/versions")"
	check_group "busy$round" 8
done

# The same through the real binary, when a pipeline run can register.
"$FT_BIN" gen --rows 3000 --seed 5 >"$T/tx.csv" 2>/dev/null || exit 0
"$FT_BIN" run --registry "$T/probe" --set registry.group=probe "$T/tx.csv" >/dev/null 2>&1 || exit 0
pids=
for k in 1 2 3 4 5 6 7 8; do
	"$FT_BIN" run --registry "$R" --set registry.group=runs "$T/tx.csv" >/dev/null 2>&1 &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "a run failed"
done
check_group runs 8
exit 0
