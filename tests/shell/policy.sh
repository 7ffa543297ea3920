#!/bin/sh
# The group policy and the champion: `registry policy` sets and prints it,
# audited; a registration must meet it whatever its own gate (refused,
# naming the condition, nothing written); four-eyes refuses the
# registrant's approval; `registry show` flags a lowered gate; aliases
# resolve as GROUP@champion, `approve --promote` moves it; must-beat
# refuses a weaker challenger; `registry compare` names the better version.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
data=$FT_SRCDIR/data/transactions.csv
reg=$tmp/registry
# ft EXPECTED ARGS...: stdout to $tmp/out, stderr to $tmp/err
ft() {
	want=$1
	shift
	"$FT_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$*: exit $got, expected $want"
		sed 's/^/  | /' "$tmp/err" "$tmp/out" >&2
	fi
}
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

ft 0 registry --registry "$reg" policy g
grep -qxF 'g: no policy (a registration meets only its run'"'"'s gate)' "$tmp/out" ||
	fail "no policy is not said: $(cat "$tmp/out")"

# Bad arguments change nothing.
for bad in "--gate speed>=1 --reason r" "--four-eyes maybe --reason r" \
	"--must-beat everyone --reason r" "--four-eyes on" "--reason r"; do
	# shellcheck disable=SC2086
	ft 2 registry --registry "$reg" policy g $bad
	[ -e "$reg/g/audit.jsonl" ] && fail "policy $bad wrote the audit log"
done
ft 2 registry --registry "$reg" policy g --gate 'speed>=1' --reason r
grep -q "^fraudtree: --gate: expected a metric name (.*), got \"speed\"$" "$tmp/err" ||
	fail "a bad policy gate: $(cat "$tmp/err")"

# A policy the run cannot meet refuses it, whatever the run's own gate.
ft 0 registry --registry "$reg" policy g --gate 'recall.lower>=0.99,alerts<=500' \
	--four-eyes on --reason "risk committee" --user alice
grep -qxF '  gate       recall.lower>=0.99,alerts<=500' "$tmp/out" || fail "policy not printed"
grep -qxF '  four-eyes  on' "$tmp/out" || fail "four-eyes not printed"
grep -q '"event":"policy","version":0,"from":null,"to":"gate=recall.lower>=0.99,alerts<=500; four_eyes=on; must_beat=none","reason":"risk committee"' \
	"$reg/g/audit.jsonl" || fail "the policy change is not audited"
ft 1 run --registry "$reg" -q --set registry.group=g --set 'gate=accuracy>=0.5' "$data"
grep -q "^fraudtree: $reg/g: refused by the group's policy: recall.lower [0-9.]* is not >= 0.99$" \
	"$tmp/err" || fail "the refusal does not name the condition: $(cat "$tmp/err")"
[ -e "$reg/g/1" ] && fail "a refused registration wrote a version"
# A policy it meets: registered; show flags the lowered gate.
ft 0 registry --registry "$reg" policy g --gate 'recall>=0.1' --reason "relaxed" --user alice
USER=alice ft 0 run --registry "$reg" -q --set registry.group=g --set 'gate=accuracy>=0.8' "$data"
grep -qxF 'registered g/1 (PendingManualApproval)' "$tmp/out" || fail "not registered: $(cat "$tmp/out")"
ft 0 registry --registry "$reg" show g/1
grep -qxF "  ! gate lacks the policy's recall>=0.1" "$tmp/out" || fail "policy gap not flagged"
grep -qxF '  ! gate accuracy>=0.8 is weaker than the default accuracy>=0.85' "$tmp/out" ||
	fail "a lowered gate is not flagged: $(sed -n '/^flags/,$p' "$tmp/out")"
ft 0 registry --registry "$reg" show g/1 --json
grep -qF '"flags":' "$tmp/out" || fail "show --json lacks the flags"
# The model card carries the same flags, in both formats.
for f in md html; do
	ft 0 registry --registry "$reg" card g/1 --format $f
	grep -qF "gate lacks the policy&#39;s recall&gt;=0.1" "$tmp/out" ||
		grep -qF "gate lacks the policy's recall>=0.1" "$tmp/out" ||
		fail "the $f card does not flag the policy gap"
	grep -qF 'is weaker than the default accuracy' "$tmp/out" ||
		fail "the $f card does not flag the lowered gate"
done

# Four eyes: the registrant cannot approve.
ft 2 registry --registry "$reg" approve g/1 --reason mine --user alice
grep -qxF "fraudtree: g/1: the group's policy wants four eyes: alice registered it, so another user must approve it" \
	"$tmp/err" || fail "four-eyes: $(cat "$tmp/err")"
USER=alice ft 2 registry --registry "$reg" approve g/1 --reason mine
ft 0 registry --registry "$reg" list g
grep -q 'PendingManualApproval' "$tmp/out" || fail "a refused approval changed the status"

# Aliases: only an approved version is the champion; approve --promote.
ft 2 registry --registry "$reg" alias g champion 1 --reason first --user bob
grep -qF 'only an approved version can be the champion' "$tmp/err" || fail "pending champion: $(cat "$tmp/err")"
ft 2 registry --registry "$reg" show g@champion
grep -qF 'no version is g@champion' "$tmp/err" || fail "unset alias: $(cat "$tmp/err")"
ft 0 registry --registry "$reg" approve g/1 --promote --reason "four eyes" --user bob
grep -qxF 'g@champion: g/1' "$tmp/out" || fail "--promote did not move the champion"
ft 0 registry --registry "$reg" show g@champion
head -n 1 "$tmp/out" | grep -qxF 'g/1  Approved' || fail "g@champion does not resolve"
ft 0 predict g@champion "$data" -o "$tmp/scored.csv" --registry "$reg"
ft 0 registry --registry "$reg" alias g canary 1 --reason "a second name" --user bob
ft 2 registry --registry "$reg" alias g latest 1 --reason r
ft 2 registry --registry "$reg" alias g Champion 1 --reason r
grep -q '"event":"alias","version":1,"from":null,"to":"champion"' "$reg/g/audit.jsonl" ||
	fail "the alias is not audited"
ft 2 registry --registry "$reg" reject g/1 --reason "no" --user bob
grep -qF 'g/1: is g@champion; point the champion at another approved version' "$tmp/err" ||
	fail "the champion was rejected: $(cat "$tmp/err")"
ft 0 registry --registry "$reg" verify g

# A policy change killed between its audit line and group.json: verify
# says so (only with --enable-test-hooks builds, which honour fault points).
cp -R "$reg" "$tmp/killed"
FRAUDTREE_FAULT=group-after-audit "$FT_BIN" registry --registry "$tmp/killed" policy g \
	--four-eyes off --reason "killed" >/dev/null 2>&1
if [ $? -gt 128 ]; then
	ft 2 registry --registry "$tmp/killed" verify g
	grep -qF 'differs from the audit log'"'"'s last policy change' "$tmp/out" ||
		fail "an interrupted policy change is not reported: $(cat "$tmp/out")"
fi

# Must beat the champion: a one-split tree does not.
before=$(lines "$reg/g/audit.jsonl")
ft 0 registry --registry "$reg" policy g --must-beat champion --reason "challengers" --user alice
ft 1 run --registry "$reg" -q --set registry.group=g --set tree.max_depth=1 \
	--set 'gate=recall>=0.1' "$data"
grep -q "refused by the group's policy: it must beat g@champion (g/1) on [0-9]* rows: neither its recall" \
	"$tmp/err" || fail "must-beat: $(cat "$tmp/err")"
[ -e "$reg/g/2" ] && fail "a refused challenger was registered"
[ "$(lines "$reg/g/audit.jsonl")" -eq $((before + 1)) ] || fail "a refusal wrote the audit log"

# compare: two versions on a holdout neither trained on; the better named.
ft 0 run --registry "$reg" -q --set registry.group=c --set tree.max_depth=1 \
	--set 'gate=accuracy>=0.5' "$data"
ft 0 run --registry "$reg" -q --set registry.group=c "$data"
"$FT_BIN" gen --rows 20000 --seed 5 >"$tmp/hold.csv"
ft 0 registry --registry "$reg" compare c/1 c/2 "$tmp/hold.csv"
grep -qF 'rows: 20000 (every labelled row: neither version was trained on this file)' "$tmp/out" ||
	fail "compare rows: $(grep rows "$tmp/out")"
for pat in 'amount: TransactionAmt' '  A    TN ' '  B    TN ' 'net_savings' 'amount_caught' \
	"McNemar's exact test" 'verdict: B beats A: recall'; do
	grep -qF "$pat" "$tmp/out" || fail "compare lacks '$pat'"
done
ft 0 registry --registry "$reg" compare c/2 c/1 "$tmp/hold.csv"
grep -qF 'verdict: A beats B: recall' "$tmp/out" || fail "compare is not symmetric"
# on the training file itself: only rows both test splits hold
ft 0 registry --registry "$reg" compare c/1 c/2 "$data"
grep -qF 'both versions were trained on this file: only rows in both test splits' "$tmp/out" ||
	fail "training overlap not said: $(grep rows "$tmp/out")"
ft 2 registry --registry "$reg" compare c/1 c/9 "$data"
ft 2 registry --registry "$reg" compare c/1 c/2 "$tmp/nosuch.csv"

# A gate raised after a registration holds at its approval, named once.
ft 0 registry --registry "$reg" policy c --gate 'precision>=0.9999' --reason "raised" --user bob
ft 2 registry --registry "$reg" approve c/2 --reason ok --user carol
grep -q "^fraudtree: c/2: refused by the group's policy: precision [0-9.]* is not >= 0.9999$" \
	"$tmp/err" || fail "a raised gate at approval: $(cat "$tmp/err")"

exit $((fails > 0))
