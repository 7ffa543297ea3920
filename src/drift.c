/* drift: a file against a model's reference distributions (drift.h).
 *
 * The rows are counted by predict_csv's tally, so the file is parsed, the
 * recipe applied and the leaf found exactly as predict does, on as many
 * threads. Each thread adds to its own counters; the layout, per recipe
 * input in order, then the score:
 *   numeric:     bins (nedges + 1), missing, unparsed
 *   categorical: categories, other, missing, unseen, cells that read as
 *                numbers (counted only while all have), present cells
 *   score:       one per reference score, one for any other score
 * Shares are counts over the file's rows. */
#include "config.h"
#include "drift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predict.h"

const char *const drift_level_names[DRIFT_LEVEL_COUNT] = { "stable", "watch", "act" };

enum drift_level drift_level_of(double psi)
{
	return psi >= DRIFT_ACT_PSI ? DRIFT_ACT : psi >= DRIFT_WATCH_PSI ? DRIFT_WATCH : DRIFT_STABLE;
}

double drift_psi(const double *expected, const double *actual, size_t n)
{
	double psi = 0;
	for (size_t i = 0; i < n; i++) {
		double e = expected[i] > DRIFT_EPSILON ? expected[i] : DRIFT_EPSILON;
		double a = actual[i] > DRIFT_EPSILON ? actual[i] : DRIFT_EPSILON;
		psi += (a - e) * log(a / e);
	}
	return psi;
}

struct drift_ctx {
	const struct model *m;
	const struct reference *ref;
	size_t *off;                 /* first counter of each input */
	size_t score_off, ncounts;
	const char ***levels;        /* per categorical input: the recipe's
	                                levels in strcmp order */
	size_t *score_bin;           /* per tree node */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool level_known(const char *const *levels, size_t n, const char *s, size_t len)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strncmp(levels[mid], s, len);
		if (d == 0)
			d = levels[mid][len] ? 1 : 0;
		if (d == 0)
			return true;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void drift_row(const void *vctx, uint64_t *counts, const char *const *fields,
		      const size_t *lens, int32_t leaf)
{
	const struct drift_ctx *c = vctx;
	const struct recipe *r = c->m->recipe;
	for (size_t i = 0; i < r->ninputs; i++) {
		if (!fields[i])
			continue;   /* the column is absent */
		const struct reference_column *rc = &c->ref->cols[i];
		uint64_t *k = counts + c->off[i];
		double v = 0;
		enum predict_cell kind = predict_cell_kind(r, i, fields[i], lens[i], &v);
		if (rc->numeric) {
			size_t nb = rc->nedges + 1;
			if (kind == PREDICT_CELL_VALUE && !isnan(v))
				k[reference_bin(rc, v)]++;
			else
				k[nb]++;
			k[nb + 1] += kind == PREDICT_CELL_UNPARSED;
			continue;
		}
		size_t nc = rc->ncategories + 1;
		if (kind != PREDICT_CELL_VALUE) {
			k[nc]++;
			continue;
		}
		size_t cat = reference_category(rc, fields[i], lens[i]);
		k[cat]++;
		if (cat == rc->ncategories &&
		    !level_known(c->levels[i], r->inputs[i].nlevels, fields[i], lens[i]))
			k[nc + 1]++;
		/* Cells that read as numbers matter only while every one has:
		 * after the first that does not, this thread stops parsing. */
		double x;
		if (k[nc + 2] == k[nc + 3])
			k[nc + 2] += parse_number(fields[i], lens[i], &x);
		k[nc + 3]++;
	}
	counts[c->score_off + c->score_bin[leaf]]++;
}

static void ctx_free(struct drift_ctx *c)
{
	if (c->levels)
		for (size_t i = 0; i < c->m->recipe->ninputs; i++)
			free(c->levels[i]);
	free(c->levels);
	free(c->off);
	free(c->score_bin);
}

static void ctx_init(struct drift_ctx *c, const struct model *m)
{
	const struct recipe *r = m->recipe;
	c->m = m;
	c->ref = m->reference;
	c->off = xcalloc(r->ninputs + 1, sizeof *c->off);
	c->levels = xcalloc(r->ninputs + 1, sizeof *c->levels);
	size_t n = 0;
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct reference_column *rc = &c->ref->cols[i];
		c->off[i] = n;
		n += rc->numeric ? rc->nedges + 3 : rc->ncategories + 5;
		if (!rc->numeric) {
			const struct recipe_input *in = &r->inputs[i];
			c->levels[i] = xcalloc(in->nlevels + 1, sizeof *c->levels[i]);
			memcpy(c->levels[i], in->levels, in->nlevels * sizeof *in->levels);
			qsort(c->levels[i], in->nlevels, sizeof *c->levels[i], cmp_str);
		}
	}
	c->score_off = n;
	c->ncounts = n + c->ref->nscore + 1;
	const struct tree *t = m->tree;
	c->score_bin = xcalloc(t->nnodes + 1, sizeof *c->score_bin);
	for (size_t i = 0; i < t->nnodes; i++)
		c->score_bin[i] = reference_score_bin(c->ref, tree_node_proba(&t->nodes[i]));
}

/* Whether every category of the reference reads as a number. */
static bool categories_numeric(const struct reference_column *rc)
{
	double x;
	for (size_t k = 0; k < rc->ncategories; k++)
		if (!parse_number(rc->categories[k], strlen(rc->categories[k]), &x))
			return false;
	return rc->ncategories > 0;
}

static void measure_column(struct drift_column *dc, const struct reference_column *rc,
			   const uint64_t *k, uint64_t rows)
{
	size_t nb = rc->numeric ? rc->nedges + 1 : rc->ncategories + 1;
	double *e = xcalloc(nb + 2, sizeof *e), *a = xcalloc(nb + 2, sizeof *a);
	for (size_t b = 0; b < nb; b++) {
		e[b] = rc->share[b];
		a[b] = (double)k[b] / (double)rows;
	}
	e[nb] = rc->missing;
	a[nb] = (double)k[nb] / (double)rows;
	size_t nbins = nb + 1;
	if (!rc->numeric) {
		/* Categories never seen in training are a bin of their own, of
		 * share 0 in training (the recipe's levels are every training
		 * category), not part of "other": a file of new categories only
		 * is as far from the training data as can be. */
		uint64_t unseen = k[nb + 1];
		a[nb - 1] = (double)(k[nb - 1] - unseen) / (double)rows;
		e[nb + 1] = 0;
		a[nb + 1] = (double)unseen / (double)rows;
		nbins++;
	}
	dc->psi = drift_psi(e, a, nbins);
	dc->level = drift_level_of(dc->psi);
	dc->missing_train = rc->missing;
	dc->missing_now = a[nb];
	uint64_t present = rows - k[nb];
	if (rc->numeric) {
		dc->unseen = -1;
		dc->unparsed = k[nb + 1];
		/* Most cells that are not missing are text: the column holds
		 * something else now. */
		uint64_t written = present + dc->unparsed;
		if (dc->unparsed && dc->unparsed * 2 > written)
			dc->now = "text";
	} else {
		dc->unseen = (double)k[nb + 1] / (double)rows;
		if (present && k[nb + 2] == present && !categories_numeric(rc))
			dc->now = "numbers";
	}
	free(e);
	free(a);
}

/* Whether name is one of the training file's columns. */
static bool known_column(const struct recipe *r, const char *name)
{
	for (size_t i = 0; i < r->ninputs; i++)
		if (!strcmp(r->inputs[i].name, name))
			return true;
	for (size_t i = 0; i < r->ndropped; i++)
		if (!strcmp(r->dropped[i], name))
			return true;
	return r->target && !strcmp(r->target, name);
}

int drift_csv(const struct model *m, const char *path, char delimiter,
	      const struct ft_progress *prog, struct drift_report *out, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	out->score_psi = NAN;
	if (!m->reference)
		return ft_fail(err, FT_EINPUT, "the model has no reference distributions (trained "
			       "before fraudtree kept them); retrain it to measure drift");
	struct drift_ctx c = { 0 };
	ctx_init(&c, m);
	struct predict_tally tally = {
		.ncounts = c.ncounts, .row = drift_row, .ctx = &c, .absent_ok = true,
	};
	struct predict_options opt = { .delimiter = delimiter, .tally = &tally };
	if (prog)
		opt.progress = *prog;
	struct predict_stats st;
	int rc = predict_csv(m, path, -1, NULL, &opt, &st, err);
	const struct recipe *r = m->recipe;
	if (rc == 0) {
		out->rows = st.rows;
		out->train_rows = m->reference->rows;
		out->cols = xcalloc(r->ninputs + 1, sizeof *out->cols);
		out->ncols = r->ninputs;
		bool *present = xcalloc(r->ninputs + 1, sizeof *present);
		out->extra = xcalloc(tally.ncolumns + 1, sizeof *out->extra);
		for (size_t j = 0; j < tally.ncolumns; j++) {
			const char *name = tally.columns[j];
			for (size_t i = 0; i < r->ninputs; i++)
				present[i] |= !strcmp(r->inputs[i].name, name);
			if (!known_column(r, name))
				out->extra[out->nextra++] = xstrdup(name);
		}
		out->worst = DRIFT_STABLE;
		for (size_t i = 0; i < r->ninputs; i++) {
			struct drift_column *dc = &out->cols[i];
			dc->name = r->inputs[i].name;
			dc->type = col_type_name(r->inputs[i].type);
			dc->unseen = -1;
			dc->psi = NAN;
			if (!present[i]) {
				dc->absent = true;
				dc->level = DRIFT_ACT;
				out->nabsent++;
			} else {
				measure_column(dc, &m->reference->cols[i], tally.total + c.off[i],
					       st.rows);
			}
			if (dc->level > out->worst)
				out->worst = dc->level;
		}
		free(present);
		size_t ns = m->reference->nscore;
		double *e = xcalloc(ns + 1, sizeof *e), *a = xcalloc(ns + 1, sizeof *a);
		for (size_t b = 0; b <= ns; b++) {
			e[b] = b < ns ? m->reference->score_share[b] : 0;
			a[b] = (double)tally.total[c.score_off + b] / (double)st.rows;
		}
		out->score_psi = drift_psi(e, a, ns + 1);
		out->score_level = drift_level_of(out->score_psi);
		if (out->score_level > out->worst)
			out->worst = out->score_level;
		free(e);
		free(a);
	}
	for (size_t j = 0; j < tally.ncolumns; j++)
		free(tally.columns[j]);
	free(tally.columns);
	free(tally.total);
	ctx_free(&c);
	return rc;
}

void drift_report_free(struct drift_report *r)
{
	if (!r)
		return;
	free(r->cols);
	for (size_t i = 0; i < r->nextra; i++)
		free(r->extra[i]);
	free(r->extra);
	memset(r, 0, sizeof *r);
}

/* Characters of UTF-8 text s (its continuation bytes do not count). */
static size_t text_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* s escaped for a terminal, cut to max characters with "…". Caller frees. */
static char *shown_name(const char *s, size_t max)
{
	char *e = ft_escape_controls(s);
	if (text_width(e) <= max || max < 2)
		return e;
	size_t keep = 0, chars = 0;
	while (e[keep] && chars < max - 1) {
		keep++;
		while (((unsigned char)e[keep] & 0xC0) == 0x80)
			keep++;
		chars++;
	}
	char *cut = xasprintf("%.*s\xe2\x80\xa6", (int)keep, e);
	free(e);
	return cut;
}

/* A share as people read it: a tenth of a percent, and "<0.1%" for a
 * share that is there but rounds to nothing. */
static void pct(char buf[40], double share)
{
	if (share > 0 && share < 0.0005) {
		snprintf(buf, 40, "<0.1%%");
		return;
	}
	fmt_double(buf, round(share * 1000) / 10);
	strcat(buf, "%");
}

/* One table line: the cells padded to their widths, the name cell by its
 * characters, no blanks after the last cell. */
static void table_line(struct strbuf *sb, const char *const *cell, const int *width,
		       const bool *right, size_t n)
{
	size_t start = sb->len;
	for (size_t i = 0; i < n; i++) {
		int pad = width[i] - (int)text_width(cell[i]);
		if (pad < 0)
			pad = 0;
		if (i)
			sb_puts(sb, "  ");
		if (right[i])
			sb_printf(sb, "%*s%s", pad, "", cell[i]);
		else
			sb_printf(sb, "%s%*s", cell[i], pad, "");
	}
	while (sb->len > start && sb->data[sb->len - 1] == ' ')
		sb->len--;
	sb->data[sb->len] = '\0';
	sb_puts(sb, "\n");
}

enum { DC_NAME, DC_TYPE, DC_PSI, DC_LEVEL, DC_UNSEEN, DC_MISSING, DC_NOTE, DC_COUNT };

char *drift_report_text(const struct drift_report *r, const char *model, const char *path,
			size_t name_max)
{
	struct strbuf sb = { 0 };
	char *sp = ft_escape_controls(path), *sm = ft_escape_controls(model);
	sb_printf(&sb, "drift of %s (%llu rows) from %s (%llu training rows)\n\n", sp,
		  (unsigned long long)r->rows, sm, (unsigned long long)r->train_rows);
	free(sp);
	free(sm);
	size_t nlines = r->ncols + 2;
	char *(*cells)[DC_COUNT] = xcalloc(nlines, sizeof *cells);
	static const char *const head[DC_COUNT] = { "column", "type", "psi", "level", "unseen",
						    "missing train/now", "note" };
	for (int k = 0; k < DC_COUNT; k++)
		cells[0][k] = xstrdup(head[k]);
	for (size_t i = 0; i < r->ncols; i++) {
		const struct drift_column *c = &r->cols[i];
		char **row = cells[i + 1];
		char psi[32] = "-", u[40] = "-", mt[40], mn[40];
		row[DC_NAME] = shown_name(c->name, name_max);
		row[DC_TYPE] = xstrdup(c->type);
		row[DC_LEVEL] = xstrdup(drift_level_names[c->level]);
		if (c->absent) {
			row[DC_PSI] = xstrdup(psi);
			row[DC_UNSEEN] = xstrdup(u);
			row[DC_MISSING] = xstrdup("-");
			row[DC_NOTE] = xstrdup("missing from the file");
			continue;
		}
		fmt_double(psi, round(c->psi * 1e4) / 1e4);
		if (c->unseen >= 0)
			pct(u, c->unseen);
		pct(mt, c->missing_train);
		pct(mn, c->missing_now);
		row[DC_PSI] = xstrdup(psi);
		row[DC_UNSEEN] = xstrdup(u);
		row[DC_MISSING] = xasprintf("%s/%s", mt, mn);
		row[DC_NOTE] = c->now ? xasprintf("type changed: now %s", c->now) : xstrdup("");
	}
	char **score = cells[nlines - 1];
	char psi[32];
	fmt_double(psi, round(r->score_psi * 1e4) / 1e4);
	score[DC_NAME] = xstrdup("(score)");
	score[DC_TYPE] = xstrdup("");
	score[DC_PSI] = xstrdup(psi);
	score[DC_LEVEL] = xstrdup(drift_level_names[r->score_level]);
	for (int k = DC_UNSEEN; k < DC_COUNT; k++)
		score[k] = xstrdup("");
	int width[DC_COUNT] = { 0 };
	for (size_t i = 0; i < nlines; i++)
		for (int k = 0; k < DC_COUNT; k++)
			if ((int)text_width(cells[i][k]) > width[k])
				width[k] = (int)text_width(cells[i][k]);
	static const bool right[DC_COUNT] = { false, false, true, false, true, false, false };
	for (size_t i = 0; i < nlines; i++) {
		table_line(&sb, (const char *const *)cells[i], width, right, DC_COUNT);
		for (int k = 0; k < DC_COUNT; k++)
			free(cells[i][k]);
	}
	free(cells);

	/* the columns that changed, by name, however narrow the table */
	bool gap = false;
	for (int kind = 0; kind < 2; kind++) {
		size_t k = 0;
		for (size_t i = 0; i < r->ncols; i++) {
			const struct drift_column *c = &r->cols[i];
			if (kind == 0 ? !c->absent : c->absent || !c->now)
				continue;
			if (!gap)
				sb_puts(&sb, "\n");
			gap = true;
			if (!k++)
				sb_puts(&sb, kind == 0 ? "missing columns (the model reads them): "
					: "type changed: ");
			else
				sb_puts(&sb, ", ");
			char *name = ft_escape_controls(c->name);
			if (kind == 0)
				sb_puts(&sb, name);
			else
				sb_printf(&sb, "%s (now %s)", name, c->now);
			free(name);
		}
		if (k)
			sb_puts(&sb, "\n");
	}
	if (r->nextra) {
		if (!gap)
			sb_puts(&sb, "\n");
		sb_puts(&sb, "extra columns (not in the training file): ");
		for (size_t i = 0; i < r->nextra; i++) {
			char *name = ft_escape_controls(r->extra[i]);
			sb_printf(&sb, "%s%s", i ? ", " : "", name);
			free(name);
		}
		sb_puts(&sb, "\n");
	}
	sb_printf(&sb, "\n%s\n", r->worst == DRIFT_ACT ?
		  "drift: act (a PSI of 0.25 or more, or a missing column)" :
		  r->worst == DRIFT_WATCH ? "drift: watch (a PSI of 0.1 or more)" : "drift: stable");
	return sb.data;
}
