/* pipeline: the whole run as one engine call, shared by `fraudtree run` and
 * the TUI (which calls it from a worker thread).
 *
 * Order and honesty rules: the target is resolved first and rows without one
 * are dropped; the split is stratified on the target alone; the recipe is
 * fitted on the training rows only and applied unchanged to validation and
 * test; only the training set is resampled; tuning scores grid points on
 * validation; the gate looks at test metrics. The result owns everything it
 * points to, and the report built from it contains nothing that varies
 * between runs (no timings, no paths), so equal inputs give equal bytes.
 * The cancel flag is watched inside each long step (split, recipe fit,
 * transforms, resampling, binning, grid, fit), not only between them, so a
 * cancelled run returns FT_ECANCELLED within milliseconds, having freed
 * everything; watching it changes no result.
 *
 * Time and memory: validation and test are transformed on a second thread
 * while train is; random over- and undersampling rearrange the training
 * matrix in place; that matrix is binned once for the grid and the final
 * fit and freed as soon as it is binned; a run that owns its frame frees
 * it once the splits are built. None of this changes a result (the unit
 * tests hold each shortcut to the plain path).
 *
 * Why one file: the stages run in order on one pipeline_result whose
 * fields only this file writes; the reports (notes, evaluation.json) read
 * the same private helpers.
 */
#include "config.h"
#include "pipeline.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "recipe_apply.h"
#include "resample.h"
#include "tune.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#define EVALUATION_FORMAT_VERSION "1.0"
#define IMPORTANCE_TOP 10

static const char *const stage_names[STAGE_COUNT] = {
	"prepare", "tune", "train", "evaluate"
};

static void add_note(struct pipeline_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_note(struct pipeline_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);
	r->notes = xreallocarray(r->notes, r->nnotes + 1, sizeof *r->notes);
	r->notes[r->nnotes++] = s;
}

static int check_cancel(const struct ft_progress *prog, struct ft_err *err)
{
	if (ft_cancelled(prog))
		return ft_fail(err, FT_ECANCELLED, "cancelled");
	return 0;
}

static void count_rows(const struct target_info *t, const size_t *rows, size_t n,
		       size_t out[2])
{
	out[0] = out[1] = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t y = t->y[rows[i]];
		if (y <= 1)
			out[y]++;
	}
}

static void count_dataset(const struct dataset *d, size_t out[2], double weight[2])
{
	out[0] = out[1] = 0;
	weight[0] = weight[1] = 1.0;
	bool seen[2] = { false, false };
	for (size_t i = 0; i < d->n; i++) {
		uint8_t y = d->y[i] ? 1 : 0;
		out[y]++;
		if (d->w && !seen[y]) {
			weight[y] = d->w[i];
			seen[y] = true;
		}
	}
}

/* A time as its column shows it: a date and time, or a number. */
static void format_time(const struct frame *f, int col, double v, char out[40])
{
	if (isnan(v))
		snprintf(out, 40, "-");
	else if (f->cols[col].type == COL_DATETIME)
		frame_format_datetime(v, true, out, 40);
	else
		fmt_double(out, v);
}

static void split_before_counts(const struct frame *f, const struct target_info *t,
				const struct settings *s, const struct split *sp,
				struct split_counts *c)
{
	int col = sp->time_col < 0 ? split_time_column(f, t, s) : -1;
	c->random_datetime_col = col >= 0 && f->cols[col].type == COL_DATETIME ? col : -1;
	count_rows(t, sp->train, sp->ntrain, c->before[SPLIT_TRAIN]);
	count_rows(t, sp->validation, sp->nvalidation, c->before[SPLIT_VALIDATION]);
	count_rows(t, sp->test, sp->ntest, c->before[SPLIT_TEST]);
	c->time_col = sp->time_col;
	c->no_time = sp->no_time;
	c->in_gap = sp->in_gap;
	if (sp->time_col >= 0)
		for (int k = 0; k < SPLIT_COUNT; k++) {
			format_time(f, sp->time_col, sp->from[k], c->from[k]);
			format_time(f, sp->time_col, sp->to[k], c->to[k]);
		}
}

/* split_stratified sees labels, not the file: name the file in its errors
 * ("data.csv: too few rows: ..."). Returns -1. */
static int split_failed(const struct frame *f, struct ft_err *err)
{
	if (!err || !f->path)
		return -1;
	char msg[sizeof err->msg];
	memcpy(msg, err->msg, sizeof msg);
	return ft_fail(err, err->code, "%s: %s", f->path, msg);
}

int pipeline_preview(const struct frame *f, const struct settings *s,
		     struct split_counts *out, struct ft_err *err)
{
	struct target_info t;
	struct split sp;
	memset(out, 0, sizeof *out);
	memset(&t, 0, sizeof t);
	memset(&sp, 0, sizeof sp);
	if (target_resolve(f, s, &t, err) < 0)
		return -1;
	if (split_frame(f, &t, s, NULL, &sp, err) < 0) {
		target_info_free(&t);
		return split_failed(f, err);
	}
	split_before_counts(f, &t, s, &sp, out);

	/* Resampling decides its counts from the labels alone. */
	uint8_t *y = xmalloc(sp.ntrain ? sp.ntrain : 1);
	for (size_t i = 0; i < sp.ntrain; i++)
		y[i] = t.y[sp.train[i]];
	struct resample_plan plan;
	int rc = resample_plan(y, sp.ntrain, s, &plan, err);
	if (rc == 0)
		for (int k = 0; k < 2; k++) {
			out->train_after[k] = plan.after[k];
			out->train_weight[k] = plan.weight[k];
		}
	resample_plan_free(&plan);
	free(y);
	split_free(&sp);
	target_info_free(&t);
	return rc;
}

/* A time split says what each split covers; a random one says when the
 * file has a time it ignored. */
static void note_split(struct pipeline_result *r, const struct frame *f)
{
	static const char *const names[SPLIT_COUNT] = { "train", "validation", "test" };
	const struct split_counts *c = &r->counts;
	if (c->time_col >= 0) {
		for (int k = 0; k < SPLIT_COUNT; k++) {
			size_t n = c->before[k][0] + c->before[k][1];
			add_note(r, "time split on %s: %s %s .. %s, %zu rows, fraud rate %.4g",
				 f->cols[c->time_col].name, names[k], c->from[k], c->to[k], n,
				 n ? (double)c->before[k][1] / (double)n : 0.0);
		}
		if (c->no_time || c->in_gap)
			add_note(r, "time split: left out %zu row%s without a time and %zu in "
				 "the %g-day gaps", c->no_time, c->no_time == 1 ? "" : "s",
				 c->in_gap, r->settings.split_gap_days);
		return;
	}
	if (c->random_datetime_col >= 0)
		add_note(r, "split: random (stratified), though %s is a datetime column: "
			 "split.method=time tests on the latest rows instead",
			 f->cols[c->random_datetime_col].name);
}

static void note_recipe(struct pipeline_result *r, const struct frame *f)
{
	const struct recipe *rc = r->recipe;
	const char *target = f->cols[r->target.col].name;
	for (size_t i = 0; i < rc->ndropped; i++) {
		if (!strcmp(rc->dropped[i], target))
			continue;
		const char *why = rc->drop_reasons && rc->drop_reasons[i] ?
			rc->drop_reasons[i] : "dropped";
		add_note(r, "dropped %s: %s", rc->dropped[i], why);
	}
	for (size_t i = 0; i < rc->nnotes; i++)
		add_note(r, "%s", rc->notes[i]);
}

/* Validation and test are transformed on a second thread while the
 * calling thread transforms train: the recipe, frame and target are only
 * read, and each side writes only its own fields. */
struct apply_job {
	const struct recipe *recipe;
	const struct frame *f;
	const struct target_info *t;
	const struct split *sp;
	const struct ft_progress *prog;
	struct dataset *validation, *test;
	int rc;
	struct ft_err err;
	struct dataset *train;     /* the calling thread's part */
	int train_rc;
	struct ft_err *train_err;
};

static void *apply_eval_splits(void *arg)
{
	struct apply_job *j = arg;
	j->rc = recipe_apply_into(j->recipe, j->f, j->t, j->sp->validation, j->prog,
				  j->validation, &j->err);
	if (j->rc == 0)
		j->rc = recipe_apply_into(j->recipe, j->f, j->t, j->sp->test, j->prog, j->test,
					  &j->err);
	return NULL;
}

static void *apply_train_split(void *arg)
{
	struct apply_job *j = arg;
	j->train_rc = recipe_apply_into(j->recipe, j->f, j->t, j->sp->train, j->prog,
					j->train, j->train_err);
	return NULL;
}

/* The three splits' features, into the datasets allocated by fit_recipe. */
static int apply_splits(struct pipeline_result *r, const struct frame *f,
			const struct ft_progress *prog, struct dataset *train,
			struct ft_err *err)
{
	struct apply_job job = {
		.recipe = r->recipe, .f = f, .t = &r->target, .sp = &r->split, .prog = prog,
		.validation = &r->validation, .test = &r->test, .train = train, .train_err = err,
	};
	ft_err_clear(&job.err);
	struct ft_task parts[] = { { apply_train_split, &job }, { apply_eval_splits, &job } };
	ft_run_tasks(parts, 2);
	int rc = job.train_rc;
	/* Errors in split order, whatever the thread timing. */
	if (rc < 0)
		return -1;
	if (job.rc < 0) {
		if (err)
			*err = job.err;
		return -1;
	}
	/* Nothing downstream asks which frame row a training sample came from. */
	free(train->rows);
	train->rows = NULL;
	return 0;
}

/* d's samples become picks[0..m) (positions into d), as resample_carry_out
 * would rebuild them, but in place. Oversampling keeps every sample where
 * it was and appends copies: those become references to the samples they
 * copy (d->copy_of), whose features the binning reads from their rows, so
 * the matrix neither grows nor is gathered. Otherwise (undersampling) the
 * matrix shrinks in place, one column of scratch instead of a second
 * matrix, first column to last: a column is copied out before anything
 * overwrites it and is never read again. Cancelled part way, d's matrix is
 * left half moved: fit only to be freed. */
static int gather_in_place(struct dataset *d, const size_t *picks, size_t m,
			   const struct ft_progress *prog, struct ft_err *err)
{
	size_t n = d->n, nf = d->nfeatures;
	size_t kept = 0;
	while (kept < n && kept < m && picks[kept] == kept)
		kept++;
	if (kept == n && m > n && !d->ncopies) {
		d->copy_of = xmalloc((m - n) * sizeof *d->copy_of);
		memcpy(d->copy_of, picks + n, (m - n) * sizeof *d->copy_of);
		d->ncopies = m - n;
	} else {
		if (d->ncopies || m > n)
			return ft_fail(err, FT_EINTERNAL, "resampling in place: not a subset");
		size_t nb = d->nbytes, nx = nf - nb;
		float *col = xmalloc((n ? n : 1) * sizeof *col);
		uint8_t *bcol = (uint8_t *)col;
		for (size_t c = 0; c < nx + nb; c++) {
			if (ft_cancelled(prog)) {
				free(col);
				return ft_fail(err, FT_ECANCELLED, "cancelled");
			}
			if (c < nx) {
				memcpy(col, d->X + c * n, n * sizeof *col);
				float *dst = d->X + c * m;
				for (size_t i = 0; i < m; i++)
					dst[i] = col[picks[i]];
			} else {
				memcpy(bcol, d->B + (c - nx) * n, n);
				uint8_t *dst = d->B + (c - nx) * m;
				for (size_t i = 0; i < m; i++)
					dst[i] = bcol[picks[i]];
			}
		}
		free(col);
		if (m < n && m > 0 && nx)
			d->X = xreallocarray(d->X, m * nx, sizeof *d->X);
		if (m < n && m > 0 && nb)
			d->B = xreallocarray(d->B, m * nb, 1);
	}

	uint8_t *y = xmalloc(m ? m : 1);
	for (size_t i = 0; i < m; i++)
		y[i] = d->y[picks[i]];
	free(d->y);
	d->y = y;
	if (d->w) {
		double *w = xmalloc((m ? m : 1) * sizeof *w);
		for (size_t i = 0; i < m; i++)
			w[i] = d->w[picks[i]];
		free(d->w);
		d->w = w;
	}
	d->n = m;
	return 0;
}

static int resample(struct dataset *train, const struct settings *s,
		    const struct recipe *recipe, const struct ft_progress *prog,
		    struct ft_err *err)
{
	size_t prior[2] = { 0, 0 };
	for (size_t i = 0; i < train->n; i++)
		prior[train->y[i] ? 1 : 0]++;
	train->prior[0] = prior[0];
	train->prior[1] = prior[1];
	if (s->resample != RESAMPLE_OVER && s->resample != RESAMPLE_UNDER)
		return resample_apply(train, s, recipe, prog, err);
	if (ft_cancelled(prog))
		return ft_fail(err, FT_ECANCELLED, "cancelled");
	struct resample_plan plan;
	if (resample_plan(train->y, train->n, s, &plan, err) < 0)
		return -1;
	size_t n = train->n, m = plan.npick;
	int rc = plan.pick ? gather_in_place(train, plan.pick, m, prog, err) : 0;
	if (rc == 0 && plan.pick && m > n)
		train->nsynthetic = m - n;   /* copies are appended (see gather_in_place) */
	resample_plan_free(&plan);
	return rc;
}

/* A frame is many small blocks (level texts, dictionaries) among large
 * ones; once it is freed, glibc keeps the free pages between live blocks
 * unless asked, and the training matrix is about to need them. */
static void release_free_pages(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* After the fit: a time-like column among the top features. A feature of
 * a row-order input counts whatever it is but its missing flag; a datetime
 * part only when the values span less than its cycle. */
static void note_row_order(struct pipeline_result *r)
{
	enum { TOP = 3 };
	size_t top[TOP];
	size_t n = pipeline_top_features(r->tree, top, TOP);
	bool *seen = xcalloc(r->recipe->ninputs + 1, sizeof *seen);
	for (size_t i = 0; i < n; i++) {
		const struct feature *ft = &r->recipe->features[top[i]];
		size_t in = ft->input;
		char buf[160];
		const char *why = NULL;
		if (ft->kind == FEAT_DT_HOUR || ft->kind == FEAT_DT_DAY_OF_WEEK ||
		    ft->kind == FEAT_DT_DAY || ft->kind == FEAT_DT_MONTH)
			why = explore_part_marks_time(ft->kind, r->time_span[in], buf, sizeof buf);
		else if (ft->kind != FEAT_MISSING)
			why = r->time_like[in];
		if (seen[in] || !why || r->input_col[in] < 0)
			continue;
		seen[in] = true;
		explore_hint_row_order(r->recipe->inputs[in].name, (size_t)r->input_col[in], i + 1,
				       why, &r->row_order);
	}
	for (size_t i = 0; i < r->row_order.n; i++)
		add_note(r, "leakage hint: %s", r->row_order.v[i].reason);
	free(seen);
}

/* amount.column: the named column (numeric, not the target), else a
 * guess by name unless it is false; the choice is recorded in the
 * resolved settings so pipeline.json reproduces the run. */
static int resolve_amount(const struct frame *f, struct pipeline_result *r,
			  struct ft_err *err)
{
	struct settings *s = &r->settings;
	r->amount_col = -1;
	if (s->amount_none)
		return 0;
	if (s->amount_column) {
		int c = frame_find(f, s->amount_column);
		if (c < 0)
			return ft_fail(err, FT_EINPUT, "%s: amount.column: no column named \"%s\"",
				       f->path ? f->path : "data", s->amount_column);
		if (f->cols[c].type != COL_NUMERIC)
			return ft_fail(err, FT_EINPUT, "%s: amount.column: %s is %s, not numeric",
				       f->path ? f->path : "data", s->amount_column,
				       col_type_name(f->cols[c].type));
		if (c == r->target.col)
			return ft_fail(err, FT_EINPUT, "%s: amount.column: %s is the target",
				       f->path ? f->path : "data", s->amount_column);
		r->amount_col = c;
		return 0;
	}
	r->amount_col = amount_guess_column(f, r->target.col);
	if (r->amount_col < 0) {
		s->amount_none = true;
		add_note(r, "amount: no column named like an amount; every fraud counts 1 "
			 "(set amount.column)");
		return 0;
	}
	s->amount_column = xstrdup(f->cols[r->amount_col].name);
	add_note(r, "amount: %s (guessed from its name)", s->amount_column);
	return 0;
}

static double *split_amounts(const struct frame *f, int col, const struct dataset *d,
			     size_t *missing)
{
	double *a = xmalloc((d->n ? d->n : 1) * sizeof *a);
	for (size_t i = 0; i < d->n; i++) {
		double v = d->rows && d->rows[i] != SIZE_MAX ? f->cols[col].num[d->rows[i]] : NAN;
		if (!isfinite(v)) {
			v = 0;
			if (d->y[i])
				(*missing)++;
		}
		a[i] = v;
	}
	return a;
}

static void gather_amounts(const struct frame *f, struct pipeline_result *r)
{
	if (r->amount_col < 0)
		return;
	size_t missing = 0;
	r->validation.amount = split_amounts(f, r->amount_col, &r->validation, &missing);
	r->test.amount = split_amounts(f, r->amount_col, &r->test, &missing);
	if (missing)
		add_note(r, "amount: %zu fraud row%s of validation and test without an amount "
			 "(counted 0)", missing, missing == 1 ? "" : "s");
}

/* prepare's split and recipe, on their own thread (see prepare). */
struct fit_job {
	const struct frame *f;
	const struct ft_progress *prog;
	struct pipeline_result *r;
	struct dataset *train;
	int rc;
	struct ft_err err;
};

static int split_and_fit(const struct frame *f, const struct ft_progress *prog,
			 struct pipeline_result *r, struct dataset *train, struct ft_err *err)
{
	const struct settings *s = &r->settings;
	if (split_frame(f, &r->target, s, prog, &r->split, err) < 0)
		return err->code == FT_ECANCELLED ? -1 : split_failed(f, err);
	split_before_counts(f, &r->target, &r->settings, &r->split, &r->counts);
	if (r->split.time_col >= 0 && !r->settings.split_time_column) {
		r->settings.split_time_column = xstrdup(f->cols[r->split.time_col].name);
		add_note(r, "split.time_column: %s (the first datetime column)",
			 r->settings.split_time_column);
	}
	note_split(r, f);
	if (check_cancel(prog, err) < 0)
		return -1;

	r->recipe = recipe_fit(f, s, &r->target, r->split.train, r->split.ntrain, prog, err);
	if (!r->recipe)
		return -1;
	note_recipe(r, f);
	r->reference = reference_fit(f, r->recipe, r->split.train, r->split.ntrain);
	r->time_like = xcalloc(r->recipe->ninputs + 1, sizeof *r->time_like);
	r->time_span = xcalloc(r->recipe->ninputs + 1, sizeof *r->time_span);
	r->input_col = xcalloc(r->recipe->ninputs + 1, sizeof *r->input_col);
	for (size_t i = 0; i < r->recipe->ninputs; i++) {
		int col = frame_find(f, r->recipe->inputs[i].name);
		r->input_col[i] = col;
		r->time_span[i] = NAN;
		if (col < 0)
			continue;
		const struct column *c = &f->cols[col];
		r->time_like[i] = explore_time_like(f, (size_t)col);
		if (c->type == COL_DATETIME && c->stats.count)
			r->time_span[i] = c->stats.max - c->stats.min;
	}
	if (r->recipe->nfeatures == 0)
		return ft_fail(err, FT_EINPUT, "%s: no feature columns left after drops",
			       f->path ? f->path : "data");
	if (check_cancel(prog, err) < 0)
		return -1;
	struct dataset *d[] = { train, &r->validation, &r->test };
	const size_t n[] = { r->split.ntrain, r->split.nvalidation, r->split.ntest };
	for (size_t k = 0; k < 3; k++) {
		recipe_dataset_alloc(r->recipe, n[k], d[k]);
		recipe_dataset_touch(d[k]);
	}
	return 0;
}

static void *fit_recipe(void *arg)
{
	struct fit_job *j = arg;
	j->rc = split_and_fit(j->f, j->prog, j->r, j->train, &j->err);
	return NULL;
}

/* The explore module's data hints, beside fit_recipe (see prepare).
 * Cancellable; their own progress is not reported (they are a small part
 * of preparing). */
struct hints_job {
	const struct frame *f;
	const struct ft_progress *prog;
	const struct pipeline_result *r;
	struct explore_hints h;
	int rc;
	struct ft_err err;
};

static void *leakage_hints(void *arg)
{
	struct hints_job *j = arg;
	struct ft_progress quiet = { .cancel = j->prog ? j->prog->cancel : NULL };
	j->rc = explore_leakage(j->f, j->r->target.y, j->r->target.col, &quiet, &j->h, &j->err);
	return NULL;
}

/* The hints as notes at notes[at..), the later notes after them. */
static void insert_hint_notes(struct pipeline_result *r, size_t at,
			      const struct explore_hints *h)
{
	if (!h->n)
		return;
	r->notes = xreallocarray(r->notes, r->nnotes + h->n, sizeof *r->notes);
	memmove(r->notes + at + h->n, r->notes + at, (r->nnotes - at) * sizeof *r->notes);
	for (size_t i = 0; i < h->n; i++)
		r->notes[at + i] = xasprintf("leakage hint: %s", h->v[i].reason);
	r->nnotes += h->n;
}

/* owned: the frame is freed here once no split needs it (*owned = NULL). */
static int prepare(const struct frame *f, struct frame **owned,
		   const struct ft_progress *prog, struct pipeline_result *r,
		   struct dataset *train, struct ft_err *err)
{
	const struct settings *s = &r->settings;
	enum { STEPS = 6 };
	ft_progress_report(prog, "prepare", 0, STEPS);
	if (check_cancel(prog, err) < 0)
		return -1;
	if (target_resolve(f, s, &r->target, err) < 0)
		return -1;
	const char *target = f->cols[r->target.col].name;
	if (!s->target)
		add_note(r, "target: %s (guessed from its name)", target);
	if (!s->positive)
		add_note(r, "positive class: '%s' (detected; '%s' is the other class)",
			 r->target.positive, r->target.negative);
	if (r->target.missing)
		add_note(r, "dropped %zu row%s with a missing target", r->target.missing,
			 r->target.missing == 1 ? "" : "s");
	/* The leakage hints' notes go here, before the amount's. */
	size_t hints_at = r->nnotes;
	if (resolve_amount(f, r, err) < 0)
		return -1;
	/* Record what was resolved so pipeline.json reproduces this run even if
	 * detection rules change. */
	if (!r->settings.target)
		r->settings.target = xstrdup(target);
	if (!r->settings.positive)
		r->settings.positive = xstrdup(r->target.positive);
	ft_progress_report(prog, "prepare", 1, STEPS);
	if (check_cancel(prog, err) < 0)
		return -1;

	/* The hints read the frame and nothing else reads what they make: they
	 * run beside the split and the recipe, whose thread then has the
	 * kernel provide the memory the features will fill. */
	struct fit_job fit = { .f = f, .prog = prog, .r = r, .train = train };
	struct hints_job hints = { .f = f, .prog = prog, .r = r };
	ft_err_clear(&fit.err);
	ft_err_clear(&hints.err);
	struct ft_task parts[] = { { fit_recipe, &fit }, { leakage_hints, &hints } };
	ft_run_tasks(parts, 2);
	/* Errors in the order the steps had one after the other. */
	if (hints.rc == 0)
		insert_hint_notes(r, hints_at, &hints.h);
	explore_hints_free(&hints.h);
	if (hints.rc < 0 || fit.rc < 0) {
		if (err)
			*err = hints.rc < 0 ? hints.err : fit.err;
		return -1;
	}
	ft_progress_report(prog, "prepare", 3, STEPS);
	if (check_cancel(prog, err) < 0)
		return -1;

	if (apply_splits(r, f, prog, train, err) < 0)
		return -1;
	gather_amounts(f, r);
	/* Cross-validated tuning fits a recipe per fold: the frame stays. */
	bool cv = (tune_wanted(s) || s->tune_ccp_alpha == TUNE_CCP_PATH) && s->tune_cv > 0;
	if (owned && !cv) {
		frame_free(*owned);
		*owned = NULL;
		release_free_pages();
	}
	ft_progress_report(prog, "prepare", 4, STEPS);
	if (check_cancel(prog, err) < 0)
		return -1;

	if (resample(train, s, r->recipe, prog, err) < 0)
		return -1;
	count_dataset(train, r->counts.train_after, r->counts.train_weight);
	if (s->resample == RESAMPLE_CLASS_WEIGHT)
		add_note(r, "class weights on the training split: %s %.4g, %s %.4g",
			 r->target.negative, r->counts.train_weight[0],
			 r->target.positive, r->counts.train_weight[1]);
	else if (s->resample != RESAMPLE_NONE)
		add_note(r, "resampled the training split (%s, ratio %g): %zu/%zu -> %zu/%zu",
			 resample_name(s->resample), s->resample_ratio,
			 r->counts.before[SPLIT_TRAIN][0], r->counts.before[SPLIT_TRAIN][1],
			 r->counts.train_after[0], r->counts.train_after[1]);
	ft_progress_report(prog, "prepare", 5, STEPS);
	if (r->counts.before[SPLIT_TEST][1] == 0)
		add_note(r, "the test split holds no '%s' rows: recall cannot be measured",
			 r->target.positive);
	ft_progress_report(prog, "prepare", STEPS, STEPS);
	return check_cancel(prog, err);
}

static const char **feature_names(const struct recipe *rc)
{
	const char **names = xcalloc(rc->nfeatures + 1, sizeof *names);
	for (size_t j = 0; j < rc->nfeatures; j++)
		names[j] = rc->features[j].name;
	return names;
}

/* Cross-validation folds train+validation: both splits' frame rows
 * (caller frees), *n of them. */
static size_t *cv_rows(const struct pipeline_result *r, size_t *n)
{
	const struct split *sp = &r->split;
	*n = sp->ntrain + sp->nvalidation;
	size_t *rows = xmalloc((*n ? *n : 1) * sizeof *rows);
	if (sp->ntrain)
		memcpy(rows, sp->train, sp->ntrain * sizeof *rows);
	if (sp->nvalidation)
		memcpy(rows + sp->ntrain, sp->validation, sp->nvalidation * sizeof *rows);
	return rows;
}

/* Cross-validated tuning of a time split: said once, by the grid or the
 * path, whichever runs. */
static void note_folds_mix_times(struct pipeline_result *r)
{
	if (r->settings.tune_cv > 0 && r->settings.split_method == SPLIT_TIME)
		add_note(r, "tune.cv: the folds mix times (stratified at random); only the "
			 "test split keeps the time order");
}

static struct tune_row *tune_cv(const struct frame *f, struct pipeline_result *r,
				int workers, const struct ft_progress *prog, struct ft_err *err)
{
	size_t n;
	size_t *rows = cv_rows(r, &n);
	struct tune_row *t = tune_grid_cv(f, &r->target, rows, n, &r->settings, workers, prog,
					  &r->ntune, &r->tune_best, err);
	free(rows);
	return t;
}

/* tune.ccp_alpha = path, after the grid (whose parameters it grows with):
 * tree.ccp_alpha becomes the one-standard-error choice. */
static int tune_ccp(const struct frame *f, const struct ft_progress *prog,
		    struct pipeline_result *r, const struct tree_bins *bins,
		    const char *const *names, struct ft_err *err)
{
	struct settings *s = &r->settings;
	int workers = s->tree.threads > 0 ? s->tree.threads : ft_threads();
	double before = s->tree.ccp_alpha;
	int rc;
	if (s->tune_cv > 0) {
		size_t n;
		size_t *rows = cv_rows(r, &n);
		rc = tune_path_cv(bins, names, f, &r->target, rows, n, s, workers, prog,
				  &r->ccp_path, err);
		free(rows);
	} else {
		rc = tune_path(bins, names, &r->validation, s, workers, prog, &r->ccp_path, err);
	}
	if (rc < 0)
		return -1;
	const struct tune_path *p = &r->ccp_path;
	const struct tune_alpha *c = &p->rows[p->chosen], *b = &p->rows[p->best];
	s->tree.ccp_alpha = c->alpha;
	char ca[32], ba[32];
	fmt_double(ca, c->alpha);
	fmt_double(ba, b->alpha);
	const char *bl = b->leaves == 1 ? "leaf" : "leaves", *cl = c->leaves == 1 ? "leaf" : "leaves";
	if (s->tune_cv > 0)
		add_note(r, "pruning path: %zu alphas scored by %d-fold cross-validation on "
			 "train+validation %s; best alpha %s (%zu %s, mean %.4f, SE %.4f), "
			 "one-SE choice tree.ccp_alpha=%s (%zu %s, mean %.4f)",
			 p->n, s->tune_cv, s->tune_objective, ba, b->leaves, bl, b->score,
			 b->score_se, ca, c->leaves, cl, c->score);
	else if (!p->has_se)
		add_note(r, "pruning path: %zu alphas scored on validation %s, which has no "
			 "standard error: tree.ccp_alpha=%s, the largest alpha with the best "
			 "score (%zu %s, %.4f); tune.cv gives one", p->n, s->tune_objective,
			 ca, c->leaves, cl, c->score);
	else
		add_note(r, "pruning path: %zu alphas scored on validation %s; best alpha %s "
			 "(%zu %s, %.4f, SE %.4f), one-SE choice tree.ccp_alpha=%s "
			 "(%zu %s, %.4f)", p->n, s->tune_objective, ba, b->leaves, bl, b->score,
			 b->score_se, ca, c->leaves, cl, c->score);
	if (c->leaves == 1)
		add_note(r, "pruning path: the choice is the root alone, which gives every row "
			 "the same decision: no tree with splits scored better%s on %s",
			 p->has_se ? " by more than one SE" : "", s->tune_objective);
	if (before > 0) {
		char was[32];
		fmt_double(was, before);
		add_note(r, "tune.ccp_alpha: the path replaced tree.ccp_alpha %s", was);
	}
	if (!r->tune)
		note_folds_mix_times(r);
	return 0;
}

static int tune(const struct frame *f, const struct ft_progress *prog,
		struct pipeline_result *r, const struct tree_bins *bins,
		const char *const *names, struct ft_err *err)
{
	struct settings *s = &r->settings;
	int workers = s->tree.threads > 0 ? s->tree.threads : ft_threads();
	if (s->tune_cv > 0)
		r->tune = tune_cv(f, r, workers, prog, err);
	else
		r->tune = tune_grid_binned(bins, names, &r->validation, s, workers, prog,
					   &r->ntune, &r->tune_best, err);
	if (!r->tune)
		return -1;
	const struct tune_row *b = &r->tune[r->tune_best];
	s->tree.max_depth = b->max_depth;
	s->tree.min_samples_split = b->min_samples_split;
	s->tree.min_samples_leaf = b->min_samples_leaf;
	note_folds_mix_times(r);
	if (s->tune_cv > 0)
		add_note(r, "tuned %zu grid point%s by %d-fold cross-validation on "
			 "train+validation %s: best max_depth=%d min_samples_split=%zu "
			 "min_samples_leaf=%zu (mean %.4f, sd %.4f)",
			 r->ntune, r->ntune == 1 ? "" : "s", s->tune_cv, s->tune_objective,
			 b->max_depth, b->min_samples_split, b->min_samples_leaf, b->score,
			 b->score_sd);
	else
		add_note(r, "tuned %zu grid point%s on validation %s: best max_depth=%d "
			 "min_samples_split=%zu min_samples_leaf=%zu (%.4f)",
			 r->ntune, r->ntune == 1 ? "" : "s", s->tune_objective, b->max_depth,
			 b->min_samples_split, b->min_samples_leaf, b->score);
	return 0;
}

/* Each row's score and probability; with threshold_on = probability the
 * threshold reads the probability, so *decide holds that. */
static void score_split(const struct pipeline_result *r, const struct dataset *d,
			double **decide, double **prob)
{
	double *score = xmalloc((d->n ? d->n : 1) * sizeof *score);
	*prob = xmalloc((d->n ? d->n : 1) * sizeof **prob);
	tree_predict_both(r->tree, d, score, *prob);
	if (r->settings.threshold_on == THRESHOLD_ON_PROBABILITY)
		memcpy(score, *prob, d->n * sizeof *score);
	*decide = score;
}

static int set_threshold(struct pipeline_result *r, double threshold, struct ft_err *err);

/* Validation is scored on a second thread while this one scores test;
 * each side writes only its own fields. */
static void *evaluate_validation(void *arg)
{
	struct pipeline_result *r = arg;
	score_split(r, &r->validation, &r->validation_proba, &r->validation_probability);
	metrics_evaluate(r->validation.y, r->validation_proba, r->validation_probability,
			 r->validation.n, r->settings.threshold, &r->validation_metrics,
			 NULL, NULL);
	metrics_intervals(NULL, &r->validation_metrics);
	return NULL;
}

/* The training split's figures from the leaves: each leaf's real rows
 * score that leaf's values, so no training row needs to be kept. */
static void evaluate_train(struct pipeline_result *r)
{
	const struct tree *t = r->tree;
	size_t n = 0;
	for (size_t k = 0; k < t->nnodes; k++)
		if (t->nodes[k].left == TREE_LEAF)
			n += t->nodes[k].real[0] + t->nodes[k].real[1];
	uint8_t *y = xmalloc(n ? n : 1);
	double *score = xmalloc((n ? n : 1) * sizeof *score);
	double *prob = xmalloc((n ? n : 1) * sizeof *prob);
	size_t i = 0;
	for (size_t k = 0; k < t->nnodes; k++) {
		const struct tree_node *nd = &t->nodes[k];
		if (nd->left != TREE_LEAF)
			continue;
		double p = tree_node_probability(t, nd);
		double sc = r->settings.threshold_on == THRESHOLD_ON_PROBABILITY ? p :
			tree_node_proba(nd);
		for (int c = 0; c < 2; c++)
			for (uint64_t j = 0; j < nd->real[c]; j++, i++) {
				y[i] = (uint8_t)c;
				score[i] = sc;
				prob[i] = p;
			}
	}
	metrics_evaluate(y, score, prob, n, r->settings.threshold, &r->train_metrics, NULL, NULL);
	metrics_intervals(NULL, &r->train_metrics);
	free(y);
	free(score);
	free(prob);
}

/* Test (with its intervals) and train, while validation is scored on the
 * other thread. */
static void *evaluate_test_train(void *arg)
{
	struct pipeline_result *r = arg;
	const struct settings *s = &r->settings;
	score_split(r, &r->test, &r->test_proba, &r->test_probability);
	metrics_evaluate(r->test.y, r->test_proba, r->test_probability, r->test.n, s->threshold,
			 &r->test_metrics, &r->roc, &r->pr);
	r->test_bootstrap = metrics_bootstrap_new(r->test.y, r->test_proba, r->test_probability,
						  r->test.n, PIPELINE_BOOTSTRAP_RESAMPLES,
						  s->split_seed);
	metrics_intervals(r->test_bootstrap, &r->test_metrics);
	evaluate_train(r);
	return NULL;
}

static int evaluate(struct pipeline_result *r, struct ft_err *err)
{
	const struct settings *s = &r->settings;
	struct ft_task parts[] = { { evaluate_test_train, r }, { evaluate_validation, r } };
	ft_run_tasks(parts, 2);
	struct amount_steps *vs = amount_steps_new(r->validation.y, r->validation_proba,
						   r->validation.amount, r->validation.n);
	struct amount_steps *ts = amount_steps_new(r->test.y, r->test_proba, r->test.amount,
						   r->test.n);
	amount_risk_curve(ts, &r->risk);
	amount_at(vs, s->threshold, &s->cost, s->alert_rate, &r->validation_metrics.amount);
	amount_at(ts, s->threshold, &s->cost, s->alert_rate, &r->test_metrics.amount);
	double cost = 0, thr = amount_min_cost_threshold(vs, &s->cost, &cost);
	r->cost_optimal_threshold = thr;
	amount_steps_free(vs);
	amount_steps_free(ts);
	if (s->threshold_min_cost) {
		if (r->validation.n == 0)
			return ft_fail(err, FT_EINPUT, "threshold: min_cost needs a validation "
				       "split (split.validation is 0)");
		if (set_threshold(r, thr, err) < 0)
			return -1;
		r->min_cost = true;
		r->min_cost_validation = cost;
		char tb[32];
		fmt_double(tb, thr);
		add_note(r, "threshold: %s has the least cost on validation (%.2f); on test: "
			 "cost %.2f, net savings %.2f, %" PRIu64 " alerts", tb, cost,
			 r->test_metrics.amount.cost, r->test_metrics.amount.net_savings,
			 r->test_metrics.amount.alerts);
		return 0;
	}
	return gate_evaluate(s->gate, s->ngate, &r->test_metrics, &r->gate, err);
}

/* The training matrix is binned once, for the grid and the final fit
 * alike; the fits read only the bins, labels and weights, so the matrix
 * itself is freed as soon as it is binned, and the rest right after the
 * final fit, before evaluation. */
static int run(const struct frame *f, struct frame *owned, const struct settings *s,
	       const struct ft_progress *prog, struct pipeline_result *out,
	       struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	if (settings_validate(s, err) < 0) {
		frame_free(owned);
		return -1;
	}
	settings_copy(&out->settings, s);

	struct dataset train;
	memset(&train, 0, sizeof train);
	struct tree_bins *bins = NULL;
	const char **names = NULL;
	int rc = -1;
	bool tuning = tune_wanted(&out->settings) ||
		out->settings.tune_ccp_alpha == TUNE_CCP_PATH;

	double t0 = ft_now();
	if (prepare(f, owned ? &owned : NULL, prog, out, &train, err) < 0)
		goto done;
	names = feature_names(out->recipe);
	double t1 = ft_now();
	out->seconds[STAGE_PREPARE] = t1 - t0;

	/* Parameters are refused before any binning work, as tree_fit does. */
	if (tuning && tune_check(&out->settings, out->settings.tune_cv > 0 ?
				 out->split.ntrain + out->split.nvalidation : out->validation.n,
				 err) < 0)
		goto done;
	const char *why = tuning ? NULL : tree_check_params(&out->settings.tree);
	if (why) {
		ft_fail(err, FT_EINPUT, "%s", why);
		goto done;
	}
	struct ft_progress bin_prog = {
		.fn = tuning || !prog ? NULL : prog->fn, .ctx = prog ? prog->ctx : NULL,
		.cancel = prog ? prog->cancel : NULL
	};
	bins = tree_bins_new(&train, names, out->settings.tree.max_bins,
			     out->settings.tree.threads, &bin_prog, err);
	if (!bins)
		goto done;
	free(train.X);
	free(train.B);
	train.X = NULL;
	train.B = NULL;
	double t2 = ft_now();

	if (tune_wanted(&out->settings) && tune(f, prog, out, bins, names, err) < 0)
		goto done;
	if (out->settings.tune_ccp_alpha == TUNE_CCP_PATH &&
	    tune_ccp(f, prog, out, bins, names, err) < 0)
		goto done;
	if (owned && out->settings.tune_cv > 0) {
		frame_free(owned);
		owned = NULL;
		release_free_pages();
	}
	double t3 = ft_now();
	out->seconds[STAGE_TUNE] = t3 - t2;
	if (check_cancel(prog, err) < 0)
		goto done;

	out->tree = tree_fit_binned(bins, names, &out->settings.tree, prog, err);
	if (!out->tree)
		goto done;
	reference_set_score(out->reference, out->tree);
	note_row_order(out);
	tree_bins_free(bins);
	bins = NULL;
	dataset_free(&train);
	double t4 = ft_now();
	out->seconds[STAGE_TRAIN] = (t2 - t1) + (t4 - t3);
	if (check_cancel(prog, err) < 0)
		goto done;

	ft_progress_report(prog, "evaluate", 0, 1);
	if (evaluate(out, err) < 0)
		goto done;
	ft_progress_report(prog, "evaluate", 1, 1);
	out->seconds[STAGE_EVALUATE] = ft_now() - t4;
	rc = 0;
done:
	free(names);
	tree_bins_free(bins);
	dataset_free(&train);
	frame_free(owned);
	if (rc < 0) {
		pipeline_result_free(out);
		memset(out, 0, sizeof *out);
	}
	return rc;
}

int pipeline_run(const struct frame *f, const struct settings *s,
		 const struct ft_progress *prog, struct pipeline_result *out,
		 struct ft_err *err)
{
	return run(f, NULL, s, prog, out, err);
}

int pipeline_run_owned(struct frame *f, const struct settings *s,
		       const struct ft_progress *prog, struct pipeline_result *out,
		       struct ft_err *err)
{
	return run(f, f, s, prog, out, err);
}

/* ---- moving the threshold ----------------------------------------------
 * Only the confusion matrix and the ratios made from it depend on the
 * threshold; the AUCs and the log loss do not. Each split's scores are
 * sorted once into distinct values, highest first, with the positives and
 * negatives scoring at or above each, so any threshold's confusion matrix
 * is a binary search away. */

struct score_steps {
	size_t n;
	double *score;               /* distinct, decreasing */
	uint64_t *tp, *fp;           /* samples scoring >= score[k], by class */
};

struct threshold_cache {
	struct score_steps train, validation, test;
	struct amount_steps *amount_validation, *amount_test;
};

static int by_score_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

static void steps_free(struct score_steps *st)
{
	free(st->score);
	free(st->tp);
	free(st->fp);
}

/* v's distinct values, decreasing (caller frees). */
static double *distinct_desc(const double *v, size_t n, size_t *m)
{
	double *d = xmalloc((n ? n : 1) * sizeof *d);
	memcpy(d, v, n * sizeof *d);
	qsort(d, n, sizeof *d, by_score_desc);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || d[i] != d[k - 1])
			d[k++] = d[i];
	*m = k;
	return d;
}

/* Count each sample at its score's step; false when a score is not one
 * of st->score. */
static bool steps_count(struct score_steps *st, const uint8_t *y, const double *proba,
			size_t n)
{
	memset(st->tp, 0, st->n * sizeof *st->tp);
	memset(st->fp, 0, st->n * sizeof *st->fp);
	for (size_t i = 0; i < n; i++) {
		size_t lo = 0, hi = st->n;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (st->score[mid] >= proba[i])
				lo = mid;
			else
				hi = mid;
		}
		if (lo >= st->n || st->score[lo] != proba[i])
			return false;
		if (y[i])
			st->tp[lo]++;
		else
			st->fp[lo]++;
	}
	return true;
}

/* Every score is some leaf's probability, so the steps are found among
 * the leaves' (a few hundred) rather than by sorting every sample; the
 * sort remains for scores that did not come from this tree. */
static void steps_build(struct score_steps *st, const struct tree *t, enum threshold_on on,
			const uint8_t *y, const double *proba, size_t n)
{
	double *leaf = xmalloc((t->nnodes ? t->nnodes : 1) * sizeof *leaf);
	size_t nleaf = 0;
	for (size_t k = 0; k < t->nnodes; k++)
		if (t->nodes[k].left == TREE_LEAF)
			leaf[nleaf++] = on == THRESHOLD_ON_PROBABILITY ?
				tree_node_probability(t, &t->nodes[k]) : tree_node_proba(&t->nodes[k]);
	st->score = distinct_desc(leaf, nleaf, &st->n);
	free(leaf);
	st->tp = xmalloc((st->n ? st->n : 1) * sizeof *st->tp);
	st->fp = xmalloc((st->n ? st->n : 1) * sizeof *st->fp);
	if (!steps_count(st, y, proba, n)) {
		steps_free(st);
		st->score = distinct_desc(proba, n, &st->n);
		st->tp = xmalloc((st->n ? st->n : 1) * sizeof *st->tp);
		st->fp = xmalloc((st->n ? st->n : 1) * sizeof *st->fp);
		steps_count(st, y, proba, n);
	}
	for (size_t k = 1; k < st->n; k++) {
		st->tp[k] += st->tp[k - 1];
		st->fp[k] += st->fp[k - 1];
	}
}

/* The training split's steps: each leaf's real rows at its value. */
static void steps_from_leaves(struct score_steps *st, const struct tree *t,
			      enum threshold_on on)
{
	double *leaf = xmalloc((t->nnodes ? t->nnodes : 1) * sizeof *leaf);
	size_t nleaf = 0;
	for (size_t k = 0; k < t->nnodes; k++)
		if (t->nodes[k].left == TREE_LEAF)
			leaf[nleaf++] = on == THRESHOLD_ON_PROBABILITY ?
				tree_node_probability(t, &t->nodes[k]) : tree_node_proba(&t->nodes[k]);
	st->score = distinct_desc(leaf, nleaf, &st->n);
	free(leaf);
	st->tp = xcalloc(st->n ? st->n : 1, sizeof *st->tp);
	st->fp = xcalloc(st->n ? st->n : 1, sizeof *st->fp);
	for (size_t k = 0; k < t->nnodes; k++) {
		const struct tree_node *nd = &t->nodes[k];
		if (nd->left != TREE_LEAF)
			continue;
		double v = on == THRESHOLD_ON_PROBABILITY ? tree_node_probability(t, nd) :
			tree_node_proba(nd);
		size_t lo = 0, hi = st->n;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (st->score[mid] >= v)
				lo = mid;
			else
				hi = mid;
		}
		st->tp[lo] += nd->real[1];
		st->fp[lo] += nd->real[0];
	}
	for (size_t k = 1; k < st->n; k++) {
		st->tp[k] += st->tp[k - 1];
		st->fp[k] += st->fp[k - 1];
	}
}

static void threshold_cache_free(struct threshold_cache *c)
{
	if (!c)
		return;
	steps_free(&c->train);
	steps_free(&c->validation);
	steps_free(&c->test);
	amount_steps_free(c->amount_validation);
	amount_steps_free(c->amount_test);
	free(c);
}

/* base holds this split's metrics at any threshold; the threshold-free
 * ones are kept, the others recomputed by metrics_rates, as
 * metrics_compute does (the unit tests hold the two to bit-equal results). */
static void metrics_at(const struct score_steps *st, const struct amount_steps *am,
		       const struct settings *s, const struct metrics *base,
		       double threshold, struct metrics *m)
{
	size_t lo = 0, hi = st->n;   /* how many distinct scores are >= threshold */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->score[mid] >= threshold)
			lo = mid + 1;
		else
			hi = mid;
	}
	*m = *base;
	m->threshold = threshold;
	struct confusion *c = &m->cm;
	c->tp = lo ? st->tp[lo - 1] : 0;
	c->fp = lo ? st->fp[lo - 1] : 0;
	c->fn = base->positives - c->tp;
	c->tn = base->negatives - c->fp;
	metrics_rates(m);
	if (am)   /* the training split has no amounts */
		amount_at(am, threshold, &s->cost, s->alert_rate, &m->amount);
}

int pipeline_set_threshold(struct pipeline_result *r, double threshold, struct ft_err *err)
{
	if (set_threshold(r, threshold, err) < 0)
		return -1;
	r->settings.threshold_min_cost = false;
	r->min_cost = false;
	return 0;
}

static int set_threshold(struct pipeline_result *r, double threshold, struct ft_err *err)
{
	if (!(threshold >= 0.0 && threshold <= 1.0))
		return ft_fail(err, FT_EINPUT, "threshold: expected a number in [0, 1]");
	if (!r->tree)
		return ft_fail(err, FT_EINTERNAL, "threshold: no fitted model");
	if (!r->thresholds) {
		r->thresholds = xcalloc(1, sizeof *r->thresholds);
		steps_build(&r->thresholds->validation, r->tree, r->settings.threshold_on,
			    r->validation.y, r->validation_proba, r->validation.n);
		steps_build(&r->thresholds->test, r->tree, r->settings.threshold_on, r->test.y,
			    r->test_proba, r->test.n);
		steps_from_leaves(&r->thresholds->train, r->tree, r->settings.threshold_on);
		r->thresholds->amount_validation = amount_steps_new(r->validation.y,
			r->validation_proba, r->validation.amount, r->validation.n);
		r->thresholds->amount_test = amount_steps_new(r->test.y, r->test_proba,
							      r->test.amount, r->test.n);
	}
	struct gate_result g;
	struct metrics tr, v, t;
	metrics_at(&r->thresholds->train, NULL, &r->settings, &r->train_metrics, threshold, &tr);
	metrics_at(&r->thresholds->validation, r->thresholds->amount_validation, &r->settings,
		   &r->validation_metrics, threshold, &v);
	metrics_at(&r->thresholds->test, r->thresholds->amount_test, &r->settings,
		   &r->test_metrics, threshold, &t);
	metrics_intervals(NULL, &tr);
	metrics_intervals(NULL, &v);
	metrics_intervals(r->test_bootstrap, &t);
	memset(&g, 0, sizeof g);
	if (gate_evaluate(r->settings.gate, r->settings.ngate, &t, &g, err) < 0)
		return -1;
	r->settings.threshold = threshold;
	r->train_metrics = tr;
	r->validation_metrics = v;
	r->test_metrics = t;
	gate_result_free(&r->gate);
	r->gate = g;
	return 0;
}

void pipeline_result_free(struct pipeline_result *r)
{
	if (!r)
		return;
	settings_free(&r->settings);
	target_info_free(&r->target);
	split_free(&r->split);
	recipe_free(r->recipe);
	tree_free(r->tree);
	reference_free(r->reference);
	free(r->tune);
	tune_path_free(&r->ccp_path);
	dataset_free(&r->validation);
	dataset_free(&r->test);
	free(r->validation_proba);
	free(r->test_proba);
	free(r->validation_probability);
	free(r->test_probability);
	curve_free(&r->roc);
	curve_free(&r->pr);
	gate_result_free(&r->gate);
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->time_like);
	free(r->time_span);
	free(r->input_col);
	explore_hints_free(&r->row_order);
	threshold_cache_free(r->thresholds);
	amount_risk_free(&r->risk);
	metrics_bootstrap_free(r->test_bootstrap);
	memset(r, 0, sizeof *r);
}

const char *pipeline_stage_name(enum pipeline_stage st)
{
	return st < STAGE_COUNT ? stage_names[st] : "?";
}

/* ---- evaluation.json ---------------------------------------------------
 * Numbers go in as raw text from fmt_double so they read back exactly and
 * print identically everywhere. */

static void add_num(cJSON *o, const char *key, double v)
{
	char buf[32];
	fmt_double(buf, v);
	cJSON_AddRawToObject(o, key, buf);
}

static void add_count(cJSON *o, const char *key, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	cJSON_AddRawToObject(o, key, buf);
}

static cJSON *num_array(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	char buf[32];
	for (size_t i = 0; i < n; i++) {
		fmt_double(buf, v[i]);
		cJSON_AddItemToArray(a, cJSON_CreateRaw(buf));
	}
	return a;
}

/* Each figure as {"value"} and, when it has one, its interval as
 * SageMaker's metric format spells it ("standard_deviation") with the 95%
 * bounds beside. */
static cJSON *metrics_json(const struct metrics *m)
{
	cJSON *o = cJSON_CreateObject();
	size_t k = 0;
	for (const char *const *name = metrics_names(); *name; name++, k++) {
		double v;
		if (!metrics_lookup(m, *name, &v))
			continue;
		cJSON *e = cJSON_AddObjectToObject(o, *name);
		add_num(e, "value", v);
		const struct metric_interval *iv = &m->interval[k];
		if (iv->known) {
			add_num(e, "standard_deviation", iv->standard_deviation);
			add_num(e, "lower", iv->lower);
			add_num(e, "upper", iv->upper);
		}
	}
	if (!cJSON_GetObjectItemCaseSensitive(o, "baseline"))
		add_num(cJSON_AddObjectToObject(o, "baseline"), "value", m->baseline);
	/* The original pipeline's layout, kept as is: outer key = predicted
	 * class, inner key = actual class. */
	cJSON *cm = cJSON_AddObjectToObject(o, "confusion_matrix");
	cJSON *p0 = cJSON_AddObjectToObject(cm, "0");
	add_count(p0, "0", m->cm.tn);
	add_count(p0, "1", m->cm.fn);
	cJSON *p1 = cJSON_AddObjectToObject(cm, "1");
	add_count(p1, "0", m->cm.fp);
	add_count(p1, "1", m->cm.tp);
	return o;
}

static cJSON *uncertainty_json(const struct metrics *m)
{
	cJSON *o = cJSON_CreateObject();
	add_num(o, "confidence", METRICS_CONFIDENCE);
	cJSON_AddStringToObject(o, "proportions", "wilson");
	cJSON *b = cJSON_AddObjectToObject(o, "bootstrap");
	cJSON_AddStringToObject(b, "method", "stratified, percentile");
	add_count(b, "resamples", m->bootstrap_resamples);
	add_count(b, "seed", m->bootstrap_seed);
	return o;
}

/* Mean probability against the observed rate, overall and per tenth. */
static cJSON *calibration_json(const struct metrics *m)
{
	cJSON *o = cJSON_CreateObject();
	add_num(o, "fraud_rate", m->n ? (double)m->positives / (double)m->n : 0.0);
	add_num(o, "mean_probability", m->mean_probability);
	add_num(o, "mean_score", m->mean_score);
	add_num(o, "brier", m->brier);
	cJSON *rel = cJSON_AddArrayToObject(o, "reliability");
	for (int k = 0; k < METRICS_RELIABILITY_BINS; k++) {
		const struct reliability_bin *b = &m->reliability[k];
		cJSON *e = cJSON_CreateObject();
		add_num(e, "from", (double)k / METRICS_RELIABILITY_BINS);
		add_num(e, "to", (double)(k + 1) / METRICS_RELIABILITY_BINS);
		add_count(e, "rows", b->n);
		add_count(e, "frauds", b->positives);
		add_num(e, "mean_probability", b->mean_probability);
		add_num(e, "fraud_rate", b->n ? (double)b->positives / (double)b->n : 0.0);
		cJSON_AddItemToArray(rel, e);
	}
	return o;
}

static cJSON *class_counts_json(const size_t c[2])
{
	cJSON *o = cJSON_CreateObject();
	add_count(o, "0", c[0]);
	add_count(o, "1", c[1]);
	return o;
}

static cJSON *splits_json(const struct pipeline_result *r)
{
	static const char *const keys[SPLIT_COUNT] = { "train", "validation", "test" };
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "method", split_method_name(r->settings.split_method));
	if (r->counts.time_col >= 0) {
		cJSON_AddStringToObject(o, "time_column", r->settings.split_time_column ?
					r->settings.split_time_column : "");
		add_num(o, "gap_days", r->settings.split_gap_days);
		add_count(o, "rows_without_time", r->counts.no_time);
		add_count(o, "rows_in_gaps", r->counts.in_gap);
	}
	for (int sp = 0; sp < SPLIT_COUNT; sp++) {
		cJSON *s = cJSON_AddObjectToObject(o, keys[sp]);
		const size_t *before = r->counts.before[sp];
		add_count(s, "rows", before[0] + before[1]);
		cJSON_AddItemToObject(s, "before", class_counts_json(before));
		cJSON_AddItemToObject(s, "after", class_counts_json(
			sp == SPLIT_TRAIN ? r->counts.train_after : before));
		size_t n = before[0] + before[1];
		add_num(s, "fraud_rate", n ? (double)before[1] / (double)n : 0.0);
		if (r->counts.time_col >= 0) {
			cJSON_AddStringToObject(s, "from", r->counts.from[sp]);
			cJSON_AddStringToObject(s, "to", r->counts.to[sp]);
		}
		if (sp == SPLIT_TRAIN) {
			cJSON *w = cJSON_AddObjectToObject(s, "class_weight");
			add_num(w, "0", r->counts.train_weight[0]);
			add_num(w, "1", r->counts.train_weight[1]);
		}
	}
	return o;
}

static cJSON *curve_json(const struct curve *c, const char *xname, const char *yname)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, xname, num_array(c->x, c->n));
	cJSON_AddItemToObject(o, yname, num_array(c->y, c->n));
	cJSON_AddItemToObject(o, "threshold", num_array(c->threshold, c->n));
	return o;
}

/* A number, or null for NAN (a score the objective has no value for). */
static void add_num_or_null(cJSON *o, const char *key, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else
		add_num(o, key, v);
}

static cJSON *ccp_path_json(const struct tune_path *p)
{
	cJSON *o = cJSON_CreateObject();
	add_count(o, "best", p->best);
	add_count(o, "chosen", p->chosen);
	cJSON *rows = cJSON_AddArrayToObject(o, "alphas");
	for (size_t k = 0; k < p->n; k++) {
		const struct tune_alpha *a = &p->rows[k];
		cJSON *e = cJSON_CreateObject();
		add_num(e, "alpha", a->alpha);
		add_num(e, "impurity", a->impurity);
		add_count(e, "leaves", a->leaves);
		add_num_or_null(e, "score", a->score);
		add_num_or_null(e, "score_se", a->score_se);
		add_count(e, "folds", (uint64_t)a->folds);
		cJSON_AddItemToArray(rows, e);
	}
	return o;
}

static cJSON *tuning_json(const struct pipeline_result *r)
{
	static const char *const shown[] = {
		"accuracy", "precision", "recall", "f1", "balanced_accuracy",
		"roc_auc", "pr_auc", "log_loss"
	};
	if (!r->tune && !r->ccp_path.n)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "objective", r->settings.tune_objective);
	add_count(o, "cv", (uint64_t)r->settings.tune_cv);
	if (r->ccp_path.n)
		cJSON_AddItemToObject(o, "ccp_path", ccp_path_json(&r->ccp_path));
	if (!r->tune)
		return o;
	add_count(o, "best", r->tune_best);
	cJSON *grid = cJSON_AddArrayToObject(o, "grid");
	for (size_t k = 0; k < r->ntune; k++) {
		const struct tune_row *t = &r->tune[k];
		cJSON *e = cJSON_CreateObject();
		add_count(e, "max_depth", (uint64_t)t->max_depth);
		add_count(e, "min_samples_split", t->min_samples_split);
		add_count(e, "min_samples_leaf", t->min_samples_leaf);
		add_num(e, "score", t->score);
		if (r->settings.tune_cv > 0) {
			/* the score is the mean over the folds */
			add_num(e, "score_sd", t->score_sd);
			add_count(e, "folds", (uint64_t)t->folds);
			cJSON_AddItemToArray(grid, e);
			continue;
		}
		cJSON *v = cJSON_AddObjectToObject(e, "validation");
		for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
			double x;
			if (metrics_lookup(&t->validation, shown[i], &x))
				add_num(v, shown[i], x);
		}
		cJSON_AddItemToArray(grid, e);
	}
	return o;
}

struct ranked {
	double importance;
	size_t feature;
};

static int by_importance(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->importance != y->importance)
		return x->importance > y->importance ? -1 : 1;
	return x->feature < y->feature ? -1 : x->feature > y->feature;
}

size_t pipeline_top_features(const struct tree *t, size_t *out, size_t max)
{
	struct ranked *r = xcalloc(t->nfeatures + 1, sizeof *r);
	size_t n = 0;
	for (size_t j = 0; j < t->nfeatures; j++)
		if (t->importance[j] > 0.0)
			r[n++] = (struct ranked){ t->importance[j], j };
	qsort(r, n, sizeof *r, by_importance);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = r[i].feature;
	free(r);
	return n;
}

static cJSON *tree_summary_json(const struct tree *t)
{
	cJSON *o = cJSON_CreateObject();
	add_count(o, "nodes", t->nnodes);
	add_count(o, "leaves", tree_leaves(t));
	add_count(o, "depth", (uint64_t)tree_depth(t));
	add_count(o, "features", t->nfeatures);
	size_t top[IMPORTANCE_TOP];
	size_t n = pipeline_top_features(t, top, IMPORTANCE_TOP);
	cJSON *imp = cJSON_AddArrayToObject(o, "feature_importance");
	for (size_t i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "feature", t->feature_names[top[i]]);
		add_num(e, "importance", t->importance[top[i]]);
		cJSON_AddItemToArray(imp, e);
	}
	return o;
}

char *pipeline_report_json(const struct pipeline_result *r)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "format", "fraudtree-evaluation");
	cJSON_AddStringToObject(root, "format_version", EVALUATION_FORMAT_VERSION);

	cJSON *tg = cJSON_AddObjectToObject(root, "target");
	cJSON_AddStringToObject(tg, "column", r->settings.target ? r->settings.target : "");
	cJSON_AddStringToObject(tg, "positive", r->target.positive ? r->target.positive : "");
	cJSON_AddStringToObject(tg, "negative", r->target.negative ? r->target.negative : "");
	add_count(tg, "rows_missing_target", r->target.missing);

	add_num(root, "threshold", r->settings.threshold);
	cJSON *th = cJSON_AddObjectToObject(root, "threshold_choice");
	cJSON_AddStringToObject(th, "method", r->min_cost ? "min_cost" : "fixed");
	if (r->min_cost)
		add_num(th, "validation_cost", r->min_cost_validation);
	cJSON *am = cJSON_AddObjectToObject(root, "amount");
	if (r->settings.amount_column && !r->settings.amount_none)
		cJSON_AddStringToObject(am, "column", r->settings.amount_column);
	else
		cJSON_AddNullToObject(am, "column");
	add_num(am, "fraud_amount_test", r->test_metrics.amount.fraud_amount);
	add_num(am, "fraud_amount_validation", r->validation_metrics.amount.fraud_amount);
	cJSON *co = cJSON_AddObjectToObject(am, "cost");
	add_num(co, "alert", r->settings.cost.alert);
	add_num(co, "missed", r->settings.cost.missed);
	add_num(co, "caught", r->settings.cost.caught);
	add_num(am, "alert_rate", r->settings.alert_rate);
	cJSON *bl = cJSON_AddObjectToObject(root, "baseline");
	add_num(bl, "accuracy", r->test_metrics.baseline);
	const char *majority = r->test_metrics.positives > r->test_metrics.negatives ?
		r->target.positive : r->target.negative;
	cJSON_AddStringToObject(bl, "majority_class", majority ? majority : "");
	cJSON_AddStringToObject(bl, "test", "one-sided exact binomial");
	add_num(bl, "p_value", r->test_metrics.baseline_p_value);
	add_num(bl, "significance", METRICS_SIGNIFICANCE);
	cJSON_AddBoolToObject(bl, "beaten", r->test_metrics.baseline_p_value < METRICS_SIGNIFICANCE);
	cJSON_AddItemToObject(root, "binary_classification_metrics",
			      metrics_json(&r->test_metrics));
	cJSON_AddItemToObject(root, "uncertainty", uncertainty_json(&r->test_metrics));
	cJSON_AddItemToObject(root, "calibration", calibration_json(&r->test_metrics));
	cJSON_AddStringToObject(root, "threshold_on", threshold_on_name(r->settings.threshold_on));
	cJSON *val = cJSON_AddObjectToObject(root, "validation");
	cJSON_AddItemToObject(val, "binary_classification_metrics",
			      metrics_json(&r->validation_metrics));
	cJSON *trn = cJSON_AddObjectToObject(root, "train");
	cJSON_AddStringToObject(trn, "rows", "the real training rows the tree was grown on");
	cJSON_AddItemToObject(trn, "binary_classification_metrics",
			      metrics_json(&r->train_metrics));

	cJSON_AddItemToObject(root, "splits", splits_json(r));
	cJSON *curves = cJSON_AddObjectToObject(root, "curves");
	cJSON_AddItemToObject(curves, "roc", curve_json(&r->roc, "fpr", "tpr"));
	cJSON_AddItemToObject(curves, "pr", curve_json(&r->pr, "recall", "precision"));
	cJSON *risk = cJSON_AddObjectToObject(curves, "risk");
	cJSON_AddItemToObject(risk, "alert_rate", num_array(r->risk.alert_rate, r->risk.n));
	cJSON_AddItemToObject(risk, "recall", num_array(r->risk.recall, r->risk.n));
	cJSON_AddItemToObject(risk, "amount_recall", num_array(r->risk.amount_recall, r->risk.n));
	cJSON_AddItemToObject(risk, "threshold", num_array(r->risk.threshold, r->risk.n));
	cJSON_AddItemToObject(root, "gate", gate_to_json(&r->gate, GATE_JSON_REPORT));
	cJSON_AddItemToObject(root, "tuning", tuning_json(r));
	if (r->tree)
		cJSON_AddItemToObject(root, "tree", tree_summary_json(r->tree));
	cJSON *notes = cJSON_AddArrayToObject(root, "notes");
	for (size_t i = 0; i < r->nnotes; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(r->notes[i]));

	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return NULL;
	char *out = xasprintf("%s\n", text);
	cJSON_free(text);
	return out;
}
