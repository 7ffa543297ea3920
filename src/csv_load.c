/* csv_load: a delimited text file into a frame, in parallel.
 *
 * How: the file is mapped; the header record is read with libcsv; the data
 * part is cut into one or two chunks per thread; each chunk is parsed on a
 * worker thread into per-chunk typed buffers (a double per cell while a
 * column looks numeric or like a date, a dictionary code once it holds
 * text); then each column's type is decided over the whole file, chunks
 * whose cells were typed for a column that turned out to be text are parsed
 * again for that column, and the chunks are joined column by column, each
 * column's statistics computed as soon as it is whole.
 *
 * Lines without a quote or a stray CR are split directly (the same result
 * libcsv gives for them, found with memchr); every other line goes through
 * the chunk's libcsv parser. Where a chunk starts is a guess: first just
 * after a newline, then after a newline with an even count of quotes before
 * it (counted in parallel), then the whole file as one chunk. A guess is
 * wrong exactly when the chunk before it does not end between records (its
 * parser, which started right, says so), so the result never depends on it.
 *
 * Invariants: no cell keeps a pointer into the file; every error names the
 * file and the line a record starts on; every path out frees what it made.
 *
 * Why one file: the chunk, reparse and join stages share the loader's
 * private state (struct loader); apart they would need it in a header.
 */
#include "config.h"
#include "csv_load.h"
#include "csv_dialect.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define QUOTE CSV_QUOTE
#define WIDE_DIGITS 15          /* more integer digits than a double holds exactly */
#define PROGRESS_STEP (1u << 20)
#define MIN_CHUNK (1u << 20)
#define PENDING_MAX 256
#define PREFETCH_AHEAD 12

/* libcsv's parser state between records (ROW_NOT_BEGUN in libcsv 3). */
#define CSV_STATE_BETWEEN_ROWS 0

/* ---- buffers ----
 * Large working buffers are mapped directly: they grow without copying
 * (mremap) and go back to the system the moment they are freed, where
 * malloc would keep them in its arenas and raise the peak resident size. */

#define BIG_BUFFER (256u << 10)

static void *map_anon(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Out of memory: xmalloc's failure path runs the front end's hook. */
	return p == MAP_FAILED ? xmalloc(SIZE_MAX) : p;
}

#define HUGE_PAGE (2u << 20)

/* A mapping of n bytes that starts on a 2 MB boundary, its whole 2 MB
 * pages asked to be huge: a chunk's column buffer is written from its
 * start on, so one fault per 2 MB instead of 512 costs no memory but
 * the unwritten rest of the last huge page touched. */
static void *map_huge(size_t n)
{
#ifdef MADV_HUGEPAGE
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (n + page - 1) / page * page, span = len + HUGE_PAGE;
	char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return xmalloc(SIZE_MAX);
	char *a = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (p + span > a + len)
		munmap(a + len, (size_t)(p + span - (a + len)));
	madvise(a, n & ~(size_t)(HUGE_PAGE - 1), MADV_HUGEPAGE);
	return a;
#else
	return map_anon(n);
#endif
}

/* Resize a buffer of `old` bytes (0: new) to `n` bytes. */
static void *buf_resize(void *p, size_t old, size_t n)
{
	if (n < BIG_BUFFER && old < BIG_BUFFER)
		return xrealloc(p, n);
	if (old < BIG_BUFFER) {
		void *q = n >= HUGE_PAGE ? map_huge(n) : map_anon(n);
		if (old)
			memcpy(q, p, old < n ? old : n);
		free(p);
		return q;
	}
	void *q = mremap(p, old, n < BIG_BUFFER ? BIG_BUFFER : n, MREMAP_MAYMOVE);
	return q == MAP_FAILED ? xmalloc(SIZE_MAX) : q;
}

static void buf_free(void *p, size_t size)
{
	if (!p)
		return;
	if (size < BIG_BUFFER)
		free(p);
	else
		munmap(p, size);
}

/* A zeroed buffer of n bytes. Big hash tables are probed at random, so
 * they ask for huge pages (fewer TLB misses, the main cost of a probe). */
static void *buf_zero(size_t n)
{
	if (n < BIG_BUFFER)
		return xcalloc(1, n);
	void *p = map_anon(n);
#ifdef MADV_HUGEPAGE
	if (n >= (2u << 20))
		madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

/* ---- string dictionary (open addressing, codes in first-seen order) ----
 * Canonical decimal integers (no sign, blank or leading zero, at most 19
 * digits) are kept by value in a table of their own, and their text is
 * written back only when the levels are made: long ID columns then cost
 * one probe per cell and no copy of the text. Such a string never equals
 * a string of the other kind, so the two tables never disagree. */

struct dict {
	uint64_t *slots;            /* high 32 bits of the hash | code + 1; 0 empty */
	uint32_t mask, n, cap;
	struct dict_entry {
		uint64_t off;       /* into arena, or the value when by_value */
		uint32_t len;
		bool by_value;
	} *ent;                     /* per code */
	char *arena;
	size_t alen, acap;
	struct islot {
		uint64_t key;
		uint32_t code;      /* code + 1; 0 empty */
	} *islots;
	uint32_t imask, in;
	uint32_t last;              /* code + 1 of the last text put_text met */
};

#define TAG(h) ((h) & UINT64_C(0xffffffff00000000))

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0x9E3779B97F4A7C15) ^ (n * UINT64_C(0xff51afd7ed558ccd));
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * UINT64_C(0xbf58476d1ce4e5b9);
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	/* The last 0-7 bytes with fixed-size loads (a variable-length copy
	 * would be a library call per cell). */
	uint64_t w = 0;
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (n > 0) {
		w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n >> 1] << 8 |
		    (unsigned char)s[n - 1];
	}
	h = (h ^ w) * UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 32;
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

static void dict_free(struct dict *d)
{
	if (d->slots)
		buf_free(d->slots, ((size_t)d->mask + 1) * sizeof *d->slots);
	if (d->islots)
		buf_free(d->islots, ((size_t)d->imask + 1) * sizeof *d->islots);
	buf_free(d->ent, (size_t)d->cap * sizeof *d->ent);
	buf_free(d->arena, d->acap);
	memset(d, 0, sizeof *d);
}

static void dict_grow_slots(struct dict *d)
{
	uint32_t nslots = d->slots ? (d->mask + 1) * 2 : 64;
	if (d->slots)
		buf_free(d->slots, ((size_t)d->mask + 1) * sizeof *d->slots);
	d->slots = buf_zero((size_t)nslots * sizeof *d->slots);
	d->mask = nslots - 1;
	for (uint32_t c = 0; c < d->n; c++) {
		if (d->ent[c].by_value)
			continue;
		uint64_t h = hash_bytes(d->arena + d->ent[c].off, d->ent[c].len);
		uint32_t i = (uint32_t)h & d->mask;
		while (d->slots[i])
			i = (i + 1) & d->mask;
		d->slots[i] = TAG(h) | (c + 1);
	}
}

static void dict_grow_islots(struct dict *d)
{
	uint32_t nslots = d->islots ? (d->imask + 1) * 2 : 64;
	struct islot *old = d->islots;
	uint32_t oldn = d->islots ? d->imask + 1 : 0;
	d->islots = buf_zero((size_t)nslots * sizeof *d->islots);
	d->imask = nslots - 1;
	for (uint32_t j = 0; j < oldn; j++) {
		if (!old[j].code)
			continue;
		uint32_t i = (uint32_t)mix64(old[j].key) & d->imask;
		while (d->islots[i].code)
			i = (i + 1) & d->imask;
		d->islots[i] = old[j];
	}
	if (old)
		buf_free(old, (size_t)oldn * sizeof *old);
}

/* A new code (the caller has made sure the value is new). */
static uint32_t dict_append(struct dict *d)
{
	uint32_t c = d->n++;
	if (d->n > d->cap) {
		size_t old = d->cap;
		d->cap = d->cap ? d->cap * 2 : 16;
		d->ent = buf_resize(d->ent, old * sizeof *d->ent, (size_t)d->cap * sizeof *d->ent);
	}
	return c;
}

/* Code of the string, adding it if new (h = hash_bytes(s, len)). */
static uint32_t dict_intern(struct dict *d, const char *s, size_t len, uint64_t h)
{
	if (!d->slots)
		dict_grow_slots(d);
	uint32_t i = (uint32_t)h & d->mask;
	uint64_t tag = TAG(h);
	for (;;) {
		uint64_t e = d->slots[i];
		if (!e)
			break;
		if (TAG(e) == tag) {
			uint32_t c = (uint32_t)e - 1;
			if (d->ent[c].len == len &&
			    (len == 0 || !memcmp(d->arena + d->ent[c].off, s, len)))
				return c;
		}
		i = (i + 1) & d->mask;
	}
	uint32_t c = dict_append(d);
	if (d->alen + len > d->acap) {
		size_t cap = d->acap ? d->acap : 256;
		while (cap < d->alen + len)
			cap *= 2;
		d->arena = buf_resize(d->arena, d->acap, cap);
		d->acap = cap;
	}
	if (len)   /* the arena is still NULL when only empty strings were seen */
		memcpy(d->arena + d->alen, s, len);
	d->ent[c].off = d->alen;
	d->ent[c].len = (uint32_t)len;
	d->ent[c].by_value = false;
	d->alen += len;
	d->slots[i] = tag | (c + 1);
	if ((uint64_t)d->n * 2 > (uint64_t)(d->mask + 1))
		dict_grow_slots(d);
	return c;
}

static uint32_t dict_intern_value(struct dict *d, uint64_t v, uint32_t digits)
{
	if (!d->islots)
		dict_grow_islots(d);
	uint32_t i = (uint32_t)mix64(v) & d->imask;
	while (d->islots[i].code) {
		if (d->islots[i].key == v)
			return d->islots[i].code - 1;
		i = (i + 1) & d->imask;
	}
	uint32_t c = dict_append(d);
	d->ent[c].off = v;
	d->ent[c].len = digits;
	d->ent[c].by_value = true;
	d->islots[i].key = v;
	d->islots[i].code = c + 1;
	if ((uint64_t)++d->in * 10 > (uint64_t)(d->imask + 1) * 7)
		dict_grow_islots(d);
	return c;
}

/* Value of 8 decimal digits at s, or false: all 8 bytes checked and
 * converted at once (little-endian byte order: s[0] is the low byte). */
static bool eight_digits(const char *s, uint64_t *v)
{
	uint64_t x;
	memcpy(&x, s, 8);
	/* a digit is 0x30..0x39: high nibble 3, and still 3 after adding 6 */
	if ((x & UINT64_C(0xF0F0F0F0F0F0F0F0)) != UINT64_C(0x3030303030303030) ||
	    ((x + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) !=
		    UINT64_C(0x3030303030303030))
		return false;
	x -= UINT64_C(0x3030303030303030);
	x = (x * 10 + (x >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
	x = (x * 100 + (x >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
	*v = (x * 10000 + (x >> 32)) & UINT64_C(0xFFFFFFFF);
	return true;
}

/* Value of a canonical decimal integer, or false. */
static bool canonical_integer(const char *s, size_t len, uint64_t *v)
{
	if (len == 0 || len > 19 || (s[0] == '0' && len > 1))
		return false;
	uint64_t x = 0;
	size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* ID and card numbers: 8 digits a step */
	for (uint64_t part; i + 8 <= len; i += 8) {
		if (!eight_digits(s + i, &part))
			return false;
		x = x * 100000000 + part;
	}
#endif
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

/* Code c of one dictionary in another. */
static uint32_t dict_move(struct dict *to, const struct dict *from, uint32_t c)
{
	const struct dict_entry *e = &from->ent[c];
	if (e->by_value)
		return dict_intern_value(to, e->off, e->len);
	const char *s = from->arena + e->off;
	return dict_intern(to, s, e->len, hash_bytes(s, e->len));
}

/* The texts of all codes in one allocation (*block, *size; caller frees
 * it, levels point into it): one allocation instead of one per level,
 * which for an ID column is most of the cost of making its levels. */
static void dict_texts(const struct dict *d, char **levels, char **block, size_t *size)
{
	size_t total = 0;
	for (uint32_t c = 0; c < d->n; c++)
		total += (size_t)d->ent[c].len + 1;
	char *p = xmalloc(total ? total : 1);
	*block = p;
	*size = total;
	for (uint32_t c = 0; c < d->n; c++) {
		const struct dict_entry *e = &d->ent[c];
		levels[c] = p;
		if (e->by_value) {
			/* by_value entries are canonical: len is their digit count */
			uint64_t v = e->off;
			for (size_t i = e->len; i-- > 0; v /= 10)
				p[i] = (char)('0' + v % 10);
		} else if (e->len) {
			memcpy(p, d->arena + e->off, e->len);
		}
		p[e->len] = '\0';
		p += e->len + 1;
	}
}

/* ---- per-chunk column buffers ---- */

enum cmode {
	M_UNSET,    /* only missing cells so far */
	M_NUM,
	M_ISO,      /* epoch seconds */
	M_SLASH,    /* packed slash date, order not yet known */
	M_TEXT,     /* dictionary codes */
	M_DEAD      /* text after typed cells: parsed again as text later */
};

struct ccol {
	uint8_t mode;
	bool wide, slash_dmy, slash_mdy;
	double *vals;
	uint32_t *codes;
	size_t vals_cap, codes_cap;  /* in cells */
	struct dict dict;
	size_t *na;                 /* per NA token, allocated on first use */
	struct pending {
		uint64_t v;
		uint32_t row, digits;
	} *pend;                    /* integers not yet in dict (see put_text) */
	uint32_t npend;
};

struct loader;

struct chunk {
	struct loader *L;
	const char *begin, *end;
	bool last;
	size_t nrows, cap, row;     /* rows stored, capacity, row being parsed */
	uint32_t *row_line;         /* line of each row, relative to the chunk */
	size_t line;                /* current line, relative (0 = first) */
	size_t nlines;              /* newlines in the chunk */
	size_t rec_line;            /* relative line the current record began on */
	const char *rec_start;
	size_t field;
	struct ccol *cols;
	struct csv_parser parser;
	bool parser_ready;
	bool reparse;               /* second pass: only text_mask columns, as text */
	bool *text_mask;
	const char **fs;            /* field starts of the line being split */
	/* outcome */
	bool failed, open_record;
	size_t err_line;            /* relative */
	char err_msg[256];
};

struct loader {
	const char *path;
	const char *data;
	size_t size;
	char delim;
	size_t ncols;
	struct csv_na na;
	size_t est_record;          /* average record length in the sample */
	struct chunk *chunks;
	size_t nchunks;
	atomic_size_t next;
	atomic_uint_least64_t done;
	atomic_int stop;
	const struct ft_progress *progress;
	int threads;
	bool second_pass;           /* only chunks marked reparse are visited */
	bool mapped;                /* data is a file mapping (pages can be dropped) */
};

static void ccol_free_vals(struct ccol *cc)
{
	buf_free(cc->vals, cc->vals_cap * sizeof *cc->vals);
	cc->vals = NULL;
	cc->vals_cap = 0;
}

static void ccol_set_codes(struct ccol *cc, size_t cap)
{
	cc->codes = buf_resize(cc->codes, cc->codes_cap * sizeof *cc->codes, cap * sizeof *cc->codes);
	cc->codes_cap = cap;
}

static void ccol_free(struct ccol *cc)
{
	ccol_free_vals(cc);
	buf_free(cc->codes, cc->codes_cap * sizeof *cc->codes);
	cc->codes = NULL;
	cc->codes_cap = 0;
	free(cc->na);
	cc->na = NULL;
	free(cc->pend);
	cc->pend = NULL;
	cc->npend = 0;
	dict_free(&cc->dict);
}

static void chunk_fail(struct chunk *ch, size_t rel_line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void chunk_fail(struct chunk *ch, size_t rel_line, const char *fmt, ...)
{
	if (ch->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ch->err_msg, sizeof ch->err_msg, fmt, ap);
	va_end(ap);
	ch->failed = true;
	ch->err_line = rel_line;
}

static void chunk_grow(struct chunk *ch)
{
	size_t cap = ch->cap ? ch->cap * 2 : 64;
	if (!ch->cap) {
		size_t est = (size_t)(ch->end - ch->begin) / (ch->L->est_record ? ch->L->est_record : 1);
		cap = est + est / 4 + 16;
	}
	ch->row_line = buf_resize(ch->row_line, ch->cap * sizeof *ch->row_line, cap * sizeof *ch->row_line);
	for (size_t c = 0; c < ch->L->ncols; c++) {
		struct ccol *cc = &ch->cols[c];
		if (cc->mode == M_TEXT) {
			ccol_set_codes(cc, cap);
		} else if (cc->mode != M_DEAD) {
			cc->vals = buf_resize(cc->vals, cc->vals_cap * sizeof *cc->vals, cap * sizeof *cc->vals);
			cc->vals_cap = cap;
		}
	}
	ch->cap = cap;
}

static bool is_wide_integer(const char *s, size_t len)
{
	double v;
	bool integer;
	int digits;
	return len > WIDE_DIGITS && parse_number_ex(s, len, &v, &integer, &digits) &&
	       integer && digits > WIDE_DIGITS;
}

/* Integers wait in a short queue so that their table slots can be
 * prefetched a few cells ahead: an ID column's table is far larger than
 * the caches and each probe would otherwise stall. The queue is emptied
 * before any other string is added, so codes keep first-seen order. */
static void flush_pending(struct ccol *cc)
{
	struct dict *d = &cc->dict;
	if (!cc->npend)
		return;
	if (!d->islots)
		dict_grow_islots(d);
	for (uint32_t i = 0; i < cc->npend; i++) {
		if (i + PREFETCH_AHEAD < cc->npend)
			__builtin_prefetch(&d->islots[(uint32_t)mix64(cc->pend[i + PREFETCH_AHEAD].v) & d->imask]);
		cc->codes[cc->pend[i].row] = dict_intern_value(d, cc->pend[i].v, cc->pend[i].digits);
	}
	cc->npend = 0;
}

static void put_text(struct ccol *cc, size_t row, const char *s, size_t len)
{
	if (!cc->wide && is_wide_integer(s, len))
		cc->wide = true;
	uint64_t v;
	if (canonical_integer(s, len, &v)) {
		if (!cc->pend)
			cc->pend = xmalloc(PENDING_MAX * sizeof *cc->pend);
		cc->pend[cc->npend].row = (uint32_t)row;
		cc->pend[cc->npend].digits = (uint32_t)len;
		cc->pend[cc->npend++].v = v;
		if (cc->npend == PENDING_MAX)
			flush_pending(cc);
		return;
	}
	/* Text columns repeat themselves from row to row (a product code, a
	 * card type): the previous text is tried before hashing. */
	struct dict *d = &cc->dict;
	if (d->last) {
		const struct dict_entry *e = &d->ent[d->last - 1];
		if (e->len == len && (len == 0 || !memcmp(d->arena + e->off, s, len))) {
			cc->codes[row] = d->last - 1;
			return;
		}
	}
	flush_pending(cc);
	cc->codes[row] = dict_intern(d, s, len, hash_bytes(s, len));
	d->last = cc->codes[row] + 1;
}

static void flush_chunk(struct chunk *ch)
{
	for (size_t c = 0; c < ch->L->ncols; c++)
		flush_pending(&ch->cols[c]);
}

/* The column holds text in this chunk: keep codes from here on when only
 * missing cells came before, else give up on the chunk (parsed again). */
static void to_text(struct chunk *ch, struct ccol *cc, size_t row, bool had_values)
{
	ccol_free_vals(cc);
	if (had_values) {
		cc->mode = M_DEAD;
		return;
	}
	cc->mode = M_TEXT;
	ccol_set_codes(cc, ch->cap);
	for (size_t i = 0; i < row; i++)
		cc->codes[i] = FRAME_NA_CODE;
}

static void put_na(struct chunk *ch, struct ccol *cc, size_t row, int na)
{
	if (!cc->na)
		cc->na = xcalloc(ch->L->na.n, sizeof *cc->na);
	cc->na[na]++;
	if (cc->mode == M_TEXT)
		cc->codes[row] = FRAME_NA_CODE;
	else
		cc->vals[row] = NAN;
}

/* What a cell reads as: M_NUM, M_ISO or M_SLASH with its value (a slash
 * date packed, its order not known yet), or M_TEXT. The three shapes
 * exclude one another, so trying first the one the column has shown so
 * far gives the same answer in the fewest steps. */
static enum cmode read_cell(uint8_t hint, const char *s, size_t len, double *v,
			    struct slash_date *sd, bool *wide)
{
	bool integer;
	int digits;
	if (hint == M_ISO && parse_datetime(s, len, DATE_ISO, v))
		return M_ISO;
	if (parse_number_ex(s, len, v, &integer, &digits)) {
		if (integer && digits > WIDE_DIGITS) {
			*wide = true;
			return M_TEXT;
		}
		return M_NUM;
	}
	if (hint != M_ISO && parse_datetime(s, len, DATE_ISO, v))
		return M_ISO;
	if (parse_slash_date(s, len, sd)) {
		*v = (((double)sd->a * 32 + sd->b) * 10000 + sd->year) * 86400 + sd->sod;
		return M_SLASH;
	}
	return M_TEXT;
}

static void put_field(struct chunk *ch, size_t col, const char *s, size_t len)
{
	struct loader *L = ch->L;
	struct ccol *cc = &ch->cols[col];
	size_t row = ch->row;
	int na;
	if (ch->reparse) {
		if (!ch->text_mask[col])
			return;
		if (csv_na_lookup(&L->na, s, len) >= 0)
			cc->codes[row] = FRAME_NA_CODE;
		else
			put_text(cc, row, s, len);
		return;
	}
	if (cc->mode == M_DEAD) {
		if (!cc->wide && is_wide_integer(s, len))
			cc->wide = true;
		return;
	}
	if (cc->mode == M_TEXT) {
		if ((na = csv_na_lookup(&L->na, s, len)) >= 0)
			put_na(ch, cc, row, na);
		else
			put_text(cc, row, s, len);
		return;
	}
	if (len == 0 || (L->na.typed && (na = csv_na_lookup(&L->na, s, len)) >= 0)) {
		put_na(ch, cc, row, len == 0 ? 0 : na);
		return;
	}
	double v;
	struct slash_date sd;
	enum cmode m = read_cell(cc->mode, s, len, &v, &sd, &cc->wide);
	/* No missing-value token reads as a number or a date (else they were
	 * looked up above): only text can be one. */
	if (m == M_TEXT && !L->na.typed && (na = csv_na_lookup(&L->na, s, len)) >= 0) {
		put_na(ch, cc, row, na);
		return;
	}
	bool had = cc->mode != M_UNSET;
	if (m != M_TEXT && (!had || cc->mode == m)) {
		cc->mode = (uint8_t)m;
		cc->vals[row] = v;
		if (m == M_SLASH) {
			cc->slash_dmy |= sd.a > 12;
			cc->slash_mdy |= sd.b > 12;
		}
		return;
	}
	to_text(ch, cc, row, had);
	if (cc->mode == M_TEXT)
		put_text(cc, row, s, len);
}

static void start_field(struct chunk *ch, const char *s, size_t len)
{
	if (ch->field == 0 && !ch->reparse && ch->row == ch->cap)
		chunk_grow(ch);
	if (ch->field < ch->L->ncols)
		put_field(ch, ch->field, s, len);
	ch->field++;
}

static void end_record(struct chunk *ch)
{
	if (ch->field != ch->L->ncols) {
		char msg[80];
		csv_fields_message(msg, sizeof msg, ch->L->ncols, ch->field);
		chunk_fail(ch, ch->rec_line, "%s", msg);
	} else if (!ch->reparse) {
		ch->row_line[ch->row] = (uint32_t)ch->rec_line;
		ch->nrows++;
	}
	ch->row++;
	ch->field = 0;
}

static void cb_field(void *s, size_t len, void *data)
{
	struct chunk *ch = data;
	if (!ch->failed)
		start_field(ch, len ? s : "", len);
}

static void cb_record(int c, void *data)
{
	struct chunk *ch = data;
	if (!ch->failed)
		end_record(ch);
	/* After a lone CR the next record starts on the same line. */
	ch->rec_line = ch->line;
}

/* Parsed text is not needed until a possible second pass (which maps it
 * back in from the page cache): dropping it keeps the resident set near
 * the size of the typed columns. */
static void drop_pages(const struct chunk *ch, const char *upto)
{
	if (!ch->L->mapped)
		return;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)ch->begin + page - 1) & ~(page - 1);
	uintptr_t to = (uintptr_t)upto & ~(page - 1);
	if (to > from)
		madvise((void *)from, to - from, MADV_DONTNEED);
}

static void report_progress(struct chunk *ch, size_t bytes)
{
	struct loader *L = ch->L;
	if (ch->reparse)
		return;
	uint64_t done = atomic_fetch_add(&L->done, bytes) + bytes;
	ft_progress_report(L->progress, "load", done, L->size);
	if (ft_cancelled(L->progress))
		atomic_store(&L->stop, 1);
}

/* A line scan_line stopped on a quote in field nf - 1: the fields before
 * it are stored here and libcsv reads on from the start of that field. It
 * reads a field start after a delimiter exactly as it reads one at the
 * start of a record (only a CR or LF there would differ, and the scan
 * stops on those first), so the record comes out as libcsv alone makes
 * it. Returns where libcsv is to start. */
static const char *put_prefix(struct chunk *ch, const struct csv_line *ln)
{
	const char *const *fs = ch->fs;
	if (!ch->reparse && ch->row == ch->cap)
		chunk_grow(ch);
	for (size_t i = 0; i + 1 < ln->nf; i++)
		put_field(ch, i, fs[i], (size_t)(fs[i + 1] - 1 - fs[i]));
	ch->field = ln->nf - 1;
	return fs[ln->nf - 1];
}

/* Store a line split by scan_line (not empty). */
static void put_line(struct chunk *ch, const struct csv_line *ln)
{
	const char *const *fs = ch->fs;
	ch->rec_line = ch->line;
	if (!ch->reparse && ch->row == ch->cap)
		chunk_grow(ch);
	size_t n = ln->nf, row = ch->row;
	bool plain = !ch->reparse && !ch->L->na.typed;
	for (size_t i = 0; i < n; i++) {
		const char *s = fs[i];
		size_t len = (size_t)((i + 1 < n ? fs[i + 1] - 1 : ln->e) - s);
		/* The usual cell, a number in a numeric column, without the
		 * general bookkeeping (put_field decides everything else; no
		 * missing-value token is a number when plain). */
		struct ccol *cc = &ch->cols[i];
		if (plain && cc->mode == M_NUM && len) {
			double v;
			bool integer;
			int digits;
			if (parse_number_ex(s, len, &v, &integer, &digits) &&
			    !(integer && digits > WIDE_DIGITS)) {
				cc->vals[row] = v;
				continue;
			}
		}
		put_field(ch, i, s, len);
	}
	ch->field = n;
	end_record(ch);
}

static void parse_chunk(struct chunk *ch)
{
	struct loader *L = ch->L;
	const char *p = ch->begin, *end = ch->end, *reported = p;
	ch->row = 0;
	ch->field = 0;
	ch->line = 0;
	if (csv_parser_init(&ch->parser, L->delim) != 0) {
		chunk_fail(ch, 0, "out of memory");
		return;
	}
	ch->parser_ready = true;
	if (!ch->fs)
		ch->fs = xmalloc(L->ncols * sizeof *ch->fs);
	/* NUL bytes are looked for a step ahead and reported when the line
	 * holding one is reached: errors come in file order. */
	const char *checked = p, *nul = NULL;
	while (p < end && !ch->failed) {
		if (!nul && p >= checked) {
			size_t n = (size_t)(end - p) < PROGRESS_STEP ? (size_t)(end - p) : PROGRESS_STEP;
			nul = memchr(p, '\0', n);
			checked = p + n;
		}
		if ((size_t)(p - reported) >= PROGRESS_STEP) {
			report_progress(ch, (size_t)(p - reported));
			reported = p;
			drop_pages(ch, p);
			if (atomic_load_explicit(&L->stop, memory_order_relaxed))
				return;
		}
		bool between = ch->parser.pstate == CSV_STATE_BETWEEN_ROWS;
		struct csv_line ln;
		if (between && csv_scan_line(p, end, L->delim, ch->fs, L->ncols, &ln)) {
			if (nul && nul < ln.next) {
				chunk_fail(ch, ch->line, CSV_NUL_MESSAGE);
				return;
			}
			if (ln.e > p)
				put_line(ch, &ln);
			ch->line += ln.newline;
			p = ln.next;
			continue;
		}
		const char *from = p;
		if (between) {
			ch->rec_line = ch->line;
			ch->rec_start = p;
			if (ln.quote && ln.nf > 1)
				from = put_prefix(ch, &ln);
		}
		const char *nl = memchr(from, '\n', (size_t)(end - from));
		const char *next = nl ? nl + 1 : end;
		if (nul && nul < next) {
			chunk_fail(ch, ch->line, CSV_NUL_MESSAGE);
			return;
		}
		/* Long lines go in slices so cancellation stays quick. */
		for (const char *s = from; s < next && !ch->failed;) {
			size_t n = (size_t)(next - s) < PROGRESS_STEP ? (size_t)(next - s) : PROGRESS_STEP;
			if (csv_parse(&ch->parser, s, n, cb_field, cb_record, ch) != n) {
				chunk_fail(ch, ch->rec_line, "%s", csv_strerror(csv_error(&ch->parser)));
				break;
			}
			s += n;
			if (n == PROGRESS_STEP && ft_cancelled(L->progress)) {
				atomic_store(&L->stop, 1);
				return;
			}
		}
		if (nl)
			ch->line++;
		p = next;
	}
	report_progress(ch, (size_t)(p - reported));
	if (ch->failed)
		return;
	drop_pages(ch, ch->last ? ch->end + sysconf(_SC_PAGESIZE) - 1 : ch->end);
	ch->nlines = ch->line;
	if (ch->parser.pstate != CSV_STATE_BETWEEN_ROWS) {
		if (!ch->last) {
			ch->open_record = true;
			return;
		}
		size_t qline;
		if (csv_open_quote(ch->rec_start, end, L->delim, ch->rec_line, &qline))
			chunk_fail(ch, qline, CSV_UNTERMINATED_MESSAGE);
		else
			csv_fini(&ch->parser, cb_field, cb_record, ch);
	}
	flush_chunk(ch);
}

/* The second pass over a chunk: the same lines, the same split, only the
 * columns in text_mask stored (as text). Pass one succeeded on this text,
 * so no error can arise here. */
static void reparse_chunk(struct chunk *ch)
{
	struct loader *L = ch->L;
	ch->field = ch->row = ch->line = 0;
	if (csv_parser_init(&ch->parser, L->delim) != 0) {
		chunk_fail(ch, 0, "out of memory");
		return;
	}
	ch->parser_ready = true;
	if (!ch->fs)
		ch->fs = xmalloc(L->ncols * sizeof *ch->fs);
	const char *p = ch->begin, *stepped = p;
	while (p < ch->end) {
		if ((size_t)(p - stepped) >= PROGRESS_STEP) {
			stepped = p;
			if (ft_cancelled(L->progress)) {
				atomic_store(&L->stop, 1);
				return;
			}
		}
		struct csv_line ln;
		const char *from = p;
		if (ch->parser.pstate == CSV_STATE_BETWEEN_ROWS) {
			if (csv_scan_line(p, ch->end, L->delim, ch->fs, L->ncols, &ln)) {
				if (ln.e > p)
					put_line(ch, &ln);
				p = ln.next;
				continue;
			}
			if (ln.quote && ln.nf > 1)
				from = put_prefix(ch, &ln);
		}
		const char *nl = memchr(from, '\n', (size_t)(ch->end - from));
		const char *next = nl ? nl + 1 : ch->end;
		csv_parse(&ch->parser, from, (size_t)(next - from), cb_field, cb_record, ch);
		p = next;
	}
	csv_fini(&ch->parser, cb_field, cb_record, ch);
	flush_chunk(ch);
}

static void *chunk_worker(void *arg)
{
	struct loader *L = arg;
	for (;;) {
		if (atomic_load(&L->stop))
			break;
		size_t k = atomic_fetch_add(&L->next, 1);
		if (k >= L->nchunks)
			break;
		struct chunk *ch = &L->chunks[k];
		if (L->second_pass && ch->reparse)
			reparse_chunk(ch);
		else if (!L->second_pass)
			parse_chunk(ch);
		if (ch->parser_ready) {
			csv_free(&ch->parser);
			ch->parser_ready = false;
		}
	}
	return NULL;
}

/* How many workers share a queue of n items: `threads` (at least one, at
 * most FT_THREADS_MAX), never more than there are items. */
static size_t workers(int threads, size_t n)
{
	size_t w = threads < 1 ? 1 : threads > FT_THREADS_MAX ? FT_THREADS_MAX : (size_t)threads;
	return n == 0 ? 1 : w > n ? n : w;
}

/* Run chunk_worker over all chunks on L->threads threads. */
static void run_workers(struct loader *L)
{
	atomic_store(&L->next, 0);
	ft_parallel(chunk_worker, L, 0, workers(L->threads, L->nchunks));
}

static void free_chunks(struct loader *L)
{
	for (size_t k = 0; k < L->nchunks; k++) {
		struct chunk *ch = &L->chunks[k];
		if (ch->cols)
			for (size_t c = 0; c < L->ncols; c++)
				ccol_free(&ch->cols[c]);
		free(ch->cols);
		buf_free(ch->row_line, ch->cap * sizeof *ch->row_line);
		free(ch->text_mask);
		free(ch->fs);
		if (ch->parser_ready)
			csv_free(&ch->parser);
	}
	free(L->chunks);
	L->chunks = NULL;
	L->nchunks = 0;
}

/* ---- the header and the shape of the file ---- */

/* ---- deciding types and joining chunks ---- */

struct colplan {
	enum col_type type;
	enum date_order order;
	bool wide;
};

static double slash_unpacked_epoch(double packed, enum date_order order, bool *ok)
{
	int64_t p = (int64_t)packed;
	struct slash_date d;
	d.sod = (int)(p % 86400);
	p /= 86400;
	d.year = (int)(p % 10000);
	p /= 10000;
	d.b = (int)(p % 32);
	d.a = (int)(p / 32);
	double t = NAN;
	*ok = slash_date_epoch(&d, order, &t);
	return t;
}

/* Decide each column's type over the whole file. */
static void plan_columns(struct loader *L, struct colplan *plan)
{
	for (size_t c = 0; c < L->ncols; c++) {
		int mode = M_UNSET;
		bool text = false, dmy = false, mdy = false;
		plan[c].wide = false;
		for (size_t k = 0; k < L->nchunks; k++) {
			struct ccol *cc = &L->chunks[k].cols[c];
			plan[c].wide |= cc->wide;
			dmy |= cc->slash_dmy;
			mdy |= cc->slash_mdy;
			if (cc->mode == M_TEXT || cc->mode == M_DEAD)
				text = true;
			else if (cc->mode != M_UNSET && mode != M_UNSET && cc->mode != mode)
				text = true;
			else if (cc->mode != M_UNSET)
				mode = cc->mode;
		}
		plan[c].order = DATE_ISO;
		if (text || plan[c].wide) {
			plan[c].type = COL_CATEGORICAL;
		} else if (mode == M_ISO) {
			plan[c].type = COL_DATETIME;
		} else if (mode == M_SLASH) {
			/* Only a column that shows its order, and is a calendar date
			 * in that order everywhere, is a datetime. */
			plan[c].type = COL_CATEGORICAL;
			if (dmy != mdy) {
				enum date_order order = dmy ? DATE_DMY : DATE_MDY;
				bool ok = true;
				for (size_t k = 0; k < L->nchunks && ok; k++) {
					struct ccol *cc = &L->chunks[k].cols[c];
					if (cc->mode != M_SLASH)
						continue;
					for (size_t i = 0; i < L->chunks[k].nrows && ok; i++)
						if (!isnan(cc->vals[i]))
							slash_unpacked_epoch(cc->vals[i], order, &ok);
				}
				if (ok) {
					plan[c].type = COL_DATETIME;
					plan[c].order = order;
				}
			}
		} else {
			plan[c].type = COL_NUMERIC;
		}
	}
}

/* Chunks that typed a column which is text overall are parsed again for it. */
static bool plan_reparse(struct loader *L, const struct colplan *plan)
{
	bool any = false;
	for (size_t k = 0; k < L->nchunks; k++) {
		struct chunk *ch = &L->chunks[k];
		ch->reparse = false;
		for (size_t c = 0; c < L->ncols; c++) {
			struct ccol *cc = &ch->cols[c];
			if (plan[c].type != COL_CATEGORICAL || cc->mode == M_TEXT)
				continue;
			ccol_free_vals(cc);
			dict_free(&cc->dict);
			ccol_set_codes(cc, ch->nrows ? ch->nrows : 1);
			if (cc->mode == M_UNSET) {
				for (size_t i = 0; i < ch->nrows; i++)
					cc->codes[i] = FRAME_NA_CODE;
			} else {
				if (!ch->text_mask)
					ch->text_mask = xcalloc(L->ncols, sizeof *ch->text_mask);
				ch->text_mask[c] = true;
				ch->reparse = true;
				any = true;
			}
			cc->mode = M_TEXT;
		}
	}
	return any;
}

struct join_job {
	struct loader *L;
	struct frame *f;
	const struct colplan *plan;
	size_t *order;              /* columns, costliest first */
	atomic_size_t next;
};

static int cmp_na(const void *pa, const void *pb)
{
	const struct na_token *a = pa, *b = pb;
	return a->count != b->count ? (a->count > b->count ? -1 : 1) : 0;
}

/* One chunk's cells of a column, handed to join_pieces. */
struct piece {
	void *buf;
	size_t bytes;               /* of cells */
	size_t cap;                 /* the buffer's size, as buf_free wants it */
};

static size_t page_round(size_t n, size_t page)
{
	return (n + page - 1) / page * page;
}

/* The pieces one after another in a new mapping of `total` bytes; the
 * pieces are consumed. Whole pages of mapped pieces are moved (mremap),
 * not copied: a finished column then costs no freshly zeroed pages, only
 * a shift of each piece by less than a page so that it lands on a page
 * boundary, and a copy of that first partial page. */
static void *join_pieces(struct piece *pc, size_t n, size_t total, bool *mapped_out)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (total < BIG_BUFFER) {
		/* A short column in the heap: a page (and two system calls) per
		 * column would make a wide file cost pages x columns. */
		char *r = xmalloc(total ? total : 1);
		size_t pos = 0;
		for (size_t k = 0; k < n; k++) {
			if (pc[k].bytes)
				memcpy(r + pos, pc[k].buf, pc[k].bytes);
			pos += pc[k].bytes;
			buf_free(pc[k].buf, pc[k].cap);
		}
		*mapped_out = false;
		return r;
	}
	*mapped_out = true;
	char *r = map_anon(page_round(total ? total : 1, page));
	size_t pos = 0;
	for (size_t k = 0; k < n; k++) {
		char *src = pc[k].buf;
		size_t b = pc[k].bytes;
		bool moved = false;
		if (pc[k].cap >= BIG_BUFFER && b >= 2 * page) {
			size_t head = pos % page ? page - pos % page : 0;
			memcpy(r + pos, src, head);
			memmove(src, src + head, b - head);
			size_t whole = page_round(b - head, page), mapped = page_round(pc[k].cap, page);
			if (mremap(src, whole, whole, MREMAP_MAYMOVE | MREMAP_FIXED, r + pos + head) != MAP_FAILED) {
				if (mapped > whole)
					munmap(src + whole, mapped - whole);
				moved = true;
			} else {
				memcpy(r + pos + head, src, b - head);
			}
		} else if (b) {
			memcpy(r + pos, src, b);
		}
		if (!moved)
			buf_free(src, pc[k].cap);
		pos += b;
	}
	return r;
}

static void join_column(struct loader *L, struct frame *f, const struct colplan *plan, size_t c)
{
	struct column *col = &f->cols[c];
	col->type = plan[c].type;
	col->date_order = plan[c].order;
	col->wide_integers = plan[c].wide;
	size_t *na = xcalloc(L->na.n, sizeof *na);
	struct piece *pc = xmalloc(L->nchunks * sizeof *pc);
	if (col->type == COL_CATEGORICAL) {
		struct dict g = { 0 };
		for (size_t k = 0; k < L->nchunks; k++) {
			struct ccol *cc = &L->chunks[k].cols[c];
			uint32_t *map = xmalloc((cc->dict.n ? cc->dict.n : 1) * sizeof *map);
			for (uint32_t i = 0; i < cc->dict.n; i++) {
				/* An ID column's table is far bigger than the caches
				 * (see flush_pending). */
				const struct dict_entry *ahead = &cc->dict.ent[i + PREFETCH_AHEAD < cc->dict.n
									? i + PREFETCH_AHEAD : i];
				if (g.islots && ahead->by_value)
					__builtin_prefetch(&g.islots[(uint32_t)mix64(ahead->off) & g.imask]);
				map[i] = dict_move(&g, &cc->dict, i);
			}
			for (size_t i = 0; i < L->chunks[k].nrows; i++) {
				uint32_t v = cc->codes[i];
				cc->codes[i] = v == FRAME_NA_CODE ? v : map[v];
			}
			free(map);
			pc[k] = (struct piece){ cc->codes, L->chunks[k].nrows * sizeof *cc->codes,
						cc->codes_cap * sizeof *cc->codes };
			cc->codes = NULL;
			cc->codes_cap = 0;
			if (cc->na)
				for (size_t t = 0; t < L->na.n; t++)
					na[t] += cc->na[t];
			ccol_free(cc);
		}
		col->codes = join_pieces(pc, L->nchunks, f->nrows * sizeof *col->codes,
					 &col->cells_mapped);
		col->nlevels = g.n;
		col->levels = xmalloc((g.n ? g.n : 1) * sizeof *col->levels);
		dict_texts(&g, col->levels, &col->level_text, &col->level_text_size);
		dict_free(&g);
	} else {
		for (size_t k = 0; k < L->nchunks; k++) {
			struct ccol *cc = &L->chunks[k].cols[c];
			size_t n = L->chunks[k].nrows;
			if (cc->mode == M_UNSET) {
				for (size_t i = 0; i < n; i++)
					cc->vals[i] = NAN;
			} else if (cc->mode == M_SLASH) {
				bool ok;
				for (size_t i = 0; i < n; i++)
					cc->vals[i] = isnan(cc->vals[i]) ? NAN
						: slash_unpacked_epoch(cc->vals[i], col->date_order, &ok);
			}
			pc[k] = (struct piece){ cc->vals, n * sizeof *cc->vals, cc->vals_cap * sizeof *cc->vals };
			cc->vals = NULL;
			cc->vals_cap = 0;
			if (cc->na)
				for (size_t t = 0; t < L->na.n; t++)
					na[t] += cc->na[t];
			ccol_free(cc);
		}
		col->num = join_pieces(pc, L->nchunks, f->nrows * sizeof *col->num,
				       &col->cells_mapped);
	}
	free(pc);
	for (size_t t = 0; t < L->na.n; t++)
		col->nna += na[t] > 0;
	col->na = xcalloc(col->nna ? col->nna : 1, sizeof *col->na);
	for (size_t t = 0, j = 0; t < L->na.n; t++)
		if (na[t]) {
			col->na[j].text = xstrdup(L->na.text[t]);
			col->na[j++].count = na[t];
		}
	/* Insertion sort (a handful of tokens): most frequent first, equal
	 * counts in token order (pandas' defaults, then the user's). */
	for (size_t i = 1; i < col->nna; i++) {
		struct na_token x = col->na[i];
		size_t j = i;
		while (j > 0 && cmp_na(&x, &col->na[j - 1]) < 0) {
			col->na[j] = col->na[j - 1];
			j--;
		}
		col->na[j] = x;
	}
	free(na);
}

/* Each column is joined and its statistics computed at once, biggest
 * dictionaries first so that one slow column does not finish alone. */
static void *join_worker(void *arg)
{
	struct join_job *job = arg;
	struct frame_stats_scratch *sc = frame_stats_scratch_new();
	for (;;) {
		size_t k = atomic_fetch_add(&job->next, 1);
		if (k >= job->L->ncols)
			break;
		size_t c = job->order[k];
		join_column(job->L, job->f, job->plan, c);
		if (!ft_cancelled(job->L->progress))
			frame_column_stats(job->f, c, sc);
	}
	frame_stats_scratch_free(sc);
	return NULL;
}

static int cmp_cost(const void *pa, const void *pb)
{
	const size_t *a = pa, *b = pb;
	return a[1] != b[1] ? (a[1] > b[1] ? -1 : 1) : (a[0] > b[0]) - (a[0] < b[0]);
}

static void join_columns(struct loader *L, struct frame *f, const struct colplan *plan)
{
	struct join_job job = { .L = L, .f = f, .plan = plan };
	atomic_init(&job.next, 0);
	size_t (*cost)[2] = xmalloc(L->ncols * sizeof *cost);
	for (size_t c = 0; c < L->ncols; c++) {
		cost[c][0] = c;
		cost[c][1] = 0;
		for (size_t k = 0; k < L->nchunks; k++)
			cost[c][1] += L->chunks[k].cols[c].dict.n;
	}
	qsort(cost, L->ncols, sizeof *cost, cmp_cost);
	job.order = xmalloc(L->ncols * sizeof *job.order);
	for (size_t c = 0; c < L->ncols; c++)
		job.order[c] = cost[c][0];
	free(cost);
	ft_parallel(join_worker, &job, 0, workers(L->threads, L->ncols));
	free(job.order);
}

/* ---- splitting ---- */

struct count_job {
	const char *data;
	const size_t *bound;        /* nseg + 1 offsets */
	size_t *quotes;             /* per segment */
	size_t nseg;
	atomic_size_t next;
};

static void *count_worker(void *arg)
{
	struct count_job *job = arg;
	for (;;) {
		size_t k = atomic_fetch_add(&job->next, 1);
		if (k >= job->nseg)
			break;
		job->quotes[k] = csv_count_quotes(job->data + job->bound[k], job->data + job->bound[k + 1]);
	}
	return NULL;
}

/* Chunk starts near equal shares of the data: after the next newline, or
 * (parity) after the next newline with an even number of quotes before it. */
static size_t split_points(struct loader *L, size_t d0, size_t *starts, size_t want, bool by_parity)
{
	size_t len = L->size - d0;
	size_t *bound = xmalloc((want + 1) * sizeof *bound);
	size_t *quotes = xcalloc(want, sizeof *quotes);
	for (size_t k = 0; k <= want; k++)
		bound[k] = d0 + (size_t)((double)len * (double)k / (double)want);
	bound[want] = L->size;
	if (by_parity) {
		struct count_job job = { .data = L->data, .bound = bound, .quotes = quotes, .nseg = want };
		atomic_init(&job.next, 0);
		ft_parallel(count_worker, &job, 0, workers(L->threads, SIZE_MAX));
	}
	size_t n = 0, parity = 0;
	starts[n++] = d0;
	for (size_t k = 1; k < want; k++) {
		parity += quotes[k - 1];
		size_t pos = bound[k], par = parity;
		if (pos < starts[n - 1])
			continue;
		const char *p = L->data + pos, *end = L->data + L->size;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				p = end;
				break;
			}
			if (by_parity)
				par += csv_count_quotes(p, nl);
			p = nl + 1;
			if (par % 2 == 0)
				break;
		}
		if (p >= end)
			break;
		if ((size_t)(p - L->data) > starts[n - 1])
			starts[n++] = (size_t)(p - L->data);
	}
	free(bound);
	free(quotes);
	return n;
}

static void make_chunks(struct loader *L, const size_t *starts, size_t n)
{
	L->nchunks = n;
	L->chunks = xcalloc(n, sizeof *L->chunks);
	for (size_t k = 0; k < n; k++) {
		struct chunk *ch = &L->chunks[k];
		ch->L = L;
		ch->begin = L->data + starts[k];
		ch->end = k + 1 < n ? L->data + starts[k + 1] : L->data + L->size;
		ch->last = k + 1 == n;
		ch->cols = xcalloc(L->ncols, sizeof *ch->cols);
		ch->rec_start = ch->begin;
	}
}

/* ---- the file ---- */

struct mapped {
	const char *data;
	size_t size;
	void *map;
	char *heap;
};

static int map_file(const char *path, struct mapped *m, struct ft_err *err)
{
	memset(m, 0, sizeof *m);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ft_fail(err, FT_EIO, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return ft_fail(err, FT_EIO, "%s: %s", path, strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return ft_fail(err, FT_EIO, "%s: is a directory", path);
	}
	if (S_ISREG(st.st_mode)) {
		m->size = (size_t)st.st_size;
		if (m->size) {
			m->map = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
			if (m->map == MAP_FAILED) {
				int e = errno;
				m->map = NULL;
				close(fd);
				return ft_fail(err, FT_EIO, "%s: %s", path, strerror(e));
			}
			madvise(m->map, m->size, MADV_SEQUENTIAL);
			m->data = m->map;
		} else {
			m->data = "";
		}
		close(fd);
		return 0;
	}
	close(fd);
	/* Pipes and devices: read them whole. */
	m->heap = file_read_all(path, &m->size, err);
	if (!m->heap)
		return -1;
	m->data = m->heap;
	return 0;
}

static void unmap_file(struct mapped *m)
{
	if (m->map)
		munmap(m->map, m->size);
	free(m->heap);
	memset(m, 0, sizeof *m);
}

struct frame *csv_load(const char *path, const struct csv_options *opt, struct ft_err *err)
{
	static const struct csv_options defaults = { 0 };
	if (!opt)
		opt = &defaults;
	if (opt->delimiter && !csv_delimiter_valid(opt->delimiter)) {
		ft_fail(err, FT_EINPUT, "%s: the delimiter cannot be a quote or a line end", path);
		return NULL;
	}
	struct mapped m;
	if (map_file(path, &m, err) < 0)
		return NULL;
	struct loader L = { .path = path, .data = m.data, .size = m.size,
			    .progress = &opt->progress, .mapped = m.map != NULL };
	atomic_init(&L.next, 0);
	atomic_init(&L.done, 0);
	atomic_init(&L.stop, 0);
	L.threads = opt->threads > 0 ? opt->threads : ft_threads();
	if (L.threads > FT_THREADS_MAX)
		L.threads = FT_THREADS_MAX;
	csv_na_init(&L.na, opt->na_values, opt->nna_values);
	struct csv_header h = { 0 };
	struct frame *f = NULL;
	struct colplan *plan = NULL;
	char **names = NULL;
	size_t *starts = NULL;

	size_t d0 = csv_bom(m.data, m.size), avg;
	L.delim = csv_detect_delimiter(m.data + d0, m.data + m.size, &avg);
	if (opt->delimiter)
		L.delim = opt->delimiter;
	L.est_record = avg;
	if (csv_header_read(path, m.data, m.size, d0, true, L.delim, &h, err) != 0)
		goto fail;
	L.ncols = h.n;
	d0 = h.end;
	size_t first_data_line = h.next_line;

	size_t want = 1;
	if (L.threads > 1 && m.size - d0 > 2 * MIN_CHUNK) {
		want = (size_t)L.threads * 2;
		if ((m.size - d0) / want < MIN_CHUNK)
			want = (m.size - d0) / MIN_CHUNK;
	}
	starts = xmalloc(want * sizeof *starts);
	/* First guess: chunks start after any newline (right unless a quoted
	 * field spans lines there); then newlines outside quotes by parity;
	 * then one chunk. A wrong guess shows as a chunk ending inside a
	 * record, and chunks before it are always right. */
	size_t n = want > 1 ? split_points(&L, d0, starts, want, false) : (starts[0] = d0, 1);
	for (int attempt = 0;; attempt++) {
		make_chunks(&L, starts, n);
		run_workers(&L);
		if (atomic_load(&L.stop)) {
			ft_fail(err, FT_ECANCELLED, "%s: loading cancelled", path);
			goto fail;
		}
		size_t base = first_data_line;
		bool split_wrong = false;
		for (size_t k = 0; k < L.nchunks; k++) {
			struct chunk *ch = &L.chunks[k];
			if (ch->failed) {
				ft_fail(err, FT_EINPUT, "%s:%zu: %s", path, base + ch->err_line, ch->err_msg);
				goto fail;
			}
			if (ch->open_record) {
				split_wrong = true;
				break;
			}
			base += ch->nlines;
		}
		if (!split_wrong)
			break;
		free_chunks(&L);
		atomic_store(&L.done, 0);
		if (attempt == 0) {
			n = split_points(&L, d0, starts, want, true);
			if (L.mapped)
				madvise(m.map, m.size, MADV_DONTNEED);
		} else {
			n = 1;
			starts[0] = d0;
		}
	}

	size_t nrows = 0;
	for (size_t k = 0; k < L.nchunks; k++)
		nrows += L.chunks[k].nrows;
	if (nrows == 0) {
		ft_fail(err, FT_EINPUT, "%s:%zu: " CSV_HEADER_ONLY_MESSAGE, path, h.line);
		goto fail;
	}

	plan = xmalloc(L.ncols * sizeof *plan);
	plan_columns(&L, plan);
	if (plan_reparse(&L, plan)) {
		L.second_pass = true;
		run_workers(&L);
		if (atomic_load(&L.stop)) {
			ft_fail(err, FT_ECANCELLED, "%s: loading cancelled", path);
			goto fail;
		}
		for (size_t k = 0; k < L.nchunks; k++)
			if (L.chunks[k].failed) {
				ft_fail(err, FT_ENOMEM, "%s: %s", path, L.chunks[k].err_msg);
				goto fail;
			}
	}

	f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->file_size = m.size;
	f->delimiter = L.delim;
	f->nrows = nrows;
	f->ncols = L.ncols;
	f->cols = xcalloc(L.ncols, sizeof *f->cols);
	names = csv_unique_names(h.raw, h.n, NULL);
	for (size_t c = 0; c < L.ncols; c++)
		f->cols[c].name = names[c];
	free(names);
	names = NULL;
	f->row_line = xmalloc(nrows * sizeof *f->row_line);
	size_t row = 0, base = first_data_line;
	for (size_t k = 0; k < L.nchunks; k++) {
		struct chunk *ch = &L.chunks[k];
		for (size_t i = 0; i < ch->nrows; i++)
			f->row_line[row++] = (uint32_t)(base + ch->row_line[i]);
		base += ch->nlines;
	}
	join_columns(&L, f, plan);
	free_chunks(&L);
	unmap_file(&m);
	if (ft_cancelled(&opt->progress)) {
		ft_fail(err, FT_ECANCELLED, "%s: loading cancelled", path);
		goto fail;
	}
	ft_progress_report(&opt->progress, "load", L.size, L.size);
	csv_header_free(&h);
	free(plan);
	free(starts);
	csv_na_free(&L.na);
	return f;

fail:
	frame_free(f);
	free_chunks(&L);
	unmap_file(&m);
	csv_header_free(&h);
	free(plan);
	free(starts);
	csv_na_free(&L.na);
	return NULL;
}
