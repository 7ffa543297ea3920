#!/bin/sh
# export_pg.sh: the SQL export in a real PostgreSQL server that this test
# starts itself (initdb and pg_ctl in a temporary directory, a Unix socket,
# no TCP). Typed table (NUMERIC and double precision numbers, TIMESTAMP,
# TEXT; NULL for missing) and raw-text table: every row gets the leaf and
# prediction predict gives it, for every encoding, on rows exactly on each
# threshold, with missing cells and unseen categories. The ansi dialect
# runs on the typed table too. Skips (77) when PostgreSQL is absent.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"

PGBIN=""
for d in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" \
	/usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && { PGBIN=$d; break; }
done
if [ -z "$PGBIN" ] || ! command -v psql >/dev/null 2>&1; then
	echo "skip: PostgreSQL (initdb, pg_ctl, psql) is not installed; .ci/run installs it"
	exit 77
fi

. "$FT_SRCDIR/tests/shell/export-lib.sh"

# The server refuses to run as root: run it as nobody when we are root.
PGDIR="$T/pg"
mkdir -p "$PGDIR/sock"
as_server() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	command -v runuser >/dev/null 2>&1 || { echo "skip: root without runuser"; exit 77; }
	chmod 755 "$T"
	chown -R nobody "$PGDIR"
	as_server() { runuser -u nobody -- "$@"; }
fi
as_server "$PGBIN/initdb" -D "$PGDIR/data" -U ft --auth=trust -E UTF8 --no-locale \
	>"$T/initdb.log" 2>&1 || { cat "$T/initdb.log" >&2; fail "initdb"; }
as_server "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 \
	-o "-c listen_addresses= -k $PGDIR/sock -c fsync=off" start >"$T/pgctl.log" 2>&1 ||
	{ cat "$T/pgctl.log" "$PGDIR/log" >&2; fail "pg_ctl start"; }
trap 'as_server "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1; [ -n "${FT_KEEP:-}" ] || { chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"; }' EXIT
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR/sock" -U ft -d postgres "$@"; }
psql_ -c 'SELECT 1' >/dev/null || fail "cannot reach the server on its socket"

# Files for COPY must be readable by the server's user.
chmod 755 "$T"
for name in $MODELS; do
	edges "$name" "$T/raw-$name.csv" no
	edges "$name" "$T/clean-$name.csv" yes
	chmod 644 "$T/raw-$name.csv" "$T/clean-$name.csv"
	for kind in clean raw; do
		expect 0 "$FT_BIN" predict "$T/$name.json" "$T/$kind-$name.csv" --leaf \
			-o "$T/p-$kind-$name.csv"
		leaves "$T/p-$kind-$name.csv" >"$T/want-$kind-$name"
	done

	# typed: amounts as NUMERIC (a decimal compared with a decimal literal
	# would decide some rows differently), the others double precision
	psql_ <<SQL || fail "loading the typed table"
DROP TABLE IF EXISTS transactions;
CREATE TABLE transactions (
  "TransactionID" bigint, "TransactionDT" bigint, "timestamp" timestamp,
  "card_no" text, "TransactionAmt" numeric, "ProductCD" text, "card_type" text,
  "email_domain" text, "merchant" text, "dist1" numeric, "device_risk" double precision,
  "velocity_1h" double precision, "account_age_days" double precision, "isFraud" integer, "row_no" integer);
\\copy transactions FROM '$T/clean-$name.csv' WITH (FORMAT csv, HEADER true)
SQL
	for dialect in postgres ansi; do
		if ! "$FT_BIN" export "$T/$name.json" --format sql --dialect $dialect \
			-o "$T/$name-$dialect.sql" 2>"$T/err"; then
			# ansi has no portable day of week: it says so
			[ $dialect = ansi ] && grep -q "day of week" "$T/err" && continue
			cat "$T/err" >&2
			fail "export $name $dialect"
		fi
		ordered "$T/$name-$dialect.sql" >"$T/o.sql"
		psql_ -A -t -F, -f "$T/o.sql" >"$T/g.csv" 2>"$T/g.err" ||
			{ cat "$T/g.err" >&2; fail "PostgreSQL rejects the $name query ($dialect)"; }
		awk -F, '{ print $(NF - 3) "|" $NF }' "$T/g.csv" >"$T/got"
		same_rows "$T/want-clean-$name" "$T/got" "postgres typed table, $name, $dialect"
	done

	# raw text, as a CSV copied into TEXT columns ('' arrives as NULL)
	psql_ <<SQL || fail "loading the text table"
DROP TABLE IF EXISTS transactions;
CREATE TABLE transactions (
  "TransactionID" text, "TransactionDT" text, "timestamp" text, "card_no" text,
  "TransactionAmt" text, "ProductCD" text, "card_type" text, "email_domain" text,
  "merchant" text, "dist1" text, "device_risk" text, "velocity_1h" text,
  "account_age_days" text, "isFraud" text, "row_no" integer);
\\copy transactions FROM '$T/raw-$name.csv' WITH (FORMAT csv, HEADER true)
SQL
	# beyond double precision's range ('1e999', '1e-400') a cast fails; the
	# query reads those as the loader does (an infinity, zero)
	ordered "$T/$name-postgres.sql" >"$T/o.sql"
	psql_ -A -t -F, -f "$T/o.sql" >"$T/g.csv" 2>"$T/g.err" ||
		{ cat "$T/g.err" >&2; fail "PostgreSQL rejects the $name query on text"; }
	awk -F, '{ print $(NF - 3) "|" $NF }' "$T/g.csv" >"$T/got"
	same_rows "$T/want-raw-$name" "$T/got" "postgres text table, $name"
done

# a table with a column named fraud_leaf (the query's own name for the leaf)
awk 'BEGIN { srand(5); print "amount,fraud_leaf,isFraud"
	for (i = 0; i < 600; i++) { a = int(rand() * 1000); l = int(rand() * 9)
		printf "%d,%d,%d\n", a, l, ((a > 700 && l > 3) || rand() > .95) }
}' >"$T/clash.csv"
chmod 644 "$T/clash.csv"
expect 0 "$FT_BIN" run --quiet --no-register --out "$T/clash" --set tree.max_depth=5 \
	--set gate= "$T/clash.csv"
expect 0 "$FT_BIN" predict "$T/clash/model.json" "$T/clash.csv" --leaf -o "$T/pc.csv"
awk -F, 'NR > 1 { print $(NF - 3) "|" $NF }' "$T/pc.csv" >"$T/want-clash"
psql_ <<SQL || fail "loading the table with a fraud_leaf column"
DROP TABLE IF EXISTS transactions;
CREATE TABLE transactions (amount double precision, fraud_leaf double precision, "isFraud" integer);
\\copy transactions FROM '$T/clash.csv' WITH (FORMAT csv, HEADER true)
SQL
for dialect in postgres ansi; do
	expect 0 "$FT_BIN" export "$T/clash/model.json" --format sql --dialect $dialect -o "$T/clash.sql"
	psql_ -A -t -F, -f "$T/clash.sql" >"$T/g.csv" 2>"$T/g.err" ||
		{ cat "$T/g.err" >&2; fail "PostgreSQL rejects the query on a table with fraud_leaf ($dialect)"; }
	awk -F, '{ print $(NF - 3) "|" $NF }' "$T/g.csv" >"$T/got"
	same_rows "$T/want-clash" "$T/got" "postgres, a column named fraud_leaf, $dialect"
done
exit 0
