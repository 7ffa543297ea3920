/* explore: fraud figures by value and leakage hints (see explore.h).
 *
 * Invariants: a group's rows and fraud count only rows with a known target;
 * over a column, the groups and `missing` add up to `rows` and `fraud`.
 * Bins are defined by their edges (lo + (hi - lo) * i / n), and a value
 * belongs to the bin whose edges hold it, so a reader who is given the
 * edges puts every value where we did. */
#include "config.h"
#include "explore.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe.h"

static const char *const order_names[EXPLORE_ORDER_COUNT] = {
	[EXPLORE_BY_COUNT] = "count", [EXPLORE_BY_RATE] = "rate", [EXPLORE_BY_VALUE] = "value"
};
static const char *const part_names[EXPLORE_PART_COUNT] = {
	[EXPLORE_HOUR] = "hour", [EXPLORE_DAY_OF_WEEK] = "day_of_week", [EXPLORE_MONTH] = "month"
};
static const char *const hint_names[HINT_KIND_COUNT] = {
	[HINT_SEPARATES] = "separates", [HINT_ONE_CLASS] = "one_class",
	[HINT_ROW_ORDER] = "row_order"
};
static const char *const day_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};
static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December"
};
static const size_t part_size[EXPLORE_PART_COUNT] = { 24, 7, 12 };

const char *explore_order_name(enum explore_order o)
{
	return o < EXPLORE_ORDER_COUNT ? order_names[o] : "?";
}

bool explore_order_parse(const char *s, enum explore_order *out)
{
	for (int i = 0; i < EXPLORE_ORDER_COUNT; i++)
		if (strcmp(s, order_names[i]) == 0) {
			*out = (enum explore_order)i;
			return true;
		}
	return false;
}

const char *explore_part_name(enum explore_part p)
{
	return p < EXPLORE_PART_COUNT ? part_names[p] : "?";
}

const char *explore_hint_kind_name(enum explore_hint_kind k)
{
	return k < HINT_KIND_COUNT ? hint_names[k] : "?";
}

double explore_rate(const struct explore_group *g)
{
	return g->rows ? (double)g->fraud / (double)g->rows : NAN;
}

void explore_column_free(struct explore_column *e)
{
	if (!e)
		return;
	free(e->groups);
	for (int p = 0; p < EXPLORE_PART_COUNT; p++)
		free(e->part[p]);
	memset(e, 0, sizeof *e);
}

static void count_row(struct explore_group *g, uint8_t y)
{
	g->rows++;
	g->fraud += y == 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Index of v among the n ascending distinct values (v is one of them). */
static size_t value_index(const double *vals, size_t n, double v)
{
	size_t lo = 0, hi = n;
	while (lo + 1 < hi) {
		size_t mid = (lo + hi) / 2;
		if (vals[mid] <= v)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Edge i of n equal-width bins over [lo, hi]. A range wider than the
 * largest double (-1e308 to 1e308) is measured in halves, which cannot
 * overflow; any other range as lo + width * i / n, numpy's linspace. */
static double bin_edge(double lo, double hi, size_t i, size_t n)
{
	if (i == n)
		return hi;
	if (isinf(hi - lo)) {
		double half = (hi / 2 - lo / 2) / (double)n * (double)i;   /* <= (hi - lo) / 2 */
		return lo + half + half;
	}
	return lo + (hi - lo) * (double)i / (double)n;
}

/* The bin of a finite v in [lo, hi] by the edges (see the invariant). */
static size_t bin_index(double v, double lo, double hi, size_t n)
{
	double pos = (v / 2 - lo / 2) / (hi / 2 - lo / 2) * (double)n;
	size_t b = !(pos > 0) ? 0 : pos >= (double)n ? n - 1 : (size_t)pos;
	while (b > 0 && v < bin_edge(lo, hi, b, n))
		b--;
	while (b + 1 < n && v >= bin_edge(lo, hi, b + 1, n))
		b++;
	return b;
}

size_t explore_bin(double v, double lo, double hi, size_t n)
{
	if (isinf(v) || !(hi > lo))
		return v > 0 && hi > lo ? n - 1 : 0;
	return bin_index(v, lo, hi, n);
}

static void explore_numeric(const struct frame *f, const struct column *c, const uint8_t *y,
			    size_t nbins, struct explore_column *e)
{
	size_t n = f->nrows;
	if (c->stats.distinct <= EXPLORE_VALUES_MAX) {
		/* few values: collect them (at most EXPLORE_VALUES_MAX) */
		double vals[EXPLORE_VALUES_MAX];
		size_t nv = 0;
		for (size_t r = 0; r < n && nv < EXPLORE_VALUES_MAX; r++) {
			double v = c->num[r];
			if (isnan(v))
				continue;
			bool seen = false;
			for (size_t k = 0; k < nv && !seen; k++)
				seen = vals[k] == v;
			if (!seen)
				vals[nv++] = v;
		}
		qsort(vals, nv, sizeof *vals, cmp_double);
		e->kind = EXPLORE_VALUES;
		e->ngroups = nv;
		e->groups = xcalloc(nv ? nv : 1, sizeof *e->groups);
		for (size_t k = 0; k < nv; k++)
			e->groups[k].lo = e->groups[k].hi = vals[k];
		for (size_t r = 0; r < n; r++) {
			if (y[r] > 1)
				continue;
			double v = c->num[r];
			if (isnan(v))
				count_row(&e->missing, y[r]);
			else
				count_row(&e->groups[value_index(vals, nv, v)], y[r]);
		}
		return;
	}
	/* many values: equal-width bins over the finite range */
	double lo = INFINITY, hi = -INFINITY;
	bool neg_inf = false, pos_inf = false;
	for (size_t r = 0; r < n; r++) {
		double v = c->num[r];
		if (isnan(v))
			continue;
		if (isinf(v)) {
			neg_inf |= v < 0;
			pos_inf |= v > 0;
			continue;
		}
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
	}
	e->kind = EXPLORE_BINS;
	e->ngroups = nbins;
	e->groups = xcalloc(nbins, sizeof *e->groups);
	for (size_t b = 0; b < nbins; b++) {
		e->groups[b].lo = bin_edge(lo, hi, b, nbins);
		e->groups[b].hi = bin_edge(lo, hi, b + 1, nbins);
	}
	if (neg_inf)
		e->groups[0].lo = -INFINITY;
	if (pos_inf)
		e->groups[nbins - 1].hi = INFINITY;
	for (size_t r = 0; r < n; r++) {
		if (y[r] > 1)
			continue;
		double v = c->num[r];
		if (isnan(v))
			count_row(&e->missing, y[r]);
		else if (isinf(v))
			count_row(&e->groups[v < 0 ? 0 : nbins - 1], y[r]);
		else
			count_row(&e->groups[bin_index(v, lo, hi, nbins)], y[r]);
	}
}

bool explore_has_time(const struct frame *f, size_t col, const size_t *rows, size_t n)
{
	return recipe_has_time_of_day(f, col, rows, n);
}

static void explore_datetime(const struct frame *f, const struct column *c, const uint8_t *y,
			     struct explore_column *e)
{
	static const enum feature_kind kinds[EXPLORE_PART_COUNT] = {
		FEAT_DT_HOUR, FEAT_DT_DAY_OF_WEEK, FEAT_DT_MONTH
	};
	e->kind = EXPLORE_DATETIME;
	for (int p = 0; p < EXPLORE_PART_COUNT; p++) {
		e->npart[p] = part_size[p];
		e->part[p] = xcalloc(part_size[p], sizeof *e->part[p]);
		for (size_t k = 0; k < part_size[p]; k++)
			e->part[p][k].lo = e->part[p][k].hi = (double)(k + (p == EXPLORE_MONTH));
	}
	for (size_t r = 0; r < f->nrows; r++) {
		if (y[r] > 1)
			continue;
		double t = c->num[r];
		if (isnan(t)) {
			count_row(&e->missing, y[r]);
			continue;
		}
		for (int p = 0; p < EXPLORE_PART_COUNT; p++) {
			int v = (int)recipe_datetime_part(kinds[p], t) - (p == EXPLORE_MONTH);
			if (v >= 0 && (size_t)v < part_size[p])
				count_row(&e->part[p][v], y[r]);
		}
	}
	e->has_time = recipe_has_time_of_day(f, e->col, NULL, 0);
}

int explore_column(const struct frame *f, size_t col, const uint8_t *y, size_t nbins,
		   struct explore_column *out, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	if (col >= f->ncols)
		return ft_fail(err, FT_EINTERNAL, "explore: no column %zu", col);
	if (nbins < 1 || nbins > EXPLORE_BINS_MAX)
		return ft_fail(err, FT_EINPUT, "bins: expected an integer from 1 to %d, not %zu",
			       EXPLORE_BINS_MAX, nbins);
	const struct column *c = &f->cols[col];
	out->col = col;
	if (c->type == COL_CATEGORICAL) {
		out->kind = EXPLORE_LEVELS;
		out->ngroups = c->nlevels;
		out->groups = xcalloc(c->nlevels ? c->nlevels : 1, sizeof *out->groups);
		for (uint32_t k = 0; k < c->nlevels; k++)
			out->groups[k].code = k;
		for (size_t r = 0; r < f->nrows; r++) {
			if (y[r] > 1)
				continue;
			uint32_t code = c->codes[r];
			if (code == FRAME_NA_CODE || code >= c->nlevels)
				count_row(&out->missing, y[r]);
			else
				count_row(&out->groups[code], y[r]);
		}
	} else if (c->type == COL_NUMERIC) {
		explore_numeric(f, c, y, nbins, out);
	} else {
		explore_datetime(f, c, y, out);
	}
	for (size_t r = 0; r < f->nrows; r++)
		if (y[r] <= 1) {
			out->rows++;
			out->fraud += y[r];
		}
	return 0;
}

/* qsort has no context argument: the order travels in the element. */
struct sort_item {
	struct explore_group g;
	enum explore_order order;
	bool levels;
};

static int by_key(const struct explore_group *a, const struct explore_group *b, bool levels)
{
	if (levels)
		return (a->code > b->code) - (a->code < b->code);
	return (a->lo > b->lo) - (a->lo < b->lo);
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	if (a->order == EXPLORE_BY_RATE) {
		double ra = explore_rate(&a->g), rb = explore_rate(&b->g);
		bool na = isnan(ra), nb = isnan(rb);
		if (na != nb)
			return na ? 1 : -1;
		if (!na && ra != rb)
			return ra > rb ? -1 : 1;
	}
	if (a->order != EXPLORE_BY_VALUE && a->g.rows != b->g.rows)
		return a->g.rows > b->g.rows ? -1 : 1;
	return by_key(&a->g, &b->g, a->levels);
}

void explore_sort(struct explore_column *e, enum explore_order order)
{
	if (e->ngroups < 2 || order >= EXPLORE_ORDER_COUNT)
		return;
	struct sort_item *it = xcalloc(e->ngroups, sizeof *it);
	for (size_t i = 0; i < e->ngroups; i++)
		it[i] = (struct sort_item){ e->groups[i], order, e->kind == EXPLORE_LEVELS };
	qsort(it, e->ngroups, sizeof *it, cmp_group);
	for (size_t i = 0; i < e->ngroups; i++)
		e->groups[i] = it[i].g;
	free(it);
}

static const char *number_label(double v, char *buf, size_t size)
{
	if (isinf(v)) {
		snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
	} else {
		char tmp[32];
		fmt_double(tmp, v);
		snprintf(buf, size, "%s", tmp);
	}
	return buf;
}

const char *explore_group_label(const struct frame *f, const struct explore_column *e,
				const struct explore_group *g, enum explore_part part,
				char *buf, size_t size)
{
	char a[40], b[40];
	if (g == &e->missing) {
		snprintf(buf, size, "(missing)");
		return buf;
	}
	switch (e->kind) {
	case EXPLORE_LEVELS:
		snprintf(buf, size, "%s", f->cols[e->col].levels[g->code]);
		break;
	case EXPLORE_VALUES:
		number_label(g->lo, buf, size);
		break;
	case EXPLORE_BINS: {
		/* the last bin (largest hi) is closed */
		double top = -INFINITY;
		for (size_t i = 0; i < e->ngroups; i++)
			if (e->groups[i].hi > top)
				top = e->groups[i].hi;
		snprintf(buf, size, "[%s, %s%c", number_label(g->lo, a, sizeof a),
			 number_label(g->hi, b, sizeof b), g->hi == top ? ']' : ')');
		break;
	}
	case EXPLORE_DATETIME: {
		int k = (int)g->lo;
		if (part == EXPLORE_HOUR)
			snprintf(buf, size, "%02d:00", k);
		else if (part == EXPLORE_DAY_OF_WEEK && k >= 0 && k < 7)
			snprintf(buf, size, "%s", day_names[k]);
		else if (part == EXPLORE_MONTH && k >= 1 && k <= 12)
			snprintf(buf, size, "%s", month_names[k - 1]);
		else
			snprintf(buf, size, "%d", k);
		break;
	}
	}
	return buf;
}

/* ---- leakage hints ---- */

void explore_hints_free(struct explore_hints *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].reason);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

static void add_hint(struct explore_hints *h, size_t col, enum explore_hint_kind kind,
		     double score, char *reason)
{
	h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
	h->v[h->n++] = (struct explore_hint){ col, kind, score, reason };
}

/* A cell or name fit for a one-line reason: control bytes become '?',
 * long texts are cut with an ellipsis after 40 characters. */
static void put_text(struct strbuf *sb, const char *s)
{
	size_t shown = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) != 0x80 && shown++ == 40) {
			sb_puts(sb, "\xE2\x80\xA6");
			return;
		}
		if (*p < 0x20 || *p == 0x7f)
			sb_puts(sb, "?");
		else
			sb_append(sb, (const char *)p, 1);
	}
}

/* Balanced accuracy of "left predicts legitimate, right fraud", folded so
 * that the better of the two readings counts. */
static double split_ba(double fraud_right, double legit_left, double F, double L)
{
	double ba = 0.5 * (fraud_right / F + legit_left / L);
	return ba >= 0.5 ? ba : 1.0 - ba;
}

struct best_split {
	double ba;
	double threshold;      /* numeric: left is v <= threshold; NAN: missing alone */
	bool missing_left;
	uint32_t code;         /* categorical: the level alone on one side */
};

/* The one-split search's buffers, sized once for a frame's rows and
 * reused for every column: fresh buffers of 80 MB a column at 10M rows
 * cost more in the kernel's page zeroing than the search itself. */
enum { SORT_BITS = 16, SORT_RADIX = 1 << SORT_BITS };
struct split_scratch {
	double *fv, *lv;       /* a column's fraud and legitimate values */
	uint64_t *a, *b;       /* the radix sort's keys */
	size_t *count;         /* SORT_RADIX */
};

static void scratch_init(struct split_scratch *s, size_t nrows)
{
	size_t n = nrows + 1;
	s->fv = xmalloc(n * sizeof *s->fv);
	s->lv = xmalloc(n * sizeof *s->lv);
	s->a = xmalloc(n * sizeof *s->a);
	s->b = xmalloc(n * sizeof *s->b);
	s->count = xmalloc(SORT_RADIX * sizeof *s->count);
}

static void scratch_free(struct split_scratch *s)
{
	free(s->fv);
	free(s->lv);
	free(s->a);
	free(s->b);
	free(s->count);
	memset(s, 0, sizeof *s);
}

/* Sort n non-NAN doubles ascending: an LSD radix sort on their bits made
 * order-preserving (flip all bits of negatives, the sign bit of the rest);
 * qsort's comparator calls cost several times more on millions of rows.
 * The keys go through the scratch's a and b (room for n each). */
static void sort_doubles(double *v, size_t n, struct split_scratch *s)
{
	enum { BITS = SORT_BITS, RADIX = SORT_RADIX };
	if (n < 2)
		return;
	uint64_t *a = s->a, *b = s->b;
	size_t *count = s->count;
	for (size_t i = 0; i < n; i++) {
		uint64_t u;
		double d = v[i] == 0.0 ? 0.0 : v[i];   /* -0 sorts with +0 */
		memcpy(&u, &d, sizeof u);
		a[i] = u >> 63 ? ~u : u | (UINT64_C(1) << 63);
	}
	for (int shift = 0; shift < 64; shift += BITS) {
		memset(count, 0, RADIX * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[(a[i] >> shift) & (RADIX - 1)]++;
		if (count[(a[0] >> shift) & (RADIX - 1)] == n)
			continue;   /* every key has this digit: nothing moves */
		size_t sum = 0;
		for (size_t k = 0; k < RADIX; k++) {
			size_t c = count[k];
			count[k] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[(a[i] >> shift) & (RADIX - 1)]++] = a[i];
		uint64_t *t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t u = a[i] >> 63 ? a[i] & ~(UINT64_C(1) << 63) : ~a[i];
		memcpy(&v[i], &u, sizeof u);
	}
}

static void numeric_best_split(const struct column *c, size_t nrows, const uint8_t *y,
			       double F, double L, struct split_scratch *s, struct best_split *best)
{
	double *fv = s->fv, *lv = s->lv;
	size_t nf = 0, nl = 0;
	double mf = 0, ml = 0;
	for (size_t r = 0; r < nrows; r++) {
		if (y[r] > 1)
			continue;
		double v = c->num[r];
		if (isnan(v)) {
			if (y[r])
				mf++;
			else
				ml++;
		} else if (y[r]) {
			fv[nf++] = v;
		} else {
			lv[nl++] = v;
		}
	}
	sort_doubles(fv, nf, s);
	sort_doubles(lv, nl, s);
	/* missing alone against every value */
	if (mf + ml > 0) {
		double ba = split_ba(F - mf, ml, F, L);
		if (ba > best->ba)
			*best = (struct best_split){ ba, NAN, true, 0 };
	}
	size_t i = 0, j = 0;
	while (i < nf || j < nl) {
		double t = i < nf && (j >= nl || fv[i] <= lv[j]) ? fv[i] : lv[j];
		while (i < nf && fv[i] <= t)
			i++;
		while (j < nl && lv[j] <= t)
			j++;
		if (i == nf && j == nl)
			break;   /* everything on the left: not a split */
		for (int side = 0; side < 2; side++) {
			bool mleft = side == 0;
			double fr = F - (double)i - (mleft ? mf : 0);
			double ll = (double)j + (mleft ? ml : 0);
			double ba = split_ba(fr, ll, F, L);
			if (ba > best->ba)
				*best = (struct best_split){ ba, t, mleft, 0 };
		}
	}
}

/* One-class groups of a column: levels (categorical), values (numeric
 * with few of them) and missingness. Reports the least likely by chance
 * and how many there are. */
static void one_class_hint(const struct frame *f, size_t col, const struct explore_column *ec,
			   double F, double L, struct explore_hints *out)
{
	const struct explore_column e = *ec;
	double total = F + L;
	double log_limit = log(EXPLORE_ONE_CLASS_CHANCE);
	const struct explore_group *worst = NULL;
	double worst_log = 0;
	size_t ngroups = 0, nrows = 0;
	bool worst_fraud = false;
	bool grouped = e.kind == EXPLORE_LEVELS || e.kind == EXPLORE_VALUES;
	for (size_t k = 0; k <= e.ngroups; k++) {
		const struct explore_group *g = k < e.ngroups ? &e.groups[k] : &e.missing;
		if (k < e.ngroups && !grouped)
			continue;
		if (g->rows == 0 || (g->fraud != 0 && g->fraud != g->rows))
			continue;
		if (g->rows == e.rows)
			continue;   /* the whole column: says nothing about values */
		bool fraud = g->fraud == g->rows;
		double lg = (double)g->rows * log((fraud ? F : L) / total);
		if (lg >= log_limit)
			continue;
		ngroups++;
		nrows += g->rows;
		if (!worst || lg < worst_log) {
			worst = g;
			worst_log = lg;
			worst_fraud = fraud;
		}
	}
	if (worst) {
		struct strbuf sb = { 0 };
		char label[256];
		put_text(&sb, f->cols[col].name);
		sb_printf(&sb, ": the %zu rows with ", worst->rows);
		if (worst == &e.missing) {
			sb_puts(&sb, "it missing");
		} else {
			put_text(&sb, f->cols[col].name);
			sb_puts(&sb, e.kind == EXPLORE_LEVELS ? " = \"" : " = ");
			put_text(&sb, explore_group_label(f, &e, worst, EXPLORE_HOUR, label, sizeof label));
			if (e.kind == EXPLORE_LEVELS)
				sb_puts(&sb, "\"");
		}
		/* below a double's range the chance is written as a power of ten */
		double chance = exp(worst_log);
		if (chance > 0)
			sb_printf(&sb, " are all %s (by chance: %.1e)", worst_fraud ? "fraud" :
				  "legitimate", chance);
		else
			sb_printf(&sb, " are all %s (by chance: about 1e%.0f)", worst_fraud ?
				  "fraud" : "legitimate", worst_log / log(10));
		if (ngroups > 1)
			sb_printf(&sb, "; %zu such groups, %zu rows", ngroups, nrows);
		add_hint(out, col, HINT_ONE_CLASS, exp(worst_log), sb.data);
	}
}

static void separates_hint(const struct frame *f, size_t col, const uint8_t *y,
			   const struct explore_column *e, double F, double L,
			   struct split_scratch *s, struct explore_hints *out)
{
	const struct column *c = &f->cols[col];
	struct best_split best = { 0.5, NAN, false, 0 };
	bool found = false;
	if (c->type == COL_CATEGORICAL) {
		for (size_t k = 0; k <= e->ngroups; k++) {
			const struct explore_group *g = k < e->ngroups ? &e->groups[k] : &e->missing;
			if (g->rows == 0)
				continue;
			double ba = split_ba((double)g->fraud, L - (double)(g->rows - g->fraud), F, L);
			if (ba > best.ba) {
				best = (struct best_split){ ba, NAN, k == e->ngroups,
							    k < e->ngroups ? e->groups[k].code : FRAME_NA_CODE };
				found = true;
			}
		}
	} else {
		if (!s->fv)
			scratch_init(s, f->nrows);
		numeric_best_split(c, f->nrows, y, F, L, s, &best);
		found = best.ba > 0.5;
	}
	if (!found || best.ba < EXPLORE_SEPARATES_BA)
		return;
	struct strbuf sb = { 0 };
	put_text(&sb, c->name);
	sb_puts(&sb, ": one split on it alone (");
	if (c->type == COL_CATEGORICAL) {
		put_text(&sb, c->name);
		if (best.code == FRAME_NA_CODE) {
			sb_puts(&sb, " missing");
		} else {
			sb_puts(&sb, " = \"");
			put_text(&sb, c->levels[best.code]);
			sb_puts(&sb, "\"");
		}
		sb_puts(&sb, " or not");
	} else if (isnan(best.threshold)) {
		put_text(&sb, c->name);
		sb_puts(&sb, " missing or not");
	} else {
		char t[64];
		put_text(&sb, c->name);
		if (c->type == COL_DATETIME)
			frame_format_datetime(best.threshold, true, t, sizeof t);
		else
			number_label(best.threshold, t, sizeof t);
		sb_printf(&sb, " <= %s%s", t, best.missing_left ? " or missing" : "");
	}
	sb_printf(&sb, ") reaches balanced accuracy %.3f; a column this clean is often "
		  "known only after the fraud is", floor(best.ba * 1000) / 1000);
	add_hint(out, col, HINT_SEPARATES, best.ba, sb.data);
}

int explore_leakage(const struct frame *f, const uint8_t *y, int skip,
		    const struct ft_progress *prog, struct explore_hints *out,
		    struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	double F = 0, L = 0;
	for (size_t r = 0; r < f->nrows; r++) {
		if (y[r] == 1)
			F++;
		else if (y[r] == 0)
			L++;
	}
	if (F < EXPLORE_HINT_MIN_CLASS || L < EXPLORE_HINT_MIN_CLASS)
		return 0;   /* a perfect split of a handful of rows is no evidence */
	struct split_scratch scratch = { 0 };
	int rc = 0;
	for (size_t c = 0; c < f->ncols; c++) {
		if (ft_cancelled(prog)) {
			explore_hints_free(out);
			rc = ft_fail(err, FT_ECANCELLED, "cancelled");
			break;
		}
		ft_progress_report(prog, "hints", c, f->ncols);
		/* An id-like column has one row per value: no value can be
		 * evidence, and an order in it is HINT_ROW_ORDER's business. */
		const struct column_stats *st = &f->cols[c].stats;
		if ((int)c == skip || st->count == 0 || st->id_like)
			continue;
		struct explore_column e;
		if (explore_column(f, c, y, EXPLORE_BINS_DEFAULT, &e, err) < 0) {
			explore_hints_free(out);
			rc = -1;
			break;
		}
		size_t before = out->n;
		separates_hint(f, c, y, &e, F, L, &scratch, out);
		if (out->n == before)
			one_class_hint(f, c, &e, F, L, out);
		explore_column_free(&e);
	}
	scratch_free(&scratch);
	if (rc == 0)
		ft_progress_report(prog, "hints", f->ncols, f->ncols);
	return rc;
}

/* Words a column name is made of (split at non-alphanumerics and at a
 * lower-to-upper change, so TransactionDT gives transaction, dt). */
static bool name_has_word(const char *name, const char *const *words)
{
	char w[64];
	size_t n = 0;
	for (const char *p = name;; p++) {
		bool alnum = *p && isalnum((unsigned char)*p);
		bool boundary = !alnum || (n > 0 && isupper((unsigned char)*p) &&
					   islower((unsigned char)p[-1]));
		if (boundary && n > 0) {
			w[n] = 0;
			for (size_t k = 0; words[k]; k++)
				if (strcmp(w, words[k]) == 0)
					return true;
			n = 0;
		}
		if (!*p)
			return false;
		if (alnum && n + 1 < sizeof w)
			w[n++] = (char)tolower((unsigned char)*p);
	}
}

const char *explore_time_like(const struct frame *f, size_t col)
{
	static const char *const words[] = {
		"step", "time", "timestamp", "date", "datetime", "dt", "id", "index", "idx",
		"row", "seq", "sequence", NULL
	};
	const struct column *c = &f->cols[col];
	if (c->type == COL_DATETIME)
		return NULL;   /* its parts repeat: explore_part_marks_time */
	if (c->type == COL_NUMERIC && c->stats.distinct >= 3 && c->stats.count >= 10) {
		/* Ties say nothing about order: a column of zeros with a few
		 * other values has 99% of its steps "not down" in any order. A
		 * row order is a column whose changes (nearly) all go one way. */
		size_t up = 0, down = 0;
		double prev = NAN;
		for (size_t r = 0; r < f->nrows; r++) {
			double v = c->num[r];
			if (isnan(v))
				continue;
			if (!isnan(prev)) {
				up += v > prev;
				down += v < prev;
			}
			prev = v;
		}
		size_t changes = up + down;
		if (up >= 2 && (double)down <= 0.01 * (double)changes)
			return "it grows with the row number";
		if (down >= 2 && (double)up <= 0.01 * (double)changes)
			return "it falls with the row number";
	}
	if (name_has_word(c->name, words))
		return "named like a time or a row order";
	return NULL;
}

const char *explore_part_marks_time(enum feature_kind kind, double span, char *buf, size_t size)
{
	static const struct { enum feature_kind kind; const char *part, *cycle; double days; }
	cycles[] = {
		{ FEAT_DT_HOUR, "hour", "a day", 1 },
		{ FEAT_DT_DAY_OF_WEEK, "day of week", "a week", 7 },
		{ FEAT_DT_DAY, "day of month", "a month", 28 },
		{ FEAT_DT_MONTH, "month", "a year", 365 },
	};
	for (size_t i = 0; i < sizeof cycles / sizeof cycles[0]; i++) {
		if (cycles[i].kind != kind)
			continue;
		if (!(span >= 0) || span >= cycles[i].days * 86400)
			return NULL;
		char days[32];
		fmt_double(days, floor(span / 86400 * 10) / 10);
		snprintf(buf, size, "its %s, and the values span %s days, less than %s: each %s "
			 "is one stretch of time", cycles[i].part, days, cycles[i].cycle,
			 cycles[i].part);
		return buf;
	}
	return NULL;
}

void explore_hint_row_order(const char *name, size_t col, size_t rank, const char *why,
			    struct explore_hints *out)
{
	struct strbuf sb = { 0 };
	put_text(&sb, name);
	sb_printf(&sb, ": time-like (%s) and the tree's feature number %zu by importance; "
		  "the model may learn when or where in the file, not what (split by time, "
		  "or drop it)", why, rank);
	add_hint(out, col, HINT_ROW_ORDER, (double)rank, sb.data);
}
