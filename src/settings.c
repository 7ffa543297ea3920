/* settings: the pipeline settings, their defaults, and the two ways to
 * change them (a JSON pipeline file, `--set key=value`).
 *
 * Invariants: one key table (keys[] below) drives parsing, validation
 * messages, settings_to_json, completion and the man page. Every change
 * goes through apply_key(), so a file and --set accept the same values and
 * reject them with the same words. Per-column overrides are kept sorted by
 * column name so settings_to_json is deterministic and round-trips exactly.
 *
 * Why one file: the key table and apply_key are the one place every
 * setting is defined; cutting it would split a key from its check.
 */
#include "config.h"
#include "settings.h"
#include "json.h"
#include "metrics.h"
#include "registry_group.h"
#include "frame.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

enum key_id {
	KEY_TARGET, KEY_POSITIVE, KEY_NA_VALUES, KEY_DROP, KEY_DROP_SUGGESTED,
	KEY_MISSING_INDICATORS,
	KEY_IMPUTE_NUMERIC, KEY_IMPUTE_CATEGORICAL, KEY_IMPUTE_COLUMN,
	KEY_ENCODE_DEFAULT, KEY_ENCODE_COLUMN,
	KEY_DATETIME_DEFAULT, KEY_DATETIME_COLUMN, KEY_ORDINAL_COLUMN,
	KEY_SPLIT_TRAIN, KEY_SPLIT_VALIDATION, KEY_SPLIT_TEST, KEY_SPLIT_SEED,
	KEY_SPLIT_METHOD, KEY_SPLIT_TIME_COLUMN, KEY_SPLIT_GAP_DAYS,
	KEY_RESAMPLE_METHOD, KEY_RESAMPLE_RATIO,
	KEY_TREE_CRITERION, KEY_TREE_MAX_DEPTH, KEY_TREE_MIN_SAMPLES_SPLIT,
	KEY_TREE_MIN_SAMPLES_LEAF, KEY_TREE_MIN_IMPURITY_DECREASE,
	KEY_TREE_MAX_LEAF_NODES, KEY_TREE_CCP_ALPHA, KEY_TREE_MAX_BINS,
	KEY_TREE_THREADS,
	KEY_TUNE_MAX_DEPTH, KEY_TUNE_MIN_SAMPLES_SPLIT, KEY_TUNE_MIN_SAMPLES_LEAF,
	KEY_TUNE_OBJECTIVE, KEY_TUNE_CV, KEY_TUNE_CCP_ALPHA,
	KEY_THRESHOLD, KEY_THRESHOLD_ON, KEY_GATE, KEY_REGISTRY_GROUP,
	KEY_AMOUNT_COLUMN, KEY_COST_ALERT, KEY_COST_MISSED, KEY_COST_CAUGHT, KEY_ALERT_RATE,
	KEY_COUNT
};

/* Limits that reject absurd values early (a depth of 10^9 is a typo). */
#define MAX_DEPTH_LIMIT 1000
#define MAX_SAMPLES_LIMIT 1000000000L
#define MAX_SEED ((uint64_t)9007199254740991ULL)   /* exact in a JSON double */
#define MAX_LIST 1000

static const struct setting_key keys[KEY_COUNT] = {
	[KEY_TARGET] = {"target", "column name | null",
		"The label column; null guesses a binary column named like isFraud, Class or label."},
	[KEY_POSITIVE] = {"positive", "text | null",
		"The target value that means fraud; null detects 1, yes, true, fraud... (case-insensitive)."},
	[KEY_NA_VALUES] = {"na_values", "list of text",
		"Extra strings read as missing, added to the usual ones (\"\", NA, NaN, null, ...)."},
	[KEY_DROP] = {"drop", "list of column names", "Columns never used as features."},
	[KEY_DROP_SUGGESTED] = {"drop_suggested", "true|false",
		"Also drop ID-like, constant and all-missing columns."},
	[KEY_MISSING_INDICATORS] = {"missing_indicators", "true|false",
		"Add a <column>_missing feature for every column with missing training values."},
	[KEY_IMPUTE_NUMERIC] = {"impute.numeric", "mean|median|most_frequent|constant:VALUE",
		"How missing numeric values are filled (fitted on the training split)."},
	[KEY_IMPUTE_CATEGORICAL] = {"impute.categorical", "most_frequent|constant:VALUE",
		"How missing categorical values are filled."},
	[KEY_IMPUTE_COLUMN] = {"impute.columns.<name>", "mean|median|most_frequent|constant:VALUE|null",
		"Imputation for one column, overriding the default; null removes the override."},
	[KEY_ENCODE_DEFAULT] = {"encode.default", "onehot|frequency|ordinal",
		"How categorical columns become numbers; one-hot falls back to frequency above 64 levels."},
	[KEY_ENCODE_COLUMN] = {"encode.columns.<name>", "onehot|frequency|ordinal|null",
		"Encoding for one categorical column."},
	[KEY_DATETIME_DEFAULT] = {"datetime.default", "list of " DT_PART_NAMES("|"),
		"Parts extracted from datetime columns (UTC; day_of_week 0 = Monday)."},
	[KEY_DATETIME_COLUMN] = {"datetime.columns.<name>", "list of " DT_PART_NAMES("|") "|null",
		"Parts extracted from one datetime column."},
	[KEY_ORDINAL_COLUMN] = {"ordinal.columns.<name>", "list of text|null",
		"Levels of one ordinal-encoded column, lowest first (default: natural, else by text)."},
	[KEY_SPLIT_TRAIN] = {"split.train", "number in [0, 1]",
		"Share of each class used for training; the three shares sum to 1."},
	[KEY_SPLIT_VALIDATION] = {"split.validation", "number in [0, 1]",
		"Share of each class used to choose tuned parameters."},
	[KEY_SPLIT_TEST] = {"split.test", "number in [0, 1]",
		"Share of each class held out for the final evaluation and the gate."},
	[KEY_SPLIT_SEED] = {"split.seed", "integer >= 0",
		"Seed of the split, resampling and every other random choice."},
	[KEY_SPLIT_METHOD] = {"split.method", "stratified|time",
		"stratified: at random within each class; time: train earliest, then validation, then test."},
	[KEY_SPLIT_TIME_COLUMN] = {"split.time_column", "column name | null",
		"The time a time split orders rows by; null takes the first datetime column."},
	[KEY_SPLIT_GAP_DAYS] = {"split.gap_days", "number >= 0",
		"In a time split, rows within this many days after a split's last row are left out."},
	[KEY_RESAMPLE_METHOD] = {"resample.method", RESAMPLE_NAMES("|"),
		"How the training split is rebalanced; validation and test are never touched."},
	[KEY_RESAMPLE_RATIO] = {"resample.ratio", "number in (0, 1]",
		"Minority/majority ratio after resampling (class_weight: weight ratio target)."},
	[KEY_TREE_CRITERION] = {"tree.criterion", "gini|entropy", "Split quality measure."},
	[KEY_TREE_MAX_DEPTH] = {"tree.max_depth", "integer 0..1000",
		"Deepest level a leaf may sit at; 0 means unlimited."},
	[KEY_TREE_MIN_SAMPLES_SPLIT] = {"tree.min_samples_split", "integer >= 2",
		"A node needs at least this many samples to be split."},
	[KEY_TREE_MIN_SAMPLES_LEAF] = {"tree.min_samples_leaf", "integer >= 1",
		"Every leaf keeps at least this many samples."},
	[KEY_TREE_MIN_IMPURITY_DECREASE] = {"tree.min_impurity_decrease", "number in [0, 1]",
		"A split must lower the weighted impurity by at least this much."},
	[KEY_TREE_MAX_LEAF_NODES] = {"tree.max_leaf_nodes", "0 or integer 2..67108864",
		"Grow best-first up to this many leaves; 0 means unlimited."},
	[KEY_TREE_CCP_ALPHA] = {"tree.ccp_alpha", "number in [0, 1]",
		"Minimal cost-complexity pruning strength; 0 keeps the full tree."},
	[KEY_TREE_MAX_BINS] = {"tree.max_bins", "0 or integer 2..65535",
		"Split candidates per feature: 0 = exact on small data, else quantile bins."},
	[KEY_TREE_THREADS] = {"tree.threads", "integer 0.." FT_STR(FT_THREADS_MAX),
		"Worker threads for training; 0 uses every core."},
	[KEY_TUNE_MAX_DEPTH] = {"tune.max_depth", "list of integers 0..1000",
		"Grid search values for tree.max_depth; empty means not tuned."},
	[KEY_TUNE_MIN_SAMPLES_SPLIT] = {"tune.min_samples_split", "list of integers >= 2",
		"Grid search values for tree.min_samples_split."},
	[KEY_TUNE_MIN_SAMPLES_LEAF] = {"tune.min_samples_leaf", "list of integers >= 1",
		"Grid search values for tree.min_samples_leaf."},
	[KEY_TUNE_OBJECTIVE] = {"tune.objective",
		"accuracy|baseline|precision|recall|specificity|f1|balanced_accuracy|mcc|roc_auc|pr_auc|log_loss|brier|"
		"amount_caught|amount_missed|amount_recall|alert_rate|net_savings|cost|"
		"precision_at_alert_rate|recall_at_alert_rate",
		"Validation metric the grid search maximises (log_loss, brier, cost, amount_missed and alert_rate are minimised)."},
	[KEY_TUNE_CV] = {"tune.cv", "0 or integer 2..100",
		"Stratified k-fold cross-validation on train+validation for each grid point; 0 scores on the validation split."},
	[KEY_TUNE_CCP_ALPHA] = {"tune.ccp_alpha", "none|path",
		"path: score every alpha of the pruning path (tune.cv folds, else validation) "
		"and set tree.ccp_alpha to the largest within one standard error of the best."},
	[KEY_THRESHOLD] = {"threshold", "number in [0, 1] | min_cost",
		"A row is flagged as fraud when its leaf's score (or probability, see threshold_on) is at least this; "
		"min_cost picks the least costly threshold on validation."},
	[KEY_THRESHOLD_ON] = {"threshold_on", "score|probability",
		"What the threshold reads: the leaf's score (its fraud share in the resampled rows) or its probability (corrected to the real class prior)."},
	[KEY_GATE] = {"gate", "list of {metric, op, value}",
		"Conditions on test metrics a model must meet to be registered (op: >= > <= < == !=)."},
	[KEY_REGISTRY_GROUP] = {"registry.group", "name matching [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
		"Model group the registered versions belong to."},
	[KEY_AMOUNT_COLUMN] = {"amount.column", "column name | null | false",
		"Numeric column holding each transaction's amount; null guesses one named like "
		"amount, amt or TransactionAmt; false: none, every fraud counts 1."},
	[KEY_COST_ALERT] = {"cost.alert", "number in [0, 1e12]",
		"Cost of reviewing one alert (a flagged row), in the amount's unit."},
	[KEY_COST_MISSED] = {"cost.missed", "number in [0, 1e12]",
		"Share of a missed fraud's amount that is lost (1: all of it)."},
	[KEY_COST_CAUGHT] = {"cost.caught", "number in [0, 1e12]",
		"Share of a caught fraud's amount still lost (0: none of it)."},
	[KEY_ALERT_RATE] = {"alert_rate", "number in (0, 1]",
		"Review capacity: share of rows, highest scores first, that precision_at_alert_rate "
		"and recall_at_alert_rate look at."},
};

/* Namespaces: JSON objects whose members are keys. */
static const char *const namespaces[] = {
	"impute", "encode", "datetime", "split", "resample", "tree", "tune",
	"registry", "amount", "cost", "impute.columns", "encode.columns", "datetime.columns",
	"ordinal", "ordinal.columns",
};

/* Confusion-matrix cells, the baseline test and the alert count: gate
 * metrics, but not tuning objectives. */
static const char *const count_names[] = {
	"tp", "fp", "tn", "fn", "baseline_p_value", "alerts"
};

static const char *const dt_part_names[DT_PART_COUNT] = {
	"hour", "day_of_week", "day", "month"
};

const char *datetime_part_name(unsigned k)
{
	return k < DT_PART_COUNT ? dt_part_names[k] : "?";
}

bool datetime_part_parse(const char *s, unsigned *k)
{
	for (unsigned i = 0; i < DT_PART_COUNT; i++)
		if (strcmp(s, dt_part_names[i]) == 0) {
			*k = i;
			return true;
		}
	return false;
}

/* ---------------------------------------------------------------- names */

static const char *const impute_names[IMPUTE_COUNT] = {
	[IMPUTE_MEAN] = "mean", [IMPUTE_MEDIAN] = "median",
	[IMPUTE_MOST_FREQUENT] = "most_frequent", [IMPUTE_CONSTANT] = "constant",
};

const char *impute_name(enum impute_strategy s)
{
	return (unsigned)s < IMPUTE_COUNT ? impute_names[s] : "?";
}

const char *const *impute_names_table(void)
{
	return impute_names;
}

bool impute_strategy_parse(const char *s, enum impute_strategy *out)
{
	for (int k = 0; k < IMPUTE_COUNT; k++)
		if (strcmp(s, impute_names[k]) == 0) {
			*out = (enum impute_strategy)k;
			return true;
		}
	return false;
}

static const char *const encoding_names[ENC_COUNT] = {
	[ENC_ONEHOT] = "onehot", [ENC_FREQUENCY] = "frequency", [ENC_ORDINAL] = "ordinal",
};

const char *const *encoding_names_table(void)
{
	return encoding_names;
}

const char *encoding_name(enum encoding e)
{
	return (unsigned)e < ENC_COUNT ? encoding_names[e] : "?";
}

static const char *const resample_names[RESAMPLE_COUNT] = {
	[RESAMPLE_NONE] = "none", [RESAMPLE_UNDER] = "undersample",
	[RESAMPLE_OVER] = "oversample", [RESAMPLE_SMOTE] = "smote",
	[RESAMPLE_CLASS_WEIGHT] = "class_weight",
};

const char *const *resample_names_table(void)
{
	return resample_names;
}

const char *resample_name(enum resample_method m)
{
	return (unsigned)m < RESAMPLE_COUNT ? resample_names[m] : "?";
}

static const char *const split_method_names[SPLIT_METHOD_COUNT] = {
	[SPLIT_STRATIFIED] = "stratified", [SPLIT_TIME] = "time",
};

const char *split_method_name(enum split_method m)
{
	return (unsigned)m < SPLIT_METHOD_COUNT ? split_method_names[m] : "?";
}

bool split_method_parse(const char *s, enum split_method *out)
{
	for (int m = 0; m < SPLIT_METHOD_COUNT; m++) {
		if (strcmp(s, split_method_names[m]) == 0) {
			*out = (enum split_method)m;
			return true;
		}
	}
	return false;
}

static const char *const threshold_on_names[THRESHOLD_ON_COUNT] = {
	[THRESHOLD_ON_SCORE] = "score", [THRESHOLD_ON_PROBABILITY] = "probability",
};

const char *threshold_on_name(enum threshold_on t)
{
	return (unsigned)t < THRESHOLD_ON_COUNT ? threshold_on_names[t] : "?";
}

bool threshold_on_parse(const char *s, enum threshold_on *out)
{
	for (int t = 0; t < THRESHOLD_ON_COUNT; t++) {
		if (strcmp(s, threshold_on_names[t]) == 0) {
			*out = (enum threshold_on)t;
			return true;
		}
	}
	return false;
}

static const char *const tune_ccp_names[TUNE_CCP_COUNT] = {
	[TUNE_CCP_NONE] = "none", [TUNE_CCP_PATH] = "path",
};

const char *tune_ccp_name(enum tune_ccp t)
{
	return (unsigned)t < TUNE_CCP_COUNT ? tune_ccp_names[t] : "?";
}

bool tune_ccp_parse(const char *s, enum tune_ccp *out)
{
	for (int t = 0; t < TUNE_CCP_COUNT; t++) {
		if (strcmp(s, tune_ccp_names[t]) == 0) {
			*out = (enum tune_ccp)t;
			return true;
		}
	}
	return false;
}

const char *criterion_name(enum criterion c)
{
	return c == CRIT_ENTROPY ? "entropy" : "gini";
}

bool impute_parse(const char *s, struct impute_spec *out)
{
	static const enum impute_strategy plain[] = {
		IMPUTE_MEAN, IMPUTE_MEDIAN, IMPUTE_MOST_FREQUENT
	};
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		if (strcmp(s, impute_name(plain[i])) == 0) {
			out->strategy = plain[i];
			out->constant = NULL;
			return true;
		}
	}
	if (strncmp(s, "constant:", 9) == 0) {
		out->strategy = IMPUTE_CONSTANT;
		out->constant = xstrdup(s + 9);
		return true;
	}
	return false;
}

bool encoding_parse(const char *s, enum encoding *out)
{
	for (int e = 0; e < ENC_COUNT; e++) {
		if (strcmp(s, encoding_names[e]) == 0) {
			*out = (enum encoding)e;
			return true;
		}
	}
	return false;
}

bool resample_parse(const char *s, enum resample_method *out)
{
	for (int m = 0; m < RESAMPLE_COUNT; m++) {
		if (strcmp(s, resample_names[m]) == 0) {
			*out = (enum resample_method)m;
			return true;
		}
	}
	return false;
}

const struct setting_key *settings_keys(size_t *n)
{
	*n = KEY_COUNT;
	return keys;
}

static bool name_in(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

#define NAME_IN(s, list) name_in((s), (list), sizeof (list) / sizeof (list)[0])

/* ------------------------------------------------------- init and free */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **strv_dup(char *const *v, size_t n)
{
	if (n == 0)
		return NULL;
	char **out = xcalloc(n, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void gate_free(struct gate_condition *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].metric);
	free(g);
}

static void columns_free(struct column_setting *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].impute.constant);
		strv_free(c[i].ordinal, c[i].nordinal);
	}
	free(c);
}

void settings_init(struct settings *s)
{
	memset(s, 0, sizeof *s);
	s->drop_suggested = true;
	s->missing_indicators = false;
	s->impute_numeric.strategy = IMPUTE_MEDIAN;
	s->impute_categorical.strategy = IMPUTE_MOST_FREQUENT;
	s->encode_default = ENC_ONEHOT;
	s->datetime_default = DT_HOUR | DT_DAY_OF_WEEK;
	s->split_train = 0.6;
	s->split_validation = 0.2;
	s->split_test = 0.2;
	s->split_seed = 42;
	s->resample = RESAMPLE_NONE;
	s->resample_ratio = 1.0;
	s->tree.criterion = CRIT_GINI;
	s->tree.max_depth = 8;
	s->tree.min_samples_split = 2;
	s->tree.min_samples_leaf = 1;
	s->tree.min_impurity_decrease = 0;
	s->tree.max_leaf_nodes = 0;
	s->tree.ccp_alpha = 0;
	s->tree.max_bins = 0;
	s->tree.threads = 0;
	s->tune_objective = xstrdup("balanced_accuracy");
	s->threshold = 0.5;
	s->threshold_min_cost = false;
	s->cost.alert = 0;
	s->cost.missed = 1;
	s->cost.caught = 0;
	s->alert_rate = 0.01;
	s->ngate = 1;
	s->gate = xcalloc(1, sizeof *s->gate);
	s->gate[0].metric = xstrdup("accuracy");
	s->gate[0].op = OP_GE;
	s->gate[0].value = 0.85;
	s->group = xstrdup(REGISTRY_GROUP_DEFAULT);
}

void settings_free(struct settings *s)
{
	if (!s)
		return;
	free(s->target);
	free(s->positive);
	free(s->split_time_column);
	strv_free(s->na_values, s->nna_values);
	strv_free(s->drop, s->ndrop);
	free(s->impute_numeric.constant);
	free(s->impute_categorical.constant);
	columns_free(s->columns, s->ncolumns);
	free(s->tune_max_depth.v);
	free(s->tune_min_samples_split.v);
	free(s->tune_min_samples_leaf.v);
	free(s->tune_objective);
	gate_free(s->gate, s->ngate);
	free(s->group);
	free(s->amount_column);
	memset(s, 0, sizeof *s);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void int_list_copy(struct int_list *dst, const struct int_list *src)
{
	dst->n = src->n;
	dst->v = NULL;
	if (src->n) {
		dst->v = xcalloc(src->n, sizeof *dst->v);
		memcpy(dst->v, src->v, src->n * sizeof *dst->v);
	}
}

void settings_copy(struct settings *dst, const struct settings *src)
{
	*dst = *src;
	dst->target = dup_or_null(src->target);
	dst->split_time_column = dup_or_null(src->split_time_column);
	dst->positive = dup_or_null(src->positive);
	dst->na_values = strv_dup(src->na_values, src->nna_values);
	dst->drop = strv_dup(src->drop, src->ndrop);
	dst->impute_numeric.constant = dup_or_null(src->impute_numeric.constant);
	dst->impute_categorical.constant = dup_or_null(src->impute_categorical.constant);
	dst->columns = NULL;
	if (src->ncolumns) {
		dst->columns = xcalloc(src->ncolumns, sizeof *dst->columns);
		for (size_t i = 0; i < src->ncolumns; i++) {
			dst->columns[i] = src->columns[i];
			dst->columns[i].name = xstrdup(src->columns[i].name);
			dst->columns[i].impute.constant =
				dup_or_null(src->columns[i].impute.constant);
			dst->columns[i].ordinal = strv_dup(src->columns[i].ordinal,
							   src->columns[i].nordinal);
		}
	}
	int_list_copy(&dst->tune_max_depth, &src->tune_max_depth);
	int_list_copy(&dst->tune_min_samples_split, &src->tune_min_samples_split);
	int_list_copy(&dst->tune_min_samples_leaf, &src->tune_min_samples_leaf);
	dst->tune_objective = dup_or_null(src->tune_objective);
	dst->gate = NULL;
	if (src->ngate) {
		dst->gate = xcalloc(src->ngate, sizeof *dst->gate);
		for (size_t i = 0; i < src->ngate; i++) {
			dst->gate[i] = src->gate[i];
			dst->gate[i].metric = xstrdup(src->gate[i].metric);
		}
	}
	dst->group = dup_or_null(src->group);
	dst->amount_column = dup_or_null(src->amount_column);
}

/* ----------------------------------------------------- column overrides */

static size_t column_lower_bound(const struct settings *s, const char *name, bool *found)
{
	size_t lo = 0, hi = s->ncolumns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->columns[mid].name, name);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->ncolumns && strcmp(s->columns[lo].name, name) == 0;
	return lo;
}

const struct column_setting *settings_column(const struct settings *s, const char *name)
{
	bool found;
	size_t i = column_lower_bound(s, name, &found);
	return found ? &s->columns[i] : NULL;
}

struct column_setting *settings_column_mut(struct settings *s, const char *name)
{
	bool found;
	size_t i = column_lower_bound(s, name, &found);
	if (found)
		return &s->columns[i];
	s->columns = xreallocarray(s->columns, s->ncolumns + 1, sizeof *s->columns);
	memmove(&s->columns[i + 1], &s->columns[i], (s->ncolumns - i) * sizeof *s->columns);
	s->ncolumns++;
	memset(&s->columns[i], 0, sizeof s->columns[i]);
	s->columns[i].name = xstrdup(name);
	return &s->columns[i];
}

/* An override whose last flag was cleared is removed, so that a file that
 * sets and then unsets a column prints the same as one that never set it. */
static void column_prune(struct settings *s, const char *name)
{
	bool found;
	size_t i = column_lower_bound(s, name, &found);
	if (!found)
		return;
	struct column_setting *c = &s->columns[i];
	if (c->has_impute || c->has_encode || c->has_datetime || c->has_ordinal)
		return;
	free(c->name);
	free(c->impute.constant);
	strv_free(c->ordinal, c->nordinal);
	memmove(c, c + 1, (s->ncolumns - i - 1) * sizeof *c);
	s->ncolumns--;
}

bool settings_is_dropped(const struct settings *s, const char *name)
{
	for (size_t i = 0; i < s->ndrop; i++)
		if (strcmp(s->drop[i], name) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------- value checking */

/* What a failed check of a value says: "expected X, got V" (json.c's
 * reader, echoing the value the user gave); the caller puts the origin and
 * the key in front. */
struct why {
	struct ft_err err;
	struct json_reader r;
};

static void why_init(struct why *w)
{
	memset(w, 0, sizeof *w);
	w->r.err = &w->err;
	w->r.echo = true;
}

static int bad(struct why *w, const cJSON *v, const char *expected)
{
	return json_expected(&w->r, NULL, v, expected);
}

static int get_impute(const cJSON *v, bool numeric_only, bool categorical,
		      const char *expected, struct why *w, struct impute_spec *out)
{
	const char *s;
	if (!(s = json_string(&w->r, NULL, v, expected)))
		return -1;
	struct impute_spec spec;
	if (!impute_parse(s, &spec))
		return bad(w, v, expected);
	if (categorical && (spec.strategy == IMPUTE_MEAN || spec.strategy == IMPUTE_MEDIAN))
		return bad(w, v, expected);
	if (numeric_only && spec.strategy == IMPUTE_CONSTANT) {
		char *end;
		errno = 0;
		double d = strtod(spec.constant, &end);
		if (!spec.constant[0] || *end || errno || !isfinite(d)) {
			free(spec.constant);
			return bad(w, v, "constant:NUMBER for numeric columns");
		}
	}
	free(out->constant);
	*out = spec;
	return 0;
}

static int get_encoding(const cJSON *v, const char *expected, struct why *w, enum encoding *out)
{
	const char *s;
	if (!(s = json_string(&w->r, NULL, v, expected)))
		return -1;
	if (!encoding_parse(s, out))
		return bad(w, v, expected);
	return 0;
}

static int get_parts(const cJSON *v, const char *expected, struct why *w, unsigned *out)
{
	if (!cJSON_IsArray(v))
		return bad(w, v, expected);
	unsigned parts = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		unsigned i;
		if (!cJSON_IsString(e) || !datetime_part_parse(e->valuestring, &i))
			return bad(w, e, "one of " DT_PART_NAMES(", "));
		parts |= 1u << i;
	}
	*out = parts;
	return 0;
}

/* A list setting, replacing the one before. */
static int get_string_list(const cJSON *v, struct why *w, char ***out, size_t *n)
{
	char **list;
	size_t count;
	if (json_strings(&w->r, NULL, v, 100000, NULL, "a string", &list, &count) < 0)
		return -1;
	strv_free(*out, *n);
	*out = list;
	*n = count;
	return 0;
}

static int get_int_list(const cJSON *v, long lo, long hi, const char *expected,
			struct why *w, struct int_list *out)
{
	if (!cJSON_IsArray(v))
		return bad(w, v, "a list of integers");
	int count = cJSON_GetArraySize(v);
	if (count > MAX_LIST)
		return bad(w, v, "at most 1000 values");
	long *vals = count ? xcalloc((size_t)count, sizeof *vals) : NULL;
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		int64_t x;
		if (json_integer(&w->r, NULL, e, lo, hi, expected, expected, &x) < 0) {
			free(vals);
			return -1;
		}
		vals[i++] = (long)x;
	}
	free(out->v);
	out->v = vals;
	out->n = i;
	return 0;
}

/* The metrics module owns the list of names; counts_ok admits tp/fp/tn/fn,
 * baseline_p_value and the interval parts ("recall.lower"). */
static bool metric_known(const char *m, bool counts_ok)
{
	if (counts_ok)
		return metrics_name_known(m);
	if (NAME_IN(m, count_names))
		return false;
	for (const char *const *n = metrics_names(); *n; n++)
		if (!strcmp(*n, m))
			return true;
	return false;
}

static int get_gate(const cJSON *v, struct why *w, struct settings *s)
{
	static const char expected[] = "a list of {\"metric\": NAME, \"op\": \">=\", \"value\": NUMBER}";
	if (!cJSON_IsArray(v))
		return bad(w, v, expected);
	int count = cJSON_GetArraySize(v);
	if (count > MAX_LIST)
		return bad(w, v, "at most 1000 conditions");
	struct gate_condition *g = count ? xcalloc((size_t)count, sizeof *g) : NULL;
	size_t n = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "metric");
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(e, "op");
		const cJSON *val = cJSON_GetObjectItemCaseSensitive(e, "value");
		int members = cJSON_IsObject(e) ? cJSON_GetArraySize(e) : 0;
		if (!cJSON_IsObject(e) || !cJSON_IsString(m) || !cJSON_IsString(op) ||
		    !cJSON_IsNumber(val) || members != 3) {
			gate_free(g, n);
			return bad(w, e, expected);
		}
		if (!metric_known(m->valuestring, true)) {
			gate_free(g, n);
			struct strbuf known = { 0 };
			for (const char *const *k = metrics_names(); *k; k++)
				sb_printf(&known, "%s%s", k == metrics_names() ? "" : ", ", *k);
			char *expected_name = xasprintf("a metric name (%s; all but the counts, "
							"baseline_p_value and the amount figures also "
							"with .lower, .upper or .standard_deviation)",
							known.data);
			sb_free(&known);
			int rc = bad(w, m, expected_name);
			free(expected_name);
			return rc;
		}
		if (!cmp_op_parse(op->valuestring, &g[n].op)) {
			gate_free(g, n);
			struct strbuf ops = { 0 };
			for (int k = 0; k < OP_COUNT; k++)
				sb_printf(&ops, "%s%s", k ? ", " : "one of ", cmp_op_name((enum cmp_op)k));
			int rc = bad(w, op, ops.data);
			sb_free(&ops);
			return rc;
		}
		if (!isfinite(val->valuedouble)) {
			gate_free(g, n);
			return bad(w, val, "a finite number");
		}
		g[n].metric = xstrdup(m->valuestring);
		g[n].value = val->valuedouble;
		n++;
	}
	gate_free(s->gate, s->ngate);
	s->gate = g;
	s->ngate = n;
	return 0;
}

/* Set one key from a JSON value. `column` is the <name> of a per-column
 * key. On failure w says what was expected and what was given. */
static int apply_key(struct settings *s, enum key_id id, const char *column,
		     const cJSON *v, struct why *w)
{
	const char *str;
	int64_t l;
	char names[200];   /* a vocabulary's names, for a message */
	double d;
	struct column_setting *c;

	switch (id) {
	case KEY_TARGET:
	case KEY_POSITIVE: {
		char **field = id == KEY_TARGET ? &s->target : &s->positive;
		if (cJSON_IsNull(v)) {
			free(*field);
			*field = NULL;
			return 0;
		}
		if (!(str = json_string(&w->r, NULL, v, id == KEY_TARGET ? "a column name or null" :
					"a text or null")))
			return -1;
		if (!str[0])
			return bad(w, v, id == KEY_TARGET ? "a column name or null" : "a text or null");
		free(*field);
		*field = xstrdup(str);
		return 0;
	}
	case KEY_NA_VALUES:
		return get_string_list(v, w, &s->na_values, &s->nna_values);
	case KEY_DROP:
		return get_string_list(v, w, &s->drop, &s->ndrop);
	case KEY_DROP_SUGGESTED:
		return json_bool(&w->r, NULL, v, &s->drop_suggested);
	case KEY_MISSING_INDICATORS:
		return json_bool(&w->r, NULL, v, &s->missing_indicators);
	case KEY_IMPUTE_NUMERIC:
		return get_impute(v, true, false, "mean, median, most_frequent or constant:NUMBER",
				  w, &s->impute_numeric);
	case KEY_IMPUTE_CATEGORICAL:
		return get_impute(v, false, true, "most_frequent or constant:VALUE",
				  w, &s->impute_categorical);
	case KEY_IMPUTE_COLUMN:
		if (cJSON_IsNull(v)) {
			if ((c = (struct column_setting *)settings_column(s, column))) {
				c->has_impute = false;
				free(c->impute.constant);
				c->impute.constant = NULL;
				column_prune(s, column);
			}
			return 0;
		} else {
			struct impute_spec spec = {0};
			if (get_impute(v, false, false,
				       "mean, median, most_frequent, constant:VALUE or null",
				       w, &spec) < 0)
				return -1;
			c = settings_column_mut(s, column);
			free(c->impute.constant);
			c->impute = spec;
			c->has_impute = true;
			return 0;
		}
	case KEY_ENCODE_DEFAULT:
		return get_encoding(v, ft_names_text(names, sizeof names, encoding_names, ENC_COUNT,
						     NULL), w, &s->encode_default);
	case KEY_ENCODE_COLUMN:
		if (cJSON_IsNull(v)) {
			if ((c = (struct column_setting *)settings_column(s, column))) {
				c->has_encode = false;
				column_prune(s, column);
			}
			return 0;
		} else {
			enum encoding e;
			if (get_encoding(v, ft_names_text(names, sizeof names, encoding_names, ENC_COUNT,
							  "null"), w, &e) < 0)
				return -1;
			c = settings_column_mut(s, column);
			c->encode = e;
			c->has_encode = true;
			return 0;
		}
	case KEY_DATETIME_DEFAULT:
		return get_parts(v, "a list of " DT_PART_NAMES(", "), w,
				 &s->datetime_default);
	case KEY_DATETIME_COLUMN:
		if (cJSON_IsNull(v)) {
			if ((c = (struct column_setting *)settings_column(s, column))) {
				c->has_datetime = false;
				c->datetime_parts = 0;
				column_prune(s, column);
			}
			return 0;
		} else {
			unsigned parts;
			if (get_parts(v, "a list of " DT_PART_NAMES(", ") ", or null",
				      w, &parts) < 0)
				return -1;
			c = settings_column_mut(s, column);
			c->datetime_parts = parts;
			c->has_datetime = true;
			return 0;
		}
	case KEY_ORDINAL_COLUMN:
		if (cJSON_IsNull(v)) {
			if ((c = (struct column_setting *)settings_column(s, column))) {
				c->has_ordinal = false;
				strv_free(c->ordinal, c->nordinal);
				c->ordinal = NULL;
				c->nordinal = 0;
				column_prune(s, column);
			}
			return 0;
		} else {
			char **list = NULL;
			size_t n = 0;
			if (get_string_list(v, w, &list, &n) < 0)
				return -1;
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < i; j++)
					if (strcmp(list[i], list[j]) == 0) {
						strv_free(list, n);
						return bad(w, v, "a list of distinct levels");
					}
			if (n == 0) {
				strv_free(list, n);
				return bad(w, v, "a list of the levels, lowest first (or null)");
			}
			c = settings_column_mut(s, column);
			strv_free(c->ordinal, c->nordinal);
			c->ordinal = list;
			c->nordinal = n;
			c->has_ordinal = true;
			return 0;
		}
	case KEY_SPLIT_TRAIN:
	case KEY_SPLIT_VALIDATION:
	case KEY_SPLIT_TEST:
		if (json_number(&w->r, NULL, v, 0, 1, 0, "a number between 0 and 1", &d) < 0)
			return -1;
		*(id == KEY_SPLIT_TRAIN ? &s->split_train :
		  id == KEY_SPLIT_VALIDATION ? &s->split_validation : &s->split_test) = d;
		return 0;
	case KEY_SPLIT_SEED:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
		    v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 ||
		    v->valuedouble > (double)MAX_SEED)
			return bad(w, v, "an integer between 0 and 9007199254740991");
		s->split_seed = (uint64_t)v->valuedouble;
		return 0;
	case KEY_RESAMPLE_METHOD:
		ft_names_text(names, sizeof names, resample_names, RESAMPLE_COUNT, NULL);
		if (!(str = json_string(&w->r, NULL, v, names)))
			return -1;
		if (!resample_parse(str, &s->resample))
			return bad(w, v, names);
		return 0;
	case KEY_SPLIT_METHOD:
		if (!(str = json_string(&w->r, NULL, v, "stratified or time")))
			return -1;
		if (!split_method_parse(str, &s->split_method))
			return bad(w, v, "stratified or time");
		return 0;
	case KEY_SPLIT_TIME_COLUMN:
		if (cJSON_IsNull(v)) {
			free(s->split_time_column);
			s->split_time_column = NULL;
			return 0;
		}
		if (!(str = json_string(&w->r, NULL, v, "a column name or null")))
			return -1;
		if (!str[0])
			return bad(w, v, "a column name or null");
		free(s->split_time_column);
		s->split_time_column = xstrdup(str);
		return 0;
	case KEY_SPLIT_GAP_DAYS:
		return json_number(&w->r, NULL, v, 0, 36500, 0, "a number of days between 0 and 36500", &s->split_gap_days);
	case KEY_THRESHOLD_ON:
		if (!(str = json_string(&w->r, NULL, v, "score or probability")))
			return -1;
		if (!threshold_on_parse(str, &s->threshold_on))
			return bad(w, v, "score or probability");
		return 0;
	case KEY_RESAMPLE_RATIO:
		return json_number(&w->r, NULL, v, 0, 1, JSON_LO_OPEN, "a number greater than 0 and at most 1", &s->resample_ratio);
	case KEY_TREE_CRITERION:
		if (!(str = json_string(&w->r, NULL, v, "gini or entropy")))
			return -1;
		if (strcmp(str, "gini") == 0)
			s->tree.criterion = CRIT_GINI;
		else if (strcmp(str, "entropy") == 0)
			s->tree.criterion = CRIT_ENTROPY;
		else
			return bad(w, v, "gini or entropy");
		return 0;
	case KEY_TREE_MAX_DEPTH:
		if (json_integer(&w->r, NULL, v, 0, MAX_DEPTH_LIMIT, "an integer between 0 and 1000", "an integer between 0 and 1000", &l) < 0)
			return -1;
		s->tree.max_depth = (int)l;
		return 0;
	case KEY_TREE_MIN_SAMPLES_SPLIT:
		if (json_integer(&w->r, NULL, v, 2, MAX_SAMPLES_LIMIT, "an integer between 2 and 1000000000", "an integer between 2 and 1000000000", &l) < 0)
			return -1;
		s->tree.min_samples_split = (size_t)l;
		return 0;
	case KEY_TREE_MIN_SAMPLES_LEAF:
		if (json_integer(&w->r, NULL, v, 1, MAX_SAMPLES_LIMIT, "an integer between 1 and 1000000000", "an integer between 1 and 1000000000", &l) < 0)
			return -1;
		s->tree.min_samples_leaf = (size_t)l;
		return 0;
	case KEY_TREE_MIN_IMPURITY_DECREASE:
		return json_number(&w->r, NULL, v, 0, 1, 0, "a number between 0 and 1", &s->tree.min_impurity_decrease);
	case KEY_TREE_MAX_LEAF_NODES:
		if (json_integer(&w->r, NULL, v, 0, TREE_MAX_NODES, "0 (unlimited) or an integer between 2 and 67108864", "0 (unlimited) or an integer between 2 and 67108864", &l) < 0)
			return -1;
		if (l == 1)
			return bad(w, v, "0 (unlimited) or an integer between 2 and 67108864");
		s->tree.max_leaf_nodes = (size_t)l;
		return 0;
	case KEY_TREE_CCP_ALPHA:
		return json_number(&w->r, NULL, v, 0, 1, 0, "a number between 0 and 1", &s->tree.ccp_alpha);
	case KEY_TREE_MAX_BINS:
		if (json_integer(&w->r, NULL, v, 0, 65535, "0 (automatic) or an integer between 2 and 65535", "0 (automatic) or an integer between 2 and 65535", &l) < 0)
			return -1;
		if (l == 1)
			return bad(w, v, "0 (automatic) or an integer between 2 and 65535");
		s->tree.max_bins = (int)l;
		return 0;
	case KEY_TREE_THREADS:
		if (json_integer(&w->r, NULL, v, 0, FT_THREADS_MAX, "an integer between 0 and " FT_STR(FT_THREADS_MAX), "an integer between 0 and " FT_STR(FT_THREADS_MAX), &l) < 0)
			return -1;
		s->tree.threads = (int)l;
		return 0;
	case KEY_TUNE_MAX_DEPTH:
		return get_int_list(v, 0, MAX_DEPTH_LIMIT, "an integer between 0 and 1000", w,
				    &s->tune_max_depth);
	case KEY_TUNE_MIN_SAMPLES_SPLIT:
		return get_int_list(v, 2, MAX_SAMPLES_LIMIT, "an integer between 2 and 1000000000",
				    w, &s->tune_min_samples_split);
	case KEY_TUNE_MIN_SAMPLES_LEAF:
		return get_int_list(v, 1, MAX_SAMPLES_LIMIT, "an integer between 1 and 1000000000",
				    w, &s->tune_min_samples_leaf);
	case KEY_TUNE_CV:
		if (json_integer(&w->r, NULL, v, 0, TUNE_CV_MAX, "0 or an integer between 2 and 100", "0 or an integer between 2 and 100", &l) < 0)
			return -1;
		if (l == 1)
			return bad(w, v, "0 or an integer between 2 and 100");
		s->tune_cv = (int)l;
		return 0;
	case KEY_TUNE_CCP_ALPHA:
		ft_names_text(names, sizeof names, tune_ccp_names, TUNE_CCP_COUNT, NULL);
		if (!(str = json_string(&w->r, NULL, v, names)))
			return -1;
		if (!tune_ccp_parse(str, &s->tune_ccp_alpha))
			return bad(w, v, names);
		return 0;
	case KEY_TUNE_OBJECTIVE:
		if (!(str = json_string(&w->r, NULL, v, "a metric name")))
			return -1;
		if (!metric_known(str, false))
			return bad(w, v, keys[KEY_TUNE_OBJECTIVE].values);
		free(s->tune_objective);
		s->tune_objective = xstrdup(str);
		return 0;
	case KEY_THRESHOLD:
		if (cJSON_IsString(v) && strcmp(v->valuestring, "min_cost") == 0) {
			s->threshold_min_cost = true;
			return 0;
		}
		if (json_number(&w->r, NULL, v, 0, 1, 0, "a number between 0 and 1 or \"min_cost\"", &s->threshold) < 0)
			return -1;
		s->threshold_min_cost = false;
		return 0;
	case KEY_AMOUNT_COLUMN:
		if (cJSON_IsNull(v) || cJSON_IsFalse(v)) {
			free(s->amount_column);
			s->amount_column = NULL;
			s->amount_none = cJSON_IsFalse(v);
			return 0;
		}
		if (!(str = json_string(&w->r, NULL, v, "a column name, null or false")))
			return -1;
		if (!str[0])
			return bad(w, v, "a column name, null or false");
		free(s->amount_column);
		s->amount_column = xstrdup(str);
		s->amount_none = false;
		return 0;
	case KEY_COST_ALERT:
	case KEY_COST_MISSED:
	case KEY_COST_CAUGHT:
		/* bounded so that a cost times a billion rows stays finite */
		return json_number(&w->r, NULL, v, 0, 1e12, 0, "a number between 0 and 1e12", id == KEY_COST_ALERT ? &s->cost.alert :
				  id == KEY_COST_MISSED ? &s->cost.missed : &s->cost.caught);
	case KEY_ALERT_RATE:
		return json_number(&w->r, NULL, v, 0, 1, JSON_LO_OPEN, "a number greater than 0 and at most 1", &s->alert_rate);
	case KEY_GATE:
		return get_gate(v, w, s);
	case KEY_REGISTRY_GROUP:
		if (!(str = json_string(&w->r, NULL, v, "a group name")))
			return -1;
		if (!registry_group_valid(str))
			return bad(w, v, "a group name of letters, digits and inner dashes "
				   "(at most 63 characters)");
		free(s->group);
		s->group = xstrdup(str);
		return 0;
	case KEY_COUNT:
		break;
	}
	snprintf(w->err.msg, sizeof w->err.msg, "internal error: unhandled key");
	return -1;
}

/* ------------------------------------------------------------ key names */

static bool is_namespace(const char *key)
{
	return NAME_IN(key, namespaces);
}

/* Resolve a dotted key. Per-column keys yield their <name> in *column. */
static int find_key(const char *key, const char **column)
{
	static const struct { const char *prefix; enum key_id id; } percol[] = {
		{"impute.columns.", KEY_IMPUTE_COLUMN},
		{"encode.columns.", KEY_ENCODE_COLUMN},
		{"datetime.columns.", KEY_DATETIME_COLUMN},
		{"ordinal.columns.", KEY_ORDINAL_COLUMN},
	};
	*column = NULL;
	for (size_t i = 0; i < sizeof percol / sizeof percol[0]; i++) {
		size_t len = strlen(percol[i].prefix);
		if (strncmp(key, percol[i].prefix, len) == 0 && key[len]) {
			*column = key + len;
			return (int)percol[i].id;
		}
	}
	for (int i = 0; i < KEY_COUNT; i++)
		if (!strchr(keys[i].key, '<') && strcmp(keys[i].key, key) == 0)
			return i;
	return -1;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t prev[65], cur[65];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof *prev);
	}
	return prev[lb];
}

static void unknown_key(const char *key, struct why *w)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (int i = 0; i < KEY_COUNT; i++) {
		size_t d = edit_distance(key, keys[i].key);
		if (d < best_d) {
			best_d = d;
			best = keys[i].key;
		}
	}
	if (!best) {
		/* "tree.depth": a key of the same namespace whose last part
		 * contains the given last part, when exactly one does */
		const char *dot = strrchr(key, '.');
		size_t nslen = dot ? (size_t)(dot - key) + 1 : 0;
		const char *last = key + nslen;
		size_t hits = 0;
		for (int i = 0; i < KEY_COUNT && *last; i++) {
			const char *k = keys[i].key;
			if (strchr(k, '<') || strncmp(k, key, nslen) != 0 ||
			    strchr(k + nslen, '.') || !strstr(k + nslen, last))
				continue;
			best = k;
			hits++;
		}
		if (hits != 1)
			best = NULL;
	}
	if (best)
		snprintf(w->err.msg, sizeof w->err.msg, "unknown setting (did you mean %s?)", best);
	else
		snprintf(w->err.msg, sizeof w->err.msg,
			 "unknown setting (the keys are listed in fraudtree-pipeline(5))");
}

/* Members named "#..." are comments, so a pipeline file can explain
 * itself (JSON has no comments). Column names are never comments. */
static bool is_comment(const char *name)
{
	return name && name[0] == '#';
}

/* The members from a file's top object down to the value being applied
 * (namespaces nest at most three deep: impute.columns.NAME), so an error
 * can name the line; on failure it stays at the member that was wrong. */
struct member_path {
	const char *names[4];
	size_t n;
};

/* Apply a JSON value at a key; objects at namespace keys are walked.
 * On error *failed_key holds the full key that was wrong. at (NULL for
 * --set) follows the members walked. */
static int apply_tree(struct settings *s, const char *key, const cJSON *v,
		      struct why *w, char **failed_key, struct member_path *at)
{
	if (is_namespace(key)) {
		if (!cJSON_IsObject(v)) {
			*failed_key = xstrdup(key);
			return bad(w, v, "an object");
		}
		bool per_column = strstr(key, ".columns") != NULL;
		const cJSON *child;
		cJSON_ArrayForEach(child, v) {
			if (!per_column && is_comment(child->string))
				continue;
			char *sub = xasprintf("%s.%s", key, child->string ? child->string : "");
			bool deeper = at && at->n < sizeof at->names / sizeof at->names[0];
			if (deeper)
				at->names[at->n++] = child->string;
			int rc = apply_tree(s, sub, child, w, failed_key, at);
			free(sub);
			if (rc < 0)
				return -1;
			if (deeper)
				at->n--;
		}
		return 0;
	}
	const char *column;
	int id = find_key(key, &column);
	if (id < 0) {
		*failed_key = xstrdup(key);
		unknown_key(key, w);
		return -1;
	}
	if (apply_key(s, (enum key_id)id, column, v, w) < 0) {
		*failed_key = xstrdup(key);
		return -1;
	}
	return 0;
}

/* Line of `pos` in `text`, 1-based. */
static unsigned line_of(const char *text, const char *pos)
{
	unsigned line = 1;
	for (const char *p = text; p < pos && *p; p++)
		if (*p == '\n')
			line++;
	return line;
}

int settings_load_json(struct settings *s, const char *text, const char *origin,
		       struct ft_err *err)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, true);
	if (!root) {
		const char *at = end ? end : text + strlen(text);
		const char *p = at;
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			return ft_fail(err, FT_EINPUT, "%s:%u: invalid JSON (unexpected end)",
				       origin, line_of(text, at));
		/* Show the line the parser stopped on; the exact column cJSON
		 * reports is not always the offending character. */
		const char *bol = at, *eol = at;
		while (bol > text && bol[-1] != '\n')
			bol--;
		while (*eol && *eol != '\n' && *eol != '\r')
			eol++;
		while (bol < eol && (*bol == ' ' || *bol == '\t'))
			bol++;
		int len = (int)(eol - bol);
		return ft_fail(err, FT_EINPUT, "%s:%u: invalid JSON: %.*s%s", origin,
			       line_of(text, at), len > 60 ? 60 : len, bol, len > 60 ? "..." : "");
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return ft_fail(err, FT_EINPUT, "%s: expected a JSON object of settings", origin);
	}
	if (json_check_strict(text, root, origin, err) < 0) {
		cJSON_Delete(root);
		return -1;
	}
	/* Apply to a copy so that a failing file leaves s untouched. */
	struct settings work;
	settings_copy(&work, s);
	const cJSON *child;
	cJSON_ArrayForEach(child, root) {
		struct why w;
		why_init(&w);
		if (is_comment(child->string))
			continue;
		char *failed = NULL;
		struct member_path at = { .names = { child->string }, .n = 1 };
		if (apply_tree(&work, child->string, child, &w, &failed, &at) < 0) {
			unsigned line = json_member_line(text, at.names, at.n);
			if (line)
				ft_fail(err, FT_EINPUT, "%s:%u: %s: %s", origin, line, failed,
					w.err.msg);
			else
				ft_fail(err, FT_EINPUT, "%s: %s: %s", origin, failed, w.err.msg);
			free(failed);
			settings_free(&work);
			cJSON_Delete(root);
			return -1;
		}
	}
	cJSON_Delete(root);
	settings_free(s);
	*s = work;
	return 0;
}

int settings_load_file(struct settings *s, const char *path, struct ft_err *err)
{
	char *text = file_read_all(path, NULL, err);
	if (!text)
		return -1;
	int rc = settings_load_json(s, text, path, err);
	free(text);
	return rc;
}

/* Keys whose value is a list: a --set value that is not a JSON array is
 * read as comma-separated items. */
static bool is_list_key(enum key_id id)
{
	switch (id) {
	case KEY_NA_VALUES: case KEY_DROP: case KEY_DATETIME_DEFAULT:
	case KEY_DATETIME_COLUMN: case KEY_ORDINAL_COLUMN: case KEY_TUNE_MAX_DEPTH:
	case KEY_TUNE_MIN_SAMPLES_SPLIT: case KEY_TUNE_MIN_SAMPLES_LEAF:
	case KEY_GATE:
		return true;
	default:
		return false;
	}
}

static bool is_text_key(enum key_id id)
{
	switch (id) {
	case KEY_TARGET: case KEY_POSITIVE: case KEY_IMPUTE_NUMERIC:
	case KEY_IMPUTE_CATEGORICAL: case KEY_IMPUTE_COLUMN: case KEY_ENCODE_DEFAULT:
	case KEY_ENCODE_COLUMN: case KEY_RESAMPLE_METHOD: case KEY_TREE_CRITERION:
	case KEY_TUNE_OBJECTIVE: case KEY_REGISTRY_GROUP: case KEY_AMOUNT_COLUMN:
	case KEY_THRESHOLD_ON: case KEY_SPLIT_METHOD: case KEY_SPLIT_TIME_COLUMN:
	case KEY_TUNE_CCP_ALPHA:
		return true;
	default:
		return false;
	}
}

static cJSON *parse_item(const char *text, size_t len)
{
	char *copy = xstrndup(text, len);
	cJSON *v = cJSON_ParseWithOpts(copy, NULL, true);
	if (!v)
		v = cJSON_CreateString(copy);
	free(copy);
	return v;
}

/* "accuracy>=0.85" as a gate object; NULL when it does not read so. */
static cJSON *parse_gate_item(const char *text, size_t len)
{
	static const char *const ops[] = { ">=", "<=", "==", "!=", ">", "<" };
	char *item = xstrndup(text, len);
	cJSON *obj = NULL;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !obj; i++) {
		char *at = strstr(item, ops[i]);
		if (!at || at == item)
			continue;
		char *metric = xstrndup(item, (size_t)(at - item));
		const char *num = at + strlen(ops[i]);
		char *endp;
		errno = 0;
		double val = strtod(num, &endp);
		/* trim blanks around the metric */
		char *m = metric;
		while (*m == ' ')
			m++;
		size_t ml = strlen(m);
		while (ml && m[ml - 1] == ' ')
			m[--ml] = '\0';
		while (*endp == ' ')
			endp++;
		bool word = ml > 0;
		for (size_t k = 0; k < ml; k++)
			if (!isalnum((unsigned char)m[k]) && m[k] != '_' && m[k] != '.')
				word = false;
		if (*num && !*endp && !errno && word) {
			obj = cJSON_CreateObject();
			cJSON_AddStringToObject(obj, "metric", m);
			cJSON_AddStringToObject(obj, "op", ops[i]);
			cJSON_AddNumberToObject(obj, "value", val);
		}
		free(metric);
	}
	free(item);
	return obj;
}

/* Build the JSON value of a --set assignment. */
static cJSON *set_value(enum key_id id, const char *text)
{
	if (id == KEY_DROP_SUGGESTED || id == KEY_MISSING_INDICATORS) {
		static const char *const yes[] = { "yes", "on", "1" };
		static const char *const no[] = { "no", "off", "0" };
		if (NAME_IN(text, yes))
			return cJSON_CreateTrue();
		if (NAME_IN(text, no))
			return cJSON_CreateFalse();
	}
	cJSON *v = cJSON_ParseWithOpts(text, NULL, true);
	bool names = id == KEY_NA_VALUES || id == KEY_DROP;
	if (v && ((is_text_key(id) && !cJSON_IsString(v) && !cJSON_IsNull(v) &&
		   !(id == KEY_AMOUNT_COLUMN && cJSON_IsFalse(v))) ||
		  (names && !cJSON_IsArray(v)))) {
		/* target=123 names a column "123", na_values=-999 a string */
		cJSON_Delete(v);
		v = NULL;
	}
	if (v && is_list_key(id) && !cJSON_IsArray(v) && !cJSON_IsNull(v)) {
		cJSON *arr = cJSON_CreateArray();
		cJSON_AddItemToArray(arr, v);
		v = arr;
	}
	if (v)
		return v;
	if (!is_list_key(id))
		return cJSON_CreateString(text);
	/* the tune.* grids are numbers: "3 5 8" reads as "3,5,8" */
	char *grid = NULL;
	if (id == KEY_TUNE_MAX_DEPTH || id == KEY_TUNE_MIN_SAMPLES_SPLIT ||
	    id == KEY_TUNE_MIN_SAMPLES_LEAF) {
		struct strbuf sb = { 0 };
		bool sep = false;
		for (const char *q = text; *q; q++) {
			if (*q == ',' || isspace((unsigned char)*q)) {
				sep = sb.len > 0;
				continue;
			}
			if (sep)
				sb_puts(&sb, ",");
			sep = false;
			sb_append(&sb, q, 1);
		}
		grid = sb.data ? sb.data : xstrdup("");
		text = grid;
	}
	cJSON *arr = cJSON_CreateArray();
	const char *p = text;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *next = p + len + (comma != NULL);
		/* "hour, month" means the same as "hour,month"; NA strings are
		 * taken exactly, blanks included */
		if (id != KEY_NA_VALUES) {
			while (len && isspace((unsigned char)*p)) {
				p++;
				len--;
			}
			while (len && isspace((unsigned char)p[len - 1]))
				len--;
		}
		cJSON *item = NULL;
		if (id == KEY_GATE)
			item = parse_gate_item(p, len);
		if (!item && (id == KEY_NA_VALUES || id == KEY_DROP)) {
			char *piece = xstrndup(p, len);
			item = cJSON_CreateString(piece);
			free(piece);
		}
		if (!item)
			item = parse_item(p, len);
		cJSON_AddItemToArray(arr, item);
		p = next;
	}
	free(grid);
	return arr;
}

/* Apply one "key=value" to s in place (s is a working copy: a failure may
 * leave it half-changed). On failure *failed is the key (caller frees) and
 * w what was wrong. */
static int set_one(struct settings *s, const char *assignment, struct why *w, char **failed)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment) {
		*failed = xstrdup(assignment);
		snprintf(w->err.msg, sizeof w->err.msg, "expected KEY=VALUE");
		return -1;
	}
	char *key = xstrndup(assignment, (size_t)(eq - assignment));
	const char *text = eq + 1;
	int rc;
	if (is_namespace(key)) {
		cJSON *v = cJSON_ParseWithOpts(text, NULL, true);
		if (!v)
			v = cJSON_CreateString(text);
		rc = apply_tree(s, key, v, w, failed, NULL);
		cJSON_Delete(v);
	} else {
		const char *column;
		int id = find_key(key, &column);
		if (id < 0) {
			unknown_key(key, w);
			*failed = xstrdup(key);
			rc = -1;
		} else {
			cJSON *v = set_value((enum key_id)id, text);
			rc = apply_key(s, (enum key_id)id, column, v, w);
			cJSON_Delete(v);
			if (rc < 0)
				*failed = xstrdup(key);
		}
	}
	free(key);
	return rc;
}

int settings_set(struct settings *s, const char *assignment, struct ft_err *err)
{
	struct why w;
	why_init(&w);
	char *failed = NULL;
	struct settings work;
	settings_copy(&work, s);
	int rc = set_one(&work, assignment, &w, &failed);
	if (rc < 0) {
		settings_free(&work);
		if (!strchr(assignment, '=') || assignment[0] == '=')
			ft_fail(err, FT_EINPUT, "--set %s: expected KEY=VALUE", assignment);
		else
			ft_fail(err, FT_EINPUT, "--set %s: %s", failed, w.err.msg);
	} else {
		settings_free(s);
		*s = work;
	}
	free(failed);
	return rc;
}

/* ------------------------------------------------- checks against data */

static bool strv_has(char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

static bool impute_equal(const struct impute_spec *a, const struct impute_spec *b)
{
	if (a->strategy != b->strategy)
		return false;
	if (a->strategy != IMPUTE_CONSTANT)
		return true;
	return !strcmp(a->constant ? a->constant : "", b->constant ? b->constant : "");
}

/* The column named `name` of data, or a message "KEY: no column named ...". */
static const struct column *data_column(const struct frame *data, const char *key,
					const char *name, struct ft_err *err)
{
	int c = frame_find(data, name);
	if (c < 0) {
		ft_fail(err, FT_EINPUT, "%s: no column named '%s'", key, name);
		return NULL;
	}
	return &data->cols[c];
}

/* What changed from `was` to `now` must make sense for the loaded data:
 * the columns named exist, and each per-column choice fits the column's
 * type. Entries that did not change are not re-checked, so settings read
 * for another file do not block every later change. */
static int check_against(const struct settings *was, const struct settings *now,
			 const struct frame *data, struct ft_err *err)
{
	if (now->target && (!was->target || strcmp(was->target, now->target)) &&
	    !data_column(data, "target", now->target, err))
		return -1;
	for (size_t i = 0; i < now->ndrop; i++)
		if (!strv_has(was->drop, was->ndrop, now->drop[i]) &&
		    !data_column(data, "drop", now->drop[i], err))
			return -1;
	for (size_t i = 0; i < now->ncolumns; i++) {
		const struct column_setting *c = &now->columns[i];
		const struct column_setting *o = settings_column(was, c->name);
		bool imp = c->has_impute && !(o && o->has_impute && impute_equal(&o->impute, &c->impute));
		bool enc = c->has_encode && !(o && o->has_encode && o->encode == c->encode);
		bool dt = c->has_datetime && !(o && o->has_datetime &&
					       o->datetime_parts == c->datetime_parts);
		bool ord = c->has_ordinal && !(o && o->has_ordinal);
		if (!imp && !enc && !dt && !ord)
			continue;
		const char *ns = imp ? "impute" : enc ? "encode" : dt ? "datetime" : "ordinal";
		char key[96];
		snprintf(key, sizeof key, "%s.columns.%.60s", ns, c->name);
		const struct column *col = data_column(data, key, c->name, err);
		if (!col)
			return -1;
		if (imp && col->type == COL_CATEGORICAL &&
		    (c->impute.strategy == IMPUTE_MEAN || c->impute.strategy == IMPUTE_MEDIAN))
			return ft_fail(err, FT_EINPUT, "%s: %s is categorical: %s needs numbers"
				       " (most_frequent or constant:VALUE)", key, c->name,
				       impute_name(c->impute.strategy));
		if (imp && col->type != COL_CATEGORICAL && c->impute.strategy == IMPUTE_CONSTANT) {
			const char *t = c->impute.constant ? c->impute.constant : "";
			char *end;
			errno = 0;
			double d = strtod(t, &end);
			if (!*t || *end || errno || !isfinite(d))
				return ft_fail(err, FT_EINPUT, "%s: %s is %s: the constant must be a"
					       " number, got '%s'", key, c->name,
					       col_type_name(col->type), t);
		}
		if (enc && col->type != COL_CATEGORICAL)
			return ft_fail(err, FT_EINPUT, "%s: %s is %s: only categorical columns are"
				       " encoded", key, c->name, col_type_name(col->type));
		if (dt && col->type != COL_DATETIME)
			return ft_fail(err, FT_EINPUT, "%s: %s is %s, not a datetime column", key,
				       c->name, col_type_name(col->type));
	}
	return 0;
}

int settings_apply(struct settings *s, const char *const *assignments, size_t n,
		   const struct frame *data, struct ft_err *err)
{
	struct settings work;
	settings_copy(&work, s);
	for (size_t i = 0; i < n; i++) {
		struct why w;
		why_init(&w);
		char *failed = NULL;
		if (set_one(&work, assignments[i], &w, &failed) < 0) {
			ft_fail(err, FT_EINPUT, "%s: %s", failed, w.err.msg);
			free(failed);
			settings_free(&work);
			return -1;
		}
	}
	if (settings_validate(&work, err) || (data && check_against(s, &work, data, err))) {
		settings_free(&work);
		return -1;
	}
	settings_free(s);
	*s = work;
	return 0;
}

int settings_validate(const struct settings *s, struct ft_err *err)
{
	double sum = s->split_train + s->split_validation + s->split_test;
	if (fabs(sum - 1.0) > 1e-9)
		return ft_fail(err, FT_EINPUT,
			       "split: train + validation + test must sum to 1, got %.10g + %.10g + "
			       "%.10g = %.10g", s->split_train, s->split_validation, s->split_test, sum);
	if (s->split_train <= 0)
		return ft_fail(err, FT_EINPUT, "split.train: must be greater than 0");
	if (s->split_test <= 0)
		return ft_fail(err, FT_EINPUT, "split.test: must be greater than 0");
	bool tuning = s->tune_max_depth.n || s->tune_min_samples_split.n ||
		s->tune_min_samples_leaf.n || s->tune_ccp_alpha == TUNE_CCP_PATH;
	/* The grid's cost is known now: refuse it before any data is read. */
	uint64_t points = 1;
	const struct int_list *dims[] = { &s->tune_max_depth, &s->tune_min_samples_split,
					  &s->tune_min_samples_leaf };
	for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
		uint64_t d = dims[i]->n ? dims[i]->n : 1;
		points = points > UINT64_MAX / d ? UINT64_MAX : points * d;
	}
	if (points > TUNE_MAX_POINTS)
		return ft_fail(err, FT_EINPUT,
			       "tune: the grid has %llu points (tune.max_depth x tune.min_samples_split "
			       "x tune.min_samples_leaf), more than the %u allowed",
			       (unsigned long long)points, TUNE_MAX_POINTS);
	if (tuning && s->split_validation <= 0)
		return ft_fail(err, FT_EINPUT,
			       "split.validation: tuning needs a validation share greater than 0");
	if (!(s->resample_ratio > 0 && s->resample_ratio <= 1))
		return ft_fail(err, FT_EINPUT, "resample.ratio: must be in (0, 1]");
	if (s->target && settings_is_dropped(s, s->target))
		return ft_fail(err, FT_EINPUT, "drop: lists the target column %s", s->target);
	return 0;
}

/* -------------------------------------------------------------- output */

static cJSON *json_strv(char *const *v, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
	return arr;
}

static cJSON *json_int_list(const struct int_list *l)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < l->n; i++)
		cJSON_AddItemToArray(arr, json_uint((uint64_t)l->v[i]));
	return arr;
}

static cJSON *json_parts(unsigned parts)
{
	cJSON *arr = cJSON_CreateArray();
	for (unsigned i = 0; i < DT_PART_COUNT; i++)
		if (parts & (1u << i))
			cJSON_AddItemToArray(arr, cJSON_CreateString(dt_part_names[i]));
	return arr;
}

static cJSON *json_impute(const struct impute_spec *sp)
{
	if (sp->strategy == IMPUTE_CONSTANT) {
		char *t = xasprintf("constant:%s", sp->constant ? sp->constant : "");
		cJSON *v = cJSON_CreateString(t);
		free(t);
		return v;
	}
	return cJSON_CreateString(impute_name(sp->strategy));
}

static cJSON *json_str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static bool json_is_container(const cJSON *v)
{
	return cJSON_IsObject(v) || cJSON_IsArray(v);
}

static bool json_all_scalar(const cJSON *v)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, v)
		if (json_is_container(c))
			return false;
	return true;
}

static void json_put_scalar(struct strbuf *sb, const cJSON *v)
{
	char *t = cJSON_PrintUnformatted(v);
	sb_puts(sb, t ? t : "null");
	free(t);
}

static void json_put_key(struct strbuf *sb, const char *key)
{
	cJSON *k = cJSON_CreateString(key);
	json_put_scalar(sb, k);
	cJSON_Delete(k);
	sb_puts(sb, ": ");
}

/* Two-space indented JSON that reads well in a diff: lists of plain values
 * and conditions of the gate stay on one line. */
static void json_pretty(struct strbuf *sb, const cJSON *v, int depth, bool inline_ok)
{
	if (!json_is_container(v)) {
		json_put_scalar(sb, v);
		return;
	}
	bool obj = cJSON_IsObject(v);
	if (!v->child) {
		sb_puts(sb, obj ? "{}" : "[]");
		return;
	}
	if (json_all_scalar(v) && (!obj || inline_ok)) {
		sb_puts(sb, obj ? "{" : "[");
		for (const cJSON *c = v->child; c; c = c->next) {
			if (obj)
				json_put_key(sb, c->string);
			json_put_scalar(sb, c);
			if (c->next)
				sb_puts(sb, ", ");
		}
		sb_puts(sb, obj ? "}" : "]");
		return;
	}
	sb_puts(sb, obj ? "{\n" : "[\n");
	for (const cJSON *c = v->child; c; c = c->next) {
		sb_printf(sb, "%*s", 2 * (depth + 1), "");
		if (obj)
			json_put_key(sb, c->string);
		json_pretty(sb, c, depth + 1, !obj);
		sb_puts(sb, c->next ? ",\n" : "\n");
	}
	sb_printf(sb, "%*s%s", 2 * depth, "", obj ? "}" : "]");
}

static cJSON *settings_tree(const struct settings *s)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "target", json_str_or_null(s->target));
	cJSON_AddItemToObject(root, "positive", json_str_or_null(s->positive));
	cJSON_AddItemToObject(root, "na_values", json_strv(s->na_values, s->nna_values));
	cJSON_AddItemToObject(root, "drop", json_strv(s->drop, s->ndrop));
	cJSON_AddBoolToObject(root, "drop_suggested", s->drop_suggested);
	cJSON_AddBoolToObject(root, "missing_indicators", s->missing_indicators);

	cJSON *imp = cJSON_AddObjectToObject(root, "impute");
	cJSON_AddItemToObject(imp, "numeric", json_impute(&s->impute_numeric));
	cJSON_AddItemToObject(imp, "categorical", json_impute(&s->impute_categorical));
	cJSON *impc = cJSON_AddObjectToObject(imp, "columns");
	cJSON *enc = cJSON_AddObjectToObject(root, "encode");
	cJSON_AddStringToObject(enc, "default", encoding_name(s->encode_default));
	cJSON *encc = cJSON_AddObjectToObject(enc, "columns");
	cJSON *dt = cJSON_AddObjectToObject(root, "datetime");
	cJSON_AddItemToObject(dt, "default", json_parts(s->datetime_default));
	cJSON *dtc = cJSON_AddObjectToObject(dt, "columns");
	cJSON *ordc = cJSON_AddObjectToObject(cJSON_AddObjectToObject(root, "ordinal"), "columns");
	for (size_t i = 0; i < s->ncolumns; i++) {
		const struct column_setting *c = &s->columns[i];
		if (c->has_impute)
			cJSON_AddItemToObject(impc, c->name, json_impute(&c->impute));
		if (c->has_encode)
			cJSON_AddStringToObject(encc, c->name, encoding_name(c->encode));
		if (c->has_datetime)
			cJSON_AddItemToObject(dtc, c->name, json_parts(c->datetime_parts));
		if (c->has_ordinal)
			cJSON_AddItemToObject(ordc, c->name, json_strv(c->ordinal, c->nordinal));
	}

	cJSON *sp = cJSON_AddObjectToObject(root, "split");
	cJSON_AddItemToObject(sp, "train", json_num(s->split_train));
	cJSON_AddItemToObject(sp, "validation", json_num(s->split_validation));
	cJSON_AddItemToObject(sp, "test", json_num(s->split_test));
	cJSON_AddItemToObject(sp, "seed", json_uint(s->split_seed));
	cJSON_AddStringToObject(sp, "method", split_method_name(s->split_method));
	cJSON_AddItemToObject(sp, "time_column", json_str_or_null(s->split_time_column));
	cJSON_AddItemToObject(sp, "gap_days", json_num(s->split_gap_days));

	cJSON *rs = cJSON_AddObjectToObject(root, "resample");
	cJSON_AddStringToObject(rs, "method", resample_name(s->resample));
	cJSON_AddItemToObject(rs, "ratio", json_num(s->resample_ratio));

	cJSON *tr = cJSON_AddObjectToObject(root, "tree");
	cJSON_AddStringToObject(tr, "criterion", criterion_name(s->tree.criterion));
	cJSON_AddItemToObject(tr, "max_depth", json_uint((uint64_t)s->tree.max_depth));
	cJSON_AddItemToObject(tr, "min_samples_split", json_uint(s->tree.min_samples_split));
	cJSON_AddItemToObject(tr, "min_samples_leaf", json_uint(s->tree.min_samples_leaf));
	cJSON_AddItemToObject(tr, "min_impurity_decrease",
			      json_num(s->tree.min_impurity_decrease));
	cJSON_AddItemToObject(tr, "max_leaf_nodes", json_uint(s->tree.max_leaf_nodes));
	cJSON_AddItemToObject(tr, "ccp_alpha", json_num(s->tree.ccp_alpha));
	cJSON_AddItemToObject(tr, "max_bins", json_uint((uint64_t)s->tree.max_bins));
	cJSON_AddItemToObject(tr, "threads", json_uint((uint64_t)s->tree.threads));

	cJSON *tu = cJSON_AddObjectToObject(root, "tune");
	cJSON_AddItemToObject(tu, "max_depth", json_int_list(&s->tune_max_depth));
	cJSON_AddItemToObject(tu, "min_samples_split", json_int_list(&s->tune_min_samples_split));
	cJSON_AddItemToObject(tu, "min_samples_leaf", json_int_list(&s->tune_min_samples_leaf));
	cJSON_AddStringToObject(tu, "objective",
				s->tune_objective ? s->tune_objective : "balanced_accuracy");
	cJSON_AddItemToObject(tu, "cv", json_uint((uint64_t)s->tune_cv));
	cJSON_AddStringToObject(tu, "ccp_alpha", tune_ccp_name(s->tune_ccp_alpha));

	if (s->threshold_min_cost)
		cJSON_AddStringToObject(root, "threshold", "min_cost");
	else
		cJSON_AddItemToObject(root, "threshold", json_num(s->threshold));
	cJSON_AddStringToObject(root, "threshold_on", threshold_on_name(s->threshold_on));
	cJSON_AddItemToObject(root, "alert_rate", json_num(s->alert_rate));
	cJSON *am = cJSON_AddObjectToObject(root, "amount");
	if (s->amount_none)
		cJSON_AddFalseToObject(am, "column");
	else
		cJSON_AddItemToObject(am, "column", json_str_or_null(s->amount_column));
	cJSON *co = cJSON_AddObjectToObject(root, "cost");
	cJSON_AddItemToObject(co, "alert", json_num(s->cost.alert));
	cJSON_AddItemToObject(co, "missed", json_num(s->cost.missed));
	cJSON_AddItemToObject(co, "caught", json_num(s->cost.caught));
	cJSON *gate = cJSON_AddArrayToObject(root, "gate");
	for (size_t i = 0; i < s->ngate; i++) {
		cJSON *g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "metric", s->gate[i].metric);
		cJSON_AddStringToObject(g, "op", cmp_op_name(s->gate[i].op));
		cJSON_AddItemToObject(g, "value", json_num(s->gate[i].value));
		cJSON_AddItemToArray(gate, g);
	}
	cJSON *reg = cJSON_AddObjectToObject(root, "registry");
	cJSON_AddStringToObject(reg, "group", s->group ? s->group : "");
	return root;
}

char *settings_to_json(const struct settings *s)
{
	cJSON *root = settings_tree(s);
	struct strbuf sb = {0};
	json_pretty(&sb, root, 0, false);
	sb_puts(&sb, "\n");
	cJSON_Delete(root);
	return sb.data;
}

/* Leaves of a settings tree as "dotted.key" -> value; per-column objects
 * and lists are leaves of their own ("impute.columns.amt", "gate"). */
struct flat { char **keys; cJSON **vals; size_t n; };

static void flatten(struct flat *f, const cJSON *v, const char *prefix)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, v) {
		char *key = prefix ? xasprintf("%s.%s", prefix, c->string) : xstrdup(c->string);
		if (cJSON_IsObject(c)) {
			flatten(f, c, key);
			free(key);
			continue;
		}
		f->keys = xreallocarray(f->keys, f->n + 1, sizeof *f->keys);
		f->vals = xreallocarray(f->vals, f->n + 1, sizeof *f->vals);
		f->keys[f->n] = key;
		f->vals[f->n++] = (cJSON *)c;
	}
}

static const cJSON *flat_get(const struct flat *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->keys[i], key))
			return f->vals[i];
	return NULL;
}

static void flat_add_key(char ***out, size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*out)[i], key))
			return;
	*out = xreallocarray(*out, *n + 1, sizeof **out);
	(*out)[(*n)++] = xstrdup(key);
}

size_t settings_diff(const struct settings *a, const struct settings *b, bool skip_tune,
		     char ***out_keys)
{
	cJSON *ta = settings_tree(a), *tb = settings_tree(b);
	struct flat fa = {0}, fb = {0};
	flatten(&fa, ta, NULL);
	flatten(&fb, tb, NULL);
	char **out = NULL;
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		const struct flat *x = pass ? &fb : &fa, *y = pass ? &fa : &fb;
		for (size_t i = 0; i < x->n; i++) {
			if (skip_tune && !strncmp(x->keys[i], "tune.", 5))
				continue;
			const cJSON *other = flat_get(y, x->keys[i]);
			if (!other || !cJSON_Compare(x->vals[i], other, true))
				flat_add_key(&out, &n, x->keys[i]);
		}
	}
	for (size_t i = 0; i < fa.n; i++)
		free(fa.keys[i]);
	for (size_t i = 0; i < fb.n; i++)
		free(fb.keys[i]);
	free(fa.keys);
	free(fa.vals);
	free(fb.keys);
	free(fb.vals);
	cJSON_Delete(ta);
	cJSON_Delete(tb);
	*out_keys = out;
	return n;
}

void settings_diff_free(char **list, size_t n)
{
	strv_free(list, n);
}
