/* dataset: the feature matrix the recipe makes and the tree learns from.
 *
 * Column-major: X holds the first n - ncopies samples, feature j of sample
 * i at X[j * (n - ncopies) + i]; sample n - ncopies + k, when there are
 * copies, is a copy of sample copy_of[k] and has no row of its own in X
 * (oversampling in place: the copies' labels and weights are in y and w,
 * their features are read through copy_of). No NAN ever appears in X (the
 * recipe imputes). */
#ifndef FT_DATASET_H
#define FT_DATASET_H

#include <stddef.h>
#include <stdint.h>

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
	                      by resample_apply; {0, 0}: those of the samples */
	double *amount;    /* amount.column of each sample (the pipeline sets it
	                      on validation and test); NULL: every row counts 1 */
	size_t ncopies;    /* the last ncopies samples are copies (see above) */
	size_t *copy_of;   /* ncopies entries, each below n - ncopies */
};
void dataset_free(struct dataset *d);   /* frees members, not d itself */

/* The sample whose row of X holds sample i's features. */
static inline size_t dataset_row(const struct dataset *d, size_t i)
{
	size_t held = d->n - d->ncopies;
	return i < held ? i : d->copy_of[i - held];
}

#endif
