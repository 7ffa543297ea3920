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
static volatile sig_atomic_t in_fatal, interrupted, paste_mode;
static WINDOW *input;
static struct strbuf paste;   /* the last bracketed paste's text */
static bool paste_cut;
static double paste_end;       /* when it ended (ft_now) */
/* Keys that come this soon after a paste's end are its tail, not typed:
 * text holding the end mark itself (x ESC [201~ y) must not leave a y. */
#define PASTE_TAIL 0.03
static struct sigaction curses_stop;   /* what curses does on SIGTSTP */

#define POLL_MS 80
static int poll_ms = POLL_MS;

static const int fatal_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGHUP, SIGQUIT
};

/* Bracketed paste on or off (DEC private mode 2004): the terminal then
 * wraps what is pasted in ESC [200~ ... ESC [201~. Terminals without it
 * ignore the request. write(2), as this runs in signal handlers too. */
static void bracketed_paste(bool on)
{
	static const char enable[] = "\033[?2004h", disable[] = "\033[?2004l";
	if (on == (bool)paste_mode)
		return;
	paste_mode = on;
	const char *seq = on ? enable : disable;
	size_t len = on ? sizeof enable - 1 : sizeof disable - 1;
	while (len) {
		ssize_t n = write(STDOUT_FILENO, seq, len);
		if (n <= 0)
			break;
		seq += n;
		len -= (size_t)n;
	}
}

void term_end(void)
{
	if (!active)
		return;
	active = false;
	bracketed_paste(false);
	endwin();
}

/* SIGTSTP (kill -TSTP: in raw mode the keyboard's Ctrl-Z sends none): the
 * shell gets the terminal without bracketed paste while we are stopped;
 * curses' own handler (leave and restore the screen) runs in between. */
static void stop_signal(int sig)
{
	bool was = paste_mode;
	bracketed_paste(false);
	if (curses_stop.sa_handler != SIG_DFL && curses_stop.sa_handler != SIG_IGN &&
	    !(curses_stop.sa_flags & SA_SIGINFO)) {
		curses_stop.sa_handler(sig);
	} else {
		signal(sig, SIG_DFL);
		raise(sig);
		signal(sig, stop_signal);
	}
	if (was && active)
		bracketed_paste(true);
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

/* A paste's text, after its ESC [200~, up to ESC [201~: read as bytes
 * (keypad off, so nothing in it is taken for a key), NUL bytes dropped.
 * A paste whose end never comes is over when nothing more arrives for a
 * second (long enough for a slow link to stall mid-paste without the rest
 * turning into keys); past TERM_PASTE_MAX bytes the rest is read and
 * dropped, and so is a character the cut splits (the text kept stays
 * UTF-8). */
static void read_paste(WINDOW *w)
{
	static const char end[] = "\033[201~";
	size_t matched = 0;
	paste.len = 0;
	sb_append(&paste, "", 0);
	paste_cut = false;
	bool resized = false;
	keypad(w, FALSE);
	wtimeout(w, 1000);
	for (;;) {
		int c = wgetch(w);
		if (c == ERR)
			break;
		if (c == KEY_RESIZE) {
			resized = true;   /* handled once the paste is read */
			continue;
		}
		if (c == (unsigned char)end[matched]) {
			if (++matched == sizeof end - 1)
				break;
			continue;
		}
		/* not the end after all: what matched was text */
		for (size_t i = 0; i < matched; i++) {
			if (paste.len < TERM_PASTE_MAX)
				sb_append(&paste, &end[i], 1);
			else
				paste_cut = true;
		}
		matched = c == 27 ? 1 : 0;
		if (c == 27 || c == 0 || c > 0xff)
			continue;
		if (paste.len < TERM_PASTE_MAX) {
			char b = (char)c;
			sb_append(&paste, &b, 1);
		} else {
			paste_cut = true;
		}
	}
	keypad(w, TRUE);
	if (paste_cut) {
		/* back to the last lead byte; drop it with its tail when the
		 * sequence it starts is longer than what is left */
		size_t k = paste.len, back = 0;
		while (k > 0 && back < 3 && ((unsigned char)paste.data[k - 1] & 0xc0) == 0x80)
			k--, back++;
		if (k > 0 && ((unsigned char)paste.data[k - 1] & 0x80)) {
			unsigned char lead = (unsigned char)paste.data[k - 1];
			size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
			if (need > back + 1)
				paste.len = k - 1;
		}
		paste.data[paste.len] = '\0';
	}
	/* whatever came with the paste, after its end mark, goes with it */
	flushinp();
	if (resized)
		ungetch(KEY_RESIZE);
	paste_end = ft_now();
}

const char *term_paste(bool *cut)
{
	if (cut)
		*cut = paste_cut;
	return paste.data ? paste.data : "";
}

/* ESC was read: a lone Esc, Esc then a key (Alt plus a key is the same
 * bytes: the key is left for the next read, so the prompt can take it as
 * Alt), the start of a bracketed paste (ESC [200~), or an escape sequence
 * curses does not know (ESC [ ... final, ESC O x), which is swallowed
 * whole so its bytes never act as keys. The rest of a sequence arrives
 * with its start; a short wait covers a slow link. */
static int after_escape(WINDOW *w)
{
	wtimeout(w, 10);
	int next = wgetch(w);
	int ch = 27;
	if (next == ERR) {
		ch = 27;
	} else if (next == '[') {
		int c;
		char seq[8];
		size_t n = 0;
		/* parameters and intermediates, then one final byte */
		while ((c = wgetch(w)) != ERR && !(c >= 0x40 && c <= 0x7e))
			if (n < sizeof seq - 1)
				seq[n++] = (char)c;
		seq[n] = '\0';
		ch = ERR;
		if (c == '~' && !strcmp(seq, "200")) {
			read_paste(w);
			ch = TERM_KEY_PASTE;
		}
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
		ch = after_escape(w);
	if (ch == ERR || ch == TERM_KEY_PASTE || ch == KEY_RESIZE)
		return ch;
	if (paste_end > 0 && ft_now() - paste_end < PASTE_TAIL)
		return ERR;   /* the tail of a paste */
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
	/* after newterm, which installs curses' SIGTSTP handler */
	struct sigaction stop = { 0 };
	sigemptyset(&stop.sa_mask);
	stop.sa_handler = stop_signal;
	stop.sa_flags = SA_RESTART;
	if (!sigaction(SIGTSTP, NULL, &curses_stop) && curses_stop.sa_handler != SIG_IGN)
		sigaction(SIGTSTP, &stop, NULL);
	bracketed_paste(true);
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

int term_put_wrapped(WINDOW *w, int y, int x, int width, int max, const char *s, attr_t attr)
{
	int k = 0;
	while (*s && k < max && width > 0) {
		const char *next;
		size_t n = view_wrap(s, width, &next);
		if (k + 1 == max && *next) {
			term_put(w, y + k, x, width, s, attr, false);   /* the rest, cut */
		} else {
			char *line = xstrndup(s, n);
			term_put(w, y + k, x, width, line, attr, false);
			free(line);
		}
		s = next;
		k++;
	}
	return k;
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
