/* The workbench's command handlers, run on a real session (the bundled
 * sample loaded and trained as the workbench does it, without a terminal):
 * each command with valid arguments, with invalid ones, and "nothing
 * changed on error"; and the rule that a key means one thing. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "app.h"
#include "commands.h"
#include "pipeline.h"
#include "screen.h"
#include "settings.h"
#include "util.h"

struct fixture {
	struct app a;
	char dir[64];
};

static void wait_job(struct app *a)
{
	while (a->job_running) {
		app_poll_job(a);
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

static char *sample_path(void)
{
	const char *src = getenv("FT_SRCDIR");
	return xasprintf("%s/data/transactions.csv", src ? src : ".");
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	app_init(&f->a);
	snprintf(f->dir, sizeof f->dir, "/tmp/ft-ui-commands.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->a.registry_root = xasprintf("%s/registry", f->dir);
	char *path = sample_path();
	int rc = app_start_load(&f->a, path);
	free(path);
	if (rc)
		return -1;
	wait_job(&f->a);
	*state = f;
	return f->a.frame ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->dir);
	if (system(cmd)) {
		/* the directory is only a temporary one */
	}
	free(cmd);
	for (int i = 0; i < SCR_COUNT; i++)
		if (screen_get((enum screen_id)i)->free_state)
			screen_get((enum screen_id)i)->free_state(&f->a);
	app_free(&f->a);
	free(f);
	return 0;
}

static char *settings_text(const struct app *a)
{
	return settings_to_json(&a->settings);
}

/* Run line; it must fail, say `words`, and leave the settings as they were. */
static void refused(struct app *a, const char *line, const char *words)
{
	char *before = settings_text(a);
	unsigned long version = a->settings_version;
	int rc = commands_execute(a, line);
	if (rc != -1 || !a->message_error)
		fail_msg("'%s' was accepted: %s", line, a->message);
	if (words && !strstr(a->message, words))
		fail_msg("'%s' said '%s', expected '%s'", line, a->message, words);
	if (strstr(a->message, "--set"))
		fail_msg("'%s' spoke option syntax: %s", line, a->message);
	char *after = settings_text(a);
	assert_string_equal(before, after);
	assert_int_equal(version, a->settings_version);
	free(before);
	free(after);
}

static void accepted(struct app *a, const char *line)
{
	if (commands_execute(a, line) != 0 || a->message_error)
		fail_msg("'%s' failed: %s", line, a->message);
}

static void train(struct app *a, const char *how)
{
	accepted(a, how);
	wait_job(a);
	assert_non_null(a->result);
}

/* ---- the cases seen ---- */

static void test_resample(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	refused(a, "resample smote abc", "resample.ratio");
	assert_int_equal(a->settings.resample, RESAMPLE_NONE);
	refused(a, "resample sideways", "resample.method");
	refused(a, "resample smote 0.5 extra", "usage");
	accepted(a, "resample smote 0.5");
	assert_int_equal(a->settings.resample, RESAMPLE_SMOTE);
	assert_true(a->settings.resample_ratio == 0.5);
	assert_non_null(strstr(a->message, "smote, ratio 0.5"));
}

static void test_keep_and_drop(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	refused(a, "keep nosuch", "no column named 'nosuch'");
	refused(a, "keep dist1", "not in the drop list");
	refused(a, "drop dist1 nosuch", "no column named 'nosuch'");
	assert_false(settings_is_dropped(&a->settings, "dist1"));
	accepted(a, "drop dist1 card_type");
	assert_true(settings_is_dropped(&a->settings, "dist1"));
	assert_non_null(strstr(a->message, "dropped dist1, card_type"));
	accepted(a, "keep dist1");
	assert_non_null(strstr(a->message, "kept dist1 as a feature"));
	assert_false(settings_is_dropped(&a->settings, "dist1"));
	assert_true(settings_is_dropped(&a->settings, "card_type"));
	/* u undoes, one change at a time */
	accepted(a, "undo");
	assert_true(settings_is_dropped(&a->settings, "dist1"));
	accepted(a, "undo");
	assert_false(settings_is_dropped(&a->settings, "dist1"));
	assert_false(settings_is_dropped(&a->settings, "card_type"));
}

static void test_target(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	assert_string_equal(a->settings.target, "isFraud");
	refused(a, "set target nosuch", "target: no column named 'nosuch'");
	refused(a, "target nosuch", "no column named 'nosuch'");
	assert_string_equal(a->settings.target, "isFraud");
	refused(a, "set drop [\"isFraud\"]", "target");
	accepted(a, "target ProductCD");
	assert_string_equal(a->settings.target, "ProductCD");
	assert_non_null(strstr(a->message, "was isFraud"));
	accepted(a, "undo");
	assert_string_equal(a->settings.target, "isFraud");
}

static void test_column_types(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	refused(a, "impute card_type mean", "card_type is categorical");
	refused(a, "impute card_type median", "categorical");
	refused(a, "set impute.columns.card_type mean", "categorical");
	refused(a, "impute dist1 constant:abc", "must be a number");
	refused(a, "impute nosuch median", "no column named");
	refused(a, "encode TransactionAmt onehot", "only categorical columns are encoded");
	refused(a, "encode timestamp frequency", "only categorical");
	refused(a, "datetime dist1 hour", "not a datetime column");
	refused(a, "encode card_type sideways", "encode.columns.card_type");
	accepted(a, "impute dist1 mean");
	accepted(a, "impute card_type constant:none");
	accepted(a, "encode card_type frequency");
	accepted(a, "datetime timestamp hour month");
	const struct column_setting *c = settings_column(&a->settings, "timestamp");
	assert_non_null(c);
	assert_int_equal(c->datetime_parts, DT_HOUR | DT_MONTH);
	accepted(a, "impute dist1 null");
}

static void test_sort(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	refused(a, "sort TransactionAmt sideways", "expected asc or desc");
	refused(a, "sort nosuch", "no column named");
	accepted(a, "sort TransactionAmt desc");
	assert_int_equal(a->next_screen, SCR_DATA);   /* the main loop switches */
	/* The sort runs in the background; while it runs, unsort is refused
	 * with a message (never dropped). Under a slow build (sanitizers) it
	 * can still be running here, so retry until it has finished. */
	for (int i = 0; i < 10000; i++) {
		if (commands_execute(a, "unsort") == 0 && !a->message_error)
			return;
		if (!strstr(a->message, "busy"))
			fail_msg("'unsort' failed: %s", a->message);
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	fail_msg("the sort never finished");
}

static void test_split_lists(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	refused(a, "split 0.5 0.5 0.5", "sum to 1");
	refused(a, "split 0.5 0.5", "usage");
	refused(a, "split 0.6 0.2 0.2 1 2", "usage");
	assert_true(a->settings.split_train == 0.6);
	accepted(a, "split 0.7,0.15,0.15");
	assert_true(a->settings.split_train == 0.7);
	accepted(a, "split 0.5, 0.25, 0.25, 7");
	assert_true(a->settings.split_train == 0.5);
	assert_int_equal(a->settings.split_seed, 7);
	accepted(a, "split 0.6 0.2 0.2 42");
	/* the tune lists read the JSON form, commas and blanks */
	accepted(a, "set tune.max_depth [3, 5]");
	assert_int_equal(a->settings.tune_max_depth.n, 2);
	accepted(a, "set tune.max_depth 3,5,8");
	assert_int_equal(a->settings.tune_max_depth.n, 3);
	accepted(a, "set tune.max_depth 4 6");
	assert_int_equal(a->settings.tune_max_depth.n, 2);
	assert_int_equal(a->settings.tune_max_depth.v[1], 6);
	refused(a, "set tune.max_depth [a", "tune.max_depth");
	refused(a, "set tune.max_depth 3,x", "tune.max_depth");
	refused(a, "set tree.depth 3", "did you mean");
	accepted(a, "set tune.max_depth []");
	/* the other tune.* keys are not lists: :set takes them as --set does */
	accepted(a, "set tune.ccp_alpha=path");
	assert_int_equal(a->settings.tune_ccp_alpha, TUNE_CCP_PATH);
	accepted(a, "set tune.cv 5");
	assert_int_equal(a->settings.tune_cv, 5);
	accepted(a, "set tune.objective recall");
}

static void test_usage(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	refused(a, "train now", "usage");
	refused(a, "undo 3", "usage");
	refused(a, "threshold", "usage");
	refused(a, "threshold 2", "expected a number in [0, 1]");
	refused(a, "threshold abc", "expected a number");
	refused(a, "screen nowhere", "no screen named");
	refused(a, "nosuchcommand", "unknown command");
	refused(a, "open /nonexistent/x.csv", "No such file");
	refused(a, "load /nonexistent/p.json", "/nonexistent/p.json");
	refused(a, "restore 1", "restore");
	refused(a, "adopt 1", "adopt");
	refused(a, "approve 1", "usage");
	refused(a, "approve 1   ", "usage");
	refused(a, "reject 99 because", "");
	accepted(a, "screen train");
	assert_int_equal(a->next_screen, SCR_TRAIN);
}

/* Threshold and gate edits apply to the current model at once: Train,
 * Evaluate and :register read the same numbers. */
static void test_threshold_and_gate_follow_the_model(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	train(a, "train");
	accepted(a, "set threshold 0.3");
	assert_true(a->result->test_metrics.threshold == 0.3);
	assert_true(a->result->settings.threshold == 0.3);
	accepted(a, "threshold 0.55");
	assert_true(a->result->test_metrics.threshold == 0.55);
	assert_true(a->settings.threshold == 0.55);
	bool pass = a->result->gate.pass;
	assert_true(pass);
	accepted(a, "set gate recall>=0.99");
	assert_false(a->result->gate.pass);
	refused(a, "register", "gate failed");
	accepted(a, "undo");
	assert_true(a->result->gate.pass);
	/* neither is a reason to call the model stale */
	char **keys;
	size_t n = app_stale_keys(a, &keys);
	assert_int_equal(n, 0);
	settings_diff_free(keys, n);
	accepted(a, "set tree.max_depth 3");
	n = app_stale_keys(a, &keys);
	assert_int_equal(n, 1);
	assert_string_equal(keys[0], "tree.max_depth");
	settings_diff_free(keys, n);
	accepted(a, "undo");
	/* a threshold chosen by training (min_cost) stays the model's when
	 * another setting changes */
	accepted(a, "threshold min_cost");
	train(a, "train");
	double chosen = a->result->settings.threshold;
	assert_true(a->result->settings.threshold_min_cost);
	accepted(a, "set tree.max_depth 4");
	assert_true(a->result->settings.threshold == chosen);
	assert_true(a->result->test_metrics.threshold == chosen);
	accepted(a, "threshold 0.4");
	assert_true(a->result->test_metrics.threshold == 0.4);
}

static void test_tune_adopts(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	accepted(a, "set tune.max_depth 2,4");
	accepted(a, "set tree.max_depth 8");
	train(a, "tune");
	int depth = a->result->settings.tree.max_depth;
	assert_true(depth == 2 || depth == 4);
	/* the panel shows what the model was trained with */
	assert_int_equal(a->settings.tree.max_depth, depth);
	char **keys;
	size_t n = app_stale_keys(a, &keys);
	assert_int_equal(n, 0);
	settings_diff_free(keys, n);
	/* and t then trains the same model */
	size_t nodes = a->result->tree->nnodes;
	train(a, "train");
	assert_int_equal(a->result->tree->nnodes, nodes);
}

static void test_history_and_files(void **state)
{
	struct fixture *f = *state;
	struct app *a = &f->a;
	train(a, "train");
	accepted(a, "set tree.max_depth 3");
	train(a, "train");
	assert_int_equal(a->nhistory, 2);
	assert_string_equal(a->history[0].path, a->path);
	accepted(a, "restore 1");
	assert_int_equal(a->settings.tree.max_depth, a->history[0].settings.tree.max_depth);
	refused(a, "restore 3", "1..2");
	refused(a, "restore x", "1..2");
	/* a run of another file is refused */
	free(a->history[0].path);
	a->history[0].path = xstrdup("/elsewhere/other.csv");
	refused(a, "restore 1", "trained on other.csv");
}

static void test_save_asks_and_says(void **state)
{
	struct fixture *f = *state;
	struct app *a = &f->a;
	char *p = xasprintf("%s/p.json", f->dir);
	char *line = xasprintf("save %s", p);
	accepted(a, line);
	assert_null(a->question);
	assert_non_null(strstr(a->message, "no model trained yet"));
	train(a, "train");
	accepted(a, line);   /* exists now: asks */
	assert_non_null(a->question);
	app_answer(a, false);
	assert_false(a->result_saved);
	accepted(a, line);
	app_answer(a, true);
	assert_true(a->result_saved);
	assert_non_null(strstr(a->message, "they match the model"));
	/* what was written is the settings on screen */
	struct settings s;
	settings_init(&s);
	struct ft_err err;
	assert_int_equal(settings_load_file(&s, p, &err), 0);
	char *on_disk = settings_to_json(&s), *on_screen = settings_to_json(&a->settings);
	assert_string_equal(on_disk, on_screen);
	free(on_disk);
	free(on_screen);
	settings_free(&s);
	accepted(a, "set tree.max_depth 2");
	accepted(a, line);
	app_answer(a, true);
	assert_non_null(strstr(a->message, "differ from the model's in 1 setting: tree.max_depth"));
	/* never through a link, never over a directory */
	char *link = xasprintf("%s/link.json", f->dir), *cmd = xasprintf("save %s", link);
	assert_int_equal(symlink(p, link), 0);
	refused(a, cmd, "symbolic link");
	assert_null(a->question);
	free(cmd);
	cmd = xasprintf("save %s", f->dir);
	refused(a, cmd, "not a regular file");
	free(cmd);
	free(link);
	free(line);
	free(p);
}

static void test_na_values_says_reread(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	assert_false(app_reread_needed(a));
	accepted(a, "set na_values ?");
	assert_true(app_reread_needed(a));
	assert_non_null(strstr(a->message, ":reload"));
	accepted(a, "reload");
	wait_job(a);
	assert_false(app_reread_needed(a));
}

static void test_quit_and_open_ask(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	train(a, "train");
	accepted(a, "q");
	assert_false(a->quit);
	assert_non_null(a->question);
	app_answer(a, false);
	assert_false(a->quit);
	char *path = sample_path();
	char *line = xasprintf("open %s", path);
	accepted(a, line);
	assert_non_null(a->question);
	assert_false(a->job_running);
	app_answer(a, false);
	assert_non_null(a->result);
	free(line);
	free(path);
	accepted(a, "q!");
	assert_true(a->quit);
}

static void test_register_approve_confirms(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	train(a, "train");
	accepted(a, "register first");
	wait_job(a);
	assert_int_equal(a->registry_version, 1);
	refused(a, "register again", "already version 1");
	refused(a, "approve 1", "usage");
	refused(a, "approve 2 looks fine", "");
	accepted(a, "approve 1 looks fine");
	assert_non_null(a->question);
	assert_non_null(strstr(a->question->text, "fraud-detection-model-group/1"));
	assert_non_null(strstr(a->question->text, "PendingManualApproval -> Approved"));
	assert_non_null(strstr(a->question->text, "\"looks fine\""));
	assert_non_null(strstr(a->question->text, "gate PASS (accuracy"));
	app_answer(a, false);
	assert_string_equal(a->message, "nothing changed in the registry");
	accepted(a, "approve 1 looks fine");
	app_answer(a, true);
	assert_non_null(strstr(a->message, "is now Approved"));
	refused(a, "approve 1 again", "already Approved");
}

/* The sample with column col (1-based) scaled by k; caller frees the path. */
static char *scaled_copy(const char *dir, const char *name, int col, double k, size_t rows)
{
	char *src = sample_path();
	char *text = file_read_all(src, NULL, NULL);
	assert_non_null(text);
	char *path = xasprintf("%s/%s", dir, name);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	size_t line = 0;
	for (char *p = text; *p && line <= rows; line++) {
		char *nl = strchr(p, '\n');
		*nl = '\0';
		if (line == 0 || k == 1) {
			fprintf(out, "%s\n", p);
		} else {
			/* generated rows quote only the merchant, after column 5 */
			int c = 1;
			for (char *q = p; *q; q++) {
				if (c == col) {
					char *end;
					double v = strtod(q, &end);
					fprintf(out, "%.17g", v * k);
					q = end - 1;
					c = -1;
					continue;
				}
				fputc(*q, out);
				c += *q == ',' && c > 0;
			}
			fputc('\n', out);
		}
		p = nl + 1;
	}
	fclose(out);
	free(text);
	free(src);
	return path;
}

static void test_card_and_drift(void **state)
{
	struct fixture *f = *state;
	struct app *a = &f->a;
	train(a, "train");
	refused(a, "card", "select a version");      /* nothing registered yet */
	accepted(a, "register for the card");
	wait_job(a);
	assert_int_equal(a->registry_version, 1);

	/* the card: written off the UI thread, to a new file at once */
	char *html = xasprintf("%s/card.html", f->dir), *md = xasprintf("%s/card.md", f->dir);
	char *line = xasprintf("card %s", html);
	accepted(a, line);
	assert_true(a->job_running);
	wait_job(a);
	assert_false(a->message_error);
	assert_non_null(strstr(a->message, "written to"));
	char *text = file_read_all(html, NULL, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "<!DOCTYPE html>"));
	assert_non_null(strstr(text, "fraud-detection-model-group/1"));
	free(text);
	/* an existing file: asked first; no keeps it */
	FILE *fp = fopen(html, "w");
	fputs("mine\n", fp);
	fclose(fp);
	accepted(a, line);
	assert_non_null(a->question);
	assert_non_null(strstr(a->question->text, "exists. Overwrite it"));
	app_answer(a, false);
	assert_string_equal(a->message, "model card not written");
	assert_false(a->job_running);
	text = file_read_all(html, NULL, NULL);
	assert_string_equal(text, "mine\n");
	free(text);
	accepted(a, line);
	app_answer(a, true);
	wait_job(a);
	text = file_read_all(html, NULL, NULL);
	assert_non_null(strstr(text, "<!DOCTYPE html>"));
	free(text);
	free(line);
	/* Markdown by the name; links, directories and standard output refused */
	line = xasprintf("card %s", md);
	accepted(a, line);
	wait_job(a);
	text = file_read_all(md, NULL, NULL);
	assert_non_null(text);
	assert_memory_equal(text, "# Model card: fraud-detection-model-group/1", 42);
	free(text);
	free(line);
	char *link = xasprintf("%s/link.html", f->dir), *target = xasprintf("%s/target", f->dir);
	assert_int_equal(symlink(target, link), 0);
	line = xasprintf("card %s", link);
	refused(a, line, "symbolic link");
	assert_int_equal(access(target, F_OK), -1);
	free(line);
	line = xasprintf("card %s", f->dir);
	refused(a, line, "not a regular file");
	free(line);
	refused(a, "card -", "standard output");
	refused(a, "card a b", "usage");

	/* drift: the training file is stable, a shifted column acts */
	char *sample = sample_path();
	line = xasprintf("drift %s", sample);
	accepted(a, line);
	assert_true(a->job_running);
	refused(a, "card", "busy");                   /* one job at a time */
	wait_job(a);
	assert_false(a->message_error);
	assert_non_null(strstr(a->message, "drift stable: "));
	assert_non_null(a->report.text);
	assert_non_null(strstr(a->report.text, "drift: stable"));
	assert_non_null(strstr(a->report.text, "TransactionAmt "));
	unsigned long seq = a->report.seq;
	free(line);
	char *shifted = scaled_copy(f->dir, "shifted.csv", 5, 3, 20000);
	line = xasprintf("drift %s", shifted);
	accepted(a, line);
	wait_job(a);
	assert_non_null(strstr(a->message, "drift act (TransactionAmt): "));
	assert_int_equal(a->report.seq, seq + 1);
	assert_non_null(strstr(a->report.text, "drift: act"));
	free(line);
	/* a bad file fails in the background with predict's message, and the
	 * last table stays */
	char *header = xasprintf("%s/header.csv", f->dir);
	fp = fopen(header, "w");
	fprintf(fp, "%s\n", "TransactionID,TransactionDT,timestamp,card_no,TransactionAmt,"
		"ProductCD,card_type,email_domain,merchant,dist1,device_risk,velocity_1h,"
		"account_age_days,isFraud");
	fclose(fp);
	line = xasprintf("drift %s", header);
	accepted(a, line);
	wait_job(a);
	assert_true(a->message_error);
	assert_non_null(strstr(a->message, "header only"));
	assert_int_equal(a->report.seq, seq + 1);
	free(line);
	refused(a, "drift", "usage");
	line = xasprintf("drift %s/nosuch.csv", f->dir);
	refused(a, line, "nosuch.csv: No such file or directory");
	free(line);
	/* a FIFO would hold the worker in open() for good; a directory is no file */
	char *fifo = xasprintf("%s/fifo.csv", f->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	line = xasprintf("drift %s", fifo);
	refused(a, line, "not a regular file");
	assert_false(a->job_running);
	free(line);
	free(fifo);
	line = xasprintf("drift %s", f->dir);
	refused(a, line, "not a regular file");
	free(line);
#ifdef FT_TEST_HOOKS
	/* cancelled mid file: it says so, and the last table stays */
	setenv("FRAUDTREE_PAUSE", "drift:30", 1);
	line = xasprintf("drift %s", shifted);
	accepted(a, line);
	app_cancel_job(a);
	wait_job(a);
	unsetenv("FRAUDTREE_PAUSE");
	assert_string_equal(a->message, "drift cancelled");
	assert_int_equal(a->report.seq, seq + 1);
	free(line);
#endif
	free(header);
	free(shifted);
	free(sample);
	free(link);
	free(target);
	free(html);
	free(md);
}

/* ---- a key means one thing ---- */

static void check_tables(const struct key_binding *const *tables, const char *const *names,
			 size_t n)
{
	for (size_t t = 0; t < n; t++)
		for (const struct key_binding *k = tables[t]; k->label; k++) {
			if (k->kind != KB_MODEL && k->kind != KB_REGISTRY)
				continue;
			for (size_t i = 0; i < 4 && k->keys[i]; i++)
				for (size_t u = 0; u < n; u++)
					for (const struct key_binding *o = tables[u]; o->label; o++)
						for (size_t j = 0; j < 4 && o->keys[j]; j++) {
							if (o->keys[j] != k->keys[i] || o == k)
								continue;
							/* elsewhere it may only show or say something */
							if (o->kind != KB_VIEW &&
							    (!o->command || strcmp(o->command, k->command)))
								fail_msg("key %d: '%s' on %s, '%s' on %s",
									 k->keys[i], k->command, names[t],
									 o->command ? o->command : k->what,
									 names[u]);
						}
		}
}

static void test_one_meaning(void **state)
{
	(void)state;
	const struct key_binding *tables[SCR_COUNT + 1];
	const char *names[SCR_COUNT + 1];
	for (int i = 0; i < SCR_COUNT; i++) {
		tables[i] = screen_get((enum screen_id)i)->keys;
		names[i] = screen_get((enum screen_id)i)->name;
		assert_non_null(tables[i]);
	}
	tables[SCR_COUNT] = screen_global_keys();
	names[SCR_COUNT] = "every screen";
	check_tables(tables, names, SCR_COUNT + 1);
	/* the target key is not t on any screen (t trains) */
	for (int i = 0; i < SCR_COUNT; i++)
		for (const struct key_binding *k = tables[i]; k->label; k++)
			for (size_t j = 0; j < 4 && k->keys[j]; j++)
				if (k->keys[j] == 't')
					assert_true(!k->command || !strcmp(k->command, "train"));
	/* and every command a key names exists */
	for (int i = 0; i <= SCR_COUNT; i++)
		for (const struct key_binding *k = tables[i]; k->label; k++)
			if (k->command && !commands_find(k->command))
				fail_msg("%s: key %s names no command :%s", names[i], k->label,
					 k->command);
}

static void test_list_keys(void **state)
{
	(void)state;
	size_t cur = 0;
	assert_true(screen_list_key(KEY_NPAGE, &cur, 100, 10));
	assert_int_equal(cur, 10);
	assert_true(screen_list_key('G', &cur, 100, 10));
	assert_int_equal(cur, 99);
	assert_true(screen_list_key(KEY_DOWN, &cur, 100, 10));
	assert_int_equal(cur, 99);
	assert_true(screen_list_key(KEY_HOME, &cur, 100, 10));
	assert_int_equal(cur, 0);
	assert_true(screen_list_key('k', &cur, 100, 10));
	assert_int_equal(cur, 0);
	assert_true(screen_list_key(KEY_END, &cur, 0, 10));
	assert_int_equal(cur, 0);
	assert_false(screen_list_key('x', &cur, 100, 10));
}

static void test_completion(void **state)
{
	struct app *a = &((struct fixture *)*state)->a;
	size_t n;
	bool files;
	char **c = commands_complete(a, "", &n, &files);
	bool sort = false, approve = false;
	for (size_t i = 0; i < n; i++) {
		sort |= !strcmp(c[i], "sort");
		approve |= !strcmp(c[i], "approve");
		free(c[i]);
	}
	free(c);
	assert_true(sort && approve);   /* screen rows are found too */
	c = commands_complete(a, "open ", &n, &files);
	assert_true(files);
	free(c);
	c = commands_complete(a, "impute ", &n, &files);
	assert_int_equal(n, a->frame->ncols);
	for (size_t i = 0; i < n; i++)
		free(c[i]);
	free(c);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_resample),
		T(test_keep_and_drop),
		T(test_target),
		T(test_column_types),
		T(test_sort),
		T(test_split_lists),
		T(test_usage),
		T(test_threshold_and_gate_follow_the_model),
		T(test_tune_adopts),
		T(test_history_and_files),
		T(test_save_asks_and_says),
		T(test_na_values_says_reread),
		T(test_quit_and_open_ask),
		T(test_register_approve_confirms),
		T(test_card_and_drift),
		cmocka_unit_test(test_one_meaning),
		cmocka_unit_test(test_list_keys),
		T(test_completion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
