/* prep: target resolution, the preprocessing recipe (imputation, encoding,
 * datetime parts, missing indicators), the stratified split and resampling.
 *
 * Invariants: a recipe is fitted on training rows only and never changes
 * afterwards; prep_apply and recipe_apply_row compute the same features from
 * the same input (a frame cell and its raw text), so a model scores a CSV
 * exactly as it scored its test split. Categorical levels are kept in
 * sorted (strcmp) order, features in column order then level order, and
 * every random choice draws from ft_rng seeded by split.seed: equal inputs
 * give equal recipes, splits and resampled datasets. */
#include "config.h"
#include "prep.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "json.h"

#define RECIPE_FORMAT 1
#define ONEHOT_MAX_LEVELS 64
#define SMOTE_K 5
#define SMOTE_MAX_REFERENCE 5000
/* Rows between two looks at the cancel flag: well under a millisecond of
 * work, and rare enough to cost nothing. */
#define CANCEL_STRIDE 4096
#define SMOTE_CANCEL_STRIDE 64      /* queries: each scans the reference set */

void dataset_free(struct dataset *d)
{
	if (!d)
		return;
	free(d->X);
	free(d->y);
	free(d->w);
	free(d->rows);
	free(d->amount);
	memset(d, 0, sizeof *d);
}

/* Fails with FT_ECANCELLED; returns -1. */
static int cancelled(struct ft_err *err)
{
	return ft_fail(err, FT_ECANCELLED, "cancelled");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* A training level and how many training rows hold it. */
struct level_count {
	const char *text;
	size_t count;
};

static int cmp_level(const void *a, const void *b)
{
	return strcmp(((const struct level_count *)a)->text, ((const struct level_count *)b)->text);
}

/* ------------------------------------------------------------- target */

static bool positive_word(const char *s)
{
	static const char *const words[] = {
		"1", "1.0", "y", "yes", "true", "t", "fraud", "fraudulent", "positive", "pos",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	return false;
}

void target_info_free(struct target_info *t)
{
	if (!t)
		return;
	free(t->positive);
	free(t->negative);
	free(t->y);
	memset(t, 0, sizeof *t);
	t->col = -1;
}

/* The distinct non-missing values of a target column, as text (vals[k]
 * allocated), in a stable order (numbers ascending, categories by first
 * appearance). At most `max` are stored; the total is returned. For each
 * row, *which gets the index of its value (or 255 when missing or beyond
 * max). */
static size_t target_values(const struct column *c, size_t nrows, char **vals,
			    size_t max, uint8_t *which)
{
	size_t n = 0;
	if (c->type == COL_CATEGORICAL) {
		uint8_t *slot = xmalloc(c->nlevels);
		memset(slot, 255, c->nlevels);
		bool *seen = xcalloc(c->nlevels, sizeof *seen);
		for (size_t i = 0; i < nrows; i++) {
			uint32_t code = c->codes[i];
			which[i] = 255;
			if (code == FRAME_NA_CODE || code >= c->nlevels)
				continue;
			if (!seen[code]) {
				seen[code] = true;
				if (n < max) {
					vals[n] = xstrdup(c->levels[code]);
					slot[code] = (uint8_t)n;
				}
				n++;
			}
			which[i] = slot[code];
		}
		free(seen);
		free(slot);
		return n;
	}
	/* Few distinct values is the normal case: a linear scan finds them;
	 * only a target with many classes pays for a sort, for the message. */
	double few[8];
	size_t nfew = 0;
	bool many = false;
	for (size_t i = 0; i < nrows && !many; i++) {
		double v = c->num[i];
		if (isnan(v))
			continue;
		size_t k = 0;
		while (k < nfew && few[k] != v)
			k++;
		if (k == nfew) {
			if (nfew == sizeof few / sizeof few[0])
				many = true;
			else
				few[nfew++] = v;
		}
	}
	double *all = few;
	if (many) {
		all = xmalloc(nrows * sizeof *all);
		size_t m = 0;
		for (size_t i = 0; i < nrows; i++)
			if (!isnan(c->num[i]))
				all[m++] = c->num[i];
		qsort(all, m, sizeof *all, cmp_double);
		for (size_t i = 0; i < m; i++)
			if (i == 0 || all[i] != all[i - 1])
				all[n++] = all[i];
	} else {
		qsort(few, nfew, sizeof *few, cmp_double);
		n = nfew;
	}
	for (size_t k = 0; k < n && k < max; k++) {
		char buf[32];
		fmt_double(buf, all[k]);
		vals[k] = xstrdup(buf);
	}
	for (size_t i = 0; i < nrows; i++) {
		which[i] = 255;
		double v = c->num[i];
		if (isnan(v))
			continue;
		for (size_t k = 0; k < n && k < max; k++)
			if (all[k] == v) {
				which[i] = (uint8_t)k;
				break;
			}
	}
	if (all != few)
		free(all);
	return n;
}

/* The first column whose name reads like a label (the names
 * frame_guess_target looks for), whatever its values; -1 when none. */
static int label_named_column(const struct frame *f)
{
	static const char *const exact[] = { "isfraud", "is_fraud", "class", "label", "target" };
	for (size_t i = 0; i < f->ncols; i++) {
		const char *n = f->cols[i].name;
		if (!strncasecmp(n, "fraud", 5))
			return (int)i;
		for (size_t k = 0; k < sizeof exact / sizeof exact[0]; k++)
			if (!strcasecmp(n, exact[k]))
				return (int)i;
	}
	return -1;
}

int prep_target(const struct frame *f, const struct settings *s,
		struct target_info *out, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	out->col = -1;
	int col;
	if (s->target) {
		col = frame_find(f, s->target);
		if (col < 0)
			return ft_fail(err, FT_EINPUT, "target: no column named '%s' in %s",
				       s->target, f->path ? f->path : "the data");
	} else {
		col = frame_guess_target(f);
		if (col < 0) {
			/* Say why a column named like a label was passed over: a
			 * constant isFraud is a different problem from none. */
			int near = label_named_column(f);
			if (near >= 0)
				return ft_fail(err, FT_EINPUT,
					       "%s: %s is named like a label but has %zu distinct "
					       "value%s; a binary target is needed (set target)",
					       f->path ? f->path : "data", f->cols[near].name,
					       f->cols[near].stats.distinct,
					       f->cols[near].stats.distinct == 1 ? "" : "s");
			return ft_fail(err, FT_EINPUT,
				       "%s: no binary column named like a label (isFraud, Class, "
				       "label...); set target", f->path ? f->path : "data");
		}
	}
	const struct column *c = &f->cols[col];
	if (c->type == COL_DATETIME)
		return ft_fail(err, FT_EINPUT, "%s: target is a datetime column; a binary "
			       "target is needed", c->name);

	enum { SHOW = 5 };
	char *vals[SHOW] = {0};
	uint8_t *which = xmalloc(f->nrows);
	size_t nclass = target_values(c, f->nrows, vals, SHOW, which);
	int pos = -1;
	if (nclass != 2) {
		struct strbuf sb = {0};
		for (size_t k = 0; k < nclass && k < SHOW; k++)
			sb_printf(&sb, "%s%s", k ? ", " : "", vals[k]);
		if (nclass > SHOW)
			sb_puts(&sb, ", ...");
		if (nclass == 0)
			ft_fail(err, FT_EINPUT, "%s: target has no values; a binary target is needed",
				c->name);
		else
			ft_fail(err, FT_EINPUT, "%s: target has %zu class%s (%s); a binary target "
				"is needed", c->name, nclass, nclass == 1 ? "" : "es", sb.data);
		sb_free(&sb);
		goto fail;
	}

	if (s->positive) {
		for (int k = 0; k < 2 && pos < 0; k++)
			if (strcmp(vals[k], s->positive) == 0)
				pos = k;
		if (pos < 0 && c->type == COL_NUMERIC) {
			double want;
			if (parse_number(s->positive, strlen(s->positive), &want)) {
				for (int k = 0; k < 2 && pos < 0; k++) {
					double have = strtod(vals[k], NULL);
					if (have == want)
						pos = k;
				}
			}
		}
		for (int k = 0; k < 2 && pos < 0; k++)
			if (strcasecmp(vals[k], s->positive) == 0)
				pos = k;
		if (pos < 0) {
			ft_fail(err, FT_EINPUT, "positive: '%s' is not a value of %s (%s, %s)",
				s->positive, c->name, vals[0], vals[1]);
			goto fail;
		}
	} else {
		bool p0 = positive_word(vals[0]), p1 = positive_word(vals[1]);
		if (p0 == p1) {
			ft_fail(err, FT_EINPUT, "%s: cannot tell which of '%s' and '%s' means fraud; "
				"set positive", c->name, vals[0], vals[1]);
			goto fail;
		}
		pos = p0 ? 0 : 1;
	}

	out->col = col;
	out->positive = vals[pos];
	out->negative = vals[1 - pos];
	out->y = which;
	for (size_t i = 0; i < f->nrows; i++) {
		if (which[i] == 255)
			out->missing++;
		else
			which[i] = which[i] == (uint8_t)pos ? 1 : 0;
	}
	return 0;
fail:
	for (size_t k = 0; k < SHOW; k++)
		free(vals[k]);
	free(which);
	return -1;
}

size_t prep_suggest_drops(const struct frame *f, int target_col,
			  struct drop_suggestion *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < f->ncols; i++) {
		if ((int)i == target_col)
			continue;
		const struct column_stats *st = &f->cols[i].stats;
		const char *why = NULL;
		if (f->nrows > 0 && st->count == 0)
			why = "all missing";
		else if (st->id_like)
			why = "id-like";
		else if (st->constant)
			why = "constant";
		if (!why)
			continue;
		if (n < max) {
			out[n].col = (int)i;
			out[n].reason = why;
		}
		n++;
	}
	return n;
}

/* ------------------------------------------------------------- recipe */

/* Frees the members of one input, not the input itself. */
static void recipe_input_free(struct recipe_input *in)
{
	free(in->name);
	free(in->fill_level);
	for (size_t k = 0; k < in->nlevels; k++)
		free(in->levels[k]);
	free(in->levels);
	free(in->freq);
}

void recipe_free(struct recipe *r)
{
	if (!r)
		return;
	free(r->target);
	free(r->positive);
	free(r->negative);
	for (size_t i = 0; i < r->nna_values; i++)
		free(r->na_values[i]);
	free(r->na_values);
	for (size_t i = 0; i < r->ninputs; i++)
		recipe_input_free(&r->inputs[i]);
	free(r->inputs);
	for (size_t i = 0; i < r->nfeatures; i++)
		free(r->features[i].name);
	free(r->features);
	for (size_t i = 0; i < r->ndropped; i++) {
		free(r->dropped[i]);
		free(r->drop_reasons[i]);
	}
	free(r->dropped);
	free(r->drop_reasons);
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r);
}

static void add_drop(struct recipe *r, const char *name, const char *reason)
{
	r->dropped = xreallocarray(r->dropped, r->ndropped + 1, sizeof *r->dropped);
	r->drop_reasons = xreallocarray(r->drop_reasons, r->ndropped + 1,
					sizeof *r->drop_reasons);
	r->dropped[r->ndropped] = xstrdup(name);
	r->drop_reasons[r->ndropped] = xstrdup(reason);
	r->ndropped++;
}

static void add_note(struct recipe *r, char *note)
{
	r->notes = xreallocarray(r->notes, r->nnotes + 1, sizeof *r->notes);
	r->notes[r->nnotes++] = note;
}

static void add_feature(struct recipe *r, char *name, size_t input,
			enum feature_kind kind, size_t level)
{
	r->features = xreallocarray(r->features, r->nfeatures + 1, sizeof *r->features);
	struct feature *ft = &r->features[r->nfeatures++];
	ft->name = name;
	ft->input = input;
	ft->kind = kind;
	ft->level = level;
}

static const char *const dt_suffix[] = { "hour", "day_of_week", "day", "month" };
static const enum feature_kind dt_kind[] = {
	FEAT_DT_HOUR, FEAT_DT_DAY_OF_WEEK, FEAT_DT_DAY, FEAT_DT_MONTH
};

/* Features of one input, in their fixed order. */
static void add_input_features(struct recipe *r, size_t idx)
{
	const struct recipe_input *in = &r->inputs[idx];
	switch (in->type) {
	case COL_NUMERIC:
		add_feature(r, xstrdup(in->name), idx, FEAT_NUMERIC, 0);
		break;
	case COL_DATETIME:
		for (unsigned p = 0; p < 4; p++)
			if (in->datetime_parts & (1u << p))
				add_feature(r, xasprintf("%s.%s", in->name, dt_suffix[p]), idx,
					    dt_kind[p], 0);
		break;
	case COL_CATEGORICAL:
		if (in->encode == ENC_ONEHOT) {
			for (size_t k = 0; k < in->nlevels; k++)
				add_feature(r, xasprintf("%s=%s", in->name, in->levels[k]), idx,
					    FEAT_ONEHOT, k);
		} else if (in->encode == ENC_FREQUENCY) {
			add_feature(r, xasprintf("%s.frequency", in->name), idx, FEAT_FREQUENCY, 0);
		} else {
			add_feature(r, xasprintf("%s.ordinal", in->name), idx, FEAT_ORDINAL, 0);
		}
		break;
	}
	if (in->missing_indicator)
		add_feature(r, xasprintf("%s_missing", in->name), idx, FEAT_MISSING, 0);
}

/* The k-th smallest of v[0..n) (v is reordered), in linear expected time. */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

static double median(double *v, size_t n)
{
	double upper = select_kth(v, n, n / 2);
	if (n % 2)
		return upper;
	/* the lower middle is the largest value left of n/2 after selection */
	double lower = v[0];
	for (size_t i = 1; i < n / 2; i++)
		if (v[i] > lower)
			lower = v[i];
	return (lower + upper) / 2;
}

/* Fill value of a numeric or datetime column from its training values
 * (NaN removed; reordered). */
static double numeric_fill(enum impute_strategy st, double *v, size_t n)
{
	if (n == 0)
		return 0;
	switch (st) {
	case IMPUTE_MEAN: {
		double sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += v[i];
		return sum / (double)n;
	}
	case IMPUTE_MOST_FREQUENT: {
		/* ties go to the smallest value, as scikit-learn does */
		qsort(v, n, sizeof *v, cmp_double);
		double best = v[0];
		size_t best_n = 0;
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && v[j] == v[i])
				j++;
			if (j - i > best_n) {
				best_n = j - i;
				best = v[i];
			}
			i = j;
		}
		return best;
	}
	case IMPUTE_MEDIAN:
	case IMPUTE_CONSTANT:
		break;
	}
	return median(v, n);
}

static const char *input_kind_label(enum col_type t)
{
	return t == COL_NUMERIC ? "numeric" : t == COL_DATETIME ? "datetime" : "categorical";
}

/* Fit one numeric or datetime input: its fill value, and in *nmissing how
 * many training rows miss it. Fails (with err) on a constant that is not a
 * value of the column's type. */
/* Features are floats: a training value beyond the float range (inf,
 * 1e400, 1e300) would reach the tree as infinity, where no threshold can
 * separate it. Said here, with the file and line, instead of deep inside
 * the fit. */
static bool feature_finite(double x)
{
	return isfinite((float)x);
}

static int fit_numeric(struct recipe_input *in, const struct frame *f, const struct column *c,
		       const struct impute_spec *spec, const char *key,
		       const size_t *rows, size_t n, size_t *nmissing, struct ft_err *err)
{
	double *v = xmalloc(n * sizeof *v);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		double x = c->num[rows[i]];
		if (isnan(x))
			continue;
		if (!feature_finite(x)) {
			free(v);
			return ft_fail(err, FT_EINPUT, "%s:%lu: %s: %g is out of the range a feature "
				       "can hold (magnitude above 3.4e38); add it to na_values "
				       "(--na-values) or fix the data",
				       f->path ? f->path : "data",
				       f->row_line ? (unsigned long)f->row_line[rows[i]] : 0UL,
				       c->name, x);
		}
		v[m++] = x;
	}
	*nmissing = n - m;
	in->impute = spec->strategy;
	if (spec->strategy == IMPUTE_CONSTANT) {
		const char *txt = spec->constant ? spec->constant : "";
		double d;
		bool ok = parse_number(txt, strlen(txt), &d);
		if (!ok && c->type == COL_DATETIME)
			ok = parse_datetime(txt, strlen(txt), c->date_order, &d);
		if (!ok || !feature_finite(d)) {
			free(v);
			return ft_fail(err, FT_EINPUT, "%s: constant:%s is not a %s value for "
				       "column %s", key, txt, c->type == COL_DATETIME ?
				       "datetime" : "numeric", c->name);
		}
		in->fill_value = d;
	} else {
		in->fill_value = numeric_fill(spec->strategy, v, m);
	}
	free(v);
	return 0;
}

static int cmp_text_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The natural order of a level that reads as a number, a range or a
 * bound ("3", "1 to 7", "more than 30", "under 6 months", "none"): its
 * first number (zero for none, no, zero, never, new), nudged below by
 * "less than", "under", "below", "up to" and above by "more than",
 * "over", "above" or a trailing '+', in years when a unit (day, week,
 * month, year) is named; then its second number (the end of a range).
 * False when the text holds no number and is not a zero word. */
struct natural_key {
	double v, v2;
};

static bool natural_key(const char *text, struct natural_key *k)
{
	char low[256];
	size_t n = 0;
	for (const char *p = text; *p && n + 1 < sizeof low; p++)
		low[n++] = (char)tolower((unsigned char)*p);
	low[n] = '\0';
	const char *p = low;
	while (*p == ' ')
		p++;
	static const char *const zero[] = { "none", "no", "zero", "never", "new", "nil" };
	double nums[2];
	int nn = 0;
	for (const char *q = p; *q && nn < 2;) {
		if (isdigit((unsigned char)*q) || (*q == '.' && isdigit((unsigned char)q[1]))) {
			char *end;
			nums[nn++] = strtod(q, &end);
			q = end;
		} else {
			q++;
		}
	}
	if (nn == 0) {
		for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++) {
			size_t len = strlen(zero[i]);
			if (strncmp(p, zero[i], len) == 0 && !isalpha((unsigned char)p[len])) {
				k->v = 0;
				k->v2 = -1;   /* before a plain 0 */
				return true;
			}
		}
		return false;
	}
	double scale = 1;
	static const struct { const char *word; double years; } units[] = {
		{ "day", 1 / 365.25 }, { "week", 7 / 365.25 }, { "month", 1.0 / 12 }, { "year", 1 }
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strstr(p, units[i].word)) {
			scale = units[i].years;
			break;
		}
	double nudge = 0;
	static const char *const below[] = { "less than", "under", "below", "up to", "<" };
	static const char *const above[] = { "more than", "over", "above", ">" };
	for (size_t i = 0; i < sizeof below / sizeof below[0]; i++)
		if (strncmp(p, below[i], strlen(below[i])) == 0)
			nudge = -1;
	for (size_t i = 0; i < sizeof above / sizeof above[0]; i++)
		if (strncmp(p, above[i], strlen(above[i])) == 0)
			nudge = 1;
	if (n > 0 && low[n - 1] == '+')
		nudge = 1;
	double v = nums[0] * scale;
	k->v = v + nudge * 1e-9 * (fabs(v) > 1 ? fabs(v) : 1);
	k->v2 = (nn > 1 ? nums[1] : nums[0]) * scale;
	return true;
}

struct natural_item {
	struct natural_key key;
	const char *text;
	size_t index;
};

static int cmp_natural(const void *pa, const void *pb)
{
	const struct natural_item *a = pa, *b = pb;
	if (a->key.v != b->key.v)
		return a->key.v < b->key.v ? -1 : 1;
	if (a->key.v2 != b->key.v2)
		return a->key.v2 < b->key.v2 ? -1 : 1;
	return strcmp(a->text, b->text);
}

/* An ordinal input's levels in their natural order when every level has
 * one (the ordinal value is the level's index, so the dictionary itself is
 * reordered); otherwise they stay sorted by text. Returns true when it
 * reordered them. */
static bool natural_order(struct recipe_input *in)
{
	if (in->nlevels < 2)
		return false;
	struct natural_item *it = xcalloc(in->nlevels, sizeof *it);
	for (size_t k = 0; k < in->nlevels; k++) {
		if (!natural_key(in->levels[k], &it[k].key)) {
			free(it);
			return false;
		}
		it[k].text = in->levels[k];
		it[k].index = k;
	}
	qsort(it, in->nlevels, sizeof *it, cmp_natural);
	char **levels = xcalloc(in->nlevels, sizeof *levels);
	double *freq = xcalloc(in->nlevels, sizeof *freq);
	bool moved = false;
	for (size_t k = 0; k < in->nlevels; k++) {
		levels[k] = in->levels[it[k].index];
		freq[k] = in->freq[it[k].index];
		moved |= it[k].index != k;
	}
	free(in->levels);
	free(in->freq);
	in->levels = levels;
	in->freq = freq;
	free(it);
	return moved;
}

/* The place of an ordinal input's levels: the order ordinal.columns.<name>
 * gives (every training level must be in it; listed levels the training
 * split lacks are unseen ones), else the natural order, else by text. */
static int order_levels(struct recipe *r, struct recipe_input *in,
			const struct column_setting *cs, struct ft_err *err)
{
	const char *how = NULL;
	if (cs && cs->has_ordinal) {
		size_t *at = xcalloc(in->nlevels ? in->nlevels : 1, sizeof *at);
		for (size_t k = 0; k < in->nlevels; k++) {
			size_t j = 0;
			while (j < cs->nordinal && strcmp(cs->ordinal[j], in->levels[k]))
				j++;
			if (j == cs->nordinal) {
				free(at);
				return ft_fail(err, FT_EINPUT, "ordinal.columns.%s: '%s' is a level of "
					       "the training split and not in the list", in->name,
					       in->levels[k]);
			}
			at[k] = j;
		}
		/* a stable selection by list position: few levels, no qsort context */
		char **levels = xcalloc(in->nlevels ? in->nlevels : 1, sizeof *levels);
		double *freq = xcalloc(in->nlevels ? in->nlevels : 1, sizeof *freq);
		size_t out = 0;
		for (size_t j = 0; j < cs->nordinal; j++)
			for (size_t k = 0; k < in->nlevels; k++)
				if (at[k] == j) {
					levels[out] = in->levels[k];
					freq[out++] = in->freq[k];
				}
		free(in->levels);
		free(in->freq);
		free(at);
		in->levels = levels;
		in->freq = freq;
		how = "the order of ordinal.columns";
	} else if (natural_order(in)) {
		how = "the levels' natural order";
	}
	if (how) {
		struct strbuf sb = { 0 };
		for (size_t k = 0; k < in->nlevels && k < 6; k++)
			sb_printf(&sb, "%s%s", k ? " < " : "", in->levels[k]);
		add_note(r, xasprintf("%s: ordinal in %s (%s%s)", in->name, how,
				      sb.data ? sb.data : "", in->nlevels > 6 ? " < ..." : ""));
		sb_free(&sb);
	}
	return 0;
}

/* Fit one categorical input: the sorted training dictionary, its counts,
 * the fill level and the encoding (one-hot capped at ONEHOT_MAX_LEVELS). */
static int fit_categorical(struct recipe *r, struct recipe_input *in, const struct column *c,
			   const struct impute_spec *spec, const char *key, enum encoding enc,
			   const size_t *rows, size_t n, size_t *nmissing, struct ft_err *err)
{
	if (spec->strategy == IMPUTE_MEAN || spec->strategy == IMPUTE_MEDIAN)
		return ft_fail(err, FT_EINPUT, "%s: %s needs a numeric column; %s is categorical",
			       key, impute_name(spec->strategy), c->name);
	size_t *count = xcalloc(c->nlevels, sizeof *count);
	size_t miss = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t code = c->codes[rows[i]];
		if (code == FRAME_NA_CODE || code >= c->nlevels)
			miss++;
		else
			count[code]++;
	}
	*nmissing = miss;

	/* Training dictionary, sorted, with counts. */
	size_t nl = 0;
	for (uint32_t k = 0; k < c->nlevels; k++)
		if (count[k])
			nl++;
	struct level_count *lv = xcalloc(nl, sizeof *lv);
	nl = 0;
	for (uint32_t k = 0; k < c->nlevels; k++)
		if (count[k]) {
			lv[nl].text = c->levels[k];
			lv[nl].count = count[k];
			nl++;
		}
	free(count);
	qsort(lv, nl, sizeof *lv, cmp_level);

	/* The encoder is fitted on imputed values (as a scikit-learn pipeline
	 * would): the fill level gains the missing count. */
	const char *fill;
	in->impute = spec->strategy;
	if (spec->strategy == IMPUTE_CONSTANT) {
		fill = spec->constant ? spec->constant : "";
	} else {
		size_t best = 0;
		for (size_t k = 1; k < nl; k++)
			if (lv[k].count > lv[best].count)
				best = k;
		fill = nl ? lv[best].text : "";
	}
	in->fill_level = xstrdup(fill);
	bool fill_known = false;
	for (size_t k = 0; k < nl; k++)
		if (strcmp(lv[k].text, fill) == 0) {
			lv[k].count += miss;
			fill_known = true;
		}
	size_t total = nl + (!fill_known && miss ? 1 : 0);
	in->levels = xcalloc(total, sizeof *in->levels);
	in->freq = xcalloc(total, sizeof *in->freq);
	size_t out = 0;
	bool placed = fill_known || !miss;
	for (size_t k = 0; k < nl; k++) {
		if (!placed && strcmp(fill, lv[k].text) < 0) {
			in->levels[out] = xstrdup(fill);
			in->freq[out++] = (double)miss;
			placed = true;
		}
		in->levels[out] = xstrdup(lv[k].text);
		in->freq[out++] = (double)lv[k].count;
	}
	if (!placed) {
		in->levels[out] = xstrdup(fill);
		in->freq[out++] = (double)miss;
	}
	in->nlevels = out;
	free(lv);

	in->encode = enc;
	if (enc == ENC_ONEHOT && in->nlevels > ONEHOT_MAX_LEVELS) {
		in->encode = ENC_FREQUENCY;
		add_note(r, xasprintf("%s: %zu levels in training, one-hot replaced by frequency "
				      "encoding (at most %d levels are one-hot encoded)",
				      c->name, in->nlevels, ONEHOT_MAX_LEVELS));
	}
	return 0;
}

/* Settings that name a column the data do not have, or that cannot apply
 * to its type, are most likely typos: say so rather than ignore them. */
static void note_unmatched_settings(struct recipe *r, const struct frame *f,
				    const struct settings *s)
{
	for (size_t i = 0; i < s->ndrop; i++)
		if (frame_find(f, s->drop[i]) < 0)
			add_note(r, xasprintf("drop: no column named '%s'", s->drop[i]));
	for (size_t i = 0; i < s->ncolumns; i++) {
		const struct column_setting *cs = &s->columns[i];
		int ci = frame_find(f, cs->name);
		if (ci < 0) {
			add_note(r, xasprintf("%s.columns.%s: no column named '%s'",
					      cs->has_impute ? "impute" : cs->has_encode ?
					      "encode" : cs->has_datetime ? "datetime" : "ordinal",
					      cs->name, cs->name));
			continue;
		}
		enum col_type type = f->cols[ci].type;
		if (cs->has_encode && type != COL_CATEGORICAL)
			add_note(r, xasprintf("encode.columns.%s: ignored, %s is %s", cs->name,
					      cs->name, input_kind_label(type)));
		if (cs->has_datetime && type != COL_DATETIME)
			add_note(r, xasprintf("datetime.columns.%s: ignored, %s is %s", cs->name,
					      cs->name, input_kind_label(type)));
		if (cs->has_ordinal && type != COL_CATEGORICAL)
			add_note(r, xasprintf("ordinal.columns.%s: ignored, %s is %s", cs->name,
					      cs->name, input_kind_label(type)));
		else if (cs->has_ordinal && (cs->has_encode ? cs->encode : s->encode_default) !=
			 ENC_ORDINAL)
			add_note(r, xasprintf("ordinal.columns.%s: ignored, %s is not encoded as "
					      "ordinal (encode.columns.%s=ordinal)", cs->name,
					      cs->name, cs->name));
	}
}

struct recipe *prep_fit(const struct frame *f, const struct settings *s,
			const struct target_info *t, const size_t *train_rows,
			size_t ntrain, const struct ft_progress *prog,
			struct ft_err *err)
{
	if (t->col < 0 || (size_t)t->col >= f->ncols) {
		ft_fail(err, FT_EINTERNAL, "prep_fit: no target column");
		return NULL;
	}
	struct recipe *r = xcalloc(1, sizeof *r);
	r->target = xstrdup(f->cols[t->col].name);
	r->positive = xstrdup(t->positive);
	r->negative = xstrdup(t->negative);
	r->delimiter = f->delimiter;
	r->nna_values = s->nna_values;
	r->na_values = s->nna_values ? xcalloc(s->nna_values, sizeof *r->na_values) : NULL;
	for (size_t i = 0; i < s->nna_values; i++)
		r->na_values[i] = xstrdup(s->na_values[i]);

	note_unmatched_settings(r, f, s);
	struct drop_suggestion *sugg = xcalloc(f->ncols, sizeof *sugg);
	size_t nsugg = prep_suggest_drops(f, t->col, sugg, f->ncols);
	r->inputs = xcalloc(f->ncols, sizeof *r->inputs);

	for (size_t ci = 0; ci < f->ncols; ci++) {
		const struct column *c = &f->cols[ci];
		if (ft_cancelled(prog)) {
			free(sugg);
			recipe_free(r);
			cancelled(err);
			return NULL;
		}
		if ((int)ci == t->col) {
			add_drop(r, c->name, "target");
			continue;
		}
		if (settings_is_dropped(s, c->name)) {
			add_drop(r, c->name, "listed in drop");
			continue;
		}
		const char *why = NULL;
		for (size_t k = 0; k < nsugg; k++)
			if (sugg[k].col == (int)ci)
				why = sugg[k].reason;
		if (why && s->drop_suggested) {
			add_drop(r, c->name, why);
			continue;
		}
		if (why)
			add_note(r, xasprintf("kept %s although it is %s (drop_suggested is false)",
					      c->name, why));
		const struct column_setting *cs = settings_column(s, c->name);
		struct recipe_input *in = &r->inputs[r->ninputs];
		memset(in, 0, sizeof *in);
		in->name = xstrdup(c->name);
		in->type = c->type;
		in->date_order = c->type == COL_DATETIME ? c->date_order : DATE_ISO;
		size_t nmissing = 0;
		int rc;
		char *key;
		const struct impute_spec *spec;
		if (cs && cs->has_impute) {
			spec = &cs->impute;
			key = xasprintf("impute.columns.%s", c->name);
		} else if (c->type == COL_CATEGORICAL) {
			spec = &s->impute_categorical;
			key = xstrdup("impute.categorical");
		} else if (c->type == COL_NUMERIC) {
			spec = &s->impute_numeric;
			key = xstrdup("impute.numeric");
		} else {
			static const struct impute_spec dt_median = { IMPUTE_MEDIAN, NULL };
			spec = &dt_median;
			key = xstrdup("impute");
		}
		if (c->type == COL_CATEGORICAL) {
			rc = fit_categorical(r, in, c, spec, key,
					     cs && cs->has_encode ? cs->encode : s->encode_default,
					     train_rows, ntrain, &nmissing, err);
			if (rc == 0 && in->encode == ENC_ORDINAL)
				rc = order_levels(r, in, cs, err);
		}
		else
			rc = fit_numeric(in, f, c, spec, key, train_rows, ntrain, &nmissing, err);
		free(key);
		r->ninputs++;   /* counted even on failure so recipe_free frees it */
		if (rc < 0) {
			free(sugg);
			recipe_free(r);
			return NULL;
		}
		if (ntrain > 0 && nmissing == ntrain) {
			r->ninputs--;
			recipe_input_free(in);
			add_drop(r, c->name, "no values in the training split");
			continue;
		}
		if (c->type == COL_DATETIME) {
			in->datetime_parts = cs && cs->has_datetime ? cs->datetime_parts :
				s->datetime_default;
			/* A date without a time of day has hour 0 in every row: by
			 * default such a column gives the month instead. */
			if (!(cs && cs->has_datetime) && (in->datetime_parts & DT_HOUR) &&
			    !prep_has_time_of_day(f, ci, train_rows, ntrain)) {
				in->datetime_parts = (in->datetime_parts & ~(unsigned)DT_HOUR) | DT_MONTH;
				add_note(r, xasprintf("%s: no time of day in any training value; "
						      "month instead of hour", c->name));
			}
			if (!in->datetime_parts && !(s->missing_indicators && nmissing)) {
				r->ninputs--;
				recipe_input_free(in);
				add_drop(r, c->name, "no datetime parts selected");
				continue;
			}
		}
		in->missing_indicator = s->missing_indicators && nmissing > 0;
		add_input_features(r, r->ninputs - 1);
	}
	free(sugg);
	return r;
}

/* ---------------------------------------------------- applying a recipe */

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

/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *month, int *day)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
}

bool prep_has_time_of_day(const struct frame *f, size_t col, const size_t *rows, size_t n)
{
	const struct column *c = &f->cols[col];
	if (c->type != COL_DATETIME)
		return false;
	if (!rows)
		n = f->nrows;
	for (size_t i = 0; i < n; i++) {
		double t = c->num[rows ? rows[i] : i];
		if (!isnan(t) && t - floor(t / 86400.0) * 86400.0 != 0.0)
			return true;
	}
	return false;
}

float prep_datetime_part(enum feature_kind kind, double t)
{
	double days = floor(t / 86400.0);
	double secs = t - days * 86400.0;
	int64_t d = (int64_t)days;
	int month, day;
	switch (kind) {
	case FEAT_DT_HOUR:
		return (float)floor(secs / 3600.0);
	case FEAT_DT_DAY_OF_WEEK:
		/* 1970-01-01 was a Thursday; Monday = 0 as in pandas */
		return (float)(((d + 3) % 7 + 7) % 7);
	case FEAT_DT_DAY:
		civil_from_days(d, &month, &day);
		return (float)day;
	case FEAT_DT_MONTH:
		civil_from_days(d, &month, &day);
		return (float)month;
	default:
		return 0;
	}
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
		return prep_datetime_part(ft->kind, val);
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
 * rows: `cols[m]` is where feature `feats[m]` goes. */
struct input_out {
	const struct feature *const *feats;
	float *const *cols;
	size_t m;
	size_t n;
};

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
			memset(o->cols[m], 0, n * sizeof *o->cols[m]);
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
			o->cols[m][i] = 1.0f;
		for (size_t p = 0; p < nplain; p++) {
			size_t m = plain[p];
			o->cols[m][i] = table[m] ? table[m][idx] : miss ? 1.0f : 0.0f;
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
		switch (kind) {
		case FEAT_NUMERIC:
			for (size_t i = 0; i < n; i++)
				col[i] = (float)(isnan(raw[i]) ? fill : raw[i]);
			break;
		case FEAT_MISSING:
			for (size_t i = 0; i < n; i++)
				col[i] = isnan(raw[i]) ? 1.0f : 0.0f;
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

int prep_apply(const struct recipe *r, const struct frame *f,
	       const struct target_info *t, const size_t *rows, size_t n,
	       const struct ft_progress *prog, struct dataset *d, struct ft_err *err)
{
	memset(d, 0, sizeof *d);
	int *cols = xcalloc(r->ninputs, sizeof *cols);
	for (size_t i = 0; i < r->ninputs; i++) {
		cols[i] = frame_find(f, r->inputs[i].name);
		if (cols[i] < 0) {
			free(cols);
			return ft_fail(err, FT_EINPUT, "%s: no column '%s', which the model uses",
				       f->path ? f->path : "data", r->inputs[i].name);
		}
	}
	d->n = n;
	d->nfeatures = r->nfeatures;
	d->X = xmalloc(n * r->nfeatures * sizeof *d->X);
	d->y = xcalloc(n, 1);
	d->rows = xmalloc(n * sizeof *d->rows);
	for (size_t i = 0; i < n; i++) {
		d->rows[i] = rows[i];
		if (t && t->y && t->y[rows[i]] != 255)
			d->y[i] = t->y[rows[i]];
	}

	struct recipe_row_ctx *ctx = recipe_row_ctx_new(r);
	const struct feature **feats = xcalloc(r->nfeatures + 1, sizeof *feats);
	float **out = xcalloc(r->nfeatures + 1, sizeof *out);
	double *raw = NULL;
	int rc = 0;
	for (size_t i = 0; i < r->ninputs; i++) {
		/* an input's features need not be contiguous in a recipe read
		 * from a file, so look at all of them */
		size_t m = 0;
		for (size_t j = 0; j < r->nfeatures; j++)
			if (r->features[j].input == i) {
				feats[m] = &r->features[j];
				out[m++] = d->X + j * n;
			}
		if (m == 0)
			continue;
		struct input_out o = { feats, out, m, n };
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
	free(feats);
	free(cols);
	recipe_row_ctx_free(ctx);
	return rc;
}

/* ---------------------------------------------------------------- JSON */

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
		cJSON_AddStringToObject(o, "type", input_kind_label(in->type));
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
			for (unsigned b = 0; b < 4; b++)
				if (in->datetime_parts & (1u << b))
					cJSON_AddItemToArray(p, cJSON_CreateString(dt_suffix[b]));
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

/* Reading: every accessor names the full key path on failure. */
struct jctx {
	const char *origin;
	struct ft_err *err;
};

static int jfail(const struct jctx *c, const char *path, const char *what)
{
	return ft_fail(c->err, FT_EINPUT, "%s: %s: %s", c->origin, path, what);
}

static const cJSON *jget(const struct jctx *c, const cJSON *o, const char *base,
			 const char *key, char *path, size_t pathsz)
{
	snprintf(path, pathsz, "%s%s%s", base, base[0] ? "." : "", key);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v)
		jfail(c, path, "missing");
	return v;
}

static const char *jstring(const struct jctx *c, const cJSON *o, const char *base,
			   const char *key)
{
	char path[300];
	const cJSON *v = jget(c, o, base, key, path, sizeof path);
	if (!v)
		return NULL;
	if (!cJSON_IsString(v)) {
		jfail(c, path, "expected a string");
		return NULL;
	}
	return v->valuestring;
}

static int jnumber(const struct jctx *c, const cJSON *o, const char *base, const char *key,
		   double *out)
{
	char path[300];
	const cJSON *v = jget(c, o, base, key, path, sizeof path);
	if (!v)
		return -1;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return jfail(c, path, "expected a number");
	*out = v->valuedouble;
	return 0;
}

static int jindex(const struct jctx *c, const cJSON *o, const char *base, const char *key,
		  size_t limit, size_t *out)
{
	double d;
	if (jnumber(c, o, base, key, &d) < 0)
		return -1;
	if (d < 0 || d != floor(d) || d >= (double)limit) {
		char path[300], what[80];
		snprintf(path, sizeof path, "%s.%s", base, key);
		snprintf(what, sizeof what, "expected an integer in [0, %zu)", limit);
		return jfail(c, path, what);
	}
	*out = (size_t)d;
	return 0;
}

static int jstrv(const struct jctx *c, const cJSON *o, const char *base, const char *key,
		 char ***out, size_t *n)
{
	char path[300];
	const cJSON *v = jget(c, o, base, key, path, sizeof path);
	if (!v)
		return -1;
	if (!cJSON_IsArray(v))
		return jfail(c, path, "expected a list of strings");
	size_t cnt = (size_t)cJSON_GetArraySize(v), i = 0;
	*out = xcalloc(cnt, sizeof **out);
	*n = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsString(e))
			return jfail(c, path, "expected a list of strings");
		(*out)[i++] = xstrdup(e->valuestring);
		*n = i;
	}
	return 0;
}

static int parse_input(const struct jctx *c, const cJSON *o, const char *base,
		       struct recipe_input *in)
{
	char path[300];
	if (!cJSON_IsObject(o))
		return jfail(c, base, "expected an object");
	const char *s;
	if (!(s = jstring(c, o, base, "name")))
		return -1;
	in->name = xstrdup(s);
	if (!(s = jstring(c, o, base, "type")))
		return -1;
	if (strcmp(s, "numeric") == 0)
		in->type = COL_NUMERIC;
	else if (strcmp(s, "categorical") == 0)
		in->type = COL_CATEGORICAL;
	else if (strcmp(s, "datetime") == 0)
		in->type = COL_DATETIME;
	else
		return jfail(c, (snprintf(path, sizeof path, "%s.type", base), path),
			     "expected numeric, categorical or datetime");
	if (!(s = jstring(c, o, base, "impute")))
		return -1;
	int st;
	for (st = IMPUTE_MEAN; st <= IMPUTE_CONSTANT; st++)
		if (strcmp(s, impute_name((enum impute_strategy)st)) == 0)
			break;
	if (st > IMPUTE_CONSTANT)
		return jfail(c, (snprintf(path, sizeof path, "%s.impute", base), path),
			     "expected mean, median, most_frequent or constant");
	in->impute = (enum impute_strategy)st;
	const cJSON *mi = jget(c, o, base, "missing_indicator", path, sizeof path);
	if (!mi)
		return -1;
	if (!cJSON_IsBool(mi))
		return jfail(c, path, "expected true or false");
	in->missing_indicator = cJSON_IsTrue(mi);

	if (in->type == COL_DATETIME) {
		if (!(s = jstring(c, o, base, "date_order")))
			return -1;
		size_t k;
		for (k = 0; k < 3; k++)
			if (strcmp(s, order_names[k]) == 0)
				break;
		if (k == 3)
			return jfail(c, (snprintf(path, sizeof path, "%s.date_order", base), path),
				     "expected iso, mdy or dmy");
		in->date_order = (enum date_order)k;
		const cJSON *p = jget(c, o, base, "datetime_parts", path, sizeof path);
		if (!p)
			return -1;
		if (!cJSON_IsArray(p))
			return jfail(c, path, "expected a list of hour, day_of_week, day, month");
		const cJSON *e;
		cJSON_ArrayForEach(e, p) {
			for (k = 0; k < 4; k++)
				if (cJSON_IsString(e) && strcmp(e->valuestring, dt_suffix[k]) == 0)
					break;
			if (k == 4)
				return jfail(c, path, "expected a list of hour, day_of_week, day, month");
			in->datetime_parts |= 1u << k;
		}
	}
	if (in->type != COL_CATEGORICAL)
		return jnumber(c, o, base, "fill_value", &in->fill_value);

	if (!(s = jstring(c, o, base, "fill_level")))
		return -1;
	in->fill_level = xstrdup(s);
	if (!(s = jstring(c, o, base, "encode")))
		return -1;
	if (!encoding_parse(s, &in->encode))
		return jfail(c, (snprintf(path, sizeof path, "%s.encode", base), path),
			     "expected onehot, frequency or ordinal");
	if (jstrv(c, o, base, "levels", &in->levels, &in->nlevels) < 0)
		return -1;
	/* ordinal levels are in their ordinal order (natural_order), the
	 * others sorted; distinct either way */
	if (in->encode != ENC_ORDINAL) {
		for (size_t k = 1; k < in->nlevels; k++)
			if (strcmp(in->levels[k - 1], in->levels[k]) >= 0)
				return jfail(c, (snprintf(path, sizeof path, "%s.levels", base), path),
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
			return jfail(c, (snprintf(path, sizeof path, "%s.levels", base), path),
				     "levels must be distinct");
	}
	const cJSON *fq = jget(c, o, base, "frequency", path, sizeof path);
	if (!fq)
		return -1;
	if (!cJSON_IsArray(fq) || (size_t)cJSON_GetArraySize(fq) != in->nlevels)
		return jfail(c, path, "expected one count per level");
	in->freq = xcalloc(in->nlevels, sizeof *in->freq);
	size_t k = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, fq) {
		if (!cJSON_IsNumber(e) || !(e->valuedouble >= 0) || !isfinite(e->valuedouble))
			return jfail(c, path, "expected one count (a number >= 0) per level");
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
	struct jctx c = { origin, err };
	char path[300];
	struct recipe *r = xcalloc(1, sizeof *r);
	const char *s;
	double fmt;
	const cJSON *arr, *e;
	size_t i;

	if (!cJSON_IsObject(j)) {
		jfail(&c, "recipe", "expected an object");
		goto fail;
	}
	if (jnumber(&c, j, "recipe", "format", &fmt) < 0)
		goto fail;
	if (fmt != RECIPE_FORMAT) {
		jfail(&c, "recipe.format", "unsupported format (this program reads format 1)");
		goto fail;
	}
	if (!(s = jstring(&c, j, "recipe", "target")))
		goto fail;
	r->target = xstrdup(s);
	if (!(s = jstring(&c, j, "recipe", "positive")))
		goto fail;
	r->positive = xstrdup(s);
	if (!(s = jstring(&c, j, "recipe", "negative")))
		goto fail;
	r->negative = xstrdup(s);
	if (jstrv(&c, j, "recipe", "na_values", &r->na_values, &r->nna_values) < 0)
		goto fail;
	/* The delimiter predict reads with (models written before it was
	 * recorded have none: predict detects it). */
	const cJSON *dj = cJSON_GetObjectItemCaseSensitive(j, "delimiter");
	if (dj) {
		if (!cJSON_IsString(dj) || strlen(dj->valuestring) != 1 ||
		    strchr("\"\r\n", dj->valuestring[0])) {
			jfail(&c, "recipe.delimiter", "expected one character other than a quote or a line end");
			goto fail;
		}
		r->delimiter = dj->valuestring[0];
	}

	if (!(arr = jget(&c, j, "recipe", "inputs", path, sizeof path)))
		goto fail;
	if (!cJSON_IsArray(arr)) {
		jfail(&c, path, "expected a list");
		goto fail;
	}
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

	if (!(arr = jget(&c, j, "recipe", "features", path, sizeof path)))
		goto fail;
	if (!cJSON_IsArray(arr)) {
		jfail(&c, path, "expected a list");
		goto fail;
	}
	r->features = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *r->features);
	i = 0;
	cJSON_ArrayForEach(e, arr) {
		char base[64];
		snprintf(base, sizeof base, "recipe.features[%zu]", i);
		struct feature *ft = &r->features[i];
		if (!cJSON_IsObject(e)) {
			jfail(&c, base, "expected an object");
			goto fail;
		}
		if (!(s = jstring(&c, e, base, "name")))
			goto fail;
		ft->name = xstrdup(s);
		r->nfeatures = ++i;
		if (jindex(&c, e, base, "input", r->ninputs, &ft->input) < 0)
			goto fail;
		if (!(s = jstring(&c, e, base, "kind")))
			goto fail;
		size_t k;
		for (k = 0; k < sizeof kind_names / sizeof kind_names[0]; k++)
			if (strcmp(s, kind_names[k]) == 0)
				break;
		snprintf(path, sizeof path, "%s.kind", base);
		if (k == sizeof kind_names / sizeof kind_names[0]) {
			jfail(&c, path, "unknown feature kind");
			goto fail;
		}
		ft->kind = (enum feature_kind)k;
		const struct recipe_input *in = &r->inputs[ft->input];
		if (!kind_fits(ft->kind, in)) {
			jfail(&c, path, "does not fit the type of its input");
			goto fail;
		}
		if (ft->kind == FEAT_ONEHOT &&
		    jindex(&c, e, base, "level", in->nlevels, &ft->level) < 0)
			goto fail;
	}

	if (!(arr = jget(&c, j, "recipe", "dropped", path, sizeof path)))
		goto fail;
	if (!cJSON_IsArray(arr)) {
		jfail(&c, path, "expected a list");
		goto fail;
	}
	i = 0;
	cJSON_ArrayForEach(e, arr) {
		char base[64];
		snprintf(base, sizeof base, "recipe.dropped[%zu]", i++);
		const char *col, *why;
		if (!cJSON_IsObject(e)) {
			jfail(&c, base, "expected an object");
			goto fail;
		}
		if (!(col = jstring(&c, e, base, "column")) || !(why = jstring(&c, e, base, "reason")))
			goto fail;
		add_drop(r, col, why);
	}
	if (jstrv(&c, j, "recipe", "notes", &r->notes, &r->nnotes) < 0)
		goto fail;
	return r;
fail:
	recipe_free(r);
	return NULL;
}

/* -------------------------------------------------------------- split */

void split_free(struct split *sp)
{
	if (!sp)
		return;
	free(sp->train);
	free(sp->validation);
	free(sp->test);
	memset(sp, 0, sizeof *sp);
}

/* False when cancelled part way (v is then partly shuffled). */
static bool shuffle(size_t *v, size_t n, struct ft_rng *rng, const struct ft_progress *prog)
{
	for (size_t i = n; i > 1; i--) {
		if (i % CANCEL_STRIDE == 0 && ft_cancelled(prog))
			return false;
		size_t j = (size_t)rng_below(rng, i);
		size_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
	return true;
}

/* Where a class of n rows is cut: rows [0, a) train, [a, b) validation,
 * [b, n) test. */
static void split_cuts(size_t n, double tr, double va, size_t *a, size_t *b)
{
	*a = (size_t)llround((double)n * tr);
	*b = (size_t)llround((double)n * (tr + va));
	if (*a > n)
		*a = n;
	if (*b > n)
		*b = n;
	if (*b < *a)
		*b = *a;
}

/* Each class's rows (ascending) are shuffled, class 0 first, and cut at
 * the train and train + validation shares; the lists then come out in row
 * order from one pass over a split mark per row, no sort needed. A split
 * given a share must get rows of both classes: without them the tree has
 * nothing to learn from, or the metrics and the gate nothing to judge. */
int prep_split(const struct target_info *t, size_t nrows, const struct settings *s,
	       const struct ft_progress *prog, struct split *out, struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	double tr = s->split_train, va = s->split_validation, te = s->split_test;
	if (!(tr >= 0 && va >= 0 && te >= 0) || fabs(tr + va + te - 1.0) > 1e-9)
		return ft_fail(err, FT_EINPUT, "split: train + validation + test must sum to 1");
	if (ft_cancelled(prog))
		return cancelled(err);
	size_t ncls[2] = {0, 0};
	for (size_t i = 0; i < nrows; i++)
		if (t->y[i] <= 1)
			ncls[t->y[i]]++;
	size_t total = ncls[0] + ncls[1];
	if (total == 0)
		return ft_fail(err, FT_EINPUT, "split: no rows with a known target");
	static const char *const split_name[] = { "train", "validation", "test" };
	static const char *const class_name[] = { "non-fraud", "fraud" };
	const double share[] = { tr, va, te };
	for (int k = 1; k >= 0; k--) {
		size_t a, b;
		split_cuts(ncls[k], tr, va, &a, &b);
		const size_t got[] = { a, b - a, ncls[k] - b };
		for (int sp = 0; sp < 3; sp++)
			if (share[sp] > 0 && got[sp] == 0)
				return ft_fail(err, FT_EINPUT,
					       "too few rows: the %s split would have no %s rows "
					       "(%zu %s row%s in all; each split needs at least "
					       "one of each class)", split_name[sp], class_name[k],
					       ncls[k], class_name[k], ncls[k] == 1 ? "" : "s");
	}
	size_t *perm = xmalloc(total * sizeof *perm);
	size_t *cls[2] = { perm, perm + ncls[0] };
	size_t fill[2] = {0, 0};
	for (size_t i = 0; i < nrows; i++)
		if (t->y[i] <= 1)
			cls[t->y[i]][fill[t->y[i]]++] = i;

	enum { MARK_NONE, MARK_TRAIN, MARK_VALIDATION, MARK_TEST };
	uint8_t *mark = xcalloc(nrows, 1);
	struct ft_rng rng;
	rng_seed(&rng, s->split_seed);
	for (int k = 0; k < 2; k++) {
		size_t n = ncls[k];
		if (!shuffle(cls[k], n, &rng, prog)) {
			free(mark);
			free(perm);
			memset(out, 0, sizeof *out);
			return cancelled(err);
		}
		size_t a, b;
		split_cuts(n, tr, va, &a, &b);
		for (size_t i = 0; i < n; i++)
			mark[cls[k][i]] = i < a ? MARK_TRAIN : i < b ? MARK_VALIDATION : MARK_TEST;
		out->ntrain += a;
		out->nvalidation += b - a;
		out->ntest += n - b;
	}
	free(perm);
	if (ft_cancelled(prog)) {
		free(mark);
		memset(out, 0, sizeof *out);
		return cancelled(err);
	}
	out->train = xmalloc(out->ntrain * sizeof *out->train);
	out->validation = xmalloc(out->nvalidation * sizeof *out->validation);
	out->test = xmalloc(out->ntest * sizeof *out->test);
	size_t *list[] = { NULL, out->train, out->validation, out->test };
	size_t got[4] = {0, 0, 0, 0};
	for (size_t i = 0; i < nrows; i++)
		if (mark[i] != MARK_NONE)
			list[mark[i]][got[mark[i]]++] = i;
	free(mark);
	out->time_col = -1;
	return 0;
}

int prep_time_column(const struct frame *f, const struct target_info *t,
		     const struct settings *s)
{
	if (s->split_time_column) {
		for (size_t c = 0; c < f->ncols; c++)
			if (!strcmp(f->cols[c].name, s->split_time_column))
				return (int)c;
		return -1;
	}
	for (size_t c = 0; c < f->ncols; c++)
		if (f->cols[c].type == COL_DATETIME && (int)c != t->col &&
		    !settings_is_dropped(s, f->cols[c].name))
			return (int)c;
	return -1;
}

struct timed_row {
	double time;
	size_t row;
};

static int cmp_timed(const void *a, const void *b)
{
	const struct timed_row *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

static int cmp_size_asc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* The first index at or after `at` whose time differs from the one before
 * it (rows of one time stay in one split). */
static size_t past_ties(const struct timed_row *r, size_t n, size_t at)
{
	while (at > 0 && at < n && r[at].time == r[at - 1].time)
		at++;
	return at;
}

int prep_split_frame(const struct frame *f, const struct target_info *t,
		     const struct settings *s, const struct ft_progress *prog,
		     struct split *out, struct ft_err *err)
{
	if (s->split_method != SPLIT_TIME)
		return prep_split(t, f->nrows, s, prog, out, err);
	memset(out, 0, sizeof *out);
	double tr = s->split_train, va = s->split_validation, te = s->split_test;
	if (!(tr >= 0 && va >= 0 && te >= 0) || fabs(tr + va + te - 1.0) > 1e-9)
		return ft_fail(err, FT_EINPUT, "split: train + validation + test must sum to 1");
	int col = prep_time_column(f, t, s);
	if (col < 0) {
		if (s->split_time_column)
			return ft_fail(err, FT_EINPUT, "split.time_column: no column named \"%s\"",
				       s->split_time_column);
		return ft_fail(err, FT_EINPUT, "split.method: time needs a datetime column, and "
			       "there is none (name one with split.time_column)");
	}
	const struct column *c = &f->cols[col];
	if (c->type == COL_CATEGORICAL || col == t->col)
		return ft_fail(err, FT_EINPUT, "split.time_column: %s is %s, not a datetime or "
			       "numeric column", c->name, col == t->col ? "the target" :
			       "categorical");
	struct timed_row *r = xmalloc((f->nrows ? f->nrows : 1) * sizeof *r);
	size_t n = 0;
	for (size_t i = 0; i < f->nrows; i++) {
		if (t->y[i] > 1)
			continue;
		if (isnan(c->num[i])) {
			out->no_time++;
			continue;
		}
		r[n++] = (struct timed_row){ c->num[i], i };
	}
	if (ft_cancelled(prog)) {
		free(r);
		return cancelled(err);
	}
	qsort(r, n, sizeof *r, cmp_timed);
	double gap = s->split_gap_days * 86400.0;
	size_t cut[3][2];           /* [split][begin, end) into r */
	size_t a = past_ties(r, n, (size_t)llround((double)n * tr));
	if (a > n)
		a = n;
	cut[0][0] = 0;
	cut[0][1] = a;
	/* the gap after train, then validation's share of all the rows */
	size_t vb = a;
	while (vb < n && a > 0 && r[vb].time <= r[a - 1].time + gap)
		vb++;
	out->in_gap += vb - a;
	size_t ve = past_ties(r, n, vb + (size_t)llround((double)n * va));
	if (ve > n)
		ve = n;
	if (va <= 0)
		ve = vb;
	cut[1][0] = vb;
	cut[1][1] = ve;
	size_t tb = ve;
	if (ve > vb)
		while (tb < n && r[tb].time <= r[ve - 1].time + gap)
			tb++;
	out->in_gap += tb - ve;
	cut[2][0] = tb;
	cut[2][1] = te > 0 ? n : tb;
	static const char *const split_name[] = { "train", "validation", "test" };
	const double share[] = { tr, va, te };
	for (int sp = 0; sp < 3; sp++) {
		size_t cls[2] = { 0, 0 };
		for (size_t i = cut[sp][0]; i < cut[sp][1]; i++)
			cls[t->y[r[i].row]]++;
		if (share[sp] > 0 && (cls[0] == 0 || (cls[1] == 0 && sp == 0))) {
			free(r);
			return ft_fail(err, FT_EINPUT, "too few rows: the time split's %s split would "
				       "have no %s rows (%zu rows with a time; split.gap_days %g)",
				       split_name[sp], cls[0] ? "fraud" : "non-fraud", n,
				       s->split_gap_days);
		}
	}
	size_t **lists[3] = { &out->train, &out->validation, &out->test };
	size_t *counts[3] = { &out->ntrain, &out->nvalidation, &out->ntest };
	for (int sp = 0; sp < 3; sp++) {
		size_t m = cut[sp][1] - cut[sp][0];
		size_t *l = xmalloc((m ? m : 1) * sizeof *l);
		for (size_t i = 0; i < m; i++)
			l[i] = r[cut[sp][0] + i].row;
		qsort(l, m, sizeof *l, cmp_size_asc);
		*lists[sp] = l;
		*counts[sp] = m;
		out->from[sp] = m ? r[cut[sp][0]].time : NAN;
		out->to[sp] = m ? r[cut[sp][1] - 1].time : NAN;
	}
	out->time_col = col;
	free(r);
	return 0;
}

/* ---------------------------------------------------------- resampling */

/* Replace d's samples by the list `pick` (indices into d, in the order
 * wanted, possibly repeated). Cancelled, d is left as it was. */
static int rebuild(struct dataset *d, const size_t *pick, size_t n,
		   const struct ft_progress *prog, struct ft_err *err)
{
	size_t nf = d->nfeatures;
	float *X = xmalloc(n * nf * sizeof *X);
	for (size_t f = 0; f < nf; f++) {
		if (ft_cancelled(prog)) {
			free(X);
			return cancelled(err);
		}
		const float *src = d->X + f * d->n;
		float *dst = X + f * n;
		for (size_t i = 0; i < n; i++)
			dst[i] = src[pick[i]];
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
	free(d->y);
	free(d->rows);
	free(d->w);
	d->X = X;
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
	pthread_t *th = xcalloc((size_t)nt, sizeof *th);
	bool *started = xcalloc((size_t)nt, sizeof *started);
	for (int w = 0; w < nt; w++) {
		jobs[w] = *proto;
		jobs[w].begin = nq * (size_t)w / (size_t)nt;
		jobs[w].end = nq * (size_t)(w + 1) / (size_t)nt;
		if (w > 0)
			started[w] = pthread_create(&th[w], NULL, knn_worker, &jobs[w]) == 0;
	}
	knn_worker(&jobs[0]);
	for (int w = 1; w < nt; w++) {
		if (started[w])
			pthread_join(th[w], NULL);
		else
			knn_worker(&jobs[w]);   /* no thread to spare: do it here */
	}
	bool complete = true;
	for (int w = 0; w < nt; w++)
		complete = complete && !jobs[w].stopped;
	free(started);
	free(jobs);
	free(th);
	return complete;
}

size_t *prep_categorical_groups(const struct recipe *r)
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
			g[f] = PREP_NUMERIC;
		}
	}
	return g;
}

/* SMOTE-NC's view of the features: the categorical columns (groups of
 * features), each feature's place in its group, and the numeric features
 * whose training values are all integers. */
struct nc_types {
	size_t ngroups;
	size_t *group;           /* per feature: group index, or PREP_NUMERIC */
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
		t->group[f] = PREP_NUMERIC;
		if (!groups || groups[f] == PREP_NUMERIC) {
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
			if (groups[e] == groups[f] && t->group[e] != PREP_NUMERIC)
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

/* Cancelled, d is left as it was. groups: prep_categorical_groups's, or
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
		scale[f] = sd > 0 && ty.group[f] == PREP_NUMERIC ? 1.0 / sd : 0;
	}

	/* SMOTE-NC: a differing categorical column adds the square of the
	 * median, over the numeric features, of the minority rows' standard
	 * deviation (in the scaled units); a one-hot column differs in two
	 * features, so each carries half. */
	if (ty.ngroups) {
		double *sds = xmalloc((nf ? nf : 1) * sizeof *sds);
		size_t nsd = 0;
		for (size_t f = 0; f < nf; f++) {
			if (ty.group[f] != PREP_NUMERIC || scale[f] == 0)
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
			if (ty.group[f] != PREP_NUMERIC)
				mismatch[f] = (float)(med * med / (ty.size[ty.group[f]] > 1 ? 2.0 : 1.0));
		gfeat = xcalloc(ty.ngroups, sizeof *gfeat);
		for (size_t g = 0; g < ty.ngroups; g++)
			gfeat[g] = xmalloc(ty.size[g] * sizeof *gfeat[g]);
		for (size_t f = 0; f < nf; f++)
			if (ty.group[f] != PREP_NUMERIC)
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
		if (!shuffle(refs, nmin, rng, prog))
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
		if (g != PREP_NUMERIC) {
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

int prep_resample(struct dataset *d, const struct settings *s,
		  const struct ft_progress *prog, struct ft_err *err)
{
	return prep_resample_recipe(d, s, NULL, prog, err);
}

int prep_resample_recipe(struct dataset *d, const struct settings *s,
			 const struct recipe *r, const struct ft_progress *prog,
			 struct ft_err *err)
{
	if (s->resample == RESAMPLE_NONE)
		return 0;
	if (ft_cancelled(prog))
		return cancelled(err);
	double ratio = s->resample_ratio;
	if (!(ratio > 0 && ratio <= 1))
		return ft_fail(err, FT_EINPUT, "resample.ratio: must be in (0, 1]");
	size_t cnt[2] = {0, 0};
	for (size_t i = 0; i < d->n; i++)
		cnt[d->y[i] ? 1 : 0]++;
	if (cnt[0] == 0 || cnt[1] == 0)
		return ft_fail(err, FT_EINPUT, "resample.method: %s needs both classes in the "
			       "training split, which has %zu and %zu",
			       resample_name(s->resample), cnt[0], cnt[1]);
	if (d->prior[0] + d->prior[1] == 0) {
		d->prior[0] = cnt[0];
		d->prior[1] = cnt[1];
	}
	/* Ties: fraud (1) counts as the minority. */
	uint8_t minority = cnt[1] <= cnt[0] ? 1 : 0, majority = 1 - minority;
	size_t nmin = cnt[minority], nmaj = cnt[majority];
	struct ft_rng rng;
	rng_seed(&rng, s->split_seed ^ 0x5245534d504c45ULL);   /* own stream, not the split's */

	switch (s->resample) {
	case RESAMPLE_NONE:
		return 0;
	case RESAMPLE_CLASS_WEIGHT: {
		/* Balanced weights n / (2 n_c), then the minority weight scaled so
		 * that its total weight is `ratio` times the majority's. */
		double n = (double)d->n;
		double wmaj = n / (2.0 * (double)nmaj);
		double wmin = ratio * n / (2.0 * (double)nmin);
		if (!d->w) {
			d->w = xmalloc(d->n * sizeof *d->w);
			for (size_t i = 0; i < d->n; i++)
				d->w[i] = 1;
		}
		for (size_t i = 0; i < d->n; i++)
			d->w[i] *= d->y[i] == minority ? wmin : wmaj;
		return 0;
	}
	case RESAMPLE_UNDER: {
		size_t keep = (size_t)llround((double)nmin / ratio);
		if (keep < 1)
			keep = 1;
		if (keep >= nmaj)
			return 0;
		size_t *maj = xmalloc(nmaj * sizeof *maj);
		size_t m = 0;
		for (size_t i = 0; i < d->n; i++)
			if (d->y[i] == majority)
				maj[m++] = i;
		/* partial Fisher-Yates: the first `keep` are a uniform sample */
		for (size_t i = 0; i < keep; i++) {
			size_t j = i + (size_t)rng_below(&rng, nmaj - i);
			size_t t = maj[i];
			maj[i] = maj[j];
			maj[j] = t;
		}
		bool *take = xcalloc(d->n, sizeof *take);
		for (size_t i = 0; i < keep; i++)
			take[maj[i]] = true;
		size_t *pick = xmalloc((nmin + keep) * sizeof *pick);
		size_t np = 0;
		for (size_t i = 0; i < d->n; i++)
			if (d->y[i] == minority || take[i])
				pick[np++] = i;
		int rc = rebuild(d, pick, np, prog, err);
		free(pick);
		free(take);
		free(maj);
		return rc;
	}
	case RESAMPLE_OVER:
	case RESAMPLE_SMOTE: {
		size_t want = (size_t)llround(ratio * (double)nmaj);
		if (want <= nmin)
			return 0;
		size_t add = want - nmin;
		if (s->resample == RESAMPLE_SMOTE) {
			size_t *groups = r ? prep_categorical_groups(r) : NULL;
			int rc = smote(d, groups, minority, add, &rng, prog, err);
			free(groups);
			return rc;
		}
		size_t *mins = xmalloc(nmin * sizeof *mins);
		size_t m = 0;
		for (size_t i = 0; i < d->n; i++)
			if (d->y[i] == minority)
				mins[m++] = i;
		size_t *pick = xmalloc((d->n + add) * sizeof *pick);
		for (size_t i = 0; i < d->n; i++)
			pick[i] = i;
		for (size_t i = 0; i < add; i++)
			pick[d->n + i] = mins[rng_below(&rng, nmin)];
		int rc = rebuild(d, pick, d->n + add, prog, err);
		if (rc == 0)
			d->nsynthetic += add;
		free(pick);
		free(mins);
		return rc;
	}
	case RESAMPLE_COUNT:
		break;
	}
	return 0;
}
