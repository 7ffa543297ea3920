/* Tree screen view model: outline folding, rule text in column terms,
 * search, leaves worth jumping to, rules per leaf, a row's values. The
 * tree and recipe are built by hand:
 *
 *   0  TransactionAmt <= 412.5 ?          (90 legit, 10 fraud)
 *   |-- 1 leaf                            (80, 2)
 *   `-- 2  card_type=debit <= 0.5 ?       (10, 8)
 *       |-- 3 leaf                        (8, 1)
 *       `-- 4 leaf                        (2, 7)
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <unistd.h>

#include "gen.h"
#include "model_fixture.h"
#include "predict.h"
#include "recipe_apply.h"
#include "vm_tree.h"

static struct tree_node nodes[5];
/* Writable copies: the engine's structs hold char *, not const char *. */
static char s_amt[] = "TransactionAmt", s_card[] = "card_type",
	s_debit_f[] = "card_type=debit", s_debit[] = "debit", s_credit[] = "credit";
static char *names[2] = { s_amt, s_debit_f };
static double importance[2] = { 0.6, 0.4 };
static struct tree tree;

static char *levels[2] = { s_debit, s_credit };
static struct recipe_input inputs[2];
static struct feature features[2];
static struct recipe recipe;

static void node(int i, int left, int right, int feature, double thr,
		 uint64_t neg, uint64_t pos, int depth)
{
	nodes[i] = (struct tree_node){
		.left = left, .right = right, .feature = feature, .threshold = thr,
		.value = { (double)neg, (double)pos }, .count = { neg, pos },
		.samples = neg + pos, .depth = depth, .real = { neg, pos },
	};
}

static int setup(void **state)
{
	(void)state;
	node(0, 1, 2, 0, 412.5, 90, 10, 0);
	node(1, TREE_LEAF, TREE_LEAF, -1, 0, 80, 2, 1);
	node(2, 3, 4, 1, 0.5, 10, 8, 1);
	node(3, TREE_LEAF, TREE_LEAF, -1, 0, 8, 1, 2);
	node(4, TREE_LEAF, TREE_LEAF, -1, 0, 2, 7, 2);
	tree = (struct tree){ .nodes = nodes, .nnodes = 5, .nfeatures = 2,
			      .feature_names = names, .importance = importance };
	inputs[0] = (struct recipe_input){ .name = s_amt, .type = COL_NUMERIC };
	inputs[1] = (struct recipe_input){ .name = s_card, .type = COL_CATEGORICAL,
					   .encode = ENC_ONEHOT, .levels = levels, .nlevels = 2 };
	features[0] = (struct feature){ .name = s_amt, .input = 0, .kind = FEAT_NUMERIC };
	features[1] = (struct feature){ .name = s_debit_f, .input = 1,
					.kind = FEAT_ONEHOT, .level = 0 };
	recipe = (struct recipe){ .inputs = inputs, .ninputs = 2, .features = features,
				  .nfeatures = 2 };
	return 0;
}

static void assert_rows(const struct vm_outline *o, const int32_t *want, size_t n)
{
	assert_int_equal(o->nrows, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(o->rows[i], want[i]);
}

static void test_outline_folding(void **state)
{
	(void)state;
	struct vm_outline *o = vm_outline_new(&tree);
	assert_rows(o, (int32_t[]){ 0 }, 1);
	assert_int_equal(o->parent[0], -1);
	assert_int_equal(o->parent[4], 2);

	vm_outline_open_depth(o, -1);
	assert_rows(o, (int32_t[]){ 0, 1, 2, 3, 4 }, 5);

	vm_outline_open_depth(o, 1);
	assert_rows(o, (int32_t[]){ 0, 1, 2 }, 3);
	assert_int_equal(vm_outline_row_of(o, 2), 2);
	assert_int_equal(vm_outline_row_of(o, 4), -1);

	vm_outline_open_depth(o, 0);
	assert_rows(o, (int32_t[]){ 0 }, 1);
	vm_outline_reveal(o, 4);
	assert_rows(o, (int32_t[]){ 0, 1, 2, 3, 4 }, 5);
	assert_int_equal(vm_outline_row_of(o, 4), 4);

	o->open[2] = false;          /* fold one node by hand, as Left does */
	vm_outline_flatten(o);
	assert_rows(o, (int32_t[]){ 0, 1, 2 }, 3);
	vm_outline_free(o);
	vm_outline_free(NULL);
}

static void test_rules_in_column_terms(void **state)
{
	(void)state;
	char buf[128];
	vm_node_rule(&tree, &recipe, -1, 0, buf, sizeof buf);
	assert_string_equal(buf, "all rows");
	vm_node_rule(&tree, &recipe, 0, 1, buf, sizeof buf);
	assert_string_equal(buf, "TransactionAmt <= 412.5");
	vm_node_rule(&tree, &recipe, 0, 2, buf, sizeof buf);
	assert_string_equal(buf, "TransactionAmt > 412.5");
	vm_node_rule(&tree, &recipe, 2, 3, buf, sizeof buf);
	assert_string_equal(buf, "card_type != debit");
	vm_node_rule(&tree, &recipe, 2, 4, buf, sizeof buf);
	assert_string_equal(buf, "card_type = debit");
	/* Without a recipe the tree's own feature names are used. */
	vm_node_rule(&tree, NULL, 2, 4, buf, sizeof buf);
	assert_string_equal(buf, "card_type=debit > 0.5");
	/* A result too long for the buffer is cut, never overflows. */
	vm_node_rule(&tree, &recipe, 0, 1, buf, 8);
	assert_string_equal(buf, "Transac");
}

#define EXPLAIN_DATA "test_ui_vm_tree.data.csv"
#define EXPLAIN_SCORED "test_ui_vm_tree.scored.csv"

/* The text model.json's reason_codes gives node's code. */
static const char *code_text(const cJSON *codes, int32_t node)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, codes)
		if (cJSON_GetObjectItem(o, "node")->valueint == node)
			return cJSON_GetObjectItem(o, "text")->valuestring;
	return NULL;
}

/* A model trained with sets on generated data: every split the Tree
 * screen shows reads as model.json's reason_codes text, and explain mode's
 * reasons for every row (the row transformed from the frame, as scr_tree
 * does) are the codes predict --reasons 3 writes for that row's raw line,
 * with their table texts. */
static void check_explain_matches_predict(const char *const *sets, size_t nsets)
{
	struct trained tr;
	trained_fit(&tr, EXPLAIN_DATA, sets, nsets);
	struct ft_err err;
	struct frame *f = tr.f;
	struct pipeline_result r = tr.r;
	struct model *m = tr.m;
	const char *text = tr.text;
	cJSON *json = cJSON_Parse(text);
	const cJSON *codes = cJSON_GetObjectItem(json, "reason_codes");
	assert_true(cJSON_IsArray(codes));

	const struct tree *t = r.tree;
	struct vm_outline *o = vm_outline_new(t);
	for (size_t i = 1; i < t->nnodes; i++) {
		char rule[512];
		vm_node_rule(t, r.recipe, o->parent[i], (int32_t)i, rule, sizeof rule);
		const char *want = code_text(codes, (int32_t)i);
		assert_non_null(want);
		assert_string_equal(rule, want);
	}
	vm_outline_free(o);

	int fd = open(EXPLAIN_SCORED, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	struct predict_options opt = { .reasons = 3 };
	struct predict_stats st;
	if (predict_csv(m, EXPLAIN_DATA, fd, EXPLAIN_SCORED, &opt, &st, &err) < 0)
		fail_msg("%s", err.msg);
	close(fd);
	assert_int_equal(st.rows, f->nrows);
	char *scored = file_read_all(EXPLAIN_SCORED, NULL, NULL);
	assert_non_null(scored);
	char *p = strchr(scored, '\n') + 1;
	size_t with_reasons = 0;
	for (size_t row = 0; row < f->nrows; row++) {
		char *nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		char *want[3];
		for (int k = 2; k >= 0; k--) {
			char *c = strrchr(p, ',');
			*c = '\0';
			want[k] = c + 1;
		}
		struct dataset d = { 0 };
		if (recipe_apply(r.recipe, f, &r.target, &row, 1, NULL, &d, &err))
			fail_msg("%s", err.msg);
		assert_int_equal(d.n, 1);
		dataset_all_floats(&d);
		char **lines;
		size_t n = vm_explain_reasons(t, r.recipe, d.X, &lines);
		for (size_t k = 0; k < 3; k++) {
			if (k >= n) {
				if (*want[k])
					fail_msg("row %zu: predict gives %s as reason %zu, explain "
						 "only %zu reasons", row + 1, want[k], k + 1, n);
				continue;
			}
			/* "R017 device_risk > 0.805 (+0.41)" */
			char *space = strchr(lines[k], ' ');
			assert_non_null(space);
			if (strncmp(lines[k], want[k], (size_t)(space - lines[k])) || !*want[k])
				fail_msg("row %zu reason %zu: explain shows '%s', predict writes '%s'",
					 row + 1, k + 1, lines[k], want[k]);
			int32_t node = (int32_t)strtol(want[k] + 1, NULL, 10);
			const char *tt = code_text(codes, node);
			assert_non_null(tt);
			size_t tl = strlen(tt);
			if (strncmp(space + 1, tt, tl) || strncmp(space + 1 + tl, " (+", 3))
				fail_msg("row %zu: explain says '%s', reason_codes '%s %s'", row + 1,
					 lines[k], want[k], tt);
		}
		with_reasons += n > 0;
		vm_lines_free(lines, n);
		dataset_free(&d);
		p = nl + 1;
	}
	assert_true(with_reasons > 0);
	free(scored);
	cJSON_Delete(json);
	trained_free(&tr);
	remove(EXPLAIN_SCORED);
}

static void test_explain_matches_predict(void **state)
{
	(void)state;
	struct gen_options g;
	gen_options_default(&g);
	g.rows = 3000;
	g.seed = 5;
	g.fraud_rate = 0.08;
	struct ft_err err;
	if (gen_write_file(&g, EXPLAIN_DATA, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	check_explain_matches_predict(NULL, 0);
	const char *const freq[] = { "encode.default=frequency", "missing_indicators=true",
				     "tree.max_depth=8" };
	check_explain_matches_predict(freq, 3);
	const char *const ord[] = { "encode.default=ordinal",
				    "datetime.default=[\"hour\",\"day_of_week\",\"day\",\"month\"]",
				    "tree.max_depth=8", "resample.method=oversample" };
	check_explain_matches_predict(ord, 4);
	remove(EXPLAIN_DATA);
}

/* The number in "device_risk > 0.805" read back as a float is the largest
 * float not above the threshold, so it separates the row values as the
 * tree does. seen before: "device_risk > 0.81 [row: 0.81]" for 0.805,
 * "C1 > 1.00" for 0.9956. */
static void test_threshold_shown(void **state)
{
	(void)state;
	char buf[128];
	double mid = ((double)0.8f + (double)0.81f) / 2;
	const double thr[] = { 412.5, 0, -3.25, 0.00125, 1.5e9, 0.805, 0.9956, mid,
			       0.1 + 0.2, 10.0, (double)0.695f };
	for (size_t i = 0; i < sizeof thr / sizeof thr[0]; i++) {
		nodes[0].threshold = thr[i];
		vm_node_rule(&tree, &recipe, 0, 2, buf, sizeof buf);
		const char *num = strrchr(buf, ' ') + 1;
		float shown = strtof(num, NULL);
		assert_true((double)shown <= thr[i]);
		assert_true((double)nextafterf(shown, INFINITY) > thr[i]);
		assert_null(strchr(num, 'e'));
	}
	nodes[0].threshold = 412.5;
	vm_node_rule(&tree, &recipe, 0, 2, buf, sizeof buf);
	assert_string_equal(buf, "TransactionAmt > 412.5");
	nodes[0].threshold = (double)0.695f;
	vm_node_rule(&tree, &recipe, 0, 1, buf, sizeof buf);
	assert_string_equal(buf, "TransactionAmt <= 0.695");
	vm_format_float(0.81f, buf, sizeof buf);
	assert_string_equal(buf, "0.81");
	vm_format_float(1.0f / 3.0f, buf, sizeof buf);
	assert_true(strtof(buf, NULL) == 1.0f / 3.0f);
}

static void test_search(void **state)
{
	(void)state;
	int32_t out[5];
	assert_int_equal(vm_tree_search(&tree, &recipe, "debit", out), 2);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 4);
	assert_int_equal(vm_tree_search(&tree, &recipe, "transactionamt", out), 2);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2);
	assert_int_equal(vm_tree_search(&tree, &recipe, "412.5", out), 2);
	assert_int_equal(vm_tree_search(&tree, &recipe, "= debit", out), 2);
	assert_int_equal(vm_tree_search(&tree, &recipe, "!= debit", out), 1);
	assert_int_equal(out[0], 3);
	assert_int_equal(vm_tree_search(&tree, &recipe, "nothing", out), 0);
	assert_int_equal(vm_tree_search(&tree, &recipe, "", out), 0);
	assert_true(vm_contains("Card_Type = debit", "TYPE = D"));
	assert_false(vm_contains("abc", "abcd"));
}

static void test_leaf_most_frauds(void **state)
{
	(void)state;
	assert_int_equal(vm_leaf_most_frauds(&tree), 4);
	nodes[1].real[1] = 7;               /* a tie goes to the lower index */
	assert_int_equal(vm_leaf_most_frauds(&tree), 1);
	/* real frauds count, not synthetic ones */
	nodes[1].count[1] = 50;
	assert_int_equal(vm_leaf_most_frauds(&tree), 1);
	nodes[1].real[1] = 2;
	assert_int_equal(vm_leaf_most_frauds(&tree), 4);
	nodes[1].count[1] = 2;
	struct tree_node clean[1] = { { .left = TREE_LEAF, .right = TREE_LEAF, .feature = -1,
					.count = { 5, 0 }, .real = { 5, 0 } } };
	struct tree t = { .nodes = clean, .nnodes = 1 };
	assert_int_equal(vm_leaf_most_frauds(&t), -1);
}

static void test_leaf_errors(void **state)
{
	(void)state;
	/* Samples (amount, debit) -> leaf: (100,0)->1, (500,1)->4 twice,
	 * (500,0)->3, (500,1)->4, (50,1)->1. */
	float X[12] = { 100, 500, 500, 500, 500, 50,
			0, 1, 1, 0, 1, 1 };
	uint8_t y[6] = { 1, 0, 0, 0, 1, 0 };
	double proba[6] = { 2.0 / 82, 7.0 / 9, 7.0 / 9, 1.0 / 9, 7.0 / 9, 2.0 / 82 };
	struct dataset d = { .n = 6, .nfeatures = 2, .X = X, .y = y };
	uint64_t err[5];

	/* At 0.5: sample 0 is a missed fraud in leaf 1, samples 1 and 2 false
	 * alarms in leaf 4; everything else is right. */
	assert_int_equal(vm_leaf_errors(&tree, &d, proba, 0.5, err), 4);
	assert_int_equal(err[0], 0);
	assert_int_equal(err[1], 1);
	assert_int_equal(err[2], 0);
	assert_int_equal(err[3], 0);
	assert_int_equal(err[4], 2);
	/* At 0.8 leaf 4 predicts legit: its fraud (sample 4) is now the error,
	 * tying with leaf 1, and the tie goes to the lower index. */
	assert_int_equal(vm_leaf_errors(&tree, &d, proba, 0.8, err), 1);
	assert_int_equal(err[4], 1);
	/* A perfect split has no worst leaf. */
	uint8_t right[6] = { 0, 1, 1, 0, 1, 0 };
	d.y = right;
	assert_int_equal(vm_leaf_errors(&tree, &d, proba, 0.5, NULL), -1);
}

/* :export text: the indented tree in the data's terms, exact thresholds,
 * classes at the decision threshold (not by majority). */
static void test_tree_text(void **state)
{
	(void)state;
	char *text = vm_tree_text(&tree, &recipe, "fraud", "legit", 0.5);
	assert_string_equal(text,
		"|--- TransactionAmt <= 412.5\n"
		"|   |--- class: legit (p=0.02, n=82)\n"
		"|--- TransactionAmt > 412.5\n"
		"|   |--- card_type != debit\n"
		"|   |   |--- class: legit (p=0.11, n=9)\n"
		"|   |--- card_type = debit\n"
		"|   |   |--- class: fraud (p=0.78, n=9)\n");
	free(text);
	text = vm_tree_text(&tree, &recipe, "fraud", "legit", 0.1);
	assert_non_null(strstr(text, "class: fraud (p=0.11, n=9)"));
	free(text);
}

static void test_rules(void **state)
{
	(void)state;
	size_t n;
	char **lines = vm_tree_rules(&tree, &recipe, "fraud", "legit", 0.5, &n);
	assert_int_equal(n, 3);
	assert_string_equal(lines[0], "if TransactionAmt <= 412.5 then legit (p=0.02, n=82)");
	assert_string_equal(lines[1],
		"if TransactionAmt > 412.5 and card_type != debit then legit (p=0.11, n=9)");
	assert_string_equal(lines[2],
		"if TransactionAmt > 412.5 and card_type = debit then fraud (p=0.78, n=9)");
	vm_lines_free(lines, n);
	/* The class follows the threshold on screen. */
	lines = vm_tree_rules(&tree, &recipe, "1", "0", 0.1, &n);
	assert_string_equal(lines[1],
		"if TransactionAmt > 412.5 and card_type != debit then 1 (p=0.11, n=9)");
	vm_lines_free(lines, n);
	struct tree stump = tree;
	struct tree_node leaf = nodes[1];
	stump.nodes = &leaf;
	stump.nnodes = 1;
	lines = vm_tree_rules(&stump, NULL, NULL, NULL, 0.5, &n);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0], "always: then legit (p=0.02, n=82)");
	vm_lines_free(lines, n);
}

/* A feature tested twice the same way on one path reads once, with the
 * tighter bound; opposite directions both stay (they make a range).
 *
 *   0  TransactionAmt <= 600 ?
 *   |-- 1  TransactionAmt <= 450 ?
 *   |   |-- 2 leaf
 *   |   `-- 3  TransactionAmt <= 500 ?
 *   |       |-- 4 leaf
 *   |       `-- 5 leaf
 *   `-- 6 leaf                                              */
static void test_rules_merge_bounds(void **state)
{
	(void)state;
	struct tree_node n[7];
	memset(n, 0, sizeof n);
	int32_t kids[7][2] = { { 1, 6 }, { 2, 3 }, { TREE_LEAF, TREE_LEAF }, { 4, 5 },
			       { TREE_LEAF, TREE_LEAF }, { TREE_LEAF, TREE_LEAF },
			       { TREE_LEAF, TREE_LEAF } };
	double thr[7] = { 600, 450, 0, 500, 0, 0, 0 };
	for (int i = 0; i < 7; i++) {
		bool leaf = kids[i][0] == TREE_LEAF;
		n[i] = (struct tree_node){ .left = kids[i][0], .right = kids[i][1],
					   .feature = leaf ? -1 : 0, .threshold = thr[i],
					   .value = { 9, 1 }, .count = { 9, 1 }, .samples = 10 };
	}
	struct tree t = { .nodes = n, .nnodes = 7, .nfeatures = 1, .feature_names = names,
			  .importance = importance };
	size_t count;
	char **lines = vm_tree_rules(&t, NULL, "fraud", "legit", 0.5, &count);
	assert_int_equal(count, 4);
	assert_string_equal(lines[0], "if TransactionAmt <= 450 then legit (p=0.10, n=10)");
	assert_string_equal(lines[1],
		"if TransactionAmt > 450 and TransactionAmt <= 500 then legit (p=0.10, n=10)");
	assert_string_equal(lines[2],
		"if TransactionAmt <= 600 and TransactionAmt > 500 then legit (p=0.10, n=10)");
	assert_string_equal(lines[3], "if TransactionAmt > 600 then legit (p=0.10, n=10)");
	vm_lines_free(lines, count);
}

static void test_row_value(void **state)
{
	(void)state;
	char buf[128];
	double amt[2] = { 530.25, NAN };
	uint32_t codes[2] = { 1, FRAME_NA_CODE };
	char *lv[2] = { s_debit, s_credit };
	struct column cols[2] = {
		{ .name = s_amt, .type = COL_NUMERIC, .num = amt },
		{ .name = s_card, .type = COL_CATEGORICAL, .codes = codes, .levels = lv,
		  .nlevels = 2 },
	};
	struct frame f = { .nrows = 2, .ncols = 2, .cols = cols };

	vm_row_value(&recipe, &f, 0, 1, 0.0f, buf, sizeof buf);
	assert_string_equal(buf, "credit");
	vm_row_value(&recipe, &f, 1, 1, 0.0f, buf, sizeof buf);
	assert_string_equal(buf, "missing");
	vm_row_value(&recipe, &f, 1, 0, 412.0f, buf, sizeof buf);
	assert_string_equal(buf, "NA (filled 412)");
	/* No frame: the feature value alone. */
	vm_row_value(&recipe, NULL, 0, 0, 530.25f, buf, sizeof buf);
	assert_string_equal(buf, "530.25");
}

static void test_wrap(void **state)
{
	(void)state;
	char **l = NULL;
	size_t n = 0, cap = 0;
	vm_wrap("if a and b then fraud", 10, 2, &l, &n, &cap);
	assert_int_equal(n, 3);
	assert_string_equal(l[0], "if a and b");
	assert_string_equal(l[1], "  then");
	assert_string_equal(l[2], "  fraud");
	/* Appends; a word longer than the line is cut; UTF-8 counts by
	 * character (caf\xc3\xa9 is four). */
	vm_wrap("abcdefghij caf\xc3\xa9", 4, 0, &l, &n, &cap);
	assert_int_equal(n, 7);
	assert_string_equal(l[3], "abcd");
	assert_string_equal(l[4], "efgh");
	assert_string_equal(l[5], "ij");
	assert_string_equal(l[6], "caf\xc3\xa9");
	vm_wrap("", 4, 0, &l, &n, &cap);
	assert_int_equal(n, 8);
	assert_string_equal(l[7], "");
	vm_lines_free(l, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_outline_folding, setup),
		cmocka_unit_test_setup(test_rules_in_column_terms, setup),
		cmocka_unit_test(test_explain_matches_predict),
		cmocka_unit_test_setup(test_threshold_shown, setup),
		cmocka_unit_test_setup(test_search, setup),
		cmocka_unit_test_setup(test_leaf_most_frauds, setup),
		cmocka_unit_test_setup(test_leaf_errors, setup),
		cmocka_unit_test_setup(test_rules, setup),
		cmocka_unit_test_setup(test_tree_text, setup),
		cmocka_unit_test_setup(test_rules_merge_bounds, setup),
		cmocka_unit_test_setup(test_row_value, setup),
		cmocka_unit_test(test_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
