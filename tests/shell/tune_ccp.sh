#!/bin/sh
# tune.ccp_alpha = path: the pruning path's table (alphas, leaves, score
# +/- SE) in the report and evaluation.json, the one-SE choice adopted as
# tree.ccp_alpha (the model is that subtree, pipeline.json reproduces it),
# cross-validated with tune.cv, and bad values refused in one line.
. "${FT_SRCDIR:?}/tests/shell/run-lib.sh"

run_either() {
	"$FT_BIN" run "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -le 1 ] || fail "run $*: exit $got: $(cat "$tmp/err")"
}

# field N of the ccp_path row chosen, from evaluation.json (one key a line)
chosen() {
	awk -v want="$2" '
		/"ccp_path"/ { inpath = 1 }
		inpath && /"chosen":/ { gsub(/[^0-9]/, ""); c = $0 }
		inpath && /"alpha":/ { k++; v = $0; sub(/.*:[ \t]*/, "", v); sub(/,$/, "", v); a[k - 1] = v }
		inpath && /"leaves":/ { v = $0; gsub(/[^0-9]/, "", v); l[k - 1] = v }
		END { print (want == "alpha" ? a[c] : l[c]) }' "$1"
}

run_either --no-register --set tune.ccp_alpha=path --out "$tmp/a" "$data"
grep -qF 'pruning path (' "$tmp/out" || fail "report lacks the pruning path table"
grep -qF '<- chosen (one SE)' "$tmp/out" || grep -qF '* best, chosen' "$tmp/out" ||
	fail "report does not mark the one-SE choice"
grep -q 'one-SE choice tree.ccp_alpha=' "$tmp/out" || fail "notes lack the one-SE choice"
ev=$tmp/a/evaluation.json
grep -q '"ccp_path"' "$ev" || fail "evaluation.json lacks tuning.ccp_path"
[ "$(grep -c '"score_se"' "$ev")" -ge 3 ] || fail "evaluation.json path lacks score_se rows"
alpha=$(chosen "$ev" alpha)
leaves=$(chosen "$ev" leaves)
[ -n "$alpha" ] && [ "$leaves" -ge 1 ] || fail "no chosen row in evaluation.json"
# the resolved settings carry the choice, and the tree is that subtree
grep -q "\"ccp_alpha\": $alpha," "$tmp/a/pipeline.json" ||
	fail "pipeline.json tree.ccp_alpha is not the chosen $alpha"
grep -q '"ccp_alpha": "path"' "$tmp/a/pipeline.json" || fail "pipeline.json lacks tune.ccp_alpha"
got_leaves=$(grep -c '"left":[[:space:]]*-1' "$tmp/a/model.json")
[ "$got_leaves" -eq "$leaves" ] ||
	fail "model has $got_leaves leaves, the chosen subtree $leaves"

# byte-identical on a rerun; the written pipeline reproduces the model; a
# fixed tree.ccp_alpha at the chosen value grows the same tree
run_either --no-register --quiet --set tune.ccp_alpha=path --out "$tmp/b" "$data"
for f in model.json evaluation.json pipeline.json; do
	cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between two runs"
done
run_either --no-register --quiet --pipeline "$tmp/a/pipeline.json" --out "$tmp/c" "$data"
cmp -s "$tmp/a/model.json" "$tmp/c/model.json" || fail "pipeline.json does not reproduce the model"
run_either --no-register --quiet --set tree.ccp_alpha="$alpha" --out "$tmp/d" "$data"
cmp -s "$tmp/a/model.json" "$tmp/d/model.json" ||
	fail "tree.ccp_alpha=$alpha does not grow the chosen subtree"

# cross-validated, after a grid
run_either --no-register --set tune.ccp_alpha=path --set tune.cv=3 \
	--set tune.max_depth='[4,6]' --set resample.method=smote --out "$tmp/e" "$data"
grep -qF 'pruning path (' "$tmp/out" && grep -qF '3-fold cross-validation' "$tmp/out" ||
	fail "cross-validated path not reported"
grep -q '"folds":[[:space:]]*3' "$tmp/e/evaluation.json" || fail "path rows lack folds 3"
grep -q '"grid"' "$tmp/e/evaluation.json" || fail "the grid's table is gone beside the path"
grep -q 'tuned 2 grid points' "$tmp/out" || fail "the grid did not run before the path"

# --tune with the path set and no list: the path is the tuning, no grid
run_either --no-register --tune --set tune.ccp_alpha=path "$data"
grep -qF 'pruning path (' "$tmp/out" || fail "--tune dropped the path"
grep -q 'grid points' "$tmp/out" && fail "--tune added the default grid to the path"

# an objective without a standard error: the best alpha, said so
run_either --no-register --set tune.ccp_alpha=path --set tune.objective=net_savings "$data"
grep -q 'has no standard error' "$tmp/out" || fail "no note for an objective without SE"

# a tree.ccp_alpha already set is replaced, with a note
run_either --no-register --set tune.ccp_alpha=path --set tree.ccp_alpha=0.5 "$data"
grep -q 'the path replaced tree.ccp_alpha 0.5' "$tmp/out" || fail "no note on replacing tree.ccp_alpha"

# bad values: one line naming the file and line, or --set; nothing written
printf '{\n  "tune": {\n    "ccp_alpha": "paths"\n  }\n}\n' >"$tmp/p.json"
run 2 --no-register --pipeline "$tmp/p.json" --out "$tmp/f" "$data"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "error is not one line: $(cat "$tmp/err")"
grep -qF "fraudtree: $tmp/p.json:3: tune.ccp_alpha: expected none or path" "$tmp/err" ||
	fail "error does not name file and line: $(cat "$tmp/err")"
[ -e "$tmp/f" ] && fail "a refused run wrote output"
for bad in paths PATH 1 true '[]' ''; do
	run 2 --no-register --set tune.ccp_alpha="$bad" "$data"
	grep -q '^fraudtree: --set tune.ccp_alpha: expected none or path' "$tmp/err" ||
		fail "tune.ccp_alpha=$bad not refused by name: $(cat "$tmp/err")"
done
run 2 --no-register --set tune.ccp_alpha=path --set split.validation=0 --set split.train=0.8 "$data"
grep -q 'split.validation' "$tmp/err" || fail "path without validation not refused"

# An objective with no standard error: the choice is the largest alpha at
# the best score, said so (never "one SE"); a root-alone choice is noted.
run_either --no-register --set tune.ccp_alpha=path --set tune.objective=alert_rate "$data"
grep -qF '(one SE)' "$tmp/out" && fail "an objective without SE is called a one-SE choice"
grep -qF 'the largest alpha with the best score (tune.objective has no standard error)' \
	"$tmp/out" || fail "no-SE footer: $(grep 'the fit uses' "$tmp/out")"
grep -qF 'the choice is the root alone, which gives every row the same decision' "$tmp/out" ||
	fail "a root-alone choice is not noted"
grep -qF '(1 leaves' "$tmp/out" && fail "1 leaves"

[ "$fails" -eq 0 ] || exit 1

exit 0
