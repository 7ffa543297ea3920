/* drift: is a new file still like the data a model was trained on? The
 * file is read as predict reads it (streaming, the same CSV dialect and
 * recipe), and each input and the model's score are compared with the
 * model's reference distributions (reference.h) by the population
 * stability index:
 *
 *     PSI = sum over bins of (a - e) * ln(a / e)
 *
 * a the bin's share of the new rows, e its share of the training rows,
 * each raised to at least DRIFT_EPSILON so that an empty bin counts as a
 * small share instead of dividing by zero. The bins: a numeric column's
 * quantile bins and missing; a categorical column's categories, "other"
 * (categories of the training data beyond the kept ones), unseen (never in
 * the training data: a share of 0 there) and missing; the score's
 * distinct values (and any score the reference does not know). */
#ifndef FT_DRIFT_H
#define FT_DRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "util.h"

#define DRIFT_EPSILON 1e-4
#define DRIFT_WATCH_PSI 0.1      /* PSI at or above: watch */
#define DRIFT_ACT_PSI 0.25       /* PSI at or above: act */

enum drift_level { DRIFT_STABLE, DRIFT_WATCH, DRIFT_ACT, DRIFT_LEVEL_COUNT };
extern const char *const drift_level_names[DRIFT_LEVEL_COUNT];
enum drift_level drift_level_of(double psi);

/* PSI of shares `actual` against `expected` over n bins. */
double drift_psi(const double *expected, const double *actual, size_t n);

struct drift_column {
	const char *name;            /* the recipe input's (in the model) */
	const char *type;            /* its training type: numeric, datetime, categorical */
	bool absent;                 /* not in the file: nothing else is measured */
	const char *now;             /* NULL, or the type the file's cells have
	                                instead ("text", "numbers") */
	double psi;
	enum drift_level level;
	double missing_train, missing_now;   /* shares */
	double unseen;               /* categorical: share of rows whose category
	                                the model never saw (-1: numeric) */
	uint64_t unparsed;           /* numeric: cells that are not a number */
};

struct drift_report {
	uint64_t rows;
	uint64_t train_rows;
	struct drift_column *cols; size_t ncols;   /* by recipe input */
	char **extra; size_t nextra;    /* columns the training file did not have */
	size_t nabsent;
	double score_psi;
	enum drift_level score_level;
	enum drift_level worst;      /* over the columns and the score */
};

/* Measure the file at path against m's reference. delimiter 0: the
 * model's training delimiter, else detected. Errors as predict's
 * ("FILE:LINE: ..."), and FT_EINPUT when m has no reference. Free the
 * report with drift_report_free (also after a failure). */
int drift_csv(const struct model *m, const char *path, char delimiter,
	      const struct ft_progress *prog, struct drift_report *out, struct ft_err *err);
void drift_report_free(struct drift_report *r);

/* The report as a person reads it, the same in `fraudtree drift` and the
 * workbench's Registry screen: a title line naming path and model, a
 * table with one line per column (type, PSI to four decimals, level,
 * unseen-category share, missing share in training and now, and a note
 * when the column is missing or its type changed) and one for the score,
 * then the missing, type-changed and extra columns by name and the
 * verdict. Names wider than name_max characters are cut with "…"; control
 * characters and bytes that are not UTF-8 are shown escaped. Lines end in
 * '\n', without trailing blanks. Caller frees. */
char *drift_report_text(const struct drift_report *r, const char *model, const char *path,
			size_t name_max);

#endif
