/* test_csv: csv_load on every quirk and error the loader promises to handle:
 * encodings and line ends, quoting, header repairs, delimiter detection,
 * type inference over whole columns, missing values, wide integers, big
 * files cut into chunks (same result as one chunk), progress and
 * cancellation. Files are written to the current directory and removed. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csv_dialect.h"
#include "csv_load.h"

/* Write text to a fresh file; returns its name (caller frees, unlinks). */
static char *write_file(const char *text, size_t len)
{
	char *name = xstrdup("test_csv.XXXXXX");
	int fd = mkstemp(name);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return name;
}

static struct frame *load_opt(const char *text, size_t len, const struct csv_options *opt,
			      struct ft_err *err)
{
	char *name = write_file(text, len);
	ft_err_clear(err);
	struct frame *f = csv_load(name, opt, err);
	unlink(name);
	free(name);
	return f;
}

static struct frame *load(const char *text)
{
	struct ft_err err;
	struct frame *f = load_opt(text, strlen(text), NULL, &err);
	if (!f)
		fail_msg("unexpected error: %s", err.msg);
	return f;
}

/* Load must fail with code and a message that holds ":LINE: what". */
static void expect_error(const char *text, size_t len, enum ft_code code, const char *what)
{
	struct ft_err err;
	struct frame *f = load_opt(text, len, NULL, &err);
	if (f)
		fail_msg("loaded, expected error '%s'", what);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, what))
		fail_msg("message '%s' lacks '%s'", err.msg, what);
	assert_true(!strncmp(err.msg, "test_csv.", 9));
}

static const char *cell(const struct frame *f, size_t c, size_t r)
{
	static char buf[256];
	return frame_cell_text(f, c, r, buf, sizeof buf);
}

static const char *level(const struct frame *f, size_t c, size_t r)
{
	const struct column *col = &f->cols[c];
	assert_int_equal(col->type, COL_CATEGORICAL);
	assert_true(col->codes[r] != FRAME_NA_CODE);
	return col->levels[col->codes[r]];
}

static void test_basic(void **state)
{
	(void)state;
	struct frame *f = load("id,amount,kind\n1,10.5,a\n2,20,b\n3,,a\n");
	assert_int_equal(f->nrows, 3);
	assert_int_equal(f->ncols, 3);
	assert_int_equal(f->delimiter, ',');
	assert_string_equal(f->cols[0].name, "id");
	assert_int_equal(f->cols[0].type, COL_NUMERIC);
	assert_int_equal(f->cols[1].type, COL_NUMERIC);
	assert_int_equal(f->cols[2].type, COL_CATEGORICAL);
	assert_true(f->cols[1].num[0] == 10.5);
	assert_true(isnan(f->cols[1].num[2]));
	assert_int_equal(f->cols[2].nlevels, 2);
	assert_string_equal(level(f, 2, 0), "a");
	assert_string_equal(level(f, 2, 1), "b");
	assert_int_equal(f->cols[2].codes[2], f->cols[2].codes[0]);
	assert_int_equal(f->row_line[0], 2);
	assert_int_equal(f->row_line[2], 4);
	/* stats are ready */
	assert_int_equal(f->cols[1].stats.missing, 1);
	assert_true(f->cols[1].stats.mean == 15.25);
	assert_int_equal(f->file_size, 36);
	frame_free(f);
}

static void test_bom_crlf_no_final_newline(void **state)
{
	(void)state;
	struct frame *f = load("\xEF\xBB\xBFid,name\r\n1,x\r\n2,y");
	assert_string_equal(f->cols[0].name, "id");
	assert_int_equal(f->nrows, 2);
	assert_string_equal(level(f, 1, 0), "x");
	assert_string_equal(level(f, 1, 1), "y");
	assert_int_equal(f->row_line[1], 3);
	frame_free(f);
}

static void test_quoting(void **state)
{
	(void)state;
	struct frame *f = load("id,text,n\n"
			       "1,\"a, b\",1\n"
			       "2,\"say \"\"hi\"\"\",2\n"
			       "3,\"two\nlines\",3\n"
			       "4,\"crlf\r\ninside\",4\n"
			       "5,\"\",5\n"
			       "6, spaced ,6\n");
	assert_int_equal(f->nrows, 6);
	assert_string_equal(level(f, 1, 0), "a, b");
	assert_string_equal(level(f, 1, 1), "say \"hi\"");
	assert_string_equal(level(f, 1, 2), "two\nlines");
	assert_string_equal(level(f, 1, 3), "crlf\r\ninside");
	assert_true(frame_is_missing(f, 1, 4));
	assert_string_equal(level(f, 1, 5), " spaced ");
	/* rows start on lines 2, 3, 4, 6, 8, 9 */
	static const uint32_t lines[] = { 2, 3, 4, 6, 8, 9 };
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(f->row_line[i], lines[i]);
	assert_int_equal(f->cols[2].type, COL_NUMERIC);
	frame_free(f);
}

static void test_header_repairs(void **state)
{
	(void)state;
	struct frame *f = load("a,,a,b,a,a_1,\n1,2,3,4,5,6,7\n");
	static const char *const want[] = { "a", "unnamed_1", "a_2", "b", "a_3", "a_1", "unnamed_6" };
	assert_int_equal(f->ncols, 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(f->cols[i].name, want[i]);
	assert_int_equal(frame_find(f, "a_3"), 4);
	frame_free(f);
	f = load(",,\n1,2,3\n");
	assert_string_equal(f->cols[0].name, "unnamed_0");
	assert_string_equal(f->cols[2].name, "unnamed_2");
	frame_free(f);
}

static void test_delimiters(void **state)
{
	(void)state;
	static const char delims[] = { ';', '\t', '|', ',' };
	for (size_t i = 0; i < sizeof delims; i++) {
		char text[128];
		char d = delims[i];
		snprintf(text, sizeof text, "id%camount%ckind\n1%c2.5%cx,y\n2%c3.5%cz\n", d, d, d, d, d, d);
		if (d == ',')
			snprintf(text, sizeof text, "id,amount,kind\n1,2.5,\"x,y\"\n2,3.5,z\n");
		struct frame *f = load(text);
		assert_int_equal(f->delimiter, d);
		assert_int_equal(f->ncols, 3);
		assert_string_equal(level(f, 2, 0), "x,y");
		frame_free(f);
	}
	/* a semicolon file with commas as decimal marks: the consistent one wins */
	struct frame *f = load("a;b;c\n1,5;2,5;x\n3,5;4,5;y\n");
	assert_int_equal(f->delimiter, ';');
	frame_free(f);
	/* the override */
	struct csv_options opt = { .delimiter = ',' };
	struct ft_err err;
	const char *text = "a;b\n1;2\n";
	f = load_opt(text, strlen(text), &opt, &err);
	assert_non_null(f);
	assert_int_equal(f->ncols, 1);
	assert_string_equal(f->cols[0].name, "a;b");
	frame_free(f);
	opt.delimiter = '"';
	assert_null(load_opt(text, strlen(text), &opt, &err));
	assert_int_equal(err.code, FT_EINPUT);
}

static void test_inference_whole_column(void **state)
{
	(void)state;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "id,v,w\n");
	for (int i = 1; i <= 100; i++)
		sb_printf(&sb, "%d,%d.50,%d\n", i, i, i % 3);
	sb_puts(&sb, "101,oops,\n");
	struct frame *f = load(sb.data);
	assert_int_equal(f->cols[0].type, COL_NUMERIC);
	assert_int_equal(f->cols[1].type, COL_CATEGORICAL);
	/* raw text is kept, not a number printed back */
	assert_string_equal(level(f, 1, 0), "1.50");
	assert_string_equal(level(f, 1, 100), "oops");
	assert_int_equal(f->cols[1].nlevels, 101);
	assert_int_equal(f->cols[2].type, COL_NUMERIC);
	assert_true(isnan(f->cols[2].num[100]));
	frame_free(f);
	sb_free(&sb);
}

static void test_numbers(void **state)
{
	(void)state;
	struct frame *f = load("a,b,c\n 12 ,1e400,-0.5\n\t7,5,1E3\n-3.5e1 ,-inf,.25\n");
	assert_int_equal(f->cols[0].type, COL_NUMERIC);
	assert_true(f->cols[0].num[0] == 12 && f->cols[0].num[1] == 7 && f->cols[0].num[2] == -35);
	assert_int_equal(f->cols[1].type, COL_NUMERIC);
	assert_true(isinf(f->cols[1].num[0]) && f->cols[1].num[0] > 0);
	assert_true(isinf(f->cols[1].num[2]) && f->cols[1].num[2] < 0);
	assert_int_equal(f->cols[1].stats.infinite, 2);
	assert_true(f->cols[1].stats.median == 5);
	assert_true(isnan(f->cols[1].stats.std));
	assert_true(f->cols[2].num[1] == 1000);
	frame_free(f);
}

static void test_wide_integers(void **state)
{
	(void)state;
	struct frame *f = load("card,small,mixed\n"
			       "1234567890123456789,123456789012345,1\n"
			       "9876543210987654321,5,9999999999999999\n"
			       "1234567890123456789,6,2\n");
	const struct column *c = &f->cols[0];
	assert_int_equal(c->type, COL_CATEGORICAL);
	assert_true(c->wide_integers);
	assert_true(c->stats.id_like);
	assert_int_equal(c->nlevels, 2);
	assert_string_equal(level(f, 0, 1), "9876543210987654321");
	assert_int_equal(c->codes[0], c->codes[2]);
	/* 15 digits are exact in a double */
	assert_int_equal(f->cols[1].type, COL_NUMERIC);
	assert_false(f->cols[1].wide_integers);
	assert_true(f->cols[1].num[0] == 123456789012345.0);
	/* a wide value after small ones makes the whole column text */
	assert_int_equal(f->cols[2].type, COL_CATEGORICAL);
	assert_true(f->cols[2].wide_integers);
	assert_string_equal(level(f, 2, 1), "9999999999999999");
	assert_string_equal(level(f, 2, 0), "1");
	frame_free(f);
}

static void test_missing_values(void **state)
{
	(void)state;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "v,t\n");
	for (size_t i = 0; i < frame_na_ndefaults; i++)
		sb_printf(&sb, "%s,x\n", frame_na_defaults[i]);
	sb_puts(&sb, "1.5,NA\n2.5,-\n2.5,NA\n");
	struct frame *f = load(sb.data);
	const struct column *v = &f->cols[0];
	assert_int_equal(v->type, COL_NUMERIC);
	assert_int_equal(v->stats.missing, frame_na_ndefaults);
	assert_int_equal(v->stats.count, 3);
	assert_int_equal(v->nna, frame_na_ndefaults);
	for (size_t i = 0; i < v->nna; i++)
		assert_int_equal(v->na[i].count, 1);
	const struct column *t = &f->cols[1];
	assert_int_equal(t->type, COL_CATEGORICAL);
	assert_int_equal(t->stats.missing, 2);
	assert_int_equal(t->nna, 1);
	assert_string_equal(t->na[0].text, "NA");
	assert_int_equal(t->na[0].count, 2);
	assert_int_equal(t->nlevels, 2);
	frame_free(f);

	/* user strings added to the defaults; counts most frequent first */
	const char *extra[] = { "-", "?" };
	struct csv_options opt = { .na_values = extra, .nna_values = 2 };
	struct ft_err err;
	f = load_opt(sb.data, sb.len, &opt, &err);
	assert_non_null(f);
	t = &f->cols[1];
	assert_int_equal(t->stats.missing, 3);
	assert_int_equal(t->nna, 2);
	assert_string_equal(t->na[0].text, "NA");
	assert_int_equal(t->na[0].count, 2);
	assert_string_equal(t->na[1].text, "-");
	assert_int_equal(t->nlevels, 1);
	frame_free(f);
	sb_free(&sb);

	/* a column with nothing but missing cells */
	f = load("a,b\n1,\n2,NA\n");
	assert_int_equal(f->cols[1].type, COL_NUMERIC);
	assert_int_equal(f->cols[1].stats.count, 0);
	assert_true(f->cols[1].stats.constant);
	frame_free(f);
}

static void test_datetimes(void **state)
{
	(void)state;
	struct frame *f = load("iso,mdy,dmy,amb,bad,mixed\n"
			       "2020-01-31,12/31/2020,31/12/2020,01/02/2020,2020-02-30,2020-01-01\n"
			       "2020-02-29 13:45:00,1/2/2021 10:30,1/2/2021,03/04/2020,2020-01-01,5\n"
			       ",2/28/2021,28/2/2021,05/06/2020,2020-01-02,2020-01-02\n");
	assert_int_equal(f->cols[0].type, COL_DATETIME);
	assert_int_equal(f->cols[0].date_order, DATE_ISO);
	assert_true(f->cols[0].num[0] == 18292.0 * 86400);
	assert_true(isnan(f->cols[0].num[2]));
	assert_int_equal(f->cols[1].type, COL_DATETIME);
	assert_int_equal(f->cols[1].date_order, DATE_MDY);
	assert_string_equal(cell(f, 1, 1), "2021-01-02 10:30:00");
	assert_int_equal(f->cols[2].type, COL_DATETIME);
	assert_int_equal(f->cols[2].date_order, DATE_DMY);
	assert_string_equal(cell(f, 2, 1), "2021-02-01");
	assert_int_equal(f->cols[3].type, COL_CATEGORICAL);
	assert_int_equal(f->cols[4].type, COL_CATEGORICAL);
	assert_int_equal(f->cols[5].type, COL_CATEGORICAL);
	assert_string_equal(level(f, 5, 1), "5");
	assert_true(f->cols[0].stats.min == 18292.0 * 86400);
	frame_free(f);
	/* both orders seen, or an impossible date in the chosen one: text */
	f = load("a,b\n13/1/2020,12/31/2020\n1/13/2020,2/30/2020\n");
	assert_int_equal(f->cols[0].type, COL_CATEGORICAL);
	assert_int_equal(f->cols[1].type, COL_CATEGORICAL);
	frame_free(f);
}

static void test_bytes_kept(void **state)
{
	(void)state;
	struct frame *f = load("id,name\n1,caf\xe9\n2,\xff\xfe\n3,\xe2\x82\xac\n");
	assert_string_equal(level(f, 1, 0), "caf\xe9");
	assert_string_equal(level(f, 1, 1), "\xff\xfe");
	assert_string_equal(level(f, 1, 2), "\xe2\x82\xac");
	frame_free(f);
}

static void test_blank_lines_and_one_column(void **state)
{
	(void)state;
	struct frame *f = load("\nid\n\n1\n\n\n2\n\n");
	assert_int_equal(f->nrows, 2);
	assert_int_equal(f->row_line[0], 4);
	assert_int_equal(f->row_line[1], 7);
	frame_free(f);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("", 0, FT_EINPUT, ":1: empty file");
	expect_error("\xEF\xBB\xBF", 3, FT_EINPUT, ":1: empty file");
	expect_error("\n\r\n\n", 4, FT_EINPUT, ":1: empty file");
	expect_error("a,b,c\n", 6, FT_EINPUT, ":1: header only, no data rows");
	expect_error("\n\na,b,c", 7, FT_EINPUT, ":3: header only, no data rows");
	const char *t = "a,b,c\n1,2,3\n4,5,6,7\n";
	expect_error(t, strlen(t), FT_EINPUT, ":3: expected 3 fields, found 4");
	t = "a,b,c\n1,2,3\n4,5\n";
	expect_error(t, strlen(t), FT_EINPUT, ":3: expected 3 fields, found 2");
	t = "a\n1\n2,3\n";
	expect_error(t, strlen(t), FT_EINPUT, ":3: expected 1 field, found 2");
	t = "a,b\n1,\"x\ny\"\n\n2,3,4\n";
	expect_error(t, strlen(t), FT_EINPUT, ":5: expected 2 fields, found 3");
	t = "a,b\n1,x\n2,\"open\n3,y\n";
	expect_error(t, strlen(t), FT_EINPUT, ":3: unterminated quoted field");
	t = "a,b\n1,\"x\ny\",\"open\n";
	expect_error(t, strlen(t), FT_EINPUT, ":3: unterminated quoted field");
	t = "\"a,b\n1,2\n";
	expect_error(t, strlen(t), FT_EINPUT, ":1: unterminated quoted field");
	expect_error("a,b\n1,x\n2,a\0b\n", 14, FT_EINPUT, ":3: NUL byte");
	expect_error("\x1f\x8b\x08\0\0", 5, FT_EINPUT, ":1: NUL byte");

	struct ft_err err;
	ft_err_clear(&err);
	assert_null(csv_load("no-such-file.csv", NULL, &err));
	assert_int_equal(err.code, FT_EIO);
	assert_string_equal(err.msg, "no-such-file.csv: No such file or directory");
	assert_null(csv_load(".", NULL, &err));
	assert_int_equal(err.code, FT_EIO);
	assert_string_equal(err.msg, ".: is a directory");
}

/* Errors come in file order, whatever their kind: a ragged row before a
 * NUL byte is the error; lone-CR line ends after the header are refused
 * at line 1 rather than dropping the rest of the line. */
static void test_error_order_and_line_ends(void **state)
{
	(void)state;
	expect_error("a,b\n1,2,3\n4,\0\n", 14, FT_EINPUT, ":2: expected 2 fields, found 3");
	expect_error("a,b\n1,2\n4,\0\n5,6,7\n", 18, FT_EINPUT, ":3: NUL byte");
	const char *t = "a,b\r1,2\r3,4\r";
	expect_error(t, strlen(t), FT_EINPUT, ":1: lines end in a lone carriage return");
	t = "a,b\r1,2\n3,4\n";
	expect_error(t, strlen(t), FT_EINPUT, ":1: lines end in a lone carriage return");
	/* A CR that ends the file after the header is only a header. */
	expect_error("a,b\r", 4, FT_EINPUT, ":1: header only");
}

/* The header reader asks for more text until the record (and the byte
 * after a CR ending it) is whole; then it says where the data begins. */
static void test_header_read(void **state)
{
	(void)state;
	struct csv_header h;
	struct ft_err err;
	const char *t = "\n\"x\ny\",b\r\n1,2\n";
	size_t cut = strlen("\n\"x\ny\",b\r");
	assert_int_equal(csv_header_read("f", t, 3, 0, false, ',', &h, &err), CSV_HEADER_MORE);
	assert_int_equal(csv_header_read("f", t, cut, 0, false, ',', &h, &err), CSV_HEADER_MORE);
	assert_int_equal(csv_header_read("f", t, strlen(t), 0, false, ',', &h, &err), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.raw[0], "x\ny");
	assert_string_equal(h.raw[1], "b");
	assert_int_equal(h.line, 2);
	assert_int_equal(h.end, cut + 1);
	assert_int_equal(h.next_line, 4);
	csv_header_free(&h);
	/* A line of commas longer than any table: refused before it costs a
	 * name per field. */
	size_t n = (size_t)CSV_MAX_COLUMNS + 10;
	char *commas = xmalloc(n + 1);
	memset(commas, ',', n);
	commas[n] = '\n';
	assert_int_equal(csv_header_read("f", commas, n + 1, 0, true, ',', &h, &err), -1);
	assert_non_null(strstr(err.msg, "f:1: more than 1000000 columns"));
	free(commas);
}

/* A header line longer than any name is refused after its first slices:
 * the text past them is never read (here it cannot be: it is a page the
 * process may not touch, so reading it would crash the test). */
static void test_header_reads_a_bounded_prefix(void **state)
{
	(void)state;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t good = 3u << 20, size = good + (8u << 20);
	size_t span = (size + page - 1) / page * page;
	char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	memset(p, 'a', good);
	assert_int_equal(mprotect(p + good, span - good, PROT_NONE), 0);
	struct csv_header h;
	struct ft_err err;
	assert_int_equal(csv_header_read("f", p, size, 0, true, ',', &h, &err), -1);
	assert_non_null(strstr(err.msg, "f:1: a column name longer than 1048576 bytes"));
	assert_int_equal(csv_detect_delimiter(p, p + good, NULL), ',');
	munmap(p, span);
}

/* A short column lives in the heap: a page mapping per column made a
 * 100,000-column file of 3 rows cost 400 MB of pages and 200,000 system
 * calls. */
static void test_short_columns_not_mapped(void **state)
{
	(void)state;
	struct frame *f = load("a,b,c\n1,x,2020-01-01\n2,y,2020-01-02\n");
	for (size_t c = 0; c < f->ncols; c++)
		assert_false(f->cols[c].cells_mapped);
	frame_free(f);
}

/* Name repairs, and the work they cost: 20,000 columns of one name (the
 * loader once tried _1, _2... from 1 for each: 2e8 lookups) cost a few
 * lookups each. */
static void test_unique_names(void **state)
{
	(void)state;
	char a[] = "a", empty[] = "", a_1[] = "a_1", unnamed_2[] = "unnamed_2";
	char *raw[] = { a, a, empty, a_1, a, unnamed_2, empty };
	char **u = csv_unique_names(raw, 7, NULL);
	const char *want[] = { "a", "a_2", "unnamed_2", "a_1", "a_3", "unnamed_2_1", "unnamed_6" };
	for (size_t i = 0; i < 7; i++) {
		assert_string_equal(u[i], want[i]);
		free(u[i]);
	}
	free(u);
	size_t n = 20000;
	char x[] = "x", x_1[] = "x_1";
	char **same = xmalloc(n * sizeof *same);
	for (size_t i = 0; i < n; i++)
		same[i] = i % 2 ? x : x_1;
	uint64_t probes;
	u = csv_unique_names(same, n, &probes);
	assert_string_equal(u[0], "x_1");
	assert_string_equal(u[1], "x");
	assert_string_equal(u[2], "x_1_1");
	assert_string_equal(u[3], "x_2");
	if (probes > 20 * n)
		fail_msg("%llu hash probes for %zu names", (unsigned long long)probes, n);
	for (size_t i = 0; i < n; i++)
		free(u[i]);
	free(u);
	free(same);
}

/* A file big enough to be cut into chunks on several threads. */
static char *big_text(size_t rows, size_t *len, size_t bad_row)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, "id,amount,kind,note\n");
	for (size_t i = 1; i <= rows; i++) {
		if (i == bad_row)
			sb_printf(&sb, "%zu,1,2\n", i);
		else if (i % 777 == 0)
			sb_printf(&sb, "%zu,%zu.5,k%zu,\"multi\nline, \"\"q\"\"\"\n", i, i % 13, i % 5);
		else if (i == 4242)
			sb_printf(&sb, "%zu,5,k1,5\" screen\n", i);
		else
			sb_printf(&sb, "%zu,%zu.25,k%zu,%s\n", i, i % 17, i % 5, i % 3 ? "plain" : "NA");
	}
	*len = sb.len;
	return sb.data;
}

static void test_parallel_same_as_serial(void **state)
{
	(void)state;
	size_t len;
	char *text = big_text(120000, &len, 0);
	assert_true(len > 2u << 20);
	struct ft_err err;
	struct csv_options one = { .threads = 1 }, four = { .threads = 4 };
	struct frame *a = load_opt(text, len, &one, &err);
	assert_non_null(a);
	struct frame *b = load_opt(text, len, &four, &err);
	assert_non_null(b);
	assert_int_equal(a->nrows, 120000);
	assert_int_equal(b->nrows, a->nrows);
	char x[256], y[256];
	for (size_t r = 0; r < a->nrows; r++) {
		assert_int_equal(a->row_line[r], b->row_line[r]);
		for (size_t c = 0; c < a->ncols; c++)
			assert_string_equal(frame_cell_text(a, c, r, x, sizeof x),
					    frame_cell_text(b, c, r, y, sizeof y));
	}
	/* row 777 is the first two-line row: row 778 starts a line later */
	assert_int_equal(a->row_line[776], 778);
	assert_int_equal(a->row_line[777], 780);
	assert_int_equal(a->cols[2].nlevels, 5);
	assert_string_equal(a->cols[2].levels[0], "k1");
	for (size_t c = 0; c < a->ncols; c++) {
		assert_int_equal(a->cols[c].type, b->cols[c].type);
		assert_int_equal(a->cols[c].stats.distinct, b->cols[c].stats.distinct);
		assert_true(a->cols[c].stats.mean == b->cols[c].stats.mean ||
			    (isnan(a->cols[c].stats.mean) && isnan(b->cols[c].stats.mean)));
		assert_int_equal(a->cols[c].nna, b->cols[c].nna);
	}
	frame_free(a);
	frame_free(b);
	free(text);
}

/* Statistics of a file big enough to be cut into chunks, worked out by
 * hand: row i holds i, i mod 7, (i mod 4) / 4 and 20000 i. */
static void test_stats_by_hand(void **state)
{
	(void)state;
	size_t n = 200000;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "id,week,quarter,spread\n");
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%zu,%zu,%g,%zu\n", i, i % 7, (double)(i % 4) / 4, i * 20000);
	assert_true(sb.len > 2u << 20);
	struct ft_err err;
	struct csv_options two = { .threads = 2 };
	struct frame *f = load_opt(sb.data, sb.len, &two, &err);
	assert_non_null(f);
	assert_int_equal(f->nrows, n);
	const struct column_stats *s = &f->cols[0].stats;
	assert_true(s->mean == 99999.5 && s->median == 99999.5);
	assert_int_equal(s->distinct, n);
	assert_true(s->id_like);
	/* 0, 1, 2 seen 28572 times, 3..6 28571: rows 99999 and 100000 of
	 * the sorted column are both 3; the sum is 28571 * 21 + 3 */
	s = &f->cols[1].stats;
	assert_true(s->median == 3);
	assert_true(s->mean == 599994.0 / 200000.0);
	assert_int_equal(s->distinct, 7);
	assert_true(s->min == 0 && s->max == 6);
	/* 50000 each of 0, 0.25, 0.5, 0.75: the middle pair is 0.25, 0.5 */
	s = &f->cols[2].stats;
	assert_true(s->median == 0.375);
	assert_int_equal(s->distinct, 4);
	assert_true(s->mean == 0.375);
	s = &f->cols[3].stats;
	assert_true(s->median == 1999990000.0);
	assert_true(s->max == 3999980000.0);
	assert_int_equal(s->distinct, n);
	frame_free(f);
	sb_free(&sb);
}

static void test_parallel_error_line(void **state)
{
	(void)state;
	size_t len;
	char *text = big_text(120000, &len, 110000);
	/* 109999 rows before it, 141 of them two lines long, after the header */
	size_t line = 1 + 109999 + 109999 / 777 + 1;
	char want[64];
	snprintf(want, sizeof want, ":%zu: expected 4 fields, found 3", line);
	struct csv_options opt = { .threads = 3 };
	struct ft_err err;
	assert_null(load_opt(text, len, &opt, &err));
	assert_int_equal(err.code, FT_EINPUT);
	if (!strstr(err.msg, want))
		fail_msg("'%s' lacks '%s'", err.msg, want);
	free(text);
}

struct progress_log {
	uint64_t last, total;
	int calls;
	bool bad;
	atomic_int *cancel;
	int cancel_after;
	double cancelled_at;
};

static void progress_fn(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	struct progress_log *p = ctx;
	if (strcmp(stage, "load") || done > total)
		p->bad = true;
	p->calls++;
	if (done > p->last)
		p->last = done;
	p->total = total;
	if (p->cancel && p->calls == p->cancel_after) {
		p->cancelled_at = ft_now();
		atomic_store(p->cancel, 1);
	}
}

static void test_progress_and_cancel(void **state)
{
	(void)state;
	size_t len;
	char *text = big_text(150000, &len, 0);
	struct progress_log log = { 0 };
	struct csv_options opt = { .threads = 2 };
	opt.progress.fn = progress_fn;
	opt.progress.ctx = &log;
	struct ft_err err;
	struct frame *f = load_opt(text, len, &opt, &err);
	assert_non_null(f);
	frame_free(f);
	assert_false(log.bad);
	assert_true(log.calls >= 3);
	assert_int_equal(log.total, len);
	assert_int_equal(log.last, len);

	/* raised before the start */
	atomic_int cancel;
	atomic_init(&cancel, 1);
	opt.progress.cancel = &cancel;
	assert_null(load_opt(text, len, &opt, &err));
	assert_int_equal(err.code, FT_ECANCELLED);

	/* raised during the load: stops soon, frees everything (ASan checks) */
	atomic_store(&cancel, 0);
	struct progress_log mid = { .cancel = &cancel, .cancel_after = 2 };
	opt.progress.ctx = &mid;
	assert_null(load_opt(text, len, &opt, &err));
	assert_int_equal(err.code, FT_ECANCELLED);
	assert_true(ft_now() - mid.cancelled_at < 10.0);	/* catches only a run that ignores the flag: speed is measured, not tested */
	free(text);
}

static void test_many_columns_long_field(void **state)
{
	(void)state;
	struct strbuf sb = { 0 };
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 5000; c++)
			sb_printf(&sb, "%s%d%s", r ? "" : "c", r ? r * c : c, c == 4999 ? "\n" : ",");
	struct frame *f = load(sb.data);
	assert_int_equal(f->ncols, 5000);
	assert_int_equal(f->nrows, 2);
	assert_string_equal(f->cols[4999].name, "c4999");
	assert_true(f->cols[4999].num[1] == 2 * 4999);
	frame_free(f);
	sb_free(&sb);
	sb_puts(&sb, "id,text\n1,\"");
	for (int i = 0; i < 100000; i++)
		sb_puts(&sb, "ab,\"\"\ncd");
	sb_puts(&sb, "\"\n2,x\n");
	f = load(sb.data);
	assert_int_equal(f->nrows, 2);
	assert_int_equal(strlen(level(f, 1, 0)), 700000);
	assert_int_equal(f->row_line[1], 3 + 100000);
	frame_free(f);
	sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_bom_crlf_no_final_newline),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_header_repairs),
		cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_inference_whole_column),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_wide_integers),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_datetimes),
		cmocka_unit_test(test_bytes_kept),
		cmocka_unit_test(test_blank_lines_and_one_column),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_order_and_line_ends),
		cmocka_unit_test(test_header_read),
		cmocka_unit_test(test_unique_names),
		cmocka_unit_test(test_short_columns_not_mapped),
		cmocka_unit_test(test_header_reads_a_bounded_prefix),
		cmocka_unit_test(test_parallel_same_as_serial),
		cmocka_unit_test(test_stats_by_hand),
		cmocka_unit_test(test_parallel_error_line),
		cmocka_unit_test(test_progress_and_cancel),
		cmocka_unit_test(test_many_columns_long_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
