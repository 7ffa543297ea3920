# common.sh: sourced by every bench/bench-*.sh. run.sh sets the environment:
#   FT_BIN          the fraudtree binary under test
#   BENCH_DIR       this directory (scripts, python peers)
#   BENCH_DATA      the generated CSV (BENCH_ROWS rows)
#   BENCH_ROWS      its number of data rows
#   BENCH_TMP       a scratch directory, removed after the run
#   BENCH_PYTHON    a python3 with pandas, or empty
#   BENCH_SKLEARN   1 when that python also has scikit-learn, else empty
#   BENCH_SUMMARY   file collecting one line per comparison (see record)
#   BENCH_REPEAT    runs per measurement (best wall time is kept)
#   PYTHON          BENCH_PYTHON, unless the caller set it
#   FT_BUILDDIR     the build directory (set by `make bench`)

# measure NAME [timeit options] -- COMMAND...: time COMMAND; sets NAME_s and
# NAME_kb ("-" when not available) and returns 1 if it failed.
measure() {
	_name=$1
	shift
	_r=$(sh "$BENCH_DIR/timeit.sh" "$@") || { eval "${_name}_s=- ${_name}_kb=-"; return 1; }
	eval "${_name}_s=\${_r% *} ${_name}_kb=\${_r#* }"
}

# mb KB: KiB as MiB with one decimal, "-" passes through.
mb() {
	case $1 in
	''|-) echo - ;;
	*) awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' ;;
	esac
}

# ratio A B: A / B to two decimals ("-" unless both are numbers).
ratio() {
	case "$1$2" in
	*-*|'') echo - ;;
	*) awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }' ;;
	esac
}

# rate ROWS SECONDS: rows per second, rounded.
rate() {
	case $2 in
	''|-) echo - ;;
	*) awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }' ;;
	esac
}

# line LABEL SECONDS KB: one aligned figure line.
line() {
	printf '  %-38s %9s s %9s MiB\n' "$1" "$2" "$(mb "$3")"
}

# record WHAT OURS_S OURS_KB PEER_S PEER_KB: one summary row; run.sh prints
# the table at the end, with peer/ours ratios (above 1: fraudtree is
# faster / smaller).
record() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$BENCH_SUMMARY"
}
