/* frame: the in-memory column store a CSV is loaded into.
 *
 * Invariants: every column has exactly `nrows` cells; a missing cell is NAN
 * in `num` (numeric, datetime) or FRAME_NA_CODE in `codes` (categorical);
 * `levels[codes[i]]` is the raw text of a categorical cell. Frames are
 * immutable once loaded, so worker threads may read them freely. */
#ifndef FT_FRAME_H
#define FT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_NA_CODE UINT32_MAX

enum col_type {
	COL_NUMERIC,      /* double */
	COL_CATEGORICAL,  /* dictionary codes */
	COL_DATETIME      /* epoch seconds (UTC, no zone conversion) as double */
};

/* Which date layout a datetime column was read with; predict reuses it. */
enum date_order {
	DATE_ISO,   /* YYYY-MM-DD[( |T)HH:MM[:SS]] */
	DATE_MDY,   /* M/D/YYYY [HH:MM[:SS]] */
	DATE_DMY    /* D/M/YYYY [HH:MM[:SS]] */
};

/* A raw string that was read as missing, and how often. */
struct na_token {
	char *text;
	size_t count;
};

struct top_value {
	uint32_t code;   /* index into levels */
	size_t count;
};

#define FRAME_TOP 10

/* Column statistics, computed once at load time. */
struct column_stats {
	size_t count;          /* non-missing cells */
	size_t missing;
	size_t distinct;       /* distinct non-missing values */
	double min, max, mean, std, median;   /* numeric and datetime */
	struct top_value top[FRAME_TOP];      /* categorical, most frequent first */
	size_t ntop;
	bool id_like;          /* unique per row, or integers too wide for a double */
	bool constant;         /* at most one distinct non-missing value */
	size_t infinite;       /* numeric cells that are +inf or -inf; when
	                          nonzero, mean is infinite or NAN and std NAN */
};

struct column {
	char *name;
	enum col_type type;
	enum date_order date_order;  /* COL_DATETIME only */
	double *num;                 /* COL_NUMERIC, COL_DATETIME */
	uint32_t *codes;             /* COL_CATEGORICAL */
	char **levels;               /* COL_CATEGORICAL, in first-seen order */
	uint32_t nlevels;
	bool wide_integers;          /* integers of more than 15 digits were seen;
	                                such columns are kept categorical (exact) */
	struct na_token *na;         /* raw strings read as missing */
	size_t nna;
	struct column_stats stats;
	bool cells_mapped;           /* num or codes is a page mapping made by
	                                csv_load (frame_free unmaps it), not
	                                malloc'd */
	char *level_text;            /* when not NULL, one allocation holding
	                                the texts of levels that point into it
	                                (level_text_size bytes); levels outside
	                                it are malloc'd one by one */
	size_t level_text_size;
};

struct frame {
	char *path;                  /* as given by the user */
	uint64_t file_size;
	char delimiter;
	size_t nrows, ncols;
	struct column *cols;
	uint32_t *row_line;          /* 1-based line on which each row starts */
};

void frame_free(struct frame *f);                 /* NULL is a no-op */
int frame_find(const struct frame *f, const char *name);   /* index or -1 */
bool frame_is_missing(const struct frame *f, size_t col, size_t row);
/* Text of one cell as the user would read it ("" when missing); returns buf. */
const char *frame_cell_text(const struct frame *f, size_t col, size_t row,
			    char *buf, size_t size);
const char *col_type_name(enum col_type t);      /* "numeric", ... */

/* (Re)compute stats of every column on `threads` threads (0 = all cores). */
void frame_compute_stats(struct frame *f, int threads);

/* Stats of one column, for callers that build columns in parallel and want
 * each column's stats while its cells are fresh (csv_load). Each thread
 * passes its own scratch, made by frame_stats_scratch_new and released by
 * frame_stats_scratch_free (NULL is a no-op). */
struct frame_stats_scratch;
struct frame_stats_scratch *frame_stats_scratch_new(void);
void frame_stats_scratch_free(struct frame_stats_scratch *sc);
void frame_column_stats(struct frame *f, size_t col, struct frame_stats_scratch *sc);

/* Class balance of a column treated as a label: distinct values (at most
 * `max` reported, most frequent first) with counts; missing counted apart. */
struct class_count {
	char label[64];
	size_t count;
	double share;   /* of non-missing */
};
size_t frame_class_balance(const struct frame *f, size_t col,
			   struct class_count *out, size_t max, size_t *missing);

/* A binary column named like a label (isFraud, is_fraud, fraud*, Class,
 * label, target; in that order of preference, case ignored), or -1. Reads
 * stats.distinct, so the stats must be computed (csv_load does). */
int frame_guess_target(const struct frame *f);

/* Parsing helpers shared with predict, which reads raw rows itself. */
bool frame_is_na_text(const char *s, size_t len, const char *const *extra, size_t nextra);
bool parse_number(const char *s, size_t len, double *out);
bool parse_datetime(const char *s, size_t len, enum date_order order, double *out);

/* The rules above, in detail (csv_load applies exactly these):
 * - missing: the exact cell text is one of pandas' default NA strings
 *   (frame_na_defaults) or one of `extra`; no trimming.
 * - number: optional blanks, sign, digits with an optional '.', optional
 *   exponent, blanks; or inf/infinity (any case, signed). Overflow gives inf.
 * - datetime: blanks allowed around; YYYY-MM-DD, optionally followed by ' '
 *   or 'T' and HH:MM[:SS[.fraction]] (DATE_ISO), or M/D/YYYY resp. D/M/YYYY
 *   with an optional ' HH:MM[:SS]' (DATE_MDY, DATE_DMY). Calendar-checked. */
extern const char *const frame_na_defaults[];
extern const size_t frame_na_ndefaults;

/* Number parsing that also tells whether the text was a plain integer and
 * how many digits it had (integers of more than 15 digits are not exact in
 * a double, so the loader keeps them as text). */
bool parse_number_ex(const char *s, size_t len, double *out, bool *integer,
		     int *digits);

/* "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (when the time of day is not
 * midnight, or `with_time`) for epoch seconds; returns buf. */
const char *frame_format_datetime(double t, bool with_time, char *buf, size_t size);

/* A slash date before its order is known (the loader decides M/D or D/M
 * from the whole column): the two leading numbers, year, seconds of day. */
struct slash_date {
	int a, b, year, sod;
};
bool parse_slash_date(const char *s, size_t len, struct slash_date *d);
/* Epoch seconds of d read in `order` (DATE_MDY or DATE_DMY); false when
 * that reading is not a calendar date. */
bool slash_date_epoch(const struct slash_date *d, enum date_order order, double *out);

#endif
