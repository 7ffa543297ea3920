/* prompt: GNU readline behind curses.
 *
 * readline never touches the terminal here: its getc hook reads from a small
 * queue that prompt_key fills from curses keys (translated to the control
 * characters readline binds by default), its redisplay hook only marks the
 * line dirty, its terminal prep hooks do nothing, and its output stream is
 * /dev/null. Signals stay ours (rl_catch_signals = 0, rl_catch_sigwinch = 0). */
#include "config.h"
#include "prompt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "term.h"
#include "util.h"
#include "view.h"

static struct {
	bool ready, active;
	enum prompt_kind kind;
	struct app *app;
	prompt_done_fn done;
	void *ctx;
	char label[128];
	char *initial;
	unsigned char queue[64];
	size_t qhead, qlen;
	bool finished;
	char *line;           /* the finished line (readline's malloc) or NULL */
	char matches[8192];   /* completion candidates on show */
	char *history_path;
	FILE *devnull;
	char **cands; size_t ncands, cand_next;
	prompt_complete_fn complete;
} P;

static void push(const char *bytes, size_t n)
{
	for (size_t i = 0; i < n && P.qlen < sizeof P.queue; i++)
		P.queue[(P.qhead + P.qlen++) % sizeof P.queue] = (unsigned char)bytes[i];
}

static int prompt_getc(FILE *f)
{
	(void)f;
	if (!P.qlen)
		return EOF;
	int c = P.queue[P.qhead];
	P.qhead = (P.qhead + 1) % sizeof P.queue;
	P.qlen--;
	return c;
}

static int input_available(void)
{
	return P.qlen > 0;
}

static void redisplay(void)
{
	/* drawn by prompt_draw from the main loop */
}

static void prep_term(int meta)
{
	(void)meta;
}

static void deprep_term(void)
{
}

static void line_done(char *line)
{
	P.finished = true;
	P.line = line;
}

/* ---- completion ---- */

static void cands_clear(void)
{
	for (size_t i = 0; i < P.ncands; i++)
		free(P.cands[i]);
	free(P.cands);
	P.cands = NULL;
	P.ncands = 0;
}

void prompt_set_completion(prompt_complete_fn fn)
{
	P.complete = fn;
}

static char *cand_generator(const char *text, int state)
{
	if (!state)
		P.cand_next = 0;
	size_t len = strlen(text);
	while (P.cand_next < P.ncands) {
		const char *c = P.cands[P.cand_next++];
		if (!strncmp(c, text, len)) {
			/* "constant:" wants its value right after the colon */
			if (c[0] && c[strlen(c) - 1] == ':')
				rl_completion_suppress_append = 1;
			char *r = malloc(strlen(c) + 1);   /* readline frees with free() */
			if (r)
				strcpy(r, c);
			return r;
		}
	}
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;
	if (P.kind != PROMPT_COMMAND || !P.complete)
		return NULL;
	char *head = xstrndup(rl_line_buffer, (size_t)start);
	bool files = false;
	cands_clear();
	P.cands = P.complete(P.app, head, &P.ncands, &files);
	free(head);
	if (files) {
		rl_attempted_completion_over = 0;   /* readline's file names */
		return NULL;
	}
	return rl_completion_matches(text, cand_generator);
}

static void show_matches(char **matches, int num, int max_length)
{
	(void)max_length;
	size_t o = 0;
	P.matches[0] = '\0';
	for (int i = 1; i <= num && o + 2 < sizeof P.matches; i++) {
		int n = snprintf(P.matches + o, sizeof P.matches - o, "%s%s", i > 1 ? "  " : "", matches[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* ---- history ---- */

static char *history_file(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	char *dir;
	if (state && *state == '/') {
		dir = xasprintf("%s/fraudtree", state);
	} else {
		const char *home = getenv("HOME");
		if (!home || !*home)
			return NULL;
		dir = xasprintf("%s/.local/state/fraudtree", home);
	}
	/* mkdir -p: create each missing component */
	for (char *p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) && errno != EEXIST) {
				free(dir);
				return NULL;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	char *path = xasprintf("%s/history", dir);
	free(dir);
	return path;
}

void prompt_init(void)
{
	if (P.ready)
		return;
	P.devnull = fopen("/dev/null", "w");
	rl_readline_name = "fraudtree";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_outstream = P.devnull;
	rl_getc_function = prompt_getc;
	rl_input_available_hook = input_available;
	rl_redisplay_function = redisplay;
	rl_prep_term_function = prep_term;
	rl_deprep_term_function = deprep_term;
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_completer_quote_characters = "\"'";
	using_history();
	stifle_history(1000);
	P.history_path = history_file();
	if (P.history_path)
		read_history(P.history_path);
	P.ready = true;
}

void prompt_end(void)
{
	if (!P.ready)
		return;
	if (P.active) {
		rl_callback_handler_remove();
		P.active = false;
	}
	if (P.history_path)
		write_history(P.history_path);
	free(P.history_path);
	P.history_path = NULL;
	cands_clear();
	free(P.initial);
	P.initial = NULL;
	rl_outstream = NULL;
	if (P.devnull)
		fclose(P.devnull);
	P.devnull = NULL;
	P.ready = false;
}

bool prompt_active(void)
{
	return P.active;
}

static int insert_initial(void)
{
	if (P.initial) {
		rl_insert_text(P.initial);
		free(P.initial);
		P.initial = NULL;
	}
	rl_startup_hook = NULL;
	return 0;
}

void prompt_begin(struct app *a, enum prompt_kind kind, const char *label,
		  const char *initial, prompt_done_fn done, void *ctx)
{
	prompt_init();
	if (P.active)
		prompt_cancel(a);
	P.app = a;
	P.kind = kind;
	P.done = done;
	P.ctx = ctx;
	P.finished = false;
	P.line = NULL;
	P.qlen = 0;
	P.matches[0] = '\0';
	snprintf(P.label, sizeof P.label, "%s", label);
	free(P.initial);
	P.initial = initial && *initial ? xstrdup(initial) : NULL;
	rl_startup_hook = insert_initial;
	P.active = true;
	rl_callback_handler_install(P.label, line_done);
	/* the startup hook runs at install in some readline versions, at the
	 * first key in others; insert now if it has not run yet */
	if (P.initial)
		insert_initial();
}

static void finish(struct app *a, char *line)
{
	rl_callback_handler_remove();
	P.active = false;
	P.matches[0] = '\0';
	prompt_done_fn done = P.done;
	void *ctx = P.ctx;
	if (line && P.kind == PROMPT_COMMAND && *line) {
		HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
		if (!last || strcmp(last->line, line))
			add_history(line);
		if (P.history_path)
			write_history(P.history_path);
	}
	if (done)
		done(a, line, ctx);
	free(line);
}

void prompt_cancel(struct app *a)
{
	if (!P.active)
		return;
	rl_free_line_state();
	rl_callback_sigcleanup();
	finish(a, NULL);
}

void prompt_key(struct app *a, int ch)
{
	if (!P.active)
		return;
	switch (ch) {
	case 27: {
		/* a lone Esc cancels; Esc followed at once by a key is Alt-key */
		int next = term_peek_key();
		if (next == ERR || next >= 256) {
			/* Esc, then a curses key (Home, F1...): the key is the
			 * screen's once the prompt has closed */
			if (next != ERR)
				ungetch(next);
			prompt_cancel(a);
			return;
		}
		push("\033", 1);
		if (next < 256) {
			char c = (char)next;
			push(&c, 1);
		}
		break;
	}
	case KEY_LEFT: push("\002", 1); break;
	case KEY_RIGHT: push("\006", 1); break;
	case KEY_UP: push("\020", 1); break;
	case KEY_DOWN: push("\016", 1); break;
	case KEY_HOME: push("\001", 1); break;
	case KEY_END: push("\005", 1); break;
	case KEY_BACKSPACE: push("\177", 1); break;
	case KEY_DC: push("\033[3~", 4); break;
	case KEY_ENTER: push("\r", 1); break;
	default:
		if (ch >= 0 && ch < 256) {
			char c = (char)ch;
			push(&c, 1);
		}
		break;
	}
	P.matches[0] = '\0';
	while (P.qlen && P.active && !P.finished)
		rl_callback_read_char();
	P.qlen = 0;
	if (P.active && P.finished)
		finish(a, P.line);
}

void prompt_paste(struct app *a, const char *text, bool cut)
{
	(void)a;
	if (!P.active || !text || !*text)
		return;
	char *clean = xstrdup(text);
	for (unsigned char *p = (unsigned char *)clean; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
	rl_insert_text(clean);
	free(clean);
	if (cut)
		rl_insert_text(term_utf8() ? "\xe2\x80\xa6" : "~");
	P.matches[0] = '\0';
}

const char *prompt_matches(void)
{
	return P.active ? P.matches : "";
}

void prompt_draw(WINDOW *w, int y)
{
	if (!P.active)
		return;
	int width = getmaxx(w);
	const char *buf = rl_line_buffer ? rl_line_buffer : "";
	int lw = view_text_width(P.label);
	int avail = width - lw - 1;
	if (avail < 1)
		avail = 1;
	/* columns before the cursor decide how far the line scrolls */
	char *before = xstrndup(buf, (size_t)(rl_point < 0 ? 0 : rl_point));
	int cur = view_text_width(before);
	free(before);
	const char *shown = buf;
	int skip = cur >= avail ? cur - avail + 1 : 0;
	int skipped = 0;
	while (*shown && skipped < skip) {
		int cw;
		size_t n = view_text_fit(shown, 1, &cw);
		if (n == 0) {   /* a double-width character */
			int l = mblen(shown, MB_CUR_MAX);
			n = l > 0 ? (size_t)l : 1;
			cw = 2;
		}
		shown += n;
		skipped += cw ? cw : 1;
	}
	term_put(w, y, 0, lw, P.label, term_attr(ROLE_KEY), false);
	term_put(w, y, lw, width - lw, shown, A_NORMAL, false);
	wmove(w, y, lw + cur - skipped);
}
