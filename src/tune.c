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

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
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
	if (tune_wanted(s) || s->tune_ccp_alpha == TUNE_CCP_PATH)
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

/* tune.objective of scores on held-out rows d (score: the leaf's score,
 * prob: its probability), with m getting every figure. The threshold
 * reads what threshold_on says; threshold = min_cost takes these rows'
 * least costly one. With b, m's intervals come from it (and Wilson's):
 * *m's standard deviations are then set. NAN when the objective is
 * undefined here. */
static double score_held(const struct settings *s, const struct dataset *d,
			 const double *score, const double *prob,
			 const struct metrics_bootstrap *b, struct metrics *m)
{
	const double *decide = s->threshold_on == THRESHOLD_ON_PROBABILITY ? prob : score;
	double thr = s->threshold;
	if (s->threshold_min_cost) {
		struct amount_steps *st = amount_steps_new(d->y, decide, d->amount, d->n);
		thr = amount_min_cost_threshold(st, &s->cost, NULL);
		amount_steps_free(st);
	}
	metrics_evaluate(d->y, decide, prob, d->n, thr, m, NULL, NULL);
	metrics_add_amount(m, d->y, decide, d->amount, d->n, &s->cost, s->alert_rate);
	if (b)
		metrics_intervals(b, m);
	double v;
	if (!metrics_lookup(m, s->tune_objective, &v))
		v = NAN;
	return v;
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
		r->score = score_held(job->s, job->validation, proba, prob, NULL, &r->validation);
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

/* The stratified s->tune_cv folds of frame rows rows[0..n) (each row's
 * fold number, caller frees), or NULL with err when a class has fewer
 * rows than folds. */
static unsigned *cv_folds(const struct target_info *t, const size_t *rows, size_t n,
			  const struct settings *s, struct ft_err *err)
{
	int k = s->tune_cv;
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
	return fold;
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
	unsigned *fold = cv_folds(t, rows, n, s, err);
	if (!fold)
		return NULL;

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

/* ---- the cost-complexity pruning path --------------------------------
 * The path of the tree grown with the tuned parameters and no pruning
 * gives the table's alphas. Each subtree is scored by pruning a tree at
 * the table's alphas in increasing order: the held-out rows are kept
 * sorted by the preorder index of the node they end in, a collapsed node
 * v owns the contiguous run of indices [v, end of v's subtree), so a
 * collapse rewrites one run and keeps the order. */

struct tune_alpha *tune_path_table(const struct tree *t, size_t *n)
{
	size_t ns;
	struct tree_ccp_step *st = tree_ccp_path(t, &ns);
	struct tune_alpha *rows = xcalloc(ns, sizeof *rows);
	size_t m = 0;
	double run = 0;
	for (size_t i = 0; i < ns; i++) {
		if (st[i].alpha > run)
			run = st[i].alpha;
		/* the next step collapses at this alpha too: no subtree of its own;
		 * but the grown tree is always the first row, since tree.ccp_alpha
		 * 0 prunes nothing, not even a split that gains nothing (alpha 0,
		 * or a hair below by rounding: it goes at the first positive one) */
		bool last = i + 1 == ns;
		if (i > 0 && ((run <= 0 && !last) || (!last && !(st[i + 1].alpha > run))))
			continue;
		rows[m++] = (struct tune_alpha){
			/* nothing positive follows: the least positive alpha prunes it */
			.alpha = i > 0 && run <= 0 ? DBL_TRUE_MIN : run,
			.impurity = st[i].impurity, .leaves = st[i].leaves, .score = NAN,
		};
	}
	free(st);
	*n = m;
	return rows;
}

/* The leaf of held-out row i (column-major d). */
static int32_t leaf_of(const struct tree *t, const struct dataset *d, size_t i)
{
	int32_t k = 0;
	while (t->nodes[k].left != TREE_LEAF) {
		const struct tree_node *nd = &t->nodes[k];
		k = dataset_x(d, (size_t)nd->feature, dataset_row(d, i)) <= nd->threshold
			? nd->left : nd->right;
	}
	return k;
}

struct by_leaf {
	int32_t leaf;
	size_t row;
};

static int cmp_by_leaf(const void *a, const void *b)
{
	const struct by_leaf *x = a, *y = b;
	if (x->leaf != y->leaf)
		return x->leaf < y->leaf ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* Score u pruned at each of at[0..m) (increasing) on held: score[k] gets
 * tune.objective, and with sd its standard deviation on these rows (NAN
 * when the objective has none), from a stratified bootstrap seeded with
 * split.seed. Progress stage "tune" from base, one per alpha, out of
 * total; false when cancelled (some scores then unset). */
static bool score_pruned(const struct tree *u, const struct dataset *held, const double *at,
			 size_t m, const struct settings *s, double *score, double *sd,
			 const struct ft_progress *prog, uint64_t base, uint64_t total)
{
	bool complete = true;
	size_t n = held->n, nn = u->nnodes, ns;
	struct tree_ccp_step *st = tree_ccp_path(u, &ns);
	/* end[v]: one past the last preorder index of v's subtree */
	int32_t *end = xmalloc(nn * sizeof *end);
	for (size_t v = nn; v-- > 0;)
		end[v] = u->nodes[v].left == TREE_LEAF ? (int32_t)v + 1 : end[u->nodes[v].right];
	struct by_leaf *ord = xmalloc((n ? n : 1) * sizeof *ord);
	for (size_t i = 0; i < n; i++)
		ord[i] = (struct by_leaf){ leaf_of(u, held, i), i };
	qsort(ord, n, sizeof *ord, cmp_by_leaf);
	double *sc = xmalloc((n ? n : 1) * sizeof *sc), *pr = xmalloc((n ? n : 1) * sizeof *pr);
	size_t j = 1;
	for (size_t k = 0; k < m; k++) {
		if (ft_cancelled(prog)) {
			complete = false;
			break;
		}
		ft_progress_report(prog, "tune", base + k, total);
		/* alpha 0 is the tree as grown (tree.ccp_alpha 0 prunes nothing) */
		for (; at[k] > 0 && j < ns && st[j].alpha <= at[k]; j++) {
			int32_t v = st[j].node;
			size_t lo = 0, hi = n;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (ord[mid].leaf < v)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t q = lo; q < n && ord[q].leaf < end[v]; q++)
				ord[q].leaf = v;
		}
		for (size_t q = 0; q < n; q++) {
			const struct tree_node *nd = &u->nodes[ord[q].leaf];
			sc[ord[q].row] = tree_node_proba(nd);
			pr[ord[q].row] = tree_node_probability(u, nd);
		}
		struct metrics mt;
		struct metrics_bootstrap *b = NULL;
		if (sd)
			b = metrics_bootstrap_new(held->y, s->threshold_on ==
						  THRESHOLD_ON_PROBABILITY ? pr : sc, pr, n,
						  TUNE_PATH_RESAMPLES, s->split_seed);
		score[k] = score_held(s, held, sc, pr, b, &mt);
		if (sd) {
			char key[80];
			snprintf(key, sizeof key, "%s.standard_deviation", s->tune_objective);
			if (!metrics_lookup(&mt, key, &sd[k]))
				sd[k] = NAN;
			metrics_bootstrap_free(b);
		}
	}
	free(sc);
	free(pr);
	free(ord);
	free(end);
	free(st);
	return complete;
}

/* The one-standard-error choice: the largest alpha whose score is within
 * one standard error of the best score (rpart's rule). */
static void path_choose(struct tune_path *p, const char *objective)
{
	bool higher = metrics_higher_is_better(objective);
	size_t b = 0;
	for (size_t k = 1; k < p->n; k++)
		if (better(p->rows[k].score, p->rows[b].score, higher))
			b = k;
	p->best = b;
	p->chosen = b;
	double best = p->rows[b].score, se = p->rows[b].score_se;
	if (isnan(best))
		return;
	if (isnan(se))
		se = 0;
	for (size_t k = p->n; k-- > b + 1;) {
		double v = p->rows[k].score;
		if (!isnan(v) && (higher ? v >= best - se : v <= best + se)) {
			p->chosen = k;
			return;
		}
	}
}

void tune_path_free(struct tune_path *p)
{
	if (!p)
		return;
	free(p->rows);
	memset(p, 0, sizeof *p);
}

/* The tree the path belongs to: the training data's tree with the tuned
 * parameters and no pruning, on one set of threads. */
static struct tree *grow_unpruned(const struct tree_bins *train, const char *const *names,
				  const struct settings *s, int workers,
				  const struct ft_progress *prog, struct ft_err *err)
{
	struct tree_params p = s->tree;
	p.ccp_alpha = 0;
	p.threads = workers;
	struct ft_progress quiet = { .cancel = prog ? prog->cancel : NULL };
	return tree_fit_binned(train, names, &p, &quiet, err);
}

int tune_path(const struct tree_bins *train, const char *const *feature_names,
	      const struct dataset *validation, const struct settings *s, int workers,
	      const struct ft_progress *prog, struct tune_path *out, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	if (tune_check(s, validation->n, err) < 0)
		return -1;
	ft_progress_report(prog, "tune", 0, 1);
	struct tree *t = grow_unpruned(train, feature_names, s, workers, prog, err);
	if (!t)
		return -1;
	out->rows = tune_path_table(t, &out->n);
	double *at = xmalloc(out->n * sizeof *at), *score = xmalloc(out->n * sizeof *score);
	double *sd = xmalloc(out->n * sizeof *sd);
	for (size_t k = 0; k < out->n; k++)
		at[k] = out->rows[k].alpha;
	if (!score_pruned(t, validation, at, out->n, s, score, sd, prog, 1, out->n + 1)) {
		free(at);
		free(score);
		free(sd);
		tree_free(t);
		tune_path_free(out);
		return ft_fail(err, FT_ECANCELLED, "cancelled");
	}
	for (size_t k = 0; k < out->n; k++) {
		out->rows[k].score = score[k];
		out->rows[k].score_se = sd[k];
		out->has_se = out->has_se || !isnan(sd[k]);
	}
	free(at);
	free(score);
	free(sd);
	tree_free(t);
	path_choose(out, s->tune_objective);
	ft_progress_report(prog, "tune", out->n + 1, out->n + 1);
	return 0;
}

int tune_path_cv(const struct tree_bins *train, const char *const *feature_names,
		 const struct frame *f, const struct target_info *t, const size_t *rows,
		 size_t n, const struct settings *s, int workers,
		 const struct ft_progress *prog, struct tune_path *out, struct ft_err *err)
{
	int k = s->tune_cv;
	memset(out, 0, sizeof *out);
	if (tune_check(s, n, err) < 0)
		return -1;
	unsigned *fold = cv_folds(t, rows, n, s, err);
	if (!fold)
		return -1;
	ft_progress_report(prog, "tune", 0, (uint64_t)k + 1);
	struct tree *full = grow_unpruned(train, feature_names, s, workers, prog, err);
	if (!full) {
		free(fold);
		return -1;
	}
	out->rows = tune_path_table(full, &out->n);
	tree_free(full);
	ft_progress_report(prog, "tune", 1, (uint64_t)k + 1);

	/* A subtree stands for the alphas from its own up to the next one's:
	 * the folds' trees are pruned at the geometric mean of the two (the
	 * last, the root alone, at infinity), as rpart does; taken as the
	 * product of the square roots, which tiny alphas cannot underflow. */
	size_t m = out->n;
	double *at = xmalloc(m * sizeof *at), *score = xmalloc(m * sizeof *score);
	double *sum = xcalloc(m, sizeof *sum), *sq = xcalloc(m, sizeof *sq);
	int *scored = xcalloc(m, sizeof *scored);
	for (size_t q = 0; q < m; q++)
		at[q] = q + 1 < m ? sqrt(out->rows[q].alpha) * sqrt(out->rows[q + 1].alpha) : INFINITY;
	int rc = 0;
	for (int j = 0; j < k && rc == 0; j++) {
		rc = -1;
		if (ft_cancelled(prog)) {
			ft_fail(err, FT_ECANCELLED, "cancelled");
			break;
		}
		struct ft_progress quiet = { .cancel = prog ? prog->cancel : NULL };
		struct recipe *rc_fold;
		struct dataset tr, held;
		if (tune_cv_fold_data(f, t, s, rows, fold, n, (unsigned)j, &quiet, &rc_fold, &tr,
				      &held, err) < 0)
			break;
		const char **names = xcalloc(rc_fold->nfeatures + 1, sizeof *names);
		for (size_t q = 0; q < rc_fold->nfeatures; q++)
			names[q] = rc_fold->features[q].name;
		struct tree_bins *bins = tree_bins_new(&tr, names, s->tree.max_bins, workers,
						       &quiet, err);
		struct tree *u = bins ? grow_unpruned(bins, names, s, workers, prog, err) : NULL;
		bool scored_all = u && score_pruned(u, &held, at, m, s, score, NULL, &quiet, 0, 0);
		if (u && !scored_all)
			ft_fail(err, FT_ECANCELLED, "cancelled");
		if (scored_all) {
			for (size_t q = 0; q < m; q++) {
				if (isnan(score[q]))
					continue;
				sum[q] += score[q];
				sq[q] += score[q] * score[q];
				scored[q]++;
			}
			rc = 0;
		}
		tree_free(u);
		tree_bins_free(bins);
		free(names);
		dataset_free(&tr);
		dataset_free(&held);
		recipe_free(rc_fold);
		ft_progress_report(prog, "tune", (uint64_t)j + 2, (uint64_t)k + 1);
	}
	if (rc == 0) {
		for (size_t q = 0; q < m; q++) {
			int c = scored[q];
			struct tune_alpha *r = &out->rows[q];
			r->folds = c;
			r->score = c ? sum[q] / c : NAN;
			double var = c > 1 ? (sq[q] - sum[q] * sum[q] / c) / (c - 1) : 0;
			r->score_se = c ? (var > 0 ? sqrt(var) : 0) / sqrt((double)c) : NAN;
		}
		out->has_se = true;
		path_choose(out, s->tune_objective);
	} else {
		tune_path_free(out);
	}
	free(fold);
	free(at);
	free(score);
	free(sum);
	free(sq);
	free(scored);
	return rc;
}
