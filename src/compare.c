/* compare: two models on the same rows.
 *
 * Each model scores the rows as `fraudtree predict` would: every cell goes
 * through its recipe as text (recipe_apply_row), so a model sees a holdout
 * file exactly as it would see it in production. Rows without a label are
 * left out. The test is paired: McNemar's exact test looks only at the
 * rows where the two decisions differ, and under "no difference" each of
 * those is equally likely to favour either model (a fair coin), so the
 * two-sided p-value is 2 P(X <= min(b, c)), X ~ Binomial(b + c, 1/2),
 * capped at 1 (1 when no row differs). */
#include "config.h"
#include "compare.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "csv_load.h"
#include "frame.h"
#include "recipe.h"
#include "recipe_apply.h"
#include "split.h"
#include "target.h"
#include "sha256.h"
#include "tree.h"

void compare_result_free(struct compare_result *r)
{
	if (!r)
		return;
	free(r->rows_note);
	free(r->amount_column);
	memset(r, 0, sizeof *r);
}

double compare_mcnemar(uint64_t b, uint64_t c)
{
	uint64_t n = b + c, lo = b < c ? b : c;
	if (n == 0)
		return 1.0;
	/* P(X <= lo) = P(X >= n - lo) by symmetry at 1/2 */
	double p = 2.0 * metrics_binomial_tail(n - lo, n, 0.5);
	return p > 1.0 ? 1.0 : p;
}

/* The rows of the test split a model's settings make of f (NULL when the
 * settings cannot be read or split this file), as a mark per frame row. */
static bool *test_rows(const struct frame *f, const char *pipeline_json)
{
	struct settings s;
	settings_init(&s);
	struct ft_err e;
	ft_err_clear(&e);
	bool *mark = NULL;
	struct target_info t;
	memset(&t, 0, sizeof t);
	if (settings_load_json(&s, pipeline_json, "pipeline.json", &e) == 0 &&
	    target_resolve(f, &s, &t, &e) == 0) {
		struct split sp;
		if (split_stratified(&t, f->nrows, &s, NULL, &sp, &e) == 0) {
			mark = xcalloc(f->nrows ? f->nrows : 1, sizeof *mark);
			for (size_t i = 0; i < sp.ntest; i++)
				mark[sp.test[i]] = true;
			split_free(&sp);
		}
		target_info_free(&t);
	}
	settings_free(&s);
	return mark;
}

/* Probabilities of model m for rows[0..n) of f, through the recipe as text. */
static int score(const struct model *m, const char *name, const struct frame *f,
		 const size_t *rows, size_t n, double *proba, struct ft_err *err)
{
	const struct recipe *rc = m->recipe;
	int *col = xcalloc(rc->ninputs ? rc->ninputs : 1, sizeof *col);
	for (size_t k = 0; k < rc->ninputs; k++) {
		col[k] = frame_find(f, rc->inputs[k].name);
		if (col[k] < 0) {
			ft_fail(err, FT_EINPUT, "%s: no column \"%s\" (%s needs it)",
				f->path ? f->path : "data", rc->inputs[k].name, name);
			free(col);
			return -1;
		}
	}
	enum { CELL = 64 };
	char *cells = xmalloc((rc->ninputs ? rc->ninputs : 1) * CELL);
	const char **fields = xcalloc(rc->ninputs ? rc->ninputs : 1, sizeof *fields);
	size_t *lens = xcalloc(rc->ninputs ? rc->ninputs : 1, sizeof *lens);
	float *x = xcalloc(rc->nfeatures ? rc->nfeatures : 1, sizeof *x);
	struct recipe_row_ctx *ctx = recipe_row_ctx_new(rc);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < rc->ninputs; k++) {
			char *buf = cells + k * CELL;
			const struct column *c = &f->cols[col[k]];
			if (c->type == COL_CATEGORICAL && !frame_is_missing(f, (size_t)col[k], rows[i])) {
				fields[k] = c->levels[c->codes[rows[i]]];   /* any length */
			} else if (c->type == COL_DATETIME &&
				   !frame_is_missing(f, (size_t)col[k], rows[i])) {
				fields[k] = frame_format_datetime(c->num[rows[i]], true, buf, CELL);
			} else {
				fields[k] = frame_cell_text(f, (size_t)col[k], rows[i], buf, CELL);
			}
			lens[k] = strlen(fields[k]);
		}
		recipe_apply_row(ctx, fields, lens, x);
		proba[i] = tree_predict_row(m->tree, x);
	}
	recipe_row_ctx_free(ctx);
	free(x);
	free(lens);
	free(fields);
	free(cells);
	free(col);
	return 0;
}

/* Settings of b (defaults when it has none) for the amounts and costs. */
static void side_settings(const char *pipeline_json, struct settings *s)
{
	settings_init(s);
	if (!pipeline_json)
		return;
	struct settings t;
	settings_init(&t);
	struct ft_err e;
	ft_err_clear(&e);
	if (settings_load_json(&t, pipeline_json, "pipeline.json", &e) == 0) {
		settings_free(s);
		*s = t;
	} else {
		settings_free(&t);
	}
}

static void test_of(const uint8_t *y, const uint8_t *pa, const uint8_t *pb, size_t n,
		    bool frauds_only, struct compare_test *t)
{
	t->b = t->c = 0;
	for (size_t i = 0; i < n; i++) {
		if (frauds_only && !y[i])
			continue;
		bool ra = pa[i] == y[i], rb = pb[i] == y[i];
		if (rb && !ra)
			t->b++;
		else if (ra && !rb)
			t->c++;
	}
	t->p = compare_mcnemar(t->b, t->c);
}

int compare_models(const struct compare_model *a, const struct compare_model *b,
		   const char *csv, struct compare_result *out, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	const struct recipe *ra = a->model->recipe, *rb = b->model->recipe;
	if (strcmp(ra->target, rb->target) || strcmp(ra->positive, rb->positive))
		return ft_fail(err, FT_EINPUT, "%s and %s predict different labels (%s = %s, "
			       "%s = %s)", a->name, b->name, ra->target, ra->positive,
			       rb->target, rb->positive);
	uint64_t size;
	if (sha256_file(csv, out->file_sha256, &size, err) < 0)
		return -1;
	const char **na = xcalloc(ra->nna_values + rb->nna_values + 1, sizeof *na);
	size_t nna = 0;
	for (size_t i = 0; i < ra->nna_values; i++)
		na[nna++] = ra->na_values[i];
	for (size_t i = 0; i < rb->nna_values; i++)
		na[nna++] = rb->na_values[i];
	struct csv_options copt = { .na_values = na, .nna_values = nna };
	struct frame *f = csv_load(csv, &copt, err);
	free(na);
	if (!f)
		return -1;

	struct settings sb;
	side_settings(b->pipeline_json, &sb);
	struct settings lab;
	settings_init(&lab);
	free(lab.target);
	lab.target = xstrdup(ra->target);
	lab.positive = xstrdup(ra->positive);
	struct target_info t;
	int rc = target_resolve(f, &lab, &t, err);
	settings_free(&lab);
	if (rc < 0) {
		settings_free(&sb);
		frame_free(f);
		return -1;
	}

	/* rows: labelled, and in the test split of each model trained on this file */
	const struct compare_model *side[2] = { a, b };
	bool *keep[2] = { NULL, NULL };
	bool favoured[2] = { false, false };
	for (int s = 0; s < 2; s++) {
		out->trained_on_file[s] = side[s]->data_sha256 &&
			!strcmp(side[s]->data_sha256, out->file_sha256);
		if (!out->trained_on_file[s])
			continue;
		keep[s] = side[s]->pipeline_json ? test_rows(f, side[s]->pipeline_json) : NULL;
		favoured[s] = !keep[s];
	}
	size_t *rows = xmalloc((f->nrows ? f->nrows : 1) * sizeof *rows), n = 0;
	for (size_t i = 0; i < f->nrows; i++) {
		if (t.y[i] > 1 || (keep[0] && !keep[0][i]) || (keep[1] && !keep[1][i]))
			continue;
		rows[n++] = i;
	}
	struct strbuf note = { 0 };
	if (!out->trained_on_file[0] && !out->trained_on_file[1])
		sb_printf(&note, "every labelled row: neither version was trained on this file");
	else if (keep[0] && keep[1])
		sb_printf(&note, "both versions were trained on this file: only rows in both "
			  "test splits, which neither trained on");
	else if (keep[0] || keep[1])
		sb_printf(&note, "%s was trained on this file: only its test split",
			  keep[0] ? a->name : b->name);
	for (int s = 0; s < 2; s++)
		if (favoured[s])
			sb_printf(&note, "%s%s was trained on this file and its split cannot be "
				  "rebuilt: the figures favour it", note.len ? "; " : "",
				  side[s]->name);
	out->rows_note = note.data ? note.data : xstrdup("");
	free(keep[0]);
	free(keep[1]);

	double *proba[2], *amount = NULL;
	uint8_t *y = xmalloc(n ? n : 1), *pred[2];
	for (size_t i = 0; i < n; i++)
		y[i] = t.y[rows[i]];
	rc = 0;
	for (int s = 0; s < 2; s++) {
		proba[s] = xmalloc((n ? n : 1) * sizeof *proba[s]);
		pred[s] = xmalloc(n ? n : 1);
		if (rc == 0)
			rc = score(side[s]->model, side[s]->name, f, rows, n, proba[s], err);
	}
	if (rc == 0) {
		int ac = -1;
		if (!sb.amount_none && sb.amount_column) {
			ac = frame_find(f, sb.amount_column);
			if (ac >= 0 && f->cols[ac].type != COL_NUMERIC)
				ac = -1;
		}
		if (ac < 0 && !sb.amount_none)
			ac = amount_guess_column(f, t.col);
		if (ac >= 0) {
			out->amount_column = xstrdup(f->cols[ac].name);
			amount = xmalloc((n ? n : 1) * sizeof *amount);
			for (size_t i = 0; i < n; i++)
				amount[i] = f->cols[ac].num[rows[i]];
		}
		for (int s = 0; s < 2; s++) {
			double thr = side[s]->model->threshold;
			metrics_compute(y, proba[s], n, thr, &out->m[s]);
			metrics_add_amount(&out->m[s], y, proba[s], amount, n, &sb.cost,
					   sb.alert_rate);
			for (size_t i = 0; i < n; i++)
				pred[s][i] = proba[s][i] >= thr;
		}
		test_of(y, pred[0], pred[1], n, false, &out->decisions);
		test_of(y, pred[0], pred[1], n, true, &out->frauds);
		out->rows = n;
	}
	for (int s = 0; s < 2; s++) {
		free(proba[s]);
		free(pred[s]);
	}
	free(amount);
	free(y);
	free(rows);
	target_info_free(&t);
	settings_free(&sb);
	frame_free(f);
	if (rc < 0)
		compare_result_free(out);
	return rc;
}

void compare_swap(struct compare_result *r)
{
	struct metrics t = r->m[0];
	r->m[0] = r->m[1];
	r->m[1] = t;
	bool tr = r->trained_on_file[0];
	r->trained_on_file[0] = r->trained_on_file[1];
	r->trained_on_file[1] = tr;
	uint64_t x = r->decisions.b;
	r->decisions.b = r->decisions.c;
	r->decisions.c = x;
	x = r->frauds.b;
	r->frauds.b = r->frauds.c;
	r->frauds.c = x;
}

bool compare_beats(const struct compare_result *r, char *why, size_t size)
{
	const struct metrics *a = &r->m[0], *b = &r->m[1];
	const struct compare_test *fr = &r->frauds, *dc = &r->decisions;
	if (b->recall > a->recall && fr->b > fr->c && fr->p < METRICS_SIGNIFICANCE) {
		snprintf(why, size, "recall %.4g beats %.4g (McNemar on fraud rows: %llu vs %llu, "
			 "p = %.3g)", b->recall, a->recall, (unsigned long long)fr->b,
			 (unsigned long long)fr->c, fr->p);
		return true;
	}
	if (b->amount.net_savings > a->amount.net_savings && dc->b > dc->c &&
	    dc->p < METRICS_SIGNIFICANCE) {
		snprintf(why, size, "net savings %.2f beat %.2f (McNemar on decisions: %llu vs "
			 "%llu, p = %.3g)", b->amount.net_savings, a->amount.net_savings,
			 (unsigned long long)dc->b, (unsigned long long)dc->c, dc->p);
		return true;
	}
	snprintf(why, size, "neither its recall (%.4g against %.4g; frauds only it catches %llu "
		 "vs %llu, p = %.3g) nor its net savings (%.2f against %.2f; rows only it decides "
		 "right %llu vs %llu, p = %.3g) is significantly better", b->recall, a->recall,
		 (unsigned long long)fr->b, (unsigned long long)fr->c, fr->p,
		 b->amount.net_savings, a->amount.net_savings, (unsigned long long)dc->b,
		 (unsigned long long)dc->c, dc->p);
	return false;
}
