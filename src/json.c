/* json: exact numbers, located parse errors and field readers over cJSON
 * (see json.h).
 * Number text comes from fmt_double or the integer's decimal form, so the
 * same value always gives the same bytes and reads back bit for bit. */
#include "config.h"
#include "json.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

cJSON *json_num(double v)
{
	if (!isfinite(v))
		return cJSON_CreateNull();
	char buf[32];
	fmt_double(buf, v);
	return cJSON_CreateRaw(buf);
}

cJSON *json_int(int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	return cJSON_CreateRaw(buf);
}

cJSON *json_uint(uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return cJSON_CreateRaw(buf);
}

cJSON *json_add_num(cJSON *obj, const char *key, double v)
{
	cJSON *item = json_num(v);
	cJSON_AddItemToObject(obj, key, item);
	return item;
}

/* Turn every number item under j into raw text that reads back exactly. */
static void exact_numbers(cJSON *j)
{
	for (cJSON *c = j->child; c; c = c->next) {
		if (cJSON_IsNumber(c) && isfinite(c->valuedouble)) {
			char buf[32];
			fmt_double(buf, c->valuedouble);
			size_t n = strlen(buf) + 1;
			char *text = cJSON_malloc(n);
			if (!text)
				continue;   /* stays a number: printed, if less exactly */
			memcpy(text, buf, n);
			c->type = cJSON_Raw;
			c->valuestring = text;
		} else {
			exact_numbers(c);
		}
	}
}

char *json_print(const cJSON *j)
{
	cJSON *copy = cJSON_Duplicate(j, true);
	if (!copy)
		return xstrdup("null");
	exact_numbers(copy);
	char *p = cJSON_Print(copy);
	cJSON_Delete(copy);
	char *s = xstrdup(p ? p : "null");
	cJSON_free(p);
	return s;
}

/* The line of the first "\u0000" inside a string, or 0. */
static long nul_escape_line(const char *text)
{
	long line = 1;
	bool in_string = false;
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			line++;
		if (!in_string) {
			in_string = *p == '"';
			continue;
		}
		if (*p == '"') {
			in_string = false;
		} else if (*p == '\\' && p[1]) {
			if (p[1] == 'u' && !strncmp(p + 2, "0000", 4))
				return line;
			p++;
		}
	}
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* The first key that appears twice in one object under j, or NULL (*in:
 * that object). Sorting each object's keys keeps this n log n for objects
 * of any size. */
static const char *duplicate_key(const cJSON *j, const cJSON **in)
{
	size_t n = 0;
	for (const cJSON *c = j->child; c; c = c->next)
		n++;
	if (cJSON_IsObject(j) && n > 1) {
		const cJSON **keys = xcalloc(n, sizeof *keys);
		size_t i = 0;
		for (const cJSON *c = j->child; c; c = c->next)
			keys[i++] = c;
		qsort(keys, n, sizeof *keys, cmp_key);
		const char *dup = NULL;
		for (i = 1; i < n && !dup; i++)
			if (!strcmp(keys[i - 1]->string, keys[i]->string))
				dup = keys[i]->string;
		free(keys);
		if (dup) {
			*in = j;
			return dup;
		}
	}
	for (const cJSON *c = j->child; c; c = c->next) {
		const char *dup = duplicate_key(c, in);
		if (dup)
			return dup;
	}
	return NULL;
}

/* The member names from root down to object obj, each level an object
 * member (false when obj is inside an array, or not under root). */
static bool names_to(const cJSON *root, const cJSON *obj, const char **names, size_t max,
		     size_t *n)
{
	if (root == obj)
		return true;
	if (!cJSON_IsObject(root) || *n >= max)
		return false;
	for (const cJSON *c = root->child; c; c = c->next) {
		names[(*n)++] = c->string;
		if (names_to(c, obj, names, max, n))
			return true;
		(*n)--;
	}
	return false;
}

static unsigned member_line(const char *text, const char *const *names, size_t n,
			    unsigned skip);

int json_check_strict(const char *text, const cJSON *root, const char *origin,
		      struct ft_err *err)
{
	long line = nul_escape_line(text);
	if (line)
		return ft_fail(err, FT_EINPUT, "%s:%ld: a string holds \\u0000 (a NUL character)",
			       origin, line);
	const cJSON *in = NULL;
	const char *dup = root ? duplicate_key(root, &in) : NULL;
	if (dup) {
		/* the line of its second appearance, when objects lead to it */
		enum { DEPTH = 64 };
		const char *names[DEPTH + 1];
		size_t n = 0;
		unsigned at = 0;
		if (names_to(root, in, names, DEPTH, &n)) {
			names[n++] = dup;
			at = member_line(text, names, n, 1);
		}
		char *shown = ft_escape_controls(dup);
		if (at)
			ft_fail(err, FT_EINPUT, "%s:%u: key \"%s\" appears twice in one object",
				origin, at, shown);
		else
			ft_fail(err, FT_EINPUT, "%s: key \"%s\" appears twice in one object", origin,
				shown);
		free(shown);
		return -1;
	}
	return 0;
}

cJSON *json_add_text(cJSON *obj, const char *key, const char *s)
{
	char *clean = ft_utf8_clean(s);
	cJSON *item = cJSON_AddStringToObject(obj, key, clean);
	free(clean);
	return item;
}

int json_text_utf8(const char *name, const char *text, struct ft_err *err)
{
	const char *bad = text ? ft_utf8_first_bad(text) : NULL;
	if (!bad)
		return 0;
	const char *from = bad - text > 24 ? bad - 24 : text;
	char *near = xstrndup(from, 48);
	char *shown = ft_escape_controls(near);
	ft_fail(err, FT_EINPUT, "%s would hold text that is not UTF-8 (near \"%s\"), from a data "
		"file in another encoding; convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8)",
		name, shown);
	free(shown);
	free(near);
	return -1;
}

cJSON *json_parse(const char *text, const char *origin, struct ft_err *err)
{
	/* Strict: text after the value is damage, not something to ignore. */
	cJSON *j = cJSON_ParseWithOpts(text, NULL, true);
	if (!j) {
		const char *at = cJSON_GetErrorPtr();
		long line = 1;
		for (const char *p = text; at && p < at && *p; p++)
			line += *p == '\n';
		ft_fail(err, FT_EINPUT, "%s:%ld: not valid JSON", origin, line);
		return NULL;
	}
	if (json_check_strict(text, j, origin, err) < 0) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* ---- finding a member's line ------------------------------------------
 * A scan over text already known to be JSON: only the structure is
 * followed (strings, brackets, the rest skipped to the next delimiter). */

struct scan {
	const char *p;
	unsigned line;
};

/* What cJSON passes over between tokens: every byte from 1 to 32 (not
 * only JSON's four blanks), so the scan keeps in step with its parse. */
static void scan_blanks(struct scan *s)
{
	for (; *s->p && (unsigned char)*s->p <= 32; s->p++)
		if (*s->p == '\n')
			s->line++;
}

static void scan_string(struct scan *s)
{
	for (s->p++; *s->p && *s->p != '"'; s->p++)
		if (*s->p == '\\' && s->p[1])
			s->p++;
	if (*s->p)
		s->p++;
}

/* Past one value; nesting is bounded by cJSON's limit, which the text met. */
static void scan_value(struct scan *s)
{
	scan_blanks(s);
	char open = *s->p;
	if (open == '"') {
		scan_string(s);
		return;
	}
	if (open != '{' && open != '[') {
		while ((unsigned char)*s->p > 32 && !strchr(",]}", *s->p))
			s->p++;
		return;
	}
	char close = open == '{' ? '}' : ']';
	s->p++;
	for (;;) {
		scan_blanks(s);
		if (!*s->p || *s->p == close) {
			if (*s->p)
				s->p++;
			return;
		}
		/* a member that moves nothing is text the scan cannot follow:
		 * give up (no line) rather than loop */
		const char *was = s->p;
		if (open == '{') {
			scan_string(s);
			scan_blanks(s);
			if (*s->p == ':')
				s->p++;
		}
		scan_value(s);
		scan_blanks(s);
		if (*s->p == ',')
			s->p++;
		if (s->p == was) {
			while (*s->p)
				s->p++;
			return;
		}
	}
}

/* Does the key token [from, to) (quotes included) spell name? */
static bool key_is(const char *from, const char *to, const char *name)
{
	if (!memchr(from, '\\', (size_t)(to - from)))
		return (size_t)(to - from) == strlen(name) + 2 && !memcmp(from + 1, name, strlen(name));
	char *tok = xstrndup(from, (size_t)(to - from));
	cJSON *v = cJSON_Parse(tok);
	bool same = v && cJSON_IsString(v) && strcmp(v->valuestring, name) == 0;
	cJSON_Delete(v);
	free(tok);
	return same;
}

unsigned json_member_line(const char *text, const char *const *names, size_t n)
{
	return member_line(text, names, n, 0);
}

/* json_member_line, passing over the first skip members of the last name
 * (a duplicated key's later appearances). */
static unsigned member_line(const char *text, const char *const *names, size_t n,
			    unsigned skip)
{
	struct scan s = { text, 1 };
	for (size_t level = 0; level < n; level++) {
		scan_blanks(&s);
		if (*s.p != '{')
			return 0;
		s.p++;
		for (;;) {
			scan_blanks(&s);
			if (*s.p != '"')
				return 0;
			const char *key = s.p;
			unsigned line = s.line;
			scan_string(&s);
			bool hit = names[level] && key_is(key, s.p, names[level]);
			scan_blanks(&s);
			if (*s.p == ':')
				s.p++;
			if (hit && level + 1 == n && skip) {
				skip--;
				hit = false;
			}
			if (hit) {
				if (level + 1 == n)
					return line;
				break;
			}
			scan_value(&s);
			scan_blanks(&s);
			if (*s.p != ',')
				return 0;
			s.p++;
		}
	}
	return 0;
}

static bool parse_decimal(const char **s, int *out)
{
	const char *p = *s;
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return false;
	long v = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > 999999)
			return false;
	}
	*out = (int)v;
	*s = p;
	return true;
}

bool json_format_version_parse(const char *s, int *major, int *minor)
{
	int a, b;
	if (!s || !parse_decimal(&s, &a) || *s++ != '.' || !parse_decimal(&s, &b) || *s)
		return false;
	*major = a;
	*minor = b;
	return true;
}

/* ------------------------------------------------------------- reading */

const char *json_key(char *buf, size_t size, const char *base, const char *name)
{
	bool b = base && base[0], n = name && name[0];
	bool dot = b && n && base[strlen(base) - 1] != '.';
	snprintf(buf, size, "%s%s%s", b ? base : "", dot ? "." : "", n ? name : "");
	return buf;
}

static int vfail(const struct json_reader *r, const char *key, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static int vfail(const struct json_reader *r, const char *key, const char *fmt, va_list ap)
{
	char text[sizeof r->err->msg];
	vsnprintf(text, sizeof text, fmt, ap);
	bool o = r->origin && r->origin[0], k = key && key[0];
	return ft_fail(r->err, FT_EINPUT, "%s%s%s%s%s", o ? r->origin : "", o ? ": " : "",
		       k ? key : "", k ? ": " : "", text);
}

int json_fail(const struct json_reader *r, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(r, key, fmt, ap);
	va_end(ap);
	return rc;
}

void json_describe(const cJSON *v, char *buf, size_t size)
{
	char *text = v ? cJSON_PrintUnformatted(v) : NULL;
	if (!text) {
		snprintf(buf, size, "?");
		return;
	}
	if (strlen(text) > 60)
		snprintf(buf, size, "%.57s...", text);
	else
		snprintf(buf, size, "%s", text);
	free(text);
}

int json_expected(const struct json_reader *r, const char *key, const cJSON *v,
		  const char *what)
{
	if (!r->echo)
		return json_fail(r, key, "expected %s", what);
	char got[80];
	json_describe(v, got, sizeof got);
	return json_fail(r, key, "expected %s, got %s", what, got);
}

const char *json_string(const struct json_reader *r, const char *key, const cJSON *v,
			const char *what)
{
	if (!cJSON_IsString(v) || !v->valuestring) {
		json_expected(r, key, v, what ? what : "a string");
		return NULL;
	}
	return v->valuestring;
}

int json_bool(const struct json_reader *r, const char *key, const cJSON *v, bool *out)
{
	if (!cJSON_IsBool(v))
		return json_expected(r, key, v, "true or false");
	*out = cJSON_IsTrue(v);
	return 0;
}

int json_number(const struct json_reader *r, const char *key, const cJSON *v,
		double lo, double hi, unsigned flags, const char *what, double *out)
{
	if (!what)
		what = "a number";
	if ((flags & JSON_NULL_NAN) && cJSON_IsNull(v)) {
		*out = NAN;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return json_expected(r, key, v, what);
	double d = v->valuedouble;
	if (!(flags & JSON_INFINITE_OK) && !isfinite(d))
		return json_expected(r, key, v, what);
	if (d < lo || d > hi || ((flags & JSON_LO_OPEN) && d == lo))
		return json_expected(r, key, v, what);
	*out = d;
	return 0;
}

int json_integer(const struct json_reader *r, const char *key, const cJSON *v,
		 int64_t lo, int64_t hi, const char *what_type, const char *what_range,
		 int64_t *out)
{
	if (!cJSON_IsNumber(v))
		return json_expected(r, key, v, what_type ? what_type : "a number");
	double d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || d < (double)lo || d > (double)hi) {
		if (what_range)
			return json_expected(r, key, v, what_range);
		char what[80];
		snprintf(what, sizeof what, "an integer from %" PRId64 " to %" PRId64, lo, hi);
		return json_expected(r, key, v, what);
	}
	*out = (int64_t)d;
	return 0;
}

int json_strings(const struct json_reader *r, const char *key, const cJSON *v,
		 size_t max, const char *what_list, const char *what_item,
		 char ***out, size_t *n)
{
	if (!what_list)
		what_list = "a list of strings";
	if (!cJSON_IsArray(v))
		return json_expected(r, key, v, what_list);
	size_t count = (size_t)cJSON_GetArraySize(v);
	if (count > max) {
		char what[64];
		snprintf(what, sizeof what, "at most %zu strings", max);
		return json_expected(r, key, v, what);
	}
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
		if (!cJSON_IsString(e) || !e->valuestring)
			return json_expected(r, key, e, what_item ? what_item : what_list);
	char **list = count ? xcalloc(count, sizeof *list) : NULL;
	size_t i = 0;
	cJSON_ArrayForEach(e, v)
		list[i++] = xstrdup(e->valuestring);
	*out = list;
	*n = i;
	return 0;
}

const cJSON *json_member(const struct json_reader *r, const cJSON *obj, const char *base,
			 const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!v) {
		char key[300];
		json_fail(r, json_key(key, sizeof key, base, name), "missing");
	}
	return v;
}

const cJSON *json_get_object(const struct json_reader *r, const cJSON *obj,
			     const char *base, const char *name)
{
	const cJSON *v = json_member(r, obj, base, name);
	if (v && !cJSON_IsObject(v)) {
		char key[300];
		json_expected(r, json_key(key, sizeof key, base, name), v, "an object");
		return NULL;
	}
	return v;
}

const cJSON *json_get_array(const struct json_reader *r, const cJSON *obj,
			    const char *base, const char *name, const char *what)
{
	const cJSON *v = json_member(r, obj, base, name);
	if (v && !cJSON_IsArray(v)) {
		char key[300];
		json_expected(r, json_key(key, sizeof key, base, name), v, what ? what : "a list");
		return NULL;
	}
	return v;
}

const char *json_get_string(const struct json_reader *r, const cJSON *obj,
			    const char *base, const char *name)
{
	const cJSON *v = json_member(r, obj, base, name);
	char key[300];
	return v ? json_string(r, json_key(key, sizeof key, base, name), v, NULL) : NULL;
}

int json_get_text(const struct json_reader *r, const cJSON *obj, const char *base,
		  const char *name, char **out)
{
	const char *s = json_get_string(r, obj, base, name);
	if (!s)
		return -1;
	*out = xstrdup(s);
	return 0;
}

int json_get_bool(const struct json_reader *r, const cJSON *obj, const char *base,
		  const char *name, bool *out)
{
	const cJSON *v = json_member(r, obj, base, name);
	char key[300];
	return v ? json_bool(r, json_key(key, sizeof key, base, name), v, out) : -1;
}

int json_get_number(const struct json_reader *r, const cJSON *obj, const char *base,
		    const char *name, unsigned flags, const char *what, double *out)
{
	const cJSON *v = json_member(r, obj, base, name);
	char key[300];
	return v ? json_number(r, json_key(key, sizeof key, base, name), v, -INFINITY,
			       INFINITY, flags, what, out) : -1;
}

int json_get_integer(const struct json_reader *r, const cJSON *obj, const char *base,
		     const char *name, int64_t lo, int64_t hi, const char *what_type,
		     const char *what_range, int64_t *out)
{
	const cJSON *v = json_member(r, obj, base, name);
	char key[300];
	return v ? json_integer(r, json_key(key, sizeof key, base, name), v, lo, hi,
				what_type, what_range, out) : -1;
}

int json_get_strings(const struct json_reader *r, const cJSON *obj, const char *base,
		     const char *name, char ***out, size_t *n)
{
	const cJSON *v = json_member(r, obj, base, name);
	char key[300];
	return v ? json_strings(r, json_key(key, sizeof key, base, name), v, SIZE_MAX, NULL,
				NULL, out, n) : -1;
}

int json_get_format_version(const struct json_reader *r, const cJSON *obj,
			    int major_known, int *major, int *minor)
{
	const char *s = json_get_string(r, obj, NULL, "format_version");
	if (!s)
		return -1;
	int a = 0, b = 0;
	if (!json_format_version_parse(s, &a, &b))
		return json_fail(r, "format_version", "expected \"MAJOR.MINOR\", found \"%s\"", s);
	if (a != major_known)
		return json_fail(r, NULL, "format_version %s is not supported (this program "
				 "reads %d.x)", s, major_known);
	*major = a;
	*minor = b;
	return 0;
}
