/* tree_json: the tree inside model.json. The writer's key order is fixed
 * and its doubles read back exactly, so the same tree gives the same
 * bytes; the reader checks every value and the whole structure before it
 * returns a tree, and names the key that is wrong. */
#include "config.h"
#include "tree_json.h"

#include <cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Numbers are written with json_num (fmt_double) as raw text so the bytes are
 * the same on every run and read back exactly. */

static const char *crit_name(enum criterion c)
{
	return c == CRIT_ENTROPY ? "entropy" : "gini";
}

struct cJSON *tree_to_json(const struct tree *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *pj = cJSON_CreateObject();
	const struct tree_params *p = &t->params;
	cJSON_AddItemToObject(pj, "criterion", cJSON_CreateString(crit_name(p->criterion)));
	cJSON_AddItemToObject(pj, "max_depth", json_int(p->max_depth));
	cJSON_AddItemToObject(pj, "min_samples_split", json_uint(p->min_samples_split));
	cJSON_AddItemToObject(pj, "min_samples_leaf", json_uint(p->min_samples_leaf));
	cJSON_AddItemToObject(pj, "min_impurity_decrease", json_num(p->min_impurity_decrease));
	cJSON_AddItemToObject(pj, "max_leaf_nodes", json_uint(p->max_leaf_nodes));
	cJSON_AddItemToObject(pj, "ccp_alpha", json_num(p->ccp_alpha));
	cJSON_AddItemToObject(pj, "max_bins", json_int(p->max_bins));
	cJSON_AddItemToObject(o, "params", pj);
	cJSON_AddItemToObject(o, "probability_odds", json_num(t->probability_odds));
	cJSON_AddItemToObject(o, "nfeatures", json_uint(t->nfeatures));
	cJSON *names = cJSON_CreateArray();
	for (size_t j = 0; j < t->nfeatures; j++)
		cJSON_AddItemToArray(names, cJSON_CreateString(t->feature_names[j]));
	cJSON_AddItemToObject(o, "feature_names", names);
	cJSON *nodes = cJSON_CreateArray();
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct tree_node *nd = &t->nodes[i];
		cJSON *nj = cJSON_CreateObject();
		cJSON_AddItemToObject(nj, "left", json_int(nd->left));
		cJSON_AddItemToObject(nj, "right", json_int(nd->right));
		cJSON_AddItemToObject(nj, "feature", json_int(nd->feature));
		cJSON_AddItemToObject(nj, "threshold", json_num(nd->threshold));
		cJSON *v = cJSON_CreateArray();
		cJSON_AddItemToArray(v, json_num(nd->value[0]));
		cJSON_AddItemToArray(v, json_num(nd->value[1]));
		cJSON_AddItemToObject(nj, "value", v);
		cJSON *c = cJSON_CreateArray();
		cJSON_AddItemToArray(c, json_uint(nd->count[0]));
		cJSON_AddItemToArray(c, json_uint(nd->count[1]));
		cJSON_AddItemToObject(nj, "count", c);
		cJSON *real = cJSON_CreateArray();
		cJSON_AddItemToArray(real, json_uint(nd->real[0]));
		cJSON_AddItemToArray(real, json_uint(nd->real[1]));
		cJSON_AddItemToObject(nj, "real", real);
		cJSON_AddItemToObject(nj, "probability", json_num(tree_node_probability(t, nd)));
		cJSON_AddItemToObject(nj, "impurity", json_num(nd->impurity));
		cJSON_AddItemToObject(nj, "samples", json_uint(nd->samples));
		cJSON_AddItemToObject(nj, "depth", json_int(nd->depth));
		cJSON_AddItemToArray(nodes, nj);
	}
	cJSON_AddItemToObject(o, "nodes", nodes);
	return o;
}

/* Reading: every value is checked by json.c's reader, and errors name the
 * key; `where` is the key path so far, ending in a dot ("tree.params."). */

/* An integral number in [min, max]. */
static int get_int(const struct json_reader *c, const cJSON *it, const char *where,
		   const char *key, int64_t min, int64_t max, int64_t *out)
{
	char k[300];
	return json_integer(c, json_key(k, sizeof k, where, key), it, min, max, NULL, NULL, out);
}

/* A finite number of at least min. */
static int get_double(const struct json_reader *c, const cJSON *it, const char *where,
		      const char *key, double min, double *out)
{
	char k[300];
	json_key(k, sizeof k, where, key);
	double d;
	if (json_number(c, k, it, -INFINITY, INFINITY, 0, "a finite number", &d) < 0)
		return -1;
	if (d < min)
		return json_fail(c, k, "%g is below %g", d, min);
	*out = d;
	return 0;
}

static int parse_params(const struct json_reader *c, const cJSON *pj, struct tree_params *p)
{
	const char *w = "tree.params.";
	const cJSON *it;
	int64_t v;

	if (!cJSON_IsObject(pj))
		return ft_fail(c->err, FT_EINPUT, "%s: tree.params: expected an object", c->origin);
	memset(p, 0, sizeof *p);
	if (!(it = json_member(c, pj, w, "criterion")))
		return -1;
	if (cJSON_IsString(it) && strcmp(it->valuestring, "gini") == 0)
		p->criterion = CRIT_GINI;
	else if (cJSON_IsString(it) && strcmp(it->valuestring, "entropy") == 0)
		p->criterion = CRIT_ENTROPY;
	else
		return ft_fail(c->err, FT_EINPUT, "%s: tree.params.criterion: expected \"gini\" or \"entropy\"",
			       c->origin);
	if (!(it = json_member(c, pj, w, "max_depth")) ||
	    get_int(c, it, "tree.params.", "max_depth", 0, TREE_DEPTH_LIMIT, &v) < 0)
		return -1;
	p->max_depth = (int)v;
	if (!(it = json_member(c, pj, w, "min_samples_split")) ||
	    get_int(c, it, "tree.params.", "min_samples_split", 2, UINT32_MAX, &v) < 0)
		return -1;
	p->min_samples_split = (size_t)v;
	if (!(it = json_member(c, pj, w, "min_samples_leaf")) ||
	    get_int(c, it, "tree.params.", "min_samples_leaf", 1, UINT32_MAX, &v) < 0)
		return -1;
	p->min_samples_leaf = (size_t)v;
	if (!(it = json_member(c, pj, w, "min_impurity_decrease")) ||
	    get_double(c, it, "tree.params.", "min_impurity_decrease", 0.0,
		    &p->min_impurity_decrease) < 0)
		return -1;
	if (!(it = json_member(c, pj, w, "max_leaf_nodes")) ||
	    get_int(c, it, "tree.params.", "max_leaf_nodes", 0, TREE_MAX_NODES, &v) < 0)
		return -1;
	p->max_leaf_nodes = (size_t)v;
	if (!(it = json_member(c, pj, w, "ccp_alpha")) ||
	    get_double(c, it, "tree.params.", "ccp_alpha", 0.0, &p->ccp_alpha) < 0)
		return -1;
	if (!(it = json_member(c, pj, w, "max_bins")) ||
	    get_int(c, it, "tree.params.", "max_bins", 0, TREE_MAX_BINS, &v) < 0)
		return -1;
	p->max_bins = (int)v;
	const char *why = tree_check_params(p);
	if (why)
		return ft_fail(c->err, FT_EINPUT, "%s: %s", c->origin, why);
	return 0;
}

static int parse_pair(const struct json_reader *c, const cJSON *arr, const char *where,
		      const char *key, bool integral, double out[2])
{
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != 2)
		return ft_fail(c->err, FT_EINPUT, "%s: %s%s: expected an array of 2 numbers",
			       c->origin, where, key);
	for (int k = 0; k < 2; k++) {
		const cJSON *it = cJSON_GetArrayItem(arr, k);
		if (integral) {
			int64_t v;
			if (get_int(c, it, where, key, 0, (int64_t)1 << 53, &v) < 0)
				return -1;
			out[k] = (double)v;
		} else if (get_double(c, it, where, key, 0.0, &out[k]) < 0) {
			return -1;
		}
	}
	return 0;
}

static int parse_node(const struct json_reader *c, const cJSON *nj, size_t i, size_t nn,
		      size_t nf, struct tree_node *nd)
{
	char where[64];
	const cJSON *it;
	int64_t v;
	double pair[2];

	snprintf(where, sizeof where, "tree.nodes[%zu]", i);
	if (!cJSON_IsObject(nj))
		return ft_fail(c->err, FT_EINPUT, "%s: %s: expected an object", c->origin, where);
	size_t wl = strlen(where);
	snprintf(where + wl, sizeof where - wl, ".");

	if (!(it = json_member(c, nj, where, "left")) || get_int(c, it, where, "left", -1, INT32_MAX, &v) < 0)
		return -1;
	if (v != TREE_LEAF && (v < 1 || (uint64_t)v >= nn))
		return ft_fail(c->err, FT_EINPUT, "%s: %sleft: index %" PRId64 " out of range (%zu nodes)",
			       c->origin, where, v, nn);
	nd->left = (int32_t)v;
	if (!(it = json_member(c, nj, where, "right")) || get_int(c, it, where, "right", -1, INT32_MAX, &v) < 0)
		return -1;
	if (v != TREE_LEAF && (v < 1 || (uint64_t)v >= nn))
		return ft_fail(c->err, FT_EINPUT, "%s: %sright: index %" PRId64 " out of range (%zu nodes)",
			       c->origin, where, v, nn);
	nd->right = (int32_t)v;
	if ((nd->left == TREE_LEAF) != (nd->right == TREE_LEAF))
		return ft_fail(c->err, FT_EINPUT, "%s: %sleft/right: a leaf has -1 for both, an internal node neither",
			       c->origin, where);
	if (nd->left != TREE_LEAF && nd->left == nd->right)
		return ft_fail(c->err, FT_EINPUT, "%s: %sright: same child as left", c->origin, where);
	if (!(it = json_member(c, nj, where, "feature")) ||
	    get_int(c, it, where, "feature", -1, INT32_MAX, &v) < 0)
		return -1;
	if (nd->left == TREE_LEAF && v != -1)
		return ft_fail(c->err, FT_EINPUT, "%s: %sfeature: a leaf has feature -1", c->origin, where);
	if (nd->left != TREE_LEAF && (v < 0 || (uint64_t)v >= nf))
		return ft_fail(c->err, FT_EINPUT, "%s: %sfeature: %" PRId64 " is not a feature index (0 to %zu)",
			       c->origin, where, v, nf - 1);
	nd->feature = (int32_t)v;
	if (!(it = json_member(c, nj, where, "threshold")) ||
	    get_double(c, it, where, "threshold", -INFINITY, &nd->threshold) < 0)
		return -1;
	if (!(it = json_member(c, nj, where, "value")) || parse_pair(c, it, where, "value", false, nd->value) < 0)
		return -1;
	if (!(it = json_member(c, nj, where, "count")) || parse_pair(c, it, where, "count", true, pair) < 0)
		return -1;
	nd->count[0] = (uint64_t)pair[0];
	nd->count[1] = (uint64_t)pair[1];
	/* Files written before real counts were kept: every sample real. */
	const cJSON *rj = cJSON_GetObjectItemCaseSensitive(nj, "real");
	nd->real[0] = nd->count[0];
	nd->real[1] = nd->count[1];
	if (rj) {
		if (parse_pair(c, rj, where, "real", true, pair) < 0)
			return -1;
		nd->real[0] = (uint64_t)pair[0];
		nd->real[1] = (uint64_t)pair[1];
		if (nd->real[0] > nd->count[0] || nd->real[1] > nd->count[1])
			return ft_fail(c->err, FT_EINPUT, "%s: %sreal: more real rows than count",
				       c->origin, where);
	}
	if (!(it = json_member(c, nj, where, "impurity")) ||
	    get_double(c, it, where, "impurity", 0.0, &nd->impurity) < 0)
		return -1;
	if (nd->impurity > 1.0 + 1e-9)
		return ft_fail(c->err, FT_EINPUT, "%s: %simpurity: %g is above 1", c->origin, where,
			       nd->impurity);
	if (!(it = json_member(c, nj, where, "samples")) ||
	    get_int(c, it, where, "samples", 1, (int64_t)1 << 53, &v) < 0)
		return -1;
	nd->samples = (uint64_t)v;
	if (nd->samples != nd->count[0] + nd->count[1])
		return ft_fail(c->err, FT_EINPUT, "%s: %ssamples: %" PRIu64 " is not count[0] + count[1]",
			       c->origin, where, nd->samples);
	if (!(it = json_member(c, nj, where, "depth")) ||
	    get_int(c, it, where, "depth", 0, INT32_MAX, &v) < 0)
		return -1;
	nd->depth = (int32_t)v;
	return 0;
}

/* Each node reached exactly once from the root, depths and counts
 * consistent with the parent. */
static int check_structure(const struct json_reader *c, const struct tree_node *nodes, size_t nn)
{
	uint8_t *seen = xcalloc(nn, 1);
	int32_t *stack = xmalloc(nn * sizeof *stack);
	size_t sp = 0;
	int rc = 0;

	if (nodes[0].depth != 0) {
		rc = ft_fail(c->err, FT_EINPUT, "%s: tree.nodes[0].depth: the root has depth 0", c->origin);
		goto out;
	}
	seen[0] = 1;
	stack[sp++] = 0;
	while (sp) {
		int32_t i = stack[--sp];
		const struct tree_node *nd = &nodes[i];
		if (nd->left == TREE_LEAF)
			continue;
		int32_t kids[2] = { nd->left, nd->right };
		for (int k = 0; k < 2; k++) {
			int32_t ch = kids[k];
			if (seen[ch]) {
				rc = ft_fail(c->err, FT_EINPUT,
					     "%s: tree.nodes[%d].%s: node %d is reached twice (shared child or cycle)",
					     c->origin, i, k ? "right" : "left", ch);
				goto out;
			}
			seen[ch] = 1;
			if (nodes[ch].depth != nd->depth + 1) {
				rc = ft_fail(c->err, FT_EINPUT, "%s: tree.nodes[%d].depth: %d, expected %d (parent's + 1)",
					     c->origin, ch, nodes[ch].depth, nd->depth + 1);
				goto out;
			}
			stack[sp++] = ch;
		}
		for (int k = 0; k < 2; k++) {
			if (nodes[nd->left].count[k] + nodes[nd->right].count[k] != nd->count[k]) {
				rc = ft_fail(c->err, FT_EINPUT,
					     "%s: tree.nodes[%d].count: children's counts do not add up to it",
					     c->origin, i);
				goto out;
			}
			if (nodes[nd->left].real[k] + nodes[nd->right].real[k] != nd->real[k]) {
				rc = ft_fail(c->err, FT_EINPUT,
					     "%s: tree.nodes[%d].real: children's real rows do not add up to it",
					     c->origin, i);
				goto out;
			}
		}
	}
	for (size_t i = 0; i < nn; i++) {
		if (!seen[i]) {
			rc = ft_fail(c->err, FT_EINPUT, "%s: tree.nodes[%zu]: not reachable from the root",
				     c->origin, i);
			goto out;
		}
	}
out:
	free(seen);
	free(stack);
	return rc;
}

struct tree *tree_from_json(const struct cJSON *j, size_t nfeatures,
			    const char *origin, struct ft_err *err)
{
	struct json_reader c = { .origin = origin, .err = err };
	struct tree *t = NULL;
	const cJSON *it;
	int64_t v;

	if (!cJSON_IsObject(j)) {
		ft_fail(err, FT_EINPUT, "%s: tree: expected an object", origin);
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	if (!(it = json_member(&c, j, "tree.", "params")) || parse_params(&c, it, &t->params) < 0)
		goto fail;
	t->probability_odds = 1.0;
	if ((it = cJSON_GetObjectItemCaseSensitive(j, "probability_odds"))) {
		if (get_double(&c, it, "tree.", "probability_odds", 0.0, &t->probability_odds) < 0)
			goto fail;
		/* a prior odds ratio of a split of at most 2^53 rows each way */
		if (!(t->probability_odds >= 1e-16 && t->probability_odds <= 1e16)) {
			ft_fail(err, FT_EINPUT, "%s: tree.probability_odds: expected a number "
				"from 1e-16 to 1e16", origin);
			goto fail;
		}
	}
	if (!(it = json_member(&c, j, "tree.", "nfeatures")) ||
	    get_int(&c, it, "tree.", "nfeatures", 1, INT32_MAX / TREE_NARROW_BINS, &v) < 0)
		goto fail;
	if ((size_t)v != nfeatures) {
		ft_fail(err, FT_EINPUT, "%s: tree.nfeatures: %" PRId64 " does not match the recipe's %zu features",
			origin, v, nfeatures);
		goto fail;
	}
	t->nfeatures = nfeatures;
	const cJSON *names = json_member(&c, j, "tree.", "feature_names");
	if (!names)
		goto fail;
	if (!cJSON_IsArray(names) || (size_t)cJSON_GetArraySize(names) != nfeatures) {
		ft_fail(err, FT_EINPUT, "%s: tree.feature_names: expected an array of %zu strings",
			origin, nfeatures);
		goto fail;
	}
	t->feature_names = xcalloc(nfeatures, sizeof *t->feature_names);
	size_t k = 0;
	cJSON_ArrayForEach(it, names) {
		if (!cJSON_IsString(it)) {
			ft_fail(err, FT_EINPUT, "%s: tree.feature_names[%zu]: expected a string", origin, k);
			goto fail;
		}
		t->feature_names[k++] = xstrdup(it->valuestring);
	}
	const cJSON *nodes = json_member(&c, j, "tree.", "nodes");
	if (!nodes)
		goto fail;
	int nsize = cJSON_IsArray(nodes) ? cJSON_GetArraySize(nodes) : -1;
	if (nsize < 1 || (size_t)nsize > TREE_MAX_NODES) {
		ft_fail(err, FT_EINPUT, "%s: tree.nodes: expected an array of 1 to %u nodes",
			origin, TREE_MAX_NODES);
		goto fail;
	}
	size_t nn = (size_t)nsize;
	t->nodes = xcalloc(nn, sizeof *t->nodes);
	t->nnodes = nn;
	k = 0;
	cJSON_ArrayForEach(it, nodes) {
		if (parse_node(&c, it, k, nn, nfeatures, &t->nodes[k]) < 0)
			goto fail;
		k++;
	}
	if (check_structure(&c, t->nodes, nn) < 0)
		goto fail;
	/* A written probability is derived data: it must be what the score
	 * and probability_odds give, or the file was edited. */
	k = 0;
	cJSON_ArrayForEach(it, nodes) {
		const cJSON *pj = cJSON_GetObjectItemCaseSensitive(it, "probability");
		double want = tree_node_probability(t, &t->nodes[k]);
		if (pj && (!cJSON_IsNumber(pj) || pj->valuedouble != want)) {
			char buf[32];
			fmt_double(buf, want);
			ft_fail(err, FT_EINPUT, "%s: tree.nodes[%zu].probability: expected %s "
				"(the score corrected by probability_odds)", origin, k, buf);
			goto fail;
		}
		k++;
	}
	t->importance = xcalloc(nfeatures, sizeof *t->importance);
	tree_importance(t->nodes, nn, nfeatures, t->importance);
	return t;
fail:
	tree_free(t);
	return NULL;
}
