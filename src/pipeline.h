/* pipeline: the whole run (target, split, recipe fit, resample, tune, fit,
 * evaluate, gate) as one engine call shared by `fraudtree run` and the TUI. */
#ifndef FT_PIPELINE_H
#define FT_PIPELINE_H

#include "frame.h"
#include "metrics.h"
#include "dataset.h"
#include "explore.h"
#include "recipe.h"
#include "split.h"
#include "target.h"
#include "reference.h"
#include "settings.h"
#include "tree.h"
#include "tune.h"
#include "util.h"

enum split_id { SPLIT_TRAIN, SPLIT_VALIDATION, SPLIT_TEST, SPLIT_COUNT };

/* Class counts of each split before resampling, and of train after. */
struct split_counts {
	size_t before[SPLIT_COUNT][2];   /* [split][class] */
	/* a time split: the column, each split's first and last time as the
	 * column shows them, and the rows left out; time_col -1 otherwise */
	int time_col;
	char from[SPLIT_COUNT][40], to[SPLIT_COUNT][40];
	size_t no_time, in_gap;
	/* a stratified split of a file a time split could order: the
	 * datetime column it would use; -1 otherwise */
	int random_datetime_col;
	size_t train_after[2];
	double train_weight[2];          /* class weights in use (1 when none) */
};

enum pipeline_stage {
	STAGE_PREPARE, STAGE_TUNE, STAGE_TRAIN, STAGE_EVALUATE, STAGE_COUNT
};

struct threshold_cache;

struct pipeline_result {
	struct settings settings;        /* resolved: defaults filled, tuned params adopted */
	struct target_info target;
	struct split split;
	struct split_counts counts;
	struct recipe *recipe;
	struct tree *tree;
	struct reference *reference;     /* the training split's distributions */
	struct tune_row *tune; size_t ntune; size_t tune_best;
	struct tune_path ccp_path;       /* tune.ccp_alpha = path: n 0 otherwise */
	struct dataset validation, test; /* transformed, never resampled */
	/* Per row: what the threshold reads (the score, or with threshold.on =
	 * probability the probability), and the probability. */
	double *validation_proba, *test_proba;
	double *validation_probability, *test_probability;
	/* train: the real training rows the tree was grown on (synthetic
	 * samples left out), from the leaves' real counts. */
	struct metrics train_metrics, validation_metrics, test_metrics;
	struct curve roc, pr;            /* on test */
	struct gate_result gate;
	double seconds[STAGE_COUNT];
	char **notes; size_t nnotes;     /* what was decided for the user, one line each,
	                                    the leakage hints ("leakage hint: ...") included */
	const char **time_like;          /* per recipe input: why it looks time-like
	                                    (static, explore_time_like), or NULL */
	double *time_span;               /* per recipe input: a datetime's last time
	                                    minus its first, seconds; NAN otherwise */
	int *input_col;                  /* per recipe input: its frame column, -1 none */
	struct explore_hints row_order;  /* HINT_ROW_ORDER of the tree, col a frame
	                                    column: what the notes say, for the screens */
	struct threshold_cache *thresholds;   /* private to pipeline_set_threshold */
	int amount_col;                  /* frame column of amount.column, -1: none */
	struct amount_risk risk;         /* on test, at every distinct score */
	bool min_cost;                   /* the threshold was chosen by least cost */
	double cost_optimal_threshold;   /* least cost on validation, whatever is used */
	double min_cost_validation;      /* its cost on validation */
	struct metrics_bootstrap *test_bootstrap;   /* the test intervals' resamples */
};

/* Resamples of the test split's bootstrap; the seed is split.seed. */
#define PIPELINE_BOOTSTRAP_RESAMPLES 1000

/* Preview for the Prepare screen: class counts per split before and after
 * resampling, without fitting anything heavy. */
int pipeline_preview(const struct frame *f, const struct settings *s,
		     struct split_counts *out, struct ft_err *err);

/* Run everything. Progress stages: "prepare", "tune", "train", "evaluate". */
int pipeline_run(const struct frame *f, const struct settings *s,
		 const struct ft_progress *prog, struct pipeline_result *out,
		 struct ft_err *err);
void pipeline_result_free(struct pipeline_result *r);

/* pipeline_run for a caller that loaded f only for this run: the pipeline
 * takes f and frees it (frame_free) as soon as the three splits are
 * transformed, before resampling and training, so the frame and the
 * training matrix are never held together. f is freed whatever the
 * outcome; the result is the same as pipeline_run's. */
int pipeline_run_owned(struct frame *f, const struct settings *s,
		       const struct ft_progress *prog, struct pipeline_result *out,
		       struct ft_err *err);

/* Move the decision threshold: recompute both metric sets (their money
 * figures too) and the gate; a threshold set here is no longer "min_cost".
 * The scores are sorted once, on the first call; later calls cost a
 * binary search per split, whatever the number of rows. */
int pipeline_set_threshold(struct pipeline_result *r, double threshold, struct ft_err *err);

/* evaluation.json (the original pipeline's keys included); caller frees.
 * Holds nothing that varies between runs (no timings, no paths): equal
 * inputs give equal bytes. */
char *pipeline_report_json(const struct pipeline_result *r);

/* "prepare", "tune", "train", "evaluate". */
const char *pipeline_stage_name(enum pipeline_stage st);

/* Indices of the (at most max) features with the largest nonzero
 * importance, largest first, ties by lower index; returns how many. */
size_t pipeline_top_features(const struct tree *t, size_t *out, size_t max);

#endif
