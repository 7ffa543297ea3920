/* test_registry: the registry's file format, version allocation, status
 * transitions, path validation, damage reporting and crash repair. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "registry.h"
#include "registry_fixture.h"
#include "sha256.h"

static const char pipeline_a[] = "{\"tree\": {\"max_depth\": 5}, \"split\": {\"seed\": 42}}";
static const char pipeline_b[] = "{\"tree\": {\"max_depth\": 7}, \"split\": {\"seed\": 42}, \"threshold\": 0.4}";
static const char evaluation[] =
	"{\"binary_classification_metrics\": {\"accuracy\": {\"value\": 0.9}}}";

struct fx {
	char root[64];
	char data[80];
	char *model;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	snprintf(f->root, sizeof f->root, "test_registry.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->data, sizeof f->data, "%s/data.csv", f->root);
	FILE *fp = fopen(f->data, "w");
	assert_non_null(fp);
	fputs("abc", fp);
	fclose(fp);
	f->model = fixture_model_text();
	umask(022);
	*state = f;
	return 0;
}

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *sub = xasprintf("%s/%s", path, e->d_name);
			rm_rf(sub);
			free(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int teardown(void **state)
{
	struct fx *f = *state;
	rm_rf(f->root);
	free(f->model);
	free(f);
	return 0;
}

static char *reg_path(const struct fx *f, const char *rest)
{
	return xasprintf("%s/reg/%s", f->root, rest);
}

static char *reg_root(const struct fx *f)
{
	return xasprintf("%s/reg", f->root);
}

static struct metrics sample_metrics(uint64_t tp)
{
	struct metrics m = { 0 };
	m.cm = (struct confusion){ 80, 5, 15 - (tp - 10), tp };
	m.n = m.cm.tn + m.cm.fp + m.cm.fn + m.cm.tp;
	m.positives = m.cm.fn + m.cm.tp;
	m.negatives = 85;
	m.threshold = 0.5;
	m.accuracy = (double)(m.cm.tn + m.cm.tp) / (double)m.n;
	m.recall = (double)tp / (double)m.positives;
	m.baseline = 0.85;
	return m;
}

static int publish(const struct fx *f, const char *group, const char *model,
		   const char *pipeline, const struct metrics *m, struct ft_err *err)
{
	struct gate_check check = { (char *)"accuracy", OP_GE, 0.85, 0.9, true,
				    "accuracy 0.9 >= 0.85" };
	struct gate_result gate = { true, &check, 1 };
	struct registry_publish_args a = {
		.group = group, .description = "unit test", .user = "tester",
		.model_json = model, .evaluation_json = evaluation, .pipeline_json = pipeline,
		.gate = &gate, .metrics = m, .data_path = f->data, .data_rows = 1, .data_columns = 1,
	};
	char *root = reg_root(f);
	int version = -1;
	int rc = registry_publish(root, &a, &version, err);
	free(root);
	return rc < 0 ? -1 : version;
}

static size_t count_lines(const char *path)
{
	char *text = file_read_all(path, NULL, NULL);
	size_t n = 0;
	for (char *p = text; p && *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

static void write_text(const char *path, const char *text);

/* ---- pure functions --------------------------------------------------- */

static void test_group_names(void **state)
{
	(void)state;
	char max[64];
	memset(max, 'a', 63);
	max[63] = '\0';
	const char *good[] = { "a", "Z9", "fraud-detection-model-group", "a--b", max };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(registry_group_valid(good[i]));
	char toolong[65];
	memset(toolong, 'a', 64);
	toolong[64] = '\0';
	/* 63 letters with a dash inside: the pattern's letter count allows it,
	 * the 63-character limit does not. */
	char dashed[65];
	memset(dashed, 'b', 64);
	dashed[1] = '-';
	dashed[64] = '\0';
	const char *bad[] = { "", "-a", "a-", "a/b", "..", ".", "a.b", "a b", "caf\xc3\xa9",
			      ".lock", ".staging", "a_b", toolong, dashed, "1/../../etc" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(registry_group_valid(bad[i]));
	assert_false(registry_group_valid(NULL));
}

static void test_status_names(void **state)
{
	(void)state;
	enum registry_status s;
	assert_string_equal(registry_status_name(REG_PENDING), "PendingManualApproval");
	assert_true(registry_status_parse("Approved", &s));
	assert_int_equal(s, REG_APPROVED);
	assert_true(registry_status_parse("Rejected", &s));
	assert_int_equal(s, REG_REJECTED);
	assert_false(registry_status_parse("approved", &s));
	assert_false(registry_status_parse("", &s));
}

static void test_sha256(void **state)
{
	(void)state;
	char hex[65];
	sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* A million 'a' fed in uneven pieces crosses every buffer boundary. */
	struct sha256 c;
	sha256_init(&c);
	char buf[1024];
	memset(buf, 'a', sizeof buf);
	size_t left = 1000000, step = 1;
	while (left) {
		size_t n = step < left ? step : left;
		sha256_update(&c, buf, n);
		left -= n;
		step = step % 997 + 13;
	}
	sha256_final(&c, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- publishing ------------------------------------------------------- */

static void test_publish_numbers_and_files(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	struct metrics m = sample_metrics(12);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(publish(f, "g1", f->model, pipeline_a, &m, &err), i);

	struct stat st;
	char *p = reg_path(f, "g1/2");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0755);
	free(p);
	const char *files[] = { "model.json", "evaluation.json", "pipeline.json", "manifest.json" };
	for (size_t i = 0; i < 4; i++) {
		char *rel = xasprintf("g1/3/%s", files[i]);
		p = reg_path(f, rel);
		assert_int_equal(lstat(p, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0644);
		free(rel);
		free(p);
	}
	p = reg_path(f, "g1/1/model.json");
	char *text = file_read_all(p, NULL, &err);
	assert_string_equal(text, f->model);
	free(text);
	free(p);

	p = reg_path(f, "g1/audit.jsonl");
	assert_int_equal(count_lines(p), 3);
	free(p);
	p = reg_path(f, "g1/group.json");
	assert_int_equal(lstat(p, &st), 0);
	free(p);
	/* Nothing but the versions, the lock, the staging area and the group's
	 * own files. */
	p = reg_path(f, "g1");
	DIR *d = opendir(p);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d))) {
		const char *ok[] = { ".", "..", "1", "2", "3", ".lock", ".staging", "group.json",
				     "audit.jsonl" };
		bool found = false;
		for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
			found |= !strcmp(e->d_name, ok[i]);
		assert_true(found);
		n++;
	}
	closedir(d);
	assert_int_equal(n, 9);
	free(p);

	char *root = reg_root(f);
	struct registry_version *v;
	size_t nv;
	assert_int_equal(registry_list_versions(root, "g1", &v, &nv, &err), 0);
	assert_int_equal(nv, 3);
	for (size_t i = 0; i < nv; i++) {
		assert_false(v[i].damaged);
		assert_int_equal(v[i].number, (int)i + 1);
		assert_int_equal(v[i].m.status, REG_PENDING);
		assert_string_equal(v[i].m.user, "tester");
		assert_string_equal(v[i].m.group, "g1");
		assert_string_equal(v[i].m.data_sha256,
				    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		assert_int_equal(v[i].m.data_size, 3);
		assert_true(v[i].m.has_metrics);
		assert_int_equal(v[i].m.metrics.cm.tp, 12);
		assert_int_equal(v[i].m.metrics.cm.fn, 13);
		assert_true(v[i].m.metrics.accuracy == m.accuracy);
		assert_int_equal(v[i].m.ngate, 1);
		assert_string_equal(v[i].m.gate[0].op, ">=");
		assert_int_equal(strlen(v[i].m.created), 20);
		assert_int_equal(v[i].m.created[19], 'Z');
	}
	registry_versions_free(v, nv);

	struct registry_group *g;
	size_t ng;
	assert_int_equal(publish(f, "a-group", f->model, pipeline_a, NULL, &err), 1);
	assert_int_equal(registry_list_groups(root, &g, &ng, &err), 0);
	assert_int_equal(ng, 2);
	assert_string_equal(g[0].name, "a-group");
	assert_string_equal(g[1].name, "g1");
	assert_int_equal(g[1].nversions, 3);
	assert_int_equal(g[1].latest, 3);
	assert_int_equal(g[1].approved, 0);
	assert_null(g[1].problem);
	registry_groups_free(g, ng);

	struct registry_problem *pr;
	size_t np;
	assert_int_equal(registry_verify(root, NULL, &pr, &np, &err), 0);
	assert_int_equal(np, 0);
	free(pr);
	free(root);
}

static void test_publish_refuses_bad_input(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	const char *groups[] = { "../escape", "a/b", "", ".staging", "-x" };
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		assert_int_equal(publish(f, groups[i], f->model, pipeline_a, NULL, &err), -1);
		assert_int_equal(err.code, FT_EINPUT);
	}
	assert_int_equal(publish(f, "g", "{not json", pipeline_a, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "model.json"));
	assert_int_equal(publish(f, "g", f->model, "[1, 2]", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "pipeline.json"));
	/* None of those created anything, not even the root. */
	struct stat st;
	char *root = reg_root(f);
	assert_int_equal(lstat(root, &st), -1);
	char *escape = xasprintf("%s/escape", f->root);
	assert_int_equal(lstat(escape, &st), -1);
	free(escape);

	snprintf(f->data, sizeof f->data, "%s/missing.csv", f->root);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "missing.csv"));
	free(root);
}

static void test_version_names(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 1);
	/* Only plain positive numbers are versions: "007", "2x" and "0" are
	 * not, so they neither take a number nor get listed; an entry named
	 * like a version takes its number even when it is not a directory. */
	const char *dirs[] = { "g/007", "g/2x", "g/0", "g/-3" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *p = reg_path(f, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
		free(p);
	}
	char *p = reg_path(f, "g/4");
	write_text(p, "not a version");
	free(p);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 5);
	char *root = reg_root(f);
	struct registry_version *v;
	size_t nv;
	assert_int_equal(registry_list_versions(root, "g", &v, &nv, &err), 0);
	assert_int_equal(nv, 3);
	assert_int_equal(v[0].number, 1);
	assert_int_equal(v[1].number, 4);
	assert_true(v[1].damaged);
	assert_non_null(strstr(v[1].problem, "not a directory"));
	assert_int_equal(v[2].number, 5);
	assert_false(v[2].damaged);
	registry_versions_free(v, nv);
	free(root);
}

/* ---- status ----------------------------------------------------------- */

static void test_status_transitions(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 1);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 2);

	assert_int_equal(registry_set_status(root, "g", 1, REG_APPROVED, "", "bob", &err), -1);
	assert_int_equal(registry_set_status(root, "g", 1, REG_APPROVED, " \t\n", "bob", &err), -1);
	assert_int_equal(registry_set_status(root, "g", 1, REG_APPROVED, NULL, "bob", &err), -1);
	assert_int_equal(registry_set_status(root, "g", 1, REG_PENDING, "back", "bob", &err), -1);
	assert_int_equal(registry_set_status(root, "g", 9, REG_APPROVED, "why", "bob", &err), -1);
	assert_int_equal(registry_set_status(root, "nope", 1, REG_APPROVED, "why", "bob", &err), -1);
	assert_int_equal(registry_set_status(root, "../g", 1, REG_APPROVED, "why", "bob", &err), -1);

	assert_int_equal(registry_set_status(root, "g", 1, REG_APPROVED, "looks good", "bob", &err), 0);
	assert_int_equal(registry_set_status(root, "g", 1, REG_APPROVED, "again", "bob", &err), -1);
	assert_non_null(strstr(err.msg, "already Approved"));
	assert_int_equal(registry_set_status(root, "g", 1, REG_REJECTED, "drift", "carol", &err), 0);
	assert_int_equal(registry_set_status(root, "g", 1, REG_APPROVED, "fixed upstream", NULL, &err), 0);
	assert_int_equal(registry_set_status(root, "g", 2, REG_REJECTED, "recall too low", "bob", &err), 0);

	struct registry_details d;
	assert_int_equal(registry_show(root, "g", 1, &d, &err), 0);
	assert_int_equal(d.v.m.status, REG_APPROVED);
	assert_int_equal(d.nevents, 4);
	assert_string_equal(d.events[0].event, "registered");
	assert_string_equal(d.events[0].from, "");
	assert_string_equal(d.events[1].from, "PendingManualApproval");
	assert_string_equal(d.events[1].to, "Approved");
	assert_string_equal(d.events[1].reason, "looks good");
	assert_string_equal(d.events[1].user, "bob");
	assert_string_equal(d.events[2].event, "rejected");
	assert_string_equal(d.events[2].user, "carol");
	assert_string_equal(d.events[3].from, "Rejected");
	/* Tree summary from the fixture: 5 nodes, 3 leaves, depth 2. */
	assert_int_equal(d.nodes, 5);
	assert_int_equal(d.leaves, 3);
	assert_int_equal(d.depth, 2);
	/* Weighted gini decrease: card=debit 15 - 7.5 = 7.5 beats amount
	 * 130 * 0.3107 - 18 - 15 = 7.38. */
	assert_int_equal(d.ntop, 2);
	assert_string_equal(d.top[0].name, "card=debit");
	assert_string_equal(d.top[1].name, "amount");
	bool seen = false;
	for (size_t i = 0; i < d.nsettings; i++)
		if (!strcmp(d.settings[i].key, "tree.max_depth")) {
			assert_string_equal(d.settings[i].value, "5");
			seen = true;
		}
	assert_true(seen);
	registry_details_free(&d);

	char group[REGISTRY_GROUP_MAX + 1];
	int v;
	assert_int_equal(registry_resolve(root, "g@approved", group, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(registry_resolve(root, "g@latest", group, &v, &err), 0);
	assert_int_equal(v, 2);

	char *audit = reg_path(f, "g/audit.jsonl");
	assert_int_equal(count_lines(audit), 6);
	free(audit);
	struct registry_problem *pr;
	size_t np;
	assert_int_equal(registry_verify(root, "g", &pr, &np, &err), 0);
	assert_int_equal(np, 0);
	free(pr);
	free(root);
}

static void test_resolve(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	char group[REGISTRY_GROUP_MAX + 1];
	int v = 0;
	assert_int_equal(registry_resolve(root, "grp/12", group, &v, &err), 0);
	assert_string_equal(group, "grp");
	assert_int_equal(v, 12);
	const char *bad[] = { "grp", "grp/0", "grp/01", "grp/-1", "grp/1x", "grp/", "/1",
			      "../grp/1", "grp/1/../../x", "grp@newest", "g.p/1",
			      "grp/9999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(registry_resolve(root, bad[i], group, &v, &err), -1);
	/* No intact version yet. */
	assert_int_equal(registry_resolve(root, "grp@latest", group, &v, &err), -1);
	assert_int_equal(publish(f, "grp", f->model, pipeline_a, NULL, &err), 1);
	assert_int_equal(registry_resolve(root, "grp@latest", group, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(registry_resolve(root, "grp@approved", group, &v, &err), -1);
	free(root);
}

/* The manifest's figures are the evaluation's, to the last bit (cJSON's
 * own printer drops the 16th and 17th digits when it deems them close). */
static void test_manifest_numbers_exact(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	struct metrics m = sample_metrics(12);
	m.precision = 34.0 / 52.0;
	m.log_loss = 0.1 + 0.2;
	m.roc_auc = NAN;
	struct gate_check check = { (char *)"recall", OP_GE, 0.1 + 0.2, 2.0 / 3.0, true,
				    "recall 0.667 >= 0.3" };
	struct gate_result gate = { true, &check, 1 };
	struct registry_publish_args a = {
		.group = "grp", .model_json = f->model, .evaluation_json = evaluation,
		.pipeline_json = pipeline_a, .gate = &gate, .metrics = &m, .data_path = f->data,
		.data_rows = 1, .data_columns = 3,
	};
	char *root = reg_root(f);
	int v;
	assert_int_equal(registry_publish(root, &a, &v, &err), 0);
	struct registry_details d;
	assert_int_equal(registry_show(root, "grp", v, &d, &err), 0);
	assert_true(d.v.m.metrics.precision == 34.0 / 52.0);
	assert_true(d.v.m.metrics.log_loss == 0.1 + 0.2);
	assert_true(isnan(d.v.m.metrics.roc_auc));
	assert_int_equal(d.v.m.ngate, 1);
	assert_true(d.v.m.gate[0].value == 0.1 + 0.2);
	assert_true(d.v.m.gate[0].actual == 2.0 / 3.0);
	registry_details_free(&d);

	/* Approving rewrites the manifest from its parsed form: no number may
	 * lose a bit (cJSON's printer keeps 15 digits when they are "close"). */
	assert_int_equal(registry_set_status(root, "grp", v, REG_APPROVED, "checked", "bob", &err), 0);
	assert_int_equal(registry_show(root, "grp", v, &d, &err), 0);
	assert_true(d.v.m.metrics.precision == 34.0 / 52.0);
	assert_true(d.v.m.metrics.log_loss == 0.1 + 0.2);
	assert_true(d.v.m.gate[0].value == 0.1 + 0.2);
	assert_true(d.v.m.gate[0].actual == 2.0 / 3.0);
	registry_details_free(&d);
	free(root);
}

/* ---- damage ----------------------------------------------------------- */

static void edit(const char *path, const char *from, const char *to);

/* The audit log, not a manifest, says what a version's status is: a
 * manifest edited by hand to Approved must not make the version
 * GROUP@approved, show it as Approved or hide it from verify. */
static void test_status_follows_the_log(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	char group[REGISTRY_GROUP_MAX + 1];
	int v = 0;
	assert_int_equal(publish(f, "grp", f->model, pipeline_a, NULL, &err), 1);
	assert_int_equal(publish(f, "grp", f->model, pipeline_a, NULL, &err), 2);
	assert_int_equal(registry_set_status(root, "grp", 1, REG_APPROVED, "ok", "amy", &err), 0);
	char *m2 = reg_path(f, "grp/2/manifest.json");
	edit(m2, "\"PendingManualApproval\"", "\"Approved\"");

	assert_int_equal(registry_resolve(root, "grp@approved", group, &v, &err), 0);
	assert_int_equal(v, 1);
	struct registry_version *vs;
	size_t n;
	assert_int_equal(registry_list_versions(root, "grp", &vs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(vs[0].m.status, REG_APPROVED);
	assert_int_equal(vs[1].m.status, REG_PENDING);
	registry_versions_free(vs, n);
	struct registry_group *g;
	assert_int_equal(registry_list_groups(root, &g, &n, &err), 0);
	assert_int_equal(g[0].approved, 1);
	registry_groups_free(g, n);
	struct registry_details d;
	assert_int_equal(registry_show(root, "grp", 2, &d, &err), 0);
	assert_int_equal(d.v.m.status, REG_PENDING);
	registry_details_free(&d);
	struct registry_problem *p;
	assert_int_equal(registry_verify(root, "grp", &p, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_non_null(strstr(p[0].path, "grp/2/manifest.json"));
	registry_problems_free(p, n);

	/* The next write brings the manifest back to the log. */
	assert_int_equal(registry_set_status(root, "grp", 1, REG_REJECTED, "no", "amy", &err), 0);
	assert_int_equal(registry_verify(root, "grp", &p, &n, &err), 0);
	assert_int_equal(n, 0);
	registry_problems_free(p, n);
	assert_int_equal(registry_resolve(root, "grp@approved", group, &v, &err), -1);
	/* A number that was never registered is named as such. */
	assert_int_equal(registry_set_status(root, "grp", 7, REG_APPROVED, "ok", "amy", &err), -1);
	assert_non_null(strstr(err.msg, "grp/7: no such version"));
	free(m2);
	free(root);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void append_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "a");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Replace the first occurrence of `from` in a file. */
static void edit(const char *path, const char *from, const char *to)
{
	char *text = file_read_all(path, NULL, NULL);
	assert_non_null(text);
	char *at = strstr(text, from);
	assert_non_null(at);
	*at = '\0';
	char *out = xasprintf("%s%s%s", text, to, at + strlen(from));
	write_text(path, out);
	free(out);
	free(text);
}

/* Change one hex digit of model.json's checksum in a manifest. */
static void flip_model_sum(const char *path)
{
	char *text = file_read_all(path, NULL, NULL);
	char *at = strstr(text, "\"model.json\"");
	assert_non_null(at);
	at = strstr(at, "\"sha256\":\t\"");
	assert_non_null(at);
	at += strlen("\"sha256\":\t\"");
	*at = *at == '0' ? '1' : '0';
	write_text(path, text);
	free(text);
}

static char *model_with_tree(void (*change)(struct tree *t))
{
	struct recipe *r = fixture_recipe();
	struct tree *t = fixture_tree();
	change(t);
	char *s = model_to_text(r, t, 0.5, THRESHOLD_ON_SCORE, NULL);
	recipe_free(r);
	tree_free(t);
	return s;
}

static void out_of_range(struct tree *t)
{
	t->nodes[2].right = 17;
}

static void cycle(struct tree *t)
{
	t->nodes[2].left = 0;
}

static void extra_feature(struct tree *t)
{
	t->nfeatures = 4;
	t->feature_names = xreallocarray(t->feature_names, 4, sizeof(char *));
	t->feature_names[3] = xstrdup("extra");
	t->importance = xreallocarray(t->importance, 4, sizeof(double));
	t->importance[3] = 0;
}

struct damage_case {
	int version;
	const char *file;      /* expected in the problem's path */
	const char *reason;    /* expected in the problem's text */
};

/* A damaged field inside an object is named by its whole key path, as
 * every other reader of fraudtree's files names it. */
static void test_damaged_field_names_its_path(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), i);
	char *p = reg_path(f, "g/1/manifest.json");
	edit(p, "\"passed\":\ttrue", "\"passed\":\t1");
	free(p);
	p = reg_path(f, "g/2/manifest.json");
	edit(p, "\"sha256\":\t\"", "\"sha256\":\t\"x");
	free(p);
	p = reg_path(f, "g/3/manifest.json");
	edit(p, "\"why\":", "\"because\":");
	free(p);
	static const char *const want[] = {
		"g/1/manifest.json: gate.passed: expected true or false",
		"g/2/manifest.json: data.sha256: expected 64 lowercase hex digits",
		"g/3/manifest.json: gate.conditions[0].why: missing",
	};
	struct registry_version *v;
	size_t nv;
	assert_int_equal(registry_list_versions(root, "g", &v, &nv, &err), 0);
	assert_int_equal(nv, 3);
	for (size_t i = 0; i < nv; i++) {
		assert_true(v[i].damaged);
		if (!strstr(v[i].problem, want[i]))
			fail_msg("%s: expected \"%s\"", v[i].problem, want[i]);
	}
	registry_versions_free(v, nv);
	free(root);
}

static void test_damaged_versions(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	for (int i = 1; i <= 6; i++)
		assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), i);
	char *bad_index = model_with_tree(out_of_range);
	char *bad_cycle = model_with_tree(cycle);
	char *bad_features = model_with_tree(extra_feature);
	char *bad_major = xstrdup(f->model);
	char *at = strstr(bad_major, "\"1.0\"");
	assert_non_null(at);
	at[1] = '2';
	assert_int_equal(publish(f, "g", bad_index, pipeline_a, NULL, &err), 7);
	assert_int_equal(publish(f, "g", bad_cycle, pipeline_a, NULL, &err), 8);
	assert_int_equal(publish(f, "g", bad_features, pipeline_a, NULL, &err), 9);
	assert_int_equal(publish(f, "g", bad_major, pipeline_a, NULL, &err), 10);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 11);
	free(bad_index);
	free(bad_cycle);
	free(bad_features);
	free(bad_major);

	char *p;
	p = reg_path(f, "g/1/model.json");        /* edited by hand */
	append_text(p, " ");
	free(p);
	p = reg_path(f, "g/2/manifest.json");     /* truncated */
	write_text(p, "{\"format\": \"fraudtree-manifest\",");
	free(p);
	p = reg_path(f, "g/3/evaluation.json");   /* missing */
	unlink(p);
	free(p);
	p = reg_path(f, "g/4/manifest.json");     /* from a future program */
	edit(p, "\"format_version\":\t\"1.0\"", "\"format_version\":\t\"2.0\"");
	free(p);
	p = reg_path(f, "g/5/pipeline.json");     /* same size, other bytes */
	edit(p, "5", "6");
	free(p);
	p = reg_path(f, "g/6/manifest.json");     /* checksum tampered */
	flip_model_sum(p);
	free(p);

	const struct damage_case cases[] = {
		{ 1, "g/1/model.json", "size" },
		{ 2, "g/2/manifest.json", "not valid JSON" },
		{ 3, "g/3/evaluation.json", "missing" },
		{ 4, "g/4/manifest.json", "format_version 2.0" },
		{ 5, "g/5/pipeline.json", "sha256" },
		{ 6, "g/6/model.json", "sha256" },
		{ 7, "g/7/model.json", "" },
		{ 8, "g/8/model.json", "" },
		{ 9, "g/9/model.json", "" },
		{ 10, "g/10/model.json", "format_version 2.0" },
	};
	struct registry_version *v;
	size_t nv;
	assert_int_equal(registry_list_versions(root, "g", &v, &nv, &err), 0);
	assert_int_equal(nv, 11);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(v[i].number, cases[i].version);
		assert_true(v[i].damaged);
		assert_non_null(strstr(v[i].problem, cases[i].file));
		assert_non_null(strstr(v[i].problem, cases[i].reason));
	}
	assert_false(v[10].damaged);
	registry_versions_free(v, nv);

	struct registry_problem *pr;
	size_t np;
	assert_int_equal(registry_verify(root, "g", &pr, &np, &err), 0);
	assert_int_equal(np, 10);
	for (size_t i = 0; i < np; i++)
		assert_non_null(strstr(pr[i].path, cases[i].file));
	registry_problems_free(pr, np);

	/* The rest still works: listing, latest, approving the intact one,
	 * refusing to approve or load a damaged one, registering more. */
	char group[REGISTRY_GROUP_MAX + 1];
	int ver;
	assert_int_equal(registry_resolve(root, "g@latest", group, &ver, &err), 0);
	assert_int_equal(ver, 11);
	assert_int_equal(registry_set_status(root, "g", 11, REG_APPROVED, "ok", "bob", &err), 0);
	assert_int_equal(registry_set_status(root, "g", 7, REG_APPROVED, "ok", "bob", &err), -1);
	assert_non_null(strstr(err.msg, "g/7/model.json"));
	assert_null(registry_load_model(root, "g", 1, &err));
	struct model *m = registry_load_model(root, "g", 11, &err);
	assert_non_null(m);
	model_free(m);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 12);

	struct registry_group *g;
	size_t ng;
	assert_int_equal(registry_list_groups(root, &g, &ng, &err), 0);
	assert_int_equal(ng, 1);
	assert_int_equal(g[0].nversions, 12);
	assert_int_equal(g[0].ndamaged, 10);
	assert_int_equal(g[0].latest, 12);
	assert_int_equal(g[0].approved, 11);
	registry_groups_free(g, ng);
	free(root);
}

static void test_audit_damage(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 1);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 2);
	/* Status edited by hand in the manifest: the log disagrees. */
	char *p = reg_path(f, "g/2/manifest.json");
	edit(p, "PendingManualApproval", "Approved");
	free(p);
	char *audit = reg_path(f, "g/audit.jsonl");
	append_text(audit, "{\"time\": \"x\", \"user\": \"u\", \"event\": \"deleted\", \"version\": 1,"
			   " \"from\": null, \"to\": \"Approved\", \"reason\": \"r\"}\n");
	append_text(audit, "garbage\n");
	struct registry_problem *pr;
	size_t np;
	assert_int_equal(registry_verify(root, "g", &pr, &np, &err), 0);
	assert_int_equal(np, 3);
	assert_non_null(strstr(pr[0].path, "audit.jsonl:3"));
	assert_non_null(strstr(pr[0].reason, "deleted"));
	assert_non_null(strstr(pr[1].path, "audit.jsonl:4"));
	assert_non_null(strstr(pr[2].path, "g/2/manifest.json"));
	assert_non_null(strstr(pr[2].reason, "audit log"));
	registry_problems_free(pr, np);
	/* Listing ignores what it cannot read in the log. */
	struct registry_event *ev;
	size_t nev;
	assert_int_equal(registry_audit(root, "g", &ev, &nev, &err), 0);
	assert_int_equal(nev, 2);
	registry_events_free(ev, nev);
	/* The log is authoritative: the next write restores the status. */
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 3);
	struct registry_details d;
	assert_int_equal(registry_show(root, "g", 2, &d, &err), 0);
	assert_int_equal(d.v.m.status, REG_PENDING);
	registry_details_free(&d);

	/* A NUL byte spoils its own line only: it is reported, and the lines
	 * after it are still read (and checked). */
	size_t nul_line = count_lines(audit) + 1;
	FILE *fp = fopen(audit, "a");
	assert_non_null(fp);
	static const char torn[] = "{\"time\": \"x\", \"us\0er\"}\n";
	fwrite(torn, 1, sizeof torn - 1, fp);
	fputs("{\"time\": \"x\", \"user\": \"u\", \"event\": \"approved\", \"version\": 9,"
	      " \"from\": \"PendingManualApproval\", \"to\": \"Approved\", \"reason\": \"r\"}\n", fp);
	fclose(fp);
	assert_int_equal(registry_verify(root, "g", &pr, &np, &err), 0);
	bool nul = false, after = false;
	for (size_t i = 0; i < np; i++) {
		char *where = xasprintf("audit.jsonl:%zu", nul_line);
		nul |= strstr(pr[i].path, where) && strstr(pr[i].reason, "NUL");
		free(where);
		after |= strstr(pr[i].reason, "version 9") != NULL;
	}
	assert_true(nul);
	assert_true(after);
	registry_problems_free(pr, np);
	free(audit);
	free(root);
}

/* ---- crash repair ----------------------------------------------------- */

static void test_repair(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 1);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 2);
	/* As if a registration died after its rename (no audit line), another
	 * while staging, and a status change between its two writes. */
	char *audit = reg_path(f, "g/audit.jsonl");
	char *text = file_read_all(audit, NULL, NULL);
	*strchr(text, '\n') = '\0';
	char *line = xasprintf("%s\n", text);
	write_text(audit, line);
	append_text(audit, "{\"time\":\"2026-01-01T00:00:00Z\",\"user\":\"u\",\"event\":\"approved\","
			   "\"version\":1,\"from\":\"PendingManualApproval\",\"to\":\"Approved\","
			   "\"reason\":\"ok\"}\n{\"time\":\"2026-01-01T00:0");
	free(line);
	free(text);
	char *stage = reg_path(f, "g/.staging/999-deadbeef");
	assert_int_equal(mkdir(stage, 0755), 0);
	char *sf = xasprintf("%s/model.json", stage);
	write_text(sf, "{");
	free(sf);
	char *tmp = reg_path(f, "g/1/manifest.json.tmp.999");
	write_text(tmp, "{");

	struct registry_problem *pr;
	size_t np;
	assert_int_equal(registry_verify(root, "g", &pr, &np, &err), 0);
	/* the torn line, version 2 unregistered, version 1's status lagging,
	 * the stale stage and the leftover temporary manifest */
	assert_int_equal(np, 5);
	registry_problems_free(pr, np);
	struct registry_version *v;
	size_t nv;
	assert_int_equal(registry_list_versions(root, "g", &v, &nv, &err), 0);
	assert_int_equal(nv, 2);
	registry_versions_free(v, nv);

	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 3);
	struct stat st;
	assert_int_equal(lstat(stage, &st), -1);
	assert_int_equal(lstat(tmp, &st), -1);
	struct registry_details d;
	assert_int_equal(registry_show(root, "g", 1, &d, &err), 0);
	assert_int_equal(d.v.m.status, REG_APPROVED);
	registry_details_free(&d);
	assert_int_equal(registry_show(root, "g", 2, &d, &err), 0);
	assert_int_equal(d.nevents, 1);
	assert_non_null(strstr(d.events[0].reason, "recovered"));
	registry_details_free(&d);
	/* Only the torn line, which was closed off, remains to report. */
	assert_int_equal(registry_verify(root, "g", &pr, &np, &err), 0);
	assert_int_equal(np, 1);
	assert_non_null(strstr(pr[0].path, "audit.jsonl:3"));
	registry_problems_free(pr, np);
	free(stage);
	free(tmp);
	free(audit);
	free(root);
}

static size_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

/* Let this process's writes grow files to at most `bytes` (RLIM_INFINITY to
 * lift it): writes beyond fail with EFBIG as they would on a full disk. */
static void limit_file_size(rlim_t bytes)
{
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = bytes;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/* A status change refused because a write failed leaves no trace: neither
 * its audit line (whole or in part) nor a later repair may approve. */
static void test_refused_change_leaves_no_trace(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 1);
	char *audit = reg_path(f, "g/audit.jsonl");
	char *manifest = reg_path(f, "g/1/manifest.json");
	char *before = file_read_all(audit, NULL, NULL);
	size_t alen = strlen(before), mlen = file_size(manifest);
	/* One line of about 150 bytes fits under the limit, the manifest
	 * (over 1000 bytes) does not. */
	assert_true(mlen > alen + 400);
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);

	/* The line is appended, the manifest write fails. */
	limit_file_size(alen + 400);
	assert_int_equal(registry_set_status(root, "g", 1, REG_APPROVED, "disk full", "bob", &err), -1);
	limit_file_size(RLIM_INFINITY);
	assert_non_null(strstr(err.msg, "manifest.json"));
	assert_non_null(strstr(err.msg, strerror(EFBIG)));
	char *after = file_read_all(audit, NULL, NULL);
	assert_string_equal(after, before);
	free(after);

	/* The line itself is cut short. */
	limit_file_size(alen + 40);
	assert_int_equal(registry_set_status(root, "g", 1, REG_REJECTED, "disk full", "bob", &err), -1);
	limit_file_size(RLIM_INFINITY);
	assert_non_null(strstr(err.msg, "audit.jsonl"));
	after = file_read_all(audit, NULL, NULL);
	assert_string_equal(after, before);
	free(after);
	signal(SIGXFSZ, old);

	/* The next writer's repair finds nothing to complete. */
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 2);
	struct registry_details d;
	assert_int_equal(registry_show(root, "g", 1, &d, &err), 0);
	assert_int_equal(d.v.m.status, REG_PENDING);
	assert_int_equal(d.nevents, 1);
	registry_details_free(&d);
	assert_int_equal(count_lines(audit), 2);
	struct registry_problem *pr;
	size_t np;
	assert_int_equal(registry_verify(root, "g", &pr, &np, &err), 0);
	assert_int_equal(np, 0);
	free(pr);
	free(before);
	free(manifest);
	free(audit);
	free(root);
}

/* A registration refused at its audit line is withdrawn: the number is
 * free again and no repair brings the version back. */
static void test_refused_registration_withdrawn(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), 1);
	char *audit = reg_path(f, "g/audit.jsonl");
	/* Grow the log past every file of a version, so that a limit at its
	 * length lets the version be written and only the log line fail. */
	size_t biggest = 0;
	const char *names[] = { "g/1/model.json", "g/1/evaluation.json", "g/1/pipeline.json",
				"g/1/manifest.json" };
	for (size_t i = 0; i < 4; i++) {
		char *p = reg_path(f, names[i]);
		size_t n = file_size(p);
		biggest = n > biggest ? n : biggest;
		free(p);
	}
	for (int i = 0; file_size(audit) <= biggest + 200; i++) {
		assert_true(i < 200);
		assert_int_equal(registry_set_status(root, "g", 1, i % 2 ? REG_APPROVED : REG_REJECTED,
						     "padding", "bob", &err), 0);
	}
	char *before = file_read_all(audit, NULL, NULL);
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	limit_file_size(strlen(before));
	assert_int_equal(publish(f, "g", f->model, pipeline_a, NULL, &err), -1);
	limit_file_size(RLIM_INFINITY);
	signal(SIGXFSZ, old);
	assert_non_null(strstr(err.msg, "audit.jsonl"));
	char *after = file_read_all(audit, NULL, NULL);
	assert_string_equal(after, before);
	free(after);
	struct stat st;
	char *v2 = reg_path(f, "g/2");
	assert_int_equal(lstat(v2, &st), -1);
	char *staging = reg_path(f, "g/.staging");
	DIR *d = opendir(staging);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		assert_true(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."));
	closedir(d);

	assert_int_equal(publish(f, "g", f->model, pipeline_b, NULL, &err), 2);
	struct registry_details det;
	assert_int_equal(registry_show(root, "g", 2, &det, &err), 0);
	assert_int_equal(det.nevents, 1);
	assert_null(strstr(det.events[0].reason, "recovered"));
	registry_details_free(&det);
	struct registry_problem *pr;
	size_t np;
	assert_int_equal(registry_verify(root, "g", &pr, &np, &err), 0);
	assert_int_equal(np, 0);
	free(pr);
	free(staging);
	free(v2);
	free(before);
	free(audit);
	free(root);
}

static void test_concurrent_publish(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	enum { N = 8 };
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(publish(f, "busy", f->model, pipeline_a, NULL, &err) > 0 ? 0 : 1);
	}
	for (int i = 0; i < N; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	char *root = reg_root(f);
	struct registry_event *ev;
	size_t nev;
	assert_int_equal(registry_audit(root, "busy", &ev, &nev, &err), 0);
	assert_int_equal(nev, N);
	bool seen[N + 1] = { false };
	for (size_t i = 0; i < nev; i++) {
		assert_true(ev[i].version >= 1 && ev[i].version <= N);
		assert_false(seen[ev[i].version]);
		seen[ev[i].version] = true;
	}
	registry_events_free(ev, nev);
	struct registry_problem *pr;
	size_t np;
	assert_int_equal(registry_verify(root, "busy", &pr, &np, &err), 0);
	assert_int_equal(np, 0);
	free(pr);
	free(root);
}

/* ---- diff ------------------------------------------------------------- */

static void test_diff(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	char *root = reg_root(f);
	struct metrics a = sample_metrics(10), b = sample_metrics(12);
	assert_int_equal(publish(f, "g", f->model, pipeline_a, &a, &err), 1);
	assert_int_equal(publish(f, "g", f->model, pipeline_b, &b, &err), 2);
	struct registry_diff_item *d;
	size_t n;
	assert_int_equal(registry_diff(root, "g", 1, "g", 1, &d, &n, &err), 0);
	assert_int_equal(n, 0);
	registry_diff_free(d, n);
	assert_int_equal(registry_diff(root, "g", 1, "g", 2, &d, &n, &err), 0);
	bool depth = false, thr = false, acc = false, tp = false, fn = false;
	for (size_t i = 0; i < n; i++) {
		if (d[i].kind == DIFF_SETTING && !strcmp(d[i].key, "tree.max_depth")) {
			assert_string_equal(d[i].a, "5");
			assert_string_equal(d[i].b, "7");
			depth = true;
		} else if (d[i].kind == DIFF_SETTING && !strcmp(d[i].key, "threshold")) {
			assert_string_equal(d[i].a, "(absent)");
			thr = true;
		} else if (d[i].kind == DIFF_METRIC && !strcmp(d[i].key, "accuracy")) {
			assert_true(d[i].has_delta);
			assert_true(d[i].delta == b.accuracy - a.accuracy);
			acc = true;
		} else if (d[i].kind == DIFF_CONFUSION && !strcmp(d[i].key, "tp")) {
			assert_true(d[i].delta == 2);
			tp = true;
		} else if (d[i].kind == DIFF_CONFUSION && !strcmp(d[i].key, "fn")) {
			assert_true(d[i].delta == -2);
			fn = true;
		} else {
			/* Nothing else differs: same data, same tree, same status. */
			assert_true(d[i].kind == DIFF_METRIC);
			assert_string_equal(d[i].key, "recall");
		}
	}
	assert_true(depth && thr && acc && tp && fn);
	registry_diff_free(d, n);
	free(root);
}

/* The engine's publish itself refuses a failed gate (whatever its caller
 * checked), and a gate that says passed over a failed condition. */
static void test_publish_refuses_failed_gate(void **state)
{
	struct fx *f = *state;
	struct ft_err err;
	struct gate_check check = { (char *)"accuracy", OP_GE, 0.85, 0.5, false,
				    "accuracy 0.5 >= 0.85" };
	struct gate_result gate = { false, &check, 1 };
	struct registry_publish_args a = {
		.group = "g", .user = "tester", .model_json = f->model,
		.evaluation_json = evaluation, .pipeline_json = pipeline_a,
		.gate = &gate, .data_path = f->data, .data_rows = 1, .data_columns = 1,
	};
	char *root = reg_root(f);
	int version = -1;
	assert_int_equal(registry_publish(root, &a, &version, &err), -1);
	assert_non_null(strstr(err.msg, "gate failed"));
	gate.pass = true;   /* the summary lies about its condition */
	assert_int_equal(registry_publish(root, &a, &version, &err), -1);
	struct stat st;
	char *g = reg_path(f, "g");
	assert_int_equal(lstat(g, &st), -1);
	free(g);
	free(root);
}

static void test_strict_json(void **state)
{
	(void)state;
	struct ft_err err;
	struct cJSON *j = json_parse("{\"a\": \"abc\\u0000/../x\"}", "t.json", &err);
	assert_null(j);
	assert_non_null(strstr(err.msg, "t.json:1: a string holds \\u0000"));
	j = json_parse("{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}}", "t.json", &err);
	assert_null(j);
	assert_string_equal(err.msg, "t.json:2: key \"c\" appears twice in one object");
	/* the line is the second appearance's, the same key elsewhere aside,
	 * and an escaped spelling is the same key */
	j = json_parse("{\"c\": 0, \"b\": {\"c\": 1,\n\n \"\\u0063\": 2}}", "t.json", &err);
	assert_null(j);
	assert_string_equal(err.msg, "t.json:3: key \"c\" appears twice in one object");
	/* inside an array no member path leads to it: the file alone */
	j = json_parse("{\"g\": [{\"m\": 1,\n \"m\": 2}]}", "t.json", &err);
	assert_null(j);
	assert_string_equal(err.msg, "t.json: key \"m\" appears twice in one object");
	/* An escaped backslash before u0000 is text, not a NUL. */
	j = json_parse("{\"a\": \"x\\\\u0000\", \"b\": {\"a\": 1}}", "t.json", &err);
	assert_non_null(j);
	cJSON_Delete(j);
	int a, b;
	assert_true(json_format_version_parse("1.0", &a, &b) && a == 1 && b == 0);
	assert_true(json_format_version_parse("2.13", &a, &b) && a == 2 && b == 13);
	const char *loose[] = { " 1.0", "+1.0", "1.0 ", "01.0", "1.00", "1", "1.", ".1", "-1.0",
				"1.0.0", "1e0.0", "", "1,0" };
	for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++)
		assert_false(json_format_version_parse(loose[i], &a, &b));
}

static void test_escape_controls(void **state)
{
	(void)state;
	const struct { const char *in, *out; } cases[] = {
		{ "plain text", "plain text" },
		{ "\033[2J\033[31mFAKE\r", "\\e[2J\\e[31mFAKE\\r" },
		{ "a\nb\tc\x01\x7f", "a\\nb\\tc\\x01\\x7F" },
		{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },   /* UTF-8 kept */
		{ "\xc2\x9b" "31m", "\\u{009B}31m" },                         /* C1 CSI */
		{ "\x9b" "31m", "\\x9B31m" },                               /* raw 8-bit CSI */
		{ "ok \xe2\x80\xae" "dessap", "ok \\u{202E}dessap" },       /* RTL override */
		{ "\xc0\xaf", "\\xC0\\xAF" },                              /* overlong '/' */
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = ft_escape_controls(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

/* Two pipelines of 100,000 keys each: matched by hashing, in work
 * proportional to the keys (a pairwise match would examine 5e9 pairs),
 * counted rather than timed. */
static void test_diff_many_keys(void **state)
{
	(void)state;
	enum { N = 100000, SHIFT = 50000 };
	struct registry_setting *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
	assert_non_null(a);
	assert_non_null(b);
	char buf[32];
	for (size_t i = 0; i < N; i++) {
		snprintf(buf, sizeof buf, "k.%zu", i);
		a[i].key = strdup(buf);
		a[i].value = strdup("1");
		snprintf(buf, sizeof buf, "k.%zu", i + SHIFT);
		b[i].key = strdup(buf);
		b[i].value = strdup((i + SHIFT) % 10 == 0 ? "2" : "1");
	}
	struct registry_diff_item *d;
	size_t n;
	uint64_t probes = 0;
	registry_diff_settings(a, N, b, N, &d, &n, &probes);
	/* SHIFT only in a, SHIFT only in b, every tenth shared key differs. */
	assert_int_equal(n, SHIFT + SHIFT + (N - SHIFT) / 10);
	assert_string_equal(d[0].key, "k.0");
	assert_string_equal(d[0].b, "(absent)");
	assert_string_equal(d[SHIFT].key, "k.50000");
	assert_string_equal(d[SHIFT].a, "1");
	assert_string_equal(d[SHIFT].b, "2");
	assert_string_equal(d[n - 1].key, "k.149999");
	assert_string_equal(d[n - 1].a, "(absent)");
	if (probes == 0 || probes > 20 * (uint64_t)(2 * N))
		fail_msg("%llu hash probes for %d keys", (unsigned long long)probes, 2 * N);
	registry_diff_free(d, n);
	for (size_t i = 0; i < N; i++) {
		free(a[i].key);
		free(a[i].value);
		free(b[i].key);
		free(b[i].value);
	}
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_names),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_strict_json),
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test_setup_teardown(test_publish_refuses_failed_gate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_numbers_and_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_refuses_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_follows_the_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_numbers_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_field_names_its_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_damage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_change_leaves_no_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_registration_withdrawn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_publish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
		cmocka_unit_test(test_diff_many_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
