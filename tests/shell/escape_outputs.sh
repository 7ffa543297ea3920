#!/bin/sh
# escape_outputs.sh: text from data or people (a column name, the group's
# description, the approver's user name and reason) never reaches a
# human-facing output with a raw control character: the model card (HTML
# and Markdown), rules.txt, the DOT diagram, the SQL query's comments, predict
# --explain's decision path, registry show and drift. Only data passed
# through stays exact: the input columns predict copies, and the SQL
# identifier that must name the column as it is. registry compare keeps
# its own blank lines. The target's name, the fraud label and the model's
# path are data as well: the SQL header, rules.txt and run's report.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/fraudtree-esc.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$T" || exit 1
export FRAUDTREE_REGISTRY="$T/reg" USER=tester
E=$(printf '\033')
# The sample with its device_risk column renamed to v ESC [2J x.
awk -v e="$E" 'NR == 1 { sub(/device_risk/, "v" e "[2Jx") } { print }' \
	"$FT_SRCDIR/data/transactions.csv" >esc.csv
grep -q "$E" esc.csv || { echo "setup: no escape in the header"; exit 1; }
"$FT_BIN" run --quiet --set registry.group=g --set "gate=accuracy>=0.5" \
	--description "$(printf 'desc\033[2J|x\r')" esc.csv >/dev/null 2>&1
[ -d reg/g/1 ] || { echo "setup: registration failed"; exit 1; }
"$FT_BIN" run --quiet --set registry.group=g --set "gate=accuracy>=0.5" \
	--set tree.max_depth=3 esc.csv >/dev/null 2>&1
"$FT_BIN" registry approve g/1 --user "$(printf 'u\033]0;T\007')" \
	--reason "$(printf 'r\033[2J|y\177')" >/dev/null 2>&1 || fail "approve"

raw() { # FILE WHAT: FILE holds no ESC, BEL, CR or DEL
	if LC_ALL=C grep -q "$(printf '[\033\007\r\177]')" "$1"; then
		fail "$2 holds a raw control character: $(LC_ALL=C grep -n "$(printf '[\033\007\r\177]')" "$1" | head -n 2 | cat -v | cut -c1-160)"
	fi
}
"$FT_BIN" registry card g/1 -o card.html || fail "card html"
raw card.html "registry card (html)"
"$FT_BIN" registry card g/1 --format md -o card.md || fail "card md"
raw card.md "registry card (md)"
# (made visible, then a Markdown backslash escape keeps the backslash and
# the bracket literal: a renderer shows desc\e[2J)
grep -qF 'desc\\e\[2J' card.md || fail "the card does not show the description escaped"
"$FT_BIN" export g/1 --format dot -o tree.dot || fail "export dot"
raw tree.dot "export --format dot"
"$FT_BIN" export g/1 --format sql -o score.sql || fail "export sql"
# the quoted identifier keeps the exact name; comments must not
sed 's/"v[^"]*"/IDENT/g' score.sql >comments.sql
raw comments.sql "export --format sql (outside identifiers)"
"$FT_BIN" predict g/1 esc.csv --explain -o p.csv 2>/dev/null || fail "predict --explain"
tail -n +2 p.csv | awk -F, '{ print $NF }' >paths.txt
raw paths.txt "predict --explain's decision_path"
grep -q 'v\\e\[2Jx' paths.txt || fail "decision_path does not name the column escaped: $(head -n 1 paths.txt)"
"$FT_BIN" run --quiet --no-register --out m --set "gate=accuracy>=0.5" esc.csv >/dev/null 2>&1
[ -s m/rules.txt ] || fail "run --out wrote no rules.txt"
raw m/rules.txt "rules.txt"
grep -q 'v\\e\[2Jx' m/rules.txt || fail "rules.txt does not name the column escaped"
"$FT_BIN" registry show g/1 >show.txt 2>&1 || fail "registry show"
raw show.txt "registry show"
"$FT_BIN" drift g/1 esc.csv >drift.txt 2>&1
raw drift.txt "drift"
"$FT_BIN" registry compare g/1 g/2 esc.csv >cmp.txt 2>&1
grep -q '^\\n' cmp.txt && fail "registry compare prints a literal \\n: $(grep '^\\n' cmp.txt | head -n 1)"
grep -q "McNemar" cmp.txt || fail "registry compare: $(tail -n 2 cmp.txt)"

# The target's name and the fraud label are data too, with a line break in
# them: the SQL header's -- comments stay comments (a line break there
# would leave the rest as SQL), and rules.txt and run's report show them
# escaped.
NLT=$(printf 'is\nFraud\033[2J; DROP TABLE t; --')
NLP=$(printf 'yes\n; DROP\033[2J')
# (isFraud is the sample's last column)
awk -v t="$NLT" -v p="$NLP" -F, -v OFS=, '
	NR == 1 { $NF = "\"" t "\""; print; next }
	{ $NF = $NF == 1 ? "\"" p "\"" : "no"; print }' "$FT_SRCDIR/data/transactions.csv" >label.csv
[ "$(tail -n 1 "$FT_SRCDIR/data/transactions.csv" | awk -F, '{ print ($NF == 0 || $NF == 1) }')" = 1 ] ||
	{ echo "setup: isFraud is not the sample's last column"; exit 1; }
"$FT_BIN" run --no-register --out lm --set "target=$NLT" --set "positive=$NLP" \
	--set "gate=accuracy>=0.5" label.csv >label-run.txt 2>&1 || fail "run with a label: $(tail -n 1 label-run.txt)"
raw label-run.txt "run's report (class labels)"
grep -qF 'yes\n; DROP\e[2J = fraud' label-run.txt || fail "run's report does not name the label escaped"
raw lm/rules.txt "rules.txt (class labels)"
grep -qF 'yes\n; DROP\e[2J (p=' lm/rules.txt || fail "rules.txt does not name the label escaped"
"$FT_BIN" export lm/model.json --format sql -o label.sql || fail "export sql (labels)"
awk '/^SELECT/ { exit } !/^-- / { print "line " NR ": " $0; bad = 1 } END { exit bad }' \
	label.sql >header.txt || fail "the SQL header has a line that is not a comment: $(head -n 1 header.txt | cat -v)"
sed -n '/^SELECT/q;p' label.sql >header.sql
raw header.sql "export --format sql (header comments)"
grep -qF -- '-- node id), fraud_score, fraud_probability and prediction (1: is\nFraud\e[2J; DROP TABLE t; -- = '"'"'yes\n; DROP\e[2J'"'"')' \
	label.sql || fail "the SQL header does not name the target and label escaped: $(sed -n 3p label.sql)"
# the model's own path, as the header names it
D=$(printf 'dir\033[2J\nDROP TABLE t;')
mkdir -p "$D" && cp lm/model.json "$D/model.json"
"$FT_BIN" export "$D/model.json" --format sql -o path.sql || fail "export sql (path)"
sed -n '/^SELECT/q;p' path.sql >path-header.sql
raw path-header.sql "export --format sql (the model's path)"
grep -q '^DROP' path.sql && fail "the model's path leaves the SQL comment"
# Text people give the registry is stored in JSON files other programs
# read: bytes that are not UTF-8 (a Latin-1 terminal, a cut paste) are
# refused with exit 2 and nothing is written.
cp reg/g/audit.jsonl audit.before
LAT=$(printf 'caf\351')
for args in "approve g/2 --reason $LAT" "approve g/2 --reason ok --user $LAT" \
	"reject g/2 --reason $(printf 'cut\303')" "policy g --gate accuracy>=0.5 --reason $LAT" \
	"alias g champion 2 --reason $LAT"; do
	# shellcheck disable=SC2086
	"$FT_BIN" registry $args >bad.out 2>bad.err
	rc=$?
	[ $rc -eq 2 ] || fail "registry $args: exit $rc, expected 2"
	grep -q "is not valid UTF-8 text" bad.err || fail "registry $args: $(head -n 1 bad.err)"
done
cmp -s audit.before reg/g/audit.jsonl || fail "a refused text reached the audit trail"
"$FT_BIN" run --quiet --set registry.group=g --set "gate=accuracy>=0.5" --description "$LAT" \
	esc.csv >bad.out 2>bad.err && fail "run registered a description that is not UTF-8"
grep -q "description is not valid UTF-8 text" bad.err || fail "run --description: $(tail -n 1 bad.err)"
[ -d reg/g/3 ] && fail "run registered version 3 with a description that is not UTF-8"
"$FT_BIN" registry approve g/2 --reason 'café ok' >/dev/null 2>&1 || fail "UTF-8 text refused"
# A Latin-1 file: describe and run read it, but no model.json (UTF-8
# JSON other programs read) is written with its names or categories in it,
# by run --out or into the registry: exit 2 saying where, nothing written.
printf 'amount,card,isFraud\n' >lat1.csv
i=0
while [ $i -lt 200 ]; do
	printf '%d,credit,0\n%d,debit,1\n' $((i % 90)) $((i % 97 + 50)) >>lat1.csv
	i=$((i + 1))
done
printf '7,d\351bit,1\n' >>lat1.csv
"$FT_BIN" describe lat1.csv >/dev/null 2>&1 || fail "describe refuses a Latin-1 file"
"$FT_BIN" run --no-register --out lat1 --set "gate=accuracy>=0.5" lat1.csv >bad.out 2>bad.err
rc=$?
[ $rc -eq 2 ] || fail "run --out on a Latin-1 category: exit $rc, expected 2"
grep -qF 'model.json would hold text that is not UTF-8 (near' bad.err &&
	grep -qF 'd\xE9bit' bad.err || fail "run --out on a Latin-1 category: $(tail -n 1 bad.err)"
[ -e lat1 ] && fail "run --out made its directory although it wrote nothing"
sed '1s/card/caf\xe9/' lat1.csv | sed '$d' >lat2.csv
"$FT_BIN" run --quiet --set registry.group=lat --set "gate=accuracy>=0.5" lat2.csv >bad.out 2>bad.err
rc=$?
[ $rc -eq 2 ] || fail "run on a Latin-1 column name: exit $rc, expected 2"
grep -qF 'caf\xE9' bad.err || fail "run on a Latin-1 column name: $(tail -n 1 bad.err)"
[ -d reg/lat/1 ] && fail "a version holding Latin-1 text was registered"
# ... and what describe --json and drift --json print of it is UTF-8: a
# byte that is not becomes U+FFFD
"$FT_BIN" describe lat2.csv --json >dj1.json 2>/dev/null || fail "describe --json on a Latin-1 file"
"$FT_BIN" drift g/1 lat2.csv --json >dj2.json 2>/dev/null
for f in dj1.json dj2.json; do
	LC_ALL=C grep -q "$(printf '\351')" $f && fail "$f holds a byte that is not UTF-8"
	grep -qF "caf$(printf '\357\277\275')" $f || fail "$f does not name the column caf<U+FFFD>"
done
[ $fails -eq 0 ] && echo "escape_outputs: ok"
[ $fails -eq 0 ]
