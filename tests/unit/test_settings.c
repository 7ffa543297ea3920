/* Unit tests of settings: defaults, pipeline files, every --set form, every
 * kind of error, and the settings_to_json round trip. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "settings.h"
#include "util.h"

static void set_ok(struct settings *s, const char *assignment)
{
	struct ft_err err = {0};
	int rc = settings_set(s, assignment, &err);
	if (rc != 0)
		fail_msg("settings_set(%s): %s", assignment, err.msg);
}

/* The error of a failing --set, compared in full. */
static void set_fails(const char *assignment, const char *message)
{
	struct settings s;
	settings_init(&s);
	char *before = settings_to_json(&s);
	struct ft_err err = {0};
	assert_int_equal(settings_set(&s, assignment, &err), -1);
	assert_int_equal(err.code, FT_EINPUT);
	assert_string_equal(err.msg, message);
	char *after = settings_to_json(&s);
	assert_string_equal(before, after);   /* nothing changed */
	free(before);
	free(after);
	settings_free(&s);
}

static void json_fails(const char *text, const char *message)
{
	struct settings s;
	settings_init(&s);
	char *before = settings_to_json(&s);
	struct ft_err err = {0};
	assert_int_equal(settings_load_json(&s, text, "p.json", &err), -1);
	assert_int_equal(err.code, FT_EINPUT);
	assert_string_equal(err.msg, message);
	char *after = settings_to_json(&s);
	assert_string_equal(before, after);
	free(before);
	free(after);
	settings_free(&s);
}

static void test_defaults(void **state)
{
	(void)state;
	struct settings s;
	settings_init(&s);
	assert_null(s.target);
	assert_null(s.positive);
	assert_int_equal(s.nna_values, 0);
	assert_int_equal(s.ndrop, 0);
	assert_true(s.drop_suggested);
	assert_false(s.missing_indicators);
	assert_int_equal(s.impute_numeric.strategy, IMPUTE_MEDIAN);
	assert_int_equal(s.impute_categorical.strategy, IMPUTE_MOST_FREQUENT);
	assert_int_equal(s.encode_default, ENC_ONEHOT);
	assert_int_equal(s.datetime_default, DT_HOUR | DT_DAY_OF_WEEK);
	assert_true(s.split_train == 0.6 && s.split_validation == 0.2 && s.split_test == 0.2);
	assert_int_equal(s.split_seed, 42);
	assert_int_equal(s.resample, RESAMPLE_NONE);
	assert_true(s.resample_ratio == 1.0);
	assert_int_equal(s.tree.criterion, CRIT_GINI);
	assert_int_equal(s.tree.max_depth, 8);
	assert_int_equal(s.tree.min_samples_split, 2);
	assert_int_equal(s.tree.min_samples_leaf, 1);
	assert_int_equal(s.tree.max_leaf_nodes, 0);
	assert_int_equal(s.tree.max_bins, 0);
	assert_int_equal(s.tree.threads, 0);
	assert_true(s.tree.ccp_alpha == 0 && s.tree.min_impurity_decrease == 0);
	assert_int_equal(s.tune_max_depth.n, 0);
	assert_string_equal(s.tune_objective, "balanced_accuracy");
	assert_true(s.threshold == 0.5);
	assert_int_equal(s.ngate, 1);
	assert_string_equal(s.gate[0].metric, "accuracy");
	assert_int_equal(s.gate[0].op, OP_GE);
	assert_true(s.gate[0].value == 0.85);
	assert_string_equal(s.group, "fraud-detection-model-group");
	struct ft_err err = {0};
	assert_int_equal(settings_validate(&s, &err), 0);
	settings_free(&s);
	settings_free(NULL);
}

static const cJSON *path_get(const cJSON *root, const char *dotted)
{
	char *copy = strdup(dotted);
	const cJSON *v = root;
	for (char *tok = strtok(copy, "."); tok && v; tok = strtok(NULL, "."))
		v = cJSON_GetObjectItemCaseSensitive(v, tok);
	free(copy);
	return v;
}

/* Every key in the documented table appears in settings_to_json, and the
 * JSON holds nothing the table does not document. */
static void test_key_table_matches_json(void **state)
{
	(void)state;
	struct settings s;
	settings_init(&s);
	char *text = settings_to_json(&s);
	cJSON *root = cJSON_Parse(text);
	assert_non_null(root);
	size_t n;
	const struct setting_key *k = settings_keys(&n);
	assert_true(n >= 35);
	size_t leaves = 0;
	for (size_t i = 0; i < n; i++) {
		assert_non_null(k[i].help);
		assert_non_null(k[i].values);
		char *key = strdup(k[i].key);
		char *lt = strstr(key, ".<name>");
		if (lt)
			strcpy(lt, "");   /* the per-column object */
		if (!path_get(root, key))
			fail_msg("key %s missing from settings_to_json", k[i].key);
		if (!lt)
			leaves++;
		free(key);
	}
	/* count JSON leaves: objects nest, everything else is a leaf */
	size_t json_leaves = 0;
	const cJSON *top;
	cJSON_ArrayForEach(top, root) {
		if (!cJSON_IsObject(top)) {
			json_leaves++;
			continue;
		}
		const cJSON *sub;
		cJSON_ArrayForEach(sub, top)
			if (strcmp(sub->string, "columns") != 0)
				json_leaves++;
	}
	assert_int_equal(leaves, json_leaves);
	cJSON_Delete(root);
	free(text);
	settings_free(&s);
}

static void test_set_forms(void **state)
{
	(void)state;
	struct settings s;
	settings_init(&s);
	set_ok(&s, "target=isFraud");
	assert_string_equal(s.target, "isFraud");
	set_ok(&s, "target=\"quoted name\"");
	assert_string_equal(s.target, "quoted name");
	set_ok(&s, "target=123");               /* a column named 123, not a number */
	assert_string_equal(s.target, "123");
	set_ok(&s, "target=null");
	assert_null(s.target);
	set_ok(&s, "positive=Y");
	assert_string_equal(s.positive, "Y");
	set_ok(&s, "tree.max_depth=5");
	assert_int_equal(s.tree.max_depth, 5);
	set_ok(&s, "tree.criterion=entropy");
	assert_int_equal(s.tree.criterion, CRIT_ENTROPY);
	set_ok(&s, "tree.ccp_alpha=0.001");
	assert_true(s.tree.ccp_alpha == 0.001);
	set_ok(&s, "split.seed=7");
	assert_int_equal(s.split_seed, 7);
	set_ok(&s, "split.seed=9007199254740991");
	assert_true(s.split_seed == 9007199254740991ULL);
	set_ok(&s, "drop_suggested=false");
	assert_false(s.drop_suggested);
	set_ok(&s, "drop_suggested=yes");
	assert_true(s.drop_suggested);
	set_ok(&s, "missing_indicators=on");
	assert_true(s.missing_indicators);
	set_ok(&s, "missing_indicators=0");
	assert_false(s.missing_indicators);
	/* lists: JSON arrays, comma lists, one bare value, empty */
	set_ok(&s, "tune.max_depth=[3, 5, 8]");
	assert_int_equal(s.tune_max_depth.n, 3);
	assert_int_equal(s.tune_max_depth.v[2], 8);
	set_ok(&s, "tune.min_samples_leaf=1,5,20");
	assert_int_equal(s.tune_min_samples_leaf.n, 3);
	assert_int_equal(s.tune_min_samples_leaf.v[1], 5);
	set_ok(&s, "tune.min_samples_split=10");
	assert_int_equal(s.tune_min_samples_split.n, 1);
	assert_int_equal(s.tune_min_samples_split.v[0], 10);
	set_ok(&s, "tune.max_depth=");
	assert_int_equal(s.tune_max_depth.n, 0);
	set_ok(&s, "tune.max_depth=[]");
	assert_int_equal(s.tune_max_depth.n, 0);
	set_ok(&s, "na_values=?,unknown,-999");
	assert_int_equal(s.nna_values, 3);
	assert_string_equal(s.na_values[0], "?");
	assert_string_equal(s.na_values[2], "-999");
	set_ok(&s, "na_values=-1");
	assert_int_equal(s.nna_values, 1);
	assert_string_equal(s.na_values[0], "-1");
	set_ok(&s, "drop=[\"a,b\", \"c\"]");
	assert_int_equal(s.ndrop, 2);
	assert_string_equal(s.drop[0], "a,b");
	assert_true(settings_is_dropped(&s, "c"));
	assert_false(settings_is_dropped(&s, "a"));
	set_ok(&s, "datetime.default=hour,month");
	assert_int_equal(s.datetime_default, DT_HOUR | DT_MONTH);
	set_ok(&s, "datetime.default=[]");
	assert_int_equal(s.datetime_default, 0);
	set_ok(&s, "datetime.default=day_of_week, day");
	assert_int_equal(s.datetime_default, DT_DAY_OF_WEEK | DT_DAY);
	set_ok(&s, "drop=a, b");
	assert_string_equal(s.drop[1], "b");
	set_ok(&s, "na_values= ,x");
	assert_string_equal(s.na_values[0], " ");
	set_ok(&s, "tune.max_depth=4,");
	assert_int_equal(s.tune_max_depth.n, 1);
	/* a grid may be separated by blanks too, as the workbench types it */
	set_ok(&s, "tune.max_depth= 3 5, 8 ");
	assert_int_equal(s.tune_max_depth.n, 3);
	assert_int_equal(s.tune_max_depth.v[1], 5);
	assert_int_equal(s.tune_max_depth.v[2], 8);
	/* gates: text form and JSON form */
	set_ok(&s, "gate=recall>=0.5,accuracy > 0.9");
	assert_int_equal(s.ngate, 2);
	assert_string_equal(s.gate[0].metric, "recall");
	assert_int_equal(s.gate[0].op, OP_GE);
	assert_true(s.gate[0].value == 0.5);
	assert_string_equal(s.gate[1].metric, "accuracy");
	assert_int_equal(s.gate[1].op, OP_GT);
	assert_true(s.gate[1].value == 0.9);
	set_ok(&s, "gate=[{\"metric\": \"fn\", \"op\": \"<=\", \"value\": 3}]");
	assert_int_equal(s.ngate, 1);
	assert_int_equal(s.gate[0].op, OP_LE);
	/* interval bounds */
	set_ok(&s, "gate=recall.lower>=0.5,accuracy.lower>=0.85,f1.standard_deviation<0.1");
	assert_int_equal(s.ngate, 3);
	assert_string_equal(s.gate[0].metric, "recall.lower");
	assert_string_equal(s.gate[2].metric, "f1.standard_deviation");
	assert_int_equal(s.gate[2].op, OP_LT);
	set_ok(&s, "gate=[]");
	assert_int_equal(s.ngate, 0);
	/* impute, encode, per column */
	set_ok(&s, "impute.numeric=constant:-1.5");
	assert_int_equal(s.impute_numeric.strategy, IMPUTE_CONSTANT);
	assert_string_equal(s.impute_numeric.constant, "-1.5");
	set_ok(&s, "impute.numeric=mean");
	assert_int_equal(s.impute_numeric.strategy, IMPUTE_MEAN);
	assert_null(s.impute_numeric.constant);
	set_ok(&s, "impute.categorical=constant:unknown");
	assert_string_equal(s.impute_categorical.constant, "unknown");
	set_ok(&s, "impute.columns.device_risk=mean");
	set_ok(&s, "encode.columns.merchant=frequency");
	set_ok(&s, "encode.columns.a.b=ordinal");     /* column names may hold dots */
	set_ok(&s, "datetime.columns.when=day,month");
	const struct column_setting *c = settings_column(&s, "device_risk");
	assert_non_null(c);
	assert_true(c->has_impute && !c->has_encode);
	assert_int_equal(c->impute.strategy, IMPUTE_MEAN);
	c = settings_column(&s, "a.b");
	assert_non_null(c);
	assert_int_equal(c->encode, ENC_ORDINAL);
	c = settings_column(&s, "when");
	assert_int_equal(c->datetime_parts, DT_DAY | DT_MONTH);
	assert_null(settings_column(&s, "nothing"));
	/* sorted by name whatever the order they were set in */
	assert_int_equal(s.ncolumns, 4);
	assert_string_equal(s.columns[0].name, "a.b");
	assert_string_equal(s.columns[3].name, "when");
	set_ok(&s, "encode.columns.a.b=null");
	assert_null(settings_column(&s, "a.b"));
	assert_int_equal(s.ncolumns, 3);
	/* a whole namespace as an object */
	set_ok(&s, "tree={\"max_depth\": 4, \"min_samples_leaf\": 3}");
	set_ok(&s, "impute.columns={\"zz\": \"constant:0\"}");
	assert_string_equal(settings_column(&s, "zz")->impute.constant, "0");
	assert_int_equal(s.tree.max_depth, 4);
	assert_int_equal(s.tree.min_samples_leaf, 3);
	set_ok(&s, "resample.method=smote");
	set_ok(&s, "resample.ratio=0.5");
	assert_int_equal(s.resample, RESAMPLE_SMOTE);
	assert_true(s.resample_ratio == 0.5);
	set_ok(&s, "registry.group=team-a--models2");
	assert_string_equal(s.group, "team-a--models2");
	set_ok(&s, "tune.objective=pr_auc");
	assert_string_equal(s.tune_objective, "pr_auc");
	set_ok(&s, "threshold=0.3");
	assert_true(s.threshold == 0.3);
	settings_free(&s);
}

static void test_set_errors(void **state)
{
	(void)state;
	set_fails("tree.max_depth=-3",
		  "--set tree.max_depth: expected an integer between 0 and 1000, got -3");
	set_fails("tree.max_depth=1000000000",
		  "--set tree.max_depth: expected an integer between 0 and 1000, got 1000000000");
	set_fails("tree.max_depth=2.5",
		  "--set tree.max_depth: expected an integer between 0 and 1000, got 2.5");
	set_fails("tree.max_depth=deep",
		  "--set tree.max_depth: expected an integer between 0 and 1000, got \"deep\"");
	set_fails("tree.max_dept=3",
		  "--set tree.max_dept: unknown setting (did you mean tree.max_depth?)");
	set_fails("colour=blue",
		  "--set colour: unknown setting (the keys are listed in fraudtree-pipeline(5))");
	set_fails("tree.max_depth", "--set tree.max_depth: expected KEY=VALUE");
	set_fails("=3", "--set =3: expected KEY=VALUE");
	set_fails("split.train=-0.1",
		  "--set split.train: expected a number between 0 and 1, got -0.1");
	set_fails("resample.ratio=0",
		  "--set resample.ratio: expected a number greater than 0 and at most 1, got 0");
	set_fails("resample.ratio=1.5",
		  "--set resample.ratio: expected a number greater than 0 and at most 1, got 1.5");
	set_fails("resample.method=magic",
		  "--set resample.method: expected none, undersample, oversample, smote or "
		  "class_weight, got \"magic\"");
	set_fails("tree.min_samples_split=1",
		  "--set tree.min_samples_split: expected an integer between 2 and 1000000000, got 1");
	set_fails("tree.max_leaf_nodes=1",
		  "--set tree.max_leaf_nodes: expected 0 (unlimited) or an integer between 2 and "
		  "67108864, got 1");
	set_fails("tree.max_leaf_nodes=67108865",
		  "--set tree.max_leaf_nodes: expected 0 (unlimited) or an integer between 2 and "
		  "67108864, got 67108865");
	set_fails("tree.max_bins=70000",
		  "--set tree.max_bins: expected 0 (automatic) or an integer between 2 and 65535, got 70000");
	set_fails("tree.max_bins=1",
		  "--set tree.max_bins: expected 0 (automatic) or an integer between 2 and 65535, got 1");
	set_fails("split.seed=-1",
		  "--set split.seed: expected an integer between 0 and 9007199254740991, got -1");
	set_fails("tune.max_depth=3,x",
		  "--set tune.max_depth: expected an integer between 0 and 1000, got \"x\"");
	set_fails("tune.objective=speed",
		  "--set tune.objective: expected accuracy|baseline|precision|recall|specificity|"
		  "f1|balanced_accuracy|mcc|roc_auc|pr_auc|log_loss|brier|amount_caught|amount_missed|"
		  "amount_recall|alert_rate|net_savings|cost|precision_at_alert_rate|"
		  "recall_at_alert_rate, got \"speed\"");
	set_fails("gate=accuracy=>0.9",
		  "--set gate: expected a list of {\"metric\": NAME, \"op\": \">=\", \"value\": "
		  "NUMBER}, got \"accuracy=>0.9\"");
	set_fails("gate=speed>=1", "--set gate: expected a metric name (accuracy, baseline, "
		  "precision, recall, specificity, f1, balanced_accuracy, mcc, roc_auc, pr_auc, "
		  "log_loss, brier, tp, fp, tn, fn, baseline_p_value, amount_caught, amount_missed, "
		  "amount_recall, alerts, alert_rate, net_savings, cost, precision_at_alert_rate, "
		  "recall_at_alert_rate; all but the counts, baseline_p_value and the amount "
		  "figures also with .lower, .upper or .standard_deviation), got \"speed\"");
	set_fails("gate=tp.lower>=1", "--set gate: expected a metric name (accuracy, baseline, "
		  "precision, recall, specificity, f1, balanced_accuracy, mcc, roc_auc, pr_auc, "
		  "log_loss, brier, tp, fp, tn, fn, baseline_p_value, amount_caught, amount_missed, "
		  "amount_recall, alerts, alert_rate, net_savings, cost, precision_at_alert_rate, "
		  "recall_at_alert_rate; all but the counts, baseline_p_value and the amount "
		  "figures also with .lower, .upper or .standard_deviation), got \"tp.lower\"");
	set_fails("gate=cost.lower>=1", "--set gate: expected a metric name (accuracy, baseline, "
		  "precision, recall, specificity, f1, balanced_accuracy, mcc, roc_auc, pr_auc, "
		  "log_loss, brier, tp, fp, tn, fn, baseline_p_value, amount_caught, amount_missed, "
		  "amount_recall, alerts, alert_rate, net_savings, cost, precision_at_alert_rate, "
		  "recall_at_alert_rate; all but the counts, baseline_p_value and the amount "
		  "figures also with .lower, .upper or .standard_deviation), got \"cost.lower\"");
	set_fails("gate=[{\"metric\": \"f1\", \"op\": \"=<\", \"value\": 1}]",
		  "--set gate: expected one of >=, >, <=, <, ==, !=, got \"=<\"");
	set_fails("registry.group=-bad",
		  "--set registry.group: expected a group name of letters, digits and inner dashes "
		  "(at most 63 characters), got \"-bad\"");
	set_fails("registry.group=a_b", "--set registry.group: expected a group name of letters, "
		  "digits and inner dashes (at most 63 characters), got \"a_b\"");
	set_fails("registry.group=a1234567890123456789012345678901234567890123456789012345678901234",
		  "--set registry.group: expected a group name of letters, digits and inner dashes "
		  "(at most 63 characters), got "
		  "\"a1234567890123456789012345678901234567890123456789012345...");
	/* Dashes count: a name the registry would refuse after training is
	 * refused here, before it (62 letters and 3 dashes). */
	set_fails("registry.group=a---bcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij",
		  "--set registry.group: expected a group name of letters, digits and inner dashes "
		  "(at most 63 characters), got "
		  "\"a---bcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyza...");
	set_fails("impute.numeric=constant:abc",
		  "--set impute.numeric: expected constant:NUMBER for numeric columns, got "
		  "\"constant:abc\"");
	set_fails("impute.categorical=mean",
		  "--set impute.categorical: expected most_frequent or constant:VALUE, got \"mean\"");
	set_fails("impute.columns.x=zero",
		  "--set impute.columns.x: expected mean, median, most_frequent, constant:VALUE or "
		  "null, got \"zero\"");
	set_fails("encode.default=binary",
		  "--set encode.default: expected onehot, frequency or ordinal, got \"binary\"");
	set_fails("datetime.default=hour,week",
		  "--set datetime.default: expected one of hour, day_of_week, day, month, got \"week\"");
	set_fails("drop_suggested=maybe",
		  "--set drop_suggested: expected true or false, got \"maybe\"");
	set_fails("tree=3", "--set tree: expected an object, got 3");
	set_fails("tree={\"depth\": 3}",
		  "--set tree.depth: unknown setting (did you mean tree.max_depth?)");
	set_fails("threshold=2", "--set threshold: expected a number between 0 and 1 or "
		  "\"min_cost\", got 2");
	set_fails("target=", "--set target: expected a column name or null, got \"\"");
}

static void test_load_file(void **state)
{
	(void)state;
	/* scratch under TMPDIR, so a failed run leaves nothing in the tree */
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/ft-settings-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	char *path = NULL;
	assert_true(asprintf(&path, "%s/p.json", dir) > 0);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("{\n  \"target\": \"isFraud\",\n  \"drop\": [\"TransactionID\"],\n"
	      "  \"impute\": {\"numeric\": \"mean\", \"columns\": {\"email_domain\": "
	      "\"constant:none\"}},\n  \"encode\": {\"columns\": {\"merchant\": \"frequency\"}},\n"
	      "  \"tree\": {\"max_depth\": 6},\n  \"split\": {\"train\": 0.7, \"validation\": 0.1, "
	      "\"test\": 0.2, \"seed\": 1},\n"
	      "  \"gate\": [{\"metric\": \"recall\", \"op\": \">=\", \"value\": 0.6}]\n}\n", fp);
	fclose(fp);
	struct settings s;
	settings_init(&s);
	struct ft_err err = {0};
	assert_int_equal(settings_load_file(&s, path, &err), 0);
	assert_string_equal(s.target, "isFraud");
	assert_int_equal(s.ndrop, 1);
	assert_int_equal(s.impute_numeric.strategy, IMPUTE_MEAN);
	assert_int_equal(s.impute_categorical.strategy, IMPUTE_MOST_FREQUENT);  /* kept */
	const struct column_setting *c = settings_column(&s, "email_domain");
	assert_non_null(c);
	assert_string_equal(c->impute.constant, "none");
	assert_int_equal(settings_column(&s, "merchant")->encode, ENC_FREQUENCY);
	assert_int_equal(s.tree.max_depth, 6);
	assert_int_equal(s.tree.min_samples_leaf, 1);
	assert_true(s.split_train == 0.7 && s.split_validation == 0.1);
	assert_int_equal(s.split_seed, 1);
	assert_int_equal(s.ngate, 1);
	assert_string_equal(s.gate[0].metric, "recall");
	assert_int_equal(settings_validate(&s, &err), 0);

	/* a bad value names the file, its line and the key */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("{\n\"tree\": {\"max_depth\": -3}}", fp);
	fclose(fp);
	assert_int_equal(settings_load_file(&s, path, &err), -1);
	char *want = NULL;
	assert_true(asprintf(&want, "%s:2: tree.max_depth: expected an integer between 0 and "
			     "1000, got -3", path) > 0);
	assert_string_equal(err.msg, want);
	free(want);
	assert_int_equal(s.tree.max_depth, 6);   /* untouched by the failed load */

	unlink(path);
	assert_int_equal(settings_load_file(&s, path, &err), -1);
	assert_int_equal(err.code, FT_EIO);
	assert_non_null(strstr(err.msg, "No such file"));
	rmdir(dir);
	free(dir);
	free(path);
	settings_free(&s);
}

static void test_json_errors(void **state)
{
	(void)state;
	json_fails("{\n  \"target\": \"x\",\n  \"tree\": {\"max_depth\": 3,}\n}\n",
		   "p.json:3: invalid JSON: \"tree\": {\"max_depth\": 3,}");
	json_fails("{\n\"target\": \"x\"\n\"drop\": []}", "p.json:3: invalid JSON: \"drop\": []}");
	json_fails("{\"target\": \"x\",", "p.json:1: invalid JSON (unexpected end)");
	json_fails("", "p.json:1: invalid JSON (unexpected end)");
	json_fails("[1, 2]", "p.json: expected a JSON object of settings");
	json_fails("{\"tree\": {\"max_depth\": \"8\"}}",
		   "p.json:1: tree.max_depth: expected an integer between 0 and 1000, got \"8\"");
	json_fails("{\"tree\": {\"max_depth\": 1e9}}",
		   "p.json:1: tree.max_depth: expected an integer between 0 and 1000, got 1000000000");
	json_fails("{\"split\": {\"test\": -0.2}}",
		   "p.json:1: split.test: expected a number between 0 and 1, got -0.2");
	json_fails("{\"drop_suggested\": \"yes\"}",
		   "p.json:1: drop_suggested: expected true or false, got \"yes\"");
	json_fails("{\"drop\": \"TransactionID\"}",
		   "p.json:1: drop: expected a list of strings, got \"TransactionID\"");
	json_fails("{\"drop\": [1]}", "p.json:1: drop: expected a string, got 1");
	json_fails("{\"tune\": {\"max_depth\": \"3,5\"}}",
		   "p.json:1: tune.max_depth: expected a list of integers, got \"3,5\"");
	json_fails("{\"impute\": [\"mean\"]}", "p.json:1: impute: expected an object, got [\"mean\"]");
	json_fails("{\"impute\": {\"columns\": {\"x\": 3}}}",
		   "p.json:1: impute.columns.x: expected mean, median, most_frequent, "
		   "constant:VALUE or null, got 3");
	json_fails("{\"resample\": {\"ratio\": 0}}",
		   "p.json:1: resample.ratio: expected a number greater than 0 and at most 1, got 0");
	json_fails("{\"gate\": [{\"metric\": \"accuracy\", \"op\": \">=\"}]}",
		   "p.json:1: gate: expected a list of {\"metric\": NAME, \"op\": \">=\", \"value\": "
		   "NUMBER}, got {\"metric\":\"accuracy\",\"op\":\">=\"}");
	json_fails("{\"registry\": {\"name\": \"x\"}}",
		   "p.json:1: registry.name: unknown setting (the keys are listed in fraudtree-pipeline(5))");
	json_fails("{\"threshhold\": 0.4}",
		   "p.json:1: threshhold: unknown setting (did you mean threshold?)");
	/* the line is the wrong member's, however deep and however spelled */
	json_fails("{\n  \"tree\": {\"max_depth\": 4},\n  \"tune\": {\n    \"cv\": 0,\n"
		   "    \"ccp_alpha\": \"paths\"\n  }\n}\n",
		   "p.json:5: tune.ccp_alpha: expected none or path, got \"paths\"");
	json_fails("{\"#\": {\"tune\": {\"ccp_alpha\": 1}},\n\"tune\":\n{\"ccp_alpha\": 1}}",
		   "p.json:3: tune.ccp_alpha: expected none or path, got 1");
	json_fails("{\n\"impute\":\n {\"columns\":\n  {\"x\": \"mean\", \"a\\u002eb\":\n"
		   " \"bogus\"}}}",
		   "p.json:4: impute.columns.a.b: expected mean, median, most_frequent, "
		   "constant:VALUE or null, got \"bogus\"");
	json_fails("{\"drop\": [\"a\",\n\"b\"],\n\"tree\": {\"min_samples_leaf\": [\"{\",\n\"}\"],\n"
		   "\"max_depth\": -1}}",
		   "p.json:3: tree.min_samples_leaf: expected an integer between 1 and 1000000000, "
		   "got [\"{\",\"}\"]");
	/* "#" members are comments, except column names */
	struct settings s;
	settings_init(&s);
	struct ft_err err = {0};
	assert_int_equal(settings_load_json(&s, "{\"#\": 1, \"tree\": {\"#why\": [], "
					    "\"max_depth\": 3}, \"encode\": {\"columns\": "
					    "{\"#tag\": \"ordinal\"}}}", "c.json", &err), 0);
	assert_int_equal(s.tree.max_depth, 3);
	assert_non_null(settings_column(&s, "#tag"));
	settings_free(&s);
}

static void test_validate(void **state)
{
	(void)state;
	struct settings s;
	struct ft_err err = {0};
	settings_init(&s);
	set_ok(&s, "split.train=0.7");
	assert_int_equal(settings_validate(&s, &err), -1);
	assert_string_equal(err.msg, "split: train + validation + test must sum to 1, "
			    "got 0.7 + 0.2 + 0.2 = 1.1");
	set_ok(&s, "split.train=0.5");
	assert_int_equal(settings_validate(&s, &err), -1);
	assert_string_equal(err.msg, "split: train + validation + test must sum to 1, "
			    "got 0.5 + 0.2 + 0.2 = 0.9");
	set_ok(&s, "split.train=0.7");
	set_ok(&s, "split.validation=0.1");
	assert_int_equal(settings_validate(&s, &err), 0);
	/* within 1e-9 is accepted */
	set_ok(&s, "split={\"train\": 0.3333333333, \"validation\": 0.3333333333, "
	       "\"test\": 0.3333333334}");
	assert_int_equal(settings_validate(&s, &err), 0);
	set_ok(&s, "split={\"train\": 0.8, \"validation\": 0, \"test\": 0.2}");
	assert_int_equal(settings_validate(&s, &err), 0);
	set_ok(&s, "tune.max_depth=3,4");
	assert_int_equal(settings_validate(&s, &err), -1);
	assert_string_equal(err.msg,
			    "split.validation: tuning needs a validation share greater than 0");
	set_ok(&s, "tune.max_depth=");
	set_ok(&s, "split={\"train\": 1, \"validation\": 0, \"test\": 0}");
	assert_int_equal(settings_validate(&s, &err), -1);
	assert_string_equal(err.msg, "split.test: must be greater than 0");
	set_ok(&s, "split={\"train\": 0.8, \"validation\": 0, \"test\": 0.2}");
	set_ok(&s, "target=isFraud");
	set_ok(&s, "drop=TransactionID,isFraud");
	assert_int_equal(settings_validate(&s, &err), -1);
	assert_string_equal(err.msg, "drop: lists the target column isFraud");
	settings_free(&s);
}

static void assert_same(const struct settings *a, const struct settings *b)
{
	char *ja = settings_to_json(a), *jb = settings_to_json(b);
	assert_string_equal(ja, jb);
	free(ja);
	free(jb);
	assert_true(a->split_train == b->split_train);
	assert_true(a->split_validation == b->split_validation);
	assert_true(a->split_test == b->split_test);
	assert_true(a->split_seed == b->split_seed);
	assert_true(a->resample_ratio == b->resample_ratio);
	assert_true(a->threshold == b->threshold);
	assert_true(a->tree.ccp_alpha == b->tree.ccp_alpha);
	assert_true(a->tree.min_impurity_decrease == b->tree.min_impurity_decrease);
	assert_int_equal(a->ncolumns, b->ncolumns);
	for (size_t i = 0; i < a->ncolumns; i++) {
		assert_string_equal(a->columns[i].name, b->columns[i].name);
		assert_int_equal(a->columns[i].has_impute, b->columns[i].has_impute);
		assert_int_equal(a->columns[i].datetime_parts, b->columns[i].datetime_parts);
	}
	assert_int_equal(a->ngate, b->ngate);
	for (size_t i = 0; i < a->ngate; i++)
		assert_true(a->gate[i].value == b->gate[i].value);
	assert_int_equal(a->tune_max_depth.n, b->tune_max_depth.n);
	assert_int_equal(memcmp(&a->tree, &b->tree, sizeof a->tree), 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct settings a, b, c;
	settings_init(&a);
	/* the defaults round-trip */
	settings_init(&b);
	char *text = settings_to_json(&a);
	struct ft_err err = {0};
	assert_int_equal(settings_load_json(&b, text, "rt.json", &err), 0);
	assert_same(&a, &b);
	free(text);
	settings_free(&b);

	static const char *const sets[] = {
		"target=is \"fraud\"", "positive=Yes", "na_values=?,n/a", "drop=TransactionID",
		"drop_suggested=false", "missing_indicators=true", "impute.numeric=constant:0.1",
		"impute.categorical=constant:other", "impute.columns.zeta=median",
		"impute.columns.alpha=constant:-7", "encode.default=ordinal",
		"encode.columns.zeta=onehot", "datetime.default=day,month,hour,day_of_week",
		"datetime.columns.when=[]", "split.train=0.1", "split.validation=0.7",
		"split.test=0.2", "split.seed=123456789012345", "resample.method=class_weight",
		"resample.ratio=0.3", "tree.criterion=entropy", "tree.max_depth=0",
		"tree.min_samples_split=17", "tree.min_samples_leaf=9",
		"tree.min_impurity_decrease=0.0001", "tree.max_leaf_nodes=31",
		"tree.ccp_alpha=0.1", "tree.max_bins=64", "tree.threads=2",
		"tune.max_depth=2,4,0", "tune.min_samples_split=2,10",
		"tune.min_samples_leaf=1", "tune.objective=mcc", "threshold=0.123456789",
		"gate=recall>=0.7,fp<100,accuracy!=1", "registry.group=x",
	};
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		set_ok(&a, sets[i]);
	text = settings_to_json(&a);
	settings_init(&b);
	assert_int_equal(settings_load_json(&b, text, "rt.json", &err), 0);
	assert_same(&a, &b);
	assert_string_equal(b.target, "is \"fraud\"");
	assert_int_equal(b.datetime_default, DT_HOUR | DT_DAY_OF_WEEK | DT_DAY | DT_MONTH);
	const struct column_setting *w = settings_column(&b, "when");
	assert_true(w && w->has_datetime && w->datetime_parts == 0);
	assert_true(b.split_seed == 123456789012345ULL);
	/* settings_copy is deep and equal */
	settings_copy(&c, &a);
	assert_same(&a, &c);
	settings_free(&a);
	assert_same(&b, &c);
	settings_free(&b);
	settings_free(&c);
	/* the output is stable: same settings, same bytes */
	settings_init(&a);
	char *again = settings_to_json(&a);
	settings_free(&a);
	settings_init(&a);
	char *third = settings_to_json(&a);
	assert_string_equal(again, third);
	assert_non_null(strstr(again, "\n    \"max_depth\": 8,\n"));
	assert_non_null(strstr(again, "\n  \"gate\": [\n    {\"metric\": \"accuracy\", "
			       "\"op\": \">=\", \"value\": 0.85}\n  ],\n"));
	assert_non_null(strstr(again, "\"default\": [\"hour\", \"day_of_week\"],\n"));
	free(again);
	free(third);
	free(text);
	settings_free(&a);
}

/* amount.column, cost.*, alert_rate, threshold = "min_cost": set, printed,
 * read back, refused with their words. */
static void test_money_keys(void **state)
{
	(void)state;
	struct settings a, b;
	struct ft_err err = {0};
	settings_init(&a);
	assert_null(a.amount_column);
	assert_false(a.amount_none);
	assert_true(a.cost.alert == 0 && a.cost.missed == 1 && a.cost.caught == 0);
	assert_true(a.alert_rate == 0.01);
	assert_false(a.threshold_min_cost);
	set_ok(&a, "threshold=min_cost");
	set_ok(&a, "amount.column=123");        /* a column named "123" */
	assert_string_equal(a.amount_column, "123");
	set_ok(&a, "cost.alert=2.5");
	set_ok(&a, "cost={\"missed\": 0.9, \"caught\": 0.05}");
	set_ok(&a, "alert_rate=0.005");
	set_ok(&a, "tune.objective=net_savings");
	set_ok(&a, "gate=alerts<=500,net_savings>0");
	assert_true(a.threshold_min_cost);
	char *text = settings_to_json(&a);
	assert_non_null(strstr(text, "\"threshold\": \"min_cost\""));
	assert_non_null(strstr(text, "\"cost\": {\n    \"alert\": 2.5,\n    \"missed\": 0.9,\n"
			       "    \"caught\": 0.05\n  }"));
	settings_init(&b);
	assert_int_equal(settings_load_json(&b, text, "rt.json", &err), 0);
	assert_same(&a, &b);
	assert_true(b.threshold_min_cost && b.alert_rate == 0.005 && b.cost.alert == 2.5);
	free(text);
	settings_free(&b);
	/* false: no amount column; null: guess again; a number: min_cost off */
	set_ok(&a, "amount.column=false");
	assert_true(a.amount_none);
	assert_null(a.amount_column);
	text = settings_to_json(&a);
	assert_non_null(strstr(text, "\"amount\": {\n    \"column\": false\n  }"));
	settings_init(&b);
	assert_int_equal(settings_load_json(&b, text, "rt.json", &err), 0);
	assert_true(b.amount_none);
	free(text);
	settings_free(&b);
	set_ok(&a, "amount.column=null");
	assert_false(a.amount_none);
	set_ok(&a, "threshold=0.25");
	assert_false(a.threshold_min_cost);
	settings_free(&a);

	set_fails("threshold=cheapest", "--set threshold: expected a number between 0 and 1 or "
		  "\"min_cost\", got \"cheapest\"");
	set_fails("cost.alert=-1", "--set cost.alert: expected a number between 0 and 1e12, got -1");
	set_fails("cost.missed=inf", "--set cost.missed: expected a number between 0 and 1e12, "
		  "got \"inf\"");
	set_fails("alert_rate=0", "--set alert_rate: expected a number greater than 0 and at "
		  "most 1, got 0");
	set_fails("amount.column=", "--set amount.column: expected a column name, null or "
		  "false, got \"\"");
	set_fails("cost.alrt=1", "--set cost.alrt: unknown setting (did you mean cost.alert?)");
	set_fails("tune.objective=alerts", "--set tune.objective: expected accuracy|baseline|"
		  "precision|recall|specificity|f1|balanced_accuracy|mcc|roc_auc|pr_auc|log_loss|"
		  "brier|amount_caught|amount_missed|amount_recall|alert_rate|net_savings|cost|"
		  "precision_at_alert_rate|recall_at_alert_rate, got \"alerts\"");
}

static void test_names(void **state)
{
	(void)state;
	struct impute_spec sp = {0};
	assert_true(impute_parse("constant:", &sp));
	assert_int_equal(sp.strategy, IMPUTE_CONSTANT);
	assert_string_equal(sp.constant, "");
	free(sp.constant);
	assert_false(impute_parse("Mean", &sp));
	enum cmp_op op;
	assert_true(cmp_op_parse("!=", &op));
	assert_true(cmp_op_eval(op, 1, 2));
	assert_false(cmp_op_eval(OP_GT, 2, 2));
	assert_true(cmp_op_eval(OP_GE, 2, 2));
	assert_true(cmp_op_eval(OP_EQ, 0.5, 0.5));
	assert_false(cmp_op_parse("=>", &op));
	enum resample_method m;
	assert_true(resample_parse("undersample", &m));
	assert_int_equal(m, RESAMPLE_UNDER);
	assert_string_equal(resample_name(RESAMPLE_CLASS_WEIGHT), "class_weight");
	enum encoding e;
	assert_false(encoding_parse("one-hot", &e));
	assert_string_equal(criterion_name(CRIT_ENTROPY), "entropy");
}

/* Each vocabulary's name table is the one list: every name parses back to
 * its value, and the key table's documented values, the gate's help and
 * the man page list exactly those names, so adding a value without them
 * fails here instead of going stale. */
static const struct setting_key *key_named(const char *name)
{
	size_t n;
	const struct setting_key *k = settings_keys(&n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(k[i].key, name))
			return &k[i];
	fail_msg("no key %s", name);
	return NULL;
}

static void test_vocabularies(void **state)
{
	(void)state;
	char *man = NULL;
	const char *src = getenv("FT_SRCDIR");
	if (src) {
		struct ft_err err = {0};
		char *path = xasprintf("%s/man/fraudtree-pipeline.5", src);
		size_t len;
		man = file_read_all(path, &len, &err);
		free(path);
		if (!man)
			fail_msg("%s", err.msg);
	}
	struct strbuf rs = {0}, es = {0};
	for (int m = 0; m < RESAMPLE_COUNT; m++) {
		enum resample_method back;
		const char *name = resample_name((enum resample_method)m);
		assert_true(resample_parse(name, &back));
		assert_int_equal(back, m);
		sb_printf(&rs, "%s%s", m ? "|" : "", name);
		if (man && !strstr(man, name))
			fail_msg("fraudtree-pipeline(5) does not name resample.method %s", name);
	}
	assert_string_equal(resample_name(RESAMPLE_COUNT), "?");
	assert_string_equal(key_named("resample.method")->values, rs.data);
	for (int e = 0; e < ENC_COUNT; e++) {
		enum encoding back;
		const char *name = encoding_name((enum encoding)e);
		assert_true(encoding_parse(name, &back));
		assert_int_equal(back, e);
		sb_printf(&es, "%s%s", e ? "|" : "", name);
		if (man && !strstr(man, name))
			fail_msg("fraudtree-pipeline(5) does not name encoding %s", name);
	}
	assert_string_equal(key_named("encode.default")->values, es.data);
	struct strbuf cs = {0};
	for (int t = 0; t < TUNE_CCP_COUNT; t++) {
		enum tune_ccp back;
		const char *name = tune_ccp_name((enum tune_ccp)t);
		assert_true(tune_ccp_parse(name, &back));
		assert_int_equal(back, t);
		sb_printf(&cs, "%s%s", t ? "|" : "", name);
	}
	assert_string_equal(tune_ccp_name(TUNE_CCP_COUNT), "?");
	assert_string_equal(key_named("tune.ccp_alpha")->values, cs.data);
	if (man && !strstr(man, "tune.ccp_alpha \" (none or path"))
		fail_msg("fraudtree-pipeline(5) does not give tune.ccp_alpha's values");
	sb_free(&cs);
	sb_printf(&es, "|null");
	assert_string_equal(key_named("encode.columns.<name>")->values, es.data);
	struct strbuf ops = {0};
	sb_puts(&ops, "(op:");
	for (int op = 0; op < OP_COUNT; op++) {
		enum cmp_op back;
		const char *name = cmp_op_name((enum cmp_op)op);
		assert_true(cmp_op_parse(name, &back));
		assert_int_equal(back, op);
		sb_printf(&ops, " %s", name);
	}
	sb_puts(&ops, ")");
	if (!strstr(key_named("gate")->help, ops.data))
		fail_msg("the gate's help does not say %s", ops.data);
	assert_string_equal(cmp_op_name(OP_COUNT), "?");
	/* every name a gate or tune.objective accepts is in the reference;
	 * names are matched whole, with the man page's hyphens unescaped */
	for (const char *const *m = metrics_names(); man && *m; m++) {
		bool found = false;
		size_t n = strlen(*m);
		for (const char *at = strstr(man, *m); at && !found; at = strstr(at + 1, *m))
			found = (at == man || !(isalnum((unsigned char)at[-1]) || at[-1] == '_')) &&
				!(isalnum((unsigned char)at[n]) || at[n] == '_');
		if (!found)
			fail_msg("fraudtree-pipeline(5) does not name metric %s", *m);
	}
	sb_free(&ops);
	sb_free(&rs);
	sb_free(&es);
	free(man);
}

/* The shipped files agree with the code: the man page names every key,
 * the example pipeline loads and passes the cross-field checks. */
static void test_shipped_files(void **state)
{
	(void)state;
	const char *src = getenv("FT_SRCDIR");
	if (!src)
		skip();
	struct ft_err err = {0};
	char *path = xasprintf("%s/man/fraudtree-pipeline.5", src);
	size_t len;
	char *man = file_read_all(path, &len, &err);
	if (!man)
		fail_msg("%s", err.msg);
	size_t n;
	const struct setting_key *k = settings_keys(&n);
	for (size_t i = 0; i < n; i++) {
		/* keys appear as ".BR key" or, per column, ".BR prefix. \fIname\fR" */
		char *want = xstrdup(k[i].key);
		char *lt = strstr(want, "<name>");
		if (lt)
			*lt = '\0';
		char *line = xasprintf(".BR %s%s", want, lt ? " \\fIname\\fR" : " ");
		if (!strstr(man, line))
			fail_msg("%s does not document %s", path, k[i].key);
		free(line);
		free(want);
	}
	free(man);
	free(path);

	path = xasprintf("%s/data/pipeline.json", src);
	struct settings s;
	settings_init(&s);
	if (settings_load_file(&s, path, &err) != 0 || settings_validate(&s, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(s.target, "isFraud");
	assert_true(s.missing_indicators);
	assert_int_equal(s.ngate, 2);
	free(path);
	settings_free(&s);
}

/* The messages that list a vocabulary read its table: a method added to
 * the table is offered without anyone retyping a list. */
static void test_messages_list_the_tables(void **state)
{
	(void)state;
	struct settings s;
	settings_init(&s);
	struct ft_err err;
	assert_int_equal(settings_set(&s, "resample.method=sideways", &err), -1);
	for (int k = 0; k < RESAMPLE_COUNT; k++)
		if (!strstr(err.msg, resample_name((enum resample_method)k)))
			fail_msg("%s: does not offer %s", err.msg, resample_name((enum resample_method)k));
	assert_int_equal(settings_set(&s, "encode.default=binary", &err), -1);
	for (int k = 0; k < ENC_COUNT; k++)
		assert_non_null(strstr(err.msg, encoding_name((enum encoding)k)));
	assert_int_equal(settings_set(&s, "datetime.default=[\"week\"]", &err), -1);
	for (unsigned k = 0; k < DT_PART_COUNT; k++)
		assert_non_null(strstr(err.msg, datetime_part_name(k)));

	/* DT_PART_NAMES, the compile-time form for help texts, is the table */
	char joined[200] = "";
	for (unsigned k = 0; k < DT_PART_COUNT; k++) {
		strcat(joined, k ? "|" : "");
		strcat(joined, datetime_part_name(k));
		unsigned back;
		assert_true(datetime_part_parse(datetime_part_name(k), &back));
		assert_int_equal(back, k);
	}
	assert_string_equal(joined, DT_PART_NAMES("|"));
	joined[0] = '\0';
	for (int k = 0; k < RESAMPLE_COUNT; k++) {
		strcat(joined, k ? "|" : "");
		strcat(joined, resample_name((enum resample_method)k));
	}
	assert_string_equal(joined, RESAMPLE_NAMES("|"));
	for (int k = 0; k < IMPUTE_COUNT; k++) {
		enum impute_strategy st;
		assert_true(impute_strategy_parse(impute_name((enum impute_strategy)k), &st));
		assert_int_equal(st, k);
	}
	settings_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_key_table_matches_json),
		cmocka_unit_test(test_set_forms),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_messages_list_the_tables),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_money_keys),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_vocabularies),
		cmocka_unit_test(test_shipped_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
