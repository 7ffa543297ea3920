/* json_num: numbers for the files other programs read (model.json,
 * pipeline.json, manifest.json). cJSON's own number printer keeps 15
 * digits when they read back "close enough", which loses the last bit of
 * values such as 0.30000000000000004; these items carry fmt_double's exact
 * text instead. */
#ifndef FT_JSON_NUM_H
#define FT_JSON_NUM_H

#include <stdint.h>

struct cJSON;

/* Raw cJSON number items; the caller owns them (usually by adding them to
 * an object or array). */
struct cJSON *json_num(double v);
struct cJSON *json_int(int64_t v);
struct cJSON *json_uint(uint64_t v);

/* cJSON_AddNumberToObject with an exact number; returns the item. */
struct cJSON *json_add_num(struct cJSON *obj, const char *key, double v);

#endif
