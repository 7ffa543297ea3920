#!/bin/sh
# fuzz_replay.sh: every libFuzzer harness, built with fuzz/replay.c's main
# in an ordinary build, runs once over its seed corpus (fuzz/corpus/NAME):
# the harnesses keep building against the engine, and no seed crashes.
set -u
: "${FT_SRCDIR:?}"
B=${FT_BUILDDIR:-.}
T=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-replay.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
export TMPDIR="$T"
fails=0
for h in csv settings filter model manifest audit registry_tree; do
	bin=$B/fuzz/fuzz_$h
	seeds=$FT_SRCDIR/fuzz/corpus/$h
	[ -x "$bin" ] || { echo "FAIL: $bin was not built"; fails=$((fails + 1)); continue; }
	[ -d "$seeds" ] || { echo "FAIL: no seed corpus $seeds"; fails=$((fails + 1)); continue; }
	if ! "$bin" "$seeds" >"$T/out" 2>&1; then
		echo "FAIL: fuzz_$h on its seeds: $(tail -n 3 "$T/out")"
		fails=$((fails + 1))
	fi
	grep -q ' [1-9][0-9]* inputs replayed' "$T/out" ||
		{ echo "FAIL: fuzz_$h replayed nothing: $(cat "$T/out")"; fails=$((fails + 1)); }
done
[ $fails -eq 0 ] && echo "fuzz_replay: ok"
[ $fails -eq 0 ]
