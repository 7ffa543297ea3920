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
# The output itself a symbolic link: refused, naming it; its target keeps
# its bytes (a planted link must not redirect a write, nor be renamed over).
echo secret >"$tmp/victim" && chmod 600 "$tmp/victim"
ln -s "$tmp/victim" "$tmp/link.csv"
"$FT_BIN" predict "$tmp/m/model.json" "$tmp/d.csv" -o "$tmp/link.csv" 2>"$tmp/err"
[ $? -eq 2 ] || fail "predict through a symbolic link should exit 2"
grep -q "link.csv: is a symbolic link" "$tmp/err" || fail "message: $(cat "$tmp/err")"
[ "$(cat "$tmp/victim")" = secret ] && [ -L "$tmp/link.csv" ] || fail "the link or its target changed"
"$FT_BIN" gen --rows 10 -o "$tmp/link.csv" 2>"$tmp/err"
[ $? -eq 2 ] || fail "gen through a symbolic link should exit 2"
[ "$(cat "$tmp/victim")" = secret ] || fail "gen wrote through a link"

# Temporaries have names no one can guess: links planted at every name the
# next few thousand process ids would give ("OUT.tmp.PID") are never
# opened, and the temporary is created only where nothing was.
next=$(sh -c 'echo $$')
i=0
while [ $i -lt 3000 ]; do
	ln -s "$tmp/victim" "$tmp/p2.csv.tmp.$((next + i))"
	i=$((i + 1))
done
"$FT_BIN" predict "$tmp/m/model.json" "$tmp/d.csv" -o "$tmp/p2.csv" 2>/dev/null || fail "predict beside planted links"
[ "$(cat "$tmp/victim")" = secret ] || fail "predict wrote through a planted temporary's link"
[ -f "$tmp/p2.csv" ] && [ ! -L "$tmp/p2.csv" ] || fail "p2.csv is not a regular file"
cmp -s "$tmp/p2.csv" "$tmp/p.csv" || fail "p2.csv differs"
rm -f "$tmp"/p2.csv.tmp.*
# A temporary's name ends with 16 random hex digits: seen by holding predict
# at its input (a pipe no one writes to yet).
mkfifo "$tmp/in.fifo"
"$FT_BIN" predict "$tmp/m/model.json" "$tmp/in.fifo" -o "$tmp/p3.csv" 2>/dev/null &
pid=$!
i=0
while [ $i -lt 300 ] && ! ls "$tmp" | grep -q 'p3.csv.tmp.'; do
	sleep 0.05
	i=$((i + 1))
done
ls "$tmp" | grep -q '^p3\.csv\.tmp\.[0-9a-f]\{16\}$' || fail "temporary name: $(ls "$tmp" | grep p3)"
ls "$tmp" | grep -q "p3.csv.tmp.$pid\$" && fail "the temporary is named by the process id"
cat "$tmp/d.csv" >"$tmp/in.fifo"
wait $pid || fail "predict from a pipe"
cmp -s "$tmp/p3.csv" "$tmp/p.csv" || fail "p3.csv differs"
echo "ok"
