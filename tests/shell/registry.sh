#!/bin/sh
# registry.sh: every `fraudtree registry` verb on a small registry.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
R="$T/reg"

[ "$(publish "$R" fraud-group first)" = 1 ] || fail "first version is not 1"
[ "$(publish "$R" fraud-group second)" = 2 ] || fail "second version is not 2"
publish "$R" other >/dev/null

# list: groups, then one group's versions.
expect 0 "$FT_BIN" registry list --registry "$R"
has "$T/out" "GROUP"
grep -q '^fraud-group  *2  *2  *- ' "$T/out" || fail "group line: $(cat "$T/out")"
grep -q '^other  *1  *1  *- ' "$T/out" || fail "other group line"
sum=$(sha256sum "$T/data.csv" | cut -c1-12)
expect 0 "$FT_BIN" registry list fraud-group --registry="$R"
grep -q "^1  *PendingManualApproval  *20[0-9-]*T[0-9:]*Z  *0.9500  *0.6250  *$sum first\$" "$T/out" ||
	fail "version line: $(cat "$T/out")"
[ "$(grep -c PendingManualApproval "$T/out")" = 2 ] || fail "two pending versions"
expect 0 "$FT_BIN" registry list fraud-group --json --registry "$R"
has "$T/out" '"status":	"PendingManualApproval"'
has "$T/out" '"recall":	0.625'

# The registry location: option, then environment, then ./registry.
expect 0 env FRAUDTREE_REGISTRY="$R" "$FT_BIN" registry list
has "$T/out" "fraud-group"
mkdir "$T/cwd" && cp -r "$R" "$T/cwd/registry"
(cd "$T/cwd" && "$FT_BIN" registry list) >"$T/out" || fail "./registry"
has "$T/out" "fraud-group"
expect 0 "$FT_BIN" registry list --registry "$T/empty"
has "$T/out" "no groups"

# show
expect 0 "$FT_BIN" registry show fraud-group/1 --registry "$R"
has "$T/out" "fraud-group/1  PendingManualApproval"
has "$T/out" "by tester"
has "$T/out" "gate         passed"
has "$T/out" "accuracy 0.9 >= 0.85"
grep -q "^  accuracy  *0.9500  *$" "$T/out" || fail "accuracy line"
grep -q "^  majority baseline  *0.9200  *$" "$T/out" || fail "baseline line"
has "$T/out" "intervals: none recorded in evaluation.json"
grep -q '^  actual 0  *90  *2$' "$T/out" || fail "confusion row 0"
grep -q '^  actual 1  *3  *5$' "$T/out" || fail "confusion row 1"
has "$T/out" "5 nodes, 3 leaves, depth 2, threshold 0.5"
has "$T/out" "tree.max_depth = 2"
has "$T/out" "card=debit"
has "$T/out" "registered"
has "$T/out" "$(sha256sum "$T/data.csv" | cut -d' ' -f1)"
expect 0 "$FT_BIN" registry show fraud-group@latest --json --registry "$R"
has "$T/out" '"version":	2'
has "$T/out" '"tp":	5'

# approve / reject: a reason is required; every change is in the history.
expect 2 "$FT_BIN" registry approve fraud-group/1 --registry "$R"
has "$T/err" "--reason"
expect 2 "$FT_BIN" registry approve fraud-group/1 --reason "   " --registry "$R"
has "$T/err" "reason is required"
expect 2 "$FT_BIN" registry show fraud-group@approved --registry "$R"
expect 0 "$FT_BIN" registry approve fraud-group/1 --reason "meets the bar" --registry "$R"
has "$T/out" "fraud-group/1: Approved"
expect 2 "$FT_BIN" registry approve fraud-group/1 --reason again --registry "$R"
has "$T/err" "already Approved"
expect 0 "$FT_BIN" registry reject fraud-group/2 --reason "recall too low" --user alice --registry "$R"
expect 0 "$FT_BIN" registry reject fraud-group/1 --reason "drift" --registry "$R"
expect 0 "$FT_BIN" registry approve fraud-group/1 --reason "drift was a data bug" --registry "$R"
expect 0 "$FT_BIN" registry show fraud-group@approved --registry "$R"
has "$T/out" "fraud-group/1  Approved"
has "$T/out" "PendingManualApproval -> Approved  meets the bar"
has "$T/out" "Approved -> Rejected  drift"
has "$T/out" "Rejected -> Approved  drift was a data bug"
expect 0 "$FT_BIN" registry show fraud-group/2 --registry "$R"
has "$T/out" "alice"
[ "$(wc -l <"$R/fraud-group/audit.jsonl")" = 6 ] || fail "six audit lines"
expect 0 "$FT_BIN" registry list --registry "$R"
grep -q '^fraud-group  *2  *2  *1 ' "$T/out" || fail "approved column: $(cat "$T/out")"

# diff: only what differs.
expect 0 "$FT_BIN" registry diff fraud-group/1 fraud-group/2 --registry "$R"
has "$T/out" "status     status: Approved -> Rejected"
[ "$(wc -l <"$T/out")" = 2 ] || fail "diff shows more than the status: $(cat "$T/out")"
expect 0 "$FT_BIN" registry diff fraud-group/2 fraud-group@latest --registry "$R"
has "$T/out" "do not differ"
expect 0 "$FT_BIN" registry diff fraud-group/1 other/1 --json --registry "$R"
has "$T/out" '"kind":	"status"'

# verify
expect 0 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "no problems found"
expect 0 "$FT_BIN" registry verify other --registry "$R"

# Nothing typed reaches outside the registry.
for ref in ../fraud-group/1 fraud-group/0 fraud-group/01 fraud-group/x fraud-group \
	"fraud-group/1/../../x" /etc/1 "fraud-group@first" ".staging/1"; do
	expect 2 "$FT_BIN" registry show "$ref" --registry "$R"
done
expect 2 "$FT_BIN" registry list ../reg --registry "$R"
expect 2 "$FT_BIN" registry approve ../x/1 --reason r --registry "$R"
expect 2 "$FT_BIN" registry show nosuch/1 --registry "$R"
expect 2 "$FT_BIN" registry verify nosuch --registry "$R"
expect 2 "$FT_BIN" registry frobnicate --registry "$R"
expect 2 "$FT_BIN" registry list --bogus
expect 0 "$FT_BIN" registry --help
[ ! -e "$T/x" ] || fail "something was written outside the registry"

# Output that cannot be written (a full disk) is an error, not a silent success.
if [ -c /dev/full ]; then
	for verb in "list" "list fraud-group --json" "show fraud-group/1" "diff fraud-group/1 fraud-group/2"; do
		# shellcheck disable=SC2086 # the verb's words are meant to split
		"$FT_BIN" registry $verb --registry "$R" >/dev/full 2>"$T/err" &&
			fail "registry $verb: exit 0 with the output lost"
		has "$T/err" "No space left on device"
	done
fi

# Modes: 0644 files and 0755 directories under umask 022; umask narrows them.
[ "$(stat -c %a "$R/fraud-group/1")" = 755 ] || fail "version directory mode"
[ "$(stat -c %a "$R/fraud-group/1/model.json")" = 644 ] || fail "file mode"
[ "$(stat -c %a "$R/fraud-group/1/manifest.json")" = 644 ] || fail "rewritten manifest mode"
(umask 077 && "$STRESS" publish "$R" private "$T/data.csv" >/dev/null) || fail "publish"
[ "$(stat -c %a "$R/private/1")" = 700 ] || fail "umask on directories"
[ "$(stat -c %a "$R/private/1/model.json")" = 600 ] || fail "umask on files"
exit 0
