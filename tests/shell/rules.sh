#!/bin/sh
# rules.sh: rules.txt says what the model decides. A leaf's class follows
# the threshold (a lower threshold flags more leaves, as predict does), and
# every threshold reads back as the tree's own (no two-decimal rounding).
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-rules.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
data=$FT_SRCDIR/data/transactions.csv
for thr in 0.5 0.1; do
	"$FT_BIN" run --quiet --no-register --out "$T/m$thr" --set threshold=$thr \
		--set tree.max_depth=6 "$data" >/dev/null 2>&1
	[ -s "$T/m$thr/rules.txt" ] || { fail "threshold $thr: no rules.txt"; continue; }
	# leaves predict flags on the training file, by leaf id
	"$FT_BIN" predict "$T/m$thr/model.json" "$data" --leaf -o "$T/p$thr.csv" 2>/dev/null ||
		fail "predict at $thr"
done
f5=$(grep -c 'class: 1 ' "$T/m0.5/rules.txt")
f1=$(grep -c 'class: 1 ' "$T/m0.1/rules.txt")
[ "$f1" -gt "$f5" ] || fail "threshold 0.1 flags $f1 leaves in rules.txt, 0.5 flags $f5"
# The same leaves as predict flags at 0.1 (predict --leaf ends each row with
# fraud_leaf, fraud_score, fraud_probability, prediction).
flagged=$(tail -n +2 "$T/p0.1.csv" | awk -F, '$NF == 1 { print $(NF - 3) }' | sort -u | wc -l)
[ "$flagged" -le "$f1" ] || fail "predict flags rows in $flagged leaves, rules.txt names $f1 fraud leaves"
[ "$flagged" -gt 0 ] || fail "predict flagged nothing at 0.1 (test setup)"
# No threshold printed with exactly two decimals ending in a rounding
# artefact: every number in a split line must parse and round-trip from
# the model's thresholds; here, at least one has more than two decimals or
# fewer (the sample's thresholds are not all x.yz).
grep -E '\|--- .* (<=|> ) ' "$T/m0.5/rules.txt" | grep -qvE '(<=|> ) -?[0-9]+\.[0-9]{2}$' ||
	fail "every threshold in rules.txt has exactly two decimals: rounded"
[ $fails -eq 0 ] && echo "rules: ok"
[ $fails -eq 0 ]
