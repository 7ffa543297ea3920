/* dataset: the feature matrix shared by the recipe, resampling and the
 * tree. Owns nothing but its members. */
#include "config.h"
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void dataset_free(struct dataset *d)
{
	if (!d)
		return;
	free(d->X);
	free(d->B);
	free(d->slot);
	free(d->y);
	free(d->w);
	free(d->rows);
	free(d->amount);
	free(d->copy_of);
	memset(d, 0, sizeof *d);
}

void dataset_all_floats(struct dataset *d)
{
	if (!d->slot)
		return;
	size_t held = d->n - d->ncopies, nf = d->nfeatures;
	float *X = xmalloc((held && nf ? held * nf : 1) * sizeof *X);
	for (size_t j = 0; j < nf; j++) {
		float *dst = X + j * held;
		const float *f = dataset_floats(d, j);
		const uint8_t *b = dataset_bytes(d, j);
		if (f)
			memcpy(dst, f, held * sizeof *dst);
		else
			for (size_t i = 0; i < held; i++)
				dst[i] = (float)b[i];
	}
	free(d->X);
	free(d->B);
	free(d->slot);
	d->X = X;
	d->B = NULL;
	d->slot = NULL;
	d->nbytes = 0;
}
