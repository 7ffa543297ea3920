/* view: the workbench's view models, the parts of the screens that need no
 * terminal (display widths of UTF-8 text, grid column widths, the sort
 * permutation, histograms, value search). Kept curses-free so unit tests
 * link them with the core library alone. */
#ifndef FT_VIEW_H
#define FT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "pipeline.h"

/* Terminal columns `s` occupies (wcwidth of each character; invalid bytes
 * and control characters count one column each, as they are shown as '?').
 * Needs LC_CTYPE set to a UTF-8 locale to see multibyte characters. */
int view_text_width(const char *s);

/* How many bytes of `s` fit in `width` columns without splitting a
 * character; *cols (may be NULL) receives the columns they take. */
size_t view_text_fit(const char *s, int width, int *cols);

/* The first line of `s` wrapped at `width` columns: its bytes, up to the
 * last blank that fits when not all of it does (at `width` when no blank
 * does); *next (may be NULL) receives the start of the rest, blanks
 * skipped. */
size_t view_wrap(const char *s, int width, const char **next);
/* The lines `s` takes wrapped at `width` columns, at most `max`. */
int view_wrap_lines(const char *s, int width, int max);

/* Width of each grid column: the widest of the header and the cells of a
 * sample of at most `sample` rows (spread over the whole frame so a 1M-row
 * file costs the same as a small one), clamped to [min, max]. */
void view_fit_widths(const struct frame *f, size_t sample, int min, int max, int *widths);

/* Fill perm[0..nrows) with the row order sorting column `col` ascending
 * (or descending), missing cells last either way, ties in file order.
 * Numbers and datetimes sort by value, categories by their text (bytewise). */
void view_sort_perm(const struct frame *f, size_t col, bool descending, size_t *perm);

/* Histogram of a numeric or datetime column over [stats.min, stats.max]
 * in `nbins` equal bins (the maximum falls in the last bin); missing cells
 * are skipped. Returns the largest bin count. */
size_t view_histogram(const struct frame *f, size_t col, size_t nbins, size_t *counts);
/* The same bins, and in fraud[b] the rows of bin b whose y is 1 (y per
 * frame row: 0, 1, 255 unknown; fraud may be NULL). */
size_t view_histogram_split(const struct frame *f, size_t col, size_t nbins, const uint8_t *y,
			    size_t *counts, size_t *fraud);

/* The next display position after `from` (wrapping; `forward` false
 * searches backwards) whose row holds `needle` in any column: categories by
 * case-insensitive substring, numbers by equal value when the needle is a
 * number. perm lists the n frame rows in display order (a filter's rows
 * only, say); NULL means every row in file order and n is ignored. Returns SIZE_MAX when no row
 * matches; *col receives the first matching column. */
size_t view_search(const struct frame *f, const size_t *perm, size_t n, size_t from,
		   const char *needle, bool forward, size_t *col);

/* A bar of `value / max` of `width` cells drawn with the eighth blocks
 * (UTF-8) or '#' (ascii). Writes a NUL-terminated string into buf, which
 * must hold 3 * width + 1 bytes. */
void view_bar(char *buf, double value, double max, int width, bool utf8);

/* The tuning grid folded onto max_depth (rows) x min_samples_split
 * (columns), each cell the best score over min_samples_leaf; labels
 * ascending, NAN where the grid has no point. Free with view_heat_free. */
struct view_heat {
	size_t nrows, ncols;
	int *depth;
	size_t *split;
	double *score;         /* nrows * ncols, row-major */
	double lo, hi;         /* range of the present scores */
	size_t best_row, best_col;
};
void view_heatmap(const struct tune_row *rows, size_t n, bool higher_is_better,
		  struct view_heat *out);
void view_heat_free(struct view_heat *h);

/* v as the shortest decimal that reads back as v (fmt_double), for
 * printf: view_num(x).s. */
struct view_num { char s[32]; };
struct view_num view_num(double v);

#endif
