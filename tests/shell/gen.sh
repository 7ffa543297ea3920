#!/bin/sh
# gen.sh: `fraudtree gen` from the shell: option errors, the header, -o,
# determinism, and the bundled sample being exactly the generator's output.
set -u
: "${FT_BIN:?}" "${FT_SRCDIR:?}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_error DESCRIPTION PATTERN ARGS...: exit 2, "fraudtree: " message
# matching PATTERN on stderr, nothing on stdout.
expect_error() {
	what=$1 pattern=$2
	shift 2
	"$FT_BIN" gen "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] || fail "$what: exit $rc, want 2"
	grep -q "^fraudtree: .*$pattern" "$tmp/err" || fail "$what: stderr: $(cat "$tmp/err")"
	[ ! -s "$tmp/out" ] || fail "$what: wrote to stdout"
}

expect_error "no --rows" "--rows N is required"
expect_error "rows not a number" "expected an unsigned integer" --rows abc
expect_error "negative rows" "expected an unsigned integer" --rows -5
expect_error "rows trailing junk" "expected an unsigned integer" --rows 10x
expect_error "rows too many" "at most" --rows 99999999999999
expect_error "rows without value" "--rows needs a value" --rows
expect_error "bad seed" "--seed" --rows 5 --seed 1.5
expect_error "rate above 1" "--fraud-rate" --rows 5 --fraud-rate 2
expect_error "rate not a number" "--fraud-rate" --rows 5 --fraud-rate lots
expect_error "unknown option" "unknown argument '--colour'" --rows 5 --colour
expect_error "stray operand" "unknown argument 'extra'" --rows 5 extra
expect_error "unwritable output" "no-such-dir" --rows 5 -o "$tmp/no-such-dir/x.csv"

"$FT_BIN" gen --help >"$tmp/help" || fail "--help exit status"
grep -q -- "--fraud-rate" "$tmp/help" || fail "--help does not list --fraud-rate"

header='TransactionID,TransactionDT,timestamp,card_no,TransactionAmt,ProductCD,card_type,email_domain,merchant,dist1,device_risk,velocity_1h,account_age_days,isFraud'
"$FT_BIN" gen --rows 0 >"$tmp/zero" || fail "--rows 0 exit status"
printf '%s\n' "$header" | cmp -s - "$tmp/zero" || fail "--rows 0 is not exactly the header"

"$FT_BIN" gen --rows=3 --seed=11 >"$tmp/three" || fail "--rows=3 exit status"
[ "$(wc -l <"$tmp/three")" -eq 4 ] || fail "--rows 3 did not give header + 3 lines"
head -n 1 "$tmp/three" | grep -qx "$header" || fail "header differs"
sed -n 2p "$tmp/three" | grep -q '^2987000,[0-9]*,20[0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9],[45][0-9]\{15\},[0-9]*\.[0-9][0-9],[WCRHS],' ||
	fail "first row malformed: $(sed -n 2p "$tmp/three")"

"$FT_BIN" gen --rows 2000 --seed 5 --fraud-rate 0.03 >"$tmp/a" || fail "gen a"
"$FT_BIN" gen --rows 2000 --seed 5 --fraud-rate 0.03 -o "$tmp/b" || fail "gen -o"
"$FT_BIN" gen --rows 2000 --seed 6 --fraud-rate 0.03 --output "$tmp/c" || fail "gen --output"
cmp -s "$tmp/a" "$tmp/b" || fail "-o output differs from standard output"
cmp -s "$tmp/a" "$tmp/c" && fail "different seeds gave the same file"
ls "$tmp" | grep -q '\.tmp\.' && fail "temporary file left behind"

# -o onto a FIFO writes through it and leaves the FIFO in place (renaming
# over it would have replaced the node with a regular file).
if mkfifo "$tmp/fifo" 2>/dev/null; then
	cat "$tmp/fifo" >"$tmp/from-fifo" &
	reader=$!
	"$FT_BIN" gen --rows 2000 --seed 5 --fraud-rate 0.03 -o "$tmp/fifo" || fail "gen -o FIFO"
	if [ -p "$tmp/fifo" ]; then
		wait "$reader"
		cmp -s "$tmp/a" "$tmp/from-fifo" || fail "-o FIFO content differs"
	else
		fail "-o replaced the FIFO"
		kill "$reader"
	fi
fi

sample="$FT_SRCDIR/data/transactions.csv"
"$FT_BIN" gen --rows 20000 --seed 42 | cmp -s - "$sample" ||
	fail "data/transactions.csv is not 'fraudtree gen --rows 20000 --seed 42' (regenerate it)"
[ "$(wc -c <"$sample")" -lt 2000000 ] || fail "bundled sample is 2 MB or more"

[ "$fails" -eq 0 ] || exit 1
exit 0
