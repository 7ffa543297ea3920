/* tree_json: a fitted tree as JSON, written and read back exactly. */
#ifndef FT_TREE_JSON_H
#define FT_TREE_JSON_H

#include <stddef.h>

#include "tree.h"
#include "util.h"

/* JSON form (inside model.json): params, probability_odds, nfeatures,
 * feature_names, nodes (fixed key order, doubles via fmt_double; each node
 * with its real counts and probability; a file without them reads as all
 * real and uncorrected). tree_from_json validates
 * params, indices, cycles and shared children (each node reached once from
 * the root), leaves, features, finite thresholds, counts and depths, and
 * names the offending key ("model.json: tree.nodes[12].left: index 99 out
 * of range"); importances are recomputed from the nodes. The caller frees
 * the JSON with cJSON_Delete and the tree with tree_free. */
struct cJSON;
struct cJSON *tree_to_json(const struct tree *t);
struct tree *tree_from_json(const struct cJSON *j, size_t nfeatures,
			    const char *origin, struct ft_err *err);

#endif
