/* Metrics against values worked out by hand (and cross-checked with
 * scikit-learn 1.2), curves, and the gate. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-12)

/* 8 rows, threshold 0.5: predictions 1 1 1 1 1 0 0 0 */
static const uint8_t Y8[8] = { 1, 0, 1, 1, 0, 0, 1, 0 };
static const double P8[8] = { 0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.1 };

static void test_basic(void **state)
{
	(void)state;
	struct metrics m;
	metrics_compute(Y8, P8, 8, 0.5, &m);
	assert_int_equal(m.cm.tp, 3);
	assert_int_equal(m.cm.fp, 2);
	assert_int_equal(m.cm.tn, 2);
	assert_int_equal(m.cm.fn, 1);
	assert_int_equal(m.n, 8);
	assert_int_equal(m.positives, 4);
	assert_int_equal(m.negatives, 4);
	NEAR(m.accuracy, 5.0 / 8);
	NEAR(m.baseline, 0.5);
	NEAR(m.precision, 3.0 / 5);
	NEAR(m.recall, 3.0 / 4);
	NEAR(m.specificity, 2.0 / 4);
	NEAR(m.f1, 6.0 / 9);
	NEAR(m.balanced_accuracy, 0.625);
	NEAR(m.mcc, 4.0 / sqrt(240.0));
	/* 11 of the 16 (positive, negative) pairs are ordered right */
	NEAR(m.roc_auc, 11.0 / 16);
	/* precision at each positive's rank: 1/1, 2/3, 3/4, 4/7 */
	NEAR(m.pr_auc, (1.0 + 2.0 / 3 + 3.0 / 4 + 4.0 / 7) / 4);
	double ll = -(log(0.9) + log(0.2) + log(0.7) + log(0.6) + log(0.45) +
		      log(0.6) + log(0.3) + log(0.9)) / 8;
	assert_true(fabs(m.log_loss - ll) < 1e-12);
	assert_true(fabs(m.log_loss - 0.650120704470522) < 1e-12);
}

static void test_ties(void **state)
{
	(void)state;
	struct metrics m;
	/* one tied (positive, negative) pair counts one half */
	const uint8_t y[4] = { 1, 0, 0, 1 };
	const double p[4] = { 0.8, 0.8, 0.2, 0.5 };
	metrics_compute(y, p, 4, 0.5, &m);
	NEAR(m.roc_auc, 2.5 / 4);
	NEAR(m.pr_auc, 0.5 * 0.5 + 0.5 * (2.0 / 3));

	/* all scores equal: a single threshold, whatever the row order */
	const uint8_t y2[4] = { 1, 0, 1, 0 };
	const double p2[4] = { 0.5, 0.5, 0.5, 0.5 };
	metrics_compute(y2, p2, 4, 0.5, &m);
	NEAR(m.roc_auc, 0.5);
	NEAR(m.pr_auc, 0.5);
	const uint8_t y3[4] = { 0, 0, 1, 1 };
	metrics_compute(y3, p2, 4, 0.5, &m);
	NEAR(m.roc_auc, 0.5);
	NEAR(m.pr_auc, 0.5);
}

static void test_no_positives(void **state)
{
	(void)state;
	struct metrics m;
	const uint8_t y[3] = { 0, 0, 0 };
	const double p[3] = { 0.2, 0.7, 0.1 };
	metrics_compute(y, p, 3, 0.5, &m);
	assert_int_equal(m.cm.tp, 0);
	assert_int_equal(m.cm.fp, 1);
	assert_int_equal(m.cm.tn, 2);
	NEAR(m.precision, 0.0);
	NEAR(m.recall, 0.0);
	NEAR(m.f1, 0.0);
	NEAR(m.mcc, 0.0);
	NEAR(m.specificity, 2.0 / 3);
	NEAR(m.balanced_accuracy, 2.0 / 3);   /* only the class present */
	NEAR(m.baseline, 1.0);
	NEAR(m.roc_auc, 0.0);
	NEAR(m.pr_auc, 0.0);
}

static void test_all_negative_predictions(void **state)
{
	(void)state;
	struct metrics m;
	metrics_compute(Y8, P8, 8, 1.1, &m);
	assert_int_equal(m.cm.tp, 0);
	assert_int_equal(m.cm.fp, 0);
	assert_int_equal(m.cm.tn, 4);
	assert_int_equal(m.cm.fn, 4);
	NEAR(m.precision, 0.0);
	NEAR(m.recall, 0.0);
	NEAR(m.f1, 0.0);
	NEAR(m.mcc, 0.0);
	NEAR(m.accuracy, 0.5);
	/* the ranking metrics do not depend on the threshold */
	NEAR(m.roc_auc, 11.0 / 16);
}

static void test_log_loss_clipping(void **state)
{
	(void)state;
	struct metrics m;
	const uint8_t y[2] = { 1, 0 };
	const double right[2] = { 1.0, 0.0 }, wrong[2] = { 0.0, 1.0 };
	metrics_compute(y, right, 2, 0.5, &m);
	assert_true(fabs(m.log_loss - 2.2204460492503136e-16) < 1e-20);
	metrics_compute(y, wrong, 2, 0.5, &m);
	assert_true(fabs(m.log_loss - 36.04365338911715) < 1e-9);
}

static void test_empty(void **state)
{
	(void)state;
	struct metrics m;
	metrics_compute(NULL, NULL, 0, 0.5, &m);
	NEAR(m.accuracy, 0.0);
	NEAR(m.roc_auc, 0.0);
	NEAR(m.log_loss, 0.0);
}

static void test_roc_curve(void **state)
{
	(void)state;
	struct curve c;
	metrics_roc_curve(Y8, P8, 8, &c);
	const double fpr[] = { 0, 0, 0.25, 0.25, 0.75, 0.75, 1 };
	const double tpr[] = { 0, 0.25, 0.25, 0.75, 0.75, 1, 1 };
	const double thr[] = { 1.9, 0.9, 0.8, 0.6, 0.4, 0.3, 0.1 };
	assert_int_equal(c.n, 7);
	for (size_t k = 0; k < 7; k++) {
		NEAR(c.x[k], fpr[k]);
		NEAR(c.y[k], tpr[k]);
		NEAR(c.threshold[k], thr[k]);
	}
	curve_free(&c);

	const uint8_t y[4] = { 1, 0, 0, 1 };
	const double p[4] = { 0.8, 0.8, 0.2, 0.5 };
	metrics_roc_curve(y, p, 4, &c);
	const double fpr2[] = { 0, 0.5, 0.5, 1 }, tpr2[] = { 0, 0.5, 1, 1 };
	assert_int_equal(c.n, 4);
	for (size_t k = 0; k < 4; k++) {
		NEAR(c.x[k], fpr2[k]);
		NEAR(c.y[k], tpr2[k]);
	}
	curve_free(&c);
}

static void test_pr_curve(void **state)
{
	(void)state;
	struct curve c;
	metrics_pr_curve(Y8, P8, 8, &c);
	const double prec[] = { 0.5, 4.0 / 7, 0.5, 0.6, 0.75, 2.0 / 3, 0.5, 1, 1 };
	const double rec[] = { 1, 1, 0.75, 0.75, 0.75, 0.5, 0.25, 0.25, 0 };
	const double thr[] = { 0.1, 0.3, 0.4, 0.55, 0.6, 0.7, 0.8, 0.9, 1.9 };
	assert_int_equal(c.n, 9);
	for (size_t k = 0; k < 9; k++) {
		NEAR(c.y[k], prec[k]);
		NEAR(c.x[k], rec[k]);
		NEAR(c.threshold[k], thr[k]);
	}
	curve_free(&c);
}

/* One sort serves the metrics and both curves: the same numbers, to the
 * bit, as the three separate calls; a NULL curve is skipped. Tied scores
 * (0.8) and a run of equal ones (0.5) make curve points merge. */
static void test_evaluate_shares_sort(void **state)
{
	(void)state;
	const uint8_t y[9] = { 1, 0, 0, 1, 1, 0, 1, 0, 0 };
	const double p[9] = { 0.8, 0.8, 0.2, 0.5, 0.5, 0.5, 0.95, 0.1, 0.3 };
	struct metrics a, b;
	struct curve roc, pr, roc2, pr2;
	metrics_evaluate(y, p, 9, 0.5, &a, &roc, &pr);
	metrics_compute(y, p, 9, 0.5, &b);
	metrics_roc_curve(y, p, 9, &roc2);
	metrics_pr_curve(y, p, 9, &pr2);
	assert_memory_equal(&a, &b, sizeof a);
	assert_int_equal(roc.n, roc2.n);
	assert_int_equal(pr.n, pr2.n);
	assert_memory_equal(roc.x, roc2.x, roc.n * sizeof *roc.x);
	assert_memory_equal(roc.y, roc2.y, roc.n * sizeof *roc.y);
	assert_memory_equal(roc.threshold, roc2.threshold, roc.n * sizeof *roc.threshold);
	assert_memory_equal(pr.x, pr2.x, pr.n * sizeof *pr.x);
	assert_memory_equal(pr.y, pr2.y, pr.n * sizeof *pr.y);
	assert_memory_equal(pr.threshold, pr2.threshold, pr.n * sizeof *pr.threshold);
	/* 6 distinct scores: the PR curve has one point each, plus (0, 1) */
	assert_int_equal(pr.n, 7);
	NEAR(pr.threshold[6], 1.95);
	curve_free(&roc);
	curve_free(&pr);
	curve_free(&roc2);
	curve_free(&pr2);
	metrics_evaluate(y, p, 9, 0.5, &a, NULL, NULL);
	assert_memory_equal(&a, &b, sizeof a);
	/* of the 4 x 5 (positive, negative) pairs, 0.95 wins 5, 0.8 wins 4 and
	 * ties 1, each 0.5 wins 3 and ties 1 */
	NEAR(a.roc_auc, (5 + 4.5 + 3.5 + 3.5) / 20.0);
}

/* ROC AUC is the share of (positive, negative) pairs ordered right, ties
 * counting one half: checked pair by pair on scores with few distinct
 * values (a tree's, counted per value) and on all-distinct scores (sorted
 * one by one), with labels from a fixed pseudo-random sequence. */
static double pair_auc(const uint8_t *y, const double *p, size_t n)
{
	double right = 0, pairs = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (y[i] && !y[j]) {
				pairs++;
				right += p[i] > p[j] ? 1.0 : p[i] == p[j] ? 0.5 : 0.0;
			}
	return right / pairs;
}

static void test_auc_few_and_many_scores(void **state)
{
	(void)state;
	enum { N = 6000 };
	uint8_t *y = malloc(N);
	double *few = malloc(N * sizeof *few), *many = malloc(N * sizeof *many);
	uint64_t x = 88172645463325252ULL;
	for (size_t i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		few[i] = (double)(x % 50) / 49.0;
		many[i] = (double)i / N;
		y[i] = (x >> 20) % 100 < 20 + (x % 50);   /* higher scores, more positives */
	}
	struct metrics m;
	metrics_compute(y, few, N, 0.5, &m);
	assert_true(fabs(m.roc_auc - pair_auc(y, few, N)) < 1e-12);
	metrics_compute(y, many, N, 0.5, &m);
	assert_true(fabs(m.roc_auc - pair_auc(y, many, N)) < 1e-12);
	struct curve pr;
	metrics_pr_curve(y, few, N, &pr);
	assert_int_equal(pr.n, 51);   /* 50 distinct scores and the end point */
	curve_free(&pr);
	free(many);
	free(few);
	free(y);
}

static void test_lookup(void **state)
{
	(void)state;
	struct metrics m;
	double v;
	metrics_compute(Y8, P8, 8, 0.5, &m);
	assert_true(metrics_lookup(&m, "recall", &v));
	NEAR(v, 0.75);
	assert_true(metrics_lookup(&m, "fn", &v));
	NEAR(v, 1.0);
	assert_true(metrics_lookup(&m, "baseline", &v));
	NEAR(v, 0.5);
	assert_false(metrics_lookup(&m, "acc", &v));
	size_t k = 0;
	for (const char *const *n = metrics_names(); *n; n++, k++)
		assert_true(metrics_lookup(&m, *n, &v));
	size_t na = 0;
	for (const char *const *a = amount_names(); *a; a++)
		na++;
	assert_int_equal(k, 15 + na);
	assert_false(metrics_higher_is_better("log_loss"));
	assert_false(metrics_higher_is_better("fp"));
	assert_true(metrics_higher_is_better("pr_auc"));
}

static void test_gate_pass_and_fail(void **state)
{
	(void)state;
	struct metrics m;
	struct gate_result g;
	struct ft_err err;
	metrics_compute(Y8, P8, 8, 0.5, &m);

	char acc[] = "accuracy", rec[] = "recall";
	struct gate_condition ok[2] = { { acc, OP_GE, 0.6 }, { rec, OP_GT, 0.7 } };
	assert_int_equal(gate_evaluate(ok, 2, &m, &g, &err), 0);
	assert_true(g.pass);
	assert_int_equal(g.nchecks, 4);
	assert_string_equal(g.checks[0].metric, "accuracy");
	assert_string_equal(g.checks[0].why, "accuracy 0.625 >= 0.6");
	assert_string_equal(g.checks[2].metric, "tp");
	assert_true(g.checks[3].pass);
	gate_result_free(&g);

	struct gate_condition bad[1] = { { acc, OP_GE, 0.85 } };
	assert_int_equal(gate_evaluate(bad, 1, &m, &g, &err), 0);
	assert_false(g.pass);
	assert_false(g.checks[0].pass);
	assert_string_equal(g.checks[0].why, "accuracy 0.625 is not >= 0.85");
	NEAR(g.checks[0].actual, 0.625);
	assert_true(g.checks[1].pass);
	assert_true(g.checks[2].pass);
	gate_result_free(&g);
}

static void test_gate_builtin_checks(void **state)
{
	(void)state;
	struct metrics m;
	struct gate_result g;
	struct ft_err err;

	/* Predicting "legit" everywhere: 99.9% accuracy, no fraud caught. */
	uint8_t y[1000] = { 0 };
	double p[1000] = { 0 };
	y[0] = 1;
	metrics_compute(y, p, 1000, 0.5, &m);
	char name[] = "accuracy";
	struct gate_condition acc = { name, OP_GE, 0.85 };
	assert_int_equal(gate_evaluate(&acc, 1, &m, &g, &err), 0);
	assert_true(g.checks[0].pass);
	assert_false(g.checks[1].pass);
	assert_string_equal(g.checks[1].why, "no fraud caught (TP = 0)");
	assert_false(g.checks[2].pass);
	assert_string_equal(g.checks[2].why,
			    "accuracy 0.999 does not beat the majority baseline 0.999");
	assert_false(g.pass);
	gate_result_free(&g);

	/* No user conditions: the built-in checks still apply. */
	assert_int_equal(gate_evaluate(NULL, 0, &m, &g, &err), 0);
	assert_int_equal(g.nchecks, 2);
	assert_false(g.pass);
	gate_result_free(&g);
}

static void test_gate_unknown_metric(void **state)
{
	(void)state;
	struct metrics m;
	struct gate_result g;
	struct ft_err err;
	metrics_compute(Y8, P8, 8, 0.5, &m);
	char good[] = "accuracy", typo[] = "acuracy";
	struct gate_condition c[2] = { { good, OP_GE, 0.5 }, { typo, OP_GE, 0.5 } };
	assert_int_equal(gate_evaluate(c, 2, &m, &g, &err), -1);
	assert_int_equal(err.code, FT_EINPUT);
	assert_non_null(strstr(err.msg, "gate[1].metric: unknown metric \"acuracy\""));
	assert_null(g.checks);
	gate_result_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_no_positives),
		cmocka_unit_test(test_all_negative_predictions),
		cmocka_unit_test(test_log_loss_clipping),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_roc_curve),
		cmocka_unit_test(test_pr_curve),
		cmocka_unit_test(test_evaluate_shares_sort),
		cmocka_unit_test(test_auc_few_and_many_scores),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_gate_pass_and_fail),
		cmocka_unit_test(test_gate_builtin_checks),
		cmocka_unit_test(test_gate_unknown_metric),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
