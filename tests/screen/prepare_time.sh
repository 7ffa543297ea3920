#!/bin/sh
# The Prepare screen and time: a random split of a file with a datetime
# column says so; a time split shows each split's date range, the same
# range `run` writes to evaluation.json, on a file whose rows are out of
# time order.
. "$FT_SRCDIR/tests/screen/lib.sh"

# 300 daily claims from 2020-01-01, written in a scrambled order; every
# time is midnight, so the screen shows dates alone
awk 'function ymd(z,   era, doe, yoe, doy, mp, d, m, y) {   # days since 1970 -> date
	z += 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
}
BEGIN {
	print "claim_date,amount,fraud"
	for (i = 0; i < 300; i++) {
		j = (i * 7) % 300
		printf "%s,%d,%d\n", ymd(18262 + j), 10 + (j * 37) % 500, (j % 9 == 0)
	}
}' >"$ST_TMP/claims.csv"
grep -q '^2020-01-01,' "$ST_TMP/claims.csv" && grep -q '^2020-10-26,' "$ST_TMP/claims.csv" ||
	{ echo "FAIL: the made-up dates are wrong"; exit 1; }

"$FT_BIN" run --no-register --set split.method=time --set split.gap_days=3 \
	--out "$ST_TMP/out" "$ST_TMP/claims.csv" >/dev/null 2>&1
[ -f "$ST_TMP/out/evaluation.json" ] || { echo "FAIL: run wrote no evaluation.json"; exit 1; }
# "from" / "to" of a split in evaluation.json, as a date
range() {
	awk -v sp="\"$1\":" -v key="\"$2\":" '
		index($0, "\"splits\":") { in_splits = 1 }
		in_splits && index($0, sp) { on = 1 }
		on && index($0, key) { sub(/.*:[[:space:]]*"/, ""); sub(/".*/, ""); print; exit }' \
		"$ST_TMP/out/evaluation.json" | cut -c1-10
}

st_start 80 24 "$ST_TMP/claims.csv"
st_wait "300 rows"
st_keys 2
st_wait "method   stratified"
st_wait "random split, though claim_date is a datetime column (split.method time)"
# a date-only column: the screen shows the parts the fit will take (month
# instead of hour), as run's notes say, not the default it replaces
st_wait_re "^ claim_date .*day_of_week.m"
st_absent "hour+day_of"
st_cmd "set split.method time"
st_cmd "set split.gap_days 3"
st_wait "method   time, gap 3 days"
st_wait "time split on claim_date: train < validation < test"
for sp in train validation test; do
	from=$(range $sp from) to=$(range $sp to)
	[ -n "$from" ] || { echo "FAIL: no $sp range in evaluation.json"; exit 1; }
	st_wait_re "^   $sp +$from \.\. $to\$"
done
st_wait "left out: 0 without a time, 6 in the gaps"
st_absent "random split, though"
st_absent "00:00:00"

# back to a random split: the ranges go, the note comes back
st_keys u u
st_wait "method   stratified"
st_wait "random split, though claim_date"
st_absent "time split on"
st_keys q
st_exit_ok
echo "ok"
