/* amount: decisions in money and in review capacity. What a threshold
 * costs (alerts to review, fraud amount missed), what it saves, the
 * threshold that costs least, and precision and recall at a fixed share of
 * rows flagged ("the top 1%"), with ties inside a leaf handled as an
 * expectation over a random order. */
#ifndef FT_AMOUNT_H
#define FT_AMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frame;

/* cost.alert: cost of reviewing one alert; cost.missed: share of a missed
 * fraud's amount that is lost; cost.caught: share of a caught fraud's
 * amount still lost. */
struct amount_costs {
	double alert, missed, caught;
};

/* The money figures of one split at one threshold. Without an amount
 * column every fraud row counts 1 (unit is set), so the amounts count
 * frauds. */
struct amount_metrics {
	bool unit;
	double fraud_amount;            /* amount of every fraud row */
	double amount_caught, amount_missed, amount_recall;
	uint64_t alerts;                /* rows flagged (TP + FP) */
	double alert_rate;              /* alerts / rows */
	double net_savings;             /* cost of flagging nothing - cost */
	double cost;                    /* alert * alerts + missed * amount_missed
	                                   + caught * amount_caught */
	double at_rate;                 /* the alert_rate setting */
	double precision_at_alert_rate, recall_at_alert_rate;
};

/* A split's scores grouped by distinct value, highest first, with the
 * positives, negatives and fraud amount at each value. Built once; every
 * threshold is then a binary search. Free with amount_steps_free. */
struct amount_steps;
/* amount NULL: every row counts 1. Non-finite amounts count 0. */
struct amount_steps *amount_steps_new(const uint8_t *y, const double *score,
				      const double *amount, size_t n);
void amount_steps_free(struct amount_steps *st);   /* NULL is a no-op */

/* The figures at `threshold` (a row is flagged when score >= threshold)
 * and at the alert rate `rate` in [0, 1]. */
void amount_at(const struct amount_steps *st, double threshold,
	       const struct amount_costs *c, double rate, struct amount_metrics *out);

/* One pass for callers that score once (the tuning grid). */
void amount_compute(const uint8_t *y, const double *score, const double *amount, size_t n,
		    double threshold, const struct amount_costs *c, double rate,
		    struct amount_metrics *out);

/* The threshold in [0, 1] of least cost: each distinct score (flag it and
 * everything above), and 1 when every score is below 1 and flagging
 * nothing is cheapest there. Equal costs go to the higher threshold
 * (fewer alerts). With no scores, 0.5. */
double amount_min_cost_threshold(const struct amount_steps *st, const struct amount_costs *c,
				 double *cost_out);

/* The risk chart: one point per distinct score, highest first, preceded by
 * (0, 0, 0). Caller frees with amount_risk_free. */
struct amount_risk {
	size_t n;
	double *alert_rate, *recall, *amount_recall, *threshold;
};
void amount_risk_curve(const struct amount_steps *st, struct amount_risk *out);
void amount_risk_free(struct amount_risk *r);

/* Names of the figures (for the gate, tune.objective and reports),
 * NULL-terminated, and their values. */
const char *const *amount_names(void);
bool amount_lookup(const struct amount_metrics *a, const char *name, double *out);
/* False for cost, amount_missed, alerts and alert_rate. */
bool amount_higher_is_better(const char *name);

/* The numeric column named like an amount (amount, amt, TransactionAmt,
 * total_claim_amount: a word of the name is "amount" or "amt", the whole
 * name first, then the last word, then any word; first column on a tie),
 * never `skip`; -1 when none. */
int amount_guess_column(const struct frame *f, int skip);

#endif
