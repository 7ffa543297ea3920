/* The group policy (parsing, JSON round trip, admitting, flags), alias
 * names, McNemar's exact test against hand-computed values, and the
 * must-beat verdict. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "compare.h"
#include "registry_policy.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-12)

static void test_parse_and_round_trip(void **state)
{
	(void)state;
	struct registry_policy p = { 0 };
	struct ft_err err;
	assert_int_equal(registry_policy_parse_gate("recall.lower>=0.5, alerts<=500", &p, &err), 0);
	assert_int_equal(p.ngate, 2);
	assert_string_equal(p.gate[0].metric, "recall.lower");
	assert_int_equal(p.gate[1].op, OP_LE);
	char *text = registry_policy_gate_text(p.gate, p.ngate);
	assert_string_equal(text, "recall.lower>=0.5,alerts<=500");
	free(text);
	/* bad conditions are refused, and p keeps what it had */
	assert_int_equal(registry_policy_parse_gate("speed>=1", &p, &err), -1);
	assert_non_null(strstr(err.msg, "--gate: expected a metric name"));
	assert_int_equal(registry_policy_parse_gate("tp.lower>=1", &p, &err), -1);
	assert_int_equal(registry_policy_parse_gate("net_savings.lower>=1", &p, &err), -1);
	assert_int_equal(p.ngate, 2);
	p.set = true;
	p.four_eyes = true;
	p.must_beat_champion = true;
	p.reason = strdup("committee");
	p.user = strdup("alice");
	p.time = strdup("2026-12-01T00:00:00Z");
	cJSON *j = registry_policy_to_json(&p);
	struct registry_policy q;
	assert_int_equal(registry_policy_from_json(j, "group.json", &q, &err), 0);
	cJSON_Delete(j);
	assert_true(q.set && q.four_eyes && q.must_beat_champion);
	assert_int_equal(q.ngate, 2);
	assert_true(q.gate[1].value == 500);
	assert_string_equal(q.user, "alice");
	registry_policy_free(&q);
	/* none clears the conditions */
	assert_int_equal(registry_policy_parse_gate("none", &p, &err), 0);
	assert_int_equal(p.ngate, 0);
	registry_policy_free(&p);
	registry_policy_free(NULL);

	/* a damaged member is reported, never half read */
	const char *bad[] = {
		"[]", "{\"gate\": 1}", "{\"gate\": [], \"four_eyes\": 1}",
		"{\"gate\": [], \"four_eyes\": true, \"must_beat\": \"all\", \"reason\": \"\", "
		"\"user\": \"\", \"time\": \"\"}",
		"{\"gate\": [{\"metric\": \"speed\", \"op\": \">=\", \"value\": 1}], \"four_eyes\": "
		"true, \"must_beat\": \"none\", \"reason\": \"\", \"user\": \"\", \"time\": \"\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *b = cJSON_Parse(bad[i]);
		assert_int_equal(registry_policy_from_json(b, "g/group.json", &q, &err), -1);
		assert_non_null(strstr(err.msg, "g/group.json"));
		assert_false(q.set);
		cJSON_Delete(b);
	}
	assert_int_equal(registry_policy_from_json(NULL, "g", &q, &err), 0);
	assert_false(q.set);
}

static void test_admits(void **state)
{
	(void)state;
	struct registry_policy p = { 0 };
	struct ft_err err;
	assert_int_equal(registry_policy_parse_gate("recall>=0.5,alerts<=10", &p, &err), 0);
	p.set = true;
	struct metrics m;
	memset(&m, 0, sizeof m);
	m.recall = 0.6;
	m.amount.alerts = 10;
	char why[200];
	assert_true(registry_policy_admits(&p, &m, why, sizeof why));
	m.amount.alerts = 11;
	assert_false(registry_policy_admits(&p, &m, why, sizeof why));
	assert_string_equal(why, "alerts 11 is not <= 10");
	m.amount.alerts = 3;
	m.recall = 0.25;
	assert_false(registry_policy_admits(&p, &m, why, sizeof why));
	assert_string_equal(why, "recall 0.25 is not >= 0.5");
	/* an interval that was not computed does not pass */
	assert_int_equal(registry_policy_parse_gate("recall.lower>=0.1", &p, &err), 0);
	assert_false(registry_policy_admits(&p, &m, why, sizeof why));
	assert_string_equal(why, "recall.lower>=0.1: recall.lower is not measured");
	/* no policy admits everything */
	struct registry_policy none = { 0 };
	assert_true(registry_policy_admits(&none, &m, why, sizeof why));
	assert_true(registry_policy_admits(NULL, &m, why, sizeof why));
	registry_policy_free(&p);
}

static size_t flags(const struct registry_policy *p, const char *gate, const char *thr,
		    char ***out)
{
	cJSON *g = gate ? cJSON_Parse(gate) : NULL, *t = thr ? cJSON_Parse(thr) : NULL;
	size_t n = registry_policy_flags(p, g, t, out);
	cJSON_Delete(g);
	cJSON_Delete(t);
	return n;
}

static void free_lines(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void test_flags(void **state)
{
	(void)state;
	struct registry_policy p = { 0 };
	struct ft_err err;
	assert_int_equal(registry_policy_parse_gate("recall>=0.5,alerts<=500", &p, &err), 0);
	p.set = true;
	char **l;
	/* stricter than both: nothing to flag */
	size_t n = flags(&p, "[{\"metric\":\"accuracy\",\"op\":\">\",\"value\":0.9},"
			 "{\"metric\":\"recall\",\"op\":\">=\",\"value\":0.5},"
			 "{\"metric\":\"alerts\",\"op\":\"<\",\"value\":100}]", "0.5", &l);
	assert_int_equal(n, 0);
	free_lines(l, n);
	/* the session: gate lowered, threshold moved */
	n = flags(&p, "[{\"metric\":\"accuracy\",\"op\":\">=\",\"value\":0.8},"
		  "{\"metric\":\"recall\",\"op\":\">=\",\"value\":0.65}]", "0.3", &l);
	assert_int_equal(n, 3);
	assert_string_equal(l[0], "gate lacks the policy's alerts<=500");
	assert_string_equal(l[1], "gate accuracy>=0.8 is weaker than the default accuracy>=0.85");
	assert_string_equal(l[2], "threshold 0.3, not the default 0.5");
	free_lines(l, n);
	/* > 0.5 covers >= 0.5, but >= 0.5 does not cover > 0.5; == covers */
	struct registry_policy q = { 0 };
	assert_int_equal(registry_policy_parse_gate("recall>0.5", &q, &err), 0);
	q.set = true;
	n = flags(&q, "[{\"metric\":\"recall\",\"op\":\">=\",\"value\":0.5},"
		  "{\"metric\":\"accuracy\",\"op\":\"==\",\"value\":0.9}]", "\"min_cost\"", &l);
	assert_int_equal(n, 2);
	assert_string_equal(l[0], "gate recall>=0.5 is weaker than the policy's recall>0.5");
	assert_string_equal(l[1], "threshold min_cost (least cost on validation), not the "
			    "default 0.5");
	free_lines(l, n);
	/* no policy: only the defaults; no gate recorded says so */
	n = flags(NULL, "[]", "0.5", &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0], "gate lacks the default accuracy>=0.85");
	free_lines(l, n);
	n = flags(NULL, NULL, NULL, &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0], "gate: not recorded in pipeline.json");
	free_lines(l, n);
	registry_policy_free(&p);
	registry_policy_free(&q);
}

static void test_aliases(void **state)
{
	(void)state;
	assert_true(registry_alias_valid("champion"));
	assert_true(registry_alias_valid("canary-2"));
	assert_false(registry_alias_valid("Champion"));
	assert_false(registry_alias_valid("2nd"));
	assert_false(registry_alias_valid(""));
	assert_false(registry_alias_valid(NULL));
	assert_false(registry_alias_valid("a/b"));
	assert_false(registry_alias_valid("abcdefghijklmnopqrstuvwxyz0123456"));   /* 33 */
	cJSON *g = cJSON_Parse("{\"aliases\": {\"champion\": 3, \"bad\": 1.5, \"neg\": -1}}");
	assert_int_equal(registry_alias_get(g, "champion"), 3);
	assert_int_equal(registry_alias_get(g, "bad"), 0);
	assert_int_equal(registry_alias_get(g, "neg"), 0);
	assert_int_equal(registry_alias_get(g, "canary"), 0);
	cJSON_Delete(g);
}

/* 2 P(X <= min(b, c)), X ~ Binomial(b + c, 1/2), at most 1 */
static void test_mcnemar(void **state)
{
	(void)state;
	NEAR(compare_mcnemar(0, 0), 1.0);
	NEAR(compare_mcnemar(1, 0), 1.0);
	NEAR(compare_mcnemar(5, 0), 2.0 / 32);
	NEAR(compare_mcnemar(0, 5), 2.0 / 32);
	NEAR(compare_mcnemar(10, 2), 2.0 * (1 + 12 + 66) / 4096);
	NEAR(compare_mcnemar(3, 3), 1.0);
	/* 20 vs 5: 2 * sum_{k<=5} C(25, k) / 2^25 */
	double s = 0, c = 1;
	for (int k = 0; k <= 5; k++) {
		s += c;
		c = c * (25 - k) / (k + 1);
	}
	NEAR(compare_mcnemar(20, 5), 2.0 * s / 33554432.0);
}

static void test_beats(void **state)
{
	(void)state;
	struct compare_result r;
	memset(&r, 0, sizeof r);
	r.m[0].recall = 0.5;
	r.m[1].recall = 0.6;
	r.frauds.b = 20;
	r.frauds.c = 5;
	r.frauds.p = compare_mcnemar(20, 5);
	r.decisions.b = 30;
	r.decisions.c = 30;
	r.decisions.p = 1;
	char why[400];
	assert_true(compare_beats(&r, why, sizeof why));
	assert_non_null(strstr(why, "recall 0.6 beats 0.5"));
	compare_swap(&r);
	assert_false(compare_beats(&r, why, sizeof why));
	assert_non_null(strstr(why, "is significantly better"));
	/* more recall without a significant test is not enough */
	compare_swap(&r);
	r.frauds.b = 6;
	r.frauds.c = 5;
	r.frauds.p = compare_mcnemar(6, 5);
	assert_false(compare_beats(&r, why, sizeof why));
	/* net savings with the decisions test */
	r.m[1].amount.net_savings = 100;
	r.m[0].amount.net_savings = 50;
	r.decisions.b = 40;
	r.decisions.c = 10;
	r.decisions.p = compare_mcnemar(40, 10);
	assert_true(compare_beats(&r, why, sizeof why));
	assert_non_null(strstr(why, "net savings 100.00 beat 50.00"));
	/* more savings but wrong more often: no */
	r.decisions.b = 10;
	r.decisions.c = 40;
	assert_false(compare_beats(&r, why, sizeof why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_round_trip),
		cmocka_unit_test(test_admits),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_mcnemar),
		cmocka_unit_test(test_beats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
