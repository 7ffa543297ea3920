#!/bin/sh
# registry-versions.sh: a version number is used once, ever; a registration
# always starts PendingManualApproval; a status comes only from the
# version's own audit lines; a failed gate is never approved.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
R="$T/reg"
printf 'amount,card\n1,debit\n' >"$T/in.csv"

# Does this build honour fault points (--enable-test-hooks)?
FRAUDTREE_FAULT=after-lock "$STRESS" publish "$T/probe" g "$T/data.csv" >/dev/null 2>&1
[ $? -gt 128 ] && hooks=yes || hooks=no

# ---- a deleted version's number, and its approval, are never reused ----
publish "$R" g >/dev/null
publish "$R" g >/dev/null
expect 0 "$FT_BIN" registry approve g/2 --reason "reviewed" --registry "$R"
rm -rf "$R/g/2"
if [ $hooks = yes ]; then
	# A registration killed between its rename and its audit line.
	FRAUDTREE_FAULT=after-rename "$STRESS" publish "$R" g "$T/data.csv" >/dev/null 2>&1
	[ -d "$R/g/3" ] || fail "the killed registration did not take number 3"
	[ ! -e "$R/g/2" ] || fail "number 2 was handed out again"
	expect 0 "$FT_BIN" registry list g --registry "$R"
	grep -q '^3  *PendingManualApproval ' "$T/out" || fail "unlogged version 3: $(cat "$T/out")"
	lacks "$T/out" "Approved"
	expect 2 "$FT_BIN" predict g@approved "$T/in.csv" --registry "$R"
	has "$T/err" "no approved version"
	expect 2 "$FT_BIN" registry verify --registry "$R"
	has "$T/out" "version 3 has no \"registered\" line"
	next=4
else
	next=3
fi
[ "$(publish "$R" g)" = $next ] || fail "a deleted version's number was used again"
expect 0 "$FT_BIN" registry show g/$next --registry "$R"
has "$T/out" "g/$next  PendingManualApproval"
lacks "$T/out" "reviewed"
expect 2 "$FT_BIN" predict g@approved "$T/in.csv" --registry "$R"
expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "event for version 2, which does not exist"
lacks "$T/out" "version $next"

# ---- a directory copied in with status Approved and no audit line -------
R2="$T/reg2"
publish "$R2" g >/dev/null
cp -r "$R2/g/1" "$R2/g/2"
sed 's/"version":	1/"version":	2/; s/PendingManualApproval/Approved/' "$R2/g/1/manifest.json" \
	>"$R2/g/2/manifest.json"
expect 0 "$FT_BIN" registry list g --registry "$R2"
grep -q '^2  *PendingManualApproval ' "$T/out" || fail "copied-in Approved version: $(cat "$T/out")"
expect 2 "$FT_BIN" predict g@approved "$T/in.csv" --registry "$R2"
publish "$R2" g >/dev/null
tail -n 2 "$R2/g/audit.jsonl" | head -n 1 >"$T/line"
has "$T/line" '"version":2'
has "$T/line" '"to":"PendingManualApproval"'
lacks "$R2/g/audit.jsonl" '"to":"Approved"'
expect 0 "$FT_BIN" registry verify --registry "$R2"
grep -q '"status":	"PendingManualApproval"' "$R2/g/2/manifest.json" ||
	fail "the copied-in manifest still says Approved"

# A registration line that says Approved is not believed.
R3="$T/reg3"
publish "$R3" g >/dev/null
sed 's/"to":"PendingManualApproval"/"to":"Approved"/' "$R3/g/audit.jsonl" >"$T/forged"
cp "$T/forged" "$R3/g/audit.jsonl"
sed -i 's/PendingManualApproval/Approved/' "$R3/g/1/manifest.json"
expect 2 "$FT_BIN" registry verify --registry "$R3"
has "$T/out" "a registration always goes to PendingManualApproval"
expect 2 "$FT_BIN" predict g@approved "$T/in.csv" --registry "$R3"

# ---- a number reused by hand: its old history is not its own ------------
R4="$T/reg4"
publish "$R4" g >/dev/null
publish "$R4" g >/dev/null
expect 0 "$FT_BIN" registry approve g/2 --reason "the old 2" --registry "$R4"
rm -rf "$R4/g/2"
cp -r "$R4/g/1" "$R4/g/2"
sed 's/"version":	1/"version":	2/; s/"created":	"[^"]*"/"created":	"2030-01-01T00:00:00Z"/' \
	"$R4/g/1/manifest.json" >"$R4/g/2/manifest.json"
expect 0 "$FT_BIN" registry list g --registry "$R4"
grep -q '^2  *DAMAGED .*audit.jsonl: version 2: its audit history starts with a registration' "$T/out" ||
	fail "reused number: $(cat "$T/out")"
expect 2 "$FT_BIN" predict g@approved "$T/in.csv" --registry "$R4"
has "$T/err" "no approved version"
expect 2 "$FT_BIN" registry approve g/2 --reason again --registry "$R4"
has "$T/err" "the number was used before"
expect 2 "$FT_BIN" registry verify --registry "$R4"
has "$T/out" "version 2: its audit history starts with a registration"

# ---- a failed gate is never approved -----------------------------------
R5="$T/reg5"
publish "$R5" g >/dev/null
sed -i 's/"passed":	true/"passed":	false/' "$R5/g/1/manifest.json"
expect 2 "$FT_BIN" registry approve g/1 --reason "looks fine" --registry "$R5"
has "$T/err" "g/1: its manifest says the gate failed"
expect 0 "$FT_BIN" registry reject g/1 --reason "gate failed" --registry "$R5"
expect 2 "$FT_BIN" registry approve g/1 --reason "second try" --registry "$R5"
has "$T/err" "gate failed"
[ "$(grep -c '"event":"approved"' "$R5/g/audit.jsonl")" = 0 ] || fail "a failed gate was approved"
echo ok
