#!/bin/sh
# bench-amount.sh: the money and alert-rate figures (amount_caught,
# amount_missed, amount_recall, alerts, alert_rate, net_savings, cost,
# precision_at_alert_rate, recall_at_alert_rate) of a pipeline run,
# computed again by pandas from the same test rows and scores, and the
# time each side takes to compute them.
#
# Usage: bench/bench-amount.sh [ROWS]
# Environment: FT_BIN, FT_BUILDDIR (holding bench/amount_export, built by
#              make check), PYTHON (a python3 with pandas),
#              FRAUDTREE_REAL_DATA (a directory with fraud_oracle.csv and
#              insurance_claims.csv; those cases are skipped without it).
# Exit status 1 when a figure differs by more than 1e-9 (relative).
set -u
py=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
build=${FT_BUILDDIR:-.}
bin=$build/bench/amount_export
ft=${FT_BIN:-$build/fraudtree}
rows=${1:-200000}
if [ ! -x "$bin" ]; then
	echo "  bench-amount: $bin not found (run: make bench/amount_export)" >&2
	exit 2
fi
if ! "$py" -c 'import pandas' 2>/dev/null; then
	echo "  skipped: $py lacks pandas (set PYTHON)"
	[ -n "${BENCH_SUMMARY:-}" ] && exit 0
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

# case NAME FILE [amount_export options...]
case_() {
	name=$1 file=$2
	shift 2
	echo "  $name: ${*:-defaults}"
	if ! ours=$("$bin" "$@" "$file" "$tmp/rows.csv" 2>"$tmp/err"); then
		echo "    amount_export failed: $(tail -n 1 "$tmp/err")"
		status=1
		return
	fi
	"$py" "$here/amount_pandas.py" "$tmp/rows.csv" "$ours" >"$tmp/pd" 2>"$tmp/err" || status=1
	if ! grep -q '^figures ' "$tmp/pd"; then
		echo "    amount_pandas.py failed: $(tail -n 1 "$tmp/err")"
		status=1
		return
	fi
	grep -v '^figures ' "$tmp/pd"
	ps=$(sed -n 's/^figures .*pandas_seconds=\([^ ]*\).*/\1/p' "$tmp/pd")
	os=$(printf '%s\n' "$ours" | tr ' ' '\n' | sed -n 's/^seconds=//p')
	mm=$(sed -n 's/^figures .*mismatches=\([0-9]*\).*/\1/p' "$tmp/pd")
	n=$(printf '%s\n' "$ours" | tr ' ' '\n' | sed -n 's/^rows=//p')
	ratio=$(awk -v a="$ps" -v b="$os" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
	echo "    $n test rows: fraudtree ${os}s, pandas ${ps}s ($ratio), $mm mismatches"
	[ -n "${BENCH_SUMMARY:-}" ] &&
		printf 'amount figures: %s\t%s\t-\t%s\t-\n' "$name" "$os" "$ps" >>"$BENCH_SUMMARY"
}

if [ -n "${BENCH_DATA:-}" ] && [ "${BENCH_ROWS:-}" = "$rows" ] && [ -f "$BENCH_DATA" ]; then
	data=$BENCH_DATA
else
	data=$tmp/gen.csv
	"$ft" gen --rows "$rows" --seed 42 -o "$data" >/dev/null || exit 2
fi
case_ "gen$((rows / 1000))k" "$data" --set cost.alert=5
case_ "gen$((rows / 1000))k min_cost" "$data" --set cost.alert=5 --set threshold=min_cost \
	--set alert_rate=0.005
case_ "gen$((rows / 1000))k ties" "$data" --set tree.max_depth=2 --set alert_rate=0.013
real=${FRAUDTREE_REAL_DATA:-}
if [ -n "$real" ] && [ -f "$real/fraud_oracle.csv" ]; then
	case_ "oracle (no amount)" "$real/fraud_oracle.csv" --set target=FraudFound_P \
		--set resample.method=class_weight
fi
if [ -n "$real" ] && [ -f "$real/insurance_claims.csv" ]; then
	case_ "insurance" "$real/insurance_claims.csv" --set target=fraud_reported \
		--na-values '?' --set cost.alert=100 --set threshold=min_cost
fi
exit $status
