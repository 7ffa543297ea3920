#!/bin/sh
# drift.sh: `fraudtree drift`. The training file itself is stable on every
# column and the score; a file with one numeric column shifted flags that
# column and no other; a missing column exits 1, an extra one is named;
# unseen categories and a numeric column holding text are reported; a bad
# file fails as predict fails; a model without reference distributions
# (an older file) says so with exit 2; equal runs write equal model.json.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
R="$T/reg"
G=fraud-detection-model-group

# A small file without quotes, so that awk can edit columns safely.
awk 'BEGIN {
	print "id,amount,risk,card,isFraud"
	split("credit debit charge", card, " ")
	for (i = 1; i <= 3000; i++) {
		a = (i * 37) % 1000; r = ((i * 13) % 100) / 100
		f = (r > 0.85 && a > 400) || (i % 97 == 0)
		printf "%d,%d,%.2f,%s,%d\n", i, a, r, card[i % 3 + 1], f
	}
}' >"$T/train.csv"
expect 0 "$FT_BIN" run --registry "$R" --set gate= --out "$T/m1" -q "$T/train.csv"
expect 0 "$FT_BIN" run --no-register --set gate= --out "$T/m2" -q "$T/train.csv"
cmp "$T/m1/model.json" "$T/m2/model.json" || fail "model.json differs between equal runs"
has "$T/m1/model.json" '"reference":'
M="$T/m1/model.json"

# psi VALUES of --json output, one per line (columns, then the score).
psis() {
	sed -n 's/^[[:space:]]*"psi":[[:space:]]*\([^,]*\),\{0,1\}$/\1/p' "$1"
}

# ---- the training file: stable everywhere, by every way to name the model
for ref in "$M" $G/1 $G@latest; do
	expect 0 "$FT_BIN" drift "$ref" "$T/train.csv" --registry "$R" --json
	has "$T/out" '"level":	"stable"'
	lacks "$T/out" '"watch"'
	lacks "$T/out" '"act"'
	n=$(psis "$T/out" | awk '$1 < 0.01 { n++ } END { print n + 0 }')
	[ "$n" -eq 4 ] || { cat "$T/out" >&2; fail "training file: $n of 4 PSI under 0.01 ($ref)"; }
done
expect 0 "$FT_BIN" drift "$M" "$T/train.csv"
has "$T/out" "drift: stable"
has "$T/out" "(score)"

# ---- one numeric column shifted: that column acts, the others stay stable
awk -F, -v OFS=, 'NR > 1 { $2 = $2 + 5000 } { print }' "$T/train.csv" >"$T/shifted.csv"
expect 1 "$FT_BIN" drift "$M" "$T/shifted.csv" --json
awk '/"name":/ { name = $2 } /"level":/ && name != "" { print name, $2; name = "" }' \
	"$T/out" | tr -d '",' >"$T/levels"
has "$T/levels" "amount act"
has "$T/levels" "risk stable"
has "$T/levels" "card stable"
expect 1 "$FT_BIN" drift "$M" "$T/shifted.csv"
has "$T/out" "drift: act"

# ---- a missing column: exit 1, named; an extra column: named
cut -d, -f1,2,4,5 "$T/train.csv" >"$T/norisk.csv"
expect 1 "$FT_BIN" drift "$M" "$T/norisk.csv"
has "$T/out" "missing from the file"
has "$T/out" "missing columns (the model reads them): risk"
expect 1 "$FT_BIN" drift "$M" "$T/norisk.csv" --json
has "$T/out" '"missing_column":	true'
awk -F, -v OFS=, '{ print $0, (NR == 1 ? "note" : "x" NR) }' "$T/train.csv" >"$T/extra.csv"
expect 0 "$FT_BIN" drift "$M" "$T/extra.csv"
has "$T/out" "extra columns (not in the training file): note"

# ---- unseen categories and a numeric column that holds text now
awk -F, -v OFS=, 'NR > 1 && NR % 4 == 0 { $4 = "prepaid" } { print }' "$T/train.csv" \
	>"$T/unseen.csv"
expect 1 "$FT_BIN" drift "$M" "$T/unseen.csv"
grep -Eq '^card +categorical +[0-9.]+ +act +25% ' "$T/out" || { cat "$T/out" >&2; fail "card: no unseen 25%"; }
grep -Eq '^amount +numeric +[0-9.]+ +stable +- ' "$T/out" || fail "amount: an unseen share"
awk -F, -v OFS=, 'NR > 1 { $3 = "high" } { print }' "$T/train.csv" >"$T/text.csv"
expect 1 "$FT_BIN" drift "$M" "$T/text.csv"
has "$T/out" "type changed: now text"
has "$T/out" "type changed: risk (now text)"
# a categorical column that holds only numbers now; one cell of text
# among them is not a change of type
awk -F, -v OFS=, 'NR > 1 { $4 = NR % 7 } { print }' "$T/train.csv" >"$T/numbers.csv"
expect 1 "$FT_BIN" drift "$M" "$T/numbers.csv"
has "$T/out" "type changed: card (now numbers)"
awk -F, -v OFS=, 'NR > 1 { $4 = (NR == 2000 ? "credit" : NR % 7) } { print }' "$T/train.csv" \
	>"$T/mostly.csv"
expect 1 "$FT_BIN" drift "$M" "$T/mostly.csv"
lacks "$T/out" "type changed"

# ---- a column of many categories, every one new: the training data had
# them spread thin (each under the epsilon, "other" the rest), so only an
# unseen bin of its own tells the new ones from the old
awk 'BEGIN { print "id,amount,shop,isFraud"
	for (i = 1; i <= 20000; i++) printf "%d,%d,s%d,%d\n", i, (i * 37) % 1000, i % 5000, (i % 13 == 0) }' \
	>"$T/shops.csv"
expect 1 "$FT_BIN" run --no-register --set gate= --out "$T/shops" -q "$T/shops.csv"   # no signal: the gate fails, the model is written
# the file itself: its validation and test rows hold a few shops the
# training split never had, to watch at most
expect 0 "$FT_BIN" drift "$T/shops/model.json" "$T/shops.csv"
grep -Eq '^shop +categorical +0\.[0-9]+ +(stable|watch) ' "$T/out" || { cat "$T/out" >&2; fail "shops: acts"; }
awk -F, -v OFS=, 'NR > 1 { $3 = "new" NR } { print }' "$T/shops.csv" >"$T/newshops.csv"
expect 1 "$FT_BIN" drift "$T/shops/model.json" "$T/newshops.csv"
grep -Eq '^shop +categorical +[0-9.]+ +act +100% ' "$T/out" || { cat "$T/out" >&2; fail "new shops: not act"; }

# ---- bad files fail as predict fails them
printf 'id,amount,risk,card,isFraud\n1,5,0.1,credit,0\n2,5,0.1\n' >"$T/bad.csv"
expect 2 "$FT_BIN" predict "$M" "$T/bad.csv"
cp "$T/err" "$T/predict.err"
expect 2 "$FT_BIN" drift "$M" "$T/bad.csv"
cmp "$T/err" "$T/predict.err" || fail "drift and predict report a bad file differently"
has "$T/err" "fraudtree: $T/bad.csv:3: "
printf 'id,amount,risk,card,isFraud\n' >"$T/header.csv"
expect 2 "$FT_BIN" drift "$M" "$T/header.csv"
has "$T/err" "header only"
expect 2 "$FT_BIN" drift "$M" "$T/nosuch.csv"
expect 2 "$FT_BIN" drift "$M"
expect 2 "$FT_BIN" drift "$M" "$T/train.csv" --bogus
expect 2 "$FT_BIN" drift "$T/nosuch.json" "$T/train.csv"

# ---- a model.json from before the reference distributions
awk '/^\t"reference":/ { exit } { print }' "$M" | sed '$ s/,$//' >"$T/old.json"
echo '}' >>"$T/old.json"
expect 0 "$FT_BIN" predict "$T/old.json" "$T/train.csv" -o "$T/scored.csv"
expect 2 "$FT_BIN" drift "$T/old.json" "$T/train.csv"
has "$T/err" "no reference distributions"
# A damaged reference is refused by name.
sed 's/"kind":	"bins"/"kind":	"levels"/' "$M" >"$T/damaged.json"
expect 2 "$FT_BIN" drift "$T/damaged.json" "$T/train.csv"
has "$T/err" "reference.columns[0].kind"

# ---- the bundled sample: its own training file is stable
expect 0 "$FT_BIN" run --no-register --out "$T/s" -q "$FT_SRCDIR/data/transactions.csv"
expect 0 "$FT_BIN" drift "$T/s/model.json" "$FT_SRCDIR/data/transactions.csv" --json
n=$(psis "$T/out" | awk '$1 >= 0.01 { n++ } END { print n + 0 }')
[ "$n" -eq 0 ] || { cat "$T/out" >&2; fail "sample: $n PSI of 0.01 or more"; }
exit 0
