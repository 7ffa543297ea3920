/* tree: CART for a binary target over a float feature matrix.
 *
 * Split finding works on histograms of binned training data, built once per
 * fit. tree_params.max_bins M (2..65535): a feature with at most M distinct
 * values gets one bin per value, which makes the search exact (the splits
 * scikit-learn's exact search finds), one with more gets M quantile bins.
 * M = 0 is automatic: exact while a feature has at most 65535 distinct
 * values and the training set has fewer than 200,000 rows, else 256
 * quantile bins. Thresholds are real feature values midway between the
 * values of adjacent bins, so a row goes left when x <= threshold.
 * Same data + params = byte-identical model (no dependence on thread timing). */
#ifndef FT_TREE_H
#define FT_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "settings.h"
#include "util.h"

#define TREE_LEAF (-1)
/* Bins a uint8 column holds, and the most a uint16 column holds
 * (tree_params.max_bins at most TREE_MAX_BINS). */
#define TREE_NARROW_BINS 256
#define TREE_MAX_BINS 65535
/* tree_params.max_depth at most this. */
#define TREE_DEPTH_LIMIT 1000

struct tree_node {
	int32_t left, right;     /* child indices, TREE_LEAF for a leaf */
	int32_t feature;         /* split feature, -1 for a leaf */
	double threshold;        /* go left when x <= threshold */
	double value[2];         /* weighted class totals (negative, positive) */
	uint64_t count[2];       /* raw sample counts per class */
	double impurity;
	uint64_t samples;        /* count[0] + count[1] */
	int32_t depth;
	uint64_t real[2];        /* of count, the rows of the training split itself:
	                            what resampling added (synthetic or duplicated
	                            samples) is count - real */
};

struct tree {
	struct tree_node *nodes;     /* nodes[0] is the root */
	size_t nnodes;
	size_t nfeatures;
	char **feature_names;        /* owned copies, nfeatures of them */
	double *importance;          /* normalised impurity decrease, sums to 1 (or all 0) */
	struct tree_params params;
	/* A leaf's score is its fraud share in the rows it was grown on
	 * (resampled or weighted); its probability is that share with the
	 * odds multiplied by probability_odds, the training split's real
	 * prior odds over the grown-on ones (Dal Pozzolo et al. 2015). 1 when
	 * nothing was resampled, and then probability == score exactly. */
	double probability_odds;
};

/* Fit. Samples at index d->n - d->nsynthetic and beyond are counted as
 * synthetic (node.real leaves them out); probability_odds comes from
 * d->prior (else the real rows' class counts). Progress stage "train" reports training rows settled in finished
 * leaves, out of d->n. feature_names may be NULL ("x0", "x1"...). Rows
 * must be finite, labels 0/1, weights finite and >= 0. Returns a tree the
 * caller frees with tree_free, or NULL with err (FT_EINPUT for bad
 * parameters or data, FT_ECANCELLED when cancelled: checked per feature
 * and per block of rows while binning, searching and splitting a node, so
 * within a few milliseconds on a million rows). */
struct tree *tree_fit(const struct dataset *d, const char *const *feature_names,
		      const struct tree_params *p, const struct ft_progress *prog,
		      struct ft_err *err);
void tree_free(struct tree *t);

/* The same fit in two steps, for callers that fit many trees on one
 * training set (a tuning grid): bin the data once, then fit any number of
 * trees with that max_bins, from any number of threads at once. The bins
 * point into d, which must outlive them. tree_fit(d, ...) is exactly
 * tree_fit_binned(tree_bins_new(d, ...), ...). Caller frees the bins with
 * tree_bins_free, the trees with tree_free. */
struct tree_bins;
struct tree_bins *tree_bins_new(const struct dataset *d, const char *const *feature_names,
				int max_bins, int threads, const struct ft_progress *prog,
				struct ft_err *err);
struct tree *tree_fit_binned(const struct tree_bins *b, const char *const *feature_names,
			     const struct tree_params *p, const struct ft_progress *prog,
			     struct ft_err *err);
void tree_bins_free(struct tree_bins *b);

/* Check parameters before any work (libsvm's check_parameter): NULL or why. */
const char *tree_check_params(const struct tree_params *p);

/* Fraud probability of the leaf x falls into. x[j] = feature j. */
double tree_predict_row(const struct tree *t, const float *x);
/* Leaf node index for x. */
int32_t tree_leaf(const struct tree *t, const float *x);
/* Probabilities for all samples of d (column-major). proba has d->n slots. */
void tree_predict(const struct tree *t, const struct dataset *d, double *proba);
/* Node indices from the root to x's leaf; returns the full path length,
 * storing at most max entries. */
size_t tree_path(const struct tree *t, const float *x, int32_t *path, size_t max);

/* A node's score: value[1] / (value[0] + value[1]), the fraud share in
 * the (resampled or weighted) rows it was grown on. */
double tree_node_proba(const struct tree_node *n);
/* A node's probability: the score corrected to the real class prior
 * (t->probability_odds); equal to the score when that is 1. */
double tree_node_probability(const struct tree *t, const struct tree_node *n);
/* Set probability_odds from the training split's real class counts
 * (before any resampling): (pos / neg) / (root's value[1] / value[0]);
 * 1 when either side has no rows. */
void tree_set_prior(struct tree *t, uint64_t neg, uint64_t pos);
/* Scores and probabilities for all samples of d; either may be NULL. */
void tree_predict_both(const struct tree *t, const struct dataset *d, double *score,
		       double *prob);
/* One step of the minimal cost-complexity pruning path: after collapsing
 * node `node` (an index of t->nodes; -1 for the first step, the tree as
 * grown) at effective alpha `alpha`, the subtree's leaves hold total
 * impurity `impurity` (each leaf's impurity times its share of the
 * weighted root) in `leaves` leaves. */
struct tree_ccp_step {
	double alpha, impurity;
	int32_t node;
	size_t leaves;
};
/* The pruning path of t as scikit-learn's cost_complexity_pruning_path
 * gives it for the same tree: step 0 is alpha 0 and the tree itself, each
 * later step collapses the weakest link (lowest index on ties), the last
 * leaves the root alone. Alphas may repeat (nodes collapsing at the same
 * alpha) and, by rounding, dip a few ulps. *n steps (at least 1); caller
 * frees with free. tree.ccp_alpha = a prunes the grown tree to the
 * subtree after every step up to the first one whose alpha exceeds a. */
struct tree_ccp_step *tree_ccp_path(const struct tree *t, size_t *n);
int tree_depth(const struct tree *t);
/* Feature importances of nodes (normalised impurity decrease, summing to
 * 1, or all 0) into imp[0..nf-1]: what tree_fit stores, recomputed by
 * the JSON reader. */
void tree_importance(const struct tree_node *nodes, size_t nn, size_t nf, double *imp);
size_t tree_leaves(const struct tree *t);

#endif
