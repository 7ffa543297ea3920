/* export_dot: a model's tree as a Graphviz digraph a stakeholder can read,
 * and as the canonical JSON document the other exports are made from. */
#ifndef FT_EXPORT_DOT_H
#define FT_EXPORT_DOT_H

#include "model.h"

/* Nodes deeper than max_depth (-1: none) fold into one summary node per
 * cut subtree. `title` (may be NULL) labels the graph. Each edge carries
 * the test in the data's names and values (condition_text), each node its
 * training rows, fraud rows and share; leaves are filled by the class
 * they predict. Caller frees. */
char *export_dot(const struct model *m, int max_depth, const char *title);

/* model.json's recipe, tree and threshold, plus the reason-code table
 * (fraudtree-registry(5), "Export JSON"). Caller frees. */
char *export_json(const struct model *m);

#endif
