/* registry_fixture: a small hand-built model shared by the registry, model
 * and predict tests.
 *
 * Inputs: amount (numeric, median fill 50), card (categorical, one-hot,
 * levels credit and debit). Features: amount, card=credit, card=debit.
 * Tree (threshold 0.5):
 *   0: amount <= 100 ? 1 : 2
 *   1: leaf, counts 90/10            p = 0.1
 *   2: card=debit <= 0.5 ? 3 : 4
 *   3: leaf, counts 5/15             p = 0.75
 *   4: leaf, counts 10/0             p = 0
 * So amount > 100 with a card other than debit is fraud, all else not. */
#ifndef FT_REGISTRY_FIXTURE_H
#define FT_REGISTRY_FIXTURE_H

#include "recipe.h"
#include "tree.h"

/* Caller frees with recipe_free / tree_free. */
struct recipe *fixture_recipe(void);
struct tree *fixture_tree(void);
/* model_to_text of the two; caller frees. */
char *fixture_model_text(void);

#endif
