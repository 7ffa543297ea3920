/* json: what the modules that write and read fraudtree's JSON files
 * (model.json, pipeline.json, manifest.json) share on top of cJSON.
 *
 * Numbers: cJSON's own printer keeps 15 digits when they read back "close
 * enough", which loses the last bit of values such as 0.30000000000000004;
 * these items carry fmt_double's exact text instead. Parsing: errors name
 * the file and the line where the text stops being JSON. */
#ifndef FT_JSON_H
#define FT_JSON_H

#include <stdint.h>

#include "util.h"

struct cJSON;

/* Raw cJSON number items; the caller owns them (usually by adding them to
 * an object or array). JSON has no NaN or infinity: json_num gives null
 * for them. */
struct cJSON *json_num(double v);
struct cJSON *json_int(int64_t v);
struct cJSON *json_uint(uint64_t v);

/* cJSON_AddNumberToObject with an exact number; returns the item. */
struct cJSON *json_add_num(struct cJSON *obj, const char *key, double v);

/* Pretty-print j with every number exact (a parsed tree's numbers included,
 * so reading a file and writing it back changes no bit of them). Caller
 * frees. */
char *json_print(const struct cJSON *j);

/* Parse text holding one JSON value (and nothing after it but blanks);
 * NULL with "ORIGIN:LINE: not valid JSON" otherwise. The caller frees the
 * result with cJSON_Delete. */
struct cJSON *json_parse(const char *text, const char *origin, struct ft_err *err);

#endif
