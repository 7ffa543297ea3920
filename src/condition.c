/* condition: a split's test in the data's own terms, and the exact facts
 * behind it (see condition.h).
 *
 * Invariant: nothing here re-derives the recipe. Values of categorical
 * features are read back from recipe_apply_row on a one-cell row; the
 * float rounding of numeric features is modelled exactly (floats have 24
 * significant bits, so the midpoint of two floats is a double). */
#include "config.h"
#include "condition.h"

#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe_apply.h"
#include "util.h"

/* Level lists longer than this are named by their count instead. */
enum { LIST_MAX = 6 };

/* A text that is not one of the input's levels (nor missing). */
static char *unseen_text(const struct recipe_input *in)
{
	for (unsigned k = 0;; k++) {
		char *s = xasprintf("\x7f" "unseen%u", k);
		bool taken = false;
		for (size_t l = 0; l < in->nlevels && !taken; l++)
			taken = !strcmp(in->levels[l], s);
		if (!taken)
			return s;
		free(s);
	}
}

float *condition_level_values(const struct recipe *r, const struct tree *t, size_t feature)
{
	if (feature >= r->nfeatures)
		return NULL;
	size_t input = r->features[feature].input;
	const struct recipe_input *in = &r->inputs[input];
	if (in->type != COL_CATEGORICAL)
		return NULL;
	struct recipe_row_ctx *ctx = recipe_row_ctx_new(r);
	const char **fields = xcalloc(r->ninputs + 1, sizeof *fields);
	size_t *lens = xcalloc(r->ninputs + 1, sizeof *lens);
	float *x = xcalloc(r->nfeatures + 1, sizeof *x);
	float *out = xcalloc(in->nlevels + 2, sizeof *out);
	char *unseen = unseen_text(in);
	for (size_t k = 0; k < in->nlevels + 2; k++) {
		const char *s = k < in->nlevels ? in->levels[k] : k == in->nlevels ? "" : unseen;
		fields[input] = s;
		lens[input] = strlen(s);
		recipe_apply_row(ctx, fields, lens, x);
		out[k] = x[feature];
	}
	free(unseen);
	free(x);
	free(lens);
	free(fields);
	recipe_row_ctx_free(ctx);
	return out;
}

/* The largest float not above t. */
static float float_floor(double t)
{
	float f = (float)t;
	if ((double)f > t)
		f = nextafterf(f, -INFINITY);
	return f;
}

double condition_float_cut(double t, bool *strict)
{
	float lo = float_floor(t);
	if (isinf(lo) && lo < 0) {
		/* Below every finite float: only -inf goes left. */
		*strict = false;
		return -INFINITY;
	}
	float hi = nextafterf(lo, INFINITY);
	uint32_t bits;
	memcpy(&bits, &lo, sizeof bits);
	/* A value exactly halfway rounds to the float with an even significand. */
	*strict = (bits & 1u) != 0;
	if (isinf(hi)) {
		/* Halfway between FLT_MAX and the next power of two: the value
		 * from which doubles round to infinity. */
		*strict = true;
		return (double)FLT_MAX + ldexp(1.0, FLT_MAX_EXP - FLT_MANT_DIG - 1);
	}
	return (double)lo / 2.0 + (double)hi / 2.0;
}

void condition_fmt_threshold(char buf[32], double t)
{
	float f = float_floor(t);
	if (isinf(f)) {
		snprintf(buf, 32, "%s", f < 0 ? "-inf" : "inf");
		return;
	}
	/* plain digits for everyday magnitudes ("100", not "1e+02") */
	if (f == 0 || (fabsf(f) >= 1e-4f && fabsf(f) < 1e15f))
		for (int decimals = 0; decimals <= 20; decimals++) {
			snprintf(buf, 32, "%.*f", decimals, (double)f);
			if (strtof(buf, NULL) == f)
				return;
		}
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(buf, 32, "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			return;
	}
}

static const char *const weekday[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

/* "ProductCD in {C, H}" for the levels on the chosen side, or the other
 * side's list negated, or the feature and its number when both are long. */
static void level_condition(struct strbuf *sb, const struct recipe *r, const struct tree *t,
			    size_t f, double at, bool right)
{
	const struct recipe_input *in = &r->inputs[r->features[f].input];
	float *v = condition_level_values(r, t, f);
	size_t n = in->nlevels, side = 0;
	for (size_t k = 0; k < n; k++)
		side += ((double)v[k] > at) == right;
	bool unseen_here = ((double)v[n + 1] > at) == right;
	bool list_this = side <= LIST_MAX || n - side > LIST_MAX;
	if (side == 0 || (!list_this && n - side == 0)) {
		char thr[32];
		condition_fmt_threshold(thr, at);
		sb_printf(sb, "%s %s %s", r->features[f].name, right ? ">" : "<=", thr);
		free(v);
		return;
	}
	if (side <= LIST_MAX || n - side > LIST_MAX) {
		sb_printf(sb, "%s in {", in->name);
		bool first = true;
		for (size_t k = 0; k < n; k++)
			if (((double)v[k] > at) == right) {
				sb_printf(sb, "%s%s", first ? "" : ", ", in->levels[k]);
				first = false;
			}
		sb_puts(sb, unseen_here ? ", other}" : "}");
	} else {
		sb_printf(sb, "%s not in {", in->name);
		bool first = true;
		for (size_t k = 0; k < n; k++)
			if (((double)v[k] > at) != right) {
				sb_printf(sb, "%s%s", first ? "" : ", ", in->levels[k]);
				first = false;
			}
		sb_puts(sb, !unseen_here ? ", other}" : "}");
	}
	free(v);
}

char *condition_text(const struct recipe *r, const struct tree *t, int32_t node, bool right)
{
	const struct tree_node *nd = &t->nodes[node];
	size_t f = (size_t)nd->feature;
	struct strbuf sb = { 0 };
	char thr[32];
	if (f >= r->nfeatures) {
		/* a tree not made from this recipe: its own names */
		condition_fmt_threshold(thr, nd->threshold);
		sb_printf(&sb, "%s %s %s", f < t->nfeatures ? t->feature_names[f] : "?",
			  right ? ">" : "<=", thr);
		return sb.data;
	}
	const struct feature *ft = &r->features[f];
	const struct recipe_input *in = &r->inputs[ft->input];
	double at = nd->threshold;
	bool unit = at >= 0 && at < 1;   /* splits a 0/1 feature */
	switch (ft->kind) {
	case FEAT_MISSING:
		if (unit) {
			sb_printf(&sb, "%s is %s", in->name, right ? "missing" : "present");
			return sb.data;
		}
		break;
	case FEAT_ONEHOT:
		if (unit) {
			sb_printf(&sb, "%s %s %s", in->name, right ? "=" : "!=", in->levels[ft->level]);
			return sb.data;
		}
		break;
	case FEAT_ORDINAL:
	case FEAT_FREQUENCY:
		level_condition(&sb, r, t, f, at, right);
		return sb.data;
	case FEAT_DT_DAY_OF_WEEK:
		if (at >= 0 && at < 6) {
			int cut = (int)floor(at);
			sb_printf(&sb, "%s in %s..%s", ft->name, weekday[right ? cut + 1 : 0],
				  weekday[right ? 6 : cut]);
			return sb.data;
		}
		break;
	case FEAT_DT_HOUR:
	case FEAT_DT_DAY:
	case FEAT_DT_MONTH:
		/* whole numbers: "hour > 5" rather than "> 5.5" */
		if (fabs(at) < 1e9) {
			sb_printf(&sb, "%s %s %.0f", ft->name, right ? ">" : "<=", floor(at));
			return sb.data;
		}
		break;
	case FEAT_NUMERIC:
		break;
	}
	condition_fmt_threshold(thr, at);
	sb_printf(&sb, "%s %s %s", ft->name, right ? ">" : "<=", thr);
	return sb.data;
}

void condition_code(char buf[16], int32_t node)
{
	snprintf(buf, 16, "R%03d", (int)node);
}

struct cJSON *condition_reasons_json(const struct recipe *r, const struct tree *t)
{
	cJSON *a = cJSON_CreateArray();
	int32_t *parent = xmalloc((t->nnodes + 1) * sizeof *parent);
	for (size_t i = 0; i < t->nnodes; i++)
		parent[i] = -1;
	/* A tree read back is checked, but one being written may be any tree
	 * (the tests write damaged ones on purpose): a child out of range has
	 * no reason code. */
	for (size_t p = 0; p < t->nnodes; p++) {
		const struct tree_node *nd = &t->nodes[p];
		if (nd->left == TREE_LEAF)
			continue;
		if (nd->left >= 0 && (size_t)nd->left < t->nnodes)
			parent[nd->left] = (int32_t)p;
		if (nd->right >= 0 && (size_t)nd->right < t->nnodes)
			parent[nd->right] = (int32_t)p;
	}
	for (size_t i = 0; i < t->nnodes; i++) {
		if (parent[i] < 0)
			continue;
		char code[16];
		condition_code(code, (int32_t)i);
		char *text = condition_text(r, t, parent[i], t->nodes[parent[i]].right == (int32_t)i);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", code);
		cJSON_AddNumberToObject(o, "node", (double)i);
		cJSON_AddStringToObject(o, "text", text);
		free(text);
		cJSON_AddItemToArray(a, o);
	}
	free(parent);
	return a;
}

size_t condition_reasons(const struct recipe *r, const struct tree *t, const float *x, size_t n,
			 int32_t *path, size_t path_slots, int32_t *out)
{
	size_t len = tree_path(t, x, path, path_slots);
	if (len > path_slots)
		len = path_slots;
	size_t k = 0;
	/* selection by repeated scan: n and the depth are small */
	while (k < n) {
		size_t best = 0;
		double best_gain = 0;
		for (size_t i = 1; i < len; i++) {
			double gain = tree_node_proba(&t->nodes[path[i]]) -
				      tree_node_proba(&t->nodes[path[i - 1]]);
			bool taken = false;
			for (size_t j = 0; j < k && !taken; j++)
				taken = out[j] == path[i];
			if (!taken && gain > best_gain) {
				best_gain = gain;
				best = i;
			}
		}
		if (!best)
			break;
		out[k++] = path[best];
	}
	return k;
}
