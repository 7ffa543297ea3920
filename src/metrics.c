/* metrics: binary classification metrics with scikit-learn's definitions,
 * ROC and precision-recall curves, and the registration gate.
 *
 * Conventions where sklearn warns or raises instead:
 *  - any ratio with a zero denominator is 0 (sklearn's zero_division=0);
 *  - ROC AUC and PR AUC are 0 when y holds a single class (sklearn raises);
 *  - ROC rates are 0, not NaN, when a class is absent;
 *  - balanced accuracy averages the recall of the classes present in y, as
 *    sklearn does (so it is the specificity when there are no positives);
 *  - log loss clips probabilities to [eps, 1 - eps] with eps the float64
 *    machine epsilon (2.22e-16), sklearn 1.2's eps="auto" for float64.
 * Scores are grouped by equal value before any curve point is made, so
 * tied scores never depend on row order. */
#include "config.h"
#include "metrics.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static double ratio(double a, double b)
{
	return b != 0.0 ? a / b : 0.0;
}

/* sklearn's _binary_clf_curve: distinct scores in decreasing order with
 * the cumulative true and false positives at each. */
struct clf_curve {
	size_t n;
	double *tps, *fps, *thr;
};

struct scored {
	double s;
	uint8_t y;
};

static int cmp_desc(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->s, y = ((const struct scored *)b)->s;
	return (x < y) - (x > y);
}

/* Scores from a tree take few distinct values (one per leaf): counting
 * each value's positives and negatives in a hash table and sorting only
 * the distinct values gives the same curve as sorting every score. Gives
 * up (false) past FEW_MAX distinct values, and on NaN or -0 (a sort
 * groups -0 with +0), leaving those to the full sort. The table stays
 * at most half full. */
#define FEW_MAX 4096

struct few_slot {
	double s;
	uint64_t pos, neg;
	bool used;
};

static int cmp_slot_desc(const void *a, const void *b)
{
	double x = ((const struct few_slot *)a)->s, y = ((const struct few_slot *)b)->s;
	return (x < y) - (x > y);
}

static bool clf_curve_few(const uint8_t *y, const double *proba, size_t n,
			  struct clf_curve *c)
{
	size_t slots = 16;
	while (slots < 2 * n && slots < 2 * FEW_MAX)
		slots *= 2;
	struct few_slot *t = xcalloc(slots, sizeof *t);
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		double v = proba[i];
		if (isnan(v) || (v == 0 && signbit(v))) {
			free(t);
			return false;
		}
		uint64_t bits;
		memcpy(&bits, &v, sizeof bits);
		size_t h = (size_t)((bits * 0x9E3779B97F4A7C15ULL) >> 32) & (slots - 1);
		while (t[h].used && t[h].s != v)
			h = (h + 1) & (slots - 1);
		if (!t[h].used) {
			if (++distinct > slots / 2) {
				free(t);
				return false;
			}
			t[h].used = true;
			t[h].s = v;
		}
		if (y[i])
			t[h].pos++;
		else
			t[h].neg++;
	}
	size_t m = 0;
	for (size_t h = 0; h < slots; h++)
		if (t[h].used)
			t[m++] = t[h];
	qsort(t, m, sizeof *t, cmp_slot_desc);
	c->tps = xmalloc((m ? m : 1) * sizeof *c->tps);
	c->fps = xmalloc((m ? m : 1) * sizeof *c->fps);
	c->thr = xmalloc((m ? m : 1) * sizeof *c->thr);
	c->n = m;
	double tp = 0, fp = 0;
	for (size_t k = 0; k < m; k++) {
		tp += (double)t[k].pos;
		fp += (double)t[k].neg;
		c->tps[k] = tp;
		c->fps[k] = fp;
		c->thr[k] = t[k].s;
	}
	free(t);
	return true;
}

static void clf_curve(const uint8_t *y, const double *proba, size_t n, struct clf_curve *c)
{
	if (clf_curve_few(y, proba, n, c))
		return;
	struct scored *v = xmalloc((n ? n : 1) * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i].s = proba[i];
		v[i].y = y[i] ? 1 : 0;
	}
	qsort(v, n, sizeof *v, cmp_desc);
	c->tps = xmalloc((n ? n : 1) * sizeof *c->tps);
	c->fps = xmalloc((n ? n : 1) * sizeof *c->fps);
	c->thr = xmalloc((n ? n : 1) * sizeof *c->thr);
	c->n = 0;
	double tp = 0, fp = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].y)
			tp++;
		else
			fp++;
		if (i + 1 == n || v[i + 1].s != v[i].s) {
			c->tps[c->n] = tp;
			c->fps[c->n] = fp;
			c->thr[c->n] = v[i].s;
			c->n++;
		}
	}
	free(v);
}

static void clf_curve_free(struct clf_curve *c)
{
	free(c->tps);
	free(c->fps);
	free(c->thr);
}

static double roc_auc(const struct clf_curve *c)
{
	if (c->n == 0 || c->tps[c->n - 1] == 0 || c->fps[c->n - 1] == 0)
		return 0.0;
	double P = c->tps[c->n - 1], N = c->fps[c->n - 1];
	double area = 0, px = 0, py = 0;
	for (size_t k = 0; k < c->n; k++) {
		double x = c->fps[k] / N, y = c->tps[k] / P;
		area += (x - px) * (y + py) / 2.0;
		px = x;
		py = y;
	}
	return area;
}

/* average precision: sum over thresholds of (R_k - R_k-1) * P_k */
static double average_precision(const struct clf_curve *c)
{
	if (c->n == 0 || c->tps[c->n - 1] == 0 || c->fps[c->n - 1] == 0)
		return 0.0;
	double P = c->tps[c->n - 1], ap = 0, prev = 0;
	for (size_t k = 0; k < c->n; k++) {
		double r = c->tps[k] / P;
		ap += (r - prev) * (c->tps[k] / (c->tps[k] + c->fps[k]));
		prev = r;
	}
	return ap;
}

void metrics_rates(struct metrics *m)
{
	const struct confusion *c = &m->cm;
	double tp = (double)c->tp, fp = (double)c->fp, tn = (double)c->tn, fn = (double)c->fn;
	m->accuracy = ratio(tp + tn, (double)m->n);
	m->precision = ratio(tp, tp + fp);
	m->recall = ratio(tp, tp + fn);
	m->specificity = ratio(tn, tn + fp);
	m->f1 = ratio(2 * tp, 2 * tp + fp + fn);
	if (m->positives && m->negatives)
		m->balanced_accuracy = (m->recall + m->specificity) / 2.0;
	else
		m->balanced_accuracy = m->positives ? m->recall : m->specificity;
	double den = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
	m->mcc = den > 0.0 ? (tp * tn - fp * fn) / sqrt(den) : 0.0;
}

/* Everything but the AUCs, which come from the sorted scores. */
static void metrics_counts(const uint8_t *y, const double *proba, size_t n,
			   double threshold, struct metrics *m)
{
	memset(m, 0, sizeof *m);
	m->n = n;
	m->threshold = threshold;
	double loss = 0.0;
	for (size_t i = 0; i < n; i++) {
		bool pos = y[i] != 0, pred = proba[i] >= threshold;
		if (pos && pred)
			m->cm.tp++;
		else if (pos)
			m->cm.fn++;
		else if (pred)
			m->cm.fp++;
		else
			m->cm.tn++;
		double p = proba[i];
		if (!(p >= DBL_EPSILON))
			p = DBL_EPSILON;
		if (p > 1.0 - DBL_EPSILON)
			p = 1.0 - DBL_EPSILON;
		double q = 1.0 - p, s = q + p;
		loss -= log((pos ? p : q) / s);
	}
	m->positives = m->cm.tp + m->cm.fn;
	m->negatives = m->cm.tn + m->cm.fp;
	m->baseline = ratio((double)(m->positives > m->negatives ? m->positives : m->negatives),
			    (double)n);
	metrics_rates(m);
	m->log_loss = n ? loss / (double)n : 0.0;
}

void metrics_compute(const uint8_t *y, const double *proba, size_t n,
		     double threshold, struct metrics *m)
{
	metrics_evaluate(y, proba, n, threshold, m, NULL, NULL);
}

void metrics_add_amount(struct metrics *m, const uint8_t *y, const double *proba,
			const double *amount, size_t n, const struct amount_costs *c,
			double alert_rate)
{
	amount_compute(y, proba, amount, n, m->threshold, c, alert_rate, &m->amount);
}

static const char *const metric_names[] = {
	"accuracy", "baseline", "precision", "recall", "specificity", "f1",
	"balanced_accuracy", "mcc", "roc_auc", "pr_auc", "log_loss",
	"tp", "fp", "tn", "fn", NULL
};

/* metric_names, then amount_names (the money and alert-rate figures),
 * built once: both tables stay the one list of their names. */
#define ALL_NAMES_MAX 64
static const char *all_names[ALL_NAMES_MAX];
static pthread_once_t all_names_once = PTHREAD_ONCE_INIT;

static void all_names_build(void)
{
	size_t n = 0;
	for (size_t k = 0; metric_names[k] && n + 1 < ALL_NAMES_MAX; k++)
		all_names[n++] = metric_names[k];
	for (const char *const *a = amount_names(); *a && n + 1 < ALL_NAMES_MAX; a++)
		all_names[n++] = *a;
	all_names[n] = NULL;
}

const char *const *metrics_names(void)
{
	pthread_once(&all_names_once, all_names_build);
	return all_names;
}

bool metrics_lookup(const struct metrics *m, const char *name, double *out)
{
	const double v[] = {
		m->accuracy, m->baseline, m->precision, m->recall, m->specificity, m->f1,
		m->balanced_accuracy, m->mcc, m->roc_auc, m->pr_auc, m->log_loss,
		(double)m->cm.tp, (double)m->cm.fp, (double)m->cm.tn, (double)m->cm.fn,
	};
	for (size_t k = 0; metric_names[k]; k++) {
		if (strcmp(metric_names[k], name) == 0) {
			*out = v[k];
			return true;
		}
	}
	return amount_lookup(&m->amount, name, out);
}

bool metrics_higher_is_better(const char *name)
{
	return strcmp(name, "log_loss") != 0 && strcmp(name, "fp") != 0 &&
	       strcmp(name, "fn") != 0 && amount_higher_is_better(name);
}

static void curve_alloc(struct curve *c, size_t n)
{
	c->n = n;
	c->x = xmalloc((n ? n : 1) * sizeof *c->x);
	c->y = xmalloc((n ? n : 1) * sizeof *c->y);
	c->threshold = xmalloc((n ? n : 1) * sizeof *c->threshold);
}

/* sklearn's roc_curve(drop_intermediate=True): points on a straight line
 * between their neighbours are dropped; the first point is (0, 0) with
 * threshold max score + 1 (sklearn 1.2). */
static void roc_curve(const struct clf_curve *cc, struct curve *c)
{
	if (cc->n == 0) {
		curve_alloc(c, 0);
		return;
	}
	size_t *keep = xmalloc(cc->n * sizeof *keep), nk = 0;
	for (size_t k = 0; k < cc->n; k++) {
		bool corner = cc->n <= 2 || k == 0 || k + 1 == cc->n ||
			      cc->fps[k + 1] - 2 * cc->fps[k] + cc->fps[k - 1] != 0 ||
			      cc->tps[k + 1] - 2 * cc->tps[k] + cc->tps[k - 1] != 0;
		if (corner)
			keep[nk++] = k;
	}
	double P = cc->tps[cc->n - 1], N = cc->fps[cc->n - 1];
	curve_alloc(c, nk + 1);
	c->x[0] = c->y[0] = 0.0;
	c->threshold[0] = cc->thr[0] + 1.0;
	for (size_t k = 0; k < nk; k++) {
		c->x[k + 1] = ratio(cc->fps[keep[k]], N);
		c->y[k + 1] = ratio(cc->tps[keep[k]], P);
		c->threshold[k + 1] = cc->thr[keep[k]];
	}
	free(keep);
}

/* sklearn 1.2's precision_recall_curve: every distinct score as a
 * threshold, increasing; the last point is (recall 0, precision 1), given
 * threshold max score + 1. */
static void pr_curve(const struct clf_curve *cc, struct curve *c)
{
	if (cc->n == 0) {
		curve_alloc(c, 0);
		return;
	}
	double P = cc->tps[cc->n - 1];
	size_t last = cc->n - 1;
	curve_alloc(c, last + 2);
	for (size_t k = 0; k <= last; k++) {
		size_t s = last - k;
		c->x[k] = ratio(cc->tps[s], P);
		c->y[k] = ratio(cc->tps[s], cc->tps[s] + cc->fps[s]);
		c->threshold[k] = cc->thr[s];
	}
	c->x[last + 1] = 0.0;
	c->y[last + 1] = 1.0;
	c->threshold[last + 1] = cc->thr[0] + 1.0;
}

void metrics_roc_curve(const uint8_t *y, const double *proba, size_t n, struct curve *c)
{
	struct clf_curve cc;
	clf_curve(y, proba, n, &cc);
	roc_curve(&cc, c);
	clf_curve_free(&cc);
}

void metrics_pr_curve(const uint8_t *y, const double *proba, size_t n, struct curve *c)
{
	struct clf_curve cc;
	clf_curve(y, proba, n, &cc);
	pr_curve(&cc, c);
	clf_curve_free(&cc);
}

/* One sort of the scores serves both AUCs and both curves. */
void metrics_evaluate(const uint8_t *y, const double *proba, size_t n, double threshold,
		      struct metrics *m, struct curve *roc, struct curve *pr)
{
	metrics_counts(y, proba, n, threshold, m);
	struct clf_curve cc;
	clf_curve(y, proba, n, &cc);
	m->roc_auc = roc_auc(&cc);
	m->pr_auc = average_precision(&cc);
	if (roc)
		roc_curve(&cc, roc);
	if (pr)
		pr_curve(&cc, pr);
	clf_curve_free(&cc);
}

void curve_free(struct curve *c)
{
	free(c->x);
	free(c->y);
	free(c->threshold);
	memset(c, 0, sizeof *c);
}

static void check_init(struct gate_check *g, const char *metric, enum cmp_op op,
		       double value, double actual)
{
	g->metric = xstrdup(metric);
	g->op = op;
	g->value = value;
	g->actual = actual;
	g->pass = cmp_op_eval(op, actual, value);
}

int gate_evaluate(const struct gate_condition *conds, size_t n,
		  const struct metrics *m, struct gate_result *out, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		double v;
		if (!metrics_lookup(m, conds[i].metric, &v)) {
			struct strbuf known = { 0 };
			const char *const *names = metrics_names();
			for (size_t k = 0; names[k]; k++)
				sb_printf(&known, "%s%s", k ? ", " : "", names[k]);
			ft_fail(err, FT_EINPUT, "gate[%zu].metric: unknown metric \"%s\" (known: %s)",
				i, conds[i].metric, known.data);
			sb_free(&known);
			return -1;
		}
	}
	out->nchecks = n + 2;
	out->checks = xcalloc(out->nchecks, sizeof *out->checks);
	out->pass = true;
	for (size_t i = 0; i < n; i++) {
		struct gate_check *g = &out->checks[i];
		double v = 0;
		metrics_lookup(m, conds[i].metric, &v);
		check_init(g, conds[i].metric, conds[i].op, conds[i].value, v);
		if (g->pass)
			snprintf(g->why, sizeof g->why, "%s %.4g %s %g", g->metric, v,
				 cmp_op_name(g->op), g->value);
		else
			snprintf(g->why, sizeof g->why, "%s %.4g is not %s %g", g->metric, v,
				 cmp_op_name(g->op), g->value);
	}

	struct gate_check *tp = &out->checks[n];
	check_init(tp, "tp", OP_GE, 1, (double)m->cm.tp);
	if (tp->pass)
		snprintf(tp->why, sizeof tp->why, "%" PRIu64 " of %" PRIu64 " frauds caught (TP = %" PRIu64 ")",
			 m->cm.tp, m->positives, m->cm.tp);
	else
		snprintf(tp->why, sizeof tp->why, "no fraud caught (TP = 0)");

	struct gate_check *base = &out->checks[n + 1];
	check_init(base, "accuracy", OP_GT, m->baseline, m->accuracy);
	if (base->pass)
		snprintf(base->why, sizeof base->why, "accuracy %.4g beats the majority baseline %.4g",
			 m->accuracy, m->baseline);
	else
		snprintf(base->why, sizeof base->why,
			 "accuracy %.4g does not beat the majority baseline %.4g",
			 m->accuracy, m->baseline);

	for (size_t i = 0; i < out->nchecks; i++)
		out->pass = out->pass && out->checks[i].pass;
	return 0;
}

void gate_result_free(struct gate_result *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nchecks; i++)
		free(g->checks[i].metric);
	free(g->checks);
	g->checks = NULL;
	g->nchecks = 0;
}
