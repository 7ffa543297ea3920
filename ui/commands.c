/* commands: the workbench's command table and its handlers.
 *
 * Every handler changes the session through the same engine calls as the
 * command-line verbs (settings_set, pipeline_run, registry_publish...), sets
 * a->message to say what happened, and returns 0 or -1. Handlers never
 * draw: the main loop redraws after every command. */
#include "config.h"
#include "commands.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#include "model.h"
#include "pipeline.h"
#include "registry.h"
#include "screen.h"
#include "settings.h"
#include "tree.h"
#include "util.h"
#include "vm_tree.h"

/* ---- argument checks and small pieces ---- */

static int need_frame(struct app *a)
{
	if (a->frame)
		return 0;
	app_message(a, true, "no data loaded yet");
	return -1;
}

static int need_model(struct app *a)
{
	if (a->result)
		return 0;
	app_message(a, true, "no trained model: press t on the Train screen or :train");
	return -1;
}

static int need_args(struct app *a, int argc, int min, const char *name)
{
	if (argc > min)
		return 0;
	const struct command *c = commands_find(name);
	app_message(a, true, "usage: :%s %s", name, c ? c->args : "");
	return -1;
}

static int column_arg(struct app *a, const char *name)
{
	if (need_frame(a))
		return -1;
	int c = frame_find(a->frame, name);
	if (c < 0)
		app_message(a, true, "no column named '%s'", name);
	return c;
}

/* Join argv[from..] with single spaces; caller frees. */
static char *join_args(int argc, char **argv, int from)
{
	struct strbuf sb = { 0 };
	for (int i = from; i < argc; i++) {
		if (i > from)
			sb_puts(&sb, " ");
		sb_puts(&sb, argv[i]);
	}
	if (!sb.data)
		return xstrdup("");
	return sb.data;
}

static int apply_set(struct app *a, const char *key, const char *value)
{
	struct ft_err err;
	char *assign = xasprintf("%s=%s", key, value);
	int rc = settings_set(&a->settings, assign, &err);
	free(assign);
	if (rc) {
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	app_settings_changed(a);
	return 0;
}

/* A JSON string literal for s; caller frees. */
static char *json_string(const char *s)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_printf(&sb, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			sb_printf(&sb, "\\u%04x", (unsigned char)*s);
		else
			sb_append(&sb, s, 1);
	}
	sb_puts(&sb, "\"");
	return sb.data;
}

/* ---- handlers ---- */

static int cmd_open(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "open"))
		return -1;
	if (a->job_running)
		return app_start_load(a, argv[1]);   /* says what is busy */
	/* A file that cannot be read is said so now, not after asking. */
	if (access(argv[1], R_OK)) {
		app_message(a, true, "%s: %s", argv[1], strerror(errno));
		return -1;
	}
	/* Loading closes the trained model: ask first, as quitting does. */
	if (app_model_at_risk(a)) {
		free(a->pending_open);
		a->pending_open = xstrdup(argv[1]);
		return 0;
	}
	return app_start_load(a, argv[1]);
}

static int cmd_target(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "target"))
		return -1;
	if (column_arg(a, argv[1]) < 0)
		return -1;
	free(a->settings.target);
	a->settings.target = xstrdup(argv[1]);
	free(a->settings.positive);
	a->settings.positive = NULL;
	app_settings_changed(a);
	app_message(a, false, "target is now %s", argv[1]);
	return 0;
}

/* Index of name in the drop list, or -1. */
static ssize_t drop_index(const struct settings *s, const char *name)
{
	for (size_t i = 0; i < s->ndrop; i++)
		if (!strcmp(s->drop[i], name))
			return (ssize_t)i;
	return -1;
}

static int cmd_drop(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "drop"))
		return -1;
	for (int i = 1; i < argc; i++)
		if (column_arg(a, argv[i]) < 0)
			return -1;
	for (int i = 1; i < argc; i++) {
		if (settings_is_dropped(&a->settings, argv[i]))
			continue;
		a->settings.drop = xreallocarray(a->settings.drop, a->settings.ndrop + 1,
						 sizeof *a->settings.drop);
		a->settings.drop[a->settings.ndrop++] = xstrdup(argv[i]);
	}
	app_settings_changed(a);
	app_message(a, false, "dropped %d column%s", argc - 1, argc == 2 ? "" : "s");
	return 0;
}

static int cmd_keep(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "keep"))
		return -1;
	for (int i = 1; i < argc; i++) {
		ssize_t found = drop_index(&a->settings, argv[i]);
		if (found < 0)
			continue;
		size_t at = (size_t)found;
		free(a->settings.drop[at]);
		memmove(a->settings.drop + at, a->settings.drop + at + 1,
			(a->settings.ndrop - at - 1) * sizeof *a->settings.drop);
		a->settings.ndrop--;
	}
	app_settings_changed(a);
	app_message(a, false, "kept %d column%s as features", argc - 1, argc == 2 ? "" : "s");
	return 0;
}

static int column_setting(struct app *a, const char *ns, const char *col, const char *value)
{
	if (column_arg(a, col) < 0)
		return -1;
	char *key = xasprintf("%s.columns.%s", ns, col);
	int rc = apply_set(a, key, value);
	free(key);
	if (!rc)
		app_message(a, false, "%s of %s: %s", ns, col, value);
	return rc;
}

static int cmd_impute(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 2, "impute"))
		return -1;
	return column_setting(a, "impute", argv[1], argv[2]);
}

static int cmd_encode(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 2, "encode"))
		return -1;
	return column_setting(a, "encode", argv[1], argv[2]);
}

static int cmd_datetime(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "datetime"))
		return -1;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "[");
	for (int i = 2; i < argc; i++) {
		char *q = json_string(argv[i]);
		sb_printf(&sb, "%s%s", i > 2 ? "," : "", q);
		free(q);
	}
	sb_puts(&sb, "]");
	int rc = column_setting(a, "datetime", argv[1], sb.data);
	sb_free(&sb);
	return rc;
}

static int cmd_resample(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "resample"))
		return -1;
	if (apply_set(a, "resample.method", argv[1]))
		return -1;
	if (argc > 2 && apply_set(a, "resample.ratio", argv[2]))
		return -1;
	app_message(a, false, "resampling: %s, ratio %g", resample_name(a->settings.resample),
		    a->settings.resample_ratio);
	return 0;
}

static int cmd_split(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 3, "split"))
		return -1;
	struct settings work;
	settings_copy(&work, &a->settings);
	static const char *const keys[] = { "split.train", "split.validation", "split.test", "split.seed" };
	struct ft_err err;
	for (int i = 1; i < argc && i <= 4; i++) {
		char *assign = xasprintf("%s=%s", keys[i - 1], argv[i]);
		int rc = settings_set(&work, assign, &err);
		free(assign);
		if (rc) {
			settings_free(&work);
			app_message(a, true, "%s", err.msg);
			return -1;
		}
	}
	if (settings_validate(&work, &err)) {
		settings_free(&work);
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	settings_free(&a->settings);
	a->settings = work;
	app_settings_changed(a);
	app_message(a, false, "split %g / %g / %g, seed %llu", a->settings.split_train,
		    a->settings.split_validation, a->settings.split_test,
		    (unsigned long long)a->settings.split_seed);
	return 0;
}

static int cmd_set(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "set"))
		return -1;
	char *eq = strchr(argv[1], '=');
	int rc;
	if (eq && argc == 2) {
		*eq = '\0';
		rc = apply_set(a, argv[1], eq + 1);
		*eq = '=';
	} else {
		if (need_args(a, argc, 2, "set"))
			return -1;
		char *value = join_args(argc, argv, 2);
		rc = apply_set(a, argv[1], value);
		free(value);
	}
	if (!rc)
		app_message(a, false, "set %s", argv[1]);
	return rc;
}

static int cmd_train(struct app *a, int argc, char **argv)
{
	return app_start_train(a, false);
}

static int cmd_tune(struct app *a, int argc, char **argv)
{
	return app_start_train(a, true);
}

static int cmd_cancel(struct app *a, int argc, char **argv)
{
	if (!a->job_running) {
		app_message(a, false, "nothing is running");
		return 0;
	}
	app_cancel_job(a);
	return 0;
}

static int cmd_threshold(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "threshold"))
		return -1;
	char *end;
	errno = 0;
	double t = strtod(argv[1], &end);
	if (errno || *end || !(t >= 0 && t <= 1)) {
		app_message(a, true, "threshold: expected a number in [0, 1], got '%s'", argv[1]);
		return -1;
	}
	/* a registration in progress reads the model's gate */
	if (a->job_running && a->job.kind == JOB_REGISTER) {
		app_message(a, true, "busy: registering the model (a moment)");
		return -1;
	}
	a->settings.threshold = t;
	app_settings_changed(a);
	if (!a->result) {
		app_message(a, false, "threshold %g (used by the next training)", t);
		return 0;
	}
	struct ft_err err;
	if (pipeline_set_threshold(a->result, t, &err)) {
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	a->result_saved = false;
	app_message(a, !a->result->gate.pass, "threshold %g: test accuracy %.4f, recall %.4f, gate %s", t,
		    a->result->test_metrics.accuracy, a->result->test_metrics.recall,
		    a->result->gate.pass ? "PASS" : "FAIL");
	return 0;
}

static const char *group_of(const struct app *a)
{
	if (a->result && a->result->settings.group)
		return a->result->settings.group;
	return a->settings.group ? a->settings.group : REGISTRY_GROUP_DEFAULT;
}

static int cmd_register(struct app *a, int argc, char **argv)
{
	if (need_model(a))
		return -1;
	const struct pipeline_result *r = a->result;
	if (!r->gate.pass) {
		const char *why = "the gate failed";
		for (size_t i = 0; i < r->gate.nchecks; i++)
			if (!r->gate.checks[i].pass) {
				why = r->gate.checks[i].why;
				break;
			}
		app_message(a, true, "not registered: gate failed (%s)", why);
		return -1;
	}
	if (a->registry_version) {
		app_message(a, true, "this model is already version %d", a->registry_version);
		return -1;
	}
	/* Hashing a large data file takes a while: the worker publishes. */
	char *description = argc > 1 ? join_args(argc, argv, 1) : NULL;
	int rc = app_start_register(a, group_of(a), description);
	free(description);
	return rc;
}

static int set_status(struct app *a, int argc, char **argv, enum registry_status to)
{
	if (need_args(a, argc, 2, argv[0]))
		return -1;
	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	struct ft_err err;
	const char *ref = argv[1];
	char *end;
	long v = strtol(ref, &end, 10);
	if (*ref && !*end && v > 0 && v <= REGISTRY_VERSION_MAX) {
		snprintf(group, sizeof group, "%s", group_of(a));
		version = (int)v;
	} else if (registry_resolve(a->registry_root, ref, group, &version, &err)) {
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	char *reason = join_args(argc, argv, 2);
	int rc = registry_set_status(a->registry_root, group, version, to, reason, NULL, &err);
	free(reason);
	if (rc) {
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	app_message(a, false, "%s/%d is now %s", group, version, registry_status_name(to));
	return 0;
}

static int cmd_approve(struct app *a, int argc, char **argv)
{
	return set_status(a, argc, argv, REG_APPROVED);
}

static int cmd_reject(struct app *a, int argc, char **argv)
{
	return set_status(a, argc, argv, REG_REJECTED);
}

static int cmd_save(struct app *a, int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : a->pipeline_path;
	if (!path) {
		app_message(a, true, "usage: :save P.json");
		return -1;
	}
	/* The model's own settings when they are still current, so that
	 * `fraudtree run --pipeline P.json` rebuilds exactly this model (the
	 * tuned values are already adopted, so the grid is left out). */
	bool of_model = a->result && a->trained_version == a->settings_version;
	struct settings s;
	settings_copy(&s, of_model ? &a->result->settings : &a->settings);
	if (of_model)
		app_clear_tune(&s);
	char *json = settings_to_json(&s);
	settings_free(&s);
	struct ft_err err;
	int rc = file_write_atomic(path, json, strlen(json), 0644, &err);
	free(json);
	if (rc) {
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	if (of_model)
		a->result_saved = true;
	app_message(a, false, "saved %s settings to %s", of_model ? "the model's" : "the current", path);
	return 0;
}

static int cmd_load(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "load"))
		return -1;
	struct settings s;
	settings_init(&s);
	struct ft_err err;
	if (settings_load_file(&s, argv[1], &err) || settings_validate(&s, &err)) {
		settings_free(&s);
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	settings_free(&a->settings);
	a->settings = s;
	if (!a->settings.target && a->frame) {
		int t = frame_guess_target(a->frame);
		if (t >= 0)
			a->settings.target = xstrdup(a->frame->cols[t].name);
	}
	app_settings_changed(a);
	app_message(a, false, "settings loaded from %s", argv[1]);
	return 0;
}

static int cmd_export(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 2, "export") || need_model(a))
		return -1;
	const struct pipeline_result *r = a->result;
	const char *pos = r->target.positive ? r->target.positive : "fraud";
	const char *neg = r->target.negative ? r->target.negative : "legit";
	char *text;
	if (!strcmp(argv[1], "rules")) {
		/* The rules as the Tree screen shows them: the data's own column
		 * names and values, classes at the current threshold. */
		size_t n;
		char **lines = vm_tree_rules(r->tree, r->recipe, pos, neg,
					     r->test_metrics.threshold, &n);
		struct strbuf sb = { 0 };
		sb_append(&sb, "", 0);
		for (size_t i = 0; i < n; i++)
			sb_printf(&sb, "%s\n", lines[i]);
		vm_lines_free(lines, n);
		text = sb.data;
	} else if (!strcmp(argv[1], "text")) {
		text = tree_export_text(r->tree, pos, neg);
	} else {
		app_message(a, true, "export: expected rules or text, got '%s'", argv[1]);
		return -1;
	}
	struct ft_err err;
	int rc = file_write_atomic(argv[2], text, strlen(text), 0644, &err);
	free(text);
	if (rc) {
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	app_message(a, false, "%s written to %s", argv[1], argv[2]);
	return 0;
}

static int cmd_sort(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "sort"))
		return -1;
	int c = column_arg(a, argv[1]);
	if (c < 0)
		return -1;
	bool desc = argc > 2 && !strncasecmp(argv[2], "desc", 4);
	return scr_data_sort(a, c, desc);
}

static int cmd_unsort(struct app *a, int argc, char **argv)
{
	if (need_frame(a))
		return -1;
	return scr_data_sort(a, -1, false);
}

static int cmd_search(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "search") || need_frame(a))
		return -1;
	char *text = join_args(argc, argv, 1);
	int rc = scr_data_search(a, text, true);
	free(text);
	return rc;
}

static int cmd_next(struct app *a, int argc, char **argv)
{
	if (need_frame(a))
		return -1;
	return scr_data_search(a, NULL, true);
}

static int cmd_prev(struct app *a, int argc, char **argv)
{
	if (need_frame(a))
		return -1;
	return scr_data_search(a, NULL, false);
}

static int cmd_column(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "column"))
		return -1;
	int c = column_arg(a, argv[1]);
	if (c < 0)
		return -1;
	return scr_data_select_column(a, c);
}

static int cmd_restore(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "restore"))
		return -1;
	long n = strtol(argv[1], NULL, 10);
	if (n < 1 || (size_t)n > a->nhistory) {
		app_message(a, true, "restore: expected a run number 1..%zu", a->nhistory);
		return -1;
	}
	app_history_restore(a, (size_t)n - 1);
	return 0;
}

static int cmd_adopt(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "adopt") || need_model(a))
		return -1;
	long n = strtol(argv[1], NULL, 10);
	if (n < 1 || (size_t)n > a->result->ntune) {
		app_message(a, true, "adopt: expected a tuning row 1..%zu", a->result->ntune);
		return -1;
	}
	return scr_train_adopt(a, (size_t)n - 1);
}

static int cmd_screen(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, "screen"))
		return -1;
	for (int i = 0; i < SCR_COUNT; i++) {
		const struct screen_ops *s = screen_get((enum screen_id)i);
		char num[4];
		snprintf(num, sizeof num, "%d", i + 1);
		if (!strcasecmp(argv[1], s->name) || !strcmp(argv[1], num)) {
			screen_switch(a, (enum screen_id)i);
			return 0;
		}
	}
	app_message(a, true, "no screen named '%s'", argv[1]);
	return -1;
}

static int cmd_help(struct app *a, int argc, char **argv)
{
	if (argc > 1) {
		const struct command *c = commands_find(argv[1][0] == ':' ? argv[1] + 1 : argv[1]);
		if (!c) {
			app_message(a, true, "no command named '%s'", argv[1]);
			return -1;
		}
		app_message(a, false, ":%s %s  %s", c->name, c->args, c->help);
		return 0;
	}
	app_message(a, false, "F1 or ? lists the keys of this screen and every command");
	return 0;
}

static int cmd_quit(struct app *a, int argc, char **argv)
{
	if (app_model_at_risk(a))
		a->quit_requested = true;
	else
		a->quit = true;
	return 0;
}

static int cmd_quit_force(struct app *a, int argc, char **argv)
{
	a->quit = true;
	return 0;
}

#define A0 { ARG_NONE, ARG_NONE, ARG_NONE }

static const struct command table[] = {
	{ "open", "FILE", "load a CSV file (asks first when that would lose a model; Esc cancels)", { ARG_FILE, ARG_NONE, ARG_NONE }, cmd_open },
	{ "target", "COL", "use COL as the label", { ARG_COLUMN, ARG_NONE, ARG_NONE }, cmd_target },
	{ "drop", "COL...", "never use these columns as features", { ARG_COLUMN, ARG_COLUMN, ARG_COLUMN }, cmd_drop },
	{ "keep", "COL...", "use dropped columns as features again", { ARG_COLUMN, ARG_COLUMN, ARG_COLUMN }, cmd_keep },
	{ "impute", "COL STRATEGY", "fill missing values of COL: mean, median, most_frequent, constant:V, null", { ARG_COLUMN, ARG_IMPUTE, ARG_NONE }, cmd_impute },
	{ "encode", "COL METHOD", "encode categorical COL: onehot, frequency, ordinal, null", { ARG_COLUMN, ARG_ENCODE, ARG_NONE }, cmd_encode },
	{ "datetime", "COL [PART...]", "datetime parts of COL: hour day_of_week day month", { ARG_COLUMN, ARG_NONE, ARG_NONE }, cmd_datetime },
	{ "resample", "METHOD [RATIO]", "rebalance training: none undersample oversample smote class_weight", { ARG_RESAMPLE, ARG_NONE, ARG_NONE }, cmd_resample },
	{ "split", "TRAIN VALIDATION TEST [SEED]", "split shares (sum 1) and seed", A0, cmd_split },
	{ "set", "KEY VALUE", "set any pipeline setting (see fraudtree-pipeline(5))", { ARG_KEY, ARG_VALUE, ARG_NONE }, cmd_set },
	{ "train", "", "train a tree with the current settings", A0, cmd_train },
	{ "tune", "", "grid-search tune.* values, then train the best", A0, cmd_tune },
	{ "cancel", "", "stop the running load, training or tuning", A0, cmd_cancel },
	{ "threshold", "X", "move the decision threshold of the trained model", A0, cmd_threshold },
	{ "register", "[DESCRIPTION]", "publish the model to the registry (gate must pass)", { ARG_TEXT, ARG_TEXT, ARG_TEXT }, cmd_register },
	{ "approve", "VERSION REASON", "approve a registered version", { ARG_VERSION, ARG_TEXT, ARG_TEXT }, cmd_approve },
	{ "reject", "VERSION REASON", "reject a registered version", { ARG_VERSION, ARG_TEXT, ARG_TEXT }, cmd_reject },
	{ "save", "P.json", "write the pipeline settings (fraudtree run --pipeline reproduces the model)", { ARG_FILE, ARG_NONE, ARG_NONE }, cmd_save },
	{ "load", "P.json", "read pipeline settings from a file", { ARG_FILE, ARG_NONE, ARG_NONE }, cmd_load },
	{ "export", "rules|text FILE", "write the Tree screen's rules, or the tree as indented text", { ARG_EXPORT, ARG_FILE, ARG_NONE }, cmd_export },
	{ "sort", "COL [asc|desc]", "sort the Data grid by COL", { ARG_COLUMN, ARG_NONE, ARG_NONE }, cmd_sort },
	{ "unsort", "", "show rows in file order", A0, cmd_unsort },
	{ "search", "TEXT", "find the next row holding TEXT", { ARG_TEXT, ARG_TEXT, ARG_TEXT }, cmd_search },
	{ "next", "", "repeat the last search forwards", A0, cmd_next },
	{ "prev", "", "repeat the last search backwards", A0, cmd_prev },
	{ "column", "COL", "inspect COL on the Data screen", { ARG_COLUMN, ARG_NONE, ARG_NONE }, cmd_column },
	{ "restore", "N", "put back the settings of run N from the history", A0, cmd_restore },
	{ "adopt", "N", "adopt the parameters of tuning row N", A0, cmd_adopt },
	{ "screen", "NAME", "show a screen: data prepare train evaluate tree registry", A0, cmd_screen },
	{ "help", "[CMD]", "show help for a command", { ARG_COMMAND, ARG_NONE, ARG_NONE }, cmd_help },
	{ "q", "", "quit (asks when a trained model is neither registered nor saved)", A0, cmd_quit },
	{ "quit", "", "same as :q", A0, cmd_quit },
	{ "q!", "", "quit without asking", A0, cmd_quit_force },
};

const struct command *commands_table(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

const struct command *commands_find(const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

enum cmd_arg commands_arg_kind(const char *name, int index)
{
	const struct command *c = commands_find(name);
	if (!c || index < 1)
		return ARG_NONE;
	return c->complete[index > 3 ? 2 : index - 1];
}

char **commands_split(const char *line, int *argc)
{
	size_t cap = 8, n = 0;
	char **argv = xcalloc(cap, sizeof *argv);
	const char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		struct strbuf w = { 0 };
		sb_append(&w, "", 0);
		char quote = 0;
		while (*p && (quote || (*p != ' ' && *p != '\t'))) {
			if (quote && *p == quote) {
				quote = 0;
			} else if (!quote && (*p == '"' || *p == '\'')) {
				quote = *p;
			} else if (*p == '\\' && p[1] && quote != '\'') {
				p++;
				sb_append(&w, p, 1);
			} else {
				sb_append(&w, p, 1);
			}
			p++;
		}
		if (quote) {
			sb_free(&w);
			*argc = (int)n;
			commands_free_argv(argv);
			return NULL;
		}
		if (n + 2 > cap) {
			cap *= 2;
			argv = xreallocarray(argv, cap, sizeof *argv);
		}
		argv[n++] = w.data;
		argv[n] = NULL;
	}
	*argc = (int)n;
	return argv;
}

void commands_free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

int commands_invoke(struct app *a, int argc, char **argv)
{
	if (argc < 1)
		return 0;
	const struct command *c = commands_find(argv[0]);
	if (!c) {
		app_message(a, true, "unknown command ':%s' (F1 lists them)", argv[0]);
		return -1;
	}
	return c->run(a, argc, argv);
}

/* The text after the first n words, unsplit ("" when none). */
static const char *after_words(const char *p, int n)
{
	for (int i = 0; i < n; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int commands_run(struct app *a, const char *name, const char *arg1, const char *arg2)
{
	char *argv[] = { (char *)name, (char *)arg1, (char *)arg2, NULL };
	return commands_invoke(a, arg1 ? (arg2 ? 3 : 2) : 1, argv);
}

int commands_execute(struct app *a, const char *line)
{
	while (*line == ' ' || *line == ':')
		line++;
	/* :set takes its value verbatim: JSON lists and objects keep their
	 * quotes ("set gate [{\"metric\": \"recall\", ...}]") */
	if (!strncmp(line, "set", 3) && (line[3] == ' ' || line[3] == '\t')) {
		const char *key = after_words(line, 1);
		size_t klen = strcspn(key, " \t=");
		char *k = xstrndup(key, klen);
		const char *value = key[klen] == '=' ? key + klen + 1 : after_words(key, 1);
		char *v = xstrdup(value);
		char *argv[] = { (char *)"set", k, v, NULL };
		int rc = *k && (*v || key[klen] == '=') ? commands_invoke(a, 3, argv)
						     : commands_invoke(a, *k ? 2 : 1, argv);
		free(k);
		free(v);
		return rc;
	}
	int argc;
	char **argv = commands_split(line, &argc);
	if (!argv) {
		app_message(a, true, "unbalanced quote in '%s'", line);
		return -1;
	}
	int rc = commands_invoke(a, argc, argv);
	commands_free_argv(argv);
	return rc;
}
