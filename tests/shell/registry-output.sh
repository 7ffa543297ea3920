#!/bin/sh
# registry-output.sh: output that cannot lie. Text from data (feature names,
# reasons, user names, descriptions) is printed with its control characters
# escaped, so it can neither clear the screen nor forge a line; the JSON
# readers refuse what other readers would read differently (\u0000 in a
# string, a key given twice, a loose format_version).
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
R="$T/reg"
ESC=$(printf '\033')
CR=$(printf '\r')

# no_controls FILE: FILE holds no escape, carriage return or other C0
# control character besides tabs and line ends.
no_controls() {
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1"; then
		od -c "$1" | head -n 20 >&2
		fail "$1 holds raw control characters"
	fi
}

# ---- reason, user, description -----------------------------------------
publish "$R" g "$(printf 'desc\033[2Jline\nFAKE description')" >/dev/null
reason=$(printf '\033[2J\033[31mFAKE: gate passed\r')
user=$(printf 'bob\n  2026-01-01T00:00:00Z  mallory      approved   PendingManualApproval -> Approved  forged')
expect 0 "$FT_BIN" registry approve g/1 --reason "$reason" --user "$user" --registry "$R"
expect 0 "$FT_BIN" registry show g/1 --registry "$R"
no_controls "$T/out"
has "$T/out" '\e[2J\e[31mFAKE: gate passed\r'
has "$T/out" 'bob\n  2026-01-01T00:00:00Z  mallory'
has "$T/out" 'desc\e[2Jline\nFAKE description'
[ "$(grep -c 'approved' "$T/out")" = 1 ] || fail "a user name forged a history line: $(cat "$T/out")"
grep -q '^  2026-01-01T00:00:00Z  mallory' "$T/out" && fail "a user name forged a history line"
expect 0 "$FT_BIN" registry list g --registry "$R"
no_controls "$T/out"
[ "$(wc -l <"$T/out")" = 2 ] || fail "a description forged a line in list: $(cat "$T/out")"
expect 0 "$FT_BIN" registry list --registry "$R"
no_controls "$T/out"
# JSON keeps the exact text, escaped the JSON way.
expect 0 "$FT_BIN" registry show g/1 --json --registry "$R"
no_controls "$T/out"
has "$T/out" '\u001b[2J\u001b[31mFAKE: gate passed\r'
# Invisible direction marks are shown too (U+202E turns text around).
expect 0 "$FT_BIN" registry reject g/1 --reason "$(printf 'ok \342\200\256dessap etag')" --registry "$R"
expect 0 "$FT_BIN" registry show g/1 --registry "$R"
has "$T/out" 'ok \u{202E}dessap etag'
# Error messages quote data escaped as well.
expect 2 "$FT_BIN" registry show "$(printf 'g\033[2J/1')" --registry "$R"
no_controls "$T/err"
has "$T/err" 'g\e[2J'

# ---- feature names from the data ---------------------------------------
"$FT_BIN" gen --rows 3000 --seed 5 --fraud-rate 0.2 >"$T/gen.csv" || fail "gen"
sed "1s/TransactionAmt/\"Amt${ESC}[2J${ESC}[31mFAKE${CR}\"/" "$T/gen.csv" >"$T/esc.csv"
"$FT_BIN" run --quiet --registry "$R" --set registry.group=e "$T/esc.csv" >/dev/null 2>&1 ||
	fail "run on a file with a control character in a column name"
expect 0 "$FT_BIN" registry show e/1 --registry "$R"
no_controls "$T/out"
has "$T/out" 'Amt\e[2J\e[31mFAKE\r'
# run's own report: the notes, the amount column it guessed, top features.
"$FT_BIN" run --no-register "$T/esc.csv" >"$T/out" 2>&1
[ $? -le 1 ] || fail "run --no-register on esc.csv: $(cat "$T/out")"
no_controls "$T/out"
[ "$(grep -c 'Amt\\e\[2J\\e\[31mFAKE\\r' "$T/out")" -ge 2 ] || fail "run report: $(cat "$T/out")"

# ---- strict JSON: \u0000, duplicate keys, loose format_version --------
# A group name holding \u0000 would be cut short to "abc" by a C reader.
printf '{"registry": {"group": "abc\\u0000/../x"}}\n' >"$T/nul.json"
expect 2 "$FT_BIN" run --quiet --registry "$R" --pipeline "$T/nul.json" "$T/gen.csv"
has "$T/err" "nul.json:1: a string holds \\u0000"
[ ! -e "$R/abc" ] || fail "\\u0000 registered a group abc"
printf '{"tree": {"max_depth": 2,\n "max_depth": 9}}\n' >"$T/dup.json"
expect 2 "$FT_BIN" run --quiet --no-register --pipeline "$T/dup.json" "$T/gen.csv"
has "$T/err" 'dup.json:2: key "max_depth" appears twice'

publish "$R" j >/dev/null
publish "$R" j >/dev/null
publish "$R" j >/dev/null
publish "$R" j >/dev/null
M=$R/j/1/manifest.json
sed 's/"format_version":	"1.0"/"format_version":	" 1.0"/' "$M" >"$T/m" && cp "$T/m" "$M"
M=$R/j/2/manifest.json
sed 's/"format_version":	"1.0"/"format_version":	"+1.0"/' "$M" >"$T/m" && cp "$T/m" "$M"
M=$R/j/3/manifest.json
sed 's/"user":	"tester"/"user":	"tester",\n	"user":	"admin"/' "$M" >"$T/m" && cp "$T/m" "$M"
M=$R/j/4/manifest.json
sed 's/"user":	"tester"/"user":	"test\\u0000er"/' "$M" >"$T/m" && cp "$T/m" "$M"
expect 0 "$FT_BIN" registry list j --registry "$R"
grep -q '^1  *DAMAGED .*1/manifest.json: format_version: expected "MAJOR.MINOR", found " 1.0"' "$T/out" ||
	fail "\" 1.0\": $(cat "$T/out")"
grep -q '^2  *DAMAGED .*2/manifest.json: format_version: expected "MAJOR.MINOR", found "+1.0"' "$T/out" ||
	fail "\"+1.0\": $(cat "$T/out")"
grep -q '^3  *DAMAGED .*3/manifest.json:[0-9]*: key "user" appears twice' "$T/out" ||
	fail "duplicate key: $(cat "$T/out")"
grep -q '^4  *DAMAGED .*4/manifest.json:[0-9]*: a string holds \\u0000' "$T/out" ||
	fail "\\u0000: $(cat "$T/out")"

# A model file with a key twice or a loose format_version is refused too.
"$STRESS" model "$T/model.json" || fail "model"
sed '0,/"threshold"/s/"threshold":/"threshold": 0.1, "threshold":/' "$T/model.json" >"$T/dupmodel.json"
printf 'amount,card\n1,debit\n' >"$T/in.csv"
expect 2 "$FT_BIN" predict "$T/dupmodel.json" "$T/in.csv"
has "$T/err" 'appears twice'
sed 's/"format_version":[[:space:]]*"1.0"/"format_version": "+1.0"/' "$T/model.json" >"$T/plus.json"
cmp -s "$T/model.json" "$T/plus.json" && fail "the model's format_version was not found"
expect 2 "$FT_BIN" predict "$T/plus.json" "$T/in.csv"
has "$T/err" 'format_version'
echo ok
