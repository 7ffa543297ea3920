/* json: what the modules that write and read fraudtree's JSON files
 * (model.json, pipeline.json, manifest.json) share on top of cJSON.
 *
 * Numbers: cJSON's own printer keeps 15 digits when they read back "close
 * enough", which loses the last bit of values such as 0.30000000000000004;
 * these items carry fmt_double's exact text instead. Parsing: errors name
 * the file and the line where the text stops being JSON. */
#ifndef FT_JSON_H
#define FT_JSON_H

#include <stdbool.h>
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
 * NULL with "ORIGIN:LINE: not valid JSON" otherwise. Stricter than JSON
 * itself where readers disagree: a string holding \u0000 (which C readers
 * cut short and others keep) and an object with the same key twice (first
 * wins in some readers, last in others) are refused, naming the line or
 * the key. The caller frees the result with cJSON_Delete. */
struct cJSON *json_parse(const char *text, const char *origin, struct ft_err *err);

/* The checks json_parse adds, for a reader that parses text itself:
 * 0 when text (already parsed into root) has neither, else -1 with err. */
int json_check_strict(const char *text, const struct cJSON *root, const char *origin,
		      struct ft_err *err);

/* A "MAJOR.MINOR" version string, digits only, no sign, blank or leading
 * zero ("1.0", "2.13"; never " 1.0", "+1.0", "01.0", "1.0.0"). */
bool json_format_version_parse(const char *s, int *major, int *minor);

#endif
