/* reference: the training split's distributions (see reference.h and
 * fraudtree-registry(5), "reference").
 *
 * Numeric edges: the k/10 quantiles (k = 1..9) as order statistics of the
 * sorted non-missing training values (the value at rank ceil(k n / 10)),
 * equal ones merged, so a column with few distinct values gets fewer bins
 * and each value lands in a bin of its own. Shares are counted, never
 * assumed to be a tenth. */
#include "config.h"
#include "reference.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct cat_count {
	const char *text;
	uint64_t count;
};

static int cmp_cat(const void *a, const void *b)
{
	const struct cat_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->text, y->text);
}

struct cat_index {
	const char *text;
	size_t index;
};

static int cmp_index(const void *a, const void *b)
{
	return strcmp(((const struct cat_index *)a)->text, ((const struct cat_index *)b)->text);
}

/* The lookup order of c's categories (strcmp order; texts are NUL-free). */
static void index_categories(struct reference_column *c)
{
	struct cat_index *ci = xcalloc(c->ncategories + 1, sizeof *ci);
	for (size_t k = 0; k < c->ncategories; k++)
		ci[k] = (struct cat_index){ c->categories[k], k };
	qsort(ci, c->ncategories, sizeof *ci, cmp_index);
	c->sorted = xcalloc(c->ncategories + 1, sizeof *c->sorted);
	for (size_t k = 0; k < c->ncategories; k++)
		c->sorted[k] = ci[k].index;
	free(ci);
}

/* The edges are order statistics, so each is selected (each selection
 * leaves what lies above it to the right, where the next one is looked
 * for) instead of sorting the column: linear in the rows, not n log n. */
static void fit_numeric(struct reference_column *c, const struct column *col,
			const size_t *rows, size_t n, double *v)
{
	size_t m = 0;
	double top = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		double x = col->num[rows[i]];
		if (!isnan(x)) {
			v[m++] = x;
			if (x > top)
				top = x;
		}
	}
	c->edges = xcalloc(REFERENCE_BINS, sizeof *c->edges);
	/* v[0..done) holds the `done` smallest values, the largest of them
	 * last; ranks never go down, so a rank is either that one or above */
	size_t done = 0;
	for (size_t k = 1; k < REFERENCE_BINS && m; k++) {
		size_t rank = (k * m + REFERENCE_BINS - 1) / REFERENCE_BINS;   /* ceil, >= 1 */
		if (rank > done) {
			ft_select_kth(v + done, m - done, rank - 1 - done);
			done = rank;
		}
		double e = v[done - 1];
		if (c->nedges == 0 || e > c->edges[c->nedges - 1])
			c->edges[c->nedges++] = e;
	}
	/* Nothing lies above the largest value: that edge would leave an
	 * empty last bin. */
	if (c->nedges && c->edges[c->nedges - 1] >= top)
		c->nedges--;
	c->share = xcalloc(c->nedges + 1, sizeof *c->share);
	for (size_t i = 0; i < m; i++)
		c->share[reference_bin(c, v[i])] += 1;
	for (size_t k = 0; k <= c->nedges; k++)
		c->share[k] = n ? c->share[k] / (double)n : 0;
	c->missing = n ? (double)(n - m) / (double)n : 0;
}

static void fit_categorical(struct reference_column *c, const struct column *col,
			    const size_t *rows, size_t n)
{
	uint64_t *count = xcalloc(col->nlevels + 1, sizeof *count);
	uint64_t missing = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t code = col->codes[rows[i]];
		if (code == FRAME_NA_CODE || code >= col->nlevels)
			missing++;
		else
			count[code]++;
	}
	struct cat_count *cc = xcalloc(col->nlevels + 1, sizeof *cc);
	size_t nc = 0;
	for (uint32_t k = 0; k < col->nlevels; k++)
		if (count[k])
			cc[nc++] = (struct cat_count){ col->levels[k], count[k] };
	qsort(cc, nc, sizeof *cc, cmp_cat);
	c->ncategories = nc < REFERENCE_MAX_CATEGORIES ? nc : REFERENCE_MAX_CATEGORIES;
	c->categories = xcalloc(c->ncategories + 1, sizeof *c->categories);
	c->share = xcalloc(c->ncategories + 1, sizeof *c->share);
	uint64_t other = 0;
	for (size_t k = 0; k < nc; k++) {
		if (k < c->ncategories) {
			c->categories[k] = xstrdup(cc[k].text);
			c->share[k] = (double)cc[k].count / (double)n;
		} else {
			other += cc[k].count;
		}
	}
	c->share[c->ncategories] = n ? (double)other / (double)n : 0;
	c->missing = n ? (double)missing / (double)n : 0;
	index_categories(c);
	free(cc);
	free(count);
}

struct reference *reference_fit(const struct frame *f, const struct recipe *r,
				const size_t *rows, size_t n)
{
	struct reference *ref = xcalloc(1, sizeof *ref);
	ref->ncols = r->ninputs;
	ref->rows = n;
	ref->cols = xcalloc(r->ninputs + 1, sizeof *ref->cols);
	/* One buffer for every numeric column: fresh pages per column would
	 * cost more than the selection (large blocks are mapped anew each
	 * time they are allocated). */
	double *v = NULL;
	for (size_t i = 0; i < r->ninputs; i++) {
		struct reference_column *c = &ref->cols[i];
		c->name = xstrdup(r->inputs[i].name);
		c->numeric = r->inputs[i].type != COL_CATEGORICAL;
		int col = frame_find(f, c->name);
		const struct column *fc = col >= 0 ? &f->cols[col] : NULL;
		if (fc && c->numeric && fc->num) {
			if (!v)
				v = xmalloc((n + 1) * sizeof *v);
			fit_numeric(c, fc, rows, n, v);
		}
		else if (fc && !c->numeric && fc->codes)
			fit_categorical(c, fc, rows, n);
		else {
			/* The recipe reads the column as a type the frame does
			 * not hold: nothing to measure, every cell missing. */
			c->share = xcalloc(1, sizeof *c->share);
			c->missing = 1;
			index_categories(c);
		}
	}
	free(v);
	return ref;
}

void reference_set_score(struct reference *ref, const struct tree *t)
{
	if (!ref)
		return;
	free(ref->score);
	free(ref->score_share);
	ref->score = xcalloc(t->nnodes + 1, sizeof *ref->score);
	ref->score_share = xcalloc(t->nnodes + 1, sizeof *ref->score_share);
	ref->nscore = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].left == TREE_LEAF) {
			ref->score[ref->nscore++] = tree_node_proba(&t->nodes[i]);
			total += t->nodes[i].real[0] + t->nodes[i].real[1];
		}
	qsort(ref->score, ref->nscore, sizeof *ref->score, cmp_double);
	size_t m = 0;
	for (size_t k = 0; k < ref->nscore; k++)
		if (m == 0 || ref->score[k] > ref->score[m - 1])
			ref->score[m++] = ref->score[k];
	ref->nscore = m;
	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].left == TREE_LEAF && total) {
			size_t b = reference_score_bin(ref, tree_node_proba(&t->nodes[i]));
			ref->score_share[b] += (double)(t->nodes[i].real[0] + t->nodes[i].real[1]) /
					       (double)total;
		}
}

void reference_free(struct reference *ref)
{
	if (!ref)
		return;
	for (size_t i = 0; i < ref->ncols; i++) {
		struct reference_column *c = &ref->cols[i];
		free(c->name);
		free(c->edges);
		for (size_t k = 0; k < c->ncategories; k++)
			free(c->categories[k]);
		free(c->categories);
		free(c->share);
		free(c->sorted);
	}
	free(ref->cols);
	free(ref->score);
	free(ref->score_share);
	free(ref);
}

size_t reference_bin(const struct reference_column *c, double x)
{
	size_t lo = 0, hi = c->nedges;   /* the first edge >= x */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->edges[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t reference_category(const struct reference_column *c, const char *s, size_t len)
{
	size_t lo = 0, hi = c->ncategories;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *t = c->categories[c->sorted[mid]];
		int d = strncmp(t, s, len);
		if (d == 0)
			d = t[len] ? 1 : 0;   /* t longer than s sorts after it */
		if (d == 0)
			return c->sorted[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return c->ncategories;
}

size_t reference_score_bin(const struct reference *ref, double score)
{
	size_t lo = 0, hi = ref->nscore;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ref->score[mid] < score)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ref->nscore && ref->score[lo] == score ? lo : ref->nscore;
}

/* ---- JSON ----------------------------------------------------------------- */

static cJSON *num_array(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, json_num(v[i]));
	return a;
}

cJSON *reference_to_json(const struct reference *ref)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "rows", json_uint(ref->rows));
	cJSON *cols = cJSON_AddArrayToObject(j, "columns");
	for (size_t i = 0; i < ref->ncols; i++) {
		const struct reference_column *c = &ref->cols[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddStringToObject(o, "kind", c->numeric ? "bins" : "categories");
		if (c->numeric) {
			cJSON_AddItemToObject(o, "edges", num_array(c->edges, c->nedges));
			cJSON_AddItemToObject(o, "shares", num_array(c->share, c->nedges + 1));
		} else {
			cJSON *cats = cJSON_AddArrayToObject(o, "categories");
			for (size_t k = 0; k < c->ncategories; k++)
				cJSON_AddItemToArray(cats, cJSON_CreateString(c->categories[k]));
			cJSON_AddItemToObject(o, "shares", num_array(c->share, c->ncategories));
			json_add_num(o, "other", c->share[c->ncategories]);
		}
		json_add_num(o, "missing", c->missing);
		cJSON_AddItemToArray(cols, o);
	}
	cJSON *score = cJSON_AddObjectToObject(j, "score");
	cJSON_AddItemToObject(score, "values", num_array(ref->score, ref->nscore));
	cJSON_AddItemToObject(score, "shares", num_array(ref->score_share, ref->nscore));
	return j;
}

/* An array of n numbers, each a share (0..1) when `shares`, else finite
 * and strictly increasing. */
static double *read_numbers(const cJSON *a, bool shares, size_t *n, const char *origin,
			    const char *key, struct ft_err *err)
{
	if (!cJSON_IsArray(a)) {
		ft_fail(err, FT_EINPUT, "%s: %s: expected an array of numbers", origin, key);
		return NULL;
	}
	size_t m = (size_t)cJSON_GetArraySize(a), k = 0;
	double *v = xcalloc(m + 1, sizeof *v);
	const cJSON *e;
	cJSON_ArrayForEach(e, a) {
		bool ok = cJSON_IsNumber(e) && isfinite(e->valuedouble);
		if (ok && shares)
			ok = e->valuedouble >= 0 && e->valuedouble <= 1;
		else if (ok && k)
			ok = e->valuedouble > v[k - 1];
		if (!ok) {
			ft_fail(err, FT_EINPUT, "%s: %s[%zu]: expected %s", origin, key, k,
				shares ? "a share from 0 to 1" : "a number above the one before");
			free(v);
			return NULL;
		}
		v[k++] = e->valuedouble;
	}
	*n = m;
	return v;
}

static bool read_share(const cJSON *o, const char *key, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 1))
		return false;
	*out = v->valuedouble;
	return true;
}

static int read_column(struct reference_column *c, const cJSON *o, const struct recipe_input *in,
		       const char *origin, size_t i, struct ft_err *err)
{
	char key[96];
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
	if (!cJSON_IsObject(o) || !cJSON_IsString(name) || strcmp(name->valuestring, in->name))
		return ft_fail(err, FT_EINPUT, "%s: reference.columns[%zu]: expected the input \"%s\"",
			       origin, i, in->name);
	c->name = xstrdup(in->name);
	c->numeric = in->type != COL_CATEGORICAL;
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, c->numeric ? "bins" : "categories"))
		return ft_fail(err, FT_EINPUT, "%s: reference.columns[%zu].kind: expected \"%s\"",
			       origin, i, c->numeric ? "bins" : "categories");
	if (!read_share(o, "missing", &c->missing))
		return ft_fail(err, FT_EINPUT, "%s: reference.columns[%zu].missing: expected a "
			       "share from 0 to 1", origin, i);
	size_t nshare = 0;
	snprintf(key, sizeof key, "reference.columns[%zu].shares", i);
	if (c->numeric) {
		char ekey[96];
		snprintf(ekey, sizeof ekey, "reference.columns[%zu].edges", i);
		c->edges = read_numbers(cJSON_GetObjectItemCaseSensitive(o, "edges"), false,
					&c->nedges, origin, ekey, err);
		if (!c->edges)
			return -1;
		c->share = read_numbers(cJSON_GetObjectItemCaseSensitive(o, "shares"), true, &nshare,
					origin, key, err);
		if (!c->share)
			return -1;
		if (nshare != c->nedges + 1)
			return ft_fail(err, FT_EINPUT, "%s: %s: expected %zu shares (one more than "
				       "the edges), found %zu", origin, key, c->nedges + 1, nshare);
		return 0;
	}
	const cJSON *cats = cJSON_GetObjectItemCaseSensitive(o, "categories");
	if (!cJSON_IsArray(cats))
		return ft_fail(err, FT_EINPUT, "%s: reference.columns[%zu].categories: expected an "
			       "array of strings", origin, i);
	size_t m = (size_t)cJSON_GetArraySize(cats);
	c->categories = xcalloc(m + 1, sizeof *c->categories);
	const cJSON *e;
	cJSON_ArrayForEach(e, cats) {
		if (!cJSON_IsString(e))
			return ft_fail(err, FT_EINPUT, "%s: reference.columns[%zu].categories[%zu]: "
				       "expected a string", origin, i, c->ncategories);
		c->categories[c->ncategories++] = xstrdup(e->valuestring);
	}
	double *s = read_numbers(cJSON_GetObjectItemCaseSensitive(o, "shares"), true, &nshare,
				 origin, key, err);
	if (!s)
		return -1;
	if (nshare != m) {
		free(s);
		return ft_fail(err, FT_EINPUT, "%s: %s: expected %zu shares (one per category), "
			       "found %zu", origin, key, m, nshare);
	}
	c->share = xrealloc(s, (m + 1) * sizeof *s);
	if (!read_share(o, "other", &c->share[m]))
		return ft_fail(err, FT_EINPUT, "%s: reference.columns[%zu].other: expected a "
			       "share from 0 to 1", origin, i);
	index_categories(c);
	for (size_t k = 1; k < m; k++)
		if (!strcmp(c->categories[c->sorted[k - 1]], c->categories[c->sorted[k]]))
			return ft_fail(err, FT_EINPUT, "%s: reference.columns[%zu].categories: "
				       "\"%s\" appears twice", origin, i,
				       c->categories[c->sorted[k]]);
	return 0;
}

struct reference *reference_from_json(const cJSON *j, const struct recipe *r,
				      const char *origin, struct ft_err *err)
{
	struct reference *ref = xcalloc(1, sizeof *ref);
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, "rows");
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(j, "columns");
	const cJSON *score = cJSON_GetObjectItemCaseSensitive(j, "score");
	if (!cJSON_IsObject(j)) {
		ft_fail(err, FT_EINPUT, "%s: reference: expected an object", origin);
		goto fail;
	}
	if (!cJSON_IsNumber(rows) || !(rows->valuedouble >= 0 && rows->valuedouble < 1e18) ||
	    rows->valuedouble != floor(rows->valuedouble)) {
		ft_fail(err, FT_EINPUT, "%s: reference.rows: expected a whole number", origin);
		goto fail;
	}
	ref->rows = (size_t)rows->valuedouble;
	if (!cJSON_IsArray(cols) || (size_t)cJSON_GetArraySize(cols) != r->ninputs) {
		ft_fail(err, FT_EINPUT, "%s: reference.columns: expected one entry per recipe "
			"input (%zu)", origin, r->ninputs);
		goto fail;
	}
	ref->cols = xcalloc(r->ninputs + 1, sizeof *ref->cols);
	const cJSON *o;
	cJSON_ArrayForEach(o, cols) {
		size_t i = ref->ncols++;
		if (read_column(&ref->cols[i], o, &r->inputs[i], origin, i, err) < 0)
			goto fail;
	}
	if (!cJSON_IsObject(score)) {
		ft_fail(err, FT_EINPUT, "%s: reference.score: expected an object", origin);
		goto fail;
	}
	ref->score = read_numbers(cJSON_GetObjectItemCaseSensitive(score, "values"), false,
				  &ref->nscore, origin, "reference.score.values", err);
	if (!ref->score)
		goto fail;
	size_t ns = 0;
	ref->score_share = read_numbers(cJSON_GetObjectItemCaseSensitive(score, "shares"), true,
					&ns, origin, "reference.score.shares", err);
	if (!ref->score_share)
		goto fail;
	if (ns != ref->nscore) {
		ft_fail(err, FT_EINPUT, "%s: reference.score.shares: expected %zu shares (one per "
			"value), found %zu", origin, ref->nscore, ns);
		goto fail;
	}
	return ref;
fail:
	reference_free(ref);
	return NULL;
}
