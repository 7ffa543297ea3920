/* json: exact numbers and located parse errors over cJSON (see json.h).
 * Number text comes from fmt_double or the integer's decimal form, so the
 * same value always gives the same bytes and reads back bit for bit. */
#include "config.h"
#include "json.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
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
	}
	return j;
}
