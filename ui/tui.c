/* tui: the workbench's main loop: options, the tab bar, the status bar,
 * the help overlay, and the dispatch of keys to the prompt, the current
 * screen and the global keys.
 *
 * The loop never blocks for longer than the poll interval: keys arrive with
 * a timeout, long work runs in the app's worker thread and is adopted by
 * app_poll_job between keys. Every exit path restores the terminal. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <stdarg.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app.h"
#include "commands.h"
#include "options.h"
#include "prompt.h"
#include "screen.h"
#include "settings.h"
#include "scr_data.h"
#include "term.h"
#include "util.h"
#include "view.h"

#define MIN_COLS 80
#define MIN_LINES 24

struct ui {
	struct app app;
	WINDOW *tabs, *body, *bar;
	bool too_small;
	int overlay_scroll;
	FILE *timing;
};

static const struct screen_ops *cur_screen(const struct app *a)
{
	return screen_get(a->screen);
}

/* Switch screens (leave/enter called); only the main loop does. */
static void screen_switch(struct app *a, enum screen_id id)
{
	if (id >= SCR_COUNT || id == a->screen)
		return;
	const struct screen_ops *from = screen_get(a->screen), *to = screen_get(id);
	if (from->leave)
		from->leave(a);
	a->screen = id;
	if (to->enter)
		to->enter(a);
}

/* Carry out a switch a command or a screen asked for. */
static void take_screen_request(struct app *a)
{
	enum screen_id id = a->next_screen;
	a->next_screen = SCR_COUNT;
	if (id < SCR_COUNT)
		screen_switch(a, id);
}

/* ---- options ---- */

struct options {
	const char *file;
	const char *pipeline;
	const char *registry;
	const char *target;
	const char *delimiter;
	const char *na_values;
	const char **sets; size_t nsets;
};

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "fraudtree: %s '%s'", what, arg);
	fputs("\nUsage: fraudtree [FILE.csv] [--pipeline P.json] [--registry DIR] [--target COL]"
	      " [--set KEY=VALUE]...\n", stderr);
	return 2;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	const struct {
		const char *name;
		const char **slot;
	} opts[] = {
		{ "--pipeline", &o->pipeline },
		{ "--registry", &o->registry },
		{ "--target", &o->target },
		{ "--delimiter", &o->delimiter },
		{ "--na-values", &o->na_values },
	};
	o->sets = xcalloc((size_t)argc + 1, sizeof *o->sets);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (arg[0] != '-' || !arg[1]) {
			if (o->file)
				return usage_error("unexpected argument", arg);
			o->file = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			if (i + 1 < argc && !o->file)
				o->file = argv[++i];
			continue;
		}
		const char *eq = strchr(arg, '=');
		size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		const char *value = NULL;
		bool known = false;
		const char **slot = NULL;
		for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
			if (strlen(opts[k].name) == nlen && !strncmp(arg, opts[k].name, nlen)) {
				slot = opts[k].slot;
				known = true;
			}
		if (nlen == 5 && !strncmp(arg, "--set", 5))
			known = true;
		if (!known)
			return usage_error("unknown option", arg);
		if (eq)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return usage_error("this option needs a value:", arg);
		if (slot)
			*slot = value;
		else
			o->sets[o->nsets++] = value;
	}
	return 0;
}

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The bundled sample: installed data dir, then beside the executable, then
 * the source tree of an uninstalled build. Caller frees. */
static char *sample_path(void)
{
	char *p = xstrdup(FT_DATADIR "/transactions.csv");
	if (readable(p))
		return p;
	free(p);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		p = xasprintf("%s/data/transactions.csv", dirname(exe));
		if (readable(p))
			return p;
		free(p);
	}
#ifdef FT_SRCDIR
	p = xstrdup(FT_SRCDIR "/data/transactions.csv");
	if (readable(p))
		return p;
	free(p);
#endif
	return NULL;
}

static int setup_app(struct app *a, const struct options *o)
{
	struct ft_err err;
	if (o->pipeline) {
		if (settings_load_file(&a->settings, o->pipeline, &err)) {
			fprintf(stderr, "fraudtree: %s\n", err.msg);
			return 2;
		}
		a->pipeline_path = xstrdup(o->pipeline);
	}
	for (size_t i = 0; i < o->nsets; i++)
		if (settings_set(&a->settings, o->sets[i], &err)) {
			fprintf(stderr, "fraudtree: %s\n", err.msg);
			return 2;
		}
	if (o->target) {
		free(a->settings.target);
		a->settings.target = xstrdup(o->target);
	}
	if (o->na_values)
		options_add_na_values(&a->settings, o->na_values);
	if (o->delimiter) {
		if (!options_parse_delimiter(o->delimiter, &a->delimiter)) {
			fprintf(stderr, "fraudtree: --delimiter: expected one character (or 'tab'), got '%s'\n",
				o->delimiter);
			return 2;
		}
	}
	if (settings_validate(&a->settings, &err)) {
		fprintf(stderr, "fraudtree: %s\n", err.msg);
		return 2;
	}
	a->registry_root = xstrdup(options_registry_root(o->registry));
	return 0;
}

/* ---- drawing ---- */

static void delete_windows(struct ui *u)
{
	if (u->tabs)
		delwin(u->tabs);
	if (u->body)
		delwin(u->body);
	if (u->bar)
		delwin(u->bar);
	u->tabs = u->body = u->bar = NULL;
}

static void layout(struct ui *u)
{
	delete_windows(u);
	u->too_small = COLS < MIN_COLS || LINES < MIN_LINES;
	clearok(curscr, TRUE);
	if (u->too_small) {
		term_set_input(stdscr);
		return;
	}
	u->tabs = newwin(1, COLS, 0, 0);
	u->body = newwin(LINES - 3, COLS, 1, 0);
	u->bar = newwin(2, COLS, LINES - 2, 0);
	term_set_input(u->bar);
}

/* Too small for the screens; a question asked is still shown whole (it
 * takes the next key), wrapped over the rows there are. */
static void draw_too_small(const struct app *a)
{
	erase();
	char line[96];
	snprintf(line, sizeof line, "Terminal too small: %dx%d", COLS, LINES);
	mvaddnstr(LINES / 2 - 1 > 0 ? LINES / 2 - 1 : 0, 0, line, COLS);
	snprintf(line, sizeof line, "need %dx%d; q quits", MIN_COLS, MIN_LINES);
	mvaddnstr(LINES / 2 > 0 ? LINES / 2 : 0, 0, line, COLS);
	if (a->question && COLS > 0) {
		const char *p = a->question->text;
		for (int y = LINES / 2 + 2; *p && y < LINES; y++) {
			size_t fit = view_text_fit(p, COLS, NULL);
			if (!fit)
				break;
			mvaddnstr(y, 0, p, (int)fit);
			p += fit;
		}
	}
	refresh();
}

static void draw_tabs(struct ui *u)
{
	WINDOW *w = u->tabs;
	struct app *a = &u->app;
	term_fill(w, 0, 0, term_attr(ROLE_TAB));
	int x = 0;
	x += term_printf(w, 0, x, COLS - x, term_attr(ROLE_TAB) | A_BOLD, " fraudtree ");
	for (int i = 0; i < SCR_COUNT; i++) {
		bool cur = (int)a->screen == i;
		x += term_printf(w, 0, x, COLS - x, term_attr(cur ? ROLE_TAB_ACTIVE : ROLE_TAB),
				 " %d %s ", i + 1, screen_get((enum screen_id)i)->name);
	}
	const char *hint = "F1 help  : command  q quit ";
	int hw = (int)strlen(hint);
	if (COLS - x > hw)
		term_put(w, 0, COLS - hw, hw, hint, term_attr(ROLE_TAB), false);
}

static const char *model_state(const struct app *a, char *buf, size_t size)
{
	if (a->job_running && a->job.kind == JOB_REGISTER)
		snprintf(buf, size, "registering");
	else if (a->job_running && (a->job.kind == JOB_TRAIN || a->job.kind == JOB_TUNE))
		snprintf(buf, size, "%s", a->job.kind == JOB_TUNE ? "tuning" : "training");
	else if (!a->result)
		snprintf(buf, size, "no model");
	else if (a->registry_version)
		snprintf(buf, size, "registered v%d", a->registry_version);
	else
		snprintf(buf, size, "trained%s", a->result_saved ? ", saved" : ", not saved");
	char **keys;
	size_t n = app_stale_keys(a, &keys);
	settings_diff_free(keys, n);
	if (n && a->result && !(a->job_running && (a->job.kind == JOB_TRAIN ||
						    a->job.kind == JOB_TUNE))) {
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, ", STALE");
	}
	return buf;
}

static void draw_progress(struct ui *u, int y)
{
	struct app *a = &u->app;
	WINDOW *w = u->bar;
	char stage[32];
	double frac;
	app_job_progress(a, stage, sizeof stage, &frac);
	double secs = ft_now() - a->job.started;
	int x = term_printf(w, y, 0, COLS, A_BOLD, " %-8s ", stage);
	int bw = COLS / 3;
	term_put(w, y, x, 1, "[", A_NORMAL, false);
	if (frac >= 0)
		term_bar(w, y, x + 1, bw, frac, 1, term_attr(ROLE_BAR));
	term_put(w, y, x + 1 + bw, 1, "]", A_NORMAL, false);
	x += bw + 2;
	char tail[96];
	const char *esc = a->job.kind == JOB_REGISTER ? "" : "  Esc cancels";
	if (frac >= 0)
		snprintf(tail, sizeof tail, " %3d%%  %.1f s%s", (int)(frac * 100), secs, esc);
	else
		snprintf(tail, sizeof tail, " %.1f s%s", secs, esc);
	term_printf(w, y, x, COLS - x, A_NORMAL, "%s", tail);
}

/* s cut to at most width columns, the cut marked. */
static void clip_text(const char *s, int width, char *buf, size_t size)
{
	if (width < 2 || view_text_width(s) <= width) {
		snprintf(buf, size, "%s", s);
		return;
	}
	size_t n = view_text_fit(s, width - 1, NULL);
	snprintf(buf, size, "%.*s%s", (int)n, s, term_utf8() ? "\xe2\x80\xa6" : "~");
}

/* File, size, target, model state and the gate (once there is a model),
 * always all of them: the size gets terse and a long file or target name
 * is cut rather than the gate pushed off the line. */
static void draw_status(struct ui *u)
{
	struct app *a = &u->app;
	WINDOW *w = u->bar;
	term_fill(w, 0, 0, term_attr(ROLE_STATUS));
	char model[48], size[64], name[256], target[256];
	const char *file = a->path ? a->path : "(no file)";
	if (a->job_running && a->job.kind == JOB_LOAD && a->job.path)
		file = a->job.path;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	int tcol = app_target_col(a);
	const char *tname = tcol >= 0 ? a->frame->cols[tcol].name : "(none)";
	model_state(a, model, sizeof model);
	size_t nrows = a->frame ? a->frame->nrows : 0, ncols = a->frame ? a->frame->ncols : 0;
	size_t shown;
	bool filtered = scr_data_filtered(a, &shown);   /* the Data grid's filter */
	if (filtered)
		snprintf(size, sizeof size, "%zu of %zu rows (filter) x %zu cols", shown, nrows, ncols);
	else
		snprintf(size, sizeof size, "%zu rows x %zu cols", nrows, ncols);
	int gate_w = a->result ? 14 : 0;   /* " | gate " and " PASS " */
	int fixed = gate_w + (int)(strlen(" ") + strlen(" | ") + strlen(" | target ") +
				   strlen(" | ") + strlen(model));
	int nw = view_text_width(base), tw = view_text_width(tname);
	int room = COLS - fixed - (int)strlen(size);
	if (nw + tw > room) {
		if (filtered)
			snprintf(size, sizeof size, "%zu/%zu x %zu", shown, nrows, ncols);
		else
			snprintf(size, sizeof size, "%zu x %zu", nrows, ncols);
		room = COLS - fixed - (int)strlen(size);
	}
	if (room < 2)
		room = 2;
	if (nw + tw > room) {
		int half = room / 2;
		if (tw <= half)
			nw = room - tw;
		else if (nw <= half)
			tw = room - nw;
		else {
			nw = half;
			tw = room - half;
		}
	}
	clip_text(base, nw, name, sizeof name);
	clip_text(tname, tw, target, sizeof target);
	int x = term_printf(w, 0, 0, COLS, term_attr(ROLE_STATUS), " %s | %s | target %s | %s",
			    name, size, target, model);
	if (!a->result)
		return;
	x += term_printf(w, 0, x, COLS - x, term_attr(ROLE_STATUS), " | gate ");
	term_printf(w, 0, x, COLS - x,
		    (a->result->gate.pass ? term_attr(ROLE_GOOD) : term_attr(ROLE_BAD)) | A_REVERSE,
		    " %s ", a->result->gate.pass ? "PASS" : "FAIL");
}

struct lines {
	char **v;
	size_t n;
};

static void add_line(struct lines *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_line(struct lines *l, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(buf);
}

/* A long line as several, broken at blanks, the rest indented. */
static void add_wrapped(struct lines *l, const char *text, int width, int indent)
{
	const char *p = text;
	bool first = true;
	while (*p) {
		int room = width - (first ? 0 : indent);
		if (room < 10)
			room = 10;
		size_t fit = view_text_fit(p, room, NULL);
		size_t cut = fit;
		if (p[fit]) {
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (!cut)
				cut = fit;
		}
		add_line(l, "%*s%.*s", first ? 0 : indent, "", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		first = false;
	}
}

/* The question takes the message line, and the rows above it when it is
 * longer (at most 16). One longer still (a pasted reason, a deep path)
 * keeps its head (what is asked) and its tail (what y does), with a line
 * of "…" for the middle: the question's own words are never pushed out. */
static void draw_question(struct ui *u)
{
	struct app *a = &u->app;
	const char *q = a->question->text;
	int width = COLS;
	/* lines of at most width columns, broken at blanks */
	const char **lines = NULL;
	int *lens = NULL, n = 0, cap = 0;
	const char *p = q;
	while (*p) {
		size_t fit = view_text_fit(p, width, NULL);
		if (!fit)
			break;
		size_t cut = fit;
		if (p[fit]) {
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (!cut)
				cut = fit;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			lines = xreallocarray(lines, (size_t)cap, sizeof *lines);
			lens = xreallocarray(lens, (size_t)cap, sizeof *lens);
		}
		lines[n] = p;
		lens[n++] = (int)cut;
		p += cut;
		while (*p == ' ')
			p++;
	}
	int body_h = getmaxy(u->body);
	int rows = body_h + 2 < 16 ? body_h + 2 : 16;
	int head = n, tail = 0;
	if (n > rows && rows >= 3) {
		head = (rows - 1) / 2;
		tail = rows - 1 - head;
	}
	int shown = head + (tail ? 1 + tail : 0);
	for (int i = 0; i < shown; i++) {
		char buf[1024];
		if (tail && i == head)
			snprintf(buf, sizeof buf, "%s", term_utf8() ? "\xe2\x80\xa6" : "~");
		else {
			int k = tail && i > head ? n - (shown - i) : i;
			snprintf(buf, sizeof buf, "%.*s", lens[k], lines[k]);
		}
		int row = i - (shown - 1);   /* last line on the message line */
		if (row == 0)
			term_put(u->bar, 1, 0, width, buf, term_attr(ROLE_WARN) | A_BOLD, false);
		else if (row == -1)
			term_put(u->bar, 0, 0, width, buf, term_attr(ROLE_WARN) | A_BOLD, false);
		else if (body_h + row + 1 >= 0)
			term_put(u->body, body_h + row + 1, 0, width, buf,
				 term_attr(ROLE_WARN) | A_BOLD, false);
	}
	free(lines);
	free(lens);
}

/* Completion candidates above the command line, wrapped between words
 * over as many rows as they need (at most a third of the screen; the last
 * row then says how many more there are). */
static void draw_matches(struct ui *u)
{
	const char *m = prompt_matches();
	if (!*m)
		return;
	int width = COLS, max_rows = LINES / 3;
	struct lines l = { 0 };
	add_wrapped(&l, m, width, 0);
	int body_h = getmaxy(u->body);
	int rows = (int)l.n > max_rows ? max_rows : (int)l.n;
	for (int i = 0; i < rows; i++) {
		const char *text = l.v[i];
		char more[64];
		if (i == rows - 1 && (int)l.n > rows) {
			size_t left = 0;
			for (size_t k = (size_t)rows - 1; k < l.n; k++)
				for (const char *p = l.v[k]; *p; p++)
					left += p[0] != ' ' && (p[1] == ' ' || !p[1]);
			snprintf(more, sizeof more, "... and %zu more (type to narrow)", left);
			text = more;
		}
		int row = i - rows;   /* the last one right above the status bar */
		term_put(u->body, body_h + row, 0, width, text, term_attr(ROLE_KEY) | A_REVERSE, false);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
}

static void draw_message(struct ui *u)
{
	struct app *a = &u->app;
	WINDOW *w = u->bar;
	wmove(w, 1, 0);
	wclrtoeol(w);
	if (prompt_active()) {
		draw_matches(u);
		prompt_draw(w, 1);
		curs_set(1);
		return;
	}
	curs_set(0);
	if (a->question) {
		draw_question(u);
		return;
	}
	if (a->job_running) {
		draw_progress(u, 1);
		return;
	}
	term_put(w, 1, 0, COLS, a->message, a->message_error ? term_attr(ROLE_BAD) : A_NORMAL, false);
}

static void add_commands(struct lines *l, const struct command *c, size_t n, int width)
{
	for (size_t i = 0; i < n; i++) {
		char usage[80], *row;
		snprintf(usage, sizeof usage, ":%s %s", c[i].name, c[i].args);
		row = xasprintf("  %-32s %s", usage, c[i].help);
		add_wrapped(l, row, width, 35);
		free(row);
	}
}

static void help_lines(struct app *a, struct lines *l, int width)
{
	const struct screen_ops *s = cur_screen(a);
	add_line(l, "#Keys on the %s screen", s->name);
	for (const struct key_binding *k = s->keys; k && k->label; k++) {
		char *row = xasprintf("  %-18s %s", k->label, k->what);
		add_wrapped(l, row, width, 21);
		free(row);
	}
	add_line(l, "%s", "");
	add_line(l, "#Everywhere");
	for (const struct key_binding *k = screen_global_keys(); k->label; k++) {
		char *row = xasprintf("  %-18s %s", k->label, k->what);
		add_wrapped(l, row, width, 21);
		free(row);
	}
	if (s->ncommands) {
		add_line(l, "%s", "");
		add_line(l, "#Commands of the %s screen", s->name);
		add_commands(l, s->commands, s->ncommands, width);
	}
	add_line(l, "%s", "");
	add_line(l, "#Commands (type : then the command)");
	size_t n;
	const struct command *c = commands_table(&n);
	add_commands(l, c, n, width);
	for (int i = 0; i < SCR_COUNT; i++) {
		const struct screen_ops *o = screen_get((enum screen_id)i);
		if (o == s || !o->ncommands)
			continue;
		add_line(l, "%s", "");
		add_line(l, "#Commands of the %s screen (they show it)", o->name);
		add_commands(l, o->commands, o->ncommands, width);
	}
}

static void log_lines(struct app *a, struct lines *l, int width)
{
	if (!a->nlog)
		add_line(l, "  (no messages yet)");
	for (size_t i = 0; i < a->nlog; i++)
		add_wrapped(l, a->log[i], width, 2);
}

/* The help or the message log over the screen. */
static void draw_overlay(struct ui *u)
{
	WINDOW *w = u->body;
	struct app *a = &u->app;
	int h = getmaxy(w), width = getmaxx(w);
	struct lines l = { 0 };
	if (a->overlay == OVERLAY_HELP)
		help_lines(a, &l, width);
	else
		log_lines(a, &l, width);
	int max_scroll = (int)l.n - (h - 1);
	if (max_scroll < 0)
		max_scroll = 0;
	if (u->overlay_scroll > max_scroll)
		u->overlay_scroll = max_scroll;
	if (u->overlay_scroll < 0)
		u->overlay_scroll = 0;
	char title[160];
	snprintf(title, sizeof title, " %s  (Up/Down PgUp/PgDn scroll; Esc, q, F1 close; : command)",
		 a->overlay == OVERLAY_HELP ? "Help" : "Messages");
	term_put(w, 0, 0, width, title, term_attr(ROLE_HEADER) | A_REVERSE, false);
	for (int y = 1; y < h; y++) {
		size_t i = (size_t)(y - 1 + u->overlay_scroll);
		if (i >= l.n)
			break;
		bool head = l.v[i][0] == '#';
		bool err = a->overlay == OVERLAY_LOG && l.v[i][0] == '!';
		term_put(w, y, 0, width, head ? l.v[i] + 1 : l.v[i],
			 head ? term_attr(ROLE_HEADER) : err ? term_attr(ROLE_BAD) : A_NORMAL, false);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
}

static void draw_all(struct ui *u)
{
	if (u->too_small) {
		draw_too_small(&u->app);
		return;
	}
	struct app *a = &u->app;
	werase(u->tabs);
	draw_tabs(u);
	werase(u->body);
	if (a->overlay != OVERLAY_NONE)
		draw_overlay(u);
	else
		cur_screen(a)->draw(a, u->body);
	werase(u->bar);
	draw_status(u);
	draw_message(u);
	wnoutrefresh(u->tabs);
	wnoutrefresh(u->body);
	wnoutrefresh(u->bar);
	doupdate();
}

/* ---- keys ---- */

static void command_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	if (line && *line)
		commands_execute(a, line);
}

static void open_overlay(struct ui *u, enum app_overlay o)
{
	u->app.overlay = o;
	u->overlay_scroll = o == OVERLAY_LOG ? INT32_MAX / 2 : 0;   /* the log opens at its end */
}

/* The help and the message log take every key: they scroll, close on Esc,
 * q or F1 (? too for the help), and `:` goes on to the command line as in
 * less; nothing else reaches the screen below. */
static void overlay_key(struct ui *u, int ch)
{
	struct app *a = &u->app;
	int page = getmaxy(u->body) - 2;
	switch (ch) {
	case KEY_UP: case 'k': u->overlay_scroll--; break;
	case KEY_DOWN: case 'j': u->overlay_scroll++; break;
	case KEY_PPAGE: u->overlay_scroll -= page; break;
	case KEY_NPAGE: case ' ': u->overlay_scroll += page; break;
	case KEY_HOME: case 'g': u->overlay_scroll = 0; break;
	case KEY_END: case 'G': u->overlay_scroll = INT32_MAX / 2; break;
	case 27: case 'q': case 'Q': case KEY_F(1):
		a->overlay = OVERLAY_NONE;
		break;
	case '?':
		if (a->overlay == OVERLAY_HELP)
			a->overlay = OVERLAY_NONE;
		break;
	case ':':
		a->overlay = OVERLAY_NONE;
		prompt_begin(a, PROMPT_COMMAND, ":", NULL, command_done, NULL);
		break;
	default:
		break;
	}
}

/* Ctrl-C: close what is open, else stop the job, else quit, asking first
 * (as q does) when that would lose a model; Ctrl-C at the question quits. */
static void interrupt(struct ui *u)
{
	struct app *a = &u->app;
	if (prompt_active()) {
		prompt_cancel(a);
	} else if (a->question) {
		bool quitting = a->question->yes && strstr(a->question->text, "Quit anyway");
		app_answer(a, false);
		if (quitting)
			a->quit = true;
	} else if (a->overlay != OVERLAY_NONE) {
		a->overlay = OVERLAY_NONE;
	} else if (a->job_running) {
		app_cancel_job(a);
	} else {
		commands_execute(a, "q");
	}
}

/* A bracketed paste is text, never keys: it goes into the open prompt (a
 * value, a reason, the command line) and nowhere else; a question stays
 * asked (a pasted y confirms nothing) and a screen's keys never see it. */
static void paste(struct ui *u)
{
	struct app *a = &u->app;
	bool cut;
	const char *text = term_paste(&cut);
	if (prompt_active() && !u->too_small) {
		prompt_paste(a, text, cut);
		return;
	}
	if (a->question)
		return;
	app_message(a, true, "pasted text ignored: a paste goes only into a prompt"
		    " (: for the command line)");
}

/* A question just drawn is answered only by a key pressed after it was on
 * screen: keys typed ahead (or the rest of a paste) are dropped, so "a ok
 * Enter y" typed in a burst never confirms an approval its user has not
 * read. *asked is the last question serial seen; call after each draw. */
static void drop_typeahead(const struct app *a, unsigned *asked)
{
	if (a->question && a->question_serial != *asked)
		flushinp();
	*asked = a->question_serial;
}

static void handle_key(struct ui *u, int ch)
{
	struct app *a = &u->app;
	if (ch == TERM_KEY_PASTE) {
		paste(u);
		return;
	}
	if (ch == KEY_RESIZE) {
		layout(u);
		return;
	}
	if (ch == 3) {   /* Ctrl-C, read as a key in raw mode */
		interrupt(u);
		return;
	}
	if (u->too_small) {
		if (ch == 'q' || ch == 'Q')
			commands_execute(a, "q");
		else if (a->question)
			app_answer(a, ch == 'y');
		return;
	}
	if (prompt_active()) {
		prompt_key(a, ch);
		return;
	}
	/* A question takes the next key, whatever it is: only y says yes. */
	if (a->question) {
		app_answer(a, ch == 'y');
		return;
	}
	if (a->overlay != OVERLAY_NONE) {
		overlay_key(u, ch);
		return;
	}
	const struct screen_ops *scr = cur_screen(a);
	if (scr->modal && scr->modal(a)) {
		/* a menu or list takes every key; : still reaches the command
		 * line, as in less */
		if (ch == ':')
			prompt_begin(a, PROMPT_COMMAND, ":", NULL, command_done, NULL);
		else
			scr->key(a, ch);
		return;
	}
	switch (ch) {
	case KEY_F(1):
		open_overlay(u, OVERLAY_HELP);
		return;
	case ':':
		prompt_begin(a, PROMPT_COMMAND, ":", NULL, command_done, NULL);
		return;
	case '\t':
		screen_switch(a, (enum screen_id)((a->screen + 1) % SCR_COUNT));
		return;
	case KEY_BTAB:
		screen_switch(a, (enum screen_id)((a->screen + SCR_COUNT - 1) % SCR_COUNT));
		return;
	case 12:   /* Ctrl-L */
		clearok(curscr, TRUE);
		return;
	default:
		if (ch >= '1' && ch < '1' + SCR_COUNT) {
			screen_switch(a, (enum screen_id)(ch - '1'));
			return;
		}
		break;
	}
	int r = scr->key(a, ch);
	if (r & KEY_QUIT)
		commands_execute(a, "q");
	if (r != KEY_UNHANDLED)
		return;
	switch (ch) {
	case '?':
		open_overlay(u, OVERLAY_HELP);
		break;
	case 'u':
		commands_execute(a, "undo");
		break;
	case 'q':
	case 'Q':
		commands_execute(a, "q");
		break;
	case 27:
		if (a->job_running)
			commands_execute(a, "cancel");
		break;
	default:
		break;
	}
}

static char **complete_command(const struct app *a, const char *head, size_t *n, bool *files)
{
	return commands_complete(a, head, n, files);
}

#ifdef FT_TEST_HOOKS
/* FRAUDTREE_FAULT=oom: the first key after the data has loaded runs out of
 * memory, so tests can see the terminal restored on that path. */
static void test_fault(const struct app *a)
{
	const char *f = getenv("FRAUDTREE_FAULT");
	if (!f || strcmp(f, "oom") || !a->frame)
		return;
	volatile size_t huge = SIZE_MAX / 2;
	free(xmalloc(huge));
}
#endif

/* ---- entry ---- */

static const char *job_name(enum job_kind kind)
{
	return kind == JOB_LOAD ? "load" : kind == JOB_TUNE ? "tune"
		: kind == JOB_REGISTER ? "register" : kind == JOB_DRIFT ? "drift"
		: kind == JOB_CARD ? "card" : "train";
}

int tui_main(int argc, char **argv)
{
	struct options o = { 0 };
	int rc = parse_options(argc, argv, &o);
	if (rc) {
		free(o.sets);
		return rc;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		free(o.sets);
		fputs("fraudtree: the workbench needs a terminal on stdin and stdout;"
		      " for batch work use `fraudtree run` (see fraudtree(1))\n", stderr);
		return 2;
	}
	struct ui *u = xcalloc(1, sizeof *u);
	struct app *a = &u->app;
	app_init(a);
	rc = setup_app(a, &o);
	char *file = NULL;
	if (!rc) {
		file = o.file ? xstrdup(o.file) : sample_path();
		if (!file) {
			fputs("fraudtree: the bundled sample transactions.csv was not found;"
			      " give a FILE.csv\n", stderr);
			rc = 2;
		} else if (!readable(file)) {
			fprintf(stderr, "fraudtree: %s: %s\n", file, strerror(errno));
			rc = 2;
		}
	}
	free(o.sets);
	if (rc) {
		free(file);
		app_free(a);
		free(u);
		return rc;
	}
	const char *timing_path = getenv("FRAUDTREE_KEY_TIMING");
	if (timing_path && *timing_path)
		u->timing = fopen(timing_path, "a");
	if (u->timing)
		setvbuf(u->timing, NULL, _IOLBF, 0);

	if (!term_init()) {
		const char *term = getenv("TERM");
		fprintf(stderr, "fraudtree: the workbench cannot drive the terminal '%s' (check TERM);"
			" for batch work use `fraudtree run` (see fraudtree(1))\n", term ? term : "");
		if (u->timing)
			fclose(u->timing);
		free(file);
		app_free(a);
		free(u);
		return 2;
	}
	a->color = term_color();
	prompt_init();
	prompt_set_completion(complete_command);
	layout(u);
	app_start_load(a, file);
	free(file);
	if (cur_screen(a)->enter)
		cur_screen(a)->enter(a);

	bool dirty = true;
	unsigned asked = a->question_serial;
	while (!a->quit) {
		if (term_take_interrupt()) {
			interrupt(u);
			dirty = true;
		}
		enum job_kind kind = a->job.kind;
		if (app_poll_job(a)) {
			dirty = true;
			if (a->cancel_latency > 0 && u->timing)
				fprintf(u->timing, "cancel %s %.3f\n", job_name(kind),
					a->cancel_latency * 1000.0);
			a->cancel_latency = 0;
		}
		if (a->stopped_latency > 0) {
			if (u->timing)
				fprintf(u->timing, "stopped %s %.3f\n", job_name(a->stopped_kind),
					a->stopped_latency * 1000.0);
			a->stopped_latency = 0;
		}
		/* a job told to stop is adopted as soon as it has */
		term_set_poll(a->job_running && a->cancel_at > 0 ? 5 : 0);
		if (a->job_running || app_take_wakeup(a))
			dirty = true;
		if (dirty) {
			draw_all(u);
			dirty = false;
		}
		drop_typeahead(a, &asked);
		if (a->quit)
			break;
		int ch = term_key();
		if (ch == ERR)
			continue;
		double t0 = ft_now();
#ifdef FT_TEST_HOOKS
		test_fault(a);
#endif
		enum app_overlay was = a->overlay;
		handle_key(u, ch);
		take_screen_request(a);
		if (a->overlay != was && a->overlay != OVERLAY_NONE)
			open_overlay(u, a->overlay);
		if (!a->quit)
			draw_all(u);
		drop_typeahead(a, &asked);
		if (u->timing)
			fprintf(u->timing, "%s %d %.3f\n", cur_screen(a)->name, ch,
				(ft_now() - t0) * 1000.0);
	}

	for (int i = 0; i < SCR_COUNT; i++)
		if (screen_get((enum screen_id)i)->free_state)
			screen_get((enum screen_id)i)->free_state(a);
	prompt_end();
	delete_windows(u);
	term_end();
	if (u->timing)
		fclose(u->timing);
	app_free(a);
	free(u);
	return 0;
}
