/* screen: the table of operations every screen implements (tig's view_ops,
 * ncdu's draw/key pairs). Key handlers return flags instead of touching
 * globals; the main loop acts on them. */
#ifndef FT_SCREEN_H
#define FT_SCREEN_H

#include <curses.h>

#include "app.h"

enum {
	KEY_UNHANDLED = 0,
	KEY_HANDLED = 1,
	KEY_REDRAW = 2,
	KEY_QUIT = 4
};

struct key_help {
	const char *keys;   /* "Up/Down", "+/-", "Enter" */
	const char *what;
};

struct screen_ops {
	const char *name;                          /* "Data", "Prepare", ... */
	/* Draw into win (the area between the tab bar and the status bar). */
	void (*draw)(struct app *a, WINDOW *win);
	/* A key the main loop did not take; returns KEY_* flags. */
	int (*key)(struct app *a, int ch);
	void (*enter)(struct app *a);              /* may be NULL */
	void (*leave)(struct app *a);              /* may be NULL */
	void (*free_state)(struct app *a);         /* may be NULL */
	const struct key_help *help;               /* NULL-terminated by keys == NULL */
};

extern const struct screen_ops scr_data_ops, scr_prepare_ops, scr_train_ops,
	scr_evaluate_ops, scr_tree_ops, scr_registry_ops;

/* Added: the screen table in tab order, and what the main loop offers
 * screens. */
const struct screen_ops *screen_get(enum screen_id id);
/* Switch screens (leave/enter called); used by commands and keys. */
void screen_switch(struct app *a, enum screen_id id);

/* Data screen actions behind its keys (commands call them too). */
int scr_data_sort(struct app *a, int col, bool descending);
int scr_data_search(struct app *a, const char *text, bool forward);
int scr_data_select_column(struct app *a, int col);
/* Train screen: adopt the settings of tune row i (0-based). */
int scr_train_adopt(struct app *a, size_t i);

#endif
