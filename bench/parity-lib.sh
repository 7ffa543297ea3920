# parity-lib.sh: what the parity benches (bench-parity, bench-ccp,
# bench-smote) share, sourced after setting
#   name     the bench's name, for messages
#   modules  the python modules it needs ("numpy, pandas, sklearn")
# Sets py, bin (bench/parity_export), ft, tmp (removed on exit), table
# (an empty file) and status=0; defines field, speedup and gen. Exits 2 when
# parity_export is not built; skips (exit 0 inside make bench, 2 alone)
# when python lacks a module.
py=${PYTHON:-python3}
build=${FT_BUILDDIR:-.}
bin=$build/bench/parity_export
ft=${FT_BIN:-$build/fraudtree}
if [ ! -x "$bin" ]; then
	echo "  $name: $bin not found (run: make bench/parity_export)" >&2
	exit 2
fi
if ! "$py" -c "import $modules" 2>/dev/null; then
	echo "  skipped: $py lacks one of $modules (set PYTHON)"
	[ -n "${BENCH_SUMMARY:-}" ] && exit 0
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
table=$tmp/table
: >"$table"
status=0

# field "k=v k=v ..." KEY: the value of KEY
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# speedup A B: A / B with one decimal and an x ("-" unless both are numbers).
speedup() {
	case "$1$2" in
	*-*|'') echo - ;;
	*) awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }' ;;
	esac
}
# gen ROWS FILE: FILE holds ROWS generated rows (the bench's own when it
# has that many).
gen() {
	if [ -n "${BENCH_DATA:-}" ] && [ "${BENCH_ROWS:-}" = "$1" ] && [ -f "$BENCH_DATA" ]; then
		ln -s "$BENCH_DATA" "$2"
	else
		"$ft" gen --rows "$1" --seed 42 -o "$2" >/dev/null
	fi
}
