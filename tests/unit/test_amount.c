/* The money and alert-rate figures against values worked out by hand:
 * ties at the alert-rate cut, zero alerts, zero frauds, a constant scorer,
 * the least-cost threshold (ties included), the risk curve, and the
 * amount-column guess. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "amount.h"
#include "frame.h"
#include "metrics.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-12)

/* Six rows in three tie blocks: 0.9 {fraud 100, legit 5}, 0.6 {fraud 50,
 * legit 7}, 0.2 {legit 3}, 0.1 {fraud 20}. Fraud amount 170. */
static const uint8_t Y6[6] = { 1, 0, 1, 0, 0, 1 };
static const double S6[6] = { 0.9, 0.9, 0.6, 0.6, 0.2, 0.1 };
static const double A6[6] = { 100, 5, 50, 7, 3, 20 };

static void test_at_threshold(void **state)
{
	(void)state;
	struct amount_costs c = { .alert = 2, .missed = 1, .caught = 0.1 };
	struct amount_metrics m;
	amount_compute(Y6, S6, A6, 6, 0.5, &c, 0.5, &m);
	assert_false(m.unit);
	assert_int_equal(m.alerts, 4);
	NEAR(m.alert_rate, 4.0 / 6.0);
	NEAR(m.fraud_amount, 170);
	NEAR(m.amount_caught, 150);
	NEAR(m.amount_missed, 20);
	NEAR(m.amount_recall, 150.0 / 170.0);
	/* 2 * 4 alerts + 20 missed + 0.1 * 150 caught */
	NEAR(m.cost, 43);
	/* flagging nothing costs 170 */
	NEAR(m.net_savings, 127);
	/* the row order does not matter */
	uint8_t y[6];
	double s[6], a[6];
	for (int i = 0; i < 6; i++) {
		y[i] = Y6[5 - i];
		s[i] = S6[5 - i];
		a[i] = A6[5 - i];
	}
	struct amount_metrics r;
	amount_compute(y, s, a, 6, 0.5, &c, 0.5, &r);
	assert_memory_equal(&m, &r, sizeof m);
}

static void test_alert_rate_ties(void **state)
{
	(void)state;
	struct amount_costs c = { 0, 1, 0 };
	struct amount_metrics m;
	/* k = round(0.25 * 6) = 2: the whole 0.9 block, 1 fraud of 2 */
	amount_compute(Y6, S6, A6, 6, 0.5, &c, 0.25, &m);
	NEAR(m.precision_at_alert_rate, 0.5);
	NEAR(m.recall_at_alert_rate, 1.0 / 3.0);
	/* k = 3: the 0.9 block and one of the two 0.6 rows, taken at random:
	 * 1 + 1 * (1 / 2) frauds expected */
	amount_compute(Y6, S6, A6, 6, 0.5, &c, 0.5, &m);
	NEAR(m.precision_at_alert_rate, 1.5 / 3.0);
	NEAR(m.recall_at_alert_rate, 1.5 / 3.0);
	/* k = 1: half a fraud expected from the top block */
	amount_compute(Y6, S6, A6, 6, 1.0 / 6.0, &c, 1.0 / 6.0, &m);
	NEAR(m.precision_at_alert_rate, 0.5);
	NEAR(m.recall_at_alert_rate, 0.5 / 3.0);
	/* every row: precision is the base rate, recall 1 */
	amount_compute(Y6, S6, A6, 6, 0.5, &c, 1.0, &m);
	NEAR(m.precision_at_alert_rate, 0.5);
	NEAR(m.recall_at_alert_rate, 1.0);
	assert_true(m.at_rate == 1.0);
}

/* One score for every row: the top 1% holds the base rate, never more. */
static void test_constant_scorer(void **state)
{
	(void)state;
	enum { N = 1000, P = 37 };
	uint8_t *y = calloc(N, 1);
	double *s = malloc(N * sizeof *s);
	for (int i = 0; i < N; i++) {
		y[i] = i % 27 == 0 && i / 27 < P;
		s[i] = 0.3;
	}
	struct amount_costs c = { 0, 1, 0 };
	struct amount_metrics m;
	amount_compute(y, s, NULL, N, 0.5, &c, 0.01, &m);
	NEAR(m.precision_at_alert_rate, (double)P / N);
	NEAR(m.recall_at_alert_rate, 0.01);
	for (double rate = 0.05; rate < 1; rate += 0.1) {
		amount_compute(y, s, NULL, N, 0.5, &c, rate, &m);
		NEAR(m.precision_at_alert_rate, (double)P / N);
	}
	free(y);
	free(s);
}

static void test_zero_alerts(void **state)
{
	(void)state;
	struct amount_costs c = { .alert = 3, .missed = 0.8, .caught = 0.1 };
	struct amount_metrics m;
	/* the threshold is above every score; the rate is below one row */
	amount_compute(Y6, S6, A6, 6, 0.95, &c, 0.05, &m);
	assert_int_equal(m.alerts, 0);
	NEAR(m.alert_rate, 0);
	NEAR(m.amount_caught, 0);
	NEAR(m.amount_missed, 170);
	NEAR(m.amount_recall, 0);
	NEAR(m.cost, 0.8 * 170);
	NEAR(m.net_savings, 0);
	NEAR(m.precision_at_alert_rate, 0);
	NEAR(m.recall_at_alert_rate, 0);
	/* no rows at all */
	amount_compute(Y6, S6, A6, 0, 0.5, &c, 0.5, &m);
	assert_int_equal(m.alerts, 0);
	NEAR(m.alert_rate, 0);
	NEAR(m.cost, 0);
	NEAR(m.precision_at_alert_rate, 0);
}

static void test_zero_frauds(void **state)
{
	(void)state;
	const uint8_t y[4] = { 0, 0, 0, 0 };
	const double s[4] = { 0.8, 0.4, 0.4, 0.1 };
	const double a[4] = { 10, 20, 30, 40 };
	struct amount_costs c = { .alert = 1.5, .missed = 1, .caught = 0 };
	struct amount_metrics m;
	amount_compute(y, s, a, 4, 0.3, &c, 0.5, &m);
	assert_int_equal(m.alerts, 3);
	NEAR(m.fraud_amount, 0);
	NEAR(m.amount_caught, 0);
	NEAR(m.amount_missed, 0);
	NEAR(m.amount_recall, 0);
	NEAR(m.cost, 4.5);
	NEAR(m.net_savings, -4.5);
	NEAR(m.precision_at_alert_rate, 0);
	NEAR(m.recall_at_alert_rate, 0);
}

static void test_unit_amounts_and_missing(void **state)
{
	(void)state;
	struct amount_costs c = { 0, 1, 0 };
	struct amount_metrics m;
	amount_compute(Y6, S6, NULL, 6, 0.5, &c, 0.5, &m);
	assert_true(m.unit);
	NEAR(m.amount_caught, 2);   /* the frauds caught */
	NEAR(m.amount_missed, 1);
	NEAR(m.net_savings, 2);
	/* a missing (NAN) or infinite amount counts 0 */
	double a[6];
	memcpy(a, A6, sizeof a);
	a[0] = NAN;
	a[5] = INFINITY;
	amount_compute(Y6, S6, a, 6, 0.5, &c, 0.5, &m);
	NEAR(m.fraud_amount, 50);
	NEAR(m.amount_caught, 50);
	NEAR(m.amount_missed, 0);
}

static void test_min_cost_threshold(void **state)
{
	(void)state;
	struct amount_steps *st = amount_steps_new(Y6, S6, A6, 6);
	double cost;
	/* alert 10: nothing 170; >= 0.9: 20 + 70 + 0.1 * 100 = 100;
	 * >= 0.6: 40 + 20 + 15 = 75; >= 0.2: 85; >= 0.1: 60 + 17 = 77 */
	struct amount_costs c = { .alert = 10, .missed = 1, .caught = 0.1 };
	NEAR(amount_min_cost_threshold(st, &c, &cost), 0.6);
	NEAR(cost, 75);
	/* free alerts: flag everything */
	struct amount_costs free_alerts = { .alert = 0, .missed = 1, .caught = 0 };
	NEAR(amount_min_cost_threshold(st, &free_alerts, &cost), 0.1);
	NEAR(cost, 0);
	/* alerts dearer than any fraud: flag nothing (threshold 1) */
	struct amount_costs dear = { .alert = 1000, .missed = 1, .caught = 0 };
	NEAR(amount_min_cost_threshold(st, &dear, &cost), 1.0);
	NEAR(cost, 170);
	/* alert 25: >= 0.9 and >= 0.6 both cost 120; the higher threshold wins */
	struct amount_costs tie = { .alert = 25, .missed = 1, .caught = 0 };
	NEAR(amount_min_cost_threshold(st, &tie, &cost), 0.9);
	NEAR(cost, 120);
	/* the figures at the chosen threshold give that cost */
	struct amount_metrics m;
	amount_at(st, 0.9, &tie, 0.01, &m);
	NEAR(m.cost, 120);
	amount_steps_free(st);

	/* a score of 1 cannot be left unflagged: the choice stays in [0, 1] */
	const uint8_t y[2] = { 0, 0 };
	const double s[2] = { 1.0, 0.5 };
	st = amount_steps_new(y, s, NULL, 2);
	NEAR(amount_min_cost_threshold(st, &dear, &cost), 1.0);
	NEAR(cost, 1000);
	amount_steps_free(st);
	st = amount_steps_new(y, s, NULL, 0);
	NEAR(amount_min_cost_threshold(st, &dear, &cost), 0.5);
	amount_steps_free(st);
}

static void test_risk_curve(void **state)
{
	(void)state;
	struct amount_steps *st = amount_steps_new(Y6, S6, A6, 6);
	struct amount_risk r;
	amount_risk_curve(st, &r);
	assert_int_equal(r.n, 5);
	const double rate[5] = { 0, 2.0 / 6, 4.0 / 6, 5.0 / 6, 1 };
	const double recall[5] = { 0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1 };
	const double amt[5] = { 0, 100.0 / 170, 150.0 / 170, 150.0 / 170, 1 };
	const double thr[5] = { 1.9, 0.9, 0.6, 0.2, 0.1 };
	for (int i = 0; i < 5; i++) {
		NEAR(r.alert_rate[i], rate[i]);
		NEAR(r.recall[i], recall[i]);
		NEAR(r.amount_recall[i], amt[i]);
		NEAR(r.threshold[i], thr[i]);
	}
	amount_risk_free(&r);
	amount_risk_free(&r);
	amount_steps_free(st);
	amount_steps_free(NULL);
}

/* Many distinct scores (the full sort) and few (counted by value) give
 * what a plain count over the rows gives, -0 and +0 as one score. */
static void brute(const uint8_t *y, const double *s, const double *a, size_t n, double t,
		  uint64_t *alerts, double *caught)
{
	*alerts = 0;
	*caught = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= t) {
			(*alerts)++;
			if (y[i])
				*caught += a[i];
		}
	}
}

static void test_many_and_few_scores(void **state)
{
	(void)state;
	enum { N = 30000 };
	uint8_t *y = malloc(N);
	double *s = malloc(N * sizeof *s), *few = malloc(N * sizeof *few), *a = malloc(N * sizeof *a);
	uint64_t r = 12345;
	for (size_t i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		s[i] = (double)(r >> 11) / 9007199254740992.0;
		few[i] = floor(s[i] * 50) / 50;
		if (i % 1000 == 0)
			few[i] = -0.0;
		y[i] = (r >> 7) % 10 == 0;
		a[i] = (double)((r >> 20) % 1000) / 4;   /* quarters: sums are exact */
	}
	struct amount_costs c = { 1, 1, 0 };
	const double *sets[2] = { s, few };
	for (int k = 0; k < 2; k++) {
		struct amount_steps *st = amount_steps_new(y, sets[k], a, N);
		for (double t = 0; t <= 1.0; t += 0.0625) {
			struct amount_metrics m;
			amount_at(st, t, &c, 0.01, &m);
			uint64_t alerts;
			double caught;
			brute(y, sets[k], a, N, t, &alerts, &caught);
			assert_int_equal(m.alerts, alerts);
			assert_true(m.amount_caught == caught);
		}
		struct amount_risk risk;
		amount_risk_curve(st, &risk);
		/* -0 and 0 are one score: 51 values (0..0.98) plus the origin */
		if (k == 1)
			assert_int_equal(risk.n, 51);
		else
			assert_int_equal(risk.n, N + 1);
		amount_risk_free(&risk);
		amount_steps_free(st);
	}
	free(y);
	free(s);
	free(few);
	free(a);
}

static void test_names_and_lookup(void **state)
{
	(void)state;
	struct metrics m;
	memset(&m, 0, sizeof m);
	struct amount_costs c = { .alert = 2, .missed = 1, .caught = 0.1 };
	metrics_compute(Y6, S6, 6, 0.5, &m);
	metrics_add_amount(&m, Y6, S6, A6, 6, &c, 0.5);
	double v;
	assert_true(metrics_lookup(&m, "net_savings", &v));
	NEAR(v, 127);
	assert_true(metrics_lookup(&m, "alerts", &v));
	NEAR(v, 4);
	assert_true(metrics_lookup(&m, "precision_at_alert_rate", &v));
	NEAR(v, 0.5);
	assert_false(metrics_lookup(&m, "amount", &v));
	/* every amount name is a metric name, once */
	for (const char *const *a = amount_names(); *a; a++) {
		int seen = 0;
		for (const char *const *n = metrics_names(); *n; n++)
			seen += strcmp(*n, *a) == 0;
		assert_int_equal(seen, 1);
		assert_true(metrics_lookup(&m, *a, &v));
	}
	assert_false(metrics_higher_is_better("cost"));
	assert_false(metrics_higher_is_better("alerts"));
	assert_true(metrics_higher_is_better("net_savings"));
	assert_true(metrics_higher_is_better("amount_recall"));

	/* the gate reads them by name */
	struct gate_condition g[2] = {
		{ .metric = (char *)"alerts", .op = OP_LE, .value = 3 },
		{ .metric = (char *)"net_savings", .op = OP_GE, .value = 100 },
	};
	struct gate_result res;
	assert_int_equal(gate_evaluate(g, 2, &m, &res, NULL), 0);
	assert_false(res.checks[0].pass);
	assert_true(res.checks[1].pass);
	gate_result_free(&res);
}

static void guess_case(const char *const *names, const enum col_type *types, size_t n,
		       int skip, int want)
{
	struct frame f;
	memset(&f, 0, sizeof f);
	struct column *cols = calloc(n, sizeof *cols);
	for (size_t i = 0; i < n; i++) {
		cols[i].name = (char *)names[i];
		cols[i].type = types[i];
		cols[i].stats.count = 1;
	}
	f.cols = cols;
	f.ncols = n;
	assert_int_equal(amount_guess_column(&f, skip), want);
	free(cols);
}

static void test_guess_column(void **state)
{
	(void)state;
	const enum col_type num[4] = { COL_NUMERIC, COL_NUMERIC, COL_NUMERIC, COL_NUMERIC };
	const char *const ieee[] = { "TransactionID", "TransactionDT", "TransactionAmt", "isFraud" };
	guess_case(ieee, num, 4, 3, 2);
	const char *const claims[] = { "injury_claim", "total_claim_amount", "amt", "x" };
	guess_case(claims, num, 4, -1, 2);          /* the whole name first */
	guess_case(claims, num, 3, 2, 1);           /* never the skipped column */
	const char *const words[] = { "amountDue", "Amtrak_miles", "charge_AMOUNT", "mean" };
	guess_case(words, num, 4, -1, 2);           /* the last word before any word */
	guess_case(words, num, 2, -1, 0);           /* "Amtrak" is not "amt" */
	const char *const none[] = { "Amtrak", "mount", "amounts", "amt2" };
	guess_case(none, num, 4, -1, -1);
	const enum col_type cat[2] = { COL_CATEGORICAL, COL_NUMERIC };
	const char *const typed[] = { "amount", "price_amt" };
	guess_case(typed, cat, 2, -1, 1);           /* numeric columns only */
	guess_case(typed, cat, 1, -1, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_at_threshold),
		cmocka_unit_test(test_alert_rate_ties),
		cmocka_unit_test(test_constant_scorer),
		cmocka_unit_test(test_zero_alerts),
		cmocka_unit_test(test_zero_frauds),
		cmocka_unit_test(test_unit_amounts_and_missing),
		cmocka_unit_test(test_min_cost_threshold),
		cmocka_unit_test(test_risk_curve),
		cmocka_unit_test(test_many_and_few_scores),
		cmocka_unit_test(test_names_and_lookup),
		cmocka_unit_test(test_guess_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
