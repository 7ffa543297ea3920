/* amount: money and review-capacity figures of a split, from its scores
 * grouped by distinct value.
 *
 * Definitions (fraudtree-pipeline(5) gives them to the user):
 *  - a row is flagged (an alert) when its score >= the threshold;
 *  - amount_caught / amount_missed: fraud amount flagged / not flagged;
 *    amount_recall = caught / all fraud amount (0 when there is none);
 *  - cost = cost.alert * alerts + cost.missed * amount_missed
 *           + cost.caught * amount_caught;
 *  - net_savings = the cost of flagging nothing (cost.missed * all fraud
 *    amount) - cost, i.e. (missed - caught) * caught amount - alert costs;
 *  - at alert rate r, the k = round(r * rows) highest-scored rows are
 *    reviewed. A tree gives one score per leaf, so the k-th row usually
 *    falls inside a block of tied rows; the rows of that block are taken
 *    in a random order, and the figure is its expectation: every row above
 *    the block, plus (k - rows above) * positives / rows of the block.
 *    A constant scorer thus scores the base rate exactly. precision =
 *    expected frauds / k, recall = expected frauds / all frauds (0 when
 *    k or the frauds are 0).
 * Non-finite amounts (a missing cell) count 0. Nothing here depends on row
 * order. */
#include "config.h"
#include "amount.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "util.h"

struct amount_steps {
	size_t n;                    /* distinct scores */
	size_t rows;
	double *score;               /* decreasing */
	uint64_t *pos, *neg;         /* rows at each score, by class */
	double *amt;                 /* fraud amount at each score */
	uint64_t *cum_rows, *cum_pos;   /* rows, frauds scoring >= score[j] */
	double *cum_amt;                /* fraud amount scoring >= score[j] */
	uint64_t positives;
	double fraud_amount;
	bool unit;                   /* no amounts: every row counted 1 */
};

struct scored_row {
	double s, a;
	uint8_t y;
};

static int by_score_desc(const void *a, const void *b)
{
	double x = ((const struct scored_row *)a)->s, y = ((const struct scored_row *)b)->s;
	return (x < y) - (x > y);
}

/* Prefix sums of the per-score counts, for binary searches. */
static void steps_sums(struct amount_steps *st)
{
	size_t cap = st->n ? st->n : 1;
	st->cum_rows = xmalloc(cap * sizeof *st->cum_rows);
	st->cum_pos = xmalloc(cap * sizeof *st->cum_pos);
	st->cum_amt = xmalloc(cap * sizeof *st->cum_amt);
	uint64_t rows = 0, pos = 0;
	double amt = 0;
	for (size_t j = 0; j < st->n; j++) {
		rows += st->pos[j] + st->neg[j];
		pos += st->pos[j];
		amt += st->amt[j];
		st->cum_rows[j] = rows;
		st->cum_pos[j] = pos;
		st->cum_amt[j] = amt;
	}
}

static void steps_alloc(struct amount_steps *st, size_t cap)
{
	cap = cap ? cap : 1;
	st->score = xmalloc(cap * sizeof *st->score);
	st->pos = xcalloc(cap, sizeof *st->pos);
	st->neg = xcalloc(cap, sizeof *st->neg);
	st->amt = xcalloc(cap, sizeof *st->amt);
}

static double amount_of(const double *amount, size_t i)
{
	double a = amount ? amount[i] : 1.0;
	return isfinite(a) ? a : 0.0;
}

/* A tree's scores take one value per leaf: each value's rows are counted
 * per group (ft_few_groups) and only the distinct values sorted. Gives up
 * (false) past FEW_MAX values, on NaN and on -0, leaving those to the full
 * sort. */
#define FEW_MAX 8192

static bool steps_few(struct amount_steps *st, const uint8_t *y, const double *score,
		      const double *amount, size_t n)
{
	uint32_t *group;
	double *s;
	size_t m = ft_few_groups(score, NULL, n, FEW_MAX, &group, &s, NULL);
	if (m == SIZE_MAX)
		return false;
	steps_alloc(st, m);
	memcpy(st->score, s, m * sizeof *s);
	for (size_t i = 0; i < n; i++) {
		size_t k = group[i];
		if (y[i]) {
			double a = amount_of(amount, i);
			st->pos[k]++;
			st->amt[k] += a;
			st->positives++;
			st->fraud_amount += a;
		} else {
			st->neg[k]++;
		}
	}
	st->n = m;
	free(group);
	free(s);
	return true;
}

struct amount_steps *amount_steps_new(const uint8_t *y, const double *score,
				      const double *amount, size_t n)
{
	struct amount_steps *st = xcalloc(1, sizeof *st);
	st->rows = n;
	st->unit = amount == NULL;
	if (steps_few(st, y, score, amount, n)) {
		steps_sums(st);
		return st;
	}
	st->positives = 0;
	st->fraud_amount = 0;
	struct scored_row *v = xmalloc((n ? n : 1) * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i].s = score[i];
		v[i].a = amount_of(amount, i);
		v[i].y = y[i] ? 1 : 0;
	}
	qsort(v, n, sizeof *v, by_score_desc);
	steps_alloc(st, n);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || v[i].s != v[i - 1].s) {
			st->score[st->n] = v[i].s;
			st->n++;
		}
		size_t k = st->n - 1;
		if (v[i].y) {
			st->pos[k]++;
			st->amt[k] += v[i].a;
			st->positives++;
			st->fraud_amount += v[i].a;
		} else {
			st->neg[k]++;
		}
	}
	free(v);
	steps_sums(st);
	return st;
}

void amount_steps_free(struct amount_steps *st)
{
	if (!st)
		return;
	free(st->score);
	free(st->pos);
	free(st->neg);
	free(st->amt);
	free(st->cum_rows);
	free(st->cum_pos);
	free(st->cum_amt);
	free(st);
}

static double ratio(double a, double b)
{
	return b != 0.0 ? a / b : 0.0;
}

static double cost_of(const struct amount_costs *c, double alerts, double caught,
		      double missed)
{
	return c->alert * alerts + c->missed * missed + c->caught * caught;
}

/* Precision and recall among the k = round(rate * rows) top rows. */
static void at_rate(const struct amount_steps *st, double rate, struct amount_metrics *out)
{
	out->at_rate = rate;
	double k = floor(rate * (double)st->rows + 0.5);
	if (k > (double)st->rows)
		k = (double)st->rows;
	/* the first block that reaches k rows */
	size_t lo = 0, hi = st->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((double)st->cum_rows[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	double frauds = 0;
	if (k > 0 && lo < st->n) {
		double above = lo ? (double)st->cum_rows[lo - 1] : 0;
		double pos_above = lo ? (double)st->cum_pos[lo - 1] : 0;
		double block = (double)(st->pos[lo] + st->neg[lo]);
		frauds = pos_above + (k - above) * (double)st->pos[lo] / block;
	}
	out->precision_at_alert_rate = ratio(frauds, k);
	out->recall_at_alert_rate = ratio(frauds, (double)st->positives);
}

void amount_at(const struct amount_steps *st, double threshold,
	       const struct amount_costs *c, double rate, struct amount_metrics *out)
{
	memset(out, 0, sizeof *out);
	out->unit = st->unit;
	size_t lo = 0, hi = st->n;   /* how many distinct scores are >= threshold */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->score[mid] >= threshold)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint64_t alerts = lo ? st->cum_rows[lo - 1] : 0;
	double caught = lo ? st->cum_amt[lo - 1] : 0;
	out->fraud_amount = st->fraud_amount;
	out->amount_caught = caught;
	out->amount_missed = st->fraud_amount - caught;
	out->amount_recall = ratio(caught, st->fraud_amount);
	out->alerts = alerts;
	out->alert_rate = ratio((double)alerts, (double)st->rows);
	out->cost = cost_of(c, (double)alerts, caught, out->amount_missed);
	out->net_savings = cost_of(c, 0, 0, st->fraud_amount) - out->cost;
	at_rate(st, rate, out);
}

void amount_compute(const uint8_t *y, const double *score, const double *amount, size_t n,
		    double threshold, const struct amount_costs *c, double rate,
		    struct amount_metrics *out)
{
	struct amount_steps *st = amount_steps_new(y, score, amount, n);
	amount_at(st, threshold, c, rate, out);
	amount_steps_free(st);
}

double amount_min_cost_threshold(const struct amount_steps *st, const struct amount_costs *c,
				 double *cost_out)
{
	double best_thr = 0.5, best = INFINITY;
	if (st->n && st->score[0] < 1.0) {
		best_thr = 1.0;
		best = cost_of(c, 0, 0, st->fraud_amount);
	}
	uint64_t alerts = 0;
	double caught = 0;
	for (size_t j = 0; j < st->n; j++) {
		alerts += st->pos[j] + st->neg[j];
		caught += st->amt[j];
		if (!(st->score[j] >= 0.0 && st->score[j] <= 1.0))
			continue;
		double cost = cost_of(c, (double)alerts, caught, st->fraud_amount - caught);
		if (cost < best) {
			best = cost;
			best_thr = st->score[j];
		}
	}
	if (cost_out)
		*cost_out = isfinite(best) ? best : 0.0;
	return best_thr;
}

void amount_risk_curve(const struct amount_steps *st, struct amount_risk *out)
{
	out->n = st->n + 1;
	out->alert_rate = xmalloc(out->n * sizeof *out->alert_rate);
	out->recall = xmalloc(out->n * sizeof *out->recall);
	out->amount_recall = xmalloc(out->n * sizeof *out->amount_recall);
	out->threshold = xmalloc(out->n * sizeof *out->threshold);
	out->alert_rate[0] = out->recall[0] = out->amount_recall[0] = 0.0;
	out->threshold[0] = st->n ? st->score[0] + 1.0 : 1.0;
	uint64_t alerts = 0, tp = 0;
	double caught = 0;
	for (size_t j = 0; j < st->n; j++) {
		alerts += st->pos[j] + st->neg[j];
		tp += st->pos[j];
		caught += st->amt[j];
		out->alert_rate[j + 1] = ratio((double)alerts, (double)st->rows);
		out->recall[j + 1] = ratio((double)tp, (double)st->positives);
		out->amount_recall[j + 1] = ratio(caught, st->fraud_amount);
		out->threshold[j + 1] = st->score[j];
	}
}

void amount_risk_free(struct amount_risk *r)
{
	if (!r)
		return;
	free(r->alert_rate);
	free(r->recall);
	free(r->amount_recall);
	free(r->threshold);
	memset(r, 0, sizeof *r);
}

static const char *const names[] = {
	"amount_caught", "amount_missed", "amount_recall", "alerts", "alert_rate",
	"net_savings", "cost", "precision_at_alert_rate", "recall_at_alert_rate", NULL
};

const char *const *amount_names(void)
{
	return names;
}

bool amount_lookup(const struct amount_metrics *a, const char *name, double *out)
{
	const double v[] = {
		a->amount_caught, a->amount_missed, a->amount_recall, (double)a->alerts,
		a->alert_rate, a->net_savings, a->cost, a->precision_at_alert_rate,
		a->recall_at_alert_rate,
	};
	for (size_t k = 0; names[k]; k++) {
		if (strcmp(names[k], name) == 0) {
			*out = v[k];
			return true;
		}
	}
	return false;
}

bool amount_higher_is_better(const char *name)
{
	static const char *const lower[] = { "cost", "amount_missed", "alerts", "alert_rate" };
	for (size_t i = 0; i < sizeof lower / sizeof lower[0]; i++)
		if (strcmp(name, lower[i]) == 0)
			return false;
	return true;
}

/* How well a column name reads as an amount: 0 the whole name, 1 its last
 * word, 2 another word, 3 not at all. Words split at non-alphanumerics and
 * at a lower-to-upper case change (TransactionAmt). */
static int amount_rank(const char *name)
{
	static const char *const words[] = { "amount", "amt" };
	int rank = 3;
	size_t len = strlen(name);
	size_t i = 0;
	while (i < len) {
		while (i < len && !isalnum((unsigned char)name[i]))
			i++;
		size_t start = i;
		while (i < len && isalnum((unsigned char)name[i]) &&
		       !(i > start && isupper((unsigned char)name[i]) &&
			 islower((unsigned char)name[i - 1])))
			i++;
		size_t wl = i - start;
		if (!wl)
			continue;
		bool last = true;
		for (size_t k = i; k < len; k++)
			if (isalnum((unsigned char)name[k]))
				last = false;
		for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
			if (wl != strlen(words[w]) || strncasecmp(name + start, words[w], wl) != 0)
				continue;
			int r = start == 0 && last ? 0 : last ? 1 : 2;
			if (r < rank)
				rank = r;
		}
	}
	return rank;
}

int amount_guess_column(const struct frame *f, int skip)
{
	int best = -1, best_rank = 3;
	for (size_t j = 0; j < f->ncols; j++) {
		const struct column *c = &f->cols[j];
		if ((int)j == skip || c->type != COL_NUMERIC || c->stats.count == 0)
			continue;
		int r = amount_rank(c->name);
		if (r < best_rank) {
			best_rank = r;
			best = (int)j;
		}
	}
	return best;
}
