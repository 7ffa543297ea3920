#!/bin/sh
# The evidence a run reports: time splits on the bundled sample and on a
# file whose rows are out of time order, intervals and calibration in
# evaluation.json, real and synthetic counts in model.json.
. "${FT_SRCDIR:?}/tests/shell/run-lib.sh"
sample=$FT_SRCDIR/data/transactions.csv

# run, passing the gate or not (exit 0 or 1): what is checked is the report
either() {
	"$FT_BIN" run "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -le 1 ] || { fail "run $*: exit $got"; sed 's/^/  | /' "$tmp/err" >&2; }
}

# "from"/"to" of one split in evaluation.json (the datetime text)
range() {
	awk -v sp="\"$2\":" -v key="\"$3\":" '
		index($0, "\"splits\":") { in_splits = 1 }
		in_splits && index($0, sp) { on = 1 }
		on && index($0, key) { sub(/.*:[[:space:]]*"/, ""); sub(/".*/, ""); print; exit }' "$1"
}

# train before validation before test, strictly (ISO text sorts as time)
ordered() {
	a=$(range "$1" train to) b=$(range "$1" validation from)
	c=$(range "$1" validation to) d=$(range "$1" test from)
	[ -n "$a" ] && [ -n "$d" ] || { fail "$2: no split dates in evaluation.json"; return; }
	[ "$(printf '%s\n%s\n' "$a" "$b" | sort | head -n 1)" = "$a" ] && [ "$a" != "$b" ] ||
		fail "$2: train ends $a, validation starts $b"
	[ "$(printf '%s\n%s\n' "$c" "$d" | sort | head -n 1)" = "$c" ] && [ "$c" != "$d" ] ||
		fail "$2: validation ends $c, test starts $d"
}

either --no-register --set split.method=time --out "$tmp/t" "$sample"
ordered "$tmp/t/evaluation.json" "sample"
grep -q 'time split on timestamp: test 2018-' "$tmp/out" || fail "no date range note"
grep -q '"time_column":[[:space:]]*"timestamp"' "$tmp/t/pipeline.json" ||
	fail "pipeline.json does not record the guessed time column"
grep -q '"fraud_rate":' "$tmp/t/evaluation.json" || fail "no fraud rate per split"

# the same rows shuffled give the same splits (the order is the time's)
awk 'NR == 1 { print; next } { print rand() "\t" $0 }' "$sample" | sort -k1,1 |
	cut -f2- >"$tmp/body"
{ head -n 1 "$sample"; grep -v '^TransactionID' "$tmp/body"; } >"$tmp/shuffled.csv"
either --no-register --set split.method=time --out "$tmp/u" "$tmp/shuffled.csv"
ordered "$tmp/u/evaluation.json" "shuffled"
for sp in train validation test; do
	[ "$(range "$tmp/t/evaluation.json" $sp from)" = "$(range "$tmp/u/evaluation.json" $sp from)" ] ||
		fail "shuffling moved the $sp split"
done

# a gap leaves rows out and is reported
either --no-register --set split.method=time --set split.gap_days=2 --out "$tmp/g" "$sample"
grep -q '"rows_in_gaps":[[:space:]]*[1-9]' "$tmp/g/evaluation.json" || fail "gap rows not counted"
grep -q 'in the 2-day gaps' "$tmp/out" || fail "gap not reported"
run 2 --no-register --set split.method=time --set split.time_column=TransactionAmtX "$sample"
grep -q 'split.time_column: no column named "TransactionAmtX"' "$tmp/err" || fail "bad time column"
run 2 --no-register --set split.method=sometimes "$sample"

# a random split of a file with a datetime column says so
run 0 --no-register "$sample"
grep -q 'split: random (stratified), though timestamp is a datetime column' "$tmp/out" ||
	fail "random split of timed data not noted"

# every test figure has an interval; the calibration block is there
for m in accuracy precision recall specificity f1 mcc balanced_accuracy roc_auc pr_auc log_loss brier; do
	awk -v m="\"$m\":" 'index($0, m) { on = 1 } on && /"upper"/ { found = 1; exit }
		END { exit !found }' "$tmp/t/evaluation.json" || fail "$m has no interval"
done
grep -q '"resamples":[[:space:]]*1000' "$tmp/t/evaluation.json" || fail "bootstrap not recorded"
grep -q '"reliability":' "$tmp/t/evaluation.json" || fail "no reliability table"

# a gate on a bound: recall's lower bound
run 1 --no-register --set 'gate=recall.lower>=0.99' "$sample"
grep -q 'recall.lower .* is not >= 0.99' "$tmp/out" || fail "gate on a bound not reported"

# SMOTE: model.json keeps real rows apart; one-hot splits sit at 0.5
run 1 --no-register --set resample.method=smote --out "$tmp/s" "$sample"
grep -q '"real":' "$tmp/s/model.json" || fail "no real counts"
grep -q 'synthetic)' "$tmp/s/rules.txt" || fail "rules do not show synthetic rows"
exit $fails

# registry show gives the test intervals evaluation.json recorded, in text
# and in --json, digit for digit
bound() {   # FILE SECTION METRIC PART: the number after SECTION, METRIC, PART
	awk -v sec="\"$2\"" -v m="\"$3\":" -v part="\"$4\":" '
		index($0, sec) { on = 1 } on && index($0, m) { got = 1 }
		got && index($0, part) { sub(/.*:[[:space:]]*/, ""); sub(/,.*/, ""); print; exit }' "$1"
}
run 0 --registry "$tmp/reg" "$sample"
ev=$tmp/reg/fraud-detection-model-group/1/evaluation.json
"$FT_BIN" registry show fraud-detection-model-group/1 --registry "$tmp/reg" >"$tmp/show" ||
	fail "registry show"
"$FT_BIN" registry show fraud-detection-model-group/1 --json --registry "$tmp/reg" >"$tmp/show.json" ||
	fail "registry show --json"
for m in accuracy recall pr_auc; do
	lo=$(bound "$ev" binary_classification_metrics "$m" lower)
	hi=$(bound "$ev" binary_classification_metrics "$m" upper)
	[ -n "$lo" ] && [ -n "$hi" ] || { fail "$m: no interval in evaluation.json"; continue; }
	shown=$(printf '[%.4f, %.4f]' "$lo" "$hi")
	grep -F "  $shown" "$tmp/show" | grep -q "^  $m " ||
		fail "registry show: $m is not shown with $shown: $(grep "^  $m " "$tmp/show")"
	[ "$(bound "$tmp/show.json" intervals "$m" lower)" = "$lo" ] ||
		fail "registry show --json: $m.lower differs from evaluation.json's $lo"
	[ "$(bound "$tmp/show.json" intervals "$m" upper)" = "$hi" ] ||
		fail "registry show --json: $m.upper differs from evaluation.json's $hi"
done
grep -q 'stratified bootstrap (1000 resamples, seed 42)' "$tmp/show" || fail "show: no bootstrap"
