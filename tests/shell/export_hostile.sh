#!/bin/sh
# export_hostile.sh: the exports and the model card under data and models
# chosen to break them. Every output that says which leaves flag fraud (the
# DOT colours, the JSON export's leaves, the model card's tree) says what
# predict does, also when the threshold reads the probability rather than
# the score. The Markdown card shows text from data and people as text:
# no link, image, heading, list, emphasis or entity is made of it (cmark,
# a CommonMark renderer, reads it when installed). A table with columns
# named as the query's own (fraud_leaf, FRAUD_SCORE, prediction) is scored
# as predict scores the file, in sqlite3, and so is a number beside a
# line break or a form feed (no number to the loader).
. "$FT_SRCDIR/tests/shell/registry-lib.sh"

# ---- one rule decides a leaf. Undersampling makes a leaf's probability
# (corrected to the real prior) lower than its score; a threshold between
# the two for some leaf tells the rules apart.
"$FT_BIN" gen --rows 4000 --seed 3 --fraud-rate 0.3 -o "$T/g.csv" || fail "gen"
expect 0 "$FT_BIN" run --quiet --registry "$T/reg" --set resample.method=undersample \
	--set resample.ratio=0.5 --set threshold_on=probability --set threshold=0.68 \
	--set tune.max_depth= --set tree.max_depth=3 --set gate= "$T/g.csv"
G=fraud-detection-model-group/1
expect 0 "$FT_BIN" predict "$G" "$T/g.csv" --leaf --registry "$T/reg" -o "$T/p.csv"
# leaf, score, probability, prediction of each leaf rows reach
awk -F, 'NR > 1 { print $(NF - 3), $(NF - 2), $(NF - 1), $NF }' "$T/p.csv" | sort -u >"$T/leaves"
awk '$2 >= 0.68 && $3 < 0.68 { n++ } END { exit !n }' "$T/leaves" ||
	fail "setup: no leaf whose score and probability lie either side of the threshold"
awk '{ print $1, $4 }' "$T/leaves" | sort >"$T/want"
# the JSON export's leaves
expect 0 "$FT_BIN" export "$G" --format json --registry "$T/reg"
tr -d ' \t\n' <"$T/out" | grep -o '{"node":[0-9]*,[^}]*}' |
	sed 's/{"node":\([0-9]*\),.*"prediction":\([01]\)}/\1 \2/' | sort >"$T/json-all"
join "$T/want" "$T/json-all" | awk '$2 != $3 { print "leaf " $1 ": predict " $2 ", JSON " $3; bad = 1 }
	END { exit bad }' || fail "the JSON export's leaves predict otherwise than predict"
[ "$(join "$T/want" "$T/json-all" | wc -l)" -eq "$(wc -l <"$T/want")" ] ||
	fail "the JSON export lacks leaves predict reaches"
# ... their probability is predict's fraud_probability, their score its fraud_score
tr -d ' \t\n' <"$T/out" | grep -o '{"node":[0-9]*,[^}]*}' |
	sed 's/{"node":\([0-9]*\),"fraud_score":\([^,]*\),"fraud_probability":\([^,]*\),.*/\1 \2 \3/' |
	sort >"$T/json-p"
awk '{ print $1, $2, $3 }' "$T/leaves" | sort | join - "$T/json-p" |
	awk '$2 != $4 || $3 != $5 { print "leaf " $1 ": predict " $2 "/" $3 ", JSON " $4 "/" $5; bad = 1 }
	END { exit bad }' || fail "the JSON export's leaf score or probability is not predict's"
# the DOT leaves: fraud fill for the flagged ones
expect 0 "$FT_BIN" export "$G" --format dot --registry "$T/reg"
sed -n 's/^  n\([0-9]*\) \[label=".*leaf [0-9]*", fillcolor="\(#[0-9a-f]*\)"\];$/\1 \2/p' "$T/out" |
	sed 's/#f4c2c2$/1/; s/#c9e7cb$/0/' | sort >"$T/dot"
join "$T/want" "$T/dot" | awk '$2 != $3 { print "leaf " $1 ": predict " $2 ", DOT " $3; bad = 1 }
	END { exit bad }' || fail "the DOT export colours leaves otherwise than predict flags them"
has "$T/out" "leaves with fraud probability >= 0.68 predict fraud"
# the model card's tree (Markdown names each leaf's verdict)
expect 0 "$FT_BIN" registry card "$G" --format md --registry "$T/reg"
sed -n 's/.*\*\*\([a-z]*\)\*\*, p = .* (leaf \([0-9]*\))$/\2 \1/p' "$T/out" |
	sed 's/ fraud$/ 1/; s/ legit$/ 0/' | sort >"$T/card"
join "$T/want" "$T/card" | awk '$2 != $3 { print "leaf " $1 ": predict " $2 ", card " $3; bad = 1 }
	END { exit bad }' || fail "the model card calls leaves otherwise than predict"
[ -s "$T/card" ] || fail "the card's tree names no leaf"
has "$T/out" "leaf's fraud probability is at least 0.68"
expect 0 "$FT_BIN" registry card "$G" --registry "$T/reg" -o "$T/card.html"
for leaf in $(awk '$2 == 0 { print $1 }' "$T/want"); do
	grep -q "<g class=\"fraud\"><title>[^<]*</title>.*(leaf $leaf)<" "$T/card.html" &&
		fail "the card's SVG draws leaf $leaf as fraud; predict does not flag it"
done

# ---- columns named as the query's output columns
awk 'BEGIN { srand(5); print "amount,FRAUD_SCORE,fraud_leaf,prediction,isFraud"
	for (i = 0; i < 900; i++) { a = int(rand() * 1000); l = int(rand() * 9); p = rand()
		printf "%d,%.3f,%d,%.3f,%d\n", a, rand(), l, p, ((a > 700 && l > 3) || p > .93) }
}' >"$T/clash.csv"
expect 0 "$FT_BIN" run --quiet --no-register --out "$T/clash" --set tree.max_depth=5 \
	--set gate= "$T/clash.csv"
grep -q '"name":	"fraud_leaf"' "$T/clash/model.json" || fail "setup: fraud_leaf is not an input"
expect 0 "$FT_BIN" predict "$T/clash/model.json" "$T/clash.csv" --leaf -o "$T/pc.csv"
awk -F, 'NR > 1 { print $(NF - 3) "|" $NF }' "$T/pc.csv" >"$T/want-clash"
if command -v sqlite3 >/dev/null 2>&1; then
	for d in sqlite ansi; do
		expect 0 "$FT_BIN" export "$T/clash/model.json" --format sql --dialect $d -o "$T/clash.sql"
		rm -f "$T/clash.db"
		sqlite3 "$T/clash.db" ".import --csv '$T/clash.csv' transactions" || fail "sqlite3 import"
		[ $d = ansi ] && sqlite3 "$T/clash.db" "CREATE TABLE t2 AS SELECT CAST(amount AS REAL) AS amount,
			CAST(FRAUD_SCORE AS REAL) AS FRAUD_SCORE, CAST(fraud_leaf AS REAL) AS fraud_leaf,
			CAST(prediction AS REAL) AS prediction, isFraud FROM transactions;
			DROP TABLE transactions; ALTER TABLE t2 RENAME TO transactions;"
		sqlite3 -header -csv "$T/clash.db" <"$T/clash.sql" >"$T/sc.csv" 2>"$T/sc.err" ||
			{ cat "$T/sc.err" >&2; fail "sqlite3 rejects the query ($d)"; }
		head -n 1 "$T/sc.csv" | grep -q 'fraud_leaf,fraud_score,fraud_probability,prediction$' ||
			fail "$d: the query's columns: $(head -n 1 "$T/sc.csv")"
		awk -F, 'NR > 1 { print $(NF - 3) "|" $NF }' "$T/sc.csv" >"$T/got-clash"
		cmp -s "$T/want-clash" "$T/got-clash" || {
			paste -d' ' "$T/want-clash" "$T/got-clash" | awk '$1 != $2' | head -n 3 >&2
			fail "$d: with a column named fraud_leaf the SQL disagrees with predict"
		}
	done
else
	echo "skip: sqlite3 is not installed; column names checked by predict only"
fi

# ---- a number beside a line break, vertical tab or form feed is no number
# to the loader (missing: the fill), though sqlite's affinity reads one
awk 'BEGIN { srand(9); print "amount,card,isFraud"
	for (i = 0; i < 800; i++) { a = int(rand() * 1000)
		printf "%d,%s,%d\n", a, (rand() < .5 ? "credit" : "debit"), (a > 700) } }' >"$T/ws.csv"
expect 0 "$FT_BIN" run --quiet --no-register --out "$T/ws" --set tree.max_depth=3 --set gate= "$T/ws.csv"
# (scored after training: the odd cells would make the column text)
printf '"99999\r",credit,1\n"\n99999",debit,1\n"\v99999",credit,0\n"99999\f",debit,0\n' >>"$T/ws.csv"
printf '"99999 ",credit,1\n"\t99999",credit,1\n' >>"$T/ws.csv"
expect 0 "$FT_BIN" predict "$T/ws/model.json" "$T/ws.csv" --leaf -o "$T/pw.csv"
if command -v sqlite3 >/dev/null 2>&1; then
	expect 0 "$FT_BIN" export "$T/ws/model.json" --format sql -o "$T/ws.sql"
	rm -f "$T/ws.db"
	sqlite3 "$T/ws.db" ".import --csv '$T/ws.csv' transactions" || fail "sqlite3 import"
	sqlite3 -csv "$T/ws.db" <"$T/ws.sql" >"$T/sw.csv" || fail "sqlite3 rejects the query"
	# the line breaks are inside quoted cells: compare the last rows by record
	"$FT_BIN" predict "$T/ws/model.json" "$T/ws.csv" --leaf 2>/dev/null |
		awk -F, 'NR > 1 && NF >= 6 { print $(NF - 3) "|" $NF }' >"$T/want-ws"
	awk -F, 'NF >= 6 { print $(NF - 3) "|" $NF }' "$T/sw.csv" >"$T/got-ws"
	cmp -s "$T/want-ws" "$T/got-ws" || {
		diff "$T/want-ws" "$T/got-ws" | head -n 6 >&2
		fail "sqlite reads a number beside a line break or form feed that predict does not"
	}
fi

# ---- ansi: a backslash in a string literal is an escape to Spark SQL and
# BigQuery, itself to Trino: a query that would need one is refused, the
# other dialects take it
awk 'BEGIN { print "amount,card,isFraud"; for (i = 0; i < 600; i++) {
	c = i % 3 == 0 ? "a\\x27 OR 1=1 --" : i % 3 == 1 ? "plain" : "other"
	printf "%d,%s,%d\n", i % 100, c, (i % 3 == 0) } }' >"$T/bs.csv"
grep -q 'a\\x27' "$T/bs.csv" || fail "setup: no backslash in the category"
expect 0 "$FT_BIN" run --quiet --no-register --out "$T/bs" --set tree.max_depth=2 --set gate= "$T/bs.csv"
expect 2 "$FT_BIN" export "$T/bs/model.json" --format sql --dialect ansi -o "$T/bs.sql"
has "$T/err" "export: ansi: 'a\\x27 OR 1=1 --' (card) holds a backslash"
[ ! -e "$T/bs.sql" ] || fail "a refused export wrote its file"
for d in sqlite postgres; do
	expect 0 "$FT_BIN" export "$T/bs/model.json" --format sql --dialect $d
	has "$T/out" "'a\\x27 OR 1=1 --'"
done

# ---- Markdown markup in a description, a user, a reason, a column
DESC='# H1 [click](javascript:alert(1)) ![i](http://evil.example/p.png) <http://evil.example> *em* _u_ `code` ~~s~~ &lt;x&gt; a\*b |'
awk 'NR == 1 { sub(/device_risk/, "[dr](http://evil.example/c)") } { print }' \
	"$FT_SRCDIR/data/transactions.csv" >"$T/md.csv"
expect 0 "$FT_BIN" run --quiet --registry "$T/reg" --set registry.group=md \
	--set "gate=accuracy>=0.5" --description "$DESC" "$T/md.csv"
expect 0 "$FT_BIN" registry approve md/1 --registry "$T/reg" --user '- [u](http://evil.example/u)' \
	--reason '1. ![r](http://evil.example/r.png)'
expect 0 "$FT_BIN" registry card md/1 --format md --registry "$T/reg" -o "$T/card.md"
has "$T/card.md" '\# H1 \[click\](javascript:alert(1)) !\[i\](http://evil.example/p.png) &lt;http://evil.example> \*em\* \_u\_ \`code\` \~\~s\~\~ \&lt;x\&gt; a\\\*b \|'
has "$T/card.md" '\[dr\](http://evil.example/c)'
has "$T/card.md" "| - \\[u\\](http://evil.example/u) |"
# a table cell is not a block: a leading '-' or '1.' stays as it is there
has "$T/card.md" '| 1. !\[r\](http://evil.example/r.png) |'
if command -v cmark >/dev/null 2>&1; then
	cmark "$T/card.md" >"$T/card-md.html" || fail "cmark"
	for tag in '<a ' '<img' '<em>' '<code>' '<del>' '<ol' '<blockquote>' '<h1>#' '<h1>H1'; do
		lacks "$T/card-md.html" "$tag"
	done
	[ "$(grep -c '<h1>' "$T/card-md.html")" -eq 1 ] || fail "the Markdown card renders more than its own title as a heading"
	has "$T/card-md.html" '# H1 [click](javascript:alert(1)) ![i](http://evil.example/p.png) &lt;http://evil.example&gt; *em* _u_ `code` ~~s~~ &amp;lt;x&amp;gt; a\*b |'
else
	echo "skip: cmark is not installed (bootstrap --check installs it); Markdown checked by text only"
fi
exit 0
