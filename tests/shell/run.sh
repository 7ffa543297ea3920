#!/bin/sh
# fraudtree run: exit status, the files --out writes, the report's keys,
# byte-identical reruns, reproduction from the written pipeline.json, clear
# errors for bad settings, and a gate that refuses a model catching no fraud.
. "${FT_SRCDIR:?}/tests/shell/run-lib.sh"

# A passing run writes the four files; the report carries the original keys.
run 0 --no-register --out "$tmp/a" "$data"
for f in model.json evaluation.json pipeline.json rules.txt; do
	[ -s "$tmp/a/$f" ] || fail "--out did not write $f"
done
for pat in 'stages' 'class counts' 'train (after)' 'majority baseline' \
	'confusion matrix' 'gate passed' 'not registered (--no-register)'; do
	grep -qF "$pat" "$tmp/out" || fail "report lacks '$pat'"
done
ev=$tmp/a/evaluation.json
for key in '"binary_classification_metrics"' '"accuracy"' '"confusion_matrix"' \
	'"validation"' '"baseline"' '"threshold"' '"splits"' '"before"' '"after"' \
	'"roc"' '"pr"' '"gate"' '"tuning"' '"feature_importance"' '"recall"' '"pr_auc"'; do
	grep -qF "$key" "$ev" || fail "evaluation.json lacks $key"
done
grep -q '"value":' "$ev" || fail "metrics are not {\"value\": x}"
# The frame is freed before training; the report still describes the data.
head -n 1 "$tmp/out" | grep -qxF "data: $data (5000 rows, 14 columns)" ||
	fail "report does not describe the data: $(head -n 1 "$tmp/out")"
# Timings vary between runs, so they stay out of the file.
grep -qi 'seconds' "$ev" && fail "evaluation.json holds timings"
[ "$(stat -c %a "$tmp/a")" = 755 ] || fail "--out directory mode is not 0755"

# Same data + settings = the same bytes.
run 0 --no-register --quiet --out "$tmp/b" "$data"
for f in model.json evaluation.json pipeline.json rules.txt; do
	cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between two runs"
done
[ "$(cat "$tmp/out")" = "gate passed" ] || fail "--quiet printed more than the outcome"

# The resolved settings reproduce the model, also with tuning and resampling
# (undersampling costs accuracy, so the gate may fail: 0 or 1 is fine).
run_either() {
	"$FT_BIN" run "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -le 1 ] || fail "run $*: exit $got: $(cat "$tmp/err")"
}
run_either --no-register --quiet --set tune.max_depth='[3,5]' \
	--set tune.min_samples_leaf='[1,20]' --set resample.method=undersample \
	--set resample.ratio=0.5 --out "$tmp/c" "$data"
grep -q '"min_samples_leaf"' "$tmp/c/evaluation.json" || fail "tuned run has no tuning table"
run_either --no-register --quiet --pipeline "$tmp/c/pipeline.json" --out "$tmp/d" "$data"
cmp -s "$tmp/c/model.json" "$tmp/d/model.json" ||
	fail "pipeline.json does not reproduce model.json"
cmp -s "$tmp/c/pipeline.json" "$tmp/d/pipeline.json" ||
	fail "pipeline.json is not a fixed point"
run 0 --no-register --quiet --pipeline "$tmp/a/pipeline.json" --out "$tmp/e" "$data"
cmp -s "$tmp/a/model.json" "$tmp/e/model.json" ||
	fail "default pipeline.json does not reproduce model.json"

# Bad settings: exit 2, one line, naming the key (and the file).
run 2 --no-register --set tree.max_depth=-3 --out "$tmp/x" "$data"
grep -q '^fraudtree: .*tree.max_depth' "$tmp/err" || fail "bad --set not named: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "error is not one line"
[ -e "$tmp/x" ] && fail "a run refused for its settings created --out"
printf '{"tree": {"max_depth": "deep"}}\n' >"$tmp/p.json"
run 2 --no-register --pipeline "$tmp/p.json" "$data"
grep -q "^fraudtree: $tmp/p.json:1: tree.max_depth" "$tmp/err" ||
	fail "bad pipeline file not named: $(cat "$tmp/err")"
run 2 --no-register --set target=nope "$data"
grep -q 'nope' "$tmp/err" || fail "unknown target not named"
run 2 --no-register "$tmp/missing.csv"
grep -q "^fraudtree: $tmp/missing.csv" "$tmp/err" || fail "missing file not named"
run 2 --no-register --bogus "$data"
run 2 --no-register

# -h is help, as for every verb, and the help lists the short options.
run 0 -h
grep -q '^Usage: fraudtree run' "$tmp/out" || fail "run -h printed no usage"
grep -q -e '-q, --quiet' "$tmp/out" || fail "run --help does not mention -q"
grep -q -e '-h, --help' "$tmp/out" || fail "run --help does not mention -h"

# --delimiter takes a tab as every verb spells it; -q is --quiet.
tr ',' '\t' <"$data" >"$tmp/data.tsv"
for d in TAB tab '\t'; do
	run 0 --no-register -q --delimiter "$d" "$tmp/data.tsv"
	[ "$(cat "$tmp/out")" = "gate passed" ] || fail "--delimiter $d: $(cat "$tmp/out")"
done
run 2 --no-register --delimiter tabs "$tmp/data.tsv"
grep -q "^fraudtree: run: --delimiter: .*'tabs'" "$tmp/err" ||
	fail "bad --delimiter not named: $(cat "$tmp/err")"

# An impossible condition fails the gate (exit 1) and says why; files are
# still written for inspection.
run 1 --no-register --set 'gate=[{"metric":"recall","op":">=","value":1.01}]' \
	--out "$tmp/f" "$data"
grep -q 'gate FAILED' "$tmp/out" || fail "gate failure not reported"
grep -q 'FAIL  recall >= 1.01' "$tmp/out" || fail "failed condition not listed"
grep -q '"pass":[[:space:]]*false' "$tmp/f/evaluation.json" || fail "gate failure not in the report"

# 0.1% fraud and a stump: high accuracy, no fraud caught; the default
# accuracy gate must still fail, for the TP = 0 reason.
if "$FT_BIN" gen --rows 5000 --seed 7 --fraud-rate 0.001 >"$tmp/rare.csv" 2>/dev/null; then
	run 1 --no-register --set tree.max_depth=1 --set tree.min_samples_leaf=50 \
		"$tmp/rare.csv"
	grep -q 'TP = 0' "$tmp/out" || fail "TP = 0 reason not shown"
	grep -q 'pass  accuracy >= 0.85' "$tmp/out" ||
		fail "accuracy condition should pass on rare fraud"
else
	fail "gen --fraud-rate 0.001 failed"
fi

# --tune searches the workbench's default grid when no tune.* list is set
# (4 depths x 3 split sizes), writes that grid into pipeline.json so the
# file alone reproduces the model, and keeps the user's lists when set.
run_either --no-register --tune --out "$tmp/t" "$data"
grep -q '^tuning (12 grid points' "$tmp/out" || fail "--tune did not search 12 points: $(grep tuning "$tmp/out")"
tr -d ' \n' <"$tmp/t/pipeline.json" | grep -q '"max_depth":\[3,5,8,12\],"min_samples_split":\[2,20,100\]' ||
	fail "pipeline.json lacks the default grid"
run_either --no-register --quiet --pipeline "$tmp/t/pipeline.json" --out "$tmp/t2" "$data"
cmp -s "$tmp/t/model.json" "$tmp/t2/model.json" || fail "--tune's pipeline.json does not reproduce its model"
run_either --no-register --tune --set tune.min_samples_leaf=1,7 "$data"
grep -q '^tuning (2 grid points' "$tmp/out" || fail "--tune replaced the user's grid: $(grep tuning "$tmp/out")"

# A --na-values list that repeats one string means that string once: the
# models score every row alike (and a long repeated list costs no more than
# a short one to prepare and to score).
many=$(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "%sgmail.com", i ? "," : "" }')
run_either --no-register --quiet --na-values gmail.com --out "$tmp/na1" "$data"
run_either --no-register --quiet --na-values "$many" --out "$tmp/na2" "$data"
"$FT_BIN" predict "$tmp/na1/model.json" "$data" -o "$tmp/na1.csv" 2>"$tmp/err" || fail "predict na1: $(cat "$tmp/err")"
"$FT_BIN" predict "$tmp/na2/model.json" "$data" -o "$tmp/na2.csv" 2>"$tmp/err" || fail "predict na2: $(cat "$tmp/err")"
cmp -s "$tmp/na1.csv" "$tmp/na2.csv" || fail "a repeated --na-values string changed the scores"
cmp -s "$tmp/na1/rules.txt" "$tmp/na2/rules.txt" || fail "a repeated --na-values string changed the tree"

# The bundled sample runs as shipped (its gate outcome is its own business).
sample=${FT_SRCDIR:-.}/data/transactions.csv
if [ -f "$sample" ] && [ "$(wc -l <"$sample")" -gt 1000 ]; then
	"$FT_BIN" run --no-register --quiet --out "$tmp/s" "$sample" >"$tmp/out" 2>"$tmp/err"
	[ $? -le 1 ] || fail "run on the bundled sample: $(cat "$tmp/err")"
	[ -s "$tmp/s/model.json" ] || fail "run on the bundled sample wrote no model"
fi

[ "$fails" -eq 0 ] || exit 1
exit 0
