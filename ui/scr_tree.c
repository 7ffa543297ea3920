/* scr_tree: the Tree screen. A foldable outline of the trained tree with
 * each split in the user's column names and values, samples, fraud share
 * and impurity; search; jumps to the leaf with the most frauds or the most
 * test errors; a rules view (one if/then line per leaf), a feature
 * importance chart; and explain mode, which follows one frame row from the
 * root to its leaf showing the row's own value at every test.
 *
 * Invariants: the outline, search matches, error counts and explained path
 * belong to the result recorded in the state and are dropped when a new
 * training replaces it. The cursor indexes outline->rows and is clamped
 * after every fold change. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "prompt.h"
#include "recipe_apply.h"
#include "screen.h"
#include "term.h"
#include "tree.h"
#include "util.h"
#include "view.h"
#include "vm_eval.h"
#include "vm_tree.h"

enum tree_view { VIEW_OUTLINE, VIEW_RULES, VIEW_IMPORTANCE };

struct tree_state {
	int indent_step, indent_base;   /* outline: columns a level, first level indented */
	/* The result everything below belongs to. */
	const struct pipeline_result *result;
	const struct tree *tree;
	double stamp;

	struct vm_outline *outline;
	size_t cur, top;
	int page;                      /* body rows visible at the last draw */
	enum tree_view view;
	size_t scroll;                 /* rules / importance views */
	int expand_depth;              /* last depth `e` opened to; -1 = all */

	/* Rules view: one rule per leaf, wrapped to the window's width. */
	char **rules; size_t nrules;          /* display lines */
	size_t nleaf_rules;
	bool *rule_fraud;                     /* per display line: its leaf says fraud */
	double rules_threshold;
	int rules_width;

	char query[128];
	int32_t *matches; size_t nmatches, match;

	uint64_t *errors;              /* test errors per node */
	double errors_threshold;
	bool errors_valid;
	int32_t worst_leaf;            /* most test errors, -1 when none */

	/* Explain mode: a->explain_row's path. */
	int explain_row;               /* -1: none */
	bool *on_path;                 /* per node */
	float *x;                      /* the row's features */
	int32_t leaf;
	double proba;
	char **reasons; size_t nreasons;   /* vm_explain_reasons of x */
	char explain_error[sizeof ((struct ft_err *)0)->msg];
};

static void drop_explain(struct tree_state *s)
{
	free(s->on_path);
	free(s->x);
	s->on_path = NULL;
	s->x = NULL;
	vm_lines_free(s->reasons, s->nreasons);
	s->reasons = NULL;
	s->nreasons = 0;
	s->explain_row = -1;
	s->leaf = -1;
	s->explain_error[0] = '\0';
}

static void drop_caches(struct tree_state *s)
{
	vm_outline_free(s->outline);
	s->outline = NULL;
	vm_lines_free(s->rules, s->nrules);
	s->rules = NULL;
	s->nrules = 0;
	free(s->rule_fraud);
	s->rule_fraud = NULL;
	free(s->matches);
	s->matches = NULL;
	s->nmatches = s->match = 0;
	free(s->errors);
	s->errors = NULL;
	s->errors_valid = false;
	drop_explain(s);
	s->cur = s->top = s->scroll = 0;
	s->result = NULL;
	s->tree = NULL;
}

static double threshold_of(const struct pipeline_result *r)
{
	return r->test_metrics.threshold;
}

/* What the threshold reads for a node: its score or its probability. */
static double decision_of(const struct pipeline_result *r, const struct tree_node *nd)
{
	return r->settings.threshold_on == THRESHOLD_ON_PROBABILITY ?
		tree_node_probability(r->tree, nd) : tree_node_proba(nd);
}

static uint64_t real_rows(const struct tree_node *nd)
{
	return nd->real[0] + nd->real[1];
}

static void clamp_cursor(struct tree_state *s)
{
	if (s->cur >= s->outline->nrows)
		s->cur = s->outline->nrows ? s->outline->nrows - 1 : 0;
}

static void go_to_node(struct tree_state *s, int32_t node)
{
	vm_outline_reveal(s->outline, node);
	long row = vm_outline_row_of(s->outline, node);
	if (row >= 0)
		s->cur = (size_t)row;
	s->view = VIEW_OUTLINE;
}

/* Follow a->explain_row through the tree: the recipe transforms that one
 * frame row exactly as it transformed the test split. */
static void compute_explain(struct tree_state *s, struct app *a)
{
	const struct pipeline_result *r = a->result;
	const struct tree *t = r->tree;
	drop_explain(s);
	s->explain_row = a->explain_row;
	if (!a->frame || a->explain_row < 0 || (size_t)a->explain_row >= a->frame->nrows) {
		snprintf(s->explain_error, sizeof s->explain_error,
			 "row #%d is not in the data (1..%zu)", a->explain_row + 1,
			 a->frame ? a->frame->nrows : 0);
		return;
	}
	size_t row = (size_t)a->explain_row;
	struct dataset d = { 0 };
	struct ft_err err;
	ft_err_clear(&err);
	if (recipe_apply(r->recipe, a->frame, &r->target, &row, 1, NULL, &d, &err)) {
		snprintf(s->explain_error, sizeof s->explain_error, "%s", err.msg);
		return;
	}
	if (d.n != 1 || d.nfeatures != t->nfeatures) {
		snprintf(s->explain_error, sizeof s->explain_error,
			 "row #%zu cannot be transformed for this tree", row + 1);
		dataset_free(&d);
		return;
	}
	s->x = xcalloc(d.nfeatures ? d.nfeatures : 1, sizeof *s->x);
	s->on_path = xcalloc(t->nnodes ? t->nnodes : 1, sizeof *s->on_path);
	int32_t *path = xcalloc(t->nnodes ? t->nnodes : 1, sizeof *path);
	for (size_t j = 0; j < d.nfeatures; j++)
		s->x[j] = dataset_x(&d, j, 0);
	dataset_free(&d);
	size_t n = tree_path(t, s->x, path, t->nnodes);
	for (size_t i = 0; i < n; i++)
		if (path[i] >= 0 && (size_t)path[i] < t->nnodes)
			s->on_path[path[i]] = true;
	s->leaf = n ? path[n - 1] : -1;
	s->proba = tree_predict_row(t, s->x);
	s->nreasons = vm_explain_reasons(t, r->recipe, s->x, &s->reasons);
	free(path);
	if (s->leaf >= 0)
		go_to_node(s, s->leaf);
}

static struct tree_state *get_state(struct app *a)
{
	struct tree_state *s = a->screen_state[SCR_TREE];
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->explain_row = -1;
		s->leaf = -1;
		s->expand_depth = 2;
		a->screen_state[SCR_TREE] = s;
	}
	const struct pipeline_result *r = a->result;
	if (!r || !r->tree)
		return s;
	if (s->result != r || s->tree != r->tree || s->stamp != vm_result_stamp(r)) {
		drop_caches(s);
		s->result = r;
		s->tree = r->tree;
		s->stamp = vm_result_stamp(r);
		s->outline = vm_outline_new(r->tree);
		vm_outline_open_depth(s->outline, s->expand_depth);
	}
	if (a->explain_row != s->explain_row) {
		if (a->explain_row < 0)
			drop_explain(s);
		else
			compute_explain(s, a);
	}
	return s;
}

static void refresh_rules(struct tree_state *s, const struct pipeline_result *r, int width)
{
	double t = threshold_of(r);
	if (s->rules && s->rules_threshold == t && s->rules_width == width)
		return;
	vm_lines_free(s->rules, s->nrules);
	free(s->rule_fraud);
	s->rules = NULL;
	s->nrules = 0;
	size_t cap = 0, nleaf;
	char **leaf = vm_tree_rules(r->tree, r->recipe, "fraud", "legit", t, &nleaf);
	s->rule_fraud = NULL;
	for (size_t i = 0; i < nleaf; i++) {
		size_t from = s->nrules;
		vm_wrap(leaf[i], width, 4, &s->rules, &s->nrules, &cap);
		bool fraud = strstr(leaf[i], " then fraud (") != NULL;
		s->rule_fraud = xreallocarray(s->rule_fraud, s->nrules ? s->nrules : 1,
					      sizeof *s->rule_fraud);
		for (size_t k = from; k < s->nrules; k++)
			s->rule_fraud[k] = fraud;
	}
	vm_lines_free(leaf, nleaf);
	s->nleaf_rules = nleaf;
	s->rules_threshold = t;
	s->rules_width = width;
}

static void refresh_errors(struct tree_state *s, const struct pipeline_result *r)
{
	double t = threshold_of(r);
	if (s->errors_valid && s->errors_threshold == t)
		return;
	free(s->errors);
	s->errors = xcalloc(r->tree->nnodes ? r->tree->nnodes : 1, sizeof *s->errors);
	s->errors_valid = r->test_proba != NULL;
	s->worst_leaf = s->errors_valid
		? vm_leaf_errors(r->tree, &r->test, r->test_proba, t, s->errors) : -1;
	s->errors_threshold = t;
}

/* ---- drawing ---------------------------------------------------------- */

/* Right-hand columns: samples, fraud share, impurity, and a bar of the
 * fraud share that grows on wider screens. */
#define STATS_TEXT_W 22

static int bar_width(int w)
{
	return w >= 100 ? 10 : 6;
}

static void draw_no_model(struct app *a, WINDOW *win, int w)
{
	term_put(win, 0, 0, w, "Tree", term_attr(ROLE_HEADER), false);
	term_put(win, 2, 2, w - 2, a->frame ? "No model trained yet. Press 3 to train a model."
		 : "No data loaded yet. Press 1 to open a CSV file, then 3 to train a model.",
		 term_attr(ROLE_NORMAL), false);
	term_put(win, 4, 2, w - 2,
		 "This screen then shows the tree as a foldable outline, its rules, the",
		 term_attr(ROLE_DIM), false);
	term_put(win, 5, 2, w - 2,
		 "feature importances, and the path any row takes (x: explain a row).",
		 term_attr(ROLE_DIM), false);
}

static void draw_outline_row(WINDOW *win, int y, int w, struct app *a, struct tree_state *s,
			     size_t k)
{
	const struct pipeline_result *r = a->result;
	const struct tree *t = r->tree;
	int32_t node = s->outline->rows[k];
	const struct tree_node *nd = &t->nodes[node];
	int32_t parent = s->outline->parent[node];
	bool leaf = nd->left == TREE_LEAF;
	bool path = s->on_path && s->on_path[node];
	attr_t at = term_attr(ROLE_NORMAL);
	char text[512], rule[256];

	if (path)
		at = term_attr(ROLE_WARN) | A_BOLD;
	if (k == s->cur)
		at = term_attr(ROLE_SELECTED);
	term_fill(win, y, 0, at);

	int bar_w = bar_width(w);
	int rule_w = w - STATS_TEXT_W - bar_w;
	/* Every level indents, however deep: the depth leads the row, and
	 * when the levels do not fit, the indentation is counted from the
	 * level the cursor's node needs ("<" marks rows shallower than it). */
	char dl[8];
	snprintf(dl, sizeof dl, "%3d ", (int)nd->depth);
	term_put(win, y, 0, 4, dl, k == s->cur ? at : term_attr(ROLE_DIM), false);
	int levels = s->indent_step ? (int)nd->depth - s->indent_base : 0;
	int indent = 4 + (levels > 0 ? levels * s->indent_step : 0);
	if (levels < 0)
		term_put(win, y, 4, 1, "<", k == s->cur ? at : term_attr(ROLE_DIM), false);
	vm_node_rule(t, r->recipe, parent, node, rule, sizeof rule);
	int len = snprintf(text, sizeof text, "%s %s", leaf ? "   " : s->outline->open[node] ? "[-]" : "[+]",
			   rule);
	if (path && parent >= 0 && s->x && len > 0 && (size_t)len < sizeof text) {
		char val[160];
		int32_t j = t->nodes[parent].feature;
		vm_row_value(r->recipe, a->frame, (size_t)s->explain_row, j,
			     j >= 0 && (size_t)j < t->nfeatures ? s->x[j] : NAN, val, sizeof val);
		len += snprintf(text + len, sizeof text - (size_t)len, "  [row: %s]", val);
	}
	if (leaf && len > 0 && (size_t)len < sizeof text)
		snprintf(text + len, sizeof text - (size_t)len, "  => %s",
			 decision_of(r, nd) >= threshold_of(r) ? "fraud" : "legit");
	term_put(win, y, indent, rule_w - indent - 1, text, at, false);

	/* Real rows of the training split, never the synthetic ones. */
	double share = real_rows(nd) ? (double)nd->real[1] / (double)real_rows(nd) : 0;
	char stats[64];
	/* Rounding can leave a pure node's impurity a hair below zero. */
	snprintf(stats, sizeof stats, "%7llu %5.1f%% %5.3f ", (unsigned long long)real_rows(nd),
		 100.0 * share, nd->impurity > 0 ? nd->impurity : 0.0);
	term_put(win, y, rule_w, STATS_TEXT_W, stats, at, false);
	term_bar(win, y, w - bar_w, bar_w, share, 1.0,
		 k == s->cur ? at : term_attr(ROLE_BAR_POSITIVE));
}

/* The selected node's path from the root, its last steps kept when it is
 * longer than the line (the cut marked at the start). */
static void draw_breadcrumb(WINDOW *win, int y, int w, struct app *a, struct tree_state *s)
{
	const struct pipeline_result *r = a->result;
	if (!s->outline->nrows)
		return;
	int32_t node = s->outline->rows[s->cur];
	size_t n = 0;
	for (int32_t p = node; p >= 0; p = s->outline->parent[p])
		n++;
	int32_t *path = xmalloc(n * sizeof *path);
	size_t k = n;
	for (int32_t p = node; p >= 0; p = s->outline->parent[p])
		path[--k] = p;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "path:");
	char rule[256];
	for (size_t i = 1; i < n; i++) {
		vm_node_rule(r->tree, r->recipe, path[i - 1], path[i], rule, sizeof rule);
		sb_printf(&sb, "%s %s", i > 1 ? " >" : "", rule);
	}
	if (n == 1)
		sb_puts(&sb, " the root (all rows)");
	free(path);
	const char *text = sb.data;
	if (view_text_width(text) > w) {
		/* keep the end: where the node is matters most */
		const char *p = text;
		while (*p && view_text_width(p) > w - 7)
			p++;
		while (*p && (*p & 0xc0) == 0x80)
			p++;
		char *cut = xasprintf("path: %s%s", term_utf8() ? "\xe2\x80\xa6" : "~", p);
		term_put(win, y, 0, w, cut, term_attr(ROLE_DIM), false);
		free(cut);
	} else {
		term_put(win, y, 0, w, text, term_attr(ROLE_DIM), false);
	}
	sb_free(&sb);
}

static void draw_details(WINDOW *win, int y, int w, struct app *a, struct tree_state *s)
{
	const struct pipeline_result *r = a->result;
	if (!s->outline->nrows)
		return;
	int32_t node = s->outline->rows[s->cur];
	const struct tree_node *nd = &r->tree->nodes[node];
	double p = tree_node_proba(nd);
	char err[64] = "";
	if (nd->left == TREE_LEAF) {
		refresh_errors(s, r);
		if (s->errors_valid)
			snprintf(err, sizeof err, "; %llu test error%s",
				 (unsigned long long)s->errors[node], s->errors[node] == 1 ? "" : "s");
	}
	char synth[48] = "", prob[40] = "";
	if (nd->samples > real_rows(nd))
		snprintf(synth, sizeof synth, " (+%llu synthetic)",
			 (unsigned long long)(nd->samples - real_rows(nd)));
	if (r->tree->probability_odds != 1.0)
		snprintf(prob, sizeof prob, " probability=%.3f", tree_node_probability(r->tree, nd));
	term_printf(win, y, 0, w, term_attr(ROLE_DIM),
		    "node %d (depth %d): %llu legit, %llu fraud%s; p=%.3f%s -> %s%s",
		    (int)node, (int)nd->depth, (unsigned long long)nd->real[0],
		    (unsigned long long)nd->real[1], synth, p, prob,
		    decision_of(r, nd) >= threshold_of(r) ? "fraud" : "legit", err);
}

static int draw_explain_header(WINDOW *win, int y, int w, struct app *a, struct tree_state *s)
{
	const struct pipeline_result *r = a->result;
	if (s->explain_row < 0)
		return 0;
	if (s->explain_error[0]) {
		term_printf(win, y, 0, w, term_attr(ROLE_BAD), "Explain: %s", s->explain_error);
		return 1;
	}
	size_t row = (size_t)s->explain_row;
	uint8_t y_true = r->target.y && row < a->frame->nrows ? r->target.y[row] : 255;
	const char *actual = y_true == 1 ? "fraud" : y_true == 0 ? "legit" : "unknown";
	const char *pred = s->proba >= threshold_of(r) ? "fraud" : "legit";
	bool wrong = y_true <= 1 && (y_true == 1) != (s->proba >= threshold_of(r));
	char line[32] = "";
	if (a->frame->row_line)
		snprintf(line, sizeof line, " (line %u)", (unsigned)a->frame->row_line[row]);
	term_printf(win, y, 0, w, term_attr(wrong ? ROLE_BAD : ROLE_GOOD) | A_BOLD,
		    "Explain row #%zu%s: actual %s, predicted %s (p=%.3f), leaf %d",
		    row + 1, line, actual, pred, s->proba, (int)s->leaf);
	/* The reason codes predict --reasons writes for this row, in its
	 * order; a line too narrow for them all cuts with the mark. */
	struct strbuf sb = { 0 };
	sb_puts(&sb, "Reasons:");
	for (size_t i = 0; i < s->nreasons; i++)
		sb_printf(&sb, "%s %s", i ? ";" : "", s->reasons[i]);
	if (!s->nreasons)
		sb_puts(&sb, " none (no test on the path raised the fraud score)");
	term_put(win, y + 1, 0, w, sb.data, term_attr(ROLE_NORMAL), false);
	sb_free(&sb);
	return 2;
}

static void draw_outline(WINDOW *win, int y0, int h, int w, struct app *a, struct tree_state *s)
{
	int stats_w = STATS_TEXT_W + bar_width(w);
	term_put(win, y0, 0, w - stats_w, "dep split (the test that leads to the node)",
		 term_attr(ROLE_HEADER), false);
	term_put(win, y0, w - stats_w, stats_w, "   rows fraud% impur. share", term_attr(ROLE_HEADER),
		 false);
	int rows = h - y0 - 3;
	if (rows < 1)
		rows = 1;
	s->page = rows;
	clamp_cursor(s);
	if (s->cur < s->top)
		s->top = s->cur;
	if (s->cur >= s->top + (size_t)rows)
		s->top = s->cur - (size_t)rows + 1;
	if (s->top + (size_t)rows > s->outline->nrows)
		s->top = s->outline->nrows > (size_t)rows ? s->outline->nrows - (size_t)rows : 0;
	/* two columns a level while the tree fits in half the rule's room,
	 * else one; deeper still, counted from the cursor's level */
	int rule_w = w - stats_w - 4;
	int depth = tree_depth(a->result->tree);
	s->indent_step = 2 * depth <= rule_w / 2 ? 2 : 1;
	int fit = (rule_w / 2) / s->indent_step;
	int cur_depth = s->outline->nrows ? (int)a->result->tree->nodes[s->outline->rows[s->cur]].depth : 0;
	s->indent_base = depth > fit && cur_depth > fit - 2 ? cur_depth - (fit - 2) : 0;
	for (int i = 0; i < rows && s->top + (size_t)i < s->outline->nrows; i++)
		draw_outline_row(win, y0 + 1 + i, w, a, s, s->top + (size_t)i);
	draw_breadcrumb(win, h - 2, w, a, s);
	draw_details(win, h - 1, w, a, s);
}

static void draw_rules(WINDOW *win, int y0, int h, int w, struct app *a, struct tree_state *s)
{
	refresh_rules(s, a->result, w);
	term_printf(win, y0, 0, w, term_attr(ROLE_HEADER), "Rules: %zu leaves at threshold %s (r: outline)",
		    s->nleaf_rules, view_num(threshold_of(a->result)).s);
	int rows = h - y0 - 1;
	s->page = rows;
	if (s->scroll + (size_t)rows > s->nrules)
		s->scroll = s->nrules > (size_t)rows ? s->nrules - (size_t)rows : 0;
	for (int i = 0; i < rows && s->scroll + (size_t)i < s->nrules; i++) {
		size_t k = s->scroll + (size_t)i;
		term_put(win, y0 + 1 + i, 0, w, s->rules[k],
			 term_attr(s->rule_fraud[k] ? ROLE_BAD : ROLE_NORMAL), false);
	}
}

static void draw_importance(WINDOW *win, int y0, int h, int w, struct app *a, struct tree_state *s)
{
	const struct tree *t = a->result->tree;
	size_t *order = xcalloc(t->nfeatures ? t->nfeatures : 1, sizeof *order);
	size_t n = pipeline_top_features(t, order, t->nfeatures);
	term_printf(win, y0, 0, w, term_attr(ROLE_HEADER),
		    "Feature importance: %zu of %zu features used (i: outline)", n, t->nfeatures);
	int rows = h - y0 - 1;
	s->page = rows;
	if (s->scroll + (size_t)rows > n)
		s->scroll = n > (size_t)rows ? n - (size_t)rows : 0;
	int name_w = w / 3 > 36 ? 36 : w / 3;
	double max = n ? t->importance[order[0]] : 1;
	for (int i = 0; i < rows && s->scroll + (size_t)i < n; i++) {
		size_t j = order[s->scroll + (size_t)i];
		int y = y0 + 1 + i;
		term_put(win, y, 0, name_w, t->feature_names ? t->feature_names[j] : "?",
			 term_attr(ROLE_NORMAL), false);
		term_printf(win, y, name_w + 1, 7, term_attr(ROLE_NORMAL), "%6.3f", t->importance[j]);
		term_bar(win, y, name_w + 9, w - name_w - 10, t->importance[j], max,
			 term_attr(ROLE_BAR));
	}
	free(order);
}

static void draw(struct app *a, WINDOW *win)
{
	int h, w;
	getmaxyx(win, h, w);
	if (!a->result || !a->result->tree) {
		draw_no_model(a, win, w);
		return;
	}
	struct tree_state *s = get_state(a);
	if (!s->outline)
		return;
	const struct tree *t = a->result->tree;
	int y = 0;
	term_printf(win, y++, 0, w, term_attr(ROLE_HEADER) | A_BOLD,
		    "Tree: %zu nodes, %zu leaves, depth %d, %s   threshold %s",
		    t->nnodes, tree_leaves(t), tree_depth(t), criterion_name(t->params.criterion),
		    view_num(threshold_of(a->result)).s);
	y += draw_explain_header(win, y, w, a, s);
	switch (s->view) {
	case VIEW_RULES:
		draw_rules(win, y, h, w, a, s);
		break;
	case VIEW_IMPORTANCE:
		draw_importance(win, y, h, w, a, s);
		break;
	case VIEW_OUTLINE:
		draw_outline(win, y, h, w, a, s);
		break;
	}
}

/* ---- keys ------------------------------------------------------------- */

static void find_from_cursor(struct app *a, struct tree_state *s, bool forward)
{
	if (!s->nmatches) {
		app_message(a, true, "no split matches '%s'", s->query);
		return;
	}
	s->match = forward ? (s->match + 1) % s->nmatches
			   : (s->match + s->nmatches - 1) % s->nmatches;
	go_to_node(s, s->matches[s->match]);
	app_message(a, false, "match %zu/%zu for '%s' (n: next, N: previous)",
		    s->match + 1, s->nmatches, s->query);
}

static void search_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	struct tree_state *s = get_state(a);
	if (!line || !s->outline)
		return;
	snprintf(s->query, sizeof s->query, "%s", line);
	free(s->matches);
	s->matches = xcalloc(a->result->tree->nnodes ? a->result->tree->nnodes : 1, sizeof *s->matches);
	s->nmatches = vm_tree_search(a->result->tree, a->result->recipe, s->query, s->matches);
	/* Matches come in outline order: start from the first. */
	s->match = s->nmatches ? s->nmatches - 1 : 0;
	find_from_cursor(a, s, true);
}

static void explain_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	if (!line)
		return;
	while (*line == ' ')
		line++;
	if (!*line) {
		a->explain_row = -1;
		app_message(a, false, "explain mode off");
		return;
	}
	char *end;
	errno = 0;
	long v = strtol(line, &end, 10);
	while (*end == ' ')
		end++;
	/* Rows are numbered from 1, as the Data screen's # column shows them. */
	if (errno || *end || v < 1 || !a->frame || (unsigned long)v > a->frame->nrows ||
	    v > INT32_MAX) {
		app_message(a, true, "row must be a number from 1 to %zu",
			    a->frame ? a->frame->nrows : 0);
		return;
	}
	a->explain_row = (int)(v - 1);
	struct tree_state *s = get_state(a);
	if (s && s->explain_error[0])
		app_message(a, true, "%s", s->explain_error);
	else
		app_message(a, false, "explaining row #%ld: its path is highlighted", v);
}

static int move_cursor(struct tree_state *s, int ch)
{
	size_t n = s->view == VIEW_OUTLINE ? s->outline->nrows : SIZE_MAX;
	size_t *pos = s->view == VIEW_OUTLINE ? &s->cur : &s->scroll;
	size_t page = s->page > 1 ? (size_t)s->page - 1 : 1;
	switch (ch) {
	case KEY_UP: case 'k':
		if (*pos)
			(*pos)--;
		break;
	case KEY_DOWN: case 'j':
		if (*pos + 1 < n)
			(*pos)++;
		break;
	case KEY_PPAGE:
		*pos = *pos > page ? *pos - page : 0;
		break;
	case KEY_NPAGE:
		*pos = *pos + page < n ? *pos + page : (n ? n - 1 : 0);
		break;
	case KEY_HOME: case 'g':
		*pos = 0;
		break;
	case KEY_END: case 'G':
		*pos = n == SIZE_MAX ? SIZE_MAX / 2 : (n ? n - 1 : 0);
		break;
	default:
		return KEY_UNHANDLED;
	}
	return KEY_HANDLED | KEY_REDRAW;
}

static int outline_key(struct app *a, struct tree_state *s, int ch)
{
	struct vm_outline *o = s->outline;
	const struct tree *t = a->result->tree;
	int32_t node = o->nrows ? o->rows[s->cur] : 0;
	bool leaf = !t->nnodes || t->nodes[node].left == TREE_LEAF;

	switch (ch) {
	case KEY_RIGHT: case 'l':
		if (leaf)
			return KEY_HANDLED;
		if (!o->open[node]) {
			o->open[node] = true;
			vm_outline_flatten(o);
		} else if (s->cur + 1 < o->nrows) {
			s->cur++;    /* already open: step onto the first child */
		}
		return KEY_HANDLED | KEY_REDRAW;
	case '\n': case '\r': case KEY_ENTER:
		if (!leaf) {
			o->open[node] = !o->open[node];
			vm_outline_flatten(o);
		}
		return KEY_HANDLED | KEY_REDRAW;
	case KEY_LEFT: case 'h':
		if (!leaf && o->open[node]) {
			o->open[node] = false;
			vm_outline_flatten(o);
		} else if (o->parent[node] >= 0) {
			go_to_node(s, o->parent[node]);
		}
		clamp_cursor(s);
		return KEY_HANDLED | KEY_REDRAW;
	case 'e':
		s->expand_depth = s->expand_depth < 0 ? 1 : s->expand_depth >= 5 ? -1
			: s->expand_depth + 1;
		vm_outline_open_depth(o, s->expand_depth);
		if (s->expand_depth < 0)
			app_message(a, false, "expanded every node (e: depth 1)");
		else
			app_message(a, false, "expanded to depth %d (e: deeper)", s->expand_depth);
		/* Stay on the node, or on its nearest ancestor still shown. */
		while (vm_outline_row_of(o, node) < 0 && o->parent[node] >= 0)
			node = o->parent[node];
		go_to_node(s, node);
		clamp_cursor(s);
		return KEY_HANDLED | KEY_REDRAW;
	case 'c':
		vm_outline_open_depth(o, 0);
		s->expand_depth = 0;
		s->cur = s->top = 0;
		return KEY_HANDLED | KEY_REDRAW;
	default:
		return move_cursor(s, ch);
	}
}

static int key(struct app *a, int ch)
{
	if (!a->result || !a->result->tree)
		return KEY_UNHANDLED;
	struct tree_state *s = get_state(a);
	if (!s->outline)
		return KEY_UNHANDLED;
	const struct pipeline_result *r = a->result;

	switch (ch) {
	case 'r':
		s->view = s->view == VIEW_RULES ? VIEW_OUTLINE : VIEW_RULES;
		s->scroll = 0;
		return KEY_HANDLED | KEY_REDRAW;
	case 'i':
		s->view = s->view == VIEW_IMPORTANCE ? VIEW_OUTLINE : VIEW_IMPORTANCE;
		s->scroll = 0;
		return KEY_HANDLED | KEY_REDRAW;
	case '/':
		prompt_begin(a, PROMPT_TEXT, "Find in tree: ", NULL, search_done, NULL);
		return KEY_HANDLED | KEY_REDRAW;
	case 'n':
	case 'N':
		if (!s->query[0]) {
			app_message(a, true, "nothing to find yet: / searches the splits");
			return KEY_HANDLED | KEY_REDRAW;
		}
		find_from_cursor(a, s, ch == 'n');
		return KEY_HANDLED | KEY_REDRAW;
	case 'x':
		prompt_begin(a, PROMPT_TEXT, "Explain row # (empty: off): ", NULL, explain_done, NULL);
		return KEY_HANDLED | KEY_REDRAW;
	case 'f': {
		int32_t leaf = vm_leaf_most_frauds(r->tree);
		if (leaf < 0) {
			app_message(a, true, "no leaf holds a fraud");
			return KEY_HANDLED | KEY_REDRAW;
		}
		go_to_node(s, leaf);
		const struct tree_node *nd = &r->tree->nodes[leaf];
		char synth[48] = "";
		if (nd->samples > real_rows(nd))
			snprintf(synth, sizeof synth, " (+%llu synthetic)",
				 (unsigned long long)(nd->samples - real_rows(nd)));
		app_message(a, false, "leaf %d: %llu frauds of %llu training rows%s (most frauds)",
			    (int)leaf, (unsigned long long)nd->real[1],
			    (unsigned long long)real_rows(nd), synth);
		return KEY_HANDLED | KEY_REDRAW;
	}
	case 'E': {
		refresh_errors(s, r);
		int32_t worst = s->worst_leaf;
		if (worst < 0) {
			app_message(a, false, "no test row is misclassified at threshold %s",
				    view_num(threshold_of(r)).s);
			return KEY_HANDLED | KEY_REDRAW;
		}
		go_to_node(s, worst);
		bool says_fraud = decision_of(r, &r->tree->nodes[worst]) >= threshold_of(r);
		app_message(a, false, "leaf %d: %llu test rows misclassified (%s), the most of any leaf",
			    (int)worst, (unsigned long long)s->errors[worst],
			    says_fraud ? "false alarms" : "missed frauds");
		return KEY_HANDLED | KEY_REDRAW;
	}
	case 27:
		if (s->view != VIEW_OUTLINE) {
			s->view = VIEW_OUTLINE;
			return KEY_HANDLED | KEY_REDRAW;
		}
		if (a->explain_row >= 0 && !a->job_running) {
			a->explain_row = -1;
			drop_explain(s);
			app_message(a, false, "explain mode off");
			return KEY_HANDLED | KEY_REDRAW;
		}
		return KEY_UNHANDLED;
	default:
		break;
	}
	if (s->view != VIEW_OUTLINE)
		return move_cursor(s, ch);
	return outline_key(a, s, ch);
}

static void enter(struct app *a)
{
	get_state(a);
}

static void free_state(struct app *a)
{
	struct tree_state *s = a->screen_state[SCR_TREE];
	if (!s)
		return;
	drop_caches(s);
	free(s);
	a->screen_state[SCR_TREE] = NULL;
}

static const struct key_binding help[] = {
	{ { 0 }, "Up/Down PgUp/PgDn", "move (j/k too)", KB_VIEW, NULL, NULL },
	{ { 0 }, "Right/Enter", "expand the node (Right on an open node: first child)", KB_VIEW, NULL, NULL },
	{ { 0 }, "Left", "collapse the node, or go to its parent", KB_VIEW, NULL, NULL },
	{ { 0 }, "e", "expand to depth 1, 2, ... 5, then everything (each press goes deeper)", KB_VIEW, NULL, NULL },
	{ { 0 }, "c", "collapse everything", KB_VIEW, NULL, NULL },
	{ { 0 }, "/ n N", "find a feature or value in the splits; next, previous match", KB_VIEW, NULL, NULL },
	{ { 0 }, "f", "jump to the leaf with the most frauds", KB_VIEW, NULL, NULL },
	{ { 0 }, "E", "jump to the leaf with the most test errors", KB_VIEW, NULL, NULL },
	{ { 0 }, "r", "rules view: one if/then line per leaf", KB_VIEW, NULL, NULL },
	{ { 0 }, "i", "feature importance chart", KB_VIEW, NULL, NULL },
	{ { 0 }, "x", "explain a row: its path, with its value at every split", KB_VIEW, NULL, NULL },
	{ { 0 }, "Esc", "back to the outline; leave explain mode", KB_VIEW, NULL, NULL },
	{ { 0 }, NULL, NULL, KB_VIEW, NULL, NULL }
};

const struct screen_ops scr_tree_ops = {
	.name = "Tree",
	.draw = draw,
	.key = key,
	.enter = enter,
	.leave = NULL,
	.free_state = free_state,
	.keys = help,
};
