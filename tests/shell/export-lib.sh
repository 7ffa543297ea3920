# export-lib.sh: shared by the export tests (sourced after registry-lib.sh).
# Trains models on generated data with every encoding the recipe has, and
# builds files to score: generated rows, rows exactly on each threshold and
# beside it, missing and unreadable cells, unseen categories.

# The columns of a `fraudtree gen` file, by the recipe's reading of them.
NUMERIC_COLS="TransactionAmt dist1 device_risk velocity_1h account_age_days"
CATEGORY_COLS="ProductCD card_type email_domain merchant"
DATETIME_COLS="timestamp"

"$FT_BIN" gen --rows 4000 --seed 11 --fraud-rate 0.15 -o "$T/train.csv" || fail "gen train"
"$FT_BIN" gen --rows 1500 --seed 12 --fraud-rate 0.1 -o "$T/base.csv" || fail "gen base"

# train NAME SETTINGS...: a model in $T/NAME.json
train() {
	_name=$1
	shift
	_sets=""
	for _s in "$@"; do _sets="$_sets --set $_s"; done
	# shellcheck disable=SC2086
	"$FT_BIN" run --pipeline "$FT_SRCDIR/data/pipeline.json" --registry "$T/reg-$_name" \
		--set tune.max_depth= --set tune.min_samples_leaf= --set tree.min_samples_leaf=2 \
		--set tree.max_depth=12 --set gate= $_sets "$T/train.csv" >"$T/run-$_name.out" 2>&1 ||
		{ cat "$T/run-$_name.out" >&2; fail "training $_name"; }
	cp "$T/reg-$_name/fraud-detection-model-group/1/model.json" "$T/$_name.json" ||
		fail "no model for $_name"
}

MODELS="onehot frequency ordinal"
train onehot encode.default=onehot datetime.default=hour,day_of_week
train frequency encode.default=frequency datetime.default=day,month,hour
train ordinal encode.default=ordinal datetime.default=day_of_week,day missing_indicators=true

# edges MODEL OUT CLEAN: rows of base.csv with one cell changed each: every
# numeric column set to every threshold of the tree as model.json has it
# and as the tree is shown (the DOT labels), and when CLEAN is "no" also
# blanks around it, signs, exponents, infinities, words and NA strings;
# categories unseen or missing; datetimes in every shape.
edges() {
	"$FT_BIN" export "$T/$1.json" --format dot >"$T/$1.dot" || fail "dot for $1"
	{
		sed -n 's/.*"threshold":[[:space:]]*\([^,]*\),.*/\1/p' "$T/$1.json"
		sed -n 's/.*label="[^"]* <= \([-+0-9.eE]*\)".*/\1/p' "$T/$1.dot"
	} | sort -u >"$T/$1.thr"
	awk -F, -v clean="$3" -v num="$NUMERIC_COLS" -v cat="$CATEGORY_COLS" \
		-v dt="$DATETIME_COLS" -v thrfile="$T/$1.thr" '
	function emit(col, v,    k, line) {
		line = ""
		for (k = 1; k <= nf; k++)
			line = line (k > 1 ? "," : "") (k == pos[col] ? v : tmpl[k])
		print line "," ++rows
	}
	NR == 1 { print $0 ",row_no"; nf = NF; for (k = 1; k <= NF; k++) pos[$k] = k; next }
	!done && index($0, "\"") == 0 {
		for (k = 1; k <= NF; k++) tmpl[k] = $k
		done = 1
		while ((getline t < thrfile) > 0) thr[++nthr] = t
		split(num, nc, " "); split(cat, cc, " "); split(dt, dc, " ")
		for (i in nc) {
			c = nc[i]
			for (j = 1; j <= nthr; j++) {
				emit(c, thr[j])
				emit(c, "-" thr[j])
				if (clean == "no") {
					emit(c, " " thr[j] " ")
					emit(c, "+" thr[j])
					emit(c, thr[j] "e0")
				}
			}
			emit(c, "")
			if (clean == "no") {
				n = split("NA|nan|NULL|inf|-Infinity|1e999|-1e999|1e-400|0e99999|1e99999|-1e-99999|abc|12abc|0x10|.5|5.|1e|- 1|\t7", w, "|")
				for (j = 1; j <= n; j++) emit(c, w[j])
			}
		}
		for (i in cc) {
			c = cc[i]
			emit(c, "")
			emit(c, "never-seen-" c)
			emit(c, "NA")
			emit(c, "debit ")
			emit(c, "W")
		}
		for (i in dc) {
			c = dc[i]
			n = split("|2018-02-05|2018-02-05 23:59|2018-02-05T07:00:00|2018-02-05 07:00:00.250|2018-12-31 00:00:00|2018-06-30 12:00:00", w, "|")
			for (j = 1; j <= n; j++) emit(c, w[j])
			if (clean == "no") {
				n = split("2018-02-30 10:00:00|2018-02-05 24:00:00|garbage|NA| 2018-03-04 05:06:07 |2018-3-4", w, "|")
				for (j = 1; j <= n; j++) emit(c, w[j])
			}
		}
	}
	{ print $0 "," ++rows }' "$T/base.csv" >"$2" || fail "edge rows for $1"
}

# leaves FILE.csv: "fraud_leaf|prediction" per row of a predict --leaf output
# (the last three columns: no generated value holds a line break)
leaves() {
	awk -F, 'NR > 1 { print $(NF - 3) "|" $NF }' "$1"
}

# ordered FILE.sql: the query with its rows in the file's order (row_no)
ordered() {
	printf 'SELECT * FROM (\n'
	sed '$ s/;$//' "$1"
	printf ') AS q ORDER BY "row_no";\n'
}

# same_rows WANT GOT WHAT: the two lists agree row by row, and are not empty
same_rows() {
	[ -s "$1" ] || fail "$3: no rows from predict"
	if ! cmp -s "$1" "$2"; then
		paste -d' ' "$1" "$2" | awk '$1 != $2 { print "row " NR ": predict " $1 ", SQL " $2 }' | head >&2
		wc -l "$1" "$2" >&2
		fail "$3: the SQL disagrees with predict"
	fi
}
