/* metrics: binary classification metrics with scikit-learn's definitions
 * (zero division gives 0), curves, and the registration gate. */
#ifndef FT_METRICS_H
#define FT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amount.h"
#include "settings.h"

struct confusion {
	uint64_t tn, fp, fn, tp;
};

struct metrics {
	struct confusion cm;
	uint64_t n, positives, negatives;
	double threshold;
	double accuracy, baseline;     /* baseline: majority-class accuracy */
	double precision, recall, specificity, f1, balanced_accuracy, mcc;
	double roc_auc, pr_auc, log_loss;
	struct amount_metrics amount;  /* zero until metrics_add_amount */
};

/* y in {0,1}, proba = predicted fraud probability; class = proba >= threshold.
 * Zero denominators give 0; roc_auc and pr_auc (average precision, step
 * sum) are 0 when y has a single class; log_loss clips to [eps, 1 - eps],
 * eps = DBL_EPSILON (scikit-learn 1.2's "auto" for float64). */
void metrics_compute(const uint8_t *y, const double *proba, size_t n,
		     double threshold, struct metrics *m);

/* The ratios made from the confusion matrix (accuracy, precision, recall,
 * specificity, f1, balanced_accuracy, mcc), from m->cm, m->n,
 * m->positives and m->negatives, with metrics_compute's formulas. */
void metrics_rates(struct metrics *m);

/* The money and alert-rate figures (amount.h) of these scores at
 * m->threshold, into m->amount; amount NULL counts every row 1. */
void metrics_add_amount(struct metrics *m, const uint8_t *y, const double *proba,
			const double *amount, size_t n, const struct amount_costs *c,
			double alert_rate);

/* Look a metric up by name ("accuracy", "recall", "pr_auc", "tp", ...).
 * Returns false for an unknown name. */
bool metrics_lookup(const struct metrics *m, const char *name, double *out);
/* Every name metrics_lookup accepts, NULL-terminated. */
const char *const *metrics_names(void);
/* True when a larger value is better (false for log_loss, fp, fn). */
bool metrics_higher_is_better(const char *name);

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
 * from one sort of the scores. */
void metrics_evaluate(const uint8_t *y, const double *proba, size_t n, double threshold,
		      struct metrics *m, struct curve *roc, struct curve *pr);

/* The gate: the user's conditions, plus two that always apply: at least one
 * true positive, and accuracy above the majority baseline. */
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

#endif
