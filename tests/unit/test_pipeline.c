/* test_pipeline: the whole run on frames built in memory. Checks the
 * honesty rules (recipe fitted on train only, resampling confined to train),
 * the gate's refusal of a model that catches no fraud, tuning order and
 * determinism, the threshold move, cancellation and the report's keys, and
 * that the paths taken to save time and memory (in-place resampling, one
 * binning for every fit, the owned frame, the threshold cache) give exactly
 * the straightforward results. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "model.h"
#include "pipeline.h"
#include "recipe_apply.h"
#include "resample.h"
#include "tree.h"
#include "tree_json.h"
#include "tune.h"

/* ---- building frames by hand ------------------------------------------ */

struct gen_spec {
	size_t nrows;
	size_t nfraud;          /* exactly this many fraud rows */
	bool signal;            /* amount and card depend on the label */
	uint64_t seed;
};

static void set_numeric(struct column *c, const char *name, size_t n)
{
	c->name = xstrdup(name);
	c->type = COL_NUMERIC;
	c->num = xcalloc(n, sizeof *c->num);
}

static void set_categorical(struct column *c, const char *name, size_t n,
			    const char *const *levels, uint32_t nlevels)
{
	c->name = xstrdup(name);
	c->type = COL_CATEGORICAL;
	c->codes = xcalloc(n, sizeof *c->codes);
	c->levels = xcalloc(nlevels, sizeof *c->levels);
	for (uint32_t i = 0; i < nlevels; i++)
		c->levels[i] = xstrdup(levels[i]);
	c->nlevels = nlevels;
}

/* Columns: id (unique), amount, card (debit/credit/prepaid), isFraud. */
enum { COL_ID, COL_AMOUNT, COL_CARD, COL_LABEL, NCOLS };

static struct frame *make_frame(const struct gen_spec *g)
{
	static const char *const cards[] = { "debit", "credit", "prepaid" };
	struct frame *f = xcalloc(1, sizeof *f);
	size_t n = g->nrows;
	f->path = xstrdup("memory.csv");
	f->delimiter = ',';
	f->nrows = n;
	f->ncols = NCOLS;
	f->cols = xcalloc(NCOLS, sizeof *f->cols);
	f->row_line = xcalloc(n, sizeof *f->row_line);
	set_numeric(&f->cols[COL_ID], "id", n);
	set_numeric(&f->cols[COL_AMOUNT], "amount", n);
	set_categorical(&f->cols[COL_CARD], "card", n, cards, 3);
	set_numeric(&f->cols[COL_LABEL], "isFraud", n);

	struct ft_rng rng;
	rng_seed(&rng, g->seed);
	/* Fraud rows: a deterministic, spread-out choice. */
	for (size_t k = 0; k < g->nfraud; k++) {
		size_t i;
		do
			i = (size_t)rng_below(&rng, n);
		while (f->cols[COL_LABEL].num[i] == 1.0);
		f->cols[COL_LABEL].num[i] = 1.0;
	}
	for (size_t i = 0; i < n; i++) {
		bool fraud = f->cols[COL_LABEL].num[i] == 1.0;
		f->row_line[i] = (uint32_t)i + 2;
		f->cols[COL_ID].num[i] = (double)(1000 + i);
		double amt = 20.0 + 80.0 * rng_uniform(&rng);
		if (g->signal && fraud)
			amt += 400.0 + 100.0 * rng_uniform(&rng);
		f->cols[COL_AMOUNT].num[i] = amt;
		uint32_t card = (uint32_t)rng_below(&rng, 3);
		if (g->signal && fraud && rng_uniform(&rng) < 0.7)
			card = 2;
		f->cols[COL_CARD].codes[i] = card;
	}
	frame_compute_stats(f, 1);
	return f;
}

static void set(struct settings *s, const char *assignment)
{
	struct ft_err err;
	ft_err_clear(&err);
	if (settings_set(s, assignment, &err) < 0)
		fail_msg("settings_set %s: %s", assignment, err.msg);
}

static void run_ok(const struct frame *f, const struct settings *s,
		   struct pipeline_result *r)
{
	struct ft_err err;
	ft_err_clear(&err);
	if (pipeline_run(f, s, NULL, r, &err) < 0)
		fail_msg("pipeline_run: %s", err.msg);
}

static const struct gen_spec usual = { 2000, 100, true, 11 };

/* ---- the recipe sees training rows only ------------------------------- */

static void test_recipe_fitted_on_train_only(void **state)
{
	(void)state;
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	set(&s, "impute.numeric=mean");
	set(&s, "encode.default=onehot");
	struct pipeline_result r1;
	run_ok(f, &s, &r1);

	/* Give one test row a card value seen nowhere else and an absurd
	 * amount, and blank one training amount so imputation matters. */
	size_t test_row = r1.split.test[0], train_row = r1.split.train[0];
	struct column *card = &f->cols[COL_CARD];
	card->levels = xreallocarray(card->levels, card->nlevels + 1, sizeof *card->levels);
	card->levels[card->nlevels] = xstrdup("only_in_test");
	card->codes[test_row] = card->nlevels++;
	f->cols[COL_AMOUNT].num[test_row] = 1e9;
	f->cols[COL_AMOUNT].num[train_row] = NAN;
	frame_compute_stats(f, 1);

	struct pipeline_result r2;
	run_ok(f, &s, &r2);
	/* The split depends on the labels alone. */
	assert_int_equal(r1.split.ntest, r2.split.ntest);
	assert_memory_equal(r1.split.test, r2.split.test, r1.split.ntest * sizeof(size_t));

	const struct recipe *rc = r2.recipe;
	bool saw_card = false, saw_amount = false;
	for (size_t i = 0; i < rc->ninputs; i++) {
		const struct recipe_input *in = &rc->inputs[i];
		if (!strcmp(in->name, "card")) {
			saw_card = true;
			for (size_t l = 0; l < in->nlevels; l++)
				assert_string_not_equal(in->levels[l], "only_in_test");
		}
		if (!strcmp(in->name, "amount")) {
			saw_amount = true;
			double sum = 0;
			size_t cnt = 0;
			for (size_t k = 0; k < r2.split.ntrain; k++) {
				double v = f->cols[COL_AMOUNT].num[r2.split.train[k]];
				if (!isnan(v)) {
					sum += v;
					cnt++;
				}
			}
			double mean = sum / (double)cnt;
			/* A fill learnt from all rows would be near 1e9 / 2000 = 5e5. */
			assert_true(fabs(in->fill_value - mean) < 1e-6 * mean);
			assert_true(in->fill_value < 1000.0);
		}
	}
	assert_true(saw_card);
	assert_true(saw_amount);
	for (size_t j = 0; j < rc->nfeatures; j++)
		assert_null(strstr(rc->features[j].name, "only_in_test"));

	/* The id column is unique per row: dropped, and said so. */
	bool noted = false;
	for (size_t i = 0; i < r2.nnotes; i++)
		if (!strncmp(r2.notes[i], "dropped id: ", 12))
			noted = true;
	assert_true(noted);

	pipeline_result_free(&r1);
	pipeline_result_free(&r2);
	settings_free(&s);
	frame_free(f);
}

/* ---- resampling never touches validation or test ---------------------- */

static void count_y(const struct dataset *d, size_t c[2])
{
	c[0] = c[1] = 0;
	for (size_t i = 0; i < d->n; i++)
		c[d->y[i] ? 1 : 0]++;
}

static void check_resampling_confined(const char *method)
{
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	char *a = xasprintf("resample.method=%s", method);
	set(&s, a);
	free(a);
	struct pipeline_result r;
	run_ok(f, &s, &r);

	/* 2000 rows, 100 fraud, 0.6/0.2/0.2 stratified: 60/20/20 fraud. */
	assert_int_equal(r.counts.before[SPLIT_TRAIN][1], 60);
	assert_int_equal(r.counts.before[SPLIT_VALIDATION][1], 20);
	assert_int_equal(r.counts.before[SPLIT_TEST][1], 20);
	assert_int_equal(r.counts.before[SPLIT_TRAIN][0], 1140);
	assert_int_equal(r.counts.before[SPLIT_TEST][0], 380);

	size_t c[2];
	count_y(&r.validation, c);
	assert_int_equal(c[0], r.counts.before[SPLIT_VALIDATION][0]);
	assert_int_equal(c[1], r.counts.before[SPLIT_VALIDATION][1]);
	count_y(&r.test, c);
	assert_int_equal(c[0], r.counts.before[SPLIT_TEST][0]);
	assert_int_equal(c[1], r.counts.before[SPLIT_TEST][1]);
	assert_int_equal(r.test.n, r.split.ntest);
	assert_null(r.test.w);
	assert_null(r.validation.w);
	for (size_t i = 0; i < r.test.n; i++)
		assert_int_equal(r.test.rows[i], r.split.test[i]);

	/* The train counts did change, and the preview agrees with the run. */
	if (!strcmp(method, "undersample")) {
		assert_int_equal(r.counts.train_after[1], 60);
		assert_true(r.counts.train_after[0] < 1140);
	} else {
		assert_int_equal(r.counts.train_after[0], 1140);
		assert_true(r.counts.train_after[1] > 60);
	}
	struct split_counts p;
	struct ft_err err;
	assert_int_equal(pipeline_preview(f, &s, &p, &err), 0);
	assert_memory_equal(p.before, r.counts.before, sizeof p.before);
	assert_memory_equal(p.train_after, r.counts.train_after, sizeof p.train_after);

	pipeline_result_free(&r);
	settings_free(&s);
	frame_free(f);
}

static void test_resampling_confined_to_train(void **state)
{
	(void)state;
	check_resampling_confined("undersample");
	check_resampling_confined("oversample");
	check_resampling_confined("smote");
}

/* ---- a model that catches no fraud cannot pass ------------------------ */

static void test_gate_fails_without_true_positives(void **state)
{
	(void)state;
	/* 0.1% fraud and no signal: a stump with big leaves predicts legit
	 * everywhere, so accuracy is ~0.999 and still must not pass. */
	const struct gen_spec rare = { 5000, 5, false, 3 };
	struct frame *f = make_frame(&rare);
	struct settings s;
	settings_init(&s);
	set(&s, "tree.max_depth=1");
	set(&s, "tree.min_samples_leaf=50");
	struct pipeline_result r;
	run_ok(f, &s, &r);

	assert_int_equal(r.test_metrics.cm.tp, 0);
	assert_int_equal(r.test_metrics.cm.fn, 1);
	assert_true(r.test_metrics.accuracy >= 0.85);
	assert_false(r.gate.pass);
	/* The user's condition (accuracy >= 0.85) passes; the built-in one fails. */
	assert_string_equal(r.gate.checks[0].metric, "accuracy");
	assert_true(r.gate.checks[0].pass);
	bool tp_reason = false;
	for (size_t i = 0; i < r.gate.nchecks; i++)
		if (!r.gate.checks[i].pass && strstr(r.gate.checks[i].why, "TP = 0"))
			tp_reason = true;
	assert_true(tp_reason);

	pipeline_result_free(&r);
	settings_free(&s);
	frame_free(f);
}

/* ---- tuning ----------------------------------------------------------- */

static void test_tune_grid_order_and_best(void **state)
{
	(void)state;
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	set(&s, "tune.max_depth=[1,2,4]");
	set(&s, "tune.min_samples_leaf=[1,30,200]");
	assert_int_equal(tune_grid_size(&s), 9);
	struct tree_params p;
	tune_grid_point(&s, 5, &p);     /* depth index 1, leaf index 2 */
	assert_int_equal(p.max_depth, 2);
	assert_int_equal(p.min_samples_leaf, 200);
	assert_int_equal(p.min_samples_split, s.tree.min_samples_split);

	struct pipeline_result r;
	run_ok(f, &s, &r);
	assert_int_equal(r.ntune, 9);
	const struct tune_row *b = &r.tune[r.tune_best];
	for (size_t k = 0; k < r.ntune; k++) {
		struct tree_params q;
		tune_grid_point(&s, k, &q);
		assert_int_equal(r.tune[k].max_depth, q.max_depth);
		assert_int_equal(r.tune[k].min_samples_leaf, q.min_samples_leaf);
		double v;
		assert_true(metrics_lookup(&r.tune[k].validation, "balanced_accuracy", &v));
		assert_true(v == r.tune[k].score);
		/* Best is the maximum, and the first of equals. */
		assert_true(r.tune[k].score <= b->score);
		if (k < r.tune_best)
			assert_true(r.tune[k].score < b->score);
	}
	assert_int_equal(r.settings.tree.max_depth, b->max_depth);
	assert_int_equal(r.settings.tree.min_samples_leaf, b->min_samples_leaf);
	/* The adopted point gives back the tuned validation metrics. */
	assert_true(r.validation_metrics.balanced_accuracy == b->score);

	/* A lower-is-better objective is minimised. */
	struct settings s2;
	settings_copy(&s2, &s);
	set(&s2, "tune.objective=log_loss");
	struct pipeline_result r2;
	run_ok(f, &s2, &r2);
	for (size_t k = 0; k < r2.ntune; k++) {
		assert_true(r2.tune[k].score >= r2.tune[r2.tune_best].score);
		if (k < r2.tune_best)
			assert_true(r2.tune[k].score > r2.tune[r2.tune_best].score);
	}

	pipeline_result_free(&r);
	pipeline_result_free(&r2);
	settings_free(&s);
	settings_free(&s2);
	frame_free(f);
}

/* ---- cross-validated tuning ------------------------------------------- */

static void test_cv_folds_stratified_disjoint(void **state)
{
	(void)state;
	enum { N = 203, K = 5 };
	uint8_t y[N];
	size_t cls[2] = { 0, 0 };
	for (size_t i = 0; i < N; i++) {
		y[i] = i % 9 == 4;           /* 23 positives */
		cls[y[i]]++;
	}
	unsigned fold[N], again[N], other[N];
	tune_cv_folds(y, N, K, 42, fold);
	tune_cv_folds(y, N, K, 42, again);
	tune_cv_folds(y, N, K, 43, other);
	assert_memory_equal(fold, again, sizeof fold);
	assert_true(memcmp(fold, other, sizeof fold) != 0);
	size_t count[K][2];
	memset(count, 0, sizeof count);
	for (size_t i = 0; i < N; i++) {
		assert_true(fold[i] < K);    /* each sample in exactly one fold */
		count[fold[i]][y[i]]++;
	}
	size_t total = 0;
	for (int k = 0; k < K; k++)
		for (int c = 0; c < 2; c++) {
			/* every fold holds floor or ceil of each class's share */
			assert_true(count[k][c] >= cls[c] / K);
			assert_true(count[k][c] <= (cls[c] + K - 1) / K);
			total += count[k][c];
		}
	assert_int_equal(total, N);
}

/* A card level seen only in the held-out fold: a recipe fitted on the
 * training folds cannot know it; one fitted on every row would. */
static void test_cv_recipe_fitted_on_training_folds(void **state)
{
	(void)state;
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	struct target_info t;
	struct ft_err err;
	ft_err_clear(&err);
	assert_int_equal(target_resolve(f, &s, &t, &err), 0);
	size_t n = f->nrows;
	size_t *rows = xmalloc(n * sizeof *rows);
	uint8_t *y = xmalloc(n);
	unsigned *fold = xmalloc(n * sizeof *fold);
	for (size_t i = 0; i < n; i++) {
		rows[i] = i;
		y[i] = t.y[i];
	}
	tune_cv_folds(y, n, 4, s.split_seed, fold);
	struct column *card = &f->cols[COL_CARD];
	card->levels = xreallocarray(card->levels, 4, sizeof *card->levels);
	card->levels[3] = xstrdup("gift");
	card->nlevels = 4;
	for (size_t i = 0; i < n; i++)
		if (fold[i] == 0 && i % 3 == 0)
			card->codes[i] = 3;
	frame_compute_stats(f, 1);

	for (unsigned k = 0; k < 2; k++) {
		struct recipe *rc;
		struct dataset train, held;
		assert_int_equal(tune_cv_fold_data(f, &t, &s, rows, fold, n, k, NULL, &rc,
						   &train, &held, &err), 0);
		bool knows_gift = false;
		for (size_t j = 0; j < rc->nfeatures; j++)
			if (!strcmp(rc->features[j].name, "card=gift"))
				knows_gift = true;
		for (size_t q = 0; q < rc->ninputs; q++)
			if (!strcmp(rc->inputs[q].name, "card"))
				for (size_t l = 0; l < rc->inputs[q].nlevels; l++)
					if (!strcmp(rc->inputs[q].levels[l], "gift"))
						knows_gift = true;
		/* fold 0 holds every gift row: its recipe never saw one */
		assert_true(knows_gift == (k != 0));
		size_t nk = 0;
		for (size_t i = 0; i < n; i++)
			nk += fold[i] == k;
		assert_int_equal(held.n, nk);
		assert_int_equal(train.n, n - nk);
		for (size_t i = 0; i < train.n; i++)
			assert_true(fold[train.rows[i]] != k);
		for (size_t i = 0; i < held.n; i++)
			assert_true(fold[held.rows[i]] == k);
		dataset_free(&train);
		dataset_free(&held);
		recipe_free(rc);
	}
	free(rows);
	free(y);
	free(fold);
	target_info_free(&t);
	settings_free(&s);
	frame_free(f);
}

static void test_cv_tuning_mean_sd_deterministic(void **state)
{
	(void)state;
	/* no signal: the folds disagree, so the sd is not 0 */
	struct gen_spec noisy = { 2000, 100, false, 11 };
	struct frame *f = make_frame(&noisy);
	struct settings s;
	settings_init(&s);
	set(&s, "tune.max_depth=[1,3,6]");
	set(&s, "tune.cv=4");
	set(&s, "resample.method=smote");
	struct pipeline_result r, r2;
	run_ok(f, &s, &r);
	run_ok(f, &s, &r2);
	assert_int_equal(r.ntune, 3);
	bool some_sd = false;
	for (size_t k = 0; k < r.ntune; k++) {
		assert_int_equal(r.tune[k].folds, 4);
		assert_true(r.tune[k].score == r2.tune[k].score);
		assert_true(r.tune[k].score_sd == r2.tune[k].score_sd);
		assert_true(r.tune[k].score >= 0 && r.tune[k].score <= 1);
		assert_true(r.tune[k].score <= r.tune[r.tune_best].score);
		some_sd |= r.tune[k].score_sd > 0;
	}
	assert_true(some_sd);
	assert_int_equal(r.settings.tree.max_depth, r.tune[r.tune_best].max_depth);
	/* The mean is not one split's score: without tune.cv it differs. */
	struct settings s0;
	settings_copy(&s0, &s);
	set(&s0, "tune.cv=0");
	struct pipeline_result r0;
	run_ok(f, &s0, &r0);
	bool differs = false;
	for (size_t k = 0; k < r0.ntune; k++)
		differs |= r0.tune[k].score != r.tune[k].score;
	assert_true(differs);
	assert_int_equal(r0.tune[0].folds, 0);

	/* tune.cv = 1 is refused; more folds than frauds too. */
	struct ft_err err;
	ft_err_clear(&err);
	assert_true(settings_set(&s0, "tune.cv=1", &err) < 0);
	set(&s0, "tune.cv=100");
	struct gen_spec few = { 400, 20, true, 3 };
	struct frame *g = make_frame(&few);
	struct pipeline_result rf;
	ft_err_clear(&err);
	assert_true(pipeline_run(g, &s0, NULL, &rf, &err) < 0);
	assert_non_null(strstr(err.msg, "tune.cv"));
	frame_free(g);

	pipeline_result_free(&r);
	pipeline_result_free(&r2);
	pipeline_result_free(&r0);
	settings_free(&s);
	settings_free(&s0);
	frame_free(f);
}

/* ---- same data + settings = same bytes -------------------------------- */

static void test_deterministic_model_and_report(void **state)
{
	(void)state;
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	set(&s, "tune.max_depth=[2,3,5]");
	set(&s, "tune.min_samples_split=[2,20]");
	set(&s, "resample.method=smote");
	set(&s, "tree.threads=2");
	struct pipeline_result a, b;
	run_ok(f, &s, &a);
	run_ok(f, &s, &b);
	char *ma = model_to_text(a.recipe, a.tree, a.settings.threshold, a.settings.threshold_on, a.reference);
	char *mb = model_to_text(b.recipe, b.tree, b.settings.threshold, b.settings.threshold_on, b.reference);
	char *ea = pipeline_report_json(&a), *eb = pipeline_report_json(&b);
	assert_string_equal(ma, mb);
	assert_string_equal(ea, eb);

	/* Tuning on one worker gives the same table and model as on two. */
	struct settings s1;
	settings_copy(&s1, &s);
	set(&s1, "tree.threads=1");
	struct pipeline_result c;
	run_ok(f, &s1, &c);
	char *ec = pipeline_report_json(&c);
	assert_string_equal(ea, ec);

	free(ma);
	free(mb);
	free(ea);
	free(eb);
	free(ec);
	pipeline_result_free(&a);
	pipeline_result_free(&b);
	pipeline_result_free(&c);
	settings_free(&s);
	settings_free(&s1);
	frame_free(f);
}

/* ---- evaluation.json -------------------------------------------------- */

static double num_at(const cJSON *root, const char *const *path)
{
	const cJSON *j = root;
	for (; *path; path++) {
		j = cJSON_GetObjectItemCaseSensitive(j, *path);
		if (!j)
			fail_msg("missing key %s", *path);
	}
	assert_true(cJSON_IsNumber(j));
	return j->valuedouble;
}

static void test_report_keys(void **state)
{
	(void)state;
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	set(&s, "resample.method=oversample");
	struct pipeline_result r;
	run_ok(f, &s, &r);
	char *text = pipeline_report_json(&r);
	cJSON *root = cJSON_Parse(text);
	assert_non_null(root);
	const struct metrics *m = &r.test_metrics;

	const char *acc[] = { "binary_classification_metrics", "accuracy", "value", NULL };
	assert_true(num_at(root, acc) == m->accuracy);
	/* Outer key = predicted class, inner = actual, as the original had it. */
	const char *tn[] = { "binary_classification_metrics", "confusion_matrix", "0", "0", NULL };
	const char *fn[] = { "binary_classification_metrics", "confusion_matrix", "0", "1", NULL };
	const char *fp[] = { "binary_classification_metrics", "confusion_matrix", "1", "0", NULL };
	const char *tp[] = { "binary_classification_metrics", "confusion_matrix", "1", "1", NULL };
	assert_true(num_at(root, tn) == (double)m->cm.tn);
	assert_true(num_at(root, fn) == (double)m->cm.fn);
	assert_true(num_at(root, fp) == (double)m->cm.fp);
	assert_true(num_at(root, tp) == (double)m->cm.tp);
	assert_true(m->cm.tp + m->cm.fn == 20);

	const char *vrec[] = { "validation", "binary_classification_metrics", "recall",
			       "value", NULL };
	assert_true(num_at(root, vrec) == r.validation_metrics.recall);
	const char *base[] = { "binary_classification_metrics", "baseline", "value", NULL };
	assert_true(num_at(root, base) == 0.95);
	const char *thr[] = { "threshold", NULL };
	assert_true(num_at(root, thr) == 0.5);
	const char *after[] = { "splits", "train", "after", "1", NULL };
	assert_true(num_at(root, after) == (double)r.counts.train_after[1]);
	const char *tafter[] = { "splits", "test", "after", "1", NULL };
	assert_true(num_at(root, tafter) == 20);
	const char *nodes[] = { "tree", "nodes", NULL };
	assert_true(num_at(root, nodes) == (double)r.tree->nnodes);

	const cJSON *gate = cJSON_GetObjectItemCaseSensitive(root, "gate");
	assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(gate, "pass")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(gate, "checks")),
			 (int)r.gate.nchecks);
	const cJSON *roc = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "curves"), "roc");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(roc, "fpr")),
			 (int)r.roc.n);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "tuning")));

	cJSON_Delete(root);
	free(text);
	pipeline_result_free(&r);
	settings_free(&s);
	frame_free(f);
}

/* ---- threshold, cancellation, missing targets, bad settings ----------- */

static void test_threshold_moves_metrics_and_gate(void **state)
{
	(void)state;
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	struct pipeline_result r;
	run_ok(f, &s, &r);
	struct ft_err err;
	/* Everything flagged: every fraud caught, no negative kept. */
	assert_int_equal(pipeline_set_threshold(&r, 0.0, &err), 0);
	assert_int_equal(r.test_metrics.cm.tp, 20);
	assert_int_equal(r.test_metrics.cm.fn, 0);
	assert_int_equal(r.test_metrics.cm.tn, 0);
	assert_true(r.test_metrics.accuracy == 0.05);
	assert_false(r.gate.pass);
	assert_true(r.settings.threshold == 0.0);
	assert_int_equal(r.validation_metrics.cm.tp, 20);

	assert_int_equal(pipeline_set_threshold(&r, 1.5, &err), -1);
	assert_int_equal(err.code, FT_EINPUT);
	assert_true(r.settings.threshold == 0.0);

	pipeline_result_free(&r);
	settings_free(&s);
	frame_free(f);
}

/* The cached path must give exactly what metrics_compute gives, at
 * thresholds on, between and around the scores the tree produces. */
static void check_threshold(struct pipeline_result *r, double t)
{
	struct ft_err err;
	struct metrics v, m;
	assert_int_equal(pipeline_set_threshold(r, t, &err), 0);
	metrics_compute(r->validation.y, r->validation_proba, r->validation.n, t, &v);
	metrics_compute(r->test.y, r->test_proba, r->test.n, t, &m);
	metrics_add_amount(&v, r->validation.y, r->validation_proba, r->validation.amount,
			   r->validation.n, &r->settings.cost, r->settings.alert_rate);
	metrics_add_amount(&m, r->test.y, r->test_proba, r->test.amount, r->test.n,
			   &r->settings.cost, r->settings.alert_rate);
	metrics_intervals(NULL, &v);
	metrics_intervals(r->test_bootstrap, &m);
	assert_memory_equal(&v, &r->validation_metrics, sizeof v);
	assert_memory_equal(&m, &r->test_metrics, sizeof m);
	struct gate_result g;
	assert_int_equal(gate_evaluate(r->settings.gate, r->settings.ngate, &m, &g, &err), 0);
	assert_int_equal(g.pass, r->gate.pass);
	gate_result_free(&g);
}

static void test_threshold_equals_full_recompute(void **state)
{
	(void)state;
	const struct gen_spec many = { 3000, 300, true, 5 };
	struct frame *f = make_frame(&many);
	struct settings s;
	settings_init(&s);
	set(&s, "tree.max_depth=8");
	struct pipeline_result r;
	run_ok(f, &s, &r);
	const double fixed[] = { 0.0, 1.0, 0.5, 0.25, 0.999, 1e-12 };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		check_threshold(&r, fixed[i]);
	size_t distinct = 0;
	for (size_t i = 0; i < r.test.n; i += 7) {
		double p = r.test_proba[i];
		check_threshold(&r, p);
		if (p < 1.0)
			check_threshold(&r, nextafter(p, 2.0));
		if (p > 0.0)
			check_threshold(&r, nextafter(p, -1.0));
		if (p != r.test_proba[0])
			distinct++;
	}
	assert_true(distinct > 0);   /* the scores were not all one value */
	pipeline_result_free(&r);

	/* Scores that are no leaf's probability (edited by the caller) are
	 * still counted exactly. */
	run_ok(f, &s, &r);
	r.test_proba[3] = 0.3141592653589793;
	metrics_compute(r.test.y, r.test_proba, r.test.n, r.settings.threshold,
			&r.test_metrics);
	check_threshold(&r, 0.3141592653589793);
	check_threshold(&r, 0.3);
	check_threshold(&r, 0.5);
	pipeline_result_free(&r);
	settings_free(&s);
	frame_free(f);
}

/* ---- the memory-saving paths give the straightforward results --------- */

static char *tree_text(const struct tree *t)
{
	cJSON *j = tree_to_json(t);
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

/* The pipeline resamples in place and fits on bins of a matrix it has
 * already freed; transforming train, resampling it with resample_apply and
 * calling tree_fit must give the same tree and the same tuning table. */
static void check_same_as_plain(const char *const *assignments)
{
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	for (const char *const *a = assignments; *a; a++)
		set(&s, *a);
	struct pipeline_result r;
	run_ok(f, &s, &r);

	struct ft_err err;
	struct target_info t;
	struct split sp;
	struct dataset train, validation;
	assert_int_equal(target_resolve(f, &s, &t, &err), 0);
	assert_int_equal(split_stratified(&t, f->nrows, &s, NULL, &sp, &err), 0);
	struct recipe *rc = recipe_fit(f, &s, &t, sp.train, sp.ntrain, NULL, &err);
	assert_non_null(rc);
	assert_int_equal(recipe_apply(rc, f, &t, sp.train, sp.ntrain, NULL, &train, &err), 0);
	assert_int_equal(recipe_apply(rc, f, &t, sp.validation, sp.nvalidation, NULL,
				    &validation, &err), 0);
	if (r.validation.amount) {
		validation.amount = xmalloc(validation.n * sizeof *validation.amount);
		memcpy(validation.amount, r.validation.amount,
		       validation.n * sizeof *validation.amount);
	}
	assert_int_equal(resample_apply(&train, &s, NULL, NULL, &err), 0);
	size_t c[2];
	count_y(&train, c);
	assert_int_equal(c[0], r.counts.train_after[0]);
	assert_int_equal(c[1], r.counts.train_after[1]);
	const char **names = xcalloc(rc->nfeatures, sizeof *names);
	for (size_t j = 0; j < rc->nfeatures; j++)
		names[j] = rc->features[j].name;

	struct tree_params p = s.tree;
	if (tune_wanted(&s)) {
		size_t n, best;
		struct tune_row *rows = tune_grid(&train, names, &validation, &s, 2, NULL,
						  &n, &best, &err);
		assert_non_null(rows);
		assert_int_equal(n, r.ntune);
		assert_int_equal(best, r.tune_best);
		assert_memory_equal(rows, r.tune, n * sizeof *rows);
		p.max_depth = rows[best].max_depth;
		p.min_samples_split = rows[best].min_samples_split;
		p.min_samples_leaf = rows[best].min_samples_leaf;
		free(rows);
	}
	struct tree *plain = tree_fit(&train, names, &p, NULL, &err);
	assert_non_null(plain);
	char *a = tree_text(plain), *b = tree_text(r.tree);
	assert_string_equal(a, b);

	free(a);
	free(b);
	tree_free(plain);
	free(names);
	dataset_free(&train);
	dataset_free(&validation);
	recipe_free(rc);
	split_free(&sp);
	target_info_free(&t);
	pipeline_result_free(&r);
	settings_free(&s);
	frame_free(f);
}

static void test_in_place_resampling_and_binned_fit(void **state)
{
	(void)state;
	const char *const over[] = { "resample.method=oversample", "tree.max_depth=6", NULL };
	const char *const part[] = { "resample.method=oversample", "resample.ratio=0.3", NULL };
	const char *const under[] = { "resample.method=undersample", "resample.ratio=0.5", NULL };
	const char *const weight[] = { "resample.method=class_weight", NULL };
	const char *const tuned[] = { "resample.method=oversample", "tune.max_depth=[2,4,6]",
				      "tune.min_samples_leaf=[1,25]", NULL };
	/* narrow bins: quantiles over the copies too, and one bin per value */
	const char *const narrow[] = { "resample.method=oversample", "tree.max_bins=16", NULL };
	const char *const narrow_few[] = { "resample.method=oversample", "tree.max_bins=255",
					   NULL };
	check_same_as_plain(over);
	check_same_as_plain(narrow);
	check_same_as_plain(narrow_few);
	check_same_as_plain(part);
	check_same_as_plain(under);
	check_same_as_plain(weight);
	check_same_as_plain(tuned);
}

/* A run that owns its frame gives the same bytes as one that borrows it,
 * and frees the frame on success and failure alike (the leak checkers of
 * the sanitizer build would see it otherwise). */
static void test_run_owned(void **state)
{
	(void)state;
	struct settings s;
	settings_init(&s);
	set(&s, "resample.method=oversample");
	struct frame *f = make_frame(&usual);
	struct pipeline_result a, b;
	run_ok(f, &s, &a);
	struct ft_err err;
	ft_err_clear(&err);
	assert_int_equal(pipeline_run_owned(make_frame(&usual), &s, NULL, &b, &err), 0);
	char *ma = model_to_text(a.recipe, a.tree, a.settings.threshold, a.settings.threshold_on, a.reference);
	char *mb = model_to_text(b.recipe, b.tree, b.settings.threshold, b.settings.threshold_on, b.reference);
	char *ea = pipeline_report_json(&a), *eb = pipeline_report_json(&b);
	assert_string_equal(ma, mb);
	assert_string_equal(ea, eb);
	free(ma);
	free(mb);
	free(ea);
	free(eb);
	pipeline_result_free(&a);
	pipeline_result_free(&b);

	set(&s, "target=no_such_column");
	assert_int_equal(pipeline_run_owned(make_frame(&usual), &s, NULL, &b, &err), -1);
	assert_int_equal(err.code, FT_EINPUT);
	settings_free(&s);
	frame_free(f);
}

static void test_cancelled(void **state)
{
	(void)state;
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	atomic_int cancel;
	atomic_init(&cancel, 1);
	struct ft_progress prog = { .fn = NULL, .ctx = NULL, .cancel = &cancel };
	struct pipeline_result r;
	struct ft_err err;
	ft_err_clear(&err);
	assert_int_equal(pipeline_run(f, &s, &prog, &r, &err), -1);
	assert_int_equal(err.code, FT_ECANCELLED);
	assert_null(r.tree);
	pipeline_result_free(&r);
	settings_free(&s);
	frame_free(f);
}

/* A run cancelled part way stops soon, whatever step it is in, and frees
 * everything. The flag is raised from another thread after a short delay
 * (landing in the split or the recipe), or by the progress callback when a
 * given step begins (the transforms, SMOTE, the grid, the final fit), so
 * every step is reached however fast the machine. The bound is loose on
 * purpose: the sanitizer build is slow. A flag raised before the run stops
 * it before any work. */
struct cancel_job {
	const struct frame *f;
	const struct settings *s;
	atomic_int cancel;
	const char *at_stage;        /* raise when this stage reports at_done */
	uint64_t at_done;
	atomic_bool raised;
	double raised_at, end;
	int rc;
	struct ft_err err;
	struct pipeline_result r;
};

static void raise_cancel(struct cancel_job *j)
{
	if (atomic_exchange(&j->raised, true))
		return;
	j->raised_at = ft_now();
	atomic_store(&j->cancel, 1);
}

static void cancel_at_step(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	(void)total;
	struct cancel_job *j = ctx;
	if (j->at_stage && !strcmp(stage, j->at_stage) && done >= j->at_done)
		raise_cancel(j);
}

static void *cancel_job_run(void *arg)
{
	struct cancel_job *j = arg;
	struct ft_progress prog = { .fn = cancel_at_step, .ctx = j, .cancel = &j->cancel };
	ft_err_clear(&j->err);
	j->rc = pipeline_run(j->f, j->s, &prog, &j->r, &j->err);
	j->end = ft_now();
	return NULL;
}

static void test_cancel_from_another_thread(void **state)
{
	(void)state;
	const struct gen_spec big = { 1000000, 20000, true, 17 };
	struct frame *f = make_frame(&big);
	struct settings s;
	settings_init(&s);
	set(&s, "resample.method=smote");
	set(&s, "tune.max_depth=[4,8]");
	set(&s, "tune.min_samples_leaf=[1,20]");
	static const struct { long delay_ms; const char *stage; uint64_t done; } when[] = {
		{ 0, NULL, 0 }, { 5, NULL, 0 }, { 30, NULL, 0 },
		{ -1, "prepare", 3 }, { -1, "prepare", 4 }, { -1, "tune", 0 },
		{ -1, "train", 0 },
	};
	for (size_t k = 0; k < sizeof when / sizeof when[0]; k++) {
		struct cancel_job *j = xcalloc(1, sizeof *j);
		j->f = f;
		j->s = &s;
		j->at_stage = when[k].stage;
		j->at_done = when[k].done;
		atomic_init(&j->cancel, 0);
		atomic_init(&j->raised, false);
		if (when[k].delay_ms == 0)
			raise_cancel(j);
		pthread_t tid;
		assert_int_equal(pthread_create(&tid, NULL, cancel_job_run, j), 0);
		if (when[k].delay_ms > 0) {
			struct timespec ts = { 0, when[k].delay_ms * 1000000L };
			nanosleep(&ts, NULL);
			raise_cancel(j);
		}
		pthread_join(tid, NULL);
		assert_true(atomic_load(&j->raised));
		assert_int_equal(j->rc, -1);
		assert_int_equal(j->err.code, FT_ECANCELLED);
		assert_true(j->end - j->raised_at < 10.0);	/* catches only a run that ignores the flag: speed is measured, not tested */
		assert_null(j->r.tree);
		assert_null(j->r.recipe);
		pipeline_result_free(&j->r);
		free(j);
	}
	settings_free(&s);
	frame_free(f);
}

static void test_missing_target_rows_dropped(void **state)
{
	(void)state;
	struct frame *f = make_frame(&usual);
	size_t blanked = 0;
	for (size_t i = 0; blanked < 3; i++) {
		if (f->cols[COL_LABEL].num[i] == 0.0) {
			f->cols[COL_LABEL].num[i] = NAN;
			blanked++;
		}
	}
	frame_compute_stats(f, 1);
	struct settings s;
	settings_init(&s);
	struct pipeline_result r;
	run_ok(f, &s, &r);
	assert_int_equal(r.target.missing, 3);
	assert_int_equal(r.split.ntrain + r.split.nvalidation + r.split.ntest, 1997);
	bool noted = false;
	for (size_t i = 0; i < r.nnotes; i++)
		if (!strcmp(r.notes[i], "dropped 3 rows with a missing target"))
			noted = true;
	assert_true(noted);
	/* The resolved settings name what was guessed. */
	assert_string_equal(r.settings.target, "isFraud");
	assert_string_equal(r.settings.positive, "1");
	pipeline_result_free(&r);
	settings_free(&s);
	frame_free(f);
}

static void test_bad_settings_rejected(void **state)
{
	(void)state;
	struct frame *f = make_frame(&usual);
	struct settings s;
	settings_init(&s);
	set(&s, "target=no_such_column");
	struct pipeline_result r;
	struct ft_err err;
	ft_err_clear(&err);
	assert_int_equal(pipeline_run(f, &s, NULL, &r, &err), -1);
	assert_int_equal(err.code, FT_EINPUT);
	assert_non_null(strstr(err.msg, "no_such_column"));
	settings_free(&s);

	/* settings_set refuses unknown objectives; the engine checks again for
	 * settings built in code. */
	settings_init(&s);
	free(s.tune_objective);
	s.tune_objective = xstrdup("nonsense");
	set(&s, "tune.max_depth=[2,3]");
	ft_err_clear(&err);
	assert_int_equal(pipeline_run(f, &s, NULL, &r, &err), -1);
	assert_int_equal(err.code, FT_EINPUT);
	assert_non_null(strstr(err.msg, "tune.objective"));
	settings_free(&s);
	frame_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recipe_fitted_on_train_only),
		cmocka_unit_test(test_resampling_confined_to_train),
		cmocka_unit_test(test_gate_fails_without_true_positives),
		cmocka_unit_test(test_tune_grid_order_and_best),
		cmocka_unit_test(test_deterministic_model_and_report),
		cmocka_unit_test(test_report_keys),
		cmocka_unit_test(test_threshold_moves_metrics_and_gate),
		cmocka_unit_test(test_threshold_equals_full_recompute),
		cmocka_unit_test(test_in_place_resampling_and_binned_fit),
		cmocka_unit_test(test_run_owned),
		cmocka_unit_test(test_cancelled),
		cmocka_unit_test(test_cancel_from_another_thread),
		cmocka_unit_test(test_cv_folds_stratified_disjoint),
		cmocka_unit_test(test_cv_recipe_fitted_on_training_folds),
		cmocka_unit_test(test_cv_tuning_mean_sd_deterministic),
		cmocka_unit_test(test_missing_target_rows_dropped),
		cmocka_unit_test(test_bad_settings_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
