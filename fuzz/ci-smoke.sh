#!/bin/sh
# ci-smoke.sh: configure a separate build with clang and --enable-fuzzing,
# build the libFuzzer harnesses and run `make fuzz-smoke` (each harness for
# FUZZ_SECONDS, default 12). Usage: fuzz/ci-smoke.sh [BUILDDIR]
# The source tree must not be configured in place (autotools refuse a
# second, out-of-tree build then): call this before an in-tree configure.
# Exit status: 0 clean, 1 a harness found something, 2 setup failed,
# 77 no clang here.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
CC=${CC_FUZZ:-clang}
command -v "$CC" >/dev/null 2>&1 || { echo "fuzz smoke: $CC not found, skipped"; exit 77; }
[ -x "$src/configure" ] || { echo "fuzz smoke: run ./bootstrap first" >&2; exit 2; }
if [ -f "$src/config.status" ]; then
	echo "fuzz smoke: $src is configured in place; run it before that (or after make distclean)" >&2
	exit 2
fi
build=${1:-}
if [ -z "$build" ]; then
	build=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-fuzz.XXXXXX")
	trap 'rm -rf "$build"' EXIT
fi
mkdir -p "$build"
cd "$build"
"$src/configure" -q CC="$CC" --enable-fuzzing --enable-test-hooks || exit 2
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
make -s -j"$jobs" fuzz/fuzz_csv fuzz/fuzz_settings fuzz/fuzz_model \
	fuzz/fuzz_manifest fuzz/fuzz_audit fuzz/fuzz_filter || exit 2
set +e
make -s fuzz-smoke FUZZ_SECONDS="${FUZZ_SECONDS:-12}"
rc=$?
[ $rc -eq 0 ] || exit 1
