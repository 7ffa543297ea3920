/* json: exact numbers and located parse errors over cJSON (see json.h).
 * Number text comes from fmt_double or the integer's decimal form, so the
 * same value always gives the same bytes and reads back bit for bit. */
#include "config.h"
#include "json.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
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

/* The first key that appears twice in one object under j, or NULL. Sorting
 * each object's keys keeps this n log n for objects of any size. */
static const char *duplicate_key(const cJSON *j)
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
		if (dup)
			return dup;
	}
	for (const cJSON *c = j->child; c; c = c->next) {
		const char *dup = duplicate_key(c);
		if (dup)
			return dup;
	}
	return NULL;
}

int json_check_strict(const char *text, const cJSON *root, const char *origin,
		      struct ft_err *err)
{
	long line = nul_escape_line(text);
	if (line)
		return ft_fail(err, FT_EINPUT, "%s:%ld: a string holds \\u0000 (a NUL character)",
			       origin, line);
	const char *dup = root ? duplicate_key(root) : NULL;
	if (dup) {
		char *shown = ft_escape_controls(dup);
		ft_fail(err, FT_EINPUT, "%s: key \"%s\" appears twice in one object", origin, shown);
		free(shown);
		return -1;
	}
	return 0;
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
