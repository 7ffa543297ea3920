/* test_frame: the cell rules shared by the loader and predict (numbers,
 * dates, missing values) and the column statistics, on frames built by
 * hand with expectations worked out on paper. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "util.h"

static bool num(const char *s, double *v)
{
	return parse_number(s, strlen(s), v);
}

static void test_parse_number(void **state)
{
	(void)state;
	double v;
	assert_true(num("12", &v));
	assert_true(v == 12);
	assert_true(num(" 12 ", &v));
	assert_true(v == 12);
	assert_true(num("\t-3.5e1 ", &v));
	assert_true(v == -35);
	assert_true(num("+1.5", &v));
	assert_true(v == 1.5);
	assert_true(num("-.5", &v));
	assert_true(v == -0.5);
	assert_true(num("5.", &v));
	assert_true(v == 5);
	assert_true(num("1E+05", &v));
	assert_true(v == 100000);
	assert_true(num("0.1", &v));
	assert_true(v == 0.1);
	assert_true(num("0.30000000000000004", &v));
	assert_true(v == 0.30000000000000004);
	assert_true(num("123456789012345678901234", &v));
	assert_true(v == 123456789012345678901234.0);
	assert_true(num("1e400", &v));
	assert_true(isinf(v) && v > 0);
	assert_true(num("-1e400", &v));
	assert_true(isinf(v) && v < 0);
	assert_true(num("1e-400", &v));
	assert_true(v == 0);
	assert_true(num("inf", &v));
	assert_true(isinf(v) && v > 0);
	assert_true(num("-Infinity", &v));
	assert_true(isinf(v) && v < 0);
	assert_true(num("4.9406564584124654e-324", &v));
	assert_true(v > 0 && v < 1e-323);
	static const char *const bad[] = {
		"", " ", "abc", "1e", "1e+", ".", "-", "1,000", "0x10", "12 34", "1.2.3",
		"--1", "infinit", "nan", "1d5", "١٢"
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(num(bad[i], &v));
	/* Only the given length is read. */
	assert_true(parse_number("12x", 2, &v));
	assert_true(v == 12);
}

static void test_parse_number_ex(void **state)
{
	(void)state;
	double v;
	bool integer;
	int digits;
	assert_true(parse_number_ex("1234567890123456789", 19, &v, &integer, &digits));
	assert_true(integer);
	assert_int_equal(digits, 19);
	assert_true(parse_number_ex(" -000123 ", 9, &v, &integer, &digits));
	assert_true(integer);
	assert_int_equal(digits, 3);
	assert_true(v == -123);
	assert_true(parse_number_ex("12.0", 4, &v, &integer, &digits));
	assert_false(integer);
	assert_true(parse_number_ex("1e3", 3, &v, &integer, &digits));
	assert_false(integer);
}

static double day(int64_t days)
{
	return (double)days * 86400.0;
}

static void test_parse_datetime(void **state)
{
	(void)state;
	double t;
	/* 2020-01-31 is day 18292 since 1970-01-01. */
	assert_true(parse_datetime("2020-01-31", 10, DATE_ISO, &t));
	assert_true(t == day(18292));
	assert_true(parse_datetime("2020-02-29 13:45:00", 19, DATE_ISO, &t));
	assert_true(t == day(18321) + 13 * 3600 + 45 * 60);
	assert_true(parse_datetime("2021-12-31T23:59:59", 19, DATE_ISO, &t));
	assert_true(t == day(18992) + 86399);
	assert_true(parse_datetime(" 1970-01-01 00:00:01.5 ", 23, DATE_ISO, &t));
	assert_true(t == 1.5);
	assert_true(parse_datetime("1969-12-31", 10, DATE_ISO, &t));
	assert_true(t == -86400);
	assert_true(parse_datetime("2020-1-5 7:05", 13, DATE_ISO, &t));
	assert_true(t == day(18266) + 7 * 3600 + 5 * 60);
	static const char *const bad[] = {
		"2020-02-30", "2019-02-29", "2020-13-01", "2020-00-10", "2020-01-01 24:00:00",
		"2020-01-01 10:60", "2020-01-01X10:00", "20-01-01", "2020/01/01", "2020-01-01 10",
		"2020-01-01 10:00:00.", "12/31/2020"
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(parse_datetime(bad[i], strlen(bad[i]), DATE_ISO, &t));
	assert_true(parse_datetime("12/31/2020", 10, DATE_MDY, &t));
	assert_true(t == day(18627));
	assert_true(parse_datetime("31/12/2020 10:30", 16, DATE_DMY, &t));
	assert_true(t == day(18627) + 10 * 3600 + 30 * 60);
	assert_false(parse_datetime("31/12/2020", 10, DATE_MDY, &t));
	assert_false(parse_datetime("2/30/2021", 9, DATE_MDY, &t));
	assert_false(parse_datetime("2020-12-31", 10, DATE_MDY, &t));
	struct slash_date d;
	assert_true(parse_slash_date("1/2/2021 10:00:05", 17, &d));
	assert_int_equal(d.a, 1);
	assert_int_equal(d.b, 2);
	assert_int_equal(d.year, 2021);
	assert_int_equal(d.sod, 36005);
	assert_false(parse_slash_date("13/14/2021", 10, &d));
	assert_false(parse_slash_date("1/2/21", 6, &d));
}

static void test_format_datetime(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(frame_format_datetime(day(18292), false, buf, sizeof buf), "2020-01-31");
	assert_string_equal(frame_format_datetime(day(18292), true, buf, sizeof buf),
			    "2020-01-31 00:00:00");
	assert_string_equal(frame_format_datetime(day(18321) + 49500, false, buf, sizeof buf),
			    "2020-02-29 13:45:00");
	assert_string_equal(frame_format_datetime(-1, false, buf, sizeof buf), "1969-12-31 23:59:59");
}

static void test_na_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < frame_na_ndefaults; i++)
		assert_true(frame_is_na_text(frame_na_defaults[i], strlen(frame_na_defaults[i]), NULL, 0));
	assert_int_equal(frame_na_ndefaults, 19);
	assert_true(frame_is_na_text("", 0, NULL, 0));
	assert_false(frame_is_na_text(" NA", 3, NULL, 0));
	assert_false(frame_is_na_text("na", 2, NULL, 0));
	assert_false(frame_is_na_text("-", 1, NULL, 0));
	const char *extra[] = { "-", "missing" };
	assert_true(frame_is_na_text("-", 1, extra, 2));
	assert_true(frame_is_na_text("missing", 7, extra, 2));
	assert_false(frame_is_na_text("missin", 6, extra, 2));
}

/* A frame built by hand; columns are added with the helpers below. */
static struct frame *new_frame(size_t nrows, size_t ncols)
{
	struct frame *f = xcalloc(1, sizeof *f);
	f->path = xstrdup("hand.csv");
	f->nrows = nrows;
	f->ncols = ncols;
	f->cols = xcalloc(ncols, sizeof *f->cols);
	f->row_line = xcalloc(nrows, sizeof *f->row_line);
	return f;
}

static void set_numeric(struct frame *f, size_t c, const char *name, enum col_type type,
			const double *v)
{
	struct column *col = &f->cols[c];
	col->name = xstrdup(name);
	col->type = type;
	col->num = xmalloc(f->nrows * sizeof *col->num);
	memcpy(col->num, v, f->nrows * sizeof *v);
}

/* Categorical from texts; NULL is missing. */
static void set_text(struct frame *f, size_t c, const char *name, const char *const *v)
{
	struct column *col = &f->cols[c];
	col->name = xstrdup(name);
	col->type = COL_CATEGORICAL;
	col->codes = xmalloc(f->nrows * sizeof *col->codes);
	col->levels = xcalloc(f->nrows, sizeof *col->levels);
	for (size_t i = 0; i < f->nrows; i++) {
		if (!v[i]) {
			col->codes[i] = FRAME_NA_CODE;
			continue;
		}
		uint32_t l;
		for (l = 0; l < col->nlevels; l++)
			if (!strcmp(col->levels[l], v[i]))
				break;
		if (l == col->nlevels)
			col->levels[col->nlevels++] = xstrdup(v[i]);
		col->codes[i] = l;
	}
}

static void test_numeric_stats(void **state)
{
	(void)state;
	struct frame *f = new_frame(5, 4);
	const double a[] = { 1, 2, 2, NAN, 5 };
	const double ids[] = { 10, 11, 12, 13, 14 };
	const double floats[] = { 0.5, 1.5, 2.5, 3.5, 4.5 };
	const double inf[] = { 1, INFINITY, 3, NAN, -2 };
	set_numeric(f, 0, "a", COL_NUMERIC, a);
	set_numeric(f, 1, "id", COL_NUMERIC, ids);
	set_numeric(f, 2, "x", COL_NUMERIC, floats);
	set_numeric(f, 3, "big", COL_NUMERIC, inf);
	frame_compute_stats(f, 2);
	const struct column_stats *s = &f->cols[0].stats;
	assert_int_equal(s->count, 4);
	assert_int_equal(s->missing, 1);
	assert_int_equal(s->distinct, 3);
	assert_true(s->min == 1 && s->max == 5);
	assert_true(s->mean == 2.5);
	/* deviations -1.5 -0.5 -0.5 2.5: squares sum to 9, / (4 - 1) = 3 */
	assert_true(fabs(s->std - sqrt(3.0)) < 1e-12);
	assert_true(s->median == 2);
	assert_false(s->id_like);
	assert_false(s->constant);
	assert_int_equal(s->infinite, 0);

	s = &f->cols[1].stats;
	assert_true(s->id_like);
	assert_true(s->median == 12);
	assert_true(fabs(s->std - sqrt(2.5)) < 1e-12);
	/* unique but not integers: not an ID */
	assert_false(f->cols[2].stats.id_like);
	assert_true(f->cols[2].stats.median == 2.5);

	s = &f->cols[3].stats;
	assert_int_equal(s->count, 4);
	assert_int_equal(s->infinite, 1);
	assert_true(isinf(s->max) && s->max > 0);
	assert_true(s->min == -2);
	assert_true(isinf(s->mean));
	assert_true(isnan(s->std));
	assert_true(s->median == 2);
	assert_int_equal(s->distinct, 4);
	frame_free(f);
}

static void test_stats_edge_cases(void **state)
{
	(void)state;
	struct frame *f = new_frame(3, 3);
	const double none[] = { NAN, NAN, NAN };
	const double one[] = { 7, NAN, 7 };
	const double neg[] = { -0.0, 0.0, -5 };
	set_numeric(f, 0, "none", COL_NUMERIC, none);
	set_numeric(f, 1, "one", COL_NUMERIC, one);
	set_numeric(f, 2, "neg", COL_NUMERIC, neg);
	frame_compute_stats(f, 1);
	const struct column_stats *s = &f->cols[0].stats;
	assert_int_equal(s->count, 0);
	assert_int_equal(s->missing, 3);
	assert_int_equal(s->distinct, 0);
	assert_true(s->constant);
	assert_true(isnan(s->mean) && isnan(s->min) && isnan(s->median));
	s = &f->cols[1].stats;
	assert_int_equal(s->distinct, 1);
	assert_true(s->constant);
	assert_true(s->std == 0);
	s = &f->cols[2].stats;
	/* -0 and 0 are one value */
	assert_int_equal(s->distinct, 2);
	assert_true(s->min == -5);
	assert_true(s->median == 0);
	frame_free(f);
}

static void test_sort_many(void **state)
{
	(void)state;
	/* Enough values for the radix sort, in an order a bug would show. */
	size_t n = 2001;
	struct frame *f = new_frame(n, 1);
	double *v = xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (double)((i * 7919) % n) * (i % 2 ? -0.25 : 1.5);
	set_numeric(f, 0, "v", COL_NUMERIC, v);
	frame_compute_stats(f, 0);
	double *w = xmalloc(n * sizeof *w);
	memcpy(w, v, n * sizeof *v);
	/* the median by counting: the value with exactly n/2 values below it */
	double median = NAN;
	for (size_t i = 0; i < n && isnan(median); i++) {
		size_t below = 0, equal = 0;
		for (size_t j = 0; j < n; j++) {
			below += w[j] < w[i];
			equal += w[j] == w[i];
		}
		if (below <= n / 2 && n / 2 < below + equal)
			median = w[i];
	}
	double lo = w[0], hi = w[0];
	for (size_t i = 1; i < n; i++) {
		lo = w[i] < lo ? w[i] : lo;
		hi = w[i] > hi ? w[i] : hi;
	}
	assert_true(f->cols[0].stats.median == median);
	assert_true(f->cols[0].stats.min == lo);
	assert_true(f->cols[0].stats.max == hi);
	free(w);
	free(v);
	frame_free(f);
}

/* Each way the median and distinct count are found, on values whose
 * answers are worked out by hand: integers spread too wide to count,
 * a few distinct fractions (where the order of -0 and 0 must be that of
 * a sort), and more distinct fractions than a small table holds. */
static void test_median_paths(void **state)
{
	(void)state;
	struct frame *f = new_frame(5, 4);
	/* sorted 0 3 7 5e6 3999999999: median 7; sum 4005000009 */
	const double wide[] = { 5000000, 0, 3, 3999999999.0, 7 };
	/* sorted -0 -0 0 0.25 0.5: the middle one is +0 */
	const double zeros_pos[] = { 0.5, 0.0, -0.0, -0.0, 0.25 };
	/* sorted -1.5 -0 -0 0 0.5: the middle one is -0 */
	const double zeros_neg[] = { 0.5, -0.0, 0.0, -0.0, -1.5 };
	/* sorted 10 30 2e6 2e6 (and a missing cell): median (30 + 2e6) / 2 */
	const double wide_even[] = { 10, 2000000, NAN, 30, 2000000 };
	set_numeric(f, 0, "wide", COL_NUMERIC, wide);
	set_numeric(f, 1, "zeros_pos", COL_NUMERIC, zeros_pos);
	set_numeric(f, 2, "zeros_neg", COL_NUMERIC, zeros_neg);
	set_numeric(f, 3, "wide_even", COL_NUMERIC, wide_even);
	frame_compute_stats(f, 2);
	const struct column_stats *s = &f->cols[0].stats;
	assert_true(s->median == 7);
	assert_int_equal(s->distinct, 5);
	assert_true(s->min == 0 && s->max == 3999999999.0);
	assert_true(s->mean == 801000001.8);
	assert_true(s->id_like);
	s = &f->cols[1].stats;
	assert_int_equal(s->distinct, 3);
	assert_true(s->median == 0 && !signbit(s->median));
	s = &f->cols[2].stats;
	assert_int_equal(s->distinct, 3);
	assert_true(s->median == 0 && signbit(s->median));
	assert_true(s->min == -1.5);
	s = &f->cols[3].stats;
	assert_int_equal(s->count, 4);
	assert_int_equal(s->distinct, 3);
	assert_true(s->median == 1000015);
	assert_false(s->id_like);
	frame_free(f);

	/* 5001 distinct halves i + 0.5 in a scrambled order */
	size_t n = 5001;
	f = new_frame(n, 1);
	double *v = xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (double)((i * 7919) % n) + 0.5;
	set_numeric(f, 0, "halves", COL_NUMERIC, v);
	frame_compute_stats(f, 1);
	s = &f->cols[0].stats;
	assert_int_equal(s->distinct, n);
	assert_true(s->median == 2500.5);
	assert_true(s->min == 0.5 && s->max == 5000.5);
	assert_true(s->mean == 2500.5);
	assert_false(s->id_like);
	free(v);
	frame_free(f);
}

static void test_categorical_stats(void **state)
{
	(void)state;
	struct frame *f = new_frame(6, 3);
	const char *const kind[] = { "b", "a", "b", NULL, "c", "a" };
	const char *const ids[] = { "x1", "x2", "x3", "x4", "x5", "x6" };
	const char *const same[] = { "s", "s", NULL, "s", "s", "s" };
	set_text(f, 0, "kind", kind);
	set_text(f, 1, "ref", ids);
	set_text(f, 2, "same", same);
	frame_compute_stats(f, 0);
	const struct column_stats *s = &f->cols[0].stats;
	assert_int_equal(s->count, 5);
	assert_int_equal(s->missing, 1);
	assert_int_equal(s->distinct, 3);
	assert_int_equal(s->ntop, 3);
	/* b and a both twice: first seen first */
	assert_string_equal(f->cols[0].levels[s->top[0].code], "b");
	assert_int_equal(s->top[0].count, 2);
	assert_string_equal(f->cols[0].levels[s->top[1].code], "a");
	assert_string_equal(f->cols[0].levels[s->top[2].code], "c");
	assert_int_equal(s->top[2].count, 1);
	assert_false(s->id_like);
	assert_true(f->cols[1].stats.id_like);
	assert_true(f->cols[2].stats.constant);
	assert_false(f->cols[2].stats.id_like);
	f->cols[2].wide_integers = true;
	frame_compute_stats(f, 1);
	assert_true(f->cols[2].stats.id_like);
	frame_free(f);
}

static void test_top_limit(void **state)
{
	(void)state;
	/* 15 levels, level i seen i+1 times: top 10 are levels 14..5 */
	size_t n = 120;
	struct frame *f = new_frame(n, 1);
	char **v = xcalloc(n, sizeof *v);
	size_t k = 0;
	for (int l = 0; l < 15; l++)
		for (int r = 0; r <= l; r++)
			v[k++] = xasprintf("L%d", l);
	set_text(f, 0, "v", (const char *const *)v);
	frame_compute_stats(f, 0);
	const struct column_stats *s = &f->cols[0].stats;
	assert_int_equal(s->distinct, 15);
	assert_int_equal(s->ntop, FRAME_TOP);
	for (int i = 0; i < FRAME_TOP; i++) {
		char want[8];
		snprintf(want, sizeof want, "L%d", 14 - i);
		assert_string_equal(f->cols[0].levels[s->top[i].code], want);
		assert_int_equal(s->top[i].count, 15 - i);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	frame_free(f);
}

static void test_class_balance_and_target(void **state)
{
	(void)state;
	struct frame *f = new_frame(5, 5);
	const double label[] = { 0, 1, 0, NAN, 0 };
	const double three[] = { 0, 1, 2, 0, 1 };
	const char *const cls[] = { "yes", "no", "no", "no", NULL };
	const double amount[] = { 1.5, 2, 3, 4, 5 };
	set_numeric(f, 0, "amount", COL_NUMERIC, amount);
	set_numeric(f, 1, "target", COL_NUMERIC, three);   /* not binary */
	set_text(f, 2, "Class", cls);
	set_numeric(f, 3, "isFraud", COL_NUMERIC, label);
	set_numeric(f, 4, "fraud_flag", COL_NUMERIC, label);
	frame_compute_stats(f, 0);
	assert_int_equal(frame_guess_target(f), 3);
	assert_int_equal(frame_find(f, "Class"), 2);
	assert_int_equal(frame_find(f, "class"), -1);

	struct class_count out[4];
	size_t missing;
	size_t k = frame_class_balance(f, 3, out, 4, &missing);
	assert_int_equal(k, 2);
	assert_int_equal(missing, 1);
	assert_string_equal(out[0].label, "0");
	assert_int_equal(out[0].count, 3);
	assert_true(out[0].share == 0.75);
	assert_string_equal(out[1].label, "1");

	k = frame_class_balance(f, 2, out, 4, &missing);
	assert_int_equal(k, 2);
	assert_int_equal(missing, 1);
	assert_string_equal(out[0].label, "no");
	assert_int_equal(out[0].count, 3);
	assert_string_equal(out[1].label, "yes");

	/* at most max, most frequent first, ties by value */
	k = frame_class_balance(f, 1, out, 2, &missing);
	assert_int_equal(k, 2);
	assert_string_equal(out[0].label, "0");
	assert_string_equal(out[1].label, "1");
	assert_true(fabs(out[0].share - 0.4) < 1e-12);

	/* without isFraud, fraud* ranks before Class */
	free(f->cols[3].name);
	f->cols[3].name = xstrdup("amount2");
	assert_int_equal(frame_guess_target(f), 4);
	free(f->cols[4].name);
	f->cols[4].name = xstrdup("flag");
	assert_int_equal(frame_guess_target(f), 2);
	free(f->cols[2].name);
	f->cols[2].name = xstrdup("kind");
	assert_int_equal(frame_guess_target(f), -1);
	frame_free(f);
}

static void test_cell_text(void **state)
{
	(void)state;
	struct frame *f = new_frame(3, 3);
	const double v[] = { 0.1, NAN, -INFINITY };
	const double t[] = { day(18292), day(18292) + 61, NAN };
	const char *const s[] = { "x", NULL, "caf\xc3\xa9" };
	set_numeric(f, 0, "v", COL_NUMERIC, v);
	set_numeric(f, 1, "t", COL_DATETIME, t);
	set_text(f, 2, "s", s);
	char buf[64];
	assert_string_equal(frame_cell_text(f, 0, 0, buf, sizeof buf), "0.1");
	assert_string_equal(frame_cell_text(f, 0, 1, buf, sizeof buf), "");
	assert_true(frame_is_missing(f, 0, 1));
	assert_string_equal(frame_cell_text(f, 0, 2, buf, sizeof buf), "-inf");
	assert_string_equal(frame_cell_text(f, 1, 0, buf, sizeof buf), "2020-01-31");
	assert_string_equal(frame_cell_text(f, 1, 1, buf, sizeof buf), "2020-01-31 00:01:01");
	assert_true(frame_is_missing(f, 1, 2));
	assert_string_equal(frame_cell_text(f, 2, 2, buf, sizeof buf), "caf\xc3\xa9");
	assert_true(frame_is_missing(f, 2, 1));
	assert_false(frame_is_missing(f, 2, 0));
	assert_string_equal(frame_cell_text(f, 2, 2, buf, 4), "caf");
	assert_string_equal(col_type_name(COL_NUMERIC), "numeric");
	assert_string_equal(col_type_name(COL_CATEGORICAL), "categorical");
	assert_string_equal(col_type_name(COL_DATETIME), "datetime");
	frame_free(f);
	frame_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_number),
		cmocka_unit_test(test_parse_number_ex),
		cmocka_unit_test(test_parse_datetime),
		cmocka_unit_test(test_format_datetime),
		cmocka_unit_test(test_na_text),
		cmocka_unit_test(test_numeric_stats),
		cmocka_unit_test(test_stats_edge_cases),
		cmocka_unit_test(test_sort_many),
		cmocka_unit_test(test_median_paths),
		cmocka_unit_test(test_categorical_stats),
		cmocka_unit_test(test_top_limit),
		cmocka_unit_test(test_class_balance_and_target),
		cmocka_unit_test(test_cell_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
