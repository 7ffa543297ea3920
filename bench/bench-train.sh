#!/bin/sh
# bench-train.sh: training speed and parity against scikit-learn's
# DecisionTreeClassifier.fit.
#
# Usage: bench/bench-train.sh [ROWS] [MAX_DEPTH]      (defaults 1000000, 10)
# Environment: FT_BUILDDIR  build directory holding bench/train_bench
#                           (built by `make check` or `make bench`)
#              PYTHON       a python3 with numpy and scikit-learn
#              THREADS      threads for fraudtree (0: all cores)
# Under `make bench` (bench/run.sh) it also records a summary row.
#
# Both sides fit the same float32 matrix (train_sklearn.py writes it: ROWS
# generated rows, positives oversampled to 0.2 of the negatives) and are
# scored on the same untouched test matrix. Prints both fit times, the
# ratio, and the accuracy and recall of each; exits 1 if the speed-up is
# under 20x or either metric differs by more than 1.5 points.
set -eu

rows=${1:-1000000}
depth=${2:-10}
py=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
build=${FT_BUILDDIR:-.}
bin=$build/bench/train_bench
if [ ! -x "$bin" ]; then
	echo "  bench-train: $bin not found (run: make bench/train_bench)" >&2
	exit 2
fi
if ! "$py" -c 'import numpy, sklearn' 2>/dev/null; then
	echo "  skipped: $py lacks numpy or scikit-learn (set PYTHON)"
	[ -n "${BENCH_SUMMARY:-}" ] && exit 0
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

sk=$("$py" "$here/train_sklearn.py" --rows "$rows" --max-depth "$depth" --out "$tmp" 2>"$tmp/shape")
ft=$("$bin" "$tmp/train.bin" "$tmp/test.bin" "$depth" "${THREADS:-0}" gini)

field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

echo "  matrix: $(cat "$tmp/shape"), depth $depth"
echo "  scikit-learn: $sk"
echo "  fraudtree:    $ft"
if [ -n "${BENCH_SUMMARY:-}" ]; then
	printf '%s\t%s\t-\t%s\t-\n' "train: sklearn fit (depth $depth)" \
		"$(field "$ft" fit_seconds)" "$(field "$sk" fit_seconds)" >>"$BENCH_SUMMARY"
fi
awk -v skt="$(field "$sk" fit_seconds)" -v ftt="$(field "$ft" fit_seconds)" \
    -v ska="$(field "$sk" accuracy)" -v fta="$(field "$ft" accuracy)" \
    -v skr="$(field "$sk" recall)" -v ftr="$(field "$ft" recall)" 'BEGIN {
	ratio = skt / (ftt > 0 ? ftt : 1e-9)
	da = 100 * (fta - ska); dr = 100 * (ftr - skr)
	printf "  speed-up: %.1fx (fit %.3f s vs %.3f s)\n", ratio, ftt, skt
	printf "  parity: accuracy %+.2f points, recall %+.2f points (limit 1.5)\n", da, dr
	ok = ratio >= 20 && da <= 1.5 && da >= -1.5 && dr <= 1.5 && dr >= -1.5
	print ok ? "  PASS" : "  FAIL"
	exit ok ? 0 : 1
}'
