/* fuzz_filter: libFuzzer harness for the row filter language. The input is
 * the filter text, parsed against a fixed frame (numeric, categorical and
 * datetime columns, missing cells, names that need backquotes). A failure
 * must say "position N: ..." with N inside the text (or one past it); a
 * parsed filter must give the same rows through filter_rows and
 * filter_match, the same rows again when its own text is parsed anew, and
 * the complement under "not ( ... )". */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csv_load.h"
#include "filter.h"
#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char csv_text[] =
	"amount,category,when,`odd name`,and,label\n"
	"10.5,shopping_net,2024-01-01 10:00:00,x,1,0\n"
	"600,grocery,2024-01-02,y,2,1\n"
	",shopping_net,,\"a \"\"q\"\"\",3,0\n"
	"-3e2,,2024-03-05 23:59:59,,4,1\n"
	"inf,gas,2024-03-06,x,,0\n";

static struct frame *frame_once(void)
{
	static struct frame *f;
	if (f)
		return f;
	int fd = memfd_create("filter.csv", 0);
	if (fd < 0 || write_all(fd, csv_text, sizeof csv_text - 1) < 0)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct csv_options opt = { 0 };
	opt.threads = 1;
	struct ft_err err;
	f = csv_load(path, &opt, &err);
	close(fd);
	if (!f)
		abort();
	return f;
}

static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void check_quoting(const struct frame *f, const char *text);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct frame *f = frame_once();
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';   /* an embedded NUL ends the text, as in a C string */
	struct ft_err err;
	ft_err_clear(&err);
	struct filter *flt = filter_parse(text, f, &err);
	check_quoting(f, text);
	if (!flt) {
		unsigned long pos;
		char *end;
		if (strncmp(err.msg, "position ", 9) != 0 || err.code != FT_EINPUT)
			abort();
		pos = strtoul(err.msg + 9, &end, 10);
		if (*end != ':' || pos < 1 || (pos > chars(text) + 1 && size <= FILTER_TEXT_MAX))
			abort();
		free(text);
		return 0;
	}
	size_t rows[16], again[16];
	size_t n = filter_rows(flt, f, rows, NULL, NULL);
	for (size_t r = 0, k = 0; r < f->nrows; r++) {
		bool m = filter_match(flt, f, r);
		if (m != (k < n && rows[k] == r))
			abort();
		k += m;
	}
	struct filter *re = filter_parse(filter_text(flt), f, &err);
	if (!re || filter_rows(re, f, again, NULL, NULL) != n || memcmp(rows, again, n * sizeof *rows))
		abort();
	filter_free(re);
	size_t len = strlen(filter_text(flt));
	if (len + 8 <= FILTER_TEXT_MAX) {
		char *neg = malloc(len + 8);
		if (!neg)
			abort();
		snprintf(neg, len + 8, "not (%s)", filter_text(flt));
		struct filter *nf = filter_parse(neg, f, &err);
		/* one more level of nesting may pass the limit; otherwise it parses */
		if (nf) {
			if (filter_rows(nf, f, again, NULL, NULL) != f->nrows - n)
				abort();
			filter_free(nf);
		} else if (!strstr(err.msg, "deep")) {
			abort();
		}
		free(neg);
	}
	filter_free(flt);
	free(text);
	return 0;
}

/* Quoting: any column name and any text read back as themselves. */
static void check_quoting(const struct frame *f, const char *text)
{
	for (size_t c = 0; c < f->ncols; c++) {
		const struct column *col = &f->cols[c];
		if (col->type != COL_CATEGORICAL)
			continue;
		char *q = filter_quote_column(col->name);
		char *v = filter_quote_value(text);
		size_t need = strlen(q) + strlen(v) + 8;
		char *t = malloc(need);
		if (!t)
			abort();
		snprintf(t, need, "%s = %s", q, v);
		struct ft_err err;
		struct filter *qf = filter_parse(t, f, &err);
		if (strlen(t) <= FILTER_TEXT_MAX) {
			if (!qf)
				abort();
			for (size_t r = 0; r < f->nrows; r++) {
				bool same = col->codes[r] != FRAME_NA_CODE &&
					    strcmp(col->levels[col->codes[r]], text) == 0;
				if (filter_match(qf, f, r) != same)
					abort();
			}
		}
		filter_free(qf);
		free(t);
		free(q);
		free(v);
	}
}

