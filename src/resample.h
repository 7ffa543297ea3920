/* resample: the training split rebalanced (undersample, oversample, SMOTE
 * or SMOTE-NC, class weights). Only ever applied to the training split.
 *
 * A plan is what resampling decides from the labels alone: which samples
 * are kept or copied, how many synthetic points are added, what weight
 * each class gets. Carrying a plan out gives exactly what resample_apply
 * gives, so a caller can count (the Prepare preview) or move the matrix
 * itself (the pipeline gathers in place) without running it twice. */
#ifndef FT_RESAMPLE_H
#define FT_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "recipe.h"
#include "settings.h"
#include "util.h"

struct resample_plan {
	enum resample_method method;
	uint8_t minority;          /* ties: fraud (1) is the minority */
	size_t n;                  /* samples before */
	/* Undersample, oversample: the samples after, as positions into the
	 * dataset, in order (oversampling keeps 0..n-1 and appends the copies);
	 * NULL when nothing changes. */
	size_t *pick, npick;
	size_t nsynthetic;         /* SMOTE: points to add; oversample: copies */
	double weight[2];          /* class_weight: each class's factor; else 1 */
	size_t before[2], after[2];   /* class counts before and after */
	struct ft_rng rng;         /* the stream as the plan left it */
};

/* Plan resampling a training split with labels y[0..n) (method and ratio
 * from settings, seed from split.seed). Fails when the ratio is out of
 * (0, 1] or a class is absent (resample.method none never fails). Free
 * with resample_plan_free. */
int resample_plan(const uint8_t *y, size_t n, const struct settings *s,
		  struct resample_plan *out, struct ft_err *err);
void resample_plan_free(struct resample_plan *p);

/* Carry plan p out on d, the dataset whose labels it was made from.
 * SMOTE reads the feature types of r (the recipe that made d): categorical
 * features (one-hot, frequency, ordinal, missing indicators) take the most
 * frequent value among the neighbours instead of being interpolated; r NULL
 * takes every feature as numeric. When cancelled, d is left unchanged. */
int resample_carry_out(struct dataset *d, const struct resample_plan *p,
		       const struct recipe *r, const struct ft_progress *prog,
		       struct ft_err *err);

/* Plan and carry out in one call; sets d->prior when it is {0, 0}.
 * class_weight sets d->w instead of adding rows. */
int resample_apply(struct dataset *d, const struct settings *s,
		   const struct recipe *r, const struct ft_progress *prog,
		   struct ft_err *err);

/* How SMOTE-NC sees each of r's features: RESAMPLE_NC_NUMERIC, or the
 * number of the categorical column it encodes (the one-hot features of one
 * input share it). Caller frees; r->nfeatures entries. */
#define RESAMPLE_NC_NUMERIC SIZE_MAX
size_t *resample_categorical_groups(const struct recipe *r);

#endif
