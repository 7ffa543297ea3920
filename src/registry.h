/* registry: the model registry, a directory of plain files that people can
 * read, rsync and commit (format in fraudtree-registry(5)).
 *
 *   ROOT/GROUP/group.json            name, description, created
 *   ROOT/GROUP/audit.jsonl           one JSON line per event (append-only)
 *   ROOT/GROUP/.lock                 flock(2) target serialising every writer
 *   ROOT/GROUP/.staging/             versions being written (never visible)
 *   ROOT/GROUP/N/model.json          N = 1, 2, 3... per group
 *   ROOT/GROUP/N/evaluation.json
 *   ROOT/GROUP/N/pipeline.json
 *   ROOT/GROUP/N/manifest.json       status, lineage, gate, metrics, checksums
 *
 * Nothing here prints. Every reader validates what it reads: a damaged
 * version is reported (path and reason), never trusted, and never stops the
 * rest of the registry from working. Group names and version numbers are
 * checked before any path is built, so no user input reaches outside ROOT. */
#ifndef FT_REGISTRY_H
#define FT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "model.h"
#include "registry_group.h"
#include "registry_policy.h"
#include "util.h"

#define REGISTRY_FORMAT_MAJOR 1
#define REGISTRY_FORMAT_MINOR 0
#define REGISTRY_VERSION_MAX 999999999

/* A version's status; registry.c's table holds each one's name (as the
 * files and the command line spell it) and its short form for narrow
 * columns. REG_STATUS_COUNT bounds every loop. */
enum registry_status {
	REG_PENDING,       /* "PendingManualApproval" */
	REG_APPROVED,      /* "Approved" */
	REG_REJECTED,      /* "Rejected" */
	REG_STATUS_COUNT
};
const char *registry_status_name(enum registry_status s);
const char *registry_status_short(enum registry_status s);   /* "Pending", ... */
bool registry_status_parse(const char *s, enum registry_status *out);

/* The user recorded in manifests and the audit log: $USER, else the
 * password database, else "unknown". Returns buf. */
const char *registry_default_user(char *buf, size_t size);

/* ---- Registering ------------------------------------------------------ */

struct registry_publish_args {
	const char *group;             /* required, registry_group_valid */
	const char *description;       /* may be NULL */
	const char *user;              /* NULL: registry_default_user */
	/* File contents as the other modules serialised them; each must be a
	 * JSON object (checked before anything is written). */
	const char *model_json;        /* model_to_text */
	const char *evaluation_json;   /* pipeline_report_json */
	const char *pipeline_json;     /* settings_to_json of the resolved settings */
	const struct gate_result *gate;      /* may be NULL: no conditions recorded */
	const struct metrics *metrics;       /* test-split metrics, for listing; may be NULL */
	/* Lineage: size and sha256 are computed here from data_path. */
	const char *data_path;         /* required */
	uint64_t data_rows, data_columns;
};

/* Register a new version as PendingManualApproval: creates ROOT and the
 * group when needed, allocates the next number under the group lock, writes
 * the version in a staging directory (every file fsynced), renames it into
 * place, fsyncs the group directory and appends the audit line, all under
 * the lock. On success *version_out is the new number. */
int registry_publish(const char *root, const struct registry_publish_args *a,
		     int *version_out, struct ft_err *err);

/* Approve or reject (Pending -> Approved | Rejected, Approved <-> Rejected).
 * reason must be non-blank; user NULL means registry_default_user. The audit
 * line is appended first, then the manifest is rewritten atomically. */
int registry_set_status(const char *root, const char *group, int version,
			enum registry_status to, const char *reason,
			const char *user, struct ft_err *err);

/* ---- Reading ---------------------------------------------------------- */

struct registry_gate_check {
	char *metric;
	char *op;                  /* ">=", ">", "<=", "<", "==", "!=" */
	double value, actual;
	bool pass;
	char *why;
};

struct registry_file_sum {
	char *name;                /* "model.json" */
	char sha256[65];
	uint64_t size;
};

struct registry_manifest {
	int format_major, format_minor;
	char *group;
	int version;
	enum registry_status status;
	char *created;             /* UTC, ISO 8601: 2026-11-26T23:15:02Z */
	char *user;
	char *program;             /* "fraudtree 0.1.0" */
	char *description;         /* "" when none */
	bool gate_pass;
	struct registry_gate_check *gate; size_t ngate;
	char *data_path;
	uint64_t data_size, data_rows, data_columns;
	char data_sha256[65];
	bool has_metrics;
	struct metrics metrics;    /* test split; curves are not kept */
	struct registry_file_sum *files; size_t nfiles;
};

/* One version as a listing sees it. When damaged, `problem` says where and
 * why ("registry/g/3/model.json: sha256 mismatch") and the manifest fields
 * may be empty. */
struct registry_version {
	int number;
	bool damaged;
	char *problem;             /* NULL unless damaged */
	struct registry_manifest m;
};

struct registry_group {
	char *name;
	char *description;         /* "" when group.json is unreadable */
	char *created;
	size_t nversions, ndamaged;
	int latest;                /* highest intact version, 0 if none */
	int approved;              /* highest intact Approved version, 0 if none */
	char *problem;             /* group.json or audit.jsonl damage, or NULL */
};

/* Groups under ROOT, sorted by name. A missing ROOT is an empty registry.
 * Free with registry_groups_free. */
int registry_list_groups(const char *root, struct registry_group **out, size_t *n,
			 struct ft_err *err);
void registry_groups_free(struct registry_group *g, size_t n);

/* Versions of one group, ascending, each fully checked (manifest, files,
 * checksums, model structure). Free with registry_versions_free. */
int registry_list_versions(const char *root, const char *group,
			   struct registry_version **out, size_t *n,
			   struct ft_err *err);
void registry_versions_free(struct registry_version *v, size_t n);

/* "GROUP/VERSION", "GROUP@latest" (highest intact version) or
 * "GROUP@approved" (highest intact Approved version). group must hold
 * REGISTRY_GROUP_MAX + 1 bytes. */
int registry_resolve(const char *root, const char *ref, char *group, int *version,
		     struct ft_err *err);

/* registry_resolve and registry_load_model under one shared lock, so that
 * GROUP@approved never yields a version rejected between the two. group
 * must hold REGISTRY_GROUP_MAX + 1 bytes; *version is the number loaded.
 * Caller frees with model_free. */
struct model *registry_load_ref(const char *root, const char *ref, char *group, int *version,
				struct ft_err *err);

struct registry_event {
	char *time, *user, *event;     /* event: registered | approved | rejected */
	int version;
	char *from, *to;               /* statuses; from is "" for registered */
	char *reason;
};

struct registry_setting {
	char *key;                 /* "tree.max_depth" */
	char *value;               /* JSON text of the value: "5", "\"gini\"" */
};

struct registry_feature {
	char *name;
	double importance;
};

/* What `registry show` displays. */
struct registry_details {
	struct registry_version v;
	struct model *model;
	size_t nodes, leaves;
	int depth;
	struct registry_feature top[5]; size_t ntop;   /* by importance, nonzero only */
	struct registry_setting *settings; size_t nsettings;   /* pipeline.json, flattened */
	struct registry_event *events; size_t nevents;        /* this version's audit history */
};

/* Fails (with the path and the reason) when the version is damaged. The
 * test metrics' intervals (v.m.metrics.interval, bootstrap resamples and
 * seed) come from evaluation.json; a version registered before intervals
 * existed has every interval unknown. Free with registry_details_free. */
int registry_show(const char *root, const char *group, int version,
		  struct registry_details *out, struct ft_err *err);
void registry_details_free(struct registry_details *d);

/* The model of an intact version, its checksum checked first. Caller frees
 * with model_free. */
struct model *registry_load_model(const char *root, const char *group, int version,
				  struct ft_err *err);

/* The audit log of a group, in file order; unreadable lines are skipped
 * (registry_verify reports them). A log that cannot be read at all (a
 * link, a pipe, a hard link...) is an error; none is an empty log. Free
 * with registry_events_free. */
int registry_audit(const char *root, const char *group, struct registry_event **out,
		   size_t *n, struct ft_err *err);
void registry_events_free(struct registry_event *e, size_t n);

/* ---- Comparing and checking ------------------------------------------- */

enum registry_diff_kind {
	DIFF_STATUS, DIFF_SETTING, DIFF_METRIC, DIFF_CONFUSION, DIFF_DATA, DIFF_TREE
};
/* "status", "setting", "metric", "confusion", "data", "tree". */
const char *registry_diff_kind_name(enum registry_diff_kind k);

/* One difference; `a` and `b` are display text ("(absent)" when one side
 * lacks the key). For numbers, has_delta is set and delta = b - a. */
struct registry_diff_item {
	enum registry_diff_kind kind;
	char *key;
	char *a, *b;
	bool has_delta;
	double delta;
};

/* Only what differs between two intact versions. Free with registry_diff_free. */
int registry_diff(const char *root, const char *group_a, int version_a,
		  const char *group_b, int version_b,
		  struct registry_diff_item **out, size_t *n, struct ft_err *err);
void registry_diff_free(struct registry_diff_item *d, size_t n);

/* The settings part of registry_diff: a's keys in order (b's value or
 * "(absent)"), then the keys only b has. When probes is non-NULL it gets
 * the hash slots examined, so a test can bound the work without timing
 * it. *out is freed with registry_diff_free. */
void registry_diff_settings(const struct registry_setting *a, size_t na,
			    const struct registry_setting *b, size_t nb,
			    struct registry_diff_item **out, size_t *n, uint64_t *probes);

struct registry_problem {
	char *path;                /* as built from ROOT */
	char *reason;
};

/* Check every group (group NULL) or one: group.json, audit.jsonl lines and
 * their agreement with the manifests, every version's manifest, files,
 * checksums and model. Returns 0 having filled the problem list (empty when
 * clean), -1 only when the check itself could not run. */
int registry_verify(const char *root, const char *group,
		    struct registry_problem **out, size_t *n, struct ft_err *err);
void registry_problems_free(struct registry_problem *p, size_t n);

/* ---- Policy and aliases (group.json; registry_policy.h) --------------- */

/* The group's policy; out->set is false when it has none (a group that
 * does not exist yet has none). Free with registry_policy_free. */
int registry_get_policy(const char *root, const char *group, struct registry_policy *out,
			struct ft_err *err);
/* Replace the policy (p's gate, four_eyes, must_beat; the reason, user
 * and time recorded are these), audited as event "policy". Creates the
 * group when it does not exist. From then on every registration must meet
 * its gate (refused naming the condition), and with four_eyes an approval
 * by the registrant is refused. */
int registry_set_policy(const char *root, const char *group, const struct registry_policy *p,
			const char *reason, const char *user, struct ft_err *err);
/* The version an alias names, 0 when none. */
int registry_get_alias(const char *root, const char *group, const char *name, int *version,
		       struct ft_err *err);
/* Point an alias at an intact version ("champion": an Approved one),
 * audited as event "alias". GROUP@NAME then resolves to it. */
int registry_set_alias(const char *root, const char *group, const char *name, int version,
		       const char *reason, const char *user, struct ft_err *err);
/* Every way the version's gate and threshold differ from the group's
 * policy and from the defaults, one line each (registry_policy_flags);
 * (size_t)-1 with err when the version cannot be read. Caller frees each
 * line and *out. */
size_t registry_version_flags(const char *root, const char *group, int version, char ***out,
			      struct ft_err *err);
/* An intact version's pipeline.json text; caller frees. */
char *registry_read_pipeline(const char *root, const char *group, int version,
			     struct ft_err *err);

#endif
