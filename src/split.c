/* split: train / validation / test rows, stratified by class or ordered
 * by time.
 *
 * Invariants: every random choice draws from ft_rng seeded by split.seed
 * (equal inputs give equal splits); each list is ascending; a row is in at
 * most one list. */
#include "config.h"
#include "split.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Fails with FT_ECANCELLED; returns -1. */
static int cancelled(struct ft_err *err)
{
	return ft_fail(err, FT_ECANCELLED, "cancelled");
}

void split_free(struct split *sp)
{
	if (!sp)
		return;
	free(sp->train);
	free(sp->validation);
	free(sp->test);
	memset(sp, 0, sizeof *sp);
}

/* Where a class of n rows is cut: rows [0, a) train, [a, b) validation,
 * [b, n) test. */
static void split_cuts(size_t n, double tr, double va, size_t *a, size_t *b)
{
	*a = (size_t)llround((double)n * tr);
	*b = (size_t)llround((double)n * (tr + va));
	if (*a > n)
		*a = n;
	if (*b > n)
		*b = n;
	if (*b < *a)
		*b = *a;
}

/* Each class's rows (ascending) are shuffled, class 0 first, and cut at
 * the train and train + validation shares; the lists then come out in row
 * order from one pass over a split mark per row, no sort needed. A split
 * given a share must get rows of both classes: without them the tree has
 * nothing to learn from, or the metrics and the gate nothing to judge. */
int split_stratified(const struct target_info *t, size_t nrows, const struct settings *s,
		     const struct ft_progress *prog, struct split *out, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	double tr = s->split_train, va = s->split_validation, te = s->split_test;
	if (!(tr >= 0 && va >= 0 && te >= 0) || fabs(tr + va + te - 1.0) > 1e-9)
		return ft_fail(err, FT_EINPUT, "split: train + validation + test must sum to 1");
	if (ft_cancelled(prog))
		return cancelled(err);
	size_t ncls[2] = {0, 0};
	for (size_t i = 0; i < nrows; i++)
		if (t->y[i] <= 1)
			ncls[t->y[i]]++;
	size_t total = ncls[0] + ncls[1];
	if (total == 0)
		return ft_fail(err, FT_EINPUT, "split: no rows with a known target");
	static const char *const split_name[] = { "train", "validation", "test" };
	static const char *const class_name[] = { "non-fraud", "fraud" };
	const double share[] = { tr, va, te };
	for (int k = 1; k >= 0; k--) {
		size_t a, b;
		split_cuts(ncls[k], tr, va, &a, &b);
		const size_t got[] = { a, b - a, ncls[k] - b };
		for (int sp = 0; sp < 3; sp++)
			if (share[sp] > 0 && got[sp] == 0)
				return ft_fail(err, FT_EINPUT,
					       "too few rows: the %s split would have no %s rows "
					       "(%zu %s row%s in all; each split needs at least "
					       "one of each class)", split_name[sp], class_name[k],
					       ncls[k], class_name[k], ncls[k] == 1 ? "" : "s");
	}
	size_t *perm = xmalloc(total * sizeof *perm);
	size_t *cls[2] = { perm, perm + ncls[0] };
	size_t fill[2] = {0, 0};
	for (size_t i = 0; i < nrows; i++)
		if (t->y[i] <= 1)
			cls[t->y[i]][fill[t->y[i]]++] = i;

	enum { MARK_NONE, MARK_TRAIN, MARK_VALIDATION, MARK_TEST };
	uint8_t *mark = xcalloc(nrows, 1);
	struct ft_rng rng;
	rng_seed(&rng, s->split_seed);
	for (int k = 0; k < 2; k++) {
		size_t n = ncls[k];
		if (!rng_shuffle(&rng, cls[k], n, prog)) {
			free(mark);
			free(perm);
			memset(out, 0, sizeof *out);
			return cancelled(err);
		}
		size_t a, b;
		split_cuts(n, tr, va, &a, &b);
		for (size_t i = 0; i < n; i++)
			mark[cls[k][i]] = i < a ? MARK_TRAIN : i < b ? MARK_VALIDATION : MARK_TEST;
		out->ntrain += a;
		out->nvalidation += b - a;
		out->ntest += n - b;
	}
	free(perm);
	if (ft_cancelled(prog)) {
		free(mark);
		memset(out, 0, sizeof *out);
		return cancelled(err);
	}
	out->train = xmalloc(out->ntrain * sizeof *out->train);
	out->validation = xmalloc(out->nvalidation * sizeof *out->validation);
	out->test = xmalloc(out->ntest * sizeof *out->test);
	size_t *list[] = { NULL, out->train, out->validation, out->test };
	size_t got[4] = {0, 0, 0, 0};
	for (size_t i = 0; i < nrows; i++)
		if (mark[i] != MARK_NONE)
			list[mark[i]][got[mark[i]]++] = i;
	free(mark);
	out->time_col = -1;
	return 0;
}

int split_time_column(const struct frame *f, const struct target_info *t,
		      const struct settings *s)
{
	if (s->split_time_column) {
		for (size_t c = 0; c < f->ncols; c++)
			if (!strcmp(f->cols[c].name, s->split_time_column))
				return (int)c;
		return -1;
	}
	for (size_t c = 0; c < f->ncols; c++)
		if (f->cols[c].type == COL_DATETIME && (int)c != t->col &&
		    !settings_is_dropped(s, f->cols[c].name))
			return (int)c;
	return -1;
}

struct timed_row {
	double time;
	size_t row;
};

static int cmp_timed(const void *a, const void *b)
{
	const struct timed_row *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

static int cmp_size_asc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* The first index at or after `at` whose time differs from the one before
 * it (rows of one time stay in one split). */
static size_t past_ties(const struct timed_row *r, size_t n, size_t at)
{
	while (at > 0 && at < n && r[at].time == r[at - 1].time)
		at++;
	return at;
}

int split_frame(const struct frame *f, const struct target_info *t,
		const struct settings *s, const struct ft_progress *prog,
		struct split *out, struct ft_err *err)
{
	if (s->split_method != SPLIT_TIME)
		return split_stratified(t, f->nrows, s, prog, out, err);
	memset(out, 0, sizeof *out);
	double tr = s->split_train, va = s->split_validation, te = s->split_test;
	if (!(tr >= 0 && va >= 0 && te >= 0) || fabs(tr + va + te - 1.0) > 1e-9)
		return ft_fail(err, FT_EINPUT, "split: train + validation + test must sum to 1");
	int col = split_time_column(f, t, s);
	if (col < 0) {
		if (s->split_time_column)
			return ft_fail(err, FT_EINPUT, "split.time_column: no column named \"%s\"",
				       s->split_time_column);
		return ft_fail(err, FT_EINPUT, "split.method: time needs a datetime column, and "
			       "there is none (name one with split.time_column)");
	}
	const struct column *c = &f->cols[col];
	if (c->type == COL_CATEGORICAL || col == t->col)
		return ft_fail(err, FT_EINPUT, "split.time_column: %s is %s, not a datetime or "
			       "numeric column", c->name, col == t->col ? "the target" :
			       "categorical");
	struct timed_row *r = xmalloc((f->nrows ? f->nrows : 1) * sizeof *r);
	size_t n = 0;
	for (size_t i = 0; i < f->nrows; i++) {
		if (t->y[i] > 1)
			continue;
		if (isnan(c->num[i])) {
			out->no_time++;
			continue;
		}
		r[n++] = (struct timed_row){ c->num[i], i };
	}
	if (ft_cancelled(prog)) {
		free(r);
		return cancelled(err);
	}
	qsort(r, n, sizeof *r, cmp_timed);
	double gap = s->split_gap_days * 86400.0;
	size_t cut[3][2];           /* [split][begin, end) into r */
	size_t a = past_ties(r, n, (size_t)llround((double)n * tr));
	if (a > n)
		a = n;
	cut[0][0] = 0;
	cut[0][1] = a;
	/* the gap after train, then validation's share of all the rows */
	size_t vb = a;
	while (vb < n && a > 0 && r[vb].time <= r[a - 1].time + gap)
		vb++;
	out->in_gap += vb - a;
	size_t ve = past_ties(r, n, vb + (size_t)llround((double)n * va));
	if (ve > n)
		ve = n;
	if (va <= 0)
		ve = vb;
	cut[1][0] = vb;
	cut[1][1] = ve;
	size_t tb = ve;
	if (ve > vb)
		while (tb < n && r[tb].time <= r[ve - 1].time + gap)
			tb++;
	out->in_gap += tb - ve;
	cut[2][0] = tb;
	cut[2][1] = te > 0 ? n : tb;
	static const char *const split_name[] = { "train", "validation", "test" };
	const double share[] = { tr, va, te };
	for (int sp = 0; sp < 3; sp++) {
		size_t cls[2] = { 0, 0 };
		for (size_t i = cut[sp][0]; i < cut[sp][1]; i++)
			cls[t->y[r[i].row]]++;
		if (share[sp] > 0 && (cls[0] == 0 || (cls[1] == 0 && sp == 0))) {
			free(r);
			return ft_fail(err, FT_EINPUT, "too few rows: the time split's %s split would "
				       "have no %s rows (%zu rows with a time; split.gap_days %g)",
				       split_name[sp], cls[0] ? "fraud" : "non-fraud", n,
				       s->split_gap_days);
		}
	}
	size_t **lists[3] = { &out->train, &out->validation, &out->test };
	size_t *counts[3] = { &out->ntrain, &out->nvalidation, &out->ntest };
	for (int sp = 0; sp < 3; sp++) {
		size_t m = cut[sp][1] - cut[sp][0];
		size_t *l = xmalloc((m ? m : 1) * sizeof *l);
		for (size_t i = 0; i < m; i++)
			l[i] = r[cut[sp][0] + i].row;
		qsort(l, m, sizeof *l, cmp_size_asc);
		*lists[sp] = l;
		*counts[sp] = m;
		out->from[sp] = m ? r[cut[sp][0]].time : NAN;
		out->to[sp] = m ? r[cut[sp][1] - 1].time : NAN;
	}
	out->time_col = col;
	free(r);
	return 0;
}
