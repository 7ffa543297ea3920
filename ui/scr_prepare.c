/* scr_prepare: the Prepare screen: one line per column with its role,
 * type, imputation and encoding; the split and the resampling; a live
 * preview of the class counts in each split before and after resampling.
 *
 * Every change goes through a command (:target, :drop, :impute...), so the
 * screen only holds its cursor, the open menu and the cached preview, which
 * is recomputed when the frame or a->settings_version moves. */
#include "config.h"
#include "screen.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pipeline.h"
#include "recipe.h"
#include "prompt.h"
#include "scr_data.h"
#include "term.h"
#include "util.h"
#include "view.h"

#define BOTTOM_H 8
#define MENU_MAX 16

struct menu_item {
	char label[64];
	char *argv[4];
	int argc;
};

/* pipeline_preview splits (and may resample) every row: on a large file
 * that takes longer than a key may, so it runs on a background thread. */
struct preview_task {
	struct app *app;
	pthread_t thread;
	bool running;
	atomic_int done;
	const struct frame *frame;
	struct settings settings;     /* copy */
	unsigned long version;
	int status;
	struct split_counts counts;
	struct ft_err err;
};

struct prepare_state {
	size_t cur, top;
	int page;                     /* rows of columns shown */
	char find[128];               /* the last `/` text */
	/* preview: what is shown, and for which frame and settings */
	struct preview_task task;
	const struct frame *frame;
	unsigned long version;
	bool have_preview, preview_stale;
	struct split_counts counts;
	char preview_error[256];
	/* drop suggestions of the current frame and target */
	struct drop_suggestion *sugg; size_t nsugg;
	int sugg_target;
	const struct frame *sugg_frame;
	/* the action menu of one column */
	bool menu;
	size_t menu_cur, nmenu;
	struct menu_item items[MENU_MAX];
};

static struct prepare_state *state(struct app *a)
{
	struct prepare_state *s = a->screen_state[SCR_PREPARE];
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->sugg_target = -2;
		a->screen_state[SCR_PREPARE] = s;
	}
	return s;
}

static void menu_clear(struct prepare_state *s)
{
	for (size_t i = 0; i < s->nmenu; i++)
		for (int k = 0; k < s->items[i].argc; k++)
			free(s->items[i].argv[k]);
	s->nmenu = 0;
	s->menu = false;
}

static void free_state(struct app *a)
{
	struct prepare_state *s = a->screen_state[SCR_PREPARE];
	if (!s)
		return;
	menu_clear(s);
	if (s->task.running) {
		pthread_join(s->task.thread, NULL);
		settings_free(&s->task.settings);
	}
	free(s->sugg);
	free(s);
	a->screen_state[SCR_PREPARE] = NULL;
}

static const char *suggestion(struct app *a, struct prepare_state *s, size_t col)
{
	int t = app_target_col(a);
	if (s->sugg_frame != a->frame || s->sugg_target != t) {
		free(s->sugg);
		s->nsugg = 0;
		s->sugg = xcalloc(a->frame->ncols ? a->frame->ncols : 1, sizeof *s->sugg);
		s->nsugg = recipe_suggest_drops(a->frame, t, s->sugg, a->frame->ncols);
		s->sugg_frame = a->frame;
		s->sugg_target = t;
	}
	for (size_t i = 0; i < s->nsugg; i++)
		if (s->sugg[i].col == (int)col)
			return s->sugg[i].reason;
	return NULL;
}

/* Effective imputation text of a column and whether it is an override. */
static const char *impute_text(const struct settings *st, const struct column *c,
			       char *buf, size_t size, bool *own)
{
	const struct column_setting *cs = settings_column(st, c->name);
	const struct impute_spec *sp = c->type == COL_CATEGORICAL ? &st->impute_categorical
								  : &st->impute_numeric;
	*own = cs && cs->has_impute;
	if (*own)
		sp = &cs->impute;
	if (sp->strategy == IMPUTE_CONSTANT)
		snprintf(buf, size, "constant:%s", sp->constant ? sp->constant : "");
	else
		snprintf(buf, size, "%s", impute_name(sp->strategy));
	return buf;
}

/* What the next fit takes from a datetime column (recipe_datetime_parts,
 * over the whole file: the split is not made yet). */
static unsigned dt_parts(const struct settings *st, const struct frame *f, const struct column *c,
			 bool *own)
{
	return recipe_datetime_parts(st, f, (size_t)(c - f->cols), NULL, 0, own);
}

static void parts_text(unsigned parts, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < DT_PART_COUNT; i++)
		if (parts & (1u << i))
			o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? "+" : "", datetime_part_name(i));
	if (!o)
		snprintf(buf, size, "(none)");
}

static const char *encode_text(const struct settings *st, const struct frame *f,
			       const struct column *c, char *buf, size_t size, bool *own)
{
	*own = false;
	if (c->type == COL_NUMERIC) {
		snprintf(buf, size, "value");
	} else if (c->type == COL_DATETIME) {
		parts_text(dt_parts(st, f, c, own), buf, size);
	} else {
		const struct column_setting *cs = settings_column(st, c->name);
		*own = cs && cs->has_encode;
		snprintf(buf, size, "%s", encoding_name(*own ? cs->encode : st->encode_default));
	}
	return buf;
}

/* ---- drawing ---- */

static void draw_columns(struct app *a, struct prepare_state *s, WINDOW *w, int height)
{
	const struct frame *f = a->frame;
	const struct settings *st = &a->settings;
	int width = getmaxx(w);
	int tcol = app_target_col(a);
	int nw = 6;
	for (size_t c = 0; c < f->ncols; c++) {
		int cw = view_text_width(f->cols[c].name);
		if (cw > nw)
			nw = cw;
	}
	if (nw > width - 66)
		nw = width - 66 > 10 ? width - 66 : 10;
	term_fill(w, 0, 0, term_attr(ROLE_HEADER) | A_REVERSE);
	term_printf(w, 0, 0, width, term_attr(ROLE_HEADER) | A_REVERSE,
		    " %-*s %-16s %-11s %7s %-16s %s", nw, "column", "role", "type", "missing",
		    "impute", "encode / parts");
	int rows = height - 1;
	if (s->cur >= f->ncols)
		s->cur = f->ncols ? f->ncols - 1 : 0;
	s->page = rows;
	if (s->cur < s->top)
		s->top = s->cur;
	if (rows > 0 && s->cur >= s->top + (size_t)rows)
		s->top = s->cur - (size_t)rows + 1;
	for (int y = 1; y <= rows && s->top + (size_t)(y - 1) < f->ncols; y++) {
		size_t c = s->top + (size_t)(y - 1);
		const struct column *col = &f->cols[c];
		bool sel = c == s->cur;
		attr_t base = sel ? term_attr(ROLE_SELECTED) : A_NORMAL;
		char role[48];
		attr_t rattr = base;
		const char *why = suggestion(a, s, c);
		bool feature = false;
		if ((int)c == tcol) {
			snprintf(role, sizeof role, "target");
			rattr = sel ? base | A_BOLD : term_attr(ROLE_GOOD);
		} else if (settings_is_dropped(st, col->name)) {
			snprintf(role, sizeof role, "drop");
			rattr = sel ? base : term_attr(ROLE_DIM);
		} else if (why && st->drop_suggested) {
			snprintf(role, sizeof role, "drop (%s)", why);
			rattr = sel ? base : term_attr(ROLE_WARN);
		} else if (why) {
			snprintf(role, sizeof role, "feature, %s?", why);
			rattr = sel ? base : term_attr(ROLE_WARN);
			feature = true;
		} else {
			snprintf(role, sizeof role, "feature");
			feature = true;
		}
		if (feature && scr_data_hint(a, c)) {
			snprintf(role, sizeof role, "feature, leak?");
			rattr = sel ? base : term_attr(ROLE_WARN);
		}
		int x = 0;
		term_put(w, y, x, 1, "", base, false);
		term_put(w, y, 1, nw, col->name, base | (sel ? A_BOLD : 0), false);
		x = 1 + nw + 1;
		term_put(w, y, x - 1, 1, "", base, false);
		term_put(w, y, x, 16, role, rattr, false);
		term_put(w, y, x + 16, 1, "", base, false);
		x += 17;
		term_put(w, y, x, 11, col_type_name(col->type), base, false);
		term_put(w, y, x + 11, 1, "", base, false);
		x += 12;
		char miss[24];
		snprintf(miss, sizeof miss, "%zu", col->stats.missing);
		term_put(w, y, x, 7, miss, col->stats.missing && !sel ? term_attr(ROLE_WARN) : base, true);
		term_put(w, y, x + 7, 1, "", base, false);
		x += 8;
		char buf[64];
		bool own;
		if (feature && (int)c != tcol) {
			impute_text(st, col, buf, sizeof buf, &own);
			/* 16 columns: "constant:missing" whole */
			term_put(w, y, x, 16, col->stats.missing || own ? buf : "-",
				 own ? base | A_BOLD : (sel ? base : term_attr(ROLE_DIM)), false);
			term_put(w, y, x + 16, 1, "", base, false);
			x += 17;
			encode_text(st, f, col, buf, sizeof buf, &own);
			term_put(w, y, x, width - x, buf, own ? base | A_BOLD : base, false);
		} else {
			term_put(w, y, x, width - x, "", base, false);
		}
	}
}

static void *preview_main(void *arg)
{
	struct preview_task *t = arg;
	t->status = pipeline_preview(t->frame, &t->settings, &t->counts, &t->err);
	atomic_store(&t->done, 1);
	app_frame_release(t->app);
	app_wake(t->app);
	return NULL;
}

/* Adopt a finished preview; start one when the shown one is out of date. */
static void refresh_preview(struct app *a, struct prepare_state *s)
{
	struct preview_task *t = &s->task;
	if (t->running && atomic_load(&t->done)) {
		pthread_join(t->thread, NULL);
		t->running = false;
		settings_free(&t->settings);
		if (t->frame == a->frame) {
			s->frame = t->frame;
			s->version = t->version;
			s->have_preview = t->status == 0;
			s->counts = t->counts;
			if (t->status)
				snprintf(s->preview_error, sizeof s->preview_error, "%.255s", t->err.msg);
		}
	}
	s->preview_stale = s->frame != a->frame || s->version != a->settings_version;
	if (!s->preview_stale || t->running || !a->frame)
		return;
	t->app = a;
	t->frame = a->frame;
	t->version = a->settings_version;
	settings_copy(&t->settings, &a->settings);
	atomic_store(&t->done, 0);
	ft_err_clear(&t->err);
	app_frame_hold(a);
	if (pthread_create(&t->thread, NULL, preview_main, t)) {
		app_frame_release(a);
		settings_free(&t->settings);
		return;
	}
	t->running = true;
	/* a small file answers within the key: show it at once */
	app_wait_flag(&t->done, 0.015);
	if (atomic_load(&t->done))
		refresh_preview(a, s);
}

/* Lines under the split panel: a time split's date range per split, or
 * the datetime column a random split ignores. */
static int times_height(const struct prepare_state *s)
{
	if (!s->have_preview)
		return 0;
	if (s->counts.time_col >= 0)
		return SPLIT_COUNT + 1 + (s->counts.no_time || s->counts.in_gap);
	return s->counts.random_datetime_col >= 0;
}

/* "2004-08-09 00:00:00" as "2004-08-09" when every bound is at midnight,
 * so the ranges fit an 80-column screen. */
static bool all_midnight(const struct split_counts *c)
{
	static const char midnight[] = " 00:00:00";
	size_t m = sizeof midnight - 1;
	for (int k = 0; k < SPLIT_COUNT; k++) {
		size_t a = strlen(c->from[k]), b = strlen(c->to[k]);
		if (a < m || b < m || strcmp(c->from[k] + a - m, midnight) ||
		    strcmp(c->to[k] + b - m, midnight))
			return false;
	}
	return true;
}

static void draw_times(const struct app *a, const struct prepare_state *s, WINDOW *w, int y)
{
	const struct split_counts *c = &s->counts;
	const struct frame *f = a->frame;
	int width = getmaxx(w);
	if (!times_height(s) || !f)
		return;
	if (c->time_col < 0) {
		if ((size_t)c->random_datetime_col < f->ncols)
			term_printf(w, y, 1, width - 2, term_attr(ROLE_WARN),
				    "random split, though %s is a datetime column "
				    "(split.method time)",
				    f->cols[c->random_datetime_col].name);
		return;
	}
	if ((size_t)c->time_col >= f->ncols)
		return;
	term_printf(w, y++, 1, width - 2, term_attr(ROLE_HEADER),
		    "time split on %s: train < validation < test",
		    f->cols[c->time_col].name);
	static const char *const names[SPLIT_COUNT] = { "train", "validation", "test" };
	bool dates = all_midnight(c);
	for (int k = 0; k < SPLIT_COUNT; k++) {
		int lf = (int)strlen(c->from[k]) - (dates ? 9 : 0);
		int lt = (int)strlen(c->to[k]) - (dates ? 9 : 0);
		term_printf(w, y++, 1, width - 2, A_NORMAL, "  %-14s %.*s .. %.*s", names[k], lf,
			    c->from[k], lt, c->to[k]);
	}
	if (c->no_time || c->in_gap)
		term_printf(w, y, 1, width - 2, term_attr(ROLE_DIM),
			    "  left out: %zu without a time, %zu in the gaps", c->no_time, c->in_gap);
}

static void draw_bottom(struct app *a, struct prepare_state *s, WINDOW *w, int y0)
{
	const struct settings *st = &a->settings;
	int width = getmaxx(w);
	int lw = width >= 100 ? width / 2 - 1 : 36;
	term_put(w, y0, 0, width, " split and resampling", term_attr(ROLE_HEADER) | A_REVERSE, false);
	int y = y0 + 1;
	term_printf(w, y++, 1, lw, A_NORMAL, "split    train %s  valid %s", view_num(st->split_train).s,
		    view_num(st->split_validation).s);
	term_printf(w, y++, 1, lw, A_NORMAL, "         test  %s", view_num(st->split_test).s);
	term_printf(w, y++, 1, lw, A_NORMAL, "seed     %llu", (unsigned long long)st->split_seed);
	if (st->split_method == SPLIT_TIME)
		term_printf(w, y++, 1, lw, A_NORMAL, "method   time, gap %s days",
			    view_num(st->split_gap_days).s);
	else
		term_printf(w, y++, 1, lw, A_NORMAL, "method   %s",
			    split_method_name(st->split_method));
	term_printf(w, y++, 1, lw, A_NORMAL, "resample %s, ratio %s", resample_name(st->resample),
		    view_num(st->resample_ratio).s);
	term_printf(w, y++, 1, lw, A_NORMAL, "drop suggested columns: %s",
		    st->drop_suggested ? "yes" : "no");
	term_printf(w, y++, 1, lw, term_attr(ROLE_DIM), "S split  x seed  m method  +/- ratio");

	int x0 = lw + 2, pw = width - x0;
	y = y0 + 1;
	if (!s->have_preview) {
		term_put(w, y, x0, pw, s->preview_stale ? "computing the preview..." : s->preview_error,
			 s->preview_stale ? term_attr(ROLE_DIM) : term_attr(ROLE_BAD), false);
		return;
	}
	const struct split_counts *c = &s->counts;
	term_printf(w, y++, x0, pw, term_attr(ROLE_HEADER), "%-15s %8s %8s %8s",
		    s->preview_stale ? "(updating)" : "class counts",
		    "legit", "fraud", "fraud %");
	static const char *const names[] = { "train", "validation", "test untouched" };
	for (int i = 0; i < SPLIT_COUNT; i++) {
		size_t n0 = c->before[i][0], n1 = c->before[i][1];
		term_printf(w, y++, x0, pw, A_NORMAL, "%-15s %8zu %8zu %7.2f%%", names[i], n0, n1,
			    n0 + n1 ? 100.0 * (double)n1 / (double)(n0 + n1) : 0);
	}
	size_t n0 = c->train_after[0], n1 = c->train_after[1];
	bool changed = st->resample != RESAMPLE_NONE;
	term_printf(w, y++, x0, pw, changed ? term_attr(ROLE_GOOD) : term_attr(ROLE_DIM),
		    "%-15s %8zu %8zu %7.2f%%", "train resampled", n0, n1,
		    n0 + n1 ? 100.0 * (double)n1 / (double)(n0 + n1) : 0);
	if (st->resample == RESAMPLE_CLASS_WEIGHT)
		term_printf(w, y++, x0, pw, A_NORMAL, "%-15s %8.3g %8.3g", "class weights",
			    c->train_weight[0], c->train_weight[1]);
	draw_times(a, s, w, y0 + BOTTOM_H);
}

static void draw_menu(struct prepare_state *s, WINDOW *w)
{
	int h = getmaxy(w), width = getmaxx(w);
	int mw = 40, mh = (int)s->nmenu + 2;
	int y0 = (h - mh) / 2 > 0 ? (h - mh) / 2 : 0, x0 = (width - mw) / 2;
	for (int y = 0; y < mh && y0 + y < h; y++)
		term_put(w, y0 + y, x0, mw, "", term_attr(ROLE_STATUS), false);
	term_put(w, y0, x0 + 1, mw - 2, "Enter applies, Esc closes", term_attr(ROLE_STATUS) | A_BOLD, false);
	for (size_t i = 0; i < s->nmenu; i++)
		term_put(w, y0 + 1 + (int)i, x0 + 1, mw - 2, s->items[i].label,
			 i == s->menu_cur ? term_attr(ROLE_SELECTED) | A_BOLD | A_REVERSE
					  : term_attr(ROLE_STATUS), false);
}

static void draw(struct app *a, WINDOW *w)
{
	struct prepare_state *s = state(a);
	if (!a->frame) {
		term_put(w, getmaxy(w) / 2, 2, getmaxx(w) - 4, "No data loaded yet.", term_attr(ROLE_DIM), false);
		return;
	}
	refresh_preview(a, s);
	int bottom = BOTTOM_H + times_height(s);
	int h = getmaxy(w);
	/* the selected column's leakage hint, whole (at most three lines), over
	 * the bottom panel */
	const char *hint = s->cur < a->frame->ncols ? scr_data_hint(a, s->cur) : NULL;
	char line[1024];
	snprintf(line, sizeof line, "leakage hint: %s", hint ? hint : "");
	int hl = hint ? view_wrap_lines(line, getmaxx(w) - 1, 3) : 0;
	while (hl > 0 && h - bottom - hl < 4)
		hl--;
	if (hl > 0) {
		draw_columns(a, s, w, h - bottom - hl);
		term_put_wrapped(w, h - bottom - hl, 1, getmaxx(w) - 1, hl, line,
				 term_attr(ROLE_WARN));
	} else {
		draw_columns(a, s, w, h - bottom);
	}
	draw_bottom(a, s, w, h - bottom);
	if (s->menu)
		draw_menu(s, w);
}

/* ---- keys ---- */

/* A per-column choice ("impute", "amt", "median"), undoable. */
static int set_column(struct app *a, const char *ns, const char *col, const char *value)
{
	char *key = xasprintf("%s.columns.%s", ns, col);
	char *q = strcmp(value, "null") && value[0] != '[' ? app_quote(value) : xstrdup(value);
	int rc = app_set1(a, key, q);
	if (!rc)
		app_message(a, false, "%s of %s: %s (u undoes)", ns, col,
			    strcmp(value, "null") ? value : "the default");
	free(q);
	free(key);
	return rc;
}

/* What a menu row or a key chose: argv as a command line would say it. */
static void apply_choice(struct app *a, int argc, char **argv)
{
	if (!strcmp(argv[0], "target"))
		app_set_target(a, argv[1]);
	else if (!strcmp(argv[0], "drop") || !strcmp(argv[0], "keep"))
		app_drop(a, argv + 1, 1, !strcmp(argv[0], "drop"));
	else if (argc > 2)
		set_column(a, argv[0], argv[1], argv[2]);
}

static void cycle_impute(struct app *a, const struct column *c)
{
	static const char *const num[] = { "median", "mean", "most_frequent" };
	static const char *const cat[] = { "most_frequent", "constant:missing" };
	const char *const *list = c->type == COL_CATEGORICAL ? cat : num;
	size_t n = c->type == COL_CATEGORICAL ? 2 : 3;
	char buf[64];
	bool own;
	impute_text(&a->settings, c, buf, sizeof buf, &own);
	size_t next = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(buf, list[i]))
			next = (i + 1) % n;
	set_column(a, "impute", c->name, list[next]);
}

static void cycle_encode(struct app *a, const struct column *c)
{
	if (c->type != COL_CATEGORICAL) {
		app_message(a, true, "%s is %s: only categorical columns are encoded", c->name,
			    col_type_name(c->type));
		return;
	}
	char buf[32];
	bool own;
	encode_text(&a->settings, a->frame, c, buf, sizeof buf, &own);
	enum encoding cur, next = ENC_ONEHOT;
	if (encoding_parse(buf, &cur))
		next = (enum encoding)((cur + 1) % ENC_COUNT);
	set_column(a, "encode", c->name, encoding_name(next));
}

static void cycle_parts(struct app *a, const struct column *c)
{
	if (c->type != COL_DATETIME) {
		app_message(a, true, "%s is not a datetime column", c->name);
		return;
	}
	static const unsigned presets[] = {
		DT_HOUR | DT_DAY_OF_WEEK, DT_HOUR, DT_DAY_OF_WEEK,
		DT_HOUR | DT_DAY_OF_WEEK | DT_DAY | DT_MONTH, 0
	};
	bool own;
	unsigned cur = dt_parts(&a->settings, a->frame, c, &own);
	size_t next = 0;
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
		if (presets[i] == cur)
			next = (i + 1) % (sizeof presets / sizeof presets[0]);
	struct strbuf sb = { 0 };
	sb_puts(&sb, "[");
	int k = 0;
	for (unsigned i = 0; i < DT_PART_COUNT; i++)
		if (presets[next] & (1u << i))
			sb_printf(&sb, "%s\"%s\"", k++ ? "," : "", datetime_part_name(i));
	sb_puts(&sb, "]");
	set_column(a, "datetime", c->name, sb.data);
	sb_free(&sb);
}

static void menu_add(struct prepare_state *s, const char *label, const char *cmd,
		     const char *arg1, const char *arg2)
{
	if (s->nmenu >= MENU_MAX)
		return;
	struct menu_item *m = &s->items[s->nmenu++];
	snprintf(m->label, sizeof m->label, "%s", label);
	m->argc = 0;
	m->argv[m->argc++] = xstrdup(cmd);
	if (arg1)
		m->argv[m->argc++] = xstrdup(arg1);
	if (arg2)
		m->argv[m->argc++] = xstrdup(arg2);
	m->argv[m->argc] = NULL;
}

static void open_menu(struct app *a, struct prepare_state *s)
{
	const struct column *c = &a->frame->cols[s->cur];
	menu_clear(s);
	menu_add(s, "use as target", "target", c->name, NULL);
	if (settings_is_dropped(&a->settings, c->name))
		menu_add(s, "keep as a feature", "keep", c->name, NULL);
	else
		menu_add(s, "drop", "drop", c->name, NULL);
	if (c->type == COL_CATEGORICAL) {
		menu_add(s, "impute: most_frequent", "impute", c->name, "most_frequent");
		menu_add(s, "impute: constant \"missing\"", "impute", c->name, "constant:missing");
		menu_add(s, "encode: onehot", "encode", c->name, "onehot");
		menu_add(s, "encode: frequency", "encode", c->name, "frequency");
		menu_add(s, "encode: ordinal", "encode", c->name, "ordinal");
	} else {
		menu_add(s, "impute: median", "impute", c->name, "median");
		menu_add(s, "impute: mean", "impute", c->name, "mean");
		menu_add(s, "impute: most_frequent", "impute", c->name, "most_frequent");
	}
	menu_add(s, "impute: default", "impute", c->name, "null");
	s->menu = true;
	s->menu_cur = 0;
}

/* The open menu takes every key (modal): it moves, chooses or closes;
 * nothing else reaches the screen or the main loop. */
static int menu_key(struct app *a, struct prepare_state *s, int ch)
{
	if (screen_list_key(ch, &s->menu_cur, s->nmenu, 5))
		return KEY_HANDLED | KEY_REDRAW;
	switch (ch) {
	case '\r': case '\n': case KEY_ENTER: {
		struct menu_item *m = &s->items[s->menu_cur];
		apply_choice(a, m->argc, m->argv);
		menu_clear(s);
		break;
	}
	case 27: case 'q': case KEY_F(1):
		menu_clear(s);
		break;
	default:
		break;
	}
	return KEY_HANDLED | KEY_REDRAW;
}

static bool modal(struct app *a)
{
	struct prepare_state *s = a->screen_state[SCR_PREPARE];
	return s && s->menu;
}

static void split_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	if (!line || !*line)
		return;
	/* the shares, and the seed when given: blanks or commas between */
	char *copy = xstrdup(line);
	for (char *p = copy; *p; p++)
		if (*p == ',' || *p == '\t')
			*p = ' ';
	static const char *const keys[] = { "split.train", "split.validation", "split.test",
					    "split.seed" };
	char *assign[4];
	size_t n = 0;
	for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " ")) {
		if (n == 4) {
			n++;
			break;
		}
		assign[n] = xasprintf("%s=%s", keys[n], tok);
		n++;
	}
	if (n < 3 || n > 4) {
		app_message(a, true, "split: expected TRAIN VALIDATION TEST [SEED], got '%s';"
			    " nothing changed", line);
	} else if (!app_set(a, (const char *const *)assign, n)) {
		char t[32], v[32], e[32];
		fmt_double(t, a->settings.split_train);
		fmt_double(v, a->settings.split_validation);
		fmt_double(e, a->settings.split_test);
		app_message(a, false, "split %s / %s / %s, seed %llu (u undoes)", t, v, e,
			    (unsigned long long)a->settings.split_seed);
	}
	for (size_t i = 0; i < n && i < 4; i++)
		free(assign[i]);
	free(copy);
}

static void seed_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	if (!line || !*line)
		return;
	if (!app_set1(a, "split.seed", line))
		app_message(a, false, "split.seed = %s (u undoes)", line);
}

/* The next column (after the cursor, wrapping) whose name holds the text,
 * ignoring case. */
struct name_match {
	const struct frame *f;
	const char *text;
};

static bool name_holds(size_t col, void *ctx)
{
	const struct name_match *m = ctx;
	return strcasestr(m->f->cols[col].name, m->text) != NULL;
}

static void find_next(struct app *a, struct prepare_state *s, bool forward)
{
	const struct frame *f = a->frame;
	if (!s->find[0]) {
		app_message(a, true, "nothing to find yet: / finds a column by name");
		return;
	}
	struct name_match m = { f, s->find };
	bool wrapped;
	size_t i = screen_find_row(f->ncols, s->cur, forward, name_holds, &m, &wrapped);
	if (i == f->ncols) {
		app_message(a, true, "no column name holds '%s'", s->find);
		return;
	}
	s->cur = i;
	app_message(a, false, "%scolumn %zu of %zu: %s", wrapped ? "find wrapped: " : "", i + 1,
		    f->ncols, f->cols[i].name);
}

static void find_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	struct prepare_state *s = state(a);
	if (!line || !*line || !a->frame)
		return;
	snprintf(s->find, sizeof s->find, "%s", line);
	find_next(a, s, true);
}

static int find_key(struct app *a, struct prepare_state *s, int ch)
{
	if (ch == '/')
		prompt_begin(a, PROMPT_TEXT, "find column: ", NULL, find_done, NULL);
	else
		find_next(a, s, ch == 'n');
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct column *current(struct app *a)
{
	struct prepare_state *s = state(a);
	const struct frame *f = a->frame;
	if (!f || !f->ncols)
		return NULL;
	return &f->cols[s->cur < f->ncols ? s->cur : 0];
}

static void target_yes(struct app *a, void *ctx)
{
	app_set_target(a, ctx);
}

static int key_target(struct app *a, int ch)
{
	(void)ch;
	const struct column *c = current(a);
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
	const struct column *c = current(a);
	if (c) {
		char *names[] = { c->name };
		app_drop(a, names, 1, !settings_is_dropped(&a->settings, c->name));
	}
	return KEY_REDRAW;
}

static int key_cycle(struct app *a, int ch)
{
	const struct column *c = current(a);
	if (!c)
		return KEY_HANDLED;
	if (ch == 'i')
		cycle_impute(a, c);
	else if (ch == 'e')
		cycle_encode(a, c);
	else
		cycle_parts(a, c);
	return KEY_REDRAW;
}

static int key_menu(struct app *a, int ch)
{
	(void)ch;
	if (current(a))
		open_menu(a, state(a));
	return KEY_REDRAW;
}

static int key_method(struct app *a, int ch)
{
	(void)ch;
	enum resample_method next = (enum resample_method)((a->settings.resample + 1) %
							  RESAMPLE_COUNT);
	char *q = app_quote(resample_name(next));
	if (!app_set1(a, "resample.method", q))
		app_message(a, false, "resampling: %s (u undoes)", resample_name(next));
	free(q);
	return KEY_REDRAW;
}

static int key_ratio(struct app *a, int ch)
{
	double r = a->settings.resample_ratio + (ch == '+' ? 0.1 : -0.1);
	r = r > 1 ? 1 : r < 0.1 ? 0.1 : r;
	char buf[32];
	snprintf(buf, sizeof buf, "%.2f", r);
	if (!app_set1(a, "resample.ratio", buf))
		app_message(a, false, "resampling ratio %s (u undoes)", buf);
	return KEY_REDRAW;
}

static int key_split(struct app *a, int ch)
{
	const struct settings *st = &a->settings;
	char buf[128], t[32], v[32], e[32];
	if (ch == 'S') {
		fmt_double(t, st->split_train);
		fmt_double(v, st->split_validation);
		fmt_double(e, st->split_test);
		snprintf(buf, sizeof buf, "%s %s %s", t, v, e);
		prompt_begin(a, PROMPT_TEXT, "split (train validation test [seed]): ", buf,
			     split_done, NULL);
	} else {
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)st->split_seed);
		prompt_begin(a, PROMPT_TEXT, "seed: ", buf, seed_done, NULL);
	}
	return KEY_REDRAW;
}

static int key_train_hint(struct app *a, int ch)
{
	(void)ch;
	app_message(a, false, "t trains on the Train screen (3); L makes the selected column the target");
	return KEY_REDRAW;
}

static const struct key_binding keys[] = {
	SCREEN_LIST_KEYS,
	{ { '/' }, "/", "find a column by name (n / N: next, previous)", KB_VIEW, NULL, NULL },
	{ { '\r', '\n', KEY_ENTER }, "Enter", "menu of what can be done with the column", KB_VIEW, NULL, key_menu },
	{ { 'L' }, "L", "make the column the target (label); asks first (:target)", KB_ASK, "target", key_target },
	{ { 'd' }, "d", "drop / keep the column (u undoes; :drop, :keep)", KB_SETTING, "drop", key_drop },
	{ { 'i' }, "i", "cycle the imputation (u undoes; :impute COL STRATEGY)", KB_SETTING, "impute", key_cycle },
	{ { 'e' }, "e", "cycle the encoding of a categorical column (:encode)", KB_SETTING, "encode", key_cycle },
	{ { 'p' }, "p", "cycle the parts of a datetime column (:datetime)", KB_SETTING, "datetime", key_cycle },
	{ { 'S', 'x' }, "S / x", "edit the split shares / the seed (:split, :set split.seed)", KB_SETTING, "split", key_split },
	{ { 'm' }, "m", "cycle the resampling method (:resample)", KB_SETTING, "resample", key_method },
	{ { '+', '-' }, "+ / -", "raise / lower the resampling ratio (:resample METHOD RATIO)", KB_SETTING, "resample", key_ratio },
	{ { 't', 'T' }, "t T", "say where training is (the Train screen)", KB_VIEW, NULL, key_train_hint },
	{ { 0 }, NULL, NULL, KB_VIEW, NULL, NULL }
};

static int key(struct app *a, int ch)
{
	struct prepare_state *s = state(a);
	const struct frame *f = a->frame;
	if (!f || !f->ncols)
		return KEY_UNHANDLED;
	if (s->menu)
		return menu_key(a, s, ch);
	if (ch == '/' || ch == 'n' || ch == 'N')
		return find_key(a, s, ch);
	if (screen_list_key(ch, &s->cur, f->ncols, s->page > 1 ? (size_t)s->page : 10))
		return KEY_REDRAW;
	return screen_dispatch(keys, a, ch);
}

const struct screen_ops scr_prepare_ops = {
	.name = "Prepare",
	.draw = draw,
	.key = key,
	.free_state = free_state,
	.modal = modal,
	.keys = keys,
};
