/* metrics: binary classification metrics with scikit-learn's definitions
 * (zero division gives 0), curves, and the registration gate. */
#ifndef FT_METRICS_H
#define FT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amount.h"
#include "util.h"

struct confusion {
	uint64_t tn, fp, fn, tp;
};

/* How far a figure could move: a 95% interval and a standard deviation.
 * Proportions (accuracy, baseline, precision, recall, specificity) get
 * Wilson's score interval and sqrt(p(1-p)/n); the other figures the
 * percentile interval and standard deviation of a stratified bootstrap. */
struct metric_interval {
	bool known;
	double standard_deviation, lower, upper;
};

#define METRICS_MAX 32          /* room for every metrics_names() entry */
#define METRICS_RELIABILITY_BINS 10
#define METRICS_CONFIDENCE 0.95
#define METRICS_SIGNIFICANCE 0.05

/* One bin of the reliability table: probabilities in [k/10, (k+1)/10)
 * (the last bin includes 1). */
struct reliability_bin {
	uint64_t n, positives;
	double mean_probability;    /* 0 when n == 0 */
};

/* The report's figures, in metrics_names() order (the money figures of
 * amount.h follow them there); metrics.c's table holds each one's name,
 * field, interval and direction. METRIC_COUNT bounds every loop. */
enum metric_id {
	METRIC_ACCURACY, METRIC_BASELINE, METRIC_PRECISION, METRIC_RECALL,
	METRIC_SPECIFICITY, METRIC_F1, METRIC_BALANCED_ACCURACY, METRIC_MCC,
	METRIC_ROC_AUC, METRIC_PR_AUC, METRIC_LOG_LOSS, METRIC_BRIER,
	METRIC_TP, METRIC_FP, METRIC_TN, METRIC_FN, METRIC_BASELINE_P_VALUE,
	METRIC_COUNT
};

struct metrics {
	struct confusion cm;
	uint64_t n, positives, negatives;
	double threshold;
	double accuracy, baseline;     /* baseline: majority-class accuracy */
	double precision, recall, specificity, f1, balanced_accuracy, mcc;
	double roc_auc, pr_auc, log_loss, brier;
	/* One-sided exact binomial test of "accuracy > baseline": the chance
	 * of at least this many correct rows if each were right with the
	 * baseline's probability. 1 when n == 0. */
	double baseline_p_value;
	double mean_score, mean_probability;   /* over the rows */
	struct reliability_bin reliability[METRICS_RELIABILITY_BINS];
	/* interval[k] belongs to metrics_names()[k]; set by metrics_intervals. */
	struct metric_interval interval[METRICS_MAX];
	size_t bootstrap_resamples;             /* 0: no bootstrap done */
	uint64_t bootstrap_seed;
	struct amount_metrics amount;  /* zero until metrics_add_amount */
};

/* y in {0,1}, proba = predicted fraud probability; class = proba >= threshold.
 * Zero denominators give 0; roc_auc and pr_auc (average precision, step
 * sum) are 0 when y has a single class; log_loss clips to [eps, 1 - eps],
 * eps = DBL_EPSILON (scikit-learn 1.2's "auto" for float64). No intervals
 * (every interval[k].known is false). */
void metrics_compute(const uint8_t *y, const double *proba, size_t n,
		     double threshold, struct metrics *m);

/* The ratios made from the confusion matrix (accuracy, precision, recall,
 * specificity, f1, balanced_accuracy, mcc) and the baseline test, from
 * m->cm, m->n, m->positives and m->negatives, with metrics_compute's
 * formulas. Leaves the intervals alone. */
void metrics_rates(struct metrics *m);

/* The money and alert-rate figures (amount.h) of these scores at
 * m->threshold, into m->amount; amount NULL counts every row 1. */
void metrics_add_amount(struct metrics *m, const uint8_t *y, const double *proba,
			const double *amount, size_t n, const struct amount_costs *c,
			double alert_rate);

/* Look a metric up by name ("accuracy", "recall", "pr_auc", "tp", ...),
 * or one of its interval's parts: "recall.lower", "recall.upper",
 * "recall.standard_deviation". Returns false for an unknown name, and for
 * a part the metric does not have (counts have no interval; a part whose
 * interval was not computed reads false too). */
bool metrics_lookup(const struct metrics *m, const char *name, double *out);
/* Whether name is a metric or a metric's interval part ("f1.lower"),
 * whatever any particular metrics hold. */
bool metrics_name_known(const char *name);
/* Every plain name metrics_lookup accepts, NULL-terminated. */
const char *const *metrics_names(void);
/* The interval parts: "lower", "upper", "standard_deviation", NULL. */
const char *const *metrics_interval_parts(void);
/* True when a larger value is better (false for log_loss, brier, fp, fn,
 * baseline_p_value; for an interval part, that of its metric, except
 * standard_deviation). */
bool metrics_higher_is_better(const char *name);

/* Wilson's score interval for k successes in n at METRICS_CONFIDENCE;
 * n == 0 gives [0, 1] and standard deviation 0. */
void metrics_wilson(uint64_t k, uint64_t n, struct metric_interval *out);
/* P(X >= k) for X ~ Binomial(n, p), exact to rounding (log space). */
double metrics_binomial_tail(uint64_t k, uint64_t n, double p);

/* Points as scikit-learn 1.2 returns them: ROC with drop_intermediate,
 * starting at (0, 0); PR by increasing threshold, ending at (recall 0,
 * precision 1). The point that has no threshold gets max score + 1.
 * Caller frees with curve_free. */
struct curve {
	size_t n;
	double *x, *y, *threshold;   /* ROC: x = fpr, y = tpr; PR: x = recall, y = precision */
};
void metrics_roc_curve(const uint8_t *y, const double *proba, size_t n, struct curve *c);
void metrics_pr_curve(const uint8_t *y, const double *proba, size_t n, struct curve *c);
void curve_free(struct curve *c);

/* metrics_compute, and the ROC and PR curves (each skipped when NULL),
 * from one sort of the scores. score is what the threshold reads and the
 * curves rank by; prob (NULL: score) is the calibrated probability that
 * log loss, Brier score and the reliability table read. */
void metrics_evaluate(const uint8_t *y, const double *score, const double *prob,
		      size_t n, double threshold, struct metrics *m, struct curve *roc,
		      struct curve *pr);

/* Stratified bootstrap of a split's scores: `resamples` resamples, each
 * drawing as many positives and negatives as the split holds, with
 * replacement, from a generator seeded with seed. Rows are grouped by
 * distinct (score, prob) pair first, so a tree's scores cost a few bins.
 * Caller frees with metrics_bootstrap_free. */
struct metrics_bootstrap;
struct metrics_bootstrap *metrics_bootstrap_new(const uint8_t *y, const double *score,
						const double *prob, size_t n,
						size_t resamples, uint64_t seed);
void metrics_bootstrap_free(struct metrics_bootstrap *b);
/* Every interval of m (computed from the same rows at m->threshold):
 * Wilson for the proportions, the bootstrap for the rest. */
void metrics_intervals(const struct metrics_bootstrap *b, struct metrics *m);

/* The gate's comparisons: one name table (metrics.c) feeds parsing and
 * printing; OP_COUNT bounds every loop over it. */
enum cmp_op { OP_GE, OP_GT, OP_LE, OP_LT, OP_EQ, OP_NE, OP_COUNT };
const char *cmp_op_name(enum cmp_op op);           /* ">=", ... ; "?" out of range */
bool cmp_op_parse(const char *s, enum cmp_op *out);
bool cmp_op_eval(enum cmp_op op, double a, double b);

/* One condition of the gate, as the settings hold it. */
struct gate_condition {
	char *metric;        /* a metrics_lookup() name */
	enum cmp_op op;
	double value;
};

/* The gate: the user's conditions, plus two that always apply: at least one
 * true positive, and accuracy significantly above the majority baseline
 * (baseline_p_value < METRICS_SIGNIFICANCE). */
struct gate_check {
	char *metric;        /* owned */
	enum cmp_op op;
	double value, actual;
	bool pass;
	char why[160];       /* "accuracy 0.998 >= 0.85" or "no fraud caught (TP = 0)" */
};
struct gate_result {
	bool pass;
	struct gate_check *checks;   /* user conditions first, then the built-in ones */
	size_t nchecks;
};
/* Returns -1 with err when a condition names an unknown metric. */
int gate_evaluate(const struct gate_condition *conds, size_t n,
		  const struct metrics *m, struct gate_result *out, struct ft_err *err);
void gate_result_free(struct gate_result *g);

/* The gate in files, one writer for both spellings that readers rely on:
 *   GATE_JSON_REPORT    evaluation.json: {"pass", "checks": [{"metric", "op",
 *                       "value", "actual", "pass", "reason"}]}
 *   GATE_JSON_MANIFEST  manifest.json: {"passed", "conditions": [{"metric",
 *                       "op", "value", "actual", "passed", "why"}]}
 * gate_json_new makes the object with no checks, gate_json_add appends one
 * (for a caller that holds checks in another shape), gate_to_json does both
 * for a gate_result; g NULL gives a passed gate with no checks. Numbers are
 * exact (json_num). The caller owns the returned object. */
enum gate_json_form { GATE_JSON_REPORT, GATE_JSON_MANIFEST, GATE_JSON_COUNT };
struct cJSON;
struct cJSON *gate_json_new(bool pass, enum gate_json_form form);
void gate_json_add(struct cJSON *gate, enum gate_json_form form, const char *metric,
		   const char *op, double value, double actual, bool pass, const char *why);
struct cJSON *gate_to_json(const struct gate_result *g, enum gate_json_form form);

#endif
