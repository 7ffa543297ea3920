/* scr_data: the Data screen: the rows in a scrollable grid, an inspector
 * for the selected column (statistics, missing tokens, a histogram or top
 * values) and the class balance of the target.
 *
 * Invariants: only visible rows are ever formatted; column widths come from
 * a fixed-size sample, computed once per frame; sorting builds a row
 * permutation (display position -> frame row), never a copy of the data.
 * The state is rebuilt whenever a->frame changes (compared by pointer). */
#include "config.h"
#include "screen.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prompt.h"
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
enum task_kind { TASK_SORT, TASK_SEARCH };

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
	char *needle;
	size_t from;
	bool forward;
	size_t *out_perm;          /* sort result */
	size_t out_pos, out_col;   /* search result */
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
	size_t hist[HIST_BINS], hist_max;
	int bal_col;
	unsigned long bal_version;
	struct class_count bal[BALANCE_MAX];
	size_t nbal, bal_missing;
};

static void task_poll(struct app *a, struct data_state *s);

static struct data_state *state(struct app *a)
{
	struct data_state *s = a->screen_state[SCR_DATA];
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->sort_col = -1;
		s->hist_col = -1;
		s->bal_col = -2;
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
	}
	free(s->widths);
	free(s->perm);
	free(s->search);
	free(s);
	a->screen_state[SCR_DATA] = NULL;
}

static size_t row_at(const struct data_state *s, size_t pos)
{
	return s->perm ? s->perm[pos] : pos;
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

static void draw_grid(struct app *a, struct data_state *s, WINDOW *w, int height)
{
	const struct frame *f = a->frame;
	int width = getmaxx(w);
	int rnw = digits(f->nrows) + 1;
	int tcol = app_target_col(a);
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
		snprintf(name, sizeof name, "%s%s", f->cols[c].name, (int)c == s->sort_col ? arrow : "");
		bool num = f->cols[c].type == COL_NUMERIC;
		term_put(w, 0, x, cw, name, at, num);
		x += cw + 1;
	}
	const char *na = term_utf8() ? "\u00b7" : "NA";
	char buf[256], rn[32];
	for (int y = 1; y <= s->page && s->top + (size_t)(y - 1) < f->nrows; y++) {
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

static void fmt_value(const struct column *c, double v, char *buf, size_t size)
{
	if (c->type == COL_DATETIME) {
		time_t t = (time_t)v;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	} else {
		snprintf(buf, size, "%.10g", v);
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
	fmt_value(c, st->min, lo, sizeof lo);
	fmt_value(c, st->max, hi, sizeof hi);
	fmt_value(c, st->median, med, sizeof med);
	term_printf(w, y++, 0, width, A_NORMAL, "min       %s", lo);
	term_printf(w, y++, 0, width, A_NORMAL, "max       %s", hi);
	if (c->type == COL_NUMERIC)
		term_printf(w, y++, 0, width, A_NORMAL, "mean      %.6g  std %.6g", st->mean, st->std);
	if (y < y0 + INSPECT_H - 1)
		term_printf(w, y++, 0, width, A_NORMAL, "median    %s", med);
}

static void draw_chart(struct app *a, struct data_state *s, WINDOW *w, int y0, int x0, int width)
{
	const struct frame *f = a->frame;
	const struct column *c = &f->cols[s->col];
	int h = INSPECT_H - 1;
	if (width < 8)
		return;
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
	/* columns of a vertical histogram, one bin per cell */
	int bins = width < HIST_BINS ? width : HIST_BINS;
	if (s->hist_col != (int)s->col || s->hist_bins != bins) {
		s->hist_max = view_histogram(f, s->col, (size_t)bins, s->hist);
		s->hist_col = (int)s->col;
		s->hist_bins = bins;
	}
	char lo[40], hi[40];
	fmt_value(c, c->stats.min, lo, sizeof lo);
	fmt_value(c, c->stats.max, hi, sizeof hi);
	term_printf(w, y0, x0, width, term_attr(ROLE_HEADER), "histogram (%d bins)", bins);
	int rows = h - 2;
	static const char *const blocks[] = {
		" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"
	};
	for (int b = 0; b < bins; b++) {
		double v = s->hist_max ? (double)s->hist[b] / (double)s->hist_max * rows * 8 : 0;
		int eighths = (int)ceil(v);
		if (s->hist[b] && eighths == 0)
			eighths = 1;
		for (int r = 0; r < rows; r++) {
			int level = eighths - (rows - 1 - r) * 8;
			level = level < 0 ? 0 : level > 8 ? 8 : level;
			const char *cell = term_utf8() ? blocks[level] : (level >= 4 ? "#" : " ");
			term_put(w, y0 + 1 + r, x0 + b, 1, cell, term_attr(ROLE_BAR), false);
		}
	}
	int ly = y0 + 1 + rows;
	term_put(w, ly, x0, width, lo, term_attr(ROLE_DIM), false);
	int hw = view_text_width(hi);
	if (hw < width - view_text_width(lo) - 1)
		term_put(w, ly, x0 + bins - hw > x0 ? x0 + bins - hw : x0, hw, hi, term_attr(ROLE_DIM), false);
}

static void draw_balance(struct app *a, struct data_state *s, WINDOW *w, int y0, int x0, int width)
{
	const struct frame *f = a->frame;
	int tcol = app_target_col(a);
	if (tcol < 0) {
		term_put(w, y0, x0, width, "no target: press t on a column", term_attr(ROLE_DIM), false);
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

static void draw_inspector(struct app *a, struct data_state *s, WINDOW *w, int y0)
{
	const struct frame *f = a->frame;
	int width = getmaxx(w);
	const struct column *c = &f->cols[s->col];
	char title[256];
	snprintf(title, sizeof title, " column %zu/%zu: %s", s->col + 1, f->ncols, c->name);
	term_put(w, y0, 0, width, title, term_attr(ROLE_HEADER) | A_REVERSE, false);
	int left = width >= 100 ? 38 : 32;
	int right = width >= 100 ? 34 : 26;
	int mid = width - left - right - 2;
	draw_stats(a, s, w, y0 + 1, left);
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
	draw_grid(a, s, w, h - INSPECT_H);
	draw_inspector(a, s, w, h - INSPECT_H);
}

/* ---- actions ---- */

static void *task_main(void *arg)
{
	struct data_task *t = arg;
	if (t->kind == TASK_SORT) {
		view_sort_perm(t->frame, t->col, t->descending, t->out_perm);
	} else {
		t->out_pos = view_search(t->frame, t->perm, t->from, t->needle, t->forward,
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
	app_message(a, true, "busy: still %s", s->task.kind == TASK_SORT ? "sorting" : "searching");
	return true;
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
	app_message(a, false, "sorted by %s, %s (missing last)", a->frame->cols[t->col].name,
		    t->descending ? "descending" : "ascending");
}

static void adopt_search(struct app *a, struct data_state *s, struct data_task *t)
{
	size_t pos = t->out_pos, col = t->out_col;
	if (pos == SIZE_MAX) {
		app_message(a, true, "not found: %s", t->needle);
		return;
	}
	bool wrapped = t->forward ? pos <= t->from : pos >= t->from;
	app_message(a, false, "%s%s found in row %zu, %s", wrapped ? "search wrapped: " : "",
		    t->needle, row_at(s, pos) + 1, a->frame->cols[col].name);
	s->cur = pos;
	s->col = col;
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
		else
			adopt_search(a, s, t);
	}
	free(t->out_perm);
	t->out_perm = NULL;
	free(t->needle);
	t->needle = NULL;
}

static int scr_data_sort(struct app *a, int col, bool descending)
{
	struct data_state *s = state(a);
	if (!a->frame || task_busy(a, s))
		return -1;
	if (col < 0) {
		size_t row = a->frame->nrows ? row_at(s, s->cur) : 0;
		free(s->perm);
		s->perm = NULL;
		s->sort_col = -1;
		s->cur = row;
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
	t->perm = s->perm;
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

static const struct command commands[] = {
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
	{ { 0 }, NULL, NULL, KB_VIEW, NULL, NULL }
};

static int key(struct app *a, int ch)
{
	struct data_state *s = state(a);
	const struct frame *f = a->frame;
	if (!f || !f->nrows || !f->ncols)
		return KEY_UNHANDLED;
	size_t page = s->page > 1 ? (size_t)s->page : 10;
	if (screen_list_key(ch, &s->cur, f->nrows, page))
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

const struct screen_ops scr_data_ops = {
	.name = "Data",
	.draw = draw,
	.key = key,
	.free_state = free_state,
	.keys = keys,
	.commands = commands,
	.ncommands = sizeof commands / sizeof commands[0],
};
