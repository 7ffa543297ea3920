#!/bin/sh
# export.sh: `fraudtree export`. The SQL export run by Debian's sqlite3 on
# a table made by .import --csv scores every row as predict does (leaf and
# prediction), for models with every encoding, on rows exactly on each
# threshold, missing and unreadable cells and unseen categories; Graphviz
# accepts every DOT export; the JSON export carries the model; bad
# arguments change nothing.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
. "$FT_SRCDIR/tests/shell/export-lib.sh"

# ---- arguments are checked before anything is read or written
M="$T/onehot.json"
expect 2 "$FT_BIN" export "$M"
expect 2 "$FT_BIN" export "$M" --format csv
has "$T/err" "--format: expected sql, dot or json, got 'csv'"
expect 2 "$FT_BIN" export "$M" --format sql --dialect mysql
has "$T/err" "--dialect: expected sqlite, postgres or ansi, got 'mysql'"
expect 2 "$FT_BIN" export "$M" --format dot --dialect sqlite
expect 2 "$FT_BIN" export "$M" --format sql --max-depth 2
expect 2 "$FT_BIN" export "$M" --format dot --max-depth -1
expect 2 "$FT_BIN" export "$M" --format sql --table ''
expect 2 "$FT_BIN" export "$M" --format sql --table 'a..b'
expect 2 "$FT_BIN" export "$T/nope.json" --format sql -o "$T/never.sql"
has "$T/err" "nope.json"
[ ! -e "$T/never.sql" ] || fail "a failed export wrote its output"
expect 2 "$FT_BIN" export nosuchgroup/1 --format sql --registry "$T/reg-onehot"
expect 0 "$FT_BIN" export "$M" --format sql -o "$T/q.sql"
[ -s "$T/q.sql" ] && [ ! -s "$T/out" ] || fail "-o wrote nowhere or also to stdout"
# the registry forms resolve as predict resolves them
expect 0 "$FT_BIN" export fraud-detection-model-group@latest --format sql --registry "$T/reg-onehot"
cmp -s "$T/out" "$T/q.sql" && fail "the query should name its model" || :
grep -v '^--' "$T/out" >"$T/a.sql"; grep -v '^--' "$T/q.sql" >"$T/b.sql"
cmp "$T/a.sql" "$T/b.sql" || fail "GROUP@latest exports another query"

# ---- SQL in sqlite3
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "skip: sqlite3 is not installed (bootstrap --check installs it)"
	SKIP_SQLITE=1
fi
for name in $MODELS; do
	[ -n "${SKIP_SQLITE:-}" ] && break
	edges "$name" "$T/score-$name.csv" no
	expect 0 "$FT_BIN" predict "$T/$name.json" "$T/score-$name.csv" --leaf -o "$T/p-$name.csv"
	leaves "$T/p-$name.csv" >"$T/want-$name"
	for table in transactions 'odd "name"'; do
		expect 0 "$FT_BIN" export "$T/$name.json" --format sql --table "$table" \
			-o "$T/$name.sql"
		rm -f "$T/db"
		sqlite3 "$T/db" ".import --csv '$T/score-$name.csv' '$table'" ||
			fail "sqlite3 import"
		# .import names the table as given; the query quotes it as an identifier
		sqlite3 -csv "$T/db" <"$T/$name.sql" >"$T/s-$name.csv" 2>"$T/s.err" ||
			{ cat "$T/s.err" >&2; fail "sqlite3 rejects the $name query"; }
		awk -F, '{ print $(NF - 3) "|" $NF }' "$T/s-$name.csv" >"$T/got-$name"
		same_rows "$T/want-$name" "$T/got-$name" "sqlite, $name model, table $table"
	done
	# every input column comes back first, in the table's order
	sqlite3 -header -csv "$T/db" "$(sed 's/LIMIT//' "$T/$name.sql" | sed '$ s/;$//') LIMIT 0" \
		>"$T/h.csv" 2>/dev/null || sqlite3 -header -csv "$T/db" <"$T/$name.sql" | head -n 1 >"$T/h.csv"
	head -n 1 "$T/p-$name.csv" >"$T/ph.csv"
	head -n 1 "$T/h.csv" | cmp - "$T/ph.csv" || fail "$name: SQL columns differ from predict's"
done
# the rows on thresholds really are on them: some land on each side
grep -c '' "$T/want-onehot" >/dev/null

# ---- DOT for Graphviz
if command -v dot >/dev/null 2>&1; then
	for name in $MODELS; do
		for depth in "" 0 1 3; do
			expect 0 "$FT_BIN" export "$T/$name.json" --format dot ${depth:+--max-depth $depth}
			dot -Tsvg "$T/out" >"$T/g.svg" 2>"$T/dot.err" ||
				{ cat "$T/dot.err" >&2; fail "dot rejects the $name tree (max depth '$depth')"; }
			grep -q '<svg' "$T/g.svg" || fail "dot drew nothing"
		done
	done
else
	echo "skip: graphviz (dot) is not installed; DOT checked by text only"
fi
expect 0 "$FT_BIN" export "$T/onehot.json" --format dot --max-depth 1
has "$T/out" "n0 -> n"
has "$T/out" "more split"
has "$T/out" "fillcolor="
lacks "$T/out" "n0 [label=\"\""
# a category with quotes, a backslash and a line break cannot break the file
printf 'amount,card,isFraud\n' >"$T/q.csv"
i=0
while [ $i -lt 40 ]; do
	printf '%d,"x""y\\z",1\n%d,"two\nlines",0\n%d,plain,0\n' $((i + 200)) $i $((i + 300)) >>"$T/q.csv"
	i=$((i + 1))
done
"$FT_BIN" run --registry "$T/reg-q" --set target=isFraud --set gate= --set tune.max_depth= \
	--set tune.min_samples_leaf= --set split.train=0.8 --set split.validation=0.1 \
	--set split.test=0.1 --set tree.min_samples_leaf=1 "$T/q.csv" >"$T/run-q.out" 2>&1 ||
	{ cat "$T/run-q.out" >&2; fail "training on odd categories"; }
QM=$(find "$T/reg-q" -name model.json | head -n 1)
expect 0 "$FT_BIN" export "$QM" --format dot
has "$T/out" 'x\"y\\z'
if command -v dot >/dev/null 2>&1; then
	dot -Tsvg "$T/out" >/dev/null 2>"$T/dot.err" || { cat "$T/dot.err" >&2; fail "dot rejects odd names"; }
fi
if [ -z "${SKIP_SQLITE:-}" ]; then
	"$FT_BIN" predict "$QM" "$T/q.csv" --leaf -o "$T/pq.csv" 2>/dev/null || fail "predict odd"
	expect 0 "$FT_BIN" export "$QM" --format sql
	rm -f "$T/db"
	sqlite3 "$T/db" ".import --csv '$T/q.csv' transactions" || fail "import odd"
	sqlite3 -csv "$T/db" <"$T/out" >"$T/sq.csv" || fail "sqlite3 rejects the odd query"
	# one value holds a line break: compare the last three columns by record
	awk -F, 'NR > 1 && NF >= 4 { print $(NF - 3) "|" $NF }' "$T/pq.csv" >"$T/wq"
	awk -F, 'NF >= 4 { print $(NF - 3) "|" $NF }' "$T/sq.csv" >"$T/gq"
	same_rows "$T/wq" "$T/gq" "sqlite, odd categories"
fi

# ---- JSON: the model as model.json has it, and its leaves
expect 0 "$FT_BIN" export "$M" --format json
has "$T/out" '"format":	"fraudtree-export"'
has "$T/out" '"recipe":'
has "$T/out" '"leaves":'
# the embedded model is model.json itself: cut it out and load it back
awk '/^\t"model":/ { on = 1; sub(/^\t"model":\t/, ""); } on { print } on && /^},?$/ { exit }' \
	"$T/out" | sed '$ s/},$/}/' >"$T/embedded.json"
expect 0 "$FT_BIN" export "$T/embedded.json" --format sql
grep -v '^--' "$T/out" >"$T/c.sql"
grep -v '^--' "$T/q.sql" >"$T/d.sql"
cmp "$T/c.sql" "$T/d.sql" || fail "the JSON export's model is not the model"
# ---- reason codes: the fixture's root has p = 25/130; amount > 100 leads
# to p = 0.5 (node 2), then card != debit to 0.75 (node 3) or debit to 0
# (node 4); amount <= 100 to 0.1 (node 1). Only rises are reasons.
"$STRESS" model "$T/fx.json" || fail "fixture model"
has "$T/fx.json" '"reason_codes":'
tr -d '\t\n' <"$T/fx.json" >"$T/fx.flat"
has "$T/fx.flat" '{"code":"R001","node":1,"text":"amount <= 100"}'
has "$T/fx.flat" '{"code":"R002","node":2,"text":"amount > 100"}'
has "$T/fx.flat" '{"code":"R003","node":3,"text":"card != debit"}'
has "$T/fx.flat" '{"code":"R004","node":4,"text":"card = debit"}'
printf 'amount,card\n150,credit\n200,debit\n50,debit\n,\n' >"$T/fx.csv"
expect 0 "$FT_BIN" predict "$T/fx.json" "$T/fx.csv" --reasons 2 --leaf
cat >"$T/fx.want" <<'CSV'
amount,card,fraud_leaf,fraud_score,fraud_probability,prediction,reason_1,reason_2
150,credit,3,0.75,0.75,1,R002,R003
200,debit,4,0,0,0,R002,
50,debit,1,0.1,0.1,0,,
,,1,0.1,0.1,0,,
CSV
cmp "$T/out" "$T/fx.want" || { cat "$T/out" >&2; fail "reason codes"; }
# the biggest rise first: 0.19 -> 0.5 beats 0.5 -> 0.75
expect 0 "$FT_BIN" predict "$T/fx.json" "$T/fx.csv" --reasons 1
has "$T/out" "150,credit,0.75,0.75,1,R002"
for bad in 0 65 -1 x 1.5 ''; do
	expect 2 "$FT_BIN" predict "$T/fx.json" "$T/fx.csv" --reasons "$bad"
	has "$T/err" "--reasons: expected a whole number from 1 to 64"
done
# the JSON export carries the table, and every code predict gives is in it
expect 0 "$FT_BIN" export "$T/onehot.json" --format json
has "$T/out" '"reason_codes":'
"$FT_BIN" predict "$T/onehot.json" "$T/base.csv" --reasons 3 -o "$T/r.csv" 2>/dev/null ||
	fail "predict --reasons"
tr -d '\t\n' <"$T/out" >"$T/flat"
awk -F, 'NR > 1 { for (k = NF - 2; k <= NF; k++) if ($k != "") print $k }' "$T/r.csv" |
	sort -u >"$T/codes"
[ -s "$T/codes" ] || fail "no reasons at all on 1500 rows"
while read -r code; do
	grep -q "\"code\":\"$code\"" "$T/flat" || fail "$code is not in the export's reason_codes"
done <"$T/codes"

# ---- names from the data never leave a comment. PostgreSQL nests block
# comments, so a column named a/*b once opened a comment that never closed,
# and "*/ ; x; /*" closed ours early. Outside quoted identifiers and string
# literals every comment must open and close once, with nothing nested.
awk 'BEGIN { srand(3); print "\"a/*b\",\"*/ ; DROP TABLE t; /*\",isFraud"
	for (i = 0; i < 800; i++) { a = rand(); b = rand()
		printf "%.3f,%.3f,%d\n", a, b, (a > .8 || b > .9) ? 1 : 0 } }' >"$T/cm.csv"
expect 0 "$FT_BIN" run -q --no-register --set tree.max_depth=3 --out "$T/cm" "$T/cm.csv"
for d in sqlite postgres ansi; do
	expect 0 "$FT_BIN" export "$T/cm/model.json" --format sql --dialect "$d" -o "$T/cm.sql"
	grep -q 'a/ \*b' "$T/cm.sql" || fail "$d: the name is not in the comments"
	perl -0777 -ne '
		s/"(?:[^"]|"")*"//g; s/\x27(?:[^\x27]|\x27\x27)*\x27//g; s/--[^\n]*//g;
		my $depth = 0;
		while (m{(/\*|\*/)}g) {
			$depth += $1 eq "/*" ? 1 : -1;
			exit 1 if $depth < 0 || $depth > 1;
		}
		exit($depth != 0);' "$T/cm.sql" || fail "$d: a comment nests or closes early"
done
exit 0
