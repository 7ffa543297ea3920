#!/bin/sh
# Output files are replaced whole (temporary file + rename), except devices
# and pipes, which must be written in place: renaming over /dev/null would
# turn it into a regular file for the whole machine.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ft-out.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$FT_BIN" gen --rows 3000 --seed 3 -o "$tmp/d.csv" || fail "gen"
"$FT_BIN" run --quiet --no-register --out "$tmp/m" "$tmp/d.csv" >/dev/null
[ $? -le 1 ] || fail "run"

# A regular file is replaced whole, with no temporary file left behind.
"$FT_BIN" predict "$tmp/m/model.json" "$tmp/d.csv" -o "$tmp/p.csv" 2>/dev/null || fail "predict to a file"
[ "$(wc -l <"$tmp/p.csv")" -eq 3001 ] || fail "predict wrote $(wc -l <"$tmp/p.csv") lines"
ls "$tmp" | grep -q '\.tmp\.' && fail "temporary file left behind"

# A pipe stays a pipe and receives the rows.
mkfifo "$tmp/fifo" || exit 77
cat "$tmp/fifo" >"$tmp/from-fifo" &
reader=$!
"$FT_BIN" predict "$tmp/m/model.json" "$tmp/d.csv" -o "$tmp/fifo" 2>/dev/null || fail "predict to a fifo"
wait "$reader"
[ -p "$tmp/fifo" ] || fail "the fifo was replaced by a regular file"
cmp -s "$tmp/from-fifo" "$tmp/p.csv" || fail "the fifo did not receive the scored rows"

# A directory is refused with a message naming it, nothing created.
mkdir "$tmp/dir"
"$FT_BIN" predict "$tmp/m/model.json" "$tmp/d.csv" -o "$tmp/dir" 2>"$tmp/err"
[ $? -eq 2 ] || fail "predict into a directory should exit 2"
grep -q "dir: is a directory" "$tmp/err" || fail "message: $(cat "$tmp/err")"
echo "ok"
