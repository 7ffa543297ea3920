/* app: the workbench's state, shared by every screen. One struct app lives
 * for the whole session; screens read it and change it only through the
 * functions declared here (or their own state), so the worker thread and
 * the UI thread agree on who owns what.
 *
 * Threading: at most one live background job (load, train, tune, register,
 * drift or card) at a time. Its worker runs on a context of its own
 * (`live`) and owns it until
 * it sets done; `job` holds what the screens show of it (kind, started,
 * path). The UI thread polls app_poll_job() between keys and adopts the
 * result. A cancelled job that does not stop at once is left to finish on
 * its own (an orphan), so control comes back without waiting for it. */
#ifndef FT_APP_H
#define FT_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "card.h"
#include "drift.h"
#include "frame.h"
#include "pipeline.h"
#include "pipeline_publish.h"
#include "registry.h"
#include "settings.h"

enum screen_id {
	SCR_DATA, SCR_PREPARE, SCR_TRAIN, SCR_EVALUATE, SCR_TREE, SCR_REGISTRY,
	SCR_COUNT
};

/* What covers the current screen, taking every key. */
enum app_overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_LOG };

enum job_kind { JOB_NONE, JOB_LOAD, JOB_TRAIN, JOB_TUNE, JOB_REGISTER, JOB_DRIFT, JOB_CARD };

struct app_job {
	enum job_kind kind;
	pthread_t thread;
	atomic_int cancel;
	atomic_int done;
	_Atomic uint64_t progress_done, progress_total;
	char stage[32];            /* written by the worker before progress moves */
	double started;            /* ft_now() at start */
	/* Results, valid once done is set. */
	int status;                /* 0 ok, -1 failed (err) */
	struct ft_err err;
	struct frame *frame;       /* JOB_LOAD */
	struct pipeline_result *result;  /* JOB_TRAIN / JOB_TUNE */
	char *path;                /* JOB_LOAD: file being loaded */
	struct settings settings;  /* copy the worker runs with */
	/* Added fields. */
	pthread_mutex_t lock;      /* guards stage */
	const struct frame *input; /* JOB_TRAIN / JOB_TUNE: the frame (immutable) */
	char delimiter;            /* JOB_LOAD: 0 detects */
	double cancelled;          /* orphans: ft_now() when told to stop */
	/* JOB_REGISTER: what to publish (the strings are the job's; the run
	 * is a->result, which no one changes while it runs) and the version
	 * it became. Not cancellable: a version appears whole or not at all,
	 * and hashing the data is the only slow part. */
	struct pipeline_publish_args publish;
	const struct pipeline_result *published;
	char *root;
	int version;
	/* JOB_DRIFT and JOB_CARD: the registry version (root, group, version)
	 * they read. Drift measures path against its model; the card is
	 * written to path (out) in card_format, and a card told to stop writes
	 * nothing. `report` is what the Registry screen shows of a drift. */
	char group[REGISTRY_GROUP_MAX + 1];
	enum card_format card_format;
	char *out;
	struct drift_report drift;
	char *report, *summary;
};

/* The last report a Registry job made (a drift table) for the Registry
 * screen to show; seq grows with every new one. */
struct app_report {
	char title[REGISTRY_GROUP_MAX + 64];
	char *text;
	unsigned long seq;
};

/* A trained run kept in the history list (Train screen): what it was
 * trained on and with (the settings hold target, resampling, threshold and
 * gate), and what it scored. */
struct run_record {
	char *path;               /* the data file it was trained on */
	struct settings settings;
	struct metrics test;      /* copy of the test metrics */
	bool gate_pass;
	double seconds;
	int nodes, depth;
};

struct app;

/* A question the main loop shows on the message line; `y` runs yes, any
 * other key says no_message. */
struct app_question {
	char *text;                      /* whole, however long */
	void (*yes)(struct app *a, void *ctx);
	void *ctx;
	void (*free_ctx)(void *ctx);     /* may be NULL */
	char no_message[160];
};

#define APP_UNDO_MAX 32
#define APP_LOG_MAX 200

struct app {
	char *path;                      /* the loaded CSV, NULL before load */
	struct frame *frame;
	struct settings settings;        /* what the next train uses */
	struct pipeline_result *result;  /* last trained model, NULL if none */
	bool result_saved;               /* registered or saved since training */
	struct run_record *history; size_t nhistory;
	char *registry_root;
	char *pipeline_path;             /* --pipeline, for :save default */

	enum screen_id screen;
	void *screen_state[SCR_COUNT];   /* each screen's own state, owned by it */
	struct app_job job;              /* what is shown of the live job */
	bool job_running;
	struct app_job *live;            /* the live job's worker context, NULL */
	struct app_job **orphans;        /* cancelled jobs still stopping */
	size_t norphans;

	char message[512];               /* status line message */
	bool message_error;
	bool quit;
	bool color;                      /* false under NO_COLOR or mono terminals */
	int explain_row;                 /* frame row to explain on the Tree screen, -1 */
	int registry_version;            /* last version registered, 0 if none */

	/* Added fields. */
	unsigned long settings_version;  /* bumped by app_settings_changed */
	unsigned long trained_version;   /* settings_version the model was trained from */
	enum app_overlay overlay;
	struct app_question *question;   /* asked on the message line, NULL */
	unsigned question_serial;         /* counts questions asked (app_ask) */
	enum screen_id next_screen;      /* requested switch, SCR_COUNT: none */
	/* What the current model was trained with (tune.* aside; threshold
	 * and gate follow the model, which is re-evaluated when they move). */
	struct settings basis;
	/* na_values the loaded frame was read with. */
	char **read_na; size_t nread_na;
	struct settings undo[APP_UNDO_MAX]; size_t nundo;
	char *log[APP_LOG_MAX]; size_t nlog;   /* every message, oldest first */
	double cancel_at;                /* ft_now() when the running job was told to
					  * stop, 0 when it was not */
	double cancel_latency;           /* seconds from cancel_at until the session
					  * was free again; set when the job closes */
	double stopped_latency;          /* seconds the last orphan took to stop */
	enum job_kind stopped_kind;
	char delimiter;                  /* --delimiter, 0 detects */
	/* Screens may read a->frame from their own background threads (sorting,
	 * searching, previews): they hold it while they do, so a newly loaded
	 * file does not free it under them, and wake the main loop when done. */
	atomic_int frame_readers;
	atomic_int wakeup;
	struct app_report report;        /* the last drift, for the Registry screen */
};

void app_init(struct app *a);
void app_free(struct app *a);
/* Set the message line (and keep it whole in the message log). */
void app_message(struct app *a, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Ask a yes/no question; replaces one already asked (its no_message is
 * not shown). ctx is freed with free_ctx (may be NULL) once answered. */
void app_ask(struct app *a, void (*yes)(struct app *, void *), void *ctx,
	     void (*free_ctx)(void *), const char *no_message, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Answer the open question. */
void app_answer(struct app *a, bool yes);

/* Ask the main loop to show screen id after the current key. */
void app_request_screen(struct app *a, enum screen_id id);

/* Change settings: the n assignments ("key=value") are applied as one
 * change through settings_apply, checked against the loaded data. A moved
 * threshold or gate re-evaluates the current model at once (no retrain).
 * On error the message says why and nothing changed; on success the
 * previous settings can be put back with app_undo. The caller says what
 * changed. */
int app_set(struct app *a, const char *const *assignments, size_t n);
/* Replace a->settings with *s (taken over; s is left empty) as one
 * undoable change, the model re-evaluated as app_set does. */
int app_replace_settings(struct app *a, struct settings *s);
/* Put back the settings before the last app_set; -1 when there is none. */
int app_undo(struct app *a);
/* The settings keys on which a->settings and the current model differ
 * (0 when there is no model); free with settings_diff_free. */
size_t app_stale_keys(const struct app *a, char ***keys);
/* True when the loaded frame was read with other na_values than the
 * settings now hold (the file must be read again). */
bool app_reread_needed(const struct app *a);

/* Background jobs. Starting fails (returns -1, message set) when one runs. */
int app_start_load(struct app *a, const char *path);
int app_start_train(struct app *a, bool tune);
/* Register a->result (its gate must pass) into a->registry_root in the
 * background; description may be NULL. */
int app_start_register(struct app *a, const char *group, const char *description);
/* Measure the file at path against root/group/version's model in the
 * background (fraudtree drift); the table becomes a->report. */
int app_start_drift(struct app *a, const char *root, const char *group, int version,
		    const char *path);
/* Write root/group/version's model card to out in the background
 * (out_open's rules: never through a link, nothing half-written). */
int app_start_card(struct app *a, const char *root, const char *group, int version,
		   enum card_format f, const char *out);
void app_cancel_job(struct app *a);
/* Adopt a finished job; true when something changed and the screen should
 * redraw. Called by the main loop several times a second. */
bool app_poll_job(struct app *a);

/* Copy the job's stage name and progress fraction (0..1, negative when
 * unknown) for display; safe while the worker runs. */
void app_job_progress(struct app *a, char *stage, size_t size, double *fraction);

/* Screens and commands call this after changing a->settings, so previews
 * know to recompute (compare settings_version with the one they saw). */
void app_settings_changed(struct app *a);

/* The effective target column of the loaded frame (settings, else the
 * guess), or -1. */
int app_target_col(const struct app *a);

/* True when quitting now would lose a trained model nobody registered or
 * saved. */
bool app_model_at_risk(const struct app *a);

/* Screens' background threads: hold a->frame while reading it from another
 * thread; wake the main loop (it redraws) when a result is ready. */
void app_frame_hold(struct app *a);
void app_frame_release(struct app *a);
void app_wake(struct app *a);
/* Wait at most `seconds` for *flag to become nonzero (small jobs then
 * finish within the key that started them); returns its value. */
bool app_wait_flag(const atomic_int *flag, double seconds);
/* True once after each app_wake. */
bool app_take_wakeup(struct app *a);

/* Changes that commands and keys share; each checks everything first,
 * says what it did (or why not) in the message line, and is undoable. */
int app_set1(struct app *a, const char *key, const char *value);
int app_set_target(struct app *a, const char *name);
/* Drop (or keep again, drop false) the n columns. */
int app_drop(struct app *a, char *const *names, size_t n, bool drop);
/* Move the threshold; the model is re-evaluated at once. */
int app_set_threshold(struct app *a, double t);
/* A JSON string literal of s; caller frees. */
char *app_quote(const char *s);
/* The registry group the model goes to. */
const char *app_group(const struct app *a);
/* 0 when the model may be registered now, else -1 with the reason said. */
int app_can_register(struct app *a);

/* Empty the tune.* lists of s (a plain training run, or settings whose
 * tuned values are already adopted). */
void app_clear_tune(struct settings *s);

/* Put the settings of history entry i back as the current settings;
 * refused (-1, message set) for a run on another file. */
int app_history_restore(struct app *a, size_t i);

#endif
