/* commands: the workbench's commands that belong to no one screen, and the
 * lookup over them and every screen's own rows.
 *
 * Every handler checks all of its arguments first, then changes the
 * session in one step through app.h (app_set for settings, which goes
 * through the engine's settings_apply), sets a->message to say what
 * happened, and returns 0 or -1 with nothing changed. Handlers never draw
 * and never switch screens themselves (app_request_screen). */
#include "config.h"
#include "commands.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "model.h"
#include "pipeline.h"
#include "registry.h"
#include "screen.h"
#include "settings.h"
#include "tree.h"
#include "util.h"
#include "view.h"
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

static int usage(struct app *a, const char *name)
{
	const struct command *c = commands_find(name);
	app_message(a, true, "usage: :%s %s", name, c ? c->args : "");
	return -1;
}

/* At least min and at most max arguments after the name (max < 0: any). */
static int need_args(struct app *a, int argc, int min, int max, const char *name)
{
	if (argc - 1 < min || (max >= 0 && argc - 1 > max))
		return usage(a, name);
	return 0;
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
	sb_append(&sb, "", 0);
	for (int i = from; i < argc; i++) {
		if (i > from)
			sb_puts(&sb, " ");
		sb_puts(&sb, argv[i]);
	}
	return sb.data;
}

#define json_string app_quote

/* "KEY=\"text\"" for a per-column key, the column name quoted as JSON. */
static char *column_assign(const char *ns, const char *col, const char *value)
{
	return xasprintf("%s.columns.%s=%s", ns, col, value);
}

/* Split "a,b c" (commas and/or blanks) into words; caller frees with
 * commands_free_argv. */
static char **split_list(const char *text, int *n)
{
	char *copy = xstrdup(text);
	for (char *p = copy; *p; p++)
		if (*p == ',')
			*p = ' ';
	char **w = commands_split(copy, n);
	free(copy);
	return w;
}

/* ---- handlers ---- */

static void open_yes(struct app *a, void *ctx)
{
	app_start_load(a, ctx);
}

static int open_file(struct app *a, const char *path)
{
	if (a->job_running)
		return app_start_load(a, path);   /* says what is busy */
	/* A file that cannot be read is said so now, not after asking. */
	if (access(path, R_OK)) {
		app_message(a, true, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Loading closes the trained model: ask first, as quitting does. */
	if (app_model_at_risk(a)) {
		const char *slash = strrchr(path, '/');
		app_ask(a, open_yes, xstrdup(path), free, "open cancelled; the model is kept",
			"The trained model is neither registered nor saved. Open %s anyway? (y/n)",
			slash ? slash + 1 : path);
		return 0;
	}
	return app_start_load(a, path);
}

static int cmd_open(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, 1, "open"))
		return -1;
	return open_file(a, argv[1]);
}

static int cmd_reload(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 0, 0, "reload"))
		return -1;
	if (!a->path) {
		app_message(a, true, "no file loaded yet: :open FILE");
		return -1;
	}
	char *path = xstrdup(a->path);
	int rc = open_file(a, path);
	free(path);
	return rc;
}

static int cmd_target(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, 1, "target"))
		return -1;
	if (column_arg(a, argv[1]) < 0)
		return -1;
	return app_set_target(a, argv[1]);
}

static int cmd_drop(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, -1, "drop"))
		return -1;
	return app_drop(a, argv + 1, (size_t)argc - 1, true);
}

static int cmd_keep(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, -1, "keep"))
		return -1;
	return app_drop(a, argv + 1, (size_t)argc - 1, false);
}

static int column_setting(struct app *a, const char *ns, const char *col, const char *value,
			  const char *shown)
{
	if (column_arg(a, col) < 0)
		return -1;
	char *assign = column_assign(ns, col, value);
	const char *v[] = { assign };
	int rc = app_set(a, v, 1);
	free(assign);
	if (!rc)
		app_message(a, false, "%s of %s: %s (u undoes)", ns, col, shown);
	return rc;
}

static int cmd_impute(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 2, 2, "impute"))
		return -1;
	char *q = strcmp(argv[2], "null") ? json_string(argv[2]) : xstrdup("null");
	int rc = column_setting(a, "impute", argv[1], q,
				strcmp(argv[2], "null") ? argv[2] : "the default");
	free(q);
	return rc;
}

static int cmd_encode(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 2, 2, "encode"))
		return -1;
	char *q = strcmp(argv[2], "null") ? json_string(argv[2]) : xstrdup("null");
	int rc = column_setting(a, "encode", argv[1], q,
				strcmp(argv[2], "null") ? argv[2] : "the default");
	free(q);
	return rc;
}

static int cmd_datetime(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, -1, "datetime"))
		return -1;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "[");
	for (int i = 2; i < argc; i++) {
		char *q = json_string(argv[i]);
		sb_printf(&sb, "%s%s", i > 2 ? "," : "", q);
		free(q);
	}
	sb_puts(&sb, "]");
	char *shown = argc > 2 ? join_args(argc, argv, 2) : xstrdup("no parts");
	int rc = column_setting(a, "datetime", argv[1], sb.data, shown);
	free(shown);
	sb_free(&sb);
	return rc;
}

static int cmd_resample(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, 2, "resample"))
		return -1;
	char *method = json_string(argv[1]);
	char *m = xasprintf("resample.method=%s", method);
	char *r = argc > 2 ? xasprintf("resample.ratio=%s", argv[2]) : NULL;
	const char *v[] = { m, r };
	int rc = app_set(a, v, r ? 2 : 1);
	free(method);
	free(m);
	free(r);
	if (!rc)
		app_message(a, false, "resampling: %s, ratio %s (u undoes)",
			    resample_name(a->settings.resample),
			    view_num(a->settings.resample_ratio).s);
	return rc;
}

/* :split TRAIN VALIDATION TEST [SEED]: blanks or commas between them, as
 * every list the workbench reads. */
static int cmd_split(struct app *a, int argc, char **argv)
{
	char *text = join_args(argc, argv, 1);
	int n;
	char **w = split_list(text, &n);
	free(text);
	if (!w || n < 3 || n > 4) {
		commands_free_argv(w);
		return usage(a, "split");
	}
	static const char *const keys[] = { "split.train", "split.validation", "split.test",
					    "split.seed" };
	char *assign[4];
	for (int i = 0; i < n; i++)
		assign[i] = xasprintf("%s=%s", keys[i], w[i]);
	int rc = app_set(a, (const char *const *)assign, (size_t)n);
	for (int i = 0; i < n; i++)
		free(assign[i]);
	commands_free_argv(w);
	if (!rc)
		app_message(a, false, "split %s / %s / %s, seed %llu (u undoes)",
			    view_num(a->settings.split_train).s,
			    view_num(a->settings.split_validation).s,
			    view_num(a->settings.split_test).s,
			    (unsigned long long)a->settings.split_seed);
	return rc;
}

static int cmd_set(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, -1, "set"))
		return -1;
	char *key, *value;
	char *eq = strchr(argv[1], '=');
	if (eq && argc == 2) {
		key = xstrndup(argv[1], (size_t)(eq - argv[1]));
		value = xstrdup(eq + 1);
	} else {
		if (argc < 3) {
			free(NULL);
			return usage(a, "set");
		}
		key = xstrdup(argv[1]);
		value = join_args(argc, argv, 2);
	}
	bool reread = app_reread_needed(a);
	int rc = app_set1(a, key, value);
	if (!rc) {
		if (!reread && app_reread_needed(a))
			app_message(a, false, "set %s = %s; the file was read with other na_values:"
				    " :reload reads it again with these (u undoes)", key, value);
		else
			app_message(a, false, "set %s = %s (u undoes)", key, value);
	}
	free(key);
	free(value);
	return rc;
}

static int cmd_train(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 0, 0, argv[0]))
		return -1;
	return app_start_train(a, false);
}

static int cmd_tune(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 0, 0, argv[0]))
		return -1;
	return app_start_train(a, true);
}

static int cmd_cancel(struct app *a, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!a->job_running) {
		app_message(a, false, "nothing is running");
		return 0;
	}
	app_cancel_job(a);
	return 0;
}

static int cmd_threshold(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, 1, "threshold"))
		return -1;
	if (!strcmp(argv[1], "min_cost")) {
		if (app_set1(a, "threshold", "\"min_cost\""))
			return -1;
		app_message(a, false, "threshold min_cost: the next training chooses it on the"
			    " validation split (u undoes)");
		return 0;
	}
	char *end;
	errno = 0;
	double t = strtod(argv[1], &end);
	if (errno || end == argv[1] || *end || !(t >= 0 && t <= 1)) {
		app_message(a, true, "threshold: expected a number in [0, 1], got '%s'", argv[1]);
		return -1;
	}
	return app_set_threshold(a, t);
}

static int cmd_register(struct app *a, int argc, char **argv)
{
	if (app_can_register(a))
		return -1;
	/* Hashing a large data file takes a while: the worker publishes. */
	char *description = argc > 1 ? join_args(argc, argv, 1) : NULL;
	int rc = app_start_register(a, app_group(a), description);
	free(description);
	return rc;
}

static void save_yes(struct app *a, void *ctx)
{
	const char *path = ctx;
	char *json = settings_to_json(&a->settings);
	struct ft_err err;
	int rc = file_write_atomic(path, json, strlen(json), 0644, &err);
	free(json);
	if (rc) {
		app_message(a, true, "%s", err.msg);
		return;
	}
	char **keys;
	size_t n = app_stale_keys(a, &keys);
	if (!a->result) {
		app_message(a, false, "saved the settings on screen to %s (no model trained yet)",
			    path);
	} else if (!n) {
		a->result_saved = true;
		app_message(a, false, "saved the settings on screen to %s; they match the model"
			    " (fraudtree run --pipeline %s rebuilds it)", path, path);
	} else {
		struct strbuf sb = { 0 };
		for (size_t i = 0; i < n; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", keys[i]);
		app_message(a, false, "saved the settings on screen to %s; they differ from the"
			    " model's in %zu setting%s: %s", path, n, n == 1 ? "" : "s", sb.data);
		sb_free(&sb);
	}
	settings_diff_free(keys, n);
}

static int cmd_save(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 0, 1, "save"))
		return -1;
	const char *path = argc > 1 ? argv[1] : a->pipeline_path;
	if (!path) {
		app_message(a, true, "usage: :save P.json");
		return -1;
	}
	struct stat st;
	if (!lstat(path, &st)) {
		if (S_ISLNK(st.st_mode)) {
			app_message(a, true, "%s: is a symbolic link; nothing is written through a"
				    " link", path);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			app_message(a, true, "%s: not a regular file; nothing written", path);
			return -1;
		}
		app_ask(a, save_yes, xstrdup(path), free, "not saved",
			"%s exists. Overwrite it with the settings on screen? (y/n)", path);
		return 0;
	}
	char *copy = xstrdup(path);
	save_yes(a, copy);
	free(copy);
	return 0;
}

static int cmd_load(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, 1, "load"))
		return -1;
	struct settings s;
	settings_init(&s);
	struct ft_err err;
	if (settings_load_file(&s, argv[1], &err) || settings_validate(&s, &err)) {
		settings_free(&s);
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	if (!s.target && a->frame) {
		int t = frame_guess_target(a->frame);
		if (t >= 0)
			s.target = xstrdup(a->frame->cols[t].name);
	}
	if (a->frame && s.target && frame_find(a->frame, s.target) < 0) {
		app_message(a, true, "%s: target: no column named '%s' in the loaded file; nothing"
			    " changed", argv[1], s.target);
		settings_free(&s);
		return -1;
	}
	int rc = app_replace_settings(a, &s);
	settings_free(&s);
	if (rc)
		return -1;
	app_message(a, false, "settings loaded from %s (u undoes)%s", argv[1],
		    app_reread_needed(a) ? "; other na_values: :reload reads the file with them" : "");
	return 0;
}

static int cmd_export(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 2, 2, "export") || need_model(a))
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
		/* a file a person reads: a name or a value with a line break
		 * or an escape in it shows them escaped, as on the screen */
		for (size_t i = 0; i < n; i++) {
			char *shown = ft_escape_controls(lines[i]);
			sb_printf(&sb, "%s\n", shown);
			free(shown);
		}
		vm_lines_free(lines, n);
		text = sb.data;
	} else if (!strcmp(argv[1], "text")) {
		text = vm_tree_text(r->tree, r->recipe, pos, neg, r->test_metrics.threshold);
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

static int cmd_undo(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 0, 0, "undo"))
		return -1;
	return app_undo(a);
}

static int cmd_screen(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 1, 1, "screen"))
		return -1;
	enum screen_id id = screen_find(argv[1]);
	if (id == SCR_COUNT) {
		app_message(a, true, "no screen named '%s'", argv[1]);
		return -1;
	}
	app_request_screen(a, id);
	return 0;
}

static int cmd_messages(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 0, 0, "messages"))
		return -1;
	a->overlay = OVERLAY_LOG;
	return 0;
}

static int cmd_help(struct app *a, int argc, char **argv)
{
	if (need_args(a, argc, 0, 1, "help"))
		return -1;
	if (argc > 1) {
		const struct command *c = commands_find(argv[1][0] == ':' ? argv[1] + 1 : argv[1]);
		if (!c) {
			app_message(a, true, "no command named '%s'", argv[1]);
			return -1;
		}
		app_message(a, false, ":%s %s  %s", c->name, c->args, c->help);
		return 0;
	}
	a->overlay = OVERLAY_HELP;
	return 0;
}

static void quit_yes(struct app *a, void *ctx)
{
	(void)ctx;
	a->quit = true;
}

static int cmd_quit(struct app *a, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (app_model_at_risk(a))
		app_ask(a, quit_yes, NULL, NULL, "quit cancelled",
			"The trained model is neither registered nor saved. Quit anyway? (y/n)");
	else
		a->quit = true;
	return 0;
}

static int cmd_quit_force(struct app *a, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	a->quit = true;
	return 0;
}

#define A0 { ARG_NONE, ARG_NONE, ARG_NONE }

/* The commands of every screen; each screen adds its own rows
 * (screen_ops.commands). */
static const struct command table[] = {
	{ "open", "FILE", "load a CSV file (asks first when that would lose a model)", { ARG_FILE, ARG_NONE, ARG_NONE }, cmd_open },
	{ "reload", "", "read the loaded file again (after :set na_values)", A0, cmd_reload },
	{ "target", "COL", "use COL as the label", { ARG_COLUMN, ARG_NONE, ARG_NONE }, cmd_target },
	{ "drop", "COL...", "never use these columns as features", { ARG_COLUMN, ARG_COLUMN, ARG_COLUMN }, cmd_drop },
	{ "keep", "COL...", "use dropped columns as features again", { ARG_COLUMN, ARG_COLUMN, ARG_COLUMN }, cmd_keep },
	{ "impute", "COL STRATEGY", "fill missing values of COL: mean, median (numeric), most_frequent, constant:V, null", { ARG_COLUMN, ARG_IMPUTE, ARG_NONE }, cmd_impute },
	{ "encode", "COL METHOD", "encode categorical COL: onehot, frequency, ordinal, null", { ARG_COLUMN, ARG_ENCODE, ARG_NONE }, cmd_encode },
	{ "datetime", "COL [PART...]", "datetime parts of COL: " DT_PART_NAMES(" "), { ARG_COLUMN, ARG_NONE, ARG_NONE }, cmd_datetime },
	{ "resample", "METHOD [RATIO]", "rebalance training: " RESAMPLE_NAMES(" "), { ARG_RESAMPLE, ARG_NONE, ARG_NONE }, cmd_resample },
	{ "split", "TRAIN VALIDATION TEST [SEED]", "split shares (sum 1) and seed; blanks or commas between them", A0, cmd_split },
	{ "set", "KEY VALUE", "set any pipeline setting (see fraudtree-pipeline(5))", { ARG_KEY, ARG_VALUE, ARG_NONE }, cmd_set },
	{ "undo", "", "put back the settings before the last change (key u)", A0, cmd_undo },
	{ "train", "", "train a tree with the current settings", A0, cmd_train },
	{ "tune", "", "grid-search tune.* values, then train the best", A0, cmd_tune },
	{ "cancel", "", "stop the running load, training or tuning", A0, cmd_cancel },
	{ "threshold", "X|min_cost", "move the decision threshold (the model is re-evaluated at once)", A0, cmd_threshold },
	{ "register", "[DESCRIPTION]", "publish the model to the registry (gate must pass)", { ARG_TEXT, ARG_TEXT, ARG_TEXT }, cmd_register },
	{ "save", "[P.json]", "write the settings on screen (asks before overwriting)", { ARG_FILE, ARG_NONE, ARG_NONE }, cmd_save },
	{ "load", "P.json", "read pipeline settings from a file", { ARG_FILE, ARG_NONE, ARG_NONE }, cmd_load },
	{ "export", "rules|text FILE", "write the Tree screen's rules, or the tree as indented text", { ARG_EXPORT, ARG_FILE, ARG_NONE }, cmd_export },
	{ "screen", "NAME", "show a screen: data prepare train evaluate tree registry", A0, cmd_screen },
	{ "messages", "", "every message of this session, whole", A0, cmd_messages },
	{ "help", "[CMD]", "the help screen, or one command's usage", { ARG_COMMAND, ARG_NONE, ARG_NONE }, cmd_help },
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
	for (int s = 0; s < SCR_COUNT; s++) {
		const struct screen_ops *ops = screen_get((enum screen_id)s);
		for (size_t i = 0; i < ops->ncommands; i++)
			if (!strcmp(ops->commands[i].name, name))
				return &ops->commands[i];
	}
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
	/* what the line said before is not this command's answer */
	a->message[0] = '\0';
	a->message_error = false;
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
	/* :filter takes its expression verbatim too: its quotes and
	 * backquotes are the filter language's (src/filter.h) */
	if (!strncmp(line, "filter", 6) && (line[6] == ' ' || line[6] == '\t')) {
		const char *expr = after_words(line, 1);
		char *argv[] = { (char *)"filter", (char *)expr, NULL };
		return commands_invoke(a, *expr ? 2 : 1, argv);
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

/* ---- completion ---- */

struct cands {
	char **v;
	size_t n;
};

static void cand_add(struct cands *c, const char *s)
{
	c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
	c->v[c->n++] = xstrdup(s);
}

/* Values listed as "a|b|c" in a setting's description; "<...>" and words
 * with spaces are descriptions, not values. */
static void cand_add_alternatives(struct cands *c, const char *values)
{
	const char *p = values;
	if (!strncmp(p, "list of ", 8))
		p += 8;
	while (*p) {
		size_t n = strcspn(p, "|");
		if (n && !memchr(p, ' ', n) && !memchr(p, ':', n)) {
			char *w = xstrndup(p, n);
			cand_add(c, w);
			free(w);
		}
		p += n;
		if (*p == '|')
			p++;
	}
}

static void cand_columns(struct cands *c, const struct app *a)
{
	if (a && a->frame)
		for (size_t i = 0; i < a->frame->ncols; i++)
			cand_add(c, a->frame->cols[i].name);
}

static void cands_for(struct cands *c, const struct app *a, enum cmd_arg kind, const char *prev)
{
	size_t n;
	switch (kind) {
	case ARG_COMMAND: {
		const struct command *t = commands_table(&n);
		for (size_t i = 0; i < n; i++)
			cand_add(c, t[i].name);
		for (int s = 0; s < SCR_COUNT; s++) {
			const struct screen_ops *ops = screen_get((enum screen_id)s);
			for (size_t i = 0; i < ops->ncommands; i++)
				cand_add(c, ops->commands[i].name);
		}
		break;
	}
	case ARG_COLUMN:
		cand_columns(c, a);
		break;
	case ARG_IMPUTE:
		cand_add(c, "mean"); cand_add(c, "median"); cand_add(c, "most_frequent");
		cand_add(c, "constant:"); cand_add(c, "null");
		break;
	case ARG_ENCODE:
		for (int e = 0; e < ENC_COUNT; e++)
			cand_add(c, encoding_name((enum encoding)e));
		cand_add(c, "null");
		break;
	case ARG_RESAMPLE:
		for (int m = 0; m < RESAMPLE_COUNT; m++)
			cand_add(c, resample_name((enum resample_method)m));
		break;
	case ARG_EXPORT:
		cand_add(c, "rules"); cand_add(c, "text");
		break;
	case ARG_KEY: {
		const struct setting_key *k = settings_keys(&n);
		for (size_t i = 0; i < n; i++) {
			const char *lt = strchr(k[i].key, '<');
			if (!lt) {
				cand_add(c, k[i].key);
				continue;
			}
			if (!a || !a->frame)
				continue;
			for (size_t col = 0; col < a->frame->ncols; col++) {
				char *s = xasprintf("%.*s%s", (int)(lt - k[i].key), k[i].key,
						    a->frame->cols[col].name);
				cand_add(c, s);
				free(s);
			}
		}
		break;
	}
	case ARG_VALUE: {
		if (!prev)
			break;
		const struct setting_key *k = settings_keys(&n);
		for (size_t i = 0; i < n; i++) {
			const char *lt = strchr(k[i].key, '<');
			size_t plen = lt ? (size_t)(lt - k[i].key) : strlen(k[i].key) + 1;
			if (lt ? !strncmp(prev, k[i].key, plen) : !strcmp(prev, k[i].key)) {
				cand_add_alternatives(c, k[i].values);
				break;
			}
		}
		if (!strcmp(prev, "target"))
			cand_columns(c, a);
		break;
	}
	default:
		break;
	}
}

char **commands_complete(const struct app *a, const char *head, size_t *n, bool *files)
{
	while (*head == ' ' || *head == ':')
		head++;
	int argc = 0;
	char **argv = commands_split(head, &argc);
	enum cmd_arg kind = ARG_COMMAND;
	if (argv && argc > 0)
		kind = commands_arg_kind(argv[0], argc);
	struct cands c = { 0 };
	*files = kind == ARG_FILE;
	if (argv && !*files)
		cands_for(&c, a, kind, argc > 1 ? argv[argc - 1] : NULL);
	commands_free_argv(argv);
	*n = c.n;
	return c.v;
}
