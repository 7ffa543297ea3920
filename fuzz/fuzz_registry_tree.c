/* fuzz_registry_tree: libFuzzer harness for the registry's directory tree
 * itself. A group with two versions (the first approved) is built once as
 * a template; each input is a list of 3-byte operations that, on a fresh
 * copy, plant symbolic links (to a "victim" directory outside the registry,
 * to its files, to other registry entries, dangling), hard links (to a
 * victim file, between registry files), pipes, directories, stray files,
 * renamed or copied versions in the group, its .staging and its versions.
 * Then every reader and every writer runs over it, and:
 *   - nothing outside the registry changes (the victim's names, types and
 *     bytes are fingerprinted before and after);
 *   - the first verify, before any writer repaired anything, reports every
 *     link, hard link and pipe in the group (at its path or a parent's);
 *   - a writer that succeeds did so on a group whose .staging, audit.jsonl
 *     and .lock were what the format expects;
 *   - a registration's number was never named before, by an entry or by
 *     the audit log, and the new version is PendingManualApproval;
 *   - GROUP@approved only ever names a version with an "approved" line;
 *   - nothing crashes, hangs, leaks or trips a sanitizer.
 * FUZZ_TREE_LOG=FILE appends one line per input: what was planted and what
 * each check found, for the report. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry.h"
#include "registry_fixture.h"
#include "sha256.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[256];       /* scratch: template/, victim/, run/ */
static char tmpl[300], victim[300], run[300], reg[320], grp[340], data_csv[300];
static char victim_sum[65];
static FILE *tree_log;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup(void)
{
	if (base[0])
		rm_tree(base);
	if (tree_log)
		fclose(tree_log);
}

static void write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return;
	if (write(fd, data, size) < 0) {
		/* a planted entry in the way: the input just does less */
	}
	close(fd);
}

/* Copy a tree of plain files and directories (the template holds nothing
 * else). */
static void copy_tree(const char *from, const char *to)
{
	mkdir(to, 0755);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/'", from, to);
	if (system(cmd) != 0)
		abort();
}

/* Names, types, sizes and bytes of everything under dir. */
static struct strbuf fp_buf;
static int fp_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag; (void)ftw;
	sb_printf(&fp_buf, "%s %o %lld %lld\n", path, (unsigned)st->st_mode,
		  (long long)st->st_size, (long long)st->st_mtime);
	if (S_ISREG(st->st_mode)) {
		size_t len;
		char *text = file_read_bytes(path, &len, NULL);
		if (text) {
			char hex[65];
			sha256_hex(text, len, hex);
			sb_printf(&fp_buf, "%s\n", hex);
			free(text);
		}
	}
	return 0;
}

static void fingerprint(const char *dir, char out[65])
{
	fp_buf.len = 0;
	sb_append(&fp_buf, "", 0);
	nftw(dir, fp_entry, 16, FTW_PHYS);
	sha256_hex(fp_buf.data, fp_buf.len, out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	const char *tmp = getenv("FUZZ_TREE_DIR");
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(base, sizeof base, "%s/fuzztree.XXXXXX", tmp);
	if (!mkdtemp(base))
		abort();
	atexit(cleanup);
	const char *logp = getenv("FUZZ_TREE_LOG");
	if (logp && *logp)
		tree_log = fopen(logp, "a");
	snprintf(tmpl, sizeof tmpl, "%s/template", base);
	snprintf(victim, sizeof victim, "%s/victim", base);
	snprintf(run, sizeof run, "%s/run", base);
	snprintf(reg, sizeof reg, "%s/reg", run);
	snprintf(grp, sizeof grp, "%s/g", reg);
	snprintf(data_csv, sizeof data_csv, "%s/data.csv", base);
	static const char csv[] = "amount,card,isFraud\n10,credit,0\n200,debit,1\n";
	write_file(data_csv, csv, sizeof csv - 1);

	/* The victim: a private directory with a file and a subdirectory,
	 * standing for anything of value outside the registry. */
	char p[400];
	mkdir(victim, 0700);
	snprintf(p, sizeof p, "%s/file", victim);
	write_file(p, "precious\n", 9);
	snprintf(p, sizeof p, "%s/sub", victim);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/sub/deep", victim);
	write_file(p, "deep\n", 5);
	fingerprint(victim, victim_sum);

	char treg[320];
	snprintf(treg, sizeof treg, "%s/reg", tmpl);
	mkdir(tmpl, 0755);
	char *model = fixture_model_text();
	struct gate_check check = { (char *)"accuracy", OP_GE, 0.85, 0.9, true,
				    "accuracy 0.9 >= 0.85" };
	struct gate_result gate = { true, &check, 1 };
	struct registry_publish_args a = {
		.group = "g", .description = "fuzz", .user = "fuzz", .model_json = model,
		.evaluation_json = "{\"binary_classification_metrics\":{\"accuracy\":{\"value\":0.9}}}",
		.pipeline_json = "{\"target\":\"isFraud\",\"tree\":{\"max_depth\":3}}",
		.gate = &gate, .data_path = data_csv, .data_rows = 2, .data_columns = 3,
	};
	struct ft_err err;
	int v;
	for (int i = 0; i < 2; i++)
		if (registry_publish(treg, &a, &v, &err) < 0)
			abort();
	if (registry_set_status(treg, "g", 1, REG_APPROVED, "fuzz", "fuzz", &err) < 0)
		abort();
	free(model);
	return 0;
}

/* Where an operation acts: a directory of the registry and a name in it. */
static const char *const dirs[] = {
	"", "/.staging", "/1", "/2", "/.staging/x", "/..", "/3",
};
static const char *const names[] = {
	"audit.jsonl", "group.json", ".lock", ".staging", "1", "2", "3", "manifest.json",
	"model.json", "evaluation.json", "pipeline.json", "x", "manifest.json.tmp.0123456789abcdef",
	"g2", "group.json.tmp.00000000deadbeef", "12",
};
enum { NDIRS = sizeof dirs / sizeof dirs[0], NNAMES = sizeof names / sizeof names[0] };

static void place(char *out, size_t size, uint8_t d, uint8_t n)
{
	snprintf(out, size, "%s%s/%s", grp, dirs[d % NDIRS], names[n % NNAMES]);
}

/* Symbolic link targets: the victim, its file, registry entries (relative
 * and absolute), a loop, nothing. */
static void link_target(char *out, size_t size, uint8_t t)
{
	switch (t % 8) {
	case 0: snprintf(out, size, "%s", victim); break;
	case 1: snprintf(out, size, "%s/file", victim); break;
	case 2: snprintf(out, size, "%s/sub", victim); break;
	case 3: snprintf(out, size, "1"); break;
	case 4: snprintf(out, size, "../g"); break;
	case 5: snprintf(out, size, "%s/1/manifest.json", grp); break;
	case 6: snprintf(out, size, "."); break;
	default: snprintf(out, size, "%s/nothing-here", base); break;
	}
}

/* True when every directory from the registry root down to path's parent
 * is a real directory: the harness itself must never reach the victim
 * through a link it planted. */
static bool parent_safe(const char *path)
{
	char buf[600];
	snprintf(buf, sizeof buf, "%s", path);
	char *slash = strrchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	size_t rl = strlen(reg);
	for (char *p = buf + rl;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			struct stat st;
			if (lstat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
				return false;
			*p = c;
			if (!c)
				return true;
		}
	}
}

static void apply(const uint8_t *op, struct strbuf *what)
{
	char path[600], other[600], cmd[1400];
	place(path, sizeof path, op[1] >> 4, op[1] & 15);
	if (!parent_safe(path))
		return;
	switch (op[0] % 10) {
	case 0:
		link_target(other, sizeof other, op[2]);
		rm_tree(path);
		if (symlink(other, path) == 0)
			sb_printf(what, " symlink(%s->%d)", path + strlen(grp), op[2] % 8);
		break;
	case 1:   /* a hard link to a victim file or to another registry file */
		if (op[2] & 1)
			snprintf(other, sizeof other, "%s/file", victim);
		else
			place(other, sizeof other, op[2] >> 4, (op[2] >> 1) & 7);
		rm_tree(path);
		if (link(other, path) == 0)
			sb_printf(what, " hardlink(%s)", path + strlen(grp));
		break;
	case 2:
		rm_tree(path);
		if (mkfifo(path, 0644) == 0)
			sb_printf(what, " fifo(%s)", path + strlen(grp));
		break;
	case 3:
		if (mkdir(path, 0755) == 0)
			sb_printf(what, " mkdir(%s)", path + strlen(grp));
		break;
	case 4: {
		static const char *const junk[] = {
			"{", "{}", "\n", "{\"a\":1,\"a\":2}\n",
			"{\"time\":\"t\",\"user\":\"u\",\"event\":\"approved\",\"version\":3,"
			"\"from\":\"PendingManualApproval\",\"to\":\"Approved\",\"reason\":\"r\"}\n",
			"{\"time\":\"t\",\"user\":\"u\",\"event\":\"registered\",\"version\":9,"
			"\"from\":null,\"to\":\"Approved\",\"reason\":\"r\"}\n",
		};
		const char *j = junk[op[2] % 6];
		rm_tree(path);
		write_file(path, j, strlen(j));
		sb_printf(what, " file(%s,%d)", path + strlen(grp), op[2] % 6);
		break;
	}
	case 5:
		rm_tree(path);
		sb_printf(what, " rm(%s)", path + strlen(grp));
		break;
	case 6: {   /* a version renamed or copied to another number */
		int from = 1 + op[2] % 2, to = 2 + (op[2] >> 1) % 3;
		snprintf(other, sizeof other, "%s/%d", grp, from);
		snprintf(path, sizeof path, "%s/%d", grp, to);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			break;   /* cp into a linked directory would write through it */
		if (op[2] & 0x80) {
			if (rename(other, path) == 0)
				sb_printf(what, " mv(%d,%d)", from, to);
		} else {
			snprintf(cmd, sizeof cmd, "cp -a '%s' '%s' 2>/dev/null", other, path);
			if (system(cmd) == 0)
				sb_printf(what, " cp(%d,%d)", from, to);
		}
		break;
	}
	case 7: {   /* a manifest edited: status, gate, created, version */
		static const char *const edits[] = {
			"s/PendingManualApproval/Approved/",
			"s/\"passed\":\t*true/\"passed\":\tfalse/g",
			"s/\"created\":\t\"[^\"]*\"/\"created\":\t\"2000-01-01T00:00:00Z\"/",
			"s/\"version\":\t[0-9]*/\"version\":\t3/",
		};
		snprintf(path, sizeof path, "%s/%d/manifest.json", grp, 1 + op[2] % 3);
		struct stat st;
		if (!parent_safe(path) || lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			break;   /* sed would wait forever on a pipe */
		snprintf(cmd, sizeof cmd, "sed -i '%s' '%s' 2>/dev/null", edits[(op[2] >> 2) % 4],
			 path);
		if (system(cmd) == 0)
			sb_printf(what, " edit(%d,%d)", 1 + op[2] % 3, (op[2] >> 2) % 4);
		break;
	}
	case 8:   /* the group directory itself replaced by a link to a copy */
		snprintf(other, sizeof other, "%s/g-real", run);
		if (rename(grp, other) == 0 && symlink(other, grp) == 0)
			sb_printf(what, " group->link");
		break;
	default:  /* a whole stale stage holding a link to the victim */
		snprintf(path, sizeof path, "%s/.staging", grp);
		mkdir(path, 0755);
		if (snprintf(other, sizeof other, "%s/x", path) >= (int)sizeof other ||
		    !parent_safe(other))
			break;
		snprintf(path, sizeof path, "%s/.staging/999-%02x", grp, op[2]);
		mkdir(path, 0755);
		if (snprintf(other, sizeof other, "%s/inner", path) >= (int)sizeof other ||
		    symlink(victim, other) < 0)
			break;
		sb_printf(what, " stage-with-link");
		break;
	}
}

/* Every link, hard link and pipe under the group (depth <= 3). */
struct odd { char *path[64]; size_t n; };
static struct odd odd_found;
static int odd_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	if (ftw->level > 3)
		return 0;
	bool odd = S_ISLNK(st->st_mode) || S_ISFIFO(st->st_mode) ||
		   (S_ISREG(st->st_mode) && st->st_nlink > 1);
	if (odd && odd_found.n < 64)
		odd_found.path[odd_found.n++] = xstrdup(path);
	return 0;
}

static bool entry_is(const char *path, bool dir, bool *present)
{
	struct stat st;
	*present = lstat(path, &st) == 0;
	if (!*present)
		return true;
	return dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode) && st.st_nlink == 1;
}

/* Highest number named by an entry of the group or by "version":N in its
 * audit log, read as raw text (whatever the log holds). */
static int highest_named(void)
{
	int best = 0;
	char path[600];
	for (int v = 1; v <= 20; v++) {
		struct stat st;
		snprintf(path, sizeof path, "%s/%d", grp, v);
		if (lstat(path, &st) == 0 && v > best)
			best = v;
	}
	snprintf(path, sizeof path, "%s/audit.jsonl", grp);
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		char *text = file_read_bytes(path, NULL, NULL);
		for (const char *p = text; p && (p = strstr(p, "\"version\":")); p++) {
			int v = atoi(p + 10);
			if (v > best)
				best = v;
		}
		free(text);
	}
	return best;
}

static bool has_approved_line(int version)
{
	char path[600], want[64];
	snprintf(path, sizeof path, "%s/audit.jsonl", grp);
	snprintf(want, sizeof want, "\"event\":\"approved\",\"version\":%d,", version);
	char *text = file_read_bytes(path, NULL, NULL);
	bool found = text && strstr(text, want);
	free(text);
	return found;
}

static void fail(const char *why, const char *what)
{
	fprintf(stderr, "fuzz_registry_tree: %s (input:%s)\n", why, what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 3 * 12)
		size = 3 * 12;
	rm_tree(run);
	mkdir(run, 0755);
	copy_tree(tmpl, run);
	struct strbuf what = { 0 };
	sb_append(&what, "", 0);
	for (size_t i = 0; i + 3 <= size; i += 3)
		apply(data + i, &what);
	struct ft_err err;

	/* The first verify sees every odd entry, before any writer. */
	for (size_t i = 0; i < odd_found.n; i++)
		free(odd_found.path[i]);
	odd_found.n = 0;
	struct stat gst;
	bool group_link = lstat(grp, &gst) == 0 && S_ISLNK(gst.st_mode);
	if (group_link)
		odd_found.path[odd_found.n++] = xstrdup(grp);
	else
		nftw(grp, odd_entry, 16, FTW_PHYS);
	struct registry_problem *p = NULL;
	size_t np = 0;
	size_t unreported = 0;
	if (registry_verify(reg, NULL, &p, &np, &err) == 0) {
		for (size_t i = 0; i < odd_found.n; i++) {
			bool seen = false;
			for (size_t k = 0; k < np && !seen; k++) {
				size_t l = strlen(p[k].path);
				seen = !strncmp(odd_found.path[i], p[k].path, l) &&
				       (odd_found.path[i][l] == '\0' || odd_found.path[i][l] == '/' ||
					odd_found.path[i][l] == ':');
			}
			unreported += !seen;
		}
		if (unreported && !getenv("FUZZ_TREE_NOABORT")) {
			for (size_t i = 0; i < odd_found.n; i++)
				fprintf(stderr, "odd: %s\n", odd_found.path[i]);
			for (size_t k = 0; k < np; k++)
				fprintf(stderr, "reported: %s: %s\n", p[k].path, p[k].reason);
			fail("verify missed a link, hard link or pipe", what.data);
		}
		registry_problems_free(p, np);
	}

	struct registry_group *g;
	size_t ng;
	if (registry_list_groups(reg, &g, &ng, &err) == 0)
		registry_groups_free(g, ng);
	struct registry_version *v;
	size_t nv;
	if (registry_list_versions(reg, "g", &v, &nv, &err) == 0)
		registry_versions_free(v, nv);
	char group[REGISTRY_GROUP_MAX + 1];
	int version = 0;
	if (registry_resolve(reg, "g@approved", group, &version, &err) == 0 &&
	    !has_approved_line(version))
		fail("g@approved names a version never approved", what.data);
	struct model *m = registry_load_ref(reg, "g@approved", group, &version, &err);
	model_free(m);
	for (int i = 1; i <= 3; i++) {
		struct registry_details d;
		if (registry_show(reg, "g", i, &d, &err) == 0)
			registry_details_free(&d);
	}

	/* Writers. */
	char staging[400], audit[400], lock[400];
	snprintf(staging, sizeof staging, "%s/.staging", grp);
	snprintf(audit, sizeof audit, "%s/audit.jsonl", grp);
	snprintf(lock, sizeof lock, "%s/.lock", grp);
	int writes = 0;
	for (int i = 1; i <= 2; i++) {
		bool st_there, au_there, lk_there;
		bool sane = !group_link && entry_is(staging, true, &st_there) &&
			    entry_is(audit, false, &au_there) && entry_is(lock, false, &lk_there);
		int rc = registry_set_status(reg, "g", i, i == 1 ? REG_REJECTED : REG_APPROVED,
					     "fuzz", "fuzz", &err);
		if (rc == 0 && !sane)
			fail("a status change succeeded on a group with links or odd files", what.data);
		writes += rc == 0;
	}
	bool st_there, au_there, lk_there;
	bool sane = !group_link && entry_is(staging, true, &st_there) &&
		    entry_is(audit, false, &au_there) && entry_is(lock, false, &lk_there);
	int before = highest_named();
	char *model = fixture_model_text();
	struct gate_check check = { (char *)"accuracy", OP_GE, 0.85, 0.9, true,
				    "accuracy 0.9 >= 0.85" };
	struct gate_result gate = { true, &check, 1 };
	struct registry_publish_args a = {
		.group = "g", .user = "fuzz", .model_json = model,
		.evaluation_json = "{}", .pipeline_json = "{}",
		.gate = &gate, .data_path = data_csv, .data_rows = 2, .data_columns = 3,
	};
	int newv = 0;
	int prc = registry_publish(reg, &a, &newv, &err);
	free(model);
	if (prc == 0) {
		writes++;
		if (!sane)
			fail("a registration succeeded on a group with links or odd files", what.data);
		if (newv <= before)
			fail("a registration reused a number", what.data);
		struct registry_details d;
		if (registry_show(reg, "g", newv, &d, &err) < 0)
			fail("a new registration cannot be shown", what.data);
		if (d.v.m.status != REG_PENDING)
			fail("a new registration is not PendingManualApproval", what.data);
		registry_details_free(&d);
	}
	if (registry_verify(reg, NULL, &p, &np, &err) == 0)
		registry_problems_free(p, np);

	char now[65];
	fingerprint(victim, now);
	if (strcmp(now, victim_sum))
		fail("something outside the registry changed", what.data);
	if (tree_log)
		fprintf(tree_log, "ops=%zu odd=%zu unreported=%zu writes=%d publish=%s%s\n",
			size / 3, odd_found.n, unreported, writes, prc == 0 ? "ok" : "refused",
			what.data);
	sb_free(&what);
	return 0;
}
