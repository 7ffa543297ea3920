/* prep: the preprocessing "recipe" (target, imputation, encoding, datetime
 * parts), the stratified split and resampling.
 *
 * The rule that keeps results honest: a recipe is fitted on training rows
 * only, then applied unchanged to validation, test and predict input; and
 * only the training split is ever resampled. */
#ifndef FT_PREP_H
#define FT_PREP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "settings.h"
#include "util.h"

/* A feature matrix, column-major: feature j of sample i is X[j * n + i].
 * No NAN ever appears in X (the recipe imputes). */
struct dataset {
	size_t n, nfeatures;
	float *X;
	uint8_t *y;        /* 0 / 1 (1 = positive, fraud) */
	double *w;         /* sample weights, NULL means all 1 */
	size_t *rows;      /* frame row of each sample; SIZE_MAX for synthetic
	                      (SMOTE) samples; oversampled copies repeat a row */
	size_t nsynthetic; /* the last nsynthetic samples are what resampling
	                      added (SMOTE points, oversampled copies); the
	                      others are real rows of the split */
	size_t prior[2];   /* class counts of the split before resampling, set
	                      by prep_resample; {0, 0}: those of the samples */
	double *amount;    /* amount.column of each sample (the pipeline sets it
	                      on validation and test); NULL: every row counts 1 */
};
void dataset_free(struct dataset *d);   /* frees members, not d itself */

/* The target: which column, which of its values is the positive class. */
struct target_info {
	int col;               /* frame column */
	char *positive;        /* text of the positive value */
	char *negative;        /* text of the other value */
	uint8_t *y;            /* per frame row: 0, 1, or 255 when missing */
	size_t missing;        /* rows dropped for a missing target */
};
/* Resolve target and positive label from settings (detecting when NULL:
 * 1, 1.0, Y, Yes, True, fraud... case-insensitive). Errors when the column
 * does not exist or does not have exactly two classes. */
int prep_target(const struct frame *f, const struct settings *s,
		struct target_info *out, struct ft_err *err);
void target_info_free(struct target_info *t);

/* Columns the recipe would drop unasked (ID-like, constant), with why. */
struct drop_suggestion {
	int col;
	const char *reason;    /* static: "id-like", "constant", "all missing" */
};
size_t prep_suggest_drops(const struct frame *f, int target_col,
			  struct drop_suggestion *out, size_t max);

/* One input column as the recipe uses it. */
enum feature_kind {
	FEAT_NUMERIC,          /* the value itself (imputed) */
	FEAT_ONEHOT,           /* 1 if the category == level */
	FEAT_FREQUENCY,        /* training count of the category (0 if unseen) */
	FEAT_ORDINAL,          /* level index in training order; unseen = nlevels */
	FEAT_DT_HOUR, FEAT_DT_DAY_OF_WEEK, FEAT_DT_DAY, FEAT_DT_MONTH,
	FEAT_MISSING           /* 1 if the raw value was missing */
};

struct recipe_input {
	char *name;                  /* column name in the raw CSV */
	enum col_type type;
	enum date_order date_order;  /* datetime */
	enum impute_strategy impute;
	double fill_value;           /* numeric/datetime fill */
	char *fill_level;            /* categorical fill (a training level or the constant) */
	enum encoding encode;        /* categorical */
	char **levels; size_t nlevels;   /* categorical: training dictionary */
	double *freq;                /* FEAT_FREQUENCY: count per level */
	unsigned datetime_parts;
	bool missing_indicator;
};

struct feature {
	char *name;                  /* "card_type=debit", "TransactionDT.hour" */
	size_t input;                /* index into recipe inputs */
	enum feature_kind kind;
	size_t level;                /* FEAT_ONEHOT: level index */
};

struct recipe {
	char *target, *positive, *negative;
	char **na_values; size_t nna_values;   /* user NA strings, for predict */
	char delimiter;                        /* the training file's; 0: unknown
	                                          (predict detects it) */
	struct recipe_input *inputs; size_t ninputs;
	struct feature *features; size_t nfeatures;
	char **dropped; size_t ndropped;       /* every column not used, with reasons */
	char **drop_reasons;
	char **notes; size_t nnotes;           /* choices made for the user, one line
	                                          each ("merchant: 412 levels, one-hot
	                                          replaced by frequency") */
};

/* Fit on the given training rows of f. Caller frees with recipe_free.
 *
 * The functions below that take a `prog` (NULL for none) watch its cancel
 * flag between columns and every few thousand rows; when it is raised they
 * free what they built and fail with FT_ECANCELLED, leaving their output
 * as on any other failure. Not cancelled, the result does not depend on
 * prog. */
struct recipe *prep_fit(const struct frame *f, const struct settings *s,
			const struct target_info *t, const size_t *train_rows,
			size_t ntrain, const struct ft_progress *prog,
			struct ft_err *err);
void recipe_free(struct recipe *r);

/* Transform frame rows into d (allocates d->X, d->y, d->rows; w = NULL).
 * Columns are matched by name, so f need not be the frame it was fitted on.
 * On failure d is left empty. */
int prep_apply(const struct recipe *r, const struct frame *f,
	       const struct target_info *t, const size_t *rows, size_t n,
	       const struct ft_progress *prog, struct dataset *d, struct ft_err *err);

/* One raw CSV row (fields by recipe input: fields[i] is the text of input i,
 * NULL or "" when absent) into x[0..nfeatures). Used by predict. */
struct recipe_row_ctx;   /* per-thread lookup state; create once per thread */
struct recipe_row_ctx *recipe_row_ctx_new(const struct recipe *r);
void recipe_row_ctx_free(struct recipe_row_ctx *c);
void recipe_apply_row(struct recipe_row_ctx *c, const char *const *fields,
		      const size_t *lens, float *x);

/* The number a raw cell of a numeric or datetime input stands for; false
 * when the text is not one (the recipe then imputes). A datetime input
 * reads dates in its training order (M/D/Y or D/M/Y) and, being
 * unambiguous, ISO 8601 as well. */
bool recipe_parse_value(const struct recipe_input *in, const char *s, size_t len,
			double *out);

/* The value of a datetime part (FEAT_DT_HOUR 0-23, FEAT_DT_DAY_OF_WEEK
 * Monday = 0, FEAT_DT_DAY 1-31, FEAT_DT_MONTH 1-12) of epoch seconds t,
 * read in UTC; the one rule the recipe and the explore figures share. */
float prep_datetime_part(enum feature_kind kind, double t);

/* True when some non-missing value of datetime column `col` among `rows`
 * (all rows when rows is NULL) has a time of day other than midnight: a
 * column without one is date-only, and its default parts leave out hour. */
bool prep_has_time_of_day(const struct frame *f, size_t col, const size_t *rows, size_t n);

/* JSON form (inside model.json). recipe_from_json validates everything and
 * names the offending key. */
struct cJSON;
struct cJSON *recipe_to_json(const struct recipe *r);
struct recipe *recipe_from_json(const struct cJSON *j, const char *origin,
				struct ft_err *err);

/* Stratified split of the rows with a known target into train / validation /
 * test index lists (frame rows, ascending; each allocated at its length),
 * exact class shares. */
struct split {
	size_t *train, *validation, *test;
	size_t ntrain, nvalidation, ntest;
	/* A time split: the frame column it ordered by, each split's first and
	 * last time (epoch seconds; a numeric column's own values), and the
	 * rows it left out (missing time, or inside a gap). time_col -1: a
	 * stratified split. */
	int time_col;
	double from[3], to[3];
	size_t no_time, in_gap;
};
int prep_split(const struct target_info *t, size_t nrows, const struct settings *s,
	       const struct ft_progress *prog, struct split *out, struct ft_err *err);

/* The split settings ask for: prep_split for split.method = stratified;
 * for time, rows with a target and a time sorted by time (ties by row),
 * train the first split.train share, then validation, then test, each
 * cut moved past rows of equal time so that every training row is
 * earlier than every validation row, which is earlier than every test
 * row; rows within split.gap_days after the last row of train (and of
 * validation) are left out. The time column is split.time_column (a
 * datetime column, or a numeric one read as seconds), else the first
 * datetime column that is neither the target nor dropped. */
int prep_split_frame(const struct frame *f, const struct target_info *t,
		     const struct settings *s, const struct ft_progress *prog,
		     struct split *out, struct ft_err *err);
/* The frame column a time split would order by, or -1. */
int prep_time_column(const struct frame *f, const struct target_info *t,
		     const struct settings *s);
void split_free(struct split *sp);

/* Resample a training dataset in place (method and ratio from settings, seed
 * from split.seed). class_weight sets d->w instead of adding rows. When
 * cancelled, d is left unchanged. Every feature is taken as numeric. */
int prep_resample(struct dataset *d, const struct settings *s,
		  const struct ft_progress *prog, struct ft_err *err);
/* The same, with the feature types of r (the recipe that made d), which
 * SMOTE-NC needs: categorical features (one-hot, frequency, ordinal,
 * missing indicators) take the most frequent value among the neighbours
 * instead of being interpolated. r NULL is prep_resample. */
int prep_resample_recipe(struct dataset *d, const struct settings *s,
			 const struct recipe *r, const struct ft_progress *prog,
			 struct ft_err *err);

/* How SMOTE-NC sees each of r's features: PREP_NUMERIC, or the number of
 * the categorical column it encodes (the one-hot features of one input
 * share it). Caller frees; r->nfeatures entries. */
#define PREP_NUMERIC SIZE_MAX
size_t *prep_categorical_groups(const struct recipe *r);

#endif
