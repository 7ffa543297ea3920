# parity-lib.sh: what the parity benches (bench-parity, bench-ccp,
# bench-smote) share, sourced after setting
#   name     the bench's name, for messages
#   modules  the python modules it needs ("numpy, pandas, sklearn")
# Sets py, bin (bench/parity_export), ft, tmp (removed on exit), table
# (an empty file) and status=0; defines field, speedup, gen and the
# per-case steps export_case and peer_case. Exits 2 when
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

# error_row NAME NCOLS: a table row of NCOLS dashes and the verdict ERROR.
error_row() {
	printf '%s' "$1"
	i=0
	while [ $i -lt "$2" ]; do printf '\t-'; i=$((i + 1)); done
	printf '\tERROR\n'
}

# export_case NAME NCOLS FILE [parity_export options...]: a fresh $dir
# from parity_export, its figures in $ours; false (after an ERROR row of
# NCOLS dashes) when it fails.
export_case() {
	name=$1 cols=$2 file=$3
	shift 3
	dir=$tmp/case
	rm -rf "$dir"
	mkdir "$dir"
	if ! ours=$("$bin" "$@" "$file" "$dir" 2>"$tmp/err"); then
		echo "    parity_export failed: $(tail -n 1 "$tmp/err")"
		error_row "$name" "$cols" >>"$table"
		status=1
		return 1
	fi
}

# peer_case NAME NCOLS SCRIPT [options...]: the peer's script on $dir, its
# lines shown, its "figures" line in $peer (status 1 when it exits
# non-zero); false (after an ERROR row) when it prints no figures.
peer_case() {
	name=$1 cols=$2 script=$3
	shift 3
	"$py" "$here/$script" "$dir" "$@" >"$tmp/peer" 2>"$tmp/err"
	rc=$?
	if ! grep -q '^figures ' "$tmp/peer"; then
		echo "    $script failed: $(tail -n 1 "$tmp/err")"
		error_row "$name" "$cols" >>"$table"
		status=1
		return 1
	fi
	grep -v '^figures ' "$tmp/peer" | sed 's/^/  /'
	[ $rc -eq 0 ] || status=1
	peer=$(sed -n 's/^figures //p' "$tmp/peer")
}
