#!/bin/sh
# fraudtree run registers a model that passes the gate, and only then: the
# version holds the same bytes --out wrote, numbers count up per group, a
# failed gate writes nothing, and a registry that cannot be written is an
# error (exit 2).
. "${FT_SRCDIR:?}/tests/shell/run-lib.sh"
reg=$tmp/reg
group=fraud-detection-model-group

run 0 --quiet --registry "$reg" --description "first try" --out "$tmp/a" "$data"
grep -qx "registered $group/1 (PendingManualApproval)" "$tmp/out" ||
	fail "no registration line: $(cat "$tmp/out")"
v=$reg/$group/1
for f in model.json evaluation.json pipeline.json manifest.json; do
	[ -s "$v/$f" ] || fail "version 1 lacks $f"
done
for f in model.json evaluation.json pipeline.json; do
	cmp -s "$v/$f" "$tmp/a/$f" || fail "registered $f differs from --out"
done
grep -q 'PendingManualApproval' "$v/manifest.json" || fail "status not pending"
grep -q 'first try' "$v/manifest.json" || fail "description not recorded"
# The frame is freed before training; the manifest still counts its rows.
tr -d ' \t\n' <"$v/manifest.json" | grep -q '"rows":5000,"columns":14' ||
	fail "manifest does not record 5000 rows and 14 columns"

# The environment names the registry too; numbers count up.
FRAUDTREE_REGISTRY=$reg run 0 --quiet "$data"
grep -qx "registered $group/2 (PendingManualApproval)" "$tmp/out" ||
	fail "second registration is not version 2: $(cat "$tmp/out")"

# registry.group picks the group.
run 0 --quiet --registry "$reg" --set registry.group=cards-eu "$data"
grep -qx "registered cards-eu/1 (PendingManualApproval)" "$tmp/out" ||
	fail "registry.group not used: $(cat "$tmp/out")"

# A failed gate registers nothing.
run 1 --quiet --registry "$reg" --set 'gate=[{"metric":"recall","op":">","value":1}]' "$data"
[ -e "$reg/$group/3" ] && fail "a failed gate registered version 3"
grep -q registered "$tmp/out" && fail "a failed gate printed a registration"

# --no-register leaves the registry alone.
run 0 --quiet --no-register --registry "$reg" "$data"
[ -e "$reg/$group/3" ] && fail "--no-register registered"

# A registry that cannot be written: error, exit 2.
: >"$tmp/plainfile"
run 2 --quiet --registry "$tmp/plainfile" "$data"
grep -q '^fraudtree: ' "$tmp/err" || fail "registry failure not reported"

[ "$fails" -eq 0 ] || exit 1
exit 0
