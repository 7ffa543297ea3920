#!/bin/sh
# explore.sh: `fraudtree describe --by-target` as a person sees it: rows,
# frauds and fraud rate per level, value, bin, day and month on a small
# file worked out by hand; the JSON form; the leakage hints firing on a
# planted leak and nowhere else, in describe and in run's notes (the
# row-order hint too); option errors.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$tmp" || exit 1

cat >s.csv <<'EOF'
kind,amount,when,label
a,10,2024-01-01,1
a,20,2024-01-02,0
b,30,2024-01-06,0
b,,2024-01-07,0
,50,,1
c,60,2024-02-01,0
EOF
"$FT_BIN" describe --by-target s.csv >out 2>err || fail "exit $?: $(cat err)"
sed -n '/^where the fraud is/,$p' out >got
cat >want <<'EOF'
where the fraud is: label = 1, 2 of 6 rows (33.33%); lift is a value's fraud rate over that

kind (categorical, levels, by count)
  value             rows    share     fraud     rate   lift
  a                    2   33.33%         1   50.00%   1.50
  b                    2   33.33%         0    0.00%   0.00
  c                    1   16.67%         0    0.00%   0.00
  (missing)            1   16.67%         1  100.00%   3.00

amount (numeric, values)
  value             rows    share     fraud     rate   lift
  10                   1   16.67%         1  100.00%   3.00
  20                   1   16.67%         0    0.00%   0.00
  30                   1   16.67%         0    0.00%   0.00
  50                   1   16.67%         1  100.00%   3.00
  60                   1   16.67%         0    0.00%   0.00
  (missing)            1   16.67%         0    0.00%   0.00

when (datetime; no time of day in any value, so no hours; empty hours, days and months not shown)
  day_of_week        rows    share     fraud     rate   lift
  Monday                1   16.67%         1  100.00%   3.00
  Tuesday               1   16.67%         0    0.00%   0.00
  Thursday              1   16.67%         0    0.00%   0.00
  Saturday              1   16.67%         0    0.00%   0.00
  Sunday                1   16.67%         0    0.00%   0.00
  (missing)             1   16.67%         1  100.00%   3.00
  month             rows    share     fraud     rate   lift
  January              4   66.67%         1   25.00%   0.75
  February             1   16.67%         0    0.00%   0.00
  (missing)            1   16.67%         1  100.00%   3.00

leakage hints:
  none (they need 20 rows of each class)
EOF
diff want got >d || fail "--by-target table differs: $(cat d)"

# --sort rate: b and c (0%) after a (50%); ties by count, then first seen
"$FT_BIN" describe --by-target --sort rate s.csv | sed -n '/^kind (/,/^$/p' | sed -n 3,5p | awk '{print $1}' | tr '\n' ' ' >got
[ "$(cat got)" = "a b c " ] || fail "--sort rate: $(cat got)"

# 3 bins over 10..60: [10, 26.67) [26.67, 43.33) [43.33, 60]
"$FT_BIN" describe --by-target --bins 3 --target label s.csv >/dev/null || fail "--bins 3"

# a bin's edges and the summary's values are never cut: every digit of the
# shortest decimal that reads back (x = i/7, 30 values, 10 bins)
awk 'BEGIN { print "x,label"; for (i = 1; i <= 30; i++) printf "%.17g,%d\n", i / 7, i % 3 == 0 }' >sev.csv
"$FT_BIN" describe --by-target sev.csv >out 2>err || fail "sevenths: exit $?: $(cat err)"
sed -n '/^x (numeric, equal-width bins)/,/^$/p' out >got
grep -q '^  \[0.14285714285714285, 0.5571428571428572)  ' got || fail "first bin cut: $(cat got)"
grep -q '^  \[3.8714285714285706, 4.285714285714286\]  ' got || fail "last bin cut: $(cat got)"
[ "$(grep -c '^  \[[0-9.]*, [0-9.]*[])]  *3  ' got)" -eq 10 ] || fail "bins: $(cat got)"
grep -q '\.\.\.' got && fail "a bin label cut: $(cat got)"
grep -q '^x  *numeric .* min 0.14285714285714285  max 4.285714285714286  mean 2.21429  std 1.25763  median 2.2142857142857144' out ||
	fail "summary values rounded: $(grep '^x ' out)"

# a finite range wider than the largest double (-1e308 to 1e308) is
# binned in halves: it used to overflow to an endless search for the bin
{
	echo "x,label"
	echo "inf,1"; echo "-inf,0"; echo "1e308,1"; echo "-1e308,0"
	i=1
	while [ $i -le 30 ]; do echo "$i.5,$((i % 2))"; i=$((i + 1)); done
} >huge.csv
timeout 20 "$FT_BIN" describe --by-target huge.csv >out 2>err || fail "huge range: exit $?: $(cat err)"
sed -n '/^x (numeric, equal-width bins)/,/^$/p' out >got
grep -q '^  \[-inf, -8.000000000000001e+307)  *2 ' got || fail "huge range, first bin: $(cat got)"
grep -q '^  \[0, 1.9999999999999992e+307)  *30 ' got || fail "huge range, middle: $(cat got)"
grep -q '^  \[8.000000000000001e+307, inf\]  *2 ' got || fail "huge range, last bin: $(cat got)"

# JSON: the figures, exact, and where they belong
"$FT_BIN" describe --json s.csv | grep -q by_target && fail "plain --json has the figures"
"$FT_BIN" describe --json --by-target s.csv >j.json || fail "--json exit $?"
flat=$(tr -d ' \t\n' <j.json)
case $flat in
*'"by_target":{"kind":"levels","rows":6,"fraud":2,"missing":{"rows":1,"fraud":1,"rate":1},"groups":[{"value":"a","rows":2,"fraud":1,"rate":0.5}'*) ;;
*) fail "--json lacks kind's figures" ;;
esac
case $flat in
*'"day_of_week":[{"value":0,"label":"Monday","rows":1,"fraud":1,"rate":1}'*) ;;
*) fail "--json lacks when's day_of_week" ;;
esac
case $flat in
*'"fraud":{"column":"label","positive":"1","rows":6,"fraud":2},"leakage_hints":[]'*) ;;
*) fail "--json lacks the fraud summary or the hints" ;;
esac

# a planted leak: 300 rows, 60 frauds; `status` is "refund" for 40 of
# them and nothing else; `copy` is the label; `noise` and `big` are not
awk 'BEGIN {
	print "noise,copy,status,big,label"
	for (i = 0; i < 300; i++) {
		f = (i % 5 == 0)
		printf "%d,%s,%s,%d,%d\n", (i * 7919) % 13, f ? "yes" : "no",
			(f && i % 15 != 0) ? "refund" : "open", (i * 31) % 1000, f
	}
}' >leak.csv
"$FT_BIN" describe --by-target leak.csv >out 2>err || fail "leak: exit $?: $(cat err)"
sed -n '/^leakage hints/,$p' out >hints
grep -q '^  copy: one split on it alone (copy = "yes" or not) reaches balanced accuracy 1.000' hints ||
	fail "no separating hint for copy: $(cat hints)"
grep -q '^  status: the 40 rows with status = "refund" are all fraud' hints ||
	fail "no one-class hint for status: $(cat hints)"
[ "$(wc -l <hints)" -eq 3 ] || fail "hints beyond the two planted: $(cat hints)"
"$FT_BIN" describe --json -b leak.csv | tr -d ' \t\n' | grep -q '"kind":"one_class"' ||
	fail "--json lacks the one_class hint"

# errors: exit 2, one line, nothing on stdout
err_case() {
	want=$1
	shift
	"$FT_BIN" describe "$@" >o 2>e
	rc=$?
	[ $rc -eq 2 ] || fail "$*: exit $rc, wanted 2"
	[ ! -s o ] || fail "$*: wrote to stdout"
	[ "$(wc -l <e)" -eq 1 ] || fail "$*: $(wc -l <e) error lines"
	grep -q -- "$want" e || fail "$*: '$(cat e)' lacks '$want'"
}
err_case "--bins wants an integer from 1 to 1000, not '0'" --by-target --bins 0 s.csv
err_case "--bins wants an integer from 1 to 1000, not '12x'" --by-target --bins 12x s.csv
err_case "--bins wants" --bins -3 s.csv
err_case "--sort wants count, rate or value, not 'fraud'" --by-target --sort fraud s.csv
err_case "positive: 'maybe' is not a value of label" --by-target --positive maybe s.csv
err_case "s.csv: target amount has 5 classes" --by-target --target amount s.csv
printf 'a,b\n1,2\n3,4\n' >nolabel.csv
err_case "needs a target column" --by-target nolabel.csv
"$FT_BIN" describe --help | grep -q -- "--by-target" || fail "--help lacks --by-target"

# run's notes: the same data hints; and a row-order column (`step` grows
# with the row number, frauds only late: paysim's shape) among the top
# features. `copy` and `status` are dropped so the tree uses step.
"$FT_BIN" run --no-register --set 'drop=["copy","status"]' leak.csv >run.out 2>&1
grep -q '^  - leakage hint: copy: one split on it alone' run.out || fail "run: no copy hint"
grep -q '^  - leakage hint: status: the 40 rows' run.out || fail "run: no status hint"
awk 'BEGIN {
	print "step,amount,label"
	for (i = 0; i < 600; i++)
		printf "%d,%d,%d\n", int(i / 10), (i * 7919) % 500, (i >= 450 && i % 3 == 0)
}' >steps.csv
"$FT_BIN" run --no-register steps.csv >run.out 2>&1
grep -q "^  - leakage hint: step: time-like (it grows with the row number) and the tree's feature number 1 by importance" run.out ||
	fail "run: no row-order hint for step: $(grep -i hint run.out)"
grep -q "leakage hint: amount" run.out && fail "run: a hint for amount"
# a datetime part marks when only over less than one of its cycles: the
# month of dates spanning January and February does (frauds only in
# February), the hour of times spread over a year does not (frauds at
# night: what, not when)
awk 'BEGIN {
	print "day,amount,label"
	for (i = 0; i < 590; i++) {
		d = i % 59
		printf "2024-%s,%d,%d\n", d < 31 ? sprintf("01-%02d", d + 1) : sprintf("02-%02d", d - 30),
			(i * 7919) % 500, (d >= 31 && i % 4 == 0)
	}
}' >months.csv
"$FT_BIN" run --no-register months.csv >run.out 2>&1
grep -q "^  - leakage hint: day: time-like (its month, and the values span 58 days, less than a year: each month is one stretch of time) and the tree's feature number [12] by importance" run.out ||
	fail "run: no row-order hint for a short span's month: $(grep -i -e hint -e 'day\.' run.out)"
awk 'BEGIN {
	print "stamp,amount,label"
	for (i = 0; i < 2000; i++) {
		h = (i * 7) % 24
		printf "2023-%02d-%02d %02d:%02d:00,%d,%d\n", i % 12 + 1, i % 28 + 1, h, i % 60,
			(i * 7919) % 500, (h < 5 && i % 2 == 0)
	}
}' >night.csv
"$FT_BIN" run --no-register night.csv >run.out 2>&1
grep -q "^  stamp.hour  " run.out || fail "night: hour is not among the features: $(cat run.out)"
grep -q "leakage hint" run.out && fail "night: a hint for the hour of day: $(grep hint run.out)"
# ties say nothing about order: a count that is zero but for 15 rows in
# 3000 (99.5% of its steps "not down") is no row order
awk 'BEGIN {
	print "chargebacks,amount,label"
	for (i = 0; i < 3000; i++) {
		c = (i % 200 == 7) ? int(i / 200) % 5 + 1 : 0
		printf "%d,%d,%d\n", c, (i * 7919) % 500, (c > 0 || i % 97 == 0)
	}
}' >sparse.csv
"$FT_BIN" run --no-register sparse.csv >run.out 2>&1
grep -q "^  chargebacks  " run.out || fail "sparse: chargebacks is not a feature: $(cat run.out)"
grep -q "leakage hint: chargebacks: time-like" run.out &&
	fail "sparse: a row-order hint for a mostly-zero column: $(grep hint run.out)"
"$FT_BIN" run --no-register "$FT_SRCDIR/data/transactions.csv" >run.out 2>&1
[ "$(grep -c 'leakage hint' run.out)" -eq 1 ] ||
	fail "run on the sample: hints beyond velocity_1h: $(grep 'leakage hint' run.out)"

# a date-only column (no time of day in any value) gives day_of_week and
# month by default, never hour; one with times keeps hour
awk 'BEGIN {
	print "day,stamp,amount,label"
	for (i = 0; i < 400; i++)
		printf "2024-%02d-%02d,2024-01-01 %02d:30:00,%d,%d\n", i % 12 + 1, i % 28 + 1,
			i % 24, (i * 37) % 100, ((i * 37) % 100 < 10)
}' >dates.csv
"$FT_BIN" run --no-register --out modeldir dates.csv >run.out 2>&1
grep -q "^  - day: no time of day in any training value; month instead of hour" run.out ||
	fail "no date-only note: $(grep -A8 notes run.out)"
grep -q "stamp: no time of day" run.out && fail "stamp has times but was treated as date-only"
model=modeldir/model.json
if [ -f "$model" ]; then
	grep -q '"day.hour"' "$model" && fail "date-only day has an hour feature"
	grep -q '"day.month"' "$model" || fail "date-only day lacks its month feature"
	grep -q '"day.day_of_week"' "$model" || fail "date-only day lacks day_of_week"
	grep -q '"stamp.hour"' "$model" || fail "stamp lost its hour feature"
else
	fail "no model.json written: $(tail -n 3 run.out)"
fi
# asked for by name, hour stays
"$FT_BIN" run --no-register --set 'datetime.columns.day=["hour"]' dates.csv >run.out 2>&1
grep -q "day: no time of day" run.out && fail "an explicit datetime.columns.day was overridden"

# ordinal encoding in the levels' natural order: the model keeps it (the
# ordinal value is the level's place), predict reads it back
awk 'BEGIN {
	split("none|1 to 7|8 to 15|15 to 30|more than 30", b, "|")
	print "band,amount,label"
	for (i = 0; i < 500; i++) {
		k = i % 5 + 1
		printf "%s,%d,%d\n", b[k], (i * 37) % 100, (k <= 2)
	}
}' >bands.csv
"$FT_BIN" run --registry reg --set encode.columns.band=ordinal bands.csv >run.out 2>&1 ||
	fail "ordinal run: $(tail -n 3 run.out)"
grep -q "band: ordinal in the levels' natural order (none < 1 to 7 < 8 to 15 < 15 to 30 < more than 30)" run.out ||
	fail "no natural order note: $(grep -A10 notes run.out)"
model=$(find reg -name model.json | head -n 1)
tr -d ' \t\n' <"$model" | grep -q '"levels":\["none","1to7","8to15","15to30","morethan30"\]' ||
	fail "model.json lacks the natural order"
"$FT_BIN" predict --registry reg fraud-detection-model-group/1 bands.csv -o scored.csv >p.out 2>&1 ||
	fail "predict with an ordinal model: $(cat p.out)"
[ "$(wc -l <scored.csv)" -eq 501 ] || fail "predict scored $(wc -l <scored.csv) lines"
# the order set by hand wins over the natural one; a level left out of it
# is an error naming it; without ordinal encoding the list is ignored, noted
"$FT_BIN" run --no-register --out ordset --set encode.columns.band=ordinal \
	--set 'ordinal.columns.band=["more than 30","15 to 30","8 to 15","1 to 7","none"]' \
	bands.csv >run.out 2>&1 || fail "ordinal.columns run: $(tail -n 3 run.out)"
grep -q "band: ordinal in the order of ordinal.columns (more than 30 < 15 to 30 < 8 to 15 < 1 to 7 < none)" run.out ||
	fail "no given-order note: $(grep -A10 notes run.out)"
tr -d ' \t\n' <ordset/model.json | grep -q '"levels":\["morethan30","15to30","8to15","1to7","none"\]' ||
	fail "model.json lacks the given order"
"$FT_BIN" run --no-register --set encode.columns.band=ordinal \
	--set 'ordinal.columns.band=["none","1 to 7"]' bands.csv >o 2>e
[ $? -eq 2 ] || fail "a level missing from ordinal.columns was not an error"
grep -q "ordinal.columns.band: '15 to 30' is a level of the training split and not in the list" e ||
	fail "ordinal.columns error: $(cat e)"
"$FT_BIN" run --no-register --set 'ordinal.columns.band=["none"]' bands.csv >run.out 2>&1
grep -q "ordinal.columns.band: ignored, band is not encoded as ordinal" run.out ||
	fail "an unused ordinal.columns was not noted"
"$FT_BIN" run --no-register --set 'ordinal.columns.band=["a","a"]' bands.csv >o 2>e
[ $? -eq 2 ] && grep -q "expected a list of distinct levels" e || fail "repeated levels accepted: $(cat e)"

[ $fails -eq 0 ] || exit 1
echo "explore: ok"
