#!/bin/sh
# bench-ccp.sh: the minimal cost-complexity pruning path (tree_ccp_path,
# what tune.ccp_alpha = path scores) against scikit-learn's, and the time
# of both sides.
#
# Usage: bench/bench-ccp.sh [ROWS]
# Environment: FT_BIN, FT_BUILDDIR, PYTHON, FRAUDTREE_REAL_DATA as for
#              bench-parity.sh (parity_export writes the matrices and the
#              path); CCP_ROWS rows of the large generated case (200000)
#
# For each case parity_export fits the tree on the pipeline's own training
# matrix and writes its path; parity_ccp.py then checks it two ways: on
# the same tree (fraudtree's nodes loaded into scikit-learn's Tree and
# scikit-learn's ccp_pruning_path run on them: every step must be
# identical), and end to end (DecisionTreeClassifier's
# cost_complexity_pruning_path on the same matrix, when some random_state
# grows the same tree; then the steps within 1e-9 relative and the leaves
# of the tree pruned at several alphas equal). Generated cases without the
# categorical columns and with a leaf size keep ties between equal splits,
# which scikit-learn breaks at random, from hiding the end-to-end check.
# Times: the path alone on the same tree (ours vs scikit-learn's
# ccp_pruning_path), and fit + path (ours vs cost_complexity_pruning_path).
# Exit status 1 when a case FAILs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
big=${CCP_ROWS:-200000}
name=bench-ccp modules="numpy, pandas, sklearn"
. "$here/parity-lib.sh"
sum() { case "$1$2" in *-*|'') echo - ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a + b }' ;; esac; }


# case NAME FILE [parity_export options...]
case_() {
	name=$1 file=$2
	shift 2
	echo "  $name: ${*:-defaults}"
	export_case "$name" 8 "$file" "$@" || return
	peer_case "$name" 8 parity_ccp.py || return
	sk=$peer
	e2e=$(field "$sk" seed)
	[ "$e2e" = - ] && e2e="ties" || e2e="rs $e2e"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(field "$ours" path_steps)" \
		"$(field "$sk" same_tree)" "$e2e" "$(field "$sk" max_alpha_diff)" \
		"$(field "$ours" path_seconds)" "$(field "$sk" sk_own_path_seconds)" \
		"$(sum "$(field "$ours" fit_seconds)" "$(field "$ours" path_seconds)")" \
		"$(field "$sk" sk_path_seconds)" "$(field "$sk" verdict)" >>"$table"
	if [ -n "${BENCH_SUMMARY:-}" ]; then
		label="ccp path: $name"
		[ "$(field "$sk" verdict)" = FAIL ] && label="$label FAIL"
		printf '%s\t%s\t-\t%s\t-\n' "$label" "$(field "$ours" path_seconds)" \
			"$(field "$sk" sk_own_path_seconds)" >>"$BENCH_SUMMARY"
	fi
}

small=20000
gen "$big" "$tmp/big.csv" && gen "$small" "$tmp/small.csv" || {
	echo "  fraudtree gen failed" >&2
	exit 2
}
numeric='drop=["ProductCD","card_type","email_domain","timestamp","merchant"]'
# continuous columns only: equal splits of different rows become unlikely
floats='drop=["ProductCD","card_type","email_domain","timestamp","merchant","dist1","velocity_1h","account_age_days"]'
case_ "gen$((small / 1000))k d8" "$tmp/small.csv"
case_ "gen$((small / 1000))k numeric" "$tmp/small.csv" --set "$numeric" \
	--set tree.min_samples_leaf=20
case_ "gen$((small / 1000))k floats" "$tmp/small.csv" --set "$floats" \
	--set tree.min_samples_leaf=20
case_ "gen$((small / 1000))k entropy" "$tmp/small.csv" --set "$floats" \
	--set tree.criterion=entropy --set tree.max_depth=12 --set tree.min_samples_leaf=10
case_ "gen$((small / 1000))k weights" "$tmp/small.csv" --set "$floats" \
	--set resample.method=class_weight --set tree.min_samples_leaf=20
case_ "gen$((small / 1000))k 64 leaves" "$tmp/small.csv" --set "$numeric" \
	--set tree.max_depth=0 --set tree.max_leaf_nodes=64 --set tree.min_samples_leaf=5
# (TransactionDT has more distinct values than exact search keeps at this
# size: quantile bins would part the trees)
case_ "gen$((big / 1000))k d12" "$tmp/big.csv" \
	--set 'drop=["ProductCD","card_type","email_domain","timestamp","merchant","dist1","velocity_1h","account_age_days","TransactionDT"]' \
	--set tree.max_depth=12 --set tree.min_samples_leaf=50

real=${FRAUDTREE_REAL_DATA:-}
if [ -z "$real" ]; then
	echo "  real data: skipped (set FRAUDTREE_REAL_DATA to a directory with" \
	     "fraud_oracle.csv and insurance_claims.csv)"
else
	[ -f "$real/fraud_oracle.csv" ] &&
		case_ "oracle" "$real/fraud_oracle.csv" --set target=FraudFound_P
	[ -f "$real/fraud_oracle.csv" ] &&
		case_ "oracle cw d0" "$real/fraud_oracle.csv" --set target=FraudFound_P \
			--set resample.method=class_weight --set tree.max_depth=0
	[ -f "$real/insurance_claims.csv" ] &&
		case_ "insurance" "$real/insurance_claims.csv" --set target=fraud_reported \
			--na-values '?'
fi

echo
echo "  pruning path against scikit-learn: steps of fraudtree's path; same tree:"
echo "  scikit-learn's ccp_pruning_path on fraudtree's nodes identical (PASS);"
echo "  end to end: the random_state whose tree is fraudtree's (ties: none of 50),"
echo "  and the largest |alpha difference| of cost_complexity_pruning_path there;"
echo "  seconds: the path alone on the same tree (ours, scikit-learn), and fit +"
echo "  path (ours on $(nproc 2>/dev/null || echo all) threads, scikit-learn on one)"
printf '  %-18s %5s %5s %6s %8s %9s %9s %6s %8s %8s %6s  %s\n' case steps same e2e "|da|" \
	ours_path sk_path speed ours_all sk_all speed verdict
while IFS="$(printf '\t')" read -r name st same e2e da op sp oa sa v; do
	printf '  %-18s %5s %5s %6s %8s %9s %9s %6s %8s %8s %6s  %s\n' "$name" "$st" "$same" \
		"$e2e" "$da" "$op" "$sp" "$(speedup "$sp" "$op")" "$oa" "$sa" \
		"$(speedup "$sa" "$oa")" "$v"
done <"$table"
exit $status
