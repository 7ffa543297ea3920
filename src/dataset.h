/* dataset: the feature matrix the recipe makes and the tree learns from.
 *
 * Column-major, one column per feature over the first n - ncopies samples
 * (the held rows): feature j of held row i is column slot[j] of X (floats)
 * or, when slot[j] has DATASET_BYTE, column slot[j] - DATASET_BYTE of B
 * (bytes: the recipe's one-hot features and missing indicators, 0 or 1, a
 * quarter of the memory). Column c of X starts at X + c * (n - ncopies),
 * the same for B. slot NULL: every feature is a float, feature j column j
 * of X (datasets built by hand). Sample n - ncopies + k, when there are
 * copies, is a copy of held row copy_of[k] and has no row of its own
 * (oversampling in place: the copies' labels and weights are in y and w,
 * their features are read through copy_of). No NAN ever appears (the
 * recipe imputes). Read features through the accessors below. */
#ifndef FT_DATASET_H
#define FT_DATASET_H

#include <stddef.h>
#include <stdint.h>

struct dataset {
	size_t n, nfeatures;
	float *X;
	uint8_t *B;        /* byte columns; NULL when there are none */
	uint32_t *slot;    /* per feature: its column (see above); NULL: X's j */
	size_t nbytes;     /* columns in B */
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
#define DATASET_BYTE UINT32_C(0x80000000)

void dataset_free(struct dataset *d);   /* frees members, not d itself */

/* Every feature as a float column of X (slot and B gone), for the code
 * that rewrites the matrix sample by sample (SMOTE, rebuilding). */
void dataset_all_floats(struct dataset *d);

/* The sample whose row of X holds sample i's features. */
static inline size_t dataset_row(const struct dataset *d, size_t i)
{
	size_t held = d->n - d->ncopies;
	return i < held ? i : d->copy_of[i - held];
}

/* Feature j's column over the held rows: floats, or NULL when it is a
 * byte column (then dataset_bytes gives it). */
static inline const float *dataset_floats(const struct dataset *d, size_t j)
{
	size_t held = d->n - d->ncopies;
	if (!d->slot)
		return d->X + j * held;
	return d->slot[j] & DATASET_BYTE ? NULL : d->X + (size_t)d->slot[j] * held;
}

static inline const uint8_t *dataset_bytes(const struct dataset *d, size_t j)
{
	if (!d->slot || !(d->slot[j] & DATASET_BYTE))
		return NULL;
	return d->B + (size_t)(d->slot[j] - DATASET_BYTE) * (d->n - d->ncopies);
}

/* Feature j of held row `row` (dataset_row gives a sample's). */
static inline float dataset_x(const struct dataset *d, size_t j, size_t row)
{
	size_t held = d->n - d->ncopies;
	if (!d->slot)
		return d->X[j * held + row];
	uint32_t s = d->slot[j];
	return s & DATASET_BYTE ? (float)d->B[(size_t)(s - DATASET_BYTE) * held + row]
				: d->X[(size_t)s * held + row];
}

#endif
