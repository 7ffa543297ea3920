/* export_dot: the tree as Graphviz DOT, and the canonical JSON export.
 *
 * DOT: node ids are the tree's node ids (n0 is the root), so a leaf in the
 * picture is the fraud_leaf the SQL export and `predict --leaf` report.
 * Every text is escaped for a DOT quoted string; nothing the data holds
 * can end a string or inject an attribute. */
#include "config.h"
#include "export_dot.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "json.h"
#include "util.h"

static const char fraud_fill[] = "#f4c2c2";
static const char legit_fill[] = "#c9e7cb";
static const char inner_fill[] = "#ffffff";
static const char fold_fill[] = "#eeeeee";

/* Text inside a DOT "..." string: quotes and backslashes escaped, line
 * breaks become \n (DOT's own centred line break), every other control
 * character made visible (ft_escape_controls) as on a terminal. */
static void put_dot_line(struct strbuf *sb, const char *s);

static void put_dot_text(struct strbuf *sb, const char *s)
{
	for (;;) {
		const char *nl = strchr(s, '\n');
		char *line = nl ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
		char *safe = ft_escape_controls(line);
		put_dot_line(sb, safe);
		free(safe);
		free(line);
		if (!nl)
			break;
		sb_puts(sb, "\\n");
		s = nl + 1;
	}
}

static void put_dot_line(struct strbuf *sb, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char esc[2] = { '\\', *p };
			sb_append(sb, esc, 2);
		} else if (*p == '\n') {
			sb_puts(sb, "\\n");
		} else if (*p == '\r') {
			continue;
		} else {
			sb_append(sb, p, 1);
		}
	}
}

static void put_counts(struct strbuf *sb, const struct tree_node *nd)
{
	double share = nd->samples ? 100.0 * (double)nd->count[1] / (double)nd->samples : 0;
	sb_printf(sb, "%" PRIu64 " rows, %" PRIu64 " fraud (%.1f%%)", nd->samples, nd->count[1],
		  share);
}

struct fold {
	size_t splits, leaves;
};

static void fold_count(const struct tree *t, int32_t id, struct fold *f)
{
	const struct tree_node *nd = &t->nodes[id];
	if (nd->left == TREE_LEAF) {
		f->leaves++;
		return;
	}
	f->splits++;
	fold_count(t, nd->left, f);
	fold_count(t, nd->right, f);
}

static void put_node(struct strbuf *sb, const struct model *m, int32_t id, int depth,
		     int max_depth, const char *pos, const char *neg)
{
	const struct tree_node *nd = &m->tree->nodes[id];
	sb_printf(sb, "  n%d [label=\"", (int)id);
	if (nd->left == TREE_LEAF) {
		double p = tree_node_proba(nd);
		bool fraud = model_leaf_flags(m, nd);
		put_dot_text(sb, fraud ? pos : neg);
		sb_printf(sb, "\\np = %.3g\\n", p);
		put_counts(sb, nd);
		sb_printf(sb, "\\nleaf %d\", fillcolor=\"%s\"];\n", (int)id,
			  fraud ? fraud_fill : legit_fill);
		return;
	}
	if (max_depth >= 0 && depth >= max_depth) {
		struct fold f = { 0 };
		fold_count(m->tree, id, &f);
		sb_printf(sb, "%zu more split%s, %zu leaves\\n", f.splits, f.splits == 1 ? "" : "s",
			  f.leaves);
		put_counts(sb, nd);
		sb_printf(sb, "\", style=\"rounded,filled,dashed\", fillcolor=\"%s\"];\n", fold_fill);
		return;
	}
	put_counts(sb, nd);
	sb_printf(sb, "\", fillcolor=\"%s\"];\n", inner_fill);
	for (int side = 0; side < 2; side++) {
		int32_t child = side ? nd->right : nd->left;
		char *why = condition_text(m->recipe, m->tree, id, side == 1);
		sb_printf(sb, "  n%d -> n%d [label=\"", (int)id, (int)child);
		put_dot_text(sb, why);
		sb_puts(sb, "\"];\n");
		free(why);
	}
	put_node(sb, m, nd->left, depth + 1, max_depth, pos, neg);
	put_node(sb, m, nd->right, depth + 1, max_depth, pos, neg);
}

char *export_dot(const struct model *m, int max_depth, const char *title)
{
	struct strbuf sb = { 0 };
	const struct recipe *r = m->recipe;
	char *pos = xasprintf("%s = %s (fraud)", r->target, r->positive);
	char *neg = xasprintf("%s = %s", r->target, r->negative ? r->negative : "other");
	char thr[32];
	fmt_double(thr, m->threshold);
	sb_puts(&sb, "digraph fraudtree {\n  graph [label=\"");
	put_dot_text(&sb, title ? title : "fraudtree model");
	sb_printf(&sb, "\\nleaves with fraud %s >= %s predict fraud",
		  threshold_on_name(m->threshold_on), thr);
	sb_puts(&sb, "\", labelloc=t, fontname=\"Helvetica\"];\n"
		     "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n"
		     "  edge [fontname=\"Helvetica\", fontsize=10];\n");
	put_node(&sb, m, 0, 0, max_depth, pos, neg);
	sb_puts(&sb, "}\n");
	free(pos);
	free(neg);
	return sb.data;
}

char *export_json(const struct model *m)
{
	/* model.json's own bytes (numbers exact), not a reprint */
	char *text = model_to_text(m->recipe, m->tree, m->threshold, m->threshold_on, m->reference);
	size_t n = strlen(text);
	while (n && text[n - 1] == '\n')
		text[--n] = '\0';
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "format", "fraudtree-export");
	cJSON_AddStringToObject(j, "format_version", "1.0");
	cJSON_AddStringToObject(j, "schema", "fraudtree-registry(5), EXPORT JSON");
	cJSON_AddRawToObject(j, "model", text);
	free(text);
	/* The leaves as the SQL export and predict --leaf name them. */
	cJSON *leaves = cJSON_AddArrayToObject(j, "leaves");
	for (size_t i = 0; i < m->tree->nnodes; i++) {
		const struct tree_node *nd = &m->tree->nodes[i];
		if (nd->left != TREE_LEAF)
			continue;
		cJSON *l = cJSON_CreateObject();
		cJSON_AddNumberToObject(l, "node", (double)i);
		json_add_num(l, "fraud_score", tree_node_proba(nd));
		json_add_num(l, "fraud_probability", tree_node_probability(m->tree, nd));
		cJSON_AddNumberToObject(l, "prediction", model_leaf_flags(m, nd));
		cJSON_AddItemToArray(leaves, l);
	}
	char *p = cJSON_Print(j);
	cJSON_Delete(j);
	char *s = xasprintf("%s\n", p);
	cJSON_free(p);
	return s;
}
