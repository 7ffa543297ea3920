/* csv_dialect: how fraudtree reads delimited text, in one place for every
 * reader (the loader, predict's streaming reader): which delimiter a file
 * uses, how a line is split, what its header record is, the names the
 * columns get, which cells are missing-value tokens, and which bytes make
 * a file unreadable (NUL anywhere, lines ending in a lone CR).
 *
 * Errors are reported in file order: the first line that is wrong names
 * itself, whatever kind of error it holds and whichever reader met it. */
#ifndef FT_CSV_DIALECT_H
#define FT_CSV_DIALECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct csv_parser;

#define CSV_QUOTE '"'
/* More columns than this is not a table (a 1 GB line of commas would
 * otherwise cost a name per field before any error). */
#define CSV_MAX_COLUMNS 1000000u
/* A header name longer than this is data read as a header. */
#define CSV_MAX_NAME (1u << 20)

#define CSV_NUL_MESSAGE "NUL byte in the data (a binary file?)"
#define CSV_LONE_CR_MESSAGE "lines end in a lone carriage return (CR); " \
	"convert them to newlines, e.g. tr '\\r' '\\n'"
#define CSV_HEADER_ONLY_MESSAGE "header only, no data rows"
#define CSV_UNTERMINATED_MESSAGE "unterminated quoted field (the quote opens on this line)"

/* The message for a record of `found` fields where the header has `want`. */
void csv_fields_message(char *buf, size_t size, size_t want, size_t found);

/* A --delimiter value a reader accepts (not a quote or a line end). */
bool csv_delimiter_valid(char d);

/* The delimiter among , ; TAB | : the one seen most in the header that
 * every sampled record repeats as often, failing that the most seen in the
 * header. Looks at up to 1000 records in the first CSV_DETECT_BYTES of
 * [p, end); avg_record (may be NULL) gets their average length. */
#define CSV_DETECT_BYTES (4u << 20)
char csv_detect_delimiter(const char *p, const char *end, size_t *avg_record);

/* Length of a UTF-8 byte order mark at p (0 or 3). */
size_t csv_bom(const char *p, size_t n);

/* libcsv set up for the dialect: strict end, blanks kept (pandas keeps
 * them in text, numbers tolerate them). 0, or -1 out of memory. */
int csv_parser_init(struct csv_parser *p, char delim);

/* Quotes in [p, end). */
size_t csv_count_quotes(const char *p, const char *end);

/* 1 + the newlines in [data, data + off). */
size_t csv_line_of_offset(const char *data, size_t off);

/* Whether the text from p (the start of a record, on `line`) to end leaves
 * a quoted field open, and the line that field's quote is on. */
bool csv_open_quote(const char *p, const char *end, char delim, size_t line, size_t *qline);

/* The same, fed in pieces (for a reader that does not keep the text):
 * start at a record's start, feed what follows in order, ask at the end. */
struct csv_quote_scan {
	int state;
	size_t line, qline;
};
void csv_quote_start(struct csv_quote_scan *q, size_t line);
void csv_quote_feed(struct csv_quote_scan *q, const char *p, const char *end, char delim);
bool csv_quote_open(const struct csv_quote_scan *q, size_t *qline);

/* One line split without libcsv, when it can be: a line with no quote and
 * no lone CR splits at every delimiter exactly as libcsv splits it. */
struct csv_line {
	const char *e, *next;       /* end of the text, start of the next line */
	size_t nf;                  /* fields (when not plain: up to the quote) */
	bool newline;               /* ends with a newline */
	bool quote;                 /* not plain because field nf - 1 holds a
	                               quote, and nothing else came before */
};

/* Split the line at p into at most max fields (their starts in fs). False
 * when the line is not plain (a quote, a lone CR, more than max fields):
 * libcsv reads it. A plain line of no bytes (ln->e == p) is blank and is
 * skipped by every reader. */
bool csv_scan_line(const char *p, const char *end, char delim, const char **fs, size_t max,
		   struct csv_line *ln);

/* ---- the header record ---- */

struct csv_header {
	char **raw;                 /* the names as written; NUL-free */
	size_t n;
	size_t line;                /* the line the record starts on */
	size_t end;                 /* offset just after the record's line end */
	size_t next_line;           /* the line number at `end` */
};

#define CSV_HEADER_MORE 1

/* Read the header record of [data + start, data + size). Returns 0; or
 * CSV_HEADER_MORE when the record (or the byte after a CR that ends it)
 * lies beyond size and !eof: call again with more data; or -1 with err set
 * ("PATH:LINE: ..." for a NUL byte, a lone-CR line end, an unterminated
 * quote, too many columns, an empty file). Free with csv_header_free. */
int csv_header_read(const char *path, const char *data, size_t size, size_t start, bool eof,
		    char delim, struct csv_header *h, struct ft_err *err);
void csv_header_free(struct csv_header *h);

/* The names columns are known by (the frame's, the recipe's): an empty
 * name becomes unnamed_N (N the 0-based column), a repeated one gets _1,
 * _2... skipping names already taken. Time proportional to n. probes (may
 * be NULL) gets the hash-table slots examined, for tests of that bound.
 * Caller frees each name and the array. */
char **csv_unique_names(char *const *raw, size_t n, uint64_t *probes);

/* ---- missing-value tokens ---- */

/* pandas' defaults (frame_na_defaults) and the extra tokens, once each,
 * the empty token first. */
struct csv_na {
	const char **text;
	size_t *len;
	size_t n, maxlen;
	uint64_t lens[256];         /* by first byte: bit L set if a token of
	                               length L (63: any longer) starts so */
	uint64_t last[256];         /* the same by last byte */
	bool typed;                 /* some token reads as a number or a date:
	                               cells are then looked up before parsing */
};

void csv_na_init(struct csv_na *s, const char *const *extra, size_t nextra);
void csv_na_free(struct csv_na *s);

/* Index of the token equal to the cell, or -1. The empty token is 0. */
static inline int csv_na_lookup(const struct csv_na *s, const char *p, size_t len)
{
	if (len == 0)
		return 0;
	unsigned bit = len < 63 ? (unsigned)len : 63;
	if (len > s->maxlen ||
	    !((s->lens[(unsigned char)p[0]] & s->last[(unsigned char)p[len - 1]]) >> bit & 1))
		return -1;
	for (size_t i = 1; i < s->n; i++)
		if (s->len[i] == len && !__builtin_memcmp(s->text[i], p, len))
			return (int)i;
	return -1;
}

#endif
