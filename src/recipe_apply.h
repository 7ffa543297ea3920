/* recipe_apply: a fitted recipe turned into features, for frame rows (the
 * splits) and for raw CSV rows (predict), by the same rules. */
#ifndef FT_RECIPE_APPLY_H
#define FT_RECIPE_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "dataset.h"
#include "frame.h"
#include "recipe.h"
#include "target.h"
#include "util.h"

/* Transform frame rows into d (allocates d's X, B, slot, y, rows; w = NULL).
 * Columns are matched by name, so f need not be the frame it was fitted on.
 * On failure d is left empty. Cancellable as recipe_fit. */
int recipe_apply(const struct recipe *r, const struct frame *f,
		 const struct target_info *t, const size_t *rows, size_t n,
		 const struct ft_progress *prog, struct dataset *d, struct ft_err *err);

/* recipe_apply in two steps: d's arrays for n rows of r's features, then the rows[0..d->n) into them. recipe_dataset_touch writes
 * every page of an allocated d, so that the kernel's work of providing
 * fresh memory can be done ahead, on another thread. */
void recipe_dataset_alloc(const struct recipe *r, size_t n, struct dataset *d);
void recipe_dataset_touch(struct dataset *d);
int recipe_apply_into(const struct recipe *r, const struct frame *f,
		      const struct target_info *t, const size_t *rows,
		      const struct ft_progress *prog, struct dataset *d, struct ft_err *err);

/* One raw CSV row (fields by recipe input: fields[i] is the text of input i,
 * NULL or "" when absent) into x[0..nfeatures). Used by predict. */
struct recipe_row_ctx;   /* per-thread lookup state; create once per thread */
struct recipe_row_ctx *recipe_row_ctx_new(const struct recipe *r);   /* caller frees */
void recipe_row_ctx_free(struct recipe_row_ctx *c);
void recipe_apply_row(struct recipe_row_ctx *c, const char *const *fields,
		      const size_t *lens, float *x);

/* The number a raw cell of a numeric or datetime input stands for; false
 * when the text is not one (the recipe then imputes). A datetime input
 * reads dates in its training order (M/D/Y or D/M/Y) and, being
 * unambiguous, ISO 8601 as well. */
bool recipe_parse_value(const struct recipe_input *in, const char *s, size_t len,
			double *out);

#endif
