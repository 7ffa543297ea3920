/* The tree: split choice on tiny data worked out by hand (gini and
 * entropy disagree on purpose), every stopping rule, best-first growth,
 * weights, pruning, binning, exact thresholds on features with many
 * values (against a reference CART), determinism across thread counts,
 * the text forms, and every rule tree_from_json enforces. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <cmocka.h>

#include "tree.h"
#include "tree_json.h"
#include "tree_text.h"
#include "tune.h"

static const char *const NAMES[] = { "amount", "card", "c", "d" };
/* A plain model: the score against 0.5, as predict decides by default. */
static const struct tree_decision half = { 0.5, THRESHOLD_ON_SCORE };

static struct tree_params defaults(void)
{
	return (struct tree_params){
		.criterion = CRIT_GINI, .max_depth = 0, .min_samples_split = 2,
		.min_samples_leaf = 1, .max_bins = 256, .threads = 1,
	};
}

/* rows given as (feature 0, feature 1, label) */
static void make2(struct dataset *d, const float (*rows)[3], size_t n)
{
	memset(d, 0, sizeof *d);
	d->n = n;
	d->nfeatures = 2;
	d->X = xmalloc(2 * n * sizeof *d->X);
	d->y = xmalloc(n);
	for (size_t i = 0; i < n; i++) {
		d->X[i] = rows[i][0];
		d->X[n + i] = rows[i][1];
		d->y[i] = (uint8_t)rows[i][2];
	}
}

static void make1(struct dataset *d, const float *x, const uint8_t *y, size_t n)
{
	memset(d, 0, sizeof *d);
	d->n = n;
	d->nfeatures = 1;
	d->X = xmalloc(n * sizeof *d->X);
	d->y = xmalloc(n);
	memcpy(d->X, x, n * sizeof *x);
	memcpy(d->y, y, n);
}

/* 6 legit, 6 fraud. Splitting on feature 0 gives (2 legit, 4 fraud) |
 * (4, 2): gini 4/9 on both sides, weighted 0.444; entropy 0.918.
 * Splitting on feature 1 isolates one fraud: (0, 1) | (6, 5): gini
 * 5/11 * 11/12 = 0.455, entropy 0.994 * 11/12 = 0.911. Gini prefers
 * feature 0, entropy feature 1. */
static const float DISAGREE[12][3] = {
	{ 0, 1, 0 }, { 0, 1, 0 }, { 1, 1, 0 }, { 1, 1, 0 }, { 1, 1, 0 }, { 1, 1, 0 },
	{ 0, 0, 1 }, { 0, 1, 1 }, { 0, 1, 1 }, { 0, 1, 1 }, { 1, 1, 1 }, { 1, 1, 1 },
};

static struct tree *fit(const struct dataset *d, const struct tree_params *p)
{
	struct ft_err err;
	struct tree *t = tree_fit(d, NAMES, p, NULL, &err);
	if (!t) {
		fail_msg("tree_fit: %s", err.msg);
		abort();   /* not reached: tells the compiler t is not NULL below */
	}
	return t;
}

static void test_gini_split(void **state)
{
	(void)state;
	struct dataset d;
	make2(&d, DISAGREE, 12);
	struct tree_params p = defaults();
	p.max_depth = 1;
	struct tree *t = fit(&d, &p);
	assert_int_equal(t->nnodes, 3);
	assert_int_equal(t->nodes[0].feature, 0);
	assert_true(t->nodes[0].threshold == 0.5);
	assert_true(fabs(t->nodes[0].impurity - 0.5) < 1e-15);
	const struct tree_node *l = &t->nodes[t->nodes[0].left];
	const struct tree_node *r = &t->nodes[t->nodes[0].right];
	assert_int_equal(l->count[0], 2);
	assert_int_equal(l->count[1], 4);
	assert_int_equal(r->count[0], 4);
	assert_int_equal(r->count[1], 2);
	assert_true(fabs(l->impurity - 4.0 / 9) < 1e-15);
	assert_int_equal(l->depth, 1);
	assert_int_equal(l->samples, 6);
	assert_true(fabs(tree_node_proba(l) - 4.0 / 6) < 1e-15);
	tree_free(t);
	dataset_free(&d);
}

static void test_entropy_split(void **state)
{
	(void)state;
	struct dataset d;
	make2(&d, DISAGREE, 12);
	struct tree_params p = defaults();
	p.max_depth = 1;
	p.criterion = CRIT_ENTROPY;
	struct tree *t = fit(&d, &p);
	assert_int_equal(t->nnodes, 3);
	assert_int_equal(t->nodes[0].feature, 1);
	assert_true(t->nodes[0].threshold == 0.5);
	assert_true(fabs(t->nodes[0].impurity - 1.0) < 1e-15);
	const struct tree_node *l = &t->nodes[t->nodes[0].left];
	assert_int_equal(l->count[0], 0);
	assert_int_equal(l->count[1], 1);
	assert_true(l->impurity == 0.0);

	/* min_samples_leaf 2 forbids the 1-sample leaf: back to feature 0 */
	p.min_samples_leaf = 2;
	tree_free(t);
	t = fit(&d, &p);
	assert_int_equal(t->nodes[0].feature, 0);
	tree_free(t);
	dataset_free(&d);
}

static void test_stopping_rules(void **state)
{
	(void)state;
	struct dataset d;
	make2(&d, DISAGREE, 12);
	struct tree_params p = defaults();
	struct tree *t;

	/* unlimited: root on feature 0; the left node splits on feature 1;
	 * the right node (4 legit, 2 fraud, both features constant) cannot */
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 5);
	assert_int_equal(tree_depth(t), 2);
	assert_int_equal(tree_leaves(t), 3);
	tree_free(t);

	p.min_samples_split = 13;              /* n = 12 < 13 */
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 1);
	tree_free(t);
	p.min_samples_split = 12;
	t = fit(&d, &p);
	assert_true(t->nnodes > 1);
	tree_free(t);
	/* the left node has 6 samples: min_samples_split 7 keeps it a leaf */
	p.min_samples_split = 7;
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 3);
	tree_free(t);

	p = defaults();
	p.min_samples_leaf = 7;                /* 12 < 2 * 7 */
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 1);
	tree_free(t);
	p.min_samples_leaf = 6;                /* only the 6 | 6 split is allowed */
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 3);
	assert_int_equal(t->nodes[0].feature, 0);
	tree_free(t);

	/* root decrease: 0.5 - 4/9 = 1/18 = 0.0556; the left node's:
	 * 6/12 * (4/9 - 5/6 * 0.48) = 0.0222 */
	p = defaults();
	p.min_impurity_decrease = 0.056;
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 1);
	tree_free(t);
	p.min_impurity_decrease = 0.055;
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 3);
	tree_free(t);
	p.min_impurity_decrease = 0.022;
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 5);
	tree_free(t);
	dataset_free(&d);

	/* a pure node is a leaf */
	const float x[4] = { 1, 2, 3, 4 };
	const uint8_t y[4] = { 1, 1, 1, 1 };
	make1(&d, x, y, 4);
	p = defaults();
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 1);
	assert_true(tree_node_proba(&t->nodes[0]) == 1.0);
	tree_free(t);
	dataset_free(&d);
}

static void test_max_leaf_nodes(void **state)
{
	(void)state;
	/* Root splits at 5.5 into (4 legit, 1 fraud) and (1, 4). Each child's
	 * best split decreases impurity by 0.06; the tie goes to the lower
	 * node (the left one). Its left child {1, 2} (1, 1) then offers 0.1,
	 * more than the right child's 0.06: best-first takes it next, where
	 * depth-first order would not. */
	const float x[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	const uint8_t y[10] = { 0, 1, 0, 0, 0, 1, 1, 1, 0, 1 };
	struct dataset d;
	make1(&d, x, y, 10);
	struct tree_params p = defaults();
	struct tree *t;

	p.max_leaf_nodes = 3;
	t = fit(&d, &p);
	assert_int_equal(tree_leaves(t), 3);
	assert_true(t->nodes[0].threshold == 5.5);
	assert_true(t->nodes[1].threshold == 2.5);
	assert_int_equal(t->nodes[t->nodes[0].right].left, TREE_LEAF);
	tree_free(t);

	p.max_leaf_nodes = 4;
	t = fit(&d, &p);
	assert_int_equal(tree_leaves(t), 4);
	/* preorder: 0 root, 1 (<= 5.5), 2 (<= 2.5), 3 and 4 its children */
	assert_true(t->nodes[2].threshold == 1.5);
	assert_int_equal(t->nodes[t->nodes[0].right].left, TREE_LEAF);
	tree_free(t);

	/* max_depth still applies in best-first growth */
	p.max_leaf_nodes = 100;
	p.max_depth = 1;
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 3);
	tree_free(t);
	dataset_free(&d);
}

static void test_weights(void **state)
{
	(void)state;
	/* x 1 2 3, y 0 1 0. Unit weights: both thresholds leave one mixed
	 * pair, a tie that goes to the lower threshold 1.5. Weight 3 on the
	 * last row: 1.5 costs 4 * 0.375 = 1.5, 2.5 costs 2 * 0.5 = 1. */
	const float x[3] = { 1, 2, 3 };
	const uint8_t y[3] = { 0, 1, 0 };
	struct dataset d;
	make1(&d, x, y, 3);
	struct tree_params p = defaults();
	p.max_depth = 1;
	struct tree *t = fit(&d, &p);
	assert_true(t->nodes[0].threshold == 1.5);
	tree_free(t);

	double w[3] = { 1, 1, 3 };
	d.w = w;
	t = fit(&d, &p);
	assert_true(t->nodes[0].threshold == 2.5);
	assert_true(t->nodes[0].value[0] == 4.0);
	assert_true(t->nodes[0].value[1] == 1.0);
	assert_int_equal(t->nodes[0].count[0], 2);
	assert_int_equal(t->nodes[0].count[1], 1);
	assert_true(fabs(t->nodes[0].impurity - (1.0 - 17.0 / 25)) < 1e-15);
	const struct tree_node *l = &t->nodes[t->nodes[0].left];
	assert_true(tree_node_proba(l) == 0.5);
	tree_free(t);

	/* weights that make the fraud row outweigh the rest flip the leaf */
	w[0] = 1;
	w[1] = 10;
	w[2] = 1;
	p.max_depth = 0;
	p.min_samples_split = 4;     /* root stays a leaf */
	t = fit(&d, &p);
	assert_int_equal(t->nnodes, 1);
	assert_true(fabs(tree_node_proba(&t->nodes[0]) - 10.0 / 12) < 1e-15);
	tree_free(t);

	double bad[3] = { 1, -1, 1 };
	d.w = bad;
	struct ft_err err;
	assert_null(tree_fit(&d, NULL, &p, NULL, &err));
	assert_non_null(strstr(err.msg, "row 1: sample weight"));
	d.w = NULL;
	dataset_free(&d);
}

static void test_pruning(void **state)
{
	(void)state;
	/* x 1..6, y 0 0 1 0 1 1. Full tree (preorder):
	 *   0 root (3, 3) gini .5, split 2.5
	 *   1 leaf {1,2}
	 *   2 {3..6} (1, 3) gini .375, split 4.5
	 *   3 {3,4} (1, 1) gini .5, split 3.5; 4, 5 its leaves
	 *   6 leaf {5,6}
	 * R(t) = w_t * impurity_t / 6: root .5, node 2 .25, node 3 1/6.
	 * Effective alphas: node 3: 1/6; node 2: .25 / (3 - 1) = .125;
	 * root: .5 / (4 - 1) = 1/6. Node 2 goes first at .125; the root then
	 * has R_branch .25 over two leaves: (.5 - .25) / 1 = .25. */
	const float x[6] = { 1, 2, 3, 4, 5, 6 };
	const uint8_t y[6] = { 0, 0, 1, 0, 1, 1 };
	struct dataset d;
	make1(&d, x, y, 6);
	struct tree_params p = defaults();
	struct tree *t;
	const struct { double alpha; size_t nodes; } cases[] = {
		{ 0.0, 7 }, { 0.1, 7 }, { 0.125, 3 }, { 0.2, 3 }, { 0.25, 1 }, { 1.0, 1 },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		p.ccp_alpha = cases[k].alpha;
		t = fit(&d, &p);
		assert_int_equal(t->nnodes, cases[k].nodes);
		if (t->nnodes == 3) {
			/* node 2 kept its statistics as a leaf */
			assert_int_equal(t->nodes[2].left, TREE_LEAF);
			assert_int_equal(t->nodes[2].feature, -1);
			assert_int_equal(t->nodes[2].count[0], 1);
			assert_int_equal(t->nodes[2].count[1], 3);
			assert_true(t->importance[0] == 1.0);
		}
		if (t->nnodes == 1)
			assert_true(t->importance[0] == 0.0);
		tree_free(t);
	}
	dataset_free(&d);
}

/* A node of a hand-built tree: class totals, children. */
static struct tree_node hand_node(double neg, double pos, int32_t left, int32_t right)
{
	double n = neg + pos;
	return (struct tree_node){
		.left = left, .right = right, .feature = left == TREE_LEAF ? -1 : 0,
		.value = { neg, pos }, .count = { (uint64_t)neg, (uint64_t)pos },
		.impurity = 1.0 - (neg / n) * (neg / n) - (pos / n) * (pos / n),
		.samples = (uint64_t)n,
	};
}

static void test_ccp_path(void **state)
{
	(void)state;
	/* The tree of test_pruning: node 2 collapses at .125 (R 0 -> .25,
	 * 4 leaves -> 2), the root at .25 (R .5, one leaf). */
	const float x[6] = { 1, 2, 3, 4, 5, 6 };
	const uint8_t y[6] = { 0, 0, 1, 0, 1, 1 };
	struct dataset d;
	make1(&d, x, y, 6);
	struct tree_params p = defaults();
	struct tree *t = fit(&d, &p);
	size_t n;
	struct tree_ccp_step *st = tree_ccp_path(t, &n);
	assert_int_equal(n, 3);
	const double alpha[3] = { 0, 0.125, 0.25 }, imp[3] = { 0, 0.25, 0.5 };
	const int32_t node[3] = { -1, 2, 0 };
	const size_t leaves[3] = { 4, 2, 1 };
	for (size_t k = 0; k < n; k++) {
		assert_true(st[k].alpha == alpha[k]);
		assert_true(st[k].impurity == imp[k]);
		assert_int_equal(st[k].node, node[k]);
		assert_int_equal(st[k].leaves, leaves[k]);
		/* the alpha a step reports prunes the grown tree to its subtree */
		struct tree_params q = p;
		q.ccp_alpha = st[k].alpha;
		struct tree *u = fit(&d, &q);
		assert_int_equal(tree_leaves(u), leaves[k]);
		tree_free(u);
	}
	free(st);
	tree_free(t);
	dataset_free(&d);

	/* Built by hand, 16 rows: root (8, 8) gini .5; node 1 (7, 1) and node
	 * 4 (1, 7), each gini 14/64 over half the rows, so R = .109375, and
	 * pure leaves. Effective alphas: nodes 1 and 4 .109375, the root
	 * .5 / 3. The tie goes to node 1; node 4 follows at the same alpha
	 * (the root is now (.5 - .109375) / 2 = .1953125), then the root at
	 * (.5 - .21875) / 1 = .28125. */
	struct tree_node nodes[7] = {
		hand_node(8, 8, 1, 4), hand_node(7, 1, 2, 3), hand_node(7, 0, TREE_LEAF, TREE_LEAF),
		hand_node(0, 1, TREE_LEAF, TREE_LEAF), hand_node(1, 7, 5, 6),
		hand_node(1, 0, TREE_LEAF, TREE_LEAF), hand_node(0, 7, TREE_LEAF, TREE_LEAF),
	};
	struct tree hand = { .nodes = nodes, .nnodes = 7, .nfeatures = 1 };
	st = tree_ccp_path(&hand, &n);
	assert_int_equal(n, 4);
	const double halpha[4] = { 0, 0.109375, 0.109375, 0.28125 };
	const double himp[4] = { 0, 0.109375, 0.21875, 0.5 };
	const int32_t hnode[4] = { -1, 1, 4, 0 };
	for (size_t k = 0; k < n; k++) {
		assert_true(st[k].alpha == halpha[k]);
		assert_true(st[k].impurity == himp[k]);
		assert_int_equal(st[k].node, hnode[k]);
		assert_int_equal(st[k].leaves, 4 - k);
	}
	free(st);
	/* tune.ccp_alpha's table: one row per subtree some alpha prunes to;
	 * the tie's first step (3 leaves) never stands alone */
	size_t m;
	struct tune_alpha *rows = tune_path_table(&hand, &m);
	assert_int_equal(m, 3);
	assert_true(rows[0].alpha == 0 && rows[0].leaves == 4);
	assert_true(rows[1].alpha == 0.109375 && rows[1].leaves == 2);
	assert_true(rows[1].impurity == 0.21875);
	assert_true(rows[2].alpha == 0.28125 && rows[2].leaves == 1);
	assert_true(isnan(rows[2].score));
	free(rows);

	/* A split that gains nothing collapses at alpha 0, which as
	 * tree.ccp_alpha prunes nothing: the table keeps the grown tree
	 * first and gives the root the least positive alpha. Then the same
	 * split under a gainful one: it goes at the first positive alpha. */
	struct tree_node flat[3] = {
		hand_node(2, 2, 1, 2), hand_node(1, 1, TREE_LEAF, TREE_LEAF),
		hand_node(1, 1, TREE_LEAF, TREE_LEAF),
	};
	struct tree flat_tree = { .nodes = flat, .nnodes = 3, .nfeatures = 1 };
	st = tree_ccp_path(&flat_tree, &n);
	assert_int_equal(n, 2);
	assert_true(st[1].alpha == 0 && st[1].leaves == 1);
	free(st);
	rows = tune_path_table(&flat_tree, &m);
	assert_int_equal(m, 2);
	assert_true(rows[0].alpha == 0 && rows[0].leaves == 2);
	assert_true(rows[1].alpha == DBL_TRUE_MIN && rows[1].leaves == 1);
	free(rows);
	/* root (6, 2) gini .375 -> node 1 (2, 2), split into two (1, 1)s for
	 * nothing, and a pure (4, 0): node 1 goes at 0, the root at .125 */
	struct tree_node mixed[5] = {
		hand_node(6, 2, 1, 4), hand_node(2, 2, 2, 3),
		hand_node(1, 1, TREE_LEAF, TREE_LEAF), hand_node(1, 1, TREE_LEAF, TREE_LEAF),
		hand_node(4, 0, TREE_LEAF, TREE_LEAF),
	};
	struct tree mixed_tree = { .nodes = mixed, .nnodes = 5, .nfeatures = 1 };
	rows = tune_path_table(&mixed_tree, &m);
	assert_int_equal(m, 2);
	assert_true(rows[0].alpha == 0 && rows[0].leaves == 3);
	assert_true(rows[1].alpha == 0.125 && rows[1].leaves == 1);
	free(rows);

	/* A lone leaf: the path is the tree itself. */
	hand.nnodes = 1;
	nodes[0] = hand_node(3, 1, TREE_LEAF, TREE_LEAF);
	st = tree_ccp_path(&hand, &n);
	assert_int_equal(n, 1);
	assert_true(st[0].alpha == 0);
	assert_true(st[0].impurity == 0.375);
	assert_int_equal(st[0].leaves, 1);
	free(st);
}

static void test_importance_and_text(void **state)
{
	(void)state;
	struct dataset d;
	make2(&d, DISAGREE, 12);
	struct tree_params p = defaults();
	struct tree *t = fit(&d, &p);
	/* decreases: root 12 * .5 - 2 * 6 * 4/9 = 2/3; left node
	 * 6 * 4/9 - 5 * .48 = 4/15; normalised 5/7 and 2/7 */
	assert_true(fabs(t->importance[0] - 5.0 / 7) < 1e-12);
	assert_true(fabs(t->importance[1] - 2.0 / 7) < 1e-12);

	char *text = tree_export_text(t, &half, "fraud", "legit");
	assert_string_equal(text,
		"|--- amount <= 0.5\n"
		"|   |--- card <= 0.5\n"
		"|   |   |--- class: fraud (p=1.00, n=1)\n"
		"|   |--- card >  0.5\n"
		"|   |   |--- class: fraud (p=0.60, n=5)\n"
		"|--- amount >  0.5\n"
		"|   |--- class: legit (p=0.67, n=6)\n");
	free(text);
	char *rules = tree_export_rules(t, &half, "fraud", "legit");
	assert_string_equal(rules,
		"if amount <= 0.5 and card <= 0.5 then fraud (p=1.00, n=1)\n"
		"if amount <= 0.5 and card > 0.5 then fraud (p=0.60, n=5)\n"
		"if amount > 0.5 then legit (p=0.67, n=6)\n");
	free(rules);
	/* A leaf's class is the model's decision at its threshold, not the
	 * majority: at 0.3 the 2-of-6 leaf is flagged, at 0.65 the 3-of-5
	 * one is not. */
	const struct tree_decision low = { 0.3, THRESHOLD_ON_SCORE }, high = { 0.65, THRESHOLD_ON_SCORE };
	rules = tree_export_rules(t, &low, "fraud", "legit");
	assert_string_equal(rules,
		"if amount <= 0.5 and card <= 0.5 then fraud (p=1.00, n=1)\n"
		"if amount <= 0.5 and card > 0.5 then fraud (p=0.60, n=5)\n"
		"if amount > 0.5 then fraud (p=0.33, n=6)\n");
	free(rules);
	rules = tree_export_rules(t, &high, "fraud", "legit");
	assert_string_equal(rules,
		"if amount <= 0.5 and card <= 0.5 then fraud (p=1.00, n=1)\n"
		"if amount <= 0.5 and card > 0.5 then legit (p=0.40, n=5)\n"
		"if amount > 0.5 then legit (p=0.67, n=6)\n");
	free(rules);

	const float row[2] = { 0, 1 };
	int32_t path[8];
	assert_int_equal(tree_path(t, row, path, 8), 3);
	assert_int_equal(path[0], 0);
	assert_int_equal(path[1], t->nodes[0].left);
	assert_int_equal(path[2], tree_leaf(t, row));
	assert_true(fabs(tree_predict_row(t, row) - 0.6) < 1e-15);
	assert_int_equal(tree_path(t, row, path, 1), 3);
	tree_free(t);
	dataset_free(&d);
}

static void test_rules_merge_bounds(void **state)
{
	(void)state;
	/* x 1..6, y 0 0 1 0 1 1: the leaf {3} lies under x > 2.5, x <= 4.5
	 * and x <= 3.5, printed as one interval */
	const float x[6] = { 1, 2, 3, 4, 5, 6 };
	const uint8_t y[6] = { 0, 0, 1, 0, 1, 1 };
	struct dataset d;
	make1(&d, x, y, 6);
	struct tree_params p = defaults();
	struct tree *t = fit(&d, &p);
	char *rules = tree_export_rules(t, &half, "fraud", "legit");
	assert_string_equal(rules,
		"if amount <= 2.5 then legit (p=1.00, n=2)\n"
		"if 2.5 < amount <= 3.5 then fraud (p=1.00, n=1)\n"
		"if 3.5 < amount <= 4.5 then legit (p=1.00, n=1)\n"
		"if amount > 4.5 then fraud (p=1.00, n=2)\n");
	free(rules);
	/* Thresholds keep the digits that separate values: a cut at 0.805
	 * prints 0.805, never a rounded 0.81 that 0.806 would sit above. */
	t->nodes[0].threshold = (double)0.805f;
	rules = tree_export_rules(t, &half, "fraud", "legit");
	assert_non_null(strstr(rules, "if amount <= 0.805 then"));
	free(rules);
	tree_free(t);
	dataset_free(&d);
}

/* 40 rows, 3 features, each with few distinct values: the tree must be
 * scikit-learn 1.2's exactly (DecisionTreeClassifier(max_depth=4), whose
 * output here does not depend on random_state: no ties). */
static const float EXACT_X[40][3] = {
	{ 1.0f, 1.5f, 0.3f }, { 1.0f, 1.5f, 0.2f }, { 7.0f, 0.0f, 1.1f },
	{ 4.0f, 0.0f, -1.3f }, { 5.0f, 0.5f, -0.7f }, { 6.0f, 1.0f, -0.8f },
	{ 7.0f, 1.5f, -1.7f }, { 0.0f, 0.5f, 0.1f }, { 4.0f, 1.5f, 0.5f },
	{ 1.0f, 0.5f, -0.7f }, { 4.0f, 1.5f, 1.4f }, { 9.0f, 1.0f, 0.8f },
	{ 5.0f, 1.0f, 0.6f }, { 0.0f, 0.0f, 0.4f }, { 5.0f, 1.0f, 1.0f },
	{ 1.0f, 1.5f, -1.3f }, { 7.0f, 1.5f, 0.6f }, { 9.0f, 1.5f, 0.6f },
	{ 9.0f, 1.5f, -1.8f }, { 6.0f, 0.0f, 0.3f }, { 8.0f, 1.5f, -0.3f },
	{ 3.0f, 0.5f, 0.8f }, { 1.0f, 1.0f, -0.4f }, { 5.0f, 0.5f, -0.0f },
	{ 4.0f, 0.0f, 0.3f }, { 6.0f, 0.0f, -0.9f }, { 9.0f, 1.5f, 0.6f },
	{ 2.0f, 1.5f, -0.1f }, { 8.0f, 0.5f, 0.5f }, { 1.0f, 0.5f, -0.5f },
	{ 3.0f, 0.0f, 1.1f }, { 7.0f, 0.0f, 0.6f }, { 2.0f, 1.5f, -0.2f },
	{ 6.0f, 1.0f, 0.6f }, { 4.0f, 0.0f, 1.3f }, { 5.0f, 0.0f, 1.8f },
	{ 9.0f, 1.0f, -1.6f }, { 8.0f, 1.5f, 0.9f }, { 8.0f, 1.5f, 0.5f },
	{ 5.0f, 0.0f, -0.1f },
};
static const uint8_t EXACT_Y[40] = {
	0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0,
	1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0,
};
struct exact_node { int feature; double threshold; unsigned neg, pos; };
static const struct exact_node EXACT_GINI[13] = {
	{ 1, 0.25, 15, 25 },
	{ 2, -0.4999999888241291, 9, 2 },
	{ -1, 0, 0, 2 },
	{ -1, 0, 9, 0 },
	{ 0, 0.5, 6, 23 },
	{ -1, 0, 1, 0 },
	{ 1, 1.25, 5, 23 },
	{ 2, 0.55000001192092896, 4, 9 },
	{ -1, 0, 1, 7 },
	{ -1, 0, 3, 2 },
	{ 0, 1.5, 1, 14 },
	{ -1, 0, 1, 2 },
	{ -1, 0, 0, 12 },
};
static const struct exact_node EXACT_ENTROPY[15] = {
	{ 1, 0.25, 15, 25 },
	{ 2, -0.4999999888241291, 9, 2 },
	{ -1, 0, 0, 2 },
	{ -1, 0, 9, 0 },
	{ 1, 1.25, 6, 23 },
	{ 2, -0.59999999403953552, 5, 9 },
	{ -1, 0, 0, 4 },
	{ 0, 4, 5, 5 },
	{ -1, 0, 3, 1 },
	{ -1, 0, 2, 4 },
	{ 0, 1.5, 1, 14 },
	{ 2, 0.2500000074505806, 1, 2 },
	{ -1, 0, 0, 2 },
	{ -1, 0, 1, 0 },
	{ -1, 0, 0, 12 },
};

static void check_exact(enum criterion crit, const struct exact_node *want, size_t nwant)
{
	struct dataset d = { .n = 40, .nfeatures = 3 };
	d.X = xmalloc(3 * 40 * sizeof *d.X);
	d.y = xmalloc(40);
	for (size_t i = 0; i < 40; i++) {
		for (size_t j = 0; j < 3; j++)
			d.X[j * 40 + i] = EXACT_X[i][j];
		d.y[i] = EXACT_Y[i];
	}
	struct tree_params p = defaults();
	p.criterion = crit;
	p.max_depth = 4;
	struct tree *t = fit(&d, &p);
	assert_int_equal(t->nnodes, nwant);
	for (size_t k = 0; k < nwant; k++) {
		assert_int_equal(t->nodes[k].feature, want[k].feature);
		if (want[k].feature >= 0)
			assert_true(t->nodes[k].threshold == want[k].threshold);
		assert_int_equal(t->nodes[k].count[0], want[k].neg);
		assert_int_equal(t->nodes[k].count[1], want[k].pos);
	}
	tree_free(t);
	dataset_free(&d);
}

static void test_matches_exact_cart(void **state)
{
	(void)state;
	check_exact(CRIT_GINI, EXACT_GINI, sizeof EXACT_GINI / sizeof EXACT_GINI[0]);
	check_exact(CRIT_ENTROPY, EXACT_ENTROPY, sizeof EXACT_ENTROPY / sizeof EXACT_ENTROPY[0]);
}

/* deterministic pseudo-random data with continuous and discrete features */
static void make_random(struct dataset *d, size_t n, size_t nf, uint64_t seed)
{
	struct ft_rng r;
	rng_seed(&r, seed);
	memset(d, 0, sizeof *d);
	d->n = n;
	d->nfeatures = nf;
	d->X = xmalloc(n * nf * sizeof *d->X);
	d->y = xmalloc(n);
	for (size_t j = 0; j < nf; j++)
		for (size_t i = 0; i < n; i++)
			d->X[j * n + i] = j % 2 ? (float)rng_normal(&r) : (float)rng_below(&r, 5 + j);
	for (size_t i = 0; i < n; i++) {
		double z = d->X[i] * 0.4 + d->X[n + i] - 1.0 + rng_normal(&r);
		d->y[i] = z > 0.5;
	}
}

static char *fit_json(const struct dataset *d, struct tree_params *p, int threads)
{
	p->threads = threads;
	struct tree *t = fit(d, p);
	cJSON *j = tree_to_json(t);
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	tree_free(t);
	return s;
}

static void test_determinism(void **state)
{
	(void)state;
	struct dataset d;
	make_random(&d, 40000, 4, 7);
	struct tree_params p = defaults();
	p.max_depth = 8;
	char *a = fit_json(&d, &p, 1), *b = fit_json(&d, &p, 2), *c = fit_json(&d, &p, 2);
	assert_string_equal(a, b);
	assert_string_equal(b, c);
	free(a);
	free(b);
	free(c);
	p.max_leaf_nodes = 20;
	p.criterion = CRIT_ENTROPY;
	a = fit_json(&d, &p, 1);
	b = fit_json(&d, &p, 2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	dataset_free(&d);
}

struct shared_fit {
	const struct tree_bins *bins;
	struct tree_params p;
	char *json;
};

static void *shared_fit_thread(void *arg)
{
	struct shared_fit *sf = arg;
	struct ft_err err;
	struct tree *t = tree_fit_binned(sf->bins, NAMES, &sf->p, NULL, &err);
	if (t) {
		cJSON *j = tree_to_json(t);
		sf->json = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		tree_free(t);
	}
	return NULL;
}

static void test_shared_bins(void **state)
{
	(void)state;
	struct dataset d;
	make_random(&d, 30000, 4, 3);
	struct tree_params p = defaults();
	p.max_depth = 6;
	char *direct = fit_json(&d, &p, 1);
	struct ft_err err;
	struct tree_bins *bins = tree_bins_new(&d, NAMES, p.max_bins, 2, NULL, &err);
	assert_non_null(bins);

	/* two fits at once on the same bins, one of them a different grid
	 * point, each giving what tree_fit gives */
	struct shared_fit sf[2] = { { bins, p, NULL }, { bins, p, NULL } };
	sf[1].p.max_depth = 3;
	sf[1].p.threads = 2;
	pthread_t tid;
	assert_int_equal(pthread_create(&tid, NULL, shared_fit_thread, &sf[1]), 0);
	shared_fit_thread(&sf[0]);
	pthread_join(tid, NULL);
	assert_non_null(sf[0].json);
	assert_string_equal(sf[0].json, direct);
	char *shallow = fit_json(&d, &sf[1].p, 1);
	assert_string_equal(sf[1].json, shallow);

	p.max_bins = 16;
	assert_null(tree_fit_binned(bins, NAMES, &p, NULL, &err));
	assert_non_null(strstr(err.msg, "tree.max_bins: 16, but the data was binned with 256"));
	assert_null(tree_bins_new(&d, NAMES, 65536, 1, NULL, &err));
	assert_non_null(strstr(err.msg, "tree.max_bins"));
	assert_null(tree_bins_new(&d, NAMES, 1, 1, NULL, &err));
	assert_non_null(strstr(err.msg, "tree.max_bins"));

	free(direct);
	free(shallow);
	free(sf[0].json);
	free(sf[1].json);
	tree_bins_free(bins);
	dataset_free(&d);
}

static void test_binning(void **state)
{
	(void)state;
	/* 1000 distinct values in 8 bins: thresholds are midpoints of real
	 * values, and every training row lands in the leaf whose counts
	 * include it. */
	size_t n = 1000;
	float *x = xmalloc(n * sizeof *x);
	uint8_t *y = xmalloc(n);
	for (size_t i = 0; i < n; i++) {
		x[i] = (float)((i * 7919) % n);
		y[i] = x[i] > 600;
	}
	struct dataset d;
	make1(&d, x, y, n);
	struct tree_params p = defaults();
	p.max_bins = 8;
	struct tree *t = fit(&d, &p);
	assert_true(tree_leaves(t) <= 8);
	assert_true(t->nnodes > 1);
	uint64_t *hits = xcalloc(t->nnodes, sizeof *hits);
	for (size_t i = 0; i < n; i++)
		hits[tree_leaf(t, &x[i])]++;
	for (size_t k = 0; k < t->nnodes; k++) {
		if (t->nodes[k].left == TREE_LEAF) {
			assert_int_equal(hits[k], t->nodes[k].samples);
		} else {
			double thr = t->nodes[k].threshold;
			assert_true(thr - floor(thr) == 0.5);
		}
	}
	free(hits);
	tree_free(t);
	dataset_free(&d);
	free(x);
	free(y);
}

/* Reference CART for the exact-threshold tests: at every node, every
 * feature's rows sorted by value and every cut between two different
 * values tried, straight from the definition (lowest feature, then lowest
 * threshold on equal proxies; unit or small integer weights keep every
 * sum exact, so the proxies match the tree's bit for bit). Appends nodes
 * in preorder. */
struct ref {
	const struct dataset *d;
	const struct tree_params *p;
	struct exact_node *out;
	size_t nout, cap;
};

static const float *ref_col;

static int ref_cmp(const void *a, const void *b)
{
	float x = ref_col[*(const uint32_t *)a], y = ref_col[*(const uint32_t *)b];
	return (x > y) - (x < y);
}

static double ref_gini(double w0, double w1)
{
	double w = w0 + w1;
	return w > 0.0 ? 1.0 - (w0 * w0 + w1 * w1) / (w * w) : 0.0;
}

static void ref_grow(struct ref *rf, uint32_t *rows, size_t m, int depth)
{
	const struct dataset *d = rf->d;
	double w[2] = { 0, 0 };
	unsigned cnt[2] = { 0, 0 };
	for (size_t k = 0; k < m; k++) {
		cnt[d->y[rows[k]]]++;
		w[d->y[rows[k]]] += d->w ? d->w[rows[k]] : 1.0;
	}
	assert_true(rf->nout < rf->cap);
	size_t me = rf->nout++;
	rf->out[me] = (struct exact_node){ -1, 0.0, cnt[0], cnt[1] };
	size_t msl = rf->p->min_samples_leaf;
	if ((rf->p->max_depth && depth >= rf->p->max_depth) || m < rf->p->min_samples_split ||
	    m < 2 * msl || ref_gini(w[0], w[1]) <= 2.220446049250313e-16)
		return;
	int best_j = -1;
	double best = -INFINITY, thr = 0.0;
	for (size_t j = 0; j < d->nfeatures; j++) {
		ref_col = d->X + j * d->n;
		qsort(rows, m, sizeof *rows, ref_cmp);
		double cw[2] = { 0, 0 };
		size_t nl = 0;
		for (size_t k = 0; k + 1 < m; k++) {
			uint32_t i = rows[k];
			cw[d->y[i]] += d->w ? d->w[i] : 1.0;
			nl++;
			float a = ref_col[i], b = ref_col[rows[k + 1]];
			if (a == b)
				continue;
			if (m - nl < msl)
				break;
			double wl = cw[0] + cw[1], wr = w[0] + w[1] - wl;
			if (nl < msl || wl <= 0.0 || wr <= 0.0)
				continue;
			double proxy = -wr * ref_gini(w[0] - cw[0], w[1] - cw[1]) -
				       wl * ref_gini(cw[0], cw[1]);
			if (proxy > best) {
				best = proxy;
				best_j = (int)j;
				thr = (double)a / 2.0 + (double)b / 2.0;
				if (thr == b)
					thr = a;
			}
		}
	}
	if (best_j < 0)
		return;
	rf->out[me].feature = best_j;
	rf->out[me].threshold = thr;
	const float *x = d->X + (size_t)best_j * d->n;
	uint32_t *left = xmalloc(m * sizeof *left), *right = xmalloc(m * sizeof *right);
	size_t nl = 0, nr = 0;
	for (size_t k = 0; k < m; k++) {
		if ((double)x[rows[k]] <= thr)
			left[nl++] = rows[k];
		else
			right[nr++] = rows[k];
	}
	ref_grow(rf, left, nl, depth + 1);
	ref_grow(rf, right, nr, depth + 1);
	free(left);
	free(right);
}

/* The fitted tree, node for node, against the reference. */
static void check_against_ref(const struct dataset *d, const struct tree_params *p)
{
	struct ref rf = { .d = d, .p = p, .cap = 2 * d->n };
	rf.out = xcalloc(rf.cap, sizeof *rf.out);
	uint32_t *rows = xmalloc(d->n * sizeof *rows);
	for (size_t i = 0; i < d->n; i++)
		rows[i] = (uint32_t)i;
	ref_grow(&rf, rows, d->n, 0);
	struct tree *t = fit(d, p);
	assert_int_equal(t->nnodes, rf.nout);
	for (size_t k = 0; k < rf.nout; k++) {
		assert_int_equal(t->nodes[k].feature, rf.out[k].feature);
		if (rf.out[k].feature >= 0 && t->nodes[k].threshold != rf.out[k].threshold)
			fail_msg("node %zu: threshold %.17g, exact CART %.17g", k,
				 t->nodes[k].threshold, rf.out[k].threshold);
		assert_int_equal(t->nodes[k].count[0], rf.out[k].neg);
		assert_int_equal(t->nodes[k].count[1], rf.out[k].pos);
	}
	tree_free(t);
	free(rows);
	free(rf.out);
}

/* n rows: feature 0 with n distinct values, feature 1 with about 300
 * (0 written as both -0 and +0), feature 2 with 4; noisy labels, so the full tree reaches nodes of every
 * size (histograms near the root, sorted samples further down). */
static void make_continuous(struct dataset *d, size_t n, uint64_t seed, bool weights)
{
	struct ft_rng r;
	rng_seed(&r, seed);
	memset(d, 0, sizeof *d);
	d->n = n;
	d->nfeatures = 3;
	d->X = xmalloc(3 * n * sizeof *d->X);
	d->y = xmalloc(n);
	for (size_t i = 0; i < n; i++) {
		d->X[i] = (float)i / 7.0f - 40.0f;
		d->X[n + i] = (float)rng_below(&r, 300) * 0.25f;
		if (d->X[n + i] == 0.0f && i % 2)
			d->X[n + i] = -0.0f;   /* one value with +0 */
		d->X[2 * n + i] = (float)rng_below(&r, 4);
	}
	/* shuffle feature 0 so row order says nothing */
	for (size_t i = n - 1; i > 0; i--) {
		size_t k = rng_below(&r, i + 1);
		float t = d->X[i];
		d->X[i] = d->X[k];
		d->X[k] = t;
	}
	for (size_t i = 0; i < n; i++) {
		double z = 0.05 * d->X[i] + 0.03 * d->X[n + i] - 1.0 + 0.8 * rng_normal(&r);
		d->y[i] = z > 0.0;
	}
	if (weights) {
		d->w = xmalloc(n * sizeof *d->w);
		for (size_t i = 0; i < n; i++)
			d->w[i] = (double)(1 + rng_below(&r, 3));
	}
}

static void test_exact_thresholds(void **state)
{
	(void)state;
	/* 1000 distinct values, fraud from x = 2 up: the exact cut is 1.5,
	 * inside the first of 256 quantile bins (about four values each). */
	size_t n = 1000;
	float *x = xmalloc(n * sizeof *x);
	uint8_t *y = xmalloc(n);
	for (size_t i = 0; i < n; i++) {
		x[i] = (float)((i * 7919) % n);
		y[i] = x[i] >= 2;
	}
	struct dataset d;
	make1(&d, x, y, n);
	struct tree_params p = defaults();
	p.max_depth = 1;
	struct tree *t = fit(&d, &p);
	assert_int_equal(t->nnodes, 3);
	assert_true(t->nodes[0].threshold != 1.5);       /* 256 bins cannot cut there */
	assert_true(t->nodes[1].count[0] == 2 && t->nodes[1].count[1] > 0);
	tree_free(t);
	for (int mb = 0; mb <= 1000; mb += 1000) {       /* automatic, then explicit */
		p.max_bins = mb;
		t = fit(&d, &p);
		assert_int_equal(t->nnodes, 3);
		assert_true(t->nodes[0].threshold == 1.5);
		assert_int_equal(t->nodes[1].count[0], 2);
		assert_int_equal(t->nodes[1].count[1], 0);
		assert_int_equal(t->nodes[2].count[0], 0);
		assert_int_equal(t->nodes[2].count[1], 998);
		tree_free(t);
	}
	/* 300 bins for 1000 values: quantile bins in a 16-bit column, still
	 * real midpoints, and every row lands in the leaf that counted it */
	p = defaults();
	p.max_bins = 300;
	for (size_t i = 0; i < n; i++)
		d.y[i] = (i * 31) % 7 < 3;
	t = fit(&d, &p);
	assert_true(t->nnodes > 1);
	uint64_t *hits = xcalloc(t->nnodes, sizeof *hits);
	for (size_t i = 0; i < n; i++)
		hits[tree_leaf(t, &x[i])]++;
	for (size_t k = 0; k < t->nnodes; k++) {
		if (t->nodes[k].left == TREE_LEAF)
			assert_int_equal(hits[k], t->nodes[k].samples);
		else
			assert_true(t->nodes[k].threshold - floor(t->nodes[k].threshold) == 0.5);
	}
	free(hits);
	tree_free(t);
	dataset_free(&d);
	free(x);
	free(y);

	/* the full tree and shallow ones, unit and integer weights, against
	 * the reference, node for node; on 3000 rows feature 1 also goes
	 * through histograms and their subtraction near the root */
	for (int wt = 0; wt < 4; wt++) {
		make_continuous(&d, wt < 2 ? 600 : 3000, 5 + (uint64_t)wt, wt % 2);
		p = defaults();
		p.max_bins = 0;
		check_against_ref(&d, &p);
		p.max_depth = 3;
		check_against_ref(&d, &p);
		p.max_depth = 0;
		p.min_samples_leaf = 5;
		check_against_ref(&d, &p);
		dataset_free(&d);
	}
}

static void test_exact_determinism(void **state)
{
	(void)state;
	/* 60000 rows, values on a 0.001 grid (at most 6001 per feature): the
	 * exact 16-bit path, on one thread and on two */
	struct dataset d;
	make_random(&d, 60000, 4, 21);
	for (size_t i = 0; i < d.n * d.nfeatures; i++)
		d.X[i] = roundf(d.X[i] * 1000.0f) / 1000.0f;
	struct tree_params p = defaults();
	p.max_bins = 0;
	p.max_depth = 12;
	char *a = fit_json(&d, &p, 1), *b = fit_json(&d, &p, 2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	p.max_leaf_nodes = 40;
	p.criterion = CRIT_ENTROPY;
	a = fit_json(&d, &p, 1);
	b = fit_json(&d, &p, 2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	dataset_free(&d);

	/* from 200000 rows on, automatic means 256 quantile bins */
	make_random(&d, 200000, 2, 4);
	p = defaults();
	p.max_depth = 6;
	struct tree *t256 = fit(&d, &p);
	p.max_bins = 0;
	struct tree *tauto = fit(&d, &p);
	assert_int_equal(t256->nnodes, tauto->nnodes);
	for (size_t k = 0; k < t256->nnodes; k++) {
		assert_int_equal(t256->nodes[k].feature, tauto->nodes[k].feature);
		assert_true(t256->nodes[k].threshold == tauto->nodes[k].threshold);
		assert_int_equal(t256->nodes[k].samples, tauto->nodes[k].samples);
	}
	tree_free(t256);
	tree_free(tauto);
	dataset_free(&d);
}

static void test_json_round_trip(void **state)
{
	(void)state;
	struct dataset d;
	make_random(&d, 5000, 3, 11);
	struct tree_params p = defaults();
	p.max_depth = 5;
	p.ccp_alpha = 0.0005;
	p.min_impurity_decrease = 1e-5;
	struct tree *t = fit(&d, &p);
	cJSON *j = tree_to_json(t);
	char *s1 = cJSON_Print(j);
	cJSON *j2 = cJSON_Parse(s1);
	struct ft_err err;
	struct tree *t2 = tree_from_json(j2, 3, "model.json", &err);
	if (!t2)
		fail_msg("%s", err.msg);
	assert_int_equal(t2->nnodes, t->nnodes);
	assert_memory_equal(t2->nodes, t->nodes, t->nnodes * sizeof *t->nodes);
	for (size_t k = 0; k < 3; k++)
		assert_true(t2->importance[k] == t->importance[k]);
	assert_string_equal(t2->feature_names[1], "card");
	assert_true(t2->params.ccp_alpha == 0.0005);
	assert_int_equal(t2->params.max_depth, 5);
	cJSON *j3 = tree_to_json(t2);
	char *s2 = cJSON_Print(j3);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	cJSON_Delete(j);
	cJSON_Delete(j2);
	cJSON_Delete(j3);
	tree_free(t);
	tree_free(t2);
	dataset_free(&d);
}

static const char VALID[] =
	"{\"params\":{\"criterion\":\"gini\",\"max_depth\":0,\"min_samples_split\":2,"
	"\"min_samples_leaf\":1,\"min_impurity_decrease\":0,\"max_leaf_nodes\":0,"
	"\"ccp_alpha\":0,\"max_bins\":256},"
	"\"nfeatures\":2,\"feature_names\":[\"a\",\"b\"],\"nodes\":["
	"{\"left\":1,\"right\":2,\"feature\":1,\"threshold\":0.5,\"value\":[3,3],"
	"\"count\":[3,3],\"impurity\":0.5,\"samples\":6,\"depth\":0},"
	"{\"left\":-1,\"right\":-1,\"feature\":-1,\"threshold\":0,\"value\":[3,0],"
	"\"count\":[3,0],\"impurity\":0,\"samples\":3,\"depth\":1},"
	"{\"left\":-1,\"right\":-1,\"feature\":-1,\"threshold\":0,\"value\":[0,3],"
	"\"count\":[0,3],\"impurity\":0,\"samples\":3,\"depth\":1}]}";

static cJSON *node_of(cJSON *root, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(root, "nodes"), i);
}

static void set_num(cJSON *obj, const char *key, double v)
{
	cJSON_ReplaceItemInObject(obj, key, cJSON_CreateNumber(v));
}

static void set_pair(cJSON *obj, const char *key, double a, double b)
{
	double v[2] = { a, b };
	cJSON_ReplaceItemInObject(obj, key, cJSON_CreateDoubleArray(v, 2));
}

/* Parse VALID, let `edit` damage it, expect the error to contain want. */
static void expect_bad(int edit, size_t nfeatures, const char *want)
{
	cJSON *j = cJSON_Parse(VALID);
	cJSON *n0 = node_of(j, 0), *n1 = node_of(j, 1), *n2 = node_of(j, 2);
	switch (edit) {
	case 0: break;
	case 1: cJSON_ReplaceItemInObject(j, "nodes", cJSON_CreateArray()); break;
	case 2: set_num(n0, "left", 99); break;
	case 3: set_num(n2, "left", 1); set_num(n2, "right", 2); set_num(n2, "feature", 0); break;
	case 4: set_num(n0, "right", 1); break;
	case 5: set_num(n1, "left", 2); break;
	case 6: set_num(n0, "feature", 2); break;
	case 7: set_num(n1, "feature", 0); break;
	case 8: set_num(n0, "threshold", INFINITY); break;
	case 9: set_pair(n1, "count", -1, 3); break;
	case 10: set_num(n1, "samples", 5); break;
	case 11: set_num(n0, "left", -1); set_num(n0, "right", -1); set_num(n0, "feature", -1); break;
	case 12: break;
	case 13: cJSON_DeleteItemFromObject(n2, "impurity"); break;
	case 14: set_num(cJSON_GetObjectItem(j, "params"), "max_depth", 1e9); break;
	case 15: set_pair(n1, "value", -1, 0); break;
	case 16: set_num(n1, "depth", 5); break;
	case 17: set_pair(n1, "count", 2, 0); set_num(n1, "samples", 2); break;
	case 18: set_num(n2, "impurity", 1.5); break;
	case 19: set_num(n0, "left", 0.5); break;
	case 20: cJSON_ReplaceItemInObject(n0, "left", cJSON_CreateString("1")); break;
	case 21: cJSON_ReplaceItemInObject(j, "feature_names", cJSON_CreateArray()); break;
	case 22: cJSON_ReplaceItemInArray(cJSON_GetObjectItem(j, "nodes"), 1, cJSON_CreateNull()); break;
	case 23: cJSON_ReplaceItemInObject(cJSON_GetObjectItem(j, "params"), "criterion",
					   cJSON_CreateString("mse")); break;
	}
	struct ft_err err;
	struct tree *t = tree_from_json(j, nfeatures, "model.json", &err);
	if (!want) {
		if (!t)
			fail_msg("edit %d: %s", edit, err.msg);
		assert_non_null(t);
	} else {
		assert_null(t);
		assert_int_equal(err.code, FT_EINPUT);
		if (!strstr(err.msg, want))
			fail_msg("edit %d: \"%s\" lacks \"%s\"", edit, err.msg, want);
	}
	tree_free(t);
	cJSON_Delete(j);
}

static void test_from_json_validation(void **state)
{
	(void)state;
	expect_bad(0, 2, NULL);
	expect_bad(1, 2, "model.json: tree.nodes: expected an array of 1 to");
	expect_bad(2, 2, "model.json: tree.nodes[0].left: index 99 out of range");
	expect_bad(3, 2, "model.json: tree.nodes[2].left: node 1 is reached twice");
	expect_bad(4, 2, "tree.nodes[0].right: same child as left");
	expect_bad(5, 2, "tree.nodes[1].left/right: a leaf has -1 for both");
	expect_bad(6, 2, "tree.nodes[0].feature: 2 is not a feature index");
	expect_bad(7, 2, "tree.nodes[1].feature: a leaf has feature -1");
	expect_bad(8, 2, "tree.nodes[0].threshold: expected a finite number");
	expect_bad(9, 2, "tree.nodes[1].count: expected an integer from 0");
	expect_bad(10, 2, "tree.nodes[1].samples: 5 is not count[0] + count[1]");
	expect_bad(11, 2, "tree.nodes[1]: not reachable from the root");
	expect_bad(12, 3, "tree.nfeatures: 2 does not match the recipe's 3 features");
	expect_bad(13, 2, "tree.nodes[2].impurity: missing");
	expect_bad(14, 2, "tree.params.max_depth: expected an integer from 0 to 1000");
	expect_bad(15, 2, "tree.nodes[1].value: -1 is below 0");
	expect_bad(16, 2, "tree.nodes[1].depth: 5, expected 1");
	expect_bad(17, 2, "tree.nodes[0].count: children's counts do not add up");
	expect_bad(18, 2, "tree.nodes[2].impurity: 1.5 is above 1");
	expect_bad(19, 2, "tree.nodes[0].left: expected an integer");
	expect_bad(20, 2, "tree.nodes[0].left: expected a number");
	expect_bad(21, 2, "tree.feature_names: expected an array of 2 strings");
	expect_bad(22, 2, "tree.nodes[1]: expected an object");
	expect_bad(23, 2, "tree.params.criterion: expected");

	struct ft_err err;
	cJSON *arr = cJSON_CreateArray();
	assert_null(tree_from_json(arr, 2, "m.json", &err));
	assert_non_null(strstr(err.msg, "m.json: tree: expected an object"));
	cJSON_Delete(arr);
}

static void test_check_params(void **state)
{
	(void)state;
	struct tree_params p = defaults();
	assert_null(tree_check_params(&p));
	p.max_depth = 1000000000;
	assert_non_null(strstr(tree_check_params(&p), "tree.max_depth: too deep"));
	p = defaults();
	p.max_depth = -1;
	assert_non_null(strstr(tree_check_params(&p), "tree.max_depth"));
	p = defaults();
	p.min_samples_split = 1;
	assert_non_null(strstr(tree_check_params(&p), "tree.min_samples_split"));
	p = defaults();
	p.min_samples_leaf = 0;
	assert_non_null(strstr(tree_check_params(&p), "tree.min_samples_leaf"));
	p = defaults();
	p.max_bins = 1;
	assert_non_null(strstr(tree_check_params(&p), "tree.max_bins"));
	p.max_bins = 65536;
	assert_non_null(strstr(tree_check_params(&p), "tree.max_bins"));
	p.max_bins = -1;
	assert_non_null(strstr(tree_check_params(&p), "tree.max_bins"));
	p.max_bins = 0;
	assert_null(tree_check_params(&p));
	p.max_bins = 65535;
	assert_null(tree_check_params(&p));
	p = defaults();
	p.ccp_alpha = -0.1;
	assert_non_null(strstr(tree_check_params(&p), "tree.ccp_alpha"));
	p.ccp_alpha = NAN;
	assert_non_null(strstr(tree_check_params(&p), "tree.ccp_alpha"));
	p = defaults();
	p.min_impurity_decrease = -1;
	assert_non_null(strstr(tree_check_params(&p), "tree.min_impurity_decrease"));
	p = defaults();
	p.max_leaf_nodes = 1;
	assert_non_null(strstr(tree_check_params(&p), "tree.max_leaf_nodes"));
	p = defaults();
	p.criterion = (enum criterion)7;
	assert_non_null(strstr(tree_check_params(&p), "tree.criterion"));
	p = defaults();
	p.threads = -1;
	assert_non_null(strstr(tree_check_params(&p), "tree.threads"));

	/* tree_fit refuses them before any work */
	struct dataset d;
	make2(&d, DISAGREE, 12);
	struct ft_err err;
	p = defaults();
	p.min_samples_split = 0;
	assert_null(tree_fit(&d, NAMES, &p, NULL, &err));
	assert_int_equal(err.code, FT_EINPUT);
	assert_non_null(strstr(err.msg, "tree.min_samples_split"));
	dataset_free(&d);
}

static void test_bad_data(void **state)
{
	(void)state;
	const float x[3] = { 1, NAN, 3 };
	const uint8_t y[3] = { 0, 1, 0 };
	struct dataset d;
	make1(&d, x, y, 3);
	struct tree_params p = defaults();
	struct ft_err err;
	assert_null(tree_fit(&d, NAMES, &p, NULL, &err));
	assert_non_null(strstr(err.msg, "row 1, feature amount: not a finite number"));
	d.X[1] = 2;
	d.y[2] = 2;
	assert_null(tree_fit(&d, NAMES, &p, NULL, &err));
	assert_non_null(strstr(err.msg, "row 2: label 2"));
	dataset_free(&d);
}

struct progress_log {
	uint64_t last_done, total;
	int calls;
};

static void on_progress(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	struct progress_log *log = ctx;
	assert_string_equal(stage, "train");
	assert_true(done >= log->last_done);
	log->last_done = done;
	log->total = total;
	log->calls++;
}

struct cancel_at {
	atomic_int cancel;
	int when, calls;
	uint64_t last_done;
};

static void cancel_on_call(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	struct cancel_at *at = ctx;
	at->last_done = done;
	if (++at->calls == at->when)
		atomic_store(&at->cancel, 1);
}

static void test_progress_and_cancel(void **state)
{
	(void)state;
	struct dataset d;
	make_random(&d, 20000, 3, 5);
	struct tree_params p = defaults();
	struct ft_err err;
	struct progress_log log = { 0 };
	atomic_int cancel = 0;
	struct ft_progress prog = { on_progress, &log, &cancel };
	struct tree *t = tree_fit(&d, NULL, &p, &prog, &err);
	assert_non_null(t);
	assert_true(log.calls >= 2);
	assert_int_equal(log.last_done, 20000);
	assert_int_equal(log.total, 20000);
	assert_string_equal(t->feature_names[2], "x2");
	tree_free(t);

	atomic_store(&cancel, 1);
	log = (struct progress_log){ 0 };
	assert_null(tree_fit(&d, NULL, &p, &prog, &err));
	assert_int_equal(err.code, FT_ECANCELLED);

	/* raised from inside the fit: at the first report (before binning),
	 * and once some leaves are done (between nodes) */
	for (int when = 1; when <= 2; when++) {
		struct cancel_at at = { .cancel = 0, .when = when };
		struct ft_progress prog2 = { cancel_on_call, &at, &at.cancel };
		assert_null(tree_fit(&d, NULL, &p, &prog2, &err));
		assert_int_equal(err.code, FT_ECANCELLED);
		assert_true(at.last_done < 20000);
	}
	dataset_free(&d);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct fit_thread {
	const struct dataset *d;
	struct tree_params p;
	atomic_int cancel;
	struct tree *t;
	struct ft_err err;
	double done_ms;
};

static void *fit_in_thread(void *arg)
{
	struct fit_thread *ft = arg;
	struct ft_progress prog = { NULL, NULL, &ft->cancel };
	ft->t = tree_fit(ft->d, NULL, &ft->p, &prog, &ft->err);
	ft->done_ms = now_ms();
	return NULL;
}

/* Fit d in a thread, raise the cancel flag after delay_ms and return how
 * long the fit took to give up (it must give up, not finish). */
static double cancel_after(const struct dataset *d, int max_bins, long delay_ms)
{
	struct fit_thread ft = { .d = d, .p = defaults() };
	ft.p.max_depth = 0;
	ft.p.max_bins = max_bins;
	ft.p.threads = 2;
	atomic_init(&ft.cancel, 0);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, fit_in_thread, &ft), 0);
	struct timespec nap = { 0, delay_ms * 1000000L };
	nanosleep(&nap, NULL);
	double raised = now_ms();
	atomic_store(&ft.cancel, 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_null(ft.t);
	assert_int_equal(ft.err.code, FT_ECANCELLED);
	return ft.done_ms - raised;
}

/* A fit of many rows gives up when the flag is raised, wherever it is:
 * binning (uint8 quantiles, or the uint16 exact path's sort) or a large
 * node's histograms and partition, on both threads, and frees everything
 * (the ASan build checks that). How fast it stops is measured, not tested:
 * the bound here only catches a fit that ignores the flag altogether. */
static void test_cancel_anywhere(void **state)
{
	(void)state;
	struct dataset d;
	make_random(&d, 400000, 20, 11);
	static const int bins[] = { 256, 65535 };
	for (size_t b = 0; b < sizeof bins / sizeof *bins; b++) {
		assert_true(cancel_after(&d, bins[b], 10) < 10000.0);
		assert_true(cancel_after(&d, bins[b], 150) < 10000.0);
	}
	dataset_free(&d);

	make_random(&d, 2000000, 2, 12);
	assert_true(cancel_after(&d, 65535, 10) < 10000.0);
	dataset_free(&d);
}

/* Real rows and what resampling added: 4 real frauds among 20 rows, then
 * 12 copies of them appended (oversampling to 16 vs 16). Every node's
 * real counts are the rows below index n - nsynthetic; the leaves' score
 * is the share in all 32 samples, the probability the share corrected to
 * the real prior (4 vs 16): odds times (4/16)/(16/16). */
static void test_real_counts_and_probability(void **state)
{
	(void)state;
	enum { N = 32 };
	float x[N];
	uint8_t y[N];
	for (size_t i = 0; i < 20; i++) {
		y[i] = i < 4;
		x[i] = i < 4 ? 10.0f + (float)i : (float)i;   /* frauds 10..13 */
	}
	for (size_t i = 20; i < N; i++) {
		y[i] = 1;
		x[i] = 10.0f + (float)((i - 20) % 4);
	}
	/* two legit rows among the frauds' values */
	x[4] = 11.5f;
	x[5] = 12.5f;
	struct dataset d;
	make1(&d, x, y, N);
	d.nsynthetic = 12;
	d.prior[0] = 16;
	d.prior[1] = 4;
	struct tree_params p = defaults();
	p.max_depth = 1;
	struct tree *t = fit(&d, &p);
	const struct tree_node *root = &t->nodes[0];
	assert_int_equal(root->count[1], 16);
	assert_int_equal(root->real[0], 16);
	assert_int_equal(root->real[1], 4);
	assert_true(t->probability_odds == (4.0 / 16) / (16.0 / 16));
	for (size_t k = 0; k < t->nnodes; k++) {
		const struct tree_node *nd = &t->nodes[k];
		assert_true(nd->real[0] <= nd->count[0] && nd->real[1] <= nd->count[1]);
		double s = tree_node_proba(nd);
		double odds = s / (1 - s) * 0.25;
		if (s > 0 && s < 1)
			assert_true(fabs(tree_node_probability(t, nd) - odds / (1 + odds)) < 1e-15);
	}
	char *rules = tree_export_rules(t, &half, "fraud", "legit");
	assert_non_null(strstr(rules, "synthetic)"));
	assert_non_null(strstr(rules, "fraud probability "));
	free(rules);
	tree_free(t);

	/* no resampling: probability is the score, bit for bit */
	d.nsynthetic = 0;
	d.prior[0] = d.prior[1] = 0;
	t = fit(&d, &p);
	assert_true(t->probability_odds == 1.0);
	for (size_t k = 0; k < t->nnodes; k++) {
		assert_true(tree_node_probability(t, &t->nodes[k]) == tree_node_proba(&t->nodes[k]));
		assert_true(t->nodes[k].real[0] == t->nodes[k].count[0]);
	}
	rules = tree_export_rules(t, &half, "fraud", "legit");
	assert_null(strstr(rules, "synthetic"));
	free(rules);
	tree_free(t);

	/* class weights: the probability is the unweighted share */
	d.w = xmalloc(N * sizeof *d.w);
	for (size_t i = 0; i < N; i++)
		d.w[i] = y[i] ? 3.0 : 0.5;
	t = fit(&d, &p);
	for (size_t k = 0; k < t->nnodes; k++) {
		const struct tree_node *nd = &t->nodes[k];
		double share = (double)nd->count[1] / (double)(nd->count[0] + nd->count[1]);
		assert_true(fabs(tree_node_probability(t, nd) - share) < 1e-12);
	}
	tree_free(t);
	dataset_free(&d);
}

/* Oversampled copies held as references (copy_of) and the same copies
 * written out as rows of their own grow the same tree, split for split and
 * count for count, in narrow and wide bins: the references' bins, taken
 * through the list of the rows they copy once there are enough of them,
 * are the rows' own. Enough copies, from a small share of the rows, that
 * the list is used. */
static void test_copies_match_rows(void **state)
{
	(void)state;
	enum { HELD = 40000, COPIES = 30000, NF = 3 };
	struct dataset a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.n = HELD + COPIES;
	a.nfeatures = b.nfeatures = NF;
	a.ncopies = COPIES;
	a.nsynthetic = b.nsynthetic = COPIES;
	a.X = xmalloc((size_t)HELD * NF * sizeof *a.X);
	a.y = xmalloc(a.n);
	a.copy_of = xmalloc(COPIES * sizeof *a.copy_of);
	uint64_t s = 12345;
	size_t frauds[HELD / 20], nfraud = 0;
	for (size_t i = 0; i < HELD; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		uint8_t fraud = (s >> 33) % 20 == 0;
		a.y[i] = fraud;
		if (fraud && nfraud < HELD / 20)
			frauds[nfraud++] = i;
		else
			a.y[i] = 0;
		for (size_t j = 0; j < NF; j++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			float v = (float)((s >> 40) % 5000) / 7.0f;
			a.X[j * HELD + i] = a.y[i] && j == 0 ? v * 0.5f : v;
		}
	}
	assert_true(nfraud > 100);
	for (size_t k = 0; k < COPIES; k++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		a.copy_of[k] = frauds[(s >> 33) % nfraud];
		a.y[HELD + k] = 1;
	}
	b.n = a.n;
	b.X = xmalloc(b.n * NF * sizeof *b.X);
	b.y = xmalloc(b.n);
	memcpy(b.y, a.y, b.n);
	for (size_t j = 0; j < NF; j++)
		for (size_t i = 0; i < b.n; i++)
			b.X[j * b.n + i] = a.X[j * HELD + dataset_row(&a, i)];

	const int bins[] = { 256, 4096 };
	for (size_t q = 0; q < sizeof bins / sizeof bins[0]; q++) {
		struct tree_params p = defaults();
		p.max_depth = 8;
		p.max_bins = bins[q];
		p.threads = 2;
		struct tree *ta = fit(&a, &p), *tb = fit(&b, &p);
		assert_true(ta->nnodes > 20);
		assert_int_equal(ta->nnodes, tb->nnodes);
		for (size_t k = 0; k < ta->nnodes; k++) {
			const struct tree_node *x = &ta->nodes[k], *z = &tb->nodes[k];
			assert_int_equal(x->feature, z->feature);
			assert_true(x->threshold == z->threshold || x->feature < 0);
			assert_int_equal(x->count[0], z->count[0]);
			assert_int_equal(x->count[1], z->count[1]);
			assert_int_equal(x->real[1], z->real[1]);
		}
		tree_free(ta);
		tree_free(tb);
	}
	dataset_free(&a);
	dataset_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gini_split),
		cmocka_unit_test(test_entropy_split),
		cmocka_unit_test(test_stopping_rules),
		cmocka_unit_test(test_max_leaf_nodes),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_pruning),
		cmocka_unit_test(test_importance_and_text),
		cmocka_unit_test(test_rules_merge_bounds),
		cmocka_unit_test(test_matches_exact_cart),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_binning),
		cmocka_unit_test(test_shared_bins),
		cmocka_unit_test(test_exact_thresholds),
		cmocka_unit_test(test_exact_determinism),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_from_json_validation),
		cmocka_unit_test(test_ccp_path),
		cmocka_unit_test(test_check_params),
		cmocka_unit_test(test_bad_data),
		cmocka_unit_test(test_progress_and_cancel),
		cmocka_unit_test(test_cancel_anywhere),
		cmocka_unit_test(test_real_counts_and_probability),
		cmocka_unit_test(test_copies_match_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
