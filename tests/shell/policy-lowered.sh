#!/bin/sh
# policy-lowered.sh: lowering a group's policy after a registration never
# lowers what that version must meet to be approved. Four-eyes switched
# off, or a minimum gate relaxed, after a version was registered still
# binds its approval (the registrant approving their own version is
# refused); a version registered after the change answers to the new one.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-pol.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
data=$FT_SRCDIR/data/transactions.csv
R=$tmp/reg
unset FRAUDTREE_REGISTRY
export USER=alice
ft() {
	want=$1
	shift
	"$FT_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || { fail "$*: exit $got, expected $want: $(cat "$tmp/err")"; }
}
run() { "$FT_BIN" run --quiet --registry "$R" --set registry.group=g "$@" "$data" >/dev/null 2>&1; }

ft 0 registry policy g --four-eyes on --reason "committee" --registry "$R"
run || fail "register g/1"
# alice registered g/1; she turns four-eyes off and approves it herself.
ft 0 registry policy g --four-eyes off --reason "in a hurry" --registry "$R"
"$FT_BIN" registry approve g/1 --reason "mine" --registry "$R" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || [ $rc -eq 1 ] || fail "self-approval after lowering four-eyes: exit $rc"
grep -q "four eyes" "$tmp/err" || fail "the refusal does not say four eyes: $(cat "$tmp/err")"
"$FT_BIN" registry show g/1 --registry "$R" >"$tmp/out" 2>&1
grep -q 'PendingManualApproval' "$tmp/out" || fail "g/1 was approved: $(head -n 1 "$tmp/out")"
# Another user may approve it.
USER=bob ft 0 registry approve g/1 --reason "reviewed" --registry "$R"
# Registered after the change: four-eyes is off for g/2.
run || fail "register g/2"
ft 0 registry approve g/2 --reason "policy allows" --registry "$R"

# A minimum gate relaxed after registration still binds: a policy the
# version could never meet, set then lowered, refuses the approval.
ft 0 registry policy g --gate "accuracy>=0.999999" --reason "strict" --registry "$R" 2>/dev/null
if run; then
	fail "a registration below the strict policy was accepted"
fi
ft 0 registry policy g --gate "none" --reason "open" --registry "$R"
run || fail "register g/3"
ft 0 registry policy g --gate "recall>=0.999999" --reason "strict again" --registry "$R"
ft 0 registry policy g --gate "none" --reason "open again" --registry "$R"
"$FT_BIN" registry approve g/3 --reason "lowered" --registry "$R" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] || fail "approval after a policy gate was raised and lowered again passed"
grep -q 'recall' "$tmp/err" || fail "the refusal does not name the condition: $(cat "$tmp/err")"
"$FT_BIN" registry verify --registry "$R" >"$tmp/out" 2>&1 || fail "verify: $(cat "$tmp/out")"

[ $fails -eq 0 ] && echo "policy-lowered: ok"
[ $fails -eq 0 ]
