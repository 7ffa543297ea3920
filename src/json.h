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
#include <stddef.h>
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

/* cJSON_AddStringToObject for text a report shows (a column name, a
 * path): bytes that are not UTF-8 become U+FFFD, so the JSON printed is
 * UTF-8 whatever the data file's encoding. Returns the item. */
struct cJSON *json_add_text(struct cJSON *obj, const char *key, const char *s);

/* A file that other programs read is UTF-8 JSON: 0 when text is UTF-8
 * throughout, else -1 with "NAME would hold text that is not UTF-8 (near
 * ...)" and how to convert the data file it came from (a column name or a
 * category of a Latin-1 file is the usual source). */
int json_text_utf8(const char *name, const char *text, struct ft_err *err);

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

/* The line (1-based) of the member reached from text's top object
 * through the member names names[0..n) (each an object inside the one
 * before); 0 when there is none. text must be valid JSON without duplicate
 * keys (json_parse's checks), so the member is the one cJSON read. */
unsigned json_member_line(const char *text, const char *const *names, size_t n);

/* A "MAJOR.MINOR" version string, digits only, no sign, blank or leading
 * zero ("1.0", "2.13"; never " 1.0", "+1.0", "01.0", "1.0.0"). */
bool json_format_version_parse(const char *s, int *major, int *minor);

/* Reading a document field by field. Every failure is one line in the
 * reader's err, "ORIGIN: KEY: WHAT": ORIGIN the file (or "--set"; left
 * out when NULL), KEY the value's full path ("recipe.inputs[2].name",
 * "data.sha256"; left out when NULL), WHAT "missing" or "expected ...",
 * followed by ", got VALUE" when the reader echoes values (the settings
 * do: the user typed them). Each reader returns -1 (or NULL) on failure
 * and leaves its output untouched. */
struct json_reader {
	const char *origin;
	struct ft_err *err;
	bool echo;
};

/* "base.name" (no second dot when base already ends in one), or whichever
 * of the two is non-empty, into buf; returns buf. */
const char *json_key(char *buf, size_t size, const char *base, const char *name);

/* Fail with "ORIGIN: KEY: " and the printf text. */
int json_fail(const struct json_reader *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fail with "ORIGIN: KEY: expected WHAT" (", got V" when echoing v). */
int json_expected(const struct json_reader *r, const char *key, const struct cJSON *v,
		  const char *what);
/* A short printable form of v for messages (cut with "..." past 60
 * characters). */
void json_describe(const struct cJSON *v, char *buf, size_t size);

/* Value checks; key is the value's full path. `what` is the text after
 * "expected" when the value does not fit; NULL takes the default given. */
const char *json_string(const struct json_reader *r, const char *key,
			const struct cJSON *v, const char *what);          /* "a string" */
int json_bool(const struct json_reader *r, const char *key, const struct cJSON *v,
	      bool *out);                                              /* "true or false" */
/* A number in [lo, hi] (lo excluded with JSON_LO_OPEN); finite unless
 * JSON_INFINITE_OK; null reads as NAN with JSON_NULL_NAN. */
enum { JSON_LO_OPEN = 1, JSON_INFINITE_OK = 2, JSON_NULL_NAN = 4 };
int json_number(const struct json_reader *r, const char *key, const struct cJSON *v,
		double lo, double hi, unsigned flags, const char *what, double *out); /* "a number" */
/* A whole number in [lo, hi]: not a number fails with what_type ("a
 * number"), a fraction or a number out of range with what_range ("an
 * integer from LO to HI"). */
int json_integer(const struct json_reader *r, const char *key, const struct cJSON *v,
		 int64_t lo, int64_t hi, const char *what_type, const char *what_range,
		 int64_t *out);
/* A list of at most max strings, copied (caller frees each and the list).
 * Not a list, or too long: what_list ("a list of strings"; "at most MAX
 * strings"); an item that is not a string: what_item, said of the item. */
int json_strings(const struct json_reader *r, const char *key, const struct cJSON *v,
		 size_t max, const char *what_list, const char *what_item,
		 char ***out, size_t *n);

/* Members: obj's member `name`, KEY being base.name. json_member fails
 * with "missing" when it is absent; the others also check it as above. */
const struct cJSON *json_member(const struct json_reader *r, const struct cJSON *obj,
				const char *base, const char *name);
const struct cJSON *json_get_object(const struct json_reader *r, const struct cJSON *obj,
				    const char *base, const char *name);   /* "an object" */
const struct cJSON *json_get_array(const struct json_reader *r, const struct cJSON *obj,
				   const char *base, const char *name, const char *what);
const char *json_get_string(const struct json_reader *r, const struct cJSON *obj,
			    const char *base, const char *name);
/* The same, copied: caller frees *out. */
int json_get_text(const struct json_reader *r, const struct cJSON *obj, const char *base,
		  const char *name, char **out);
int json_get_bool(const struct json_reader *r, const struct cJSON *obj, const char *base,
		  const char *name, bool *out);
int json_get_number(const struct json_reader *r, const struct cJSON *obj, const char *base,
		    const char *name, unsigned flags, const char *what, double *out);
int json_get_integer(const struct json_reader *r, const struct cJSON *obj, const char *base,
		     const char *name, int64_t lo, int64_t hi, const char *what_type,
		     const char *what_range, int64_t *out);
int json_get_strings(const struct json_reader *r, const struct cJSON *obj, const char *base,
		     const char *name, char ***out, size_t *n);

/* obj's "format_version": "MAJOR.MINOR" (json_format_version_parse) with
 * MAJOR equal to major_known; a newer minor is fine. */
int json_get_format_version(const struct json_reader *r, const struct cJSON *obj,
			    int major_known, int *major, int *minor);

#endif
