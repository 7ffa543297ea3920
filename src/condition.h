/* condition: what a split of a model's tree tests, said in the data's own
 * names and values ("device_risk > 0.805", "card_type = debit", "ProductCD
 * in {C, H}"), and the exact facts the exports need to reproduce it
 * outside fraudtree (the value a categorical feature takes per level, the
 * cut a double must be compared with to decide as the float feature does).
 *
 * Every value here comes from the engine's own recipe_apply_row and
 * tree rules, never from a second copy of them. */
#ifndef FT_CONDITION_H
#define FT_CONDITION_H

#include <stdbool.h>
#include <stddef.h>

#include "recipe.h"
#include "tree.h"

/* Per categorical input: the value feature `feature` takes for each level
 * (slots 0..nlevels-1), for a missing cell (slot nlevels) and for a
 * category unseen in training (slot nlevels + 1), as recipe_apply_row
 * computes them. NULL when the feature's input is not categorical.
 * Caller frees. */
float *condition_level_values(const struct recipe *r, const struct tree *t, size_t feature);

/* Features are floats: a raw number v goes left at a split with threshold
 * t when (float)v <= t. That is the same as v <= cut (strict false) or
 * v < cut (strict true) in double precision, for the cut returned here
 * (the midpoint between the largest float not above t and the next float,
 * with round-half-even deciding the tie). */
double condition_float_cut(double t, bool *strict);

/* The shortest decimal that reads back (as a float) as the largest float
 * not above t: the number a person compares a raw value with. */
void condition_fmt_threshold(char buf[32], double t);

/* The test at internal node `node` on the side a row takes (right: the
 * feature's value is above the threshold), in plain text. Caller frees. */
char *condition_text(const struct recipe *r, const struct tree *t, int32_t node, bool right);

/* Reason codes: every node but the root stands for the test on the edge
 * that reaches it, coded "R" and its node id in at least three digits
 * ("R017"), so a code never changes for a given model. */
void condition_code(char buf[16], int32_t node);

/* The table model.json carries: [{"code", "node", "text"}, ...] in node
 * order, text as condition_text gives it. Caller frees with cJSON_Delete. */
struct cJSON;
struct cJSON *condition_reasons_json(const struct recipe *r, const struct tree *t);

/* The codes of the at most n tests on x's path that raised the fraud
 * probability most (child's minus parent's, positive only; ties: nearer the
 * root first), in that order; returns how many. path (tree depth + 1
 * slots) is scratch. */
size_t condition_reasons(const struct recipe *r, const struct tree *t, const float *x, size_t n,
			 int32_t *path, size_t path_slots, int32_t *out);

#endif
