#!/bin/sh
# Run libFuzzer harnesses one after another, each for FUZZ_SECONDS (default
# 12), on a scratch copy of its seed corpus (fuzz/corpus/NAME).
#   FUZZ_BUILDDIR   where the harnesses were built (default: .)
#   FUZZ_SECONDS    time per harness
#   FUZZ_WORKDIR    keep grown corpora and crash files here (default: a
#                   temporary directory, removed unless something failed)
#   FUZZ_ARGS       extra libFuzzer flags (e.g. -jobs=2 -workers=2)
# Usage: run.sh fuzz/fuzz_csv fuzz/fuzz_model ...   (build-relative names)
# Exit status 1 when a harness found a crash, leak, timeout or OOM.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${FUZZ_BUILDDIR:-.}
secs=${FUZZ_SECONDS:-12}
keep=${FUZZ_WORKDIR:-}
if [ -n "$keep" ]; then
	work=$keep
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/fuzzsmoke.XXXXXX") || exit 2
fi
# Undefined behaviour is a finding like a crash: stop on it.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS
failed=0
for t in "$@"; do
	name=${t##*/}
	short=${name#fuzz_}
	seeds=$here/corpus/$short
	case $short in
	csv) dict=$here/csv.dict; maxlen=65536 ;;
	filter) dict=$here/filter.dict; maxlen=4200 ;;
	*) dict=$here/json.dict; maxlen=16384 ;;
	esac
	mkdir -p "$work/$short/corpus" "$work/$short/crash"
	echo "== $name: $secs s"
	# shellcheck disable=SC2086
	"$build/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$maxlen" -dict="$dict" -print_final_stats=1 \
		-artifact_prefix="$work/$short/crash/" ${FUZZ_ARGS:-} \
		"$work/$short/corpus" "$seeds" >"$work/$short/log" 2>&1
	rc=$?
	grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb)' \
		"$work/$short/log" | tail -n 3
	if [ $rc -ne 0 ] || [ -n "$(ls "$work/$short/crash")" ]; then
		echo "$name: FAILED (exit $rc); log and inputs in $work/$short" >&2
		grep -E -A 30 '^==[0-9]+==ERROR|runtime error|deadly signal|ERROR: libFuzzer' \
			"$work/$short/log" | head -n 60 >&2
		failed=1
	fi
done
if [ $failed -eq 0 ] && [ -z "$keep" ]; then
	rm -rf "$work"
fi
exit $failed
