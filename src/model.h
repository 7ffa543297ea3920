/* model: a fitted recipe plus its tree and decision threshold, and the
 * model.json format that carries them (see fraudtree-registry(5)). Readers
 * never trust the file: model_parse validates every field. */
#ifndef FT_MODEL_H
#define FT_MODEL_H

#include "recipe.h"
#include "reference.h"
#include "tree.h"
#include "util.h"

#define MODEL_FORMAT_MAJOR 1
#define MODEL_FORMAT_MINOR 0

struct model {
	struct recipe *recipe;
	struct tree *tree;
	double threshold;
	enum threshold_on threshold_on;   /* what the threshold reads */
	struct reference *reference;      /* the training distributions; NULL in
	                                     files written before them */
};

/* Serialise (deterministic bytes for equal inputs); ref (may be NULL)
 * adds the "reference" distributions. Caller frees. */
char *model_to_text(const struct recipe *r, const struct tree *t, double threshold,
		    enum threshold_on on, const struct reference *ref);
/* The value model m's threshold reads for a leaf: its score or its
 * probability. */
double model_leaf_decision(const struct model *m, const struct tree_node *leaf);
/* Whether model m flags a row that lands in leaf: what its threshold
 * reads is at least the threshold. The one rule predict, the SQL, DOT and
 * JSON exports and the model card all decide by. */
bool model_leaf_flags(const struct model *m, const struct tree_node *leaf);
/* Parse and validate; origin names the file in errors. Caller frees with
 * model_free. */
struct model *model_parse(const char *text, const char *origin, struct ft_err *err);
struct model *model_load(const char *path, struct ft_err *err);
void model_free(struct model *m);

#endif
