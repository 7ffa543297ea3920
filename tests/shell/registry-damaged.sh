#!/bin/sh
# registry-damaged.sh: a registry with damaged and hand-edited versions
# (tests/corpus/registry) is reported path by path and reason by reason,
# and the rest of it keeps working.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
R="$T/reg"
cp -r "$FT_SRCDIR/tests/corpus/registry" "$R"
chmod -R u+w "$R"

expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/err" "11 problems found"
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
has "$T/out" "$R/Not_A_Group: is a directory that cannot be a group"
[ "$(wc -l <"$T/out")" = 11 ] || fail "verify lists more than the 11 problems"
# A note beside the groups is the owner's.
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
# Whatever a group directory holds besides its records and its versions is
# reported, one line each: files, directories (a name that only looks like
# a version among them), pipes, links; at the root, what cannot be a group.
G="$T/foreign"
publish "$G" g >/dev/null
touch "$G/g/notes.txt"
mkdir "$G/g/old" "$G/g/01" "$G/g/1000000000" "$G/g/99999999999" "$G/bad_name"
mkfifo "$G/g/fifo" "$G/pipe"
ln -s /etc "$G/g/etc"
ln -s /etc "$G/bad_link."
touch "$G/NOTES" && mkdir "$G/.git"
expect 2 "$FT_BIN" registry verify --registry "$G"
has "$T/err" "10 problems found"
has "$T/out" "$G/g/notes.txt: is a regular file that is not part of a group"
has "$T/out" "$G/g/old: is a directory that is not part of a group"
for d in 01 1000000000 99999999999; do
	has "$T/out" "$G/g/$d: is a directory named like a version, but versions are 1 to 999999999 without leading zeros"
done
has "$T/out" "$G/g/fifo: is a pipe, which a registry never holds"
has "$T/out" "$G/g/etc: is a symbolic link"
has "$T/out" "$G/bad_name: is a directory that cannot be a group"
has "$T/out" "$G/pipe: is a pipe, which a registry never holds"
has "$T/out" "$G/bad_link.: is a symbolic link"
lacks "$T/out" "NOTES"
lacks "$T/out" ".git"
expect 2 "$FT_BIN" registry verify g --registry "$G"
has "$T/err" "7 problems found"
lacks "$T/out" "$G/pipe"

# An audit line naming a number no version can have (too many digits) is
# unreadable: list shows the group DAMAGED naming the line, and the next
# registration still gets the next real number, without overflow.
A="$T/huge"
publish "$A" g >/dev/null
head -n 1 "$A/g/audit.jsonl" | sed 's/"version":1,/"version":99999999999,/' >>"$A/g/audit.jsonl"
expect 0 "$FT_BIN" registry list --registry "$A"
has "$T/out" "DAMAGED $A/g/audit.jsonl:2: version: expected a positive whole number (1 unreadable line in all)"
[ "$(publish "$A" g)" = 2 ] || fail "the next number after an unreadable line"
expect 2 "$FT_BIN" registry verify --registry "$A"
has "$T/out" "$A/g/audit.jsonl:2: version: expected a positive whole number"
# A line naming the last number uses them up: said by list and verify,
# and a registration is refused naming the line, not left to overflow.
head -n 1 "$A/g/audit.jsonl" | sed 's/"version":1,/"version":999999999,/' >>"$A/g/audit.jsonl"
expect 0 "$FT_BIN" registry list --registry "$A"
has "$T/out" "$A/g/audit.jsonl:4: names version 999999999, the last number a version can have: no version numbers left"
expect 2 "$FT_BIN" registry verify g --registry "$A"
has "$T/out" "$A/g/audit.jsonl:4: names version 999999999, the last number a version can have"
"$STRESS" publish "$A" g "$T/data.csv" "" >"$T/out" 2>"$T/err" && fail "publish past the last number"
has "$T/err" "$A/g/audit.jsonl:4: names version 999999999, the last number a version can have: no version numbers left"
[ ! -e "$A/g/1000000000" ] || fail "a version past the last number"
# So does a directory of that number.
B="$T/last"
publish "$B" g >/dev/null
cp -r "$B/g/1" "$B/g/999999999"
expect 0 "$FT_BIN" registry list --registry "$B"
has "$T/out" "$B/g/999999999: names version 999999999, the last number a version can have"
"$STRESS" publish "$B" g "$T/data.csv" "" >"$T/out" 2>"$T/err" && fail "publish past the last directory"
has "$T/err" "no version numbers left"
exit 0
