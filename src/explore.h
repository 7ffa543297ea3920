/* explore: where the fraud is. Per-column fraud figures by value (each
 * level of a categorical column, each bin or distinct value of a numeric
 * one, hour / day of week / month of a datetime one) and the leakage hints
 * a careful analyst would give before anything is trained.
 *
 * Every figure counts frame rows whose target is known (y[row] is 0 or 1;
 * 255 means missing and the row is left out everywhere). Nothing here
 * changes the frame or what is trained on. */
#ifndef FT_EXPLORE_H
#define FT_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "recipe.h"
#include "util.h"

/* How the values of a column were grouped. */
enum explore_kind {
	EXPLORE_LEVELS,    /* categorical: one group per level */
	EXPLORE_VALUES,    /* numeric with few distinct values: one group each */
	EXPLORE_BINS,      /* numeric: equal-width bins over [min, max] */
	EXPLORE_DATETIME   /* datetime: the three part tables below */
};

/* Numeric columns with at most this many distinct values are shown value
 * by value instead of in bins. */
#define EXPLORE_VALUES_MAX 20
#define EXPLORE_BINS_DEFAULT 10
#define EXPLORE_BINS_MAX 1000

struct explore_group {
	uint32_t code;     /* EXPLORE_LEVELS: index into the column's levels */
	double lo, hi;     /* EXPLORE_VALUES: lo == hi, the value; EXPLORE_BINS:
	                      lo <= v < hi, the last bin also takes v == hi (its
	                      hi is +inf when the column holds +inf, the first
	                      bin's lo -inf when it holds -inf); datetime parts:
	                      the part's number (hour 0-23, Monday = 0, January =
	                      1) in lo and hi */
	size_t rows, fraud;
};

enum explore_part { EXPLORE_HOUR, EXPLORE_DAY_OF_WEEK, EXPLORE_MONTH, EXPLORE_PART_COUNT };

struct explore_column {
	size_t col;
	enum explore_kind kind;
	size_t rows, fraud;            /* rows with a known target */
	struct explore_group *groups;  /* levels (first-seen order until sorted),
	                                  values or bins (ascending) */
	size_t ngroups;
	struct explore_group missing;  /* rows whose cell is missing */
	/* EXPLORE_DATETIME: 24 hours, 7 days, 12 months; has_time is false when
	 * no value has a time of day (the hour table is then all midnight) */
	struct explore_group *part[EXPLORE_PART_COUNT];
	size_t npart[EXPLORE_PART_COUNT];
	bool has_time;
};

/* Group column `col` of f by value and count rows and frauds per group.
 * nbins (1..EXPLORE_BINS_MAX) applies to binned numeric columns. `y` is
 * per frame row (0, 1, 255 = unknown). Returns 0, or -1 with err set
 * (FT_EINPUT for a bad nbins). explore_column_free(NULL) is a no-op;
 * it frees the members, not e. */
int explore_column(const struct frame *f, size_t col, const uint8_t *y, size_t nbins,
		   struct explore_column *out, struct ft_err *err);
void explore_column_free(struct explore_column *e);

/* fraud / rows, NAN for an empty group. */
double explore_rate(const struct explore_group *g);

/* Order of groups: by rows (descending), by fraud rate (descending, then
 * rows; empty groups last), or by value (levels in first-seen order,
 * values and bins ascending, as explore_column makes them). Ties keep the
 * group first by value, so the order is the same on every run. */
enum explore_order { EXPLORE_BY_COUNT, EXPLORE_BY_RATE, EXPLORE_BY_VALUE, EXPLORE_ORDER_COUNT };
void explore_sort(struct explore_column *e, enum explore_order order);
const char *explore_order_name(enum explore_order o);   /* "count", "rate", "value" */
bool explore_order_parse(const char *s, enum explore_order *out);

/* The text a person reads for a group: the level, "5", "[10, 20)",
 * "Monday", "March", "14:00". Returns buf. */
const char *explore_group_label(const struct frame *f, const struct explore_column *e,
				const struct explore_group *g, enum explore_part part,
				char *buf, size_t size);
const char *explore_part_name(enum explore_part p);    /* "hour", "day_of_week", "month" */

/* The bin (0 to n - 1) of a non-missing v among n equal-width bins over
 * the finite range [lo, hi] (a column's finite minimum and maximum), the
 * bins of describe --by-target: [lo, hi) each, the last closed, -inf in
 * the first and +inf in the last; all in bin 0 when hi <= lo. */
size_t explore_bin(double v, double lo, double hi, size_t n);

/* True when some non-missing value of datetime column `col` among `rows`
 * (all rows when rows is NULL) has a time of day other than midnight. */
bool explore_has_time(const struct frame *f, size_t col, const size_t *rows, size_t n);

/* ---- leakage hints ---- */

enum explore_hint_kind {
	HINT_SEPARATES,   /* one split on the column alone nearly separates the classes */
	HINT_ONE_CLASS,   /* values (or missingness) present for one class only */
	HINT_ROW_ORDER,   /* time-like or row-order column among the top features */
	HINT_KIND_COUNT
};

/* A one-split tree reaching this balanced accuracy on one column is a
 * separating column. */
#define EXPLORE_SEPARATES_BA 0.98
/* A group all of one class is reported when that is this unlikely by
 * chance (the class's share to the power of the group's rows). */
#define EXPLORE_ONE_CLASS_CHANCE 1e-9

/* Hints need this many rows of each class; below it they stay silent. */
#define EXPLORE_HINT_MIN_CLASS 20

struct explore_hint {
	size_t col;
	enum explore_hint_kind kind;
	double score;      /* HINT_SEPARATES: the balanced accuracy; HINT_ONE_CLASS:
	                      the chance; HINT_ROW_ORDER: the feature's rank (1 = top) */
	char *reason;      /* one line naming the column and the evidence */
};

struct explore_hints {
	struct explore_hint *v;
	size_t n;
};

const char *explore_hint_kind_name(enum explore_hint_kind k);  /* "separates", ... */

/* The data-only hints (HINT_SEPARATES, HINT_ONE_CLASS) for every column of
 * f except `skip` (the target; -1 for none) and id-like ones (one row per
 * value: no value is evidence), in column order. `prog` may
 * be NULL; a raised cancel flag stops with FT_ECANCELLED and out empty. */
int explore_leakage(const struct frame *f, const uint8_t *y, int skip,
		    const struct ft_progress *prog, struct explore_hints *out,
		    struct ft_err *err);
void explore_hints_free(struct explore_hints *h);   /* members only */

/* Why column `col` looks like a row order: a numeric column whose changes
 * from row to row (ties aside) nearly all go up, or all down, or a name
 * such as step, time, date, id, index. Returns a static reason, or NULL;
 * NULL for a datetime column, whose parts repeat (see below). */
const char *explore_time_like(const struct frame *f, size_t col);

/* Whether a datetime part (FEAT_DT_HOUR, _DAY_OF_WEEK, _DAY, _MONTH) of a
 * column whose values span `span` seconds marks when a row is, because
 * the values span less than one cycle of the part (an hour over less than
 * a day, a month over less than a year): then the reason, written in buf;
 * else NULL (a part that repeats says what, not when). */
const char *explore_part_marks_time(enum feature_kind kind, double span, char *buf, size_t size);

/* A HINT_ROW_ORDER hint for column `col` (named `name`; the frame may be
 * gone once a tree is trained) found at `rank` (1 = most important) among
 * the tree's features, `why` from explore_time_like; appended to out. */
void explore_hint_row_order(const char *name, size_t col, size_t rank, const char *why,
			    struct explore_hints *out);

#endif
