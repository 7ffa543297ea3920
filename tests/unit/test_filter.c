/* test_filter: the row filter language on a small frame read by the real
 * loader: each operator on each column type, missing cells, precedence,
 * quoting, and errors that name the position. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_load.h"
#include "filter.h"
#include "frame.h"
#include "util.h"

/* rows: 0 1 2 3 4 */
static const char csv_text[] =
	"amt,category,when,capital-gains,and,label\n"
	"10.5,shopping_net,2024-01-01 10:00:00,5,x,0\n"
	"600,grocery,2024-01-02,0,y,1\n"
	",shopping_net,,7,\"say \"\"hi\"\"\",0\n"
	"-300,,2024-03-05 23:59:59,-1,,1\n"
	"501,gas,2024-03-06,2,x,0\n";

static struct frame *frame;

static int setup(void **state)
{
	(void)state;
	char path[] = "/tmp/test_filter.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, csv_text, sizeof csv_text - 1) != (ssize_t)(sizeof csv_text - 1))
		return -1;
	close(fd);
	struct csv_options opt = { 0 };
	opt.threads = 1;
	struct ft_err err;
	frame = csv_load(path, &opt, &err);
	unlink(path);
	return frame ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	frame_free(frame);
	return 0;
}

/* The matching rows as "0 2 4" ("" for none); "ERR <message>" on error. */
static const char *rows_of(const char *text)
{
	static char out[1200];
	struct ft_err err;
	struct filter *flt = filter_parse(text, frame, &err);
	if (!flt) {
		snprintf(out, sizeof out, "ERR %s", err.msg);
		return out;
	}
	size_t rows[8];
	size_t n = filter_rows(flt, frame, rows, NULL, NULL);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%zu", i ? " " : "", rows[i]);
	for (size_t r = 0; r < frame->nrows; r++) {
		bool listed = false;
		for (size_t i = 0; i < n; i++)
			listed |= rows[i] == r;
		assert_true(filter_match(flt, frame, r) == listed);
	}
	filter_free(flt);
	return out;
}

static void test_numeric(void **state)
{
	(void)state;
	assert_string_equal(rows_of("amt > 500"), "1 4");
	assert_string_equal(rows_of("amt >= 501"), "1 4");
	assert_string_equal(rows_of("amt < 0"), "3");
	assert_string_equal(rows_of("amt <= 10.5"), "0 3");
	assert_string_equal(rows_of("amt = 10.5"), "0");
	assert_string_equal(rows_of("amt == -3e2"), "3");
	assert_string_equal(rows_of("amt != 600"), "0 3 4");   /* missing fails != too */
	assert_string_equal(rows_of("amt <> 600"), "0 3 4");
	assert_string_equal(rows_of("amt = \"600\""), "1");
	assert_string_equal(rows_of("capital-gains > 1"), "0 2 4");
	assert_string_equal(rows_of("capital-gains>-1"), "0 1 2 4");
}

static void test_categorical(void **state)
{
	(void)state;
	assert_string_equal(rows_of("category = \"shopping_net\""), "0 2");
	assert_string_equal(rows_of("category = shopping_net"), "0 2");
	assert_string_equal(rows_of("category = 'grocery'"), "1");
	assert_string_equal(rows_of("category != shopping_net"), "1 4");
	assert_string_equal(rows_of("category = nothing_like_it"), "");
	assert_string_equal(rows_of("category != nothing_like_it"), "0 1 2 4");
	assert_string_equal(rows_of("`and` = \"say \\\"hi\\\"\""), "2");
	assert_string_equal(rows_of("`and` = x"), "0 4");
	assert_string_equal(rows_of("category = \"Shopping_net\""), "");   /* exact */
}

static void test_datetime(void **state)
{
	(void)state;
	assert_string_equal(rows_of("when >= \"2024-03-01\""), "3 4");
	assert_string_equal(rows_of("when < '2024-01-01 10:00:01'"), "0");
	assert_string_equal(rows_of("when = \"2024-01-02\""), "1");
}

static void test_logic(void **state)
{
	(void)state;
	assert_string_equal(rows_of("amt > 500 and category = \"gas\""), "4");
	assert_string_equal(rows_of("amt > 500 or category is missing"), "1 3 4");
	/* and binds tighter than or */
	assert_string_equal(rows_of("amt < 0 or amt > 500 and category = gas"), "3 4");
	assert_string_equal(rows_of("(amt < 0 or amt > 500) and category = grocery"), "1");
	assert_string_equal(rows_of("not amt > 500"), "0 2 3");
	assert_string_equal(rows_of("not not amt > 500"), "1 4");
	assert_string_equal(rows_of("NOT (amt > 500 OR amt < 0)"), "0 2");
	assert_string_equal(rows_of("amt is missing"), "2");
	assert_string_equal(rows_of("amt is not missing"), "0 1 3 4");
	assert_string_equal(rows_of("when IS MISSING"), "2");
	assert_string_equal(rows_of("  amt > 500\t"), "1 4");
	struct ft_err err;
	struct filter *flt = filter_parse("  amt > 500\t", frame, &err);
	assert_non_null(flt);
	assert_string_equal(filter_text(flt), "amt > 500");
	filter_free(flt);
	filter_free(NULL);
}

static void test_errors(void **state)
{
	(void)state;
	assert_string_equal(rows_of(""), "ERR position 1: the filter is empty");
	assert_string_equal(rows_of("   "), "ERR position 1: the filter is empty");
	assert_string_equal(rows_of("amount > 5"), "ERR position 1: no column named 'amount'");
	assert_string_equal(rows_of("amt >"), "ERR position 6: expected a value (a number, "
			    "\"text\" or a word), found the end");
	assert_string_equal(rows_of("amt > 5 and"), "ERR position 12: expected a column name, "
			    "'not' or '(', found the end");
	assert_string_equal(rows_of("amt 5"), "ERR position 5: expected a comparison "
			    "(= != < <= > >=) or 'is', found a number");
	assert_string_equal(rows_of("amt > abc"), "ERR position 7: amt is numeric and 'abc' "
			    "is not a number");
	assert_string_equal(rows_of("category > \"a\""), "ERR position 10: category is "
			    "categorical: compare it with = or !=, not >");
	assert_string_equal(rows_of("(amt > 5"), "ERR position 9: expected ')' to close the "
			    "'(' at position 1, found the end");
	assert_string_equal(rows_of("amt > 5)"), "ERR position 8: expected 'and', 'or' or the "
			    "end, found ')'");
	assert_string_equal(rows_of("category = \"open"), "ERR position 12: the quote opened "
			    "here is never closed");
	assert_string_equal(rows_of("`amt > 5"), "ERR position 1: the backquote opened here "
			    "is never closed");
	assert_string_equal(rows_of("amt ! 5"), "ERR position 5: '!' must be '!=' (use 'not' "
			    "to negate)");
	assert_string_equal(rows_of("amt > 5 ; rm -rf"), "ERR position 9: unexpected '; rm -rf'");
	assert_string_equal(rows_of("amt > 1.2.3"), "ERR position 7: '1.2.3' is not a number");
	assert_string_equal(rows_of("when > 5"), "ERR position 8: when is a datetime and '5' "
			    "is not a date (write \"YYYY-MM-DD[ HH:MM[:SS]]\")");
	assert_string_equal(rows_of("amt is 5"), "ERR position 8: expected 'missing', found a "
			    "number");
	/* positions count characters, not bytes */
	assert_string_equal(rows_of("`é` > 5"), "ERR position 1: no column named 'é'");
	assert_string_equal(rows_of("category = \"é\" and é"), "ERR position 20: no column named 'é'");
	assert_string_equal(rows_of("and = x"), "ERR position 1: expected a column name, 'not' "
			    "or '(', found 'and'");
	/* nesting is bounded */
	struct strbuf sb = { 0 };
	for (int i = 0; i < FILTER_DEPTH_MAX + 1; i++)
		sb_puts(&sb, "(");
	sb_puts(&sb, "amt > 5");
	for (int i = 0; i < FILTER_DEPTH_MAX + 1; i++)
		sb_puts(&sb, ")");
	assert_string_equal(rows_of(sb.data), "ERR position 65: nested more than 64 deep");
	sb_free(&sb);
	for (int i = 0; i < FILTER_DEPTH_MAX; i++)
		sb_puts(&sb, "not ");
	sb_puts(&sb, "amt > 500");
	assert_string_equal(rows_of(sb.data), "1 4");
	sb_free(&sb);
	while (sb.len <= FILTER_TEXT_MAX)
		sb_puts(&sb, "amt > 1 or ");
	sb_puts(&sb, "amt > 1");
	assert_string_equal(rows_of(sb.data), "ERR position 4097: a filter has at most 4096 bytes");
	sb_free(&sb);
}

static void test_quoting(void **state)
{
	(void)state;
	char *q = filter_quote_column("capital-gains");
	assert_string_equal(q, "capital-gains");
	free(q);
	q = filter_quote_column("and");
	assert_string_equal(q, "`and`");
	free(q);
	q = filter_quote_column("a `b` c\\");
	assert_string_equal(q, "`a \\`b\\` c\\\\`");
	free(q);
	q = filter_quote_column("9lives");
	assert_string_equal(q, "`9lives`");
	free(q);
	q = filter_quote_value("say \"hi\" \\o/");
	assert_string_equal(q, "\"say \\\"hi\\\" \\\\o/\"");
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_categorical),
		cmocka_unit_test(test_datetime),
		cmocka_unit_test(test_logic),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_quoting),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
