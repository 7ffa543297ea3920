/* tree: CART growth over quantile histograms, minimal cost-complexity
 * pruning and prediction (the text forms are in tree_text.c, the JSON
 * form in tree_json.c).
 *
 * Invariants of a finished tree: nodes[0] is the root and nodes are in
 * preorder (a node, its left subtree, its right subtree); an internal node
 * has two children and a feature, a leaf has TREE_LEAF / TREE_LEAF and
 * feature -1. Growth is deterministic: per-feature work may run on any
 * thread, but each result lands in its feature's slot and the slots are
 * reduced in feature order (ties: lowest feature, then lowest threshold).
 *
 * Growth follows scikit-learn's DecisionTreeClassifier (splitter "best",
 * all features): the same stopping rules, the same proxy to rank splits,
 * the same weighted impurity decrease, depth-first growth or best-first
 * growth when max_leaf_nodes is set. Split candidates are bin boundaries;
 * a feature with few enough distinct values gets one bin per value, which
 * makes the search exact on it. Small nodes on a feature with many bins
 * sort their samples by bin instead of filling a histogram, so exact
 * search stays cheap as nodes shrink.
 *
 * Why one file: growth, pruning and prediction share the node layout, the
 * bin tables and the persistent histogram worker pool; cut apart, those
 * internals would have to become an interface of their own. The text and
 * JSON forms live in tree_text.c and tree_json.c. */
#include "config.h"
#include "tree.h"

#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* max_bins 0 (automatic): exact thresholds below this many training rows
 * while a feature has at most TREE_MAX_BINS distinct values, otherwise
 * TREE_NARROW_BINS quantile bins. */
#define TREE_AUTO_EXACT_ROWS 200000
/* Bin edges of a feature with many distinct values come from this many
 * rows drawn with a fixed seed: plenty for 256 quantiles, cheap to sort. */
#define EDGE_SAMPLE 200000
/* Below this many (samples x features) a node is handled on one thread:
 * waking a worker costs more than the work. */
#define PARALLEL_MIN_WORK 65536
/* Histograms kept for nodes waiting in the frontier; past this, a node's
 * histograms are rebuilt from its samples when it is split. */
#define HIST_BUDGET ((size_t)256 << 20)
/* Rows a loop over a large column handles between two looks at the cancel
 * flag: a relaxed load per block costs nothing measurable, and a block
 * takes well under a millisecond. */
#define CANCEL_ROWS 65536

/* ---------------------------------------------------------------------
 * A small pool of worker threads running "task 0..n-1" jobs. Which thread
 * runs which task is timing-dependent, so tasks write only to their own
 * slots. A worker joins a job only while it is posted; the caller waits
 * for the workers that joined, never for one that has not been scheduled
 * yet (it simply runs more tasks itself). */

struct pool_job {
	void (*fn)(void *ctx, size_t task);
	void *ctx;
	size_t ntasks;
	atomic_size_t next;
	int active;                  /* workers inside the job, under pool.mu */
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t wake, idle;
	pthread_t *tid;
	int nworkers;
	struct pool_job *job;        /* posted job, NULL between jobs */
	unsigned gen;
	bool quit;
};

static void pool_drain(struct pool_job *job)
{
	size_t t;
	while ((t = atomic_fetch_add(&job->next, 1)) < job->ntasks)
		job->fn(job->ctx, t);
}

static void *pool_worker(void *arg)
{
	struct pool *pl = arg;
	unsigned seen = 0;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		while (!pl->quit && (!pl->job || pl->gen == seen))
			pthread_cond_wait(&pl->wake, &pl->mu);
		if (pl->quit)
			break;
		seen = pl->gen;
		struct pool_job *job = pl->job;
		job->active++;
		pthread_mutex_unlock(&pl->mu);
		pool_drain(job);
		pthread_mutex_lock(&pl->mu);
		if (--job->active == 0)
			pthread_cond_signal(&pl->idle);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

/* NULL when one thread is all we have; the caller then runs tasks inline. */
static struct pool *pool_new(int nthreads)
{
	if (nthreads <= 1)
		return NULL;
	struct pool *pl = xcalloc(1, sizeof *pl);
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->wake, NULL);
	pthread_cond_init(&pl->idle, NULL);
	pl->tid = xcalloc((size_t)nthreads - 1, sizeof *pl->tid);
	for (int i = 0; i < nthreads - 1; i++) {
		if (pthread_create(&pl->tid[i], NULL, pool_worker, pl) != 0)
			break;
		pl->nworkers++;
	}
	return pl;
}

static void pool_free(struct pool *pl)
{
	if (!pl)
		return;
	pthread_mutex_lock(&pl->mu);
	pl->quit = true;
	pthread_cond_broadcast(&pl->wake);
	pthread_mutex_unlock(&pl->mu);
	for (int i = 0; i < pl->nworkers; i++)
		pthread_join(pl->tid[i], NULL);
	pthread_cond_destroy(&pl->wake);
	pthread_cond_destroy(&pl->idle);
	pthread_mutex_destroy(&pl->mu);
	free(pl->tid);
	free(pl);
}

static void pool_run(struct pool *pl, bool parallel, void (*fn)(void *, size_t),
		     void *ctx, size_t ntasks)
{
	if (!pl || pl->nworkers == 0 || !parallel || ntasks < 2) {
		for (size_t t = 0; t < ntasks; t++)
			fn(ctx, t);
		return;
	}
	struct pool_job job = { .fn = fn, .ctx = ctx, .ntasks = ntasks };
	atomic_init(&job.next, 0);
	pthread_mutex_lock(&pl->mu);
	pl->job = &job;
	pl->gen++;
	pthread_cond_broadcast(&pl->wake);
	pthread_mutex_unlock(&pl->mu);
	pool_drain(&job);
	pthread_mutex_lock(&pl->mu);
	pl->job = NULL;
	while (job.active > 0)
		pthread_cond_wait(&pl->idle, &pl->mu);
	pthread_mutex_unlock(&pl->mu);
}

/* ---------------------------------------------------------------------
 * Binning: every feature becomes a column of bin numbers, built once per
 * fit: uint8 while every feature has at most TREE_NARROW_BINS bins, else
 * uint16. Bin b of feature j holds the training values in
 * (edge[b-1], edge[b]]; lo/hi record the smallest and largest of them so a
 * split between bins becomes a real threshold. A feature gets one bin per
 * distinct value while it has at most `exact` of them (the search is then
 * exact on it), else `quantiles` quantile bins. */

struct binning {
	void *B;             /* column-major, B[j * n + i], uint8_t or uint16_t */
	bool wide;           /* B holds uint16_t */
	int *nbins;          /* per feature */
	size_t *off;         /* histogram offset of each feature */
	size_t totbins;
	float **lo, **hi;    /* per feature, nbins[j] values each */
	size_t *bad_row;     /* per feature: first non-finite row, or SIZE_MAX */
};

struct bin_job {
	const struct dataset *d;
	int exact, quantiles;    /* see above; both <= TREE_NARROW_BINS unless wide */
	struct binning *bn;
	const struct ft_progress *prog;
	atomic_bool stopped;     /* a task saw the cancel flag and left a feature unbinned */
	/* When set (see copy_plan), the rows the copies copy, ascending
	 * (src[0..nsrc)), and each copy's index into them (slot[k]). */
	uint32_t *src, *slot;
	size_t nsrc;
};

/* True when the caller asked to stop; the feature being binned is then
 * left incomplete, and `stopped` makes the caller discard every bin. */
static bool bin_cancelled(struct bin_job *job)
{
	if (!ft_cancelled(job->prog))
		return false;
	atomic_store_explicit(&job->stopped, true, memory_order_relaxed);
	return true;
}

static uint32_t float_key(float v)
{
	uint32_t u;
	memcpy(&u, &v, sizeof u);
	return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

static float key_float(uint32_t k)
{
	uint32_t u = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
	float v;
	memcpy(&v, &u, sizeof v);
	return v;
}

/* LSD radix sort of finite floats (11 + 11 + 10 bits). */
static void sort_floats(float *v, size_t m)
{
	uint32_t *a = xmalloc(m * sizeof *a), *b = xmalloc(m * sizeof *b);
	for (size_t k = 0; k < m; k++)
		a[k] = float_key(v[k]);
	static const int shift[3] = { 0, 11, 22 };
	for (int pass = 0; pass < 3; pass++) {
		size_t count[2048] = { 0 };
		int s = shift[pass];
		for (size_t k = 0; k < m; k++)
			count[(a[k] >> s) & 2047]++;
		size_t sum = 0;
		for (int c = 0; c < 2048; c++) {
			size_t t = count[c];
			count[c] = sum;
			sum += t;
		}
		for (size_t k = 0; k < m; k++)
			b[count[(a[k] >> s) & 2047]++] = a[k];
		uint32_t *t = a;
		a = b;
		b = t;
	}
	for (size_t k = 0; k < m; k++)
		v[k] = key_float(a[k]);
	free(a);
	free(b);
}

static bool finite_float(float v)
{
	return v - v == 0.0f;
}

static uint32_t value_key(float v)
{
	uint32_t u;
	if (v == 0.0f)
		return 0;   /* -0 and +0 are one value */
	memcpy(&u, &v, sizeof u);
	return u;
}

/* First pass over feature j: while it has at most max_bins (<=
 * TREE_NARROW_BINS) distinct values, give each value an id in order of
 * first appearance (a small hash table), written to col. Returns the
 * number of distinct values, or -1 when there are more (the rows after
 * that point are not checked). On a non-finite value sets bad_row and
 * returns 0. */
static int feature_ids(const float *x, size_t n, int max_bins, uint8_t *col,
		       float vals[TREE_NARROW_BINS], size_t *bad_row)
{
	enum { SLOTS = 1024 };
	uint32_t key[SLOTS];
	int16_t id[SLOTS];
	int nd = 0;

	for (int h = 0; h < SLOTS; h++)
		id[h] = -1;
	for (size_t i = 0; i < n; i++) {
		float v = x[i];
		if (!finite_float(v)) {
			*bad_row = i;
			return 0;
		}
		uint32_t k = value_key(v);
		unsigned h = (k * 0x9e3779b1u) >> 22;
		while (id[h] >= 0 && key[h] != k)
			h = (h + 1) & (SLOTS - 1);
		if (id[h] < 0) {
			if (nd == max_bins)
				return -1;
			key[h] = k;
			id[h] = (int16_t)nd;
			vals[nd++] = v;
		}
		col[i] = (uint8_t)id[h];
	}
	return nd;
}

/* Up to max_bins - 1 quantile edges of feature j (edge has room for
 * max_bins - 1) from a fixed-seed sample of its values over all of d's
 * samples, copies included (x is the feature's column of X; all finite:
 * feature_ids checked the rows it saw, and the assignment pass checks the
 * rest before any edge is used). */
static int feature_edges(const struct dataset *d, const float *x, int max_bins, size_t j,
			 float *edge)
{
	size_t n = d->n;
	size_t m = n <= EDGE_SAMPLE ? n : EDGE_SAMPLE;
	float *s = xmalloc(m * sizeof *s);
	size_t ms = 0;
	if (m == n) {
		for (size_t i = 0; i < n; i++) {
			float v = x[dataset_row(d, i)];
			if (finite_float(v))
				s[ms++] = v;
		}
	} else {
		struct ft_rng r;
		rng_seed(&r, 0x7472656562696e73ULL + j);
		for (size_t k = 0; k < m; k++) {
			float v = x[dataset_row(d, (size_t)rng_below(&r, n))];
			if (finite_float(v))
				s[ms++] = v;
		}
	}
	sort_floats(s, ms);
	/* An edge closes a bin whenever the running count crosses the next
	 * 1/max_bins quantile; the largest value never closes one, so the
	 * last bin is never empty. */
	int ne = 0;
	uint64_t lastq = 0;
	size_t k = 0;
	while (k < ms) {
		size_t k2 = k;
		while (k2 < ms && s[k2] == s[k])
			k2++;
		if (k2 >= ms)
			break;
		uint64_t q = (uint64_t)k2 * (uint64_t)max_bins / ms;
		if (q > lastq) {
			edge[ne++] = s[k];
			lastq = q;
		}
		k = k2;
	}
	free(s);
	return ne;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* Number of the ascending v[0..m) below x. */
static size_t count_below(const float *v, size_t m, float x)
{
	size_t lo = 0, hi = m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Few values (nd from feature_ids): one bin per value, ids renumbered by
 * rank; col8 holds the ids, col16 (when not NULL) receives the bins. */
static void bin_by_value(struct binning *bn, size_t j, size_t n, const float *vals, int nd,
			 uint8_t *col8, uint16_t *col16)
{
	float sorted[TREE_NARROW_BINS];
	uint8_t rank[TREE_NARROW_BINS];
	memcpy(sorted, vals, (size_t)nd * sizeof *vals);
	qsort(sorted, (size_t)nd, sizeof *sorted, cmp_float);
	for (int a = 0; a < nd; a++)
		rank[a] = (uint8_t)count_below(sorted, (size_t)nd, vals[a]);
	if (col16)
		for (size_t i = 0; i < n; i++)
			col16[i] = rank[col8[i]];
	else
		for (size_t i = 0; i < n; i++)
			col8[i] = rank[col8[i]];
	bn->lo[j] = xmalloc((size_t)nd * sizeof **bn->lo);
	bn->hi[j] = xmalloc((size_t)nd * sizeof **bn->hi);
	for (int b = 0; b < nd; b++)
		bn->lo[j][b] = bn->hi[j][b] = sorted[b];
	bn->nbins[j] = nd;
}

/* Many values, narrow column: quantile bins (the rows of X; bin_feature
 * gives the copies theirs). */
static void bin_narrow_quantiles(struct bin_job *job, size_t j, const float *x, uint8_t *col)
{
	struct binning *bn = job->bn;
	size_t n = job->d->n - job->d->ncopies;
	float edge[TREE_NARROW_BINS];
	int ne = feature_edges(job->d, x, job->quantiles, j, edge);
	float *lo = xmalloc(TREE_NARROW_BINS * sizeof *lo);
	float *hi = xmalloc(TREE_NARROW_BINS * sizeof *hi);
	bn->lo[j] = lo;
	bn->hi[j] = hi;
	/* Padded with +inf, "number of edges below v" is a fixed 8-step
	 * search without branches; eight rows at a time keep the loads busy. */
	for (int k = ne; k < TREE_NARROW_BINS; k++)
		edge[k] = INFINITY;
	for (int b = 0; b < TREE_NARROW_BINS; b++) {
		lo[b] = INFINITY;
		hi[b] = -INFINITY;
	}
	for (size_t i = 0; i < n; i += 8) {
		if (i % CANCEL_ROWS == 0 && bin_cancelled(job))
			return;
		unsigned b[8] = { 0 };
		float v[8];
		size_t len = n - i < 8 ? n - i : 8;
		bool ok = true;
		for (size_t r = 0; r < 8; r++) {
			v[r] = r < len ? x[i + r] : 0.0f;
			ok &= finite_float(v[r]);
		}
		if (!ok) {
			for (size_t r = 0; r < len; r++)
				if (!finite_float(v[r])) {
					bn->bad_row[j] = i + r;
					return;
				}
		}
		for (unsigned step = 128; step; step >>= 1)
			for (size_t r = 0; r < 8; r++)
				b[r] += step * (unsigned)(edge[b[r] + step - 1] < v[r]);
		for (size_t r = 0; r < len; r++) {
			col[i + r] = (uint8_t)b[r];
			if (v[r] < lo[b[r]])
				lo[b[r]] = v[r];
			if (v[r] > hi[b[r]])
				hi[b[r]] = v[r];
		}
	}
	bn->nbins[j] = ne + 1;
}

/* Rows of x (finite) in ascending order of value: a stable LSD radix sort
 * (11 + 11 + 10 bits) of the float keys with their row numbers; key and
 * row receive the result. False (result unusable) when cancelled. */
static bool sort_rows(struct bin_job *job, const float *x, size_t n, uint32_t *key,
		      uint32_t *row)
{
	uint32_t *ka = xmalloc(n * sizeof *ka), *ra = xmalloc(n * sizeof *ra);
	for (size_t i = 0; i < n; i++) {
		ka[i] = float_key(x[i]);
		ra[i] = (uint32_t)i;
	}
	static const int shift[3] = { 0, 11, 22 };
	uint32_t *ks = ka, *rs = ra, *kd = key, *rd = row;
	bool ok = true;
	for (int pass = 0; pass < 3 && (ok = !bin_cancelled(job)); pass++) {
		size_t count[2048] = { 0 };
		int sh = shift[pass];
		for (size_t k = 0; k < n; k++)
			count[(ks[k] >> sh) & 2047]++;
		size_t sum = 0;
		for (int c = 0; c < 2048; c++) {
			size_t t = count[c];
			count[c] = sum;
			sum += t;
		}
		for (size_t k = 0; k < n; k++) {
			size_t to = count[(ks[k] >> sh) & 2047]++;
			kd[to] = ks[k];
			rd[to] = rs[k];
		}
		uint32_t *t = ks;
		ks = kd;
		kd = t;
		t = rs;
		rs = rd;
		rd = t;
	}
	/* an odd number of passes leaves the result in key/row */
	free(ka);
	free(ra);
	return ok;
}

/* Many values, wide column: the sorted distinct values become the bins
 * while there are at most job->exact of them, else quantile edges do (the
 * rows of X; bin_feature gives the copies theirs: a copy repeats a value,
 * so the distinct values are those of the rows). */
static void bin_wide(struct bin_job *job, size_t j, const float *x, uint16_t *col)
{
	struct binning *bn = job->bn;
	size_t n = job->d->n - job->d->ncopies;
	for (size_t i = 0; i < n; i++) {
		if (!finite_float(x[i])) {
			bn->bad_row[j] = i;
			return;
		}
	}
	uint32_t *key = xmalloc(n * sizeof *key), *row = xmalloc(n * sizeof *row);
	if (!sort_rows(job, x, n, key, row)) {
		free(key);
		free(row);
		return;
	}
	size_t nd = 1;
	for (size_t k = 1; k < n; k++)
		nd += key_float(key[k]) != key_float(key[k - 1]);
	if (nd <= (size_t)job->exact) {
		float *lo = xmalloc(nd * sizeof *lo), *hi = xmalloc(nd * sizeof *hi);
		size_t b = 0;
		lo[0] = hi[0] = key_float(key[0]);
		for (size_t k = 0; k < n; k++) {
			float v = key_float(key[k]);
			if (v != hi[b])
				lo[++b] = v;
			hi[b] = v;
			col[row[k]] = (uint16_t)b;
		}
		bn->lo[j] = lo;
		bn->hi[j] = hi;
		bn->nbins[j] = (int)nd;
		free(key);
		free(row);
		return;
	}
	free(key);
	free(row);
	float *edge = xmalloc((size_t)job->quantiles * sizeof *edge);
	size_t ne = (size_t)feature_edges(job->d, x, job->quantiles, j, edge);
	float *lo = xmalloc((ne + 1) * sizeof *lo), *hi = xmalloc((ne + 1) * sizeof *hi);
	for (size_t b = 0; b <= ne; b++) {
		lo[b] = INFINITY;
		hi[b] = -INFINITY;
	}
	for (size_t i = 0; i < n; i++) {
		if (i % CANCEL_ROWS == 0 && bin_cancelled(job))
			break;
		size_t b = count_below(edge, ne, x[i]);
		col[i] = (uint16_t)b;
		if (x[i] < lo[b])
			lo[b] = x[i];
		if (x[i] > hi[b])
			hi[b] = x[i];
	}
	free(edge);
	bn->lo[j] = lo;
	bn->hi[j] = hi;
	bn->nbins[j] = (int)ne + 1;
}

/* The copies' rows scatter over the whole column, so reading a copy's bin
 * straight from its row misses the cache once the column outgrows it. When
 * the copies come from a small share of the rows (the minority class when
 * oversampling), copy_plan lists those rows once, ascending, and gives each
 * copy its index into the list: the binning then gathers the rows' bins in
 * order into a buffer that stays in cache and copies from there. The bins
 * are the same either way. */
static void copy_plan(struct bin_job *job)
{
	const struct dataset *d = job->d;
	size_t held = d->n - d->ncopies, nc = d->ncopies;   /* check_data: n < 2^31 */
	if (nc < 4096)
		return;
	size_t nw = held / 64 + 1;
	uint64_t *bits = xcalloc(nw, sizeof *bits);
	for (size_t k = 0; k < nc; k++)
		bits[d->copy_of[k] / 64] |= UINT64_C(1) << (d->copy_of[k] % 64);
	uint32_t *rank = xmalloc(nw * sizeof *rank);
	size_t ns = 0;
	for (size_t w = 0; w < nw; w++) {
		rank[w] = (uint32_t)ns;
		ns += (size_t)__builtin_popcountll(bits[w]);
	}
	/* worth it only when the rows' bins fit where the column does not */
	if (ns > held / 4) {
		free(rank);
		free(bits);
		return;
	}
	job->src = xmalloc(ns * sizeof *job->src);   /* ns >= 1: nc > 0 */
	job->slot = xmalloc(nc * sizeof *job->slot);
	job->nsrc = ns;
	size_t at = 0;
	for (size_t w = 0; w < nw; w++)
		for (uint64_t b = bits[w]; b; b &= b - 1)
			job->src[at++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
	for (size_t k = 0; k < nc; k++) {
		size_t r = d->copy_of[k], w = r / 64;
		uint64_t below = bits[w] & ((UINT64_C(1) << (r % 64)) - 1);
		job->slot[k] = rank[w] + (uint32_t)__builtin_popcountll(below);
	}
	free(rank);
	free(bits);
}

/* Each copy takes the bin of the row it copies (col[0..held) are the
 * rows' bins, uint16_t when wide, else uint8_t), through copy_plan's list
 * when there is one. */
static void copy_bins(const struct bin_job *job, void *col, size_t held, bool wide)
{
	const struct dataset *d = job->d;
	uint8_t *c8 = col;
	uint16_t *c16 = col;
	size_t ns = job->slot ? job->nsrc : 0;
	uint16_t *g = ns ? xmalloc(ns * sizeof *g) : NULL;
	for (size_t r = 0; r < ns; r++)
		g[r] = wide ? c16[job->src[r]] : c8[job->src[r]];
	for (size_t k = 0; k < d->ncopies; k++) {
		size_t from = d->copy_of[k];
		uint16_t bin = g ? g[job->slot[k]] : wide ? c16[from] : c8[from];
		if (wide)
			c16[held + k] = bin;
		else
			c8[held + k] = (uint8_t)bin;
	}
	free(g);
}

/* feature_ids for a byte column (values in order of first appearance, as
 * there): every byte is finite, so only "more than max_bins" (-1) fails. */
static int byte_ids(const uint8_t *x, size_t n, int max_bins, uint8_t *col,
		    float vals[TREE_NARROW_BINS])
{
	int16_t id[256];
	int nd = 0;
	for (int v = 0; v < 256; v++)
		id[v] = -1;
	for (size_t i = 0; i < n; i++) {
		uint8_t v = x[i];
		if (id[v] < 0) {
			if (nd == max_bins)
				return -1;
			id[v] = (int16_t)nd;
			vals[nd++] = (float)v;
		}
		col[i] = (uint8_t)id[v];
	}
	return nd;
}

/* Feature j's values as floats: its own column, or (a byte column) a copy
 * made into *tmp, which the caller frees. */
static const float *feature_floats(const struct dataset *d, size_t j, float **tmp)
{
	const float *x = dataset_floats(d, j);
	if (x)
		return x;
	size_t held = d->n - d->ncopies;
	const uint8_t *b = dataset_bytes(d, j);
	float *f = xmalloc((held ? held : 1) * sizeof *f);
	for (size_t i = 0; i < held; i++)
		f[i] = (float)b[i];
	*tmp = f;
	return f;
}

/* Feature j's ids of feature_ids (byte_ids for a byte column); *x is its
 * float column, or NULL for a byte column. */
static int column_ids(const struct dataset *d, size_t j, int few, uint8_t *ids,
		      float vals[TREE_NARROW_BINS], size_t *bad_row, const float **x)
{
	size_t held = d->n - d->ncopies;
	*x = dataset_floats(d, j);
	if (*x)
		return feature_ids(*x, held, few, ids, vals, bad_row);
	return byte_ids(dataset_bytes(d, j), held, few, ids, vals);
}

/* Feature j's bins: those of X's rows first (a copy adds no value, so
 * the distinct values and the bounds are theirs), then each copy takes the
 * bin of the row it copies. A byte column has at most two values and so
 * its own bins; only with max_bins below that does it become floats. */
static void bin_feature(void *ctx, size_t j)
{
	struct bin_job *job = ctx;
	struct binning *bn = job->bn;
	const struct dataset *d = job->d;
	size_t n = d->n, held = d->n - d->ncopies;
	const float *x;
	float *tmp = NULL;
	float vals[TREE_NARROW_BINS];

	bn->bad_row[j] = SIZE_MAX;
	bn->nbins[j] = 1;
	if (bin_cancelled(job))
		return;
	int few = job->exact < TREE_NARROW_BINS ? job->exact : TREE_NARROW_BINS;
	if (!bn->wide) {
		uint8_t *col = (uint8_t *)bn->B + j * n;
		int nd = column_ids(d, j, few, col, vals, &bn->bad_row[j], &x);
		if (bn->bad_row[j] != SIZE_MAX)
			return;
		if (nd > 0)
			bin_by_value(bn, j, held, vals, nd, col, NULL);
		else
			bin_narrow_quantiles(job, j, x ? x : feature_floats(d, j, &tmp), col);
		copy_bins(job, col, held, false);
		free(tmp);
		return;
	}
	uint16_t *col = (uint16_t *)bn->B + j * n;
	uint8_t *ids = xmalloc(held ? held : 1);
	int nd = column_ids(d, j, few, ids, vals, &bn->bad_row[j], &x);
	if (bn->bad_row[j] == SIZE_MAX) {
		if (nd > 0)
			bin_by_value(bn, j, held, vals, nd, ids, col);
		else
			bin_wide(job, j, x ? x : feature_floats(d, j, &tmp), col);
		copy_bins(job, col, held, true);
	}
	free(tmp);
	free(ids);
}

/* Wide columns whose features all ended up with few bins go back to uint8,
 * so the histogram loops read half the bytes. */
static void binning_narrow(struct binning *bn, size_t n, size_t nf)
{
	for (size_t j = 0; j < nf; j++)
		if (bn->nbins[j] > TREE_NARROW_BINS)
			return;
	const uint16_t *w = bn->B;
	uint8_t *b = xmalloc(n * nf);
	for (size_t k = 0; k < n * nf; k++)
		b[k] = (uint8_t)w[k];
	free(bn->B);
	bn->B = b;
	bn->wide = false;
}

static void binning_free(struct binning *bn, size_t nf)
{
	free(bn->B);
	free(bn->nbins);
	free(bn->off);
	if (bn->lo)
		for (size_t j = 0; j < nf; j++) {
			free(bn->lo[j]);
			free(bn->hi[j]);
		}
	free(bn->lo);
	free(bn->hi);
	free(bn->bad_row);
}

/* ---------------------------------------------------------------------
 * Growth. */

struct hbin {
	double w[2];         /* weighted class totals */
	uint32_t n[2];       /* raw class counts */
};

struct cand {
	int feature;         /* -1: no valid split */
	int bin;             /* last of the node's non-empty bins going left */
	int next_bin;        /* first non-empty bin going right */
	double proxy;        /* sklearn's proxy improvement, larger is better */
	double wl[2];
	uint64_t nl[2];
	double imp_l, imp_r;
};

struct rec {                 /* a node that may still be split */
	int32_t id;
	size_t start, end;   /* its samples: idx[start..end) */
	int depth;
	double w[2];
	uint64_t n[2];
	double impurity;
	struct hbin *hist;   /* NULL: rebuild from samples when needed */
	bool leaf;
	struct cand sp;
	double improvement;
};

#define IDX_CLASS 31
#define IDX_ROW(v) ((v) & ~(UINT32_C(1) << IDX_CLASS))

struct fit {
	const struct tree_params *p;
	size_t n, nf;
	const uint8_t *y;
	const double *w;
	size_t nreal;            /* samples below this index are real rows */
	const struct binning *bn;
	/* The node's samples: each entry is a sample's index with its class
	 * in the top bit (IDX_CLASS), so a histogram reads the class from the
	 * entry instead of from y, which past a few million samples no longer
	 * fits in the cache and would cost a miss per sample and feature. */
	uint32_t *idx, *tmp;
	struct pool *pool;
	int max_depth;
	double wtotal;

	struct tree_node *nodes;
	size_t nnodes, capnodes;

	struct hbin **spare;     /* released histogram buffers */
	size_t nspare, capspare;
	size_t kept, max_kept;   /* buffers held by frontier records */

	struct rec *front;       /* stack (depth-first) or heap (best-first) */
	size_t nfront, capfront;
	bool best_first;

	struct cand *cand[2];   /* per-feature candidates of two nodes */
	uint64_t settled, reported;
	const struct ft_progress *prog;
	atomic_bool stopped;    /* a task saw the cancel flag: its results are incomplete */
};

/* Workers look at the cancel flag per feature and per block of rows; the
 * first to see it raises `stopped`, which makes the fit discard the
 * current node's search and fail with FT_ECANCELLED. */
static bool fit_cancelled(struct fit *f)
{
	if (atomic_load_explicit(&f->stopped, memory_order_relaxed))
		return true;
	if (!ft_cancelled(f->prog))
		return false;
	atomic_store_explicit(&f->stopped, true, memory_order_relaxed);
	return true;
}

static double impurity_of(enum criterion c, double w0, double w1)
{
	double w = w0 + w1;
	if (w <= 0.0)
		return 0.0;
	if (c == CRIT_GINI)
		return 1.0 - (w0 * w0 + w1 * w1) / (w * w);
	double e = 0.0;
	if (w0 > 0.0) {
		double p = w0 / w;
		e -= p * (log(p) / log(2.0));
	}
	if (w1 > 0.0) {
		double p = w1 / w;
		e -= p * (log(p) / log(2.0));
	}
	return e;
}

static struct hbin *hist_acquire(struct fit *f)
{
	if (f->nspare)
		return f->spare[--f->nspare];
	return xmalloc(f->bn->totbins * sizeof(struct hbin));
}

static void hist_release(struct fit *f, struct hbin *h)
{
	if (!h)
		return;
	if (f->nspare == f->capspare) {
		f->capspare = f->capspare ? 2 * f->capspare : 8;
		f->spare = xreallocarray(f->spare, f->capspare, sizeof *f->spare);
	}
	f->spare[f->nspare++] = h;
}

/* Histogram of node r on feature j; false (h incomplete) when cancelled.
 * Rows are added in node order whatever the blocks, so the sums do not
 * depend on CANCEL_ROWS. */
/* How many samples ahead hist_build asks for a sample's bin: a node's
 * samples are in row order but far apart once the tree is a few levels
 * deep, so each bin is a cache miss the processor cannot foresee; asking
 * early overlaps them (train at ten million rows: about a quarter less
 * time). */
#define PREFETCH_AHEAD 32

static bool hist_build(struct fit *f, size_t j, const struct rec *r, struct hbin *h)
{
	int nb = f->bn->nbins[j];
	const uint32_t *idx = f->idx;

	memset(h, 0, (size_t)nb * sizeof *h);
	for (size_t start = r->start; start < r->end; start += CANCEL_ROWS) {
		size_t end = r->end - start > CANCEL_ROWS ? start + CANCEL_ROWS : r->end;
		/* the last PREFETCH_AHEAD of the node have nothing to ask for */
		size_t last = r->end >= start + PREFETCH_AHEAD ? r->end - PREFETCH_AHEAD : start;
		if (last > end)
			last = end;
		if (fit_cancelled(f))
			return false;
		if (f->bn->wide) {
			const uint16_t *col = (const uint16_t *)f->bn->B + j * f->n;
			for (size_t k = start; k < end; k++) {
				if (k < last)
					__builtin_prefetch(col + IDX_ROW(idx[k + PREFETCH_AHEAD]));
				uint32_t i = IDX_ROW(idx[k]), c = idx[k] >> IDX_CLASS;
				struct hbin *hb = &h[col[i]];
				hb->n[c]++;
				if (f->w)
					hb->w[c] += f->w[i];
			}
		} else if (f->w) {
			const uint8_t *col = (const uint8_t *)f->bn->B + j * f->n;
			for (size_t k = start; k < end; k++) {
				if (k < last) {
					uint32_t a = IDX_ROW(idx[k + PREFETCH_AHEAD]);
					__builtin_prefetch(col + a);
					__builtin_prefetch(f->w + a);
				}
				uint32_t i = IDX_ROW(idx[k]), c = idx[k] >> IDX_CLASS;
				struct hbin *hb = &h[col[i]];
				hb->n[c]++;
				hb->w[c] += f->w[i];
			}
		} else {
			const uint8_t *col = (const uint8_t *)f->bn->B + j * f->n;
			size_t k = start;
			for (; k < last; k++) {
				__builtin_prefetch(col + IDX_ROW(idx[k + PREFETCH_AHEAD]));
				uint32_t v = idx[k];
				h[col[IDX_ROW(v)]].n[v >> IDX_CLASS]++;
			}
			for (; k < end; k++) {
				uint32_t v = idx[k];
				h[col[IDX_ROW(v)]].n[v >> IDX_CLASS]++;
			}
		}
	}
	if (!f->w)
		for (int b = 0; b < nb; b++) {
			h[b].w[0] = h[b].n[0];
			h[b].w[1] = h[b].n[1];
		}
	return true;
}

/* dst = parent - small; dst may be parent. A class absent from a bin gets
 * weight exactly 0, so rounding never makes an empty side look non-pure. */
static void hist_sub(const struct fit *f, size_t j, const struct hbin *parent,
		     const struct hbin *small, struct hbin *dst)
{
	int nb = f->bn->nbins[j];
	for (int b = 0; b < nb; b++) {
		for (int c = 0; c < 2; c++) {
			dst[b].n[c] = parent[b].n[c] - small[b].n[c];
			dst[b].w[c] = dst[b].n[c] ? parent[b].w[c] - small[b].w[c] : 0.0;
		}
	}
}

/* A feature's histogram pays off on a node while the node has at least
 * twice as many samples as the feature has bins (measured: below that,
 * sorting the node's samples by bin in sparse_scan is as fast and touches
 * far less memory). Monotone in the node's size, so a child that wants a
 * histogram has a parent that built one. */
static bool hist_dense(const struct fit *f, size_t j, const struct rec *r)
{
	size_t nb = (size_t)f->bn->nbins[j];
	return nb <= TREE_NARROW_BINS || 2 * nb <= r->end - r->start;
}

/* The running left side of a scan over a node's bins in ascending order. */
struct scan {
	double cw[2];
	uint64_t cn[2];
	int prev;            /* last non-empty bin added, -1 before the first */
};

/* Offer the split just before non-empty bin b (left = bins up to
 * s->prev), then add b to the left side; false once the right side is
 * too small for any later split. The largest proxy
 * -(w_right * impurity_right + w_left * impurity_left) wins, first one on
 * ties. */
static inline bool scan_bin(const struct fit *f, size_t j, const struct rec *r,
			    struct scan *s, int b, const struct hbin *hb, struct cand *out)
{
	if (s->prev >= 0) {
		uint64_t msl = f->p->min_samples_leaf;
		uint64_t nl = s->cn[0] + s->cn[1], nr = r->n[0] + r->n[1] - nl;
		if (nr < msl)
			return false;
		double wl = s->cw[0] + s->cw[1], wr = r->w[0] + r->w[1] - wl;
		if (nl >= msl && wl > 0.0 && wr > 0.0) {
			enum criterion crit = f->p->criterion;
			double il = impurity_of(crit, s->cw[0], s->cw[1]);
			double ir = impurity_of(crit, r->w[0] - s->cw[0], r->w[1] - s->cw[1]);
			double proxy = -wr * ir - wl * il;
			if (proxy > out->proxy) {
				out->feature = (int)j;
				out->bin = s->prev;
				out->next_bin = b;
				out->proxy = proxy;
				out->wl[0] = s->cw[0];
				out->wl[1] = s->cw[1];
				out->nl[0] = s->cn[0];
				out->nl[1] = s->cn[1];
				out->imp_l = il;
				out->imp_r = ir;
			}
		}
	}
	s->cw[0] += hb->w[0];
	s->cw[1] += hb->w[1];
	s->cn[0] += hb->n[0];
	s->cn[1] += hb->n[1];
	s->prev = b;
	return true;
}

/* Best split of node r on feature j from its histogram h. */
static void hist_scan(const struct fit *f, size_t j, const struct rec *r,
		      const struct hbin *h, struct cand *out)
{
	int nb = f->bn->nbins[j];
	struct scan s = { .prev = -1 };

	out->feature = -1;
	out->proxy = -INFINITY;
	for (int b = 0; b < nb; b++) {
		if (h[b].n[0] + h[b].n[1] == 0)
			continue;
		if (!scan_bin(f, j, r, &s, b, &h[b], out))
			break;
	}
}

/* hist_scan without the histogram, for a node far smaller than feature
 * j's (uint16) bin count: the node's samples are sorted by (bin, row) and
 * each bin's totals are summed in row order, the order a histogram fills
 * in (a node's rows are ascending: partitions are stable), so the result
 * is hist_scan's to the last bit. */
static void sparse_scan(const struct fit *f, size_t j, const struct rec *r,
			struct cand *out)
{
	const uint16_t *col = (const uint16_t *)f->bn->B + j * f->n;
	size_t m = r->end - r->start;
	uint64_t *key = xmalloc(2 * m * sizeof *key), *tmp = key + m;

	for (size_t k = 0; k < m; k++) {
		uint32_t i = IDX_ROW(f->idx[r->start + k]);
		key[k] = (uint64_t)col[i] << 32 | i;
	}
	if (m <= 32) {
		for (size_t k = 1; k < m; k++) {
			uint64_t v = key[k];
			size_t q = k;
			for (; q > 0 && key[q - 1] > v; q--)
				key[q] = key[q - 1];
			key[q] = v;
		}
	} else {
		/* two stable byte passes over the bin; rows are already ascending */
		for (int shift = 32; shift < 48; shift += 8) {
			size_t count[256] = { 0 };
			for (size_t k = 0; k < m; k++)
				count[(key[k] >> shift) & 255]++;
			size_t sum = 0;
			for (int c = 0; c < 256; c++) {
				size_t t = count[c];
				count[c] = sum;
				sum += t;
			}
			for (size_t k = 0; k < m; k++)
				tmp[count[(key[k] >> shift) & 255]++] = key[k];
			uint64_t *t = key;
			key = tmp;
			tmp = t;
		}
	}

	struct scan s = { .prev = -1 };
	out->feature = -1;
	out->proxy = -INFINITY;
	for (size_t k = 0; k < m;) {
		uint64_t b = key[k] >> 32;
		struct hbin hb = { { 0.0, 0.0 }, { 0, 0 } };
		for (; k < m && key[k] >> 32 == b; k++) {
			uint32_t i = (uint32_t)key[k];
			hb.n[f->y[i]]++;
			if (f->w)
				hb.w[f->y[i]] += f->w[i];
		}
		if (!f->w) {
			hb.w[0] = hb.n[0];
			hb.w[1] = hb.n[1];
		}
		if (!scan_bin(f, j, r, &s, (int)b, &hb, out))
			break;
	}
	free(key < tmp ? key : tmp);
}

/* One node's, or two sibling nodes', histograms and split search, one task
 * per feature. Targets with src < 0 are built from their samples; the
 * others are derived as parent - target[src]. A node's histogram of
 * feature j is valid only where hist_dense holds for it (or a sibling
 * derived from it needed it). */
struct grow_job {
	struct fit *f;
	int nt;
	struct rec *rec[2];
	struct hbin *buf[2];
	int src[2];
	bool scan[2];
	const struct hbin *parent;
};

static void grow_task(void *ctx, size_t j)
{
	struct grow_job *g = ctx;
	struct fit *f = g->f;
	size_t off = f->bn->off[j];
	bool dense[2];

	if (fit_cancelled(f))
		return;
	for (int t = 0; t < g->nt; t++)
		dense[t] = hist_dense(f, j, g->rec[t]);
	for (int t = 0; t < g->nt; t++) {
		if (g->src[t] >= 0)
			continue;
		bool need = dense[t];
		for (int u = 0; u < g->nt; u++)
			need |= g->src[u] == t && dense[u];
		if (need && !hist_build(f, j, g->rec[t], g->buf[t] + off))
			return;
	}
	for (int t = 0; t < g->nt; t++)
		if (g->src[t] >= 0 && dense[t])
			hist_sub(f, j, g->parent + off, g->buf[g->src[t]] + off,
				 g->buf[t] + off);
	for (int t = 0; t < g->nt; t++) {
		if (!g->scan[t])
			continue;
		if (dense[t])
			hist_scan(f, j, g->rec[t], g->buf[t] + off, &f->cand[t][j]);
		else
			sparse_scan(f, j, g->rec[t], &f->cand[t][j]);
	}
}

/* False when cancelled: the job's candidates and histograms are then
 * incomplete and must not be used. */
static bool grow_run(struct fit *f, struct grow_job *g)
{
	size_t work = 0;
	for (int t = 0; t < g->nt; t++)
		if (g->src[t] < 0)
			work += g->rec[t]->end - g->rec[t]->start;
	pool_run(f->pool, work * f->nf >= PARALLEL_MIN_WORK, grow_task, g, f->nf);
	return !atomic_load_explicit(&f->stopped, memory_order_relaxed);
}

/* sklearn's stopping rules that need no split search. */
static bool rec_is_leaf(const struct fit *f, const struct rec *r)
{
	uint64_t ns = r->n[0] + r->n[1];
	return r->depth >= f->max_depth || ns < f->p->min_samples_split ||
	       ns < 2 * (uint64_t)f->p->min_samples_leaf ||
	       r->impurity <= DBL_EPSILON || r->w[0] + r->w[1] <= 0.0;
}

/* Reduce the per-feature candidates in feature order and apply
 * min_impurity_decrease with sklearn's weighted impurity decrease. */
static void rec_choose(struct fit *f, struct rec *r, const struct cand *cand)
{
	struct cand best = { .feature = -1 };
	for (size_t j = 0; j < f->nf; j++)
		if (cand[j].feature >= 0 && (best.feature < 0 || cand[j].proxy > best.proxy))
			best = cand[j];
	r->sp = best;
	if (best.feature < 0) {
		r->leaf = true;
		return;
	}
	double wn = r->w[0] + r->w[1];
	double wl = best.wl[0] + best.wl[1], wr = wn - wl;
	r->improvement = (wn / f->wtotal) *
		(r->impurity - (wr / wn) * best.imp_r - (wl / wn) * best.imp_l);
	if (r->improvement + DBL_EPSILON < f->p->min_impurity_decrease)
		r->leaf = true;
}

static int32_t node_add(struct fit *f, const struct rec *r)
{
	if (f->nnodes == f->capnodes) {
		f->capnodes = f->capnodes ? 2 * f->capnodes : 64;
		f->nodes = xreallocarray(f->nodes, f->capnodes, sizeof *f->nodes);
	}
	struct tree_node *nd = &f->nodes[f->nnodes];
	*nd = (struct tree_node){
		.left = TREE_LEAF, .right = TREE_LEAF, .feature = -1,
		.value = { r->w[0], r->w[1] }, .count = { r->n[0], r->n[1] },
		.impurity = r->impurity, .samples = r->n[0] + r->n[1],
		.depth = r->depth,
	};
	return (int32_t)f->nnodes++;
}

static void settle(struct fit *f, struct rec *r)
{
	/* A leaf's real rows, from its samples; internal nodes add their
	 * children's once the tree is grown. */
	struct tree_node *nd = &f->nodes[r->id];
	if (f->nreal >= f->n) {
		nd->real[0] = nd->count[0];
		nd->real[1] = nd->count[1];
	} else {
		for (size_t i = r->start; i < r->end; i++)
			if (IDX_ROW(f->idx[i]) < f->nreal)
				nd->real[f->idx[i] >> IDX_CLASS]++;
	}
	if (r->hist) {
		hist_release(f, r->hist);
		r->hist = NULL;
		f->kept--;
	}
	f->settled += r->end - r->start;
	if (f->settled == f->n || f->settled - f->reported >= f->n / 100 + 1) {
		f->reported = f->settled;
		ft_progress_report(f->prog, "train", f->settled, f->n);
	}
}

static bool front_before(const struct rec *a, const struct rec *b)
{
	if (a->improvement != b->improvement)
		return a->improvement > b->improvement;
	return a->id < b->id;
}

static void front_push(struct fit *f, const struct rec *r)
{
	if (f->nfront == f->capfront) {
		f->capfront = f->capfront ? 2 * f->capfront : 64;
		f->front = xreallocarray(f->front, f->capfront, sizeof *f->front);
	}
	size_t i = f->nfront++;
	f->front[i] = *r;
	if (!f->best_first)
		return;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!front_before(&f->front[i], &f->front[p]))
			break;
		struct rec t = f->front[i];
		f->front[i] = f->front[p];
		f->front[p] = t;
		i = p;
	}
}

static struct rec front_pop(struct fit *f)
{
	if (!f->best_first)
		return f->front[--f->nfront];
	struct rec top = f->front[0];
	f->front[0] = f->front[--f->nfront];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < f->nfront && front_before(&f->front[l], &f->front[m]))
			m = l;
		if (r < f->nfront && front_before(&f->front[r], &f->front[m]))
			m = r;
		if (m == i)
			break;
		struct rec t = f->front[i];
		f->front[i] = f->front[m];
		f->front[m] = t;
		i = m;
	}
	return top;
}

/* A new node whose histograms were just searched: keep them while the
 * budget allows (its children then cost one build instead of two). */
static void rec_keep_or_release(struct fit *f, struct rec *r, struct hbin *buf)
{
	if (!r->leaf && f->kept < f->max_kept) {
		r->hist = buf;
		f->kept++;
	} else {
		hist_release(f, buf);
		r->hist = NULL;
	}
}

/* threshold between two bins, as sklearn's midpoint of adjacent values */
static double split_threshold(const struct fit *f, const struct cand *sp)
{
	double a = f->bn->hi[sp->feature][sp->bin];
	double b = f->bn->lo[sp->feature][sp->next_bin];
	double t = a / 2.0 + b / 2.0;
	if (t == b || isinf(t))
		t = a;
	return t;
}

/* Split p into child[0..1] and search the children; false when cancelled
 * (the children are then unusable, their buffers back in the spare list,
 * and the order of idx[p->start..p->end) is lost). */
static bool split_node(struct fit *f, struct rec *p, struct rec child[2])
{
	const struct cand *sp = &p->sp;
	size_t coloff = (size_t)sp->feature * f->n;
	size_t wpos = p->start, nright = 0;

	/* Stable partition: each side keeps ascending sample order, so the
	 * column reads of later histogram builds move forward in memory. */
	for (size_t start = p->start; start < p->end; start += CANCEL_ROWS) {
		size_t end = p->end - start > CANCEL_ROWS ? start + CANCEL_ROWS : p->end;
		if (fit_cancelled(f)) {
			if (p->hist) {
				hist_release(f, p->hist);
				p->hist = NULL;
				f->kept--;
			}
			return false;
		}
		if (f->bn->wide) {
			const uint16_t *col = (const uint16_t *)f->bn->B + coloff;
			for (size_t k = start; k < end; k++) {
				uint32_t v = f->idx[k];
				if (col[IDX_ROW(v)] <= sp->bin)
					f->idx[wpos++] = v;
				else
					f->tmp[nright++] = v;
			}
		} else {
			const uint8_t *col = (const uint8_t *)f->bn->B + coloff;
			uint8_t cut = (uint8_t)sp->bin;
			for (size_t k = start; k < end; k++) {
				uint32_t v = f->idx[k];
				if (col[IDX_ROW(v)] <= cut)
					f->idx[wpos++] = v;
				else
					f->tmp[nright++] = v;
			}
		}
	}
	memcpy(f->idx + wpos, f->tmp, nright * sizeof *f->idx);

	struct rec *l = &child[0], *r = &child[1];
	*l = (struct rec){ .start = p->start, .end = wpos, .depth = p->depth + 1 };
	*r = (struct rec){ .start = wpos, .end = p->end, .depth = p->depth + 1 };
	for (int c = 0; c < 2; c++) {
		l->n[c] = sp->nl[c];
		l->w[c] = sp->wl[c];
		r->n[c] = p->n[c] - sp->nl[c];
		r->w[c] = r->n[c] ? p->w[c] - sp->wl[c] : 0.0;
	}
	l->impurity = sp->imp_l;
	r->impurity = sp->imp_r;
	l->id = node_add(f, l);
	r->id = node_add(f, r);
	struct tree_node *pn = &f->nodes[p->id];
	pn->left = l->id;
	pn->right = r->id;
	pn->feature = sp->feature;
	pn->threshold = split_threshold(f, sp);
	l->leaf = rec_is_leaf(f, l);
	r->leaf = rec_is_leaf(f, r);

	struct rec *small = (l->end - l->start <= r->end - r->start) ? l : r;
	struct rec *large = small == l ? r : l;
	struct grow_job g = { .f = f };
	struct hbin *parent = p->hist;
	if (parent) {
		p->hist = NULL;
		f->kept--;
	}
	if (parent && !large->leaf) {
		g.rec[0] = small;
		g.buf[0] = hist_acquire(f);
		g.src[0] = -1;
		g.scan[0] = !small->leaf;
		g.rec[1] = large;
		g.buf[1] = parent;
		g.src[1] = 0;
		g.scan[1] = true;
		g.parent = parent;
		g.nt = 2;
	} else {
		struct rec *need[2] = { l, r };
		for (int c = 0; c < 2; c++) {
			if (need[c]->leaf)
				continue;
			g.rec[g.nt] = need[c];
			g.buf[g.nt] = parent ? parent : hist_acquire(f);
			parent = NULL;
			g.src[g.nt] = -1;
			g.scan[g.nt] = true;
			g.nt++;
		}
		hist_release(f, parent);
	}
	if (g.nt > 0 && !grow_run(f, &g)) {
		for (int t = 0; t < g.nt; t++)
			hist_release(f, g.buf[t]);
		return false;
	}
	for (int t = 0; t < g.nt; t++) {
		if (g.scan[t]) {
			rec_choose(f, g.rec[t], f->cand[t]);
			rec_keep_or_release(f, g.rec[t], g.buf[t]);
		} else {
			hist_release(f, g.buf[t]);
		}
	}
	return true;
}

static int grow(struct fit *f, struct ft_err *err)
{
	struct rec root = { .start = 0, .end = f->n, .depth = 0 };
	for (size_t i = 0; i < f->n; i++) {
		root.n[f->y[i]]++;
		root.w[f->y[i]] += f->w ? f->w[i] : 1.0;
	}
	f->wtotal = root.w[0] + root.w[1];
	root.impurity = impurity_of(f->p->criterion, root.w[0], root.w[1]);
	root.id = node_add(f, &root);
	root.leaf = rec_is_leaf(f, &root);
	if (!root.leaf) {
		struct grow_job g = { .f = f, .nt = 1, .rec = { &root },
				      .buf = { hist_acquire(f) }, .src = { -1 },
				      .scan = { true } };
		if (!grow_run(f, &g)) {
			hist_release(f, g.buf[0]);
			return ft_fail(err, FT_ECANCELLED, "training cancelled");
		}
		rec_choose(f, &root, f->cand[0]);
		rec_keep_or_release(f, &root, g.buf[0]);
	}
	if (root.leaf)
		settle(f, &root);
	else
		front_push(f, &root);

	size_t splits_left = f->p->max_leaf_nodes ? f->p->max_leaf_nodes - 1 : SIZE_MAX;
	while (f->nfront) {
		if (fit_cancelled(f))
			return ft_fail(err, FT_ECANCELLED, "training cancelled");
		struct rec p = front_pop(f);
		if (splits_left == 0) {
			settle(f, &p);
			continue;
		}
		splits_left--;
		struct rec child[2];
		if (!split_node(f, &p, child))
			return ft_fail(err, FT_ECANCELLED, "training cancelled");
		/* Depth-first pushes the right child first so the left subtree
		 * is grown first, as sklearn's stack does. */
		for (int c = 1; c >= 0; c--) {
			if (child[c].leaf)
				settle(f, &child[c]);
			else
				front_push(f, &child[c]);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Whole-tree passes: preorder renumbering, pruning, importances. */

/* Copy the subtree reachable from the root into preorder; a node marked
 * in `cut` keeps its statistics but loses its children. */
static struct tree_node *preorder(const struct tree_node *nodes, size_t nn,
				  const bool *cut, size_t *out_n)
{
	struct tree_node *out = xcalloc(nn, sizeof *out);
	int32_t *stack = xmalloc(nn * sizeof *stack);
	int32_t *parent_slot = xmalloc(nn * sizeof *parent_slot);
	size_t sp = 0, m = 0;

	/* parent_slot[k] = -(2*parent+1) for a left child, -(2*parent+2) for a right */
	stack[sp] = 0;
	parent_slot[sp++] = 0;
	while (sp) {
		sp--;
		int32_t i = stack[sp], ps = parent_slot[sp];
		int32_t id = (int32_t)m++;
		out[id] = nodes[i];
		if (ps) {
			int32_t par = (-ps - 1) / 2;
			if ((-ps - 1) % 2 == 0)
				out[par].left = id;
			else
				out[par].right = id;
		}
		if (nodes[i].left == TREE_LEAF || (cut && cut[i])) {
			out[id].left = out[id].right = TREE_LEAF;
			out[id].feature = -1;
			out[id].threshold = 0.0;
			continue;
		}
		stack[sp] = nodes[i].right;
		parent_slot[sp++] = -(2 * id + 2);
		stack[sp] = nodes[i].left;
		parent_slot[sp++] = -(2 * id + 1);
	}
	free(stack);
	free(parent_slot);
	*out_n = m;
	return out;
}

/* Minimal cost-complexity pruning exactly as sklearn's
 * _cost_complexity_prune: repeatedly collapse the internal node with the
 * smallest effective alpha (lowest index on ties) while it is <= alpha.
 * nodes must be in preorder. cut[] (nn entries, zeroed by the caller)
 * gets the nodes that became leaves. With steps (nn entries), every
 * collapse is recorded there in order, as cost_complexity_pruning_path
 * records it; returns their number. One pass serves both pruning and the
 * path, so the alpha a path reports prunes to exactly its subtree. */
static size_t weakest_link(const struct tree_node *nodes, size_t nn, double alpha,
			   bool *cut, struct tree_ccp_step *steps)
{
	int32_t *parent = xmalloc(nn * sizeof *parent);
	double *r_node = xmalloc(nn * sizeof *r_node);
	double *r_branch = xcalloc(nn, sizeof *r_branch);
	int64_t *n_leaves = xcalloc(nn, sizeof *n_leaves);
	bool *cand = xcalloc(nn, sizeof *cand);
	bool *gone = xcalloc(nn, sizeof *gone);
	int32_t *stack = xmalloc(nn * sizeof *stack);
	double total = nodes[0].value[0] + nodes[0].value[1];
	size_t nsteps = 0;
	int64_t leaves = 0;

	parent[0] = -1;
	for (size_t i = 0; i < nn; i++) {
		if (nodes[i].left != TREE_LEAF) {
			parent[nodes[i].left] = (int32_t)i;
			parent[nodes[i].right] = (int32_t)i;
			cand[i] = true;
		} else {
			leaves++;
		}
		r_node[i] = total > 0 ? (nodes[i].value[0] + nodes[i].value[1]) *
			nodes[i].impurity / total : 0.0;
	}
	for (size_t leaf = 0; leaf < nn; leaf++) {
		if (nodes[leaf].left != TREE_LEAF)
			continue;
		r_branch[leaf] = r_node[leaf];
		double cur = r_node[leaf];
		for (int32_t i = (int32_t)leaf; i != 0; i = parent[i]) {
			r_branch[parent[i]] += cur;
			n_leaves[parent[i]]++;
		}
	}
	if (steps)
		steps[nsteps++] = (struct tree_ccp_step){
			.alpha = 0.0, .impurity = r_branch[0], .node = -1, .leaves = (size_t)leaves
		};
	while (cand[0]) {
		double eff = DBL_MAX;
		int32_t pick = -1;
		for (size_t i = 0; i < nn; i++) {
			if (!cand[i])
				continue;
			double a = (r_node[i] - r_branch[i]) / (double)(n_leaves[i] - 1);
			if (a < eff) {
				eff = a;
				pick = (int32_t)i;
			}
		}
		if (pick < 0 || alpha < eff)
			break;
		size_t sp = 0;
		stack[sp++] = pick;
		while (sp) {
			int32_t i = stack[--sp];
			if (gone[i])
				continue;
			cand[i] = false;
			gone[i] = true;
			if (nodes[i].left != TREE_LEAF) {
				stack[sp++] = nodes[i].left;
				stack[sp++] = nodes[i].right;
			}
		}
		gone[pick] = false;
		cut[pick] = true;
		int64_t pruned = n_leaves[pick] - 1;
		n_leaves[pick] = 0;
		leaves -= pruned;
		double diff = r_node[pick] - r_branch[pick];
		r_branch[pick] = r_node[pick];
		for (int32_t i = parent[pick]; i != -1; i = parent[i]) {
			n_leaves[i] -= pruned;
			r_branch[i] += diff;
		}
		if (steps)
			steps[nsteps++] = (struct tree_ccp_step){
				.alpha = eff, .impurity = r_branch[0], .node = pick,
				.leaves = (size_t)leaves
			};
	}
	free(parent);
	free(r_node);
	free(r_branch);
	free(n_leaves);
	free(cand);
	free(gone);
	free(stack);
	return nsteps;
}

/* The tree pruned at alpha, in preorder. */
static struct tree_node *prune(const struct tree_node *nodes, size_t nn, double alpha,
			       size_t *out_n)
{
	bool *cut = xcalloc(nn, sizeof *cut);
	weakest_link(nodes, nn, alpha, cut, NULL);
	struct tree_node *out = preorder(nodes, nn, cut, out_n);
	free(cut);
	return out;
}

struct tree_ccp_step *tree_ccp_path(const struct tree *t, size_t *n)
{
	size_t nn = t->nnodes;
	bool *cut = xcalloc(nn, sizeof *cut);
	struct tree_ccp_step *steps = xmalloc(nn * sizeof *steps);
	*n = weakest_link(t->nodes, nn, INFINITY, cut, steps);
	free(cut);
	return steps;
}

void tree_importance(const struct tree_node *nodes, size_t nn, size_t nf, double *imp)
{
	memset(imp, 0, nf * sizeof *imp);
	for (size_t i = 0; i < nn; i++) {
		const struct tree_node *nd = &nodes[i];
		if (nd->left == TREE_LEAF)
			continue;
		const struct tree_node *l = &nodes[nd->left], *r = &nodes[nd->right];
		imp[nd->feature] += (nd->value[0] + nd->value[1]) * nd->impurity -
				    (l->value[0] + l->value[1]) * l->impurity -
				    (r->value[0] + r->value[1]) * r->impurity;
	}
	double root = nodes[0].value[0] + nodes[0].value[1], sum = 0.0;
	for (size_t j = 0; j < nf; j++) {
		imp[j] = root > 0.0 ? imp[j] / root : 0.0;
		sum += imp[j];
	}
	if (sum > 0.0)
		for (size_t j = 0; j < nf; j++)
			imp[j] /= sum;
}

#define MAX_BINS_WHY "tree.max_bins: expected 0 (automatic) or an integer from 2 to 65535"

static bool max_bins_ok(int max_bins)
{
	return max_bins == 0 || (max_bins >= 2 && max_bins <= TREE_MAX_BINS);
}

const char *tree_check_params(const struct tree_params *p)
{
	if (p->criterion != CRIT_GINI && p->criterion != CRIT_ENTROPY)
		return "tree.criterion: expected gini or entropy";
	if (p->max_depth < 0)
		return "tree.max_depth: expected an integer >= 0 (0 means unlimited)";
	if (p->max_depth > TREE_DEPTH_LIMIT)
		return "tree.max_depth: too deep (at most 1000; 0 means unlimited)";
	if (p->min_samples_split < 2)
		return "tree.min_samples_split: expected an integer >= 2";
	if (p->min_samples_leaf < 1)
		return "tree.min_samples_leaf: expected an integer >= 1";
	if (p->min_samples_split > UINT32_MAX || p->min_samples_leaf > UINT32_MAX)
		return "tree.min_samples_split / tree.min_samples_leaf: too large";
	if (!(p->min_impurity_decrease >= 0.0) || isinf(p->min_impurity_decrease))
		return "tree.min_impurity_decrease: expected a finite number >= 0";
	if (p->max_leaf_nodes == 1)
		return "tree.max_leaf_nodes: expected 0 (unlimited) or an integer >= 2";
	if (p->max_leaf_nodes > TREE_MAX_NODES)
		return "tree.max_leaf_nodes: too large";
	if (!(p->ccp_alpha >= 0.0) || isinf(p->ccp_alpha))
		return "tree.ccp_alpha: expected a finite number >= 0";
	if (!max_bins_ok(p->max_bins))
		return MAX_BINS_WHY;
	if (p->threads < 0 || p->threads > FT_THREADS_MAX)
		return "tree.threads: expected an integer from 0 (all cores) to " FT_STR(FT_THREADS_MAX);
	return NULL;
}

static void fit_free(struct fit *f)
{
	free(f->idx);
	free(f->tmp);
	pool_free(f->pool);
	free(f->nodes);
	for (size_t i = 0; i < f->nspare; i++)
		free(f->spare[i]);
	free(f->spare);
	for (size_t i = 0; i < f->nfront; i++)
		free(f->front[i].hist);
	free(f->front);
	free(f->cand[0]);
	free(f->cand[1]);
}

static int check_data(const struct dataset *d, struct ft_err *err)
{
	if (d->n == 0)
		return ft_fail(err, FT_EINPUT, "training data: no rows");
	if (d->nfeatures == 0)
		return ft_fail(err, FT_EINPUT, "training data: no features");
	if (d->n > IDX_ROW(UINT32_MAX))
		return ft_fail(err, FT_EINPUT, "training data: too many rows (%zu)", d->n);
	if (d->nfeatures > INT32_MAX / TREE_NARROW_BINS)
		return ft_fail(err, FT_EINPUT, "training data: too many features (%zu)",
			       d->nfeatures);
	for (size_t i = 0; i < d->n; i++) {
		if (d->y[i] > 1)
			return ft_fail(err, FT_EINPUT, "training data: row %zu: label %u is not 0 or 1",
				       i, (unsigned)d->y[i]);
		if (d->w && !(d->w[i] >= 0.0 && isfinite(d->w[i])))
			return ft_fail(err, FT_EINPUT,
				       "training data: row %zu: sample weight is not a finite number >= 0", i);
	}
	return 0;
}

/* Training data as bins, shared read-only by any number of fits. */
struct tree_bins {
	const struct dataset *d;
	int max_bins;
	struct binning bn;
};

void tree_bins_free(struct tree_bins *b)
{
	if (!b)
		return;
	binning_free(&b->bn, b->d->nfeatures);
	free(b);
}

struct tree_bins *tree_bins_new(const struct dataset *d, const char *const *feature_names,
				int max_bins, int threads, const struct ft_progress *prog,
				struct ft_err *err)
{
	if (!max_bins_ok(max_bins)) {
		ft_fail(err, FT_EINPUT, "%s", MAX_BINS_WHY);
		return NULL;
	}
	if (check_data(d, err) < 0)
		return NULL;
	size_t nf = d->nfeatures;
	struct tree_bins *b = xcalloc(1, sizeof *b);
	b->d = d;
	b->max_bins = max_bins;
	struct binning *bn = &b->bn;
	struct bin_job bj = { .d = d, .exact = max_bins, .quantiles = max_bins, .bn = bn,
			      .prog = prog };
	atomic_init(&bj.stopped, false);
	if (max_bins == 0) {
		bool small = d->n < TREE_AUTO_EXACT_ROWS;
		bj.exact = small ? TREE_MAX_BINS : TREE_NARROW_BINS;
		bj.quantiles = TREE_NARROW_BINS;
	}
	bn->wide = bj.exact > TREE_NARROW_BINS || bj.quantiles > TREE_NARROW_BINS;
	bn->B = xmalloc(d->n * nf * (bn->wide ? sizeof(uint16_t) : 1));
	bn->nbins = xcalloc(nf, sizeof *bn->nbins);
	bn->off = xcalloc(nf, sizeof *bn->off);
	bn->lo = xcalloc(nf, sizeof *bn->lo);
	bn->hi = xcalloc(nf, sizeof *bn->hi);
	bn->bad_row = xmalloc(nf * sizeof *bn->bad_row);

	ft_progress_report(prog, "train", 0, d->n);
	struct pool *pool = pool_new(threads > 0 ? threads : ft_threads());
	copy_plan(&bj);
	pool_run(pool, d->n * nf >= PARALLEL_MIN_WORK, bin_feature, &bj, nf);
	pool_free(pool);
	free(bj.src);
	free(bj.slot);
	if (atomic_load_explicit(&bj.stopped, memory_order_relaxed) || ft_cancelled(prog)) {
		ft_fail(err, FT_ECANCELLED, "training cancelled");
		goto fail;
	}
	for (size_t j = 0; j < nf; j++) {
		if (bn->bad_row[j] != SIZE_MAX) {
			ft_fail(err, FT_EINPUT, "training data: row %zu, feature %s: not a finite number",
				bn->bad_row[j], feature_names ? feature_names[j] : "?");
			goto fail;
		}
		bn->off[j] = bn->totbins;
		bn->totbins += (size_t)bn->nbins[j];
	}
	if (bn->wide)
		binning_narrow(bn, d->n, nf);
	return b;
fail:
	tree_bins_free(b);
	return NULL;
}

struct tree *tree_fit_binned(const struct tree_bins *b, const char *const *feature_names,
			     const struct tree_params *p, const struct ft_progress *prog,
			     struct ft_err *err)
{
	const char *why = tree_check_params(p);
	if (why) {
		ft_fail(err, FT_EINPUT, "%s", why);
		return NULL;
	}
	if (p->max_bins != b->max_bins) {
		ft_fail(err, FT_EINPUT, "tree.max_bins: %d, but the data was binned with %d",
			p->max_bins, b->max_bins);
		return NULL;
	}
	const struct dataset *d = b->d;
	struct fit f = { .p = p, .n = d->n, .nf = d->nfeatures, .y = d->y, .w = d->w,
			 .nreal = d->nsynthetic < d->n ? d->n - d->nsynthetic : 0, .bn = &b->bn, .prog = prog, .best_first = p->max_leaf_nodes > 0 };
	atomic_init(&f.stopped, false);
	f.max_depth = p->max_depth > 0 ? p->max_depth : INT_MAX;
	f.pool = pool_new(p->threads > 0 ? p->threads : ft_threads());
	/* At least one: exact bins of many continuous features can make one
	 * node's histograms a sizeable share of the budget on their own. */
	f.max_kept = HIST_BUDGET / (b->bn.totbins * sizeof(struct hbin));
	if (f.max_kept < 1)
		f.max_kept = 1;
	f.idx = xmalloc(d->n * sizeof *f.idx);
	f.tmp = xmalloc(d->n * sizeof *f.tmp);
	for (size_t i = 0; i < d->n; i++)
		f.idx[i] = (uint32_t)i | (uint32_t)(d->y[i] != 0) << IDX_CLASS;
	f.cand[0] = xcalloc(f.nf, sizeof *f.cand[0]);
	f.cand[1] = xcalloc(f.nf, sizeof *f.cand[1]);
	ft_progress_report(prog, "train", 0, d->n);

	if (grow(&f, err) < 0) {
		fit_free(&f);
		return NULL;
	}
	/* Children come after their parent: sum the real rows upwards. */
	for (size_t i = f.nnodes; i-- > 0;) {
		struct tree_node *nd = &f.nodes[i];
		if (nd->left == TREE_LEAF)
			continue;
		for (int c = 0; c < 2; c++)
			nd->real[c] = f.nodes[nd->left].real[c] + f.nodes[nd->right].real[c];
	}

	size_t nn;
	struct tree_node *nodes = preorder(f.nodes, f.nnodes, NULL, &nn);
	if (p->ccp_alpha > 0.0 && nn > 1) {
		size_t np;
		struct tree_node *pruned = prune(nodes, nn, p->ccp_alpha, &np);
		free(nodes);
		nodes = pruned;
		nn = np;
	}
	for (size_t i = 0; i < nn; i++)
		nodes[i].samples = nodes[i].count[0] + nodes[i].count[1];

	struct tree *t = xcalloc(1, sizeof *t);
	t->nodes = xreallocarray(nodes, nn, sizeof *nodes);
	t->nnodes = nn;
	t->nfeatures = f.nf;
	t->feature_names = xcalloc(f.nf, sizeof *t->feature_names);
	for (size_t j = 0; j < f.nf; j++)
		t->feature_names[j] = feature_names && feature_names[j]
			? xstrdup(feature_names[j]) : xasprintf("x%zu", j);
	t->importance = xcalloc(f.nf, sizeof *t->importance);
	tree_importance(t->nodes, nn, f.nf, t->importance);
	t->params = *p;
	if (d->prior[0] + d->prior[1])
		tree_set_prior(t, d->prior[0], d->prior[1]);
	else
		tree_set_prior(t, t->nodes[0].real[0], t->nodes[0].real[1]);
	fit_free(&f);
	return t;
}

struct tree *tree_fit(const struct dataset *d, const char *const *feature_names,
		      const struct tree_params *p, const struct ft_progress *prog,
		      struct ft_err *err)
{
	const char *why = tree_check_params(p);
	if (why) {
		ft_fail(err, FT_EINPUT, "%s", why);
		return NULL;
	}
	struct tree_bins *b = tree_bins_new(d, feature_names, p->max_bins, p->threads, prog, err);
	if (!b)
		return NULL;
	struct tree *t = tree_fit_binned(b, feature_names, p, prog, err);
	tree_bins_free(b);
	return t;
}

void tree_free(struct tree *t)
{
	if (!t)
		return;
	if (t->feature_names)
		for (size_t j = 0; j < t->nfeatures; j++)
			free(t->feature_names[j]);
	free(t->feature_names);
	free(t->importance);
	free(t->nodes);
	free(t);
}

/* ---------------------------------------------------------------------
 * Prediction. */

int32_t tree_leaf(const struct tree *t, const float *x)
{
	int32_t i = 0;
	while (t->nodes[i].left != TREE_LEAF) {
		const struct tree_node *nd = &t->nodes[i];
		i = (double)x[nd->feature] <= nd->threshold ? nd->left : nd->right;
	}
	return i;
}

double tree_node_proba(const struct tree_node *n)
{
	double w = n->value[0] + n->value[1];
	return w > 0.0 ? n->value[1] / w : 0.0;
}

double tree_node_probability(const struct tree *t, const struct tree_node *n)
{
	double c = t->probability_odds;
	if (c == 1.0)
		return tree_node_proba(n);
	double a = c * n->value[1], w = a + n->value[0];
	return w > 0.0 ? a / w : 0.0;
}

void tree_set_prior(struct tree *t, uint64_t neg, uint64_t pos)
{
	const struct tree_node *root = &t->nodes[0];
	t->probability_odds = 1.0;
	if (neg == 0 || pos == 0 || !(root->value[0] > 0.0) || !(root->value[1] > 0.0))
		return;
	double real = (double)pos / (double)neg, grown = root->value[1] / root->value[0];
	if (real != grown)
		t->probability_odds = real / grown;
}

void tree_predict_both(const struct tree *t, const struct dataset *d, double *score,
		       double *prob)
{
	size_t n = d->n;
	for (size_t i = 0; i < n; i++) {
		int32_t k = 0;
		size_t row = dataset_row(d, i);
		while (t->nodes[k].left != TREE_LEAF) {
			const struct tree_node *nd = &t->nodes[k];
			k = (double)dataset_x(d, (size_t)nd->feature, row) <= nd->threshold
				? nd->left : nd->right;
		}
		if (score)
			score[i] = tree_node_proba(&t->nodes[k]);
		if (prob)
			prob[i] = tree_node_probability(t, &t->nodes[k]);
	}
}

double tree_predict_row(const struct tree *t, const float *x)
{
	return tree_node_proba(&t->nodes[tree_leaf(t, x)]);
}

void tree_predict(const struct tree *t, const struct dataset *d, double *proba)
{
	size_t n = d->n;
	for (size_t i = 0; i < n; i++) {
		int32_t k = 0;
		size_t row = dataset_row(d, i);
		while (t->nodes[k].left != TREE_LEAF) {
			const struct tree_node *nd = &t->nodes[k];
			k = (double)dataset_x(d, (size_t)nd->feature, row) <= nd->threshold
				? nd->left : nd->right;
		}
		proba[i] = tree_node_proba(&t->nodes[k]);
	}
}

size_t tree_path(const struct tree *t, const float *x, int32_t *path, size_t max)
{
	size_t len = 0;
	int32_t i = 0;
	for (;;) {
		if (len < max)
			path[len] = i;
		len++;
		const struct tree_node *nd = &t->nodes[i];
		if (nd->left == TREE_LEAF)
			return len;
		i = (double)x[nd->feature] <= nd->threshold ? nd->left : nd->right;
	}
}

int tree_depth(const struct tree *t)
{
	int d = 0;
	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].depth > d)
			d = t->nodes[i].depth;
	return d;
}

size_t tree_leaves(const struct tree *t)
{
	size_t k = 0;
	for (size_t i = 0; i < t->nnodes; i++)
		k += t->nodes[i].left == TREE_LEAF;
	return k;
}
