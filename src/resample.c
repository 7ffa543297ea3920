/* resample: rebalancing the training split.
 *
 * Invariants: only the training split is ever resampled; every random
 * choice draws from ft_rng seeded by split.seed, on a stream of its own
 * (not the split's), so equal inputs give equal resampled datasets;
 * synthetic samples and copies are appended after the real ones. */
#include "config.h"
#include "resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SMOTE_K 5
#define SMOTE_MAX_REFERENCE 5000
#define SMOTE_CANCEL_STRIDE 64      /* queries: each scans the reference set */

/* Fails with FT_ECANCELLED; returns -1. */
static int cancelled(struct ft_err *err)
{
	return ft_fail(err, FT_ECANCELLED, "cancelled");
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* Replace d's samples by the list `pick` (indices into d, in the order
 * wanted, possibly repeated). Cancelled, d is left as it was. */
static int rebuild(struct dataset *d, const size_t *pick, size_t n,
		   const struct ft_progress *prog, struct ft_err *err)
{
	size_t nb = d->nbytes, nx = d->nfeatures - nb;
	float *X = xmalloc((n && nx ? n * nx : 1) * sizeof *X);
	uint8_t *B = d->B ? xmalloc(n && nb ? n * nb : 1) : NULL;
	for (size_t c = 0; c < nx + nb; c++) {
		if (ft_cancelled(prog)) {
			free(X);
			free(B);
			return cancelled(err);
		}
		if (c < nx) {
			const float *src = d->X + c * d->n;
			float *dst = X + c * n;
			for (size_t i = 0; i < n; i++)
				dst[i] = src[pick[i]];
		} else {
			const uint8_t *src = d->B + (c - nx) * d->n;
			uint8_t *dst = B + (c - nx) * n;
			for (size_t i = 0; i < n; i++)
				dst[i] = src[pick[i]];
		}
	}
	uint8_t *y = xmalloc(n);
	size_t *rows = xmalloc(n * sizeof *rows);
	double *w = d->w ? xmalloc(n * sizeof *w) : NULL;
	for (size_t i = 0; i < n; i++) {
		y[i] = d->y[pick[i]];
		rows[i] = d->rows ? d->rows[pick[i]] : pick[i];
		if (w)
			w[i] = d->w[pick[i]];
	}
	free(d->X);
	free(d->B);
	free(d->y);
	free(d->rows);
	free(d->w);
	d->X = X;
	d->B = B;
	d->y = y;
	d->rows = rows;
	d->w = w;
	d->n = n;
	return 0;
}

/* SMOTE neighbour search: for each query (a minority sample used as a
 * base), the indices (into the reference set) of its k nearest reference
 * points, itself excluded, in standardised feature space. The reference set
 * is stored feature-major so the distance loop runs over reference points
 * and vectorises without reordering any sum. */
struct knn_job {
	const float *ref;        /* nf x nref, feature-major, standardised */
	size_t nref, nf, k;
	const float *mismatch;   /* per feature: 0 for a numeric one (squared
	                            difference), else what a differing value adds */
	const float *query;      /* nq x nf, row-major */
	const size_t *self;      /* per query: its index in ref, or SIZE_MAX */
	size_t *out;             /* nq x k */
	size_t begin, end;
	const struct ft_progress *prog;
	bool stopped;            /* cancelled before its last query */
};

static void *knn_worker(void *arg)
{
	struct knn_job *job = arg;
	size_t k = job->k, nref = job->nref;
	float *dist = xmalloc(nref * sizeof *dist);
	float *bestd = xmalloc(k * sizeof *bestd);
	for (size_t q = job->begin; q < job->end; q++) {
		if ((q - job->begin) % SMOTE_CANCEL_STRIDE == 0 && ft_cancelled(job->prog)) {
			job->stopped = true;
			break;
		}
		const float *x = job->query + q * job->nf;
		memset(dist, 0, nref * sizeof *dist);
		for (size_t f = 0; f < job->nf; f++) {
			const float *col = job->ref + f * nref;
			float xf = x[f], miss = job->mismatch ? job->mismatch[f] : 0.0f;
			if (miss != 0.0f) {
				for (size_t r = 0; r < nref; r++)
					dist[r] += xf != col[r] ? miss : 0.0f;
				continue;
			}
			for (size_t r = 0; r < nref; r++) {
				float diff = xf - col[r];
				dist[r] += diff * diff;
			}
		}
		size_t *best = job->out + q * k;
		size_t have = 0;
		for (size_t r = 0; r < nref; r++) {
			if (r == job->self[q] || (have == k && dist[r] >= bestd[k - 1]))
				continue;
			size_t pos = have < k ? have++ : k - 1;
			while (pos > 0 && bestd[pos - 1] > dist[r]) {
				bestd[pos] = bestd[pos - 1];
				best[pos] = best[pos - 1];
				pos--;
			}
			bestd[pos] = dist[r];
			best[pos] = r;
		}
		for (size_t i = have; i < k; i++)
			best[i] = have ? best[i % have] : job->self[q];
	}
	free(bestd);
	free(dist);
	return NULL;
}

/* False when cancelled: some neighbour lists are then unset. */
static bool knn_run(struct knn_job *proto, size_t nq)
{
	int nt = ft_threads();
	if ((size_t)nt > nq)
		nt = nq ? (int)nq : 1;
	struct knn_job *jobs = xcalloc((size_t)nt, sizeof *jobs);
	for (int w = 0; w < nt; w++) {
		jobs[w] = *proto;
		jobs[w].begin = nq * (size_t)w / (size_t)nt;
		jobs[w].end = nq * (size_t)(w + 1) / (size_t)nt;
	}
	ft_parallel(knn_worker, jobs, sizeof *jobs, (size_t)nt);
	bool complete = true;
	for (int w = 0; w < nt; w++)
		complete = complete && !jobs[w].stopped;
	free(jobs);
	return complete;
}

size_t *resample_categorical_groups(const struct recipe *r)
{
	size_t *g = xmalloc((r->nfeatures ? r->nfeatures : 1) * sizeof *g);
	for (size_t f = 0; f < r->nfeatures; f++) {
		const struct feature *ft = &r->features[f];
		switch (ft->kind) {
		case FEAT_ONEHOT:
			g[f] = 2 * ft->input;          /* one column, many features */
			break;
		case FEAT_FREQUENCY: case FEAT_ORDINAL:
			g[f] = 2 * ft->input;
			break;
		case FEAT_MISSING:
			g[f] = 2 * ft->input + 1;      /* apart from the column's own code */
			break;
		default:
			g[f] = RESAMPLE_NC_NUMERIC;
		}
	}
	return g;
}

/* SMOTE-NC's view of the features: the categorical columns (groups of
 * features), each feature's place in its group, and the numeric features
 * whose training values are all integers. */
struct nc_types {
	size_t ngroups;
	size_t *group;           /* per feature: group index, or RESAMPLE_NC_NUMERIC */
	size_t *pos;             /* per feature: its place in the group */
	size_t *size;            /* per group: how many features */
	bool *integral;          /* per feature */
};

static void nc_types_free(struct nc_types *t)
{
	free(t->group);
	free(t->pos);
	free(t->size);
	free(t->integral);
}

static void nc_types_init(struct nc_types *t, const struct dataset *d, const size_t *groups)
{
	size_t nf = d->nfeatures;
	memset(t, 0, sizeof *t);
	t->group = xmalloc((nf ? nf : 1) * sizeof *t->group);
	t->pos = xcalloc(nf ? nf : 1, sizeof *t->pos);
	t->size = xcalloc(nf ? nf : 1, sizeof *t->size);
	t->integral = xcalloc(nf ? nf : 1, sizeof *t->integral);
	for (size_t f = 0; f < nf; f++) {
		t->group[f] = RESAMPLE_NC_NUMERIC;
		if (!groups || groups[f] == RESAMPLE_NC_NUMERIC) {
			const float *col = d->X + f * d->n;
			bool whole = true;
			for (size_t i = 0; i < d->n && whole; i++)
				whole = col[i] == floorf(col[i]);
			t->integral[f] = whole;
			continue;
		}
		/* the groups of one column are adjacent features */
		size_t g = t->ngroups;
		for (size_t e = 0; e < f; e++)
			if (groups[e] == groups[f] && t->group[e] != RESAMPLE_NC_NUMERIC)
				g = t->group[e];
		if (g == t->ngroups)
			t->ngroups++;
		t->group[f] = g;
		t->pos[f] = t->size[g]++;
	}
}

/* The value of group g most frequent among the samples nb[0..k), ties to
 * the smallest: for a one-hot group the place of the feature that is 1
 * (size: none is), else the code itself. */
static float nc_vote(const struct dataset *d, const struct nc_types *t, size_t g,
		     const size_t *feats, const size_t *nb, size_t k)
{
	float best = 0;
	size_t best_n = 0;
	for (size_t a = 0; a < k; a++) {
		float v = (float)t->size[g];
		if (t->size[g] == 1) {
			v = d->X[feats[0] * d->n + nb[a]];
		} else {
			for (size_t p = 0; p < t->size[g]; p++)
				if (d->X[feats[p] * d->n + nb[a]] != 0.0f) {
					v = (float)p;
					break;
				}
		}
		size_t c = 0;
		for (size_t b = 0; b < k; b++) {
			float w = (float)t->size[g];
			if (t->size[g] == 1) {
				w = d->X[feats[0] * d->n + nb[b]];
			} else {
				for (size_t p = 0; p < t->size[g]; p++)
					if (d->X[feats[p] * d->n + nb[b]] != 0.0f) {
						w = (float)p;
						break;
					}
			}
			c += w == v;
		}
		if (c > best_n || (c == best_n && v < best)) {
			best = v;
			best_n = c;
		}
	}
	return best;
}

static int cmp_double_asc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Cancelled, d is left as it was. groups: resample_categorical_groups's, or
 * NULL when every feature is numeric (plain SMOTE, integers kept). */
static int smote(struct dataset *d, const size_t *groups, uint8_t minority, size_t nsynth,
		 struct ft_rng *rng, const struct ft_progress *prog, struct ft_err *err)
{
	size_t nf = d->nfeatures, n = d->n, nmin = 0;
	int rc = -1;
	size_t *refs = NULL, *ref_of = NULL;
	size_t *base = NULL, *qidx = NULL, *qmin = NULL, *nbr = NULL;
	size_t *sa = NULL, *sb = NULL;
	double *gap = NULL;
	float *X = NULL, *mismatch = NULL, *cat = NULL;
	size_t **gfeat = NULL;
	struct nc_types ty;
	dataset_all_floats(d);   /* SMOTE writes its points feature by feature */
	nc_types_init(&ty, d, groups);
	for (size_t i = 0; i < n; i++)
		nmin += d->y[i] == minority;
	size_t *mins = xmalloc(nmin * sizeof *mins);
	nmin = 0;
	for (size_t i = 0; i < n; i++)
		if (d->y[i] == minority)
			mins[nmin++] = i;

	/* Standardise by the training split's spread so that no feature's unit
	 * dominates the distance; constant features drop out. */
	double *scale = xcalloc(nf, sizeof *scale);
	for (size_t f = 0; f < nf; f++) {
		if (ft_cancelled(prog))
			goto done;
		const float *col = d->X + f * n;
		double sum = 0, sq = 0;
		for (size_t i = 0; i < n; i++)
			sum += col[i];
		double mean = sum / (double)n;
		for (size_t i = 0; i < n; i++)
			sq += ((double)col[i] - mean) * ((double)col[i] - mean);
		double sd = sqrt(sq / (double)n);
		scale[f] = sd > 0 && ty.group[f] == RESAMPLE_NC_NUMERIC ? 1.0 / sd : 0;
	}

	/* SMOTE-NC: a differing categorical column adds the square of the
	 * median, over the numeric features, of the minority rows' standard
	 * deviation (in the scaled units); a one-hot column differs in two
	 * features, so each carries half. */
	if (ty.ngroups) {
		double *sds = xmalloc((nf ? nf : 1) * sizeof *sds);
		size_t nsd = 0;
		for (size_t f = 0; f < nf; f++) {
			if (ty.group[f] != RESAMPLE_NC_NUMERIC || scale[f] == 0)
				continue;
			const float *col = d->X + f * n;
			double sum = 0, sq = 0;
			for (size_t i = 0; i < nmin; i++)
				sum += col[mins[i]] * scale[f];
			double mean = sum / (double)nmin;
			for (size_t i = 0; i < nmin; i++) {
				double v = col[mins[i]] * scale[f] - mean;
				sq += v * v;
			}
			sds[nsd++] = sqrt(sq / (double)nmin);
		}
		double med = 1.0;
		if (nsd) {
			qsort(sds, nsd, sizeof *sds, cmp_double_asc);
			med = nsd % 2 ? sds[nsd / 2] : (sds[nsd / 2 - 1] + sds[nsd / 2]) / 2.0;
		}
		free(sds);
		mismatch = xcalloc(nf ? nf : 1, sizeof *mismatch);
		for (size_t f = 0; f < nf; f++)
			if (ty.group[f] != RESAMPLE_NC_NUMERIC)
				mismatch[f] = (float)(med * med / (ty.size[ty.group[f]] > 1 ? 2.0 : 1.0));
		gfeat = xcalloc(ty.ngroups, sizeof *gfeat);
		for (size_t g = 0; g < ty.ngroups; g++)
			gfeat[g] = xmalloc(ty.size[g] * sizeof *gfeat[g]);
		for (size_t f = 0; f < nf; f++)
			if (ty.group[f] != RESAMPLE_NC_NUMERIC)
				gfeat[ty.group[f]][ty.pos[f]] = f;
	}

	/* Reference set: every minority sample, or a random subset of them when
	 * there are many (the neighbours are then approximate, the cost bounded). */
	size_t nref = nmin;
	refs = xmalloc(nmin * sizeof *refs);     /* ref index -> minority i */
	ref_of = xmalloc(nmin * sizeof *ref_of); /* minority i -> ref index */
	for (size_t i = 0; i < nmin; i++) {
		refs[i] = i;
		ref_of[i] = SIZE_MAX;
	}
	if (nmin > SMOTE_MAX_REFERENCE) {
		if (!rng_shuffle(rng, refs, nmin, prog))
			goto done;
		nref = SMOTE_MAX_REFERENCE;
		qsort(refs, nref, sizeof *refs, cmp_size);
	}
	for (size_t r = 0; r < nref; r++)
		ref_of[refs[r]] = r;

	/* Draw every base first: only the minority samples actually used need
	 * their neighbours. */
	base = xmalloc(nsynth * sizeof *base);
	qidx = xmalloc(nmin * sizeof *qidx);   /* minority i -> query index */
	qmin = xmalloc(nmin * sizeof *qmin);   /* query index -> minority i */
	for (size_t i = 0; i < nmin; i++)
		qidx[i] = SIZE_MAX;
	for (size_t s = 0; s < nsynth; s++) {
		base[s] = (size_t)rng_below(rng, nmin);
		qidx[base[s]] = 0;
	}
	size_t nq = 0;
	for (size_t i = 0; i < nmin; i++)
		if (qidx[i] != SIZE_MAX) {
			qidx[i] = nq;
			qmin[nq++] = i;
		}

	size_t k = nref > SMOTE_K ? SMOTE_K : (nref > 1 ? nref - 1 : 1);
	nbr = xmalloc(nq * k * sizeof *nbr);
	if (nref > 1) {
		float *refx = xmalloc(nref * nf * sizeof *refx);
		float *qx = xmalloc(nq * nf * sizeof *qx);
		size_t *self = xmalloc(nq * sizeof *self);
		for (size_t f = 0; f < nf; f++) {
			const float *col = d->X + f * n;
			/* categorical codes are compared as they are */
			double sc = mismatch && mismatch[f] != 0 ? 1.0 : scale[f];
			for (size_t r = 0; r < nref; r++)
				refx[f * nref + r] = (float)(col[mins[refs[r]]] * sc);
			for (size_t q = 0; q < nq; q++)
				qx[q * nf + f] = (float)(col[mins[qmin[q]]] * sc);
		}
		for (size_t q = 0; q < nq; q++)
			self[q] = ref_of[qmin[q]];
		struct knn_job proto = { refx, nref, nf, k, mismatch, qx, self, nbr, 0, 0, prog,
					 false };
		bool complete = knn_run(&proto, nq);
		free(refx);
		free(qx);
		free(self);
		if (!complete)
			goto done;
	}

	/* Each synthetic sample: base a, one of its k neighbours b, a point
	 * a + u (b - a) with u uniform in [0, 1). */
	sa = xmalloc(nsynth * sizeof *sa);
	sb = xmalloc(nsynth * sizeof *sb);
	gap = xmalloc(nsynth * sizeof *gap);
	for (size_t s = 0; s < nsynth; s++) {
		sa[s] = mins[base[s]];
		sb[s] = sa[s];
		if (nref > 1)
			sb[s] = mins[refs[nbr[qidx[base[s]] * k + (size_t)rng_below(rng, k)]]];
		gap[s] = rng_uniform(rng);
	}
	/* Each categorical column of a synthetic row: the vote of its base's
	 * neighbours (the base's own value when it has none). */
	if (ty.ngroups) {
		cat = xmalloc(nsynth * ty.ngroups * sizeof *cat);
		size_t *nb = xmalloc(k * sizeof *nb);
		for (size_t s = 0; s < nsynth; s++) {
			if (s % 4096 == 0 && ft_cancelled(prog)) {
				free(nb);
				goto done;
			}
			size_t m = 1;
			nb[0] = sa[s];
			if (nref > 1) {
				for (size_t j = 0; j < k; j++)
					nb[j] = mins[refs[nbr[qidx[base[s]] * k + j]]];
				m = k;
			}
			for (size_t g = 0; g < ty.ngroups; g++)
				cat[s * ty.ngroups + g] = nc_vote(d, &ty, g, gfeat[g], nb, m);
		}
		free(nb);
	}
	size_t total = n + nsynth;
	X = xmalloc(total * nf * sizeof *X);
	for (size_t f = 0; f < nf; f++) {
		if (ft_cancelled(prog))
			goto done;
		const float *src = d->X + f * n;
		float *dst = X + f * total;
		memcpy(dst, src, n * sizeof *dst);
		size_t g = ty.group[f];
		if (g != RESAMPLE_NC_NUMERIC) {
			bool onehot = ty.size[g] > 1;
			for (size_t s = 0; s < nsynth; s++) {
				float v = cat[s * ty.ngroups + g];
				dst[n + s] = onehot ? (v == (float)ty.pos[f] ? 1.0f : 0.0f) : v;
			}
			continue;
		}
		for (size_t s = 0; s < nsynth; s++) {
			double xa = src[sa[s]], xb = src[sb[s]];
			double v = xa + gap[s] * (xb - xa);
			/* between two integers, the nearest integer stays between them */
			dst[n + s] = (float)(ty.integral[f] ? round(v) : v);
		}
	}
	free(d->X);
	d->X = X;
	X = NULL;
	d->y = xrealloc(d->y, total);
	memset(d->y + n, minority, nsynth);
	size_t *rows = xmalloc(total * sizeof *rows);
	for (size_t i = 0; i < n; i++)
		rows[i] = d->rows ? d->rows[i] : i;
	for (size_t s = 0; s < nsynth; s++)
		rows[n + s] = SIZE_MAX;
	free(d->rows);
	d->rows = rows;
	if (d->w) {
		d->w = xreallocarray(d->w, total, sizeof *d->w);
		for (size_t s = 0; s < nsynth; s++)
			d->w[n + s] = 1;
	}
	d->n = total;
	d->nsynthetic += nsynth;
	rc = 0;
done:
	if (rc < 0)
		cancelled(err);
	if (gfeat)
		for (size_t g = 0; g < ty.ngroups; g++)
			free(gfeat[g]);
	free(gfeat);
	free(cat);
	free(mismatch);
	nc_types_free(&ty);
	free(X);
	free(sa);
	free(sb);
	free(gap);
	free(nbr);
	free(qmin);
	free(qidx);
	free(base);
	free(ref_of);
	free(refs);
	free(scale);
	free(mins);
	return rc;
}

int resample_plan(const uint8_t *y, size_t n, const struct settings *s,
		  struct resample_plan *out, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	out->method = s->resample;
	out->n = n;
	out->weight[0] = out->weight[1] = 1;
	size_t cnt[2] = {0, 0};
	for (size_t i = 0; i < n; i++)
		cnt[y[i] ? 1 : 0]++;
	out->before[0] = out->after[0] = cnt[0];
	out->before[1] = out->after[1] = cnt[1];
	out->minority = 1;
	if (s->resample == RESAMPLE_NONE)
		return 0;
	double ratio = s->resample_ratio;
	if (!(ratio > 0 && ratio <= 1))
		return ft_fail(err, FT_EINPUT, "resample.ratio: must be in (0, 1]");
	if (cnt[0] == 0 || cnt[1] == 0)
		return ft_fail(err, FT_EINPUT, "resample.method: %s needs both classes in the "
			       "training split, which has %zu and %zu",
			       resample_name(s->resample), cnt[0], cnt[1]);
	/* Ties: fraud (1) counts as the minority. */
	uint8_t minority = cnt[1] <= cnt[0] ? 1 : 0, majority = 1 - minority;
	size_t nmin = cnt[minority], nmaj = cnt[majority];
	out->minority = minority;
	struct ft_rng *rng = &out->rng;
	rng_seed(rng, s->split_seed ^ 0x5245534d504c45ULL);   /* own stream, not the split's */

	switch (s->resample) {
	case RESAMPLE_NONE:
		return 0;
	case RESAMPLE_CLASS_WEIGHT:
		/* Balanced weights n / (2 n_c), then the minority weight scaled so
		 * that its total weight is `ratio` times the majority's. */
		out->weight[majority] = (double)n / (2.0 * (double)nmaj);
		out->weight[minority] = ratio * (double)n / (2.0 * (double)nmin);
		return 0;
	case RESAMPLE_UNDER: {
		size_t keep = (size_t)llround((double)nmin / ratio);
		if (keep < 1)
			keep = 1;
		if (keep >= nmaj)
			return 0;
		size_t *maj = xmalloc(nmaj * sizeof *maj);
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (y[i] == majority)
				maj[m++] = i;
		/* partial Fisher-Yates: the first `keep` are a uniform sample */
		for (size_t i = 0; i < keep; i++) {
			size_t j = i + (size_t)rng_below(rng, nmaj - i);
			size_t t = maj[i];
			maj[i] = maj[j];
			maj[j] = t;
		}
		bool *take = xcalloc(n, sizeof *take);
		for (size_t i = 0; i < keep; i++)
			take[maj[i]] = true;
		size_t *pick = xmalloc((nmin + keep) * sizeof *pick);
		size_t np = 0;
		for (size_t i = 0; i < n; i++)
			if (y[i] == minority || take[i])
				pick[np++] = i;
		free(take);
		free(maj);
		out->pick = pick;
		out->npick = np;
		out->after[majority] = keep;
		return 0;
	}
	case RESAMPLE_OVER:
	case RESAMPLE_SMOTE: {
		size_t want = (size_t)llround(ratio * (double)nmaj);
		if (want <= nmin)
			return 0;
		size_t add = want - nmin;
		out->nsynthetic = add;
		out->after[minority] += add;
		if (s->resample == RESAMPLE_SMOTE)
			return 0;
		size_t *mins = xmalloc(nmin * sizeof *mins);
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (y[i] == minority)
				mins[m++] = i;
		size_t *pick = xmalloc((n + add) * sizeof *pick);
		for (size_t i = 0; i < n; i++)
			pick[i] = i;
		for (size_t i = 0; i < add; i++)
			pick[n + i] = mins[rng_below(rng, nmin)];
		free(mins);
		out->pick = pick;
		out->npick = n + add;
		return 0;
	}
	case RESAMPLE_COUNT:
		break;
	}
	return 0;
}

void resample_plan_free(struct resample_plan *p)
{
	if (!p)
		return;
	free(p->pick);
	p->pick = NULL;
	p->npick = 0;
}

int resample_carry_out(struct dataset *d, const struct resample_plan *p,
		       const struct recipe *r, const struct ft_progress *prog,
		       struct ft_err *err)
{
	switch (p->method) {
	case RESAMPLE_NONE:
		return 0;
	case RESAMPLE_CLASS_WEIGHT:
		if (!d->w) {
			d->w = xmalloc(d->n * sizeof *d->w);
			for (size_t i = 0; i < d->n; i++)
				d->w[i] = 1;
		}
		for (size_t i = 0; i < d->n; i++)
			d->w[i] *= p->weight[d->y[i] ? 1 : 0];
		return 0;
	case RESAMPLE_UNDER:
	case RESAMPLE_OVER: {
		if (!p->pick)
			return 0;
		int rc = rebuild(d, p->pick, p->npick, prog, err);
		if (rc == 0 && p->method == RESAMPLE_OVER)
			d->nsynthetic += p->nsynthetic;
		return rc;
	}
	case RESAMPLE_SMOTE: {
		if (!p->nsynthetic)
			return 0;
		struct ft_rng rng = p->rng;
		size_t *groups = r ? resample_categorical_groups(r) : NULL;
		int rc = smote(d, groups, p->minority, p->nsynthetic, &rng, prog, err);
		free(groups);
		return rc;
	}
	case RESAMPLE_COUNT:
		break;
	}
	return 0;
}

int resample_apply(struct dataset *d, const struct settings *s,
		   const struct recipe *r, const struct ft_progress *prog,
		   struct ft_err *err)
{
	if (s->resample == RESAMPLE_NONE)
		return 0;
	if (ft_cancelled(prog))
		return cancelled(err);
	struct resample_plan p;
	if (resample_plan(d->y, d->n, s, &p, err) < 0)
		return -1;
	if (d->prior[0] + d->prior[1] == 0) {
		d->prior[0] = p.before[0];
		d->prior[1] = p.before[1];
	}
	int rc = resample_carry_out(d, &p, r, prog, err);
	resample_plan_free(&p);
	return rc;
}
