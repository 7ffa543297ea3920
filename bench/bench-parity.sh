#!/bin/sh
# bench-parity.sh: accuracy parity with scikit-learn's DecisionTreeClassifier
# on the pipeline's own prepared data, and the fit time of both sides.
#
# Usage: bench/bench-parity.sh [ROWS]
# Environment: FT_BIN            the fraudtree binary (for `fraudtree gen`)
#              FT_BUILDDIR       build directory holding bench/parity_export
#                                (built by `make check` or `make bench`)
#              PYTHON            a python3 with pandas and scikit-learn
#              FRAUDTREE_REAL_DATA  a directory holding fraud_oracle.csv and
#                                insurance_claims.csv (public fraud data
#                                sets); those cases are skipped without it
#              PARITY_ROWS       rows of the large generated case (200000)
# Under `make bench` (bench/run.sh) it reuses the bench's generated file
# when it has PARITY_ROWS rows, and records one summary row per case.
#
# For each case parity_export runs the pipeline's stages with the given
# --set options and writes the resampled training matrix and the test
# matrix; parity_sklearn.py fits scikit-learn's tree with the same
# parameters on that very matrix. Both trees are scored on the same test
# rows, so only the trees differ. Strictly, a case passes when test
# accuracy and recall are both within 1.5 points of scikit-learn's with
# random_state 0. When they are not, but every place where the two trees
# part is a tie (equal impurity decrease, which scikit-learn breaks by
# random_state), the verdict is TIES if scikit-learn with some other
# random_state is within 1.5 points on both (parity_sklearn.py tries up to
# 50, within a minute); that counts as a pass. Exit status 1 when a case
# FAILs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
big=${PARITY_ROWS:-200000}
name=bench-parity modules="numpy, pandas, sklearn"
. "$here/parity-lib.sh"


# case NAME FILE [parity_export options...]
case_() {
	name=$1 file=$2
	shift 2
	echo "  $name: ${*:-defaults}"
	export_case "$name" 10 "$file" "$@" || return
	if [ "$(field "$ours" accuracy)" != "$(field "$ours" run_accuracy)" ] ||
	   [ "$(field "$ours" recall)" != "$(field "$ours" run_recall)" ]; then
		echo "    note: fraudtree run scores accuracy $(field "$ours" run_accuracy)," \
		     "recall $(field "$ours" run_recall) on these settings"
	fi
	peer_case "$name" 10 parity_sklearn.py --ours "$ours" || return
	sk=$peer
	seed=$(field "$sk" seed)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" \
		"$(field "$ours" accuracy)" "$(field "$sk" sk_accuracy)" "$(field "$sk" d_accuracy)" \
		"$(field "$ours" recall)" "$(field "$sk" sk_recall)" "$(field "$sk" d_recall)" \
		"$(field "$ours" fit_seconds)" "$(field "$sk" sk_fit_seconds)" \
		"$(field "$sk" strict)" "${seed:--}" "$(field "$sk" verdict)" >>"$table"
	if [ -n "${BENCH_SUMMARY:-}" ]; then
		label="parity: $name"
		case $(field "$sk" verdict) in
		PASS) ;;
		TIES) label="$label (ties)" ;;
		*) label="$label FAIL" ;;
		esac
		printf '%s\t%s\t-\t%s\t-\n' "$label" \
			"$(field "$ours" fit_seconds)" "$(field "$sk" sk_fit_seconds)" >>"$BENCH_SUMMARY"
	fi
}

small=20000
gen "$big" "$tmp/big.csv" && gen "$small" "$tmp/small.csv" || {
	echo "  fraudtree gen failed" >&2
	exit 2
}
case_ "gen$((big / 1000))k" "$tmp/big.csv"
case_ "gen$((big / 1000))k d10+over" "$tmp/big.csv" \
	--set tree.max_depth=10 --set resample.method=oversample
case_ "gen$((small / 1000))k d8" "$tmp/small.csv" --set tree.max_depth=8

real=${FRAUDTREE_REAL_DATA:-}
if [ -z "$real" ]; then
	echo "  real data: skipped (set FRAUDTREE_REAL_DATA to a directory with" \
	     "fraud_oracle.csv and insurance_claims.csv)"
else
	if [ -f "$real/fraud_oracle.csv" ]; then
		case_ "oracle" "$real/fraud_oracle.csv" --set target=FraudFound_P
		case_ "oracle cw" "$real/fraud_oracle.csv" --set target=FraudFound_P \
			--set resample.method=class_weight
	else
		echo "  fraud_oracle.csv: not found in FRAUDTREE_REAL_DATA, skipped"
	fi
	if [ -f "$real/insurance_claims.csv" ]; then
		case_ "insurance" "$real/insurance_claims.csv" \
			--set target=fraud_reported --na-values '?'
	else
		echo "  insurance_claims.csv: not found in FRAUDTREE_REAL_DATA, skipped"
	fi
fi

echo
echo "  parity on the test split: accuracy and recall of each side and their"
echo "  |difference| in points (limit 1.5); fit seconds (fraudtree on" \
     "$(nproc 2>/dev/null || echo all) threads, scikit-learn on one);"
echo "  strict: both within the limit of scikit-learn with random_state 0;"
echo "  seed: when strict fails, the first random_state within the limit;"
echo "  verdict TIES: strict fails, the trees differ only by ties, and seed exists"
printf '  %-18s %7s %7s %5s %7s %7s %5s %7s %7s %6s %6s %4s  %s\n' case ours_acc sk_acc diff \
	ours_rec sk_rec diff ours_s sk_s speed strict seed verdict
# 4 decimals for a metric, "-" passes through.
d4() { case $1 in -) echo - ;; *) awk -v v="$1" 'BEGIN { printf "%.4f", v }' ;; esac; }
while IFS="$(printf '\t')" read -r name oa sa da orr sr dr of sf st sd v; do
	printf '  %-18s %7s %7s %5s %7s %7s %5s %7s %7s %6s %6s %4s  %s\n' "$name" "$(d4 "$oa")" \
		"$(d4 "$sa")" "$da" "$(d4 "$orr")" "$(d4 "$sr")" "$dr" "$of" "$sf" \
		"$(speedup "$sf" "$of")" "$st" "$sd" "$v"
done <"$table"
exit $status
