/* scr_freq: the frequency sheet (see scr_freq.h).
 *
 * Invariants: the sheet holds the explore figures of one column of the
 * frame it was opened on and a list of display lines pointing into them;
 * sorting reorders the lines only, so "by value" is always the order the
 * figures were made in. The caller closes the sheet when the frame goes. */
#include "config.h"
#include "scr_freq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "explore.h"
#include "filter.h"
#include "screen.h"
#include "term.h"
#include "util.h"
#include "view.h"

struct freq_line {
	const struct explore_group *g;
	enum explore_part part;      /* datetime columns */
	size_t index;                /* position by value */
};

struct freq_sheet {
	const struct frame *frame;
	size_t col;
	bool has_target;
	struct explore_column e;
	struct freq_line *lines;
	size_t nlines;
	size_t cur, top;
	int page;
	enum explore_order order;
	char *search;
	char *note;
	double max_rate;
	size_t max_rows;
};

static void add_line(struct freq_sheet *fs, const struct explore_group *g, enum explore_part p)
{
	fs->lines = xreallocarray(fs->lines, fs->nlines + 1, sizeof *fs->lines);
	fs->lines[fs->nlines] = (struct freq_line){ g, p, fs->nlines };
	fs->nlines++;
	double r = explore_rate(g);
	if (!isnan(r) && r > fs->max_rate)
		fs->max_rate = r;
	if (g->rows > fs->max_rows)
		fs->max_rows = g->rows;
}

struct freq_sheet *freq_open(struct app *a, size_t col, const uint8_t *y)
{
	const struct frame *f = a->frame;
	uint8_t *zeros = NULL;
	bool has_target = y != NULL;
	if (!y) {
		/* counts only: every row as legitimate, rates not shown */
		zeros = xcalloc(f->nrows ? f->nrows : 1, 1);
		y = zeros;
	}
	struct freq_sheet *fs = xcalloc(1, sizeof *fs);
	struct ft_err err;
	if (explore_column(f, col, y, EXPLORE_BINS_DEFAULT, &fs->e, &err) < 0) {
		app_message(a, true, "%s", err.msg);
		free(zeros);
		free(fs);
		return NULL;
	}
	free(zeros);
	fs->frame = f;
	fs->col = col;
	fs->has_target = has_target;
	if (fs->e.kind == EXPLORE_DATETIME) {
		for (int p = 0; p < EXPLORE_PART_COUNT; p++) {
			if (p == EXPLORE_HOUR && !fs->e.has_time)
				continue;
			for (size_t k = 0; k < fs->e.npart[p]; k++)
				if (fs->e.part[p][k].rows)
					add_line(fs, &fs->e.part[p][k], (enum explore_part)p);
		}
	} else {
		for (size_t k = 0; k < fs->e.ngroups; k++)
			add_line(fs, &fs->e.groups[k], EXPLORE_HOUR);
	}
	if (fs->e.missing.rows)
		add_line(fs, &fs->e.missing, EXPLORE_HOUR);
	/* levels open by count, numbers in their order */
	fs->order = fs->e.kind == EXPLORE_LEVELS ? EXPLORE_BY_COUNT : EXPLORE_BY_VALUE;
	return fs;
}

void freq_free(struct freq_sheet *fs)
{
	if (!fs)
		return;
	explore_column_free(&fs->e);
	free(fs->lines);
	free(fs->search);
	free(fs->note);
	free(fs);
}

void freq_set_note(struct freq_sheet *fs, const char *note)
{
	free(fs->note);
	fs->note = note ? xstrdup(note) : NULL;
}

static int cmp_line(const void *pa, const void *pb, enum explore_order order)
{
	const struct freq_line *a = pa, *b = pb;
	if (order == EXPLORE_BY_RATE) {
		double ra = explore_rate(a->g), rb = explore_rate(b->g);
		if (ra != rb)
			return ra > rb ? -1 : 1;
	}
	if (order != EXPLORE_BY_VALUE && a->g->rows != b->g->rows)
		return a->g->rows > b->g->rows ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

static int by_count(const void *a, const void *b) { return cmp_line(a, b, EXPLORE_BY_COUNT); }
static int by_rate(const void *a, const void *b) { return cmp_line(a, b, EXPLORE_BY_RATE); }
static int by_value(const void *a, const void *b) { return cmp_line(a, b, EXPLORE_BY_VALUE); }

static void sort_lines(struct freq_sheet *fs, enum explore_order order)
{
	static int (*const cmp[EXPLORE_ORDER_COUNT])(const void *, const void *) = {
		[EXPLORE_BY_COUNT] = by_count, [EXPLORE_BY_RATE] = by_rate,
		[EXPLORE_BY_VALUE] = by_value
	};
	fs->order = order;
	qsort(fs->lines, fs->nlines, sizeof *fs->lines, cmp[order]);
	fs->cur = fs->top = 0;
}

static const char *line_label(const struct freq_sheet *fs, const struct freq_line *l,
			      char *buf, size_t size)
{
	char part[200];
	explore_group_label(fs->frame, &fs->e, l->g, l->part, part, sizeof part);
	if (fs->e.kind == EXPLORE_DATETIME && l->g != &fs->e.missing)
		snprintf(buf, size, "%s %s", l->part == EXPLORE_HOUR ? "hour" :
			 l->part == EXPLORE_DAY_OF_WEEK ? "day" : "month", part);
	else
		snprintf(buf, size, "%s", part);
	return buf;
}

/* The value column's width: 20 or 30, or wide enough for the widest value
 * or bin of a numeric column, whose edges are never cut (the bars give way
 * first; on a terminal too narrow even for that, a bin's upper edge goes
 * behind the cut mark whole, and it is the next bin's lower edge). */
static int label_width(const struct freq_sheet *fs, int width)
{
	int lw = width >= 100 ? 30 : 20;
	if (fs->e.kind != EXPLORE_VALUES && fs->e.kind != EXPLORE_BINS)
		return lw;
	int room = width - (1 + 10 + 8 + 9 + 9);
	char label[256];
	for (size_t i = 0; i < fs->nlines; i++) {
		int need = view_text_width(line_label(fs, &fs->lines[i], label, sizeof label)) + 2;
		if (need > lw)
			lw = need < room ? need : room;
	}
	return lw;
}

void freq_draw(struct freq_sheet *fs, const struct frame *f, WINDOW *w)
{
	int h = getmaxy(w), width = getmaxx(w);
	werase(w);
	const struct column *c = &f->cols[fs->col];
	char title[512];
	snprintf(title, sizeof title, " frequency of %s: %zu %s, by %s", c->name, fs->nlines,
		 fs->nlines == 1 ? "group" : "groups", explore_order_name(fs->order));
	term_put(w, 0, 0, width, title, term_attr(ROLE_HEADER) | A_REVERSE, false);
	int lw = label_width(fs, width);
	int bar_x = lw + 1 + 10 + 8 + 9 + 9;
	int bw = width - bar_x - 1;
	double overall = fs->e.rows ? (double)fs->e.fraud / (double)fs->e.rows : 0;
	if (fs->has_target)
		term_printf(w, 1, 0, width, A_NORMAL, " overall fraud rate %.2f%% (%zu of %zu rows)%s",
			    fs->e.rows ? 100.0 * (double)fs->e.fraud / (double)fs->e.rows : 0.0,
			    fs->e.fraud, fs->e.rows, bw < 4 ? "" : ", the | in the bars");
	else
		term_put(w, 1, 0, width, " no binary target: counts only (L sets the target)",
			 term_attr(ROLE_WARN), false);
	int head = 2;
	if (fs->note) {
		/* the whole reason, wrapped at blanks over at most three lines */
		char line[1024];
		snprintf(line, sizeof line, "leakage hint: %s", fs->note);
		head += term_put_wrapped(w, head, 1, width - 1, 3, line, term_attr(ROLE_WARN));
	}
	term_put(w, h - 1, 0, width, " Enter shows these rows in the grid  c r v sort by "
		 "count, rate, value  / search  Esc closes", term_attr(ROLE_DIM), false);
	term_printf(w, head, 0, width, term_attr(ROLE_HEADER), "%-*s %9s %7s %8s %8s  %s", lw,
		    " value", "rows", "share", "fraud", "rate", bw < 4 ? "" : fs->has_target ? "fraud rate" : "rows");
	fs->page = h - head - 2 > 1 ? h - head - 2 : 1;
	if (fs->cur < fs->top)
		fs->top = fs->cur;
	if (fs->cur >= fs->top + (size_t)fs->page)
		fs->top = fs->cur - (size_t)fs->page + 1;
	char label[256], num[64];
	for (int i = 0; i < fs->page && fs->top + (size_t)i < fs->nlines; i++) {
		const struct freq_line *l = &fs->lines[fs->top + (size_t)i];
		int y = head + 1 + i;
		bool sel = fs->top + (size_t)i == fs->cur;
		attr_t at = sel ? term_attr(ROLE_SELECTED) : A_NORMAL;
		term_fill(w, y, 0, at);
		term_put(w, y, 1, lw - 1, line_label(fs, l, label, sizeof label),
			 l->g == &fs->e.missing ? term_attr(ROLE_MISSING) | at : at, false);
		double share = fs->e.rows ? 100.0 * (double)l->g->rows / (double)fs->e.rows : 0;
		double rate = explore_rate(l->g);
		if (fs->has_target) {
			if (isnan(rate))
				snprintf(num, sizeof num, "%9zu %6.2f%% %8zu %8s", l->g->rows, share,
					 l->g->fraud, "-");
			else
				snprintf(num, sizeof num, "%9zu %6.2f%% %8zu %7.2f%%", l->g->rows, share,
					 l->g->fraud, 100 * rate);
		} else {
			snprintf(num, sizeof num, "%9zu %6.2f%% %8s %8s", l->g->rows, share, "-", "-");
		}
		attr_t nat = at;
		if (fs->has_target && !isnan(rate) && rate > overall && !sel)
			nat = term_attr(ROLE_WARN);
		term_put(w, y, lw, bar_x - lw, num, nat, false);
		if (bw < 4)
			continue;
		if (fs->has_target) {
			double max = fs->max_rate > 0 ? fs->max_rate : 1;
			term_bar(w, y, bar_x, bw, isnan(rate) ? 0 : rate, max,
				 term_attr(ROLE_BAR_POSITIVE));
			int mark = (int)lround(overall / max * bw);
			if (mark >= 0 && mark < bw)
				term_put(w, y, bar_x + mark, 1, "|", term_attr(ROLE_KEY), false);
		} else {
			term_bar(w, y, bar_x, bw, (double)l->g->rows, (double)fs->max_rows,
				 term_attr(ROLE_BAR));
		}
	}
}

static bool line_matches(const struct freq_sheet *fs, size_t i, const char *needle)
{
	char label[256];
	line_label(fs, &fs->lines[i], label, sizeof label);
	size_t n = strlen(needle);
	for (const char *p = label; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

/* The next line (after the cursor, wrapping) whose label holds the search. */
static bool search_next(struct freq_sheet *fs, struct app *a)
{
	if (!fs->search || !*fs->search || !fs->nlines)
		return false;
	for (size_t k = 1; k <= fs->nlines; k++) {
		size_t i = (fs->cur + k) % fs->nlines;
		if (line_matches(fs, i, fs->search)) {
			fs->cur = i;
			return true;
		}
	}
	app_message(a, true, "not found: %s", fs->search);
	return false;
}

void freq_search(struct freq_sheet *fs, struct app *a, const char *line)
{
	if (!line || !*line || !fs->nlines)
		return;
	free(fs->search);
	fs->search = xstrdup(line);
	/* from the line before the cursor, so the cursor's own line counts */
	fs->cur = fs->cur ? fs->cur - 1 : fs->nlines - 1;
	size_t was = fs->cur;
	if (!search_next(fs, a))
		fs->cur = was + 1 < fs->nlines ? was + 1 : 0;
}

static char *group_filter(const struct freq_sheet *fs, const struct freq_line *l, struct app *a)
{
	const struct frame *f = fs->frame;
	char *q = filter_quote_column(f->cols[fs->col].name);
	char *out = NULL;
	char lo[32], hi[32];
	if (l->g == &fs->e.missing) {
		out = xasprintf("%s is missing", q);
	} else if (fs->e.kind == EXPLORE_LEVELS) {
		char *v = filter_quote_value(f->cols[fs->col].levels[l->g->code]);
		out = xasprintf("%s = %s", q, v);
		free(v);
	} else if (fs->e.kind == EXPLORE_VALUES) {
		fmt_double(lo, l->g->lo);
		out = xasprintf("%s = %s", q, isinf(l->g->lo) ? (l->g->lo > 0 ? "inf" : "-inf") : lo);
	} else if (fs->e.kind == EXPLORE_BINS) {
		fmt_double(lo, l->g->lo);
		fmt_double(hi, l->g->hi);
		double top = -INFINITY;
		for (size_t k = 0; k < fs->e.ngroups; k++)
			if (fs->e.groups[k].hi > top)
				top = fs->e.groups[k].hi;
		bool last = l->g->hi == top;
		if (isinf(l->g->lo) && isinf(l->g->hi))
			out = xasprintf("%s is not missing", q);
		else if (isinf(l->g->lo))
			out = xasprintf("%s %s %s", q, last ? "<=" : "<", hi);
		else if (isinf(l->g->hi))
			out = xasprintf("%s >= %s", q, lo);
		else
			out = xasprintf("%s >= %s and %s %s %s", q, lo, q, last ? "<=" : "<", hi);
	} else {
		app_message(a, true, "an hour, a day or a month is not a filter: use :filter "
			    "with dates (%s >= \"YYYY-MM-DD\")", q);
	}
	free(q);
	return out;
}

enum freq_action freq_key(struct freq_sheet *fs, struct app *a, int ch, char **filter)
{
	*filter = NULL;
	size_t page = fs->page > 1 ? (size_t)fs->page : 10;
	if (screen_list_key(ch, &fs->cur, fs->nlines, page))
		return FREQ_STAY;
	switch (ch) {
	case 27: case 'q': case 'F':
		return FREQ_CLOSE;
	case 'c':
		sort_lines(fs, EXPLORE_BY_COUNT);
		return FREQ_STAY;
	case 'r':
		if (!fs->has_target) {
			app_message(a, true, "no binary target: no fraud rate to sort by");
			return FREQ_STAY;
		}
		sort_lines(fs, EXPLORE_BY_RATE);
		return FREQ_STAY;
	case 'v':
		sort_lines(fs, EXPLORE_BY_VALUE);
		return FREQ_STAY;
	case '/':
		return FREQ_SEARCH;
	case 'n':
		search_next(fs, a);
		return FREQ_STAY;
	case '\n': case '\r': case KEY_ENTER:
		if (!fs->nlines)
			return FREQ_STAY;
		*filter = group_filter(fs, &fs->lines[fs->cur], a);
		return *filter ? FREQ_FILTER : FREQ_STAY;
	default:
		return FREQ_STAY;
	}
}

char *freq_equals_filter(const struct frame *f, size_t col, size_t row)
{
	const struct column *c = &f->cols[col];
	char *q = filter_quote_column(c->name);
	char *out;
	if (frame_is_missing(f, col, row)) {
		out = xasprintf("%s is missing", q);
	} else if (c->type == COL_CATEGORICAL) {
		char *v = filter_quote_value(c->levels[c->codes[row]]);
		out = xasprintf("%s = %s", q, v);
		free(v);
	} else if (c->type == COL_NUMERIC) {
		char v[32];
		fmt_double(v, c->num[row]);
		out = xasprintf("%s = %s", q, isinf(c->num[row]) ? (c->num[row] > 0 ? "inf" : "-inf") : v);
	} else {
		char v[64];
		frame_format_datetime(c->num[row], true, v, sizeof v);
		out = xasprintf("%s = \"%s\"", q, v);
	}
	free(q);
	return out;
}
