#!/bin/sh
# describe.sh: `fraudtree describe` as a person sees it: the aligned table
# on a small file (statistics worked out by hand), the class balance, the
# --json output (checked to be valid JSON by a small parser below, and to
# carry the documented keys), --help and option errors.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cd "$tmp" || exit 1
cat >small.csv <<'EOF'
TransactionID,amount,product,when,is_fraud,note
101,10,W,2021-03-01 10:00:00,0,NA
102,20.5,C,2021-03-02,0,
103,,W,2021-03-05 12:30:00,1,n/a
104,40,W,,0,x
EOF

# amount: 10, 20.5, 40 -> mean 23.5, sample std sqrt(463.5 / 2) = 15.2233
# TransactionID: 101..104 -> std sqrt(5 / 3) = 1.29099, unique: id-like
cat >want <<'EOF'
small.csv: 4 rows, 6 columns, delimiter ',', 154 bytes

column         type           missing  distinct  summary                                                  flags
TransactionID  numeric              0         4  min 101  max 104  mean 102.5  std 1.29099  median 102.5  id-like
amount         numeric      1 (25.0%)         3  min 10  max 40  mean 23.5  std 15.2233  median 20.5      NA ""x1
product        categorical          0         2  W 75.0%, C 25.0%
when           datetime     1 (25.0%)         3  2021-03-01 10:00:00 .. 2021-03-05 12:30:00               NA ""x1
is_fraud       numeric              0         2  min 0  max 1  mean 0.25  std 0.5  median 0
note           categorical  3 (75.0%)         1  x 100.0%                                                 constant, NA ""x1 "NA"x1 "n/a"x1

class balance of is_fraud (guessed from its name; --target to choose):
  0               3   75.00%
  1               1   25.00%

time: when is a datetime column; run splits at random unless --set split.method=time (then train is the earliest rows, test the latest)
EOF
"$FT_BIN" describe small.csv >out 2>err
rc=$?
[ "$rc" -eq 0 ] || fail "table: exit $rc"
[ -s err ] && fail "table: stderr not empty (no progress bar off a terminal): $(cat err)"
cmp -s want out || { fail "table differs:"; diff want out; }

"$FT_BIN" describe --target product small.csv >out 2>err
grep -q '^class balance of product:$' out || fail "--target: $(cat out)"
grep -q '^  W               3   75.00%$' out || fail "--target W count: $(cat out)"

# A tiny JSON parser: exits 0 when stdin is one valid JSON value.
cat >json.awk <<'EOF'
function fail_(m) { print "invalid JSON at " pos ": " m > "/dev/stderr"; bad = 1; exit 1 }
function ws() { while (pos <= n && index(" \t\r\n", substr(s, pos, 1))) pos++ }
function peek() { return substr(s, pos, 1) }
function str(   c) {
	if (peek() != "\"") fail_("string expected")
	pos++
	while (pos <= n) {
		c = substr(s, pos, 1)
		if (c == "\"") { pos++; return }
		if (c == "\\") {
			c = substr(s, pos + 1, 1)
			if (c == "u") { if (substr(s, pos + 2, 4) !~ /^[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]$/) fail_("bad \\u"); pos += 6; continue }
			if (!index("\"\\/bfnrt", c)) fail_("bad escape")
			pos += 2; continue
		}
		if (c < " ") fail_("control character in string")
		pos++
	}
	fail_("unterminated string")
}
function num(   t) {
	t = substr(s, pos)
	if (!match(t, /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) fail_("number expected")
	pos += RLENGTH
}
function value(   c) {
	ws(); c = peek()
	if (c == "{") { pos++; ws(); if (peek() == "}") { pos++; return }
		for (;;) { ws(); str(); ws(); if (peek() != ":") fail_(": expected"); pos++; value(); ws()
			c = peek(); pos++; if (c == "}") return; if (c != ",") fail_(", or } expected") } }
	if (c == "[") { pos++; ws(); if (peek() == "]") { pos++; return }
		for (;;) { value(); ws(); c = peek(); pos++; if (c == "]") return; if (c != ",") fail_(", or ] expected") } }
	if (c == "\"") { str(); return }
	if (substr(s, pos, 4) == "true" || substr(s, pos, 4) == "null") { pos += 4; return }
	if (substr(s, pos, 5) == "false") { pos += 5; return }
	num()
}
{ s = s $0 "\n" }
END { if (bad) exit 1; n = length(s); pos = 1; value(); ws(); if (pos <= n) fail_("trailing text"); exit 0 }
EOF

"$FT_BIN" describe --json small.csv >out.json 2>err
rc=$?
[ "$rc" -eq 0 ] || fail "--json: exit $rc"
awk -f json.awk out.json || fail "--json output is not valid JSON"
printf '{"a": [1, 2}' | awk -f json.awk 2>/dev/null && fail "the JSON checker accepts broken JSON"
flat=$(tr -d ' \t\n' <out.json)
for key in '"file":"small.csv"' '"size":154' '"rows":4' '"ncols":6' '"delimiter":","' \
	'{"name":"amount","type":"numeric","count":3,"missing":1,"distinct":3,"id_like":false,"constant":false,"wide_integers":false,"na":[{"text":"","count":1}],"min":10,"max":40,"mean":23.5,"std":15.2233' \
	'"median":20.5,"infinite":0}' \
	'{"name":"product","type":"categorical","count":4,"missing":0,"distinct":2,"id_like":false,"constant":false,"wide_integers":false,"na":[],"top":[{"value":"W","count":3},{"value":"C","count":1}]}' \
	'{"name":"when","type":"datetime","date_format":"iso","count":3,"missing":1,"distinct":3' \
	'"min_text":"2021-03-0110:00:00","max_text":"2021-03-0512:30:00"}' \
	'"class_balance":{"column":"is_fraud","guessed":true,"missing":0,"classes":[{"label":"0","count":3,"share":0.75},{"label":"1","count":1,"share":0.25}]}'; do
	case $flat in
	*"$key"*) ;;
	*) fail "--json lacks $key" ;;
	esac
done

# Hostile text stays valid JSON and a readable table: quotes, backslashes,
# control characters, invalid UTF-8.
printf 'id,text\n1,"a \\ b ""q"" \t\001"\n2,\377bad\n3,"line\nbreak"\n' >hostile.csv
"$FT_BIN" describe --json hostile.csv >h.json 2>err || fail "hostile --json: $(cat err)"
awk -f json.awk h.json || fail "hostile --json output is not valid JSON"
"$FT_BIN" describe hostile.csv >h.txt 2>err || fail "hostile table: $(cat err)"
grep -q 'line\\nbreak' h.txt || fail "a newline in a value is not shown as \\n: $(cat h.txt)"
[ "$(wc -l <h.txt)" -eq 5 ] || fail "hostile table has $(wc -l <h.txt) lines, want 5"

# Wide files: every column appears, as valid JSON.
awk 'BEGIN { for (r = 0; r < 3; r++) { for (c = 0; c < 3000; c++)
	printf "%s%s", (c ? "," : ""), (r ? c + r : "col" c); printf "\n" } }' >wide.csv
"$FT_BIN" describe --json wide.csv >w.json || fail "wide --json"
awk -f json.awk w.json || fail "wide --json output is not valid JSON"
[ "$(grep -c '"name":' w.json)" -eq 3000 ] || fail "wide --json: $(grep -c '"name":' w.json) columns"

# --help, usage errors.
"$FT_BIN" describe --help >out 2>err || fail "--help: exit $?"
grep -q '^Usage: fraudtree describe FILE.csv' out || fail "--help text: $(head -2 out)"
for opt in --target --na-values --delimiter --json; do
	grep -q -- "$opt" out || fail "--help does not mention $opt"
done
"$FT_BIN" describe >out 2>err
[ $? -eq 2 ] || fail "no file: exit status"
grep -q '^fraudtree: describe: no file given' err || fail "no file: $(cat err)"
"$FT_BIN" describe --frobnicate small.csv >out 2>err
[ $? -eq 2 ] || fail "unknown option: exit status"
grep -q "^fraudtree: describe: unknown option '--frobnicate'" err || fail "unknown option: $(cat err)"
"$FT_BIN" describe --delimiter ab small.csv >out 2>err
[ $? -eq 2 ] || fail "bad delimiter: exit status"
"$FT_BIN" describe small.csv --target nosuch >out 2>err
[ $? -eq 2 ] || fail "unknown target: exit status"
grep -q "^fraudtree: small.csv: no column named 'nosuch'" err || fail "unknown target: $(cat err)"
[ -s out ] && fail "unknown target: output printed"

[ "$fails" -eq 0 ] && echo "describe: all checks passed"
[ "$fails" -eq 0 ]
