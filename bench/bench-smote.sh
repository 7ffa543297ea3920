#!/bin/sh
# bench-smote.sh: SMOTE-NC (resample.method = smote) against
# imbalanced-learn's SMOTENC on the same training matrix, and the time of
# both sides.
#
# Usage: bench/bench-smote.sh [ROWS]
# Environment: FT_BIN, FT_BUILDDIR, PYTHON, FRAUDTREE_REAL_DATA as for
#              bench-parity.sh (parity_export writes the matrices)
#
# For each case parity_export writes the training matrix before and after
# fraudtree's SMOTE-NC and how it took each feature; parity_smote.py
# checks the class counts against SMOTENC's with the same target, that
# every synthetic row's numeric part lies on a segment from a seed row to
# one of its 5 nearest minority neighbours (integer-valued features whole)
# and that every categorical value of every synthetic row is one those
# neighbours hold (see parity_smote.py). Times: fraudtree's resampling
# (recipe already applied) against SMOTENC's fit_resample on the same rows.
# Exit status 1 when a case FAILs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
name=bench-smote modules="numpy, pandas, sklearn, imblearn"
. "$here/parity-lib.sh"

# case NAME FILE [parity_export options...]
case_() {
	name=$1 file=$2
	shift 2
	echo "  $name: $*"
	export_case "$name" 7 "$file" --set resample.method=smote "$@" || return
	peer_case "$name" 7 parity_smote.py || return
	imb=$peer
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(field "$imb" synthetic)" \
		"$(field "$imb" counts_equal)" "$(field "$imb" segment_off)" \
		"$(field "$imb" categorical_off)" "$(field "$imb" vote_off)" \
		"$(field "$ours" resample_seconds)" "$(field "$imb" imb_seconds)" \
		"$(field "$imb" verdict)" >>"$table"
	if [ -n "${BENCH_SUMMARY:-}" ]; then
		label="smote-nc: $name"
		[ "$(field "$imb" verdict)" = FAIL ] && label="$label FAIL"
		printf '%s\t%s\t-\t%s\t-\n' "$label" "$(field "$ours" resample_seconds)" \
			"$(field "$imb" imb_seconds)" >>"$BENCH_SUMMARY"
	fi
}

small=20000
if ! gen "$small" "$tmp/small.csv"; then
	echo "  fraudtree gen failed" >&2
	exit 2
fi
case_ "gen20k ratio 0.1" "$tmp/small.csv" --set resample.ratio=0.1
case_ "gen20k ratio 0.5" "$tmp/small.csv" --set resample.ratio=0.5
case_ "gen20k seed 7" "$tmp/small.csv" --set resample.ratio=0.3 --set split.seed=7

real=${FRAUDTREE_REAL_DATA:-}
if [ -z "$real" ]; then
	echo "  real data: skipped (set FRAUDTREE_REAL_DATA to a directory with" \
	     "fraud_oracle.csv and insurance_claims.csv)"
else
	[ -f "$real/fraud_oracle.csv" ] &&
		case_ "oracle ratio 0.3" "$real/fraud_oracle.csv" --set target=FraudFound_P \
			--set resample.ratio=0.3
	[ -f "$real/insurance_claims.csv" ] &&
		case_ "insurance ratio 1" "$real/insurance_claims.csv" --set target=fraud_reported \
			--na-values '?'
fi

echo
echo "  SMOTE-NC against imbalanced-learn's SMOTENC: synthetic rows made; class"
echo "  counts equal; rows whose numeric part is off every seed -> neighbour segment;"
echo "  rows with a categorical value none of the seed's neighbours holds; rows"
echo "  whose categorical values are not the neighbours' vote; seconds of"
echo "  fraudtree's resampling and of SMOTENC's fit_resample"
printf '  %-18s %9s %6s %7s %7s %5s %8s %8s %6s  %s\n' case synthetic counts off_seg \
	off_cat vote ours_s imb_s speed verdict
while IFS="$(printf '\t')" read -r name n c sg ct v os is verdict; do
	printf '  %-18s %9s %6s %7s %7s %5s %8s %8s %6s  %s\n' "$name" "$n" "$c" "$sg" "$ct" \
		"$v" "$os" "$is" "$(speedup "$is" "$os")" "$verdict"
done <"$table"
exit $status
