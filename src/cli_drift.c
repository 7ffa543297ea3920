/* cli_drift: `fraudtree drift MODEL FILE.csv [--json]`. MODEL is resolved
 * as predict resolves it; FILE.csv is read as predict reads it. Exit 0
 * when every PSI is under DRIFT_ACT_PSI and no column is missing, 1
 * otherwise, 2 on an error. */
#include "config.h"
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "json.h"

static const char usage_text[] =
	"Usage: fraudtree drift GROUP/VERSION|GROUP@latest|GROUP@approved|MODEL.json FILE.csv\n"
	"                       [--json] [--delimiter C] [--registry DIR]\n"
	"Compare a file with the training split the model keeps a picture of: missing,\n"
	"extra and type-changed columns, unseen categories, and the population stability\n"
	"index (PSI) per column and on the score (watch from 0.1, act from 0.25).\n"
	"Exit status: 0 stable, 1 a PSI of 0.25 or more or a missing column, 2 error.\n";

static void print_text(const struct drift_report *r, const char *ref, const char *path)
{
	char *text = drift_report_text(r, ref, path, 40);
	fputs(text, stdout);
	free(text);
}

static void print_json(const struct drift_report *r, const char *ref, const char *path)
{
	cJSON *j = cJSON_CreateObject();
	json_add_text(j, "model", ref);
	json_add_text(j, "file", path);
	cJSON_AddItemToObject(j, "rows", json_uint(r->rows));
	cJSON_AddItemToObject(j, "train_rows", json_uint(r->train_rows));
	cJSON *cols = cJSON_AddArrayToObject(j, "columns");
	for (size_t i = 0; i < r->ncols; i++) {
		const struct drift_column *c = &r->cols[i];
		cJSON *o = cJSON_CreateObject();
		json_add_text(o, "name", c->name);
		cJSON_AddStringToObject(o, "type", c->type);
		cJSON_AddBoolToObject(o, "missing_column", c->absent);
		if (!c->absent) {
			json_add_num(o, "psi", c->psi);
			json_add_num(o, "missing_train", c->missing_train);
			json_add_num(o, "missing_now", c->missing_now);
			if (c->unseen >= 0)
				json_add_num(o, "unseen", c->unseen);
			else
				cJSON_AddItemToObject(o, "unparsed", json_uint(c->unparsed));
			if (c->now)
				cJSON_AddStringToObject(o, "type_now", c->now);
			else
				cJSON_AddNullToObject(o, "type_now");
		}
		cJSON_AddStringToObject(o, "level", drift_level_names[c->level]);
		cJSON_AddItemToArray(cols, o);
	}
	cJSON *extra = cJSON_AddArrayToObject(j, "extra_columns");
	for (size_t i = 0; i < r->nextra; i++) {
		char *clean = ft_utf8_clean(r->extra[i]);
		cJSON_AddItemToArray(extra, cJSON_CreateString(clean));
		free(clean);
	}
	cJSON *score = cJSON_AddObjectToObject(j, "score");
	json_add_num(score, "psi", r->score_psi);
	cJSON_AddStringToObject(score, "level", drift_level_names[r->score_level]);
	cJSON_AddStringToObject(j, "level", drift_level_names[r->worst]);
	char *s = cJSON_Print(j);
	cJSON_Delete(j);
	printf("%s\n", s);
	cJSON_free(s);
}

int cli_drift(int argc, char **argv)
{
	const char *registry = NULL, *pos[2] = { NULL, NULL };
	size_t npos = 0;
	bool json = false;
	char delimiter = 0;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *v;
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		}
		if (!strcmp(s, "--json")) {
			json = true;
		} else if ((v = cli_option_value(argc, argv, &i, "--registry"))) {
			registry = v;
		} else if ((v = cli_option_value(argc, argv, &i, "--delimiter"))) {
			if (!cli_delimiter("drift", v, &delimiter))
				return EXIT_ERROR;
		} else if (s[0] == '-' && s[1]) {
			return cli_errorf("drift: unknown option or missing value: %s (see --help)", s);
		} else if (npos < 2) {
			pos[npos++] = s;
		} else {
			return cli_errorf("drift: too many arguments (see --help)");
		}
	}
	if (npos != 2) {
		fputs(usage_text, stderr);
		return EXIT_ERROR;
	}
	struct ft_err err;
	struct model *m = cli_model_load(pos[0], registry, &err);
	if (!m)
		return cli_error(&err);
	if (!m->reference) {
		model_free(m);
		return cli_errorf("drift: %s: the model has no reference distributions (it was "
				  "trained before fraudtree kept them); retrain it to measure drift",
				  pos[0]);
	}
	struct cli_progress *bar = cli_progress_new();
	struct ft_progress prog = { .fn = cli_progress_fn, .ctx = bar };
	struct drift_report r;
	int rc = drift_csv(m, pos[1], delimiter, &prog, &r, &err);
	cli_progress_free(bar);
	int status;
	if (rc < 0) {
		status = cli_error(&err);
	} else {
		if (json)
			print_json(&r, pos[0], pos[1]);
		else
			print_text(&r, pos[0], pos[1]);
		status = r.worst == DRIFT_ACT ? EXIT_GATE_FAILED : EXIT_OK;
	}
	drift_report_free(&r);
	model_free(m);
	return status;
}
