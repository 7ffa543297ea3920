/* app: the session state and its single background job.
 *
 * Invariants: at most one live job exists (job_running). Its worker thread
 * owns a context of its own (a->live) except the atomics and `stage` (under
 * its lock); a->job is the UI thread's description of it (kind, start,
 * path). A train or tune worker reads a->frame and holds it
 * (app_frame_hold) until its context is freed. A cancelled job that has not
 * stopped within ABANDON_AFTER becomes an orphan: the session goes on at
 * once and the orphan is joined and freed when it finishes, so Esc gives
 * control back promptly however long the engine takes to notice.
 *
 * Why one file: the job state machine (start, cancel, orphan, finish) is
 * one lock's worth of state; the pieces are not separable without exposing
 * it.
 */
#include "config.h"
#include "app.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv_load.h"
#include "pipeline.h"
#include "model.h"
#include "tune.h"
#include "util.h"

#define HISTORY_MAX 20
#define ABANDON_AFTER 0.05   /* seconds a cancelled job gets to stop */

void app_init(struct app *a)
{
	memset(a, 0, sizeof *a);
	settings_init(&a->settings);
	settings_init(&a->basis);
	a->next_screen = SCR_COUNT;
	a->explain_row = -1;
	a->color = true;
}

static void job_end(struct app *a, struct app_job *w);

static void run_record_free(struct run_record *r)
{
	free(r->path);
	settings_free(&r->settings);
}

static void question_free(struct app_question *q)
{
	if (!q)
		return;
	if (q->free_ctx)
		q->free_ctx(q->ctx);
	free(q->text);
	free(q);
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void app_free(struct app *a)
{
	if (a->live) {
		atomic_store(&a->live->cancel, 1);
		job_end(a, a->live);
	}
	for (size_t i = 0; i < a->norphans; i++)
		job_end(a, a->orphans[i]);
	free(a->orphans);
	free(a->job.path);
	if (a->result) {
		pipeline_result_free(a->result);
		free(a->result);
	}
	frame_free(a->frame);
	free(a->path);
	settings_free(&a->settings);
	for (size_t i = 0; i < a->nhistory; i++)
		run_record_free(&a->history[i]);
	free(a->history);
	free(a->registry_root);
	free(a->pipeline_path);
	free(a->report.text);
	question_free(a->question);
	settings_free(&a->basis);
	strv_free(a->read_na, a->nread_na);
	for (size_t i = 0; i < a->nundo; i++)
		settings_free(&a->undo[i]);
	for (size_t i = 0; i < a->nlog; i++)
		free(a->log[i]);
	memset(a, 0, sizeof *a);
}

void app_message(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[4096];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	char *text = xstrdup(buf);
	snprintf(a->message, sizeof a->message, "%s", text);
	a->message_error = error;
	if (!*text || (a->nlog && !strcmp(a->log[a->nlog - 1] + 2, text))) {
		free(text);
		return;
	}
	if (a->nlog == APP_LOG_MAX) {
		free(a->log[0]);
		memmove(a->log, a->log + 1, (APP_LOG_MAX - 1) * sizeof *a->log);
		a->nlog--;
	}
	a->log[a->nlog++] = xasprintf("%c %s", error ? '!' : ' ', text);
	free(text);
}

void app_ask(struct app *a, void (*yes)(struct app *, void *), void *ctx,
	     void (*free_ctx)(void *), const char *no_message, const char *fmt, ...)
{
	struct app_question *q = xcalloc(1, sizeof *q);
	/* whole: a long reason or path must not push out what y does */
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	q->text = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	if (n >= 0)
		vsnprintf(q->text, (size_t)n + 1, fmt, again);
	else
		q->text[0] = '\0';
	va_end(again);
	va_end(ap);
	q->yes = yes;
	q->ctx = ctx;
	q->free_ctx = free_ctx;
	snprintf(q->no_message, sizeof q->no_message, "%s", no_message ? no_message : "cancelled");
	question_free(a->question);
	a->question = q;
	a->question_serial++;
}

void app_answer(struct app *a, bool yes)
{
	struct app_question *q = a->question;
	if (!q)
		return;
	a->question = NULL;
	if (yes)
		q->yes(a, q->ctx);
	else
		app_message(a, false, "%s", q->no_message);
	question_free(q);
}

void app_request_screen(struct app *a, enum screen_id id)
{
	if (id < SCR_COUNT)
		a->next_screen = id;
}

static void undo_push(struct app *a);

static struct gate_condition *gate_dup(const struct gate_condition *g, size_t n)
{
	struct gate_condition *c = n ? xcalloc(n, sizeof *c) : NULL;
	for (size_t i = 0; i < n; i++) {
		c[i] = g[i];
		c[i].metric = xstrdup(g[i].metric);
	}
	return c;
}

static void gate_put(struct settings *s, const struct gate_condition *g, size_t n)
{
	for (size_t i = 0; i < s->ngate; i++)
		free(s->gate[i].metric);
	free(s->gate);
	s->gate = gate_dup(g, n);
	s->ngate = n;
}

static bool gate_same(const struct settings *x, const struct settings *y)
{
	if (x->ngate != y->ngate)
		return false;
	for (size_t i = 0; i < x->ngate; i++)
		if (strcmp(x->gate[i].metric, y->gate[i].metric) || x->gate[i].op != y->gate[i].op ||
		    x->gate[i].value != y->gate[i].value)
			return false;
	return true;
}

/* The threshold s asks of the model: its own number, or, for "min_cost",
 * the one training chose. */
static double wanted_threshold(const struct pipeline_result *r, const struct settings *s)
{
	return s->threshold_min_cost ? r->settings.threshold : s->threshold;
}

/* True when s asks the current model for another threshold or gate. */
static bool moves_model(const struct app *a, const struct settings *s)
{
	const struct pipeline_result *r = a->result;
	return r && (r->settings.threshold != wanted_threshold(r, s) || !gate_same(&r->settings, s));
}

/* Evaluate the current model at s's threshold and under s's gate. On
 * error the model is as it was. */
static int reevaluate(struct app *a, const struct settings *s, struct ft_err *err)
{
	struct pipeline_result *r = a->result;
	if (!moves_model(a, s))
		return 0;
	bool min_cost = r->settings.threshold_min_cost;
	struct gate_condition *old = gate_dup(r->settings.gate, r->settings.ngate);
	size_t nold = r->settings.ngate;
	gate_put(&r->settings, s->gate, s->ngate);
	int rc = pipeline_set_threshold(r, wanted_threshold(r, s), err);
	if (rc)
		gate_put(&r->settings, old, nold);
	else if (s->threshold_min_cost && min_cost)
		r->settings.threshold_min_cost = r->min_cost = true;   /* still the chosen one */
	for (size_t i = 0; i < nold; i++)
		free(old[i].metric);
	free(old);
	if (!rc) {
		a->basis.threshold = s->threshold;
		a->basis.threshold_min_cost = s->threshold_min_cost;
		gate_put(&a->basis, s->gate, s->ngate);
		a->result_saved = false;
	}
	return rc;
}

int app_set(struct app *a, const char *const *assignments, size_t n)
{
	struct ft_err err;
	struct settings work;
	settings_copy(&work, &a->settings);
	if (settings_apply(&work, assignments, n, a->frame, &err)) {
		settings_free(&work);
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	bool moves = moves_model(a, &work);
	if (moves && a->job_running && a->job.kind == JOB_REGISTER) {
		settings_free(&work);
		app_message(a, true, "busy: registering the model (a moment); nothing changed");
		return -1;
	}
	if (moves && reevaluate(a, &work, &err)) {
		settings_free(&work);
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	undo_push(a);
	a->settings = work;
	app_settings_changed(a);
	return 0;
}

static void undo_push(struct app *a)
{
	if (a->nundo == APP_UNDO_MAX) {
		settings_free(&a->undo[0]);
		memmove(a->undo, a->undo + 1, (APP_UNDO_MAX - 1) * sizeof *a->undo);
		a->nundo--;
	}
	a->undo[a->nundo++] = a->settings;
}

int app_replace_settings(struct app *a, struct settings *s)
{
	struct ft_err err;
	if (a->result && a->job_running && a->job.kind == JOB_REGISTER) {
		app_message(a, true, "busy: registering the model (a moment); nothing changed");
		return -1;
	}
	if (reevaluate(a, s, &err)) {
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	undo_push(a);
	a->settings = *s;
	settings_init(s);
	app_settings_changed(a);
	return 0;
}

int app_undo(struct app *a)
{
	if (!a->nundo) {
		app_message(a, true, "nothing to undo");
		return -1;
	}
	struct settings *prev = &a->undo[a->nundo - 1];
	struct ft_err err;
	if (reevaluate(a, prev, &err)) {
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	char **keys;
	size_t n = settings_diff(&a->settings, prev, false, &keys);
	struct strbuf sb = { 0 };
	sb_append(&sb, "", 0);
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", keys[i]);
	settings_diff_free(keys, n);
	settings_free(&a->settings);
	a->settings = *prev;
	a->nundo--;
	app_settings_changed(a);
	app_message(a, false, "undone: %s%s", n ? sb.data : "no setting changed",
		    a->nundo ? "" : " (nothing more to undo)");
	sb_free(&sb);
	return 0;
}

size_t app_stale_keys(const struct app *a, char ***keys)
{
	*keys = NULL;
	if (!a->result)
		return 0;
	return settings_diff(&a->settings, &a->basis, true, keys);
}

bool app_reread_needed(const struct app *a)
{
	if (!a->frame)
		return false;
	if (a->nread_na != a->settings.nna_values)
		return true;
	for (size_t i = 0; i < a->nread_na; i++)
		if (strcmp(a->read_na[i], a->settings.na_values[i]))
			return true;
	return false;
}

void app_settings_changed(struct app *a)
{
	a->settings_version++;
}

int app_target_col(const struct app *a)
{
	if (!a->frame)
		return -1;
	if (a->settings.target)
		return frame_find(a->frame, a->settings.target);
	return frame_guess_target(a->frame);
}

bool app_model_at_risk(const struct app *a)
{
	return a->result && !a->result_saved;
}

#ifdef FT_TEST_HOOKS
/* FRAUDTREE_PAUSE=STAGE:MS holds each progress step of STAGE (load, say)
 * for MS milliseconds, so that a test can press a key while the job is
 * surely still running, however fast the machine. */
static void test_pause(const char *stage)
{
	const char *want = getenv("FRAUDTREE_PAUSE");
	size_t n = strlen(stage);
	if (!want || strncmp(want, stage, n) || want[n] != ':')
		return;
	long ms = strtol(want + n + 1, NULL, 10);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		continue;
}
#endif

static void job_progress(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	struct app_job *j = ctx;
#ifdef FT_TEST_HOOKS
	test_pause(stage);
#endif
	pthread_mutex_lock(&j->lock);
	if (strcmp(j->stage, stage))
		snprintf(j->stage, sizeof j->stage, "%s", stage);
	atomic_store(&j->progress_total, total);
	atomic_store(&j->progress_done, done);
	pthread_mutex_unlock(&j->lock);
}

void app_job_progress(struct app *a, char *stage, size_t size, double *fraction)
{
	struct app_job *j = a->live;
	if (!j) {
		snprintf(stage, size, "%s", "");
		*fraction = -1;
		return;
	}
	pthread_mutex_lock(&j->lock);
	snprintf(stage, size, "%s", j->stage);
	uint64_t done = atomic_load(&j->progress_done), total = atomic_load(&j->progress_total);
	pthread_mutex_unlock(&j->lock);
	*fraction = total ? (double)done / (double)total : -1;
	if (*fraction > 1)
		*fraction = 1;
}

static void *load_worker(void *arg)
{
	struct app_job *j = arg;
	struct csv_options opt = {
		.delimiter = j->delimiter,
		.na_values = (const char *const *)j->settings.na_values,
		.nna_values = j->settings.nna_values,
		.threads = 0,
		.progress = { job_progress, j, &j->cancel },
	};
	j->frame = csv_load(j->path, &opt, &j->err);
	j->status = j->frame ? 0 : -1;
	atomic_store(&j->done, 1);
	return NULL;
}

static void *register_worker(void *arg)
{
	struct app_job *j = arg;
	j->status = pipeline_publish(j->published, &j->publish, &j->version, &j->err);
	atomic_store(&j->done, 1);
	return NULL;
}

static void *train_worker(void *arg)
{
	struct app_job *j = arg;
	struct ft_progress prog = { job_progress, j, &j->cancel };
	j->result = xcalloc(1, sizeof *j->result);
	j->status = pipeline_run(j->input, &j->settings, &prog, j->result, &j->err);
	if (j->status != 0) {
		pipeline_result_free(j->result);
		free(j->result);
		j->result = NULL;
	}
	atomic_store(&j->done, 1);
	return NULL;
}

/* Drift's progress under its own name (predict_csv reads the file). */
static void drift_progress(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	(void)stage;
	job_progress(ctx, "drift", done, total);
}

/* "act (TransactionAmt, the score)" or "stable": the level and what
 * reached it (at most three names). Caller frees. */
static char *drift_summary(const struct drift_report *r)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, drift_level_names[r->worst]);
	size_t n = 0;
	for (size_t i = 0; i <= r->ncols && r->worst != DRIFT_STABLE; i++) {
		bool score = i == r->ncols;
		enum drift_level l = score ? r->score_level : r->cols[i].level;
		if (l != r->worst)
			continue;
		if (n < 3) {
			char *name = ft_escape_controls(score ? "the score" : r->cols[i].name);
			sb_printf(&sb, "%s%s", n ? ", " : " (", name);
			free(name);
		}
		n++;
	}
	if (n > 3)
		sb_printf(&sb, " and %zu more", n - 3);
	if (n)
		sb_puts(&sb, ")");
	return sb.data;
}

static void *drift_worker(void *arg)
{
	struct app_job *j = arg;
	struct ft_progress prog = { drift_progress, j, &j->cancel };
	j->status = -1;
	struct model *m = registry_load_model(j->root, j->group, j->version, &j->err);
	if (m && !m->reference) {
		ft_fail(&j->err, FT_EINPUT, "%s/%d: the model has no reference distributions (it "
			"was trained before fraudtree kept them); retrain it to measure drift",
			j->group, j->version);
	} else if (m && drift_csv(m, j->path, 0, &prog, &j->drift, &j->err) == 0) {
		char *ref = xasprintf("%s/%d", j->group, j->version);
		j->report = drift_report_text(&j->drift, ref, j->path, 24);
		free(ref);
		j->summary = drift_summary(&j->drift);
		j->status = 0;
	}
	/* the report's names are the model's: the text is all that stays */
	drift_report_free(&j->drift);
	model_free(m);
	atomic_store(&j->done, 1);
	return NULL;
}

static void *card_worker(void *arg)
{
	struct app_job *j = arg;
	j->status = -1;
	char *text = card_render(j->root, j->group, j->version, j->card_format, &j->err);
	if (text && atomic_load(&j->cancel)) {
		ft_fail(&j->err, FT_ECANCELLED, "cancelled; %s not written", j->out);
	} else if (text) {
		struct out_file of;
		if (out_open(&of, j->out, 0666, &j->err) == 0) {
			bool ok = write_all(of.fd, text, strlen(text)) == 0;
			int e = errno;
			if (out_commit(&of, ok, &j->err) == 0)
				j->status = 0;
			else if (!ok)
				ft_fail(&j->err, FT_EIO, "%s: %s", j->out, strerror(e));
		}
	}
	free(text);
	atomic_store(&j->done, 1);
	return NULL;
}

/* A worker's own context; the caller fills its inputs and starts it. */
static struct app_job *job_new(enum job_kind kind)
{
	struct app_job *w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->lock, NULL);
	w->kind = kind;
	snprintf(w->stage, sizeof w->stage, "%s", kind == JOB_LOAD ? "load"
		 : kind == JOB_DRIFT ? "drift" : kind == JOB_CARD ? "card" : "prepare");
	w->started = ft_now();
	return w;
}

/* Free a context whose thread never started, or was joined. */
static void job_free(struct app_job *w)
{
	frame_free(w->frame);
	if (w->result) {
		pipeline_result_free(w->result);
		free(w->result);
	}
	free(w->path);
	settings_free(&w->settings);
	free(w->root);
	free((char *)w->publish.group);
	free((char *)w->publish.description);
	free(w->out);
	free(w->report);
	free(w->summary);
	drift_report_free(&w->drift);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* Join a started worker (it must have finished or been told to stop),
 * let go of the frame it read, free what it left. */
static void job_end(struct app *a, struct app_job *w)
{
	pthread_join(w->thread, NULL);
	if (w->kind == JOB_TRAIN || w->kind == JOB_TUNE)
		app_frame_release(a);
	job_free(w);
}

/* Start w's thread; on success it is the live job. */
static int job_start(struct app *a, struct app_job *w, void *(*run)(void *))
{
	bool reads_frame = w->kind == JOB_TRAIN || w->kind == JOB_TUNE;
	if (reads_frame)
		app_frame_hold(a);
	if (pthread_create(&w->thread, NULL, run, w)) {
		if (reads_frame)
			app_frame_release(a);
		job_free(w);
		return -1;
	}
	a->live = w;
	a->job.kind = w->kind;
	a->job.started = w->started;
	free(a->job.path);
	a->job.path = w->path ? xstrdup(w->path) : NULL;
	a->job_running = true;
	a->cancel_at = 0;
	return 0;
}

/* What a job is doing, for messages: "loading", "measuring drift". */
static const char *job_doing(enum job_kind kind)
{
	switch (kind) {
	case JOB_LOAD: return "loading";
	case JOB_TUNE: return "tuning";
	case JOB_REGISTER: return "registering";
	case JOB_DRIFT: return "measuring drift";
	case JOB_CARD: return "writing the model card";
	case JOB_TRAIN: case JOB_NONE: break;
	}
	return "training";
}

static int job_busy(struct app *a)
{
	if (!a->job_running)
		return 0;
	if (a->job.kind == JOB_REGISTER)
		app_message(a, true, "busy: registering the model (a moment)");
	else
		app_message(a, true, "busy: %s is running (Esc cancels it)", job_doing(a->job.kind));
	return -1;
}

int app_start_load(struct app *a, const char *path)
{
	if (job_busy(a))
		return -1;
	struct app_job *w = job_new(JOB_LOAD);
	w->path = xstrdup(path);
	w->delimiter = a->delimiter;
	settings_copy(&w->settings, &a->settings);
	if (job_start(a, w, load_worker)) {
		app_message(a, true, "cannot start a thread to load %s", path);
		return -1;
	}
	app_message(a, false, "loading %s", path);
	return 0;
}

void app_clear_tune(struct settings *s)
{
	struct int_list *l[] = { &s->tune_max_depth, &s->tune_min_samples_split,
				 &s->tune_min_samples_leaf };
	for (size_t i = 0; i < 3; i++) {
		free(l[i]->v);
		l[i]->v = NULL;
		l[i]->n = 0;
	}
	s->tune_ccp_alpha = TUNE_CCP_NONE;
}

int app_start_train(struct app *a, bool tune)
{
	if (job_busy(a))
		return -1;
	if (!a->frame) {
		app_message(a, true, "no data loaded: :open FILE first");
		return -1;
	}
	struct ft_err err;
	if (settings_validate(&a->settings, &err)) {
		app_message(a, true, "%s", err.msg);
		return -1;
	}
	struct app_job *w = job_new(tune ? JOB_TUNE : JOB_TRAIN);
	w->input = a->frame;
	settings_copy(&w->settings, &a->settings);
	if (tune)
		tune_default_grid(&w->settings);
	else
		app_clear_tune(&w->settings);
	if (job_start(a, w, train_worker)) {
		app_message(a, true, "cannot start a training thread");
		return -1;
	}
	a->trained_version = a->settings_version;
	app_message(a, false, "%s...", tune ? "tuning" : "training");
	return 0;
}

int app_start_register(struct app *a, const char *group, const char *description)
{
	if (job_busy(a))
		return -1;
	struct app_job *w = job_new(JOB_REGISTER);
	snprintf(w->stage, sizeof w->stage, "%s", "register");
	w->root = xstrdup(a->registry_root ? a->registry_root : "registry");
	w->path = a->path ? xstrdup(a->path) : NULL;
	w->published = a->result;
	w->publish = (struct pipeline_publish_args){
		.root = w->root,
		.group = xstrdup(group),
		.description = description ? xstrdup(description) : NULL,
		.data_path = w->path,
		.data_rows = a->frame ? a->frame->nrows : 0,
		.data_columns = a->frame ? a->frame->ncols : 0,
	};
	if (job_start(a, w, register_worker)) {
		app_message(a, true, "cannot start a thread to register the model");
		return -1;
	}
	app_message(a, false, "registering into %s...", group);
	return 0;
}

int app_start_drift(struct app *a, const char *root, const char *group, int version,
		    const char *path)
{
	if (job_busy(a))
		return -1;
	struct app_job *w = job_new(JOB_DRIFT);
	w->root = xstrdup(root);
	snprintf(w->group, sizeof w->group, "%s", group);
	w->version = version;
	w->path = xstrdup(path);
	if (job_start(a, w, drift_worker)) {
		app_message(a, true, "cannot start a thread to measure drift");
		return -1;
	}
	app_message(a, false, "measuring the drift of %s against %s/%d...", path, group, version);
	return 0;
}

int app_start_card(struct app *a, const char *root, const char *group, int version,
		   enum card_format f, const char *out)
{
	if (job_busy(a))
		return -1;
	struct app_job *w = job_new(JOB_CARD);
	w->root = xstrdup(root);
	snprintf(w->group, sizeof w->group, "%s", group);
	w->version = version;
	w->card_format = f;
	w->out = xstrdup(out);
	if (job_start(a, w, card_worker)) {
		app_message(a, true, "cannot start a thread to write the model card");
		return -1;
	}
	app_message(a, false, "writing the model card of %s/%d to %s...", group, version, out);
	return 0;
}

void app_cancel_job(struct app *a)
{
	if (a->job_running && a->job.kind == JOB_REGISTER) {
		app_message(a, false, "registering cannot be cancelled; it takes a moment");
		return;
	}
	if (a->job_running && !atomic_load(&a->live->cancel)) {
		atomic_store(&a->live->cancel, 1);
		a->cancel_at = ft_now();
		app_message(a, false, "cancelling...");
	}
}

static void add_history(struct app *a, const struct pipeline_result *r, double seconds)
{
	if (a->nhistory == HISTORY_MAX) {
		run_record_free(&a->history[0]);
		memmove(a->history, a->history + 1, (HISTORY_MAX - 1) * sizeof *a->history);
		a->nhistory--;
	}
	a->history = xreallocarray(a->history, a->nhistory + 1, sizeof *a->history);
	struct run_record *h = &a->history[a->nhistory++];
	memset(h, 0, sizeof *h);
	h->path = a->path ? xstrdup(a->path) : NULL;
	settings_copy(&h->settings, &r->settings);
	h->test = r->test_metrics;
	h->gate_pass = r->gate.pass;
	h->seconds = seconds;
	h->nodes = r->tree ? (int)r->tree->nnodes : 0;
	h->depth = r->tree ? tree_depth(r->tree) : 0;
}

void app_frame_hold(struct app *a)
{
	atomic_fetch_add(&a->frame_readers, 1);
}

void app_frame_release(struct app *a)
{
	atomic_fetch_sub(&a->frame_readers, 1);
}

void app_wake(struct app *a)
{
	atomic_store(&a->wakeup, 1);
}

bool app_wait_flag(const atomic_int *flag, double seconds)
{
	double end = ft_now() + seconds;
	while (!atomic_load(flag) && ft_now() < end) {
		struct timespec ts = { 0, 200 * 1000 };
		nanosleep(&ts, NULL);
	}
	return atomic_load(flag) != 0;
}

bool app_take_wakeup(struct app *a)
{
	return atomic_exchange(&a->wakeup, 0) != 0;
}

static void adopt_load(struct app *a, struct app_job *j)
{
	if (j->status) {
		app_message(a, true, "%s", j->err.code == FT_ECANCELLED ? "loading cancelled" : j->err.msg);
		return;
	}
	bool discarded = a->result != NULL;
	if (a->result) {
		pipeline_result_free(a->result);
		free(a->result);
		a->result = NULL;
	}
	/* background readers finish within a second; the old frame must outlive them */
	while (atomic_load(&a->frame_readers) > 0) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	frame_free(a->frame);
	free(a->path);
	a->frame = j->frame;
	a->path = j->path;
	j->frame = NULL;
	j->path = NULL;
	a->explain_row = -1;
	a->registry_version = 0;
	strv_free(a->read_na, a->nread_na);
	a->nread_na = j->settings.nna_values;
	a->read_na = xcalloc(a->nread_na + 1, sizeof *a->read_na);
	for (size_t i = 0; i < a->nread_na; i++)
		a->read_na[i] = xstrdup(j->settings.na_values[i]);
	/* Another file may not have the previous file's label: guess again
	 * (and forget its positive value) rather than keep a dead name. */
	char *was = NULL;
	if (a->settings.target && frame_find(a->frame, a->settings.target) < 0 &&
	    frame_guess_target(a->frame) >= 0) {
		was = a->settings.target;
		a->settings.target = NULL;
		free(a->settings.positive);
		a->settings.positive = NULL;
	}
	if (!a->settings.target) {
		int t = frame_guess_target(a->frame);
		if (t >= 0)
			a->settings.target = xstrdup(a->frame->cols[t].name);
	}
	app_settings_changed(a);
	if (was) {
		app_message(a, false, "loaded %zu rows x %zu columns; no column %s, so the target"
			    " is now %s (guessed)",
			    a->frame->nrows, a->frame->ncols, was, a->settings.target);
		free(was);
	} else if (a->settings.target && frame_find(a->frame, a->settings.target) < 0)
		app_message(a, true, "loaded %zu rows x %zu columns, but target '%s' is not a column",
			    a->frame->nrows, a->frame->ncols, a->settings.target);
	else
		app_message(a, false, "loaded %zu rows x %zu columns in %.2f s%s", a->frame->nrows,
			    a->frame->ncols, ft_now() - j->started,
			    discarded ? "; the previous model was closed" : "");
}

static void adopt_train(struct app *a, struct app_job *j)
{
	double secs = ft_now() - j->started;
	if (j->status) {
		app_message(a, true, "%s", j->err.code == FT_ECANCELLED
			    ? (j->kind == JOB_TUNE ? "tuning cancelled" : "training cancelled") : j->err.msg);
		return;
	}
	if (a->result) {
		pipeline_result_free(a->result);
		free(a->result);
	}
	a->result = j->result;
	j->result = NULL;
	a->result_saved = false;
	a->registry_version = 0;
	/* What the model was trained with; after tuning, the parameters the
	 * grid chose are the settings' own, so the panel shows them and the
	 * next plain training rebuilds this model. */
	settings_free(&a->basis);
	settings_copy(&a->basis, &j->settings);
	char adopted[200] = "";
	if (j->kind == JOB_TUNE) {
		const struct tree_params *tp = &a->result->settings.tree;
		a->basis.tree.max_depth = tp->max_depth;
		a->basis.tree.min_samples_split = tp->min_samples_split;
		a->basis.tree.min_samples_leaf = tp->min_samples_leaf;
		if (a->settings.tree.max_depth != tp->max_depth ||
		    a->settings.tree.min_samples_split != tp->min_samples_split ||
		    a->settings.tree.min_samples_leaf != tp->min_samples_leaf) {
			a->settings.tree.max_depth = tp->max_depth;
			a->settings.tree.min_samples_split = tp->min_samples_split;
			a->settings.tree.min_samples_leaf = tp->min_samples_leaf;
			app_settings_changed(a);
		}
		snprintf(adopted, sizeof adopted, "; adopted max_depth %d, min_samples_split %zu,"
			 " min_samples_leaf %zu", tp->max_depth, tp->min_samples_split,
			 tp->min_samples_leaf);
		/* the pruning path's one-SE choice, likewise */
		if (a->result->ccp_path.n) {
			a->basis.tree.ccp_alpha = tp->ccp_alpha;
			if (a->settings.tree.ccp_alpha != tp->ccp_alpha) {
				a->settings.tree.ccp_alpha = tp->ccp_alpha;
				app_settings_changed(a);
			}
			char al[32];
			fmt_double(al, tp->ccp_alpha);
			size_t o = strlen(adopted);
			snprintf(adopted + o, sizeof adopted - o, ", ccp_alpha %s", al);
		}
	}
	/* A threshold or gate moved while it trained applies to it at once. */
	struct ft_err rerr;
	if (reevaluate(a, &a->settings, &rerr) == 0) {
		a->basis.threshold = a->settings.threshold;
		a->basis.threshold_min_cost = a->settings.threshold_min_cost;
		gate_put(&a->basis, a->settings.gate, a->settings.ngate);
	}
	add_history(a, a->result, secs);
	const struct pipeline_result *r = a->result;
	const char *why = "";
	for (size_t i = 0; i < r->gate.nchecks && !r->gate.pass; i++)
		if (!r->gate.checks[i].pass) {
			why = r->gate.checks[i].why;
			break;
		}
	app_message(a, !r->gate.pass, "%s in %.2f s: %zu nodes, depth %d, test accuracy %.4f (baseline %.4f), gate %s%s%s%s",
		    j->kind == JOB_TUNE ? "tuned and trained" : "trained", secs,
		    r->tree ? r->tree->nnodes : 0, r->tree ? tree_depth(r->tree) : 0,
		    r->test_metrics.accuracy, r->test_metrics.baseline,
		    r->gate.pass ? "PASS" : "FAIL", *why ? ": " : "", why, adopted);
}

static const char *cancelled_text(enum job_kind kind)
{
	return kind == JOB_LOAD ? "loading cancelled"
		: kind == JOB_TUNE ? "tuning cancelled"
		: kind == JOB_DRIFT ? "drift cancelled"
		: kind == JOB_CARD ? "model card cancelled; nothing written" : "training cancelled";
}

static void adopt_drift(struct app *a, struct app_job *j)
{
	if (j->status) {
		if (j->err.code == FT_ECANCELLED)
			app_message(a, false, "%s", cancelled_text(j->kind));
		else
			app_message(a, true, "drift: %s", j->err.msg);
		return;
	}
	free(a->report.text);
	a->report.text = j->report;
	j->report = NULL;
	a->report.seq++;
	snprintf(a->report.title, sizeof a->report.title, "drift against %s/%d", j->group,
		 j->version);
	app_message(a, false, "drift %s: %s against %s/%d%s", j->summary, j->path, j->group,
		    j->version, a->screen == SCR_REGISTRY ? " (Esc closes the table)"
		    : " (the table is on the Registry screen)");
}

static void adopt_card(struct app *a, struct app_job *j)
{
	if (j->status) {
		if (j->err.code == FT_ECANCELLED)
			app_message(a, false, "%s", cancelled_text(j->kind));
		else
			app_message(a, true, "card: %s", j->err.msg);
		return;
	}
	app_message(a, false, "model card of %s/%d written to %s", j->group, j->version, j->out);
}

static void adopt_register(struct app *a, struct app_job *j)
{
	if (j->status) {
		app_message(a, true, "%s", j->err.msg);
		return;
	}
	a->registry_version = j->version;
	a->result_saved = true;
	app_message(a, false, "registered %s/%d (PendingManualApproval)", j->publish.group,
		    j->version);
}

/* Free the orphans that have finished; note how long the last one took to
 * stop after it was told to. */
static void reap_orphans(struct app *a)
{
	size_t k = 0;
	for (size_t i = 0; i < a->norphans; i++) {
		struct app_job *w = a->orphans[i];
		if (!atomic_load(&w->done)) {
			a->orphans[k++] = w;
			continue;
		}
		a->stopped_latency = ft_now() - w->cancelled;
		a->stopped_kind = w->kind;
		job_end(a, w);
	}
	a->norphans = k;
}

static bool orphan_reads_frame(const struct app *a)
{
	for (size_t i = 0; i < a->norphans; i++)
		if (a->orphans[i]->kind == JOB_TRAIN || a->orphans[i]->kind == JOB_TUNE)
			return true;
	return false;
}

/* The live job is over for the session: forget its description. */
static void job_close(struct app *a)
{
	a->live = NULL;
	a->job_running = false;
	a->job.kind = JOB_NONE;
	free(a->job.path);
	a->job.path = NULL;
	if (a->cancel_at > 0) {
		a->cancel_latency = ft_now() - a->cancel_at;
		a->cancel_at = 0;
	}
}

bool app_poll_job(struct app *a)
{
	reap_orphans(a);
	if (!a->job_running)
		return false;
	struct app_job *w = a->live;
	if (!atomic_load(&w->done)) {
		if (a->cancel_at <= 0 || ft_now() - a->cancel_at < ABANDON_AFTER)
			return false;
		/* told to stop and still busy: leave it to finish alone */
		a->orphans = xreallocarray(a->orphans, a->norphans + 1, sizeof *a->orphans);
		w->cancelled = a->cancel_at;
		a->orphans[a->norphans++] = w;
		job_close(a);
		app_message(a, false, "%s", cancelled_text(w->kind));
		return true;
	}
	/* a finished load replaces the frame an orphan may still be reading */
	if (w->kind == JOB_LOAD && orphan_reads_frame(a))
		return false;
	pthread_join(w->thread, NULL);
	if (w->kind == JOB_TRAIN || w->kind == JOB_TUNE)
		app_frame_release(a);
	job_close(a);
	if (w->kind == JOB_LOAD)
		adopt_load(a, w);
	else if (w->kind == JOB_REGISTER)
		adopt_register(a, w);
	else if (w->kind == JOB_DRIFT)
		adopt_drift(a, w);
	else if (w->kind == JOB_CARD)
		adopt_card(a, w);
	else
		adopt_train(a, w);
	job_free(w);
	return true;
}

int app_history_restore(struct app *a, size_t i)
{
	if (i >= a->nhistory) {
		app_message(a, true, "restore: expected a run number 1..%zu", a->nhistory);
		return -1;
	}
	const struct run_record *h = &a->history[i];
	if (!a->path || !h->path || strcmp(a->path, h->path)) {
		const char *f = h->path ? strrchr(h->path, '/') : NULL;
		app_message(a, true, "run %zu was trained on %s, not on the loaded file; nothing"
			    " restored (:open it first)", i + 1, f ? f + 1 : h->path ? h->path : "?");
		return -1;
	}
	struct settings s;
	settings_copy(&s, &h->settings);
	app_clear_tune(&s);
	int rc = app_replace_settings(a, &s);
	settings_free(&s);
	if (rc)
		return -1;
	app_message(a, false, "settings of run %zu restored (u undoes); t trains with them", i + 1);
	return 0;
}

/* ---- changes that commands and keys share ---- */

char *app_quote(const char *s)
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

int app_set1(struct app *a, const char *key, const char *value)
{
	char *assign = xasprintf("%s=%s", key, value);
	const char *v[] = { assign };
	int rc = app_set(a, v, 1);
	free(assign);
	return rc;
}

int app_set_target(struct app *a, const char *name)
{
	if (!a->frame) {
		app_message(a, true, "no data loaded yet");
		return -1;
	}
	char *was = a->settings.target ? xstrdup(a->settings.target) : NULL;
	char *q = app_quote(name);
	char *assign = xasprintf("target=%s", q);
	const char *v[] = { assign, "positive=null" };
	int rc = app_set(a, v, 2);
	if (!rc)
		app_message(a, false, "target is now %s (was %s; u undoes)", name, was ? was : "none");
	free(assign);
	free(q);
	free(was);
	return rc;
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

int app_drop(struct app *a, char *const *names, size_t n, bool drop)
{
	if (!a->frame) {
		app_message(a, true, "no data loaded yet");
		return -1;
	}
	const struct settings *st = &a->settings;
	for (size_t i = 0; i < n; i++) {
		bool dropped = strv_has(st->drop, st->ndrop, names[i]);
		if (frame_find(a->frame, names[i]) < 0 && !(dropped && !drop)) {
			app_message(a, true, "no column named '%s'; nothing changed", names[i]);
			return -1;
		}
		if (!drop && !dropped) {
			app_message(a, true, "%s is not in the drop list; nothing changed%s", names[i],
				    st->drop_suggested
				    ? " (suggested drops are kept with :set drop_suggested false)" : "");
			return -1;
		}
	}
	struct strbuf sb = { 0 }, shown = { 0 };
	sb_puts(&sb, "drop=[");
	sb_append(&shown, "", 0);
	bool first = true;
	size_t changed = 0;
	for (size_t i = 0; i < st->ndrop; i++) {
		if (!drop && strv_has(names, n, st->drop[i]))
			continue;
		char *q = app_quote(st->drop[i]);
		sb_printf(&sb, "%s%s", first ? "" : ",", q);
		free(q);
		first = false;
	}
	for (size_t i = 0; i < n; i++) {
		if (drop && (strv_has(st->drop, st->ndrop, names[i]) || strv_has(names, i, names[i])))
			continue;
		if (!drop && strv_has(names, i, names[i]))
			continue;
		if (drop) {
			char *q = app_quote(names[i]);
			sb_printf(&sb, "%s%s", first ? "" : ",", q);
			free(q);
			first = false;
		}
		sb_printf(&shown, "%s%s", changed ? ", " : "", names[i]);
		changed++;
	}
	sb_puts(&sb, "]");
	int rc = 0;
	if (!changed) {
		app_message(a, false, "already dropped; nothing changed");
	} else {
		const char *v[] = { sb.data };
		rc = app_set(a, v, 1);
		if (!rc)
			app_message(a, false, "%s %s%s (u undoes)", drop ? "dropped" : "kept", shown.data,
				    drop ? "" : changed == 1 ? " as a feature" : " as features");
	}
	sb_free(&sb);
	sb_free(&shown);
	return rc;
}

int app_set_threshold(struct app *a, double t)
{
	char num[32];
	if (!(t >= 0 && t <= 1)) {
		app_message(a, true, "threshold: expected a number in [0, 1]");
		return -1;
	}
	fmt_double(num, t);
	if (app_set1(a, "threshold", num))
		return -1;
	if (!a->result) {
		app_message(a, false, "threshold %s (used by the next training; u undoes)", num);
		return 0;
	}
	app_message(a, !a->result->gate.pass, "threshold %s: test accuracy %.4f, recall %.4f,"
		    " gate %s (u undoes)", num, a->result->test_metrics.accuracy,
		    a->result->test_metrics.recall, a->result->gate.pass ? "PASS" : "FAIL");
	return 0;
}

const char *app_group(const struct app *a)
{
	if (a->result && a->result->settings.group)
		return a->result->settings.group;
	return a->settings.group ? a->settings.group : REGISTRY_GROUP_DEFAULT;
}

int app_can_register(struct app *a)
{
	if (!a->result) {
		app_message(a, true, "no trained model: press t on the Train screen or :train");
		return -1;
	}
	const struct pipeline_result *r = a->result;
	if (!r->gate.pass) {
		const char *why = "";
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
	if (a->job_running) {
		app_message(a, true, "busy: wait for the running job (Esc cancels it); nothing registered");
		return -1;
	}
	return 0;
}
