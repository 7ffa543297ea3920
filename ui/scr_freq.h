/* scr_freq: the frequency sheet of one column (VisiData's Shift-F), over
 * the Data screen: every level, value or bin with its rows, frauds, fraud
 * rate and a bar, the overall rate as a reference, sortable and
 * searchable; Enter hands back a filter for the chosen group. The figures
 * are the explore module's (the same as `describe --by-target`). */
#ifndef FT_SCR_FREQ_H
#define FT_SCR_FREQ_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "frame.h"

struct freq_sheet;

/* The sheet of column col; y is the target per frame row (0, 1, 255) or
 * NULL when there is no usable target (counts only). Caller frees with
 * freq_free (NULL is a no-op). NULL with a message set on failure. */
struct freq_sheet *freq_open(struct app *a, size_t col, const uint8_t *y);
void freq_free(struct freq_sheet *fs);
/* A line shown under the overall rate (a leakage hint), copied; NULL none. */
void freq_set_note(struct freq_sheet *fs, const char *note);

void freq_draw(struct freq_sheet *fs, const struct frame *f, WINDOW *w);

enum freq_action { FREQ_STAY, FREQ_CLOSE, FREQ_FILTER, FREQ_SEARCH };
/* A key on the open sheet. FREQ_FILTER: *filter is the filter text of the
 * chosen group (caller frees); FREQ_CLOSE: the sheet is done; FREQ_SEARCH:
 * the caller asks for a search text and hands it to freq_search. */
enum freq_action freq_key(struct freq_sheet *fs, struct app *a, int ch, char **filter);
/* Move to the first line from the cursor on whose label holds text
 * (ignoring case); says so when none does. */
void freq_search(struct freq_sheet *fs, struct app *a, const char *text);

/* The filter text that selects the rows of frame row `row`'s value in
 * column col ("`col` = \"text\"", "amt = 12.5", "col is missing"); caller
 * frees. */
char *freq_equals_filter(const struct frame *f, size_t col, size_t row);

#endif
