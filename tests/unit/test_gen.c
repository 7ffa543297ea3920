/* test_gen: the generator's output is deterministic, well-formed CSV
 * (checked with an independent parser, libcsv), hits the requested fraud
 * share, and carries the signal it promises. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gen.h"

#define NCOL 14
#define EPOCH_UNIX INT64_C(1512086400) /* 2017-12-01 00:00:00 UTC */

static int buf_sink(void *ctx, const char *buf, size_t len, struct ft_err *err)
{
	(void)err;
	sb_append(ctx, buf, len);
	return 0;
}

static char *generate(uint64_t rows, uint64_t seed, double rate, size_t *len)
{
	struct gen_options o = { rows, seed, rate };
	struct strbuf sb = { 0 };
	struct ft_err err;
	assert_int_equal(gen_stream(&o, buf_sink, &sb, NULL, &err), 0);
	sb_append(&sb, "", 1);
	*len = sb.len - 1;
	return sb.data;
}

/* One parsed table, fields kept as strings. */
struct table {
	char **cell;          /* rows * NCOL, header excluded */
	size_t rows, col, cap;
	size_t bad_rows;      /* rows with a field count other than NCOL */
	char header[NCOL][32];
	int in_header;
};

static void on_field(void *s, size_t n, void *data)
{
	struct table *t = data;
	if (t->in_header) {
		if (t->col < NCOL)
			snprintf(t->header[t->col], sizeof t->header[0], "%.*s", (int)n, (char *)s);
		t->col++;
		return;
	}
	if (t->col < NCOL) {
		size_t need = (t->rows + 1) * NCOL;
		if (need > t->cap) {
			t->cap = need * 2;
			t->cell = xreallocarray(t->cell, t->cap, sizeof *t->cell);
		}
		t->cell[t->rows * NCOL + t->col] = xstrndup(s ? s : "", n);
	}
	t->col++;
}

static void on_row(int c, void *data)
{
	(void)c;
	struct table *t = data;
	if (t->col != NCOL)
		t->bad_rows++;
	if (t->in_header)
		t->in_header = 0;
	else
		t->rows++;
	t->col = 0;
}

static void parse(struct table *t, const char *text, size_t len)
{
	memset(t, 0, sizeof *t);
	t->in_header = 1;
	struct csv_parser p;
	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
	assert_int_equal(csv_parse(&p, text, len, on_field, on_row, t), len);
	assert_int_equal(csv_fini(&p, on_field, on_row, t), 0);
	csv_free(&p);
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->rows * NCOL; i++)
		free(t->cell[i]);
	free(t->cell);
}

static const char *cell(const struct table *t, size_t r, int c)
{
	return t->cell[r * NCOL + (size_t)c];
}

static int column(const struct table *t, const char *name)
{
	for (int c = 0; c < NCOL; c++)
		if (!strcmp(t->header[c], name))
			return c;
	fail_msg("no column %s", name);
	return -1;
}

static void test_same_seed_same_bytes(void **state)
{
	(void)state;
	size_t a_len, b_len, c_len;
	char *a = generate(3000, 7, 0.02, &a_len);
	char *b = generate(3000, 7, 0.02, &b_len);
	char *c = generate(3000, 8, 0.02, &c_len);
	assert_int_equal(a_len, b_len);
	assert_memory_equal(a, b, a_len);
	assert_true(a_len != c_len || memcmp(a, c, a_len) != 0);
	free(a);
	free(b);
	free(c);
}

static void test_header_only_for_zero_rows(void **state)
{
	(void)state;
	size_t len;
	char *s = generate(0, 42, 0.02, &len);
	char *want = xasprintf("%s\n", gen_header());
	assert_string_equal(s, want);
	assert_string_equal(gen_header(),
		"TransactionID,TransactionDT,timestamp,card_no,TransactionAmt,ProductCD,"
		"card_type,email_domain,merchant,dist1,device_risk,velocity_1h,"
		"account_age_days,isFraud");
	free(want);
	free(s);
}

/* Every row parses to the header's field count; quoted merchants come back
 * with their commas and doubled quotes undone; IDs and times line up. */
static void test_well_formed(void **state)
{
	(void)state;
	size_t len;
	char *s = generate(20000, 42, 0.02, &len);
	struct table t;
	parse(&t, s, len);
	assert_int_equal(t.rows, 20000);
	assert_int_equal(t.bad_rows, 0);

	int id = column(&t, "TransactionID"), dt = column(&t, "TransactionDT");
	int ts = column(&t, "timestamp"), card = column(&t, "card_no");
	int amt = column(&t, "TransactionAmt"), merch = column(&t, "merchant");
	int ctype = column(&t, "card_type"), dom = column(&t, "email_domain");
	size_t acme = 0, bob = 0, smith = 0, missing_type = 0, missing_dom = 0;
	unsigned long long prev_dt = 0;
	for (size_t r = 0; r < t.rows; r++) {
		assert_int_equal(strtoull(cell(&t, r, id), NULL, 10), 2987000 + r);
		unsigned long long d = strtoull(cell(&t, r, dt), NULL, 10);
		assert_true(d >= prev_dt && d >= 86400);
		prev_dt = d;
		if (r % 997 == 0) {
			time_t when = (time_t)(EPOCH_UNIX + (int64_t)d);
			struct tm tm;
			char want[32];
			gmtime_r(&when, &tm);
			strftime(want, sizeof want, "%Y-%m-%d %H:%M:%S", &tm);
			assert_string_equal(cell(&t, r, ts), want);
		}
		assert_int_equal(strlen(cell(&t, r, card)), 16);
		const char *a = cell(&t, r, amt), *dot = strchr(a, '.');
		assert_non_null(dot);
		assert_int_equal(strlen(dot + 1), 2);
		assert_true(strtod(a, NULL) > 0);
		const char *m = cell(&t, r, merch);
		acme += !strcmp(m, "Acme Foods, Inc.");
		bob += !strcmp(m, "Bob's \"Fine\" Diner");
		smith += !strcmp(m, "Smith & Sons, LLC");
		missing_type += !*cell(&t, r, ctype);
		missing_dom += !*cell(&t, r, dom);
	}
	assert_true(acme > 100 && bob > 100 && smith > 100);
	assert_true(missing_type > 0 && missing_dom > 1000);
	table_free(&t);
	free(s);
}

static double fraud_share(uint64_t rows, uint64_t seed, double rate)
{
	size_t len;
	char *s = generate(rows, seed, rate, &len);
	size_t n = 0, fraud = 0;
	for (char *p = strchr(s, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		char *end = strchr(p + 1, '\n');
		fraud += end[-1] == '1';
		n++;
	}
	free(s);
	assert_int_equal(n, rows);
	return (double)fraud / (double)n;
}

static void test_fraud_share_follows_rate(void **state)
{
	(void)state;
	double s = fraud_share(100000, 1, 0.02);
	assert_true(s > 0.017 && s < 0.023);
	s = fraud_share(100000, 2, 0.005);
	assert_true(s > 0.0035 && s < 0.0065);
	s = fraud_share(50000, 3, 0.10);
	assert_true(s > 0.09 && s < 0.11);
	assert_true(fraud_share(2000, 4, 0.0) == 0.0);
	assert_true(fraud_share(2000, 4, 1.0) == 1.0);
}

/* The label depends on the features: a large amount at night, or a high
 * device risk on a privacy mail domain, is far riskier than the average. */
static void test_signal_is_learnable(void **state)
{
	(void)state;
	size_t len;
	char *s = generate(100000, 9, 0.02, &len);
	struct table t;
	parse(&t, s, len);
	int ts = column(&t, "timestamp"), amt = column(&t, "TransactionAmt");
	int dom = column(&t, "email_domain"), risk = column(&t, "device_risk");
	int y = column(&t, "isFraud");
	size_t n = 0, fraud = 0, night_n = 0, night_f = 0, dev_n = 0, dev_f = 0;
	for (size_t r = 0; r < t.rows; r++) {
		int f = cell(&t, r, y)[0] == '1';
		n++;
		fraud += f;
		int hour = atoi(cell(&t, r, ts) + 11);
		if (hour < 6 && strtod(cell(&t, r, amt), NULL) > 250) {
			night_n++;
			night_f += f;
		}
		const char *d = cell(&t, r, dom), *k = cell(&t, r, risk);
		if (*k && strtod(k, NULL) >= 0.8 &&
		    (!strcmp(d, "protonmail.com") || !strcmp(d, "anonymous.com"))) {
			dev_n++;
			dev_f += f;
		}
	}
	double base = (double)fraud / (double)n;
	assert_true(night_n > 200 && dev_n > 200);
	assert_true((double)night_f / (double)night_n > 5 * base);
	assert_true((double)dev_f / (double)dev_n > 5 * base);
	/* not trivially separable either */
	assert_true((double)night_f / (double)night_n < 0.95);
	table_free(&t);
	free(s);
}

static void test_check_rejects_bad_options(void **state)
{
	(void)state;
	struct gen_options o;
	struct ft_err err;
	gen_options_default(&o);
	assert_int_equal(o.seed, 42);
	o.fraud_rate = 1.5;
	assert_int_equal(gen_check(&o, &err), -1);
	assert_int_equal(err.code, FT_EINPUT);
	assert_non_null(strstr(err.msg, "--fraud-rate"));
	o.fraud_rate = NAN;
	assert_int_equal(gen_check(&o, &err), -1);
	o.fraud_rate = 0.02;
	o.rows = GEN_MAX_ROWS + 1;
	assert_int_equal(gen_check(&o, &err), -1);
	assert_non_null(strstr(err.msg, "--rows"));
	o.rows = 10;
	assert_int_equal(gen_check(&o, &err), 0);
}

static void test_write_file_whole_or_nothing(void **state)
{
	(void)state;
	char dir[] = "test_gen.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/out.csv", dir);
	struct gen_options o = { 500, 5, 0.02 };
	struct ft_err err;
	assert_int_equal(gen_write_file(&o, path, NULL, &err), 0);
	size_t flen, slen;
	char *f = file_read_all(path, &flen, &err);
	char *s = generate(500, 5, 0.02, &slen);
	assert_non_null(f);
	assert_int_equal(flen, slen);
	assert_memory_equal(f, s, slen);

	/* a cancelled write leaves the old file and no temporary behind */
	atomic_int cancel = 1;
	struct ft_progress pr = { NULL, NULL, &cancel };
	o.rows = 100000;
	assert_int_equal(gen_write_file(&o, path, &pr, &err), -1);
	assert_int_equal(err.code, FT_ECANCELLED);
	char *g = file_read_all(path, &flen, &err);
	assert_int_equal(flen, slen);
	assert_memory_equal(g, s, slen);

	char *bad = xasprintf("%s/no/such/dir.csv", dir);
	assert_int_equal(gen_write_file(&o, bad, NULL, &err), -1);
	assert_int_equal(err.code, FT_EIO);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0); /* fails if a temporary was left */
	free(bad);
	free(f);
	free(g);
	free(s);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_header_only_for_zero_rows),
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_fraud_share_follows_rate),
		cmocka_unit_test(test_signal_is_learnable),
		cmocka_unit_test(test_check_rejects_bad_options),
		cmocka_unit_test(test_write_file_whole_or_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
