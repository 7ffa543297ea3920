/* registry_stress: drives the registry from shell tests without needing a
 * whole pipeline run.
 *   registry_stress publish ROOT GROUP DATA.csv [DESCRIPTION]
 *       registers the fixture model once; prints the version number
 *   registry_stress model OUT.json
 *       writes the fixture model (see registry_fixture.h)
 * Exit status: 0 success, 2 error (the message on stderr). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "registry_fixture.h"

static int publish(const char *root, const char *group, const char *data, const char *desc)
{
	char *model = fixture_model_text();
	struct gate_check check = { (char *)"accuracy", OP_GE, 0.85, 0.9, true,
				    "accuracy 0.9 >= 0.85" };
	struct gate_result gate = { true, &check, 1 };
	struct metrics m = { 0 };
	m.cm = (struct confusion){ 90, 2, 3, 5 };
	m.n = 100;
	m.positives = 8;
	m.negatives = 92;
	m.threshold = 0.5;
	m.accuracy = 0.95;
	m.baseline = 0.92;
	m.recall = 0.625;
	m.precision = 5.0 / 7.0;
	struct registry_publish_args a = {
		.group = group, .description = desc,
		.model_json = model,
		.evaluation_json = "{\"binary_classification_metrics\": {\"accuracy\": {\"value\": 0.95}}}\n",
		.pipeline_json = "{\"tree\": {\"max_depth\": 2}, \"split\": {\"seed\": 42}}\n",
		.gate = &gate, .metrics = &m, .data_path = data, .data_rows = 100, .data_columns = 3,
	};
	struct ft_err err;
	int version;
	int rc = registry_publish(root, &a, &version, &err);
	free(model);
	if (rc < 0) {
		fprintf(stderr, "registry_stress: %s\n", err.msg);
		return 2;
	}
	printf("%d\n", version);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "publish"))
		return publish(argv[2], argv[3], argv[4], argc > 5 ? argv[5] : NULL);
	if (argc == 3 && !strcmp(argv[1], "model")) {
		char *model = fixture_model_text();
		struct ft_err err;
		int rc = file_write_atomic(argv[2], model, strlen(model), 0644, &err);
		free(model);
		if (rc < 0) {
			fprintf(stderr, "registry_stress: %s\n", err.msg);
			return 2;
		}
		return 0;
	}
	fputs("usage: registry_stress publish ROOT GROUP DATA [DESCRIPTION] | model OUT.json\n",
	      stderr);
	return 2;
}
