/* screen: the table of operations every screen implements (tig's view_ops,
 * ncdu's draw/key pairs), the command rows and key tables each screen keeps
 * next to its handlers, and the list navigation every list screen shares.
 *
 * Key handlers return flags instead of touching globals; a screen that wants
 * another screen shown asks for it (app_request_screen) and the main loop
 * carries the switch out. Screens never call the command table: a key runs
 * the screen's own handler, which changes the session through app.h. */
#ifndef FT_SCREEN_H
#define FT_SCREEN_H

#include <curses.h>
#include <stddef.h>

#include "app.h"

enum {
	KEY_UNHANDLED = 0,
	KEY_HANDLED = 1,
	KEY_REDRAW = 2,
	KEY_QUIT = 4
};

/* What an argument position completes to. */
enum cmd_arg {
	ARG_NONE,
	ARG_FILE,
	ARG_COLUMN,
	ARG_IMPUTE,
	ARG_ENCODE,
	ARG_RESAMPLE,
	ARG_KEY,          /* a setting key */
	ARG_VALUE,        /* a value of the key before it */
	ARG_COMMAND,
	ARG_EXPORT,       /* "rules" | "text" */
	ARG_VERSION,
	ARG_TEXT
};

/* One `:` command (tmux's cmd_entry). The table rows feed the command line,
 * its completion, the help screen and the man-page test. */
struct command {
	const char *name;
	const char *args;     /* "COL STRATEGY", for usage lines */
	const char *help;     /* one line */
	enum cmd_arg complete[3];   /* per argument; the last one repeats */
	/* argv[0] is the command name. Checks every argument before it changes
	 * anything; returns 0, or -1 with an error message set and nothing
	 * changed. */
	int (*run)(struct app *a, int argc, char **argv);
};

/* What a key does to the session, so that the rule "a key means one thing"
 * can be checked over every table: a key that replaces the model or writes
 * the registry (KB_MODEL, KB_REGISTRY) is bound to the same command on
 * every screen that binds it. KB_SETTING keys change a->settings through
 * app_set (so `u` undoes them and the message says what changed); KB_ASK
 * keys ask before they change anything. */
enum key_kind { KB_VIEW, KB_SETTING, KB_ASK, KB_MODEL, KB_REGISTRY };

struct key_binding {
	int keys[4];          /* key codes, 0 ends the list early */
	const char *label;    /* "t", "Up/Down j/k", for help */
	const char *what;     /* one line of help */
	enum key_kind kind;
	const char *command;  /* the `:` command it amounts to, or NULL */
	/* NULL: the row only documents keys the screen's key op handles
	 * itself (navigation, cursor-dependent ones). */
	int (*run)(struct app *a, int ch);
};

/* Look ch up in a table ending with label == NULL; KEY_UNHANDLED when no
 * row with a handler binds it. */
int screen_dispatch(const struct key_binding *table, struct app *a, int ch);

struct screen_ops {
	const char *name;                          /* "Data", "Prepare", ... */
	/* Draw into win (the area between the tab bar and the status bar). */
	void (*draw)(struct app *a, WINDOW *win);
	/* A key the main loop did not take; returns KEY_* flags. */
	int (*key)(struct app *a, int ch);
	void (*enter)(struct app *a);              /* may be NULL */
	void (*leave)(struct app *a);              /* may be NULL */
	void (*free_state)(struct app *a);         /* may be NULL */
	/* True while the screen shows an overlay (a menu, a row list) that
	 * takes every key, the main loop's included; may be NULL. */
	bool (*modal)(struct app *a);
	const struct key_binding *keys;            /* label == NULL ends it */
	const struct command *commands;            /* this screen's command rows */
	size_t ncommands;
};

extern const struct screen_ops scr_data_ops, scr_prepare_ops, scr_train_ops,
	scr_evaluate_ops, scr_tree_ops, scr_registry_ops;

/* The main loop's own keys (screen switching, help, undo, quit); the
 * one-meaning test reads them with the screens' tables. */
const struct key_binding *screen_global_keys(void);

/* The screen table in tab order. */
const struct screen_ops *screen_get(enum screen_id id);
/* The screen whose name (case-insensitive) or number ("1".."6") is s, or
 * SCR_COUNT. */
enum screen_id screen_find(const char *s);

/* The cursor of a list: Up/Down j/k, PgUp/PgDn (and Space), Home/End g/G
 * move *cur within 0..n-1 by `page` rows; returns true when ch was one of
 * them. Every list screen uses it, so every list takes the same keys. */
bool screen_list_key(int ch, size_t *cur, size_t n, size_t page);

/* A list's / and n/N search: the first row after cur (before it, when not
 * forward), going round the list's ends, for which match(row, ctx) holds;
 * n when none does. *wrapped says whether the search went past an end to
 * find it. */
size_t screen_find_row(size_t n, size_t cur, bool forward,
		       bool (*match)(size_t row, void *ctx), void *ctx, bool *wrapped);

/* The help rows of the shared list keys (for key tables). */
#define SCREEN_LIST_KEYS \
	{ { 0 }, "Up/Down j/k", "move (PgUp/PgDn, Home/End, g/G)", KB_VIEW, NULL, NULL }

#endif
