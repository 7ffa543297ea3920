/* json_num: exact JSON numbers as cJSON raw items (see json_num.h). The
 * text comes from fmt_double or the integer's decimal form, so the same
 * value always gives the same bytes and reads back bit for bit. */
#include "config.h"
#include "json_num.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>

#include "util.h"

cJSON *json_num(double v)
{
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
