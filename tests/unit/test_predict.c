/* test_predict: scoring a model's own test split from the raw CSV, through
 * model.json and predict_csv, reproduces the pipeline's test probabilities
 * bit for bit and so its confusion matrix exactly. Run for several recipes
 * (one-hot, frequency and ordinal encodings, missing indicators). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"
#include "model_fixture.h"
#include "predict.h"

#define DATA "test_predict.data.csv"
#define SPLIT "test_predict.test.csv"
#define SCORED "test_predict.scored.csv"

static int setup(void **state)
{
	(void)state;
	struct gen_options g;
	gen_options_default(&g);
	g.rows = 6000;
	g.seed = 11;
	g.fraud_rate = 0.05;
	struct ft_err err;
	if (gen_write_file(&g, DATA, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove(DATA);
	remove(SPLIT);
	remove(SCORED);
	return 0;
}

static void check_settings(const char *const *sets, size_t nsets)
{
	struct trained t;
	trained_fit(&t, DATA, sets, nsets);
	struct ft_err err;
	struct pipeline_result r = t.r;
	fixture_write_rows(t.f, DATA, r.test.rows, r.test.n, SPLIT, 0, NULL);
	struct model *m = t.m;
	int fd = open(SCORED, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	struct predict_options opt = { 0 };
	struct predict_stats st;
	if (predict_csv(m, SPLIT, fd, SCORED, &opt, &st, &err) < 0)
		fail_msg("%s", err.msg);
	close(fd);
	assert_int_equal(st.rows, r.test.n);

	/* Each output row ends in ",probability,prediction"; isFraud is the
	 * last input column. */
	char *scored = file_read_all(SCORED, NULL, NULL);
	assert_non_null(scored);
	struct confusion cm = { 0 };
	size_t i = 0;
	char *p = strchr(scored, '\n') + 1;
	while (*p) {
		char *nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		char *pred = strrchr(p, ',');
		*pred++ = '\0';
		char *prob = strrchr(p, ',');
		*prob++ = '\0';
		char *proba = strrchr(p, ',');
		*proba++ = '\0';
		char *label = strrchr(p, ',');
		label++;
		assert_true(i < r.test.n);
		if (strtod(proba, NULL) != r.test_proba[i])
			fail_msg("row %zu: predict gives %s, the pipeline %.17g", i, proba,
				 r.test_proba[i]);
		if (strtod(prob, NULL) != r.test_probability[i])
			fail_msg("row %zu: predict's probability %s, the pipeline's %.17g", i, prob,
				 r.test_probability[i]);
		bool y = !strcmp(label, r.target.positive);
		assert_int_equal(y, r.test.y[i]);
		bool yhat = !strcmp(pred, "1");
		cm.tp += y && yhat;
		cm.fn += y && !yhat;
		cm.fp += !y && yhat;
		cm.tn += !y && !yhat;
		i++;
		p = nl + 1;
	}
	assert_int_equal(i, r.test.n);
	assert_int_equal(cm.tn, r.test_metrics.cm.tn);
	assert_int_equal(cm.fp, r.test_metrics.cm.fp);
	assert_int_equal(cm.fn, r.test_metrics.cm.fn);
	assert_int_equal(cm.tp, r.test_metrics.cm.tp);
	assert_int_equal(st.flagged, cm.tp + cm.fp);
	assert_true(cm.tp > 0);

	free(scored);
	trained_free(&t);
}

static void test_default_recipe(void **state)
{
	(void)state;
	check_settings(NULL, 0);
}

static void test_frequency_and_indicators(void **state)
{
	(void)state;
	const char *const sets[] = { "encode.default=frequency", "missing_indicators=true",
				     "threshold=0.3" };
	check_settings(sets, 3);
}

static void test_ordinal_and_dates(void **state)
{
	(void)state;
	const char *const sets[] = { "encode.default=ordinal",
				     "datetime.default=[\"hour\",\"day_of_week\",\"day\",\"month\"]",
				     "impute.numeric=mean" };
	check_settings(sets, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_recipe),
		cmocka_unit_test(test_frequency_and_indicators),
		cmocka_unit_test(test_ordinal_and_dates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
