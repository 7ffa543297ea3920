/* recipe: fitting the preprocessing on the training rows (imputation
 * values, category dictionaries and encodings, datetime parts, missing
 * indicators) and the features that follow from it.
 *
 * Invariants: a recipe is fitted on training rows only and never changes
 * afterwards. Categorical levels are kept in sorted (strcmp) order (an
 * ordinal input: its natural or given order), features in column order
 * then level order: equal inputs give equal recipes. */
#include "config.h"
#include "recipe.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ONEHOT_MAX_LEVELS 64

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


/* A training level and how many training rows hold it. */
struct level_count {
	const char *text;
	size_t count;
};

static int cmp_level(const void *a, const void *b)
{
	return strcmp(((const struct level_count *)a)->text, ((const struct level_count *)b)->text);
}

size_t recipe_suggest_drops(const struct frame *f, int target_col,
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

void recipe_add_drop(struct recipe *r, const char *name, const char *reason)
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

/* The feature of each datetime part (settings.h's bit order). */
static const enum feature_kind dt_kind[DT_PART_COUNT] = {
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
		for (unsigned p = 0; p < DT_PART_COUNT; p++)
			if (in->datetime_parts & (1u << p))
				add_feature(r, xasprintf("%s.%s", in->name, datetime_part_name(p)), idx,
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

static double median(double *v, size_t n)
{
	double upper = ft_select_kth(v, n, n / 2);
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
	case IMPUTE_COUNT:
		break;
	}
	return median(v, n);
}

const char *recipe_input_type_name(enum col_type t)
{
	return t == COL_NUMERIC ? "numeric" : t == COL_DATETIME ? "datetime" : "categorical";
}

/* Fit one numeric or datetime input: its fill value, and in *nmissing how
 * many training rows miss it; v has room for n values (scratch). Fails
 * (with err) on a constant that is not a value of the column's type. */
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
		       const size_t *rows, size_t n, double *v, size_t *nmissing,
		       struct ft_err *err)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		double x = c->num[rows[i]];
		if (isnan(x))
			continue;
		if (!feature_finite(x))
			return ft_fail(err, FT_EINPUT, "%s:%lu: %s: %g is out of the range a feature "
				       "can hold (magnitude above 3.4e38); add it to na_values "
				       "(--na-values) or fix the data",
				       f->path ? f->path : "data",
				       f->row_line ? (unsigned long)f->row_line[rows[i]] : 0UL,
				       c->name, x);
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
		if (!ok || !feature_finite(d))
			return ft_fail(err, FT_EINPUT, "%s: constant:%s is not a %s value for "
				       "column %s", key, txt, c->type == COL_DATETIME ?
				       "datetime" : "numeric", c->name);
		in->fill_value = d;
	} else {
		in->fill_value = numeric_fill(spec->strategy, v, m);
	}
	return 0;
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
					      cs->name, recipe_input_type_name(type)));
		if (cs->has_datetime && type != COL_DATETIME)
			add_note(r, xasprintf("datetime.columns.%s: ignored, %s is %s", cs->name,
					      cs->name, recipe_input_type_name(type)));
		if (cs->has_ordinal && type != COL_CATEGORICAL)
			add_note(r, xasprintf("ordinal.columns.%s: ignored, %s is %s", cs->name,
					      cs->name, recipe_input_type_name(type)));
		else if (cs->has_ordinal && (cs->has_encode ? cs->encode : s->encode_default) !=
			 ENC_ORDINAL)
			add_note(r, xasprintf("ordinal.columns.%s: ignored, %s is not encoded as "
					      "ordinal (encode.columns.%s=ordinal)", cs->name,
					      cs->name, cs->name));
	}
}

struct recipe *recipe_fit(const struct frame *f, const struct settings *s,
			  const struct target_info *t, const size_t *train_rows,
			  size_t ntrain, const struct ft_progress *prog,
			  struct ft_err *err)
{
	if (t->col < 0 || (size_t)t->col >= f->ncols) {
		ft_fail(err, FT_EINTERNAL, "recipe_fit: no target column");
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
	size_t nsugg = recipe_suggest_drops(f, t->col, sugg, f->ncols);
	r->inputs = xcalloc(f->ncols, sizeof *r->inputs);

	/* The training values of a numeric column, reused from column to
	 * column (fresh pages for each would cost more than the work). */
	double *scratch = NULL;
	for (size_t ci = 0; ci < f->ncols; ci++) {
		const struct column *c = &f->cols[ci];
		if (ft_cancelled(prog)) {
			free(sugg);
			free(scratch);
			recipe_free(r);
			cancelled(err);
			return NULL;
		}
		if ((int)ci == t->col) {
			recipe_add_drop(r, c->name, "target");
			continue;
		}
		if (settings_is_dropped(s, c->name)) {
			recipe_add_drop(r, c->name, "listed in drop");
			continue;
		}
		const char *why = NULL;
		for (size_t k = 0; k < nsugg; k++)
			if (sugg[k].col == (int)ci)
				why = sugg[k].reason;
		if (why && s->drop_suggested) {
			recipe_add_drop(r, c->name, why);
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
		else {
			if (!scratch)
				scratch = xmalloc((ntrain ? ntrain : 1) * sizeof *scratch);
			rc = fit_numeric(in, f, c, spec, key, train_rows, ntrain, scratch,
					 &nmissing, err);
		}
		free(key);
		r->ninputs++;   /* counted even on failure so recipe_free frees it */
		if (rc < 0) {
			free(sugg);
			free(scratch);
			recipe_free(r);
			return NULL;
		}
		if (ntrain > 0 && nmissing == ntrain) {
			r->ninputs--;
			recipe_input_free(in);
			recipe_add_drop(r, c->name, "no values in the training split");
			continue;
		}
		if (c->type == COL_DATETIME) {
			bool own;
			in->datetime_parts = recipe_datetime_parts(s, f, ci, train_rows, ntrain, &own);
			if (!own && (s->datetime_default & DT_HOUR) && !(in->datetime_parts & DT_HOUR))
				add_note(r, xasprintf("%s: no time of day in any training value; "
						      "month instead of hour", c->name));
			if (!in->datetime_parts && !(s->missing_indicators && nmissing)) {
				r->ninputs--;
				recipe_input_free(in);
				recipe_add_drop(r, c->name, "no datetime parts selected");
				continue;
			}
		}
		in->missing_indicator = s->missing_indicators && nmissing > 0;
		add_input_features(r, r->ninputs - 1);
	}
	free(sugg);
	free(scratch);
	return r;
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

unsigned recipe_datetime_parts(const struct settings *s, const struct frame *f, size_t col,
			       const size_t *rows, size_t n, bool *own)
{
	const struct column_setting *cs = settings_column(s, f->cols[col].name);
	*own = cs && cs->has_datetime;
	if (*own)
		return cs->datetime_parts;
	unsigned parts = s->datetime_default;
	/* A date without a time of day has hour 0 in every row: by default
	 * such a column gives the month instead. */
	if ((parts & DT_HOUR) && !recipe_has_time_of_day(f, col, rows, n))
		parts = (parts & ~(unsigned)DT_HOUR) | DT_MONTH;
	return parts;
}

bool recipe_has_time_of_day(const struct frame *f, size_t col, const size_t *rows, size_t n)
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

float recipe_datetime_part(enum feature_kind kind, double t)
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
