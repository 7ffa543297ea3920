/* recipe: the preprocessing fitted on the training split (imputation,
 * encoding, datetime parts, missing indicators) and the features it makes.
 *
 * The rule that keeps results honest: a recipe is fitted on training rows
 * only, then applied unchanged (recipe_apply) to validation, test and
 * predict input. */
#ifndef FT_RECIPE_H
#define FT_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "frame.h"
#include "settings.h"
#include "target.h"
#include "util.h"

/* Columns the recipe would drop unasked (ID-like, constant), with why. */
struct drop_suggestion {
	int col;
	const char *reason;    /* static: "id-like", "constant", "all missing" */
};
size_t recipe_suggest_drops(const struct frame *f, int target_col,
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
 * The functions of the recipe modules that take a `prog` (NULL for none)
 * watch its cancel flag between columns and every few thousand rows; when
 * it is raised they free what they built and fail with FT_ECANCELLED,
 * leaving their output as on any other failure. Not cancelled, the result
 * does not depend on prog. */
struct recipe *recipe_fit(const struct frame *f, const struct settings *s,
			  const struct target_info *t, const size_t *train_rows,
			  size_t ntrain, const struct ft_progress *prog,
			  struct ft_err *err);
void recipe_free(struct recipe *r);

/* Append a dropped column and why to r (the JSON reader rebuilds the list
 * with it). */
void recipe_add_drop(struct recipe *r, const char *name, const char *reason);

/* "numeric", "datetime" or "categorical": the word for an input's type in
 * notes and in model.json. */
const char *recipe_input_type_name(enum col_type t);

/* The value of a datetime part (FEAT_DT_HOUR 0-23, FEAT_DT_DAY_OF_WEEK
 * Monday = 0, FEAT_DT_DAY 1-31, FEAT_DT_MONTH 1-12) of epoch seconds t,
 * read in UTC; the one rule the recipe and the explore figures share. */
float recipe_datetime_part(enum feature_kind kind, double t);

/* True when some non-missing value of datetime column `col` among `rows`
 * (all rows when rows is NULL) has a time of day other than midnight: a
 * column without one is date-only, and its default parts leave out hour. */
bool recipe_has_time_of_day(const struct frame *f, size_t col, const size_t *rows, size_t n);
/* The datetime parts the recipe takes from datetime column col of f: the
 * column's own setting, else the default, with month instead of hour when
 * no value (of rows[0..n), or of every row when rows is NULL) has a time of
 * day. *own says whether the column has its own setting. One rule for the
 * fit and for every screen that shows what the fit will do. */
unsigned recipe_datetime_parts(const struct settings *s, const struct frame *f, size_t col,
			       const size_t *rows, size_t n, bool *own);

#endif
