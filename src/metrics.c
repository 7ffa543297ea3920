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
 * tied scores never depend on row order.
 *
 * Uncertainty: proportions get Wilson's score interval (statsmodels'
 * proportion_confint(method="wilson")); F1, MCC, balanced accuracy, the
 * AUCs, log loss and Brier score a stratified bootstrap (each resample
 * keeps the split's class counts), percentile interval (numpy's linear
 * percentile) and standard deviation with ddof = 1. "Beats the baseline"
 * is a one-sided exact binomial test at METRICS_SIGNIFICANCE: a model
 * whose correct rows are no more than a coin weighted with the baseline
 * would give does not pass, however its accuracy compares.
 *
 * Why one file: the metric table, the formulas, the bootstrap and the gate
 * read the same struct metrics layout and table; it is just over the
 * limit.
 */
#include "config.h"
#include "metrics.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
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
 * each value's positives and negatives per group (ft_few_groups) gives the
 * same curve as sorting every score; false past FEW_MAX distinct values
 * or on NaN or -0, leaving those to the full sort. */
#define FEW_MAX 4096

static bool clf_curve_few(const uint8_t *y, const double *proba, size_t n,
			  struct clf_curve *c)
{
	uint32_t *group;
	size_t m = ft_few_groups(proba, NULL, n, FEW_MAX, &group, &c->thr, NULL);
	if (m == SIZE_MAX)
		return false;
	double *pos = xcalloc(m ? m : 1, sizeof *pos), *neg = xcalloc(m ? m : 1, sizeof *neg);
	for (size_t i = 0; i < n; i++) {
		if (y[i])
			pos[group[i]]++;
		else
			neg[group[i]]++;
	}
	c->tps = xmalloc((m ? m : 1) * sizeof *c->tps);
	c->fps = xmalloc((m ? m : 1) * sizeof *c->fps);
	c->n = m;
	double tp = 0, fp = 0;
	for (size_t k = 0; k < m; k++) {
		tp += pos[k];
		fp += neg[k];
		c->tps[k] = tp;
		c->fps[k] = fp;
	}
	free(pos);
	free(neg);
	free(group);
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
	m->baseline_p_value = m->n ? metrics_binomial_tail(c->tp + c->tn, m->n, m->baseline) : 1.0;
}

/* One row's log loss, clipped as sklearn clips. */
static double row_loss(double p, bool pos)
{
	if (!(p >= DBL_EPSILON))
		p = DBL_EPSILON;
	if (p > 1.0 - DBL_EPSILON)
		p = 1.0 - DBL_EPSILON;
	double q = 1.0 - p, s = q + p;
	return -log((pos ? p : q) / s);
}

static size_t reliability_bin_of(double p)
{
	if (!(p > 0.0))
		return 0;
	size_t k = (size_t)(p * METRICS_RELIABILITY_BINS);
	return k >= METRICS_RELIABILITY_BINS ? METRICS_RELIABILITY_BINS - 1 : k;
}

/* Everything but the AUCs, which come from the sorted scores. */
static void metrics_counts(const uint8_t *y, const double *score, const double *prob,
			   size_t n, double threshold, struct metrics *m)
{
	memset(m, 0, sizeof *m);
	m->n = n;
	m->threshold = threshold;
	double loss = 0.0, brier = 0.0, sum_score = 0.0, sum_prob = 0.0;
	double rel_sum[METRICS_RELIABILITY_BINS] = { 0 };
	for (size_t i = 0; i < n; i++) {
		bool pos = y[i] != 0, pred = score[i] >= threshold;
		if (pos && pred)
			m->cm.tp++;
		else if (pos)
			m->cm.fn++;
		else if (pred)
			m->cm.fp++;
		else
			m->cm.tn++;
		double p = prob[i];
		loss += row_loss(p, pos);
		brier += ((pos ? 1.0 : 0.0) - p) * ((pos ? 1.0 : 0.0) - p);
		sum_score += score[i];
		sum_prob += p;
		size_t b = reliability_bin_of(p);
		m->reliability[b].n++;
		m->reliability[b].positives += pos;
		rel_sum[b] += p;
	}
	for (size_t b = 0; b < METRICS_RELIABILITY_BINS; b++)
		m->reliability[b].mean_probability = ratio(rel_sum[b], (double)m->reliability[b].n);
	m->positives = m->cm.tp + m->cm.fn;
	m->negatives = m->cm.tn + m->cm.fp;
	m->baseline = ratio((double)(m->positives > m->negatives ? m->positives : m->negatives),
			    (double)n);
	metrics_rates(m);
	m->log_loss = n ? loss / (double)n : 0.0;
	m->brier = n ? brier / (double)n : 0.0;
	m->mean_score = n ? sum_score / (double)n : 0.0;
	m->mean_probability = n ? sum_prob / (double)n : 0.0;
}

void metrics_compute(const uint8_t *y, const double *proba, size_t n,
		     double threshold, struct metrics *m)
{
	metrics_evaluate(y, proba, NULL, n, threshold, m, NULL, NULL);
}

void metrics_add_amount(struct metrics *m, const uint8_t *y, const double *proba,
			const double *amount, size_t n, const struct amount_costs *c,
			double alert_rate)
{
	amount_compute(y, proba, amount, n, m->threshold, c, alert_rate, &m->amount);
}

/* The one list of the report's figures: name, where metrics_evaluate puts
 * the value (a double, or a uint64_t count of the confusion matrix),
 * whether it carries an interval, which way is better. */
static const struct metric_def {
	const char *name;
	size_t offset;
	bool count;          /* the value is a uint64_t */
	bool interval;       /* false for the counts and the p-value */
	bool lower_better;
} metric_table[METRIC_COUNT] = {
#define RATE(id, field, lower) \
	[id] = { #field, offsetof(struct metrics, field), false, true, lower }
	RATE(METRIC_ACCURACY, accuracy, false),
	RATE(METRIC_BASELINE, baseline, false),
	RATE(METRIC_PRECISION, precision, false),
	RATE(METRIC_RECALL, recall, false),
	RATE(METRIC_SPECIFICITY, specificity, false),
	RATE(METRIC_F1, f1, false),
	RATE(METRIC_BALANCED_ACCURACY, balanced_accuracy, false),
	RATE(METRIC_MCC, mcc, false),
	RATE(METRIC_ROC_AUC, roc_auc, false),
	RATE(METRIC_PR_AUC, pr_auc, false),
	RATE(METRIC_LOG_LOSS, log_loss, true),
	RATE(METRIC_BRIER, brier, true),
#undef RATE
	[METRIC_TP] = { "tp", offsetof(struct metrics, cm.tp), true, false, false },
	[METRIC_FP] = { "fp", offsetof(struct metrics, cm.fp), true, false, true },
	[METRIC_TN] = { "tn", offsetof(struct metrics, cm.tn), true, false, false },
	[METRIC_FN] = { "fn", offsetof(struct metrics, cm.fn), true, false, true },
	[METRIC_BASELINE_P_VALUE] = { "baseline_p_value", offsetof(struct metrics, baseline_p_value),
				      false, false, true },
};
_Static_assert(METRIC_COUNT <= METRICS_MAX, "METRICS_MAX holds every metric");

static const char *const interval_parts[] = { "lower", "upper", "standard_deviation", NULL };

/* metric_table's names, then amount_names (the money and alert-rate
 * figures), built once: each table stays the one list of its names. */
static const char *all_names[METRICS_MAX + 1];
static pthread_once_t all_names_once = PTHREAD_ONCE_INIT;

static void all_names_build(void)
{
	size_t n = 0;
	for (size_t k = 0; k < METRIC_COUNT; k++)
		all_names[n++] = metric_table[k].name;
	for (const char *const *a = amount_names(); *a && n < METRICS_MAX; a++)
		all_names[n++] = *a;
	all_names[n] = NULL;
}

const char *const *metrics_names(void)
{
	pthread_once(&all_names_once, all_names_build);
	return all_names;
}

const char *const *metrics_interval_parts(void)
{
	return interval_parts;
}

/* Index of name in metrics_names(), the name being the first len bytes;
 * -1 when unknown. */
static int metric_index(const char *name, size_t len)
{
	const char *const *names = metrics_names();
	for (int k = 0; names[k]; k++)
		if (strlen(names[k]) == len && !strncmp(names[k], name, len))
			return k;
	return -1;
}

/* Which figures carry an interval: metric_table says; the money figures
 * (amount.h) are sums over the rows and have none. */
static bool has_interval(int metric)
{
	return metric < METRIC_COUNT && metric_table[metric].interval;
}

/* Splits "recall.lower" into the metric's index and the part's (-1 for
 * a plain name); false when either is unknown. */
static bool parse_name(const char *name, int *metric, int *part)
{
	const char *dot = strchr(name, '.');
	*part = -1;
	*metric = metric_index(name, dot ? (size_t)(dot - name) : strlen(name));
	if (*metric < 0)
		return false;
	if (!dot)
		return true;
	if (!has_interval(*metric))
		return false;
	for (int k = 0; interval_parts[k]; k++)
		if (!strcmp(interval_parts[k], dot + 1))
			*part = k;
	return *part >= 0;
}

bool metrics_name_known(const char *name)
{
	int metric, part;
	return parse_name(name, &metric, &part);
}

bool metrics_lookup(const struct metrics *m, const char *name, double *out)
{
	int metric, part;
	if (!parse_name(name, &metric, &part))
		return false;
	if (part < 0 && metric >= METRIC_COUNT)
		return amount_lookup(&m->amount, name, out);
	if (part < 0) {
		const struct metric_def *d = &metric_table[metric];
		const char *at = (const char *)m + d->offset;
		*out = d->count ? (double)*(const uint64_t *)(const void *)at :
			*(const double *)(const void *)at;
		return true;
	}
	const struct metric_interval *iv = &m->interval[metric];
	if (!iv->known)
		return false;
	*out = part == 0 ? iv->lower : part == 1 ? iv->upper : iv->standard_deviation;
	return true;
}

bool metrics_higher_is_better(const char *name)
{
	int metric, part;
	if (!parse_name(name, &metric, &part))
		return true;
	if (part == 2)
		return false;
	if (metric < METRIC_COUNT)
		return !metric_table[metric].lower_better;
	return amount_higher_is_better(metrics_names()[metric]);
}

/* z for a two-sided METRICS_CONFIDENCE (0.95) interval. */
#define Z95 1.959963984540054

void metrics_wilson(uint64_t k, uint64_t n, struct metric_interval *out)
{
	out->known = true;
	if (n == 0 || k > n) {
		out->standard_deviation = 0.0;
		out->lower = 0.0;
		out->upper = 1.0;
		return;
	}
	double nn = (double)n, p = (double)k / nn, z2 = Z95 * Z95;
	double den = 1.0 + z2 / nn;
	double center = (p + z2 / (2.0 * nn)) / den;
	double half = Z95 / den * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
	out->standard_deviation = sqrt(p * (1.0 - p) / nn);
	out->lower = center - half < 0.0 || k == 0 ? 0.0 : center - half;
	out->upper = center + half > 1.0 || k == n ? 1.0 : center + half;
}

static double log_pmf(uint64_t j, uint64_t n, double lp, double lq, double lnf)
{
	return lnf - lgamma((double)j + 1.0) - lgamma((double)(n - j) + 1.0) +
	       (double)j * lp + (double)(n - j) * lq;
}

/* Terms shrink geometrically away from the mode, so each sum stops once
 * a term no longer changes it. */
double metrics_binomial_tail(uint64_t k, uint64_t n, double p)
{
	if (k == 0)
		return 1.0;
	if (k > n || !(p > 0.0))
		return 0.0;
	if (p >= 1.0)
		return 1.0;
	double lp = log(p), lq = log1p(-p), lnf = lgamma((double)n + 1.0);
	double mode = floor(((double)n + 1.0) * p);
	bool upper = (double)k > mode;
	/* Sum the smaller side directly: the upper tail from k, or the lower
	 * tail below k (then 1 minus it). */
	uint64_t j = upper ? k : k - 1;
	double first = log_pmf(j, n, lp, lq, lnf), sum = 0.0;
	for (;;) {
		double t = exp(log_pmf(j, n, lp, lq, lnf) - first);
		sum += t;
		if (t < sum * 1e-17)
			break;
		if (upper ? j == n : j == 0)
			break;
		j = upper ? j + 1 : j - 1;
	}
	double tail = exp(first + log(sum));
	if (!upper)
		tail = 1.0 - tail;
	return tail < 0.0 ? 0.0 : tail > 1.0 ? 1.0 : tail;
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
void metrics_evaluate(const uint8_t *y, const double *score, const double *prob,
		      size_t n, double threshold, struct metrics *m, struct curve *roc,
		      struct curve *pr)
{
	metrics_counts(y, score, prob ? prob : score, n, threshold, m);
	struct clf_curve cc;
	clf_curve(y, score, n, &cc);
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

/* ---- bootstrap ---------------------------------------------------------
 * A resample is a count per bin and class: bins are the distinct
 * (score, prob) pairs, score decreasing. Drawing a class's rows with
 * replacement and counting them per bin is, in distribution, one
 * multinomial draw of the class's row count over its per-bin counts, so a
 * resample is drawn as a chain of binomials (bin k gets Binomial(rows left,
 * its share of what is left)) and costs a pass over the bins, not one draw
 * per row. Any figure of a resample costs one pass over the bins too.
 * Resamples are kept when they fit in BOOT_KEEP counts, so moving the
 * threshold re-reads them; otherwise they are drawn again from the same
 * seed, giving the same counts. */
#define BOOT_KEEP ((size_t)8 << 20)

struct metrics_bootstrap {
	size_t nbins, resamples;
	uint64_t seed;
	double *score, *prob;            /* per bin */
	uint32_t *hist;                  /* nbins x 2 (neg, pos): the split's rows */
	double *loss;                    /* nbins x 2: a row's log loss in the bin */
	uint64_t npos, nneg;
	uint32_t *kept;                  /* resamples x nbins x 2 (neg, pos), or NULL */
	struct metric_interval fixed[4]; /* roc_auc, pr_auc, log_loss, brier */
};

struct boot_row {
	double score, prob;
	size_t row;
};

static int cmp_boot_row(const void *a, const void *b)
{
	const struct boot_row *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->prob != y->prob)
		return x->prob > y->prob ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* The bins by sorting every row: b->score, prob, hist (room for n bins). */
static void boot_bins_sorted(struct metrics_bootstrap *b, const uint8_t *y,
			     const double *score, const double *prob, size_t n)
{
	struct boot_row *r = xmalloc((n ? n : 1) * sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = (struct boot_row){ score[i], prob[i], i };
	qsort(r, n, sizeof *r, cmp_boot_row);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || r[i].score != r[i - 1].score || r[i].prob != r[i - 1].prob) {
			b->score[b->nbins] = r[i].score;
			b->prob[b->nbins] = r[i].prob;
			b->nbins++;
		}
		b->hist[2 * (b->nbins - 1) + (y[r[i].row] ? 1 : 0)]++;
	}
	free(r);
}

/* The same bins by grouping the rows on their (score, prob) pair
 * (ft_few_groups): a tree's rows take one pair per leaf, so this is a pass
 * over the rows instead of a sort of them. False (nothing set) past
 * FEW_MAX pairs, or on a NaN or -0 (which the sort orders its own way). */
static bool boot_bins_few(struct metrics_bootstrap *b, const uint8_t *y, const double *score,
			  const double *prob, size_t n)
{
	uint32_t *group;
	size_t m = ft_few_groups(score, prob, n, FEW_MAX, &group, &b->score, &b->prob);
	if (m == SIZE_MAX)
		return false;
	b->hist = xcalloc(2 * (m ? m : 1), sizeof *b->hist);
	for (size_t i = 0; i < n; i++)
		b->hist[2 * group[i] + (y[i] ? 1 : 0)]++;
	b->nbins = m;
	free(group);
	return true;
}

/* Multinomial draw of n rows over the bins' counts h (stride 2), into c
 * (same stride); the counts of h sum to n. */
static void boot_class(const struct metrics_bootstrap *b, struct ft_rng *rng,
		       const uint32_t *h, uint64_t n, uint32_t *c)
{
	uint64_t left = n, mass = n;
	for (size_t k = 0; k < b->nbins && left; k++) {
		uint64_t w = h[2 * k];
		if (w == 0)
			continue;
		uint64_t got = w >= mass ? left : rng_binomial(rng, left, (double)w / (double)mass);
		c[2 * k] = (uint32_t)got;
		left -= got;
		mass -= w;
	}
}

/* Draws resample r's counts (the generator carries on from resample r-1). */
static void boot_draw(const struct metrics_bootstrap *b, struct ft_rng *rng, uint32_t *c)
{
	memset(c, 0, 2 * b->nbins * sizeof *c);
	boot_class(b, rng, b->hist, b->nneg, c);
	boot_class(b, rng, b->hist + 1, b->npos, c + 1);
}

/* The threshold-free figures of one resample: AUCs from a curve built on
 * the bins (equal scores merged), log loss and Brier from the bins. */
static void boot_fixed(const struct metrics_bootstrap *b, const uint32_t *c,
		       struct clf_curve *cc, double out[4])
{
	double tp = 0, fp = 0, loss = 0, brier = 0;
	cc->n = 0;
	for (size_t k = 0; k < b->nbins; k++) {
		double neg = c[2 * k], pos = c[2 * k + 1], p = b->prob[k];
		tp += pos;
		fp += neg;
		if (neg)
			loss += neg * b->loss[2 * k];
		if (pos)
			loss += pos * b->loss[2 * k + 1];
		brier += neg * p * p + pos * (1.0 - p) * (1.0 - p);
		if (k + 1 == b->nbins || b->score[k + 1] != b->score[k]) {
			if (cc->n && cc->tps[cc->n - 1] == tp && cc->fps[cc->n - 1] == fp)
				continue;   /* an empty bin adds no point */
			cc->tps[cc->n] = tp;
			cc->fps[cc->n] = fp;
			cc->thr[cc->n] = b->score[k];
			cc->n++;
		}
	}
	double n = tp + fp;
	out[0] = roc_auc(cc);
	out[1] = average_precision(cc);
	out[2] = n ? loss / n : 0.0;
	out[3] = n ? brier / n : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Percentile interval (numpy's linear interpolation) and ddof = 1
 * standard deviation of v[0..n); sorts v. */
static void percentile_interval(double *v, size_t n, struct metric_interval *out)
{
	memset(out, 0, sizeof *out);
	if (n == 0)
		return;
	out->known = true;
	double mean = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		mean += v[i];
	mean /= (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	out->standard_deviation = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
	qsort(v, n, sizeof *v, cmp_double);
	double alpha = (1.0 - METRICS_CONFIDENCE) / 2.0;
	double q[2] = { alpha, 1.0 - alpha };
	for (int s = 0; s < 2; s++) {
		double at = q[s] * (double)(n - 1);
		size_t lo = (size_t)floor(at);
		size_t hi = lo + 1 < n ? lo + 1 : lo;
		double x = v[lo] + (at - (double)lo) * (v[hi] - v[lo]);
		if (s == 0)
			out->lower = x;
		else
			out->upper = x;
	}
}

struct metrics_bootstrap *metrics_bootstrap_new(const uint8_t *y, const double *score,
						const double *prob, size_t n,
						size_t resamples, uint64_t seed)
{
	if (!prob)
		prob = score;
	struct metrics_bootstrap *b = xcalloc(1, sizeof *b);
	b->resamples = resamples;
	b->seed = seed;
	if (!boot_bins_few(b, y, score, prob, n)) {
		b->score = xmalloc((n ? n : 1) * sizeof *b->score);
		b->prob = xmalloc((n ? n : 1) * sizeof *b->prob);
		b->hist = xcalloc(2 * (n ? n : 1), sizeof *b->hist);
		boot_bins_sorted(b, y, score, prob, n);
	}
	b->loss = xmalloc(2 * (b->nbins ? b->nbins : 1) * sizeof *b->loss);
	for (size_t k = 0; k < b->nbins; k++) {
		b->loss[2 * k] = row_loss(b->prob[k], false);
		b->loss[2 * k + 1] = row_loss(b->prob[k], true);
	}
	for (size_t i = 0; i < n; i++) {
		if (y[i])
			b->npos++;
		else
			b->nneg++;
	}

	size_t cells = 2 * (b->nbins ? b->nbins : 1);
	bool keep = resamples && cells <= BOOT_KEEP / resamples;
	if (keep)
		b->kept = xmalloc(resamples * cells * sizeof *b->kept);
	uint32_t *scratch = keep ? NULL : xmalloc(cells * sizeof *scratch);
	struct clf_curve cc = {
		.tps = xmalloc((b->nbins + 1) * sizeof *cc.tps),
		.fps = xmalloc((b->nbins + 1) * sizeof *cc.fps),
		.thr = xmalloc((b->nbins + 1) * sizeof *cc.thr),
	};
	double *v[4];
	for (int f = 0; f < 4; f++)
		v[f] = xmalloc((resamples ? resamples : 1) * sizeof *v[f]);
	struct ft_rng rng;
	rng_seed(&rng, seed);
	for (size_t s = 0; s < resamples; s++) {
		uint32_t *c = keep ? b->kept + s * cells : scratch;
		boot_draw(b, &rng, c);
		double out[4];
		boot_fixed(b, c, &cc, out);
		for (int f = 0; f < 4; f++)
			v[f][s] = out[f];
	}
	for (int f = 0; f < 4; f++) {
		percentile_interval(v[f], resamples, &b->fixed[f]);
		free(v[f]);
	}
	clf_curve_free(&cc);
	free(scratch);
	return b;
}

void metrics_bootstrap_free(struct metrics_bootstrap *b)
{
	if (!b)
		return;
	free(b->score);
	free(b->prob);
	free(b->hist);
	free(b->loss);
	free(b->kept);
	free(b);
}

void metrics_intervals(const struct metrics_bootstrap *b, struct metrics *m)
{
	const struct confusion *cm = &m->cm;
	struct { enum metric_id id; uint64_t k, n; } wilson[] = {
		{ METRIC_ACCURACY, cm->tp + cm->tn, m->n },
		{ METRIC_BASELINE, m->positives > m->negatives ? m->positives : m->negatives, m->n },
		{ METRIC_PRECISION, cm->tp, cm->tp + cm->fp },
		{ METRIC_RECALL, cm->tp, cm->tp + cm->fn },
		{ METRIC_SPECIFICITY, cm->tn, cm->tn + cm->fp },
	};
	for (size_t i = 0; i < sizeof wilson / sizeof wilson[0]; i++)
		metrics_wilson(wilson[i].k, wilson[i].n, &m->interval[wilson[i].id]);
	if (!b || b->resamples == 0)
		return;
	static const enum metric_id fixed[4] = {
		METRIC_ROC_AUC, METRIC_PR_AUC, METRIC_LOG_LOSS, METRIC_BRIER
	};
	for (int f = 0; f < 4; f++)
		m->interval[fixed[f]] = b->fixed[f];

	/* F1, MCC and balanced accuracy at m's threshold. */
	size_t cells = 2 * (b->nbins ? b->nbins : 1), above = 0;
	while (above < b->nbins && b->score[above] >= m->threshold)
		above++;
	uint32_t *scratch = b->kept ? NULL : xmalloc(cells * sizeof *scratch);
	double *v[3];
	for (int f = 0; f < 3; f++)
		v[f] = xmalloc(b->resamples * sizeof *v[f]);
	struct ft_rng rng;
	rng_seed(&rng, b->seed);
	for (size_t s = 0; s < b->resamples; s++) {
		const uint32_t *c = b->kept ? b->kept + s * cells : scratch;
		if (!b->kept)
			boot_draw(b, &rng, scratch);
		struct metrics r;
		memset(&r, 0, sizeof r);
		for (size_t k = 0; k < b->nbins; k++) {
			if (k < above) {
				r.cm.fp += c[2 * k];
				r.cm.tp += c[2 * k + 1];
			} else {
				r.cm.tn += c[2 * k];
				r.cm.fn += c[2 * k + 1];
			}
		}
		r.positives = r.cm.tp + r.cm.fn;
		r.negatives = r.cm.tn + r.cm.fp;
		r.n = r.positives + r.negatives;
		metrics_rates(&r);
		v[0][s] = r.f1;
		v[1][s] = r.mcc;
		v[2][s] = r.balanced_accuracy;
	}
	static const enum metric_id moving[3] = { METRIC_F1, METRIC_MCC, METRIC_BALANCED_ACCURACY };
	for (int f = 0; f < 3; f++) {
		percentile_interval(v[f], b->resamples, &m->interval[moving[f]]);
		free(v[f]);
	}
	free(scratch);
	m->bootstrap_resamples = b->resamples;
	m->bootstrap_seed = b->seed;
}

static const char *const cmp_op_names[OP_COUNT] = {
	[OP_GE] = ">=", [OP_GT] = ">", [OP_LE] = "<=", [OP_LT] = "<", [OP_EQ] = "==", [OP_NE] = "!=",
};

const char *cmp_op_name(enum cmp_op op)
{
	return (unsigned)op < OP_COUNT ? cmp_op_names[op] : "?";
}

bool cmp_op_parse(const char *s, enum cmp_op *out)
{
	for (int op = 0; op < OP_COUNT; op++) {
		if (strcmp(s, cmp_op_names[op]) == 0) {
			*out = (enum cmp_op)op;
			return true;
		}
	}
	return false;
}

bool cmp_op_eval(enum cmp_op op, double a, double b)
{
	switch (op) {
	case OP_GE: return a >= b;
	case OP_GT: return a > b;
	case OP_LE: return a <= b;
	case OP_LT: return a < b;
	case OP_EQ: return a == b;
	case OP_NE: return a != b;
	case OP_COUNT: break;
	}
	return false;
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
		if (!metrics_name_known(conds[i].metric)) {
			struct strbuf known = { 0 };
			const char *const *names = metrics_names();
			for (size_t k = 0; names[k]; k++)
				sb_printf(&known, "%s%s", k ? ", " : "", names[k]);
			sb_printf(&known, "; any but the counts, baseline_p_value and the amount "
				  "figures with .lower, .upper or .standard_deviation");
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
		bool known = metrics_lookup(m, conds[i].metric, &v);
		check_init(g, conds[i].metric, conds[i].op, conds[i].value, v);
		if (!known) {
			g->pass = false;
			snprintf(g->why, sizeof g->why, "%s is not known (no interval was computed)",
				 g->metric);
		} else if (g->pass)
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
	check_init(base, "baseline_p_value", OP_LT, METRICS_SIGNIFICANCE, m->baseline_p_value);
	if (base->pass)
		snprintf(base->why, sizeof base->why,
			 "accuracy %.4g beats the majority baseline %.4g "
			 "(one-sided binomial p = %.2g < %g)",
			 m->accuracy, m->baseline, m->baseline_p_value, METRICS_SIGNIFICANCE);
	else
		snprintf(base->why, sizeof base->why,
			 "accuracy %.4g does not beat the majority baseline %.4g significantly "
			 "(one-sided binomial p = %.2g, needs < %g)",
			 m->accuracy, m->baseline, m->baseline_p_value, METRICS_SIGNIFICANCE);

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

static const struct {
	const char *pass, *checks, *check_pass, *why;
} gate_keys[GATE_JSON_COUNT] = {
	[GATE_JSON_REPORT] = { "pass", "checks", "pass", "reason" },
	[GATE_JSON_MANIFEST] = { "passed", "conditions", "passed", "why" },
};

cJSON *gate_json_new(bool pass, enum gate_json_form form)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, gate_keys[form].pass, pass);
	cJSON_AddArrayToObject(o, gate_keys[form].checks);
	return o;
}

void gate_json_add(cJSON *gate, enum gate_json_form form, const char *metric,
		   const char *op, double value, double actual, bool pass, const char *why)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "metric", metric ? metric : "");
	cJSON_AddStringToObject(e, "op", op);
	json_add_num(e, "value", value);
	json_add_num(e, "actual", actual);
	cJSON_AddBoolToObject(e, gate_keys[form].check_pass, pass);
	cJSON_AddStringToObject(e, gate_keys[form].why, why ? why : "");
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(gate, gate_keys[form].checks), e);
}

cJSON *gate_to_json(const struct gate_result *g, enum gate_json_form form)
{
	cJSON *o = gate_json_new(g ? g->pass : true, form);
	for (size_t i = 0; g && i < g->nchecks; i++) {
		const struct gate_check *c = &g->checks[i];
		gate_json_add(o, form, c->metric, cmp_op_name(c->op), c->value, c->actual,
			      c->pass, c->why);
	}
	return o;
}
