#!/bin/sh
# tune.cv: cross-validated tuning shows mean +/- sd per grid point in the
# report and evaluation.json, is byte-identical on a rerun, is reproduced
# by the written pipeline.json, and refuses a fold count it cannot honour.
. "${FT_SRCDIR:?}/tests/shell/run-lib.sh"

run_either() {
	"$FT_BIN" run "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -le 1 ] || fail "run $*: exit $got: $(cat "$tmp/err")"
}

run_either --no-register --set tune.max_depth='[2,4,8]' --set tune.cv=4 \
	--set resample.method=smote --out "$tmp/a" "$data"
grep -qF '4-fold cross-validation on train+validation' "$tmp/out" ||
	fail "report does not say the tuning was cross-validated"
[ "$(grep -c ' +/- ' "$tmp/out")" -ge 3 ] || fail "report lacks mean +/- sd rows"
ev=$tmp/a/evaluation.json
grep -q '"cv":[[:space:]]*4' "$ev" || fail "evaluation.json tuning lacks cv 4"
[ "$(grep -c '"score_sd"' "$ev")" -eq 3 ] || fail "evaluation.json grid lacks score_sd"
[ "$(grep -c '"folds":[[:space:]]*4' "$ev")" -eq 3 ] || fail "evaluation.json grid lacks folds"
grep -q '"cv":[[:space:]]*4' "$tmp/a/pipeline.json" || fail "pipeline.json lacks tune.cv"

run_either --no-register --quiet --set tune.max_depth='[2,4,8]' --set tune.cv=4 \
	--set resample.method=smote --out "$tmp/b" "$data"
for f in model.json evaluation.json pipeline.json; do
	cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between two cross-validated runs"
done
run_either --no-register --quiet --pipeline "$tmp/a/pipeline.json" --out "$tmp/c" "$data"
cmp -s "$tmp/a/model.json" "$tmp/c/model.json" ||
	fail "pipeline.json does not reproduce the cross-validated model"

# Without tune.cv the table is the validation split's, as before.
run_either --no-register --set tune.max_depth='[2,4,8]' --out "$tmp/d" "$data"
grep -qF 'cross-validation' "$tmp/out" && fail "tune.cv 0 reported cross-validation"
grep -q '"score_sd"' "$tmp/d/evaluation.json" && fail "tune.cv 0 wrote score_sd"

for bad in 1 -2 101 2.5 '"5"'; do
	run 2 --no-register --set tune.max_depth='[2]' --set tune.cv="$bad" "$data"
	grep -q '^fraudtree: .*tune.cv' "$tmp/err" || fail "tune.cv=$bad not refused by name"
done
# More folds than frauds: one line naming the key, nothing written.
head -n 40 "$data" >"$tmp/small.csv"
run 2 --no-register --set tune.max_depth='[2]' --set tune.cv=50 --set split.test=0.2 \
	--out "$tmp/e" "$tmp/small.csv"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "tune.cv error is not one line: $(cat "$tmp/err")"
[ -e "$tmp/e/model.json" ] && fail "a refused tune.cv run wrote a model"

[ "$fails" -eq 0 ] || exit 1
exit 0
