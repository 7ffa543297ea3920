/* app: the session state and its single background job.
 *
 * Invariants: at most one live job exists (job_running). Its worker thread
 * owns a context of its own (a->live) except the atomics and `stage` (under
 * its lock); a->job is the UI thread's description of it (kind, start,
 * path). A train or tune worker reads a->frame and holds it
 * (app_frame_hold) until its context is freed. A cancelled job that has not
 * stopped within ABANDON_AFTER becomes an orphan: the session goes on at
 * once and the orphan is joined and freed when it finishes, so Esc gives
 * control back promptly however long the engine takes to notice. */
#include "config.h"
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv_load.h"
#include "model.h"
#include "tune.h"
#include "util.h"

#define HISTORY_MAX 20
#define ABANDON_AFTER 0.05   /* seconds a cancelled job gets to stop */

void app_init(struct app *a)
{
	memset(a, 0, sizeof *a);
	settings_init(&a->settings);
	a->explain_row = -1;
	a->color = true;
}

static void job_end(struct app *a, struct app_job *w);

static void run_record_free(struct run_record *r)
{
	settings_free(&r->settings);
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
	free(a->pending_open);
	memset(a, 0, sizeof *a);
}

void app_message(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->message, sizeof a->message, fmt, ap);
	va_end(ap);
	a->message_error = error;
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

static void job_progress(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	struct app_job *j = ctx;
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

/* A worker's own context; the caller fills its inputs and starts it. */
static struct app_job *job_new(enum job_kind kind)
{
	struct app_job *w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->lock, NULL);
	w->kind = kind;
	snprintf(w->stage, sizeof w->stage, "%s", kind == JOB_LOAD ? "load" : "prepare");
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

static int job_busy(struct app *a)
{
	if (!a->job_running)
		return 0;
	if (a->job.kind == JOB_REGISTER)
		app_message(a, true, "busy: registering the model (a moment)");
	else
		app_message(a, true, "busy: %s is running (Esc cancels it)",
			    a->job.kind == JOB_LOAD ? "loading" : a->job.kind == JOB_TUNE ? "tuning" : "training");
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
	add_history(a, a->result, secs);
	const struct pipeline_result *r = a->result;
	const char *why = "";
	for (size_t i = 0; i < r->gate.nchecks && !r->gate.pass; i++)
		if (!r->gate.checks[i].pass) {
			why = r->gate.checks[i].why;
			break;
		}
	app_message(a, !r->gate.pass, "%s in %.2f s: %zu nodes, depth %d, test accuracy %.4f (baseline %.4f), gate %s%s%s",
		    j->kind == JOB_TUNE ? "tuned and trained" : "trained", secs,
		    r->tree ? r->tree->nnodes : 0, r->tree ? tree_depth(r->tree) : 0,
		    r->test_metrics.accuracy, r->test_metrics.baseline,
		    r->gate.pass ? "PASS" : "FAIL", *why ? ": " : "", why);
}

static const char *cancelled_text(enum job_kind kind)
{
	return kind == JOB_LOAD ? "loading cancelled"
		: kind == JOB_TUNE ? "tuning cancelled" : "training cancelled";
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
	else
		adopt_train(a, w);
	job_free(w);
	return true;
}

void app_history_restore(struct app *a, size_t i)
{
	if (i >= a->nhistory)
		return;
	settings_free(&a->settings);
	settings_copy(&a->settings, &a->history[i].settings);
	app_clear_tune(&a->settings);
	app_settings_changed(a);
	app_message(a, false, "settings of run %zu restored; t trains with them", i + 1);
}
