/* vm_tree: what the Tree screen shows, computed without a terminal: the
 * foldable outline, split tests in the user's own column names and values,
 * search, the leaves worth jumping to, one rule per leaf, and a row's path. */
#ifndef FT_VM_TREE_H
#define FT_VM_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "dataset.h"
#include "recipe.h"
#include "tree.h"

/* Fold state of every node and the visible nodes in display order
 * (preorder, the "<=" child first). rows is valid after vm_outline_flatten. */
struct vm_outline {
	const struct tree *tree;
	int32_t *parent;      /* per node; -1 for the root */
	bool *open;           /* per node: children shown */
	int32_t *rows;        /* visible nodes */
	size_t nrows;
};

/* Only the root is visible at first (closed). Caller frees with
 * vm_outline_free; t must outlive the outline. */
struct vm_outline *vm_outline_new(const struct tree *t);
void vm_outline_free(struct vm_outline *o);
/* Rebuild rows from the fold state. */
void vm_outline_flatten(struct vm_outline *o);
/* Open every node shallower than depth (depth < 0: all), close the rest. */
void vm_outline_open_depth(struct vm_outline *o, int depth);
/* Open every ancestor of node so it becomes visible. */
void vm_outline_reveal(struct vm_outline *o, int32_t node);
/* Index of node in rows, or -1 when it is hidden. */
long vm_outline_row_of(const struct vm_outline *o, int32_t node);

/* The test a sample passed to reach node from parent, in column terms:
 * "TransactionAmt <= 412.5", "card_type = debit", "email is missing",
 * "ProductCD in {C, H}": condition_text's, so the Tree screen, explain
 * mode, predict --reasons, the exports and the model card say the same
 * thing. parent < 0 (the root) gives "all rows". recipe may be NULL: the
 * tree's feature names are used. */
void vm_node_rule(const struct tree *t, const struct recipe *r, int32_t parent,
		  int32_t node, char *buf, size_t size);
/* A feature value (the model's floats) as the shortest decimal that reads
 * back as the same float. */
void vm_format_float(float v, char *buf, size_t size);

/* Explain mode's reasons for a row whose features are x: every test on
 * its path that raised the fraud probability, most first, as
 * "R017 device_risk > 0.805 (+0.41)"; the first N are the codes and texts
 * predict --reasons N writes for the same row (condition_reasons, and
 * condition_text as model.json's reason_codes holds it). Returns how
 * many; caller frees each line and the array (vm_lines_free). r must be
 * the recipe the tree was grown on. */
size_t vm_explain_reasons(const struct tree *t, const struct recipe *r, const float *x,
			  char ***lines);

/* Nodes whose rule contains query (case-insensitive), in preorder over the
 * whole tree whatever is folded. out needs room for t->nnodes. */
size_t vm_tree_search(const struct tree *t, const struct recipe *r,
		      const char *query, int32_t *out);

/* The leaf with the most fraud samples (count[1]); ties go to the lower
 * index; -1 when the tree has no fraud at all. */
int32_t vm_leaf_most_frauds(const struct tree *t);
/* Misclassified samples of d per node (leaves only are nonzero; errors has
 * t->nnodes slots, may be NULL): a sample is wrong when
 * (proba >= threshold) differs from its label. Returns the leaf with the
 * most errors (ties to the lower index), or -1 when there are none. */
int32_t vm_leaf_errors(const struct tree *t, const struct dataset *d,
		       const double *proba, double threshold, uint64_t *errors);

/* The tree as indented text (export_text's layout), each branch in the
 * data's own terms with its exact threshold, each leaf's class at the
 * decision threshold, as the Tree screen shows them; one line per node,
 * control characters from the data escaped (ft_escape_controls). Caller
 * frees. */
char *vm_tree_text(const struct tree *t, const struct recipe *r, const char *positive,
		   const char *negative, double threshold);

/* One "if A and B then fraud (p=0.83, n=212)" line per leaf, in outline
 * order; the class follows threshold. Caller frees each line and the
 * array (vm_lines_free). */
char **vm_tree_rules(const struct tree *t, const struct recipe *r,
		     const char *positive, const char *negative,
		     double threshold, size_t *n);
void vm_lines_free(char **lines, size_t n);

/* Break text into lines of at most width characters (UTF-8 aware), at
 * spaces where possible; lines after the first start with indent spaces.
 * A word longer than a line is cut. Appends to *lines (growing *n; *cap
 * is the array's room). */
void vm_wrap(const char *text, int width, int indent, char ***lines, size_t *n,
	     size_t *cap);

/* What the row holds for feature j, as the user would read it: the raw
 * cell ("credit", "530.25", "missing", "NA (filled 412.00)") and, where the
 * tree sees something else, the feature value too ("2026-01-03 14:05 ->
 * hour 14"). f and r may be NULL: then only x is shown. */
void vm_row_value(const struct recipe *r, const struct frame *f, size_t row,
		  int32_t feature, float x, char *buf, size_t size);

/* Case-insensitive substring test shared by the screens' searches. */
bool vm_contains(const char *haystack, const char *needle);

#endif
