/* dataset: the feature matrix shared by the recipe, resampling and the
 * tree. Owns nothing but its members. */
#include "config.h"
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

void dataset_free(struct dataset *d)
{
	if (!d)
		return;
	free(d->X);
	free(d->y);
	free(d->w);
	free(d->rows);
	free(d->amount);
	free(d->copy_of);
	memset(d, 0, sizeof *d);
}
