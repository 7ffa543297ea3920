/* csv_dialect: see csv_dialect.h. The loader and predict read files with
 * these functions only, so a file trains and scores the same way; a rule
 * changed here changes for both.
 *
 * Invariants: nothing here keeps a pointer into the caller's text; every
 * error names the path and the line; header work is linear in its size. */
#include "config.h"
#include "csv_dialect.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "frame.h"
#include "strmap.h"

#define SAMPLE_RECORDS 1000
#define DETECT_RECORDS 20
#define HEADER_SLICE (1u << 20)

/* libcsv's parser state between records (ROW_NOT_BEGUN in libcsv 3). */
#define CSV_STATE_BETWEEN_ROWS 0

void csv_fields_message(char *buf, size_t size, size_t want, size_t found)
{
	snprintf(buf, size, "expected %zu field%s, found %zu", want, want == 1 ? "" : "s", found);
}

bool csv_delimiter_valid(char d)
{
	return d != CSV_QUOTE && d != '\n' && d != '\r' && d != '\0';
}

char csv_detect_delimiter(const char *p, const char *end, size_t *avg_record)
{
	static const char cand[] = { ',', ';', '\t', '|' };
	size_t head[4] = { 0 }, cur[4] = { 0 }, records = 0;
	bool consistent[4] = { true, true, true, true }, inq = false, any = false;
	const char *start = p;
	/* Every reader has this much at hand (predict reads in blocks). */
	if ((size_t)(end - p) > CSV_DETECT_BYTES)
		end = p + CSV_DETECT_BYTES;
	for (; p < end && records < SAMPLE_RECORDS; p++) {
		char c = *p;
		if (c == CSV_QUOTE) {
			inq = !inq;
		} else if (!inq && c == '\n') {
			if (any) {
				for (int i = 0; i < 4; i++) {
					if (records == 0)
						head[i] = cur[i];
					else if (records < DETECT_RECORDS && cur[i] != head[i])
						consistent[i] = false;
					cur[i] = 0;
				}
				records++;
			}
			any = false;
		} else if (!inq) {
			if (c != '\r')
				any = true;
			for (int i = 0; i < 4; i++)
				cur[i] += c == cand[i];
		}
	}
	if (records == 0)
		for (int i = 0; i < 4; i++)
			head[i] = cur[i];
	if (avg_record) {
		*avg_record = records ? (size_t)(p - start) / records : (size_t)(p - start) + 1;
		if (*avg_record == 0)
			*avg_record = 1;
	}
	int best = -1;
	for (int pass = 0; pass < 2 && best < 0; pass++)
		for (int i = 0; i < 4; i++)
			if (head[i] && (pass || consistent[i]) && (best < 0 || head[i] > head[best]))
				best = i;
	return best < 0 ? ',' : cand[best];
}

size_t csv_bom(const char *p, size_t n)
{
	return n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

int csv_parser_init(struct csv_parser *p, char delim)
{
	if (csv_init(p, CSV_STRICT_FINI) != 0)
		return -1;
	csv_set_delim(p, (unsigned char)delim);
	csv_set_quote(p, CSV_QUOTE);
	csv_set_space_func(p, no_space);
	return 0;
}

size_t csv_count_quotes(const char *p, const char *end)
{
	size_t n = 0;
	while (p < end && (p = memchr(p, CSV_QUOTE, (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

size_t csv_line_of_offset(const char *data, size_t off)
{
	size_t line = 1;
	const char *p = data, *end = data + off;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		line++;
		p++;
	}
	return line;
}

/* libcsv's rules in miniature: a quote only opens a field at its start. */
enum { F_START, F_PLAIN, F_QUOTED, F_QSEEN };

void csv_quote_start(struct csv_quote_scan *q, size_t line)
{
	q->state = F_START;
	q->line = q->qline = line;
}

void csv_quote_feed(struct csv_quote_scan *q, const char *p, const char *end, char delim)
{
	int st = q->state;
	size_t line = q->line, qline = q->qline;
	for (; p < end; p++) {
		char c = *p;
		switch (st) {
		case F_START:
			if (c == CSV_QUOTE) {
				st = F_QUOTED;
				qline = line;
			} else if (c != delim && c != '\n' && c != '\r') {
				st = F_PLAIN;
			}
			break;
		case F_PLAIN:
			if (c == delim || c == '\n' || c == '\r')
				st = F_START;
			break;
		case F_QUOTED:
			if (c == CSV_QUOTE)
				st = F_QSEEN;
			break;
		case F_QSEEN:
			if (c == delim || c == '\n' || c == '\r')
				st = F_START;
			else
				st = F_QUOTED;
			break;
		}
		if (c == '\n')
			line++;
	}
	q->state = st;
	q->line = line;
	q->qline = qline;
}

bool csv_quote_open(const struct csv_quote_scan *q, size_t *qline)
{
	*qline = q->qline;
	return q->state == F_QUOTED;
}

bool csv_open_quote(const char *p, const char *end, char delim, size_t line, size_t *qline)
{
	struct csv_quote_scan q;
	csv_quote_start(&q, line);
	csv_quote_feed(&q, p, end, delim);
	return csv_quote_open(&q, qline);
}

/* Where a plain line ends, at c (a byte the scan stopped on): a newline,
 * or CR LF, or a CR that ends the data. */
static bool plain_end(const char *c, const char *end, struct csv_line *ln)
{
	if (*c == '\n') {
		ln->e = c;
		ln->next = c + 1;
		ln->newline = true;
		return true;
	}
	if (*c != '\r' || (c + 1 < end && c[1] != '\n'))
		return false;      /* a quote or a lone CR: libcsv's business */
	ln->e = c;
	ln->next = c + 1 < end ? c + 2 : end;
	ln->newline = c + 1 < end;
	return true;
}

/* One pass, 16 bytes at a time where the machine allows. */
bool csv_scan_line(const char *p, const char *end, char delim, const char **fs, size_t max,
		   struct csv_line *ln)
{
	size_t n = 0;
	const char *q = p;
	fs[n++] = p;
	ln->quote = false;
#ifdef __SSE2__
	const __m128i vd = _mm_set1_epi8(delim), vq = _mm_set1_epi8(CSV_QUOTE);
	const __m128i vr = _mm_set1_epi8('\r'), vn = _mm_set1_epi8('\n');
	for (; q + 16 <= end; q += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vq)),
					   _mm_or_si128(_mm_cmpeq_epi8(x, vr), _mm_cmpeq_epi8(x, vn)));
		for (unsigned m = (unsigned)_mm_movemask_epi8(hit); m; m &= m - 1) {
			const char *c = q + __builtin_ctz(m);
			if (*c != delim) {
				ln->nf = n;
				ln->quote = *c == CSV_QUOTE;
				return plain_end(c, end, ln);
			}
			if (n == max)
				return false;
			fs[n++] = c + 1;
		}
	}
#endif
	for (; q < end; q++) {
		char c = *q;
		if (c == delim) {
			if (n == max)
				return false;
			fs[n++] = q + 1;
		} else if (c == '\n' || c == '\r' || c == CSV_QUOTE) {
			ln->nf = n;
			ln->quote = c == CSV_QUOTE;
			return plain_end(q, end, ln);
		}
	}
	ln->nf = n;
	ln->e = ln->next = end;
	ln->newline = false;
	return true;
}

/* ---- the header record ---- */

struct hdr_ctx {
	struct csv_header *h;
	size_t cap;
	bool done, too_many, too_long;
	int term;                   /* the byte that ended the record, -1 the end */
};

static void hdr_field(void *s, size_t len, void *data)
{
	struct hdr_ctx *c = data;
	struct csv_header *h = c->h;
	if (c->done || c->too_many || c->too_long)
		return;
	if (h->n == CSV_MAX_COLUMNS) {
		c->too_many = true;
		return;
	}
	if (len > CSV_MAX_NAME) {
		c->too_long = true;
		return;
	}
	if (h->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		h->raw = xreallocarray(h->raw, c->cap, sizeof *h->raw);
	}
	h->raw[h->n++] = xstrndup(len ? s : "", len);
}

static void hdr_record(int term, void *data)
{
	struct hdr_ctx *c = data;
	if (!c->done) {
		c->done = true;
		c->term = term;
	}
}

void csv_header_free(struct csv_header *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->raw[i]);
	free(h->raw);
	memset(h, 0, sizeof *h);
}

/* The first '\n' or '\r' in [p, lim), or lim: a header line is looked at
 * one slice at a time, never searched to its end in one go (a 1 GB line
 * fails on a limit after its first megabytes). */
static const char *next_break(const char *p, const char *lim)
{
	const char *nl = memchr(p, '\n', (size_t)(lim - p));
	if (nl)
		lim = nl;
	const char *cr = memchr(p, '\r', (size_t)(lim - p));
	return cr ? cr : lim;
}

int csv_header_read(const char *path, const char *data, size_t size, size_t start, bool eof,
		    char delim, struct csv_header *h, struct ft_err *err)
{
	memset(h, 0, sizeof *h);
	struct csv_parser parser;
	if (csv_parser_init(&parser, delim) != 0)
		return ft_fail(err, FT_ENOMEM, "%s: out of memory", path);
	struct hdr_ctx c = { .h = h, .term = -1 };
	const char *p = data + start, *end = data + size, *rec = NULL;
	size_t line = 1, rec_line = 1;
	int rc = 0;
	while (p < end && !c.done) {
		const char *lim = (size_t)(end - p) > HEADER_SLICE ? p + HEADER_SLICE : end;
		const char *stop = next_break(p, lim);
		const char *next = stop < lim ? stop + 1 : lim;
		if (memchr(p, '\0', (size_t)(next - p))) {
			rc = ft_fail(err, FT_EINPUT, "%s:%zu: " CSV_NUL_MESSAGE, path, line);
			goto out;
		}
		if (parser.pstate == CSV_STATE_BETWEEN_ROWS) {
			rec = p;
			rec_line = line;
		}
		if (csv_parse(&parser, p, (size_t)(next - p), hdr_field, hdr_record, &c) !=
		    (size_t)(next - p)) {
			rc = ft_fail(err, FT_ENOMEM, "%s:%zu: %s", path, rec_line,
				     csv_strerror(csv_error(&parser)));
			goto out;
		}
		if (c.too_many) {
			rc = ft_fail(err, FT_EINPUT, "%s:%zu: more than %u columns", path, rec_line,
				     CSV_MAX_COLUMNS);
			goto out;
		}
		/* libcsv holds the field being read: a name past the limit is
		 * refused after a slice, not after the whole line. */
		if (parser.entry_pos > CSV_MAX_NAME)
			c.too_long = true;
		if (c.too_long) {
			rc = ft_fail(err, FT_EINPUT, "%s:%zu: a column name longer than %u bytes "
				     "(is the first line a header?)", path, rec_line, CSV_MAX_NAME);
			goto out;
		}
		if (next[-1] == '\n')
			line++;
		p = next;
	}
	if (c.done && c.term == '\r') {
		/* CR LF is a line end; a lone CR ends lines only on classic Mac OS. */
		if (p == end && !eof) {
			rc = CSV_HEADER_MORE;
			goto out;
		}
		if (p < end && *p != '\n') {
			rc = ft_fail(err, FT_EINPUT, "%s:%zu: " CSV_LONE_CR_MESSAGE, path, line);
			goto out;
		}
		if (p < end) {
			p++;
			line++;
		}
	}
	if (!c.done) {
		if (!eof) {
			rc = CSV_HEADER_MORE;
			goto out;
		}
		size_t qline;
		if (rec && csv_open_quote(rec, end, delim, rec_line, &qline)) {
			rc = ft_fail(err, FT_EINPUT, "%s:%zu: " CSV_UNTERMINATED_MESSAGE, path, qline);
			goto out;
		}
		csv_fini(&parser, hdr_field, hdr_record, &c);
		if (c.too_many || c.too_long) {
			rc = ft_fail(err, FT_EINPUT, c.too_many ? "%s:%zu: more than %u columns"
				     : "%s:%zu: a column name longer than %u bytes (is the first line a header?)",
				     path, rec_line, c.too_many ? CSV_MAX_COLUMNS : CSV_MAX_NAME);
			goto out;
		}
	}
	if (h->n == 0) {
		rc = ft_fail(err, FT_EINPUT, "%s:1: empty file (no header line)", path);
		goto out;
	}
	h->line = rec_line;
	h->end = (size_t)(p - data);
	h->next_line = line;
out:
	csv_free(&parser);
	if (rc != 0) {
		struct csv_header keep = *h;
		csv_header_free(&keep);
		memset(h, 0, sizeof *h);
	}
	return rc;
}

char **csv_unique_names(char *const *raw, size_t n, uint64_t *probes)
{
	char **out = xcalloc(n ? n : 1, sizeof *out);
	/* all: every raw name and every name made; used: the names given;
	 * next: per base name, the suffix to try first. A suffix refused once
	 * stays refused (both sets only grow), so each base resumes where it
	 * stopped and the whole costs O(n) lookups. all and used borrow their
	 * keys (raw, out, and the refused names kept in spare until the end):
	 * a long header is not copied twice more. */
	struct strmap all = { .borrow = true }, used = { .borrow = true }, next = { 0 };
	char **spare = NULL;
	size_t nspare = 0, spare_cap = 0;
	for (size_t i = 0; i < n; i++)
		strmap_add(&all, raw[i], strlen(raw[i]), 0, NULL);
	for (size_t i = 0; i < n; i++) {
		char *name = raw[i][0] ? xstrdup(raw[i]) : xasprintf("unnamed_%zu", i);
		if (!strmap_add(&used, name, strlen(name), i, NULL)) {
			const char *base = raw[i][0] ? raw[i] : name;
			size_t blen = strlen(base);
			size_t *k = strmap_find(&next, base, blen);
			if (!k) {
				strmap_add(&next, base, blen, 1, NULL);
				k = strmap_find(&next, base, blen);
			}
			for (;; ++*k) {
				char *cand = xasprintf("%s_%zu", base, *k);
				size_t cl = strlen(cand);
				if (!strmap_add(&all, cand, cl, 0, NULL)) {
					free(cand);
					continue;
				}
				if (!strmap_add(&used, cand, cl, i, NULL)) {
					if (nspare == spare_cap) {
						spare_cap = spare_cap ? 2 * spare_cap : 16;
						spare = xreallocarray(spare, spare_cap, sizeof *spare);
					}
					spare[nspare++] = cand;
					continue;
				}
				free(name);
				name = cand;
				++*k;
				break;
			}
		}
		out[i] = name;
	}
	if (probes)
		*probes = all.probes + used.probes + next.probes;
	strmap_free(&all);
	strmap_free(&used);
	strmap_free(&next);
	for (size_t i = 0; i < nspare; i++)
		free(spare[i]);
	free(spare);
	return out;
}

/* ---- missing-value tokens ---- */

void csv_na_init(struct csv_na *s, const char *const *extra, size_t nextra)
{
	size_t cap = frame_na_ndefaults + nextra;
	s->text = xmalloc(cap * sizeof *s->text);
	s->len = xmalloc(cap * sizeof *s->len);
	s->n = s->maxlen = 0;
	s->typed = false;
	memset(s->lens, 0, sizeof s->lens);
	memset(s->last, 0, sizeof s->last);
	struct strmap seen = { 0 };
	for (size_t i = 0; i < cap; i++) {
		const char *t = i < frame_na_ndefaults ? frame_na_defaults[i]
						       : extra[i - frame_na_ndefaults];
		size_t len = strlen(t);
		if (!strmap_add(&seen, t, len, i, NULL))
			continue;
		s->text[s->n] = t;
		s->len[s->n++] = len;
		if (len > s->maxlen)
			s->maxlen = len;
		if (len) {
			uint64_t bit = UINT64_C(1) << (len < 63 ? len : 63);
			s->lens[(unsigned char)t[0]] |= bit;
			s->last[(unsigned char)t[len - 1]] |= bit;
		}
		double v;
		struct slash_date sd;
		if (parse_number(t, len, &v) || parse_datetime(t, len, DATE_ISO, &v) ||
		    parse_slash_date(t, len, &sd))
			s->typed = true;
	}
	strmap_free(&seen);
}

void csv_na_free(struct csv_na *s)
{
	if (!s)
		return;
	free(s->text);
	free(s->len);
	s->text = NULL;
	s->len = NULL;
	s->n = 0;
}
