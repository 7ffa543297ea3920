/* predict: score raw CSV rows of any size with a model, streaming.
 *
 * One thread parses (libcsv) into batches of rows; another applies the
 * recipe, walks the tree and formats the output, so memory stays bounded
 * whatever the input size and the output keeps the input's row order. */
#ifndef FT_PREDICT_H
#define FT_PREDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "util.h"

/* A reader of the rows instead of the scored CSV (drift): per row, after
 * the recipe and the tree, row() adds to a thread's counters; predict_csv
 * sums them over the file in `total`. row() runs on several threads at
 * once, each with its own counters, and must only read ctx. */
struct predict_tally {
	size_t ncounts;
	void (*row)(const void *ctx, uint64_t *counts, const char *const *fields,
		    const size_t *lens, int32_t leaf);
	const void *ctx;
	bool absent_ok;          /* a required column missing from the header is
	                            read as absent (NULL fields), not an error */
	/* set by predict_csv; the caller frees them (columns: each name too) */
	uint64_t *total;         /* ncounts sums */
	char **columns;          /* the header's names as the loader gives them */
	size_t ncolumns;
};

struct predict_options {
	char delimiter;          /* 0: detect from the header among , ; TAB | */
	bool explain;            /* add a decision_path column */
	unsigned reasons;        /* add reason_1..reason_N (condition_reasons) */
	bool leaf;               /* add fraud_leaf (the leaf's node id) before
	                            fraud_probability */
	struct ft_progress progress;   /* stage "predict": bytes read / total */
	struct predict_tally *tally;   /* count rows instead of writing (out_fd unused) */
};

struct predict_stats {
	uint64_t rows;
	uint64_t flagged;        /* rows predicted 1 */
};

/* Read in_path (header row first), write the scored CSV to out_fd: the
 * input columns re-quoted as needed, then fraud_leaf (with opt->leaf),
 * fraud_probability and prediction, then reason_1..reason_N
 * (and decision_path when explaining). out_name names out_fd in errors.
 * Errors: missing columns named, "FILE:LINE: expected N fields, found M". */
int predict_csv(const struct model *m, const char *in_path, int out_fd,
		const char *out_name, const struct predict_options *opt,
		struct predict_stats *stats, struct ft_err *err);

/* What a raw cell of recipe input i is, by the recipe's rules: a value,
 * missing (empty or an NA string), or text where a number or a date was
 * expected (which the recipe then imputes as missing). A numeric or
 * datetime value goes to *v. */
enum predict_cell { PREDICT_CELL_VALUE, PREDICT_CELL_NA, PREDICT_CELL_UNPARSED };
enum predict_cell predict_cell_kind(const struct recipe *r, size_t i, const char *s, size_t n,
				    double *v);

/* The decision path of one feature vector as text: "TransactionAmt=512.3 >
 * 412.5; device_risk=0.91 > 0.7 -> fraud p=0.83". missing (may be NULL)
 * flags, per recipe input, a raw value that was missing, so the text can
 * say "(imputed)" where the tree used a filled-in value. Caller frees. */
char *predict_explain(const struct model *m, const float *x, const bool *missing);

#endif
