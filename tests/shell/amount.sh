#!/bin/sh
# fraudtree run: the money figures. The amount column is guessed (and can be
# named or switched off), the report shows alerts, amounts and net savings,
# the identities between them hold, threshold = min_cost picks a threshold
# on validation and says so, the figures gate a run, and bad amount
# settings are refused before anything is written.
. "${FT_SRCDIR:?}/tests/shell/run-lib.sh"

# run01 ARGS...: a run that ends with its report, whether or not the gate
# passes (the built-in baseline check may refuse a low threshold)
run01() {
	"$FT_BIN" run "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -gt 1 ]; then
		fail "run $*: exit $got, expected 0 or 1"
		sed 's/^/  | /' "$tmp/err" >&2
	fi
}

# The generated file's TransactionAmt is guessed and shown.
run 0 --no-register --set cost.alert=2 --out "$tmp/a" "$data"
grep -qF 'amount: TransactionAmt (guessed from its name)' "$tmp/out" ||
	fail "the amount column is not guessed and shown"
grep -qF 'decisions (amount: TransactionAmt; cost.alert 2, cost.missed 1, cost.caught 0)' \
	"$tmp/out" || fail "the decisions block does not name the amount and costs"
for key in amount_caught amount_missed amount_recall alerts alert_rate net_savings cost \
	precision_at_alert_rate recall_at_alert_rate; do
	grep -q "^  $key " "$tmp/out" || fail "report lacks $key"
	grep -qF "\"$key\"" "$tmp/a/evaluation.json" || fail "evaluation.json lacks $key"
done
grep -qF '"column": "TransactionAmt"' "$tmp/a/pipeline.json" ||
	fail "the guessed column is not recorded in pipeline.json"
grep -qF '"risk"' "$tmp/a/evaluation.json" || fail "evaluation.json lacks the risk curve"

# field NAME COLUMN: a figure of the decisions block (2 validation, 3 test)
field() {
	awk -v k="$1" -v c="$2" '$1 == k { print $c; exit }' "$tmp/out"
}
# caught + missed = fraud amount; cost + net savings = cost of flagging nothing;
# cost = 2 * alerts + missed
for col in 2 3; do
	caught=$(field amount_caught $col)
	missed=$(field amount_missed $col)
	alerts=$(field alerts $col)
	cost=$(field cost $col)
	net=$(field net_savings $col)
	total=$(awk -v c="$col" '$1 == "fraud" && $2 == "amount" { print $(c + 1); exit }' \
		"$tmp/out")
	awk -v a="$caught" -v m="$missed" -v t="$total" -v n="$alerts" -v c="$cost" -v s="$net" \
		'BEGIN { d1 = a + m - t; d2 = c + s - t; d3 = c - (2 * n + m);
		         if (d1 * d1 > 1e-3 || d2 * d2 > 1e-3 || d3 * d3 > 1e-3) exit 1 }' ||
		fail "column $col: caught $caught + missed $missed != $total, or cost $cost, net $net, alerts $alerts disagree"
done

# threshold 0 flags every row: nothing missed, recall of amount 1.
run01 --no-register --set threshold=0 --set 'gate=recall>=0' "$data"
[ "$(field amount_missed 3)" = 0.00 ] || fail "threshold 0 misses $(field amount_missed 3)"
[ "$(field amount_recall 3)" = 1.0000 ] || fail "threshold 0 amount_recall $(field amount_recall 3)"
[ "$(field alert_rate 3)" = 1.0000 ] || fail "threshold 0 alert_rate $(field alert_rate 3)"

# min_cost: the note names the threshold and its test figures; pipeline.json
# keeps "min_cost", model.json the number, evaluation.json the method.
run01 --no-register --set threshold=min_cost --set cost.alert=5 --out "$tmp/m" "$data"
grep -q 'threshold: .* has the least cost on validation (.*); on test: cost .*, net savings .*, [0-9]* alerts' \
	"$tmp/out" || fail "min_cost is not reported"
grep -qF '"threshold": "min_cost"' "$tmp/m/pipeline.json" || fail "pipeline.json lost min_cost"
grep -q '"method":[[:space:]]*"min_cost"' "$tmp/m/evaluation.json" ||
	fail "evaluation.json lacks the method"
grep -q '^	"threshold":	[0-9][0-9.e-]*,\?$' "$tmp/m/model.json" || fail "model.json lacks the chosen threshold"
# ... and reproduces from the written pipeline.json
run01 --no-register --pipeline "$tmp/m/pipeline.json" --out "$tmp/m2" "$data"
cmp -s "$tmp/m/model.json" "$tmp/m2/model.json" || fail "min_cost does not reproduce"
# least cost at cost.alert=5 is no more than the cost at the default threshold
run01 --no-register --set cost.alert=5 "$data"
fixed=$(field cost 2)
run01 --no-register --set cost.alert=5 --set threshold=min_cost "$data"
awk -v a="$(field cost 2)" -v b="$fixed" 'BEGIN { exit !(a <= b + 1e-9) }' ||
	fail "min_cost costs more on validation than threshold 0.5 ($(field cost 2) > $fixed)"

# The figures gate a run, and the failure names the condition.
run 1 --no-register --set 'gate=alerts<=3' "$data"
grep -q '^gate FAILED: alerts [0-9]* is not <= 3' "$tmp/out" ||
	fail "a failed alerts gate is not named: $(tail -n 1 "$tmp/out")"
run 0 --no-register --set 'gate=net_savings>0,amount_recall>=0.1' "$data"

# Named, switched off, or without any amount-like column: every fraud counts 1.
run 0 --no-register --set amount.column=false "$data"
grep -qF 'decisions (no amount column: every fraud counts 1)' "$tmp/out" ||
	fail "amount.column=false is not shown"
cut -d, -f1-4,6- "$data" >"$tmp/noamt.csv"
run 0 --no-register "$tmp/noamt.csv"
grep -qF 'amount: no column named like an amount; every fraud counts 1' "$tmp/out" ||
	fail "a file without amounts is not noted"
run 0 --no-register --set amount.column=dist1 "$data"
grep -qF 'decisions (amount: dist1;' "$tmp/out" || fail "a named amount column is not used"

# Bad amount settings: one line, exit 2, nothing written.
run 2 --no-register --set amount.column=nosuch --out "$tmp/bad" "$data"
grep -qxF "fraudtree: $data: amount.column: no column named \"nosuch\"" "$tmp/err" ||
	fail "unknown amount column: $(cat "$tmp/err")"
[ -e "$tmp/bad" ] && fail "a refused run wrote files"
run 2 --no-register --set amount.column=card_type "$data"
grep -qxF "fraudtree: $data: amount.column: card_type is categorical, not numeric" "$tmp/err" ||
	fail "categorical amount column: $(cat "$tmp/err")"
run 2 --no-register --set amount.column=isFraud "$data"
grep -qxF "fraudtree: $data: amount.column: isFraud is the target" "$tmp/err" ||
	fail "target as amount column: $(cat "$tmp/err")"
run 2 --no-register --set cost.alert=-1 "$data"
grep -qxF 'fraudtree: --set cost.alert: expected a number between 0 and 1e12, got -1' "$tmp/err" ||
	fail "negative cost: $(cat "$tmp/err")"
run 2 --no-register --set threshold=min_cost --set split.validation=0 --set split.train=0.8 "$data"
grep -qF 'threshold: min_cost needs a validation split' "$tmp/err" ||
	fail "min_cost without validation: $(cat "$tmp/err")"

exit $((fails > 0))
