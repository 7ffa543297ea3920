/* test_drift: the PSI formula against hand-computed values, the quantile
 * bins of the reference, and the streaming measurement of files against
 * a model's reference: the training split itself is stable to the last
 * bit, one column changed by hand moves by the PSI computed by hand. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_load.h"
#include "drift.h"
#include "gen.h"
#include "model_fixture.h"
#include "reference.h"

static void test_psi_by_hand(void **state)
{
	(void)state;
	/* (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5)
	 * = 0.25 ln 2 + 0.25 ln 1.5 = 0.25 ln 3 = 0.27465307... */
	double e[2] = { 0.5, 0.5 }, a[2] = { 0.25, 0.75 };
	assert_true(fabs(drift_psi(e, a, 2) - 0.25 * log(3)) < 1e-12);
	assert_true(fabs(drift_psi(e, a, 2) - 0.2746530722) < 1e-9);
	/* Equal shares: 0 exactly. */
	assert_true(drift_psi(e, e, 2) == 0);
	/* An empty bin counts as DRIFT_EPSILON: (0.1 - 1e-4) ln(0.1 / 1e-4)
	 * + (0.9 - 1) ln(0.9). */
	double e2[2] = { 0, 1 }, a2[2] = { 0.1, 0.9 };
	double want = (0.1 - 1e-4) * log(0.1 / 1e-4) + (0.9 - 1) * log(0.9);
	assert_true(fabs(drift_psi(e2, a2, 2) - want) < 1e-12);
	assert_int_equal(drift_level_of(0.0999), DRIFT_STABLE);
	assert_int_equal(drift_level_of(0.1), DRIFT_WATCH);
	assert_int_equal(drift_level_of(0.2499), DRIFT_WATCH);
	assert_int_equal(drift_level_of(0.25), DRIFT_ACT);
}

static void test_bins(void **state)
{
	(void)state;
	struct reference_column c = { 0 };
	double edges[3] = { 1, 2, 5 };
	c.edges = edges;
	c.nedges = 3;
	assert_int_equal(reference_bin(&c, -10), 0);
	assert_int_equal(reference_bin(&c, 1), 0);     /* x <= e[0] */
	assert_int_equal(reference_bin(&c, 1.5), 1);
	assert_int_equal(reference_bin(&c, 2), 1);
	assert_int_equal(reference_bin(&c, 5), 2);
	assert_int_equal(reference_bin(&c, 5.01), 3);
}

static int cmp_num(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Numeric edges are the k/10 order statistics (rank ceil(k m / 10) of the
 * m present values), equal ones merged, one at the maximum dropped; the
 * shares count the rows per bin. Checked against a sort of the values for
 * sizes around multiples of 10, ties, missing cells and a constant column,
 * on rows given in an order of their own (every other row, backwards). */
static void test_numeric_edges(void **state)
{
	(void)state;
	static const size_t sizes[] = { 1, 2, 3, 9, 10, 11, 19, 20, 21, 99, 1001, 5000 };
	const char *path = "test_drift.edges.csv";
	struct ft_rng rng;
	rng_seed(&rng, 4);
	for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
		for (int kind = 0; kind < 3; kind++) {
			size_t n = sizes[si];
			FILE *out = fopen(path, "w");
			assert_non_null(out);
			fprintf(out, "x,y\n");
			for (size_t i = 0; i < 2 * n; i++) {
				uint64_t r = rng_below(&rng, 1000);
				if (kind == 0)
					fprintf(out, "%g,1\n", (double)r / 7.0);
				else if (kind == 1 && r % 5 == 0)
					fprintf(out, ",1\n");
				else
					fprintf(out, "%d,1\n", kind == 1 ? (int)(r % 4) : 3);
			}
			fclose(out);
			struct ft_err err;
			struct csv_options copt = { 0 };
			struct frame *f = csv_load(path, &copt, &err);
			if (!f)
				fail_msg("%s", err.msg);
			size_t *rows = xmalloc(n * sizeof *rows);
			for (size_t i = 0; i < n; i++)
				rows[i] = 2 * (n - 1 - i);
			struct recipe_input in = { .name = (char *)"x", .type = COL_NUMERIC };
			struct recipe r = { .inputs = &in, .ninputs = 1 };
			struct reference *ref = reference_fit(f, &r, rows, n);
			const struct reference_column *c = &ref->cols[0];

			double *v = xmalloc(n * sizeof *v);
			size_t m = 0;
			for (size_t i = 0; i < n; i++)
				if (!isnan(f->cols[0].num[rows[i]]))
					v[m++] = f->cols[0].num[rows[i]];
			qsort(v, m, sizeof *v, cmp_num);
			double want[REFERENCE_BINS];
			size_t nwant = 0;
			for (size_t k = 1; k < REFERENCE_BINS && m; k++) {
				double e = v[(k * m + REFERENCE_BINS - 1) / REFERENCE_BINS - 1];
				if (nwant == 0 || e > want[nwant - 1])
					want[nwant++] = e;
			}
			if (nwant && want[nwant - 1] >= v[m - 1])
				nwant--;
			assert_int_equal(c->nedges, nwant);
			for (size_t k = 0; k < nwant; k++)
				assert_true(c->edges[k] == want[k]);
			double share[REFERENCE_BINS + 1] = { 0 };
			for (size_t i = 0; i < m; i++) {
				size_t b = 0;
				while (b < nwant && v[i] > want[b])
					b++;
				share[b] += 1.0 / (double)n;
			}
			for (size_t k = 0; k <= nwant; k++)
				assert_true(fabs(c->share[k] - share[k]) < 1e-12);
			assert_true(fabs(c->missing - (double)(n - m) / (double)n) < 1e-15);
			free(v);
			reference_free(ref);
			free(rows);
			frame_free(f);
		}
	}
	remove(path);
}

#define DATA "test_drift.data.csv"
#define SPLIT "test_drift.train.csv"

/* The training split's own rows give PSI 0 on every input and on the
 * score (resampled rows are not the data); every card_type set to debit
 * gives the PSI computed by hand from the model's shares. */
static void check_training_rows(const char *const *sets, size_t nsets)
{
	struct trained t;
	trained_fit(&t, DATA, sets, nsets);
	struct ft_err err;
	struct frame *f = t.f;
	struct pipeline_result r = t.r;
	struct model *m = t.m;
	fixture_write_rows(f, DATA, r.split.train, r.split.ntrain, SPLIT, 0, NULL);
	struct drift_report rep;
	if (drift_csv(m, SPLIT, 0, NULL, &rep, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(rep.rows, r.split.ntrain);
	assert_int_equal(rep.train_rows, r.split.ntrain);
	for (size_t i = 0; i < rep.ncols; i++)
		if (rep.cols[i].psi != 0)
			fail_msg("%s: PSI %.17g on the training rows", rep.cols[i].name,
				 rep.cols[i].psi);
	/* the score's shares are sums of leaf shares: equal up to rounding */
	assert_true(rep.score_psi < 1e-12);
	assert_int_equal(rep.worst, DRIFT_STABLE);
	drift_report_free(&rep);

	/* card_type (column 6) all debit: shares 1 for debit, 0 elsewhere */
	fixture_write_rows(f, DATA, r.split.train, r.split.ntrain, SPLIT, 6, "debit");
	if (drift_csv(m, SPLIT, 0, NULL, &rep, &err) < 0)
		fail_msg("%s", err.msg);
	const struct reference_column *rc = NULL;
	size_t at = 0;
	for (size_t i = 0; i < m->reference->ncols; i++)
		if (!strcmp(m->reference->cols[i].name, "card_type")) {
			rc = &m->reference->cols[i];
			at = i;
		}
	if (!rc) {
		fail_msg("the model has no card_type input");
		return;
	}
	double want = 0;
	for (size_t k = 0; k <= rc->ncategories + 1; k++) {
		double e = k < rc->ncategories + 1 ? rc->share[k] : rc->missing;
		double a = k < rc->ncategories && !strcmp(rc->categories[k], "debit") ? 1 : 0;
		e = e > 1e-4 ? e : 1e-4;
		a = a > 1e-4 ? a : 1e-4;
		want += (a - e) * log(a / e);
	}
	assert_true(want > 0.25);
	if (fabs(rep.cols[at].psi - want) > 1e-12)
		fail_msg("card_type: PSI %.17g, by hand %.17g", rep.cols[at].psi, want);
	assert_int_equal(rep.cols[at].level, DRIFT_ACT);
	for (size_t i = 0; i < rep.ncols; i++)
		if (i != at && rep.cols[i].psi != 0)
			fail_msg("%s moved too: PSI %.17g", rep.cols[i].name, rep.cols[i].psi);
	drift_report_free(&rep);
	trained_free(&t);
}

static void test_training_rows(void **state)
{
	(void)state;
	struct gen_options g;
	gen_options_default(&g);
	g.rows = 5000;
	g.seed = 21;
	struct ft_err err;
	if (gen_write_file(&g, DATA, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	check_training_rows(NULL, 0);
	const char *const smote[] = { "resample.method=smote", "tree.max_depth=6" };
	check_training_rows(smote, 2);
	const char *const over[] = { "resample.method=oversample", "encode.default=frequency" };
	check_training_rows(over, 2);
	remove(DATA);
	remove(SPLIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psi_by_hand),
		cmocka_unit_test(test_bins),
		cmocka_unit_test(test_numeric_edges),
		cmocka_unit_test(test_training_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
