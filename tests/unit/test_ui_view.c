/* test_ui_view: the workbench's curses-free view models: display widths of
 * UTF-8 text, grid column widths, the sort permutation (stable, missing
 * last, both directions), histogram binning, value search and the tuning
 * heat map, on small frames whose answers are worked out by hand. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_load.h"
#include "view.h"

static bool have_utf8;

/* Load CSV text through the real loader (from a temporary file). */
static struct frame *load_text(const char *text)
{
	char path[] = "/tmp/ft-test-ui-view.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	struct csv_options opt = { 0 };
	opt.threads = 1;
	struct ft_err err;
	struct frame *f = csv_load(path, &opt, &err);
	unlink(path);
	if (!f)
		fail_msg("csv_load: %s", err.msg);
	return f;
}

static const char *const sample =
	"id,amount,kind\n"
	"1,30,b\n"
	"2,,a\n"
	"3,10,c\n"
	"4,30,a\n"
	"5,-2.5,\n"
	"6,1000,b\n";

static void test_text_width(void **state)
{
	(void)state;
	assert_int_equal(view_text_width("abc"), 3);
	assert_int_equal(view_text_width(""), 0);
	int cols;
	assert_int_equal(view_text_fit("abcdef", 4, &cols), 4);
	assert_int_equal(cols, 4);
	assert_int_equal(view_text_fit("ab", 4, &cols), 2);
	assert_int_equal(cols, 2);
	if (!have_utf8)
		skip();
	/* é is 2 bytes, 1 column; 漢 is 3 bytes, 2 columns */
	assert_int_equal(view_text_width("caf\xc3\xa9"), 4);
	assert_int_equal(view_text_width("\xe6\xbc\xa2\xe5\xad\x97"), 4);
	/* a double-width character that does not fit is left out whole */
	assert_int_equal(view_text_fit("a\xe6\xbc\xa2" "b", 2, &cols), 1);
	assert_int_equal(cols, 1);
	assert_int_equal(view_text_fit("a\xe6\xbc\xa2" "b", 3, &cols), 4);
	assert_int_equal(cols, 3);
	/* a broken sequence counts one column per byte, never crashes */
	assert_int_equal(view_text_width("a\xc3"), 2);
}

/* Wrapping at blanks: whole words per line, a word longer than the line
 * cut where it must, the blanks between lines skipped. */
static void test_wrap(void **state)
{
	(void)state;
	const char *next;
	const char *s = "one split on amount <= 47.2 reaches 1.000";
	assert_int_equal(view_wrap(s, 20, &next), strlen("one split on amount"));
	assert_string_equal(next, "<= 47.2 reaches 1.000");
	assert_int_equal(view_wrap(next, 20, &next), strlen("<= 47.2 reaches"));
	assert_string_equal(next, "1.000");
	assert_int_equal(view_wrap(next, 20, &next), 5);
	assert_string_equal(next, "");
	assert_int_equal(view_wrap_lines(s, 20, 9), 3);
	assert_int_equal(view_wrap_lines(s, 20, 2), 2);
	assert_int_equal(view_wrap_lines(s, 80, 9), 1);
	assert_int_equal(view_wrap_lines("", 20, 9), 0);
	/* a word wider than the line */
	assert_int_equal(view_wrap("abcdefghij klm", 4, &next), 4);
	assert_string_equal(next, "efghij klm");
	/* a line that ends exactly at a blank keeps its last word */
	assert_int_equal(view_wrap("abcd efgh", 4, &next), 4);
	assert_string_equal(next, "efgh");
	assert_int_equal(view_wrap_lines("abc", 0, 9), 0);
}

static void test_fit_widths(void **state)
{
	(void)state;
	struct frame *f = load_text(sample);
	int w[3];
	view_fit_widths(f, 100, 3, 24, w);
	assert_int_equal(w[0], 3);   /* "id" and "1".."6" -> clamped to min 3 */
	assert_int_equal(w[1], 6);   /* "amount" is wider than "1000" and "-2.5" */
	assert_int_equal(w[2], 4);   /* "kind" */
	view_fit_widths(f, 100, 1, 5, w);
	assert_int_equal(w[1], 5);   /* clamped to max */
	frame_free(f);

	f = load_text("n\nshort\na-very-long-value-here\n");
	view_fit_widths(f, 100, 3, 40, w);
	assert_int_equal(w[0], 22);
	frame_free(f);
}

static void test_sort_numeric(void **state)
{
	(void)state;
	struct frame *f = load_text(sample);
	size_t perm[6];
	/* amounts by row: 30, NA, 10, 30, -2.5, 1000 */
	view_sort_perm(f, 1, false, perm);
	size_t asc[] = { 4, 2, 0, 3, 5, 1 };   /* ties (rows 0 and 3) in file order, NA last */
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(perm[i], asc[i]);
	view_sort_perm(f, 1, true, perm);
	size_t desc[] = { 5, 0, 3, 2, 4, 1 };  /* still stable, NA still last */
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(perm[i], desc[i]);
	frame_free(f);
}

static void test_sort_categorical(void **state)
{
	(void)state;
	struct frame *f = load_text(sample);
	size_t perm[6];
	/* kinds by row: b, a, c, a, NA, b; levels first seen b, a, c */
	view_sort_perm(f, 2, false, perm);
	size_t asc[] = { 1, 3, 0, 5, 2, 4 };
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(perm[i], asc[i]);
	view_sort_perm(f, 2, true, perm);
	size_t desc[] = { 2, 0, 5, 1, 3, 4 };
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(perm[i], desc[i]);
	frame_free(f);
}

static void test_sort_large_negative(void **state)
{
	(void)state;
	/* the byte-wise radix passes must order signs and magnitudes right */
	struct frame *f = load_text("x\n1e300\n-1e-300\n0\n-7\n3.5\n-1e300\n-0\n");
	size_t perm[7];
	view_sort_perm(f, 0, false, perm);
	size_t want[] = { 5, 3, 1, 2, 6, 4, 0 };   /* -0 ties 0, file order kept */
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(perm[i], want[i]);
	frame_free(f);
}

static void test_histogram(void **state)
{
	(void)state;
	struct frame *f = load_text("v\n0\n1\n2\n3\n4\n5\n6\n7\n8\n10\n\n");
	size_t h[5];
	/* [0,10] in 5 bins of width 2: {0,1} {2,3} {4,5} {6,7} {8,10}; NA skipped */
	size_t top = view_histogram(f, 0, 5, h);
	size_t want[] = { 2, 2, 2, 2, 2 };
	for (int i = 0; i < 5; i++)
		assert_int_equal(h[i], want[i]);
	assert_int_equal(top, 2);
	size_t h2[2];
	top = view_histogram(f, 0, 2, h2);
	assert_int_equal(h2[0], 5);   /* 0..4 (5 goes to the upper bin) */
	assert_int_equal(h2[1], 5);
	assert_int_equal(top, 5);
	frame_free(f);

	f = load_text("v\n3\n3\n3\n");   /* zero span: everything in bin 0 */
	top = view_histogram(f, 0, 4, h);
	assert_int_equal(h[0], 3);
	assert_int_equal(h[3], 0);
	frame_free(f);
}

static void test_search(void **state)
{
	(void)state;
	struct frame *f = load_text("name,amount\nAlice,5\nbob,7\nALINA,5\ncarol,9\n");
	size_t col = 99;
	/* case-insensitive substring of categories, forward from row 0 */
	assert_int_equal(view_search(f, NULL, 0, 0, "ali", true, &col), 2);
	assert_int_equal(col, 0);
	/* wraps around to row 0 */
	assert_int_equal(view_search(f, NULL, 0, 2, "ali", true, &col), 0);
	/* backwards */
	assert_int_equal(view_search(f, NULL, 0, 0, "ali", false, &col), 2);
	/* a number matches equal numeric cells */
	assert_int_equal(view_search(f, NULL, 0, 0, "9", true, &col), 3);
	assert_int_equal(col, 1);
	assert_int_equal(view_search(f, NULL, 0, 0, "zzz", true, &col), SIZE_MAX);
	/* with a permutation, positions are display positions */
	size_t perm[] = { 3, 2, 1, 0 };
	assert_int_equal(view_search(f, perm, 4, 0, "bob", true, &col), 2);
	/* a filtered display order: only its rows are looked at (ALINA is
	 * not among them, so "ali" finds Alice, wrapping to its position) */
	size_t shown[] = { 0, 3 };
	assert_int_equal(view_search(f, shown, 2, 0, "ali", true, &col), 0);
	assert_int_equal(view_search(f, shown, 2, 0, "bob", true, &col), SIZE_MAX);
	assert_int_equal(view_search(f, shown, 2, 0, "carol", true, &col), 1);
	frame_free(f);
}

static void test_bar(void **state)
{
	(void)state;
	char buf[64];
	view_bar(buf, 5, 10, 4, false);
	assert_string_equal(buf, "##");
	view_bar(buf, 10, 10, 4, false);
	assert_string_equal(buf, "####");
	view_bar(buf, 0, 10, 4, false);
	assert_string_equal(buf, "");
	view_bar(buf, 1, 1000, 4, false);   /* nonzero is never invisible */
	assert_string_equal(buf, "#");
	view_bar(buf, 3, 8, 1, true);        /* 3/8 of a cell: the 3/8 block */
	assert_string_equal(buf, "\u258d");
}

static void test_heatmap(void **state)
{
	(void)state;
	struct tune_row rows[6];
	memset(rows, 0, sizeof rows);
	int depth[] = { 5, 5, 3, 3, 3, 5 };
	size_t split[] = { 20, 2, 2, 20, 2, 2 };
	size_t leaf[] = { 1, 1, 1, 1, 5, 5 };
	double score[] = { 0.70, 0.80, 0.60, 0.65, 0.62, 0.75 };
	for (int i = 0; i < 6; i++) {
		rows[i].max_depth = depth[i];
		rows[i].min_samples_split = split[i];
		rows[i].min_samples_leaf = leaf[i];
		rows[i].score = score[i];
	}
	struct view_heat h;
	view_heatmap(rows, 6, true, &h);
	assert_int_equal(h.nrows, 2);
	assert_int_equal(h.ncols, 2);
	assert_int_equal(h.depth[0], 3);
	assert_int_equal(h.depth[1], 5);
	assert_int_equal(h.split[0], 2);
	assert_int_equal(h.split[1], 20);
	/* best over min_samples_leaf per cell */
	assert_float_equal(h.score[0], 0.62, 1e-12);   /* depth 3, split 2 */
	assert_float_equal(h.score[1], 0.65, 1e-12);
	assert_float_equal(h.score[2], 0.80, 1e-12);   /* depth 5, split 2 */
	assert_float_equal(h.score[3], 0.70, 1e-12);
	assert_int_equal(h.best_row, 1);
	assert_int_equal(h.best_col, 0);
	assert_float_equal(h.lo, 0.62, 1e-12);
	assert_float_equal(h.hi, 0.80, 1e-12);
	view_heat_free(&h);

	/* lower is better (log_loss): the minimum per cell and overall */
	view_heatmap(rows, 6, false, &h);
	assert_float_equal(h.score[0], 0.60, 1e-12);
	assert_int_equal(h.best_row, 0);
	assert_int_equal(h.best_col, 0);
	view_heat_free(&h);

	/* a grid point missing from the table stays NAN */
	view_heatmap(rows, 2, true, &h);   /* only depth 5: split 20 and 2 */
	assert_int_equal(h.nrows, 1);
	assert_int_equal(h.ncols, 2);
	view_heat_free(&h);
	view_heatmap(rows + 1, 2, true, &h);   /* (5,2) and (3,2) */
	assert_int_equal(h.nrows, 2);
	assert_int_equal(h.ncols, 1);
	view_heat_free(&h);
	struct tune_row two[2] = { rows[0], rows[2] };   /* (5,20) and (3,2) */
	view_heatmap(two, 2, true, &h);
	assert_true(isnan(h.score[1]));   /* depth 3, split 20 */
	assert_true(isnan(h.score[2]));   /* depth 5, split 2 */
	view_heat_free(&h);
}

int main(void)
{
	const char *l = setlocale(LC_CTYPE, "C.UTF-8");
	if (!l)
		l = setlocale(LC_CTYPE, "en_US.UTF-8");
	have_utf8 = l != NULL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_fit_widths),
		cmocka_unit_test(test_sort_numeric),
		cmocka_unit_test(test_sort_categorical),
		cmocka_unit_test(test_sort_large_negative),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_bar),
		cmocka_unit_test(test_heatmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
