/* filter: which rows of a frame to look at, from a small expression
 * language. Filters only choose rows to show; nothing that is trained
 * reads them.
 *
 * Grammar (keywords in any case; blanks between tokens are free):
 *
 *   expr    := term { "or" term }
 *   term    := factor { "and" factor }
 *   factor  := "not" factor | "(" expr ")" | test
 *   test    := column op value | column "is" [ "not" ] "missing"
 *   op      := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
 *   column  := NAME | `any text`
 *   value   := NUMBER | "text" | 'text' | NAME
 *
 * NAME starts with a letter, '_' or a non-ASCII byte and goes on with
 * those, digits, '.' and '-' (so capital-gains is one name); the words
 * and, or, not, is, missing are not names (backquote a column called so).
 * In quoted text and backquoted names, a backslash takes the next
 * character literally (\" \` \\).
 * NUMBER is what the CSV reader takes for a number (1, -2.5, 1e3).
 *
 * Meaning: a categorical column compares its text exactly with = and !=
 * (<, > are refused); a numeric column compares numbers (the value must be
 * one); a datetime column compares with a date in ISO form or in the
 * column's own layout. A missing cell fails every comparison, != included;
 * only "is missing" matches it. Nothing is executed: the text is parsed
 * into a tree of tests, checked against the frame's columns, then only
 * evaluated. Nesting deeper than FILTER_DEPTH_MAX is refused. */
#ifndef FT_FILTER_H
#define FT_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "frame.h"
#include "util.h"

#define FILTER_DEPTH_MAX 64
#define FILTER_TEXT_MAX 4096

struct filter;

/* Parse `text` against the columns of f. Returns the filter (free with
 * filter_free; NULL is a no-op) or NULL with err set (FT_EINPUT) to
 * "position N: what is wrong", N counting characters (not bytes) from 1. */
struct filter *filter_parse(const char *text, const struct frame *f, struct ft_err *err);
void filter_free(struct filter *flt);

/* The text it was parsed from, blanks at both ends removed. */
const char *filter_text(const struct filter *flt);

bool filter_match(const struct filter *flt, const struct frame *f, size_t row);

/* Rows of f that match, ascending, into out (room for f->nrows); returns
 * how many. A raised cancel flag in prog stops early: returns what was
 * found so far and sets *cancelled (prog and cancelled may be NULL). */
size_t filter_rows(const struct filter *flt, const struct frame *f, size_t *out,
		   const struct ft_progress *prog, bool *cancelled);

/* Text that reads back as the given column name or value in a filter:
 * a NAME as is, anything else backquoted (a column) or double-quoted with
 * backslashes (a value). Caller frees. */
char *filter_quote_column(const char *name);
char *filter_quote_value(const char *text);

#endif
