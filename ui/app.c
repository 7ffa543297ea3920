/* app: the session state and its single background job.
 *
 * Invariants: at most one worker thread exists (job_running); while it runs
 * it owns the job struct except the atomics and `stage` (under job.lock),
 * and it reads a->frame only, which no one changes while a job runs (:open
 * refuses to start while a job is running). Everything else belongs to the
 * UI thread, which adopts results in app_poll_job. */
#include "config.h"
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv_load.h"
#include "tune.h"
#include "util.h"

#define HISTORY_MAX 20

void app_init(struct app *a)
{
	memset(a, 0, sizeof *a);
	settings_init(&a->settings);
	pthread_mutex_init(&a->job.lock, NULL);
	a->explain_row = -1;
	a->color = true;
}

static void run_record_free(struct run_record *r)
{
	settings_free(&r->settings);
}

void app_free(struct app *a)
{
	if (a->job_running) {
		atomic_store(&a->job.cancel, 1);
		pthread_join(a->job.thread, NULL);
		a->job_running = false;
		frame_free(a->job.frame);
		if (a->job.result) {
			pipeline_result_free(a->job.result);
			free(a->job.result);
		}
		free(a->job.path);
		settings_free(&a->job.settings);
	}
	pthread_mutex_destroy(&a->job.lock);
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
	struct app_job *j = &a->job;
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

static void job_reset(struct app_job *j, enum job_kind kind)
{
	j->kind = kind;
	atomic_store(&j->cancel, 0);
	atomic_store(&j->done, 0);
	atomic_store(&j->progress_done, 0);
	atomic_store(&j->progress_total, 0);
	snprintf(j->stage, sizeof j->stage, "%s", kind == JOB_LOAD ? "load" : "prepare");
	j->started = ft_now();
	j->status = 0;
	ft_err_clear(&j->err);
	j->frame = NULL;
	j->result = NULL;
	j->path = NULL;
	j->input = NULL;
}

static int job_busy(struct app *a)
{
	if (!a->job_running)
		return 0;
	app_message(a, true, "busy: %s is running (Esc cancels it)",
		    a->job.kind == JOB_LOAD ? "loading" : a->job.kind == JOB_TUNE ? "tuning" : "training");
	return -1;
}

int app_start_load(struct app *a, const char *path)
{
	if (job_busy(a))
		return -1;
	struct app_job *j = &a->job;
	job_reset(j, JOB_LOAD);
	j->path = xstrdup(path);
	j->delimiter = a->delimiter;
	settings_copy(&j->settings, &a->settings);
	if (pthread_create(&j->thread, NULL, load_worker, j)) {
		free(j->path);
		j->path = NULL;
		settings_free(&j->settings);
		app_message(a, true, "cannot start a thread to load %s", path);
		return -1;
	}
	a->job_running = true;
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

static void default_list(struct int_list *l, const long *v, size_t n)
{
	if (l->n)
		return;
	l->v = xmalloc(n * sizeof *l->v);
	memcpy(l->v, v, n * sizeof *v);
	l->n = n;
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
	struct app_job *j = &a->job;
	job_reset(j, tune ? JOB_TUNE : JOB_TRAIN);
	j->input = a->frame;
	settings_copy(&j->settings, &a->settings);
	if (tune) {
		static const long depth[] = { 3, 5, 8, 12 }, split[] = { 2, 20, 100 };
		if (!tune_wanted(&j->settings)) {
			default_list(&j->settings.tune_max_depth, depth, 4);
			default_list(&j->settings.tune_min_samples_split, split, 3);
		}
	} else {
		app_clear_tune(&j->settings);
	}
	if (pthread_create(&j->thread, NULL, train_worker, j)) {
		settings_free(&j->settings);
		app_message(a, true, "cannot start a training thread");
		return -1;
	}
	a->job_running = true;
	a->trained_version = a->settings_version;
	app_message(a, false, "%s...", tune ? "tuning" : "training");
	return 0;
}

void app_cancel_job(struct app *a)
{
	if (a->job_running) {
		atomic_store(&a->job.cancel, 1);
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
		free(j->path);
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
	a->explain_row = -1;
	a->registry_version = 0;
	if (!a->settings.target) {
		int t = frame_guess_target(a->frame);
		if (t >= 0)
			a->settings.target = xstrdup(a->frame->cols[t].name);
	}
	app_settings_changed(a);
	if (a->settings.target && frame_find(a->frame, a->settings.target) < 0)
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

bool app_poll_job(struct app *a)
{
	if (!a->job_running || !atomic_load(&a->job.done))
		return false;
	struct app_job *j = &a->job;
	pthread_join(j->thread, NULL);
	a->job_running = false;
	if (j->kind == JOB_LOAD)
		adopt_load(a, j);
	else
		adopt_train(a, j);
	settings_free(&j->settings);
	j->frame = NULL;
	j->result = NULL;
	j->path = NULL;
	j->kind = JOB_NONE;
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
