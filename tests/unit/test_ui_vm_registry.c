/* Registry screen view model: list lines (damaged versions included), a
 * version's details and audit history, differences between versions, and
 * gate conditions. Registry structures are built by hand. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vm_registry.h"
#include "vm_tree.h"

static char s_group[] = "fraud-detection-model-group", s_created[] = "2026-11-26T23:15:02Z",
	s_user[] = "alice", s_program[] = "fraudtree 0.1.0", s_desc[] = "depth 4",
	s_path[] = "data/transactions.csv", s_acc[] = "accuracy", s_ge[] = ">=",
	s_why[] = "accuracy 0.9872 >= 0.85", s_vel[] = "velocity_1h",
	s_t1[] = "2026-11-26T23:15:02Z", s_t2[] = "2026-11-27T08:00:00Z",
	s_registered[] = "registered", s_approved[] = "approved", s_empty[] = "",
	s_pending[] = "PendingManualApproval", s_approved_st[] = "Approved",
	s_gate_passed[] = "gate passed", s_reason[] = "looks good", s_bob[] = "bob",
	s_problem[] = "registry/g/3/model.json: sha256 mismatch";

static void fill_version(struct registry_version *v)
{
	memset(v, 0, sizeof *v);
	v->number = 2;
	v->m.group = s_group;
	v->m.version = 2;
	v->m.status = REG_APPROVED;
	v->m.created = s_created;
	v->m.user = s_user;
	v->m.program = s_program;
	v->m.description = s_desc;
	v->m.gate_pass = true;
	v->m.data_path = s_path;
	v->m.data_size = 1984099;
	v->m.data_rows = 20000;
	v->m.data_columns = 14;
	memcpy(v->m.data_sha256, "6c8dee23877bff06aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 65);
	v->m.has_metrics = true;
	v->m.metrics = (struct metrics){
		.cm = { .tn = 3901, .fp = 17, .fn = 34, .tp = 48 },
		.threshold = 0.5, .accuracy = 0.98725, .baseline = 0.9795,
		.precision = 0.7385, .recall = 0.5854, .f1 = 0.6531,
		.roc_auc = 0.8821, .pr_auc = 0.5709,
	};
}

static void test_short_forms(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(vm_status_short(REG_PENDING), "Pending");
	assert_string_equal(vm_status_short(REG_APPROVED), "Approved");
	assert_string_equal(vm_status_short(REG_REJECTED), "Rejected");
	vm_created_short("2026-11-26T23:15:02Z", buf, sizeof buf);
	assert_string_equal(buf, "2026-11-26 23:15");
	vm_created_short("yesterday", buf, sizeof buf);
	assert_string_equal(buf, "yesterday");
	vm_created_short(NULL, buf, sizeof buf);
	assert_string_equal(buf, "?");
}

static void test_version_line(void **state)
{
	(void)state;
	struct registry_version v;
	char buf[256];
	fill_version(&v);
	vm_version_line(&v, buf, sizeof buf);
	assert_string_equal(buf, "Approved  2026-11-26 23:15  0.9872  0.5854  6c8dee23");
	v.m.has_metrics = false;
	v.m.status = REG_PENDING;
	vm_version_line(&v, buf, sizeof buf);
	assert_string_equal(buf, "Pending   2026-11-26 23:15       -       -  6c8dee23");
	/* A damaged version says why, whatever its manifest fields hold. */
	memset(&v, 0, sizeof v);
	v.number = 3;
	v.damaged = true;
	v.problem = s_problem;
	vm_version_line(&v, buf, sizeof buf);
	assert_string_equal(buf, "DAMAGED: registry/g/3/model.json: sha256 mismatch");
	v.problem = NULL;
	vm_version_line(&v, buf, sizeof buf);
	assert_string_equal(buf, "DAMAGED: ?");
}

static bool has_line(char **lines, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(lines[i], want))
			return true;
	return false;
}

static void test_details(void **state)
{
	(void)state;
	struct registry_details d;
	memset(&d, 0, sizeof d);
	fill_version(&d.v);
	struct registry_gate_check gate = { s_acc, s_ge, 0.85, 0.98725, true, s_why };
	d.v.m.gate = &gate;
	d.v.m.ngate = 1;
	d.nodes = 29;
	d.leaves = 15;
	d.depth = 4;
	d.top[0] = (struct registry_feature){ s_vel, 0.682 };
	d.ntop = 1;
	struct registry_event ev[2] = {
		{ s_t1, s_user, s_registered, 2, s_empty, s_pending, s_gate_passed },
		{ s_t2, s_bob, s_approved, 2, s_pending, s_approved_st, s_reason },
	};
	d.events = ev;
	d.nevents = 2;

	size_t n;
	char **l = vm_registry_details(&d, &n);
	assert_string_equal(l[0], "fraud-detection-model-group/2  Approved");
	assert_string_equal(l[1], "created 2026-11-26T23:15:02Z by alice with fraudtree 0.1.0");
	assert_true(has_line(l, n, "description: depth 4"));
	assert_true(has_line(l, n, "data: data/transactions.csv"));
	assert_true(has_line(l, n, "      20000 rows x 14 columns, 1984099 bytes, sha256 6c8dee23877bff06"));
	assert_true(has_line(l, n, "test: accuracy 0.9872 (baseline 0.9795)"));
	assert_true(has_line(l, n, "      recall 0.5854, precision 0.7385"));
	assert_true(has_line(l, n, "      (no intervals recorded in evaluation.json)"));
	assert_true(has_line(l, n, "      TN 3901  FP 17  FN 34  TP 48"));
	assert_true(has_line(l, n, "tree: 29 nodes, 15 leaves, depth 4"));
	assert_true(has_line(l, n, "      top features: velocity_1h 0.682"));
	assert_true(has_line(l, n, "gate at registration: PASS"));
	assert_true(has_line(l, n, "  pass  accuracy >= 0.85   accuracy 0.9872 >= 0.85"));
	assert_true(has_line(l, n, "audit history (2 events):"));
	assert_string_equal(l[n - 2],
		"  2026-11-26T23:15:02Z  alice  registered  -> PendingManualApproval: \"gate passed\"");
	assert_string_equal(l[n - 1],
		"  2026-11-27T08:00:00Z  bob  approved  PendingManualApproval -> Approved: \"looks good\"");
	vm_lines_free(l, n);

	/* The intervals evaluation.json recorded sit beside their figures. */
	size_t k = 0;
	for (const char *const *name = metrics_names(); *name; name++, k++) {
		if (!strcmp(*name, "accuracy"))
			d.v.m.metrics.interval[k] = (struct metric_interval){ true, 0.002, 0.98365, 0.99011 };
		if (!strcmp(*name, "recall"))
			d.v.m.metrics.interval[k] = (struct metric_interval){ true, 0.05, 0.4782, 0.6852 };
	}
	d.v.m.metrics.bootstrap_resamples = 1000;
	d.v.m.metrics.bootstrap_seed = 42;
	l = vm_registry_details(&d, &n);
	assert_true(has_line(l, n, "test: accuracy 0.9872 [0.9837, 0.9901] (baseline 0.9795)"));
	assert_true(has_line(l, n, "      recall 0.5854 [0.4782, 0.6852], precision 0.7385"));
	assert_true(has_line(l, n, "      [95% intervals: Wilson for proportions, stratified bootstrap "
			     "(1000 resamples, seed 42) for the rest]"));
	vm_lines_free(l, n);
	memset(d.v.m.metrics.interval, 0, sizeof d.v.m.metrics.interval);

	/* One event: said in the singular. */
	d.nevents = 1;
	l = vm_registry_details(&d, &n);
	assert_string_equal(l[n - 2], "audit history (1 event):");
	vm_lines_free(l, n);

	/* No description, no metrics, no events: those lines are left out. */
	d.v.m.description = s_empty;
	d.v.m.has_metrics = false;
	d.nevents = 0;
	d.ntop = 0;
	l = vm_registry_details(&d, &n);
	assert_false(has_line(l, n, "description: "));
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(l[i], "test: "));
	assert_string_equal(l[n - 1], "audit history (0 events):");
	vm_lines_free(l, n);
}

static void test_diff(void **state)
{
	(void)state;
	char k1[] = "tree.max_depth", a1[] = "8", b1[] = "4";
	char k2[] = "accuracy", a2[] = "0.98550000000000004", b2[] = "0.98724999999999996";
	char k3[] = "tp", a3[] = "47", b3[] = "48";
	char k4[] = "status", a4[] = "PendingManualApproval", b4[] = "Approved";
	struct registry_diff_item items[4] = {
		{ DIFF_SETTING, k1, a1, b1, false, 0 },
		{ DIFF_METRIC, k2, a2, b2, true, 0.98725 - 0.9855 },
		{ DIFF_CONFUSION, k3, a3, b3, true, 1 },
		{ DIFF_STATUS, k4, a4, b4, false, 0 },
	};
	size_t n;
	char **l = vm_registry_diff(items, 4, "g/1", "g/2", &n);
	assert_int_equal(n, 5);
	assert_string_equal(l[0], "Differences g/1 -> g/2 (4)");
	assert_string_equal(l[1], "  setting   tree.max_depth: 8 -> 4");
	assert_string_equal(l[2], "  metric    accuracy: 0.9855 -> 0.9872 (+0.0017)");
	assert_string_equal(l[3], "  confusion tp: 47 -> 48 (+1)");
	assert_string_equal(l[4], "  status    status: PendingManualApproval -> Approved");
	vm_lines_free(l, n);

	l = vm_registry_diff(NULL, 0, "g/1", "g/1", &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[0], "Differences g/1 -> g/1 (0)");
	assert_non_null(strstr(l[1], "none"));
	vm_lines_free(l, n);
}

static void test_gate_condition(void **state)
{
	(void)state;
	char buf[64], metric[] = "recall";
	struct gate_check c = { .metric = metric, .op = OP_GT, .value = 0.5 };
	vm_gate_condition(&c, buf, sizeof buf);
	assert_string_equal(buf, "recall > 0.5");
	c.op = OP_GE;
	c.value = 0.85;
	vm_gate_condition(&c, buf, sizeof buf);
	assert_string_equal(buf, "recall >= 0.85");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_forms),
		cmocka_unit_test(test_version_line),
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_gate_condition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
