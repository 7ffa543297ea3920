#!/bin/sh
# describe_corpus.sh: `fraudtree describe` on awkward and malformed CSV
# files. Each file in tests/corpus/csv is listed in EXPECTED with its exit
# status and a message (errors: on stderr, naming file and line) or a piece
# of the --json output. Big cases (thousands of columns, a 1 MB field, long
# lines, errors deep inside a file that is loaded in parallel) and random
# bytes are made here at run time. Any crash or hang fails the test.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
corpus=$FT_SRCDIR/tests/corpus/csv
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run FILE [ARGS...]: describe --json with a time limit; sets rc.
run() {
	checks=$((checks + 1))
	timeout 60 "$FT_BIN" describe --json "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	tr -d ' \t\n' <"$tmp/out" >"$tmp/flat"
}

# expect FILE STATUS SUBSTRING [ARGS...]
expect() {
	file=$1 status=$2 want=$3
	shift 3
	run "$file" "$@"
	if [ "$rc" -ne "$status" ]; then
		fail "$file: exit $rc, want $status; stderr: $(head -c 300 "$tmp/err")"
		return
	fi
	if [ "$status" -eq 0 ]; then
		grep -qF -- "$want" "$tmp/flat" || fail "$file: output lacks: $want"
		[ -s "$tmp/err" ] && fail "$file: unexpected stderr: $(head -c 300 "$tmp/err")"
	else
		grep -qF -- "fraudtree: " "$tmp/err" || fail "$file: no 'fraudtree:' prefix"
		grep -qF -- "$want" "$tmp/err" || fail "$file: stderr lacks '$want': $(head -c 300 "$tmp/err")"
		[ -s "$tmp/out" ] && fail "$file: output on an error"
	fi
}

# Every file in the corpus has an expectation, and every expectation holds.
for f in "$corpus"/*.csv; do
	name=${f##*/}
	grep -q "^$name " "$corpus/EXPECTED" || fail "$name: not listed in EXPECTED"
done
grep -v '^#' "$corpus/EXPECTED" | while read -r name status want; do
	[ -n "$name" ] && printf '%s\t%s\t%s\n' "$name" "$status" "$want"
done >"$tmp/expected"
n=$(wc -l <"$tmp/expected")
[ "$n" -ge 30 ] || fail "EXPECTED lists only $n cases"
while IFS='	' read -r name status want; do
	expect "$corpus/$name" "$status" "$want"
done <"$tmp/expected"

# Paths that are not readable files.
expect "$tmp/missing.csv" 2 "missing.csv: No such file or directory"
expect "$tmp" 2 ": is a directory"
if [ "$(id -u)" -ne 0 ]; then
	printf 'a\n1\n' >"$tmp/locked.csv"
	chmod 000 "$tmp/locked.csv"
	expect "$tmp/locked.csv" 2 "locked.csv: Permission denied"
fi

# Options: the delimiter override and extra missing-value strings.
printf 'a;b\n1;x\n2;-\n' >"$tmp/opts.csv"
expect "$tmp/opts.csv" 0 '"name":"b","type":"categorical","count":1,"missing":1' --na-values=-,none
expect "$tmp/opts.csv" 0 '"ncols":1' --delimiter ,
expect "$tmp/opts.csv" 2 "no column named 'zz'" --target zz

# 10,000 columns.
awk 'BEGIN { for (r = 0; r < 4; r++) { for (c = 0; c < 10000; c++)
	printf "%s%s", (c ? "," : ""), (r ? r * c : "c" c); printf "\n" } }' >"$tmp/wide.csv"
expect "$tmp/wide.csv" 0 '"rows":3,"ncols":10000'
expect "$tmp/wide.csv" 0 '{"name":"c9999","type":"numeric","count":3,"missing":0,"distinct":3'

# A 1 MB quoted field with delimiters, quotes and newlines inside, and a
# 4 MB unquoted one: no fixed line buffers.
awk 'BEGIN { printf "id,text\n1,\""; for (i = 0; i < 65536; i++) printf "ab,\"\"\ncdefghijkl"; printf "\"\n2,x\n" }' >"$tmp/field.csv"
expect "$tmp/field.csv" 0 '"rows":2,"ncols":2'
awk 'BEGIN { printf "id,text\n1,"; for (i = 0; i < 262144; i++) printf "abcdefghijklmnop"; printf "\n2,y\n" }' >"$tmp/long.csv"
expect "$tmp/long.csv" 0 '"name":"text","type":"categorical","count":2'

# Files big enough to be cut into chunks: errors still name the right line,
# with quoted newlines before them.
awk 'BEGIN { print "id,amount,note"; line = 2
	for (i = 1; i <= 150000; i++) {
		if (i % 1000 == 0) { printf "%d,%d.5,\"two\nlines\"\n", i, i % 97; line += 2 }
		else { printf "%d,%d.25,plain\n", i, i % 89; line++ }
		if (i == 140000) { printf "%d,1,2,3\n", i; bad = line; line++ }
	}
	print bad > "/dev/stderr" }' >"$tmp/big_bad.csv" 2>"$tmp/big_bad.line"
expect "$tmp/big_bad.csv" 2 "big_bad.csv:$(cat "$tmp/big_bad.line"): expected 3 fields, found 4"
awk 'BEGIN { print "id,amount,note"
	for (i = 1; i <= 150000; i++) printf "%d,%d,\"a\nb\"\n", i, i % 7
	printf "150001,1,\"open\n"
	for (i = 0; i < 10; i++) print "x,y,z" }' >"$tmp/big_open.csv"
expect "$tmp/big_open.csv" 2 "big_open.csv:300002: unterminated quoted field"
# A stray quote inside an unquoted field misleads the quote-parity split;
# the result must still be that of a plain sequential parse.
awk 'BEGIN { print "id,size,note"
	for (i = 1; i <= 150000; i++) {
		if (i == 10) printf "%d,5\" screen,a\n", i
		else if (i % 500 == 0) printf "%d,%d,\"x\ny\"\n", i, i
		else printf "%d,%d,b\n", i, i }
	}' >"$tmp/stray.csv"
expect "$tmp/stray.csv" 0 '"rows":150000,"ncols":3'
expect "$tmp/stray.csv" 0 '"name":"size","type":"categorical","count":150000,"missing":0,"distinct":150000'
# A column numeric for 150,000 rows and text in the last one.
awk 'BEGIN { print "id,v"; for (i = 1; i <= 150000; i++) printf "%d,%d.5\n", i, i % 10; print "150001,text" }' >"$tmp/late_text.csv"
expect "$tmp/late_text.csv" 0 '"name":"v","type":"categorical","count":150001,"missing":0,"distinct":11'

# Random bytes (no NUL) never crash or hang: exit 0 or 2.
for seed in 1 2 3 4 5 6 7 8; do
	awk -v seed=$seed 'BEGIN { srand(seed); n = 2000 + int(rand() * 50000)
		for (i = 0; i < n; i++) {
			r = rand()
			if (r < 0.05) printf "\""; else if (r < 0.12) printf ","; else if (r < 0.16) printf "\n"
			else if (r < 0.17) printf "\r"; else printf "%c", 1 + int(rand() * 254) } }' >"$tmp/random$seed.csv"
	run "$tmp/random$seed.csv"
	[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || fail "random$seed.csv: exit $rc"
done

# predict reads files by the same rules (one CSV dialect): for every file
# of both corpora and the big cases above, predict with a model whose one
# input is the file's first column fails exactly as describe does (same
# message, same line), or scores as many rows as describe counts.
cat >"$tmp/model.in" <<'EOF_MODEL'
{"format":"fraudtree-model","format_version":"1.0","recipe":{"format":1,"target":"isFraud","positive":"1","negative":"0","na_values":[],"inputs":[{"name":"@NAME@","type":"numeric","impute":"median","fill_value":50,"missing_indicator":false}],"features":[{"name":"@NAME@","input":0,"kind":"numeric"}],"dropped":[],"notes":[]},"tree":{"params":{"criterion":"gini","max_depth":0,"min_samples_split":2,"min_samples_leaf":1,"min_impurity_decrease":0,"max_leaf_nodes":0,"ccp_alpha":0,"max_bins":256},"nfeatures":1,"feature_names":["@NAME@"],"nodes":[{"left":1,"right":2,"feature":0,"threshold":100,"value":[105,25],"count":[105,25],"impurity":0.3106508875739644,"samples":130,"depth":0},{"left":-1,"right":-1,"feature":-1,"threshold":0,"value":[90,10],"count":[90,10],"impurity":0.17999999999999994,"samples":100,"depth":1},{"left":-1,"right":-1,"feature":-1,"threshold":0,"value":[15,15],"count":[15,15],"impurity":0.5,"samples":30,"depth":1}]},"threshold":0.5}
EOF_MODEL
first_column() {
	awk 'NR == 1 { sub(/^\357\273\277/, "") } /^[\r]*$/ { next }
		{ sub(/\r.*/, ""); n = split($0, f, /[,;\t|]/); v = f[1]; gsub(/"/, "", v)
		  print (v == "" ? "unnamed_0" : v); exit }' "$1"
}
for f in "$corpus"/*.csv "$FT_SRCDIR"/tests/corpus/bad/*.csv "$tmp"/*.csv; do
	[ -r "$f" ] || continue
	checks=$((checks + 1))
	name=$(first_column "$f")
	sed "s/@NAME@/$name/g" "$tmp/model.in" >"$tmp/model.json"
	timeout 60 "$FT_BIN" describe --json "$f" >"$tmp/d.out" 2>"$tmp/d.err"
	drc=$?
	rm -f "$tmp/p.csv"
	timeout 60 "$FT_BIN" predict "$tmp/model.json" "$f" -o "$tmp/p.csv" >/dev/null 2>"$tmp/p.err"
	prc=$?
	case ${f##*/} in random*)
		# the first column's name is random bytes: only same-name files count
		grep -q "missing required column" "$tmp/p.err" && continue ;;
	esac
	if [ "$drc" -eq 2 ]; then
		if [ "$prc" -ne 2 ] || ! cmp -s "$tmp/d.err" "$tmp/p.err"; then
			fail "${f##*/}: predict (exit $prc: $(head -c 200 "$tmp/p.err")) differs from describe ($(head -c 200 "$tmp/d.err"))"
		fi
		[ -e "$tmp/p.csv" ] && fail "${f##*/}: predict left output on an error"
	elif [ "$drc" -eq 0 ]; then
		rows=$(tr -d ' \t\n' <"$tmp/d.out" | sed -n 's/.*"rows":\([0-9]*\).*/\1/p')
		[ "$prc" -eq 0 ] || fail "${f##*/}: describe reads it, predict exits $prc: $(head -c 200 "$tmp/p.err")"
		grep -q ": $rows rows scored" "$tmp/p.err" ||
			fail "${f##*/}: describe counts $rows rows, predict says $(head -c 200 "$tmp/p.err")"
	else
		fail "${f##*/}: describe exit $drc"
	fi
done

echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
