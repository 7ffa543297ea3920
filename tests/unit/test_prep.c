/* Unit tests of prep: target detection, drop suggestions, imputation,
 * encoders, missing indicators, datetime parts, raw-row scoring, recipe
 * JSON, the stratified split and every resampling method. Frames are built
 * by hand so each expectation can be worked out on paper. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "dataset.h"
#include "recipe.h"
#include "recipe_apply.h"
#include "recipe_json.h"
#include "resample.h"
#include "split.h"
#include "target.h"
#include "tree.h"

/* ----------------------------------------------------- frame building */

static struct frame *frame_new(size_t nrows, size_t ncols)
{
	struct frame *f = xcalloc(1, sizeof *f);
	f->path = xstrdup("t.csv");
	f->nrows = nrows;
	f->ncols = ncols;
	f->cols = xcalloc(ncols, sizeof *f->cols);
	return f;
}

static void num_stats(struct column *c, size_t n)
{
	double *v = xmalloc((n ? n : 1) * sizeof *v);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(c->num[i]))
			v[m++] = c->num[i];
	size_t distinct = 0;
	for (size_t i = 0; i < m; i++) {
		size_t j;
		for (j = 0; j < i; j++)
			if (v[j] == v[i])
				break;
		distinct += j == i;
	}
	c->stats.count = m;
	c->stats.missing = n - m;
	c->stats.distinct = distinct;
	c->stats.constant = distinct <= 1;
	free(v);
}

static void col_num(struct frame *f, size_t ci, const char *name, const double *v)
{
	struct column *c = &f->cols[ci];
	c->name = xstrdup(name);
	c->type = COL_NUMERIC;
	c->num = xmalloc(f->nrows * sizeof *c->num);
	memcpy(c->num, v, f->nrows * sizeof *c->num);
	num_stats(c, f->nrows);
}

static void col_dt(struct frame *f, size_t ci, const char *name, const double *v)
{
	col_num(f, ci, name, v);
	f->cols[ci].type = COL_DATETIME;
	f->cols[ci].date_order = DATE_ISO;
}

/* NULL cells are missing; levels in first-seen order, as the loader does. */
static void col_cat(struct frame *f, size_t ci, const char *name, const char *const *v)
{
	struct column *c = &f->cols[ci];
	c->name = xstrdup(name);
	c->type = COL_CATEGORICAL;
	c->codes = xmalloc(f->nrows * sizeof *c->codes);
	c->levels = xcalloc(f->nrows + 1, sizeof *c->levels);
	for (size_t i = 0; i < f->nrows; i++) {
		if (!v[i]) {
			c->codes[i] = FRAME_NA_CODE;
			c->stats.missing++;
			continue;
		}
		uint32_t k;
		for (k = 0; k < c->nlevels; k++)
			if (strcmp(c->levels[k], v[i]) == 0)
				break;
		if (k == c->nlevels)
			c->levels[c->nlevels++] = xstrdup(v[i]);
		c->codes[i] = k;
		c->stats.count++;
	}
	c->stats.distinct = c->nlevels;
	c->stats.constant = c->nlevels <= 1;
}

static size_t *all_rows(size_t n)
{
	size_t *r = xmalloc(n * sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = i;
	return r;
}

static float X(const struct dataset *d, size_t feature, size_t sample)
{
	return dataset_x(d, feature, dataset_row(d, sample));
}

static int feature_index(const struct recipe *r, const char *name)
{
	for (size_t j = 0; j < r->nfeatures; j++)
		if (strcmp(r->features[j].name, name) == 0)
			return (int)j;
	return -1;
}

static void set_ok(struct settings *s, const char *a)
{
	struct ft_err err = {0};
	if (settings_set(s, a, &err) != 0)
		fail_msg("%s: %s", a, err.msg);
}

/* ------------------------------------------------------------- target */

static void target_of(const char *const *labels, size_t n, const char *positive,
		      struct target_info *t, struct ft_err *err, int *rc)
{
	struct frame *f = frame_new(n, 1);
	col_cat(f, 0, "label", labels);
	struct settings s;
	settings_init(&s);
	set_ok(&s, "target=label");
	if (positive)
		s.positive = xstrdup(positive);
	*rc = target_resolve(f, &s, t, err);
	settings_free(&s);
	frame_free(f);
}

static void test_target_detection(void **state)
{
	(void)state;
	struct target_info t;
	struct ft_err err = {0};
	int rc;
	static const struct { const char *a, *b, *pos; } pairs[] = {
		{"No", "Yes", "Yes"}, {"legit", "fraud", "fraud"}, {"TRUE", "false", "TRUE"},
		{"n", "Y", "Y"}, {"genuine", "Fraudulent", "Fraudulent"}, {"0", "1", "1"},
	};
	for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
		const char *labels[5] = { pairs[k].a, pairs[k].b, NULL, pairs[k].a, pairs[k].a };
		target_of(labels, 5, NULL, &t, &err, &rc);
		assert_int_equal(rc, 0);
		assert_string_equal(t.positive, pairs[k].pos);
		assert_int_equal(t.missing, 1);
		bool b_pos = strcmp(pairs[k].b, pairs[k].pos) == 0;
		assert_int_equal(t.y[0], b_pos ? 0 : 1);
		assert_int_equal(t.y[1], b_pos ? 1 : 0);
		assert_int_equal(t.y[2], 255);
		target_info_free(&t);
	}
	/* numeric 0.0/1.0 and a guessed column */
	struct frame *f = frame_new(4, 2);
	col_num(f, 0, "amount", (double[]){ 1, 2, 3, 4 });
	col_num(f, 1, "isFraud", (double[]){ 0, 1, 0, NAN });
	struct settings s;
	settings_init(&s);
	assert_int_equal(target_resolve(f, &s, &t, &err), 0);
	assert_int_equal(t.col, 1);
	assert_string_equal(t.positive, "1");
	assert_string_equal(t.negative, "0");
	assert_int_equal(t.missing, 1);
	assert_memory_equal(t.y, ((uint8_t[]){ 0, 1, 0, 255 }), 4);
	target_info_free(&t);
	/* positive chosen by the user, matched as a number */
	s.positive = xstrdup("0.0");
	assert_int_equal(target_resolve(f, &s, &t, &err), 0);
	assert_string_equal(t.positive, "0");
	assert_memory_equal(t.y, ((uint8_t[]){ 1, 0, 1, 255 }), 4);
	target_info_free(&t);
	free(s.positive);
	s.positive = xstrdup("7");
	assert_int_equal(target_resolve(f, &s, &t, &err), -1);
	assert_string_equal(err.msg, "t.csv: positive: '7' is not a value of isFraud (0, 1)");
	free(s.positive);
	s.positive = NULL;
	s.target = xstrdup("nope");
	assert_int_equal(target_resolve(f, &s, &t, &err), -1);
	assert_string_equal(err.msg, "target: no column named 'nope' in t.csv");
	free(s.target);
	s.target = xstrdup("amount");
	assert_int_equal(target_resolve(f, &s, &t, &err), -1);
	assert_string_equal(err.msg, "t.csv: target amount has 4 classes (1, 2, 3, 4); a binary "
			    "target is needed");
	settings_free(&s);
	frame_free(f);

	const char *three[] = { "0", "1", "2", "1" };
	target_of(three, 4, NULL, &t, &err, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(err.msg, "t.csv: target label has 3 classes (0, 1, 2); a binary "
			    "target is needed");
	const char *one[] = { "a", "a" };
	target_of(one, 2, NULL, &t, &err, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(err.msg, "t.csv: target label has 1 class (a); a binary target is needed");
	const char *ab[] = { "a", "b" };
	target_of(ab, 2, NULL, &t, &err, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(err.msg, "label: cannot tell which of 'a' and 'b' means fraud; "
			    "set positive");
	/* long labels are kept whole */
	char longer[200];
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	const char *wide[] = { "ok", longer, "ok" };
	target_of(wide, 3, longer, &t, &err, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(t.positive, longer);
	assert_memory_equal(t.y, ((uint8_t[]){ 0, 1, 0 }), 3);
	target_info_free(&t);
	target_of(ab, 2, "a", &t, &err, &rc);
	assert_int_equal(rc, 0);
	assert_memory_equal(t.y, ((uint8_t[]){ 1, 0 }), 2);
	target_info_free(&t);
	target_info_free(NULL);

	/* No target given: a constant isFraud is named as the reason nothing
	 * was guessed; with no such name at all, the generic message. */
	struct frame *g = frame_new(3, 2);
	col_num(g, 0, "amount", (double[]){ 1, 2, 3 });
	col_num(g, 1, "IsFraud", (double[]){ 0, 0, 0 });
	struct settings u;
	settings_init(&u);
	assert_int_equal(target_resolve(g, &u, &t, &err), -1);
	assert_string_equal(err.msg, "t.csv: IsFraud is named like a label but has 1 distinct "
			    "value; a binary target is needed (set target)");
	free(g->cols[1].name);
	g->cols[1].name = xstrdup("outcome");
	assert_int_equal(target_resolve(g, &u, &t, &err), -1);
	assert_string_equal(err.msg, "t.csv: no binary column named like a label (isFraud, "
			    "Class, label...); set target");
	settings_free(&u);
	frame_free(g);
}

static void test_suggest_drops(void **state)
{
	(void)state;
	struct frame *f = frame_new(3, 5);
	col_num(f, 0, "id", (double[]){ 1, 2, 3 });
	f->cols[0].stats.id_like = true;
	col_num(f, 1, "same", (double[]){ 5, 5, NAN });
	col_num(f, 2, "none", (double[]){ NAN, NAN, NAN });
	col_num(f, 3, "amount", (double[]){ 1, 2, 2 });
	col_num(f, 4, "y", (double[]){ 0, 1, 1 });
	struct drop_suggestion d[8];
	size_t n = recipe_suggest_drops(f, 4, d, 8);
	assert_int_equal(n, 3);
	assert_int_equal(d[0].col, 0);
	assert_string_equal(d[0].reason, "id-like");
	assert_int_equal(d[1].col, 1);
	assert_string_equal(d[1].reason, "constant");
	assert_int_equal(d[2].col, 2);
	assert_string_equal(d[2].reason, "all missing");
	assert_int_equal(recipe_suggest_drops(f, 4, d, 1), 3);   /* counts beyond max */
	frame_free(f);
}

/* ------------------------------------------------------------- recipe */

/* Rows 0-4 train, rows 5-7 "test". */
static struct frame *mixed_frame(void)
{
	struct frame *f = frame_new(8, 5);
	col_num(f, 0, "amount", (double[]){ 1, 2, NAN, 10, 2, 1000, NAN, 3 });
	const char *card[] = { "debit", "credit", "debit", NULL, "debit", "gift", NULL, "credit" };
	col_cat(f, 1, "card", card);
	col_dt(f, 2, "when", (double[]){ 1709214300, 1704067199, -43200, 0, NAN, 0, NAN, 3600 });
	col_num(f, 3, "risk", (double[]){ 0.5, 0.25, 0.5, 0.75, 1, NAN, 0.5, 0.5 });
	col_num(f, 4, "isFraud", (double[]){ 0, 1, 0, 0, 1, 1, 0, 0 });
	return f;
}

static struct recipe *fit(const struct frame *f, const struct settings *s,
			  struct target_info *t, size_t ntrain)
{
	struct ft_err err = {0};
	assert_int_equal(target_resolve(f, s, t, &err), 0);
	size_t *rows = all_rows(ntrain);
	struct recipe *r = recipe_fit(f, s, t, rows, ntrain, NULL, &err);
	if (!r)
		fail_msg("recipe_fit: %s", err.msg);
	free(rows);
	return r;
}

static void apply_all(const struct recipe *r, const struct frame *f,
		      const struct target_info *t, struct dataset *d)
{
	struct ft_err err = {0};
	size_t *rows = all_rows(f->nrows);
	if (recipe_apply(r, f, t, rows, f->nrows, NULL, d, &err) != 0)
		fail_msg("recipe_apply: %s", err.msg);
	free(rows);
}

static void test_imputation(void **state)
{
	(void)state;
	struct frame *f = mixed_frame();
	/* training amounts 1 2 10 2; risks 0.5 0.25 0.5 0.75 1 */
	static const struct { const char *set; double fill, risk; } cases[] = {
		{ "impute.numeric=mean", 15.0 / 4, 0.6 },
		{ "impute.numeric=median", 2, 0.5 },
		{ "impute.numeric=most_frequent", 2, 0.5 },
		{ "impute.numeric=constant:-1.5", -1.5, -1.5 },
		{ "impute.columns.amount=mean", 15.0 / 4, 0.5 },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct settings s;
		settings_init(&s);
		set_ok(&s, cases[k].set);
		struct target_info t;
		struct recipe *r = fit(f, &s, &t, 5);
		assert_string_equal(r->inputs[0].name, "amount");
		assert_true(r->inputs[0].fill_value == cases[k].fill);
		struct dataset d;
		apply_all(r, f, &t, &d);
		int j = feature_index(r, "amount");
		assert_int_equal(j, 0);
		assert_true(X(&d, 0, 2) == (float)cases[k].fill);
		assert_true(X(&d, 0, 6) == (float)cases[k].fill);
		assert_true(X(&d, 0, 5) == 1000);   /* test values pass through */
		assert_true(fabs(r->inputs[3].fill_value - cases[k].risk) < 1e-15);
		assert_true(X(&d, (size_t)feature_index(r, "risk"), 5) == (float)cases[k].risk);
		assert_memory_equal(d.y, ((uint8_t[]){ 0, 1, 0, 0, 1, 1, 0, 0 }), 8);
		dataset_free(&d);
		recipe_free(r);
		target_info_free(&t);
		settings_free(&s);
	}
	/* median of an even count averages; most_frequent ties go to the smallest */
	struct frame *g = frame_new(4, 2);
	col_num(g, 0, "v", (double[]){ 4, 1, 3, 1e9 });
	col_num(g, 1, "y", (double[]){ 0, 1, 0, 1 });
	struct settings s;
	settings_init(&s);
	set_ok(&s, "target=y");
	struct target_info t;
	struct recipe *r = fit(g, &s, &t, 3);
	assert_true(r->inputs[0].fill_value == 3);
	recipe_free(r);
	target_info_free(&t);
	set_ok(&s, "impute.numeric=most_frequent");
	r = fit(g, &s, &t, 4);
	assert_true(r->inputs[0].fill_value == 1);
	recipe_free(r);
	target_info_free(&t);
	set_ok(&s, "impute.numeric=median");
	r = fit(g, &s, &t, 4);
	assert_true(r->inputs[0].fill_value == 3.5);
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(g);

	/* categorical: most_frequent, and a constant that becomes a level */
	settings_init(&s);
	r = fit(f, &s, &t, 5);
	const struct recipe_input *card = &r->inputs[1];
	assert_string_equal(card->fill_level, "debit");
	assert_int_equal(card->nlevels, 2);
	assert_string_equal(card->levels[0], "credit");
	assert_string_equal(card->levels[1], "debit");
	assert_true(card->freq[1] == 4);   /* 3 seen + 1 imputed */
	recipe_free(r);
	target_info_free(&t);
	set_ok(&s, "impute.categorical=constant:unknown");
	set_ok(&s, "encode.default=frequency");
	r = fit(f, &s, &t, 5);
	card = &r->inputs[1];
	assert_int_equal(card->nlevels, 3);
	assert_string_equal(card->levels[2], "unknown");
	assert_true(card->freq[0] == 1 && card->freq[1] == 3 && card->freq[2] == 1);
	struct dataset d;
	apply_all(r, f, &t, &d);
	size_t j = (size_t)feature_index(r, "card.frequency");
	assert_true(X(&d, j, 3) == 1);   /* missing -> "unknown" */
	assert_true(X(&d, j, 6) == 1);
	assert_true(X(&d, j, 0) == 3);
	assert_true(X(&d, j, 5) == 0);   /* "gift" unseen in training */
	dataset_free(&d);
	recipe_free(r);
	target_info_free(&t);

	/* a numeric constant must be a number; mean on categories is refused */
	set_ok(&s, "impute.columns.amount=constant:abc");
	struct ft_err err = {0};
	assert_int_equal(target_resolve(f, &s, &t, &err), 0);
	size_t rows[] = { 0, 1, 2 };
	assert_null(recipe_fit(f, &s, &t, rows, 3, NULL, &err));
	assert_string_equal(err.msg, "impute.columns.amount: constant:abc is not a numeric value "
			    "for column amount");
	set_ok(&s, "impute.columns.amount=null");
	set_ok(&s, "impute.columns.card=median");
	assert_null(recipe_fit(f, &s, &t, rows, 3, NULL, &err));
	assert_string_equal(err.msg, "impute.columns.card: median needs a numeric column; card "
			    "is categorical");
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

/* Features are floats: a training value beyond their range (inf, 1e400,
 * 1e300) is refused with the file, line and column; the same value in a
 * row the recipe only applies to scores as a very large number. */
static void test_out_of_range_values(void **state)
{
	(void)state;
	struct frame *f = frame_new(6, 2);
	f->row_line = xcalloc(6, sizeof *f->row_line);
	for (size_t i = 0; i < 6; i++)
		f->row_line[i] = (uint32_t)(i + 2);
	col_num(f, 0, "amount", (double[]){ 1, 2, 1e300, 3, INFINITY, -1e39 });
	col_num(f, 1, "y", (double[]){ 0, 1, 0, 1, 0, 1 });
	struct settings s;
	settings_init(&s);
	set_ok(&s, "target=y");
	struct target_info t;
	struct ft_err err = {0};
	assert_int_equal(target_resolve(f, &s, &t, &err), 0);
	static const struct { size_t rows[2]; const char *msg; } bad[] = {
		{ { 0, 2 }, "t.csv:4: amount: 1e+300 is out of the range" },
		{ { 4, 1 }, "t.csv:6: amount: inf is out of the range" },
		{ { 1, 5 }, "t.csv:7: amount: -1e+39 is out of the range" },
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		assert_null(recipe_fit(f, &s, &t, bad[k].rows, 2, NULL, &err));
		assert_int_equal(err.code, FT_EINPUT);
		if (strncmp(err.msg, bad[k].msg, strlen(bad[k].msg)))
			fail_msg("got \"%s\", expected \"%s...\"", err.msg, bad[k].msg);
	}
	set_ok(&s, "impute.numeric=constant:1e39");
	size_t ok_rows[] = { 0, 1, 3 };
	assert_null(recipe_fit(f, &s, &t, ok_rows, 3, NULL, &err));
	set_ok(&s, "impute.numeric=median");
	struct recipe *r = recipe_fit(f, &s, &t, ok_rows, 3, NULL, &err);
	assert_non_null(r);
	struct dataset d;
	size_t rest[] = { 2, 4 };
	assert_int_equal(recipe_apply(r, f, &t, rest, 2, NULL, &d, &err), 0);
	assert_true(X(&d, 0, 1) == INFINITY);
	dataset_free(&d);
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

/* Raw cells at predict time: a D/M/Y column also reads ISO dates (they
 * cannot be misread), never the other slash order. */
static void test_parse_value(void **state)
{
	(void)state;
	struct recipe_input dmy = { .type = COL_DATETIME, .date_order = DATE_DMY };
	double a = 0, b = 0, v;
	const char *t1 = "25/12/2020 02:10", *t2 = "2020-12-25 02:10:00";
	assert_true(recipe_parse_value(&dmy, t1, strlen(t1), &a));
	assert_true(recipe_parse_value(&dmy, t2, strlen(t2), &b));
	assert_true(a == b);
	assert_true(a == 1608862200);
	assert_false(recipe_parse_value(&dmy, "12/25/2020", 10, &v));
	assert_false(recipe_parse_value(&dmy, "soon", 4, &v));
	struct recipe_input iso = { .type = COL_DATETIME, .date_order = DATE_ISO };
	assert_false(recipe_parse_value(&iso, t1, strlen(t1), &v));
	struct recipe_input num = { .type = COL_NUMERIC };
	assert_true(recipe_parse_value(&num, "1e3", 3, &v));
	assert_true(v == 1000);
	assert_false(recipe_parse_value(&num, "abc", 3, &v));
	assert_false(recipe_parse_value(&num, "nan", 3, &v));
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median found by selection equals the one found by sorting, on odd
 * and even counts with many ties. */
static void test_median_matches_sort(void **state)
{
	(void)state;
	struct ft_rng rng;
	rng_seed(&rng, 5);
	for (size_t n = 4; n < 3000; n = n * 3 + 1) {
		for (int round = 0; round < 2; round++) {
			size_t rows = n + (size_t)round;
			double *v = xmalloc(rows * sizeof *v), *y = xmalloc(rows * sizeof *y);
			for (size_t i = 0; i < rows; i++) {
				v[i] = (double)rng_below(&rng, 1 + rows / 3) - 10;
				y[i] = (double)(i % 2);
			}
			struct frame *f = frame_new(rows, 2);
			col_num(f, 0, "v", v);
			col_num(f, 1, "y", y);
			struct settings s;
			settings_init(&s);
			set_ok(&s, "target=y");
			set_ok(&s, "drop_suggested=false");
			struct target_info t;
			struct recipe *r = fit(f, &s, &t, rows);
			qsort(v, rows, sizeof *v, cmp_dbl);
			double want = rows % 2 ? v[rows / 2] : (v[rows / 2 - 1] + v[rows / 2]) / 2;
			if (r->inputs[0].fill_value != want)
				fail_msg("n=%zu: median %g, want %g", rows, r->inputs[0].fill_value, want);
			recipe_free(r);
			target_info_free(&t);
			settings_free(&s);
			frame_free(f);
			free(v);
			free(y);
		}
	}
}

static void test_encoders(void **state)
{
	(void)state;
	struct frame *f = mixed_frame();
	struct settings s;
	settings_init(&s);
	set_ok(&s, "datetime.default=[]");
	struct target_info t;
	struct recipe *r = fit(f, &s, &t, 5);
	/* one-hot: one feature per training level, sorted, unseen -> all zero */
	assert_int_equal(r->nfeatures, 4);
	assert_string_equal(r->features[0].name, "amount");
	assert_string_equal(r->features[1].name, "card=credit");
	assert_string_equal(r->features[2].name, "card=debit");
	assert_string_equal(r->features[3].name, "risk");
	struct dataset d;
	apply_all(r, f, &t, &d);
	static const float credit[] = { 0, 1, 0, 0, 0, 0, 0, 1 };
	static const float debit[] = { 1, 0, 1, 1, 1, 0, 1, 0 };   /* missing -> debit */
	for (size_t i = 0; i < 8; i++) {
		assert_true(X(&d, 1, i) == credit[i]);
		assert_true(X(&d, 2, i) == debit[i]);
	}
	dataset_free(&d);
	/* the datetime column without parts is dropped, with the reason */
	bool found = false;
	for (size_t i = 0; i < r->ndropped; i++)
		if (strcmp(r->dropped[i], "when") == 0) {
			assert_string_equal(r->drop_reasons[i], "no datetime parts selected");
			found = true;
		}
	assert_true(found);
	recipe_free(r);
	target_info_free(&t);

	/* ordinal: sorted index, unseen = nlevels */
	set_ok(&s, "encode.columns.card=ordinal");
	r = fit(f, &s, &t, 5);
	assert_int_equal(r->nfeatures, 3);
	assert_string_equal(r->features[1].name, "card.ordinal");
	apply_all(r, f, &t, &d);
	static const float ord[] = { 1, 0, 1, 1, 1, 2, 1, 0 };
	for (size_t i = 0; i < 8; i++)
		assert_true(X(&d, 1, i) == ord[i]);
	dataset_free(&d);
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);

	/* more than 64 levels: one-hot falls back to frequency, with a note */
	enum { N = 140 };
	struct frame *g = frame_new(N, 2);
	const char *lv[N];
	char names[N][8];
	double y[N];
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "m%03zu", i % 70);
		lv[i] = names[i];
		y[i] = (double)(i % 2);
	}
	col_cat(g, 0, "merchant", lv);
	col_num(g, 1, "y", y);
	settings_init(&s);
	set_ok(&s, "target=y");
	r = fit(g, &s, &t, N);
	assert_int_equal(r->nfeatures, 1);
	assert_string_equal(r->features[0].name, "merchant.frequency");
	assert_int_equal(r->inputs[0].encode, ENC_FREQUENCY);
	assert_int_equal(r->nnotes, 1);
	assert_string_equal(r->notes[0], "merchant: 70 levels in training, one-hot replaced by "
			    "frequency encoding (at most 64 levels are one-hot encoded)");
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(g);
}

static void test_missing_indicators(void **state)
{
	(void)state;
	struct frame *f = mixed_frame();
	struct settings s;
	settings_init(&s);
	set_ok(&s, "missing_indicators=true");
	set_ok(&s, "datetime.default=hour");
	struct target_info t;
	/* train on rows 0,1,3,4: amount, card and when miss there; risk does not */
	struct ft_err err = {0};
	assert_int_equal(target_resolve(f, &s, &t, &err), 0);
	size_t rows[] = { 0, 1, 3, 4 };
	struct recipe *r = recipe_fit(f, &s, &t, rows, 4, NULL, &err);
	assert_non_null(r);
	assert_true(feature_index(r, "amount_missing") < 0);   /* amount misses in row 2 only */
	assert_true(feature_index(r, "card_missing") >= 0);
	assert_true(feature_index(r, "when_missing") >= 0);
	assert_true(feature_index(r, "risk_missing") < 0);
	/* indicators follow their column */
	assert_int_equal(feature_index(r, "card_missing"), feature_index(r, "card=debit") + 1);
	struct dataset d;
	apply_all(r, f, &t, &d);
	size_t j = (size_t)feature_index(r, "card_missing");
	static const float want[] = { 0, 0, 0, 1, 0, 0, 1, 0 };
	for (size_t i = 0; i < 8; i++)
		assert_true(X(&d, j, i) == want[i]);
	dataset_free(&d);
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

/* One-hot features and missing indicators are byte columns; every reader
 * sees what the all-float layout holds, through undersampling and the
 * tree (same tree, node for node). */
static void test_byte_columns(void **state)
{
	(void)state;
	enum { N = 600 };
	struct frame *f = frame_new(N, 4);
	double amount[N], risk[N], label[N];
	const char *card[N];
	static const char *const kinds[] = { "debit", "credit", "gift", NULL };
	struct ft_rng rng;
	rng_seed(&rng, 11);
	for (size_t i = 0; i < N; i++) {
		card[i] = kinds[rng_below(&rng, 4)];
		amount[i] = rng_below(&rng, 8) == 0 ? NAN : rng_uniform(&rng) * 100;
		risk[i] = (double)rng_below(&rng, 5);
		bool odd = (card[i] && strcmp(card[i], "gift") == 0) || amount[i] > 80;
		label[i] = odd ? rng_below(&rng, 3) != 0 : rng_below(&rng, 12) == 0;
	}
	col_num(f, 0, "amount", amount);
	col_cat(f, 1, "card", card);
	col_num(f, 2, "risk", risk);
	col_num(f, 3, "isFraud", label);
	struct settings s;
	settings_init(&s);
	set_ok(&s, "missing_indicators=true");
	set_ok(&s, "resample.method=undersample");
	struct target_info t;
	struct recipe *r = fit(f, &s, &t, N);
	struct dataset d, e;
	apply_all(r, f, &t, &d);
	apply_all(r, f, &t, &e);
	dataset_all_floats(&e);
	assert_null(e.slot);
	assert_null(e.B);
	size_t nbytes = 0;
	for (size_t j = 0; j < r->nfeatures; j++) {
		enum feature_kind k = r->features[j].kind;
		bool byte = k == FEAT_ONEHOT || k == FEAT_MISSING;
		nbytes += byte;
		assert_int_equal(dataset_bytes(&d, j) != NULL, byte);
		assert_int_equal(dataset_floats(&d, j) == NULL, byte);
	}
	assert_true(nbytes >= 4);   /* three levels and two indicators */
	assert_int_equal(d.nbytes, nbytes);
	for (int round = 0; round < 2; round++) {
		for (size_t j = 0; j < r->nfeatures; j++)
			for (size_t i = 0; i < d.n; i++)
				assert_true(dataset_x(&d, j, i) == e.X[j * e.n + i]);
		const char **names = xcalloc(r->nfeatures, sizeof *names);
		for (size_t j = 0; j < r->nfeatures; j++)
			names[j] = r->features[j].name;
		struct tree_params p = { .criterion = CRIT_GINI, .min_samples_split = 2,
					 .min_samples_leaf = 1, .max_bins = 256, .threads = 1 };
		struct ft_err err = {0};
		struct tree *a = tree_fit(&d, names, &p, NULL, &err);
		struct tree *b = tree_fit(&e, names, &p, NULL, &err);
		assert_non_null(a);
		assert_non_null(b);
		assert_true(a->nnodes > 3);
		assert_int_equal(a->nnodes, b->nnodes);
		for (size_t k = 0; k < a->nnodes; k++) {
			assert_int_equal(a->nodes[k].feature, b->nodes[k].feature);
			assert_true(a->nodes[k].threshold == b->nodes[k].threshold);
			assert_int_equal(a->nodes[k].samples, b->nodes[k].samples);
		}
		tree_free(a);
		tree_free(b);
		free(names);
		if (round == 0) {   /* undersampling keeps the byte columns */
			assert_int_equal(resample_apply(&d, &s, r, NULL, &err), 0);
			assert_int_equal(resample_apply(&e, &s, r, NULL, &err), 0);
			assert_true(d.n < N);
			assert_int_equal(d.n, e.n);
			assert_non_null(d.slot);
		}
	}
	dataset_free(&d);
	dataset_free(&e);
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

static void test_datetime_parts(void **state)
{
	(void)state;
	struct frame *f = mixed_frame();
	struct settings s;
	settings_init(&s);
	set_ok(&s, "datetime.columns.when=hour,day_of_week,day,month");
	struct target_info t;
	struct recipe *r = fit(f, &s, &t, 5);
	int h = feature_index(r, "when.hour");
	assert_true(h >= 0);
	assert_int_equal(feature_index(r, "when.day_of_week"), h + 1);
	assert_int_equal(feature_index(r, "when.day"), h + 2);
	assert_int_equal(feature_index(r, "when.month"), h + 3);
	/* training median of 1709214300 1704067199 -43200 0 is 852033599.5:
	 * 1996-12-31 11:59:59.5 UTC, a Tuesday */
	assert_true(r->inputs[2].fill_value == 852033599.5);
	struct dataset d;
	apply_all(r, f, &t, &d);
	static const float want[8][4] = {
		{ 13, 3, 29, 2 },    /* 2024-02-29 13:45 Thursday */
		{ 23, 6, 31, 12 },   /* 2023-12-31 23:59:59 Sunday */
		{ 12, 2, 31, 12 },   /* 1969-12-31 12:00 Wednesday */
		{ 0, 3, 1, 1 },      /* 1970-01-01 00:00 Thursday */
		{ 11, 1, 31, 12 },   /* imputed */
		{ 0, 3, 1, 1 },
		{ 11, 1, 31, 12 },
		{ 1, 3, 1, 1 },
	};
	for (size_t i = 0; i < 8; i++)
		for (size_t p = 0; p < 4; p++)
			if (X(&d, (size_t)h + p, i) != want[i][p])
				fail_msg("row %zu part %zu: %g, want %g", i, p,
					 (double)X(&d, (size_t)h + p, i), (double)want[i][p]);
	dataset_free(&d);
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

static void test_drops_recorded(void **state)
{
	(void)state;
	struct frame *f = frame_new(5, 5);
	col_num(f, 0, "TransactionID", (double[]){ 1, 2, 3, 4, 5 });
	f->cols[0].stats.id_like = true;
	col_num(f, 1, "const", (double[]){ 7, 7, 7, 7, 7 });
	col_num(f, 2, "amount", (double[]){ 1, 2, 3, 4, 5 });
	col_num(f, 3, "late", (double[]){ NAN, NAN, NAN, 4, 5 });
	col_num(f, 4, "isFraud", (double[]){ 0, 1, 0, 1, 0 });
	struct settings s;
	settings_init(&s);
	set_ok(&s, "drop=amount,ghost");
	set_ok(&s, "impute.columns.Amount=mean");
	struct target_info t;
	struct recipe *r = fit(f, &s, &t, 3);
	assert_int_equal(r->nnotes, 2);
	assert_string_equal(r->notes[0], "drop: no column named 'ghost'");
	assert_string_equal(r->notes[1], "impute.columns.Amount: no column named 'Amount'");
	assert_int_equal(r->ninputs, 0);
	assert_int_equal(r->nfeatures, 0);
	assert_int_equal(r->ndropped, 5);
	static const char *const want[][2] = {
		{ "TransactionID", "id-like" }, { "const", "constant" },
		{ "amount", "listed in drop" }, { "late", "no values in the training split" },
		{ "isFraud", "target" },
	};
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(r->dropped[i], want[i][0]);
		assert_string_equal(r->drop_reasons[i], want[i][1]);
	}
	recipe_free(r);
	target_info_free(&t);
	set_ok(&s, "drop_suggested=false");
	set_ok(&s, "drop=[]");
	r = fit(f, &s, &t, 4);
	assert_int_equal(r->nfeatures, 4);
	assert_string_equal(r->features[0].name, "TransactionID");
	assert_string_equal(r->features[3].name, "late");
	/* Kept, but still suggested: the run says what it did not drop. */
	assert_int_equal(r->nnotes, 3);
	assert_string_equal(r->notes[1], "kept TransactionID although it is id-like "
			    "(drop_suggested is false)");
	assert_string_equal(r->notes[2], "kept const although it is constant "
			    "(drop_suggested is false)");
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

/* The raw text of every cell of a frame row, by recipe input. */
static void row_text(const struct recipe *r, const struct frame *f, size_t row,
		     char text[][64], const char **fields, size_t *lens)
{
	for (size_t i = 0; i < r->ninputs; i++) {
		int c = -1;
		for (size_t k = 0; k < f->ncols; k++)
			if (strcmp(f->cols[k].name, r->inputs[i].name) == 0)
				c = (int)k;
		assert_true(c >= 0);
		const struct column *col = &f->cols[c];
		if (col->type == COL_CATEGORICAL)
			snprintf(text[i], 64, "%s", col->codes[row] == FRAME_NA_CODE ? "NA" :
				 col->levels[col->codes[row]]);
		else if (isnan(col->num[row]))
			snprintf(text[i], 64, "%s", row % 2 ? "" : "n/a");
		else if (col->type == COL_DATETIME) {
			/* ISO text of the epoch seconds in the test frame */
			static const struct { double t; const char *s; } iso[] = {
				{ 1709214300, "2024-02-29 13:45:00" }, { 1704067199, "2023-12-31 23:59:59" },
				{ -43200, "1969-12-31 12:00" }, { 0, "1970-01-01" },
				{ 3600, "1970-01-01T01:00:00" },
			};
			text[i][0] = '\0';
			for (size_t k = 0; k < sizeof iso / sizeof iso[0]; k++)
				if (iso[k].t == col->num[row])
					snprintf(text[i], 64, "%s", iso[k].s);
		} else {
			fmt_double(text[i], col->num[row]);
		}
		fields[i] = text[i];
		lens[i] = strlen(text[i]);
	}
}

static void test_apply_row_matches_frame(void **state)
{
	(void)state;
	struct frame *f = mixed_frame();
	struct settings s;
	settings_init(&s);
	set_ok(&s, "missing_indicators=true");
	set_ok(&s, "na_values=n/a");
	set_ok(&s, "datetime.default=hour,day_of_week,day,month");
	set_ok(&s, "encode.columns.risk=ordinal");   /* ignored: risk is numeric */
	struct target_info t;
	struct recipe *r = fit(f, &s, &t, 5);
	assert_int_equal(r->nnotes, 1);
	assert_string_equal(r->notes[0], "encode.columns.risk: ignored, risk is numeric");
	struct dataset d;
	apply_all(r, f, &t, &d);
	struct recipe_row_ctx *ctx = recipe_row_ctx_new(r);
	float *x = xcalloc(r->nfeatures, sizeof *x);
	for (size_t row = 0; row < f->nrows; row++) {
		char text[8][64];
		const char *fields[8];
		size_t lens[8];
		row_text(r, f, row, text, fields, lens);
		recipe_apply_row(ctx, fields, lens, x);
		for (size_t j = 0; j < r->nfeatures; j++)
			if (x[j] != X(&d, j, row))
				fail_msg("row %zu feature %s: %g from text, %g from the frame", row,
					 r->features[j].name, (double)x[j], (double)X(&d, j, row));
	}
	/* absent fields, unparseable numbers and unseen levels */
	const char *fields[4] = { "lots", "prepaid", NULL, " 0.75 " };
	size_t lens[4] = { 4, 7, 0, 6 };
	recipe_apply_row(ctx, fields, lens, x);
	assert_true(x[feature_index(r, "amount")] == 2);
	assert_true(x[feature_index(r, "amount_missing")] == 1);
	assert_true(x[feature_index(r, "card=debit")] == 0);
	assert_true(x[feature_index(r, "card=credit")] == 0);
	assert_true(x[feature_index(r, "card_missing")] == 0);
	assert_true(x[feature_index(r, "when_missing")] == 1);
	assert_true(x[feature_index(r, "when.day")] == 31);
	assert_true(x[feature_index(r, "risk")] == 0.75f);
	free(x);
	recipe_row_ctx_free(ctx);
	recipe_row_ctx_free(NULL);

	/* columns are matched by name in another frame; a missing one is named */
	struct frame *g = frame_new(1, 1);
	col_num(g, 0, "amount", (double[]){ 1 });
	struct ft_err err = {0};
	size_t row0 = 0;
	struct dataset e;
	assert_int_equal(recipe_apply(r, g, NULL, &row0, 1, NULL, &e, &err), -1);
	assert_string_equal(err.msg, "t.csv: no column 'card', which the model uses");
	frame_free(g);
	dataset_free(&d);
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

/* recipe_apply fills each input's features in one pass: a recipe read from a
 * file may list them in any order, even twice, and a frame column may have
 * another type than in training (its text then decides). Each cell must
 * still be what recipe_apply_row makes of the row's text. */
static void test_apply_any_order_and_type(void **state)
{
	(void)state;
	struct frame *f = mixed_frame();
	struct settings s;
	settings_init(&s);
	set_ok(&s, "missing_indicators=true");
	set_ok(&s, "datetime.default=hour,day_of_week,day,month");
	struct target_info t;
	struct recipe *r = fit(f, &s, &t, 5);
	/* reversed, then card=debit once more */
	size_t nf = r->nfeatures;
	int debit = feature_index(r, "card=debit");
	assert_true(debit >= 0);
	struct feature *fs = xcalloc(nf + 1, sizeof *fs);
	for (size_t j = 0; j < nf; j++)
		fs[j] = r->features[nf - 1 - j];
	fs[nf] = r->features[debit];
	fs[nf].name = xstrdup("card=debit (again)");
	free(r->features);
	r->features = fs;
	r->nfeatures = nf + 1;

	/* amount as text, card as numbers; when and risk as in training */
	struct frame *g = frame_new(4, 4);
	const char *amount[] = { "2", "lots", NULL, "1e3" };
	col_cat(g, 0, "amount", amount);
	col_num(g, 1, "card", (double[]){ 1, NAN, 2.5, 1 });
	col_dt(g, 2, "when", (double[]){ 1709214300, NAN, 0, -43200 });
	col_num(g, 3, "risk", (double[]){ 0.5, 0.75, NAN, 1 });
	static const char *const text[4][4] = {
		{ "2", "1", "2024-02-29 13:45:00", "0.5" },
		{ "lots", "", "", "0.75" },
		{ "", "2.5", "1970-01-01", "" },
		{ "1e3", "1", "1969-12-31 12:00", "1" },
	};
	struct dataset d;
	apply_all(r, g, NULL, &d);
	assert_int_equal(d.nfeatures, nf + 1);
	struct recipe_row_ctx *ctx = recipe_row_ctx_new(r);
	float *x = xcalloc(r->nfeatures, sizeof *x);
	for (size_t row = 0; row < 4; row++) {
		const char *fields[4];
		size_t lens[4];
		for (size_t i = 0; i < r->ninputs; i++) {
			size_t c = 0;
			while (strcmp(g->cols[c].name, r->inputs[i].name) != 0)
				c++;
			fields[i] = text[row][c];
			lens[i] = strlen(fields[i]);
		}
		recipe_apply_row(ctx, fields, lens, x);
		for (size_t j = 0; j < r->nfeatures; j++)
			if (x[j] != X(&d, j, row))
				fail_msg("row %zu feature %s: %g from text, %g from the frame", row,
					 r->features[j].name, (double)x[j], (double)X(&d, j, row));
	}
	/* worked out by hand: row 0 has amount 2, no card level, hour 13 */
	assert_true(X(&d, (size_t)feature_index(r, "amount"), 0) == 2);
	assert_true(X(&d, (size_t)feature_index(r, "amount"), 3) == 1000);
	assert_true(X(&d, (size_t)feature_index(r, "amount_missing"), 1) == 1);
	assert_true(X(&d, (size_t)feature_index(r, "card=debit (again)"), 1) == 1);
	assert_true(X(&d, (size_t)feature_index(r, "card=debit (again)"), 0) == 0);
	assert_true(X(&d, (size_t)feature_index(r, "card_missing"), 1) == 1);
	assert_true(X(&d, (size_t)feature_index(r, "when.hour"), 0) == 13);
	free(x);
	recipe_row_ctx_free(ctx);
	dataset_free(&d);
	frame_free(g);
	recipe_free(r);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

static char *recipe_text(const struct recipe *r)
{
	cJSON *j = recipe_to_json(r);
	char *s = cJSON_Print(j);
	cJSON_Delete(j);
	return s;
}

static void test_recipe_json(void **state)
{
	(void)state;
	struct frame *f = mixed_frame();
	struct settings s;
	settings_init(&s);
	set_ok(&s, "missing_indicators=true");
	set_ok(&s, "na_values=n/a,?");
	set_ok(&s, "impute.columns.card=constant:unknown");
	set_ok(&s, "impute.columns.risk=mean");
	set_ok(&s, "datetime.default=day,month");
	struct target_info t;
	struct recipe *r = fit(f, &s, &t, 5);
	char *text = recipe_text(r);
	cJSON *j = cJSON_Parse(text);
	struct ft_err err = {0};
	struct recipe *back = recipe_from_json(j, "model.json", &err);
	if (!back)
		fail_msg("%s", err.msg);
	char *again = recipe_text(back);
	assert_string_equal(text, again);
	assert_true(back->inputs[3].fill_value == r->inputs[3].fill_value);
	struct dataset d1, d2;
	apply_all(r, f, &t, &d1);
	apply_all(back, f, &t, &d2);
	dataset_all_floats(&d1);
	dataset_all_floats(&d2);
	assert_memory_equal(d1.X, d2.X, d1.n * d1.nfeatures * sizeof *d1.X);
	dataset_free(&d1);
	dataset_free(&d2);
	recipe_free(back);
	free(again);

	/* every damage is named */
	static const struct { const char *path, *value, *msg; } bad[] = {
		{ "format", "2", "model.json: recipe.format: unsupported format (this program "
		  "reads format 1)" },
		{ "target", "null", "model.json: recipe.target: expected a string" },
		{ "inputs", "{}", "model.json: recipe.inputs: expected a list" },
		{ "na_values", "[1]", "model.json: recipe.na_values: expected a list of strings" },
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		cJSON *c = cJSON_Duplicate(j, true);
		cJSON_ReplaceItemInObjectCaseSensitive(c, bad[k].path, cJSON_Parse(bad[k].value));
		assert_null(recipe_from_json(c, "model.json", &err));
		assert_string_equal(err.msg, bad[k].msg);
		cJSON_Delete(c);
	}
	cJSON *c = cJSON_Duplicate(j, true);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "negative");
	assert_null(recipe_from_json(c, "model.json", &err));
	assert_string_equal(err.msg, "model.json: recipe.negative: missing");
	cJSON_Delete(c);

	c = cJSON_Duplicate(j, true);
	/* features: amount, amount_missing, card=credit, card=debit, ... */
	cJSON *feat = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "features"), 3);
	cJSON_ReplaceItemInObjectCaseSensitive(feat, "level", cJSON_CreateNumber(9));
	assert_null(recipe_from_json(c, "model.json", &err));
	assert_string_equal(err.msg, "model.json: recipe.features[3].level: expected an integer "
			    "in [0, 3)");
	cJSON_ReplaceItemInObjectCaseSensitive(feat, "level", cJSON_CreateNumber(0));
	cJSON_ReplaceItemInObjectCaseSensitive(feat, "input", cJSON_CreateNumber(0));
	assert_null(recipe_from_json(c, "model.json", &err));
	assert_string_equal(err.msg, "model.json: recipe.features[3].kind: does not fit the type "
			    "of its input");
	cJSON_ReplaceItemInObjectCaseSensitive(feat, "kind", cJSON_CreateString("cube"));
	assert_null(recipe_from_json(c, "model.json", &err));
	assert_string_equal(err.msg, "model.json: recipe.features[3].kind: unknown feature kind");
	cJSON_Delete(c);

	c = cJSON_Duplicate(j, true);
	cJSON *card = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "inputs"), 1);
	cJSON_ReplaceItemInObjectCaseSensitive(card, "levels",
		cJSON_Parse("[\"debit\", \"credit\", \"unknown\"]"));
	assert_null(recipe_from_json(c, "model.json", &err));
	assert_string_equal(err.msg, "model.json: recipe.inputs[1].levels: levels must be "
			    "distinct and sorted");
	cJSON_ReplaceItemInObjectCaseSensitive(card, "levels", cJSON_Parse("[\"a\"]"));
	assert_null(recipe_from_json(c, "model.json", &err));
	assert_string_equal(err.msg, "model.json: recipe.inputs[1].frequency: expected one "
			    "count per level");
	cJSON_ReplaceItemInObjectCaseSensitive(card, "type", cJSON_CreateString("text"));
	assert_null(recipe_from_json(c, "model.json", &err));
	assert_string_equal(err.msg, "model.json: recipe.inputs[1].type: expected numeric, "
			    "categorical or datetime");
	cJSON_Delete(c);
	assert_null(recipe_from_json(cJSON_GetObjectItem(j, "target"), "m", &err));
	assert_string_equal(err.msg, "m: recipe: expected an object");

	cJSON_Delete(j);
	free(text);
	recipe_free(r);
	recipe_free(NULL);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

/* -------------------------------------------------------------- split */

static struct target_info labels(size_t n, size_t npos, size_t nmissing)
{
	struct target_info t = {0};
	t.col = 0;
	t.y = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		t.y[i] = i < nmissing ? 255 : (i % (n / npos) == 1 ? 1 : 0);
	t.missing = nmissing;
	return t;
}

static size_t count_class(const struct target_info *t, const size_t *rows, size_t n, int c)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += t->y[rows[i]] == c;
	return k;
}

static void test_split(void **state)
{
	(void)state;
	struct target_info t = labels(1000, 100, 0);
	size_t pos = 0;
	for (size_t i = 0; i < 1000; i++)
		pos += t.y[i] == 1;
	assert_int_equal(pos, 100);
	struct settings s;
	settings_init(&s);
	struct split sp, sp2;
	struct ft_err err = {0};
	assert_int_equal(split_stratified(&t, 1000, &s, NULL, &sp, &err), 0);
	assert_int_equal(sp.ntrain, 600);
	assert_int_equal(sp.nvalidation, 200);
	assert_int_equal(sp.ntest, 200);
	assert_int_equal(count_class(&t, sp.train, sp.ntrain, 1), 60);
	assert_int_equal(count_class(&t, sp.validation, sp.nvalidation, 1), 20);
	assert_int_equal(count_class(&t, sp.test, sp.ntest, 1), 20);
	/* a partition, each list ascending */
	uint8_t *seen = xcalloc(1000, 1);
	const size_t *lists[] = { sp.train, sp.validation, sp.test };
	size_t sizes[] = { sp.ntrain, sp.nvalidation, sp.ntest };
	for (int l = 0; l < 3; l++)
		for (size_t i = 0; i < sizes[l]; i++) {
			assert_int_equal(seen[lists[l][i]], 0);
			seen[lists[l][i]] = 1;
			if (i)
				assert_true(lists[l][i - 1] < lists[l][i]);
		}
	free(seen);
	/* deterministic for a seed, different for another */
	assert_int_equal(split_stratified(&t, 1000, &s, NULL, &sp2, &err), 0);
	assert_memory_equal(sp.train, sp2.train, sp.ntrain * sizeof *sp.train);
	assert_memory_equal(sp.test, sp2.test, sp.ntest * sizeof *sp.test);
	split_free(&sp2);
	set_ok(&s, "split.seed=43");
	assert_int_equal(split_stratified(&t, 1000, &s, NULL, &sp2, &err), 0);
	assert_int_equal(sp2.ntrain, 600);
	assert_true(memcmp(sp.train, sp2.train, sp.ntrain * sizeof *sp.train) != 0);
	split_free(&sp2);
	split_free(&sp);
	target_info_free(&t);

	/* odd counts round per class; missing targets are left out */
	t = labels(26, 5, 5);   /* 21 labelled rows: 4 positive (rows 6 11 16 21) */
	size_t npos = 0;
	for (size_t i = 0; i < 26; i++)
		npos += t.y[i] == 1;
	assert_int_equal(npos, 4);
	set_ok(&s, "split={\"train\": 0.5, \"validation\": 0.25, \"test\": 0.25}");
	assert_int_equal(split_stratified(&t, 26, &s, NULL, &sp, &err), 0);
	/* negatives 17: round(8.5)=9, round(12.75)=13 -> 9/4/4; positives 4 -> 2/1/1 */
	assert_int_equal(count_class(&t, sp.train, sp.ntrain, 0), 9);
	assert_int_equal(count_class(&t, sp.validation, sp.nvalidation, 0), 4);
	assert_int_equal(count_class(&t, sp.test, sp.ntest, 0), 4);
	assert_int_equal(count_class(&t, sp.train, sp.ntrain, 1), 2);
	assert_int_equal(count_class(&t, sp.validation, sp.nvalidation, 1), 1);
	assert_int_equal(count_class(&t, sp.test, sp.ntest, 1), 1);
	assert_int_equal(sp.ntrain + sp.nvalidation + sp.ntest, 21);
	for (size_t i = 0; i < sp.ntrain; i++)
		assert_true(sp.train[i] >= 5);
	split_free(&sp);
	s.split_test = 0.5;   /* bypassing --set: split_stratified still checks */
	assert_int_equal(split_stratified(&t, 26, &s, NULL, &sp, &err), -1);
	assert_string_equal(err.msg, "split: train + validation + test must sum to 1");
	split_free(NULL);
	target_info_free(&t);
	settings_free(&s);
}

/* Labels with the first npos rows positive. */
static struct target_info first_positive(size_t n, size_t npos)
{
	struct target_info t = {0};
	t.y = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		t.y[i] = i < npos;
	return t;
}

/* A split with a share but no row of some class is refused with a
 * message, rather than leaving the tree or the gate nothing to work on. */
static void test_split_too_few_rows(void **state)
{
	(void)state;
	struct settings s;
	settings_init(&s);
	struct split sp;
	struct ft_err err = {0};
	/* one row each: 1 * 0.6 rounds to 1 train row, 1 * 0.8 to 1, so
	 * validation and test get none */
	struct target_info t = first_positive(2, 1);
	assert_int_equal(split_stratified(&t, 2, &s, NULL, &sp, &err), -1);
	assert_string_equal(err.msg, "too few rows: the validation split would have no fraud "
			    "rows (1 fraud row in all; each split needs at least one of each class)");
	target_info_free(&t);
	/* 3 fraud rows: cuts at round(1.8) = 2 and round(2.4) = 2 */
	t = first_positive(100, 3);
	assert_int_equal(split_stratified(&t, 100, &s, NULL, &sp, &err), -1);
	assert_non_null(strstr(err.msg, "the validation split would have no fraud rows (3 fraud rows"));
	/* with no validation share, 2 train and 1 test row are enough */
	set_ok(&s, "split={\"train\": 0.8, \"validation\": 0, \"test\": 0.2}");
	assert_int_equal(split_stratified(&t, 100, &s, NULL, &sp, &err), 0);
	assert_int_equal(sp.nvalidation, 0);
	assert_int_equal(count_class(&t, sp.train, sp.ntrain, 1), 2);
	assert_int_equal(count_class(&t, sp.test, sp.ntest, 1), 1);
	split_free(&sp);
	target_info_free(&t);
	/* 5 fraud rows: 3 / 1 / 1 */
	settings_free(&s);
	settings_init(&s);
	t = first_positive(100, 5);
	assert_int_equal(split_stratified(&t, 100, &s, NULL, &sp, &err), 0);
	assert_int_equal(count_class(&t, sp.validation, sp.nvalidation, 1), 1);
	assert_int_equal(count_class(&t, sp.test, sp.ntest, 1), 1);
	split_free(&sp);
	target_info_free(&t);
	/* 2 non-fraud rows: cuts at round(1.2) = 1 and round(1.6) = 2 */
	t = first_positive(100, 98);
	assert_int_equal(split_stratified(&t, 100, &s, NULL, &sp, &err), -1);
	assert_string_equal(err.msg, "too few rows: the test split would have no non-fraud rows "
			    "(2 non-fraud rows in all; each split needs at least one of each class)");
	target_info_free(&t);
	settings_free(&s);
}

/* A time split of rows not in time order: every training row is earlier
 * than every validation row, earlier than every test row; equal times
 * stay together; a gap leaves rows out; missing times are left out. */
static void test_time_split(void **state)
{
	(void)state;
	enum { N = 400 };
	struct frame *f = frame_new(N, 2);
	double tm[N], y[N];
	struct ft_rng rng;
	rng_seed(&rng, 9);
	for (size_t i = 0; i < N; i++) {
		/* shuffled days, several rows per day */
		tm[i] = 86400.0 * (double)rng_below(&rng, 100);
		y[i] = i % 10 == 0;
	}
	tm[5] = NAN;
	col_dt(f, 0, "when", tm);
	col_num(f, 1, "isFraud", y);
	struct settings s;
	settings_init(&s);
	set_ok(&s, "target=isFraud");
	set_ok(&s, "split.method=time");
	struct target_info t;
	struct ft_err err = {0};
	assert_int_equal(target_resolve(f, &s, &t, &err), 0);
	for (int pass = 0; pass < 2; pass++) {
		struct split sp;
		if (split_frame(f, &t, &s, NULL, &sp, &err) < 0)
			fail_msg("time split: %s", err.msg);
		assert_int_equal(sp.time_col, 0);
		assert_int_equal(sp.no_time, 1);
		double last[3] = { -1, -1, -1 }, first[3] = { 1e18, 1e18, 1e18 };
		const size_t *l[3] = { sp.train, sp.validation, sp.test };
		size_t n[3] = { sp.ntrain, sp.nvalidation, sp.ntest };
		for (int k = 0; k < 3; k++) {
			assert_true(n[k] > 0);
			for (size_t i = 0; i < n[k]; i++) {
				assert_true(l[k][i] != 5);
				if (i)
					assert_true(l[k][i] > l[k][i - 1]);   /* row order */
				last[k] = fmax(last[k], tm[l[k][i]]);
				first[k] = fmin(first[k], tm[l[k][i]]);
			}
			assert_true(sp.from[k] == first[k] && sp.to[k] == last[k]);
		}
		assert_true(last[0] < first[1] && last[1] < first[2]);
		if (pass == 0) {
			assert_int_equal(sp.in_gap, 0);
			assert_int_equal(sp.ntrain + sp.nvalidation + sp.ntest, N - 1);
			assert_true(sp.ntrain >= 239);
		} else {
			/* 3 days after train and after validation are left out */
			assert_true(first[1] > last[0] + 3 * 86400.0);
			assert_true(first[2] > last[1] + 3 * 86400.0);
			assert_true(sp.in_gap > 0);
			assert_int_equal(sp.ntrain + sp.nvalidation + sp.ntest + sp.in_gap, N - 1);
		}
		split_free(&sp);
		set_ok(&s, "split.gap_days=3");
	}
	/* errors: no such column; a categorical or missing datetime column */
	set_ok(&s, "split.time_column=nope");
	struct split sp;
	assert_int_equal(split_frame(f, &t, &s, NULL, &sp, &err), -1);
	assert_string_equal(err.msg, "split.time_column: no column named \"nope\"");
	set_ok(&s, "split.time_column=isFraud");
	assert_int_equal(split_frame(f, &t, &s, NULL, &sp, &err), -1);
	f->cols[0].type = COL_NUMERIC;   /* no datetime column left to guess */
	set_ok(&s, "split.time_column=null");
	assert_int_equal(split_frame(f, &t, &s, NULL, &sp, &err), -1);
	assert_non_null(strstr(err.msg, "time needs a datetime column"));
	/* a numeric column named explicitly is read as seconds */
	set_ok(&s, "split.time_column=when");
	assert_int_equal(split_frame(f, &t, &s, NULL, &sp, &err), 0);
	split_free(&sp);
	/* a gap so wide nothing is left for validation */
	set_ok(&s, "split.gap_days=200");
	assert_int_equal(split_frame(f, &t, &s, NULL, &sp, &err), -1);
	assert_non_null(strstr(err.msg, "too few rows"));
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

/* ---------------------------------------------------------- resampling */

/* 80 negatives, 20 positives; feature 0 = sample index, feature 1 = class
 * cluster (positives sit in two clusters of 10, far apart). */
static void make_dataset(struct dataset *d)
{
	memset(d, 0, sizeof *d);
	d->n = 100;
	d->nfeatures = 2;
	d->X = xmalloc(200 * sizeof *d->X);
	d->y = xmalloc(100);
	d->rows = xmalloc(100 * sizeof *d->rows);
	for (size_t i = 0; i < 100; i++) {
		d->y[i] = i % 10 == 3 || i % 10 == 7;
		d->rows[i] = 1000 + i;
		d->X[i] = (float)i;
		d->X[100 + i] = d->y[i] ? (i < 50 ? 0.0f : 500.0f) : 250.0f;
	}
}

static void class_counts(const struct dataset *d, size_t c[2])
{
	c[0] = c[1] = 0;
	for (size_t i = 0; i < d->n; i++)
		c[d->y[i]]++;
}

static void resample(struct dataset *d, const char *method, const char *ratio)
{
	struct settings s;
	settings_init(&s);
	char *a = xasprintf("resample.method=%s", method);
	set_ok(&s, a);
	free(a);
	a = xasprintf("resample.ratio=%s", ratio);
	set_ok(&s, a);
	free(a);
	struct ft_err err = {0};
	make_dataset(d);
	if (resample_apply(d, &s, NULL, NULL, &err) != 0)
		fail_msg("%s: %s", method, err.msg);
	settings_free(&s);
}

static void test_resample_counts(void **state)
{
	(void)state;
	static const struct { const char *method, *ratio; size_t neg, pos; } cases[] = {
		{ "none", "1", 80, 20 },
		{ "undersample", "1", 20, 20 },
		{ "undersample", "0.5", 40, 20 },
		{ "undersample", "0.2", 80, 20 },     /* already there: 20/80 = 0.25 */
		{ "oversample", "1", 80, 80 },
		{ "oversample", "0.5", 80, 40 },
		{ "oversample", "0.05", 80, 20 },
		{ "smote", "1", 80, 80 },
		{ "smote", "0.3", 80, 24 },
		{ "class_weight", "1", 80, 20 },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct dataset d;
		resample(&d, cases[k].method, cases[k].ratio);
		size_t c[2];
		class_counts(&d, c);
		if (c[0] != cases[k].neg || c[1] != cases[k].pos)
			fail_msg("%s %s: %zu/%zu, want %zu/%zu", cases[k].method, cases[k].ratio,
				 c[0], c[1], cases[k].neg, cases[k].pos);
		dataset_free(&d);
	}
}

static void test_undersample_keeps_rows(void **state)
{
	(void)state;
	struct dataset d;
	resample(&d, "undersample", "0.5");
	assert_int_equal(d.n, 60);
	for (size_t i = 0; i < d.n; i++) {
		/* every kept sample is an original, with its features, in order */
		size_t orig = d.rows[i] - 1000;
		assert_true(X(&d, 0, i) == (float)orig);
		assert_int_equal(d.y[i], orig % 10 == 3 || orig % 10 == 7);
		if (i)
			assert_true(d.rows[i - 1] < d.rows[i]);
	}
	assert_null(d.w);
	dataset_free(&d);
}

static void test_oversample_copies(void **state)
{
	(void)state;
	struct dataset d;
	resample(&d, "oversample", "1");
	assert_int_equal(d.n, 160);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(d.rows[i], 1000 + i);   /* originals first, unchanged */
	for (size_t i = 100; i < d.n; i++) {
		size_t orig = d.rows[i] - 1000;
		assert_int_equal(d.y[i], 1);
		assert_true(orig % 10 == 3 || orig % 10 == 7);
		assert_true(X(&d, 0, i) == (float)orig);
		assert_true(X(&d, 1, i) == (orig < 50 ? 0.0f : 500.0f));
	}
	dataset_free(&d);
}

static void test_smote_between_neighbours(void **state)
{
	(void)state;
	struct dataset d;
	resample(&d, "smote", "1");
	assert_int_equal(d.n, 160);
	for (size_t i = 100; i < d.n; i++) {
		assert_int_equal(d.rows[i], SIZE_MAX);
		assert_int_equal(d.y[i], 1);
		float a = X(&d, 0, i), b = X(&d, 1, i);
		/* the 5 nearest minority neighbours of a positive are in its own
		 * cluster: a synthetic point never lands between the clusters */
		assert_true(b == 0.0f || b == 500.0f);
		if (b == 0.0f)
			assert_true(a >= 3 && a <= 47);
		else
			assert_true(a >= 53 && a <= 97);
	}
	/* they interpolate: most are not copies of a minority sample; the
	 * index feature holds integers, so they are rounded to integers */
	size_t between = 0;
	for (size_t i = 100; i < d.n; i++) {
		float m = fmodf(X(&d, 0, i), 10);
		between += m != 3 && m != 7;
		assert_true(X(&d, 0, i) == floorf(X(&d, 0, i)));
	}
	assert_true(between > 30);
	struct dataset e;
	resample(&e, "smote", "1");
	assert_memory_equal(d.X, e.X, d.n * 2 * sizeof *d.X);   /* deterministic */
	dataset_free(&e);
	dataset_free(&d);

	/* one minority sample: nothing to interpolate with, copies it */
	memset(&d, 0, sizeof d);
	d.n = 4;
	d.nfeatures = 1;
	d.X = xmalloc(4 * sizeof *d.X);
	d.y = xmalloc(4);
	for (size_t i = 0; i < 4; i++) {
		d.X[i] = (float)i;
		d.y[i] = i == 2;
	}
	struct settings s;
	settings_init(&s);
	set_ok(&s, "resample.method=smote");
	struct ft_err err = {0};
	assert_int_equal(resample_apply(&d, &s, NULL, NULL, &err), 0);
	assert_int_equal(d.n, 6);
	assert_true(d.X[4] == 2 && d.X[5] == 2);
	assert_int_equal(d.rows[4], SIZE_MAX);
	dataset_free(&d);
	settings_free(&s);
}

/* SMOTE-NC: one-hot, ordinal and missing-indicator features take the
 * neighbours' most frequent value, never a blend; integer features stay
 * integers; continuous ones stay within the minority's range. Features:
 * 0 amount (continuous), 1 count (integers), 2-4 one-hot of a 3-level
 * column, 5 an ordinal code, 6 amount's missing indicator. */
static void test_smote_nc(void **state)
{
	(void)state;
	enum { N = 200, NF = 7 };
	struct recipe r;
	memset(&r, 0, sizeof r);
	struct feature feats[NF] = {
		{ .kind = FEAT_NUMERIC, .input = 0 }, { .kind = FEAT_NUMERIC, .input = 1 },
		{ .kind = FEAT_ONEHOT, .input = 2, .level = 0 },
		{ .kind = FEAT_ONEHOT, .input = 2, .level = 1 },
		{ .kind = FEAT_ONEHOT, .input = 2, .level = 2 },
		{ .kind = FEAT_ORDINAL, .input = 3 }, { .kind = FEAT_MISSING, .input = 0 },
	};
	r.features = feats;
	r.nfeatures = NF;
	size_t *g = resample_categorical_groups(&r);
	assert_true(g[0] == RESAMPLE_NC_NUMERIC && g[1] == RESAMPLE_NC_NUMERIC);
	assert_true(g[2] == g[3] && g[3] == g[4] && g[4] != g[5] && g[6] != g[0]);
	assert_true(g[6] != g[2] && g[6] != g[5]);
	free(g);

	struct dataset d;
	memset(&d, 0, sizeof d);
	d.n = N;
	d.nfeatures = NF;
	d.X = xcalloc(N * NF, sizeof *d.X);
	d.y = xmalloc(N);
	struct ft_rng rng;
	rng_seed(&rng, 5);
	for (size_t i = 0; i < N; i++) {
		d.y[i] = i % 8 == 0;
		d.X[0 * N + i] = (float)(rng_uniform(&rng) * 100);
		d.X[1 * N + i] = (float)rng_below(&rng, 7);
		/* the frauds' category is level 1, but for one of them */
		size_t lv = d.y[i] ? (i == 8 ? 2 : 1) : rng_below(&rng, 3);
		d.X[(2 + lv) * N + i] = 1;
		d.X[5 * N + i] = (float)(d.y[i] ? 3 : rng_below(&rng, 5));
		d.X[6 * N + i] = (float)(rng_below(&rng, 4) == 0);
	}
	struct settings s;
	settings_init(&s);
	set_ok(&s, "resample.method=smote");
	struct ft_err err = {0};
	assert_int_equal(resample_apply(&d, &s, &r, NULL, &err), 0);
	assert_int_equal(d.n, 175 + 175);
	assert_int_equal(d.nsynthetic, 150);
	assert_int_equal(d.prior[0], 175);
	assert_int_equal(d.prior[1], 25);
	float lo = 1e9f, hi = -1e9f;
	for (size_t i = 0; i < N; i++)
		if (d.y[i]) {
			lo = fminf(lo, X(&d, 0, i));
			hi = fmaxf(hi, X(&d, 0, i));
		}
	size_t blended = 0;
	for (size_t i = N; i < d.n; i++) {
		assert_int_equal(d.y[i], 1);
		float a = X(&d, 0, i);
		assert_true(a >= lo && a <= hi);
		blended += a != floorf(a);
		assert_true(X(&d, 1, i) == floorf(X(&d, 1, i)));
		float oh = X(&d, 2, i) + X(&d, 3, i) + X(&d, 4, i);
		assert_true(oh == 1.0f);
		/* the one fraud of level 2 has neighbours of level 1 only */
		assert_true(X(&d, 3, i) == 1.0f);
		assert_true(X(&d, 5, i) == 3.0f);
		assert_true(X(&d, 6, i) == 0.0f || X(&d, 6, i) == 1.0f);
	}
	assert_true(blended > 100);   /* continuous values are interpolated */
	dataset_free(&d);
	settings_free(&s);
}

static void test_class_weight(void **state)
{
	(void)state;
	struct dataset d;
	resample(&d, "class_weight", "1");
	assert_non_null(d.w);
	assert_true(fabs(d.w[0] - 100.0 / 160) < 1e-12);
	assert_true(fabs(d.w[3] - 100.0 / 40) < 1e-12);
	double tot[2] = {0, 0};
	for (size_t i = 0; i < d.n; i++)
		tot[d.y[i]] += d.w[i];
	assert_true(fabs(tot[0] - 50) < 1e-9 && fabs(tot[1] - 50) < 1e-9);
	dataset_free(&d);
	resample(&d, "class_weight", "0.5");
	tot[0] = tot[1] = 0;
	for (size_t i = 0; i < d.n; i++)
		tot[d.y[i]] += d.w[i];
	assert_true(fabs(tot[1] / tot[0] - 0.5) < 1e-12);
	dataset_free(&d);
}

static void test_resample_errors_and_seed(void **state)
{
	(void)state;
	struct dataset d, e;
	resample(&d, "undersample", "1");
	struct settings s;
	settings_init(&s);
	set_ok(&s, "resample.method=undersample");
	set_ok(&s, "split.seed=7");
	make_dataset(&e);
	struct ft_err err = {0};
	assert_int_equal(resample_apply(&e, &s, NULL, NULL, &err), 0);
	assert_int_equal(e.n, 40);
	assert_true(memcmp(d.rows, e.rows, 40 * sizeof *d.rows) != 0);
	dataset_free(&d);
	dataset_free(&e);

	make_dataset(&d);
	memset(d.y, 0, d.n);
	assert_int_equal(resample_apply(&d, &s, NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "resample.method: undersample needs both classes in the "
			    "training split, which has 100 and 0");
	dataset_free(&d);
	dataset_free(NULL);
	settings_free(&s);
}

/* ---------------------------------------------------------- cancelling */

/* A raised cancel flag stops every long step with FT_ECANCELLED, leaving
 * no output behind (the sanitizer build sees any leak) and a dataset being
 * resampled as it was; a flag that is present but not raised changes
 * nothing. */
static void test_cancelled(void **state)
{
	(void)state;
	atomic_int flag;
	atomic_init(&flag, 1);
	const struct ft_progress prog = { .fn = NULL, .ctx = NULL, .cancel = &flag };
	struct settings s;
	settings_init(&s);
	struct ft_err err = {0};

	struct frame *f = mixed_frame();
	struct target_info t;
	assert_int_equal(target_resolve(f, &s, &t, &err), 0);
	struct split sp;
	assert_int_equal(split_stratified(&t, f->nrows, &s, &prog, &sp, &err), -1);
	assert_int_equal(err.code, FT_ECANCELLED);
	assert_null(sp.train);
	assert_int_equal(sp.ntrain + sp.nvalidation + sp.ntest, 0);
	size_t *rows = all_rows(f->nrows);
	ft_err_clear(&err);
	assert_null(recipe_fit(f, &s, &t, rows, f->nrows, &prog, &err));
	assert_int_equal(err.code, FT_ECANCELLED);
	struct recipe *r = recipe_fit(f, &s, &t, rows, f->nrows, NULL, &err);
	assert_non_null(r);
	struct dataset d;
	ft_err_clear(&err);
	assert_int_equal(recipe_apply(r, f, &t, rows, f->nrows, &prog, &d, &err), -1);
	assert_int_equal(err.code, FT_ECANCELLED);
	assert_null(d.X);
	assert_int_equal(d.n, 0);
	recipe_free(r);
	free(rows);
	target_info_free(&t);
	frame_free(f);

	static const char *const methods[] = { "undersample", "oversample", "smote" };
	for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
		char *a = xasprintf("resample.method=%s", methods[k]);
		set_ok(&s, a);
		free(a);
		struct dataset plain, e;
		make_dataset(&plain);
		make_dataset(&e);
		atomic_store(&flag, 1);
		ft_err_clear(&err);
		assert_int_equal(resample_apply(&e, &s, NULL, &prog, &err), -1);
		assert_int_equal(err.code, FT_ECANCELLED);
		assert_int_equal(e.n, plain.n);
		assert_memory_equal(e.X, plain.X, plain.n * plain.nfeatures * sizeof *e.X);
		assert_memory_equal(e.rows, plain.rows, plain.n * sizeof *e.rows);

		atomic_store(&flag, 0);
		assert_int_equal(resample_apply(&plain, &s, NULL, NULL, &err), 0);
		assert_int_equal(resample_apply(&e, &s, NULL, &prog, &err), 0);
		assert_int_equal(e.n, plain.n);
		assert_memory_equal(e.X, plain.X, plain.n * plain.nfeatures * sizeof *e.X);
		assert_memory_equal(e.y, plain.y, plain.n);
		dataset_free(&plain);
		dataset_free(&e);
	}
	settings_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_detection),
		cmocka_unit_test(test_suggest_drops),
		cmocka_unit_test(test_imputation),
		cmocka_unit_test(test_out_of_range_values),
		cmocka_unit_test(test_parse_value),
		cmocka_unit_test(test_median_matches_sort),
		cmocka_unit_test(test_encoders),
		cmocka_unit_test(test_missing_indicators),
		cmocka_unit_test(test_byte_columns),
		cmocka_unit_test(test_datetime_parts),
		cmocka_unit_test(test_drops_recorded),
		cmocka_unit_test(test_apply_row_matches_frame),
		cmocka_unit_test(test_apply_any_order_and_type),
		cmocka_unit_test(test_recipe_json),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_too_few_rows),
		cmocka_unit_test(test_resample_counts),
		cmocka_unit_test(test_undersample_keeps_rows),
		cmocka_unit_test(test_oversample_copies),
		cmocka_unit_test(test_smote_between_neighbours),
		cmocka_unit_test(test_smote_nc),
		cmocka_unit_test(test_time_split),
		cmocka_unit_test(test_class_weight),
		cmocka_unit_test(test_resample_errors_and_seed),
		cmocka_unit_test(test_cancelled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
