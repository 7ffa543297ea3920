/* fuzz_model: libFuzzer harness for model.json (model_parse). A model that
 * parses must be safe to use: serialise it again and re-parse it, score a
 * few feature vectors and raw rows, explain a row and export the tree. A
 * cycle or an out-of-range child that slipped through validation shows up
 * here as a hang or an ASan report. */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "predict.h"
#include "recipe_apply.h"
#include "tree_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use_model(const struct model *m, const uint8_t *data, size_t size)
{
	size_t nf = m->tree->nfeatures;
	if (nf != m->recipe->nfeatures)
		abort();
	float *x = calloc(nf ? nf : 1, sizeof *x);
	size_t ni = m->recipe->ninputs;
	bool *missing = calloc(ni ? ni : 1, sizeof *missing);
	for (size_t i = 0; i < ni; i++)
		missing[i] = size && (data[i % size] & 1);
	static const float probes[] = { 0.0f, -1e30f, 1e30f, 0.5f };
	for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++) {
		for (size_t j = 0; j < nf; j++)
			x[j] = size ? probes[p] + (float)data[j % size] : probes[p];
		double pr = tree_predict_row(m->tree, x);
		if (!(pr >= 0 && pr <= 1))
			abort();
		int32_t path[64];
		tree_path(m->tree, x, path, 64);
		free(predict_explain(m, x, NULL));
		free(predict_explain(m, x, missing));
	}

	free(missing);
	struct recipe_row_ctx *c = recipe_row_ctx_new(m->recipe);
	const char **fields = calloc(ni ? ni : 1, sizeof *fields);
	size_t *lens = calloc(ni ? ni : 1, sizeof *lens);
	static const char *const texts[] = { "", "NA", "12.5", "credit", "2024-02-29 13:45:00", "inf" };
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		for (size_t i = 0; i < ni; i++) {
			fields[i] = texts[(t + i) % (sizeof texts / sizeof texts[0])];
			lens[i] = strlen(fields[i]);
		}
		recipe_apply_row(c, fields, lens, x);
		for (size_t j = 0; j < nf; j++)
			if (isnan(x[j]))
				abort();   /* the recipe never lets NAN through */
		tree_predict_row(m->tree, x);
	}
	recipe_row_ctx_free(c);
	free(fields);
	free(lens);
	free(x);

	struct tree_decision d = { m->threshold, m->threshold_on };
	free(tree_export_text(m->tree, &d, "fraud", "legit"));
	free(tree_export_rules(m->tree, &d, "fraud", "legit"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct ft_err err;
	struct model *m = model_parse(text, "model.json", &err);
	if (!m) {
		if (err.msg[0] == '\0')
			abort();
		free(text);
		return 0;
	}
	use_model(m, data, size);

	char *again = model_to_text(m->recipe, m->tree, m->threshold, m->threshold_on, m->reference);
	struct model *m2 = model_parse(again, "model.json", &err);
	if (!m2)
		abort();   /* what we write we must read back */
	char *third = model_to_text(m2->recipe, m2->tree, m2->threshold, m2->threshold_on, m2->reference);
	if (strcmp(again, third) != 0)
		abort();
	free(third);
	free(again);
	model_free(m2);
	model_free(m);
	free(text);
	return 0;
}
