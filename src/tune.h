/* tune: grid search over tree.max_depth x tree.min_samples_split x
 * tree.min_samples_leaf. Each grid point is fitted on the training set and
 * scored on the validation set by settings.tune_objective. */
#ifndef FT_TUNE_H
#define FT_TUNE_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "dataset.h"
#include "recipe.h"
#include "target.h"
#include "settings.h"
#include "tree.h"
#include "util.h"

/* One grid point and its score. */
struct tune_row {
	int max_depth;
	size_t min_samples_split, min_samples_leaf;
	double score;                    /* tune.objective on validation; with
	                                    tune.cv, its mean over the folds */
	double score_sd;                 /* tune.cv: sample sd over the folds
	                                    (0 with one split or one fold scored) */
	int folds;                       /* folds scored (0: the validation split) */
	struct metrics validation;       /* tune.cv: the last fold's figures */
};

/* True when any tune.* list is non-empty. */
bool tune_wanted(const struct settings *s);

/* The grid searched when tuning is asked for and no tune.* list is set:
 * tune.max_depth 3,5,8,12 x tune.min_samples_split 2,20,100. Fills those
 * two lists when every tune.* list is empty and tune.ccp_alpha is none
 * (the pruning path is tuning enough); leaves s alone otherwise. */
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

/* Stratified k-fold assignment of n labelled samples: within each class
 * the samples are shuffled with `seed` and dealt to folds 0..k-1 in turn,
 * so every fold holds floor or ceil of each class's n/k. fold[i] gets
 * sample i's fold. Deterministic in (y, n, k, seed). */
void tune_cv_folds(const uint8_t *y, size_t n, int k, uint64_t seed, unsigned *fold);

/* Fold `k` of a cross-validation over frame rows rows[0..n) with fold
 * assignment fold[0..n): the recipe is fitted on the rows of the other
 * folds only (*recipe, caller frees), applied to them (train, then
 * resampled as settings ask) and to the held-out rows (held, never
 * resampled). 0, or -1 with err and nothing left allocated. */
int tune_cv_fold_data(const struct frame *f, const struct target_info *t,
		      const struct settings *s, const size_t *rows, const unsigned *fold,
		      size_t n, unsigned k, const struct ft_progress *prog,
		      struct recipe **recipe, struct dataset *train, struct dataset *held,
		      struct ft_err *err);

/* The grid scored by stratified s->tune_cv-fold cross-validation over
 * frame rows rows[0..n) (train + validation, with labels in t): each
 * fold's recipe fitted and resampling done on its training folds, every
 * grid point fitted there and scored on the held-out fold. Rows come back
 * in grid order with the mean and sd of the objective over the folds;
 * *best is the first row with the best mean. Progress stage "tune": fits
 * done / folds x points. Errors as tune_grid (FT_EINPUT when a class has
 * fewer rows than folds). */
struct tune_row *tune_grid_cv(const struct frame *f, const struct target_info *t,
			      const size_t *rows, size_t n, const struct settings *s,
			      int workers, const struct ft_progress *prog, size_t *nrows,
			      size_t *best, struct ft_err *err);

/* ---- tune.ccp_alpha = path --------------------------------------------- */

/* Resamples of the bootstrap that gives a subtree's standard error on the
 * validation split (tune.cv = 0). */
#define TUNE_PATH_RESAMPLES 1000

/* One subtree of the cost-complexity pruning path of the tree grown on
 * the training split with the (tuned) tree parameters and no pruning. */
struct tune_alpha {
	double alpha;        /* the smallest tree.ccp_alpha that prunes to it */
	double impurity;     /* its leaves' total impurity, as sklearn's path's */
	size_t leaves;
	double score;        /* tune.objective on validation, or its mean over the folds */
	double score_se;     /* its standard error: with tune.cv the folds' sd over
	                        sqrt(folds); on validation its standard deviation
	                        (Wilson or bootstrap); NAN when it has none */
	int folds;           /* folds scored (0: the validation split) */
};

struct tune_path {
	struct tune_alpha *rows; size_t n;   /* increasing alpha; rows[0] is alpha 0 */
	size_t best;         /* the best score (ties: the smaller alpha) */
	size_t chosen;       /* the largest alpha within one standard error of the best */
	bool has_se;         /* some row has a standard error */
};
void tune_path_free(struct tune_path *p);

/* The table of t's pruning path (tree_ccp_path): one row per distinct
 * subtree, each with the running maximum of the path's alphas, so that
 * tree.ccp_alpha = row.alpha prunes t's grown tree to exactly that
 * subtree; the first row is t itself at alpha 0 (which prunes nothing),
 * steps that gain nothing (alpha <= 0) join the first positive row (or,
 * when none follows, get the least positive double); scores NAN. Caller
 * frees with free. */
struct tune_alpha *tune_path_table(const struct tree *t, size_t *n);

/* tune.ccp_alpha = path on the validation split: the path of the tree
 * grown on train (with s->tree, ccp_alpha 0), each subtree scored on
 * validation with its standard error; chosen by the one-SE rule.
 * 0, or -1 with err (as tune_check; FT_ECANCELLED). Free with
 * tune_path_free. */
int tune_path(const struct tree_bins *train, const char *const *feature_names,
	      const struct dataset *validation, const struct settings *s, int workers,
	      const struct ft_progress *prog, struct tune_path *out, struct ft_err *err);

/* The same path scored by stratified s->tune_cv-fold cross-validation over
 * frame rows rows[0..n) (the folds of tune_grid_cv): each fold's tree is
 * grown on its training folds (recipe and resampling there) and pruned at
 * the geometric mean of a subtree's alpha and the next one's (the last at
 * infinity, the root alone), as rpart does; score is the mean over the
 * folds, score_se the folds' sd over sqrt(folds). Errors as tune_grid_cv. */
int tune_path_cv(const struct tree_bins *train, const char *const *feature_names,
		 const struct frame *f, const struct target_info *t, const size_t *rows,
		 size_t n, const struct settings *s, int workers,
		 const struct ft_progress *prog, struct tune_path *out, struct ft_err *err);

#endif
