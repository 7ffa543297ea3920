/* view: curses-free view models of the workbench screens.
 *
 * Everything here must stay fast on a 1M-row frame because the screens call
 * it while a key is being answered: widths read a fixed-size sample, the
 * sort is an LSD radix sort over 64-bit keys (linear, stable), the search
 * decides per category level once instead of per cell. */
#include "config.h"
#include "view.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "explore.h"
#include "util.h"

static size_t char_at(const char *s, size_t len, int *w)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*w = 1;
		return 1;
	}
	int cw = wcwidth(wc);
	*w = cw < 0 ? 1 : cw;
	return n;
}

int view_text_width(const char *s)
{
	int total = 0;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		int w;
		i += char_at(s + i, len - i, &w);
		total += w;
	}
	return total;
}

size_t view_text_fit(const char *s, int width, int *cols)
{
	size_t len = strlen(s), i = 0;
	int used = 0;
	while (i < len) {
		int w;
		size_t n = char_at(s + i, len - i, &w);
		if (used + w > width)
			break;
		used += w;
		i += n;
	}
	if (cols)
		*cols = used;
	return i;
}

size_t view_wrap(const char *s, int width, const char **next)
{
	size_t n = view_text_fit(s, width, NULL);
	if (s[n] && s[n] != ' ') {
		size_t cut = n;
		while (cut > 0 && s[cut] != ' ')
			cut--;
		if (cut > 0)
			n = cut;
	}
	if (next) {
		const char *p = s + n;
		while (*p == ' ')
			p++;
		*next = p;
	}
	return n;
}

int view_wrap_lines(const char *s, int width, int max)
{
	int lines = 0;
	while (*s && lines < max && width > 0) {
		view_wrap(s, width, &s);
		lines++;
	}
	return lines;
}

void view_fit_widths(const struct frame *f, size_t sample, int min, int max, int *widths)
{
	size_t n = f->nrows < sample ? f->nrows : sample;
	char buf[256];
	for (size_t c = 0; c < f->ncols; c++) {
		int w = view_text_width(f->cols[c].name);
		for (size_t k = 0; k < n; k++) {
			/* first half from the top (what is seen first), the rest spread */
			size_t r = k < n / 2 ? k : (size_t)((double)k / (double)n * (double)f->nrows);
			if (r >= f->nrows)
				r = f->nrows - 1;
			if (frame_is_missing(f, c, r))
				continue;
			int cw = view_text_width(frame_cell_text(f, c, r, buf, sizeof buf));
			if (cw > w)
				w = cw;
			if (w >= max)
				break;
		}
		widths[c] = w < min ? min : w > max ? max : w;
	}
}

/* Order-preserving map of a double onto unsigned 64-bit integers. */
static uint64_t double_key(double v)
{
	uint64_t u;
	if (v == 0)
		v = 0;   /* -0 and +0 compare equal */
	memcpy(&u, &v, sizeof u);
	return (u & UINT64_C(0x8000000000000000)) ? ~u : u | UINT64_C(0x8000000000000000);
}

static int cmp_level(const void *a, const void *b, void *levels)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	char **l = levels;
	int c = strcmp(l[x], l[y]);
	return c ? c : (x > y) - (x < y);
}

void view_sort_perm(const struct frame *f, size_t col, bool descending, size_t *perm)
{
	size_t n = f->nrows;
	const struct column *c = &f->cols[col];
	uint64_t *key = xmalloc((n ? n : 1) * sizeof *key);
	uint64_t *rank = NULL;
	if (c->type == COL_CATEGORICAL) {
		uint32_t *order = xmalloc((c->nlevels ? c->nlevels : 1) * sizeof *order);
		for (uint32_t i = 0; i < c->nlevels; i++)
			order[i] = i;
		qsort_r(order, c->nlevels, sizeof *order, cmp_level, c->levels);
		rank = xmalloc((c->nlevels ? c->nlevels : 1) * sizeof *rank);
		for (uint32_t i = 0; i < c->nlevels; i++)
			rank[order[i]] = i;
		free(order);
	}
	/* rows with a value first (to be sorted), missing ones after, in order */
	size_t m = 0, nmiss = 0;
	for (size_t r = 0; r < n; r++) {
		bool na = c->type == COL_CATEGORICAL ? c->codes[r] == FRAME_NA_CODE : isnan(c->num[r]);
		if (!na)
			m++;
	}
	for (size_t r = 0; r < n; r++) {
		uint64_t k;
		if (c->type == COL_CATEGORICAL) {
			if (c->codes[r] == FRAME_NA_CODE) {
				perm[m + nmiss++] = r;
				continue;
			}
			k = rank[c->codes[r]];
		} else {
			if (isnan(c->num[r])) {
				perm[m + nmiss++] = r;
				continue;
			}
			k = double_key(c->num[r]);
		}
		size_t i = r - nmiss;
		key[i] = descending ? ~k : k;
		perm[i] = r;
	}
	free(rank);
	n = m;

	/* keys travel with the rows so every pass reads memory in order */
	size_t *tmp = xmalloc((n ? n : 1) * sizeof *tmp);
	uint64_t *tkey = xmalloc((n ? n : 1) * sizeof *tkey);
	size_t count[256];
	for (int shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			count[(key[i] >> shift) & 0xff]++;
		if (n && count[(key[0] >> shift) & 0xff] == n)
			continue;   /* every key shares this byte: the pass is a no-op */
		size_t sum = 0;
		for (int b = 0; b < 256; b++) {
			size_t t = count[b];
			count[b] = sum;
			sum += t;
		}
		for (size_t i = 0; i < n; i++) {
			size_t at = count[(key[i] >> shift) & 0xff]++;
			tmp[at] = perm[i];
			tkey[at] = key[i];
		}
		memcpy(perm, tmp, n * sizeof *perm);
		memcpy(key, tkey, n * sizeof *key);
	}
	free(tkey);
	free(tmp);
	free(key);
}

size_t view_histogram(const struct frame *f, size_t col, size_t nbins, size_t *counts)
{
	return view_histogram_split(f, col, nbins, NULL, counts, NULL);
}

size_t view_histogram_split(const struct frame *f, size_t col, size_t nbins, const uint8_t *y,
			    size_t *counts, size_t *fraud)
{
	const struct column *c = &f->cols[col];
	memset(counts, 0, nbins * sizeof *counts);
	if (fraud)
		memset(fraud, 0, nbins * sizeof *fraud);
	if (c->type == COL_CATEGORICAL || nbins == 0 || c->stats.count == 0)
		return 0;
	/* the bins of describe --by-target: over the finite range, an
	 * infinite value in the bin at its end */
	double lo = c->stats.min, hi = c->stats.max;
	if (isinf(lo) || isinf(hi)) {
		lo = INFINITY;
		hi = -INFINITY;
		for (size_t r = 0; r < f->nrows; r++) {
			double v = c->num[r];
			if (isfinite(v)) {
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
		}
	}
	for (size_t r = 0; r < f->nrows; r++) {
		double v = c->num[r];
		if (isnan(v))
			continue;
		size_t b = explore_bin(v, lo, hi, nbins);
		counts[b]++;
		if (fraud && y && y[r] == 1)
			fraud[b]++;
	}
	size_t top = 0;
	for (size_t b = 0; b < nbins; b++)
		if (counts[b] > top)
			top = counts[b];
	return top;
}

static bool contains_nocase(const char *hay, const char *needle, size_t nlen)
{
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, nlen))
			return true;
	return nlen == 0;
}

size_t view_search(const struct frame *f, const size_t *perm, size_t n, size_t from,
		   const char *needle, bool forward, size_t *col)
{
	size_t nlen = strlen(needle);
	if (!perm)
		n = f->nrows;
	if (n == 0 || nlen == 0)
		return SIZE_MAX;
	double num;
	bool is_num = parse_number(needle, nlen, &num);
	/* per level: 0 not decided yet, 1 matches, 2 does not; decided the
	 * first time a cell shows the level, so a search that stops early
	 * never reads a million-level dictionary */
	uint8_t **hit = xcalloc(f->ncols, sizeof *hit);
	for (size_t c = 0; c < f->ncols; c++)
		if (f->cols[c].type == COL_CATEGORICAL)
			hit[c] = xcalloc(f->cols[c].nlevels ? f->cols[c].nlevels : 1, 1);
	size_t found = SIZE_MAX;
	for (size_t k = 1; k <= n && found == SIZE_MAX; k++) {
		size_t pos = forward ? (from + k) % n : (from + n - (k % n)) % n;
		size_t r = perm ? perm[pos] : pos;
		for (size_t c = 0; c < f->ncols; c++) {
			const struct column *cc = &f->cols[c];
			bool m = false;
			if (cc->type == COL_CATEGORICAL) {
				uint32_t code = cc->codes[r];
				if (code != FRAME_NA_CODE) {
					if (!hit[c][code])
						hit[c][code] = contains_nocase(cc->levels[code], needle, nlen) ? 1 : 2;
					m = hit[c][code] == 1;
				}
			} else {
				m = is_num && cc->type == COL_NUMERIC && cc->num[r] == num;
			}
			if (m) {
				found = pos;
				if (col)
					*col = c;
				break;
			}
		}
	}
	for (size_t c = 0; c < f->ncols; c++)
		free(hit[c]);
	free(hit);
	return found;
}

void view_bar(char *buf, double value, double max, int width, bool utf8)
{
	static const char *const eighths[] = {
		"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589"
	};
	char *p = buf;
	if (width < 0)
		width = 0;
	double cells = max > 0 && value > 0 ? value / max * width : 0;
	if (cells > width)
		cells = width;
	int full = (int)cells;
	int part = utf8 ? (int)((cells - full) * 8) : 0;
	for (int i = 0; i < full; i++) {
		if (utf8) {
			memcpy(p, "\u2588", 3);
			p += 3;
		} else {
			*p++ = '#';
		}
	}
	if (part > 0 && full < width) {
		size_t l = strlen(eighths[part]);
		memcpy(p, eighths[part], l);
		p += l;
	}
	/* a nonzero value always shows something */
	if (p == buf && value > 0 && width > 0) {
		if (utf8) {
			memcpy(p, eighths[1], 3);
			p += 3;
		} else {
			*p++ = '#';
		}
	}
	*p = '\0';
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

void view_heatmap(const struct tune_row *rows, size_t n, bool higher_is_better,
		  struct view_heat *h)
{
	memset(h, 0, sizeof *h);
	h->depth = xmalloc((n ? n : 1) * sizeof *h->depth);
	h->split = xmalloc((n ? n : 1) * sizeof *h->split);
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t k = 0; k < h->nrows; k++)
			seen |= h->depth[k] == rows[i].max_depth;
		if (!seen)
			h->depth[h->nrows++] = rows[i].max_depth;
		seen = false;
		for (size_t k = 0; k < h->ncols; k++)
			seen |= h->split[k] == rows[i].min_samples_split;
		if (!seen)
			h->split[h->ncols++] = rows[i].min_samples_split;
	}
	qsort(h->depth, h->nrows, sizeof *h->depth, cmp_int);
	qsort(h->split, h->ncols, sizeof *h->split, cmp_size);
	size_t cells = h->nrows * h->ncols;
	h->score = xmalloc((cells ? cells : 1) * sizeof *h->score);
	for (size_t i = 0; i < cells; i++)
		h->score[i] = NAN;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		size_t r = 0, c = 0;
		while (h->depth[r] != rows[i].max_depth)
			r++;
		while (h->split[c] != rows[i].min_samples_split)
			c++;
		double *cell = &h->score[r * h->ncols + c], v = rows[i].score;
		if (isnan(v))
			continue;
		if (isnan(*cell) || (higher_is_better ? v > *cell : v < *cell))
			*cell = v;
	}
	for (size_t r = 0; r < h->nrows; r++)
		for (size_t c = 0; c < h->ncols; c++) {
			double v = h->score[r * h->ncols + c];
			if (isnan(v))
				continue;
			if (!any || v < h->lo)
				h->lo = v;
			if (!any || v > h->hi)
				h->hi = v;
			double best = h->score[h->best_row * h->ncols + h->best_col];
			if (!any || isnan(best) || (higher_is_better ? v > best : v < best)) {
				h->best_row = r;
				h->best_col = c;
			}
			any = true;
		}
}

void view_heat_free(struct view_heat *h)
{
	free(h->depth);
	free(h->split);
	free(h->score);
	memset(h, 0, sizeof *h);
}

struct view_num view_num(double v)
{
	struct view_num n;
	fmt_double(n.s, v);
	return n;
}
