/* fuzz_registry: libFuzzer harness for the registry readers. A registry with
 * one group and two versions (the first approved) is built once; each input
 * then replaces one of its files (FUZZ_FILE: the manifest of version 1, or
 * the group's audit log) and every public reader runs over it: verify,
 * listings, resolve, show, load, diff and the audit reader. None of them may
 * crash, hang or leak whatever the file holds, and verify must report a
 * version as damaged exactly when the listing does. */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "registry_fixture.h"

#ifndef FUZZ_FILE
#error "define FUZZ_FILE as the registry file to replace"
#endif

#define GROUP "g"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[256];
static char target[320];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (root[0])
		nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		abort();
	const char *p = data;
	while (size > 0) {
		ssize_t w = write(fd, p, size);
		if (w <= 0)
			abort();
		p += w;
		size -= (size_t)w;
	}
	close(fd);
}

static void die(const char *what, const struct ft_err *err)
{
	fprintf(stderr, "fuzz_registry: %s: %s\n", what, err->msg);
	abort();
}

/* The seed is the file as the registry itself wrote it; copy it out when
 * FUZZ_SEED_OUT names a file, so the committed seed matches the checksums. */
static void export_seed(void)
{
	const char *out = getenv("FUZZ_SEED_OUT");
	if (!out)
		return;
	struct ft_err err;
	size_t len;
	char *text = file_read_all(target, &len, &err);
	if (!text)
		die("read seed", &err);
	write_file(out, text, len);
	free(text);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/fuzzreg.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		abort();
	atexit(cleanup);

	char data_path[300];
	snprintf(data_path, sizeof data_path, "%s/data.csv", root);
	static const char csv[] = "amount,card,isFraud\n10,credit,0\n200,debit,1\n";
	write_file(data_path, csv, sizeof csv - 1);

	char *model = fixture_model_text();
	struct registry_publish_args a = { 0 };
	a.group = GROUP;
	a.description = "fuzz";
	a.user = "fuzz";
	a.model_json = model;
	a.evaluation_json = "{\"binary_classification_metrics\":{\"accuracy\":{\"value\":0.9}}}";
	a.pipeline_json = "{\"target\":\"isFraud\",\"tree\":{\"max_depth\":3}}";
	a.data_path = data_path;
	a.data_rows = 2;
	a.data_columns = 3;
	struct ft_err err;
	int v;
	for (int i = 0; i < 2; i++)
		if (registry_publish(root, &a, &v, &err) < 0)
			die("publish", &err);
	if (registry_set_status(root, GROUP, 1, REG_APPROVED, "fuzz", "fuzz", &err) < 0)
		die("approve", &err);
	free(model);
	if (!strcmp(FUZZ_FILE, "audit.jsonl"))
		snprintf(target, sizeof target, "%s/%s/audit.jsonl", root, GROUP);
	else
		snprintf(target, sizeof target, "%s/%s/1/%s", root, GROUP, FUZZ_FILE);
	export_seed();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	write_file(target, data, size);
	struct ft_err err;

	struct registry_problem *p;
	size_t np;
	if (registry_verify(root, NULL, &p, &np, &err) == 0)
		registry_problems_free(p, np);

	struct registry_group *g;
	size_t ng;
	if (registry_list_groups(root, &g, &ng, &err) == 0)
		registry_groups_free(g, ng);

	struct registry_version *v;
	size_t nv;
	bool damaged1 = true;
	if (registry_list_versions(root, GROUP, &v, &nv, &err) == 0) {
		for (size_t i = 0; i < nv; i++)
			if (v[i].number == 1)
				damaged1 = v[i].damaged;
		registry_versions_free(v, nv);
	}

	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	registry_resolve(root, GROUP "@latest", group, &version, &err);
	registry_resolve(root, GROUP "@approved", group, &version, &err);

	for (int i = 1; i <= 2; i++) {
		struct registry_details d;
		int rc = registry_show(root, GROUP, i, &d, &err);
		if (rc == 0)
			registry_details_free(&d);
		if (i == 1 && (rc == 0) == damaged1)
			abort();   /* show and the listing disagree about version 1 */
		struct model *m = registry_load_model(root, GROUP, i, &err);
		model_free(m);
	}

	struct registry_diff_item *d;
	size_t nd;
	if (registry_diff(root, GROUP, 1, GROUP, 2, &d, &nd, &err) == 0)
		registry_diff_free(d, nd);

	struct registry_event *e;
	size_t ne;
	if (registry_audit(root, GROUP, &e, &ne, &err) == 0)
		registry_events_free(e, ne);
	return 0;
}
