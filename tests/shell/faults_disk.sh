#!/bin/sh
# faults_disk.sh: a full disk and a read-only registry. Registering or
# approving must fail with a message that says why, leave nothing partial
# where readers look, and keep earlier versions intact and verifiable.
#
# Needs root and mount namespaces (unshare -m): the registry lives on a small
# tmpfs mounted in a private namespace, so nothing outside this test sees it
# and it disappears with the test. Skips (77) where that is impossible.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"

if [ "${FT_FAULTS_INSIDE:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1; then
		echo "skip: needs root and unshare to mount a small tmpfs"
		exit 77
	fi
	if ! unshare -m true 2>/dev/null; then
		echo "skip: cannot create a mount namespace here"
		exit 77
	fi
	FT_FAULTS_INSIDE=1 exec unshare -m --propagation private "${SHELL:-/bin/sh}" "$0" "$@"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-faults.XXXXXX") || exit 1
M=$T/mnt
mkdir -p "$M"
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT
unset FRAUDTREE_REGISTRY FRAUDTREE_FAULT
export USER=tester
if ! mount -t tmpfs -o size=1m,nr_inodes=400 tmpfs "$M" 2>/dev/null; then
	echo "skip: cannot mount a tmpfs"
	exit 77
fi

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$FT_BIN" gen --rows 300 --seed 1 --fraud-rate 0.3 >"$T/gen.csv" || exit 1
R=$M/reg

register() {
	"$FT_BIN" run --quiet --registry "$R" --set registry.group=g "$T/gen.csv" \
		>"$T/out" 2>"$T/err"
}

# versions listed intact by `registry list`, one number per line
intact_versions() {
	"$FT_BIN" registry list g --registry "$R" --json 2>/dev/null |
		tr -d ' \t\n' | grep -o '"version":[0-9]*' | cut -d: -f2
}

# check WHAT N: exactly versions 1..N are present, whole and verified, and
# the staging area is empty.
check() {
	"$FT_BIN" registry verify --registry "$R" >"$T/vout" 2>&1 ||
		fail "$1: verify found problems: $(cat "$T/vout")"
	i=1
	while [ $i -le "$2" ]; do
		[ -f "$R/g/$i/manifest.json" ] || fail "$1: version $i is missing"
		i=$((i + 1))
	done
	[ ! -e "$R/g/$i" ] || fail "$1: version $i appeared"
	if [ -d "$R/g/.staging" ] && [ -n "$(ls -A "$R/g/.staging")" ]; then
		fail "$1: staging left behind: $(ls -A "$R/g/.staging")"
	fi
	sha256sum "$R/g/1/"*.json | cmp -s - "$T/v1.sums" || fail "$1: version 1 changed"
}

register || { cat "$T/err"; echo "setup: first registration failed"; exit 1; }
sha256sum "$R/g/1/"*.json >"$T/v1.sums"
versions=1

# ---- disk full, at every amount of free space from none up --------------
# The filler takes all the space, then gives back a little more each round,
# so the registration fails at a different point each time (lock, staging,
# each file, the manifest, the audit line) until it finally fits.
nospace=0
free_kb=0
while [ $free_kb -le 96 ]; do
	rm -f "$M/filler"
	dd if=/dev/zero of="$M/filler" bs=4096 2>/dev/null
	truncate -s "-${free_kb}K" "$M/filler"
	if register; then
		versions=$((versions + 1))
		check "free ${free_kb}K (registered)" $versions
	else
		rc=$?
		nospace=$((nospace + 1))
		[ $rc -eq 2 ] || fail "free ${free_kb}K: exit $rc, expected 2"
		grep -q -e 'No space left on device' -e 'Disk quota' "$T/err" ||
			fail "free ${free_kb}K: unclear message: $(cat "$T/err")"
		check "free ${free_kb}K (refused)" $versions
	fi
	free_kb=$((free_kb + 4))
done
[ $nospace -gt 0 ] || fail "the disk never filled up"

# Approving on a full disk: refused with a reason, or done. A refused
# approval must not take effect later either (the next writer repairs the
# registry and must not complete an approval the user was told failed).
rm -f "$M/filler"
dd if=/dev/zero of="$M/filler" bs=4096 2>/dev/null
approved=yes
"$FT_BIN" registry approve g/1 --reason "disk full" --registry "$R" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -ne 0 ]; then
	approved=no
	[ $rc -eq 2 ] || fail "approve on a full disk: exit $rc"
	grep -q 'No space left on device' "$T/err" ||
		fail "approve on a full disk: unclear message: $(cat "$T/err")"
fi
rm -f "$M/filler"
register || fail "registration after the disk was freed: $(cat "$T/err")"
versions=$((versions + 1))
"$FT_BIN" registry verify --registry "$R" >"$T/vout" 2>&1 ||
	fail "after freeing the disk and registering, verify: $(cat "$T/vout")"
status=$("$FT_BIN" registry show g/1 --json --registry "$R" 2>/dev/null | tr -d ' \t\n' |
	grep -o '"status":"[A-Za-z]*"' | head -n 1)
case $approved/$status in
yes/*Approved* | no/*Pending*) ;;
no/*Approved*) fail "an approval refused on a full disk took effect later" ;;
*) fail "version 1 status after the approval attempt ($approved): $status" ;;
esac
got=$(intact_versions | tr '\n' ' ')
want=$(seq 1 $versions | tr '\n' ' ')
[ "$got" = "$want" ] || fail "intact versions are '$got', expected '$want'"

# ---- read-only registry -------------------------------------------------
sha256sum "$R/g/"*/*.json "$R/g/audit.jsonl" >"$T/all.sums"
if mount -o remount,ro "$M" 2>/dev/null; then
	register
	rc=$?
	[ $rc -eq 2 ] || fail "read-only: registration exit $rc, expected 2"
	grep -q 'Read-only file system' "$T/err" ||
		fail "read-only: unclear message: $(cat "$T/err")"
	"$FT_BIN" registry reject g/2 --reason ro --registry "$R" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 2 ] || fail "read-only: reject exit $rc, expected 2"
	grep -q 'Read-only file system' "$T/err" ||
		fail "read-only: reject: unclear message: $(cat "$T/err")"
	# Readers still work on a read-only registry.
	"$FT_BIN" registry verify --registry "$R" >"$T/vout" 2>&1 ||
		fail "read-only: verify: $(cat "$T/vout")"
	"$FT_BIN" registry list g --registry "$R" >/dev/null 2>&1 ||
		fail "read-only: list failed"
	"$FT_BIN" predict g/1 "$T/gen.csv" --registry "$R" >/dev/null 2>"$T/err" ||
		fail "read-only: predict failed: $(cat "$T/err")"
	sha256sum -c --quiet "$T/all.sums" >/dev/null 2>&1 || fail "read-only: files changed"
	mount -o remount,rw "$M"
else
	echo "note: cannot remount read-only; that part skipped"
fi

[ $fails -eq 0 ] && echo "faults_disk: $versions versions, $nospace refused on a full disk"
[ $fails -eq 0 ]
