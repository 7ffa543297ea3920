/* scr_data: what other screens may ask of the Data screen. */
#ifndef FT_SCR_DATA_H
#define FT_SCR_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"

/* Show only the given frame rows (any order, repeats and rows beyond the
 * frame ignored) in the Data grid, with every column, under `label` in the
 * filter line, and switch to the Data screen. Like any filter it only
 * chooses what is shown; Esc clears it. */
int scr_data_show_rows(struct app *a, const size_t *rows, size_t n, const char *label);

/* The leakage hint of column col for the current target, or NULL (none,
 * or not found yet: the first call starts the search in the background and
 * the screen is redrawn when it is done). */
const char *scr_data_hint(struct app *a, size_t col);

/* True when the Data grid shows a filter's rows; *shown is their count. */
bool scr_data_filtered(const struct app *a, size_t *shown);

#endif
