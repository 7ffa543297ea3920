/* recipe_json: a recipe written into model.json and read back from it.
 *
 * Invariant: recipe_from_json accepts only what recipe_to_json could have
 * written for some fitted recipe (every index in range, every feature
 * fitting its input's type), naming the offending key otherwise. */
#include "config.h"
#include "recipe_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "json.h"

#define RECIPE_FORMAT 1

static int cmp_text_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *const kind_names[] = {
	[FEAT_NUMERIC] = "numeric", [FEAT_ONEHOT] = "onehot", [FEAT_FREQUENCY] = "frequency",
	[FEAT_ORDINAL] = "ordinal", [FEAT_DT_HOUR] = "hour",
	[FEAT_DT_DAY_OF_WEEK] = "day_of_week", [FEAT_DT_DAY] = "day",
	[FEAT_DT_MONTH] = "month", [FEAT_MISSING] = "missing",
};

static const char *const order_names[] = {
	[DATE_ISO] = "iso", [DATE_MDY] = "mdy", [DATE_DMY] = "dmy",
};

static cJSON *strv_json(char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

struct cJSON *recipe_to_json(const struct recipe *r)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "format", json_num(RECIPE_FORMAT));
	cJSON_AddStringToObject(j, "target", r->target);
	cJSON_AddStringToObject(j, "positive", r->positive);
	cJSON_AddStringToObject(j, "negative", r->negative);
	cJSON_AddItemToObject(j, "na_values", strv_json(r->na_values, r->nna_values));
	if (r->delimiter)
		cJSON_AddStringToObject(j, "delimiter", (char[]){ r->delimiter, 0 });
	cJSON *inputs = cJSON_AddArrayToObject(j, "inputs");
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct recipe_input *in = &r->inputs[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", in->name);
		cJSON_AddStringToObject(o, "type", recipe_input_type_name(in->type));
		if (in->type == COL_DATETIME)
			cJSON_AddStringToObject(o, "date_order", order_names[in->date_order]);
		cJSON_AddStringToObject(o, "impute", impute_name(in->impute));
		if (in->type == COL_CATEGORICAL) {
			cJSON_AddStringToObject(o, "fill_level", in->fill_level ? in->fill_level : "");
			cJSON_AddStringToObject(o, "encode", encoding_name(in->encode));
			cJSON_AddItemToObject(o, "levels", strv_json(in->levels, in->nlevels));
			cJSON *fq = cJSON_AddArrayToObject(o, "frequency");
			for (size_t k = 0; k < in->nlevels; k++)
				cJSON_AddItemToArray(fq, json_num(in->freq[k]));
		} else {
			cJSON_AddItemToObject(o, "fill_value", json_num(in->fill_value));
		}
		if (in->type == COL_DATETIME) {
			cJSON *p = cJSON_AddArrayToObject(o, "datetime_parts");
			for (unsigned b = 0; b < DT_PART_COUNT; b++)
				if (in->datetime_parts & (1u << b))
					cJSON_AddItemToArray(p, cJSON_CreateString(datetime_part_name(b)));
		}
		cJSON_AddBoolToObject(o, "missing_indicator", in->missing_indicator);
		cJSON_AddItemToArray(inputs, o);
	}
	cJSON *feats = cJSON_AddArrayToObject(j, "features");
	for (size_t i = 0; i < r->nfeatures; i++) {
		const struct feature *ft = &r->features[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", ft->name);
		cJSON_AddItemToObject(o, "input", json_num((double)ft->input));
		cJSON_AddStringToObject(o, "kind", kind_names[ft->kind]);
		if (ft->kind == FEAT_ONEHOT)
			cJSON_AddItemToObject(o, "level", json_num((double)ft->level));
		cJSON_AddItemToArray(feats, o);
	}
	cJSON *dr = cJSON_AddArrayToObject(j, "dropped");
	for (size_t i = 0; i < r->ndropped; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "column", r->dropped[i]);
		cJSON_AddStringToObject(o, "reason", r->drop_reasons[i]);
		cJSON_AddItemToArray(dr, o);
	}
	cJSON_AddItemToObject(j, "notes", strv_json(r->notes, r->nnotes));
	return j;
}

/* Reading: every failure names the full key path (json_reader). An index
 * into a list of `limit` entries. */
static int get_index(const struct json_reader *c, const cJSON *o, const char *base,
		     const char *key, size_t limit, size_t *out)
{
	char what[80];
	snprintf(what, sizeof what, "an integer in [0, %zu)", limit);
	int64_t v;
	if (json_get_integer(c, o, base, key, 0, (int64_t)limit - 1, NULL, what, &v) < 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_input(const struct json_reader *c, const cJSON *o, const char *base,
		       struct recipe_input *in)
{
	char path[300];
	if (!cJSON_IsObject(o))
		return json_fail(c, base, "expected an object");
	const char *s;
	if (!(s = json_get_string(c, o, base, "name")))
		return -1;
	in->name = xstrdup(s);
	if (!(s = json_get_string(c, o, base, "type")))
		return -1;
	if (strcmp(s, "numeric") == 0)
		in->type = COL_NUMERIC;
	else if (strcmp(s, "categorical") == 0)
		in->type = COL_CATEGORICAL;
	else if (strcmp(s, "datetime") == 0)
		in->type = COL_DATETIME;
	else
		return json_fail(c, json_key(path, sizeof path, base, "type"),
			     "expected numeric, categorical or datetime");
	if (!(s = json_get_string(c, o, base, "impute")))
		return -1;
	char list[160];
	if (!impute_strategy_parse(s, &in->impute))
		return json_fail(c, json_key(path, sizeof path, base, "impute"), "expected %s",
				 ft_names_text(list, sizeof list, impute_names_table(),
					       IMPUTE_COUNT, NULL));
	if (json_get_bool(c, o, base, "missing_indicator", &in->missing_indicator) < 0)
		return -1;

	if (in->type == COL_DATETIME) {
		if (!(s = json_get_string(c, o, base, "date_order")))
			return -1;
		size_t k;
		for (k = 0; k < 3; k++)
			if (strcmp(s, order_names[k]) == 0)
				break;
		if (k == 3)
			return json_fail(c, json_key(path, sizeof path, base, "date_order"),
				     "expected iso, mdy or dmy");
		in->date_order = (enum date_order)k;
		const cJSON *p = json_member(c, o, base, "datetime_parts");
		if (!p)
			return -1;
		json_key(path, sizeof path, base, "datetime_parts");
		static const char parts[] = "a list of " DT_PART_NAMES(", ");
		if (!cJSON_IsArray(p))
			return json_expected(c, path, p, parts);
		const cJSON *e;
		cJSON_ArrayForEach(e, p) {
			unsigned part;
			if (!cJSON_IsString(e) || !datetime_part_parse(e->valuestring, &part))
				return json_expected(c, path, e, parts);
			in->datetime_parts |= 1u << part;
		}
	}
	if (in->type != COL_CATEGORICAL)
		return json_get_number(c, o, base, "fill_value", 0, NULL, &in->fill_value);

	if (!(s = json_get_string(c, o, base, "fill_level")))
		return -1;
	in->fill_level = xstrdup(s);
	if (!(s = json_get_string(c, o, base, "encode")))
		return -1;
	if (!encoding_parse(s, &in->encode))
		return json_fail(c, json_key(path, sizeof path, base, "encode"), "expected %s",
				 ft_names_text(list, sizeof list, encoding_names_table(),
					       ENC_COUNT, NULL));
	if (json_get_strings(c, o, base, "levels", &in->levels, &in->nlevels) < 0)
		return -1;
	/* ordinal levels are in their ordinal order (natural_order), the
	 * others sorted; distinct either way */
	if (in->encode != ENC_ORDINAL) {
		for (size_t k = 1; k < in->nlevels; k++)
			if (strcmp(in->levels[k - 1], in->levels[k]) >= 0)
				return json_fail(c, json_key(path, sizeof path, base, "levels"),
					     "levels must be distinct and sorted");
	} else if (in->nlevels > 1) {
		char **sorted = xmalloc(in->nlevels * sizeof *sorted);
		memcpy(sorted, in->levels, in->nlevels * sizeof *sorted);
		qsort(sorted, in->nlevels, sizeof *sorted, cmp_text_ptr);
		bool dup = false;
		for (size_t k = 1; k < in->nlevels && !dup; k++)
			dup = strcmp(sorted[k - 1], sorted[k]) == 0;
		free(sorted);
		if (dup)
			return json_fail(c, json_key(path, sizeof path, base, "levels"),
				     "levels must be distinct");
	}
	const cJSON *fq = json_member(c, o, base, "frequency");
	if (!fq)
		return -1;
	json_key(path, sizeof path, base, "frequency");
	if (!cJSON_IsArray(fq) || (size_t)cJSON_GetArraySize(fq) != in->nlevels)
		return json_fail(c, path, "expected one count per level");
	in->freq = xcalloc(in->nlevels, sizeof *in->freq);
	size_t k = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, fq) {
		if (!cJSON_IsNumber(e) || !(e->valuedouble >= 0) || !isfinite(e->valuedouble))
			return json_fail(c, path, "expected one count (a number >= 0) per level");
		in->freq[k++] = e->valuedouble;
	}
	return 0;
}

static bool kind_fits(enum feature_kind k, const struct recipe_input *in)
{
	switch (k) {
	case FEAT_NUMERIC:
		return in->type == COL_NUMERIC;
	case FEAT_ONEHOT: case FEAT_FREQUENCY: case FEAT_ORDINAL:
		return in->type == COL_CATEGORICAL;
	case FEAT_DT_HOUR: case FEAT_DT_DAY_OF_WEEK: case FEAT_DT_DAY: case FEAT_DT_MONTH:
		return in->type == COL_DATETIME;
	case FEAT_MISSING:
		return true;
	}
	return false;
}

struct recipe *recipe_from_json(const struct cJSON *j, const char *origin,
				struct ft_err *err)
{
	struct json_reader c = { .origin = origin, .err = err };
	char path[300];
	struct recipe *r = xcalloc(1, sizeof *r);
	const char *s;
	double fmt;
	const cJSON *arr, *e;
	size_t i;

	if (!cJSON_IsObject(j)) {
		json_fail(&c, "recipe", "expected an object");
		goto fail;
	}
	if (json_get_number(&c, j, "recipe", "format", 0, NULL, &fmt) < 0)
		goto fail;
	if (fmt != RECIPE_FORMAT) {
		json_fail(&c, "recipe.format", "unsupported format (this program reads format 1)");
		goto fail;
	}
	if (!(s = json_get_string(&c, j, "recipe", "target")))
		goto fail;
	r->target = xstrdup(s);
	if (!(s = json_get_string(&c, j, "recipe", "positive")))
		goto fail;
	r->positive = xstrdup(s);
	if (!(s = json_get_string(&c, j, "recipe", "negative")))
		goto fail;
	r->negative = xstrdup(s);
	if (json_get_strings(&c, j, "recipe", "na_values", &r->na_values, &r->nna_values) < 0)
		goto fail;
	/* The delimiter predict reads with (models written before it was
	 * recorded have none: predict detects it). */
	const cJSON *dj = cJSON_GetObjectItemCaseSensitive(j, "delimiter");
	if (dj) {
		if (!cJSON_IsString(dj) || strlen(dj->valuestring) != 1 ||
		    strchr("\"\r\n", dj->valuestring[0])) {
			json_fail(&c, "recipe.delimiter", "expected one character other than a quote or a line end");
			goto fail;
		}
		r->delimiter = dj->valuestring[0];
	}

	if (!(arr = json_get_array(&c, j, "recipe", "inputs", NULL)))
		goto fail;
	r->inputs = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *r->inputs);
	i = 0;
	cJSON_ArrayForEach(e, arr) {
		char base[64];
		snprintf(base, sizeof base, "recipe.inputs[%zu]", i);
		r->ninputs = i + 1;
		if (parse_input(&c, e, base, &r->inputs[i]) < 0)
			goto fail;
		i++;
	}

	if (!(arr = json_get_array(&c, j, "recipe", "features", NULL)))
		goto fail;
	r->features = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *r->features);
	i = 0;
	cJSON_ArrayForEach(e, arr) {
		char base[64];
		snprintf(base, sizeof base, "recipe.features[%zu]", i);
		struct feature *ft = &r->features[i];
		if (!cJSON_IsObject(e)) {
			json_fail(&c, base, "expected an object");
			goto fail;
		}
		if (!(s = json_get_string(&c, e, base, "name")))
			goto fail;
		ft->name = xstrdup(s);
		r->nfeatures = ++i;
		if (get_index(&c, e, base, "input", r->ninputs, &ft->input) < 0)
			goto fail;
		if (!(s = json_get_string(&c, e, base, "kind")))
			goto fail;
		size_t k;
		for (k = 0; k < sizeof kind_names / sizeof kind_names[0]; k++)
			if (strcmp(s, kind_names[k]) == 0)
				break;
		snprintf(path, sizeof path, "%s.kind", base);
		if (k == sizeof kind_names / sizeof kind_names[0]) {
			json_fail(&c, path, "unknown feature kind");
			goto fail;
		}
		ft->kind = (enum feature_kind)k;
		const struct recipe_input *in = &r->inputs[ft->input];
		if (!kind_fits(ft->kind, in)) {
			json_fail(&c, path, "does not fit the type of its input");
			goto fail;
		}
		if (ft->kind == FEAT_ONEHOT &&
		    get_index(&c, e, base, "level", in->nlevels, &ft->level) < 0)
			goto fail;
	}

	if (!(arr = json_get_array(&c, j, "recipe", "dropped", NULL)))
		goto fail;
	i = 0;
	cJSON_ArrayForEach(e, arr) {
		char base[64];
		snprintf(base, sizeof base, "recipe.dropped[%zu]", i++);
		const char *col, *why;
		if (!cJSON_IsObject(e)) {
			json_fail(&c, base, "expected an object");
			goto fail;
		}
		if (!(col = json_get_string(&c, e, base, "column")) || !(why = json_get_string(&c, e, base, "reason")))
			goto fail;
		recipe_add_drop(r, col, why);
	}
	if (json_get_strings(&c, j, "recipe", "notes", &r->notes, &r->nnotes) < 0)
		goto fail;
	return r;
fail:
	recipe_free(r);
	return NULL;
}
