/* recipe_apply: features from a fitted recipe, for frame rows and for raw
 * CSV rows.
 *
 * Invariant: recipe_apply and recipe_apply_row compute the same features
 * from the same input (a frame cell and its raw text), so a model scores a
 * CSV exactly as it scored its test split. */
#include "config.h"
#include "recipe_apply.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows between two looks at the cancel flag: well under a millisecond of
 * work, and rare enough to cost nothing. */
#define CANCEL_STRIDE 4096

/* Fails with FT_ECANCELLED; returns -1. */
static int cancelled(struct ft_err *err)
{
	return ft_fail(err, FT_ECANCELLED, "cancelled");
}

/* Level lookup by text: open addressing over the recipe's dictionary. */
struct level_table {
	uint32_t *slot;      /* level index + 1; 0 = empty */
	size_t mask;
	size_t *len;
	const char *const *text;
	size_t maxlen;       /* longest entry: longer text cannot match */
};

struct recipe_row_ctx {
	const struct recipe *r;
	struct level_table *tables;   /* per input (categorical only) */
	struct level_table na;        /* the loader's NA strings and the recipe's */
	const char **na_text;
	size_t *fill_idx;             /* per input: index of fill_level, nlevels if unseen */
	double *val;                  /* per input: imputed numeric value */
	size_t *idx;                  /* per input: imputed level index */
	bool *missing;                /* per input */
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static void table_build(struct level_table *t, const char *const *levels, size_t n)
{
	size_t cap = 8;
	while (cap < 2 * n)
		cap *= 2;
	t->slot = xcalloc(cap, sizeof *t->slot);
	t->mask = cap - 1;
	t->text = levels;
	t->len = xcalloc(n, sizeof *t->len);
	for (size_t k = 0; k < n; k++) {
		t->len[k] = strlen(levels[k]);
		if (t->len[k] > t->maxlen)
			t->maxlen = t->len[k];
		/* A text already present keeps its first index (what table_find
		 * returned before) and is not inserted again: repeated texts, such
		 * as a --na-values list of one string many times, would otherwise
		 * pile up on one probe chain and cost quadratic time. */
		size_t h = (size_t)hash_bytes(levels[k], t->len[k]) & t->mask;
		bool seen = false;
		while (t->slot[h] && !seen) {
			size_t j = t->slot[h] - 1;
			seen = t->len[j] == t->len[k] && memcmp(levels[j], levels[k], t->len[k]) == 0;
			if (!seen)
				h = (h + 1) & t->mask;
		}
		if (!seen)
			t->slot[h] = (uint32_t)(k + 1);
	}
}

/* Level index of text, or `none` when not in the dictionary. */
static size_t table_find(const struct level_table *t, const char *s, size_t n, size_t none)
{
	if (n > t->maxlen)
		return none;
	size_t h = (size_t)hash_bytes(s, n) & t->mask;
	while (t->slot[h]) {
		size_t k = t->slot[h] - 1;
		if (t->len[k] == n && memcmp(t->text[k], s, n) == 0)
			return k;
		h = (h + 1) & t->mask;
	}
	return none;
}

bool recipe_parse_value(const struct recipe_input *in, const char *s, size_t len,
			double *out)
{
	bool ok = in->type == COL_DATETIME ?
		parse_datetime(s, len, in->date_order, out) ||
		(in->date_order != DATE_ISO && parse_datetime(s, len, DATE_ISO, out)) :
		parse_number(s, len, out);
	return ok && !isnan(*out);
}

struct recipe_row_ctx *recipe_row_ctx_new(const struct recipe *r)
{
	struct recipe_row_ctx *c = xcalloc(1, sizeof *c);
	size_t n = r->ninputs;
	c->r = r;
	c->tables = xcalloc(n, sizeof *c->tables);
	c->fill_idx = xcalloc(n, sizeof *c->fill_idx);
	c->val = xcalloc(n, sizeof *c->val);
	c->idx = xcalloc(n, sizeof *c->idx);
	c->missing = xcalloc(n, sizeof *c->missing);
	/* The same test as frame_is_na_text (exact text, no trimming), as one
	 * hash lookup instead of a scan of every NA string per cell. */
	size_t nna = frame_na_ndefaults + r->nna_values;
	c->na_text = xcalloc(nna, sizeof *c->na_text);
	for (size_t i = 0; i < frame_na_ndefaults; i++)
		c->na_text[i] = frame_na_defaults[i];
	for (size_t i = 0; i < r->nna_values; i++)
		c->na_text[frame_na_ndefaults + i] = r->na_values[i];
	table_build(&c->na, c->na_text, nna);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct recipe_input *in = &r->inputs[i];
		if (in->type != COL_CATEGORICAL)
			continue;
		table_build(&c->tables[i], (const char *const *)in->levels, in->nlevels);
		const char *fill = in->fill_level ? in->fill_level : "";
		c->fill_idx[i] = table_find(&c->tables[i], fill, strlen(fill), in->nlevels);
	}
	return c;
}

void recipe_row_ctx_free(struct recipe_row_ctx *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->r->ninputs; i++) {
		free(c->tables[i].slot);
		free(c->tables[i].len);
	}
	free(c->tables);
	free(c->na.slot);
	free(c->na.len);
	free(c->na_text);
	free(c->fill_idx);
	free(c->val);
	free(c->idx);
	free(c->missing);
	free(c);
}

/* The value of one feature from its input's imputed state. */
static float feature_value(const struct recipe_input *in, const struct feature *ft,
			   double val, size_t idx, bool missing)
{
	switch (ft->kind) {
	case FEAT_NUMERIC:
		return (float)val;
	case FEAT_ONEHOT:
		return idx == ft->level ? 1.0f : 0.0f;
	case FEAT_FREQUENCY:
		return idx < in->nlevels ? (float)in->freq[idx] : 0.0f;
	case FEAT_ORDINAL:
		return (float)(idx < in->nlevels ? idx : in->nlevels);
	case FEAT_DT_HOUR:
	case FEAT_DT_DAY_OF_WEEK:
	case FEAT_DT_DAY:
	case FEAT_DT_MONTH:
		return recipe_datetime_part(ft->kind, val);
	case FEAT_MISSING:
		return missing ? 1.0f : 0.0f;
	}
	return 0;
}

void recipe_apply_row(struct recipe_row_ctx *c, const char *const *fields,
		      const size_t *lens, float *x)
{
	const struct recipe *r = c->r;
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct recipe_input *in = &r->inputs[i];
		const char *s = fields[i];
		size_t len = s ? lens[i] : 0;
		bool miss = !s || len == 0 || table_find(&c->na, s, len, SIZE_MAX) != SIZE_MAX;
		if (in->type == COL_CATEGORICAL) {
			c->idx[i] = miss ? c->fill_idx[i] :
				table_find(&c->tables[i], s, len, in->nlevels);
		} else {
			double v = NAN;
			if (!miss && !recipe_parse_value(in, s, len, &v))
				miss = true;
			c->val[i] = miss ? in->fill_value : v;
		}
		c->missing[i] = miss;
	}
	for (size_t j = 0; j < r->nfeatures; j++) {
		const struct feature *ft = &r->features[j];
		size_t i = ft->input;
		x[j] = feature_value(&r->inputs[i], ft, c->val[i], c->idx[i], c->missing[i]);
	}
}

/* Per frame code: the recipe level index (nlevels when unseen). */
static size_t *map_codes(const struct recipe_row_ctx *ctx, size_t input, const struct column *c)
{
	const struct recipe_input *in = &ctx->r->inputs[input];
	size_t *map = xcalloc(c->nlevels, sizeof *map);
	for (uint32_t k = 0; k < c->nlevels; k++)
		map[k] = table_find(&ctx->tables[input], c->levels[k], strlen(c->levels[k]),
				    in->nlevels);
	return map;
}

/* One input's features as output columns of a column-major matrix of n
 * rows: feature `feats[m]` goes to the float column `cols[m]`, or when that
 * is NULL to the byte column `bytes[m]` (recipe_byte_feature). */
struct input_out {
	const struct feature *const *feats;
	float *const *cols;
	uint8_t *const *bytes;
	size_t m;
	size_t n;
};

/* The features whose values are only ever 0 or 1 are stored as bytes. */
static bool byte_feature(const struct feature *ft)
{
	return ft->kind == FEAT_ONEHOT || ft->kind == FEAT_MISSING;
}

/* A categorical input: each row's level index (nlevels when unseen) is
 * found once, from the frame's codes mapped to recipe levels once per
 * column (or from the text of a cell that is not categorical in f); every
 * feature of the input is then filled in the same pass, one-hot columns
 * by setting the one level a row holds. False when cancelled part way. */
static bool apply_categorical(const struct recipe_row_ctx *ctx, size_t input,
			      const struct column *c, const size_t *rows,
			      const struct input_out *o, const struct ft_progress *prog)
{
	const struct recipe_input *in = &ctx->r->inputs[input];
	size_t nl = in->nlevels, n = o->n;
	/* One-hot features form a chain per level: first[level] is the first
	 * feature the level sets, next[m] the following one (SIZE_MAX ends).
	 * Frequency and ordinal features become a value per level index
	 * (table[m]); `plain` lists them and the missing indicators. */
	float **table = xcalloc(o->m, sizeof *table);
	size_t *first = xmalloc((nl + 1) * sizeof *first);
	size_t *next = xmalloc(o->m * sizeof *next);
	size_t *plain = xmalloc(o->m * sizeof *plain), nplain = 0;
	for (size_t k = 0; k <= nl; k++)
		first[k] = SIZE_MAX;
	for (size_t m = o->m; m-- > 0;) {
		const struct feature *ft = o->feats[m];
		if (ft->kind == FEAT_ONEHOT) {
			memset(o->bytes[m], 0, n);
			next[m] = first[ft->level];
			first[ft->level] = m;
			continue;
		}
		plain[nplain++] = m;
		if (ft->kind == FEAT_MISSING)
			continue;
		table[m] = xmalloc((nl + 1) * sizeof *table[m]);
		for (size_t k = 0; k <= nl; k++)
			table[m][k] = feature_value(in, ft, 0, k, false);
	}
	size_t *map = c->type == COL_CATEGORICAL ? map_codes(ctx, input, c) : NULL;
	char buf[64];
	bool stopped = false;
	for (size_t i = 0; i < n; i++) {
		if (i % CANCEL_STRIDE == 0 && ft_cancelled(prog)) {
			stopped = true;
			break;
		}
		size_t idx;
		bool miss;
		if (map) {
			uint32_t code = c->codes[rows[i]];
			miss = code == FRAME_NA_CODE || code >= c->nlevels;
			idx = miss ? ctx->fill_idx[input] : map[code];
		} else {
			double v = c->num[rows[i]];
			miss = isnan(v);
			if (miss) {
				idx = ctx->fill_idx[input];
			} else {
				fmt_double(buf, v);
				idx = table_find(&ctx->tables[input], buf, strlen(buf), nl);
			}
		}
		for (size_t m = first[idx]; m != SIZE_MAX; m = next[m])
			o->bytes[m][i] = 1;
		for (size_t p = 0; p < nplain; p++) {
			size_t m = plain[p];
			if (table[m])
				o->cols[m][i] = table[m][idx];
			else
				o->bytes[m][i] = miss;
		}
	}
	free(map);
	for (size_t m = 0; m < o->m; m++)
		free(table[m]);
	free(table);
	free(plain);
	free(next);
	free(first);
	return !stopped;
}

/* A numeric or datetime input: the cells' values (NAN when missing) are
 * gathered once into `raw`, then each feature is one pass over them.
 * False when cancelled part way. */
static bool apply_numeric(const struct recipe_input *in, const struct column *c,
			  const size_t *rows, const struct input_out *o, double *raw,
			  const struct ft_progress *prog)
{
	size_t n = o->n;
	if (c->type == COL_CATEGORICAL) {
		/* the text decides, as in recipe_apply_row */
		double *lv = xcalloc(c->nlevels, sizeof *lv);
		for (uint32_t k = 0; k < c->nlevels; k++) {
			const char *t = c->levels[k];
			if (!recipe_parse_value(in, t, strlen(t), &lv[k]))
				lv[k] = NAN;
		}
		for (size_t i = 0; i < n; i++) {
			uint32_t code = c->codes[rows[i]];
			raw[i] = code == FRAME_NA_CODE || code >= c->nlevels ? NAN : lv[code];
		}
		free(lv);
	} else {
		for (size_t i = 0; i < n; i++)
			raw[i] = c->num[rows[i]];
	}
	double fill = in->fill_value;
	for (size_t m = 0; m < o->m; m++) {
		if (ft_cancelled(prog))
			return false;
		enum feature_kind kind = o->feats[m]->kind;
		float *col = o->cols[m];
		if (kind == FEAT_MISSING) {
			uint8_t *b = o->bytes[m];
			for (size_t i = 0; i < n; i++)
				b[i] = isnan(raw[i]);
			continue;
		}
		switch (kind) {
		case FEAT_NUMERIC:
			for (size_t i = 0; i < n; i++)
				col[i] = (float)(isnan(raw[i]) ? fill : raw[i]);
			break;
		default:
			for (size_t i = 0; i < n; i++)
				col[i] = feature_value(in, o->feats[m], isnan(raw[i]) ? fill : raw[i],
						       0, false);
			break;
		}
	}
	return true;
}

void recipe_dataset_alloc(const struct recipe *r, size_t n, struct dataset *d)
{
	memset(d, 0, sizeof *d);
	d->n = n;
	d->nfeatures = r->nfeatures;
	d->slot = xmalloc((r->nfeatures ? r->nfeatures : 1) * sizeof *d->slot);
	size_t nfloats = 0;
	for (size_t j = 0; j < r->nfeatures; j++) {
		if (byte_feature(&r->features[j]))
			d->slot[j] = DATASET_BYTE | (uint32_t)d->nbytes++;
		else
			d->slot[j] = (uint32_t)nfloats++;
	}
	d->X = xmalloc((n && nfloats ? n * nfloats : 1) * sizeof *d->X);
	d->B = xmalloc(n && d->nbytes ? n * d->nbytes : 1);
	d->y = xcalloc(n ? n : 1, 1);
	d->rows = xmalloc((n ? n : 1) * sizeof *d->rows);
}

void recipe_dataset_touch(struct dataset *d)
{
	size_t nfloats = d->nfeatures - d->nbytes;
	memset(d->X, 0, (d->n && nfloats ? d->n * nfloats : 1) * sizeof *d->X);
	memset(d->B, 0, d->n && d->nbytes ? d->n * d->nbytes : 1);
	memset(d->y, 0, d->n ? d->n : 1);
	memset(d->rows, 0, (d->n ? d->n : 1) * sizeof *d->rows);
}

int recipe_apply(const struct recipe *r, const struct frame *f,
		 const struct target_info *t, const size_t *rows, size_t n,
		 const struct ft_progress *prog, struct dataset *d, struct ft_err *err)
{
	recipe_dataset_alloc(r, n, d);
	return recipe_apply_into(r, f, t, rows, prog, d, err);
}

int recipe_apply_into(const struct recipe *r, const struct frame *f,
		      const struct target_info *t, const size_t *rows,
		      const struct ft_progress *prog, struct dataset *d, struct ft_err *err)
{
	size_t n = d->n;
	int *cols = xcalloc(r->ninputs + 1, sizeof *cols);
	for (size_t i = 0; i < r->ninputs; i++) {
		cols[i] = frame_find(f, r->inputs[i].name);
		if (cols[i] < 0) {
			free(cols);
			dataset_free(d);
			return ft_fail(err, FT_EINPUT, "%s: no column '%s', which the model uses",
				       f->path ? f->path : "data", r->inputs[i].name);
		}
	}
	for (size_t i = 0; i < n; i++) {
		d->rows[i] = rows[i];
		if (t && t->y && t->y[rows[i]] != 255)
			d->y[i] = t->y[rows[i]];
	}

	struct recipe_row_ctx *ctx = recipe_row_ctx_new(r);
	const struct feature **feats = xcalloc(r->nfeatures + 1, sizeof *feats);
	float **out = xcalloc(r->nfeatures + 1, sizeof *out);
	uint8_t **bout = xcalloc(r->nfeatures + 1, sizeof *bout);
	double *raw = NULL;
	int rc = 0;
	for (size_t i = 0; i < r->ninputs; i++) {
		/* an input's features need not be contiguous in a recipe read
		 * from a file, so look at all of them */
		size_t m = 0;
		for (size_t j = 0; j < r->nfeatures; j++)
			if (r->features[j].input == i) {
				feats[m] = &r->features[j];
				uint32_t s = d->slot[j];
				out[m] = s & DATASET_BYTE ? NULL : d->X + (size_t)s * n;
				bout[m++] = s & DATASET_BYTE ? d->B + (size_t)(s - DATASET_BYTE) * n
							     : NULL;
			}
		if (m == 0)
			continue;
		struct input_out o = { feats, out, bout, m, n };
		const struct column *c = &f->cols[cols[i]];
		bool done;
		if (r->inputs[i].type == COL_CATEGORICAL) {
			done = apply_categorical(ctx, i, c, rows, &o, prog);
		} else {
			if (!raw)
				raw = xmalloc((n ? n : 1) * sizeof *raw);
			done = apply_numeric(&r->inputs[i], c, rows, &o, raw, prog);
		}
		if (!done) {
			rc = cancelled(err);
			dataset_free(d);
			break;
		}
	}
	free(raw);
	free(out);
	free(bout);
	free(feats);
	free(cols);
	recipe_row_ctx_free(ctx);
	return rc;
}

