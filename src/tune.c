/* tune: the grid search of the pipeline.
 *
 * The training data is binned once and every grid point fits on those
 * bins. Grid points are independent, so they run in parallel: each worker
 * takes the next point from a shared counter and fits its tree on one
 * thread. The result of point k is written to row k only, and the best row
 * is chosen after every worker has joined, scanning in grid order; the
 * outcome never depends on thread timing. */
#include "config.h"
#include "tune.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "recipe_apply.h"
#include "resample.h"
#include "tree.h"

bool tune_wanted(const struct settings *s)
{
	return s->tune_max_depth.n || s->tune_min_samples_split.n ||
	       s->tune_min_samples_leaf.n;
}

static void set_list(struct int_list *l, const long *v, size_t n)
{
	free(l->v);
	l->v = xmalloc(n * sizeof *l->v);
	memcpy(l->v, v, n * sizeof *v);
	l->n = n;
}

void tune_default_grid(struct settings *s)
{
	static const long depth[] = { 3, 5, 8, 12 }, split[] = { 2, 20, 100 };
	if (tune_wanted(s))
		return;
	set_list(&s->tune_max_depth, depth, sizeof depth / sizeof depth[0]);
	set_list(&s->tune_min_samples_split, split, sizeof split / sizeof split[0]);
}

static size_t dim(const struct int_list *l)
{
	return l->n ? l->n : 1;
}

size_t tune_grid_size(const struct settings *s)
{
	return dim(&s->tune_max_depth) * dim(&s->tune_min_samples_split) *
	       dim(&s->tune_min_samples_leaf);
}

void tune_grid_point(const struct settings *s, size_t k, struct tree_params *p)
{
	size_t nl = dim(&s->tune_min_samples_leaf);
	size_t ns = dim(&s->tune_min_samples_split);
	*p = s->tree;
	if (s->tune_min_samples_leaf.n)
		p->min_samples_leaf = (size_t)s->tune_min_samples_leaf.v[k % nl];
	k /= nl;
	if (s->tune_min_samples_split.n)
		p->min_samples_split = (size_t)s->tune_min_samples_split.v[k % ns];
	k /= ns;
	if (s->tune_max_depth.n)
		p->max_depth = (int)s->tune_max_depth.v[k];
}

struct tune_job {
	const struct tree_bins *train;
	const struct dataset *validation;
	const char *const *names;
	const struct settings *s;
	const struct ft_progress *prog;
	struct tune_row *rows;
	struct ft_err *errs;      /* one per row */
	bool *failed;
	size_t npoints;
	atomic_size_t next, done;
};

static void *tune_worker(void *arg)
{
	struct tune_job *job = arg;
	double *proba = xmalloc((job->validation->n ? job->validation->n : 1) * sizeof *proba);
	double *prob = xmalloc((job->validation->n ? job->validation->n : 1) * sizeof *prob);
	struct ft_progress quiet = {
		.fn = NULL, .ctx = NULL, .cancel = job->prog ? job->prog->cancel : NULL
	};
	for (;;) {
		size_t k = atomic_fetch_add(&job->next, 1);
		if (k >= job->npoints)
			break;
		if (ft_cancelled(job->prog)) {
			ft_fail(&job->errs[k], FT_ECANCELLED, "cancelled");
			job->failed[k] = true;
			continue;
		}
		struct tree_params p;
		tune_grid_point(job->s, k, &p);
		p.threads = 1;
		struct tree *t = tree_fit_binned(job->train, job->names, &p, &quiet,
						 &job->errs[k]);
		if (!t) {
			job->failed[k] = true;
			continue;
		}
		/* Scoring on validation is a pass the tree cannot interrupt. */
		if (ft_cancelled(job->prog)) {
			tree_free(t);
			ft_fail(&job->errs[k], FT_ECANCELLED, "cancelled");
			job->failed[k] = true;
			continue;
		}
		tree_predict_both(t, job->validation, proba, prob);
		tree_free(t);
		struct tune_row *r = &job->rows[k];
		r->max_depth = p.max_depth;
		r->min_samples_split = p.min_samples_split;
		r->min_samples_leaf = p.min_samples_leaf;
		/* what the threshold reads: the score, or the probability */
		const double *decide = job->s->threshold_on == THRESHOLD_ON_PROBABILITY ?
			prob : proba;
		/* threshold = min_cost: each point at its own least costly one */
		double thr = job->s->threshold;
		if (job->s->threshold_min_cost) {
			struct amount_steps *st = amount_steps_new(job->validation->y, decide,
								   job->validation->amount,
								   job->validation->n);
			thr = amount_min_cost_threshold(st, &job->s->cost, NULL);
			amount_steps_free(st);
		}
		metrics_evaluate(job->validation->y, decide, prob, job->validation->n, thr,
				 &r->validation, NULL, NULL);
		metrics_add_amount(&r->validation, job->validation->y, decide,
				   job->validation->amount, job->validation->n, &job->s->cost,
				   job->s->alert_rate);
		if (!metrics_lookup(&r->validation, job->s->tune_objective, &r->score))
			r->score = NAN;
		size_t d = atomic_fetch_add(&job->done, 1) + 1;
		ft_progress_report(job->prog, "tune", d, job->npoints);
	}
	free(proba);
	free(prob);
	return NULL;
}

/* Is a better than b for the objective? NAN is worse than any number. */
static bool better(double a, double b, bool higher)
{
	if (isnan(a))
		return false;
	if (isnan(b))
		return true;
	return higher ? a > b : a < b;
}

int tune_check(const struct settings *s, size_t nvalidation, struct ft_err *err)
{
	size_t npoints = tune_grid_size(s);
	struct metrics probe;
	double unused;
	memset(&probe, 0, sizeof probe);
	if (!s->tune_objective || !metrics_lookup(&probe, s->tune_objective, &unused))
		return ft_fail(err, FT_EINPUT, "tune.objective: unknown metric '%s'",
			       s->tune_objective ? s->tune_objective : "");
	for (size_t k = 0; k < npoints; k++) {
		struct tree_params p;
		tune_grid_point(s, k, &p);
		const char *why = tree_check_params(&p);
		if (why)
			return ft_fail(err, FT_EINPUT,
				       "tune: grid point max_depth=%d min_samples_split=%zu "
				       "min_samples_leaf=%zu: %s",
				       p.max_depth, p.min_samples_split, p.min_samples_leaf, why);
	}
	if (nvalidation == 0)
		return ft_fail(err, FT_EINPUT,
			       "tune: the validation split is empty (split.validation too small)");
	return 0;
}

struct tune_row *tune_grid(const struct dataset *train,
			   const char *const *feature_names,
			   const struct dataset *validation,
			   const struct settings *s, int workers,
			   const struct ft_progress *prog, size_t *nrows,
			   size_t *best, struct ft_err *err)
{
	if (tune_check(s, validation->n, err) < 0)
		return NULL;
	struct ft_progress quiet = {
		.fn = NULL, .ctx = NULL, .cancel = prog ? prog->cancel : NULL
	};
	struct tree_bins *b = tree_bins_new(train, feature_names, s->tree.max_bins,
					    workers, &quiet, err);
	if (!b)
		return NULL;
	struct tune_row *rows = tune_grid_binned(b, feature_names, validation, s, workers,
						 prog, nrows, best, err);
	tree_bins_free(b);
	return rows;
}

struct tune_row *tune_grid_binned(const struct tree_bins *train,
				  const char *const *feature_names,
				  const struct dataset *validation,
				  const struct settings *s, int workers,
				  const struct ft_progress *prog, size_t *nrows,
				  size_t *best, struct ft_err *err)
{
	size_t npoints = tune_grid_size(s);
	if (tune_check(s, validation->n, err) < 0)
		return NULL;
	if (workers <= 0)
		workers = ft_threads();
	if ((size_t)workers > npoints)
		workers = (int)npoints;

	struct tune_job job = {
		.train = train, .validation = validation, .names = feature_names,
		.s = s, .prog = prog, .npoints = npoints,
	};
	job.rows = xcalloc(npoints, sizeof *job.rows);
	job.errs = xcalloc(npoints, sizeof *job.errs);
	job.failed = xcalloc(npoints, sizeof *job.failed);
	atomic_init(&job.next, 0);
	atomic_init(&job.done, 0);
	ft_progress_report(prog, "tune", 0, npoints);

	ft_parallel(tune_worker, &job, 0, workers > 1 ? (size_t)workers : 1);

	/* Report the failure of the earliest point, so the message does not
	 * depend on which worker got there first. */
	for (size_t k = 0; k < npoints; k++) {
		if (job.failed[k]) {
			if (err)
				*err = job.errs[k];
			free(job.rows);
			free(job.errs);
			free(job.failed);
			return NULL;
		}
	}
	free(job.errs);
	free(job.failed);

	bool higher = metrics_higher_is_better(s->tune_objective);
	size_t b = 0;
	for (size_t k = 1; k < npoints; k++)
		if (better(job.rows[k].score, job.rows[b].score, higher))
			b = k;
	*nrows = npoints;
	*best = b;
	return job.rows;
}

void tune_cv_folds(const uint8_t *y, size_t n, int k, uint64_t seed, unsigned *fold)
{
	struct ft_rng rng;
	rng_seed(&rng, seed);
	size_t *pos = xmalloc((n ? n : 1) * sizeof *pos);
	for (int c = 0; c < 2; c++) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if ((y[i] ? 1 : 0) == c)
				pos[m++] = i;
		/* Fisher-Yates, then deal in turn */
		for (size_t i = m; i > 1; i--) {
			size_t j = (size_t)rng_below(&rng, i);
			size_t tmp = pos[i - 1];
			pos[i - 1] = pos[j];
			pos[j] = tmp;
		}
		for (size_t i = 0; i < m; i++)
			fold[pos[i]] = (unsigned)(i % (size_t)k);
	}
	free(pos);
}

int tune_cv_fold_data(const struct frame *f, const struct target_info *t,
		      const struct settings *s, const size_t *rows, const unsigned *fold,
		      size_t n, unsigned k, const struct ft_progress *prog,
		      struct recipe **recipe, struct dataset *train, struct dataset *held,
		      struct ft_err *err)
{
	size_t *in = xmalloc((n ? n : 1) * sizeof *in);
	size_t *out = xmalloc((n ? n : 1) * sizeof *out);
	size_t nin = 0, nout = 0;
	for (size_t i = 0; i < n; i++) {
		if (fold[i] == k)
			out[nout++] = rows[i];
		else
			in[nin++] = rows[i];
	}
	memset(train, 0, sizeof *train);
	memset(held, 0, sizeof *held);
	*recipe = recipe_fit(f, s, t, in, nin, prog, err);
	int rc = -1;
	if (!*recipe)
		goto done;
	if (recipe_apply(*recipe, f, t, in, nin, prog, train, err) < 0 ||
	    recipe_apply(*recipe, f, t, out, nout, prog, held, err) < 0)
		goto done;
	train->prior[0] = train->prior[1] = 0;
	for (size_t i = 0; i < train->n; i++)
		train->prior[train->y[i] ? 1 : 0]++;
	if (resample_apply(train, s, *recipe, prog, err) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0) {
		dataset_free(train);
		dataset_free(held);
		recipe_free(*recipe);
		*recipe = NULL;
	}
	free(in);
	free(out);
	return rc;
}

/* Progress of a whole cross-validation from one fold's grid. */
struct cv_progress {
	const struct ft_progress *outer;
	size_t base, total;
};

static void cv_progress_fn(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	(void)stage;
	(void)total;
	const struct cv_progress *c = ctx;
	ft_progress_report(c->outer, "tune", c->base + done, c->total);
}

struct tune_row *tune_grid_cv(const struct frame *f, const struct target_info *t,
			      const size_t *rows, size_t n, const struct settings *s,
			      int workers, const struct ft_progress *prog, size_t *nrows,
			      size_t *best, struct ft_err *err)
{
	int k = s->tune_cv;
	size_t npoints = tune_grid_size(s);
	if (tune_check(s, n, err) < 0)
		return NULL;
	uint8_t *y = xmalloc(n ? n : 1);
	size_t count[2] = { 0, 0 };
	for (size_t i = 0; i < n; i++) {
		y[i] = t->y[rows[i]] == 1;
		count[y[i]]++;
	}
	if (count[0] < (size_t)k || count[1] < (size_t)k) {
		free(y);
		ft_fail(err, FT_EINPUT, "tune.cv: %d folds need at least %d rows of each "
			"class in train+validation ('%s': %zu, '%s': %zu)", k, k,
			t->negative, count[0], t->positive, count[1]);
		return NULL;
	}
	unsigned *fold = xmalloc((n ? n : 1) * sizeof *fold);
	tune_cv_folds(y, n, k, s->split_seed, fold);
	free(y);

	double *sum = xcalloc(npoints, sizeof *sum), *sq = xcalloc(npoints, sizeof *sq);
	int *scored = xcalloc(npoints, sizeof *scored);
	struct tune_row *out = xcalloc(npoints, sizeof *out);
	const char **names = NULL;
	bool ok = true;
	for (int j = 0; j < k && ok; j++) {
		struct recipe *rc;
		struct dataset train, held;
		ok = false;
		if (ft_cancelled(prog)) {
			ft_fail(err, FT_ECANCELLED, "cancelled");
			break;
		}
		struct ft_progress quiet = { .cancel = prog ? prog->cancel : NULL };
		if (tune_cv_fold_data(f, t, s, rows, fold, n, (unsigned)j, &quiet, &rc, &train,
				      &held, err) < 0)
			break;
		names = xcalloc(rc->nfeatures + 1, sizeof *names);
		for (size_t q = 0; q < rc->nfeatures; q++)
			names[q] = rc->features[q].name;
		struct cv_progress cp = { .outer = prog, .base = (size_t)j * npoints,
					  .total = (size_t)k * npoints };
		struct ft_progress fp = { .fn = prog && prog->fn ? cv_progress_fn : NULL,
					  .ctx = &cp, .cancel = prog ? prog->cancel : NULL };
		struct tune_row *fr = NULL;
		size_t nr, b;
		struct tree_bins *bins = tree_bins_new(&train, names, s->tree.max_bins, workers,
						       &quiet, err);
		if (bins) {
			fr = tune_grid_binned(bins, names, &held, s, workers, &fp, &nr, &b, err);
			tree_bins_free(bins);
		}
		if (fr) {
			for (size_t p = 0; p < npoints; p++) {
				out[p] = fr[p];
				if (!isnan(fr[p].score)) {
					sum[p] += fr[p].score;
					sq[p] += fr[p].score * fr[p].score;
					scored[p]++;
				}
			}
			free(fr);
			ok = true;
		}
		free(names);
		names = NULL;
		dataset_free(&train);
		dataset_free(&held);
		recipe_free(rc);
	}
	free(fold);
	if (!ok) {
		free(out);
		out = NULL;
	} else {
		for (size_t p = 0; p < npoints; p++) {
			int m = scored[p];
			out[p].folds = m;
			out[p].score = m ? sum[p] / m : NAN;
			double var = m > 1 ? (sq[p] - sum[p] * sum[p] / m) / (m - 1) : 0;
			out[p].score_sd = var > 0 ? sqrt(var) : 0;
		}
		bool higher = metrics_higher_is_better(s->tune_objective);
		size_t b = 0;
		for (size_t p = 1; p < npoints; p++)
			if (better(out[p].score, out[b].score, higher))
				b = p;
		*nrows = npoints;
		*best = b;
	}
	free(sum);
	free(sq);
	free(scored);
	return out;
}
