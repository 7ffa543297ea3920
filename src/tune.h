/* tune: grid search over tree.max_depth x tree.min_samples_split x
 * tree.min_samples_leaf. Each grid point is fitted on the training set and
 * scored on the validation set by settings.tune_objective. */
#ifndef FT_TUNE_H
#define FT_TUNE_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "prep.h"
#include "settings.h"
#include "tree.h"
#include "util.h"

/* One grid point and its score. */
struct tune_row {
	int max_depth;
	size_t min_samples_split, min_samples_leaf;
	double score;                    /* tune.objective on validation */
	struct metrics validation;
};

/* True when any tune.* list is non-empty. */
bool tune_wanted(const struct settings *s);

/* The grid searched when tuning is asked for and no tune.* list is set:
 * tune.max_depth 3,5,8,12 x tune.min_samples_split 2,20,100. Fills those
 * two lists when every tune.* list is empty; leaves s alone otherwise. */
void tune_default_grid(struct settings *s);

/* Number of grid points (a dimension whose list is empty contributes the
 * base tree setting alone). */
size_t tune_grid_size(const struct settings *s);

/* Fill p with grid point k (max_depth varies slowest, min_samples_leaf
 * fastest), starting from s->tree. */
void tune_grid_point(const struct settings *s, size_t k, struct tree_params *p);

/* Run the grid on `workers` threads (0: all cores), each tree fitted on one
 * thread. Rows come back in grid order whatever the thread timing; *best is
 * the first row with the best score (ties go to the earlier point; log_loss
 * and other lower-is-better objectives are minimised). Progress stage
 * "tune": points done / total. Returns the rows (caller frees with free) or
 * NULL with err: FT_EINPUT for a bad objective or grid value,
 * FT_ECANCELLED when cancelled. */
struct tune_row *tune_grid(const struct dataset *train,
			   const char *const *feature_names,
			   const struct dataset *validation,
			   const struct settings *s, int workers,
			   const struct ft_progress *prog, size_t *nrows,
			   size_t *best, struct ft_err *err);

/* The same grid on training data binned once (tree_bins_new with
 * s->tree.max_bins), shared read-only by every grid point's fit: equal
 * rows to tune_grid's, without binning the data once per point. */
struct tune_row *tune_grid_binned(const struct tree_bins *train,
				  const char *const *feature_names,
				  const struct dataset *validation,
				  const struct settings *s, int workers,
				  const struct ft_progress *prog, size_t *nrows,
				  size_t *best, struct ft_err *err);

/* The checks tune_grid makes before fitting anything (objective, every
 * grid point's parameters, a non-empty validation split), so a caller can
 * make them before preparing the data: 0, or -1 with err (FT_EINPUT). */
int tune_check(const struct settings *s, size_t nvalidation, struct ft_err *err);

#endif
