/* cli_describe: `fraudtree describe FILE.csv`, what the loader made of a
 * file: one line per column (type, missing, distinct, a summary, flags)
 * and the class balance of the target, as an aligned table or as JSON
 * (schema in fraudtree(1)); with a binary target, where the fraud is (the
 * explore module's figures by value and its leakage hints). Everything
 * shown comes from csv_load, target_resolve and explore; this file only
 * formats. */
#include "config.h"
#include "cli.h"

#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_load.h"
#include "explore.h"
#include "frame.h"
#include "json.h"
#include "target.h"
#include "settings.h"

#define NAME_WIDTH_MAX 32
#define VALUE_WIDTH_MAX 24
#define SUMMARY_TOP 3
#define BALANCE_MAX 10
#define LEVELS_SHOWN 30   /* --by-target's table; the rest on one line */

#define STR_(x) #x
#define STR(x) STR_(x)

static const char usage_text[] =
	"Usage: fraudtree describe FILE.csv [--target COL] [--positive V]\n"
	"                          [--na-values LIST] [--delimiter C] [--json]\n"
	"                          [--by-target [--bins N] [--sort ORDER]]\n"
	"Show what fraudtree reads in FILE.csv: each column's type (numeric,\n"
	"categorical, datetime), missing cells, distinct values, a summary and\n"
	"flags (id-like, constant, wide integers, which strings were read as\n"
	"missing), then the class balance of the target column. With a binary\n"
	"target, --by-target adds where the fraud is: rows, frauds and fraud\n"
	"rate per level, per value or bin, per hour, day of week and month,\n"
	"and the leakage hints (to the table, or to --json).\n\n"
	"  -t, --target COL       the label column (default: guessed from names\n"
	"                         such as isFraud, Class, label, target)\n"
	"  -p, --positive V       the target value that means fraud (default:\n"
	"                         detected: 1, yes, true, fraud...)\n"
	"  -b, --by-target        fraud figures by value and leakage hints\n"
	"      --bins N           bins of a numeric column with more than " STR(EXPLORE_VALUES_MAX) "\n"
	"                         distinct values (1-" STR(EXPLORE_BINS_MAX) ", default "
	STR(EXPLORE_BINS_DEFAULT) ")\n"
	"      --sort ORDER       levels by count (default), rate or value\n"
	"  -n, --na-values LIST   comma-separated strings also read as missing\n"
	"  -d, --delimiter C      field delimiter: , ; | or tab (default: detected)\n"
	"  -j, --json             print JSON instead of the table\n"
	"  -h, --help             show this help\n\n"
	"Exit status: 0 success, 2 error. See fraudtree(1).\n";

/* What --by-target (and --json) add: the figures of every column but the
 * target, and the hints. */
struct by_target {
	struct target_info target;
	struct explore_column *cols;   /* f->ncols entries; the target's is empty */
	struct explore_hints hints;
};

/* Bytes safe to put on a terminal: control characters escaped. */
static void put_visible(struct strbuf *sb, const char *s, size_t max)
{
	size_t shown = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (shown >= max) {
			sb_puts(sb, "...");
			return;
		}
		if (*p == '\n')
			sb_puts(sb, "\\n");
		else if (*p == '\t')
			sb_puts(sb, "\\t");
		else if (*p == '\r')
			sb_puts(sb, "\\r");
		else if (*p < 0x20 || *p == 0x7f)
			sb_puts(sb, "?");
		else
			sb_append(sb, (const char *)p, 1);
		/* count characters, not UTF-8 continuation bytes */
		if ((*p & 0xc0) != 0x80)
			shown++;
	}
}

/* Display width of a string in columns (UTF-8 lead bytes counted). */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		w += (*p & 0xc0) != 0x80;
	return w;
}

static void pad_to(struct strbuf *sb, size_t from, size_t width)
{
	for (size_t i = from; i < width; i++)
		sb_append(sb, " ", 1);
}

/* A figure of the summary: a value of the column (min, max, median) as the
 * shortest decimal that reads back as itself, so it is never rounded; a
 * statistic over the rows (mean, std) to six significant digits. */
static const char *num_text(double v, bool exact, char *buf, size_t size)
{
	if (isnan(v)) {
		snprintf(buf, size, "-");
	} else if (isinf(v)) {
		snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
	} else if (exact) {
		char tmp[32];
		fmt_double(tmp, v);
		snprintf(buf, size, "%s", tmp);
	} else {
		snprintf(buf, size, "%.6g", v);
	}
	return buf;
}

static char *column_summary(const struct frame *f, const struct column *col)
{
	struct strbuf sb = { 0 };
	const struct column_stats *st = &col->stats;
	char a[64], b[64], c[64], d[64], e[64];
	if (st->count == 0) {
		sb_puts(&sb, "all missing");
	} else if (col->type == COL_NUMERIC) {
		sb_printf(&sb, "min %s  max %s  mean %s  std %s  median %s",
			  num_text(st->min, true, a, sizeof a), num_text(st->max, true, b, sizeof b),
			  num_text(st->mean, false, c, sizeof c), num_text(st->std, false, d, sizeof d),
			  num_text(st->median, true, e, sizeof e));
	} else if (col->type == COL_DATETIME) {
		sb_printf(&sb, "%s .. %s", frame_format_datetime(st->min, false, a, sizeof a),
			  frame_format_datetime(st->max, false, b, sizeof b));
	} else {
		for (size_t i = 0; i < st->ntop && i < SUMMARY_TOP; i++) {
			if (i)
				sb_puts(&sb, ", ");
			put_visible(&sb, col->levels[st->top[i].code], VALUE_WIDTH_MAX);
			double pct = 100.0 * (double)st->top[i].count / (double)st->count;
			if (pct >= 0.05)
				sb_printf(&sb, " %.1f%%", pct);
			else
				sb_printf(&sb, " (%zu)", st->top[i].count);
		}
		if (st->distinct > SUMMARY_TOP)
			sb_puts(&sb, ", ...");
	}
	(void)f;
	return sb.data ? sb.data : xstrdup("");
}

static char *column_flags(const struct column *col)
{
	struct strbuf sb = { 0 };
	const char *sep = "";
	if (col->stats.id_like) {
		sb_puts(&sb, "id-like");
		sep = ", ";
	}
	if (col->stats.constant) {
		sb_printf(&sb, "%sconstant", sep);
		sep = ", ";
	}
	if (col->wide_integers) {
		sb_printf(&sb, "%swide-integers", sep);
		sep = ", ";
	}
	if (col->date_order != DATE_ISO && col->type == COL_DATETIME) {
		sb_printf(&sb, "%s%s", sep, col->date_order == DATE_MDY ? "M/D/Y" : "D/M/Y");
		sep = ", ";
	}
	if (col->nna) {
		sb_printf(&sb, "%sNA", sep);
		for (size_t i = 0; i < col->nna; i++) {
			sb_puts(&sb, " \"");
			put_visible(&sb, col->na[i].text, VALUE_WIDTH_MAX);
			sb_printf(&sb, "\"x%zu", col->na[i].count);
		}
	}
	return sb.data ? sb.data : xstrdup("");
}

static void print_table(const struct frame *f, int target, bool guessed)
{
	size_t n = f->ncols;
	char **cells = xcalloc(n * 6, sizeof *cells);
	static const char *const head[6] = { "column", "type", "missing", "distinct", "summary", "flags" };
	size_t width[6];
	for (int k = 0; k < 6; k++)
		width[k] = strlen(head[k]);
	for (size_t c = 0; c < n; c++) {
		const struct column *col = &f->cols[c];
		struct strbuf name = { 0 };
		put_visible(&name, col->name, NAME_WIDTH_MAX);
		char **row = cells + c * 6;
		row[0] = name.data ? name.data : xstrdup("");
		row[1] = xstrdup(col_type_name(col->type));
		row[2] = col->stats.missing
			 ? xasprintf("%zu (%.1f%%)", col->stats.missing,
				     100.0 * (double)col->stats.missing / (double)f->nrows)
			 : xstrdup("0");
		row[3] = xasprintf("%zu", col->stats.distinct);
		row[4] = column_summary(f, col);
		row[5] = column_flags(col);
		for (int k = 0; k < 5; k++)
			if (text_width(row[k]) > width[k])
				width[k] = text_width(row[k]);
	}
	struct strbuf out = { 0 };
	char size[32];
	if (f->file_size >= 1000000)
		snprintf(size, sizeof size, "%.1f MB", (double)f->file_size / 1e6);
	else
		snprintf(size, sizeof size, "%llu bytes", (unsigned long long)f->file_size);
	sb_printf(&out, "%s: %zu rows, %zu columns, delimiter '%s', %s\n\n", f->path, f->nrows,
		  f->ncols, f->delimiter == '\t' ? "\\t" : (char[]){ f->delimiter, 0 }, size);
	for (size_t r = 0; r <= n; r++) {
		const char *const *row = r == 0 ? head : (const char *const *)(cells + (r - 1) * 6);
		for (int k = 0; k < 6; k++) {
			bool right = k == 2 || k == 3;
			size_t w = text_width(row[k]);
			if (right)
				pad_to(&out, w, width[k]);
			sb_puts(&out, row[k]);
			if (k == 5)
				break;
			if (!right)
				pad_to(&out, w, width[k]);
			sb_puts(&out, "  ");
		}
		while (out.len && out.data[out.len - 1] == ' ')
			out.len--;
		sb_puts(&out, "\n");
	}
	if (target >= 0) {
		struct class_count cls[BALANCE_MAX];
		size_t missing, k = frame_class_balance(f, (size_t)target, cls, BALANCE_MAX, &missing);
		struct strbuf tname = { 0 };
		put_visible(&tname, f->cols[target].name, NAME_WIDTH_MAX);
		sb_printf(&out, "\nclass balance of %s%s:\n", tname.data,
			  guessed ? " (guessed from its name; --target to choose)" : "");
		sb_free(&tname);
		size_t lw = 5;
		for (size_t i = 0; i < k; i++)
			if (text_width(cls[i].label) > lw)
				lw = text_width(cls[i].label);
		if (lw > VALUE_WIDTH_MAX)
			lw = VALUE_WIDTH_MAX;
		for (size_t i = 0; i < k; i++) {
			struct strbuf l = { 0 };
			put_visible(&l, cls[i].label, VALUE_WIDTH_MAX);
			sb_printf(&out, "  %s", l.data ? l.data : "");
			pad_to(&out, l.data ? text_width(l.data) : 0, lw);
			sb_printf(&out, "  %10zu  %6.2f%%\n", cls[i].count, 100.0 * cls[i].share);
			sb_free(&l);
		}
		if (f->cols[target].stats.distinct > k)
			sb_printf(&out, "  (%zu more values)\n", f->cols[target].stats.distinct - k);
		if (missing)
			sb_printf(&out, "  missing%*s  %10zu\n", (int)(lw > 7 ? lw - 7 : 0), "", missing);
	}
	/* A random split of time-ordered rows overstates a model: say so. */
	for (size_t c = 0; c < f->ncols; c++) {
		if (f->cols[c].type != COL_DATETIME || (int)c == target)
			continue;
		struct strbuf tn = { 0 };
		put_visible(&tn, f->cols[c].name, NAME_WIDTH_MAX);
		sb_printf(&out, "\ntime: %s is a datetime column; run splits at random unless "
			  "--set split.method=time (then train is the earliest rows, test the "
			  "latest)\n", tn.data);
		sb_free(&tn);
		break;
	}
	fwrite(out.data, 1, out.len, stdout);
	sb_free(&out);
	for (size_t i = 0; i < n * 6; i++)
		free(cells[i]);
	free(cells);
}

static void by_target_free(struct by_target *bt, size_t ncols)
{
	if (!bt->cols && !bt->target.y)
		return;
	for (size_t c = 0; bt->cols && c < ncols; c++)
		explore_column_free(&bt->cols[c]);
	free(bt->cols);
	explore_hints_free(&bt->hints);
	target_info_free(&bt->target);
}

/* Resolve the target as `run` would and compute every column's figures
 * and the hints. */
static int by_target_compute(const struct frame *f, const char *target, const char *positive,
			     size_t nbins, enum explore_order order, struct by_target *bt,
			     struct ft_err *err)
{
	memset(bt, 0, sizeof *bt);
	struct settings s;
	settings_init(&s);
	s.target = target ? xstrdup(target) : NULL;
	s.positive = positive ? xstrdup(positive) : NULL;
	int rc = target_resolve(f, &s, &bt->target, err);
	settings_free(&s);
	if (rc < 0)
		return -1;
	bt->cols = xcalloc(f->ncols, sizeof *bt->cols);
	size_t rows = 0, fraud = 0;
	for (size_t r = 0; r < f->nrows; r++)
		if (bt->target.y[r] <= 1) {
			rows++;
			fraud += bt->target.y[r];
		}
	for (size_t c = 0; c < f->ncols; c++) {
		bt->cols[c].col = c;
		bt->cols[c].rows = rows;
		bt->cols[c].fraud = fraud;
		if ((int)c == bt->target.col)
			continue;
		if (f->cols[c].type == COL_CATEGORICAL && f->cols[c].stats.id_like)
			continue;   /* id-like: its values are not listed */
		if (explore_column(f, c, bt->target.y, nbins, &bt->cols[c], err) < 0)
			return -1;
		if (bt->cols[c].kind == EXPLORE_LEVELS)
			explore_sort(&bt->cols[c], order);   /* numbers stay in their order */
	}
	return explore_leakage(f, bt->target.y, bt->target.col, NULL, &bt->hints, err);
}

/* How many characters of a group's label are shown: a level's text is cut
 * at VALUE_WIDTH_MAX, a number, a bin's edges or a time part never. */
static size_t label_max(const struct explore_column *e)
{
	return e->kind == EXPLORE_LEVELS ? VALUE_WIDTH_MAX : SIZE_MAX;
}

static void group_line(struct strbuf *out, const char *label, size_t lw,
		       const struct explore_group *g, const struct explore_column *e)
{
	struct strbuf l = { 0 };
	put_visible(&l, label, label_max(e));
	sb_printf(out, "  %s", l.data ? l.data : "");
	pad_to(out, l.data ? text_width(l.data) : 0, lw);
	double share = e->rows ? 100.0 * (double)g->rows / (double)e->rows : 0;
	sb_printf(out, "  %10zu  %6.2f%%  %8zu", g->rows, share, g->fraud);
	double rate = explore_rate(g), overall = (double)e->fraud / (double)e->rows;
	if (isnan(rate))
		sb_printf(out, "  %7s  %5s\n", "-", "-");
	else
		sb_printf(out, "  %6.2f%%  %5.2f\n", 100.0 * rate,
			  overall > 0 ? rate / overall : 0.0);
	sb_free(&l);
}

/* One table of groups under head, its first column at least min_lw wide
 * (a datetime's parts share one width, so their columns line up). */
static void group_table(struct strbuf *out, const struct frame *f, const struct explore_column *e,
			const struct explore_group *groups, size_t n, enum explore_part part,
			const char *head, size_t min_lw)
{
	char buf[256];
	bool skip_empty = e->kind == EXPLORE_DATETIME;
	size_t lw = text_width(head) > 10 ? text_width(head) : 10;   /* "(N more)" */
	if (lw < min_lw)
		lw = min_lw;
	size_t measured = e->kind == EXPLORE_LEVELS && n > LEVELS_SHOWN ? LEVELS_SHOWN : n;
	for (size_t i = 0; i <= measured; i++) {
		const struct explore_group *g = i < measured ? &groups[i] : &e->missing;
		struct strbuf l = { 0 };
		put_visible(&l, explore_group_label(f, e, g, part, buf, sizeof buf), label_max(e));
		if (l.data && text_width(l.data) > lw)
			lw = text_width(l.data);
		sb_free(&l);
	}
	sb_printf(out, "  %s", head);
	pad_to(out, text_width(head), lw);
	sb_puts(out, "        rows    share     fraud     rate   lift\n");
	size_t shown = e->kind == EXPLORE_LEVELS && n > LEVELS_SHOWN ? LEVELS_SHOWN : n;
	for (size_t i = 0; i < shown; i++) {
		if (skip_empty && groups[i].rows == 0)
			continue;
		group_line(out, explore_group_label(f, e, &groups[i], part, buf, sizeof buf), lw,
			   &groups[i], e);
	}
	if (shown < n) {
		struct explore_group rest = { 0 };
		for (size_t i = shown; i < n; i++) {
			rest.rows += groups[i].rows;
			rest.fraud += groups[i].fraud;
		}
		char label[64];
		snprintf(label, sizeof label, "(%zu more)", n - shown);
		group_line(out, label, lw, &rest, e);
	}
	if (e->missing.rows)
		group_line(out, explore_group_label(f, e, &e->missing, part, buf, sizeof buf), lw,
			   &e->missing, e);
}

static void print_by_target(const struct frame *f, const struct by_target *bt,
			    enum explore_order order)
{
	static const char *const kind_text[] = {
		[EXPLORE_LEVELS] = "levels", [EXPLORE_VALUES] = "values",
		[EXPLORE_BINS] = "equal-width bins", [EXPLORE_DATETIME] = "datetime"
	};
	struct strbuf out = { 0 };
	struct strbuf name = { 0 };
	const struct target_info *t = &bt->target;
	put_visible(&name, f->cols[t->col].name, NAME_WIDTH_MAX);
	size_t rows = f->nrows - t->missing, fraud = 0;
	for (size_t r = 0; r < f->nrows; r++)
		fraud += t->y[r] == 1;
	sb_printf(&out, "\nwhere the fraud is: %s = ", name.data);
	sb_free(&name);
	put_visible(&out, t->positive, VALUE_WIDTH_MAX);
	sb_printf(&out, ", %zu of %zu rows (%.2f%%); lift is a value's fraud rate over that\n",
		  fraud, rows, rows ? 100.0 * (double)fraud / (double)rows : 0.0);
	for (size_t c = 0; c < f->ncols; c++) {
		if ((int)c == t->col)
			continue;
		const struct explore_column *e = &bt->cols[c];
		struct strbuf cn = { 0 };
		put_visible(&cn, f->cols[c].name, NAME_WIDTH_MAX);
		sb_printf(&out, "\n%s (%s", cn.data ? cn.data : "", col_type_name(f->cols[c].type));
		if (e->kind != EXPLORE_DATETIME)
			sb_printf(&out, ", %s", kind_text[e->kind]);
		sb_free(&cn);
		if (e->kind == EXPLORE_LEVELS)
			sb_printf(&out, ", by %s", explore_order_name(order));
		if (e->kind == EXPLORE_DATETIME && !e->has_time)
			sb_puts(&out, "; no time of day in any value, so no hours");
		if (e->kind == EXPLORE_DATETIME)
			sb_puts(&out, "; empty hours, days and months not shown");
		sb_puts(&out, ")\n");
		if (f->cols[c].type == COL_CATEGORICAL && f->cols[c].stats.id_like) {
			sb_puts(&out, "  id-like (one value per row, or a wide integer): values not listed\n");
			continue;
		}
		if (e->kind != EXPLORE_DATETIME) {
			group_table(&out, f, e, e->groups, e->ngroups, EXPLORE_HOUR, "value", 0);
			continue;
		}
		size_t parts_lw = 0;
		for (int p = 0; p < EXPLORE_PART_COUNT; p++) {
			size_t w = text_width(explore_part_name((enum explore_part)p));
			parts_lw = w > parts_lw ? w : parts_lw;
		}
		for (int p = 0; p < EXPLORE_PART_COUNT; p++) {
			if (p == EXPLORE_HOUR && !e->has_time)
				continue;
			group_table(&out, f, e, e->part[p], e->npart[p], (enum explore_part)p,
				    explore_part_name((enum explore_part)p), parts_lw);
		}
	}
	sb_puts(&out, "\nleakage hints:\n");
	size_t legit = rows - fraud;
	if (fraud < EXPLORE_HINT_MIN_CLASS || legit < EXPLORE_HINT_MIN_CLASS)
		sb_printf(&out, "  none (they need %d rows of each class)\n", EXPLORE_HINT_MIN_CLASS);
	else if (bt->hints.n == 0)
		sb_puts(&out, "  none\n");
	for (size_t i = 0; i < bt->hints.n; i++) {
		sb_puts(&out, "  ");
		put_visible(&out, bt->hints.v[i].reason, 400);
		sb_puts(&out, "\n");
	}
	fwrite(out.data, 1, out.len, stdout);
	sb_free(&out);
}


/* Finite numbers as numbers; NAN and infinities as null (see infinite). */
static void add_number(cJSON *obj, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(obj, key, v);
	else
		cJSON_AddNullToObject(obj, key);
}

static cJSON *groups_json(const struct frame *f, const struct explore_column *e,
			  const struct explore_group *groups, size_t n, enum explore_part part)
{
	cJSON *arr = cJSON_CreateArray();
	char buf[256];
	for (size_t i = 0; i < n; i++) {
		const struct explore_group *g = &groups[i];
		cJSON *o = cJSON_CreateObject();
		if (e->kind == EXPLORE_LEVELS) {
			json_add_text(o, "value", f->cols[e->col].levels[g->code]);
		} else if (e->kind == EXPLORE_VALUES || e->kind == EXPLORE_DATETIME) {
			json_add_num(o, "value", g->lo);
			if (e->kind == EXPLORE_DATETIME)
				json_add_text(o, "label", explore_group_label(f, e, g, part, buf, sizeof buf));
		} else {
			if (isinf(g->lo))
				cJSON_AddStringToObject(o, "lo", "-inf");
			else
				json_add_num(o, "lo", g->lo);
			if (isinf(g->hi))
				cJSON_AddStringToObject(o, "hi", "inf");
			else
				json_add_num(o, "hi", g->hi);
			json_add_text(o, "label", explore_group_label(f, e, g, part, buf, sizeof buf));
		}
		cJSON_AddNumberToObject(o, "rows", (double)g->rows);
		cJSON_AddNumberToObject(o, "fraud", (double)g->fraud);
		json_add_num(o, "rate", explore_rate(g));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *by_target_json(const struct frame *f, const struct explore_column *e)
{
	static const char *const kind_name[] = {
		[EXPLORE_LEVELS] = "levels", [EXPLORE_VALUES] = "values",
		[EXPLORE_BINS] = "bins", [EXPLORE_DATETIME] = "datetime"
	};
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", kind_name[e->kind]);
	cJSON_AddNumberToObject(o, "rows", (double)e->rows);
	cJSON_AddNumberToObject(o, "fraud", (double)e->fraud);
	cJSON *m = cJSON_AddObjectToObject(o, "missing");
	cJSON_AddNumberToObject(m, "rows", (double)e->missing.rows);
	cJSON_AddNumberToObject(m, "fraud", (double)e->missing.fraud);
	json_add_num(m, "rate", explore_rate(&e->missing));
	if (e->kind != EXPLORE_DATETIME) {
		/* one row per level of an id-like column says nothing and can
		 * be millions of lines */
		if (f->cols[e->col].type == COL_CATEGORICAL && f->cols[e->col].stats.id_like)
			cJSON_AddStringToObject(o, "groups_omitted", "id-like");
		else
			cJSON_AddItemToObject(o, "groups", groups_json(f, e, e->groups, e->ngroups,
								       EXPLORE_HOUR));
		return o;
	}
	cJSON_AddBoolToObject(o, "has_time", e->has_time);
	for (int p = 0; p < EXPLORE_PART_COUNT; p++)
		cJSON_AddItemToObject(o, explore_part_name((enum explore_part)p),
				      groups_json(f, e, e->part[p], e->npart[p], (enum explore_part)p));
	return o;
}

static void print_json(const struct frame *f, int target, bool guessed, const struct by_target *bt)
{
	cJSON *root = cJSON_CreateObject();
	json_add_text(root, "file", f->path);
	cJSON_AddNumberToObject(root, "size", (double)f->file_size);
	cJSON_AddNumberToObject(root, "rows", (double)f->nrows);
	cJSON_AddNumberToObject(root, "ncols", (double)f->ncols);
	char delim[2] = { f->delimiter, 0 };
	cJSON_AddStringToObject(root, "delimiter", delim);
	cJSON *cols = cJSON_AddArrayToObject(root, "columns");
	for (size_t c = 0; c < f->ncols; c++) {
		const struct column *col = &f->cols[c];
		const struct column_stats *st = &col->stats;
		cJSON *o = cJSON_CreateObject();
		json_add_text(o, "name", col->name);
		cJSON_AddStringToObject(o, "type", col_type_name(col->type));
		if (col->type == COL_DATETIME)
			cJSON_AddStringToObject(o, "date_format", col->date_order == DATE_ISO ? "iso"
						: col->date_order == DATE_MDY ? "mdy" : "dmy");
		cJSON_AddNumberToObject(o, "count", (double)st->count);
		cJSON_AddNumberToObject(o, "missing", (double)st->missing);
		cJSON_AddNumberToObject(o, "distinct", (double)st->distinct);
		cJSON_AddBoolToObject(o, "id_like", st->id_like);
		cJSON_AddBoolToObject(o, "constant", st->constant);
		cJSON_AddBoolToObject(o, "wide_integers", col->wide_integers);
		cJSON *na = cJSON_AddArrayToObject(o, "na");
		for (size_t i = 0; i < col->nna; i++) {
			cJSON *t = cJSON_CreateObject();
			json_add_text(t, "text", col->na[i].text);
			cJSON_AddNumberToObject(t, "count", (double)col->na[i].count);
			cJSON_AddItemToArray(na, t);
		}
		if (col->type == COL_CATEGORICAL) {
			cJSON *top = cJSON_AddArrayToObject(o, "top");
			for (size_t i = 0; i < st->ntop; i++) {
				cJSON *t = cJSON_CreateObject();
				json_add_text(t, "value", col->levels[st->top[i].code]);
				cJSON_AddNumberToObject(t, "count", (double)st->top[i].count);
				cJSON_AddItemToArray(top, t);
			}
		} else {
			add_number(o, "min", st->min);
			add_number(o, "max", st->max);
			add_number(o, "mean", st->mean);
			add_number(o, "std", st->std);
			add_number(o, "median", st->median);
			if (col->type == COL_NUMERIC) {
				cJSON_AddNumberToObject(o, "infinite", (double)st->infinite);
			} else if (st->count) {
				char buf[64];
				cJSON_AddStringToObject(o, "min_text",
					frame_format_datetime(st->min, true, buf, sizeof buf));
				cJSON_AddStringToObject(o, "max_text",
					frame_format_datetime(st->max, true, buf, sizeof buf));
			}
		}
		if (bt && (int)c != bt->target.col)
			cJSON_AddItemToObject(o, "by_target", by_target_json(f, &bt->cols[c]));
		cJSON_AddItemToArray(cols, o);
	}
	if (target >= 0) {
		cJSON *bal = cJSON_AddObjectToObject(root, "class_balance");
		struct class_count cls[BALANCE_MAX];
		size_t missing, k = frame_class_balance(f, (size_t)target, cls, BALANCE_MAX, &missing);
		json_add_text(bal, "column", f->cols[target].name);
		cJSON_AddBoolToObject(bal, "guessed", guessed);
		cJSON_AddNumberToObject(bal, "missing", (double)missing);
		cJSON *arr = cJSON_AddArrayToObject(bal, "classes");
		for (size_t i = 0; i < k; i++) {
			cJSON *t = cJSON_CreateObject();
			json_add_text(t, "label", cls[i].label);
			cJSON_AddNumberToObject(t, "count", (double)cls[i].count);
			cJSON_AddNumberToObject(t, "share", cls[i].share);
			cJSON_AddItemToArray(arr, t);
		}
	} else {
		cJSON_AddNullToObject(root, "class_balance");
	}
	if (bt) {
		cJSON *t = cJSON_AddObjectToObject(root, "fraud");
		json_add_text(t, "column", f->cols[bt->target.col].name);
		json_add_text(t, "positive", bt->target.positive);
		size_t fraud = 0;
		for (size_t r = 0; r < f->nrows; r++)
			fraud += bt->target.y[r] == 1;
		cJSON_AddNumberToObject(t, "rows", (double)(f->nrows - bt->target.missing));
		cJSON_AddNumberToObject(t, "fraud", (double)fraud);
		cJSON *hints = cJSON_AddArrayToObject(root, "leakage_hints");
		for (size_t i = 0; i < bt->hints.n; i++) {
			const struct explore_hint *h = &bt->hints.v[i];
			cJSON *o = cJSON_CreateObject();
			json_add_text(o, "column", f->cols[h->col].name);
			cJSON_AddStringToObject(o, "kind", explore_hint_kind_name(h->kind));
			json_add_num(o, "score", h->score);
			json_add_text(o, "reason", h->reason);
			cJSON_AddItemToArray(hints, o);
		}
	}
	char *text = cJSON_Print(root);
	if (text) {
		fputs(text, stdout);
		fputc('\n', stdout);
		cJSON_free(text);
	}
	cJSON_Delete(root);
}

int cli_describe(int argc, char **argv)
{
	enum { OPT_BINS = 256, OPT_SORT };
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "positive", required_argument, NULL, 'p' },
		{ "na-values", required_argument, NULL, 'n' },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "by-target", no_argument, NULL, 'b' },
		{ "bins", required_argument, NULL, OPT_BINS },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *target_name = NULL, *positive = NULL;
	char **na = NULL;
	size_t nna = 0, nbins = EXPLORE_BINS_DEFAULT;
	bool json = false, by_target = false;
	enum explore_order order = EXPLORE_BY_COUNT;
	struct csv_options opt = { 0 };
	int ch, status = EXIT_OK;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "t:p:n:d:jbh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			target_name = optarg;
			break;
		case 'p':
			positive = optarg;
			break;
		case 'n':
			options_list_free(na);
			na = options_split_list(optarg, &nna);
			break;
		case 'd':
			if (!cli_delimiter("describe", optarg, &opt.delimiter)) {
				options_list_free(na);
				return EXIT_ERROR;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'b':
			by_target = true;
			break;
		case OPT_BINS: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || v < 1 || v > EXPLORE_BINS_MAX) {
				options_list_free(na);
				return cli_errorf("describe: --bins wants an integer from 1 to %d, not '%s'",
						  EXPLORE_BINS_MAX, optarg);
			}
			nbins = v;
			by_target = true;
			break;
		}
		case OPT_SORT:
			if (!explore_order_parse(optarg, &order)) {
				options_list_free(na);
				return cli_errorf("describe: --sort wants count, rate or value, not '%s'", optarg);
			}
			by_target = true;
			break;
		case 'h':
			options_list_free(na);
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			options_list_free(na);
			if (optopt == OPT_BINS || optopt == OPT_SORT || (optopt && strchr("tpnd", optopt)))
				return cli_errorf("describe: option '%s' needs an argument (see --help)",
						  argv[optind - 1]);
			return cli_errorf("describe: unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind != argc - 1) {
		options_list_free(na);
		return cli_errorf("describe: %s (usage: fraudtree describe FILE.csv [--target COL] [--json])",
				  optind >= argc ? "no file given" : "one file at a time");
	}
	const char *path = argv[optind];
	opt.na_values = (const char *const *)na;
	opt.nna_values = nna;
	struct cli_progress *bar = cli_progress_new();
	opt.progress.fn = cli_progress_fn;
	opt.progress.ctx = bar;
	struct ft_err err;
	ft_err_clear(&err);
	struct frame *f = csv_load(path, &opt, &err);
	cli_progress_free(bar);
	options_list_free(na);
	if (!f)
		return cli_error(&err);
	int target = -1;
	bool guessed = false;
	if (target_name) {
		target = frame_find(f, target_name);
		if (target < 0)
			status = cli_errorf("%s: no column named '%s'", path, target_name);
	} else {
		target = frame_guess_target(f);
		guessed = target >= 0;
	}
	/* The figures need a binary target: asked for (--by-target or
	 * --positive), a target that is not one is an error. */
	struct by_target bt;
	memset(&bt, 0, sizeof bt);
	bool have_bt = false;
	by_target |= positive != NULL;
	if (status == EXIT_OK && by_target) {
		if (target < 0)
			status = cli_errorf("%s: --by-target needs a target column (--target COL)", path);
		else if (by_target_compute(f, target_name, positive, nbins, order, &bt, &err) == 0)
			have_bt = true;
		else
			status = cli_error(&err);
	}
	if (status == EXIT_OK) {
		if (json) {
			print_json(f, target, guessed, have_bt ? &bt : NULL);
		} else {
			print_table(f, target, guessed);
			if (by_target)
				print_by_target(f, &bt, order);
		}
	}
	by_target_free(&bt, f->ncols);
	frame_free(f);
	return status;
}
