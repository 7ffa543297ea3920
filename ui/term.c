/* term: the one place that starts and stops curses.
 *
 * Invariant: once term_init succeeds, every way out of the process (normal
 * return, fatal signal, out of memory) passes through term_end, which is
 * idempotent. Only LC_CTYPE is taken from the environment: the engine
 * formats numbers in the C locale and must keep doing so. */
#include "config.h"
#include "term.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "util.h"
#include "view.h"

/* By its directory (this module's own header is term.h too), and last:
 * it defines capability names such as `columns` as macros. */
#include <ncursesw/term.h>

static bool active, color, utf8;
static attr_t attrs[ROLE_COUNT];
static volatile sig_atomic_t in_fatal, interrupted;
static WINDOW *input;

#define POLL_MS 80
static int poll_ms = POLL_MS;

static const int fatal_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGHUP, SIGQUIT
};

void term_end(void)
{
	if (!active)
		return;
	active = false;
	endwin();
}

static void fatal_signal(int sig)
{
	if (!in_fatal) {
		in_fatal = 1;
		term_end();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void interrupt_signal(int sig)
{
	if (interrupted)
		fatal_signal(sig);
	interrupted = 1;
}

bool term_take_interrupt(void)
{
	if (!interrupted)
		return false;
	interrupted = 0;
	return true;
}

void term_set_input(WINDOW *w)
{
	input = w;
	keypad(w, TRUE);
	wtimeout(w, poll_ms);
}

void term_set_poll(int ms)
{
	int want = ms > 0 ? ms : POLL_MS;
	if (want == poll_ms)
		return;
	poll_ms = want;
	wtimeout(input ? input : stdscr, poll_ms);
}

/* ESC was read: a lone Esc, Esc then a key (Alt plus a key is the same
 * bytes: the key is left for the next read, so the prompt can take it as
 * Alt), or an escape sequence curses does not know (ESC [ ... final, ESC O
 * x), which is swallowed whole so its bytes never act as keys. The rest of
 * a sequence arrives with its start; a short wait covers a slow link. */
static int after_escape(WINDOW *w)
{
	wtimeout(w, 10);
	int next = wgetch(w);
	int ch = 27;
	if (next == ERR) {
		ch = 27;
	} else if (next == '[') {
		int c;
		/* parameters and intermediates, then one final byte */
		while ((c = wgetch(w)) != ERR && !(c >= 0x40 && c <= 0x7e))
			;
		ch = ERR;
	} else if (next == 'O') {
		wgetch(w);
		ch = ERR;
	} else {
		ungetch(next);
	}
	wtimeout(w, poll_ms);
	return ch;
}

int term_key(void)
{
	WINDOW *w = input ? input : stdscr;
	int ch = wgetch(w);
	if (ch == 27)
		return after_escape(w);
	if (ch == 26 || ch == 28)
		return ERR;   /* Ctrl-Z, Ctrl-\: raw mode reads them; they mean nothing here */
	return ch;
}

int term_peek_key(void)
{
	WINDOW *w = input ? input : stdscr;
	nodelay(w, TRUE);
	int ch = wgetch(w);
	nodelay(w, FALSE);
	wtimeout(w, poll_ms);
	return ch;
}

/* The allocator prints the message and aborts after this returns; the
 * terminal must be back to normal first or the message is lost. */
static void out_of_memory(void)
{
	if (!in_fatal) {
		in_fatal = 1;
		term_end();
	}
}

static void setup_colors(void)
{
	static const struct {
		enum term_role role;
		short fg, bg;
		attr_t extra;
		attr_t mono;
	} map[] = {
		{ ROLE_NORMAL, -1, -1, 0, A_NORMAL },
		{ ROLE_TAB, COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE },
		{ ROLE_TAB_ACTIVE, COLOR_BLACK, COLOR_CYAN, A_BOLD, A_BOLD | A_UNDERLINE },
		{ ROLE_STATUS, COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
		{ ROLE_HEADER, COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE },
		{ ROLE_SELECTED, COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
		{ ROLE_MISSING, COLOR_BLUE, -1, A_BOLD, A_DIM },
		{ ROLE_GOOD, COLOR_GREEN, -1, A_BOLD, A_BOLD },
		{ ROLE_BAD, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
		{ ROLE_WARN, COLOR_YELLOW, -1, 0, A_BOLD },
		{ ROLE_BAR, COLOR_CYAN, -1, 0, A_NORMAL },
		{ ROLE_BAR_POSITIVE, COLOR_RED, -1, 0, A_BOLD },
		{ ROLE_DIM, -1, -1, A_DIM, A_DIM },
		{ ROLE_KEY, COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	};
	const char *no_color = getenv("NO_COLOR");
	color = has_colors() && !(no_color && *no_color);
	if (color) {
		start_color();
		if (use_default_colors() == ERR) {
			/* no default colours: fall back to white on black */
			for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
				init_pair((short)(i + 1), map[i].fg < 0 ? COLOR_WHITE : map[i].fg,
					  map[i].bg < 0 ? COLOR_BLACK : map[i].bg);
		} else {
			for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
				init_pair((short)(i + 1), map[i].fg, map[i].bg);
		}
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		attrs[map[i].role] = color
			? (attr_t)COLOR_PAIR((int)i + 1) | map[i].extra
			: map[i].mono;
	attrs[ROLE_NORMAL] = A_NORMAL;
}

bool term_init(void)
{
	setlocale(LC_CTYPE, "");
	const char *cs = nl_langinfo(CODESET);
	utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	/* Probe the terminal description first: initscr would print its own
	 * message and exit 1 on an unknown TERM, and a terminal that cannot
	 * move the cursor (TERM=dumb) would only show garbage. */
	int status;
	if (setupterm(NULL, STDOUT_FILENO, &status) != OK)
		return false;
	const char *cup = tigetstr("cup");
	bool addressable = cup && cup != (const char *)-1;
	del_curterm(cur_term);
	if (!addressable || !newterm(NULL, stdout, stdin))
		return false;
	active = true;
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		signal(fatal_signals[i], fatal_signal);
	signal(SIGINT, interrupt_signal);
	ft_set_oom_hook(out_of_memory);
	/* Raw, as htop and vim: Ctrl-S/Ctrl-Q do not stop output (no ixon),
	 * Ctrl-C is a key (the main loop asks, as q does) and no signal
	 * reaches the process group we were started from. */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	curs_set(0);
	timeout(POLL_MS);
	setup_colors();
	return true;
}

bool term_color(void)
{
	return color;
}

bool term_utf8(void)
{
	return utf8;
}

attr_t term_attr(enum term_role role)
{
	return role < ROLE_COUNT ? attrs[role] : A_NORMAL;
}

/* Copy s as the engine escapes text for terminals (ft_escape_controls:
 * control characters and invisible marks as \n, \e, \u{200E}...), then
 * with what the locale cannot show replaced by '?'. */
static char *sanitize(const char *raw, char *buf, size_t size)
{
	char *escaped = ft_escape_controls(raw);
	const char *s = escaped;
	size_t len = strlen(s), o = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	for (size_t i = 0; i < len && o + 5 < size;) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x80) {
			buf[o++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
			i++;
			continue;
		}
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || wcwidth(wc) < 0) {
			memset(&st, 0, sizeof st);
			buf[o++] = '?';
			i++;
			continue;
		}
		memcpy(buf + o, s + i, n);
		o += n;
		i += n;
	}
	buf[o] = '\0';
	free(escaped);
	return buf;
}

/* Characters that a number's text is made of (ASCII: one column each). */
static bool number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == ',';
}

/* The bytes of clean that fit in width columns; when not all of it does,
 * the last column is left for the mark (*cut set), so a cut text (a
 * number above all) never passes for a whole one. */
static size_t fit_marked(const char *clean, int width, int *cols, bool *cut)
{
	size_t bytes = view_text_fit(clean, width, cols);
	*cut = clean[bytes] != '\0';
	/* trailing blanks that do not fit are not text */
	if (*cut && !clean[bytes + strspn(clean + bytes, " ")])
		*cut = false;
	if (*cut) {
		bytes = view_text_fit(clean, width - 1, cols);
		/* never a number's first digits: when the cut falls inside one
		 * ("0.9795" as "0.9…"), the whole number goes behind the mark */
		if (bytes > 0 && number_char(clean[bytes]) && number_char(clean[bytes - 1]))
			while (bytes > 0 && number_char(clean[bytes - 1])) {
				bytes--;
				(*cols)--;
			}
	}
	return bytes;
}

static void put_mark(WINDOW *w, int *cols)
{
	waddstr(w, utf8 ? "\xe2\x80\xa6" : "~");
	(*cols)++;
}

void term_put(WINDOW *w, int y, int x, int width, const char *s, attr_t attr, bool right)
{
	if (width <= 0)
		return;
	char clean[1024];
	sanitize(s ? s : "", clean, sizeof clean);
	int cols;
	bool cut;
	size_t bytes = fit_marked(clean, width, &cols, &cut);
	wattrset(w, attr);
	wmove(w, y, x);
	if (right)
		for (int i = cols + (cut ? 1 : 0); i < width; i++)
			waddch(w, ' ');
	waddnstr(w, clean, (int)bytes);
	if (cut)
		put_mark(w, &cols);
	if (!right)
		for (int i = cols; i < width; i++)
			waddch(w, ' ');
	wattrset(w, A_NORMAL);
}

int term_printf(WINDOW *w, int y, int x, int width, attr_t attr, const char *fmt, ...)
{
	char buf[1024], clean[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (width <= 0)
		return 0;
	sanitize(buf, clean, sizeof clean);
	int cols;
	bool cut;
	size_t bytes = fit_marked(clean, width, &cols, &cut);
	wattrset(w, attr);
	mvwaddnstr(w, y, x, clean, (int)bytes);
	if (cut)
		put_mark(w, &cols);
	wattrset(w, A_NORMAL);
	return cols;
}

void term_bar(WINDOW *w, int y, int x, int width, double value, double max, attr_t attr)
{
	if (width <= 0)
		return;
	char *buf = xmalloc(3 * (size_t)width + 1);
	view_bar(buf, value, max, width, utf8);
	wattrset(w, attr);
	mvwaddstr(w, y, x, buf);
	wattrset(w, A_NORMAL);
	free(buf);
}

void term_fill(WINDOW *w, int y, int x, attr_t attr)
{
	int maxx = getmaxx(w);
	wattrset(w, attr);
	wmove(w, y, x);
	for (int i = x; i < maxx; i++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
}
