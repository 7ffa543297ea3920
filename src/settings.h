/* settings: every pipeline setting, its default, its JSON form and its
 * `--set key=value` form. The key table in settings.c is the one source for
 * parsing, validation, printing, TUI completion and the man page. */
#ifndef FT_SETTINGS_H
#define FT_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amount.h"
#include "metrics.h"
#include "util.h"

enum impute_strategy {
	IMPUTE_MEAN, IMPUTE_MEDIAN, IMPUTE_MOST_FREQUENT, IMPUTE_CONSTANT, IMPUTE_COUNT
};
/* Each vocabulary below has one name table in settings.c, bounded by its
 * _COUNT entry: parsing, printing, completion and cycling keys all walk it. */
enum encoding { ENC_ONEHOT, ENC_FREQUENCY, ENC_ORDINAL, ENC_COUNT };
/* Resampling methods; resample_name reads settings.c's table, and
 * RESAMPLE_NAMES(SEP) is the same names in enum order joined by SEP, for
 * help texts built at compile time (test_settings checks they agree). */
enum resample_method {
	RESAMPLE_NONE, RESAMPLE_UNDER, RESAMPLE_OVER, RESAMPLE_SMOTE, RESAMPLE_CLASS_WEIGHT,
	RESAMPLE_COUNT
};
#define RESAMPLE_NAMES(sep) "none" sep "undersample" sep "oversample" sep "smote" \
	sep "class_weight"
enum criterion { CRIT_GINI, CRIT_ENTROPY };
/* How rows are dealt to train / validation / test: at random within each
 * class, or in time order (train earliest). */
enum split_method { SPLIT_STRATIFIED, SPLIT_TIME, SPLIT_METHOD_COUNT };
/* What the decision threshold reads: the leaf's score (its fraud share in
 * the resampled or weighted rows) or its probability (the score corrected
 * to the real class prior). */
enum threshold_on { THRESHOLD_ON_SCORE, THRESHOLD_ON_PROBABILITY, THRESHOLD_ON_COUNT };
/* tune.ccp_alpha: leave tree.ccp_alpha as set, or choose it from the
 * cost-complexity pruning path (one-standard-error rule). */
enum tune_ccp { TUNE_CCP_NONE, TUNE_CCP_PATH, TUNE_CCP_COUNT };

/* Datetime parts, a bit set: part k is bit 1u << k, named datetime_part_name(k)
 * (k < DT_PART_COUNT). DT_PART_NAMES(SEP) is the same names in the same
 * order joined by SEP, for help texts built at compile time (test_settings
 * checks that the two agree). */
enum dt_part { DT_HOUR = 1, DT_DAY_OF_WEEK = 2, DT_DAY = 4, DT_MONTH = 8 };
enum { DT_PART_COUNT = 4 };
#define DT_PART_NAMES(sep) "hour" sep "day_of_week" sep "day" sep "month"
const char *datetime_part_name(unsigned k);
/* The part named s; false when s names none. */
bool datetime_part_parse(const char *s, unsigned *k);

struct impute_spec {
	enum impute_strategy strategy;
	char *constant;          /* IMPUTE_CONSTANT: the value as text */
};

/* Per-column overrides; a field applies only when its has_ flag is set. */
struct column_setting {
	char *name;
	bool has_impute, has_encode, has_datetime;
	struct impute_spec impute;
	enum encoding encode;
	unsigned datetime_parts;  /* enum dt_part bits */
	bool has_ordinal;         /* ordinal.columns.<name>: its levels in order */
	char **ordinal; size_t nordinal;
};

/* Limits checked when a setting is read, before any data is loaded. */
#define TREE_MAX_NODES (1u << 26)      /* tree.max_leaf_nodes, and nodes a tree holds */
#define TUNE_MAX_POINTS 10000u         /* points of the tune.* grid */
#define TUNE_CV_MAX 100                /* folds of tune.cv */

struct tree_params {
	enum criterion criterion;
	int max_depth;                 /* 0: unlimited */
	size_t min_samples_split;      /* >= 2 */
	size_t min_samples_leaf;       /* >= 1 */
	double min_impurity_decrease;  /* >= 0 */
	size_t max_leaf_nodes;         /* 0: unlimited, else best-first growth */
	double ccp_alpha;              /* >= 0, 0: no pruning */
	int max_bins;                  /* 0: automatic (exact on small data), else
	                                  2..65535 bins per feature (see tree.h) */
	int threads;                   /* 0: all cores */
};

struct int_list {
	long *v;
	size_t n;
};

struct settings {
	char *target;                  /* NULL: guess */
	char *positive;                /* NULL: detect */
	char **na_values; size_t nna_values;
	char **drop; size_t ndrop;
	bool drop_suggested;           /* drop ID-like and constant columns (default true) */
	bool missing_indicators;       /* add <col>_missing features (default false) */
	struct impute_spec impute_numeric;      /* default median */
	struct impute_spec impute_categorical;  /* default most_frequent */
	enum encoding encode_default;           /* default onehot */
	unsigned datetime_default;              /* parts for datetime columns without an
	                                           override; default hour|day_of_week */
	struct column_setting *columns; size_t ncolumns;
	double split_train, split_validation, split_test;   /* 0.6 0.2 0.2 */
	uint64_t split_seed;                                 /* 42 */
	enum split_method split_method;                      /* default stratified */
	char *split_time_column;        /* split.time_column; NULL: the first datetime column */
	double split_gap_days;          /* rows this close after a split's end are left out */
	enum resample_method resample;                       /* default none */
	double resample_ratio;          /* minority/majority after resampling; default 1 */
	struct tree_params tree;
	struct int_list tune_max_depth, tune_min_samples_split, tune_min_samples_leaf;
	char *tune_objective;           /* default balanced_accuracy */
	int tune_cv;                    /* folds of tune.cv; 0: the validation split */
	enum tune_ccp tune_ccp_alpha;   /* default none */
	double threshold;               /* default 0.5 */
	enum threshold_on threshold_on; /* default score */
	bool threshold_min_cost;        /* threshold = "min_cost": chosen on validation */
	char *amount_column;            /* amount.column; NULL: guess */
	bool amount_none;               /* amount.column = false: every fraud counts 1 */
	struct amount_costs cost;       /* cost.alert 0, cost.missed 1, cost.caught 0 */
	double alert_rate;              /* review capacity, default 0.01 */
	struct gate_condition *gate; size_t ngate;   /* default accuracy >= 0.85 */
	char *group;                    /* registry.group */
};

void settings_init(struct settings *s);          /* all defaults */
void settings_free(struct settings *s);
void settings_copy(struct settings *dst, const struct settings *src);

/* Merge a pipeline JSON file into s. Errors name the file and the key:
 * "p.json: tree.max_depth: expected an integer >= 0". */
int settings_load_file(struct settings *s, const char *path, struct ft_err *err);
int settings_load_json(struct settings *s, const char *text, const char *origin,
		       struct ft_err *err);
/* Apply "a.b=value" (value parsed as JSON when it parses, else as a string). */
int settings_set(struct settings *s, const char *assignment, struct ft_err *err);
/* Apply n assignments ("key=value", read as --set reads them) as one
 * change: every one is parsed, then settings_validate runs, then, when data
 * is not NULL, what changed is checked against its columns (the target and
 * dropped columns exist; a per-column choice fits the column's type: no
 * mean for a categorical column, encodings only for categorical ones, parts
 * only for datetime ones). Only then is s changed; on error s is untouched
 * and err says "KEY: what was wrong" (no option syntax in it). */
struct frame;
int settings_apply(struct settings *s, const char *const *assignments, size_t n,
		   const struct frame *data, struct ft_err *err);

/* The keys (dotted, as settings_to_json spells them: "tree.max_depth",
 * "impute.columns.amt", "gate") whose values differ between a and b, in
 * key-table order; tune.* left out when skip_tune. Returns the count; free
 * *keys with settings_diff_free. */
size_t settings_diff(const struct settings *a, const struct settings *b, bool skip_tune,
		     char ***keys);
void settings_diff_free(char **keys, size_t n);

/* Cross-field checks (shares sum to 1, ...); run after all merges. */
int settings_validate(const struct settings *s, struct ft_err *err);
/* The resolved settings as pretty JSON, every key present; caller frees. */
char *settings_to_json(const struct settings *s);

/* Per-column effective choices (override, else default). */
const struct column_setting *settings_column(const struct settings *s, const char *name);
struct column_setting *settings_column_mut(struct settings *s, const char *name);
bool settings_is_dropped(const struct settings *s, const char *name);

/* The documented key table, for completion and help. */
struct setting_key {
	const char *key;     /* "tree.max_depth"; "impute.columns.<name>" */
	const char *values;  /* "integer >= 0", "gini|entropy", ... */
	const char *help;
};
const struct setting_key *settings_keys(size_t *n);

const char *impute_name(enum impute_strategy s);
/* A strategy by its plain name ("constant" without its value); false for
 * any other text. */
bool impute_strategy_parse(const char *s, enum impute_strategy *out);
/* The vocabularies' tables themselves (IMPUTE_COUNT, ENC_COUNT and
 * RESAMPLE_COUNT names, in enum order), for the lists in messages
 * (ft_names_text). */
const char *const *impute_names_table(void);
const char *const *encoding_names_table(void);
const char *const *resample_names_table(void);
const char *encoding_name(enum encoding e);
const char *resample_name(enum resample_method m);
const char *criterion_name(enum criterion c);
const char *threshold_on_name(enum threshold_on t);
const char *split_method_name(enum split_method m);
bool split_method_parse(const char *s, enum split_method *out);
bool threshold_on_parse(const char *s, enum threshold_on *out);
const char *tune_ccp_name(enum tune_ccp t);
bool tune_ccp_parse(const char *s, enum tune_ccp *out);
bool impute_parse(const char *s, struct impute_spec *out);   /* "constant:VALUE" too */
bool encoding_parse(const char *s, enum encoding *out);
bool resample_parse(const char *s, enum resample_method *out);

#endif
