/* compare: two models scored on the same rows, side by side, with a paired
 * test of their decisions (McNemar's exact test) and the money figures;
 * `registry compare` and a policy's "must beat the champion" use it. */
#ifndef FT_COMPARE_H
#define FT_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "model.h"
#include "settings.h"
#include "util.h"

/* A model and where its training data came from. */
struct compare_model {
	const char *name;              /* "g/3" */
	const struct model *model;
	const char *data_sha256;       /* of its training file; NULL: unknown */
	const char *pipeline_json;     /* its resolved settings; NULL: none */
};

/* McNemar's exact test: b rows only the second model gets right, c only the
 * first; p = P(|B - C| at least this uneven | b + c, 1/2), two-sided. */
struct compare_test {
	uint64_t b, c;
	double p;
};

struct compare_result {
	size_t rows;                   /* rows both were scored on */
	char file_sha256[65];
	bool trained_on_file[2];       /* its training data is this file */
	char *rows_note;               /* how the rows were chosen, one line */
	char *amount_column;           /* NULL: every fraud counts 1 */
	struct metrics m[2];           /* at each model's own threshold */
	struct compare_test decisions; /* all rows: right vs wrong */
	struct compare_test frauds;    /* fraud rows: caught vs missed */
};
void compare_result_free(struct compare_result *r);

/* Score a and b on csv's rows. When a model was trained on this very file
 * (same sha256) and its pipeline.json is given, only its test split (as its
 * settings make it) is used, and when both were, the rows in both test
 * splits: rows neither model trained on. When a's training data is this
 * file but no split can be rebuilt, the note says the figures favour it.
 * The labels are the target column both recipes name (they must agree);
 * amounts come from b's amount.column (else the guess), costs and alert
 * rate from b's settings. */
int compare_models(const struct compare_model *a, const struct compare_model *b,
		   const char *csv, struct compare_result *out, struct ft_err *err);

/* Does b beat a, as a policy's must_beat asks: more frauds caught with the
 * fraud-row test at p < 0.05, or more net savings with the decision test at
 * p < 0.05 and b right on more disagreeing rows? why says which, or why
 * not. */
bool compare_beats(const struct compare_result *r, char *why, size_t size);

/* The same comparison with a and b exchanged. */
void compare_swap(struct compare_result *r);

/* The two-sided exact McNemar p-value for b and c. */
double compare_mcnemar(uint64_t b, uint64_t c);

#endif
