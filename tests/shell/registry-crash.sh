#!/bin/sh
# registry-crash.sh: a process killed at any point of a registration or a
# status change leaves no visible partial version, and the next write
# repairs what it left (FRAUDTREE_FAULT, built with --enable-test-hooks).
. "$FT_SRCDIR/tests/shell/registry-lib.sh"

# Does this build honour fault points at all?
FRAUDTREE_FAULT=after-lock "$STRESS" publish "$T/probe" g "$T/data.csv" >/dev/null 2>&1
[ $? -gt 128 ] || { echo "skip: built without test hooks"; exit 77; }

for point in after-lock mid-staging before-rename after-rename before-audit after-audit; do
	R="$T/reg-$point"
	publish "$R" g >/dev/null
	FRAUDTREE_FAULT=$point "$STRESS" publish "$R" g "$T/data.csv" >/dev/null 2>&1
	[ $? -gt 128 ] || fail "$point: the process was not killed"
	# No partial version is ever visible: each is listed intact or absent.
	expect 0 "$FT_BIN" registry list g --registry "$R"
	lacks "$T/out" DAMAGED
	case $point in
	after-rename | before-audit | after-audit) want=2 ;;
	*) want=1 ;;
	esac
	[ "$(grep -c PendingManualApproval "$T/out")" = $want ] || fail "$point: not $want versions"
	[ ! -e "$R/g/3" ] || fail "$point: a version too many"
	# Before the repair, verify names exactly what was left: the missing
	# audit line, or the stale stage.
	case $point in
	after-rename | before-audit)
		expect 2 "$FT_BIN" registry verify --registry "$R"
		has "$T/out" "version 2 has no \"registered\" line"
		;;
	mid-staging | before-rename)
		expect 2 "$FT_BIN" registry verify --registry "$R"
		has "$T/out" "stale staging entry"
		[ "$(wc -l <"$T/out")" = 1 ] || fail "$point: verify says more: $(cat "$T/out")"
		;;
	*)
		expect 0 "$FT_BIN" registry verify --registry "$R"
		;;
	esac
	# The next registration works, takes the next number and repairs.
	v=$(publish "$R" g)
	[ "$v" = $((want + 1)) ] || fail "$point: next version is $v"
	expect 0 "$FT_BIN" registry verify --registry "$R"
	[ -z "$(ls "$R/g/.staging")" ] || fail "$point: staging left behind"
	[ "$(grep -c '"event":"registered"' "$R/g/audit.jsonl")" = "$v" ] ||
		fail "$point: not one registered line per version"
done

# A status change killed between its audit line and its manifest: the log
# is the record, so the next write brings the manifest up to it.
for point in before-manifest after-manifest; do
	R="$T/status-$point"
	publish "$R" g >/dev/null
	FRAUDTREE_FAULT=$point "$FT_BIN" registry approve g/1 --reason "ok" --registry "$R" >/dev/null 2>&1
	[ $? -gt 128 ] || fail "$point: the process was not killed"
	if [ $point = before-manifest ]; then
		expect 2 "$FT_BIN" registry verify --registry "$R"
		has "$T/out" "differs from the audit log's Approved"
	fi
	ls "$R/g/1" | grep -q tmp && [ $point = after-manifest ] && fail "temporary manifest left"
	publish "$R" g >/dev/null
	expect 0 "$FT_BIN" registry verify --registry "$R"
	expect 0 "$FT_BIN" registry show g/1 --registry "$R"
	has "$T/out" "g/1  Approved"
	[ -z "$(ls "$R/g/1" | grep tmp)" ] || fail "$point: temporary manifest left"
done
exit 0
