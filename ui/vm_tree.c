/* vm_tree: the Tree screen's logic, kept free of curses so it can be tested.
 *
 * Invariants: an outline's arrays have tree->nnodes slots; rows holds only
 * nodes whose every ancestor is open, in preorder with the "<=" (left)
 * child first, which is also the order of search results and rules. */
#include "config.h"
#include "vm_tree.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "util.h"

struct vm_outline *vm_outline_new(const struct tree *t)
{
	struct vm_outline *o = xcalloc(1, sizeof *o);
	size_t n = t->nnodes;

	o->tree = t;
	o->parent = xmalloc((n ? n : 1) * sizeof *o->parent);
	o->open = xcalloc(n ? n : 1, sizeof *o->open);
	o->rows = xmalloc((n ? n : 1) * sizeof *o->rows);
	for (size_t i = 0; i < n; i++)
		o->parent[i] = -1;
	for (size_t i = 0; i < n; i++) {
		const struct tree_node *nd = &t->nodes[i];
		if (nd->left != TREE_LEAF && (size_t)nd->left < n)
			o->parent[nd->left] = (int32_t)i;
		if (nd->right != TREE_LEAF && (size_t)nd->right < n)
			o->parent[nd->right] = (int32_t)i;
	}
	vm_outline_flatten(o);
	return o;
}

void vm_outline_free(struct vm_outline *o)
{
	if (!o)
		return;
	free(o->parent);
	free(o->open);
	free(o->rows);
	free(o);
}

static bool is_leaf(const struct tree *t, int32_t i)
{
	return t->nodes[i].left == TREE_LEAF || t->nodes[i].right == TREE_LEAF;
}

/* Preorder walk with an explicit stack (trees may be deep); calls visit for
 * every node, descending into closed nodes only when open is NULL. */
static void walk(const struct tree *t, const bool *open,
		 void (*visit)(void *ctx, int32_t node), void *ctx)
{
	if (!t->nnodes)
		return;
	int32_t *stack = xmalloc(t->nnodes * sizeof *stack);
	size_t top = 0;

	stack[top++] = 0;
	while (top) {
		int32_t i = stack[--top];
		visit(ctx, i);
		if (is_leaf(t, i) || (open && !open[i]))
			continue;
		/* Right pushed first so the left child comes out first. */
		if (top + 2 <= t->nnodes) {
			stack[top++] = t->nodes[i].right;
			stack[top++] = t->nodes[i].left;
		}
	}
	free(stack);
}

static void add_row(void *ctx, int32_t node)
{
	struct vm_outline *o = ctx;
	o->rows[o->nrows++] = node;
}

void vm_outline_flatten(struct vm_outline *o)
{
	o->nrows = 0;
	walk(o->tree, o->open, add_row, o);
}

void vm_outline_open_depth(struct vm_outline *o, int depth)
{
	for (size_t i = 0; i < o->tree->nnodes; i++)
		o->open[i] = !is_leaf(o->tree, (int32_t)i) &&
			(depth < 0 || o->tree->nodes[i].depth < depth);
	vm_outline_flatten(o);
}

void vm_outline_reveal(struct vm_outline *o, int32_t node)
{
	if (node < 0 || (size_t)node >= o->tree->nnodes)
		return;
	for (int32_t p = o->parent[node]; p >= 0; p = o->parent[p])
		o->open[p] = true;
	vm_outline_flatten(o);
}

long vm_outline_row_of(const struct vm_outline *o, int32_t node)
{
	for (size_t i = 0; i < o->nrows; i++)
		if (o->rows[i] == node)
			return (long)i;
	return -1;
}

void vm_format_float(float v, char *buf, size_t size)
{
	/* plain decimals while they stay short (450, 10.5, 0.695), else the
	 * shortest %g (1e-07, 3.4e+38) */
	double a = fabs((double)v);
	if (v == 0 || (a >= 1e-4 && a < 1e15)) {
		for (int dec = 0; dec <= 9; dec++) {
			int n = snprintf(buf, size, "%.*f", dec, (double)v);
			if (n > 16)
				break;
			if (strtof(buf, NULL) == v)
				return;
		}
	}
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(buf, size, "%.*g", prec, (double)v);
		if (strtof(buf, NULL) == v)
			return;
	}
}

void vm_node_rule(const struct tree *t, const struct recipe *r, int32_t parent,
		  int32_t node, char *buf, size_t size)
{
	if (parent < 0 || (size_t)parent >= t->nnodes) {
		snprintf(buf, size, "all rows");
		return;
	}
	const struct tree_node *p = &t->nodes[parent];
	bool right = p->right == node;
	int32_t j = p->feature;
	if (r && j >= 0 && (size_t)j < r->nfeatures && r->features[j].input < r->ninputs) {
		/* the text predict --reasons, the exports and the card use */
		char *text = condition_text(r, t, parent, right);
		snprintf(buf, size, "%s", text);
		free(text);
		return;
	}
	char val[32];
	condition_fmt_threshold(val, p->threshold);
	if (j >= 0 && (size_t)j < t->nfeatures && t->feature_names)
		snprintf(buf, size, "%s %s %s", t->feature_names[j], right ? ">" : "<=", val);
	else
		snprintf(buf, size, "x[%d] %s %s", (int)j, right ? ">" : "<=", val);
}

size_t vm_explain_reasons(const struct tree *t, const struct recipe *r, const float *x,
			  char ***lines)
{
	*lines = NULL;
	if (!t->nnodes)
		return 0;
	size_t slots = (size_t)tree_depth(t) + 1;
	int32_t *path = xcalloc(slots, sizeof *path), *codes = xcalloc(slots, sizeof *codes);
	size_t n = condition_reasons(r, t, x, slots, path, slots, codes);
	int32_t *parent = xcalloc(t->nnodes, sizeof *parent);
	for (size_t i = 0; i < t->nnodes; i++)
		parent[i] = -1;
	for (size_t i = 0; i < t->nnodes; i++)
		if (!is_leaf(t, (int32_t)i)) {
			parent[t->nodes[i].left] = (int32_t)i;
			parent[t->nodes[i].right] = (int32_t)i;
		}
	*lines = xcalloc(n + 1, sizeof **lines);
	for (size_t k = 0; k < n; k++) {
		int32_t node = codes[k], up = parent[node];
		char code[16];
		condition_code(code, node);
		char *text = condition_text(r, t, up, t->nodes[up].right == node);
		double gain = tree_node_proba(&t->nodes[node]) - tree_node_proba(&t->nodes[up]);
		(*lines)[k] = xasprintf("%s %s (+%.2f)", code, text, gain);
		free(text);
	}
	free(parent);
	free(codes);
	free(path);
	return n;
}

bool vm_contains(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	if (!n)
		return true;
	for (const char *h = haystack; *h; h++) {
		size_t k = 0;
		while (k < n && h[k] &&
		       tolower((unsigned char)h[k]) == tolower((unsigned char)needle[k]))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

struct search_ctx {
	const struct tree *t;
	const struct recipe *r;
	const char *query;
	const int32_t *parent;
	int32_t *out;
	size_t n;
};

static void search_visit(void *ctx, int32_t node)
{
	struct search_ctx *s = ctx;
	char rule[256];

	if (s->parent[node] < 0)
		return;
	vm_node_rule(s->t, s->r, s->parent[node], node, rule, sizeof rule);
	if (vm_contains(rule, s->query))
		s->out[s->n++] = node;
}

size_t vm_tree_search(const struct tree *t, const struct recipe *r,
		      const char *query, int32_t *out)
{
	if (!t->nnodes || !query || !*query)
		return 0;
	struct vm_outline *o = vm_outline_new(t);
	struct search_ctx s = { t, r, query, o->parent, out, 0 };

	walk(t, NULL, search_visit, &s);
	vm_outline_free(o);
	return s.n;
}

int32_t vm_leaf_most_frauds(const struct tree *t)
{
	int32_t best = -1;

	for (size_t i = 0; i < t->nnodes; i++) {
		if (!is_leaf(t, (int32_t)i) || !t->nodes[i].real[1])
			continue;
		if (best < 0 || t->nodes[i].real[1] > t->nodes[best].real[1])
			best = (int32_t)i;
	}
	return best;
}

int32_t vm_leaf_errors(const struct tree *t, const struct dataset *d,
		       const double *proba, double threshold, uint64_t *errors)
{
	uint64_t *err = errors ? errors : xmalloc((t->nnodes ? t->nnodes : 1) * sizeof *err);
	float *x = xmalloc((d->nfeatures ? d->nfeatures : 1) * sizeof *x);
	int32_t best = -1;

	memset(err, 0, t->nnodes * sizeof *err);
	for (size_t i = 0; i < d->n; i++) {
		if ((proba[i] >= threshold) == (d->y[i] != 0))
			continue;
		for (size_t j = 0; j < d->nfeatures; j++)
			x[j] = dataset_x(d, j, dataset_row(d, i));
		int32_t leaf = tree_leaf(t, x);
		if (leaf >= 0 && (size_t)leaf < t->nnodes)
			err[leaf]++;
	}
	for (size_t i = 0; i < t->nnodes; i++)
		if (err[i] && (best < 0 || err[i] > err[best]))
			best = (int32_t)i;
	free(x);
	if (!errors)
		free(err);
	return best;
}

struct rules_ctx {
	const struct tree *t;
	const struct recipe *r;
	const char *positive, *negative;
	double threshold;
	int32_t *path;          /* path[d] = node at depth d of the current walk */
	char **lines;
	size_t n;
};

/* Whether step k of the path (the test from path[k-1] to path[k]) says
 * nothing another step does not: the same feature tested the same way with
 * a bound at least as tight ("x <= 600 and x <= 450" reads "x <= 450"). On
 * a tie the later step stands. */
static bool implied(const struct tree *t, const int32_t *path, size_t depth, size_t k)
{
	const struct tree_node *pk = &t->nodes[path[k - 1]];
	bool left_k = pk->left == path[k];
	for (size_t j = 1; j <= depth; j++) {
		const struct tree_node *pj = &t->nodes[path[j - 1]];
		if (j == k || pj->feature != pk->feature || (pj->left == path[j]) != left_k)
			continue;
		bool tighter = left_k ? pj->threshold < pk->threshold : pj->threshold > pk->threshold;
		if (tighter || (pj->threshold == pk->threshold && j > k))
			return true;
	}
	return false;
}

/* Recursion is bounded by the tree's depth, which the model format caps;
 * the explicit path array keeps the conditions in root-to-leaf order. */
static void rules_walk(struct rules_ctx *c, int32_t node, size_t depth)
{
	const struct tree *t = c->t;

	c->path[depth] = node;
	if (!is_leaf(t, node)) {
		if (depth + 1 < t->nnodes) {
			rules_walk(c, t->nodes[node].left, depth + 1);
			rules_walk(c, t->nodes[node].right, depth + 1);
		}
		return;
	}
	struct strbuf sb = { 0 };
	const struct tree_node *leaf = &t->nodes[node];
	double p = tree_node_proba(leaf);
	char rule[256];

	bool first = true;
	for (size_t k = 1; k <= depth; k++) {
		if (implied(t, c->path, depth, k))
			continue;
		vm_node_rule(t, c->r, c->path[k - 1], c->path[k], rule, sizeof rule);
		sb_printf(&sb, "%s%s", first ? "if " : " and ", rule);
		first = false;
	}
	sb_printf(&sb, "%sthen %s (p=%.2f, n=%llu)", depth ? " " : "always: ",
		  p >= c->threshold ? c->positive : c->negative, p,
		  (unsigned long long)leaf->samples);
	c->lines[c->n++] = sb.data;
}

char **vm_tree_rules(const struct tree *t, const struct recipe *r,
		     const char *positive, const char *negative,
		     double threshold, size_t *n)
{
	*n = 0;
	if (!t->nnodes)
		return NULL;
	struct rules_ctx c = {
		t, r, positive ? positive : "fraud", negative ? negative : "legit",
		threshold, xmalloc(t->nnodes * sizeof *c.path),
		xmalloc(t->nnodes * sizeof *c.lines), 0
	};
	rules_walk(&c, 0, 0);
	free(c.path);
	*n = c.n;
	return c.lines;
}

void vm_lines_free(char **lines, size_t n)
{
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Bytes of s that hold its first n characters (or all of s). */
static size_t bytes_for(const char *s, int n)
{
	size_t i = 0;
	int c = 0;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (c == n)
			break;
		c++;
	}
	return i;
}

void vm_wrap(const char *text, int width, int indent, char ***lines, size_t *n,
	     size_t *cap)
{
	if (indent < 0 || indent >= width)
		indent = 0;
	const char *p = text;
	bool first = true;
	do {
		int room = first ? width : width - indent;
		if (room < 1)
			room = 1;
		size_t take = bytes_for(p, room);
		if (p[take]) {
			/* Prefer the last space that fits; a single long word is cut. */
			size_t sp = take;
			while (sp > 0 && p[sp] != ' ')
				sp--;
			if (sp > 0)
				take = sp;
		}
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*lines = xreallocarray(*lines, *cap, sizeof **lines);
		}
		(*lines)[(*n)++] = xasprintf("%*s%.*s", first ? 0 : indent, "", (int)take, p);
		p += take;
		while (*p == ' ')
			p++;
		first = false;
	} while (*p);
}

static const char *dt_part_name(enum feature_kind k)
{
	switch (k) {
	case FEAT_DT_HOUR: return "hour";
	case FEAT_DT_DAY_OF_WEEK: return "day of week";
	case FEAT_DT_DAY: return "day";
	case FEAT_DT_MONTH: return "month";
	default: return NULL;
	}
}

void vm_row_value(const struct recipe *r, const struct frame *f, size_t row,
		  int32_t feature, float x, char *buf, size_t size)
{
	char xs[64];

	vm_format_float(x, xs, sizeof xs);
	if (!r || !f || feature < 0 || (size_t)feature >= r->nfeatures ||
	    row >= f->nrows || r->features[feature].input >= r->ninputs) {
		snprintf(buf, size, "%s", xs);
		return;
	}
	const struct feature *ft = &r->features[feature];
	int col = frame_find(f, r->inputs[ft->input].name);
	if (col < 0) {
		snprintf(buf, size, "%s", xs);
		return;
	}
	bool missing = frame_is_missing(f, (size_t)col, row);
	char raw[128];
	if (missing)
		snprintf(raw, sizeof raw, "missing");
	else
		frame_cell_text(f, (size_t)col, row, raw, sizeof raw);

	switch (ft->kind) {
	case FEAT_NUMERIC:
		if (missing)
			snprintf(buf, size, "NA (filled %s)", xs);
		else
			snprintf(buf, size, "%s", raw);
		break;
	case FEAT_FREQUENCY:
		snprintf(buf, size, "%s (seen %.0f times in training)", raw, (double)x);
		break;
	case FEAT_DT_HOUR:
	case FEAT_DT_DAY_OF_WEEK:
	case FEAT_DT_DAY:
	case FEAT_DT_MONTH:
		snprintf(buf, size, "%s -> %s %.0f", raw, dt_part_name(ft->kind), (double)x);
		break;
	case FEAT_ONEHOT:
	case FEAT_ORDINAL:
	case FEAT_MISSING:
		snprintf(buf, size, "%s", raw);
		break;
	}
}

char *vm_tree_text(const struct tree *t, const struct recipe *r, const char *positive,
		   const char *negative, double threshold)
{
	struct strbuf sb = { 0 };
	sb_append(&sb, "", 0);
	if (!t || !t->nnodes)
		return sb.data;
	struct item { int32_t node, parent, depth; };
	struct item *stack = xmalloc((t->nnodes + 1) * sizeof *stack);
	size_t sp = 0;
	char rule[512];
	const struct tree_node *root = &t->nodes[0];
	if (root->left == TREE_LEAF) {
		double p = tree_node_proba(root);
		char *shown = ft_escape_controls(p >= threshold ? positive : negative);
		sb_printf(&sb, "class: %s (p=%.2f, n=%llu)\n", shown, p,
			  (unsigned long long)root->samples);
		free(shown);
		free(stack);
		return sb.data;
	}
	stack[sp++] = (struct item){ root->right, 0, 0 };
	stack[sp++] = (struct item){ root->left, 0, 0 };
	while (sp) {
		struct item it = stack[--sp];
		const struct tree_node *nd = &t->nodes[it.node];
		for (int32_t k = 0; k < it.depth; k++)
			sb_puts(&sb, "|   ");
		/* one line per node: names, values and labels from the data
		 * show their line breaks and escapes escaped */
		vm_node_rule(t, r, it.parent, it.node, rule, sizeof rule);
		char *shown = ft_escape_controls(rule);
		sb_printf(&sb, "|--- %s\n", shown);
		free(shown);
		if (nd->left == TREE_LEAF) {
			double p = tree_node_proba(nd);
			for (int32_t k = 0; k <= it.depth; k++)
				sb_puts(&sb, "|   ");
			shown = ft_escape_controls(p >= threshold ? positive : negative);
			sb_printf(&sb, "|--- class: %s (p=%.2f, n=%llu)\n", shown, p,
				  (unsigned long long)nd->samples);
			free(shown);
			continue;
		}
		stack[sp++] = (struct item){ nd->right, it.node, it.depth + 1 };
		stack[sp++] = (struct item){ nd->left, it.node, it.depth + 1 };
	}
	free(stack);
	return sb.data;
}
