/* target: the label column and its positive value, given by the settings
 * or detected (a column named like a label; a value reading as "yes").
 *
 * Invariant: a resolved target has exactly two classes among the rows
 * where it is present; every other row is 255 in y and counted missing. */
#include "config.h"
#include "target.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

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

int target_resolve(const struct frame *f, const struct settings *s,
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
		return ft_fail(err, FT_EINPUT, "%s: target %s is a datetime column; a binary "
			       "target is needed", f->path ? f->path : "data", c->name);

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
			ft_fail(err, FT_EINPUT, "%s: target %s has no values; a binary target is "
				"needed", f->path ? f->path : "data", c->name);
		else
			ft_fail(err, FT_EINPUT, "%s: target %s has %zu class%s (%s); a binary "
				"target is needed", f->path ? f->path : "data", c->name, nclass,
				nclass == 1 ? "" : "es", sb.data);
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
			ft_fail(err, FT_EINPUT, "%s: positive: '%s' is not a value of %s (%s, %s)",
				f->path ? f->path : "data", s->positive, c->name, vals[0], vals[1]);
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
