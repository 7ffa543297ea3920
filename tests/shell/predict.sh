#!/bin/sh
# predict.sh: `fraudtree predict` on hand-checked rows, quoting, errors with
# file:line, registry references, big inputs cut across threads, and (when a
# pipeline run can register) a real model.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
R="$T/reg"
"$STRESS" model "$T/model.json" || fail "fixture model"

# The fixture routes amount > 100 and card other than debit to p = 0.75;
# amount > 100 with debit to 0; the rest to 0.1. Missing amount imputes 50.
cat >"$T/in.csv" <<'CSV'
id,amount,card,isFraud
1,150,credit,1
2,50,debit,0
3,200,debit,0
4,,,1
5,NA,cash,0
6,101,"de""bit",0
7,101,"two
lines",1
8,100,prepaid,0
CSV
cat >"$T/want.csv" <<'CSV'
id,amount,card,isFraud,fraud_score,fraud_probability,prediction
1,150,credit,1,0.75,0.75,1
2,50,debit,0,0.1,0.1,0
3,200,debit,0,0,0,0
4,,,1,0.1,0.1,0
5,NA,cash,0,0.1,0.1,0
6,101,"de""bit",0,0.75,0.75,1
7,101,"two
lines",1,0.75,0.75,1
8,100,prepaid,0,0.1,0.1,0
CSV
expect 0 "$FT_BIN" predict "$T/model.json" "$T/in.csv"
cmp "$T/out" "$T/want.csv" || fail "scored rows differ"

# Columns are matched by the names the loader gives them: a repeated name
# gets _1, an empty one unnamed_N. A model trained on such a header (inputs
# amount_1 and unnamed_2) scores the same file.
sed '0,/"name":\t"amount"/s//"name":\t"amount_1"/; 0,/"name":\t"card"/s//"name":\t"unnamed_2"/' \
	"$T/model.json" >"$T/renamed.json"
grep -q '"amount_1"' "$T/renamed.json" && grep -q '"unnamed_2"' "$T/renamed.json" ||
	fail "renaming the fixture's inputs"
printf 'amount,amount,,isFraud\n0,150,credit,1\n0,150,debit,0\n0,50,,1\n' >"$T/dup.csv"
expect 0 "$FT_BIN" predict "$T/renamed.json" "$T/dup.csv"
printf 'amount,amount,,isFraud,fraud_score,fraud_probability,prediction\n0,150,credit,1,0.75,0.75,1\n0,150,debit,0,0,0,0\n0,50,,1,0.1,0.1,0\n' >"$T/want_dup.csv"
cmp "$T/out" "$T/want_dup.csv" || fail "repeated and empty header names"

expect 0 "$FT_BIN" predict "$T/model.json" "$T/in.csv" --explain
has "$T/out" "id,amount,card,isFraud,fraud_score,fraud_probability,prediction,decision_path"
has "$T/out" "1,150,credit,1,0.75,0.75,1,amount=150 > 100; card!=debit -> fraud p=0.75"
has "$T/out" "3,200,debit,0,0,0,0,amount=200 > 100; card=debit -> legit p=0"
has "$T/out" "4,,,1,0.1,0.1,0,amount=50 (imputed) <= 100 -> legit p=0.1"
has "$T/out" "5,NA,cash,0,0.1,0.1,0,amount=50 (imputed) <= 100 -> legit p=0.1"

# -o writes the file whole; CRLF input and a semicolon delimiter work.
expect 0 "$FT_BIN" predict "$T/model.json" "$T/in.csv" -o "$T/scored.csv"
cmp "$T/scored.csv" "$T/want.csv" || fail "-o output differs"
has "$T/err" "8 rows scored, 3 flagged"
printf 'amount;card\r\n150;credit\r\n' >"$T/semi.csv"
expect 0 "$FT_BIN" predict "$T/model.json" "$T/semi.csv"
[ "$(cat "$T/out")" = "$(printf 'amount;card;fraud_score;fraud_probability;prediction\n150;credit;0.75;0.75;1')" ] ||
	fail "semicolon output: $(cat "$T/out")"

# --delimiter takes a tab as describe and run do.
printf 'amount\tcard\n150\tcredit\n' >"$T/tab.tsv"
for d in TAB tab '\t'; do
	expect 0 "$FT_BIN" predict "$T/model.json" "$T/tab.tsv" --delimiter "$d"
	[ "$(cat "$T/out")" = "$(printf 'amount\tcard\tfraud_score\tfraud_probability\tprediction\n150\tcredit\t0.75\t0.75\t1')" ] ||
		fail "--delimiter $d output: $(cat "$T/out")"
done
expect 2 "$FT_BIN" predict "$T/model.json" "$T/tab.tsv" --delimiter tabs
has "$T/err" "predict: --delimiter: expected one character (or 'tab'), got 'tabs'"
# every verb that reads a CSV refuses a bad --delimiter in the same words
for verb in describe run drift; do
	case $verb in drift) set -- "$T/model.json" "$T/tab.tsv" ;; *) set -- "$T/tab.tsv" ;; esac
	expect 2 "$FT_BIN" $verb "$@" --delimiter tabs
	has "$T/err" "$verb: --delimiter: expected one character (or 'tab'), got 'tabs'"
done

# Errors name the file and the line; a failed -o leaves nothing behind.
printf 'id,card\n1,debit\n' >"$T/nocol.csv"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/nocol.csv"
has "$T/err" "nocol.csv:1: missing required column: amount"
printf 'id,isFraud\n1,0\n' >"$T/nocols.csv"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/nocols.csv"
has "$T/err" "missing required columns: amount, card"
printf 'id,amount,card\n1,5,"multi\nline"\n\n2,5\n' >"$T/ragged.csv"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/ragged.csv" -o "$T/ragged.out"
has "$T/err" "ragged.csv:5: expected 3 fields, found 2"
[ ! -e "$T/ragged.out" ] || fail "partial output left behind"
ls "$T" | grep -q 'ragged.out.tmp' && fail "temporary output left behind"
printf 'id,amount,card\n1,5,debit\n2,5,"open\n' >"$T/open.csv"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/open.csv"
has "$T/err" "open.csv:3: unterminated quoted field"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/none.csv"
has "$T/err" "none.csv"
: >"$T/empty.csv"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/empty.csv"
has "$T/err" "empty.csv:1: empty file (no header line)"
expect 2 "$FT_BIN" predict "$T/model.json"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/in.csv" --bogus

# Registry references.
publish "$R" g >/dev/null
publish "$R" g >/dev/null
expect 0 "$FT_BIN" predict g/1 "$T/in.csv" --registry "$R"
cmp "$T/out" "$T/want.csv" || fail "g/1 output differs"
expect 0 env FRAUDTREE_REGISTRY="$R" "$FT_BIN" predict g@latest "$T/in.csv"
cmp "$T/out" "$T/want.csv" || fail "g@latest output differs"
expect 2 "$FT_BIN" predict g@approved "$T/in.csv" --registry "$R"
has "$T/err" "no approved version"
"$FT_BIN" registry approve g/1 --reason ok --registry "$R" >/dev/null || fail approve
expect 0 "$FT_BIN" predict g@approved "$T/in.csv" --registry "$R"
expect 2 "$FT_BIN" predict g/3 "$T/in.csv" --registry "$R"
expect 2 "$FT_BIN" predict ../g/1 "$T/in.csv" --registry "$R"
printf ' ' >>"$R/g/2/model.json"
expect 2 "$FT_BIN" predict g/2 "$T/in.csv" --registry "$R"
has "$T/err" "g/2/model.json: size"

# A big input is cut into pieces scored on several threads; quoted fields
# with line breaks and a stray quote (which defeats the cheap way of
# finding record ends) must not change a single byte of the result.
gen_big() {
	awk -v N="$1" -v STRAY="$2" -v IN="$T/big.csv" -v EXP="$T/big.want" '
BEGIN {
	srand(7);
	print "id,note,amount,card,isFraud" > IN;
	print "id,note,amount,card,isFraud,fraud_score,fraud_probability,prediction" > EXP;
	split("credit debit prepaid", cards, " ");
	for (i = 1; i <= N; i++) {
		amt = int(rand() * 20000) / 100;
		card = cards[i % 3 + 1];
		if (i % 1000 == 7) { ni = "\"two\nlines, \"\"quoted\"\"\""; no = ni }
		else if (i == STRAY) { ni = "ab\"c"; no = "\"ab\"\"c\"" }
		else { ni = "n" i; no = ni }
		if (amt > 100 && card != "debit") { p = "0.75"; y = 1 }
		else if (amt > 100) { p = "0"; y = 0 }
		else { p = "0.1"; y = 0 }
		print i "," ni "," amt "," card "," (i % 2) > IN;
		print i "," no "," amt "," card "," (i % 2) "," p "," p "," y > EXP;
	}
}'
}
# About 6 MB: two blocks. The stray quote sits early in the first block,
# then in the second, then nowhere.
for stray in 30001 170001 0; do
	gen_big 200000 $stray
	expect 0 "$FT_BIN" predict "$T/model.json" "$T/big.csv"
	cmp "$T/out" "$T/big.want" || fail "big input (stray quote in row $stray) scored differently"
done
printf '1,x,5\n' >>"$T/big.csv"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/big.csv"
has "$T/err" "big.csv:200202: expected 5 fields, found 3"

# Files predict refused nowhere else (one CSV dialect with the loader):
# lone-CR line ends, a NUL byte, a header without rows. Each fails with the
# loader's message and line, and writes nothing to standard output.
printf 'id,amount,card\r1,150,credit\r2,50,debit\r' >"$T/cr.csv"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/cr.csv"
has "$T/err" "cr.csv:1: lines end in a lone carriage return"
printf 'id,amount,card\n1,150,credit\n2,50,de\000bit\n3,5,debit\n' >"$T/nul.csv"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/nul.csv"
has "$T/err" "nul.csv:3: NUL byte in the data"
[ -s "$T/out" ] && fail "output written for a file with a NUL byte"
printf 'id,amount,card\n' >"$T/head.csv"
expect 2 "$FT_BIN" predict "$T/model.json" "$T/head.csv"
has "$T/err" "head.csv:1: header only, no data rows"
[ -s "$T/out" ] && fail "output written for a header-only file"

# The delimiter is found by the loader's rule: ';' seen most in the header
# but not repeated by the rows loses to ','.
printf 'a;b;c;d,amount,card\nx,150,credit\ny,50,debit\n' >"$T/semi_name.csv"
expect 0 "$FT_BIN" predict "$T/model.json" "$T/semi_name.csv"
has "$T/out" "a;b;c;d,amount,card,fraud_score,fraud_probability,prediction"
has "$T/out" "x,150,credit,0.75,0.75,1"
# A model records its training file's delimiter and predict uses it (unless
# --delimiter says otherwise): here ',' and ';' tie, so detection would say ','.
sed 's/"na_values":\t\[\],/"na_values":\t[],\n\t\t"delimiter":\t";",/; 0,/"name":\t"card"/s//"name":\t"card,x"/' \
	"$T/model.json" >"$T/semi_model.json"
grep -q '"delimiter":' "$T/semi_model.json" || fail "adding a delimiter to the fixture"
printf 'amount;card,x\n150;credit,1\n50;debit,2\n' >"$T/semi_rec.csv"
expect 0 "$FT_BIN" predict "$T/semi_model.json" "$T/semi_rec.csv"
has "$T/out" "amount;card,x;fraud_score;fraud_probability;prediction"
has "$T/out" "150;credit,1;0.75;0.75;1"
expect 2 "$FT_BIN" predict "$T/semi_model.json" "$T/semi_rec.csv" --delimiter ,
has "$T/err" "semi_rec.csv:1: missing required columns: amount, card,x"

# --explain on a tree deeper than any fixed path buffer (600 levels).
# deep_model D FILE: a valid model whose tree is a chain D splits deep on amount
deep_model() {
	awk -v D="$1" 'function node(l, r, f, t, a, b, d) {
		n = a + b; g = 1 - (a / n) ^ 2 - (b / n) ^ 2
		printf "%s{\"left\":%d,\"right\":%d,\"feature\":%d,\"threshold\":%s,\"value\":[%d,%d],\"count\":[%d,%d],\"impurity\":%.17g,\"samples\":%d,\"depth\":%d}", (nn++ ? "," : ""), l, r, f, t, a, b, a, b, g, n, d }
	BEGIN {
		printf "{\"format\":\"fraudtree-model\",\"format_version\":\"1.0\",\"recipe\":{\"format\":1,\"target\":\"isFraud\",\"positive\":\"1\",\"negative\":\"0\",\"na_values\":[],"
		printf "\"inputs\":[{\"name\":\"amount\",\"type\":\"numeric\",\"impute\":\"median\",\"fill_value\":50,\"missing_indicator\":false}],"
		printf "\"features\":[{\"name\":\"amount\",\"input\":0,\"kind\":\"numeric\"}],\"dropped\":[],\"notes\":[]},"
		printf "\"tree\":{\"params\":{\"criterion\":\"gini\",\"max_depth\":0,\"min_samples_split\":2,\"min_samples_leaf\":1,\"min_impurity_decrease\":0,\"max_leaf_nodes\":0,\"ccp_alpha\":0,\"max_bins\":256},"
		printf "\"nfeatures\":1,\"feature_names\":[\"amount\"],\"nodes\":["
		for (i = 0; i < D; i++) {
			node(2 * i + 1, 2 * i + 2, 0, i + 0.5, D - i + 1, 1, i)
			node(-1, -1, -1, 0, 1, 0, i + 1)
		}
		node(-1, -1, -1, 0, 1, 1, D)
		print "]},\"threshold\":0.5}" }' >"$2"
}
deep_model 600 "$T/deep.json"
printf 'amount\n100000\n3\n' >"$T/deep.csv"
expect 0 "$FT_BIN" predict "$T/deep.json" "$T/deep.csv" --explain
[ "$(awk -F'; ' 'NR == 2 { print NF }' "$T/out")" = 600 ] || fail "a 600-step path is not explained whole"
has "$T/out" "amount=100000 > 599.5 -> fraud p=0.5"
has "$T/out" "3,0,0,0,amount=3 > 0.5; amount=3 > 1.5; amount=3 > 2.5; amount=3 <= 3.5 -> legit p=0"

# Thousands of columns of one name, and of distinct names: the header is
# matched with hashing (tests/unit/test_csv.c bounds the work).
awk 'BEGIN { for (c = 0; c < 4000; c++) printf "x,"; print "amount,card";
	for (c = 0; c < 4000; c++) printf "1,"; print "150,credit" }' >"$T/same.csv"
expect 0 "$FT_BIN" predict "$T/model.json" "$T/same.csv"
has "$T/out" "150,credit,0.75,0.75,1"

# A real model from a pipeline run, when one can register: every row of its
# own data is scored, and each probability is one of the tree's leaves.
"$FT_BIN" gen --rows 2000 --seed 3 >"$T/tx.csv" 2>/dev/null || exit 0
"$FT_BIN" run --registry "$R" --set registry.group=real "$T/tx.csv" >/dev/null 2>&1 || exit 0
expect 0 "$FT_BIN" predict real/1 "$T/tx.csv" --registry "$R" --explain
[ "$(wc -l <"$T/out")" = 2001 ] || fail "not every row scored"
has "$T/out" "fraud_score,fraud_probability,prediction,decision_path"
# the model reads the training file's delimiter: a file split at another
# one reads as one column, and the error says so
tr ',' ';' <"$T/tx.csv" >"$T/tx-semi.csv"
expect 2 "$FT_BIN" predict real/1 "$T/tx-semi.csv" --registry "$R"
has "$T/err" "tx-semi.csv:1: missing required columns (the header is one column when split at ',', the model's delimiter; give the file's with --delimiter): "
expect 0 "$FT_BIN" predict real/1 "$T/tx-semi.csv" --registry "$R" --delimiter ';'
exit 0
