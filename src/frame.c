/* frame: the column store, the cell-level parsing rules shared by the loader
 * and predict, and the per-column statistics.
 *
 * Invariants: parse_number, parse_datetime and frame_is_na_text are the only
 * definitions of "number", "date" and "missing"; csv_load calls the same
 * code, so raw text read later (predict) is judged exactly as at load time.
 * Statistics are a pure function of the cells: same frame, same numbers,
 * whatever the thread count.
 *
 * Why one file: the cell rules (number, date, missing) and the statistics
 * computed from them must stay one definition for the loader and predict.
 */
#include "config.h"
#include "frame.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "util.h"

const char *const frame_na_defaults[] = {
	"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
	"1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
	"nan", "null"
};
const size_t frame_na_ndefaults = sizeof frame_na_defaults / sizeof frame_na_defaults[0];

void frame_free(struct frame *f)
{
	if (!f)
		return;
	for (size_t c = 0; c < f->ncols; c++) {
		struct column *col = &f->cols[c];
		free(col->name);
		if (col->cells_mapped) {
			void *cells = col->num ? (void *)col->num : (void *)col->codes;
			size_t size = f->nrows * (col->num ? sizeof *col->num : sizeof *col->codes);
			munmap(cells, size ? size : 1);
		} else {
			free(col->num);
			free(col->codes);
		}
		const char *lt = col->level_text;
		for (uint32_t i = 0; i < col->nlevels; i++)
			if (!lt || col->levels[i] < lt || col->levels[i] >= lt + col->level_text_size)
				free(col->levels[i]);
		free(col->level_text);
		free(col->levels);
		for (size_t i = 0; i < col->nna; i++)
			free(col->na[i].text);
		free(col->na);
	}
	free(f->cols);
	free(f->row_line);
	free(f->path);
	free(f);
}

int frame_find(const struct frame *f, const char *name)
{
	for (size_t c = 0; c < f->ncols; c++)
		if (!strcmp(f->cols[c].name, name))
			return (int)c;
	return -1;
}

bool frame_is_missing(const struct frame *f, size_t col, size_t row)
{
	const struct column *c = &f->cols[col];
	if (c->type == COL_CATEGORICAL)
		return c->codes[row] == FRAME_NA_CODE;
	return isnan(c->num[row]);
}

static const char *format_number(double v, char *buf, size_t size)
{
	if (isinf(v)) {
		snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
	} else {
		char tmp[32];
		fmt_double(tmp, v);
		snprintf(buf, size, "%s", tmp);
	}
	return buf;
}

const char *frame_cell_text(const struct frame *f, size_t col, size_t row,
			    char *buf, size_t size)
{
	const struct column *c = &f->cols[col];
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (frame_is_missing(f, col, row))
		return buf;
	switch (c->type) {
	case COL_CATEGORICAL:
		snprintf(buf, size, "%s", c->levels[c->codes[row]]);
		break;
	case COL_NUMERIC:
		format_number(c->num[row], buf, size);
		break;
	case COL_DATETIME:
		frame_format_datetime(c->num[row], false, buf, size);
		break;
	}
	return buf;
}

const char *col_type_name(enum col_type t)
{
	switch (t) {
	case COL_NUMERIC:
		return "numeric";
	case COL_CATEGORICAL:
		return "categorical";
	case COL_DATETIME:
		return "datetime";
	}
	return "unknown";
}

/* Whether [s, s + len) is the NUL-terminated text t. Every cell of a file
 * passes here once per NA string: the first byte rejects almost all of
 * them before t is measured. */
static bool text_is(const char *t, const char *s, size_t len)
{
	if (len && t[0] != s[0])
		return false;
	return strlen(t) == len && !memcmp(t, s, len);
}

bool frame_is_na_text(const char *s, size_t len, const char *const *extra, size_t nextra)
{
	for (size_t i = 0; i < frame_na_ndefaults; i++)
		if (text_is(frame_na_defaults[i], s, len))
			return true;
	for (size_t i = 0; i < nextra; i++)
		if (text_is(extra[i], s, len))
			return true;
	return false;
}

/* ---- numbers ---- */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exact powers of ten representable in a double (Clinger's fast path). */
static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static bool match_inf(const char *s, size_t n)
{
	return (n == 3 && !strncasecmp(s, "inf", 3)) ||
	       (n == 8 && !strncasecmp(s, "infinity", 8));
}

/* The common shape, [-]digits[.digits] in at most 20 bytes, one tight
 * loop per part; false means "use the general parser", not "not a number".
 * A mantissa of at most 2^53 and at most 19 fraction digits make the one
 * division below correctly rounded (both operands are exact). */
static bool parse_plain_decimal(const char *s, size_t len, double *out, bool *integer,
				int *digits)
{
	if (len == 0 || len > 20)
		return false;
	const char *p = s + (s[0] == '-'), *e = s + len, *q = p;
	uint64_t mant = 0;
	unsigned d;
	while (q < e && (d = (unsigned char)*q - '0') <= 9) {
		mant = mant * 10 + d;
		q++;
	}
	size_t nint = (size_t)(q - p), nfrac = 0;
	bool dot = false;
	if (q < e) {
		if (*q != '.')
			return false;
		dot = true;
		const char *f = ++q;
		while (q < e && (d = (unsigned char)*q - '0') <= 9) {
			mant = mant * 10 + d;
			q++;
		}
		if (q != e)
			return false;
		nfrac = (size_t)(q - f);
	}
	/* More than 19 digits may have wrapped mant: the general parser. */
	if (nint + nfrac == 0 || nint + nfrac > 19 || mant > (UINT64_C(1) << 53))
		return false;
	size_t zeros = 0;
	while (zeros < nint && p[zeros] == '0')
		zeros++;
	double v = nfrac ? (double)mant / pow10_exact[nfrac] : (double)mant;
	*out = s[0] == '-' ? -v : v;
	*integer = !dot;
	*digits = (int)(nint - zeros);
	return true;
}

/* Every other shape: blanks, '+', exponents, long mantissas, infinity.
 * Kept out of line so that the common case pays for no more registers
 * than it uses. */
static bool __attribute__((noinline)) parse_general(const char *s, size_t len, double *out,
						    bool *integer, int *digits)
{
	size_t i = 0, end = len;
	while (i < end && is_blank(s[i]))
		i++;
	while (end > i && is_blank(s[end - 1]))
		end--;
	if (i == end)
		return false;
	size_t start = i;
	bool neg = false;
	if (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-';
		i++;
	}
	if (i < end && (s[i] == 'i' || s[i] == 'I')) {
		if (!match_inf(s + i, end - i))
			return false;
		*out = neg ? -INFINITY : INFINITY;
		*integer = false;
		*digits = 0;
		return true;
	}
	uint64_t mant = 0;
	int sig = 0, exp10 = 0, intdigits = 0;
	bool any = false, exact = true, dot = false, expo = false;
	for (; i < end && is_digit(s[i]); i++) {
		any = true;
		if (mant == 0 && s[i] == '0')
			continue;
		intdigits++;
		if (sig < 19) {
			mant = mant * 10 + (uint64_t)(s[i] - '0');
			sig++;
		} else {
			exp10++;
			exact = false;
		}
	}
	if (i < end && s[i] == '.') {
		dot = true;
		for (i++; i < end && is_digit(s[i]); i++) {
			any = true;
			if (mant == 0 && s[i] == '0') {
				exp10--;
				continue;
			}
			if (sig < 19) {
				mant = mant * 10 + (uint64_t)(s[i] - '0');
				sig++;
				exp10--;
			} else {
				exact = false;
			}
		}
	}
	if (!any)
		return false;
	if (i < end && (s[i] == 'e' || s[i] == 'E')) {
		expo = true;
		i++;
		bool eneg = false;
		if (i < end && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i == end || !is_digit(s[i]))
			return false;
		int e = 0;
		for (; i < end && is_digit(s[i]); i++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		exp10 += eneg ? -e : e;
	}
	if (i != end)
		return false;
	*integer = !dot && !expo;
	*digits = intdigits;
	if (exact && mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
		double v = (double)mant;
		v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
		*out = neg ? -v : v;
		return true;
	}
	/* Slow path: correctly rounded by the C library, never the user's
	 * locale (the terminal front end may have set one). */
	pthread_once(&c_locale_once, c_locale_init);
	char small[64], *buf = end - start < sizeof small ? small : xmalloc(end - start + 1);
	memcpy(buf, s + start, end - start);
	buf[end - start] = '\0';
	*out = c_locale ? strtod_l(buf, NULL, c_locale) : strtod(buf, NULL);
	if (buf != small)
		free(buf);
	return true;
}

bool parse_number_ex(const char *s, size_t len, double *out, bool *integer,
		     int *digits)
{
	return parse_plain_decimal(s, len, out, integer, digits) ||
	       parse_general(s, len, out, integer, digits);
}

bool parse_number(const char *s, size_t len, double *out)
{
	bool integer;
	int digits;
	return parse_number_ex(s, len, out, &integer, &digits);
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* 1..maxd digits at s[*i]; false if none or more. */
static bool read_int(const char *s, size_t end, size_t *i, int mind, int maxd, int *out)
{
	int v = 0, n = 0;
	while (*i < end && is_digit(s[*i]) && n < maxd) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	if (n < mind || (*i < end && is_digit(s[*i])))
		return false;
	*out = v;
	return true;
}

/* HH:MM[:SS[.frac]] (frac only when allow_frac) up to end; seconds of day. */
static bool read_time(const char *s, size_t end, size_t *i, bool allow_frac,
		      int *sod, double *frac)
{
	int h, m, sec = 0;
	*frac = 0;
	if (!read_int(s, end, i, 1, 2, &h) || *i >= end || s[*i] != ':')
		return false;
	(*i)++;
	if (!read_int(s, end, i, 2, 2, &m))
		return false;
	if (*i < end && s[*i] == ':') {
		(*i)++;
		if (!read_int(s, end, i, 2, 2, &sec))
			return false;
		if (allow_frac && *i < end && s[*i] == '.') {
			double scale = 0.1;
			size_t j = ++(*i);
			for (; *i < end && is_digit(s[*i]); (*i)++, scale /= 10)
				*frac += (s[*i] - '0') * scale;
			if (*i == j)
				return false;
		}
	}
	if (h > 23 || m > 59 || sec > 59)
		return false;
	*sod = h * 3600 + m * 60 + sec;
	return true;
}

static void trim(const char *s, size_t len, size_t *i, size_t *end)
{
	*i = 0;
	*end = len;
	while (*i < *end && is_blank(s[*i]))
		(*i)++;
	while (*end > *i && is_blank(s[*end - 1]))
		(*end)--;
}

static bool digits_at(const char *s, const int *pos, int n)
{
	for (int k = 0; k < n; k++)
		if (!is_digit(s[pos[k]]))
			return false;
	return true;
}

static int two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS" (or 'T'), the shapes data files
 * nearly always use, read at fixed places: the same checks and arithmetic
 * as the general reader below, which takes every other shape. */
static bool parse_iso_fixed(const char *s, size_t len, double *out, bool *matched)
{
	static const int date_pos[] = { 0, 1, 2, 3, 5, 6, 8, 9 };
	static const int time_pos[] = { 11, 12, 14, 15, 17, 18 };
	*matched = false;
	if ((len != 10 && len != 19) || s[4] != '-' || s[7] != '-' || !digits_at(s, date_pos, 8))
		return false;
	if (len == 19 && ((s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' ||
			  !digits_at(s, time_pos, 6)))
		return false;
	*matched = true;
	int y = two(s) * 100 + two(s + 2), m = two(s + 5), d = two(s + 8), sod = 0;
	if (len == 19) {
		int h = two(s + 11), mi = two(s + 14), sec = two(s + 17);
		if (h > 23 || mi > 59 || sec > 59)
			return false;
		sod = h * 3600 + mi * 60 + sec;
	}
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*out = (double)days_from_civil(y, m, d) * 86400.0 + sod + 0.0;
	return true;
}

static bool parse_iso(const char *s, size_t len, double *out)
{
	bool matched;
	bool ok = parse_iso_fixed(s, len, out, &matched);
	if (matched)
		return ok;
	size_t i, end;
	int y, m, d, sod = 0;
	double frac = 0;
	trim(s, len, &i, &end);
	if (end - i < 8 || !read_int(s, end, &i, 4, 4, &y) || i >= end || s[i] != '-')
		return false;
	i++;
	if (!read_int(s, end, &i, 1, 2, &m) || i >= end || s[i] != '-')
		return false;
	i++;
	if (!read_int(s, end, &i, 1, 2, &d))
		return false;
	if (i < end) {
		if (s[i] != ' ' && s[i] != 'T')
			return false;
		i++;
		if (!read_time(s, end, &i, true, &sod, &frac) || i != end)
			return false;
	}
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*out = (double)days_from_civil(y, m, d) * 86400.0 + sod + frac;
	return true;
}

bool parse_slash_date(const char *s, size_t len, struct slash_date *d)
{
	size_t i, end;
	double frac;
	trim(s, len, &i, &end);
	d->sod = 0;
	if (end - i < 8 || !read_int(s, end, &i, 1, 2, &d->a) || i >= end || s[i] != '/')
		return false;
	i++;
	if (!read_int(s, end, &i, 1, 2, &d->b) || i >= end || s[i] != '/')
		return false;
	i++;
	if (!read_int(s, end, &i, 4, 4, &d->year))
		return false;
	if (i < end) {
		if (s[i] != ' ')
			return false;
		i++;
		if (!read_time(s, end, &i, false, &d->sod, &frac) || i != end)
			return false;
	}
	/* Neither reading can be a date when both numbers exceed 12. */
	return d->a >= 1 && d->b >= 1 && d->a <= 31 && d->b <= 31 &&
	       (d->a <= 12 || d->b <= 12);
}

bool slash_date_epoch(const struct slash_date *d, enum date_order order, double *out)
{
	int m = order == DATE_DMY ? d->b : d->a;
	int day = order == DATE_DMY ? d->a : d->b;
	if (m < 1 || m > 12 || day < 1 || day > days_in_month(d->year, m))
		return false;
	*out = (double)days_from_civil(d->year, m, day) * 86400.0 + d->sod;
	return true;
}

bool parse_datetime(const char *s, size_t len, enum date_order order, double *out)
{
	if (order == DATE_ISO)
		return parse_iso(s, len, out);
	struct slash_date d;
	return parse_slash_date(s, len, &d) && slash_date_epoch(&d, order, out);
}

const char *frame_format_datetime(double t, bool with_time, char *buf, size_t size)
{
	if (!isfinite(t)) {
		snprintf(buf, size, "%s", "");
		return buf;
	}
	double days = floor(t / 86400.0);
	double rest = t - days * 86400.0;
	int sod = (int)rest;
	int64_t y;
	int m, d;
	civil_from_days((int64_t)days, &y, &m, &d);
	if (with_time || sod != 0 || rest != sod)
		snprintf(buf, size, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)y, m, d,
			 sod / 3600, sod / 60 % 60, sod % 60);
	else
		snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
	return buf;
}

/* ---- statistics ---- */

/* Doubles as unsigned keys whose order is the numeric order. */
static uint64_t double_key(double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof u);
	return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double key_double(uint64_t k)
{
	uint64_t u = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
	double v;
	memcpy(&v, &u, sizeof v);
	return v;
}

/* LSD radix sort of n non-NaN doubles, 11-bit digits; passes where every
 * key has the same digit are skipped, so small integers cost two or three. */
#define RADIX_BITS 11
#define RADIX_PASSES 6
#define RADIX_SIZE (1u << RADIX_BITS)

static void sort_doubles(double *v, size_t n, uint64_t *tmp)
{
	if (n < 2)
		return;
	uint64_t *a = (uint64_t *)(void *)v;
	for (size_t i = 0; i < n; i++)
		a[i] = double_key(v[i]);
	size_t (*hist)[RADIX_SIZE] = xcalloc(RADIX_PASSES, sizeof *hist);
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < RADIX_PASSES; b++)
			hist[b][(a[i] >> (RADIX_BITS * b)) & (RADIX_SIZE - 1)]++;
	for (int b = 0; b < RADIX_PASSES; b++) {
		size_t *h = hist[b], sum = 0;
		unsigned shift = RADIX_BITS * (unsigned)b;
		if (h[(a[0] >> shift) & (RADIX_SIZE - 1)] == n)
			continue;
		for (unsigned d = 0; d < RADIX_SIZE; d++) {
			size_t c = h[d];
			h[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[h[(a[i] >> shift) & (RADIX_SIZE - 1)]++] = a[i];
		uint64_t *t = a;
		a = tmp;
		tmp = t;
	}
	if (a != (uint64_t *)(void *)v)
		memcpy(v, a, n * sizeof *a);
	free(hist);
	a = (uint64_t *)(void *)v;
	for (size_t i = 0; i < n; i++)
		v[i] = key_double(a[i]);
}

/* Integers over a short range (at most 2 n + 65536 values, so the counts
 * take no more room than the column): distinct values and median by
 * counting, one pass instead of a sort. */
#define COUNT_RANGE_MAX (1u << 24)

static void count_integers(const double *num, size_t nrows, size_t n, double lo,
			   size_t range, uint32_t *counts, struct column_stats *st, double *ss)
{
	memset(counts, 0, range * sizeof *counts);
	double mean = st->mean, sq = 0;
	for (size_t i = 0; i < nrows; i++) {
		double x = num[i];
		if (isnan(x))
			continue;
		sq += (x - mean) * (x - mean);
		counts[(size_t)(x - lo)]++;
	}
	*ss = sq;
	size_t below = 0, lower_mid = (n - 1) / 2, upper_mid = n / 2;
	double a = NAN, b = NAN;
	st->distinct = 0;
	for (size_t k = 0; k < range; k++) {
		if (!counts[k])
			continue;
		st->distinct++;
		size_t c = counts[k];
		if (isnan(a) && lower_mid < below + c)
			a = lo + (double)k;
		if (isnan(b) && upper_mid < below + c)
			b = lo + (double)k;
		below += c;
	}
	st->median = (a + b) / 2;
}

/* Integers over a range of less than 2^32 (timestamps, amounts in cents,
 * counters): sorted as 32-bit offsets from the minimum, two or three
 * passes over half the bytes of a sort of doubles. Within +-2^53 the
 * offsets and lo + offset are exact, so the values are the same. */
#define KEY_BITS 12
#define KEY_SIZE (1u << KEY_BITS)

static void sort_offsets(const double *num, size_t nrows, double lo, double mean, double *ss,
			 uint32_t *k, uint32_t *tmp)
{
	size_t (*hist)[KEY_SIZE] = xcalloc(3, sizeof *hist);
	size_t n = 0;
	double sq = 0;
	for (size_t i = 0; i < nrows; i++) {
		if (isnan(num[i]))
			continue;
		sq += (num[i] - mean) * (num[i] - mean);
		uint32_t x = (uint32_t)(num[i] - lo);
		k[n++] = x;
		hist[0][x & (KEY_SIZE - 1)]++;
		hist[1][(x >> KEY_BITS) & (KEY_SIZE - 1)]++;
		hist[2][x >> (2 * KEY_BITS)]++;
	}
	for (unsigned b = 0; b < 3; b++) {
		size_t *h = hist[b], sum = 0;
		unsigned shift = KEY_BITS * b;
		uint32_t mask = b < 2 ? KEY_SIZE - 1 : UINT32_MAX;
		if (h[(k[0] >> shift) & mask] == n)
			continue;
		for (unsigned d = 0; d < KEY_SIZE; d++) {
			size_t c = h[d];
			h[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[h[(k[i] >> shift) & mask]++] = k[i];
		memcpy(k, tmp, n * sizeof *k);
	}
	free(hist);
	*ss = sq;
}

/* Columns of few distinct values (rates, scores, prices): each value
 * counted in a small table that stays in cache, then only the distinct
 * values sorted. The same order as a sort of all values (bit patterns,
 * so -0 and 0 are kept apart as the sort keeps them, and counted as one
 * value as the sort counts them). False, with nothing decided, as soon
 * as there are more than FEW_MAX values. */
#define FEW_MAX 4096
#define FEW_SLOTS (2 * FEW_MAX)

struct few_slot {
	uint64_t key;               /* double_key of the value; 0 empty */
	size_t count;
};

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return (a > b) - (a < b);
}

static bool few_values(const double *num, size_t nrows, size_t n, struct few_slot *t,
		       struct column_stats *st, double *ss)
{
	memset(t, 0, FEW_SLOTS * sizeof *t);
	size_t distinct = 0;
	double mean = st->mean, sq = 0;
	for (size_t i = 0; i < nrows; i++) {
		double x = num[i];
		if (isnan(x))
			continue;
		sq += (x - mean) * (x - mean);
		uint64_t k = double_key(x), h = k * UINT64_C(0x9E3779B97F4A7C15);
		size_t j = (size_t)(h >> 51) & (FEW_SLOTS - 1);
		while (t[j].key != k && t[j].key)
			j = (j + 1) & (FEW_SLOTS - 1);
		if (!t[j].key) {
			if (++distinct > FEW_MAX)
				return false;
			t[j].key = k;
		}
		t[j].count++;
	}
	uint64_t keys[FEW_MAX];
	size_t m = 0;
	for (size_t j = 0; j < FEW_SLOTS; j++)
		if (t[j].key)
			keys[m++] = t[j].key;
	qsort(keys, m, sizeof *keys, cmp_u64);
	size_t below = 0, lower_mid = (n - 1) / 2, upper_mid = n / 2;
	double a = NAN, b = NAN, prev = NAN;
	st->distinct = 0;
	for (size_t i = 0; i < m; i++) {
		size_t j = (size_t)((keys[i] * UINT64_C(0x9E3779B97F4A7C15)) >> 51) & (FEW_SLOTS - 1);
		while (t[j].key != keys[i])
			j = (j + 1) & (FEW_SLOTS - 1);
		double v = key_double(keys[i]);
		st->distinct += !(v == prev);
		prev = v;
		if (isnan(a) && lower_mid < below + t[j].count)
			a = v;
		if (isnan(b) && upper_mid < below + t[j].count)
			b = v;
		below += t[j].count;
	}
	st->median = n % 2 ? b : (a + b) / 2;
	*ss = sq;
	return true;
}

/* Whether x holds an integer (every double of magnitude 2^53 or more does). */
static bool is_integral(double x)
{
	return fabs(x) >= 9007199254740992.0 || (double)(int64_t)x == x;
}

/* Scratch buffers are filled nearly whole, column after column: huge pages
 * (one fault per 2 MB instead of 512) cost no extra memory. Only the
 * aligned interior is advised. */
static void advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = 2u << 20;
	if (n < 2 * huge)
		return;
	uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t to = ((uintptr_t)p + n) & ~(huge - 1);
	if (to > from)
		madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* Per-thread buffers of nrows cells, reused from column to column: fresh
 * pages for every column would cost more than the sorting. */
struct frame_stats_scratch {
	double *v;
	uint64_t *tmp;
	struct few_slot *few;       /* FEW_SLOTS */
	uint32_t *counts;
	size_t ncounts;
};

static void numeric_stats(const struct frame *f, struct column *col, struct frame_stats_scratch *sc)
{
	struct column_stats *st = &col->stats;
	const double *num = col->num;
	size_t n = 0;
	double sum = 0, lo = INFINITY, hi = -INFINITY;
	bool integral = true, negzero = false;
	for (size_t i = 0; i < f->nrows; i++) {
		double x = num[i];
		if (isnan(x))
			continue;
		n++;
		sum += x;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
		if (isinf(x))
			st->infinite++;
		else if (integral && !is_integral(x))
			integral = false;
		if (x == 0 && signbit(x))
			negzero = true;
	}
	st->count = n;
	st->missing = f->nrows - n;
	st->min = st->max = st->mean = st->std = st->median = NAN;
	if (n > 0) {
		/* The squared deviations are summed in row order, during the
		 * pass each way of finding the median makes anyway. */
		double ss = 0;
		st->mean = sum / (double)n;
		st->min = lo;
		st->max = hi;
		bool exact = integral && !st->infinite && fabs(lo) <= 9007199254740992.0 &&
			     fabs(hi) <= 9007199254740992.0;
		if (!sc->v) {
			sc->v = xmalloc((f->nrows ? f->nrows : 1) * sizeof *sc->v);
			sc->tmp = xmalloc((f->nrows ? f->nrows : 1) * sizeof *sc->tmp);
			advise_huge(sc->v, f->nrows * sizeof *sc->v);
			advise_huge(sc->tmp, f->nrows * sizeof *sc->tmp);
		}
		if (integral && !st->infinite && hi - lo < (double)COUNT_RANGE_MAX &&
		    hi - lo < 2.0 * (double)n + 65536) {
			size_t range = (size_t)(hi - lo) + 1;
			if (range > sc->ncounts) {
				free(sc->counts);
				sc->counts = xmalloc(range * sizeof *sc->counts);
				sc->ncounts = range;
			}
			count_integers(num, f->nrows, n, lo, range, sc->counts, st, &ss);
		} else if (exact && !negzero && hi - lo < 4294967296.0) {
			/* (a sort of doubles orders -0 before 0, offsets do not) */
			uint32_t *k = (uint32_t *)(void *)sc->v;
			sort_offsets(num, f->nrows, lo, st->mean, &ss, k, (uint32_t *)(void *)sc->tmp);
			double a = lo + (double)k[(n - 1) / 2], b = lo + (double)k[n / 2];
			st->median = n % 2 ? b : (a + b) / 2;
			st->distinct = 1;
			for (size_t i = 1; i < n; i++)
				st->distinct += k[i] != k[i - 1];
		} else if (!few_values(num, f->nrows, n, sc->few ? sc->few
				       : (sc->few = xmalloc(FEW_SLOTS * sizeof *sc->few)), st, &ss)) {
			double *v = sc->v;
			size_t m = 0;
			ss = 0;
			for (size_t i = 0; i < f->nrows; i++) {
				if (isnan(num[i]))
					continue;
				ss += (num[i] - st->mean) * (num[i] - st->mean);
				v[m++] = num[i];
			}
			sort_doubles(v, n, sc->tmp);
			st->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
			st->distinct = 1;
			for (size_t i = 1; i < n; i++)
				st->distinct += v[i] != v[i - 1];
		}
		if (n > 1)
			st->std = sqrt(ss / (double)(n - 1));
	}
	if (st->infinite)
		st->std = NAN;
	st->id_like = col->type == COL_NUMERIC && integral && st->infinite == 0 &&
		      f->nrows >= 2 && n == f->nrows && st->distinct == n;
}

/* Most frequent first; equal counts keep first-seen (level) order. */
static bool top_before(size_t ca, uint32_t a, size_t cb, uint32_t b)
{
	return ca > cb || (ca == cb && a < b);
}

static void categorical_stats(const struct frame *f, struct column *col)
{
	struct column_stats *st = &col->stats;
	size_t *counts = xcalloc(col->nlevels ? col->nlevels : 1, sizeof *counts);
	for (size_t i = 0; i < f->nrows; i++) {
		uint32_t c = col->codes[i];
		if (c == FRAME_NA_CODE)
			st->missing++;
		else
			counts[c]++;
	}
	st->count = f->nrows - st->missing;
	st->min = st->max = st->mean = st->std = st->median = NAN;
	for (uint32_t l = 0; l < col->nlevels; l++) {
		if (!counts[l])
			continue;
		st->distinct++;
		size_t k = st->ntop;
		if (k == FRAME_TOP && !top_before(counts[l], l, st->top[k - 1].count, st->top[k - 1].code))
			continue;
		if (k == FRAME_TOP)
			k--;
		while (k > 0 && top_before(counts[l], l, st->top[k - 1].count, st->top[k - 1].code)) {
			st->top[k] = st->top[k - 1];
			k--;
		}
		st->top[k].code = l;
		st->top[k].count = counts[l];
		if (st->ntop < FRAME_TOP)
			st->ntop++;
	}
	st->id_like = col->wide_integers ||
		      (f->nrows >= 2 && st->missing == 0 && st->distinct == f->nrows);
	free(counts);
}

struct frame_stats_scratch *frame_stats_scratch_new(void)
{
	return xcalloc(1, sizeof(struct frame_stats_scratch));
}

void frame_stats_scratch_free(struct frame_stats_scratch *sc)
{
	if (!sc)
		return;
	free(sc->v);
	free(sc->tmp);
	free(sc->few);
	free(sc->counts);
	free(sc);
}

void frame_column_stats(struct frame *f, size_t c, struct frame_stats_scratch *sc)
{
	struct column *col = &f->cols[c];
	memset(&col->stats, 0, sizeof col->stats);
	if (col->type == COL_CATEGORICAL)
		categorical_stats(f, col);
	else
		numeric_stats(f, col, sc);
	col->stats.constant = col->stats.distinct <= 1;
}

struct stats_job {
	struct frame *f;
	atomic_size_t next;
};

static void *stats_worker(void *arg)
{
	struct stats_job *job = arg;
	struct frame_stats_scratch *sc = frame_stats_scratch_new();
	for (;;) {
		size_t c = atomic_fetch_add(&job->next, 1);
		if (c >= job->f->ncols)
			break;
		frame_column_stats(job->f, c, sc);
	}
	frame_stats_scratch_free(sc);
	return NULL;
}

void frame_compute_stats(struct frame *f, int threads)
{
	struct stats_job job = { .f = f };
	atomic_init(&job.next, 0);
	if (threads <= 0)
		threads = ft_threads();
	if ((size_t)threads > f->ncols)
		threads = (int)f->ncols;
	if (threads > FT_THREADS_MAX)
		threads = FT_THREADS_MAX;
	ft_parallel(stats_worker, &job, 0, threads > 1 ? (size_t)threads : 1);
}

/* ---- labels ---- */

struct value_count {
	double v;
	size_t count;
};

static int cmp_top(const void *pa, const void *pb)
{
	const struct top_value *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->code < b->code ? -1 : a->code > b->code;
}

size_t frame_class_balance(const struct frame *f, size_t col, struct class_count *out,
			   size_t max, size_t *missing)
{
	const struct column *c = &f->cols[col];
	size_t nmiss = 0, total = 0, nout = 0;
	if (c->type == COL_CATEGORICAL) {
		size_t *counts = xcalloc(c->nlevels ? c->nlevels : 1, sizeof *counts);
		for (size_t i = 0; i < f->nrows; i++) {
			if (c->codes[i] == FRAME_NA_CODE)
				nmiss++;
			else
				counts[c->codes[i]]++;
		}
		struct top_value *all = xcalloc(c->nlevels ? c->nlevels : 1, sizeof *all);
		size_t k = 0;
		for (uint32_t l = 0; l < c->nlevels; l++) {
			if (!counts[l])
				continue;
			all[k].code = l;
			all[k++].count = counts[l];
			total += counts[l];
		}
		qsort(all, k, sizeof *all, cmp_top);
		for (size_t i = 0; i < k && nout < max; i++, nout++) {
			snprintf(out[nout].label, sizeof out[nout].label, "%s", c->levels[all[i].code]);
			out[nout].count = all[i].count;
		}
		free(all);
		free(counts);
	} else {
		size_t n = 0, k = 0;
		double lo = INFINITY, hi = -INFINITY;
		bool small = true;
		for (size_t i = 0; i < f->nrows; i++) {
			double x = c->num[i];
			if (isnan(x))
				continue;
			n++;
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
			if (small && (isinf(x) || !is_integral(x) || (x == 0 && signbit(x))))
				small = false;
		}
		nmiss = f->nrows - n;
		total = n;
		struct value_count *runs;
		if (n && small && fabs(lo) <= 9007199254740992.0 && fabs(hi) <= 9007199254740992.0 &&
		    hi - lo < 65536) {
			/* A label: a few small integers, counted instead of sorted
			 * (the same runs, ascending; no -0 to tell from 0). */
			size_t range = (size_t)(hi - lo) + 1;
			size_t *counts = xcalloc(range, sizeof *counts);
			for (size_t i = 0; i < f->nrows; i++)
				if (!isnan(c->num[i]))
					counts[(size_t)(c->num[i] - lo)]++;
			runs = xmalloc(range * sizeof *runs);
			for (size_t d = 0; d < range; d++)
				if (counts[d]) {
					runs[k].v = lo + (double)d;
					runs[k++].count = counts[d];
				}
			free(counts);
		} else {
			double *v = xmalloc((n ? n : 1) * sizeof *v);
			for (size_t i = 0, m = 0; i < f->nrows; i++)
				if (!isnan(c->num[i]))
					v[m++] = c->num[i];
			uint64_t *tmp = xmalloc((n ? n : 1) * sizeof *tmp);
			sort_doubles(v, n, tmp);
			free(tmp);
			runs = xmalloc((n ? n : 1) * sizeof *runs);
			for (size_t i = 0; i < n; i++) {
				if (k && runs[k - 1].v == v[i]) {
					runs[k - 1].count++;
				} else {
					runs[k].v = v[i];
					runs[k++].count = 1;
				}
			}
			free(v);
		}
		/* Insertion by count keeps ascending value order among ties. */
		for (size_t i = 0; i < k; i++) {
			if (nout == max && (max == 0 || runs[i].count <= out[nout - 1].count))
				continue;
			size_t j = nout < max ? nout++ : nout - 1;
			while (j > 0 && out[j - 1].count < runs[i].count) {
				out[j] = out[j - 1];
				j--;
			}
			out[j].count = runs[i].count;
			if (c->type == COL_DATETIME)
				frame_format_datetime(runs[i].v, false, out[j].label, sizeof out[j].label);
			else
				format_number(runs[i].v, out[j].label, sizeof out[j].label);
		}
		free(runs);
	}
	for (size_t i = 0; i < nout; i++)
		out[i].share = total ? (double)out[i].count / (double)total : 0;
	if (missing)
		*missing = nmiss;
	return nout;
}

/* Rank of a label-like name: lower is more telling, -1 if not label-like. */
static int label_rank(const char *name)
{
	static const char *const exact[] = { "isfraud", "is_fraud" };
	static const char *const other[] = { "class", "label", "target" };
	for (size_t i = 0; i < 2; i++)
		if (!strcasecmp(name, exact[i]))
			return 0;
	if (!strncasecmp(name, "fraud", 5))
		return 1;
	for (size_t i = 0; i < 3; i++)
		if (!strcasecmp(name, other[i]))
			return 2 + (int)i;
	return -1;
}

int frame_guess_target(const struct frame *f)
{
	int best = -1, best_rank = 0;
	for (size_t c = 0; c < f->ncols; c++) {
		int r = label_rank(f->cols[c].name);
		if (r < 0 || f->cols[c].stats.distinct != 2)
			continue;
		if (best < 0 || r < best_rank) {
			best = (int)c;
			best_rank = r;
		}
	}
	return best;
}
