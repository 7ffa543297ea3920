/* registry: publishing, approving and reading model versions kept as plain
 * files (layout in registry.h, format in fraudtree-registry(5)).
 *
 * Invariants:
 * - Every change to a group happens under flock(GROUP/.lock), so version
 *   numbers are allocated once and audit lines never interleave.
 * - A version directory appears whole or not at all: it is written under
 *   GROUP/.staging/, every file fsynced, then renamed to its number.
 * - audit.jsonl is the record of status changes. A status change appends its
 *   line before rewriting the manifest, and cuts the line off again if the
 *   rewrite fails; a registration renames its directory before appending,
 *   and back into staging if the append fails. Each writer first repairs
 *   what an interrupted writer left behind (stale staging, a version without
 *   its "registered" line, a manifest whose status lags the log), so the two
 *   never disagree for long.
 * - Readers trust nothing: each file is size- and sha256-checked against the
 *   manifest and parsed with full validation before it is used. */
#include "config.h"
#include "registry.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "sha256.h"

#define MANIFEST_FORMAT "fraudtree-manifest"
#define GROUP_FORMAT "fraudtree-group"

/* The files of a version besides the manifest, in manifest order. */
static const char *const version_files[] = { "model.json", "evaluation.json", "pipeline.json" };
enum { NFILES = 3 };

/* ---- small helpers ---------------------------------------------------- */

static void fault(const char *point)
{
#ifdef FT_TEST_HOOKS
	const char *want = getenv("FRAUDTREE_FAULT");
	if (want && !strcmp(want, point))
		raise(SIGKILL);
#else
	(void)point;
#endif
}

const char *registry_status_name(enum registry_status s)
{
	switch (s) {
	case REG_APPROVED: return "Approved";
	case REG_REJECTED: return "Rejected";
	case REG_PENDING: break;
	}
	return "PendingManualApproval";
}

const char *registry_diff_kind_name(enum registry_diff_kind k)
{
	switch (k) {
	case DIFF_STATUS: return "status";
	case DIFF_SETTING: return "setting";
	case DIFF_METRIC: return "metric";
	case DIFF_CONFUSION: return "confusion";
	case DIFF_DATA: return "data";
	case DIFF_TREE: break;
	}
	return "tree";
}

bool registry_status_parse(const char *s, enum registry_status *out)
{
	static const enum registry_status all[] = { REG_PENDING, REG_APPROVED, REG_REJECTED };
	for (size_t i = 0; i < 3; i++)
		if (s && !strcmp(s, registry_status_name(all[i]))) {
			*out = all[i];
			return true;
		}
	return false;
}

/* A directory entry that names a version: 1..999999999, no leading zero. */
static int version_from_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 9 || s[0] == '0')
		return 0;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return (int)v;
}

const char *registry_default_user(char *buf, size_t size)
{
	const char *u = getenv("USER");
	if (!u || !*u) {
		struct passwd *pw = getpwuid(getuid());
		u = pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown";
	}
	snprintf(buf, size, "%s", u);
	return buf;
}

static void utc_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Read a regular file (never through a symlink) for checking. */
static char *read_regular(const char *path, size_t *len, struct ft_err *err)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		ft_fail(err, FT_EINPUT, "%s: %s", path,
			errno == ENOENT ? "missing" : strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		ft_fail(err, FT_EINPUT, "%s: not a regular file", path);
		return NULL;
	}
	/* Bytes, not text: checksums cover every byte, and a NUL in the audit
	 * log spoils only its own line. */
	return file_read_bytes(path, len, err);
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Create dir/name with data, fsynced; 0644 before umask. */
static int write_new_file(const char *dir, const char *name, const char *data,
			  size_t len, struct ft_err *err)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int rc = -1;
	if (fd >= 0 && write_all(fd, data, len) == 0 && fsync(fd) == 0)
		rc = 0;
	if (rc < 0)
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
	free(path);
	return rc;
}

/* mkdir -p with 0755 before umask. */
static int make_dirs(const char *path, struct ft_err *err)
{
	char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				ft_fail(err, FT_EIO, "%s: %s", p, strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	if (!is_dir(path))
		return ft_fail(err, FT_EIO, "%s: not a directory", path);
	return 0;
}

/* Remove a directory and the files in it (one level: what staging holds). */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *sub = xasprintf("%s/%s", path, e->d_name);
			if (is_dir(sub))
				remove_tree(sub);
			else
				unlink(sub);
			free(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* ---- JSON field access with path-and-key errors ----------------------- */

static const cJSON *j_field(const cJSON *o, const char *key, const char *path,
			    struct ft_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v)
		ft_fail(err, FT_EINPUT, "%s: %s: missing", path, key);
	return v;
}

static int j_str(const cJSON *o, const char *key, char **out, const char *path,
		 struct ft_err *err)
{
	const cJSON *v = j_field(o, key, path, err);
	if (!v)
		return -1;
	if (!cJSON_IsString(v))
		return ft_fail(err, FT_EINPUT, "%s: %s: expected a string", path, key);
	*out = xstrdup(v->valuestring);
	return 0;
}

static int j_num(const cJSON *o, const char *key, double *out, const char *path,
		 struct ft_err *err)
{
	const cJSON *v = j_field(o, key, path, err);
	if (!v)
		return -1;
	if (cJSON_IsNull(v)) {
		*out = NAN;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return ft_fail(err, FT_EINPUT, "%s: %s: expected a number", path, key);
	*out = v->valuedouble;
	return 0;
}

static int j_u64(const cJSON *o, const char *key, uint64_t *out, const char *path,
		 struct ft_err *err)
{
	const cJSON *v = j_field(o, key, path, err);
	if (!v)
		return -1;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
	    v->valuedouble != floor(v->valuedouble))
		return ft_fail(err, FT_EINPUT, "%s: %s: expected a whole number >= 0", path, key);
	*out = (uint64_t)v->valuedouble;
	return 0;
}

static int j_bool(const cJSON *o, const char *key, bool *out, const char *path,
		  struct ft_err *err)
{
	const cJSON *v = j_field(o, key, path, err);
	if (!v)
		return -1;
	if (!cJSON_IsBool(v))
		return ft_fail(err, FT_EINPUT, "%s: %s: expected true or false", path, key);
	*out = cJSON_IsTrue(v);
	return 0;
}

static int j_sha(const cJSON *o, const char *key, char out[65], const char *path,
		 struct ft_err *err)
{
	char *s = NULL;
	if (j_str(o, key, &s, path, err) < 0)
		return -1;
	bool ok = strlen(s) == 64;
	for (size_t i = 0; ok && i < 64; i++)
		ok = isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f');
	if (ok)
		memcpy(out, s, 65);
	free(s);
	if (!ok)
		return ft_fail(err, FT_EINPUT, "%s: %s: expected 64 lowercase hex digits",
			       path, key);
	return 0;
}

static const cJSON *j_object(const cJSON *o, const char *key, const char *path,
			     struct ft_err *err)
{
	const cJSON *v = j_field(o, key, path, err);
	if (v && !cJSON_IsObject(v)) {
		ft_fail(err, FT_EINPUT, "%s: %s: expected an object", path, key);
		return NULL;
	}
	return v;
}

/* "MAJOR.MINOR" with a known MAJOR (a newer minor is fine). */
static int j_format_version(const cJSON *o, int major_known, int *major, int *minor,
			    const char *path, struct ft_err *err)
{
	char *s = NULL;
	if (j_str(o, "format_version", &s, path, err) < 0)
		return -1;
	int a, b, used = 0;
	bool ok = sscanf(s, "%d.%d%n", &a, &b, &used) == 2 && s[used] == '\0' && a >= 0 && b >= 0;
	int rc = 0;
	if (!ok)
		rc = ft_fail(err, FT_EINPUT, "%s: format_version: expected \"MAJOR.MINOR\", found \"%s\"",
			     path, s);
	else if (a != major_known)
		rc = ft_fail(err, FT_EINPUT,
			     "%s: format_version %s is not supported (this program reads %d.x)",
			     path, s, major_known);
	free(s);
	if (rc == 0) {
		*major = a;
		*minor = b;
	}
	return rc;
}

static cJSON *parse_object(const char *text, const char *path, struct ft_err *err)
{
	cJSON *j = json_parse(text, path, err);
	if (!j)
		return NULL;
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		ft_fail(err, FT_EINPUT, "%s: expected a JSON object", path);
		return NULL;
	}
	return j;
}

/* ---- manifest --------------------------------------------------------- */

static const struct {
	const char *name;
	size_t offset;
} metric_fields[] = {
	{ "threshold", offsetof(struct metrics, threshold) },
	{ "accuracy", offsetof(struct metrics, accuracy) },
	{ "baseline", offsetof(struct metrics, baseline) },
	{ "precision", offsetof(struct metrics, precision) },
	{ "recall", offsetof(struct metrics, recall) },
	{ "specificity", offsetof(struct metrics, specificity) },
	{ "f1", offsetof(struct metrics, f1) },
	{ "balanced_accuracy", offsetof(struct metrics, balanced_accuracy) },
	{ "mcc", offsetof(struct metrics, mcc) },
	{ "roc_auc", offsetof(struct metrics, roc_auc) },
	{ "pr_auc", offsetof(struct metrics, pr_auc) },
	{ "log_loss", offsetof(struct metrics, log_loss) },
};
enum { NMETRICS = sizeof metric_fields / sizeof metric_fields[0] };

/* The offsets come from offsetof() of members of those types, so the
 * addresses are aligned; the void * step says so to -Wcast-align. */
static double *metric_at(struct metrics *m, size_t i)
{
	return (double *)(void *)((char *)m + metric_fields[i].offset);
}

static const struct {
	const char *name;
	size_t offset;
} count_fields[] = {
	{ "tn", offsetof(struct metrics, cm.tn) },
	{ "fp", offsetof(struct metrics, cm.fp) },
	{ "fn", offsetof(struct metrics, cm.fn) },
	{ "tp", offsetof(struct metrics, cm.tp) },
};

static uint64_t *count_at(struct metrics *m, size_t i)
{
	return (uint64_t *)(void *)((char *)m + count_fields[i].offset);
}

static void manifest_free(struct registry_manifest *m)
{
	free(m->group);
	free(m->created);
	free(m->user);
	free(m->program);
	free(m->description);
	for (size_t i = 0; i < m->ngate; i++) {
		free(m->gate[i].metric);
		free(m->gate[i].op);
		free(m->gate[i].why);
	}
	free(m->gate);
	free(m->data_path);
	for (size_t i = 0; i < m->nfiles; i++)
		free(m->files[i].name);
	free(m->files);
	memset(m, 0, sizeof *m);
}

static bool op_valid(const char *s)
{
	enum cmp_op op;
	return cmp_op_parse(s, &op);
}

static cJSON *manifest_json(const char *group, int version, const char *created,
			    const char *user, const struct registry_publish_args *a,
			    const char *data_sha, uint64_t data_size,
			    char shas[NFILES][65], const size_t sizes[NFILES])
{
	char fv[16];
	snprintf(fv, sizeof fv, "%d.%d", REGISTRY_FORMAT_MAJOR, REGISTRY_FORMAT_MINOR);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "format", MANIFEST_FORMAT);
	cJSON_AddStringToObject(j, "format_version", fv);
	cJSON_AddStringToObject(j, "group", group);
	cJSON_AddItemToObject(j, "version", json_int(version));
	cJSON_AddStringToObject(j, "status", registry_status_name(REG_PENDING));
	cJSON_AddStringToObject(j, "created", created);
	cJSON_AddStringToObject(j, "user", user);
	cJSON_AddStringToObject(j, "program", PACKAGE_NAME " " PACKAGE_VERSION);
	cJSON_AddStringToObject(j, "description", a->description ? a->description : "");

	cJSON_AddItemToObject(j, "gate", gate_to_json(a->gate, GATE_JSON_MANIFEST));

	cJSON *data = cJSON_AddObjectToObject(j, "data");
	cJSON_AddStringToObject(data, "path", a->data_path);
	cJSON_AddItemToObject(data, "size", json_uint(data_size));
	cJSON_AddStringToObject(data, "sha256", data_sha);
	cJSON_AddItemToObject(data, "rows", json_uint(a->data_rows));
	cJSON_AddItemToObject(data, "columns", json_uint(a->data_columns));

	if (a->metrics) {
		struct metrics m = *a->metrics;
		cJSON *mj = cJSON_AddObjectToObject(j, "metrics");
		cJSON_AddItemToObject(mj, "n", json_uint(m.n));
		cJSON_AddItemToObject(mj, "positives", json_uint(m.positives));
		cJSON_AddItemToObject(mj, "negatives", json_uint(m.negatives));
		for (size_t i = 0; i < NMETRICS; i++)
			json_add_num(mj, metric_fields[i].name, *metric_at(&m, i));
		cJSON *cm = cJSON_AddObjectToObject(mj, "confusion_matrix");
		for (size_t i = 0; i < 4; i++)
			cJSON_AddItemToObject(cm, count_fields[i].name, json_uint(*count_at(&m, i)));
	}

	cJSON *files = cJSON_AddObjectToObject(j, "files");
	for (size_t i = 0; i < NFILES; i++) {
		cJSON *f = cJSON_AddObjectToObject(files, version_files[i]);
		cJSON_AddStringToObject(f, "sha256", shas[i]);
		cJSON_AddItemToObject(f, "size", json_uint(sizes[i]));
	}
	return j;
}

static char *json_text(const cJSON *j)
{
	char *p = json_print(j);
	char *s = xasprintf("%s\n", p);
	free(p);
	return s;
}

static int parse_gate(const cJSON *j, struct registry_manifest *m, const char *path,
		      struct ft_err *err)
{
	const cJSON *gate = j_object(j, "gate", path, err);
	if (!gate || j_bool(gate, "passed", &m->gate_pass, path, err) < 0)
		return -1;
	const cJSON *conds = j_field(gate, "conditions", path, err);
	if (!conds)
		return -1;
	if (!cJSON_IsArray(conds))
		return ft_fail(err, FT_EINPUT, "%s: gate.conditions: expected an array", path);
	size_t n = (size_t)cJSON_GetArraySize(conds);
	m->gate = xcalloc(n ? n : 1, sizeof *m->gate);
	const cJSON *c;
	cJSON_ArrayForEach(c, conds) {
		struct registry_gate_check *g = &m->gate[m->ngate++];
		char where[300];
		snprintf(where, sizeof where, "%s: gate.conditions[%zu]", path, m->ngate - 1);
		if (!cJSON_IsObject(c))
			return ft_fail(err, FT_EINPUT, "%s: expected an object", where);
		if (j_str(c, "metric", &g->metric, where, err) < 0 ||
		    j_str(c, "op", &g->op, where, err) < 0 ||
		    j_num(c, "value", &g->value, where, err) < 0 ||
		    j_num(c, "actual", &g->actual, where, err) < 0 ||
		    j_bool(c, "passed", &g->pass, where, err) < 0 ||
		    j_str(c, "why", &g->why, where, err) < 0)
			return -1;
		if (!op_valid(g->op))
			return ft_fail(err, FT_EINPUT, "%s: op: unknown operator \"%s\"", where, g->op);
	}
	return 0;
}

static int parse_metrics(const cJSON *j, struct registry_manifest *m, const char *path,
			 struct ft_err *err)
{
	const cJSON *mj = cJSON_GetObjectItemCaseSensitive(j, "metrics");
	if (!mj)
		return 0;
	char where[300];
	snprintf(where, sizeof where, "%s: metrics", path);
	if (!cJSON_IsObject(mj))
		return ft_fail(err, FT_EINPUT, "%s: expected an object", where);
	if (j_u64(mj, "n", &m->metrics.n, where, err) < 0 ||
	    j_u64(mj, "positives", &m->metrics.positives, where, err) < 0 ||
	    j_u64(mj, "negatives", &m->metrics.negatives, where, err) < 0)
		return -1;
	for (size_t i = 0; i < NMETRICS; i++)
		if (j_num(mj, metric_fields[i].name, metric_at(&m->metrics, i), where, err) < 0)
			return -1;
	snprintf(where, sizeof where, "%s: metrics.confusion_matrix", path);
	const cJSON *cm = j_object(mj, "confusion_matrix", path, err);
	if (!cm)
		return -1;
	for (size_t i = 0; i < 4; i++)
		if (j_u64(cm, count_fields[i].name, count_at(&m->metrics, i), where, err) < 0)
			return -1;
	const struct confusion *c = &m->metrics.cm;
	if (c->tn + c->fp + c->fn + c->tp != m->metrics.n)
		return ft_fail(err, FT_EINPUT, "%s: confusion matrix does not add up to n", where);
	m->has_metrics = true;
	return 0;
}

/* Parse and validate a manifest; group and version must match where it
 * lives. On failure m is left freed. */
static int parse_manifest(const char *text, const char *path, const char *group,
			  int version, struct registry_manifest *m, struct ft_err *err)
{
	memset(m, 0, sizeof *m);
	cJSON *j = parse_object(text, path, err);
	if (!j)
		return -1;
	int rc = -1;
	char *format = NULL, *status = NULL;
	double ver;
	if (j_str(j, "format", &format, path, err) < 0)
		goto out;
	if (strcmp(format, MANIFEST_FORMAT)) {
		ft_fail(err, FT_EINPUT, "%s: format: expected \"%s\"", path, MANIFEST_FORMAT);
		goto out;
	}
	if (j_format_version(j, REGISTRY_FORMAT_MAJOR, &m->format_major, &m->format_minor,
			     path, err) < 0 ||
	    j_str(j, "group", &m->group, path, err) < 0 ||
	    j_num(j, "version", &ver, path, err) < 0 ||
	    j_str(j, "status", &status, path, err) < 0 ||
	    j_str(j, "created", &m->created, path, err) < 0 ||
	    j_str(j, "user", &m->user, path, err) < 0 ||
	    j_str(j, "program", &m->program, path, err) < 0 ||
	    j_str(j, "description", &m->description, path, err) < 0)
		goto out;
	if (strcmp(m->group, group)) {
		ft_fail(err, FT_EINPUT, "%s: group: \"%s\" does not match its directory", path, m->group);
		goto out;
	}
	if (ver != version) {
		ft_fail(err, FT_EINPUT, "%s: version: %g does not match its directory", path, ver);
		goto out;
	}
	m->version = version;
	if (!registry_status_parse(status, &m->status)) {
		ft_fail(err, FT_EINPUT, "%s: status: unknown status \"%s\"", path, status);
		goto out;
	}
	if (parse_gate(j, m, path, err) < 0)
		goto out;
	const cJSON *data = j_object(j, "data", path, err);
	char where[300];
	snprintf(where, sizeof where, "%s: data", path);
	if (!data || j_str(data, "path", &m->data_path, where, err) < 0 ||
	    j_u64(data, "size", &m->data_size, where, err) < 0 ||
	    j_sha(data, "sha256", m->data_sha256, where, err) < 0 ||
	    j_u64(data, "rows", &m->data_rows, where, err) < 0 ||
	    j_u64(data, "columns", &m->data_columns, where, err) < 0)
		goto out;
	if (parse_metrics(j, m, path, err) < 0)
		goto out;
	const cJSON *files = j_object(j, "files", path, err);
	if (!files)
		goto out;
	m->files = xcalloc(NFILES, sizeof *m->files);
	for (size_t i = 0; i < NFILES; i++) {
		snprintf(where, sizeof where, "%s: files", path);
		const cJSON *f = j_object(files, version_files[i], where, err);
		if (!f)
			goto out;
		struct registry_file_sum *fs = &m->files[m->nfiles++];
		fs->name = xstrdup(version_files[i]);
		snprintf(where, sizeof where, "%s: files.%s", path, version_files[i]);
		if (j_sha(f, "sha256", fs->sha256, where, err) < 0 ||
		    j_u64(f, "size", &fs->size, where, err) < 0)
			goto out;
	}
	if (cJSON_GetArraySize(files) != NFILES) {
		ft_fail(err, FT_EINPUT, "%s: files: lists files that a version does not hold", path);
		goto out;
	}
	rc = 0;
out:
	free(format);
	free(status);
	cJSON_Delete(j);
	if (rc < 0)
		manifest_free(m);
	return rc;
}

/* ---- checking one version --------------------------------------------- */

/* What a full check of a version yields. */
struct checked {
	struct registry_manifest m;
	struct model *model;           /* when asked for */
	char *pipeline_text;           /* when asked for */
};

static char *version_dir(const char *root, const char *group, int version)
{
	return xasprintf("%s/%s/%d", root, group, version);
}

/* Check everything about a version: manifest, each file's size, sha256 and
 * JSON, and the model's structure. Errors name the file. */
static int check_version(const char *root, const char *group, int version,
			 struct checked *out, bool keep, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	char *dir = version_dir(root, group, version);
	char *path = xasprintf("%s/manifest.json", dir);
	int rc = -1;
	char *text = NULL;
	struct stat st;
	if (lstat(dir, &st) < 0 && errno == ENOENT) {
		ft_fail(err, FT_EINPUT, "%s: no such version", dir);
		goto out;
	}
	if (!is_dir(dir)) {
		ft_fail(err, FT_EINPUT, "%s: not a directory", dir);
		goto out;
	}
	text = read_regular(path, NULL, err);
	if (!text || parse_manifest(text, path, group, version, &out->m, err) < 0)
		goto out;
	for (size_t i = 0; i < NFILES; i++) {
		free(path);
		free(text);
		path = xasprintf("%s/%s", dir, version_files[i]);
		size_t len;
		text = read_regular(path, &len, err);
		if (!text)
			goto out;
		const struct registry_file_sum *fs = &out->m.files[i];
		char hex[65];
		sha256_hex(text, len, hex);
		if (len != fs->size) {
			ft_fail(err, FT_EINPUT, "%s: size %zu differs from the manifest's %llu",
				path, len, (unsigned long long)fs->size);
			goto out;
		}
		if (strcmp(hex, fs->sha256)) {
			ft_fail(err, FT_EINPUT, "%s: sha256 differs from the manifest (file changed)", path);
			goto out;
		}
		if (strlen(text) != len) {
			ft_fail(err, FT_EINPUT, "%s: contains a NUL byte", path);
			goto out;
		}
		if (i == 0) {
			out->model = model_parse(text, path, err);
			if (!out->model)
				goto out;
			if (!keep) {
				model_free(out->model);
				out->model = NULL;
			}
		} else {
			cJSON *j = parse_object(text, path, err);
			if (!j)
				goto out;
			cJSON_Delete(j);
			if (i == 2 && keep) {
				out->pipeline_text = text;
				text = NULL;
			}
		}
	}
	rc = 0;
out:
	if (rc < 0) {
		manifest_free(&out->m);
		model_free(out->model);
		out->model = NULL;
		free(out->pipeline_text);
		out->pipeline_text = NULL;
	}
	free(text);
	free(path);
	free(dir);
	return rc;
}

static void checked_free(struct checked *c)
{
	manifest_free(&c->m);
	model_free(c->model);
	free(c->pipeline_text);
}

/* Version numbers present in a group directory, ascending. */
static int scan_versions(const char *gdir, int **out, size_t *n, struct ft_err *err)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(gdir);
	if (!d)
		return ft_fail(err, errno == ENOENT ? FT_EINPUT : FT_EIO, "%s: %s", gdir,
			       errno == ENOENT ? "no such group" : strerror(errno));
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int v = version_from_name(e->d_name);
		if (!v)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		(*out)[(*n)++] = v;
	}
	closedir(d);
	for (size_t i = 1; i < *n; i++)
		for (size_t k = i; k > 0 && (*out)[k - 1] > (*out)[k]; k--) {
			int t = (*out)[k];
			(*out)[k] = (*out)[k - 1];
			(*out)[k - 1] = t;
		}
	return 0;
}

/* ---- audit log -------------------------------------------------------- */

static void event_free(struct registry_event *e)
{
	free(e->time);
	free(e->user);
	free(e->event);
	free(e->from);
	free(e->to);
	free(e->reason);
}

void registry_events_free(struct registry_event *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		event_free(&e[i]);
	free(e);
}

static int parse_event(const char *line, const char *where, struct registry_event *ev,
		       struct ft_err *err)
{
	memset(ev, 0, sizeof *ev);
	cJSON *j = parse_object(line, where, err);
	if (!j)
		return -1;
	int rc = -1;
	double v;
	enum registry_status st;
	if (j_str(j, "time", &ev->time, where, err) < 0 ||
	    j_str(j, "user", &ev->user, where, err) < 0 ||
	    j_str(j, "event", &ev->event, where, err) < 0 ||
	    j_num(j, "version", &v, where, err) < 0 ||
	    j_str(j, "to", &ev->to, where, err) < 0 ||
	    j_str(j, "reason", &ev->reason, where, err) < 0)
		goto out;
	const cJSON *from = j_field(j, "from", where, err);
	if (!from)
		goto out;
	if (cJSON_IsNull(from))
		ev->from = xstrdup("");
	else if (cJSON_IsString(from) && registry_status_parse(from->valuestring, &st))
		ev->from = xstrdup(from->valuestring);
	else {
		ft_fail(err, FT_EINPUT, "%s: from: expected a status or null", where);
		goto out;
	}
	if (!(v >= 1 && v <= REGISTRY_VERSION_MAX && v == floor(v))) {
		ft_fail(err, FT_EINPUT, "%s: version: expected a positive whole number", where);
		goto out;
	}
	ev->version = (int)v;
	if (!registry_status_parse(ev->to, &st)) {
		ft_fail(err, FT_EINPUT, "%s: to: unknown status \"%s\"", where, ev->to);
		goto out;
	}
	bool reg = !strcmp(ev->event, "registered");
	if (!reg && strcmp(ev->event, "approved") && strcmp(ev->event, "rejected")) {
		ft_fail(err, FT_EINPUT, "%s: event: unknown event \"%s\"", where, ev->event);
		goto out;
	}
	if (reg != (ev->from[0] == '\0')) {
		ft_fail(err, FT_EINPUT, "%s: from: %s", where,
			reg ? "a registration has no previous status" : "missing previous status");
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	if (rc < 0) {
		event_free(ev);
		memset(ev, 0, sizeof *ev);
	}
	return rc;
}

struct problems {
	struct registry_problem *v;
	size_t n, cap;
};

static void problem_add(struct problems *p, const char *path, const char *reason)
{
	if (!p)
		return;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
	}
	p->v[p->n].path = xstrdup(path);
	p->v[p->n].reason = xstrdup(reason);
	p->n++;
}

/* Split "path: reason" (an ft_err message) into a problem. */
static void problem_from_err(struct problems *p, const char *fallback_path,
			     const struct ft_err *err)
{
	const char *sep = strstr(err->msg, ": ");
	if (sep && !strncmp(err->msg, fallback_path, strlen(fallback_path))) {
		char *path = xstrndup(err->msg, (size_t)(sep - err->msg));
		problem_add(p, path, sep + 2);
		free(path);
	} else {
		problem_add(p, fallback_path, err->msg);
	}
}

/* Read GROUP/audit.jsonl (none is an empty log); lines that cannot be read
 * are skipped and, when probs is non-NULL, reported there. */
static void read_audit(const char *gdir, struct registry_event **out, size_t *n,
		       struct problems *probs)
{
	*out = NULL;
	*n = 0;
	char *path = xasprintf("%s/audit.jsonl", gdir);
	struct stat st;
	if (lstat(path, &st) < 0 && errno == ENOENT) {
		free(path);
		return;
	}
	struct ft_err e2;
	size_t len;
	char *text = read_regular(path, &len, &e2);
	if (!text) {
		problem_from_err(probs, path, &e2);
		free(path);
		return;
	}
	size_t cap = 0;
	long lineno = 0;
	/* By length, not as one C string: a NUL byte (a torn write on some
	 * file systems) spoils its own line only. */
	for (char *line = text, *end = text + len; line < end;) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		if (nl)
			*nl = '\0';
		size_t linelen = (size_t)((nl ? nl : end) - line);
		lineno++;
		char where[600];
		snprintf(where, sizeof where, "%s:%ld", path, lineno);
		if (strlen(line) != linelen) {
			problem_add(probs, where, "contains a NUL byte");
		} else if (!blank(line)) {
			struct registry_event ev;
			if (parse_event(line, where, &ev, &e2) < 0) {
				const char *why = e2.msg + strlen(where);
				while (*why == ':' || *why == ' ')
					why++;
				if (!strncmp(why, "1: ", 3))
					why += 3;
				problem_add(probs, where, why);
			} else {
				if (*n == cap) {
					cap = cap ? cap * 2 : 16;
					*out = xreallocarray(*out, cap, sizeof **out);
				}
				(*out)[(*n)++] = ev;
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	free(text);
	free(path);
}

int registry_audit(const char *root, const char *group, struct registry_event **out,
		   size_t *n, struct ft_err *err)
{
	*out = NULL;
	*n = 0;
	if (!registry_group_valid(group))
		return ft_fail(err, FT_EINPUT, "%s: not a valid group name", group);
	char *gdir = xasprintf("%s/%s", root, group);
	read_audit(gdir, out, n, NULL);
	free(gdir);
	return 0;
}

/* Status of a version according to the log: the last event's "to", and
 * whether it was registered at all. */
static bool audit_status(const struct registry_event *ev, size_t n, int version,
			 enum registry_status *st)
{
	bool found = false;
	for (size_t i = 0; i < n; i++)
		if (ev[i].version == version && registry_status_parse(ev[i].to, st))
			found = true;
	return found;
}

static bool audit_registered(const struct registry_event *ev, size_t n, int version)
{
	for (size_t i = 0; i < n; i++)
		if (ev[i].version == version && !strcmp(ev[i].event, "registered"))
			return true;
	return false;
}

/* Append one line with a single write and fsync it. A torn last line left
 * by a crash is closed first so the new line stays readable. A write that
 * fails (disk full) is cut back off, so a refused change leaves no half
 * line behind. */
static int audit_append(const char *gdir, const char *time_s, const char *user,
			const char *event, int version, const char *from, const char *to,
			const char *reason, struct ft_err *err)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "time", time_s);
	cJSON_AddStringToObject(j, "user", user);
	cJSON_AddStringToObject(j, "event", event);
	cJSON_AddItemToObject(j, "version", json_int(version));
	if (from)
		cJSON_AddStringToObject(j, "from", from);
	else
		cJSON_AddNullToObject(j, "from");
	cJSON_AddStringToObject(j, "to", to);
	cJSON_AddStringToObject(j, "reason", reason);
	char *body = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);

	char *path = xasprintf("%s/audit.jsonl", gdir);
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	int rc = -1;
	if (fd >= 0) {
		struct stat st;
		char last = '\n';
		if (fstat(fd, &st) < 0)
			st.st_size = -1;   /* unknown: nothing to cut back to */
		if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
			last = '\n';
		char *line = xasprintf("%s%s\n", last == '\n' ? "" : "\n", body);
		if (write_all(fd, line, strlen(line)) == 0 && fsync(fd) == 0)
			rc = 0;
		int saved = errno;
		if (rc < 0 && st.st_size >= 0 && ftruncate(fd, st.st_size) == 0)
			fsync(fd);
		free(line);
		if (close(fd) < 0 && rc == 0) {
			saved = errno;
			rc = -1;
		}
		errno = saved;
		if (rc == 0 && st.st_size == 0)
			fsync_path(gdir);
	}
	if (rc < 0)
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
	free(path);
	cJSON_free(body);
	return rc;
}

/* The length of audit.jsonl (0 when there is none yet), taken before a
 * change appends its line so that the change can take the line back. */
static off_t audit_length(const char *gdir)
{
	char *path = xasprintf("%s/audit.jsonl", gdir);
	struct stat st;
	off_t len = lstat(path, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
	free(path);
	return len;
}

/* Cut audit.jsonl back to len and fsync it: the line of a change that
 * failed after appending it must not be completed by the next repair. */
static int audit_take_back(const char *gdir, off_t len, struct ft_err *err)
{
	char *path = xasprintf("%s/audit.jsonl", gdir);
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc = fd >= 0 && ftruncate(fd, len) == 0 && fsync(fd) == 0 ? 0 : -1;
	if (rc < 0)
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

/* Rewrite a manifest's status atomically, keeping everything else. */
static int manifest_set_status(const char *root, const char *group, int version,
			       enum registry_status to, struct ft_err *err)
{
	char *path = xasprintf("%s/%s/%d/manifest.json", root, group, version);
	char *text = read_regular(path, NULL, err);
	int rc = -1;
	if (text) {
		cJSON *j = parse_object(text, path, err);
		if (j) {
			cJSON_ReplaceItemInObjectCaseSensitive(
				j, "status", cJSON_CreateString(registry_status_name(to)));
			char *out = json_text(j);
			rc = file_write_atomic(path, out, strlen(out), 0644, err);
			free(out);
			cJSON_Delete(j);
		}
	}
	free(text);
	free(path);
	return rc;
}

/* ---- locking and repair ---------------------------------------------- */

static int group_lock(const char *gdir, struct ft_err *err)
{
	char *path = xasprintf("%s/.lock", gdir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		ft_fail(err, FT_EIO, "%s: cannot lock: %s", path, strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

/* Under the lock: finish or undo what an interrupted writer left. Staging
 * directories are stale by definition (every writer holds the lock while it
 * stages); a version without its "registered" line gets one; a manifest
 * whose status lags the log (crash between the two writes) is brought up to
 * the log; leftover temporary manifests are removed. Damaged versions are
 * left for `verify` to report. */
static int group_repair(const char *root, const char *group, struct ft_err *err)
{
	char *gdir = xasprintf("%s/%s", root, group);
	char *staging = xasprintf("%s/.staging", gdir);
	DIR *d = opendir(staging);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *sub = xasprintf("%s/%s", staging, e->d_name);
			remove_tree(sub);
			free(sub);
		}
		closedir(d);
	}
	free(staging);

	int *vers;
	size_t nvers;
	struct registry_event *ev;
	size_t nev;
	int rc = scan_versions(gdir, &vers, &nvers, err);
	if (rc < 0) {
		free(gdir);
		return -1;
	}
	read_audit(gdir, &ev, &nev, NULL);
	for (size_t i = 0; i < nvers && rc == 0; i++) {
		char *vdir = version_dir(root, group, vers[i]);
		DIR *vd = opendir(vdir);
		if (vd) {
			struct dirent *e;
			while ((e = readdir(vd)))
				if (!strncmp(e->d_name, "manifest.json.tmp.", 18)) {
					char *tmp = xasprintf("%s/%s", vdir, e->d_name);
					unlink(tmp);
					free(tmp);
				}
			closedir(vd);
		}
		free(vdir);
		char *mpath = xasprintf("%s/%s/%d/manifest.json", root, group, vers[i]);
		struct ft_err e2;
		char *text = read_regular(mpath, NULL, &e2);
		struct registry_manifest m;
		if (text && parse_manifest(text, mpath, group, vers[i], &m, &e2) == 0) {
			if (!audit_registered(ev, nev, vers[i]))
				rc = audit_append(gdir, m.created, m.user, "registered", vers[i], NULL,
						  registry_status_name(m.status),
						  "recovered: the registration was interrupted before its audit line",
						  err);
			enum registry_status logged;
			if (rc == 0 && audit_status(ev, nev, vers[i], &logged) && logged != m.status)
				rc = manifest_set_status(root, group, vers[i], logged, err);
			manifest_free(&m);
		}
		free(text);
		free(mpath);
	}
	registry_events_free(ev, nev);
	free(vers);
	free(gdir);
	return rc;
}

/* ---- publishing ------------------------------------------------------- */

static int check_publish_args(const struct registry_publish_args *a, struct ft_err *err)
{
	if (!a->group || !registry_group_valid(a->group))
		return ft_fail(err, FT_EINPUT,
			       "registry.group: \"%s\" is not a valid group name "
			       "(letters, digits and inner hyphens, at most 63)",
			       a->group ? a->group : "");
	if (!a->data_path || !*a->data_path)
		return ft_fail(err, FT_EINPUT, "registry: the data path is required");
	const char *texts[NFILES] = { a->model_json, a->evaluation_json, a->pipeline_json };
	for (size_t i = 0; i < NFILES; i++) {
		if (!texts[i])
			return ft_fail(err, FT_EINPUT, "registry: %s: no content", version_files[i]);
		cJSON *j = parse_object(texts[i], version_files[i], err);
		if (!j)
			return -1;
		cJSON_Delete(j);
	}
	return 0;
}

static int write_group_json(const char *gdir, const char *group, const char *description,
			    struct ft_err *err)
{
	char *path = xasprintf("%s/group.json", gdir);
	struct stat st;
	int rc = 0;
	if (lstat(path, &st) < 0 && errno == ENOENT) {
		char now[32], fv[16];
		utc_now(now);
		snprintf(fv, sizeof fv, "%d.%d", REGISTRY_FORMAT_MAJOR, REGISTRY_FORMAT_MINOR);
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "format", GROUP_FORMAT);
		cJSON_AddStringToObject(j, "format_version", fv);
		cJSON_AddStringToObject(j, "name", group);
		cJSON_AddStringToObject(j, "description", description ? description : "");
		cJSON_AddStringToObject(j, "created", now);
		char *text = json_text(j);
		cJSON_Delete(j);
		rc = file_write_atomic(path, text, strlen(text), 0644, err);
		free(text);
	}
	free(path);
	return rc;
}

int registry_publish(const char *root, const struct registry_publish_args *a,
		     int *version_out, struct ft_err *err)
{
	if (check_publish_args(a, err) < 0)
		return -1;
	char data_sha[65];
	uint64_t data_size;
	if (sha256_file(a->data_path, data_sha, &data_size, err) < 0)
		return -1;
	char userbuf[128];
	const char *user = a->user && *a->user ? a->user : registry_default_user(userbuf, sizeof userbuf);

	char *gdir = xasprintf("%s/%s", root, a->group);
	char *staging_root = xasprintf("%s/.staging", gdir);
	char *stage = NULL, *final = NULL;
	int lock = -1, rc = -1;
	bool placed = false;   /* stage renamed to final, not yet logged */
	if (make_dirs(gdir, err) < 0)
		goto out;
	lock = group_lock(gdir, err);
	if (lock < 0)
		goto out;
	fault("after-lock");
	if (group_repair(root, a->group, err) < 0 ||
	    write_group_json(gdir, a->group, a->description, err) < 0)
		goto out;

	int *vers;
	size_t nvers;
	if (scan_versions(gdir, &vers, &nvers, err) < 0)
		goto out;
	int version = nvers ? vers[nvers - 1] + 1 : 1;
	free(vers);
	if (version > REGISTRY_VERSION_MAX) {
		ft_fail(err, FT_EINPUT, "%s: no version numbers left", gdir);
		goto out;
	}

	if (mkdir(staging_root, 0755) < 0 && errno != EEXIST) {
		ft_fail(err, FT_EIO, "%s: %s", staging_root, strerror(errno));
		goto out;
	}
	if (!is_dir(staging_root)) {
		ft_fail(err, FT_EIO, "%s: not a directory", staging_root);
		goto out;
	}
	struct ft_rng rng;
	rng_seed(&rng, (uint64_t)getpid() ^ ((uint64_t)time(NULL) << 20) ^
			       (uint64_t)(ft_now() * 1e9));
	stage = xasprintf("%s/%ld-%08llx", staging_root, (long)getpid(),
			  (unsigned long long)(rng_next(&rng) & 0xffffffffu));
	if (mkdir(stage, 0755) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", stage, strerror(errno));
		goto out;
	}
	const char *texts[NFILES] = { a->model_json, a->evaluation_json, a->pipeline_json };
	char shas[NFILES][65];
	size_t sizes[NFILES];
	for (size_t i = 0; i < NFILES; i++) {
		sizes[i] = strlen(texts[i]);
		sha256_hex(texts[i], sizes[i], shas[i]);
		if (write_new_file(stage, version_files[i], texts[i], sizes[i], err) < 0)
			goto out;
		if (i == 0)
			fault("mid-staging");
	}
	char created[32];
	utc_now(created);
	cJSON *mj = manifest_json(a->group, version, created, user, a, data_sha, data_size,
				  shas, sizes);
	char *mtext = json_text(mj);
	cJSON_Delete(mj);
	int wrc = write_new_file(stage, "manifest.json", mtext, strlen(mtext), err);
	free(mtext);
	if (wrc < 0)
		goto out;
	if (fsync_path(stage) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", stage, strerror(errno));
		goto out;
	}
	fault("before-rename");
	final = version_dir(root, a->group, version);
	if (rename(stage, final) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", final, strerror(errno));
		goto out;
	}
	placed = true;
	fault("after-rename");
	if (fsync_path(gdir) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", gdir, strerror(errno));
		goto out;
	}
	fault("before-audit");
	if (audit_append(gdir, created, user, "registered", version, NULL,
			 registry_status_name(REG_PENDING),
			 a->description && *a->description ? a->description : "gate passed",
			 err) < 0)
		goto out;
	fault("after-audit");
	placed = false;
	free(stage);
	stage = NULL;
	*version_out = version;
	rc = 0;
out:
	/* A registration refused after its rename must not turn up later as
	 * a recovered version: it goes back to staging (which only the lock
	 * holder writes) and is removed from there. */
	if (placed && rename(final, stage) < 0) {
		if (err) {
			size_t len = strlen(err->msg);
			snprintf(err->msg + len, sizeof err->msg - len,
				 "; %s could not be withdrawn (%s) and is recorded at the next "
				 "change to %s", final, strerror(errno), a->group);
		}
		free(stage);
		stage = NULL;
	} else if (placed) {
		fsync_path(gdir);
	}
	if (stage)
		remove_tree(stage);
	if (lock >= 0)
		close(lock);
	free(stage);
	free(final);
	free(staging_root);
	free(gdir);
	return rc;
}

/* ---- status changes --------------------------------------------------- */

static int check_ref(const char *group, int version, struct ft_err *err)
{
	if (!registry_group_valid(group))
		return ft_fail(err, FT_EINPUT, "%s: not a valid group name", group ? group : "");
	if (version < 1 || version > REGISTRY_VERSION_MAX)
		return ft_fail(err, FT_EINPUT, "%s/%d: versions are positive numbers", group, version);
	return 0;
}

int registry_set_status(const char *root, const char *group, int version,
			enum registry_status to, const char *reason,
			const char *user, struct ft_err *err)
{
	if (check_ref(group, version, err) < 0)
		return -1;
	if (to == REG_PENDING)
		return ft_fail(err, FT_EINPUT, "%s/%d: a version can only be approved or rejected",
			       group, version);
	if (!reason || blank(reason))
		return ft_fail(err, FT_EINPUT, "%s/%d: a reason is required", group, version);
	char userbuf[128];
	if (!user || !*user)
		user = registry_default_user(userbuf, sizeof userbuf);
	char *gdir = xasprintf("%s/%s", root, group);
	int rc = -1, lock = -1;
	struct checked c = { 0 };
	if (!is_dir(gdir)) {
		ft_fail(err, FT_EINPUT, "%s: no such group", gdir);
		goto out;
	}
	lock = group_lock(gdir, err);
	if (lock < 0 || group_repair(root, group, err) < 0)
		goto out;
	if (check_version(root, group, version, &c, false, err) < 0)
		goto out;
	if (c.m.status == to) {
		ft_fail(err, FT_EINPUT, "%s/%d: already %s", group, version, registry_status_name(to));
		goto out;
	}
	char now[32];
	utc_now(now);
	off_t logged = audit_length(gdir);
	if (audit_append(gdir, now, user, to == REG_APPROVED ? "approved" : "rejected", version,
			 registry_status_name(c.m.status), registry_status_name(to), reason,
			 err) < 0)
		goto out;
	fault("before-manifest");
	if (manifest_set_status(root, group, version, to, err) < 0) {
		/* The caller is told the change failed, so it must not stay in
		 * the log for the next repair to complete. A manifest already
		 * renamed into place (only its directory's fsync failed) is
		 * brought back to the log by that repair. */
		struct ft_err e2;
		if (audit_take_back(gdir, logged, &e2) < 0 && err) {
			size_t len = strlen(err->msg);
			snprintf(err->msg + len, sizeof err->msg - len,
				 "; it could not be taken back from the log (%s), so it"
				 " takes effect at the next change to %s", e2.msg, group);
		}
		goto out;
	}
	fault("after-manifest");
	rc = 0;
out:
	checked_free(&c);
	if (lock >= 0)
		close(lock);
	free(gdir);
	return rc;
}

/* ---- listing ---------------------------------------------------------- */

void registry_versions_free(struct registry_version *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].problem);
		manifest_free(&v[i].m);
	}
	free(v);
}

int registry_list_versions(const char *root, const char *group,
			   struct registry_version **out, size_t *n, struct ft_err *err)
{
	*out = NULL;
	*n = 0;
	if (!registry_group_valid(group))
		return ft_fail(err, FT_EINPUT, "%s: not a valid group name", group ? group : "");
	char *gdir = xasprintf("%s/%s", root, group);
	int *vers;
	size_t nvers;
	int rc = scan_versions(gdir, &vers, &nvers, err);
	if (rc < 0) {
		free(gdir);
		return -1;
	}
	/* The log is the record of status: a manifest that disagrees (a crash
	 * between the two writes, or a hand edit) never decides what a reader
	 * such as GROUP@approved sees. */
	struct registry_event *ev;
	size_t nev;
	read_audit(gdir, &ev, &nev, NULL);
	free(gdir);
	*out = xcalloc(nvers ? nvers : 1, sizeof **out);
	for (size_t i = 0; i < nvers; i++) {
		struct registry_version *v = &(*out)[i];
		struct checked c;
		struct ft_err e2;
		v->number = vers[i];
		if (check_version(root, group, vers[i], &c, false, &e2) < 0) {
			v->damaged = true;
			v->problem = xstrdup(e2.msg);
		} else {
			v->m = c.m;
			memset(&c.m, 0, sizeof c.m);
			checked_free(&c);
			audit_status(ev, nev, v->number, &v->m.status);
		}
	}
	registry_events_free(ev, nev);
	*n = nvers;
	free(vers);
	return 0;
}

void registry_groups_free(struct registry_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].name);
		free(g[i].description);
		free(g[i].created);
		free(g[i].problem);
	}
	free(g);
}

/* group.json: format, name matching the directory, description, created. */
static int read_group_json(const char *gdir, const char *group, char **description,
			   char **created, struct ft_err *err)
{
	char *path = xasprintf("%s/group.json", gdir);
	char *text = read_regular(path, NULL, err);
	cJSON *j = text ? parse_object(text, path, err) : NULL;
	int rc = -1;
	char *format = NULL, *name = NULL;
	int major, minor;
	if (!j)
		goto out;
	if (j_str(j, "format", &format, path, err) < 0 ||
	    j_format_version(j, REGISTRY_FORMAT_MAJOR, &major, &minor, path, err) < 0 ||
	    j_str(j, "name", &name, path, err) < 0 ||
	    j_str(j, "description", description, path, err) < 0 ||
	    j_str(j, "created", created, path, err) < 0)
		goto out;
	if (strcmp(format, GROUP_FORMAT)) {
		ft_fail(err, FT_EINPUT, "%s: format: expected \"%s\"", path, GROUP_FORMAT);
		goto out;
	}
	if (strcmp(name, group)) {
		ft_fail(err, FT_EINPUT, "%s: name: \"%s\" does not match its directory", path, name);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		free(*description);
		free(*created);
		*description = *created = NULL;
	}
	free(format);
	free(name);
	cJSON_Delete(j);
	free(text);
	free(path);
	return rc;
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct registry_group *)a)->name,
		      ((const struct registry_group *)b)->name);
}

/* Valid group names under root that are directories. */
static char **scan_groups(const char *root, size_t *n, struct ft_err *err)
{
	*n = 0;
	DIR *d = opendir(root);
	if (!d) {
		if (errno == ENOENT)
			return xcalloc(1, sizeof(char *));
		ft_fail(err, FT_EIO, "%s: %s", root, strerror(errno));
		return NULL;
	}
	size_t cap = 8;
	char **names = xmalloc(cap * sizeof *names);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!registry_group_valid(e->d_name))
			continue;
		char *p = xasprintf("%s/%s", root, e->d_name);
		bool dir = is_dir(p);
		free(p);
		if (!dir)
			continue;
		if (*n + 1 >= cap) {
			cap *= 2;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	names[*n] = NULL;
	return names;
}

int registry_list_groups(const char *root, struct registry_group **out, size_t *n,
			 struct ft_err *err)
{
	*out = NULL;
	*n = 0;
	size_t ng;
	char **names = scan_groups(root, &ng, err);
	if (!names)
		return -1;
	*out = xcalloc(ng ? ng : 1, sizeof **out);
	for (size_t i = 0; i < ng; i++) {
		struct registry_group *g = &(*out)[i];
		g->name = names[i];
		char *gdir = xasprintf("%s/%s", root, g->name);
		struct ft_err e2;
		if (read_group_json(gdir, g->name, &g->description, &g->created, &e2) < 0) {
			g->problem = xstrdup(e2.msg);
			g->description = xstrdup("");
			g->created = xstrdup("");
		}
		free(gdir);
		struct registry_version *v;
		size_t nv;
		if (registry_list_versions(root, g->name, &v, &nv, &e2) == 0) {
			g->nversions = nv;
			for (size_t k = 0; k < nv; k++) {
				if (v[k].damaged) {
					g->ndamaged++;
					continue;
				}
				g->latest = v[k].number;
				if (v[k].m.status == REG_APPROVED)
					g->approved = v[k].number;
			}
			registry_versions_free(v, nv);
		}
	}
	free(names);
	*n = ng;
	qsort(*out, ng, sizeof **out, cmp_group);
	return 0;
}

int registry_resolve(const char *root, const char *ref, char *group, int *version,
		     struct ft_err *err)
{
	const char *sep = strpbrk(ref, "/@");
	size_t glen = sep ? (size_t)(sep - ref) : strlen(ref);
	if (!sep || glen == 0 || glen > REGISTRY_GROUP_MAX)
		return ft_fail(err, FT_EINPUT,
			       "%s: expected GROUP/VERSION, GROUP@latest or GROUP@approved", ref);
	memcpy(group, ref, glen);
	group[glen] = '\0';
	if (!registry_group_valid(group))
		return ft_fail(err, FT_EINPUT, "%s: not a valid group name", group);
	if (*sep == '/') {
		int v = version_from_name(sep + 1);
		if (!v)
			return ft_fail(err, FT_EINPUT, "%s: versions are positive numbers", ref);
		*version = v;
		return 0;
	}
	bool approved = !strcmp(sep + 1, "approved");
	if (!approved && strcmp(sep + 1, "latest"))
		return ft_fail(err, FT_EINPUT, "%s: expected @latest or @approved", ref);
	struct registry_version *v;
	size_t n;
	if (registry_list_versions(root, group, &v, &n, err) < 0)
		return -1;
	*version = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].damaged && (!approved || v[i].m.status == REG_APPROVED))
			*version = v[i].number;
	registry_versions_free(v, n);
	if (!*version)
		return ft_fail(err, FT_EINPUT, "%s/%s: no %s version", root, group,
			       approved ? "approved" : "intact");
	return 0;
}

/* ---- show ------------------------------------------------------------- */

static void flatten(const cJSON *j, const char *prefix, struct registry_setting **out,
		    size_t *n, size_t *cap)
{
	if (cJSON_IsObject(j)) {
		const cJSON *c;
		cJSON_ArrayForEach(c, j) {
			char *key = *prefix ? xasprintf("%s.%s", prefix, c->string)
					    : xstrdup(c->string);
			flatten(c, key, out, n, cap);
			free(key);
		}
		return;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*out = xreallocarray(*out, *cap, sizeof **out);
	}
	char *v = cJSON_PrintUnformatted(j);
	(*out)[*n].key = xstrdup(prefix);
	(*out)[*n].value = xstrdup(v ? v : "null");
	cJSON_free(v);
	(*n)++;
}

void registry_details_free(struct registry_details *d)
{
	if (!d)
		return;
	free(d->v.problem);
	manifest_free(&d->v.m);
	model_free(d->model);
	for (size_t i = 0; i < d->ntop; i++)
		free(d->top[i].name);
	for (size_t i = 0; i < d->nsettings; i++) {
		free(d->settings[i].key);
		free(d->settings[i].value);
	}
	free(d->settings);
	registry_events_free(d->events, d->nevents);
	memset(d, 0, sizeof *d);
}

int registry_show(const char *root, const char *group, int version,
		  struct registry_details *d, struct ft_err *err)
{
	memset(d, 0, sizeof *d);
	if (check_ref(group, version, err) < 0)
		return -1;
	struct checked c;
	if (check_version(root, group, version, &c, true, err) < 0)
		return -1;
	d->v.number = version;
	d->v.m = c.m;
	d->model = c.model;
	const struct tree *t = c.model->tree;
	d->nodes = t->nnodes;
	for (size_t i = 0; i < t->nnodes; i++) {
		d->leaves += t->nodes[i].left == TREE_LEAF;
		if (t->nodes[i].depth > d->depth)
			d->depth = t->nodes[i].depth;
	}
	/* Top features by importance: repeated selection over a small k. */
	bool *taken = xcalloc(t->nfeatures ? t->nfeatures : 1, sizeof *taken);
	while (d->ntop < 5) {
		size_t best = SIZE_MAX;
		for (size_t f = 0; f < t->nfeatures; f++)
			if (!taken[f] && t->importance && t->importance[f] > 0 &&
			    (best == SIZE_MAX || t->importance[f] > t->importance[best]))
				best = f;
		if (best == SIZE_MAX)
			break;
		taken[best] = true;
		d->top[d->ntop].name = xstrdup(t->feature_names[best]);
		d->top[d->ntop].importance = t->importance[best];
		d->ntop++;
	}
	free(taken);
	cJSON *pj = cJSON_Parse(c.pipeline_text);
	size_t cap = 0;
	flatten(pj, "", &d->settings, &d->nsettings, &cap);
	cJSON_Delete(pj);
	free(c.pipeline_text);

	struct registry_event *ev;
	size_t nev;
	registry_audit(root, group, &ev, &nev, err);
	audit_status(ev, nev, version, &d->v.m.status);
	d->events = xcalloc(nev ? nev : 1, sizeof *d->events);
	for (size_t i = 0; i < nev; i++) {
		if (ev[i].version == version)
			d->events[d->nevents++] = ev[i];
		else
			event_free(&ev[i]);
	}
	free(ev);
	return 0;
}

struct model *registry_load_model(const char *root, const char *group, int version,
				  struct ft_err *err)
{
	if (check_ref(group, version, err) < 0)
		return NULL;
	struct checked c;
	if (check_version(root, group, version, &c, true, err) < 0)
		return NULL;
	struct model *m = c.model;
	c.model = NULL;
	checked_free(&c);
	return m;
}

/* ---- diff ------------------------------------------------------------- */

void registry_diff_free(struct registry_diff_item *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].key);
		free(d[i].a);
		free(d[i].b);
	}
	free(d);
}

struct diffs {
	struct registry_diff_item *v;
	size_t n, cap;
};

static void diff_add(struct diffs *d, enum registry_diff_kind kind, const char *key,
		     const char *a, const char *b, bool has_delta, double delta)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
	}
	d->v[d->n++] = (struct registry_diff_item){
		kind, xstrdup(key), xstrdup(a), xstrdup(b), has_delta, delta
	};
}

static void diff_num(struct diffs *d, enum registry_diff_kind kind, const char *key,
		     double a, double b)
{
	if (a == b || (isnan(a) && isnan(b)))
		return;
	char ta[32], tb[32];
	fmt_double(ta, a);
	fmt_double(tb, b);
	if (isnan(a))
		strcpy(ta, "null");
	if (isnan(b))
		strcpy(tb, "null");
	diff_add(d, kind, key, ta, tb, !isnan(a) && !isnan(b), b - a);
}

static void diff_text(struct diffs *d, enum registry_diff_kind kind, const char *key,
		      const char *a, const char *b)
{
	if (strcmp(a, b))
		diff_add(d, kind, key, a, b, false, 0);
}

int registry_diff(const char *root, const char *group_a, int version_a,
		  const char *group_b, int version_b,
		  struct registry_diff_item **out, size_t *n, struct ft_err *err)
{
	*out = NULL;
	*n = 0;
	struct registry_details a, b;
	if (registry_show(root, group_a, version_a, &a, err) < 0)
		return -1;
	if (registry_show(root, group_b, version_b, &b, err) < 0) {
		registry_details_free(&a);
		return -1;
	}
	struct diffs d = { 0 };
	diff_text(&d, DIFF_STATUS, "status", registry_status_name(a.v.m.status),
		  registry_status_name(b.v.m.status));
	for (size_t i = 0; i < a.nsettings; i++) {
		const char *other = "(absent)";
		for (size_t k = 0; k < b.nsettings; k++)
			if (!strcmp(a.settings[i].key, b.settings[k].key))
				other = b.settings[k].value;
		diff_text(&d, DIFF_SETTING, a.settings[i].key, a.settings[i].value, other);
	}
	for (size_t k = 0; k < b.nsettings; k++) {
		bool found = false;
		for (size_t i = 0; i < a.nsettings && !found; i++)
			found = !strcmp(a.settings[i].key, b.settings[k].key);
		if (!found)
			diff_add(&d, DIFF_SETTING, b.settings[k].key, "(absent)", b.settings[k].value,
				 false, 0);
	}
	if (a.v.m.has_metrics && b.v.m.has_metrics) {
		for (size_t i = 0; i < NMETRICS; i++)
			diff_num(&d, DIFF_METRIC, metric_fields[i].name, *metric_at(&a.v.m.metrics, i),
				 *metric_at(&b.v.m.metrics, i));
		for (size_t i = 0; i < 4; i++)
			diff_num(&d, DIFF_CONFUSION, count_fields[i].name,
				 (double)*count_at(&a.v.m.metrics, i), (double)*count_at(&b.v.m.metrics, i));
	}
	diff_text(&d, DIFF_DATA, "sha256", a.v.m.data_sha256, b.v.m.data_sha256);
	diff_text(&d, DIFF_DATA, "path", a.v.m.data_path, b.v.m.data_path);
	diff_num(&d, DIFF_DATA, "size", (double)a.v.m.data_size, (double)b.v.m.data_size);
	diff_num(&d, DIFF_DATA, "rows", (double)a.v.m.data_rows, (double)b.v.m.data_rows);
	diff_num(&d, DIFF_DATA, "columns", (double)a.v.m.data_columns, (double)b.v.m.data_columns);
	diff_num(&d, DIFF_TREE, "nodes", (double)a.nodes, (double)b.nodes);
	diff_num(&d, DIFF_TREE, "leaves", (double)a.leaves, (double)b.leaves);
	diff_num(&d, DIFF_TREE, "depth", a.depth, b.depth);
	diff_num(&d, DIFF_TREE, "features", (double)a.model->tree->nfeatures,
		 (double)b.model->tree->nfeatures);
	registry_details_free(&a);
	registry_details_free(&b);
	*out = d.v;
	*n = d.n;
	return 0;
}

/* ---- verify ----------------------------------------------------------- */

void registry_problems_free(struct registry_problem *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].path);
		free(p[i].reason);
	}
	free(p);
}

static void verify_group(const char *root, const char *group, struct problems *p)
{
	char *gdir = xasprintf("%s/%s", root, group);
	struct ft_err e;
	char *desc = NULL, *created = NULL;
	if (read_group_json(gdir, group, &desc, &created, &e) < 0) {
		char *gj = xasprintf("%s/group.json", gdir);
		problem_from_err(p, gj, &e);
		free(gj);
	}
	free(desc);
	free(created);

	struct registry_event *ev;
	size_t nev;
	read_audit(gdir, &ev, &nev, p);
	char *apath = xasprintf("%s/audit.jsonl", gdir);

	int *vers = NULL;
	size_t nvers = 0;
	if (scan_versions(gdir, &vers, &nvers, &e) < 0)
		problem_add(p, gdir, e.msg);
	for (size_t i = 0; i < nvers; i++) {
		struct checked c;
		char *vdir = version_dir(root, group, vers[i]);
		if (check_version(root, group, vers[i], &c, false, &e) < 0) {
			problem_from_err(p, vdir, &e);
			free(vdir);
			continue;
		}
		enum registry_status logged;
		char why[200];
		if (!audit_registered(ev, nev, vers[i])) {
			snprintf(why, sizeof why,
				 "version %d has no \"registered\" line (an interrupted "
				 "registration; the next write to the group adds it)", vers[i]);
			problem_add(p, apath, why);
		} else if (audit_status(ev, nev, vers[i], &logged) && logged != c.m.status) {
			snprintf(why, sizeof why, "status %s differs from the audit log's %s",
				 registry_status_name(c.m.status), registry_status_name(logged));
			char *mp = xasprintf("%s/manifest.json", vdir);
			problem_add(p, mp, why);
			free(mp);
		}
		checked_free(&c);
		free(vdir);
	}
	/* Each logged change must follow from the previous status of a version
	 * that exists. */
	for (size_t i = 0; i < nev; i++) {
		bool exists = false;
		for (size_t k = 0; k < nvers && !exists; k++)
			exists = vers[k] == ev[i].version;
		char why[200];
		if (!exists) {
			snprintf(why, sizeof why, "event for version %d, which does not exist",
				 ev[i].version);
			problem_add(p, apath, why);
			continue;
		}
		const char *prev = "";
		for (size_t k = 0; k < i; k++)
			if (ev[k].version == ev[i].version)
				prev = ev[k].to;
		if (strcmp(prev, ev[i].from)) {
			snprintf(why, sizeof why, "version %d: %s event from \"%s\" but it was \"%s\"",
				 ev[i].version, ev[i].event, ev[i].from, prev);
			problem_add(p, apath, why);
		}
	}
	free(apath);
	free(vers);
	registry_events_free(ev, nev);
	free(gdir);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int registry_verify(const char *root, const char *group,
		    struct registry_problem **out, size_t *n, struct ft_err *err)
{
	*out = NULL;
	*n = 0;
	if (!is_dir(root))
		return ft_fail(err, FT_EINPUT, "%s: no registry here", root);
	struct problems p = { 0 };
	if (group) {
		if (!registry_group_valid(group))
			return ft_fail(err, FT_EINPUT, "%s: not a valid group name", group);
		char *gdir = xasprintf("%s/%s", root, group);
		bool ok = is_dir(gdir);
		free(gdir);
		if (!ok)
			return ft_fail(err, FT_EINPUT, "%s/%s: no such group", root, group);
		verify_group(root, group, &p);
	} else {
		size_t ng;
		char **names = scan_groups(root, &ng, err);
		if (!names)
			return -1;
		qsort(names, ng, sizeof *names, cmp_name);
		for (size_t i = 0; i < ng; i++) {
			verify_group(root, names[i], &p);
			free(names[i]);
		}
		free(names);
	}
	*out = p.v;
	*n = p.n;
	return 0;
}
