/* term: owns the terminal (htop's CRT.c): initscr/endwin, colours with a
 * monochrome fallback, the signal and out-of-memory paths that must leave
 * the terminal usable, and width-aware text output for every screen. */
#ifndef FT_TERM_H
#define FT_TERM_H

#include <curses.h>
#include <stdbool.h>

/* What a piece of text is; each role maps to a colour pair, or to plain
 * attributes (reverse, bold, dim) when colour is off. */
enum term_role {
	ROLE_NORMAL,
	ROLE_TAB,          /* tab bar background */
	ROLE_TAB_ACTIVE,   /* the current screen's tab */
	ROLE_STATUS,       /* status bar */
	ROLE_HEADER,       /* table headers, section titles */
	ROLE_SELECTED,     /* cursor row / cell */
	ROLE_MISSING,      /* NA cells: dim */
	ROLE_GOOD,         /* gate pass, fraud caught */
	ROLE_BAD,          /* gate fail, errors */
	ROLE_WARN,         /* warnings, suggestions */
	ROLE_BAR,          /* chart bars */
	ROLE_BAR_POSITIVE, /* the fraud class in charts */
	ROLE_DIM,          /* secondary text */
	ROLE_KEY,          /* key names in help and hints */
	ROLE_COUNT
};

/* Take the terminal: locale (LC_CTYPE only), curses, colours (off when
 * NO_COLOR is set and non-empty, or the terminal has none), crash-signal
 * handlers. Returns false (terminal untouched) when curses cannot start:
 * an unknown TERM, or a terminal that cannot address the cursor. */
bool term_init(void);
/* Give the terminal back; safe to call more than once and from the exit
 * paths installed by term_init. */
void term_end(void);
bool term_color(void);
bool term_utf8(void);
attr_t term_attr(enum term_role role);

/* Keys are read from one window (wgetch refreshes the window it reads
 * from, so it must be one the caller draws last). term_key waits at most
 * the poll interval and returns ERR when nothing came; term_peek_key
 * returns a key only if one is already waiting. */
void term_set_input(WINDOW *w);
/* Escape sequences curses does not know are swallowed whole (term_key
 * returns ERR for them). A paste is never keys: term_init turns on the
 * terminal's bracketed paste (ESC [?2004h; term_end and a stop turn it
 * off), and what arrives between ESC [200~ and ESC [201~ is read whole,
 * as text, with term_key returning TERM_KEY_PASTE once for it. */
int term_key(void);
#define TERM_KEY_PASTE (KEY_MAX + 1)
/* The text of the paste term_key last returned TERM_KEY_PASTE for (NUL
 * bytes left out, at most TERM_PASTE_MAX bytes of it; *cut set when there
 * was more), valid until the next term_key. */
#define TERM_PASTE_MAX 65536
const char *term_paste(bool *cut);
int term_peek_key(void);
/* The poll interval term_key waits: ms > 0 sets it (shorter while a
 * cancelled job is stopping, so it is adopted at once), 0 restores the
 * default. */
void term_set_poll(int ms);

/* SIGINT from outside (kill -INT; the keyboard's Ctrl-C is a key in raw
 * mode): the first is delivered to the main loop (true once); a second one
 * before the loop saw the first restores the terminal and ends the process. */
bool term_take_interrupt(void);

/* Text clipped and padded to exactly `width` columns at (y, x), by display
 * width (UTF-8 aware); `right` aligns right. Control characters show
 * escaped (\n, \e, \u{202E}: ft_escape_controls), what the locale cannot
 * show as '?'.
 * Text that does not fit ends in a mark (an ellipsis, '~' without UTF-8):
 * nothing, a number least of all, is ever cut silently. */
void term_put(WINDOW *w, int y, int x, int width, const char *s, attr_t attr, bool right);
/* `s` wrapped at blanks over at most `max` lines from (y, x), each as
 * term_put draws it; the last one ends in the mark when text is left.
 * Returns the lines drawn. */
int term_put_wrapped(WINDOW *w, int y, int x, int width, int max, const char *s, attr_t attr);
/* Like term_put (cut with the mark), printf-style, not padded: returns the
 * columns written. */
int term_printf(WINDOW *w, int y, int x, int width, attr_t attr, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* A horizontal bar of `value / max` of `width` cells (eighth blocks in UTF-8
 * terminals, '#' otherwise). */
void term_bar(WINDOW *w, int y, int x, int width, double value, double max, attr_t attr);
/* Fill a row from x to the right edge with spaces in attr. */
void term_fill(WINDOW *w, int y, int x, attr_t attr);

#endif
