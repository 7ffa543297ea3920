/* scr_data: the Data screen: the rows in a scrollable grid, an inspector
 * for the selected column (statistics, missing tokens, a histogram or top
 * values with their fraud rates, a leakage hint) and the class balance of
 * the target; row filters and the frequency sheet (scr_freq) over it.
 *
 * Invariants: only visible rows are ever formatted; column widths come from
 * a fixed-size sample, computed once per frame; sorting builds a row
 * permutation (display position -> frame row), never a copy of the data.
 * The state is rebuilt whenever a->frame changes (compared by pointer).
 * A filter narrows the display order to the rows it matches (view);
 * it only chooses what is shown, never what is trained on.
 *
 * Why one file: one screen's state (grid, inspector, filter, search) and
 * its key handler; the view models live in vm_*.c already.
 */
#include "config.h"
#include "screen.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explore.h"
#include "filter.h"
#include "recipe.h"
#include "target.h"
#include "prompt.h"
#include "scr_data.h"
#include "scr_freq.h"
#include "term.h"
#include "util.h"
#include "view.h"

#define WIDTH_SAMPLE 2000
#define CELL_MIN 3
#define CELL_MAX 24
#define INSPECT_H 9
#define HIST_BINS 64
#define BALANCE_MAX 6

/* Sorting and searching a large frame take longer than a key may, so they
 * run on a background thread; one at a time, adopted when done. */
enum task_kind { TASK_SORT, TASK_SEARCH, TASK_HINTS };

struct data_task {
	struct app *app;
	pthread_t thread;
	bool running;              /* a thread exists and is not joined yet */
	atomic_int done;
	enum task_kind kind;
	const struct frame *frame;
	size_t col;
	bool descending;
	const size_t *perm;        /* search: the display order (kept alive) */
	size_t nperm;              /* search: rows in perm */
	size_t *own_perm;          /* search: a filtered display order, copied,
	                              as the filter may change meanwhile */
	unsigned long view_gen;    /* search: the display order it ran on */
	char *needle;
	size_t from;
	bool forward;
	size_t *out_perm;          /* sort result */
	size_t out_pos, out_col;   /* search result */
	const uint8_t *y;          /* hints: the target per row (kept alive) */
	int skip;                  /* hints: the target column */
	struct explore_hints out_hints;
};

struct data_state {
	struct data_task task;
	const struct frame *frame;
	int *widths;
	size_t *perm;              /* NULL: file order */
	int sort_col;              /* -1: unsorted */
	bool sort_desc;
	size_t top, cur;           /* display positions */
	size_t left, col;          /* first visible column, selected column */
	int page;                  /* rows visible in the grid at last draw */
	char *search;
	/* inspector cache */
	int hist_col, hist_bins;
	size_t hist[HIST_BINS], hist_max, hist_fraud[HIST_BINS];
	unsigned long hist_version;
	int bal_col;
	unsigned long bal_version;
	struct class_count bal[BALANCE_MAX];
	size_t nbal, bal_missing;
	/* the target as 0/1 per row, for fraud figures (ti_ok false: none) */
	struct target_info ti;
	bool ti_ok;
	unsigned long ti_version;
	/* fraud figures of the selected column, for the inspector */
	struct explore_column fig;
	int fig_col;
	int fig_bins;
	unsigned long fig_version;
	bool fig_by_rate;          /* top values by fraud rate instead of count */
	bool dt_timeline;          /* datetime: a histogram over time, not by part */
	int time_col;              /* the column time_of_day is for (-1: none) */
	bool time_of_day;          /* some value of it has a time of day */
	/* leakage hints of the frame and target (computed in the background) */
	struct explore_hints hints;
	bool hints_done;
	unsigned long hints_version;   /* ti_version they were started for */
	/* the row filter: view lists the frame rows shown, in display order */
	struct filter *filter;
	uint8_t *rowset;           /* or shown rows by frame row (another screen's) */
	char *rowset_label;
	size_t *view, nview;
	unsigned long view_gen;    /* bumped whenever the display order changes */
	struct freq_sheet *freq;
	const char **drop_why;     /* per column: recipe_suggest_drops' reason */
	unsigned long drop_version;
};

static void task_poll(struct app *a, struct data_state *s);
static void hints_poll(struct app *a, struct data_state *s);
static const struct explore_hint *column_hint(struct app *a, const struct data_state *s,
					       size_t col);
static char *hint_text(struct app *a, const struct data_state *s);

static void clear_filter(struct data_state *s)
{
	filter_free(s->filter);
	s->filter = NULL;
	free(s->rowset);
	s->rowset = NULL;
	free(s->rowset_label);
	s->rowset_label = NULL;
	free(s->view);
	s->view = NULL;
	s->nview = 0;
	s->view_gen++;
}

static void clear_figures(struct data_state *s)
{
	explore_column_free(&s->fig);
	s->fig_col = -1;
	explore_hints_free(&s->hints);
	s->hints_done = false;
	free(s->drop_why);
	s->drop_why = NULL;
	s->drop_version = 0;
	if (s->ti_ok)
		target_info_free(&s->ti);
	s->ti_ok = false;
	s->ti_version = 0;
}

static bool filtered(const struct data_state *s)
{
	return s->filter || s->rowset;
}

static const char *filter_label(const struct data_state *s)
{
	return s->filter ? filter_text(s->filter) : s->rowset_label ? s->rowset_label : "";
}

static struct data_state *state(struct app *a)
{
	struct data_state *s = a->screen_state[SCR_DATA];
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->sort_col = -1;
		s->hist_col = -1;
		s->bal_col = -2;
		s->fig_col = -1;
		s->time_col = -1;
		a->screen_state[SCR_DATA] = s;
	}
	task_poll(a, s);
	if (s->frame != a->frame && !s->task.running) {
		free(s->widths);
		free(s->perm);
		s->widths = NULL;
		s->perm = NULL;
		s->sort_col = -1;
		s->top = s->cur = s->left = s->col = 0;
		s->hist_col = -1;
		s->bal_col = -2;
		s->time_col = -1;
		clear_figures(s);
		clear_filter(s);
		freq_free(s->freq);
		s->freq = NULL;
		s->frame = a->frame;
		if (a->frame) {
			s->widths = xcalloc(a->frame->ncols ? a->frame->ncols : 1, sizeof *s->widths);
			view_fit_widths(a->frame, WIDTH_SAMPLE, CELL_MIN, CELL_MAX, s->widths);
		}
	}
	return s;
}

static void free_state(struct app *a)
{
	struct data_state *s = a->screen_state[SCR_DATA];
	if (!s)
		return;
	if (s->task.running) {
		pthread_join(s->task.thread, NULL);
		free(s->task.out_perm);
		free(s->task.needle);
		free(s->task.own_perm);
	}
	explore_hints_free(&s->task.out_hints);
	clear_figures(s);
	clear_filter(s);
	freq_free(s->freq);
	free(s->widths);
	free(s->perm);
	free(s->search);
	free(s);
	a->screen_state[SCR_DATA] = NULL;
}

static size_t row_at(const struct data_state *s, size_t pos)
{
	if (s->view)
		return s->view[pos];
	return s->perm ? s->perm[pos] : pos;
}

/* Rows in the display order: all of them, or the filter's. */
static size_t shown_rows(const struct data_state *s, const struct frame *f)
{
	return s->view ? s->nview : f->nrows;
}

/* The target as 0/1 per row for the current settings, recomputed when they
 * change; false when there is no binary target. */
static bool target_y(struct app *a, struct data_state *s)
{
	if (s->ti_version == a->settings_version + 1)
		return s->ti_ok;
	/* the hints thread reads ti.y: keep it until the thread is done */
	if (s->task.running && s->task.kind == TASK_HINTS)
		return s->ti_ok;
	if (s->ti_ok)
		target_info_free(&s->ti);
	struct ft_err err;
	s->ti_ok = target_resolve(a->frame, &a->settings, &s->ti, &err) == 0;
	s->ti_version = a->settings_version + 1;
	explore_column_free(&s->fig);
	s->fig_col = -1;
	return s->ti_ok;
}

/* Why the column is not trained on, or NULL: listed in drop, or a drop
 * the recipe makes unasked (recipe_suggest_drops: id-like, constant...). */
static const char *drop_reason(struct app *a, struct data_state *s, size_t col)
{
	const struct frame *f = a->frame;
	if (settings_is_dropped(&a->settings, f->cols[col].name))
		return "listed in drop";
	if (!a->settings.drop_suggested)
		return NULL;
	if (s->drop_version != a->settings_version + 1) {
		free(s->drop_why);
		s->drop_why = xcalloc(f->ncols ? f->ncols : 1, sizeof *s->drop_why);
		size_t n = recipe_suggest_drops(f, app_target_col(a), NULL, 0);
		struct drop_suggestion *d = xcalloc(n ? n : 1, sizeof *d);
		n = recipe_suggest_drops(f, app_target_col(a), d, n);
		for (size_t i = 0; i < n; i++)
			s->drop_why[d[i].col] = d[i].reason;
		free(d);
		s->drop_version = a->settings_version + 1;
	}
	return s->drop_why[col];
}

static int digits(size_t n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* ---- drawing ---- */

/* The filter line over the grid: what is shown, and that training is not
 * affected. */
static void draw_filter_line(struct data_state *s, const struct frame *f, WINDOW *w)
{
	char line[FILTER_TEXT_MAX + 256];
	snprintf(line, sizeof line, " filter: %s | %zu of %zu rows | Esc clears; filters never "
		 "change what is trained on", filter_label(s), s->nview, f->nrows);
	term_put(w, 0, 0, getmaxx(w), line, term_attr(ROLE_WARN) | A_REVERSE, false);
}

static void draw_grid(struct app *a, struct data_state *s, WINDOW *w, int height)
{
	const struct frame *f = a->frame;
	int width = getmaxx(w);
	int rnw = digits(f->nrows) + 1;
	int tcol = app_target_col(a);
	size_t nshown = shown_rows(s, f);
	s->page = height - 1 > 1 ? height - 1 : 1;
	if (s->cur < s->top)
		s->top = s->cur;
	if (s->cur >= s->top + (size_t)s->page)
		s->top = s->cur - (size_t)s->page + 1;
	/* keep the selected column visible */
	if (s->col < s->left)
		s->left = s->col;
	for (;;) {
		int x = rnw + 1;
		size_t c = s->left;
		while (c < f->ncols && x + s->widths[c] <= width) {
			x += s->widths[c] + 1;
			c++;
		}
		if (s->col < c || s->left == s->col)
			break;
		s->left++;
	}
	term_put(w, 0, 0, rnw, "#", term_attr(ROLE_HEADER), true);
	int x = rnw + 1;
	for (size_t c = s->left; c < f->ncols && x < width; c++) {
		int cw = s->widths[c];
		if (x + cw > width)
			cw = width - x;
		attr_t at = term_attr(ROLE_HEADER);
		if (c == s->col)
			at = term_attr(ROLE_SELECTED) | A_BOLD;
		else if ((int)c == tcol)
			at |= A_UNDERLINE;
		char name[160];
		const char *arrow = !term_utf8() ? (s->sort_desc ? "v" : "^")
				  : s->sort_desc ? "\u2193" : "\u2191";
		/* a column the next training leaves out reads "-name", dim */
		bool dropped = (int)c != tcol && drop_reason(a, s, c);
		if (dropped && c != s->col)
			at = term_attr(ROLE_DIM);
		snprintf(name, sizeof name, "%s%s", dropped ? "-" : "", f->cols[c].name);
		bool num = f->cols[c].type == COL_NUMERIC;
		bool sorted = (int)c == s->sort_col;
		if (sorted && view_text_width(name) + 1 > cw && cw > 1) {
			/* a long name is cut, never the direction */
			term_put(w, 0, x, cw - 1, name, at, num);
			term_put(w, 0, x + cw - 1, 1, arrow, at, false);
		} else {
			if (sorted)
				snprintf(name + strlen(name), sizeof name - strlen(name), "%s", arrow);
			term_put(w, 0, x, cw, name, at, num);
		}
		x += cw + 1;
	}
	const char *na = term_utf8() ? "\u00b7" : "NA";
	char buf[256], rn[32];
	if (s->view && !s->nview)
		term_put(w, 2, 2, width - 2, "no row matches the filter (Esc clears it)",
			 term_attr(ROLE_DIM), false);
	for (int y = 1; y <= s->page && s->top + (size_t)(y - 1) < nshown; y++) {
		size_t pos = s->top + (size_t)(y - 1);
		size_t r = row_at(s, pos);
		bool sel = pos == s->cur;
		snprintf(rn, sizeof rn, "%zu", r + 1);
		term_put(w, y, 0, rnw, rn, sel ? term_attr(ROLE_SELECTED) : term_attr(ROLE_DIM), true);
		x = rnw + 1;
		for (size_t c = s->left; c < f->ncols && x < width; c++) {
			int cw = s->widths[c];
			if (x + cw > width)
				cw = width - x;
			bool miss = frame_is_missing(f, c, r);
			const char *text = miss ? na : frame_cell_text(f, c, r, buf, sizeof buf);
			attr_t at = miss ? term_attr(ROLE_MISSING) : A_NORMAL;
			if (sel)
				at = c == s->col ? (term_attr(ROLE_SELECTED) | A_BOLD) : A_REVERSE;
			bool right = f->cols[c].type == COL_NUMERIC || miss;
			term_put(w, y, x, cw, text, at, right);
			if (sel && x + cw < width)
				term_put(w, y, x + cw, 1, " ", A_REVERSE, false);
			x += cw + 1;
		}
	}
}

/* A value of the selected column as the grid writes it: a number as the
 * shortest decimal that reads back as itself (never rounded), a date-only
 * column (no time of day in any value) without "00:00:00". */
static void fmt_value(struct data_state *s, const struct column *c, double v, char *buf,
		      size_t size)
{
	if (c->type == COL_DATETIME) {
		if (s->time_col != (int)s->col) {
			s->time_of_day = explore_has_time(s->frame, s->col, NULL, 0);
			s->time_col = (int)s->col;
		}
		frame_format_datetime(v, s->time_of_day, buf, size);
	} else if (!isfinite(v)) {
		snprintf(buf, size, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
	} else {
		char tmp[32];
		fmt_double(tmp, v);
		snprintf(buf, size, "%s", tmp);
	}
}

static void draw_stats(struct app *a, struct data_state *s, WINDOW *w, int y0, int width)
{
	const struct frame *f = a->frame;
	const struct column *c = &f->cols[s->col];
	const struct column_stats *st = &c->stats;
	int y = y0;
	term_printf(w, y++, 0, width, A_NORMAL, "type      %s%s%s", col_type_name(c->type),
		    st->id_like ? "  (id-like)" : "", st->constant ? "  (constant)" : "");
	term_printf(w, y++, 0, width, A_NORMAL, "values    %zu  distinct %zu", st->count, st->distinct);
	double share = f->nrows ? 100.0 * (double)st->missing / (double)f->nrows : 0;
	term_printf(w, y++, 0, width, st->missing ? term_attr(ROLE_WARN) : A_NORMAL,
		    "missing   %zu (%.1f%%)", st->missing, share);
	if (c->nna) {
		char line[256];
		size_t o = (size_t)snprintf(line, sizeof line, "read NA   ");
		for (size_t i = 0; i < c->nna && o + 8 < sizeof line; i++)
			o += (size_t)snprintf(line + o, sizeof line - o, "%s\"%s\" x%zu",
					      i ? ", " : "", c->na[i].text, c->na[i].count);
		term_put(w, y++, 0, width, line, term_attr(ROLE_DIM), false);
	}
	if (c->type == COL_CATEGORICAL) {
		term_printf(w, y++, 0, width, A_NORMAL, "levels    %u", c->nlevels);
		return;
	}
	if (!st->count)
		return;
	char lo[40], hi[40], med[40];
	fmt_value(s, c, st->min, lo, sizeof lo);
	fmt_value(s, c, st->max, hi, sizeof hi);
	fmt_value(s, c, st->median, med, sizeof med);
	term_printf(w, y++, 0, width, A_NORMAL, "min       %s", lo);
	term_printf(w, y++, 0, width, A_NORMAL, "max       %s", hi);
	if (c->type == COL_NUMERIC)
		term_printf(w, y++, 0, width, A_NORMAL, "mean      %.6g  std %.6g", st->mean, st->std);
	if (y < y0 + INSPECT_H - 1)
		term_printf(w, y++, 0, width, A_NORMAL, "median    %s", med);
}

/* The fraud figures of the selected column, or NULL without a binary
 * target; cached until the column or the settings change. */
static const struct explore_column *figures(struct app *a, struct data_state *s)
{
	if (!target_y(a, s) || (int)s->col == s->ti.col)
		return NULL;
	if (s->fig_col != (int)s->col) {
		explore_column_free(&s->fig);
		if (explore_column(a->frame, s->col, s->ti.y, EXPLORE_BINS_DEFAULT, &s->fig, NULL) < 0)
			return NULL;
		s->fig_col = (int)s->col;
		explore_sort(&s->fig, s->fig_by_rate ? EXPLORE_BY_RATE : EXPLORE_BY_COUNT);
	}
	return &s->fig;
}

/* A categorical column: its levels with rows, fraud rate and a bar of the
 * rate, the overall rate marked '|' in every bar. */
static void draw_levels(struct data_state *s, const struct explore_column *e, WINDOW *w,
			int y0, int x0, int width, int h)
{
	/* as a percentage the way describe computes it, so both print the same */
	double pct = e->rows ? 100.0 * (double)e->fraud / (double)e->rows : 0;
	double overall = pct / 100;
	if (width >= 25 + 8 * s->fig_by_rate)
		term_printf(w, y0, x0, width, term_attr(ROLE_HEADER), "top values%s (fraud |%.2f%%)",
			    s->fig_by_rate ? " by rate" : "", pct);
	else
		term_printf(w, y0, x0, width, term_attr(ROLE_HEADER), "%s fraud |%.2f%%",
			    s->fig_by_rate ? "by rate," : "values,", pct);
	double max = overall;
	for (size_t i = 0; i < e->ngroups; i++) {
		double r = explore_rate(&e->groups[i]);
		if (!isnan(r) && r > max)
			max = r;
	}
	if (max <= 0)
		max = 1;
	int lw = width * 2 / 5, y = y0 + 1;
	for (size_t i = 0; i <= e->ngroups && y < y0 + h; i++) {
		const struct explore_group *g = i < e->ngroups ? &e->groups[i] : &e->missing;
		if (!g->rows)
			continue;
		const char *label = i < e->ngroups ? s->frame->cols[e->col].levels[g->code] : "(missing)";
		term_put(w, y, x0, lw, label, i < e->ngroups ? A_NORMAL : term_attr(ROLE_MISSING), false);
		char tail[48];
		double r = explore_rate(g);
		snprintf(tail, sizeof tail, " %zu %6.2f%%", g->rows, 100 * r);
		int tw = (int)strlen(tail);
		int bw = width - lw - tw - 1;
		if (bw > 2) {
			term_bar(w, y, x0 + lw + 1, bw, r, max, term_attr(ROLE_BAR_POSITIVE));
			int mark = (int)lround(overall / max * bw);
			if (mark < bw)
				term_put(w, y, x0 + lw + 1 + mark, 1, "|", term_attr(ROLE_KEY), false);
		}
		term_put(w, y, x0 + width - tw, tw, tail, r > overall ? term_attr(ROLE_WARN) :
			 term_attr(ROLE_DIM), true);
		y++;
	}
}

/* The highest fraud rate of a histogram's bins (0 when no bin has rows). */
static double hist_max_rate(const struct data_state *s, int bins)
{
	double max = 0;
	for (int b = 0; b < bins; b++)
		if (s->hist[b] && (double)s->hist_fraud[b] / (double)s->hist[b] > max)
			max = (double)s->hist_fraud[b] / (double)s->hist[b];
	return max;
}

/* Under a histogram: each bin's fraud rate as a block (full = the highest
 * rate), blank where the bin is empty; a bin above the overall rate in the
 * fraud colour. */
static void draw_rate_line(struct data_state *s, WINDOW *w, int y, int x0, int bins,
			   double overall)
{
	static const char *const blocks[] = {
		"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"
	};
	double max = hist_max_rate(s, bins);
	for (int b = 0; b < bins; b++) {
		if (!s->hist[b]) {
			term_put(w, y, x0 + b, 1, " ", A_NORMAL, false);
			continue;
		}
		double r = (double)s->hist_fraud[b] / (double)s->hist[b];
		int level = max > 0 ? (int)lround(r / max * 7) : 0;
		const char *cell = term_utf8() ? blocks[level] : r > overall ? "+" : ".";
		term_put(w, y, x0 + b, 1, cell, r > overall ? term_attr(ROLE_BAR_POSITIVE) :
			 term_attr(ROLE_DIM), false);
	}
}

/* The first of the n candidate titles that fits `width`, else the last:
 * a title is chosen whole, so no figure in it is ever cut. */
static void put_title(WINDOW *w, int y, int x, int width, char cands[][128], size_t n)
{
	size_t i = 0;
	while (i + 1 < n && view_text_width(cands[i]) > width)
		i++;
	term_put(w, y, x, width, cands[i], term_attr(ROLE_HEADER), false);
}

/* What marks a bin's fraud rows in the histogram: the fraud colour, or,
 * without colours, a shade of its own. */
static const char *fraud_mark(void)
{
	if (term_color())
		return term_utf8() ? "in red" : "red";
	return term_utf8() ? "\u2592" : "*";
}

/* A histogram of a numeric or datetime column, one bin per cell, with
 * its minimum and maximum under it. With a target (split), each bin's
 * fraud rows are stacked at its foot (a cell is the class that fills most
 * of it) and the line under the bars gives each bin's fraud rate. */
static void draw_histogram(struct app *a, struct data_state *s, const struct explore_column *e,
			   WINDOW *w, int y0, int x0, int width, int h)
{
	const struct frame *f = a->frame;
	const struct column *c = &f->cols[s->col];
	int bins = width < HIST_BINS ? width : HIST_BINS;
	bool split = e != NULL;
	if (s->hist_col != (int)s->col || s->hist_bins != bins ||
	    s->hist_version != s->ti_version) {
		s->hist_max = view_histogram_split(f, s->col, (size_t)bins, split ? s->ti.y : NULL,
						   s->hist, s->hist_fraud);
		s->hist_col = (int)s->col;
		s->hist_bins = bins;
		s->hist_version = s->ti_version;
	}
	char lo[40], hi[40];
	fmt_value(s, c, c->stats.min, lo, sizeof lo);
	fmt_value(s, c, c->stats.max, hi, sizeof hi);
	double pct = split && e->rows ? 100.0 * (double)e->fraud / (double)e->rows : 0;
	double overall = pct / 100;
	if (split) {
		char top[32], t[4][128];
		const char *m = fraud_mark();
		snprintf(top, sizeof top, "%.2f", 100 * hist_max_rate(s, bins));
		snprintf(t[0], sizeof t[0], "%d bins, fraud %s; its rate below (full %s%%)", bins, m, top);
		snprintf(t[1], sizeof t[1], "fraud %s; rate below, full %s%%", m, top);
		snprintf(t[2], sizeof t[2], "fraud %s, rate <= %s%%", m, top);
		snprintf(t[3], sizeof t[3], "rate <= %s%%", top);
		put_title(w, y0, x0, width, t, 4);
	} else {
		term_printf(w, y0, x0, width, term_attr(ROLE_HEADER), "histogram (%d bins)", bins);
	}
	int rows = h - 2 - split;
	static const char *const blocks[] = {
		" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"
	};
	for (int b = 0; b < bins; b++) {
		double scale = s->hist_max ? (double)rows * 8 / (double)s->hist_max : 0;
		int eighths = (int)ceil((double)s->hist[b] * scale);
		if (s->hist[b] && eighths == 0)
			eighths = 1;
		int fraud = split ? (int)lround((double)s->hist_fraud[b] * scale) : 0;
		for (int r = 0; r < rows; r++) {
			int base = (rows - 1 - r) * 8;
			int level = eighths - base;
			level = level < 0 ? 0 : level > 8 ? 8 : level;
			int fill = fraud - base;
			fill = fill < 0 ? 0 : fill > level ? level : fill;
			bool is_fraud = level > 0 && 2 * fill >= level;
			const char *cell = term_utf8() ? blocks[level] : (level >= 4 ? "#" : " ");
			if (is_fraud && !term_color())
				cell = term_utf8() ? "\u2592" : "*";
			term_put(w, y0 + 1 + r, x0 + b, 1, cell,
				 term_attr(is_fraud ? ROLE_BAR_POSITIVE : ROLE_BAR), false);
		}
	}
	if (split)
		draw_rate_line(s, w, y0 + 1 + rows, x0, bins, overall);
	int ly = y0 + 1 + rows + split;
	term_put(w, ly, x0, width, lo, term_attr(ROLE_DIM), false);
	int hw = view_text_width(hi);
	if (hw < width - view_text_width(lo) - 1)
		term_put(w, ly, x0 + bins - hw > x0 ? x0 + bins - hw : x0, hw, hi, term_attr(ROLE_DIM), false);
}

/* The datetime parts the inspector shows for e: hour (only when some value
 * has a time of day), day of week, month. Returns how many, in `parts`. */
static int time_parts(const struct explore_column *e, enum explore_part parts[EXPLORE_PART_COUNT])
{
	int n = 0;
	for (int p = 0; p < EXPLORE_PART_COUNT; p++)
		if (p != EXPLORE_HOUR || e->has_time)
			parts[n++] = (enum explore_part)p;
	return n;
}

/* Columns the time parts take with `cell` columns per hour, day or month. */
static int time_parts_width(const struct explore_column *e, int cell)
{
	enum explore_part parts[EXPLORE_PART_COUNT];
	int n = time_parts(e, parts), width = 0;
	for (int i = 0; i < n; i++)
		width += (i ? 1 : 0) + (int)e->npart[parts[i]] * cell;
	return width;
}

/* A short name of a part's k-th group in `cell` columns: hours every few
 * cells ("0", "6"...), days and months by their first letters. */
static void part_axis_label(const struct frame *f, const struct explore_column *e,
			    enum explore_part p, size_t k, int cell, char *buf, size_t size)
{
	buf[0] = '\0';
	if (p == EXPLORE_HOUR) {
		if (k % (cell > 1 ? 3 : 6) == 0)
			snprintf(buf, size, "%zu", k);
		return;
	}
	char name[32];
	explore_group_label(f, e, &e->part[p][k], p, name, sizeof name);
	snprintf(buf, size, "%.*s", cell > 3 ? 3 : cell, name);
}

/* The line naming each part's highest group: "highest 03:00 7.7%  Sat
 * 2.5%  Feb 2.3%" when it fits, else without "highest", then with single
 * spaces, then without the last parts: a figure is never cut. */
static void put_peaks(WINDOW *w, int y, int x, int width, char peak[][72], int n)
{
	for (; n > 0; n--)
		for (int form = 0; form < 3; form++) {
			struct strbuf sb = { 0 };
			if (form == 0)
				sb_printf(&sb, "highest ");
			for (int i = 0; i < n; i++)
				sb_printf(&sb, "%s%s", i ? form < 2 ? "  " : " " : "", peak[i]);
			bool fits = view_text_width(sb.data) <= width;
			if (fits)
				term_put(w, y, x, width, sb.data, term_attr(ROLE_DIM), false);
			sb_free(&sb);
			if (fits)
				return;
		}
}

/* A datetime column: the fraud rate by hour, day of week and month, a
 * vertical bar per group on one scale (full: the highest rate), the
 * overall rate as a dotted line, each part's highest group spelled out
 * on the last line. Parts that do not fit `width` are left out. */
static void draw_time_parts(struct app *a, struct data_state *s, const struct explore_column *e,
			    WINDOW *w, int y0, int x0, int width, int h)
{
	static const char *const blocks[] = {
		" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"
	};
	const struct frame *f = a->frame;
	enum explore_part parts[EXPLORE_PART_COUNT];
	int nparts = time_parts(e, parts);
	int cell = 3;
	while (cell > 1 && time_parts_width(e, cell) > width)
		cell--;
	double pct = e->rows ? 100.0 * (double)e->fraud / (double)e->rows : 0;
	double overall = pct / 100, max = overall;
	for (int i = 0; i < nparts; i++)
		for (size_t k = 0; k < e->npart[parts[i]]; k++) {
			double r = explore_rate(&e->part[parts[i]][k]);
			if (!isnan(r) && r > max)
				max = r;
		}
	if (max <= 0)
		max = 1;
	char names[64] = "", all[32];
	for (int i = 0; i < nparts; i++)
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
			 i ? (i + 1 == nparts ? " and " : ", ") : "",
			 parts[i] == EXPLORE_DAY_OF_WEEK ? "day of week" : explore_part_name(parts[i]));
	snprintf(all, sizeof all, "%.2f", pct);
	char t[4][128];
	snprintf(t[0], sizeof t[0], "fraud rate by %s (all %s%%)", names, all);
	snprintf(t[1], sizeof t[1], "fraud rate by time (all %s%%)", all);
	snprintf(t[2], sizeof t[2], "by time, all %s%%", all);
	snprintf(t[3], sizeof t[3], "all %s%%", all);
	put_title(w, y0, x0, width, t, 4);

	int rows = h - 3;
	int mark = (int)lround(overall / max * rows * 8);   /* in eighths from the foot */
	int mark_row = mark / 8 < rows ? mark / 8 : rows - 1;
	int bar = cell > 1 ? cell - 1 : 1;
	int x = x0;
	char peak[EXPLORE_PART_COUNT][72];
	int npeaks = 0;
	for (int i = 0; i < nparts; i++) {
		enum explore_part p = parts[i];
		int pw = (int)e->npart[p] * cell;
		if (x + pw > x0 + width)
			break;
		const struct explore_group *best = NULL;
		for (size_t k = 0; k < e->npart[p]; k++) {
			const struct explore_group *g = &e->part[p][k];
			double r = explore_rate(g);
			int eighths = isnan(r) ? 0 : (int)ceil(r / max * rows * 8);
			if (!isnan(r) && r > 0 && eighths == 0)
				eighths = 1;
			attr_t at = term_attr(!isnan(r) && r > overall ? ROLE_BAR_POSITIVE : ROLE_BAR);
			int cx = x + (int)k * cell;
			for (int row = 0; row < rows; row++) {
				int base = (rows - 1 - row) * 8;
				int level = eighths - base;
				level = level < 0 ? 0 : level > 8 ? 8 : level;
				bool on_mark = rows - 1 - row == mark_row && level == 0;
				for (int j = 0; j < bar; j++) {
					if (on_mark)
						term_put(w, y0 + 1 + row, cx + j, 1, term_utf8() ? "\u00b7" : "-",
							 term_attr(ROLE_DIM), false);
					else
						term_put(w, y0 + 1 + row, cx + j, 1, term_utf8() ? blocks[level] :
							 level >= 4 ? "#" : " ", at, false);
				}
			}
			char lab[24];
			part_axis_label(f, e, p, k, cell, lab, sizeof lab);
			if (*lab)
				term_put(w, y0 + 1 + rows, cx, view_text_width(lab), lab,
					 g->rows ? term_attr(ROLE_DIM) : term_attr(ROLE_MISSING), false);
			if (!isnan(r) && (!best || r > explore_rate(best)))
				best = g;
		}
		if (best) {
			char lab[32], rate[32];
			explore_group_label(f, e, best, p, lab, sizeof lab);
			if (p != EXPLORE_HOUR)
				lab[3] = '\0';   /* Mon, Mar */
			snprintf(rate, sizeof rate, "%.1f", 100 * explore_rate(best));
			snprintf(peak[npeaks++], sizeof peak[0], "%s %s%%", lab, rate);
		}
		x += pw + 1;
	}
	put_peaks(w, y0 + h - 1, x0, width, peak, npeaks);
}

/* Whether the inspector shows a datetime column by hour, day and month
 * (rather than as a histogram over time), and how wide that needs. */
static int time_parts_wanted(struct app *a, struct data_state *s)
{
	const struct column *c = &a->frame->cols[s->col];
	if (c->type != COL_DATETIME || s->dt_timeline || !c->stats.count)
		return 0;
	const struct explore_column *e = figures(a, s);
	return e ? time_parts_width(e, 1) : 0;
}

static void draw_chart(struct app *a, struct data_state *s, WINDOW *w, int y0, int x0, int width)
{
	const struct frame *f = a->frame;
	const struct column *c = &f->cols[s->col];
	int h = INSPECT_H - 1;
	if (width < 8)
		return;
	const struct explore_column *e = figures(a, s);
	if (c->type == COL_CATEGORICAL && e) {
		draw_levels(s, e, w, y0, x0, width, h);
		return;
	}
	if (c->type == COL_CATEGORICAL) {
		term_put(w, y0, x0, width, "top values", term_attr(ROLE_HEADER), false);
		size_t top = c->stats.ntop ? c->stats.top[0].count : 0;
		int lw = width / 3;
		for (size_t i = 0; i < c->stats.ntop && (int)i < h - 1; i++) {
			const struct top_value *t = &c->stats.top[i];
			int y = y0 + 1 + (int)i;
			term_put(w, y, x0, lw, c->levels[t->code], A_NORMAL, false);
			char cnt[24];
			snprintf(cnt, sizeof cnt, " %zu", t->count);
			int cw = (int)strlen(cnt);
			int bw = width - lw - cw - 1;
			term_bar(w, y, x0 + lw + 1, bw, (double)t->count, (double)top, term_attr(ROLE_BAR));
			term_put(w, y, x0 + width - cw, cw, cnt, term_attr(ROLE_DIM), true);
		}
		return;
	}
	if (!c->stats.count)
		return;
	if (time_parts_wanted(a, s))
		draw_time_parts(a, s, e, w, y0, x0, width, h);
	else
		draw_histogram(a, s, e, w, y0, x0, width, h);
}

static void draw_balance(struct app *a, struct data_state *s, WINDOW *w, int y0, int x0, int width)
{
	const struct frame *f = a->frame;
	int tcol = app_target_col(a);
	if (tcol < 0) {
		term_put(w, y0, x0, width, "no target: L on a column sets it", term_attr(ROLE_DIM), false);
		return;
	}
	if (s->bal_col != tcol) {
		s->nbal = frame_class_balance(f, (size_t)tcol, s->bal, BALANCE_MAX, &s->bal_missing);
		s->bal_col = tcol;
	}
	term_printf(w, y0, x0, width, term_attr(ROLE_HEADER), "class balance: %s", f->cols[tcol].name);
	size_t top = s->nbal ? s->bal[0].count : 0;
	int y = y0 + 1;
	for (size_t i = 0; i < s->nbal && y < y0 + INSPECT_H - 1; i++, y++) {
		const struct class_count *cc = &s->bal[i];
		char tail[48];
		snprintf(tail, sizeof tail, " %zu %5.1f%%", cc->count, 100 * cc->share);
		int lw = 8, tw = (int)strlen(tail);
		term_put(w, y, x0, lw, cc->label, A_NORMAL, false);
		bool minority = i > 0;
		term_bar(w, y, x0 + lw, width - lw - tw, (double)cc->count, (double)top,
			 term_attr(minority ? ROLE_BAR_POSITIVE : ROLE_BAR));
		term_put(w, y, x0 + width - tw, tw, tail, A_NORMAL, true);
	}
	if (s->bal_missing && y < y0 + INSPECT_H)
		term_printf(w, y, x0, width, term_attr(ROLE_WARN), "missing label: %zu", s->bal_missing);
}

/* The inspector from row y0; `hint_above`: the selected column's leakage
 * hint is drawn whole over it, else the title carries it (cut if need be). */
static void draw_inspector(struct app *a, struct data_state *s, WINDOW *w, int y0,
			   bool hint_above)
{
	const struct frame *f = a->frame;
	int width = getmaxx(w);
	const struct column *c = &f->cols[s->col];
	char title[1024];
	const char *dropped = (int)s->col != app_target_col(a) ? drop_reason(a, s, s->col) : NULL;
	const struct explore_hint *hint = column_hint(a, s, s->col);
	int n = snprintf(title, sizeof title, " column %zu/%zu: %s%s%s%s", s->col + 1, f->ncols,
			 c->name, dropped ? " (not trained on: " : "", dropped ? dropped : "",
			 dropped ? ")" : "");
	if (hint && n > 0 && (size_t)n < sizeof title) {
		char *text = hint_above ? NULL : hint_text(a, s);
		snprintf(title + n, sizeof title - (size_t)n, "  %s", text ? text :
			 "(leakage hint above)");
		free(text);
	}
	term_put(w, y0, 0, width, title, hint ? term_attr(ROLE_WARN) | A_REVERSE :
		 term_attr(ROLE_HEADER) | A_REVERSE, false);
	int left = width >= 100 ? 38 : 32;
	int right = width >= 100 ? 34 : 26;
	int mid = width - left - right - 2;
	draw_stats(a, s, w, y0 + 1, left);
	/* hours, days and months side by side need 45 columns: on a narrow
	 * terminal they take the class balance's place (the title gives the
	 * overall rate) */
	int parts = time_parts_wanted(a, s);
	if (parts > mid && parts <= mid + 1 + right) {
		draw_chart(a, s, w, y0 + 1, left + 1, mid + 1 + right);
		return;
	}
	draw_chart(a, s, w, y0 + 1, left + 1, mid);
	draw_balance(a, s, w, y0 + 1, left + mid + 2, right);
}

static void draw_loading(struct app *a, WINDOW *w)
{
	int h = getmaxy(w), width = getmaxx(w);
	char stage[32];
	double frac = -1;
	if (a->job_running && a->job.kind == JOB_LOAD) {
		app_job_progress(a, stage, sizeof stage, &frac);
		char line[512];
		snprintf(line, sizeof line, "Loading %s", a->job.path ? a->job.path : "");
		term_put(w, h / 2 - 1, 2, width - 4, line, A_BOLD, false);
		int bw = width - 16;
		term_put(w, h / 2, 2, 1, "[", A_NORMAL, false);
		if (frac >= 0)
			term_bar(w, h / 2, 3, bw, frac, 1, term_attr(ROLE_BAR));
		term_put(w, h / 2, 3 + bw, 1, "]", A_NORMAL, false);
		if (frac >= 0)
			term_printf(w, h / 2, 5 + bw, 6, A_NORMAL, "%3d%%", (int)(frac * 100));
		term_put(w, h / 2 + 1, 2, width - 4, "Esc cancels", term_attr(ROLE_DIM), false);
	} else {
		term_put(w, h / 2, 2, width - 4, "No data loaded. Type :open FILE.csv", term_attr(ROLE_DIM), false);
	}
}

static void draw(struct app *a, WINDOW *w)
{
	struct data_state *s = state(a);
	if (!a->frame) {
		draw_loading(a, w);
		return;
	}
	int h = getmaxy(w);
	if (a->frame->ncols == 0 || a->frame->nrows == 0) {
		term_put(w, 1, 2, getmaxx(w) - 4, "The file has no data rows.", term_attr(ROLE_WARN), false);
		return;
	}
	if (s->freq) {
		freq_draw(s->freq, a->frame, w);
		return;
	}
	hints_poll(a, s);
	WINDOW *body = w;
	if (filtered(s)) {
		draw_filter_line(s, a->frame, w);
		WINDOW *below = derwin(w, h - 1, getmaxx(w), 1, 0);
		if (below) {
			body = below;
			h--;
		}
	}
	/* the selected column's leakage hint, whole (at most three lines),
	 * between the grid and the inspector while the grid keeps 4 rows */
	char *hint = hint_text(a, s);
	int width = getmaxx(body);
	int hl = hint ? view_wrap_lines(hint, width - 1, 3) : 0;
	if (h - INSPECT_H - hl < 5)
		hl = 0;
	draw_grid(a, s, body, h - INSPECT_H - hl);
	if (hl)
		term_put_wrapped(body, h - INSPECT_H - hl, 1, width - 1, hl, hint,
				 term_attr(ROLE_WARN));
	draw_inspector(a, s, body, h - INSPECT_H, hl > 0);
	free(hint);
	if (body != w)
		delwin(body);
}

/* ---- actions ---- */

static void *task_main(void *arg)
{
	struct data_task *t = arg;
	if (t->kind == TASK_SORT) {
		view_sort_perm(t->frame, t->col, t->descending, t->out_perm);
	} else if (t->kind == TASK_HINTS) {
		if (explore_leakage(t->frame, t->y, t->skip, NULL, &t->out_hints, NULL) < 0)
			memset(&t->out_hints, 0, sizeof t->out_hints);
	} else {
		t->out_pos = view_search(t->frame, t->perm, t->nperm, t->from, t->needle, t->forward,
					 &t->out_col);
	}
	atomic_store(&t->done, 1);
	app_frame_release(t->app);
	app_wake(t->app);
	return NULL;
}

static int task_start(struct app *a, struct data_state *s)
{
	struct data_task *t = &s->task;
	t->app = a;
	t->frame = a->frame;
	atomic_store(&t->done, 0);
	app_frame_hold(a);
	if (pthread_create(&t->thread, NULL, task_main, t)) {
		app_frame_release(a);
		free(t->out_perm);
		t->out_perm = NULL;
		app_message(a, true, "cannot start a thread");
		return -1;
	}
	t->running = true;
	return 0;
}

static bool task_busy(struct app *a, struct data_state *s)
{
	if (!s->task.running)
		return false;
	app_message(a, true, "busy: still %s", s->task.kind == TASK_SORT ? "sorting" :
		    s->task.kind == TASK_HINTS ? "looking for leakage hints" : "searching");
	return true;
}

/* The filter's rows in the current display order (the sort's or file
 * order). */
static void rebuild_view(struct data_state *s, const struct frame *f)
{
	if (!filtered(s))
		return;
	s->view_gen++;
	free(s->view);
	s->view = xmalloc((f->nrows ? f->nrows : 1) * sizeof *s->view);
	s->nview = 0;
	for (size_t pos = 0; pos < f->nrows; pos++) {
		size_t r = s->perm ? s->perm[pos] : pos;
		if (s->filter ? filter_match(s->filter, f, r) : s->rowset[r])
			s->view[s->nview++] = r;
	}
}

static void adopt_sort(struct app *a, struct data_state *s, struct data_task *t)
{
	free(s->perm);
	s->perm = t->out_perm;
	t->out_perm = NULL;
	s->sort_col = (int)t->col;
	s->sort_desc = t->descending;
	s->col = t->col;
	s->cur = 0;
	s->top = 0;
	rebuild_view(s, a->frame);
	app_message(a, false, "sorted by %s, %s (missing last)", a->frame->cols[t->col].name,
		    t->descending ? "descending" : "ascending");
}

static void adopt_search(struct app *a, struct data_state *s, struct data_task *t)
{
	size_t pos = t->out_pos, col = t->out_col;
	if (t->view_gen != s->view_gen) {
		app_message(a, true, "the rows shown changed during the search: search again (n)");
		return;
	}
	if (pos == SIZE_MAX) {
		if (filtered(s))
			app_message(a, true, "not found among the %zu filtered rows: %s", s->nview,
				    t->needle);
		else
			app_message(a, true, "not found: %s", t->needle);
		return;
	}
	bool wrapped = t->forward ? pos <= t->from : pos >= t->from;
	app_message(a, false, "%s%s found in row %zu, %s", wrapped ? "search wrapped: " : "",
		    t->needle, row_at(s, pos) + 1, a->frame->cols[col].name);
	s->cur = pos;
	s->col = col;
}

static void adopt_hints(struct data_state *s, struct data_task *t)
{
	/* the target may have changed while they were computed: then the
	 * next draw starts over */
	if (s->ti_ok && t->y == s->ti.y) {
		explore_hints_free(&s->hints);
		s->hints = t->out_hints;
		memset(&t->out_hints, 0, sizeof t->out_hints);
		s->hints_done = true;
	}
}

/* Start the leakage hints of the frame and target in the background once
 * per target; the inspector shows them when they are in. */
static void hints_poll(struct app *a, struct data_state *s)
{
	if (!target_y(a, s)) {
		explore_hints_free(&s->hints);
		s->hints_done = false;
		return;
	}
	if (s->hints_done && s->hints_version == s->ti_version)
		return;
	if (s->task.running)
		return;
	struct data_task *t = &s->task;
	t->kind = TASK_HINTS;
	t->y = s->ti.y;
	t->skip = s->ti.col;
	memset(&t->out_hints, 0, sizeof t->out_hints);
	s->hints_version = s->ti_version;
	s->hints_done = false;
	task_start(a, s);
}

/* The leakage hint of column col: one of the data (found in the
 * background), else the row-order hint of the last trained tree (the tree
 * of this frame: loading a file discards it). */
static const struct explore_hint *column_hint(struct app *a, const struct data_state *s,
					      size_t col)
{
	for (size_t i = 0; s->hints_done && i < s->hints.n; i++)
		if (s->hints.v[i].col == col)
			return &s->hints.v[i];
	const struct explore_hints *tree = a->result ? &a->result->row_order : NULL;
	for (size_t i = 0; tree && i < tree->n; i++)
		if (tree->v[i].col == col)
			return &tree->v[i];
	return NULL;
}

/* The selected column's leakage hint as the line over the inspector
 * (without the column's name, which the inspector's title gives), or NULL;
 * caller frees. */
static char *hint_text(struct app *a, const struct data_state *s)
{
	const struct explore_hint *hint = column_hint(a, s, s->col);
	if (!hint)
		return NULL;
	const char *name = a->frame->cols[s->col].name;
	const char *why = strncmp(hint->reason, name, strlen(name)) == 0 &&
		hint->reason[strlen(name)] == ':' ? hint->reason + strlen(name) + 2 : hint->reason;
	return xasprintf("leakage hint: %s", why);
}

static void task_poll(struct app *a, struct data_state *s)
{
	struct data_task *t = &s->task;
	if (!t->running || !atomic_load(&t->done))
		return;
	pthread_join(t->thread, NULL);
	t->running = false;
	if (t->frame == a->frame) {
		if (t->kind == TASK_SORT)
			adopt_sort(a, s, t);
		else if (t->kind == TASK_HINTS)
			adopt_hints(s, t);
		else
			adopt_search(a, s, t);
	}
	explore_hints_free(&t->out_hints);
	free(t->out_perm);
	t->out_perm = NULL;
	free(t->needle);
	t->needle = NULL;
	free(t->own_perm);
	t->own_perm = NULL;
}

static int scr_data_sort(struct app *a, int col, bool descending)
{
	struct data_state *s = state(a);
	if (!a->frame || task_busy(a, s))
		return -1;
	if (col < 0) {
		size_t row = shown_rows(s, a->frame) ? row_at(s, s->cur) : 0;
		free(s->perm);
		s->perm = NULL;
		s->sort_col = -1;
		s->cur = row;
		if (filtered(s)) {
			rebuild_view(s, a->frame);
			s->cur = 0;
		}
		app_message(a, false, "file order");
		return 0;
	}
	struct data_task *t = &s->task;
	t->kind = TASK_SORT;
	t->col = (size_t)col;
	t->descending = descending;
	t->out_perm = xmalloc((a->frame->nrows ? a->frame->nrows : 1) * sizeof *t->out_perm);
	if (task_start(a, s))
		return -1;
	app_message(a, false, "sorting by %s...", a->frame->cols[col].name);
	/* small frames finish within the key: show the result at once */
	app_wait_flag(&t->done, 0.015);
	task_poll(a, s);
	return 0;
}

static int scr_data_select_column(struct app *a, int col)
{
	struct data_state *s = state(a);
	if (!a->frame || col < 0 || (size_t)col >= a->frame->ncols)
		return -1;
	s->col = (size_t)col;
	return 0;
}

static int scr_data_search(struct app *a, const char *text, bool forward)
{
	struct data_state *s = state(a);
	if (!a->frame || task_busy(a, s))
		return -1;
	if (text) {
		free(s->search);
		s->search = xstrdup(text);
	}
	if (!s->search || !*s->search) {
		app_message(a, true, "no search yet: press / first");
		return -1;
	}
	struct data_task *t = &s->task;
	t->kind = TASK_SEARCH;
	/* with a filter on, only its rows (the view) are searched */
	t->nperm = shown_rows(s, a->frame);
	t->own_perm = NULL;
	if (s->view) {
		t->own_perm = xmalloc((t->nperm ? t->nperm : 1) * sizeof *t->own_perm);
		memcpy(t->own_perm, s->view, t->nperm * sizeof *t->own_perm);
	}
	t->perm = s->view ? t->own_perm : s->perm;
	t->view_gen = s->view_gen;
	if (s->view && !s->nview) {
		free(t->own_perm);
		t->own_perm = NULL;
		app_message(a, true, "not found: no row matches the filter");
		return -1;
	}
	t->needle = xstrdup(s->search);
	t->from = s->cur;
	t->forward = forward;
	if (task_start(a, s)) {
		free(t->needle);
		t->needle = NULL;
		return -1;
	}
	app_message(a, false, "searching for %s...", s->search);
	app_wait_flag(&t->done, 0.015);
	task_poll(a, s);
	return 0;
}

static void search_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	if (line && *line)
		scr_data_search(a, line, true);
}

/* Show only the rows matching `text` (NULL or "" clears the filter). The
 * cursor stays on its row when that row is still shown. */
static int scr_data_filter(struct app *a, const char *text)
{
	struct data_state *s = state(a);
	const struct frame *f = a->frame;
	if (!f)
		return -1;
	if (!text || !*text) {
		if (!filtered(s)) {
			app_message(a, false, "no filter");
			return 0;
		}
		size_t row = s->nview ? row_at(s, s->cur) : 0;
		clear_filter(s);
		s->cur = 0;
		for (size_t pos = 0; pos < f->nrows; pos++)
			if (row_at(s, pos) == row) {
				s->cur = pos;
				break;
			}
		app_message(a, false, "filter cleared: all %zu rows", f->nrows);
		return 0;
	}
	struct ft_err err;
	struct filter *flt = filter_parse(text, f, &err);
	if (!flt) {
		app_message(a, true, "filter: %s", err.msg);
		return -1;
	}
	size_t row = shown_rows(s, f) ? row_at(s, s->cur) : 0;
	clear_filter(s);
	s->filter = flt;
	rebuild_view(s, f);
	s->cur = s->top = 0;
	for (size_t pos = 0; pos < s->nview; pos++)
		if (s->view[pos] == row) {
			s->cur = pos;
			break;
		}
	app_message(a, false, "filter %s: %zu of %zu rows (training still uses every row)",
		    filter_text(flt), s->nview, f->nrows);
	return 0;
}

int scr_data_show_rows(struct app *a, const size_t *rows, size_t n, const char *label)
{
	struct data_state *s = state(a);
	const struct frame *f = a->frame;
	if (!f)
		return -1;
	uint8_t *set = xcalloc(f->nrows ? f->nrows : 1, 1);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (rows[i] < f->nrows && !set[rows[i]]) {
			set[rows[i]] = 1;
			kept++;
		}
	clear_filter(s);
	s->rowset = set;
	s->rowset_label = xstrdup(label);
	rebuild_view(s, f);
	s->cur = s->top = 0;
	app_request_screen(a, SCR_DATA);
	app_message(a, false, "%s: %zu rows in the grid, every column (Esc shows all rows)",
		    label, kept);
	return 0;
}

bool scr_data_filtered(const struct app *a, size_t *shown)
{
	const struct data_state *s = a->screen_state[SCR_DATA];
	if (!s || !filtered(s) || s->frame != a->frame)
		return false;
	*shown = s->nview;
	return true;
}

const char *scr_data_hint(struct app *a, size_t col)
{
	if (!a->frame || col >= a->frame->ncols)
		return NULL;
	struct data_state *s = state(a);
	hints_poll(a, s);
	const struct explore_hint *h = column_hint(a, s, col);
	return h ? h->reason : NULL;
}

/* Jump to the row numbered `n` as the grid shows it (frame row + 1). */
static int scr_data_goto(struct app *a, size_t n)
{
	struct data_state *s = state(a);
	const struct frame *f = a->frame;
	if (n < 1 || n > f->nrows) {
		app_message(a, true, "goto: rows are numbered 1 to %zu", f->nrows);
		return -1;
	}
	size_t count = shown_rows(s, f);
	for (size_t pos = 0; pos < count; pos++)
		if (row_at(s, pos) == n - 1) {
			s->cur = pos;
			app_message(a, false, "row %zu", n);
			return 0;
		}
	app_message(a, true, "row %zu is not shown by the filter %s (Esc clears it)", n,
		    filter_label(s));
	return -1;
}

/* The rows of one class of the target: `target = "value"`. */
static int filter_class(struct app *a, bool fraud)
{
	struct data_state *s = state(a);
	if (!target_y(a, s)) {
		app_message(a, true, "no binary target: press L on the label column");
		return -1;
	}
	char *q = filter_quote_column(a->frame->cols[s->ti.col].name);
	char *v = filter_quote_value(fraud ? s->ti.positive : s->ti.negative);
	char *text = xasprintf("%s = %s", q, v);
	int rc = scr_data_filter(a, text);
	free(text);
	free(q);
	free(v);
	return rc;
}

/* The sheet's search text; looked up at answer time, as the sheet may
 * have closed (a new file loaded) while the prompt was open. */
static void freq_search_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	struct data_state *s = state(a);
	if (s->freq && line && *line)
		freq_search(s->freq, a, line);
}

static int scr_data_freq(struct app *a, size_t col)
{
	struct data_state *s = state(a);
	freq_free(s->freq);
	s->freq = freq_open(a, col, target_y(a, s) ? s->ti.y : NULL);
	const struct explore_hint *h = column_hint(a, s, col);
	if (s->freq && h)
		freq_set_note(s->freq, h->reason);
	return s->freq ? 0 : -1;
}

/* ---- this screen's commands ---- */

static int need_frame(struct app *a)
{
	if (a->frame)
		return 0;
	app_message(a, true, "no data loaded yet");
	return -1;
}

static int column_of(struct app *a, const char *name)
{
	if (need_frame(a))
		return -1;
	int c = frame_find(a->frame, name);
	if (c < 0)
		app_message(a, true, "no column named '%s'", name);
	return c;
}

static int cmd_sort(struct app *a, int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		app_message(a, true, "usage: :sort COL [asc|desc]");
		return -1;
	}
	int c = column_of(a, argv[1]);
	if (c < 0)
		return -1;
	bool desc = false;
	if (argc > 2) {
		if (!strcmp(argv[2], "desc") || !strcmp(argv[2], "descending"))
			desc = true;
		else if (strcmp(argv[2], "asc") && strcmp(argv[2], "ascending")) {
			app_message(a, true, "sort: expected asc or desc, got '%s'", argv[2]);
			return -1;
		}
	}
	app_request_screen(a, SCR_DATA);
	return scr_data_sort(a, c, desc);
}

static int cmd_unsort(struct app *a, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		app_message(a, true, "usage: :unsort");
		return -1;
	}
	if (need_frame(a))
		return -1;
	app_request_screen(a, SCR_DATA);
	return scr_data_sort(a, -1, false);
}

static int cmd_search(struct app *a, int argc, char **argv)
{
	if (argc < 2) {
		app_message(a, true, "usage: :search TEXT");
		return -1;
	}
	if (need_frame(a))
		return -1;
	struct strbuf sb = { 0 };
	for (int i = 1; i < argc; i++)
		sb_printf(&sb, "%s%s", i > 1 ? " " : "", argv[i]);
	app_request_screen(a, SCR_DATA);
	int rc = scr_data_search(a, sb.data, true);
	sb_free(&sb);
	return rc;
}

static int cmd_next(struct app *a, int argc, char **argv)
{
	(void)argc;
	if (need_frame(a))
		return -1;
	app_request_screen(a, SCR_DATA);
	return scr_data_search(a, NULL, strcmp(argv[0], "prev") != 0);
}

static int cmd_column(struct app *a, int argc, char **argv)
{
	if (argc != 2) {
		app_message(a, true, "usage: :column COL");
		return -1;
	}
	int c = column_of(a, argv[1]);
	if (c < 0)
		return -1;
	app_request_screen(a, SCR_DATA);
	return scr_data_select_column(a, c);
}

static int cmd_filter(struct app *a, int argc, char **argv)
{
	if (need_frame(a))
		return -1;
	app_request_screen(a, SCR_DATA);
	return scr_data_filter(a, argc > 1 ? argv[1] : NULL);
}

static int cmd_goto(struct app *a, int argc, char **argv)
{
	if (argc != 2) {
		app_message(a, true, "usage: :goto ROW");
		return -1;
	}
	if (need_frame(a))
		return -1;
	char *end;
	unsigned long long n = strtoull(argv[1], &end, 10);
	if (argv[1][0] < '0' || argv[1][0] > '9' || *end) {
		app_message(a, true, "goto: '%s' is not a row number", argv[1]);
		return -1;
	}
	app_request_screen(a, SCR_DATA);
	return scr_data_goto(a, (size_t)n);
}

static int cmd_freq(struct app *a, int argc, char **argv)
{
	if (argc > 2) {
		app_message(a, true, "usage: :freq [COL]");
		return -1;
	}
	if (need_frame(a))
		return -1;
	int c = argc > 1 ? column_of(a, argv[1]) : (int)state(a)->col;
	if (c < 0 || (size_t)c >= a->frame->ncols)
		return -1;
	app_request_screen(a, SCR_DATA);
	state(a)->col = (size_t)c;
	return scr_data_freq(a, (size_t)c);
}

static const struct command commands[] = {
	{ "filter", "[EXPR]", "show only the rows where EXPR holds (no EXPR: all rows)", { ARG_TEXT, ARG_TEXT, ARG_TEXT }, cmd_filter },
	{ "goto", "ROW", "move the Data grid's cursor to row number ROW", { ARG_NONE, ARG_NONE, ARG_NONE }, cmd_goto },
	{ "freq", "[COL]", "frequency sheet of COL: rows and fraud rate per value", { ARG_COLUMN, ARG_NONE, ARG_NONE }, cmd_freq },
	{ "sort", "COL [asc|desc]", "sort the Data grid by COL", { ARG_COLUMN, ARG_NONE, ARG_NONE }, cmd_sort },
	{ "unsort", "", "show rows in file order", { ARG_NONE, ARG_NONE, ARG_NONE }, cmd_unsort },
	{ "search", "TEXT", "find the next row holding TEXT", { ARG_TEXT, ARG_TEXT, ARG_TEXT }, cmd_search },
	{ "next", "", "repeat the last search forwards", { ARG_NONE, ARG_NONE, ARG_NONE }, cmd_next },
	{ "prev", "", "repeat the last search backwards", { ARG_NONE, ARG_NONE, ARG_NONE }, cmd_next },
	{ "column", "COL", "inspect COL on the Data screen", { ARG_COLUMN, ARG_NONE, ARG_NONE }, cmd_column },
};

/* ---- keys ---- */

static const struct column *selected(struct app *a)
{
	struct data_state *s = state(a);
	const struct frame *f = a->frame;
	if (!f || !f->nrows || !f->ncols)
		return NULL;
	return &f->cols[s->col < f->ncols ? s->col : 0];
}

static int key_sort(struct app *a, int ch)
{
	(void)ch;
	struct data_state *s = state(a);
	const struct column *c = selected(a);
	if (!c)
		return KEY_HANDLED;
	/* ascending, then descending, then file order */
	if (s->sort_col == (int)s->col && !s->sort_desc)
		scr_data_sort(a, (int)s->col, true);
	else if (s->sort_col == (int)s->col)
		scr_data_sort(a, -1, false);
	else
		scr_data_sort(a, (int)s->col, false);
	return KEY_REDRAW;
}

static int key_find(struct app *a, int ch)
{
	(void)ch;
	if (selected(a))
		prompt_begin(a, PROMPT_TEXT, "/", NULL, search_done, NULL);
	return KEY_REDRAW;
}

static int key_next(struct app *a, int ch)
{
	if (selected(a))
		scr_data_search(a, NULL, ch == 'n');
	return KEY_REDRAW;
}

static void target_yes(struct app *a, void *ctx)
{
	app_set_target(a, ctx);
}

/* Changing the label changes everything trained after: ask first. */
static int key_target(struct app *a, int ch)
{
	(void)ch;
	const struct column *c = selected(a);
	if (!c)
		return KEY_HANDLED;
	if (a->settings.target && !strcmp(a->settings.target, c->name)) {
		app_message(a, false, "%s is already the target", c->name);
		return KEY_REDRAW;
	}
	app_ask(a, target_yes, xstrdup(c->name), free, "target unchanged",
		"Make %s the target (now %s)? (y/n)", c->name,
		a->settings.target ? a->settings.target : "none");
	return KEY_REDRAW;
}

static int key_drop(struct app *a, int ch)
{
	(void)ch;
	const struct column *c = selected(a);
	if (!c)
		return KEY_HANDLED;
	char *names[] = { c->name };
	app_drop(a, names, 1, !settings_is_dropped(&a->settings, c->name));
	return KEY_REDRAW;
}

static int key_freq(struct app *a, int ch)
{
	(void)ch;
	if (selected(a))
		scr_data_freq(a, state(a)->col);
	return KEY_REDRAW;
}

static int key_filter(struct app *a, int ch)
{
	struct data_state *s = state(a);
	const struct column *c = selected(a);
	if (!c)
		return KEY_HANDLED;
	if (ch == '+' || ch == '-') {
		filter_class(a, ch == '+');
		return KEY_REDRAW;
	}
	if (!shown_rows(s, a->frame)) {
		app_message(a, true, "no row under the cursor");
		return KEY_REDRAW;
	}
	char *text;
	if (ch == 'm') {
		char *q = filter_quote_column(c->name);
		text = xasprintf("%s is missing", q);
		free(q);
	} else {
		text = freq_equals_filter(a->frame, s->col, row_at(s, s->cur));
	}
	scr_data_filter(a, text);
	free(text);
	return KEY_REDRAW;
}

static int key_order(struct app *a, int ch)
{
	(void)ch;
	struct data_state *s = state(a);
	const struct frame *f = a->frame;
	if (f && s->col < f->ncols && f->cols[s->col].type == COL_DATETIME) {
		if (!figures(a, s)) {
			app_message(a, true, "inspector: fraud rate by hour, day and month needs a "
				    "binary target (L sets it)");
			return KEY_REDRAW;
		}
		s->dt_timeline = !s->dt_timeline;
		app_message(a, false, "inspector: %s", s->dt_timeline ? "histogram over time" :
			    "fraud rate by hour, day of week and month");
		return KEY_REDRAW;
	}
	s->fig_by_rate = !s->fig_by_rate;
	s->fig_col = -1;   /* sorted anew at the next draw */
	app_message(a, false, "inspector: top values by %s", s->fig_by_rate ? "fraud rate" : "count");
	return KEY_REDRAW;
}

static int key_train_hint(struct app *a, int ch)
{
	(void)ch;
	app_message(a, false, "t trains on the Train screen (3); L makes the selected column the target");
	return KEY_REDRAW;
}

static const struct key_binding keys[] = {
	{ { 0 }, "Up/Down j/k", "move between rows (PgUp/PgDn, Home/End, g/G)", KB_VIEW, NULL, NULL },
	{ { 0 }, "Left/Right h/l", "select a column (0 first, $ last)", KB_VIEW, NULL, NULL },
	{ { 's' }, "s", "sort by the column: ascending, descending, file order (:sort)", KB_VIEW, "sort", key_sort },
	{ { '/' }, "/", "search values in every column (:search)", KB_VIEW, "search", key_find },
	{ { 'n', 'N' }, "n / N", "next / previous match (:next, :prev)", KB_VIEW, "next", key_next },
	{ { 'L' }, "L", "make the selected column the target (label); asks first (:target)", KB_ASK, "target", key_target },
	{ { 'd' }, "d", "drop / keep the selected column (u undoes; :drop, :keep)", KB_SETTING, "drop", key_drop },
	{ { 't', 'T' }, "t T", "say where training is (the Train screen)", KB_VIEW, NULL, key_train_hint },
	{ { 'F' }, "F", "frequency sheet of the column: rows and fraud rate per value (:freq)", KB_VIEW, "freq", key_freq },
	{ { '+', '-' }, "+ / -", "show only fraud / only legitimate rows (:filter)", KB_VIEW, "filter", key_filter },
	{ { 'm' }, "m", "show only rows missing the selected column (:filter)", KB_VIEW, "filter", key_filter },
	{ { '=' }, "=", "show only rows equal to the selected cell (:filter)", KB_VIEW, "filter", key_filter },
	{ { 0 }, "Esc", "clear the filter (filters never change what is trained on)", KB_VIEW, NULL, NULL },
	{ { 'o' }, "o", "inspector: top values by count or by fraud rate; a datetime column by hour, day and month or over time", KB_VIEW, NULL, key_order },
	{ { 0 }, NULL, NULL, KB_VIEW, NULL, NULL }
};

static int key(struct app *a, int ch)
{
	struct data_state *s = state(a);
	const struct frame *f = a->frame;
	if (s->freq) {
		char *text = NULL;
		enum freq_action act = freq_key(s->freq, a, ch, &text);
		if (act == FREQ_SEARCH) {
			prompt_begin(a, PROMPT_TEXT, "/", NULL, freq_search_done, NULL);
			return KEY_REDRAW;
		}
		if (act != FREQ_STAY) {
			freq_free(s->freq);
			s->freq = NULL;
		}
		if (act == FREQ_FILTER)
			scr_data_filter(a, text);
		free(text);
		return KEY_REDRAW;
	}
	if (!f || !f->nrows || !f->ncols)
		return KEY_UNHANDLED;
	if (ch == 27 && filtered(s) && !a->job_running) {
		scr_data_filter(a, NULL);
		return KEY_REDRAW;
	}
	size_t page = s->page > 1 ? (size_t)s->page : 10;
	size_t count = shown_rows(s, f);
	if (count && screen_list_key(ch, &s->cur, count, page))
		return KEY_REDRAW;
	switch (ch) {
	case KEY_LEFT: case 'h':
		if (s->col > 0)
			s->col--;
		return KEY_REDRAW;
	case KEY_RIGHT: case 'l':
		if (s->col + 1 < f->ncols)
			s->col++;
		return KEY_REDRAW;
	case '0':
		s->col = 0;
		return KEY_REDRAW;
	case '$':
		s->col = f->ncols - 1;
		return KEY_REDRAW;
	default:
		return screen_dispatch(keys, a, ch);
	}
}

static bool modal(struct app *a)
{
	struct data_state *s = a->screen_state[SCR_DATA];
	return s && s->freq;
}

const struct screen_ops scr_data_ops = {
	.name = "Data",
	.draw = draw,
	.key = key,
	.free_state = free_state,
	.modal = modal,
	.keys = keys,
	.commands = commands,
	.ncommands = sizeof commands / sizeof commands[0],
};
