/* model: model.json, the fitted recipe, tree and threshold in one file
 * (fraudtree-registry(5)).
 *
 * Writing is deterministic: equal inputs give equal bytes (cJSON prints
 * numbers so that they read back exactly). Reading trusts nothing: the
 * format name and major version, the recipe, the tree (indices, cycles,
 * feature count) and the agreement of the tree's feature names with the
 * recipe's features are all checked, and errors name the file and key. */
#include "config.h"
#include "model.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "json.h"
#include "recipe_json.h"
#include "tree_json.h"

#define MODEL_FORMAT "fraudtree-model"

char *model_to_text(const struct recipe *r, const struct tree *t, double threshold,
		    enum threshold_on on, const struct reference *ref)
{
	char fv[16];
	snprintf(fv, sizeof fv, "%d.%d", MODEL_FORMAT_MAJOR, MODEL_FORMAT_MINOR);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "format", MODEL_FORMAT);
	cJSON_AddStringToObject(j, "format_version", fv);
	cJSON_AddItemToObject(j, "recipe", recipe_to_json(r));
	cJSON_AddItemToObject(j, "tree", tree_to_json(t));
	/* Derived from the tree, written for readers outside fraudtree (the
	 * codes predict --reasons gives); model_parse does not read it back. */
	cJSON_AddItemToObject(j, "reason_codes", condition_reasons_json(r, t));
	json_add_num(j, "threshold", threshold);
	cJSON_AddStringToObject(j, "threshold_on", threshold_on_name(on));
	if (ref)
		cJSON_AddItemToObject(j, "reference", reference_to_json(ref));
	char *p = cJSON_Print(j);
	cJSON_Delete(j);
	char *s = xasprintf("%s\n", p);
	cJSON_free(p);
	return s;
}

static int check_version(const cJSON *j, const char *origin, struct ft_err *err)
{
	const cJSON *format = cJSON_GetObjectItemCaseSensitive(j, "format");
	if (!cJSON_IsString(format) || strcmp(format->valuestring, MODEL_FORMAT))
		return ft_fail(err, FT_EINPUT, "%s: format: expected \"%s\"", origin, MODEL_FORMAT);
	struct json_reader r = { .origin = origin, .err = err };
	int major, minor;
	return json_get_format_version(&r, j, MODEL_FORMAT_MAJOR, &major, &minor);
}

struct model *model_parse(const char *text, const char *origin, struct ft_err *err)
{
	cJSON *j = json_parse(text, origin, err);
	if (!j)
		return NULL;
	struct model *m = xcalloc(1, sizeof *m);
	if (!cJSON_IsObject(j)) {
		ft_fail(err, FT_EINPUT, "%s: expected a JSON object", origin);
		goto fail;
	}
	if (check_version(j, origin, err) < 0)
		goto fail;
	const cJSON *rj = cJSON_GetObjectItemCaseSensitive(j, "recipe");
	const cJSON *tj = cJSON_GetObjectItemCaseSensitive(j, "tree");
	const cJSON *th = cJSON_GetObjectItemCaseSensitive(j, "threshold");
	if (!cJSON_IsObject(rj)) {
		ft_fail(err, FT_EINPUT, "%s: recipe: missing or not an object", origin);
		goto fail;
	}
	if (!cJSON_IsObject(tj)) {
		ft_fail(err, FT_EINPUT, "%s: tree: missing or not an object", origin);
		goto fail;
	}
	if (!cJSON_IsNumber(th) || !(th->valuedouble >= 0 && th->valuedouble <= 1)) {
		ft_fail(err, FT_EINPUT, "%s: threshold: expected a number from 0 to 1", origin);
		goto fail;
	}
	m->threshold = th->valuedouble;
	/* Files from before threshold_on: the score, as then. */
	const cJSON *on = cJSON_GetObjectItemCaseSensitive(j, "threshold_on");
	m->threshold_on = THRESHOLD_ON_SCORE;
	if (on && (!cJSON_IsString(on) || !threshold_on_parse(on->valuestring, &m->threshold_on))) {
		ft_fail(err, FT_EINPUT, "%s: threshold_on: expected \"score\" or \"probability\"",
			origin);
		goto fail;
	}
	m->recipe = recipe_from_json(rj, origin, err);
	if (!m->recipe)
		goto fail;
	m->tree = tree_from_json(tj, m->recipe->nfeatures, origin, err);
	if (!m->tree)
		goto fail;
	if (m->tree->nfeatures != m->recipe->nfeatures) {
		ft_fail(err, FT_EINPUT, "%s: tree: %zu features, the recipe makes %zu", origin,
			m->tree->nfeatures, m->recipe->nfeatures);
		goto fail;
	}
	for (size_t i = 0; i < m->tree->nfeatures; i++)
		if (strcmp(m->tree->feature_names[i], m->recipe->features[i].name)) {
			ft_fail(err, FT_EINPUT,
				"%s: tree: feature %zu is \"%s\", the recipe's is \"%s\"", origin, i,
				m->tree->feature_names[i], m->recipe->features[i].name);
			goto fail;
		}
	/* Files from before the reference distributions load without them. */
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(j, "reference");
	if (ref) {
		m->reference = reference_from_json(ref, m->recipe, origin, err);
		if (!m->reference)
			goto fail;
	}
	cJSON_Delete(j);
	return m;
fail:
	cJSON_Delete(j);
	model_free(m);
	return NULL;
}

double model_leaf_decision(const struct model *m, const struct tree_node *leaf)
{
	return m->threshold_on == THRESHOLD_ON_PROBABILITY ?
		tree_node_probability(m->tree, leaf) : tree_node_proba(leaf);
}

bool model_leaf_flags(const struct model *m, const struct tree_node *leaf)
{
	return model_leaf_decision(m, leaf) >= m->threshold;
}

struct model *model_load(const char *path, struct ft_err *err)
{
	char *text = file_read_all(path, NULL, err);
	if (!text)
		return NULL;
	struct model *m = model_parse(text, path, err);
	free(text);
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	recipe_free(m->recipe);
	tree_free(m->tree);
	reference_free(m->reference);
	free(m);
}
