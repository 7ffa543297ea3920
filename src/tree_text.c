/* tree_text: the text forms of a tree: the indented sklearn-like listing
 * and one rule per leaf. Pure functions of the tree; each returns a
 * string the caller frees. */
#include "config.h"
#include "tree_text.h"

#include "condition.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Thresholds as the shortest decimal that reads back as the float the
 * tree compares with (condition_fmt_threshold): 0.805, never a rounded
 * 0.81 that a row's own value could sit on either side of. */
static void fmt_threshold(char buf[48], double v)
{
	condition_fmt_threshold(buf, v);
}

/* A name from the data (a feature, a class label) as a person reads it:
 * control characters made visible (ft_escape_controls), like every text
 * fraudtree shows. */
static void put_name(struct strbuf *sb, const char *name)
{
	if (!name)
		name = "";
	if (!ft_maybe_controls(name)) {
		sb_puts(sb, name);
		return;
	}
	char *safe = ft_escape_controls(name);
	sb_puts(sb, safe);
	free(safe);
}

/* A leaf's class is the one the model decides there: what its threshold
 * reads (the score, or the probability) against the threshold, as predict
 * does; not the majority of the rows it was grown on. */
static void leaf_label(struct strbuf *sb, const struct tree *t, const struct tree_node *nd,
		       const struct tree_decision *d, const char *pos, const char *neg)
{
	double p = tree_node_proba(nd), prob = tree_node_probability(t, nd);
	double reads = d->on == THRESHOLD_ON_PROBABILITY ? prob : p;
	bool fraud = reads >= d->threshold;
	put_name(sb, fraud ? pos : neg);
	sb_printf(sb, " (p=%.2f", fraud ? p : 1.0 - p);
	if (t->probability_odds != 1.0)
		sb_printf(sb, ", fraud probability %.3g", prob);
	uint64_t real = nd->real[0] + nd->real[1];
	sb_printf(sb, ", n=%" PRIu64, real);
	if (nd->samples > real)
		sb_printf(sb, " +%" PRIu64 " synthetic", nd->samples - real);
	sb_puts(sb, ")");
}

#define TEXT_MAX_INDENT 32

char *tree_export_text(const struct tree *t, const struct tree_decision *d,
		       const char *positive_name, const char *negative_name)
{
	struct strbuf sb = { 0 };
	struct item { int32_t node; int32_t depth; bool right; };
	struct item *stack = xmalloc(2 * t->nnodes * sizeof *stack);
	size_t sp = 0;
	char thr[48];

	stack[sp++] = (struct item){ 0, 0, false };
	while (sp) {
		struct item it = stack[--sp];
		const struct tree_node *nd = &t->nodes[it.node];
		/* Deep lines keep TEXT_MAX_INDENT bars and name their depth: the
		 * text grows with the tree, not with the tree times its depth. */
		int32_t bars = it.depth < TEXT_MAX_INDENT ? it.depth : TEXT_MAX_INDENT;
		for (int32_t k = 0; k < bars; k++)
			sb_puts(&sb, "|   ");
		if (it.depth > TEXT_MAX_INDENT)
			sb_printf(&sb, "[depth %d] ", (int)it.depth);
		if (nd->left == TREE_LEAF) {
			sb_puts(&sb, "|--- class: ");
			leaf_label(&sb, t, nd, d, positive_name, negative_name);
			sb_puts(&sb, "\n");
			continue;
		}
		fmt_threshold(thr, nd->threshold);
		sb_puts(&sb, "|--- ");
		put_name(&sb, t->feature_names[nd->feature]);
		sb_printf(&sb, " %s %s\n", it.right ? "> " : "<=", thr);
		if (it.right) {
			stack[sp++] = (struct item){ nd->right, it.depth + 1, false };
		} else {
			stack[sp++] = (struct item){ it.node, it.depth, true };
			stack[sp++] = (struct item){ nd->left, it.depth + 1, false };
		}
	}
	free(stack);
	if (!sb.data)
		sb_puts(&sb, "");
	return sb.data;
}

char *tree_export_rules(const struct tree *t, const struct tree_decision *d,
			const char *positive_name, const char *negative_name)
{
	size_t nn = t->nnodes, nf = t->nfeatures;
	int32_t *parent = xmalloc(nn * sizeof *parent);
	int32_t *path = xmalloc(nn * sizeof *path);
	double *lo = xmalloc(nf * sizeof *lo), *hi = xmalloc(nf * sizeof *hi);
	size_t *order = xmalloc(nf * sizeof *order);
	bool *seen = xcalloc(nf, sizeof *seen);
	struct strbuf sb = { 0 };
	char a[48], b[48];

	parent[0] = -1;
	for (size_t i = 0; i < nn; i++)
		if (t->nodes[i].left != TREE_LEAF) {
			parent[t->nodes[i].left] = (int32_t)i;
			parent[t->nodes[i].right] = (int32_t)i;
		}
	/* Leaves in preorder: walk the tree left first. */
	int32_t *stack = xmalloc(nn * sizeof *stack);
	size_t sp = 0;
	stack[sp++] = 0;
	while (sp) {
		int32_t leaf = stack[--sp];
		const struct tree_node *nd = &t->nodes[leaf];
		if (nd->left != TREE_LEAF) {
			stack[sp++] = nd->right;
			stack[sp++] = nd->left;
			continue;
		}
		size_t len = 0;
		for (int32_t i = leaf; i != -1; i = parent[i])
			path[len++] = i;
		/* Merge the conditions per feature: x > lo and x <= hi. */
		size_t nused = 0;
		for (size_t k = len; k-- > 1;) {
			const struct tree_node *pn = &t->nodes[path[k]];
			size_t j = (size_t)pn->feature;
			if (!seen[j]) {
				seen[j] = true;
				lo[j] = -INFINITY;
				hi[j] = INFINITY;
				order[nused++] = j;
			}
			if (pn->left == path[k - 1]) {
				if (pn->threshold < hi[j])
					hi[j] = pn->threshold;
			} else if (pn->threshold > lo[j]) {
				lo[j] = pn->threshold;
			}
		}
		sb_puts(&sb, nused ? "if " : "always ");
		for (size_t u = 0; u < nused; u++) {
			size_t j = order[u];
			const char *name = t->feature_names[j];
			if (u)
				sb_puts(&sb, " and ");
			fmt_threshold(a, lo[j]);
			fmt_threshold(b, hi[j]);
			if (isinf(lo[j])) {
				put_name(&sb, name);
				sb_printf(&sb, " <= %s", b);
			} else if (isinf(hi[j])) {
				put_name(&sb, name);
				sb_printf(&sb, " > %s", a);
			} else {
				sb_printf(&sb, "%s < ", a);
				put_name(&sb, name);
				sb_printf(&sb, " <= %s", b);
			}
			seen[j] = false;
		}
		sb_puts(&sb, nused ? " then " : "");
		leaf_label(&sb, t, nd, d, positive_name, negative_name);
		sb_puts(&sb, "\n");
	}
	free(stack);
	free(parent);
	free(path);
	free(lo);
	free(hi);
	free(order);
	free(seen);
	if (!sb.data)
		sb_puts(&sb, "");
	return sb.data;
}
