/* test_model: model.json round trip and every validation rule of
 * model_parse, on the hand-built fixture model. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "registry_fixture.h"

/* text with the first `from` replaced by `to`; caller frees. */
static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	assert_non_null(at);
	return xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

static void expect_error(const char *text, const char *needle)
{
	struct ft_err err;
	ft_err_clear(&err);
	struct model *m = model_parse(text, "dir/model.json", &err);
	if (m)
		fail_msg("accepted a bad model (expected \"%s\")", needle);
	assert_int_equal(err.code, FT_EINPUT);
	assert_non_null(strstr(err.msg, "dir/model.json"));
	if (!strstr(err.msg, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_round_trip(void **state)
{
	(void)state;
	char *text = fixture_model_text();
	struct ft_err err;
	struct model *m = model_parse(text, "model.json", &err);
	assert_non_null(m);
	assert_true(m->threshold == 0.5);
	assert_int_equal(m->recipe->ninputs, 2);
	assert_int_equal(m->recipe->nfeatures, 3);
	assert_string_equal(m->recipe->inputs[1].levels[1], "debit");
	assert_int_equal(m->tree->nnodes, 5);
	assert_true(m->tree->nodes[0].threshold == 100);
	assert_int_equal(m->tree->nodes[2].feature, 2);
	/* Same bytes when written again: the format is deterministic. */
	char *again = model_to_text(m->recipe, m->tree, m->threshold, m->threshold_on, m->reference);
	assert_string_equal(text, again);
	assert_non_null(strstr(text, "\"format\":\t\"fraudtree-model\""));
	assert_non_null(strstr(text, "\"format_version\":\t\"1.0\""));
	/* The fixture routes as documented: amount > 100 and not debit. */
	float x[3] = { 150, 1, 0 };
	assert_true(tree_predict_row(m->tree, x) == 0.75);
	x[2] = 1;
	x[1] = 0;
	assert_true(tree_predict_row(m->tree, x) == 0);
	x[0] = 100;
	assert_true(tree_predict_row(m->tree, x) == 0.1);
	free(again);
	model_free(m);
	free(text);
}

/* The threshold decides every prediction, so it must read back to the
 * last bit: 0.1 + 0.2 is not 0.3, and a leaf whose probability is exactly
 * 0.3 is legit under the first and fraud under the second. */
static void test_exact_threshold(void **state)
{
	(void)state;
	const double thresholds[] = { 0.1 + 0.2, 1.0 / 3.0, 0.7 - 1e-17, 5e-324 };
	struct recipe *r = fixture_recipe();
	struct tree *t = fixture_tree();
	for (size_t i = 0; i < sizeof thresholds / sizeof thresholds[0]; i++) {
		char *text = model_to_text(r, t, thresholds[i], THRESHOLD_ON_SCORE, NULL);
		struct ft_err err;
		struct model *m = model_parse(text, "model.json", &err);
		assert_non_null(m);
		if (m->threshold != thresholds[i])
			fail_msg("threshold %.17g read back as %.17g", thresholds[i], m->threshold);
		model_free(m);
		free(text);
	}
	recipe_free(r);
	tree_free(t);
}

/* Text after the model is damage (a concatenation, a bad merge), and the
 * line named is where the JSON stops. */
static void test_trailing_text(void **state)
{
	(void)state;
	char *text = fixture_model_text();
	char *two = xasprintf("%s%s", text, text);
	size_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	char *where = xasprintf("model.json:%zu: not valid JSON", lines + 1);
	expect_error(two, where);
	char *tail = xasprintf("%s\n  \n", text);
	struct ft_err err;
	struct model *m = model_parse(tail, "model.json", &err);
	assert_non_null(m);
	model_free(m);
	free(tail);
	free(where);
	free(two);
	free(text);
}

static void test_versions(void **state)
{
	(void)state;
	char *text = fixture_model_text();
	struct ft_err err;
	char *newer = replaced(text, "\"1.0\"", "\"1.12\"");
	struct model *m = model_parse(newer, "model.json", &err);
	assert_non_null(m);    /* a newer minor version is read */
	model_free(m);
	char *major = replaced(text, "\"1.0\"", "\"2.0\"");
	expect_error(major, "format_version 2.0 is not supported");
	char *junk = replaced(text, "\"1.0\"", "\"one\"");
	expect_error(junk, "format_version");
	char *num = replaced(text, "\"1.0\"", "1.0");
	expect_error(num, "format_version");
	char *name = replaced(text, "\"fraudtree-model\"", "\"other-model\"");
	expect_error(name, "format");
	free(newer);
	free(major);
	free(junk);
	free(num);
	free(name);
	free(text);
}

static void test_structure(void **state)
{
	(void)state;
	char *text = fixture_model_text();
	expect_error("", "not valid JSON");
	expect_error("{\"format\": \"fraudtree-model\",\n\"format_version\": \"1.0\",\n", ":3: not valid JSON");
	expect_error("[1]", "object");
	char *thr = replaced(text, "\n\t\"threshold\":\t0.5,\n", "\n\t\"threshold\":\t1.5,\n");
	expect_error(thr, "threshold");
	char *thr2 = replaced(text, "\n\t\"threshold\":\t0.5,\n", "\n\t\"threshold\":\t\"0.5\",\n");
	expect_error(thr2, "threshold");
	char *norecipe = replaced(text, "\n\t\"recipe\":", "\n\t\"recipes\":");
	expect_error(norecipe, "recipe");
	char *notree = replaced(text, "\n\t\"tree\":", "\n\t\"trees\":");
	expect_error(notree, "tree");
	free(thr);
	free(thr2);
	free(norecipe);
	free(notree);
	free(text);
}

static char *model_with(void (*change)(struct recipe *r, struct tree *t))
{
	struct recipe *r = fixture_recipe();
	struct tree *t = fixture_tree();
	change(r, t);
	char *s = model_to_text(r, t, 0.5, THRESHOLD_ON_SCORE, NULL);
	recipe_free(r);
	tree_free(t);
	return s;
}

static void index_out_of_range(struct recipe *r, struct tree *t)
{
	(void)r;
	t->nodes[0].right = 5;
}

static void negative_index(struct recipe *r, struct tree *t)
{
	(void)r;
	t->nodes[2].left = -7;
}

static void cycle(struct recipe *r, struct tree *t)
{
	(void)r;
	t->nodes[2].right = 0;
}

static void shared_child(struct recipe *r, struct tree *t)
{
	(void)r;
	t->nodes[2].left = 1;
}

static void feature_out_of_range(struct recipe *r, struct tree *t)
{
	(void)r;
	t->nodes[2].feature = 3;
}

static void fewer_recipe_features(struct recipe *r, struct tree *t)
{
	(void)t;
	free(r->features[2].name);
	r->nfeatures = 2;
}

static void renamed_feature(struct recipe *r, struct tree *t)
{
	(void)r;
	free(t->feature_names[1]);
	t->feature_names[1] = xstrdup("card=cash");
}

static void test_tree_validation(void **state)
{
	(void)state;
	void (*changes[])(struct recipe *, struct tree *) = {
		index_out_of_range, negative_index, cycle, shared_child, feature_out_of_range,
		fewer_recipe_features, renamed_feature,
	};
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		char *text = model_with(changes[i]);
		expect_error(text, "");
		free(text);
	}
	char *text = model_with(renamed_feature);
	expect_error(text, "card=cash");
	free(text);
}

static void test_load(void **state)
{
	(void)state;
	struct ft_err err;
	assert_null(model_load("no-such-model.json", &err));
	assert_int_equal(err.code, FT_EIO);
	assert_non_null(strstr(err.msg, "no-such-model.json"));
	char *text = fixture_model_text();
	FILE *fp = fopen("test_model.tmp.json", "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	struct model *m = model_load("test_model.tmp.json", &err);
	assert_non_null(m);
	model_free(m);
	model_free(NULL);
	remove("test_model.tmp.json");
	free(text);
}

/* Real counts, probabilities and threshold_on are checked as the rest;
 * a file written before them reads as all real, uncorrected, on score. */
static void test_real_and_probability(void **state)
{
	(void)state;
	char *text = fixture_model_text();
	/* the fixture: leaf 1 holds (90, 10): score and probability 0.1 */
	char *prob = replaced(text, "\"probability\":\t0.1,", "\"probability\":\t0.2,");
	expect_error(prob, "tree.nodes[1].probability: expected 0.1");
	char *real = replaced(text, "\"real\":\t[90, 10]", "\"real\":\t[91, 10]");
	expect_error(real, "more real rows than count");
	char *sum = replaced(text, "\"real\":\t[90, 10]", "\"real\":\t[80, 10]");
	expect_error(sum, "children's real rows do not add up");
	char *odds = replaced(text, "\"probability_odds\":\t1,", "\"probability_odds\":\t0,");
	expect_error(odds, "tree.probability_odds");
	char *huge = replaced(text, "\"probability_odds\":\t1,", "\"probability_odds\":\t1e308,");
	expect_error(huge, "tree.probability_odds: expected a number from 1e-16 to 1e16");
	free(huge);
	char *on = replaced(text, "\"threshold_on\":\t\"score\"", "\"threshold_on\":\t\"both\"");
	expect_error(on, "threshold_on");

	/* the same tree corrected: odds 1/3 make leaf 1's 0.1 into 1/28 */
	char *third = replaced(text, "\"probability_odds\":\t1,", "\"probability_odds\":\t0.3333333333333333,");
	struct ft_err err;
	struct model *m = model_parse(third, "m.json", &err);
	assert_null(m);   /* the written probabilities no longer match */

	/* legacy: no real, no probability, no probability_odds, no threshold_on */
	struct strbuf sb = { 0 };
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (!strstr(p, "\"real\":") || strstr(p, "\"real\":") > p + len) {
			if ((!strstr(p, "\"probability") || strstr(p, "\"probability") > p + len) &&
			    (!strstr(p, "\"threshold_on\"") || strstr(p, "\"threshold_on\"") > p + len))
				sb_printf(&sb, "%.*s", (int)len, p);
		}
		p += len;
	}
	/* the threshold line lost its follower: drop the comma */
	char *legacy = replaced(sb.data, "\n\t\"threshold\":\t0.5,", "\n\t\"threshold\":\t0.5");
	m = model_parse(legacy, "old.json", &err);
	if (!m)
		fail_msg("legacy model: %s", err.msg);
	assert_true(m->tree->probability_odds == 1.0);
	assert_int_equal(m->threshold_on, THRESHOLD_ON_SCORE);
	assert_true(m->tree->nodes[1].real[0] == m->tree->nodes[1].count[0]);
	model_free(m);
	sb_free(&sb);
	free(legacy);
	free(third);
	free(prob);
	free(real);
	free(sum);
	free(odds);
	free(on);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_exact_threshold),
		cmocka_unit_test(test_trailing_text),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_tree_validation),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_real_and_probability),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
