/* registry: publishing, approving and reading model versions kept as plain
 * files (layout in registry.h, format in fraudtree-registry(5)).
 *
 * Invariants:
 * - Nothing below ROOT is reached through a link: every directory and file
 *   is opened from its parent's descriptor with O_NOFOLLOW, files must be
 *   regular with a single link, and clean-up unlinks names without ever
 *   entering what a link points to (see "walking the registry").
 * - Every change to a group happens under flock(GROUP/.lock, LOCK_EX), so
 *   version numbers are allocated once and audit lines never interleave;
 *   every reader holds it shared, so it never sees a change half made.
 * - A version number is used once, ever: the next is one past both the
 *   highest directory and the highest number the audit log names.
 * - A version directory appears whole or not at all: it is written under
 *   GROUP/.staging/, every file fsynced, then renamed to its number.
 * - audit.jsonl is the only record of status: a version's status is what
 *   replaying its own lines gives (a registration is always
 *   PendingManualApproval; lines left by an earlier holder of the number
 *   make it damaged, not approved). The manifest's copy is for people and
 *   is brought up to the log by every writer. A status change appends its
 *   line before rewriting the manifest, and cuts the line off again if the
 *   rewrite fails; a registration renames its directory before appending,
 *   and back into staging if the append fails. Each writer first repairs
 *   what an interrupted writer left behind (stale staging, a version
 *   without its "registered" line, a lagging manifest, temporaries).
 * - Readers trust nothing: each file is size- and sha256-checked against the
 *   manifest and parsed with full validation before it is used.
 *
 * Why one file: every function here works under the group lock and through
 * the same descriptor walk; split, the lock and the no-link rule would
 * have to be shared across files as a looser interface.
 */
#include "config.h"
#include "registry.h"
#include "strmap.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
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
#include "registry_policy.h"
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

static void pause_at(const char *point)
{
	ft_test_pause(point);
}

static const struct {
	const char *name, *brief;
} status_table[REG_STATUS_COUNT] = {
	[REG_PENDING] = { "PendingManualApproval", "Pending" },
	[REG_APPROVED] = { "Approved", "Approved" },
	[REG_REJECTED] = { "Rejected", "Rejected" },
};

/* Out of range reads as pending: the status a version starts with. */
const char *registry_status_name(enum registry_status s)
{
	return status_table[(unsigned)s < REG_STATUS_COUNT ? s : REG_PENDING].name;
}

const char *registry_status_short(enum registry_status s)
{
	return (unsigned)s < REG_STATUS_COUNT ? status_table[s].brief : "?";
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
	for (int k = 0; k < REG_STATUS_COUNT; k++)
		if (s && !strcmp(s, status_table[k].name)) {
			*out = (enum registry_status)k;
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

/* What people write into the registry (a reason, a user name, a
 * description) lands in JSON files other programs read, so it must be
 * UTF-8: a Latin-1 byte from a terminal or a paste is refused, never
 * stored. where names the group or version, what the text. */
static int check_text(const char *where, const char *what, const char *s, struct ft_err *err)
{
	if (s && !ft_utf8_valid(s))
		return ft_fail(err, FT_EINPUT, "%s: the %s is not valid UTF-8 text", where, what);
	return 0;
}

/* ---- walking the registry by descriptor ------------------------------
 *
 * Below ROOT nothing is reached by path: each directory is opened from its
 * parent's descriptor with O_NOFOLLOW | O_DIRECTORY and each file with
 * O_NOFOLLOW, so a symbolic link planted anywhere under ROOT is refused,
 * never followed, whoever owns it. A file the format expects must also be
 * a regular file with one link: a hard link to a file elsewhere would let
 * an append or a rewrite reach it. ROOT itself is the user's own path and
 * is opened like any path they type. */

static const char *kind_of(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a pipe";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISBLK(m) || S_ISCHR(m))
		return "a device";
	return "a regular file";
}

/* Why the entry `name` in dfd cannot be used as a regular file (or a
 * directory when want_dir), in words; NULL when it can, or is missing
 * (*missing then set). */
static const char *entry_problem(int dfd, const char *name, bool want_dir, bool *missing,
				 char buf[96])
{
	struct stat st;
	*missing = false;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		*missing = errno == ENOENT;
		if (*missing)
			return NULL;
		snprintf(buf, 96, "%s", strerror(errno));
		return buf;
	}
	if (S_ISLNK(st.st_mode))
		return "is a symbolic link; the registry never follows links";
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(buf, 96, "is %s, not %s", kind_of(st.st_mode),
			 want_dir ? "a directory" : "a regular file");
		return buf;
	}
	if (!want_dir && st.st_nlink > 1) {
		snprintf(buf, 96, "has %ju hard links; a registry file must have exactly one",
			 (uintmax_t)st.st_nlink);
		return buf;
	}
	return NULL;
}

/* Open the subdirectory `name` of dfd, never through a link. Errors name
 * dpath/name; a missing one is FT_EINPUT with `missing_why`. */
static int open_dir_at(int dfd, const char *dpath, const char *name, const char *missing_why,
		       struct ft_err *err)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	int saved = errno;
	char buf[96];
	bool missing;
	const char *why = entry_problem(dfd, name, true, &missing, buf);
	if (missing || (!why && saved == ENOENT))
		return ft_fail(err, FT_EINPUT, "%s/%s: %s", dpath, name, missing_why);
	return ft_fail(err, saved == EACCES ? FT_EIO : FT_EINPUT, "%s/%s: %s", dpath, name,
		       why ? why : strerror(saved));
}

/* Open the regular file `name` of dfd for reading: never through a link,
 * never a pipe (O_NONBLOCK: opening one does not wait for a writer), never
 * a file with other names. */
static int open_file_at(int dfd, const char *dpath, const char *name, struct ft_err *err)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char buf[96];
	bool missing;
	if (fd < 0) {
		int saved = errno;
		const char *why = entry_problem(dfd, name, false, &missing, buf);
		return ft_fail(err, FT_EINPUT, "%s/%s: %s", dpath, name,
			       missing || saved == ENOENT ? "missing" : why ? why : strerror(saved));
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) < 0) {
		why = strerror(errno);
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(buf, sizeof buf, "is %s, not a regular file", kind_of(st.st_mode));
		why = buf;
	} else if (st.st_nlink > 1) {
		snprintf(buf, sizeof buf, "has %ju hard links; a registry file must have exactly one",
			 (uintmax_t)st.st_nlink);
		why = buf;
	}
	if (why) {
		close(fd);
		return ft_fail(err, FT_EINPUT, "%s/%s: %s", dpath, name, why);
	}
	return fd;
}

/* The bytes of dpath/name (NUL bytes kept: checksums cover every byte, and
 * a NUL in the audit log spoils only its own line). Caller frees. */
static char *read_at(int dfd, const char *dpath, const char *name, size_t *len,
		     struct ft_err *err)
{
	int fd = open_file_at(dfd, dpath, name, err);
	if (fd < 0)
		return NULL;
	char *path = xasprintf("%s/%s", dpath, name);
	char *text = fd_read_bytes(fd, path, len, err);
	free(path);
	close(fd);
	return text;
}

/* Create dpath/name in dfd with data, fsynced; 0644 before umask. */
static int write_new_at(int dfd, const char *dpath, const char *name, const char *data,
			size_t len, struct ft_err *err)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	int rc = -1;
	if (fd >= 0 && write_all(fd, data, len) == 0 && fsync(fd) == 0)
		rc = 0;
	if (rc < 0)
		ft_fail(err, FT_EIO, "%s/%s: %s", dpath, name, strerror(errno));
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = ft_fail(err, FT_EIO, "%s/%s: %s", dpath, name, strerror(errno));
	return rc;
}

/* mkdir -p with 0755 before umask: ROOT only (the user's own path). */
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
	return 0;
}

/* Remove `name` from dfd: a directory with what it holds, anything else
 * (a link included) by unlinking the name itself. Links are never followed
 * and a directory is only entered through O_NOFOLLOW, so whatever a link
 * points to is untouched. Nesting deeper than 32 levels (a stage has one)
 * is left for verify to report rather than walked without bound. */
static void remove_at(int dfd, const char *name, int depth)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlinkat(dfd, name, 0);
		return;
	}
	if (depth >= 32)
		return;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			remove_at(dirfd(d), e->d_name, depth + 1);
	closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Entry names of an open directory (".", ".." left out), in directory
 * order; the descriptor is not consumed. NULL-terminated; free with
 * names_free. NULL on error (errno set). */
static char **list_dir(int dfd, size_t *n)
{
	*n = 0;
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	rewinddir(d);
	size_t cap = 16;
	char **names = xmalloc(cap * sizeof *names);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
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

static void names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/* An open group directory. */
struct gdir {
	int fd;                    /* ROOT/GROUP */
	int lock;                  /* .lock, -1 when not locked */
	char *path;                /* "ROOT/GROUP", for messages */
	const char *root, *name;   /* borrowed */
};

static void gdir_close(struct gdir *g)
{
	if (g->lock >= 0)
		close(g->lock);
	if (g->fd >= 0)
		close(g->fd);
	free(g->path);
	g->fd = g->lock = -1;
	g->path = NULL;
}

/* Open ROOT/GROUP (creating both when asked) and lock it: exclusive for a
 * writer, shared for a reader, so that a reader never sees a change half
 * made. A reader that cannot create the lock file (a read-only registry)
 * reads without it: no writer can be at work there either. */
static int gdir_open(struct gdir *g, const char *root, const char *group, bool create,
		     int lock_op, struct ft_err *err)
{
	g->fd = g->lock = -1;
	g->root = root;
	g->name = group;
	g->path = xasprintf("%s/%s", root, group);
	if (!registry_group_valid(group)) {
		ft_fail(err, FT_EINPUT, "%s: not a valid group name", group);
		goto fail;
	}
	if (create && make_dirs(root, err) < 0)
		goto fail;
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		ft_fail(err, errno == ENOENT ? FT_EINPUT : FT_EIO, "%s: %s", root,
			errno == ENOENT ? "no registry here" : strerror(errno));
		goto fail;
	}
	if (create && mkdirat(rfd, group, 0755) < 0 && errno != EEXIST) {
		ft_fail(err, FT_EIO, "%s: %s", g->path, strerror(errno));
		close(rfd);
		goto fail;
	}
	g->fd = open_dir_at(rfd, root, group, "no such group", err);
	close(rfd);
	if (g->fd < 0)
		goto fail;
	if (!lock_op)
		return 0;
	bool writer = lock_op == LOCK_EX;
	g->lock = openat(g->fd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (g->lock < 0 && !writer && (errno == EACCES || errno == EROFS || errno == EPERM))
		g->lock = openat(g->fd, ".lock", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char buf[96];
	bool missing;
	const char *why = NULL;
	if (g->lock < 0) {
		int saved = errno;
		if (!writer && saved == ENOENT)
			return 0;
		why = entry_problem(g->fd, ".lock", false, &missing, buf);
		if (!why)
			why = strerror(saved);
	} else {
		struct stat st;
		if (fstat(g->lock, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1)
			why = entry_problem(g->fd, ".lock", false, &missing, buf);
	}
	if (why && !writer) {
		/* verify reports it; writers refuse to work under it, so no
		 * change can be under way for a reader to see half made. */
		if (g->lock >= 0)
			close(g->lock);
		g->lock = -1;
		return 0;
	}
	if (why) {
		ft_fail(err, FT_EINPUT, "%s/.lock: %s", g->path, why);
		goto fail;
	}
	while (flock(g->lock, lock_op) < 0) {
		if (errno == EINTR)
			continue;
		ft_fail(err, FT_EIO, "%s/.lock: cannot lock: %s", g->path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	gdir_close(g);
	return -1;
}

/* Block the signals that end a program politely while a change is made
 * whole: an approval interrupted by Ctrl-C is either not begun or done.
 * (SIGKILL cannot be blocked: the audit line is the point of no return.) */
static void hold_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void release_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* ---- JSON fields the registry's files hold beyond json.c's --------------- */

/* A count: a whole number from 0 to 2^53 (what a double holds exactly). */
static int get_count(const struct json_reader *r, const cJSON *o, const char *base,
		     const char *key, uint64_t *out)
{
	static const char what[] = "a whole number >= 0";
	int64_t v;
	if (json_get_integer(r, o, base, key, 0, INT64_C(9007199254740992), what, what, &v) < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* A number in a manifest: null stands for a figure that has none (NAN). */
static int get_figure(const struct json_reader *r, const cJSON *o, const char *base,
		      const char *key, double *out)
{
	return json_get_number(r, o, base, key, JSON_NULL_NAN | JSON_INFINITE_OK, NULL, out);
}

static int get_sha(const struct json_reader *r, const cJSON *o, const char *base,
		   const char *key, char out[65])
{
	const char *s = json_get_string(r, o, base, key);
	if (!s)
		return -1;
	bool ok = strlen(s) == 64;
	for (size_t i = 0; ok && i < 64; i++)
		ok = isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f');
	if (!ok) {
		char k[300];
		return json_fail(r, json_key(k, sizeof k, base, key),
				 "expected 64 lowercase hex digits");
	}
	memcpy(out, s, 65);
	return 0;
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
	struct json_reader r = { .origin = path, .err = err };
	const cJSON *gate = json_get_object(&r, j, NULL, "gate");
	if (!gate || json_get_bool(&r, gate, "gate", "passed", &m->gate_pass) < 0)
		return -1;
	const cJSON *conds = json_get_array(&r, gate, "gate", "conditions", "an array");
	if (!conds)
		return -1;
	size_t n = (size_t)cJSON_GetArraySize(conds);
	m->gate = xcalloc(n ? n : 1, sizeof *m->gate);
	const cJSON *c;
	cJSON_ArrayForEach(c, conds) {
		struct registry_gate_check *g = &m->gate[m->ngate++];
		char base[64];
		snprintf(base, sizeof base, "gate.conditions[%zu]", m->ngate - 1);
		if (!cJSON_IsObject(c))
			return json_fail(&r, base, "expected an object");
		if (json_get_text(&r, c, base, "metric", &g->metric) < 0 ||
		    json_get_text(&r, c, base, "op", &g->op) < 0 ||
		    get_figure(&r, c, base, "value", &g->value) < 0 ||
		    get_figure(&r, c, base, "actual", &g->actual) < 0 ||
		    json_get_bool(&r, c, base, "passed", &g->pass) < 0 ||
		    json_get_text(&r, c, base, "why", &g->why) < 0)
			return -1;
		if (!op_valid(g->op)) {
			char k[80];
			return json_fail(&r, json_key(k, sizeof k, base, "op"),
					 "unknown operator \"%s\"", g->op);
		}
	}
	return 0;
}

static int parse_metrics(const cJSON *j, struct registry_manifest *m, const char *path,
			 struct ft_err *err)
{
	struct json_reader r = { .origin = path, .err = err };
	const cJSON *mj = cJSON_GetObjectItemCaseSensitive(j, "metrics");
	if (!mj)
		return 0;
	if (!cJSON_IsObject(mj))
		return json_fail(&r, "metrics", "expected an object");
	if (get_count(&r, mj, "metrics", "n", &m->metrics.n) < 0 ||
	    get_count(&r, mj, "metrics", "positives", &m->metrics.positives) < 0 ||
	    get_count(&r, mj, "metrics", "negatives", &m->metrics.negatives) < 0)
		return -1;
	for (size_t i = 0; i < NMETRICS; i++)
		if (get_figure(&r, mj, "metrics", metric_fields[i].name,
			       metric_at(&m->metrics, i)) < 0)
			return -1;
	const char *where = "metrics.confusion_matrix";
	const cJSON *cm = json_get_object(&r, mj, "metrics", "confusion_matrix");
	if (!cm)
		return -1;
	for (size_t i = 0; i < 4; i++)
		if (get_count(&r, cm, where, count_fields[i].name, count_at(&m->metrics, i)) < 0)
			return -1;
	const struct confusion *c = &m->metrics.cm;
	if (c->tn + c->fp + c->fn + c->tp != m->metrics.n)
		return json_fail(&r, where, "confusion matrix does not add up to n");
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
	struct json_reader r = { .origin = path, .err = err };
	if (json_get_text(&r, j, NULL, "format", &format) < 0)
		goto out;
	if (strcmp(format, MANIFEST_FORMAT)) {
		ft_fail(err, FT_EINPUT, "%s: format: expected \"%s\"", path, MANIFEST_FORMAT);
		goto out;
	}
	if (json_get_format_version(&r, j, REGISTRY_FORMAT_MAJOR, &m->format_major,
				    &m->format_minor) < 0 ||
	    json_get_text(&r, j, NULL, "group", &m->group) < 0 ||
	    get_figure(&r, j, NULL, "version", &ver) < 0 ||
	    json_get_text(&r, j, NULL, "status", &status) < 0 ||
	    json_get_text(&r, j, NULL, "created", &m->created) < 0 ||
	    json_get_text(&r, j, NULL, "user", &m->user) < 0 ||
	    json_get_text(&r, j, NULL, "program", &m->program) < 0 ||
	    json_get_text(&r, j, NULL, "description", &m->description) < 0)
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
	const cJSON *data = json_get_object(&r, j, NULL, "data");
	if (!data || json_get_text(&r, data, "data", "path", &m->data_path) < 0 ||
	    get_count(&r, data, "data", "size", &m->data_size) < 0 ||
	    get_sha(&r, data, "data", "sha256", m->data_sha256) < 0 ||
	    get_count(&r, data, "data", "rows", &m->data_rows) < 0 ||
	    get_count(&r, data, "data", "columns", &m->data_columns) < 0)
		goto out;
	if (parse_metrics(j, m, path, err) < 0)
		goto out;
	const cJSON *files = json_get_object(&r, j, NULL, "files");
	if (!files)
		goto out;
	m->files = xcalloc(NFILES, sizeof *m->files);
	for (size_t i = 0; i < NFILES; i++) {
		const cJSON *f = json_get_object(&r, files, "files", version_files[i]);
		if (!f)
			goto out;
		struct registry_file_sum *fs = &m->files[m->nfiles++];
		fs->name = xstrdup(version_files[i]);
		char base[64];
		json_key(base, sizeof base, "files", version_files[i]);
		if (get_sha(&r, f, base, "sha256", fs->sha256) < 0 ||
		    get_count(&r, f, base, "size", &fs->size) < 0)
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
	char *evaluation_text;         /* when asked for */
};

/* Open GROUP/N, never through a link; *vpath names it for messages. */
static int open_version(const struct gdir *g, int version, char **vpath, struct ft_err *err)
{
	char name[16];
	snprintf(name, sizeof name, "%d", version);
	*vpath = xasprintf("%s/%d", g->path, version);
	return open_dir_at(g->fd, g->path, name, "no such version", err);
}

/* Check everything about a version: manifest, each file's size, sha256 and
 * JSON, and the model's structure. Errors name the file. */
static int check_version(const struct gdir *g, int version, struct checked *out, bool keep,
			 struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	char *dir = NULL, *path = NULL;
	int rc = -1;
	char *text = NULL;
	int vfd = open_version(g, version, &dir, err);
	if (vfd < 0)
		goto out;
	path = xasprintf("%s/manifest.json", dir);
	text = read_at(vfd, dir, "manifest.json", NULL, err);
	if (!text || parse_manifest(text, path, g->name, version, &out->m, err) < 0)
		goto out;
	for (size_t i = 0; i < NFILES; i++) {
		free(path);
		free(text);
		path = xasprintf("%s/%s", dir, version_files[i]);
		size_t len;
		text = read_at(vfd, dir, version_files[i], &len, err);
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
			} else if (i == 1 && keep) {
				out->evaluation_text = text;
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
		free(out->evaluation_text);
		out->evaluation_text = NULL;
	}
	if (vfd >= 0)
		close(vfd);
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
	free(c->evaluation_text);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Version numbers named in a group directory (whatever each entry is:
 * a number taken by a link or a file is still taken), ascending. */
static int scan_versions(const struct gdir *g, int **out, size_t *n, struct ft_err *err)
{
	*out = NULL;
	*n = 0;
	size_t nn;
	char **names = list_dir(g->fd, &nn);
	if (!names)
		return ft_fail(err, FT_EIO, "%s: %s", g->path, strerror(errno));
	*out = xcalloc(nn ? nn : 1, sizeof **out);
	for (size_t i = 0; i < nn; i++) {
		int v = version_from_name(names[i]);
		if (v)
			(*out)[(*n)++] = v;
	}
	names_free(names);
	qsort(*out, *n, sizeof **out, cmp_int);
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

/* A change to the group (policy, alias) rather than to a version's status. */
static bool group_event(const char *event)
{
	return !strcmp(event, "policy") || !strcmp(event, "alias");
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
	struct json_reader r = { .origin = where, .err = err };
	if (json_get_text(&r, j, NULL, "time", &ev->time) < 0 ||
	    json_get_text(&r, j, NULL, "user", &ev->user) < 0 ||
	    json_get_text(&r, j, NULL, "event", &ev->event) < 0 ||
	    get_figure(&r, j, NULL, "version", &v) < 0 ||
	    json_get_text(&r, j, NULL, "to", &ev->to) < 0 ||
	    json_get_text(&r, j, NULL, "reason", &ev->reason) < 0)
		goto out;
	const cJSON *from = json_member(&r, j, NULL, "from");
	if (!from)
		goto out;
	if (group_event(ev->event)) {
		/* a group's policy or alias: from and to are what it was and became */
		if (!cJSON_IsNull(from) && !cJSON_IsString(from)) {
			ft_fail(err, FT_EINPUT, "%s: from: expected text or null", where);
			goto out;
		}
		ev->from = xstrdup(cJSON_IsString(from) ? from->valuestring : "");
		if (!(v >= 0 && v <= REGISTRY_VERSION_MAX && v == floor(v)) ||
		    (v == 0) != !strcmp(ev->event, "policy")) {
			ft_fail(err, FT_EINPUT, "%s: version: expected %s", where,
				strcmp(ev->event, "policy") ? "a positive whole number" : "0");
			goto out;
		}
		ev->version = (int)v;
		rc = 0;
		goto out;
	}
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
	if (reg && st != REG_PENDING) {
		ft_fail(err, FT_EINPUT, "%s: to: a registration always goes to %s, not %s", where,
			registry_status_name(REG_PENDING), ev->to);
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

/* A group's audit log as read. */
struct audit {
	struct registry_event *ev;
	size_t n;
	int highest;        /* highest version any line names, readable or not */
	long highest_line;  /* the first line naming it, 0 when none does */
	char *problem;      /* why the log could not be read at all, or NULL */
	char *bad;          /* "PATH:LINE: why" of the first unreadable line, or NULL */
	size_t nbad;        /* unreadable lines */
};

static void audit_free(struct audit *a)
{
	registry_events_free(a->ev, a->n);
	free(a->problem);
	free(a->bad);
	memset(a, 0, sizeof *a);
}

/* The number after "version": in a line that is not valid JSON, so that a
 * damaged line still keeps its number from being handed out again. */
static int version_in_text(const char *line)
{
	int best = 0;
	for (const char *p = strstr(line, "\"version\""); p; p = strstr(p + 1, "\"version\"")) {
		const char *q = p + 9;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q++ != ':')
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		long v = 0;
		while (*q >= '0' && *q <= '9' && v <= REGISTRY_VERSION_MAX)
			v = v * 10 + (*q++ - '0');
		if (v > best && v <= REGISTRY_VERSION_MAX)
			best = (int)v;
	}
	return best;
}

/* An unreadable line: counted, and the first one kept for readers that
 * show one line per group (registry list). */
static void audit_bad(struct audit *a, const char *where, const char *why)
{
	if (a->nbad++ == 0)
		a->bad = xasprintf("%s: %s", where, why);
}

/* Whether the group has no version numbers left: the highest number its
 * log or its directories name is the last one. Such a number can only come
 * from a hand edit or a copy, but a number is never used twice, so the
 * group takes no more versions and every reader says so: *where is the
 * line or directory that names it, *why the reason (both freed by the
 * caller, NULL when numbers are left). */
static bool numbers_used_up(const struct gdir *g, const struct audit *a, int highest_dir,
			    char **where, char **why)
{
	*where = *why = NULL;
	if (a->highest >= REGISTRY_VERSION_MAX)
		*where = xasprintf("%s/audit.jsonl:%ld", g->path, a->highest_line);
	else if (highest_dir >= REGISTRY_VERSION_MAX)
		*where = xasprintf("%s/%d", g->path, highest_dir);
	else
		return false;
	*why = xasprintf("names version %d, the last number a version can have: no version "
			 "numbers left (register into a new group)", REGISTRY_VERSION_MAX);
	return true;
}

/* Read GROUP/audit.jsonl (none is an empty log); lines that cannot be read
 * are skipped and, when probs is non-NULL, reported there. */
static void audit_read(const struct gdir *g, struct audit *a, struct problems *probs)
{
	memset(a, 0, sizeof *a);
	struct stat st;
	if (fstatat(g->fd, "audit.jsonl", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return;
	char *path = xasprintf("%s/audit.jsonl", g->path);
	struct ft_err e2;
	size_t len;
	char *text = read_at(g->fd, g->path, "audit.jsonl", &len, &e2);
	if (!text) {
		a->problem = xstrdup(e2.msg);
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
		int named = version_in_text(line);
		if (named > a->highest) {
			a->highest = named;
			a->highest_line = lineno;
		}
		if (strlen(line) != linelen) {
			problem_add(probs, where, "contains a NUL byte");
			audit_bad(a, where, "contains a NUL byte");
		} else if (!blank(line)) {
			struct registry_event ev;
			if (parse_event(line, where, &ev, &e2) < 0) {
				const char *why = e2.msg + strlen(where);
				while (*why == ':' || *why == ' ')
					why++;
				if (!strncmp(why, "1: ", 3))
					why += 3;
				problem_add(probs, where, why);
				audit_bad(a, where, why);
			} else {
				if (a->n == cap) {
					cap = cap ? cap * 2 : 16;
					a->ev = xreallocarray(a->ev, cap, sizeof *a->ev);
				}
				if (ev.version > a->highest) {
					a->highest = ev.version;
					a->highest_line = lineno;
				}
				a->ev[a->n++] = ev;
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
	struct gdir g;
	if (gdir_open(&g, root, group, false, LOCK_SH, err) < 0)
		return -1;
	struct audit a;
	audit_read(&g, &a, NULL);
	gdir_close(&g);
	if (a.problem) {
		ft_fail(err, FT_EINPUT, "%s", a.problem);
		audit_free(&a);
		return -1;
	}
	*out = a.ev;
	*n = a.n;
	a.ev = NULL;
	a.n = 0;
	audit_free(&a);
	return 0;
}

/* What the audit log says about one version, the only record of its
 * status. The history must start with the version's own registration (the
 * line's time and user are the manifest's created and user): lines left by
 * a deleted version of the same number, or a directory copied in, never
 * lend it a status. Changes that do not follow from the status before them
 * are skipped (verify reports them). */
struct history {
	bool registered;        /* its first line is its own registration */
	char foreign[240];      /* why its lines are not its own; "" when they are */
	enum registry_status status;   /* PendingManualApproval without lines */
};

static void version_history(const struct audit *a, int version, const struct registry_manifest *m,
			    struct history *h)
{
	memset(h, 0, sizeof *h);
	h->status = REG_PENDING;
	bool first = true;
	for (size_t i = 0; i < a->n && !h->foreign[0]; i++) {
		const struct registry_event *e = &a->ev[i];
		if (e->version != version || group_event(e->event))
			continue;
		bool reg = !strcmp(e->event, "registered");
		if (first && reg && !strcmp(e->time, m->created) && !strcmp(e->user, m->user)) {
			h->registered = true;
		} else if (first && reg) {
			snprintf(h->foreign, sizeof h->foreign,
				 "version %d: its audit history starts with a registration at %s, "
				 "not this version's (created %s): the number was used before",
				 version, e->time, m->created);
		} else if (first) {
			snprintf(h->foreign, sizeof h->foreign,
				 "version %d: its audit history starts with \"%s\", not its registration",
				 version, e->event);
		} else if (reg) {
			snprintf(h->foreign, sizeof h->foreign,
				 "version %d: registered a second time at %s", version, e->time);
		} else {
			enum registry_status from, to;
			if (registry_status_parse(e->from, &from) && from == h->status &&
			    registry_status_parse(e->to, &to))
				h->status = to;
		}
		first = false;
	}
	if (h->foreign[0])
		h->status = REG_PENDING;
}

/* Append one line with a single write and fsync it. A torn last line left
 * by a crash is closed first so the new line stays readable. A write that
 * fails (disk full, file size limit) is cut back off, so a refused change
 * leaves no half line behind. */
static int audit_append(const struct gdir *g, const char *time_s, const char *user,
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

	char *path = xasprintf("%s/audit.jsonl", g->path);
	int fd = openat(g->fd, "audit.jsonl",
			O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	int rc = -1;
	struct stat st;
	if (fd < 0) {
		char buf[96];
		bool missing;
		int saved = errno;
		const char *why = entry_problem(g->fd, "audit.jsonl", false, &missing, buf);
		ft_fail(err, why ? FT_EINPUT : FT_EIO, "%s: %s", path, why ? why : strerror(saved));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1) {
		char buf[96];
		bool missing;
		const char *why = entry_problem(g->fd, "audit.jsonl", false, &missing, buf);
		ft_fail(err, FT_EINPUT, "%s: %s", path, why ? why : "changed while it was opened");
		close(fd);
		goto out;
	}
	char last = '\n';
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		last = '\n';
	char *line = xasprintf("%s%s\n", last == '\n' ? "" : "\n", body);
	if (write_all(fd, line, strlen(line)) == 0 && fsync(fd) == 0)
		rc = 0;
	int saved = errno;
	if (rc < 0 && ftruncate(fd, st.st_size) == 0)
		fsync(fd);
	free(line);
	if (close(fd) < 0 && rc == 0) {
		saved = errno;
		rc = -1;
	}
	if (rc == 0 && st.st_size == 0)
		fsync(g->fd);
	if (rc < 0)
		ft_fail(err, FT_EIO, "%s: %s", path, strerror(saved));
out:
	free(path);
	cJSON_free(body);
	return rc;
}

/* The length of audit.jsonl (0 when there is none yet), taken before a
 * change appends its line so that the change can take the line back. */
static off_t audit_length(const struct gdir *g)
{
	struct stat st;
	return fstatat(g->fd, "audit.jsonl", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode) ? st.st_size : 0;
}

/* Cut audit.jsonl back to len and fsync it: the line of a change that
 * failed after appending it must not be completed by the next repair. */
static int audit_take_back(const struct gdir *g, off_t len, struct ft_err *err)
{
	int fd = openat(g->fd, "audit.jsonl", O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int rc = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
		 ftruncate(fd, len) == 0 && fsync(fd) == 0 ? 0 : -1;
	if (rc < 0)
		ft_fail(err, FT_EIO, "%s/audit.jsonl: %s", g->path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Rewrite a manifest's status atomically, keeping everything else. */
static int manifest_set_status(const struct gdir *g, int version, enum registry_status to,
			       struct ft_err *err)
{
	char *vpath;
	int vfd = open_version(g, version, &vpath, err);
	int rc = -1;
	if (vfd < 0) {
		free(vpath);
		return -1;
	}
	char *path = xasprintf("%s/manifest.json", vpath);
	char *text = read_at(vfd, vpath, "manifest.json", NULL, err);
	if (text) {
		cJSON *j = parse_object(text, path, err);
		if (j) {
			cJSON_ReplaceItemInObjectCaseSensitive(
				j, "status", cJSON_CreateString(registry_status_name(to)));
			char *out = json_text(j);
			rc = file_write_atomic_at(vfd, vpath, "manifest.json", out, strlen(out), 0644, err);
			free(out);
			cJSON_Delete(j);
		}
	}
	free(text);
	free(path);
	free(vpath);
	close(vfd);
	return rc;
}

/* ---- repair ----------------------------------------------------------- */

/* A name out_open gives a temporary: "NAME.tmp.<16 hex digits>". */
static bool is_temporary(const char *name)
{
	const char *t = strstr(name, ".tmp.");
	return t && t != name;
}

/* Under the exclusive lock: finish or undo what an interrupted writer left.
 * Staging entries are stale by definition (every writer holds the lock
 * while it stages) and are removed without following any link; a version
 * without its "registered" line gets one (to PendingManualApproval, always:
 * a status is only ever granted by an approval); a manifest whose status
 * lags the log is brought up to it; leftover temporaries are removed.
 * Links and foreign file types where the format expects a plain file or a
 * directory stop every writer until someone looks at them. */
static int group_repair(const struct gdir *g, struct audit *log, struct ft_err *err)
{
	static const char *const plain[] = { "group.json", "audit.jsonl" };
	for (size_t i = 0; i < 2; i++) {
		char buf[96];
		bool missing;
		const char *why = entry_problem(g->fd, plain[i], false, &missing, buf);
		if (why)
			return ft_fail(err, FT_EINPUT, "%s/%s: %s", g->path, plain[i], why);
	}
	int sfd = openat(g->fd, ".staging", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0 && errno != ENOENT) {
		int saved = errno;
		char buf[96];
		bool missing;
		const char *why = entry_problem(g->fd, ".staging", true, &missing, buf);
		return ft_fail(err, FT_EINPUT, "%s/.staging: %s", g->path, why ? why : strerror(saved));
	}
	if (sfd >= 0) {
		size_t ns;
		char **stale = list_dir(sfd, &ns);
		for (size_t i = 0; i < ns; i++)
			remove_at(sfd, stale[i], 0);
		names_free(stale);
		close(sfd);
	}
	size_t nn;
	char **names = list_dir(g->fd, &nn);
	if (!names)
		return ft_fail(err, FT_EIO, "%s: %s", g->path, strerror(errno));
	for (size_t i = 0; i < nn; i++)
		if (!strncmp(names[i], "group.json.tmp.", 15))
			unlinkat(g->fd, names[i], 0);
	names_free(names);

	audit_read(g, log, NULL);
	if (log->problem)
		return ft_fail(err, FT_EINPUT, "%s", log->problem);
	int *vers;
	size_t nvers;
	if (scan_versions(g, &vers, &nvers, err) < 0)
		return -1;
	int rc = 0;
	bool appended = false;
	for (size_t i = 0; i < nvers && rc == 0; i++) {
		char *vpath;
		struct ft_err e2;
		int vfd = open_version(g, vers[i], &vpath, &e2);
		if (vfd < 0) {
			free(vpath);
			continue;   /* a link or a file: damaged, left for verify */
		}
		size_t nv;
		char **entries = list_dir(vfd, &nv);
		for (size_t k = 0; k < nv; k++)
			if (!strncmp(entries[k], "manifest.json.tmp.", 18))
				unlinkat(vfd, entries[k], 0);
		names_free(entries);
		char *mpath = xasprintf("%s/manifest.json", vpath);
		char *text = read_at(vfd, vpath, "manifest.json", NULL, &e2);
		close(vfd);
		struct registry_manifest m;
		if (text && parse_manifest(text, mpath, g->name, vers[i], &m, &e2) == 0) {
			struct history h;
			version_history(log, vers[i], &m, &h);
			bool any = false;
			for (size_t k = 0; k < log->n && !any; k++)
				any = log->ev[k].version == vers[i];
			if (!any) {
				rc = audit_append(g, m.created, m.user, "registered", vers[i], NULL,
						  registry_status_name(REG_PENDING),
						  "recovered: the registration was interrupted before its audit line",
						  err);
				appended = true;
				h.status = REG_PENDING;
				h.registered = true;
			}
			if (rc == 0 && h.registered && !h.foreign[0] && h.status != m.status)
				rc = manifest_set_status(g, vers[i], h.status, err);
			manifest_free(&m);
		}
		free(text);
		free(mpath);
		free(vpath);
	}
	free(vers);
	if (rc == 0 && appended) {
		audit_free(log);
		audit_read(g, log, NULL);
	}
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
	if (check_text("registry", "description", a->description, err) < 0 ||
	    check_text("registry", "user", a->user, err) < 0)
		return -1;
	/* The gate is the registry's rule, not only its callers': a model
	 * that failed it is never registered, whoever asks. */
	bool failed = a->gate && !a->gate->pass;
	for (size_t i = 0; a->gate && i < a->gate->nchecks; i++)
		failed |= !a->gate->checks[i].pass;
	if (failed)
		return ft_fail(err, FT_EINPUT, "registry: the gate failed; a model that fails "
			       "its gate is never registered");
	const char *texts[NFILES] = { a->model_json, a->evaluation_json, a->pipeline_json };
	for (size_t i = 0; i < NFILES; i++) {
		if (!texts[i])
			return ft_fail(err, FT_EINPUT, "registry: %s: no content", version_files[i]);
		if (json_text_utf8(version_files[i], texts[i], err) < 0)
			return -1;
		cJSON *j = parse_object(texts[i], version_files[i], err);
		if (!j)
			return -1;
		cJSON_Delete(j);
	}
	return 0;
}

static int write_group_json(const struct gdir *g, const char *description, struct ft_err *err)
{
	struct stat st;
	if (fstatat(g->fd, "group.json", &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
		return 0;
	char now[32], fv[16];
	utc_now(now);
	snprintf(fv, sizeof fv, "%d.%d", REGISTRY_FORMAT_MAJOR, REGISTRY_FORMAT_MINOR);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "format", GROUP_FORMAT);
	cJSON_AddStringToObject(j, "format_version", fv);
	cJSON_AddStringToObject(j, "name", g->name);
	cJSON_AddStringToObject(j, "description", description ? description : "");
	cJSON_AddStringToObject(j, "created", now);
	char *text = json_text(j);
	cJSON_Delete(j);
	int rc = file_write_atomic_at(g->fd, g->path, "group.json", text, strlen(text), 0644, err);
	free(text);
	return rc;
}

static cJSON *group_doc(const struct gdir *g, struct ft_err *err);

/* The group's policy as group.json has it now. */
static int group_policy(const struct gdir *g, struct registry_policy *p, struct ft_err *err)
{
	cJSON *j = group_doc(g, err);
	if (!j)
		return -1;
	char *path = xasprintf("%s/group.json", g->path);
	int rc = registry_policy_from_json(cJSON_GetObjectItemCaseSensitive(j, "policy"), path,
					   p, err);
	cJSON_Delete(j);
	free(path);
	return rc;
}

/* One judge of a policy's gate on a version's test metrics (m NULL: the
 * version has none), for a registration and an approval alike: who names
 * what is judged, which the policy ("the group's policy", ...). */
static int policy_judge(const struct registry_policy *p, const struct metrics *m,
			const char *who, const char *which, struct ft_err *err)
{
	if (!p->set)
		return 0;
	if (p->ngate && !m)
		return ft_fail(err, FT_EREFUSED, "%s: %s has a gate and there are no test metrics "
			       "to check it on", who, which);
	char why[300];
	if (m && !registry_policy_admits(p, m, why, sizeof why))
		return ft_fail(err, FT_EREFUSED, "%s: refused by %s: %s", who, which, why);
	return 0;
}

/* The group's policy on the test metrics of a registration, checked under
 * the lock, whatever gate the run itself applied. */
static int policy_admits(const struct gdir *g, const struct metrics *m, struct ft_err *err)
{
	struct registry_policy p;
	if (group_policy(g, &p, err) < 0)
		return -1;
	int rc = policy_judge(&p, m, g->path, "the group's policy", err);
	registry_policy_free(&p);
	return rc;
}

/* Rename a stage to its number, never over anything already there. */
static int place_version(int sfd, const char *stage, int gfd, const char *final)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(sfd, stage, gfd, final, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	struct stat st;
	if (fstatat(gfd, final, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(sfd, stage, gfd, final);
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

	struct gdir g;
	if (gdir_open(&g, root, a->group, true, LOCK_EX, err) < 0)
		return -1;
	sigset_t sigs;
	hold_signals(&sigs);
	char *staging = xasprintf("%s/.staging", g.path);
	char stage[64] = "", final[16] = "";
	char *stage_path = NULL;
	int sfd = -1, stfd = -1, rc = -1;
	bool placed = false;   /* stage renamed to final, not yet logged */
	struct audit log = { 0 };
	fault("after-lock");
	if (group_repair(&g, &log, err) < 0 || write_group_json(&g, a->description, err) < 0)
		goto out;
	if (policy_admits(&g, a->metrics, err) < 0)
		goto out;

	/* A number is used once, ever: past every directory and every number
	 * the log names, so that a deleted version's approval can never be
	 * inherited by a new model. */
	int *vers;
	size_t nvers;
	if (scan_versions(&g, &vers, &nvers, err) < 0)
		goto out;
	int highest = nvers ? vers[nvers - 1] : 0;
	free(vers);
	char *used_where, *used_why;
	if (numbers_used_up(&g, &log, highest, &used_where, &used_why)) {
		ft_fail(err, FT_EINPUT, "%s: %s", used_where, used_why);
		free(used_where);
		free(used_why);
		goto out;
	}
	if (log.highest > highest)
		highest = log.highest;
	int version = highest + 1;

	if (mkdirat(g.fd, ".staging", 0755) < 0 && errno != EEXIST) {
		ft_fail(err, FT_EIO, "%s: %s", staging, strerror(errno));
		goto out;
	}
	sfd = open_dir_at(g.fd, g.path, ".staging", "missing", err);
	if (sfd < 0)
		goto out;
	snprintf(stage, sizeof stage, "%ld-%016llx", (long)getpid(),
		 (unsigned long long)ft_random64());
	stage_path = xasprintf("%s/%s", staging, stage);
	if (mkdirat(sfd, stage, 0755) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", stage_path, strerror(errno));
		stage[0] = '\0';
		goto out;
	}
	stfd = open_dir_at(sfd, staging, stage, "missing", err);
	if (stfd < 0)
		goto out;
	const char *texts[NFILES] = { a->model_json, a->evaluation_json, a->pipeline_json };
	char shas[NFILES][65];
	size_t sizes[NFILES];
	for (size_t i = 0; i < NFILES; i++) {
		sizes[i] = strlen(texts[i]);
		sha256_hex(texts[i], sizes[i], shas[i]);
		if (write_new_at(stfd, stage_path, version_files[i], texts[i], sizes[i], err) < 0)
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
	int wrc = write_new_at(stfd, stage_path, "manifest.json", mtext, strlen(mtext), err);
	free(mtext);
	if (wrc < 0)
		goto out;
	if (fsync(stfd) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", stage_path, strerror(errno));
		goto out;
	}
	fault("before-rename");
	snprintf(final, sizeof final, "%d", version);
	if (place_version(sfd, stage, g.fd, final) < 0) {
		ft_fail(err, FT_EIO, "%s/%s: %s", g.path, final, strerror(errno));
		goto out;
	}
	placed = true;
	fault("after-rename");
	if (fsync(g.fd) < 0) {
		ft_fail(err, FT_EIO, "%s: %s", g.path, strerror(errno));
		goto out;
	}
	fault("before-audit");
	if (audit_append(&g, created, user, "registered", version, NULL,
			 registry_status_name(REG_PENDING),
			 a->description && *a->description ? a->description : "gate passed",
			 err) < 0)
		goto out;
	fault("after-audit");
	placed = false;
	stage[0] = '\0';
	*version_out = version;
	rc = 0;
out:
	/* A registration refused after its rename must not turn up later as
	 * a recovered version: it goes back to staging (which only the lock
	 * holder writes) and is removed from there. */
	if (placed && renameat(g.fd, final, sfd, stage) < 0) {
		if (err) {
			size_t len = strlen(err->msg);
			snprintf(err->msg + len, sizeof err->msg - len,
				 "; %s/%s could not be withdrawn (%s) and is recorded at the next "
				 "change to %s", g.path, final, strerror(errno), a->group);
		}
		stage[0] = '\0';
	} else if (placed) {
		fsync(g.fd);
	}
	if (stfd >= 0)
		close(stfd);
	if (sfd >= 0 && stage[0])
		remove_at(sfd, stage, 0);
	if (sfd >= 0)
		close(sfd);
	audit_free(&log);
	free(stage_path);
	free(staging);
	gdir_close(&g);
	release_signals(&sigs);
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

/* The status of an intact version, from the log; -1 with the reason when
 * its history is not its own. */
static int logged_status(const struct audit *log, const struct gdir *g, int version,
			 const struct registry_manifest *m, enum registry_status *st,
			 struct ft_err *err)
{
	struct history h;
	version_history(log, version, m, &h);
	if (h.foreign[0])
		return ft_fail(err, FT_EINPUT, "%s/audit.jsonl: %s", g->path, h.foreign);
	*st = h.status;
	return 0;
}

/* A policy as an audit line's from/to summary gives it ("gate=...;
 * four_eyes=on; must_beat=none"); an empty summary is no policy. */
static int policy_from_summary(const char *text, struct registry_policy *p,
			       struct ft_err *err)
{
	memset(p, 0, sizeof *p);
	if (!text || !*text)
		return 0;
	p->set = true;
	const char *g = strstr(text, "gate="), *semi = g ? strchr(g, ';') : NULL;
	if (!g || !semi)
		return ft_fail(err, FT_EINPUT, "policy \"%.60s\": not a policy summary", text);
	char *gate = xstrndup(g + 5, (size_t)(semi - g - 5));
	int rc = registry_policy_parse_gate(gate, p, err);
	free(gate);
	p->four_eyes = strstr(text, "four_eyes=on") != NULL;
	p->must_beat_champion = strstr(text, "must_beat=champion") != NULL;
	return rc;
}

/* An approval answers to every policy the group has had since the version
 * was registered, not only today's: lowering the policy (by anyone, the
 * registrant too) after a registration never lowers what that version must
 * meet. Four-eyes holds when any of them wanted it, and every one's gate
 * must hold on the version's test metrics. */
static int policy_refuses_approval(const struct gdir *g, const struct audit *log,
				   const struct registry_manifest *m, const char *user,
				   struct ft_err *err)
{
	struct registry_policy now;
	if (group_policy(g, &now, err) < 0)
		return -1;
	int rc = 0;
	char who[REGISTRY_GROUP_MAX + 16];
	snprintf(who, sizeof who, "%s/%d", m->group, m->version);
	/* the policies in force since the registration: each later change's
	 * "from", then today's */
	size_t since = log->n;
	for (size_t i = 0; i < log->n; i++)
		if (log->ev[i].version == m->version && !strcmp(log->ev[i].event, "registered")) {
			since = i;
			break;
		}
	for (size_t i = since; rc == 0 && i <= log->n; i++) {
		struct registry_policy was;
		bool current = i == log->n;
		if (!current && strcmp(log->ev[i].event, "policy"))
			continue;
		if (current)
			was = now;
		else if (policy_from_summary(log->ev[i].from, &was, err) < 0) {
			rc = -1;
			break;
		}
		const char *which = current ? "the group's policy"
					    : "the group's policy when it was registered or since";
		if (was.set && was.four_eyes && !strcmp(user, m->user))
			rc = ft_fail(err, FT_EREFUSED, "%s: %s wants four eyes: %s registered it, "
				     "so another user must approve it", who, which, user);
		else
			rc = policy_judge(&was, m->has_metrics ? &m->metrics : NULL, who, which, err);
		if (!current)
			registry_policy_free(&was);
	}
	registry_policy_free(&now);
	return rc;
}

/* The champion stays Approved: rejecting it waits until the alias moves. */
static int champion_refuses(const struct gdir *g, int version, struct ft_err *err)
{
	cJSON *j = group_doc(g, err);
	if (!j)
		return -1;
	int champion = registry_alias_get(j, "champion");
	cJSON_Delete(j);
	if (champion == version)
		return ft_fail(err, FT_EREFUSED, "%s/%d: is %s@champion; point the champion at "
			       "another approved version (registry alias) before rejecting it",
			       g->name, version, g->name);
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
	char where[96];
	snprintf(where, sizeof where, "%s/%d", group, version);
	if (check_text(where, "reason", reason, err) < 0 || check_text(where, "user", user, err) < 0)
		return -1;
	struct gdir g;
	if (gdir_open(&g, root, group, false, LOCK_EX, err) < 0)
		return -1;
	sigset_t sigs;
	hold_signals(&sigs);
	int rc = -1;
	struct checked c = { 0 };
	struct audit log = { 0 };
	enum registry_status now_st = REG_PENDING;
	if (group_repair(&g, &log, err) < 0 || check_version(&g, version, &c, false, err) < 0 ||
	    logged_status(&log, &g, version, &c.m, &now_st, err) < 0)
		goto out;
	if (now_st == to) {
		ft_fail(err, FT_EINPUT, "%s/%d: already %s", group, version, registry_status_name(to));
		goto out;
	}
	bool gate_failed = !c.m.gate_pass;
	for (size_t i = 0; i < c.m.ngate; i++)
		gate_failed |= !c.m.gate[i].pass;
	if (to == REG_APPROVED && policy_refuses_approval(&g, &log, &c.m, user, err) < 0)
		goto out;
	if (to == REG_REJECTED && champion_refuses(&g, version, err) < 0)
		goto out;
	if (to == REG_APPROVED && gate_failed) {
		ft_fail(err, FT_EINPUT, "%s/%d: its manifest says the gate failed; a version "
			"that failed its gate cannot be approved", group, version);
		goto out;
	}
	char now[32];
	utc_now(now);
	off_t logged = audit_length(&g);
	if (audit_append(&g, now, user, to == REG_APPROVED ? "approved" : "rejected", version,
			 registry_status_name(now_st), registry_status_name(to), reason,
			 err) < 0)
		goto out;
	fault("before-manifest");
	if (manifest_set_status(&g, version, to, err) < 0) {
		/* The caller is told the change failed, so it must not stay in
		 * the log for the next repair to complete. A manifest already
		 * renamed into place (only its directory's fsync failed) is
		 * brought back to the log by that repair. */
		struct ft_err e2;
		if (audit_take_back(&g, logged, &e2) < 0 && err) {
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
	audit_free(&log);
	gdir_close(&g);
	release_signals(&sigs);
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

/* Every version of an open (locked) group, each checked, its status from
 * the log. A version whose log lines are not its own, or in a group whose
 * log cannot be read, is damaged: nothing can vouch for its status. */
static int list_versions_in(const struct gdir *g, const struct audit *log,
			    struct registry_version **out, size_t *n, struct ft_err *err)
{
	int *vers;
	size_t nvers;
	*out = NULL;
	*n = 0;
	if (scan_versions(g, &vers, &nvers, err) < 0)
		return -1;
	*out = xcalloc(nvers ? nvers : 1, sizeof **out);
	for (size_t i = 0; i < nvers; i++) {
		struct registry_version *v = &(*out)[i];
		struct checked c;
		struct ft_err e2;
		v->number = vers[i];
		if (check_version(g, vers[i], &c, false, &e2) < 0) {
			v->damaged = true;
			v->problem = xstrdup(e2.msg);
			continue;
		}
		v->m = c.m;
		memset(&c.m, 0, sizeof c.m);
		checked_free(&c);
		if (log->problem) {
			v->damaged = true;
			v->problem = xasprintf("its status cannot be read: %s", log->problem);
		} else if (logged_status(log, g, v->number, &v->m, &v->m.status, &e2) < 0) {
			v->damaged = true;
			v->problem = xstrdup(e2.msg);
		}
	}
	*n = nvers;
	free(vers);
	return 0;
}

int registry_list_versions(const char *root, const char *group,
			   struct registry_version **out, size_t *n, struct ft_err *err)
{
	*out = NULL;
	*n = 0;
	struct gdir g;
	if (gdir_open(&g, root, group, false, LOCK_SH, err) < 0)
		return -1;
	struct audit log;
	audit_read(&g, &log, NULL);
	int rc = list_versions_in(&g, &log, out, n, err);
	audit_free(&log);
	gdir_close(&g);
	return rc;
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
static int read_group_json(const struct gdir *g, char **description, char **created,
			   struct ft_err *err)
{
	char *path = xasprintf("%s/group.json", g->path);
	char *text = read_at(g->fd, g->path, "group.json", NULL, err);
	cJSON *j = text ? parse_object(text, path, err) : NULL;
	int rc = -1;
	char *format = NULL, *name = NULL;
	int major, minor;
	*description = *created = NULL;
	if (!j)
		goto out;
	struct json_reader r = { .origin = path, .err = err };
	if (json_get_text(&r, j, NULL, "format", &format) < 0 ||
	    json_get_format_version(&r, j, REGISTRY_FORMAT_MAJOR, &major, &minor) < 0 ||
	    json_get_text(&r, j, NULL, "name", &name) < 0 ||
	    json_get_text(&r, j, NULL, "description", description) < 0 ||
	    json_get_text(&r, j, NULL, "created", created) < 0)
		goto out;
	if (strcmp(format, GROUP_FORMAT)) {
		ft_fail(err, FT_EINPUT, "%s: format: expected \"%s\"", path, GROUP_FORMAT);
		goto out;
	}
	if (strcmp(name, g->name)) {
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

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entries of ROOT with a valid group name that are directories or links
 * (a link is listed so that it can be reported, never followed), sorted.
 * A missing ROOT is an empty registry. */
static char **scan_groups(const char *root, size_t *n, struct ft_err *err)
{
	*n = 0;
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		if (errno == ENOENT)
			return xcalloc(1, sizeof(char *));
		ft_fail(err, FT_EIO, "%s: %s", root, strerror(errno));
		return NULL;
	}
	size_t nn;
	char **names = list_dir(rfd, &nn);
	if (!names) {
		ft_fail(err, FT_EIO, "%s: %s", root, strerror(errno));
		close(rfd);
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < nn; i++) {
		struct stat st;
		if (registry_group_valid(names[i]) &&
		    fstatat(rfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
			names[k++] = names[i];
		else
			free(names[i]);
	}
	names[k] = NULL;
	close(rfd);
	*n = k;
	qsort(names, k, sizeof *names, cmp_name);
	return names;
}

/* Adds msg (taken over) to what registry list shows for the group. */
static void group_problem(struct registry_group *gr, char *msg)
{
	if (gr->problem) {
		char *both = xasprintf("%s; %s", gr->problem, msg);
		free(msg);
		msg = both;
	}
	free(gr->problem);
	gr->problem = msg;
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
		struct registry_group *gr = &(*out)[i];
		gr->name = names[i];
		struct ft_err e2;
		struct gdir g;
		if (gdir_open(&g, root, gr->name, false, LOCK_SH, &e2) < 0) {
			gr->problem = xstrdup(e2.msg);
			gr->description = xstrdup("");
			gr->created = xstrdup("");
			continue;
		}
		if (read_group_json(&g, &gr->description, &gr->created, &e2) < 0) {
			gr->problem = xstrdup(e2.msg);
			gr->description = xstrdup("");
			gr->created = xstrdup("");
		}
		struct audit log;
		audit_read(&g, &log, NULL);
		if (log.problem)
			group_problem(gr, xstrdup(log.problem));
		else if (log.nbad)
			group_problem(gr, xasprintf("%s (%zu unreadable line%s in all)", log.bad,
						    log.nbad, log.nbad > 1 ? "s" : ""));
		struct registry_version *v;
		size_t nv;
		if (list_versions_in(&g, &log, &v, &nv, &e2) == 0) {
			gr->nversions = nv;
			for (size_t k = 0; k < nv; k++) {
				if (v[k].damaged) {
					gr->ndamaged++;
					continue;
				}
				gr->latest = v[k].number;
				if (v[k].m.status == REG_APPROVED)
					gr->approved = v[k].number;
			}
			char *used_where, *used_why;
			if (numbers_used_up(&g, &log, nv ? v[nv - 1].number : 0, &used_where,
					    &used_why)) {
				group_problem(gr, xasprintf("%s: %s", used_where, used_why));
				free(used_where);
				free(used_why);
			}
			registry_versions_free(v, nv);
		}
		audit_free(&log);
		gdir_close(&g);
	}
	free(names);
	*n = ng;
	qsort(*out, ng, sizeof **out, cmp_group);
	return 0;
}

/* "GROUP/N", "GROUP@latest", "GROUP@approved", "GROUP@ALIAS": the group,
 * and the number (0 for latest and approved, with *approved telling which;
 * an alias is looked up in group.json). */
static int parse_ref(const char *root, const char *ref, char *group, int *version,
		     bool *approved, struct ft_err *err)
{
	const char *sep = strpbrk(ref, "/@");
	size_t glen = sep ? (size_t)(sep - ref) : strlen(ref);
	*version = 0;
	*approved = false;
	if (!sep || glen == 0 || glen > REGISTRY_GROUP_MAX)
		return ft_fail(err, FT_EINPUT,
			       "%s: expected GROUP/VERSION, GROUP@latest, GROUP@approved or "
			       "GROUP@ALIAS", ref);
	memcpy(group, ref, glen);
	group[glen] = '\0';
	if (!registry_group_valid(group))
		return ft_fail(err, FT_EINPUT, "%s: not a valid group name", group);
	if (*sep == '/') {
		*version = version_from_name(sep + 1);
		if (!*version)
			return ft_fail(err, FT_EINPUT, "%s: versions are positive numbers", ref);
		return 0;
	}
	*approved = !strcmp(sep + 1, "approved");
	if (*approved || !strcmp(sep + 1, "latest"))
		return 0;
	if (!registry_alias_valid(sep + 1))
		return ft_fail(err, FT_EINPUT, "%s: expected @latest, @approved or an alias", ref);
	if (registry_get_alias(root, group, sep + 1, version, err) < 0)
		return -1;
	if (!*version)
		return ft_fail(err, FT_EINPUT, "%s: no version is %s@%s (set it with registry "
			       "alias)", ref, group, sep + 1);
	return 0;
}

/* The highest intact (Approved, when asked) version of a locked group. */
static int pick_version(const struct gdir *g, bool approved, int *version, struct ft_err *err)
{
	struct audit log;
	audit_read(g, &log, NULL);
	struct registry_version *v;
	size_t n;
	int rc = list_versions_in(g, &log, &v, &n, err);
	audit_free(&log);
	if (rc < 0)
		return -1;
	*version = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].damaged && (!approved || v[i].m.status == REG_APPROVED))
			*version = v[i].number;
	registry_versions_free(v, n);
	if (!*version)
		return ft_fail(err, FT_EINPUT, "%s: no %s version", g->path,
			       approved ? "approved" : "intact");
	return 0;
}

int registry_resolve(const char *root, const char *ref, char *group, int *version,
		     struct ft_err *err)
{
	bool approved;
	if (parse_ref(root, ref, group, version, &approved, err) < 0)
		return -1;
	if (*version)
		return 0;
	struct gdir g;
	if (gdir_open(&g, root, group, false, LOCK_SH, err) < 0)
		return -1;
	int rc = pick_version(&g, approved, version, err);
	gdir_close(&g);
	return rc;
}

struct model *registry_load_ref(const char *root, const char *ref, char *group, int *version,
				struct ft_err *err)
{
	bool approved;
	if (parse_ref(root, ref, group, version, &approved, err) < 0)
		return NULL;
	struct gdir g;
	if (gdir_open(&g, root, group, false, LOCK_SH, err) < 0)
		return NULL;
	struct model *m = NULL;
	struct checked c;
	if ((*version || pick_version(&g, approved, version, err) == 0) &&
	    check_version(&g, *version, &c, true, err) == 0) {
		m = c.model;
		c.model = NULL;
		checked_free(&c);
		pause_at("loaded");
	}
	gdir_close(&g);
	return m;
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

/* The test intervals evaluation.json recorded beside the manifest's
 * figures (binary_classification_metrics.NAME.{standard_deviation, lower,
 * upper}, uncertainty.bootstrap.{resamples, seed}). A version registered
 * before intervals existed has none: each interval stays unknown, as does
 * one whose three parts are not all numbers. */
static void read_intervals(const char *text, struct metrics *m)
{
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	const cJSON *bm = cJSON_GetObjectItemCaseSensitive(j, "binary_classification_metrics");
	size_t k = 0;
	for (const char *const *name = metrics_names(); *name && k < METRICS_MAX; name++, k++) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(bm, *name);
		const cJSON *sd = cJSON_GetObjectItemCaseSensitive(e, "standard_deviation");
		const cJSON *lo = cJSON_GetObjectItemCaseSensitive(e, "lower");
		const cJSON *hi = cJSON_GetObjectItemCaseSensitive(e, "upper");
		struct metric_interval *iv = &m->interval[k];
		iv->known = cJSON_IsNumber(sd) && cJSON_IsNumber(lo) && cJSON_IsNumber(hi);
		if (iv->known) {
			iv->standard_deviation = sd->valuedouble;
			iv->lower = lo->valuedouble;
			iv->upper = hi->valuedouble;
		}
	}
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "uncertainty");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(u, "bootstrap");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "resamples");
	const cJSON *seed = cJSON_GetObjectItemCaseSensitive(b, "seed");
	if (cJSON_IsNumber(n) && n->valuedouble >= 0 && n->valuedouble <= 1e9 &&
	    cJSON_IsNumber(seed) && seed->valuedouble >= 0 && seed->valuedouble <= 9007199254740991.0) {
		m->bootstrap_resamples = (size_t)n->valuedouble;
		m->bootstrap_seed = (uint64_t)seed->valuedouble;
	}
	cJSON_Delete(j);
}

int registry_show(const char *root, const char *group, int version,
		  struct registry_details *d, struct ft_err *err)
{
	memset(d, 0, sizeof *d);
	if (check_ref(group, version, err) < 0)
		return -1;
	struct gdir g;
	if (gdir_open(&g, root, group, false, LOCK_SH, err) < 0)
		return -1;
	struct checked c;
	struct audit log;
	audit_read(&g, &log, NULL);
	int rc = check_version(&g, version, &c, true, err);
	if (rc == 0 && log.problem) {
		rc = ft_fail(err, FT_EINPUT, "%s/%d: its status cannot be read: %s", g.path, version,
			     log.problem);
		checked_free(&c);
	} else if (rc == 0 && (rc = logged_status(&log, &g, version, &c.m, &c.m.status, err)) < 0) {
		checked_free(&c);
	}
	gdir_close(&g);
	if (rc < 0) {
		audit_free(&log);
		return -1;
	}
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
	if (d->v.m.has_metrics)
		read_intervals(c.evaluation_text, &d->v.m.metrics);
	free(c.evaluation_text);

	d->events = xcalloc(log.n ? log.n : 1, sizeof *d->events);
	for (size_t i = 0; i < log.n; i++) {
		if (log.ev[i].version == version)
			d->events[d->nevents++] = log.ev[i];
		else
			event_free(&log.ev[i]);
	}
	free(log.ev);
	log.ev = NULL;
	log.n = 0;
	audit_free(&log);
	return 0;
}

struct model *registry_load_model(const char *root, const char *group, int version,
				  struct ft_err *err)
{
	if (check_ref(group, version, err) < 0)
		return NULL;
	struct gdir g;
	if (gdir_open(&g, root, group, false, LOCK_SH, err) < 0)
		return NULL;
	struct checked c;
	struct model *m = NULL;
	if (check_version(&g, version, &c, true, err) == 0) {
		m = c.model;
		c.model = NULL;
		checked_free(&c);
	}
	gdir_close(&g);
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

/* Keys matched by hashing: two pipelines of 100,000 keys once took a
 * minute here. Each side's keys are unique (flattened JSON objects). */
static void diff_settings(struct diffs *d, const struct registry_setting *a, size_t na,
			  const struct registry_setting *b, size_t nb, uint64_t *probes)
{
	struct strmap ka = { .borrow = true }, kb = { .borrow = true };
	for (size_t i = 0; i < na; i++)
		strmap_add(&ka, a[i].key, strlen(a[i].key), i, NULL);
	for (size_t k = 0; k < nb; k++)
		strmap_add(&kb, b[k].key, strlen(b[k].key), k, NULL);
	for (size_t i = 0; i < na; i++) {
		size_t k;
		const char *key = a[i].key;
		const char *other = strmap_get(&kb, key, strlen(key), &k) ? b[k].value : "(absent)";
		diff_text(d, DIFF_SETTING, key, a[i].value, other);
	}
	for (size_t k = 0; k < nb; k++)
		if (!strmap_get(&ka, b[k].key, strlen(b[k].key), NULL))
			diff_add(d, DIFF_SETTING, b[k].key, "(absent)", b[k].value, false, 0);
	if (probes)
		*probes = ka.probes + kb.probes;
	strmap_free(&ka);
	strmap_free(&kb);
}

void registry_diff_settings(const struct registry_setting *a, size_t na,
			    const struct registry_setting *b, size_t nb,
			    struct registry_diff_item **out, size_t *n, uint64_t *probes)
{
	struct diffs d = { 0 };
	diff_settings(&d, a, na, b, nb, probes);
	*out = d.v;
	*n = d.n;
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
	diff_settings(&d, a.settings, a.nsettings, b.settings, b.nsettings, NULL);
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

static bool problem_known(const struct problems *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].path, path))
			return true;
	return false;
}

/* What a group directory holds besides its version directories. */
static bool group_entry(const char *name)
{
	return !strcmp(name, "group.json") || !strcmp(name, "audit.jsonl") ||
	       !strcmp(name, ".lock") || !strcmp(name, ".staging");
}

/* Entries of ROOT that cannot be groups: a directory under a name no group
 * can have, a link, a pipe, a device or a socket. Regular files (notes
 * beside the groups) and hidden entries (.git, .gitignore: a registry kept
 * in git) are the owner's; a link under a group's name is reported with
 * that group. */
static void verify_root(const char *root, struct problems *p)
{
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return;
	size_t n;
	char **names = list_dir(rfd, &n);
	if (!names) {
		problem_add(p, root, strerror(errno));
		close(rfd);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (fstatat(rfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		bool named = registry_group_valid(names[i]);
		if ((named && (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))) ||
		    names[i][0] == '.' || S_ISREG(st.st_mode))
			continue;
		char *path = xasprintf("%s/%s", root, names[i]);
		char why[160];
		if (S_ISLNK(st.st_mode))
			snprintf(why, sizeof why, "is a symbolic link; the registry never follows links");
		else if (S_ISDIR(st.st_mode))
			snprintf(why, sizeof why, "is a directory that cannot be a group (a group's "
				 "name is 1 to 63 letters and digits with inner dashes)");
		else
			snprintf(why, sizeof why, "is %s, which a registry never holds",
				 kind_of(st.st_mode));
		problem_add(p, path, why);
		free(path);
	}
	names_free(names);
	close(rfd);
}

/* Links, hard links, foreign file types and leftover temporaries among the
 * entries of dfd (dpath) that `skip` does not already account for. */
static void verify_entries(int dfd, const char *dpath, bool version_dir, struct problems *p)
{
	size_t n;
	char **names = list_dir(dfd, &n);
	if (!names) {
		problem_add(p, dpath, strerror(errno));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = names[i];
		char *path = xasprintf("%s/%s", dpath, name);
		struct stat st;
		bool version_named = !version_dir && version_from_name(name);
		bool known = version_dir && (!strcmp(name, "manifest.json") ||
					     !strcmp(name, "model.json") ||
					     !strcmp(name, "evaluation.json") ||
					     !strcmp(name, "pipeline.json"));
		if (version_named || problem_known(p, path) ||
		    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			free(path);
			continue;
		}
		char why[160] = "";
		if (S_ISLNK(st.st_mode))
			snprintf(why, sizeof why, "is a symbolic link; the registry never follows links");
		else if (is_temporary(name))
			snprintf(why, sizeof why, "leftover temporary file of an interrupted write "
				 "(the next change to the group removes it)");
		else if (S_ISREG(st.st_mode) && st.st_nlink > 1)
			snprintf(why, sizeof why, "has %ju hard links; a registry file must have "
				 "exactly one", (uintmax_t)st.st_nlink);
		else if (known && !S_ISREG(st.st_mode))
			snprintf(why, sizeof why, "is %s, not a regular file", kind_of(st.st_mode));
		else if (version_dir && !known)
			snprintf(why, sizeof why, "is not part of a version (%s)", kind_of(st.st_mode));
		else if (!version_dir && !strcmp(name, ".lock") && !S_ISREG(st.st_mode))
			snprintf(why, sizeof why, "is %s, not a regular file", kind_of(st.st_mode));
		else if (!version_dir && !strcmp(name, ".staging") && !S_ISDIR(st.st_mode))
			snprintf(why, sizeof why, "is %s, not a directory", kind_of(st.st_mode));
		else if (!version_dir && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			snprintf(why, sizeof why, "is %s, which a registry never holds",
				 kind_of(st.st_mode));
		else if (!version_dir && !group_entry(name))
			snprintf(why, sizeof why, name[strspn(name, "0123456789")] ?
				 "is %s that is not part of a group" :
				 "is %s named like a version, but versions are 1 to 999999999 "
				 "without leading zeros", kind_of(st.st_mode));
		if (why[0])
			problem_add(p, path, why);
		free(path);
	}
	names_free(names);
}

/* The policy and aliases of group.json (read_group_json has read it). */
static void verify_group_records(const struct gdir *g, struct problems *p)
{
	struct ft_err e;
	cJSON *j = group_doc(g, &e);
	if (!j)
		return;
	char *gj = xasprintf("%s/group.json", g->path);
	struct registry_policy pol;
	if (registry_policy_from_json(cJSON_GetObjectItemCaseSensitive(j, "policy"), gj, &pol,
				      &e) < 0)
		problem_from_err(p, gj, &e);
	registry_policy_free(&pol);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "aliases"), *v;
	if (a && !cJSON_IsObject(a))
		problem_add(p, gj, "aliases: expected an object");
	else if (a)
		cJSON_ArrayForEach(v, a)
			if (!registry_alias_valid(v->string) || !registry_alias_get(j, v->string)) {
				char why[120];
				snprintf(why, sizeof why, "aliases: %.40s: expected a name and a "
					 "version number", v->string ? v->string : "");
				problem_add(p, gj, why);
			}
	free(gj);
	cJSON_Delete(j);
}

static char *policy_summary(const struct registry_policy *p);

/* group.json's policy and aliases are what the log's last policy and
 * alias lines made them: a change killed between its audit line and its
 * group.json (or a hand edit) shows here. */
static void verify_records_logged(const struct gdir *g, const struct audit *log,
				  struct problems *p)
{
	struct ft_err e;
	cJSON *j = group_doc(g, &e);
	if (!j)
		return;
	char *gj = xasprintf("%s/group.json", g->path);
	struct registry_policy pol;
	if (registry_policy_from_json(cJSON_GetObjectItemCaseSensitive(j, "policy"), gj, &pol,
				      &e) == 0) {
		const struct registry_event *last = NULL;
		for (size_t i = 0; i < log->n; i++)
			if (!strcmp(log->ev[i].event, "policy"))
				last = &log->ev[i];
		char *now = policy_summary(&pol);
		if ((last || now) && (!last || !now || strcmp(last->to, now))) {
			char why[300];
			snprintf(why, sizeof why, "policy: \"%.100s\" differs from the audit log's "
				 "last policy change \"%.100s\"", now ? now : "none",
				 last ? last->to : "none");
			problem_add(p, gj, why);
		}
		free(now);
	}
	registry_policy_free(&pol);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "aliases"), *v;
	if (cJSON_IsObject(a)) {
		cJSON_ArrayForEach(v, a) {
			int logged = 0;
			for (size_t i = 0; i < log->n; i++)
				if (!strcmp(log->ev[i].event, "alias") && v->string &&
				    !strcmp(log->ev[i].to, v->string))
					logged = log->ev[i].version;
			int held = registry_alias_get(j, v->string ? v->string : "");
			if (held && logged != held) {
				char why[200];
				snprintf(why, sizeof why, "aliases: %.40s is %d, but the audit log "
					 "last set it to %d", v->string, held, logged);
				problem_add(p, gj, why);
			}
		}
	}
	free(gj);
	cJSON_Delete(j);
}

static void verify_group(const char *root, const char *group, struct problems *p)
{
	struct gdir g;
	struct ft_err e;
	if (gdir_open(&g, root, group, false, LOCK_SH, &e) < 0) {
		char *gp = xasprintf("%s/%s", root, group);
		problem_from_err(p, gp, &e);
		free(gp);
		return;
	}
	char *desc = NULL, *created = NULL;
	if (read_group_json(&g, &desc, &created, &e) < 0) {
		char *gj = xasprintf("%s/group.json", g.path);
		problem_from_err(p, gj, &e);
		free(gj);
	} else {
		verify_group_records(&g, p);
	}
	free(desc);
	free(created);

	struct audit log;
	audit_read(&g, &log, p);
	verify_records_logged(&g, &log, p);
	char *apath = xasprintf("%s/audit.jsonl", g.path);
	verify_entries(g.fd, g.path, false, p);
	int sfd = openat(g.fd, ".staging", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd >= 0) {
		/* Under the shared lock no writer is staging: all of it is stale. */
		size_t ns;
		char **stale = list_dir(sfd, &ns);
		for (size_t i = 0; i < ns; i++) {
			char *sp = xasprintf("%s/.staging/%s", g.path, stale[i]);
			problem_add(p, sp, "stale staging entry of an interrupted registration "
				    "(the next change to the group removes it)");
			free(sp);
		}
		names_free(stale);
		close(sfd);
	}

	int *vers = NULL;
	size_t nvers = 0;
	if (scan_versions(&g, &vers, &nvers, &e) < 0)
		problem_add(p, g.path, e.msg);
	char *used_where, *used_why;
	if (numbers_used_up(&g, &log, nvers ? vers[nvers - 1] : 0, &used_where, &used_why)) {
		problem_add(p, used_where, used_why);
		free(used_where);
		free(used_why);
	}
	for (size_t i = 0; i < nvers; i++) {
		struct checked c;
		char *vdir = xasprintf("%s/%d", g.path, vers[i]);
		if (check_version(&g, vers[i], &c, false, &e) < 0)
			problem_from_err(p, vdir, &e);
		char *vpath;
		int vfd = open_version(&g, vers[i], &vpath, &e);
		if (vfd >= 0) {
			verify_entries(vfd, vpath, true, p);
			close(vfd);
		}
		free(vpath);
		if (!c.m.created) {
			free(vdir);
			continue;
		}
		struct history h;
		version_history(&log, vers[i], &c.m, &h);
		char why[300];
		if (h.foreign[0]) {
			problem_add(p, apath, h.foreign);
		} else if (!h.registered) {
			snprintf(why, sizeof why,
				 "version %d has no \"registered\" line (an interrupted "
				 "registration; the next write to the group adds it)", vers[i]);
			problem_add(p, apath, why);
		} else if (h.status != c.m.status) {
			snprintf(why, sizeof why, "status %s differs from the audit log's %s",
				 registry_status_name(c.m.status), registry_status_name(h.status));
			char *mp = xasprintf("%s/manifest.json", vdir);
			problem_add(p, mp, why);
			free(mp);
		}
		bool gate_failed = !c.m.gate_pass;
		for (size_t k = 0; k < c.m.ngate; k++)
			gate_failed |= !c.m.gate[k].pass;
		if (gate_failed && h.status == REG_APPROVED) {
			snprintf(why, sizeof why, "version %d is Approved but its manifest says "
				 "the gate failed", vers[i]);
			problem_add(p, apath, why);
		}
		checked_free(&c);
		free(vdir);
	}
	/* Each logged change must follow from the previous status of a version
	 * that exists. */
	for (size_t i = 0; i < log.n; i++) {
		const struct registry_event *ev = &log.ev[i];
		if (group_event(ev->event))
			continue;
		bool exists = false;
		for (size_t k = 0; k < nvers && !exists; k++)
			exists = vers[k] == ev->version;
		char why[200];
		if (!exists) {
			snprintf(why, sizeof why, "event for version %d, which does not exist",
				 ev->version);
			problem_add(p, apath, why);
			continue;
		}
		const char *prev = "";
		for (size_t k = 0; k < i; k++)
			if (log.ev[k].version == ev->version && !group_event(log.ev[k].event))
				prev = log.ev[k].to;
		if (strcmp(prev, ev->from)) {
			snprintf(why, sizeof why, "version %d: %s event from \"%s\" but it was \"%s\"",
				 ev->version, ev->event, ev->from, prev);
			problem_add(p, apath, why);
		}
	}
	free(apath);
	free(vers);
	audit_free(&log);
	gdir_close(&g);
}

int registry_verify(const char *root, const char *group,
		    struct registry_problem **out, size_t *n, struct ft_err *err)
{
	*out = NULL;
	*n = 0;
	struct stat st;
	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return ft_fail(err, FT_EINPUT, "%s: no registry here", root);
	struct problems p = { 0 };
	if (group) {
		if (!registry_group_valid(group))
			return ft_fail(err, FT_EINPUT, "%s: not a valid group name", group);
		char *gdir = xasprintf("%s/%s", root, group);
		bool there = lstat(gdir, &st) == 0;
		free(gdir);
		if (!there)
			return ft_fail(err, FT_EINPUT, "%s/%s: no such group", root, group);
		verify_group(root, group, &p);
	} else {
		size_t ng;
		char **names = scan_groups(root, &ng, err);
		if (!names)
			return -1;
		verify_root(root, &p);
		for (size_t i = 0; i < ng; i++)
			verify_group(root, names[i], &p);
		names_free(names);
	}
	*out = p.v;
	*n = p.n;
	return 0;
}

/* ---- the group's policy and aliases (registry_policy.h) ---------------
 * group.json holds them beside its name; every change is audited like an
 * approval (the audit line first, then group.json rewritten atomically,
 * both under the group lock), as event "policy" (version 0) or "alias"
 * (the version it now names), from and to saying what changed. */

/* group.json of an open group, parsed; NULL with err. */
static cJSON *group_doc(const struct gdir *g, struct ft_err *err)
{
	char *path = xasprintf("%s/group.json", g->path);
	char *text = read_at(g->fd, g->path, "group.json", NULL, err);
	cJSON *j = text ? parse_object(text, path, err) : NULL;
	free(text);
	free(path);
	return j;
}

/* Open a group for reading its records; *absent when it (or ROOT) does not
 * exist yet, which is no policy and no alias rather than an error. */
static int group_open_records(struct gdir *g, const char *root, const char *group,
			      bool *absent, struct ft_err *err)
{
	*absent = false;
	if (!registry_group_valid(group))
		return ft_fail(err, FT_EINPUT, "%s: not a valid group name", group);
	struct stat st;
	char *gpath = xasprintf("%s/%s", root, group);
	bool missing = lstat(gpath, &st) < 0 && errno == ENOENT;
	free(gpath);
	if (missing) {
		*absent = true;
		return 0;
	}
	if (gdir_open(g, root, group, false, LOCK_SH, err) < 0)
		return -1;
	if (fstatat(g->fd, "group.json", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		gdir_close(g);
		*absent = true;
	}
	return 0;
}

int registry_get_policy(const char *root, const char *group, struct registry_policy *out,
			struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	struct gdir g;
	bool absent;
	if (group_open_records(&g, root, group, &absent, err) < 0)
		return -1;
	if (absent)
		return 0;
	cJSON *j = group_doc(&g, err);
	int rc = -1;
	if (j) {
		char *path = xasprintf("%s/group.json", g.path);
		rc = registry_policy_from_json(cJSON_GetObjectItemCaseSensitive(j, "policy"), path,
					       out, err);
		free(path);
		cJSON_Delete(j);
	}
	gdir_close(&g);
	return rc;
}

int registry_get_alias(const char *root, const char *group, const char *name, int *version,
		       struct ft_err *err)
{
	*version = 0;
	if (!registry_alias_valid(name))
		return ft_fail(err, FT_EINPUT, "%s: not an alias name ([a-z][a-z0-9_-]{0,31})", name);
	struct gdir g;
	bool absent;
	if (group_open_records(&g, root, group, &absent, err) < 0)
		return -1;
	if (absent)
		return 0;
	cJSON *j = group_doc(&g, err);
	if (j)
		*version = registry_alias_get(j, name);
	cJSON_Delete(j);
	gdir_close(&g);
	return j ? 0 : -1;
}

/* Under the group lock (the group made when missing): audit the change,
 * then set group.json's member `key` (its member `sub`, when not NULL) to
 * value (taken). */
static int group_change(const char *root, const char *group, const char *key,
			const char *sub, cJSON *value, const char *event, int version, const char *from, const char *to,
			const char *reason, const char *user, struct ft_err *err)
{
	if (!registry_group_valid(group)) {
		cJSON_Delete(value);
		return ft_fail(err, FT_EINPUT, "%s: not a valid group name", group);
	}
	if (!reason || blank(reason)) {
		cJSON_Delete(value);
		return ft_fail(err, FT_EINPUT, "%s: a reason is required", group);
	}
	char userbuf[128];
	if (!user || !*user)
		user = registry_default_user(userbuf, sizeof userbuf);
	if (check_text(group, "reason", reason, err) < 0 || check_text(group, "user", user, err) < 0) {
		cJSON_Delete(value);
		return -1;
	}
	struct gdir g;
	if (gdir_open(&g, root, group, true, LOCK_EX, err) < 0) {
		cJSON_Delete(value);
		return -1;
	}
	sigset_t sigs;
	hold_signals(&sigs);
	int rc = -1;
	struct audit log = { 0 };
	cJSON *j = NULL;
	char *text = NULL;
	if (group_repair(&g, &log, err) < 0 || write_group_json(&g, NULL, err) < 0 ||
	    !(j = group_doc(&g, err)))
		goto out;
	if (version) {
		struct checked c = { 0 };
		enum registry_status st = REG_PENDING;
		int vr = check_version(&g, version, &c, false, err);
		if (vr == 0)
			vr = logged_status(&log, &g, version, &c.m, &st, err);
		checked_free(&c);
		if (vr < 0)
			goto out;
		if (!strcmp(event, "alias") && !strcmp(to, "champion") && st != REG_APPROVED) {
			ft_fail(err, FT_EINPUT, "%s/%d: is %s; only an approved version can be "
				"the champion", group, version, registry_status_name(st));
			goto out;
		}
	}
	cJSON *into = j;
	if (sub) {
		into = cJSON_GetObjectItemCaseSensitive(j, key);
		if (!cJSON_IsObject(into)) {
			cJSON_DeleteItemFromObjectCaseSensitive(j, key);
			into = cJSON_AddObjectToObject(j, key);
		}
	}
	const char *member = sub ? sub : key;
	if (cJSON_GetObjectItemCaseSensitive(into, member))
		cJSON_ReplaceItemInObjectCaseSensitive(into, member, value);
	else
		cJSON_AddItemToObject(into, member, value);
	value = NULL;
	text = json_text(j);
	char now[32];
	utc_now(now);
	off_t logged = audit_length(&g);
	if (audit_append(&g, now, user, event, version, from, to, reason, err) < 0)
		goto out;
	fault("group-after-audit");
	if (file_write_atomic_at(g.fd, g.path, "group.json", text, strlen(text), 0644, err) < 0) {
		struct ft_err e2;
		audit_take_back(&g, logged, &e2);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(value);
	cJSON_Delete(j);
	free(text);
	audit_free(&log);
	gdir_close(&g);
	release_signals(&sigs);
	return rc;
}

/* "gate=recall.lower>=0.5; four_eyes=on; must_beat=champion" */
static char *policy_summary(const struct registry_policy *p)
{
	if (!p->set)
		return NULL;
	char *gate = registry_policy_gate_text(p->gate, p->ngate);
	char *s = xasprintf("gate=%s; four_eyes=%s; must_beat=%s", gate,
			    p->four_eyes ? "on" : "off", p->must_beat_champion ? "champion" : "none");
	free(gate);
	return s;
}

int registry_set_policy(const char *root, const char *group, const struct registry_policy *p,
			const char *reason, const char *user, struct ft_err *err)
{
	struct registry_policy old, now;
	if (registry_get_policy(root, group, &old, err) < 0)
		return -1;
	char userbuf[128], when[32];
	if (!user || !*user)
		user = registry_default_user(userbuf, sizeof userbuf);
	utc_now(when);
	registry_policy_copy(&now, p);
	now.set = true;
	free(now.reason);
	free(now.user);
	free(now.time);
	now.reason = xstrdup(reason ? reason : "");
	now.user = xstrdup(user);
	now.time = xstrdup(when);
	char *from = policy_summary(&old), *to = policy_summary(&now);
	int rc = group_change(root, group, "policy", NULL, registry_policy_to_json(&now), "policy",
			      0, from, to, reason, user, err);
	free(from);
	free(to);
	registry_policy_free(&old);
	registry_policy_free(&now);
	return rc;
}

int registry_set_alias(const char *root, const char *group, const char *name, int version,
		       const char *reason, const char *user, struct ft_err *err)
{
	if (!registry_alias_valid(name))
		return ft_fail(err, FT_EINPUT, "%s: not an alias name ([a-z][a-z0-9_-]{0,31})", name);
	if (!strcmp(name, "latest") || !strcmp(name, "approved"))
		return ft_fail(err, FT_EINPUT, "%s: reserved (GROUP@%s is computed)", name, name);
	if (check_ref(group, version, err) < 0)
		return -1;
	int before;
	if (registry_get_alias(root, group, name, &before, err) < 0)
		return -1;
	if (before == version)
		return ft_fail(err, FT_EINPUT, "%s@%s: already %s/%d", group, name, group, version);
	char *from = before ? xasprintf("%s=%d", name, before) : NULL;
	char *to = xstrdup(name);
	int rc = group_change(root, group, "aliases", name, cJSON_CreateNumber(version), "alias",
			      version, from, to, reason, user, err);
	free(from);
	free(to);
	return rc;
}

char *registry_read_pipeline(const char *root, const char *group, int version,
			     struct ft_err *err)
{
	if (check_ref(group, version, err) < 0)
		return NULL;
	struct gdir g;
	if (gdir_open(&g, root, group, false, LOCK_SH, err) < 0)
		return NULL;
	struct checked c = { 0 };
	char *text = NULL;
	if (check_version(&g, version, &c, true, err) == 0) {
		text = c.pipeline_text;
		c.pipeline_text = NULL;
	}
	checked_free(&c);
	gdir_close(&g);
	return text;
}

size_t registry_version_flags(const char *root, const char *group, int version, char ***out,
			      struct ft_err *err)
{
	*out = NULL;
	struct registry_policy p;
	if (registry_get_policy(root, group, &p, err) < 0)
		return (size_t)-1;
	char *text = registry_read_pipeline(root, group, version, err);
	if (!text) {
		registry_policy_free(&p);
		return (size_t)-1;
	}
	cJSON *j = cJSON_Parse(text);
	size_t n = registry_policy_flags(&p, cJSON_GetObjectItemCaseSensitive(j, "gate"),
					 cJSON_GetObjectItemCaseSensitive(j, "threshold"), out);
	cJSON_Delete(j);
	free(text);
	registry_policy_free(&p);
	return n;
}
