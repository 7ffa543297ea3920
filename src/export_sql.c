/* export_sql: one SELECT that scores a raw table as `fraudtree predict`
 * scores the raw CSV.
 *
 * Shape: an inner SELECT adds fraud_leaf, a nested CASE that walks the
 * tree; an outer SELECT maps the leaf to its probability and prediction.
 * In sqlite and postgres the walk is a scalar subquery over derived tables
 * that read the row's cells once each: v (each input's value, NULL when
 * missing), then f (each feature the tree uses); sqlite first normalises
 * datetime text in a few more (trim, pad month, day and hour). The ansi
 * dialect, for engines without correlated derived tables, writes each
 * feature inline where the tree tests it. Each split compares the
 * feature's value with a double precision literal:
 * - numeric features are floats inside fraudtree, so the comparison uses
 *   condition_float_cut, the double cut that decides as the float does;
 * - categorical features take the values recipe_apply_row gives each
 *   level, a missing cell and an unseen category (condition_level_values);
 * - a missing or unreadable cell takes the value the recipe gives a row
 *   whose every cell is missing (the fitted fill).
 * What counts as missing follows the loader: NULL, the NA strings (exact
 * text), and for numbers and datetimes any text that is not one. */
#include "config.h"
#include "export_sql.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "condition.h"
#include "frame.h"
#include "recipe_apply.h"

static const char *const dialect_names[SQL_DIALECT_COUNT] = {
	[SQL_SQLITE] = "sqlite", [SQL_POSTGRES] = "postgres", [SQL_ANSI] = "ansi",
};

const char *sql_dialect_name(enum sql_dialect d)
{
	return d < SQL_DIALECT_COUNT ? dialect_names[d] : "?";
}

bool sql_dialect_parse(const char *s, enum sql_dialect *out)
{
	for (int d = 0; d < SQL_DIALECT_COUNT; d++)
		if (!strcmp(s, dialect_names[d])) {
			*out = (enum sql_dialect)d;
			return true;
		}
	return false;
}

struct gen {
	const struct model *m;
	enum sql_dialect d;
	struct strbuf sb;
	float *fill;               /* features of a row whose every cell is missing */
	float **levels;            /* per feature: condition_level_values or NULL */
	bool *used_feature;        /* the tree splits on it */
	bool *used_input;          /* a used feature reads it */
	bool nested;               /* values computed once per row in derived
	                              tables (sqlite, postgres), else inline */
};

/* ---- literals --------------------------------------------------------- */

static void put_ident(struct strbuf *sb, const char *name)
{
	sb_puts(sb, "\"");
	for (const char *p = name; *p; p++) {
		sb_append(sb, p, 1);
		if (*p == '"')
			sb_puts(sb, "\"");
	}
	sb_puts(sb, "\"");
}

static void put_string(struct strbuf *sb, const char *s)
{
	sb_puts(sb, "'");
	for (const char *p = s; *p; p++) {
		sb_append(sb, p, 1);
		if (*p == '\'')
			sb_puts(sb, "'");
	}
	sb_puts(sb, "'");
}

/* A double as every dialect reads it, exactly (shortest round-trip). */
static void put_double(struct strbuf *sb, double v)
{
	char buf[32];
	if (isinf(v)) {
		sb_puts(sb, v > 0 ? "CAST('Infinity' AS DOUBLE PRECISION)"
				  : "CAST('-Infinity' AS DOUBLE PRECISION)");
		return;
	}
	fmt_double(buf, v);
	sb_printf(sb, "CAST(%s AS DOUBLE PRECISION)", buf);
}

/* A float feature value: small integers as they are, others exactly. */
static void put_value(struct strbuf *sb, float v)
{
	if (v == floorf(v) && fabsf(v) < 1e15f)
		sb_printf(sb, "%.0f", (double)v);
	else
		put_double(sb, (double)v);
}

/* Text from data or people (the model's path, the target's name, the
 * fraud label) inside a -- comment: control characters made visible
 * (ft_escape_controls), so a line break in a name can never end the
 * comment and leave the rest as SQL, nor an escape reach a terminal. */
static void put_line_text(struct strbuf *sb, const char *text)
{
	char *safe = ft_escape_controls(text ? text : "");
	sb_puts(sb, safe);
	free(safe);
}

/* A comment that cannot end early. */
static void put_comment(struct strbuf *sb, const char *text)
{
	/* PostgreSQL nests block comments: a slash-star left whole would open a
	 * comment that never closes, a star-slash would close ours early. Break
	 * both, so that names from the data can never leave the comment. */
	/* and no control character reaches a reader's terminal */
	char *safe = ft_escape_controls(text);
	sb_puts(sb, "/* ");
	for (const char *p = safe; *p; p++) {
		sb_append(sb, p, 1);
		if ((p[0] == '*' && p[1] == '/') || (p[0] == '/' && p[1] == '*'))
			sb_puts(sb, " ");
	}
	sb_puts(sb, " */");
	free(safe);
}

static void put_column(struct gen *g, size_t input)
{
	sb_puts(&g->sb, "t.");
	put_ident(&g->sb, g->m->recipe->inputs[input].name);
}

/* The cell as text: sqlite and postgres read any column type this way. */
static void put_text(struct gen *g, size_t input)
{
	if (g->d == SQL_ANSI) {
		put_column(g, input);
		return;
	}
	sb_puts(&g->sb, "CAST(");
	put_column(g, input);
	sb_puts(&g->sb, " AS TEXT)");
}

static void put_na_list(struct gen *g, bool user_only)
{
	const struct recipe *r = g->m->recipe;
	bool first = true;
	sb_puts(&g->sb, "(");
	for (size_t i = 0; !user_only && i < frame_na_ndefaults; i++) {
		sb_puts(&g->sb, first ? "" : ", ");
		put_string(&g->sb, frame_na_defaults[i]);
		first = false;
	}
	for (size_t i = 0; i < r->nna_values; i++) {
		sb_puts(&g->sb, first ? "" : ", ");
		put_string(&g->sb, r->na_values[i]);
		first = false;
	}
	sb_puts(&g->sb, ")");
}

/* ---- per input: is the cell missing, what does it hold ---------------- */

/* ---- per input: the cell's value, NULL when missing ------------------- */

static const char sqlite_inf[] = "('inf', '+inf', 'infinity', '+infinity')";
static const char sqlite_ninf[] = "('-inf', '-infinity')";
static const char pg_number_re[] =
	"'^[ \\t]*[-+]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)[ \\t]*$'";
static const char pg_iso_re[] =
	"'^[ \\t]*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?[ \\t]*$'";

/* Decimal digits of b^e * m, most significant first (exact; for the
 * double range's edges below). */
static void put_power(struct strbuf *sb, uint64_t b, int e, uint64_t m)
{
	uint8_t d[1200] = { 1 };   /* least significant first */
	size_t n = 1;
	for (int k = 0; k <= e; k++) {
		uint64_t f = k < e ? b : m, carry = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t v = d[i] * f + carry;
			d[i] = (uint8_t)(v % 10);
			carry = v / 10;
		}
		for (; carry; carry /= 10)
			d[n++] = (uint8_t)(carry % 10);
	}
	for (size_t i = n; i-- > 0;)
		sb_append(sb, &"0123456789"[d[i]], 1);
}

/* postgres: a number's text as a double, as the loader reads it. A cast
 * fails on text beyond double precision's range ('1e999', '1e-400'), which
 * the loader reads as an infinity or zero, so the rare text that could be
 * (a run of 200 digits, an exponent of three) is first measured as NUMERIC
 * against the exact edges: 2^1024 - 2^970 and up round to an infinity,
 * 2^-1075 and down to zero. An exponent of five digits is beyond NUMERIC
 * too: its sign decides. */
static void put_pg_number(struct gen *g, size_t input)
{
	struct strbuf *sb = &g->sb;
	static const char inf[] = "CAST('Infinity' AS DOUBLE PRECISION)";
	static const char ninf[] = "CAST('-Infinity' AS DOUBLE PRECISION)";
	static const char zero[] = "CAST(0 AS DOUBLE PRECISION)";
#define TEXT put_text(g, input)
	sb_puts(sb, "CASE WHEN ");
	TEXT;
	sb_puts(sb, " !~ '[0-9]{200}|[eE][-+]?0*[1-9][0-9]{2}' THEN CAST(");
	TEXT;
	sb_puts(sb, " AS DOUBLE PRECISION) WHEN ");
	TEXT;
	sb_printf(sb, " ~ '^[ \\t]*[-+]?0*[.]?0*([eE][-+]?[0-9]+)?[ \\t]*$' THEN %s WHEN ", zero);
	TEXT;
	sb_printf(sb, " ~ '[eE][-+]?0*[1-9][0-9]{4}' THEN CASE WHEN ");
	TEXT;
	sb_printf(sb, " ~ '[eE]-' THEN %s WHEN ", zero);
	TEXT;
	sb_printf(sb, " ~ '^[ \\t]*-' THEN %s ELSE %s END WHEN ABS(CAST(", ninf, inf);
	TEXT;
	sb_puts(sb, " AS NUMERIC)) >= ");
	put_power(sb, 2, 970, (UINT64_C(1) << 54) - 1);
	sb_puts(sb, " THEN CASE WHEN ");
	TEXT;
	sb_printf(sb, " ~ '^[ \\t]*-' THEN %s ELSE %s END WHEN ABS(CAST(", ninf, inf);
	TEXT;
	sb_puts(sb, " AS NUMERIC)) <= 0.");
	/* 2^-1075 = 5^1075 / 10^1075: 5^1075 has 752 digits */
	for (int i = 0; i < 1075 - 752; i++)
		sb_puts(sb, "0");
	put_power(sb, 5, 1075, 1);
	sb_printf(sb, " THEN %s ELSE CAST(", zero);
	TEXT;
	sb_puts(sb, " AS DOUBLE PRECISION) END");
#undef TEXT
}

/* "WHEN <cell is one of the user's NA strings> THEN NULL " (the default NA
 * strings are never numbers or dates, so only these can hide one). */
static void when_user_na(struct gen *g, size_t input)
{
	if (g->m->recipe->nna_values == 0)
		return;
	sb_puts(&g->sb, "WHEN ");
	put_text(g, input);
	sb_puts(&g->sb, " IN ");
	put_na_list(g, true);
	sb_puts(&g->sb, " THEN NULL ");
}

/* A datetime cell's text at sqlite's normalising step k (0: trimmed). */
static void put_dt_step(struct gen *g, size_t input, int k)
{
	sb_printf(&g->sb, "d%d.\"d%zu\"", k, input);
}

static const char D4[] = "[0-9][0-9][0-9][0-9]";
static const char D2[] = "[0-9][0-9]";

/* sqlite's normalising steps for datetime text: 1 pads a one-digit month,
 * 2 a one-digit day, 3 a one-digit hour (the loader reads all of them). */
static void put_dt_normalise(struct gen *g, size_t input, int k)
{
	struct strbuf *sb = &g->sb;
	int at = k == 1 ? 5 : k == 2 ? 8 : 11;   /* characters kept before the '0' */
	sb_puts(sb, "CASE WHEN ");
	if (k == 1) {
		put_dt_step(g, input, 0);
		sb_printf(sb, " GLOB '%s-[0-9]-*'", D4);
	} else if (k == 2) {
		put_dt_step(g, input, 1);
		sb_printf(sb, " GLOB '%s-%s-[0-9]' OR ", D4, D2);
		put_dt_step(g, input, 1);
		sb_printf(sb, " GLOB '%s-%s-[0-9][ T]*'", D4, D2);
	} else {
		put_dt_step(g, input, 2);
		sb_printf(sb, " GLOB '%s-%s-%s[ T][0-9]:*'", D4, D2, D2);
	}
	sb_puts(sb, " THEN SUBSTR(");
	put_dt_step(g, input, k - 1);
	sb_printf(sb, ", 1, %d) || '0' || SUBSTR(", at);
	put_dt_step(g, input, k - 1);
	sb_printf(sb, ", %d) ELSE ", at + 1);
	put_dt_step(g, input, k - 1);
	sb_puts(sb, " END");
}

/* sqlite: the normalised text as 'YYYY-MM-DD HH:MM:SS' when it is a
 * calendar date with an optional time of day, else NULL. */
static void put_sqlite_datetime(struct gen *g, size_t input)
{
	struct strbuf *sb = &g->sb;
#define X put_dt_step(g, input, 3)
	sb_puts(sb, "CASE ");
	when_user_na(g, input);
	sb_puts(sb, "WHEN (");
	X; sb_printf(sb, " GLOB '%s-%s-%s' OR ", D4, D2, D2);
	X; sb_printf(sb, " GLOB '%s-%s-%s[ T]%s:%s' OR ", D4, D2, D2, D2, D2);
	X; sb_printf(sb, " GLOB '%s-%s-%s[ T]%s:%s:%s' OR (", D4, D2, D2, D2, D2, D2);
	X; sb_printf(sb, " GLOB '%s-%s-%s[ T]%s:%s:%s.[0-9]*' AND SUBSTR(", D4, D2, D2, D2, D2, D2);
	X; sb_puts(sb, ", 21) NOT GLOB '*[^0-9]*')) AND DATE(SUBSTR(");
	X; sb_puts(sb, ", 1, 10)) = SUBSTR(");
	X; sb_puts(sb, ", 1, 10) AND (LENGTH(");
	X; sb_puts(sb, ") = 10 OR (SUBSTR(");
	X; sb_puts(sb, ", 12, 2) <= '23' AND SUBSTR(");
	X; sb_puts(sb, ", 15, 2) <= '59' AND (LENGTH(");
	X; sb_puts(sb, ") = 16 OR SUBSTR(");
	X; sb_puts(sb, ", 18, 2) <= '59'))) THEN SUBSTR(");
	X; sb_puts(sb, ", 1, 10) || ' ' || CASE LENGTH(");
	X; sb_puts(sb, ") WHEN 10 THEN '00:00:00' WHEN 16 THEN SUBSTR(");
	X; sb_puts(sb, ", 12, 5) || ':00' ELSE SUBSTR(");
	X; sb_puts(sb, ", 12, 8) END END");
#undef X
}

/* postgres: the parts of ISO text that passed pg_iso_re name a real
 * calendar date and time of day (a cast would fail on 2018-02-30). */
static void put_pg_calendar(struct gen *g, size_t input)
{
	struct strbuf *sb = &g->sb;
	static const char y[] = "'^[ \\t]*([0-9]{4})'";
	static const char m[] = "'^[ \\t]*[0-9]{4}-([0-9]{1,2})'";
	static const char d[] = "'^[ \\t]*[0-9]{4}-[0-9]{1,2}-([0-9]{1,2})'";
	static const char h[] = "'[ T]([0-9]{1,2}):'";
	static const char mi[] = "'[ T][0-9]{1,2}:([0-9]{2})'";
	static const char se[] = "'[ T][0-9]{1,2}:[0-9]{2}:([0-9]{2})'";
#define PART(re) (sb_puts(sb, "CAST(SUBSTRING("), put_text(g, input), \
		  sb_printf(sb, " FROM %s) AS INTEGER)", re))
	sb_puts(sb, "(");
	PART(y);
	sb_puts(sb, " >= 1 AND ");
	PART(m);
	sb_puts(sb, " BETWEEN 1 AND 12 AND ");
	PART(d);
	sb_puts(sb, " BETWEEN 1 AND CASE ");
	PART(m);
	sb_puts(sb, " WHEN 2 THEN CASE WHEN (");
	PART(y);
	sb_puts(sb, " % 4 = 0 AND ");
	PART(y);
	sb_puts(sb, " % 100 <> 0) OR ");
	PART(y);
	sb_puts(sb, " % 400 = 0 THEN 29 ELSE 28 END WHEN 4 THEN 30 WHEN 6 THEN 30 "
		    "WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END AND COALESCE(");
	PART(h);
	sb_puts(sb, ", 0) <= 23 AND COALESCE(");
	PART(mi);
	sb_puts(sb, ", 0) <= 59 AND COALESCE(");
	PART(se);
	sb_puts(sb, ", 0) <= 59)");
#undef PART
}

/* The value of one input for the v table (nested dialects) or inline
 * (ansi): a number, a category's text, a timestamp (postgres, ansi) or
 * normalised datetime text (sqlite); NULL when the cell is missing. */
static int put_input_value(struct gen *g, size_t input, struct ft_err *err)
{
	const struct recipe_input *in = &g->m->recipe->inputs[input];
	struct strbuf *sb = &g->sb;
	if (in->type == COL_CATEGORICAL) {
		sb_puts(sb, "CASE WHEN ");
		put_column(g, input);
		sb_puts(sb, " IS NULL OR ");
		put_text(g, input);
		sb_puts(sb, " IN ");
		put_na_list(g, false);
		sb_puts(sb, " THEN NULL ELSE ");
		put_text(g, input);
		sb_puts(sb, " END");
		return 0;
	}
	if (in->type == COL_DATETIME && in->date_order != DATE_ISO && g->d != SQL_POSTGRES)
		return ft_fail(err, FT_EINPUT,
			       "export: %s: input '%s' reads %s dates; this dialect reads "
			       "ISO 8601 dates only (try --dialect postgres with a timestamp column)",
			       sql_dialect_name(g->d), in->name,
			       in->date_order == DATE_MDY ? "M/D/YYYY" : "D/M/YYYY");
	switch (g->d) {
	case SQL_SQLITE:
		if (in->type == COL_DATETIME) {
			put_sqlite_datetime(g, input);
			return 0;
		}
		sb_puts(sb, "CASE ");
		when_user_na(g, input);
		/* numeric affinity: true exactly when the text is a number
		 * ("12", " 1e5 ", ".5"), false for "12abc", "" or NULL; but
		 * sqlite also skips line breaks, vertical tabs and form feeds
		 * around a number ("12\r"), which the loader reads as no
		 * number: text holding one is not taken */
		sb_puts(sb, "WHEN CAST(");
		put_column(g, input);
		sb_puts(sb, " AS REAL) = ");
		put_column(g, input);
		sb_puts(sb, " AND ");
		put_text(g, input);
		sb_puts(sb, " NOT GLOB '*[' || char(10, 11, 12, 13) || ']*' THEN CAST(");
		put_column(g, input);
		sb_puts(sb, " AS REAL) WHEN LOWER(TRIM(");
		put_text(g, input);
		sb_printf(sb, ", ' ' || char(9))) IN %s THEN 9e999 WHEN LOWER(TRIM(", sqlite_inf);
		put_text(g, input);
		sb_printf(sb, ", ' ' || char(9))) IN %s THEN -9e999 END", sqlite_ninf);
		return 0;
	case SQL_POSTGRES:
		sb_puts(sb, "CASE ");
		when_user_na(g, input);
		sb_puts(sb, "WHEN ");
		put_text(g, input);
		if (in->type == COL_DATETIME) {
			sb_printf(sb, " ~ %s AND ", pg_iso_re);
			put_pg_calendar(g, input);
			sb_puts(sb, " THEN CAST(TRIM(");
			put_text(g, input);
			sb_puts(sb, ") AS TIMESTAMP) END");
		} else {
			sb_printf(sb, " ~ %s THEN ", pg_number_re);
			put_pg_number(g, input);
			sb_puts(sb, " END");
		}
		return 0;
	case SQL_ANSI:
	case SQL_DIALECT_COUNT:
		break;
	}
	/* ansi: typed cells, NULL for missing */
	if (g->m->recipe->nna_values == 0 || in->type == COL_DATETIME) {
		if (in->type == COL_DATETIME) {
			put_column(g, input);
		} else {
			sb_puts(sb, "CAST(");
			put_column(g, input);
			sb_puts(sb, " AS DOUBLE PRECISION)");
		}
		return 0;
	}
	sb_puts(sb, "CASE");
	const struct recipe *r = g->m->recipe;
	for (size_t k = 0; k < r->nna_values; k++) {
		double v;
		if (!parse_number(r->na_values[k], strlen(r->na_values[k]), &v))
			continue;
		sb_puts(sb, " WHEN CAST(");
		put_column(g, input);
		sb_puts(sb, " AS DOUBLE PRECISION) = ");
		put_double(sb, v);
		sb_puts(sb, " THEN NULL");
	}
	sb_puts(sb, " ELSE CAST(");
	put_column(g, input);
	sb_puts(sb, " AS DOUBLE PRECISION) END");
	return 0;
}

/* The input's value where a feature reads it. */
static int put_value_of(struct gen *g, size_t input, struct ft_err *err)
{
	if (g->nested) {
		sb_printf(&g->sb, "v.\"v%zu\"", input);
		return 0;
	}
	sb_puts(&g->sb, "(");
	int rc = put_input_value(g, input, err);
	sb_puts(&g->sb, ")");
	return rc;
}

/* ---- per feature ------------------------------------------------------ */

static const char *const part_sqlite[] = { "%H", "%w", "%d", "%m" };
static const char *const part_sql[] = { "HOUR", "ISODOW", "DAY", "MONTH" };

static int part_index(enum feature_kind k)
{
	return k == FEAT_DT_HOUR ? 0 : k == FEAT_DT_DAY_OF_WEEK ? 1 : k == FEAT_DT_DAY ? 2 : 3;
}

/* The encoded value: a CASE over the levels, grouped by value. */
static int put_categorical(struct gen *g, size_t feature, struct ft_err *err)
{
	const struct recipe *r = g->m->recipe;
	size_t input = r->features[feature].input;
	const struct recipe_input *in = &r->inputs[input];
	const float *v = g->levels[feature];
	size_t n = in->nlevels;
	float unseen = v[n + 1];
	bool *done = xcalloc(n + 1, sizeof *done);
	struct strbuf *sb = &g->sb;
	sb_puts(sb, "CASE WHEN ");
	if (put_value_of(g, input, err) < 0) {
		free(done);
		return -1;
	}
	sb_puts(sb, " IS NULL THEN ");
	put_value(sb, v[n]);
	for (size_t k = 0; k < n; k++) {
		if (done[k] || v[k] == unseen)
			continue;
		sb_puts(sb, " WHEN ");
		put_value_of(g, input, err);
		sb_puts(sb, " IN (");
		for (size_t l = k; l < n; l++)
			if (!done[l] && v[l] == v[k]) {
				sb_puts(sb, l == k ? "" : ", ");
				put_string(sb, in->levels[l]);
				done[l] = true;
			}
		sb_puts(sb, ") THEN ");
		put_value(sb, v[k]);
	}
	sb_puts(sb, " ELSE ");
	put_value(sb, unseen);
	sb_puts(sb, " END");
	free(done);
	return 0;
}

/* The SQL value of feature f: the recipe applied to the input's value. */
static int put_feature(struct gen *g, size_t f, struct ft_err *err)
{
	const struct recipe *r = g->m->recipe;
	const struct feature *ft = &r->features[f];
	struct strbuf *sb = &g->sb;
	int rc = 0;
	switch (ft->kind) {
	case FEAT_NUMERIC:
		sb_puts(sb, "COALESCE(");
		rc = put_value_of(g, ft->input, err);
		sb_puts(sb, ", ");
		put_double(sb, (double)g->fill[f]);
		sb_puts(sb, ")");
		break;
	case FEAT_ONEHOT:
	case FEAT_FREQUENCY:
	case FEAT_ORDINAL:
		rc = put_categorical(g, f, err);
		break;
	case FEAT_DT_HOUR:
	case FEAT_DT_DAY_OF_WEEK:
	case FEAT_DT_DAY:
	case FEAT_DT_MONTH: {
		int part = part_index(ft->kind);
		if (g->d == SQL_ANSI && part == 1)
			return ft_fail(err, FT_EINPUT,
				       "export: ansi: the tree splits on '%s' and ANSI SQL has no "
				       "portable day of week (use --dialect postgres or sqlite)", ft->name);
		sb_puts(sb, "COALESCE(");
		if (g->d == SQL_SQLITE) {
			sb_puts(sb, part == 1 ? "(CAST(STRFTIME('%w', " : "CAST(STRFTIME(");
			if (part != 1)
				sb_printf(sb, "'%s', ", part_sqlite[part]);
			rc = put_value_of(g, ft->input, err);
			sb_puts(sb, part == 1 ? ") AS INTEGER) + 6) % 7" : ") AS INTEGER)");
		} else {
			sb_printf(sb, "EXTRACT(%s FROM ", part_sql[part]);
			rc = put_value_of(g, ft->input, err);
			sb_puts(sb, part == 1 ? ") - 1" : ")");
		}
		sb_puts(sb, ", ");
		put_value(sb, g->fill[f]);
		sb_puts(sb, ")");
		break;
	}
	case FEAT_MISSING:
		sb_puts(sb, "CASE WHEN ");
		rc = put_value_of(g, ft->input, err);
		sb_puts(sb, " IS NULL THEN 1 ELSE 0 END");
		break;
	}
	return rc;
}

/* ---- the tree --------------------------------------------------------- */

static void indent(struct strbuf *sb, int depth)
{
	sb_puts(sb, "\n");
	for (int i = 0; i < depth; i++)
		sb_puts(sb, "  ");
}

static int put_node(struct gen *g, int32_t id, int depth, struct ft_err *err)
{
	const struct tree_node *nd = &g->m->tree->nodes[id];
	struct strbuf *sb = &g->sb;
	if (nd->left == TREE_LEAF) {
		sb_printf(sb, "%d", (int)id);
		return 0;
	}
	size_t f = (size_t)nd->feature;
	char *why = condition_text(g->m->recipe, g->m->tree, id, false);
	sb_puts(sb, "CASE");
	indent(sb, depth + 1);
	put_comment(sb, why);
	free(why);
	indent(sb, depth + 1);
	sb_puts(sb, "WHEN ");
	if (g->nested) {
		sb_printf(sb, "f.\"f%zu\"", f);
	} else {
		sb_puts(sb, "(");
		if (put_feature(g, f, err) < 0)
			return -1;
		sb_puts(sb, ")");
	}
	if (g->m->recipe->features[f].kind == FEAT_NUMERIC) {
		bool strict;
		double cut = condition_float_cut(nd->threshold, &strict);
		sb_printf(sb, " %s ", strict ? "<" : "<=");
		put_double(sb, cut);
	} else {
		sb_puts(sb, " <= ");
		put_double(sb, nd->threshold);
	}
	sb_puts(sb, " THEN ");
	if (put_node(g, nd->left, depth + 1, err) < 0)
		return -1;
	indent(sb, depth + 1);
	sb_puts(sb, "ELSE ");
	if (put_node(g, nd->right, depth + 1, err) < 0)
		return -1;
	indent(sb, depth);
	sb_puts(sb, "END");
	return 0;
}

static void put_table(struct strbuf *sb, const char *table)
{
	const char *p = table;
	for (;;) {
		const char *dot = strchr(p, '.');
		char *part = xstrndup(p, dot ? (size_t)(dot - p) : strlen(p));
		put_ident(sb, part);
		free(part);
		if (!dot)
			break;
		sb_puts(sb, ".");
		p = dot + 1;
	}
}

/* The derived tables under the tree (nested dialects): f over v over the
 * datetime steps d3..d0, innermost last. */
static int put_tables(struct gen *g, struct ft_err *err)
{
	const struct recipe *r = g->m->recipe;
	struct strbuf *sb = &g->sb;
	bool any_dt = false;
	for (size_t i = 0; i < r->ninputs; i++)
		any_dt |= g->used_input[i] && r->inputs[i].type == COL_DATETIME;
	bool sqlite_dt = any_dt && g->d == SQL_SQLITE;

	sb_puts(sb, "\n     FROM (SELECT");
	bool first = true;
	for (size_t f = 0; f < r->nfeatures; f++) {
		if (!g->used_feature[f])
			continue;
		sb_puts(sb, first ? "" : ",");
		first = false;
		sb_puts(sb, "\n       ");
		put_comment(sb, r->features[f].name);
		sb_puts(sb, " ");
		if (put_feature(g, f, err) < 0)
			return -1;
		sb_printf(sb, " AS \"f%zu\"", f);
	}
	sb_puts(sb, "\n       FROM (SELECT");
	first = true;
	for (size_t i = 0; i < r->ninputs; i++) {
		if (!g->used_input[i])
			continue;
		sb_puts(sb, first ? "" : ",");
		first = false;
		sb_puts(sb, "\n         ");
		put_comment(sb, r->inputs[i].name);
		sb_puts(sb, " ");
		if (put_input_value(g, i, err) < 0)
			return -1;
		sb_printf(sb, " AS \"v%zu\"", i);
	}
	if (sqlite_dt) {
		for (int k = 3; k >= 0; k--) {
			sb_printf(sb, "\n         FROM (SELECT");
			first = true;
			for (size_t i = 0; i < r->ninputs; i++) {
				if (!g->used_input[i] || r->inputs[i].type != COL_DATETIME)
					continue;
				sb_puts(sb, first ? " " : ", ");
				first = false;
				if (k == 0) {
					sb_puts(sb, "TRIM(");
					put_text(g, i);
					sb_puts(sb, ", ' ' || char(9))");
				} else {
					put_dt_normalise(g, i, k);
				}
				sb_printf(sb, " AS \"d%zu\"", i);
			}
		}
		for (int k = 0; k <= 3; k++)
			sb_printf(sb, ") AS d%d", k);
	}
	sb_puts(sb, ") AS v) AS f)");
	return 0;
}

/* Whether the training file had a column of that name (the recipe's
 * inputs and the columns it dropped are all of them), compared as SQL
 * compares an unquoted name: sqlite ignores case. */
static bool table_has_column(const struct recipe *r, const char *name)
{
	for (size_t i = 0; i < r->ninputs; i++)
		if (!strcasecmp(r->inputs[i].name, name))
			return true;
	for (size_t i = 0; i < r->ndropped; i++)
		if (!strcasecmp(r->dropped[i], name))
			return true;
	return false;
}

/* ansi: Spark SQL and BigQuery read a backslash in a string literal as an
 * escape, standard SQL (Trino) as itself, so no literal holding one means
 * the same text on every engine (and one written for one could end the
 * string early on another). A model whose query would need one, as a
 * category the tree tests or an NA string, is refused for this dialect. */
static bool ansi_backslash(const struct model *m, struct ft_err *err)
{
	const struct recipe *r = m->recipe;
	const char *bad = NULL, *where = NULL;
	for (size_t i = 0; i < r->nna_values && !bad; i++)
		if (strchr(r->na_values[i], '\\'))
			bad = r->na_values[i], where = "na_values";
	for (size_t n = 0; n < m->tree->nnodes && !bad; n++) {
		const struct tree_node *nd = &m->tree->nodes[n];
		if (nd->left == TREE_LEAF)
			continue;
		const struct recipe_input *in = &r->inputs[r->features[nd->feature].input];
		if (in->type != COL_CATEGORICAL)
			continue;
		for (size_t k = 0; k < in->nlevels && !bad; k++)
			if (strchr(in->levels[k], '\\'))
				bad = in->levels[k], where = in->name;
	}
	if (!bad)
		return false;
	char *shown = ft_escape_controls(bad), *col = ft_escape_controls(where);
	ft_fail(err, FT_EINPUT, "export: ansi: '%s' (%s) holds a backslash, which ANSI engines "
		"read differently in a string literal (Spark SQL and BigQuery as an escape); "
		"use --dialect postgres or sqlite", shown, col);
	free(shown);
	free(col);
	return true;
}

char *export_sql(const struct model *m, enum sql_dialect d, const char *table,
		 const char *origin, struct ft_err *err)
{
	if (d >= SQL_DIALECT_COUNT) {
		ft_fail(err, FT_EINPUT, "export: unknown SQL dialect");
		return NULL;
	}
	if (!table || !*table || strstr(table, "..") || table[0] == '.' ||
	    table[strlen(table) - 1] == '.') {
		ft_fail(err, FT_EINPUT, "export: --table: expected NAME or SCHEMA.NAME, got '%s'",
			table ? table : "");
		return NULL;
	}
	const struct recipe *r = m->recipe;
	const struct tree *t = m->tree;
	if (d == SQL_ANSI && ansi_backslash(m, err))
		return NULL;
	struct gen g = { .m = m, .d = d, .nested = d != SQL_ANSI };
	g.fill = xcalloc(r->nfeatures + 1, sizeof *g.fill);
	g.levels = xcalloc(r->nfeatures + 1, sizeof *g.levels);
	g.used_feature = xcalloc(r->nfeatures + 1, sizeof *g.used_feature);
	g.used_input = xcalloc(r->ninputs + 1, sizeof *g.used_input);
	{
		struct recipe_row_ctx *ctx = recipe_row_ctx_new(r);
		const char **fields = xcalloc(r->ninputs + 1, sizeof *fields);
		size_t *lens = xcalloc(r->ninputs + 1, sizeof *lens);
		recipe_apply_row(ctx, fields, lens, g.fill);
		free(fields);
		free(lens);
		recipe_row_ctx_free(ctx);
	}
	for (size_t f = 0; f < r->nfeatures; f++)
		g.levels[f] = condition_level_values(m->recipe, m->tree, f);
	bool any = false;
	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].left != TREE_LEAF) {
			size_t f = (size_t)t->nodes[i].feature;
			g.used_feature[f] = true;
			g.used_input[r->features[f].input] = true;
			any = true;
		}
	if (!any)
		g.nested = false;   /* a single leaf reads no cell */

	struct strbuf *sb = &g.sb;
	sb_printf(sb, "-- fraudtree %s: ", PACKAGE_VERSION);
	put_line_text(sb, origin ? origin : "model");
	sb_printf(sb, " as SQL (%s dialect).\n", dialect_names[d]);
	sb_puts(sb, "-- Returns every column of the table, then fraud_leaf (the tree's leaf\n"
		    "-- node id), fraud_score, fraud_probability and prediction (1: ");
	put_line_text(sb, r->target);
	sb_puts(sb, " = ");
	char *positive = ft_escape_controls(r->positive);
	put_string(sb, positive);
	free(positive);
	sb_puts(sb, "),\n-- as fraudtree predict scores the same rows.\n");
	switch (d) {
	case SQL_SQLITE:
		sb_puts(sb, "-- Columns may hold text (as .import --csv leaves them) or typed values.\n");
		break;
	case SQL_POSTGRES:
		sb_puts(sb, "-- Columns may be typed (double precision, numeric, text, timestamp\n"
			    "-- without time zone; NULL for missing) or hold the raw text.\n");
		break;
	default:
		sb_puts(sb, "-- Columns must be typed: numbers as numbers, categories as strings,\n"
			    "-- datetimes as timestamps, NULL for missing.\n");
		break;
	}
	sb_puts(sb, "-- Missing: NULL, an NA string, or no number (date) where one is expected;\n"
		    "-- it takes the recipe's fitted fill. Numbers are compared as fraudtree's\n"
		    "-- float features compare them, in double precision.\n");
	sb_printf(sb, "-- Decision threshold on fraud_%s: %.17g.\n",
		  m->threshold_on == THRESHOLD_ON_PROBABILITY ? "probability" : "score",
		  m->threshold);
	/* The walk to the row's leaf, written apart: the query reads it once
	 * as s.fraud_leaf, or where the table has a column of that name (which
	 * s.fraud_leaf would name instead in sqlite, ambiguously in postgres)
	 * in each column that needs it. */
	struct strbuf head = g.sb;
	g.sb = (struct strbuf){ 0 };
	int rc;
	if (g.nested) {
		sb_puts(&g.sb, "(SELECT ");
		rc = put_node(&g, 0, 3, err);
		if (rc == 0)
			rc = put_tables(&g, err);
	} else {
		rc = put_node(&g, 0, 2, err);
	}
	struct strbuf walk = g.sb;
	g.sb = head;
	bool clash = table_has_column(r, "fraud_leaf");
	struct strbuf leaf = { 0 };
	if (clash)
		sb_printf(&leaf, "(%s)", walk.data ? walk.data : "");
	else
		sb_puts(&leaf, "s.fraud_leaf");
	if (clash)
		sb_printf(sb, "-- The table has a column named fraud_leaf: each column below walks\n"
			      "-- the tree itself.\nSELECT t.*,\n  %s AS fraud_leaf,", leaf.data);
	else
		sb_puts(sb, "SELECT s.*,");
	sb_printf(sb, "\n  CASE %s", leaf.data);
	struct strbuf flagged = { 0 };
	for (size_t i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].left != TREE_LEAF)
			continue;
		sb_printf(sb, "\n    WHEN %zu THEN ", i);
		put_double(sb, tree_node_proba(&t->nodes[i]));
		if (model_leaf_flags(m, &t->nodes[i]))
			sb_printf(&flagged, "%s%zu", flagged.len ? ", " : "", i);
	}
	sb_printf(sb, "\n  END AS fraud_score,\n  CASE %s", leaf.data);
	for (size_t i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].left != TREE_LEAF)
			continue;
		sb_printf(sb, "\n    WHEN %zu THEN ", i);
		put_double(sb, tree_node_probability(t, &t->nodes[i]));
	}
	sb_puts(sb, "\n  END AS fraud_probability,\n  ");
	if (flagged.len)
		sb_printf(sb, "CASE WHEN %s IN (%s) THEN 1 ELSE 0 END", leaf.data, flagged.data);
	else
		sb_puts(sb, "0");
	sb_free(&flagged);
	if (clash) {
		sb_puts(sb, " AS prediction\nFROM ");
		put_table(sb, table);
		sb_puts(sb, " AS t;\n");
	} else {
		sb_printf(sb, " AS prediction\nFROM (\n  SELECT t.*,\n    %s AS fraud_leaf\n  FROM ",
			  walk.data ? walk.data : "");
		put_table(sb, table);
		sb_puts(sb, " AS t\n) AS s;\n");
	}
	sb_free(&leaf);
	sb_free(&walk);

	for (size_t f = 0; f < r->nfeatures; f++)
		free(g.levels[f]);
	free(g.levels);
	free(g.fill);
	free(g.used_feature);
	free(g.used_input);
	if (rc < 0) {
		sb_free(sb);
		return NULL;
	}
	return sb->data;
}
