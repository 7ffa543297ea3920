#!/bin/sh
# registry-damaged.sh: a registry with damaged and hand-edited versions
# (tests/corpus/registry) is reported path by path and reason by reason,
# and the rest of it keeps working.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
R="$T/reg"
cp -r "$FT_SRCDIR/tests/corpus/registry" "$R"
chmod -R u+w "$R"

expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/err" "10 problems found"
has "$T/out" "$R/brokengroup/group.json:1: not valid JSON"
has "$T/out" "$R/brokengroup/1/manifest.json: missing"
has "$T/out" "$R/corpus/audit.jsonl:8: not valid JSON"
has "$T/out" "$R/corpus/1/model.json: size 2153 differs from the manifest's 2152"
has "$T/out" "$R/corpus/2/manifest.json:9: not valid JSON"
has "$T/out" "$R/corpus/3/pipeline.json: missing"
has "$T/out" "$R/corpus/4/manifest.json: format_version 9.0 is not supported"
has "$T/out" "$R/corpus/5/model.json: "
has "$T/out" "$R/corpus/6/manifest.json: version: 7 does not match its directory"
has "$T/out" "$R/corpus/7/manifest.json: status: unknown status \"Deployed\""
[ "$(wc -l <"$T/out")" = 10 ] || fail "verify lists more than the 10 problems"
lacks "$T/out" "Not_A_Group"
lacks "$T/out" "README"

expect 2 "$FT_BIN" registry verify corpus --registry "$R"
has "$T/err" "8 problems found"

# Listing still works and says what is wrong with each version.
expect 0 "$FT_BIN" registry list --registry "$R"
has "$T/out" "7 DAMAGED versions"
has "$T/out" "DAMAGED $R/brokengroup/group.json:1: not valid JSON"
expect 0 "$FT_BIN" registry list corpus --registry "$R"
[ "$(grep -c '^[1-7]  *DAMAGED  *'"$R"'/corpus/[1-7]/' "$T/out")" = 7 ] ||
	fail "every damaged version listed with its path"

# Damaged versions cannot be shown, approved, diffed or used to predict.
for v in 1 2 3 4 5 6 7; do
	expect 2 "$FT_BIN" registry show corpus/$v --registry "$R"
	has "$T/err" "$R/corpus/$v/"
	expect 2 "$FT_BIN" registry approve corpus/$v --reason ok --registry "$R"
done
expect 2 "$FT_BIN" registry diff corpus/1 corpus/2 --registry "$R"
printf 'amount,card\n1,debit\n' >"$T/in.csv"
expect 2 "$FT_BIN" predict corpus/5 "$T/in.csv" --registry "$R"
has "$T/err" "$R/corpus/5/model.json"
expect 2 "$FT_BIN" predict corpus@latest "$T/in.csv" --registry "$R"
has "$T/err" "no intact version"

# A new registration goes after the damaged ones, and it is usable.
[ "$(publish "$R" corpus)" = 8 ] || fail "next version after damaged ones"
expect 0 "$FT_BIN" registry approve corpus/8 --reason "the only intact one" --registry "$R"
expect 0 "$FT_BIN" predict corpus@approved "$T/in.csv" --registry "$R"
has "$T/out" "1,debit,0.1,0"
expect 0 "$FT_BIN" registry list --registry "$R"
grep -q '^corpus  *8  *8  *8 ' "$T/out" || fail "corpus line: $(cat "$T/out")"
# The torn audit line stays reported; nothing new is.
expect 2 "$FT_BIN" registry verify corpus --registry "$R"
has "$T/err" "8 problems found"

# A version directory that is a symbolic link or holds one is not followed.
mkdir -p "$T/outside" && cp "$R/corpus/8/"* "$T/outside/"
ln -s "$T/outside" "$R/corpus/9"
expect 0 "$FT_BIN" registry list corpus --registry "$R"
grep -q '^9  *DAMAGED .*9: is a symbolic link' "$T/out" || fail "symlinked version"
exit 0
