/* Unit tests for json.c's field reader: the one place where the settings,
 * the recipe, the tree and the registry check a value and say what was
 * wrong with it ("ORIGIN: KEY: WHAT"). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>
#include "json.h"

static cJSON *doc(const char *text)
{
	struct ft_err err;
	cJSON *j = json_parse(text, "t.json", &err);
	assert_non_null(j);
	return j;
}

static void test_messages_name_origin_and_key(void **state)
{
	(void)state;
	struct ft_err err;
	struct json_reader r = { .origin = "m.json", .err = &err };
	cJSON *j = doc("{\"a\": {\"b\": 3, \"s\": \"x\", \"t\": true}, \"l\": [\"p\", 1]}");
	const cJSON *a = json_get_object(&r, j, NULL, "a");
	assert_non_null(a);
	assert_null(json_member(&r, a, "a", "zz"));
	assert_string_equal(err.msg, "m.json: a.zz: missing");
	assert_null(json_get_string(&r, a, "a", "b"));
	assert_string_equal(err.msg, "m.json: a.b: expected a string");
	bool b;
	assert_int_equal(json_get_bool(&r, a, "a", "s", &b), -1);
	assert_string_equal(err.msg, "m.json: a.s: expected true or false");
	assert_int_equal(json_get_bool(&r, a, "a", "t", &b), 0);
	assert_true(b);
	assert_null(json_get_object(&r, a, "a", "b"));
	assert_string_equal(err.msg, "m.json: a.b: expected an object");
	char **v = NULL;
	size_t n = 7;
	assert_int_equal(json_get_strings(&r, j, NULL, "l", &v, &n), -1);
	assert_string_equal(err.msg, "m.json: l: expected a list of strings");
	assert_null(v);
	assert_int_equal(n, 7);   /* untouched on failure */

	/* a base already ending in a dot (the tree's "tree.params.") gets no second one */
	char k[64];
	assert_string_equal(json_key(k, sizeof k, "tree.params.", "max_bins"), "tree.params.max_bins");
	assert_string_equal(json_key(k, sizeof k, "a", "b"), "a.b");
	assert_string_equal(json_key(k, sizeof k, NULL, "b"), "b");
	assert_string_equal(json_key(k, sizeof k, "a", NULL), "a");

	/* no origin, no key: what the settings put their own key in front of */
	struct json_reader bare = { .err = &err, .echo = true };
	double d;
	assert_int_equal(json_number(&bare, NULL, cJSON_GetObjectItem(a, "s"), 0, 1, 0,
				     "a number between 0 and 1", &d), -1);
	assert_string_equal(err.msg, "expected a number between 0 and 1, got \"x\"");
	cJSON_Delete(j);
}

static void test_numbers(void **state)
{
	(void)state;
	struct ft_err err;
	struct json_reader r = { .origin = "o", .err = &err };
	cJSON *j = doc("{\"half\": 0.5, \"big\": 1e999, \"none\": null, \"two\": 2, \"neg\": -1}");
	double d;
	assert_int_equal(json_get_number(&r, j, NULL, "half", 0, NULL, &d), 0);
	assert_true(d == 0.5);
	/* infinity (1e999 parses to it) only when asked for */
	assert_int_equal(json_get_number(&r, j, NULL, "big", 0, NULL, &d), -1);
	assert_string_equal(err.msg, "o: big: expected a number");
	assert_int_equal(json_get_number(&r, j, NULL, "big", JSON_INFINITE_OK, NULL, &d), 0);
	assert_true(isinf(d));
	assert_int_equal(json_get_number(&r, j, NULL, "none", 0, NULL, &d), -1);
	assert_int_equal(json_get_number(&r, j, NULL, "none", JSON_NULL_NAN, NULL, &d), 0);
	assert_true(isnan(d));
	/* the open lower bound */
	const cJSON *zero = doc("0");
	assert_int_equal(json_number(&r, "k", zero, 0, 1, JSON_LO_OPEN, "more than 0", &d), -1);
	assert_string_equal(err.msg, "o: k: expected more than 0");
	assert_int_equal(json_number(&r, "k", zero, 0, 1, 0, NULL, &d), 0);
	cJSON_Delete((cJSON *)zero);

	int64_t i;
	assert_int_equal(json_get_integer(&r, j, NULL, "half", 0, 9, NULL, NULL, &i), -1);
	assert_string_equal(err.msg, "o: half: expected an integer from 0 to 9");
	assert_int_equal(json_get_integer(&r, j, NULL, "neg", 0, 9, NULL, "a count", &i), -1);
	assert_string_equal(err.msg, "o: neg: expected a count");
	assert_int_equal(json_get_integer(&r, j, NULL, "none", 0, 9, NULL, "a count", &i), -1);
	assert_string_equal(err.msg, "o: none: expected a number");
	assert_int_equal(json_get_integer(&r, j, NULL, "two", 0, 9, NULL, NULL, &i), 0);
	assert_int_equal(i, 2);
	cJSON_Delete(j);
}

static void test_strings_list_limits(void **state)
{
	(void)state;
	struct ft_err err;
	struct json_reader r = { .err = &err, .echo = true };
	cJSON *j = doc("[\"a\", \"b\", 3]");
	char **v;
	size_t n;
	assert_int_equal(json_strings(&r, NULL, j, 2, NULL, "a string", &v, &n), -1);
	assert_string_equal(err.msg, "expected at most 2 strings, got [\"a\",\"b\",3]");
	assert_int_equal(json_strings(&r, NULL, j, 10, NULL, "a string", &v, &n), -1);
	assert_string_equal(err.msg, "expected a string, got 3");
	cJSON_Delete(j);
	j = doc("[\"a\", \"b\"]");
	assert_int_equal(json_strings(&r, NULL, j, 10, NULL, NULL, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "b");
	free(v[0]);
	free(v[1]);
	free(v);
	cJSON_Delete(j);
}

static void test_format_version(void **state)
{
	(void)state;
	struct ft_err err;
	struct json_reader r = { .origin = "f.json", .err = &err };
	int a, b;
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "{}", "f.json: format_version: missing" },
		{ "{\"format_version\": 1}", "f.json: format_version: expected a string" },
		{ "{\"format_version\": \"01.0\"}",
		  "f.json: format_version: expected \"MAJOR.MINOR\", found \"01.0\"" },
		{ "{\"format_version\": \"1.0.0\"}",
		  "f.json: format_version: expected \"MAJOR.MINOR\", found \"1.0.0\"" },
		{ "{\"format_version\": \"2.0\"}",
		  "f.json: format_version 2.0 is not supported (this program reads 1.x)" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *j = doc(bad[i].text);
		assert_int_equal(json_get_format_version(&r, j, 1, &a, &b), -1);
		assert_string_equal(err.msg, bad[i].msg);
		cJSON_Delete(j);
	}
	cJSON *j = doc("{\"format_version\": \"1.7\"}");
	assert_int_equal(json_get_format_version(&r, j, 1, &a, &b), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 7);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages_name_origin_and_key),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings_list_limits),
		cmocka_unit_test(test_format_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
