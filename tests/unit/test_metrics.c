/* Metrics against values worked out by hand (and cross-checked with
 * scikit-learn 1.2), curves, and the gate. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
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
	metrics_evaluate(y, p, NULL, 9, 0.5, &a, &roc, &pr);
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
	metrics_evaluate(y, p, NULL, 9, 0.5, &a, NULL, NULL);
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
	assert_int_equal(k, 17 + na);
	/* interval parts: known names, readable only once computed */
	assert_true(metrics_name_known("recall.lower"));
	assert_true(metrics_name_known("roc_auc.standard_deviation"));
	assert_false(metrics_name_known("tp.lower"));
	assert_false(metrics_name_known("recall.middle"));
	assert_false(metrics_name_known("recall."));
	assert_false(metrics_name_known(".lower"));
	assert_false(metrics_lookup(&m, "recall.lower", &v));
	metrics_intervals(NULL, &m);
	assert_true(metrics_lookup(&m, "recall.lower", &v));
	assert_true(v < 0.75);
	assert_false(metrics_lookup(&m, "f1.lower", &v));   /* needs the bootstrap */
	assert_false(metrics_higher_is_better("recall.standard_deviation"));
	assert_true(metrics_higher_is_better("recall.lower"));
	assert_false(metrics_higher_is_better("brier"));
	assert_false(metrics_name_known("net_savings.lower"));   /* sums: no interval */
	assert_true(metrics_name_known("net_savings"));
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
	assert_int_equal(g.nchecks, 4);
	assert_string_equal(g.checks[0].metric, "accuracy");
	assert_string_equal(g.checks[0].why, "accuracy 0.625 >= 0.6");
	assert_true(g.checks[0].pass && g.checks[1].pass);
	assert_string_equal(g.checks[2].metric, "tp");
	assert_true(g.checks[2].pass);
	/* 5 of 8 right against a 0.5 baseline is chance (p = 0.36): no pass */
	assert_false(g.checks[3].pass);
	assert_false(g.pass);
	gate_result_free(&g);

	struct gate_condition bad[1] = { { acc, OP_GE, 0.85 } };
	assert_int_equal(gate_evaluate(bad, 1, &m, &g, &err), 0);
	assert_false(g.pass);
	assert_false(g.checks[0].pass);
	assert_string_equal(g.checks[0].why, "accuracy 0.625 is not >= 0.85");
	NEAR(g.checks[0].actual, 0.625);
	assert_true(g.checks[1].pass);
	assert_false(g.checks[2].pass);
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
			    "accuracy 0.999 does not beat the majority baseline 0.999 significantly "
			    "(one-sided binomial p = 0.74, needs < 0.05)");
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

/* Against statsmodels 0.13's proportion_confint(method="wilson"). */
static void test_wilson(void **state)
{
	(void)state;
	static const struct { uint64_t k, n; double lo, hi; } cases[] = {
		{ 47, 66, 0.59362750591353441, 0.80728050020193287 },
		{ 0, 10, 0, 0.27753279986288926 },
		{ 10, 10, 0.72246720013711063, 1 },
		{ 3946, 4000, 0.9824283037500674, 0.98963815792905319 },
		{ 1, 200, 0.00088316871560097966, 0.027773704397892937 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct metric_interval iv;
		metrics_wilson(cases[i].k, cases[i].n, &iv);
		assert_true(iv.known);
		assert_true(fabs(iv.lower - cases[i].lo) < 1e-12);
		assert_true(fabs(iv.upper - cases[i].hi) < 1e-12);
		double p = (double)cases[i].k / (double)cases[i].n;
		assert_true(fabs(iv.standard_deviation - sqrt(p * (1 - p) / (double)cases[i].n)) < 1e-15);
	}
	struct metric_interval none;
	metrics_wilson(0, 0, &none);
	assert_true(none.lower == 0 && none.upper == 1 && none.standard_deviation == 0);
}

/* Against scipy 1.10's binom.sf(k - 1, n, p). */
static void test_binomial_tail(void **state)
{
	(void)state;
	static const struct { uint64_t k, n; double p, want; } cases[] = {
		{ 3946, 4000, 0.9795, 0.00058421312300864655 },
		{ 7, 10, 0.5, 0.171875 },
		{ 190, 200, 0.9, 0.0080712499551027078 },
		{ 0, 5, 0.3, 1 },
		{ 999990, 1000000, 0.99998, 0.010811137202282557 },
		{ 3, 10, 0.5, 0.9453125 },     /* below the mode: 1 - P(X <= 2) */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double got = metrics_binomial_tail(cases[i].k, cases[i].n, cases[i].p);
		assert_true(fabs(got - cases[i].want) <= 1e-9 * cases[i].want);
	}
	assert_true(metrics_binomial_tail(11, 10, 0.5) == 0);
	assert_true(metrics_binomial_tail(10, 10, 1.0) == 1);
	assert_true(metrics_binomial_tail(1, 10, 0.0) == 0);
}

/* The baseline is beaten only significantly: 70 of 100 right against a
 * 0.65 baseline is not enough (p = 0.16), 80 of 100 is (p = 0.0007). */
static void test_baseline_significance(void **state)
{
	(void)state;
	struct metrics m;
	memset(&m, 0, sizeof m);
	m.cm = (struct confusion){ .tn = 60, .fp = 5, .fn = 25, .tp = 10 };
	m.n = 100;
	m.positives = 35;
	m.negatives = 65;
	m.baseline = 0.65;
	metrics_rates(&m);
	assert_true(m.accuracy > m.baseline);
	assert_true(m.baseline_p_value > 0.05);
	struct gate_result g;
	struct ft_err err;
	assert_int_equal(gate_evaluate(NULL, 0, &m, &g, &err), 0);
	assert_false(g.pass);
	assert_string_equal(g.checks[1].metric, "baseline_p_value");
	gate_result_free(&g);
	m.cm = (struct confusion){ .tn = 62, .fp = 3, .fn = 17, .tp = 18 };
	metrics_rates(&m);
	assert_true(m.baseline_p_value < 0.001);
	assert_int_equal(gate_evaluate(NULL, 0, &m, &g, &err), 0);
	assert_true(g.pass);
	gate_result_free(&g);
}

static void fill_scores(uint8_t *y, double *p, size_t n, uint64_t seed)
{
	struct ft_rng rng;
	rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		y[i] = rng_uniform(&rng) < 0.2;
		/* eight distinct scores, informative */
		p[i] = (double)((y[i] ? 3 : 0) + rng_below(&rng, 5)) / 8.0;
	}
}

/* Same rows and seed, same intervals; each interval holds its figure
 * (for this well-behaved sample) and the bootstrap ones are recorded. */
static void test_bootstrap(void **state)
{
	(void)state;
	enum { N = 400 };
	uint8_t y[N];
	double p[N];
	fill_scores(y, p, N, 3);
	struct metrics a, b;
	metrics_compute(y, p, N, 0.5, &a);
	metrics_compute(y, p, N, 0.5, &b);
	struct metrics_bootstrap *ba = metrics_bootstrap_new(y, p, NULL, N, 1000, 42);
	struct metrics_bootstrap *bb = metrics_bootstrap_new(y, p, NULL, N, 1000, 42);
	metrics_intervals(ba, &a);
	metrics_intervals(bb, &b);
	assert_memory_equal(&a, &b, sizeof a);
	assert_int_equal(a.bootstrap_resamples, 1000);
	assert_int_equal(a.bootstrap_seed, 42);
	const char *const checked[] = {
		"accuracy", "precision", "recall", "specificity", "f1", "mcc",
		"balanced_accuracy", "roc_auc", "pr_auc", "log_loss", "brier"
	};
	for (size_t i = 0; i < sizeof checked / sizeof checked[0]; i++) {
		double v, lo, hi, sd;
		char key[64];
		assert_true(metrics_lookup(&a, checked[i], &v));
		snprintf(key, sizeof key, "%s.lower", checked[i]);
		assert_true(metrics_lookup(&a, key, &lo));
		snprintf(key, sizeof key, "%s.upper", checked[i]);
		assert_true(metrics_lookup(&a, key, &hi));
		snprintf(key, sizeof key, "%s.standard_deviation", checked[i]);
		assert_true(metrics_lookup(&a, key, &sd));
		assert_true(lo <= v && v <= hi);
		assert_true(lo < hi && sd > 0);
		/* roughly normal here: the 95% width is about 4 sd */
		assert_true(hi - lo > 2.5 * sd && hi - lo < 5.5 * sd);
	}
	assert_false(metrics_lookup(&a, "tp.lower", &(double){ 0 }));
	/* another seed moves the bootstrap bounds, not the Wilson ones */
	struct metrics_bootstrap *bc = metrics_bootstrap_new(y, p, NULL, N, 1000, 7);
	metrics_intervals(bc, &b);
	assert_true(a.interval[5].lower != b.interval[5].lower ||
		    a.interval[5].upper != b.interval[5].upper);
	assert_true(a.interval[0].lower == b.interval[0].lower);
	metrics_bootstrap_free(ba);
	metrics_bootstrap_free(bb);
	metrics_bootstrap_free(bc);
	metrics_bootstrap_free(NULL);
}

/* The bootstrap draws its counts as chained binomials: each draw stays in
 * [0, n], and over many draws the mean and variance are n p and n p (1 - p)
 * on both the inversion (small n p) and the rejection (large n p) paths. */
static void test_binomial(void **state)
{
	(void)state;
	static const struct { uint64_t n; double p; } cases[] = {
		{ 1, 0.5 }, { 10, 0.03 }, { 40, 0.2 }, { 40, 0.97 }, { 1000, 0.5 },
		{ 2000000, 0.001 }, { 2000000, 0.3 }, { 2000000, 0.9999 }, { 5000000000ull, 0.25 },
	};
	struct ft_rng rng;
	rng_seed(&rng, 11);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		enum { DRAWS = 20000 };
		double n = (double)cases[c].n, p = cases[c].p, sum = 0, ss = 0;
		for (int i = 0; i < DRAWS; i++) {
			uint64_t k = rng_binomial(&rng, cases[c].n, p);
			assert_true(k <= cases[c].n);
			sum += (double)k;
			ss += (double)k * (double)k;
		}
		double mean = sum / DRAWS, var = ss / DRAWS - mean * mean;
		double want = n * p, wvar = n * p * (1 - p);
		/* 5 standard errors of the mean; variance within 10% */
		assert_true(fabs(mean - want) < 5.0 * sqrt(wvar / DRAWS) + 1e-9);
		assert_true(fabs(var - wvar) < 0.1 * wvar + 1e-9);
	}
	assert_int_equal(rng_binomial(&rng, 0, 0.5), 0);
	assert_int_equal(rng_binomial(&rng, 7, 0.0), 0);
	assert_int_equal(rng_binomial(&rng, 7, 1.0), 7);
}

/* A tree's scores take few (score, probability) pairs, which the bootstrap
 * counts in a hash table; a -0 score sends the same rows through the full
 * sort instead (-0 equals +0, so the bins are the same). Both ways must
 * give the same intervals, bit for bit, and so must any row order. */
static void test_bootstrap_bins_either_way(void **state)
{
	(void)state;
	enum { N = 3000, LEVELS = 40 };
	static uint8_t y[N], yr[N];
	static double s[N], pr[N], sr[N], prr[N], sz[N];
	struct ft_rng rng;
	rng_seed(&rng, 9);
	for (size_t i = 0; i < N; i++) {
		s[i] = (double)rng_below(&rng, LEVELS) / LEVELS;
		pr[i] = s[i] * 0.9 + 0.05 + (rng_below(&rng, 2) ? 0.01 : 0.0);
		y[i] = rng_uniform(&rng) < s[i] ? 1 : 0;
	}
	size_t zero = 0;
	while (s[zero] != 0)
		zero++;
	memcpy(sz, s, sizeof sz);
	sz[zero] = -0.0;
	for (size_t i = 0; i < N; i++) {   /* reversed order */
		sr[i] = s[N - 1 - i];
		prr[i] = pr[N - 1 - i];
		yr[i] = y[N - 1 - i];
	}
	struct metrics a, b, c;
	metrics_compute(y, s, N, 0.5, &a);
	b = a;
	c = a;
	struct metrics_bootstrap *ba = metrics_bootstrap_new(y, s, pr, N, 300, 5);
	struct metrics_bootstrap *bb = metrics_bootstrap_new(y, sz, pr, N, 300, 5);
	struct metrics_bootstrap *bc = metrics_bootstrap_new(yr, sr, prr, N, 300, 5);
	metrics_intervals(ba, &a);
	metrics_intervals(bb, &b);
	metrics_intervals(bc, &c);
	assert_true(a.interval[0].known);
	assert_memory_equal(a.interval, b.interval, sizeof a.interval);
	assert_memory_equal(a.interval, c.interval, sizeof a.interval);
	metrics_bootstrap_free(ba);
	metrics_bootstrap_free(bb);
	metrics_bootstrap_free(bc);
}

/* Pearson's chi-square of DRAWS binomial draws against the exact
 * probabilities, over cells of at least 20 expected draws (the tails
 * merged into the end cells), must stay under the 1e-5 upper point of its
 * distribution (Wilson-Hilferty). The cases straddle the switch between
 * inversion and BTRD (n p = 10), the squeeze and the Stirling acceptance
 * (draws more than 15 from the mode), p above 1/2 (drawn for 1 - p) and
 * an n beyond 32 bits. A biased sampler (a hat or a squeeze a little off)
 * moves the statistic far past the bound at this many draws. */
static void test_binomial_chi_square(void **state)
{
	(void)state;
	static const struct { uint64_t n; double p; } cases[] = {
		{ 99, 0.1 }, { 100, 0.1 }, { 20, 0.5 }, { 40, 0.7 }, { 1000, 0.5 },
		{ 300, 0.04 }, { 2000000, 0.001 }, { 2000000, 0.9999 }, { 5000000000ull, 0.25 },
	};
	enum { DRAWS = 200000, CELLS = 4096 };
	static double count[CELLS], want[CELLS];
	struct ft_rng rng;
	rng_seed(&rng, 23);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double n = (double)cases[c].n, p = cases[c].p;
		double mean = n * p, sd = sqrt(n * p * (1 - p));
		/* cells of `width` values cover [lo, lo + CELLS * width), 8 sd
		 * either side of the mean; beyond, the end cells */
		double width = ceil(16 * sd / CELLS), lo = floor(mean - 8 * sd);
		if (lo < 0)
			lo = 0;
		memset(count, 0, sizeof count);
		for (int i = 0; i < DRAWS; i++) {
			uint64_t k = rng_binomial(&rng, cases[c].n, p);
			assert_true(k <= cases[c].n);
			double at = floor(((double)k - lo) / width);
			count[at < 0 ? 0 : at >= CELLS ? CELLS - 1 : (size_t)at]++;
		}
		double total = 0;
		for (size_t k = 0; k < CELLS; k++) {
			want[k] = 0;
			for (double x = lo + (double)k * width; x < lo + (double)(k + 1) * width; x++)
				if (x <= n)
					want[k] += DRAWS * exp(lgamma(n + 1) - lgamma(x + 1) -
							       lgamma(n - x + 1) + x * log(p) +
							       (n - x) * log1p(-p));
			total += want[k];
		}
		/* the mass outside the covered range (both tails, each far
		 * below one draw) goes to the first cell */
		want[0] += DRAWS > total ? DRAWS - total : 0;
		double chi = 0, exp_acc = 0, obs_acc = 0;
		int df = -1;
		for (size_t k = 0; k < CELLS; k++) {
			exp_acc += want[k];
			obs_acc += count[k];
			if (exp_acc >= 20 || k == CELLS - 1) {
				chi += (obs_acc - exp_acc) * (obs_acc - exp_acc) / (exp_acc > 0 ? exp_acc : 1);
				exp_acc = obs_acc = 0;
				df++;
			}
		}
		assert_true(df >= 1);
		double z = 4.26, h = 2.0 / (9.0 * df);
		double bound = df * pow(1 - h + z * sqrt(h), 3);
		if (!(chi < bound))
			fprintf(stderr, "binomial(%g, %g): chi-square %g on %d df, bound %g\n",
				n, p, chi, df, bound);
		assert_true(chi < bound);
	}
}

/* A perfect ranking stays perfect in every stratified resample, and with
 * one class the AUCs are 0 in every resample, never NaN. */
static void test_bootstrap_degenerate(void **state)
{
	(void)state;
	uint8_t y[6] = { 0, 0, 0, 1, 1, 1 };
	double p[6] = { 0.1, 0.2, 0.3, 0.7, 0.8, 0.9 };
	struct metrics m;
	metrics_compute(y, p, 6, 0.5, &m);
	struct metrics_bootstrap *b = metrics_bootstrap_new(y, p, NULL, 6, 200, 1);
	metrics_intervals(b, &m);
	double lo, hi;
	assert_true(metrics_lookup(&m, "roc_auc.lower", &lo) && lo == 1.0);
	assert_true(metrics_lookup(&m, "f1.upper", &hi) && hi == 1.0);
	metrics_bootstrap_free(b);
	uint8_t z[3] = { 0, 0, 0 };
	metrics_compute(z, p, 3, 0.5, &m);
	b = metrics_bootstrap_new(z, p, NULL, 3, 50, 1);
	metrics_intervals(b, &m);
	assert_true(metrics_lookup(&m, "roc_auc.upper", &hi) && hi == 0.0);
	assert_true(metrics_lookup(&m, "recall.upper", &hi) && hi == 1.0);
	metrics_bootstrap_free(b);
	b = metrics_bootstrap_new(NULL, NULL, NULL, 0, 10, 1);
	metrics_compute(NULL, NULL, 0, 0.5, &m);
	metrics_intervals(b, &m);
	metrics_bootstrap_free(b);
}

/* A gate condition on a bound reads the interval; without intervals the
 * condition fails and says why rather than reading 0. */
static void test_gate_on_bounds(void **state)
{
	(void)state;
	struct metrics m;
	struct gate_result g;
	struct ft_err err;
	metrics_compute(Y8, P8, 8, 0.5, &m);
	char lower[] = "recall.lower";
	struct gate_condition c = { lower, OP_GE, 0.5 };
	assert_int_equal(gate_evaluate(&c, 1, &m, &g, &err), 0);
	assert_false(g.checks[0].pass);
	assert_string_equal(g.checks[0].why, "recall.lower is not known (no interval was computed)");
	gate_result_free(&g);
	metrics_intervals(NULL, &m);
	/* recall 3/4: Wilson [0.301, 0.954] */
	assert_int_equal(gate_evaluate(&c, 1, &m, &g, &err), 0);
	assert_false(g.checks[0].pass);
	c.value = 0.3;
	gate_result_free(&g);
	assert_int_equal(gate_evaluate(&c, 1, &m, &g, &err), 0);
	assert_true(g.checks[0].pass);
	gate_result_free(&g);
}

/* Probabilities apart from scores: the threshold and the curves read the
 * score, log loss, Brier score and the reliability table the probability. */
static void test_score_and_probability(void **state)
{
	(void)state;
	uint8_t y[4] = { 0, 1, 0, 1 };
	double score[4] = { 0.2, 0.6, 0.6, 0.9 };
	double prob[4] = { 0.02, 0.1, 0.1, 0.5 };
	struct metrics a, b;
	metrics_evaluate(y, score, prob, 4, 0.5, &a, NULL, NULL);
	metrics_compute(y, score, 4, 0.5, &b);
	assert_int_equal(a.cm.tp, 2);
	assert_int_equal(a.cm.fp, 1);
	assert_true(a.roc_auc == b.roc_auc);
	assert_true(a.log_loss != b.log_loss);
	double brier = (0.02 * 0.02 + 0.9 * 0.9 + 0.1 * 0.1 + 0.5 * 0.5) / 4;
	assert_true(fabs(a.brier - brier) < 1e-15);
	assert_true(fabs(a.mean_probability - 0.18) < 1e-15);
	assert_true(fabs(a.mean_score - 0.575) < 1e-15);
	assert_int_equal(a.reliability[0].n, 1);
	assert_int_equal(a.reliability[1].n, 2);
	assert_int_equal(a.reliability[1].positives, 1);
	assert_int_equal(a.reliability[5].n, 1);
	assert_true(fabs(a.reliability[1].mean_probability - 0.1) < 1e-15);
	double one = 1.0;
	uint8_t pos = 1;
	metrics_evaluate(&pos, &one, &one, 1, 0.5, &a, NULL, NULL);
	assert_int_equal(a.reliability[9].n, 1);
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
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_binomial_tail),
		cmocka_unit_test(test_baseline_significance),
		cmocka_unit_test(test_bootstrap),
		cmocka_unit_test(test_bootstrap_degenerate),
		cmocka_unit_test(test_binomial),
		cmocka_unit_test(test_binomial_chi_square),
		cmocka_unit_test(test_bootstrap_bins_either_way),
		cmocka_unit_test(test_gate_on_bounds),
		cmocka_unit_test(test_score_and_probability),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
