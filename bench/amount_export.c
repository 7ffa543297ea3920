/* amount_export: the money and alert-rate figures of one pipeline run, and
 * the rows they come from, for checking them against pandas
 * (bench-amount.sh).
 *
 * Usage: amount_export [--set KEY=VALUE]... [--na-values LIST] FILE.csv OUT.csv
 *
 * Runs the pipeline with the settings `fraudtree run` would use and writes
 * OUT.csv: the test split's rows as label,score,amount (amount empty when
 * the run has no amount column, and written with %.17g so it reads back
 * exactly). Prints one line of key=value pairs: the threshold, the costs,
 * the alert rate, every amount figure on test, and the seconds of
 * REPEAT (default 20) computations of those figures from the rows. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "csv_load.h"
#include "metrics.h"
#include "pipeline.h"
#include "settings.h"
#include "util.h"

static int fail(const struct ft_err *err)
{
	fprintf(stderr, "amount_export: %s\n", err->msg);
	return 2;
}

int main(int argc, char **argv)
{
	struct settings s;
	struct ft_err err;
	ft_err_clear(&err);
	settings_init(&s);
	int i = 1;
	for (; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--set")) {
			if (settings_set(&s, argv[i + 1], &err) < 0)
				return fail(&err);
		} else if (!strcmp(argv[i], "--na-values")) {
			char *list = xasprintf("na_values=%s", argv[i + 1]);
			int rc = settings_set(&s, list, &err);
			free(list);
			if (rc < 0)
				return fail(&err);
		} else {
			break;
		}
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: amount_export [--set KEY=VALUE]... [--na-values LIST] "
			"FILE.csv OUT.csv\n");
		return 2;
	}
	struct csv_options copt = {
		.na_values = (const char *const *)s.na_values, .nna_values = s.nna_values,
	};
	struct frame *f = csv_load(argv[i], &copt, &err);
	if (!f)
		return fail(&err);
	struct pipeline_result r;
	if (pipeline_run_owned(f, &s, NULL, &r, &err) < 0)
		return fail(&err);
	FILE *fp = fopen(argv[i + 1], "w");
	if (!fp) {
		fprintf(stderr, "amount_export: %s: cannot create\n", argv[i + 1]);
		return 2;
	}
	fputs("label,score,amount\n", fp);
	for (size_t k = 0; k < r.test.n; k++) {
		fprintf(fp, "%u,%.17g,", (unsigned)r.test.y[k], r.test_proba[k]);
		if (r.test.amount)
			fprintf(fp, "%.17g", r.test.amount[k]);
		putc('\n', fp);
	}
	if (fclose(fp) != 0) {
		fprintf(stderr, "amount_export: %s: write failed\n", argv[i + 1]);
		return 2;
	}
	const struct amount_metrics *a = &r.test_metrics.amount;
	const struct settings *rs = &r.settings;
	int repeat = getenv("REPEAT") ? atoi(getenv("REPEAT")) : 20;
	if (repeat < 1)
		repeat = 1;
	double t0 = ft_now();
	struct amount_metrics again;
	for (int k = 0; k < repeat; k++)
		amount_compute(r.test.y, r.test_proba, r.test.amount, r.test.n, rs->threshold,
			       &rs->cost, rs->alert_rate, &again);
	double seconds = (ft_now() - t0) / repeat;
	printf("rows=%zu threshold=%.17g cost_alert=%.17g cost_missed=%.17g cost_caught=%.17g "
	       "alert_rate_setting=%.17g unit=%d",
	       r.test.n, rs->threshold, rs->cost.alert, rs->cost.missed, rs->cost.caught,
	       rs->alert_rate, a->unit ? 1 : 0);
	for (const char *const *n = amount_names(); *n; n++) {
		double v;
		amount_lookup(a, *n, &v);
		printf(" %s=%.17g", *n, v);
	}
	printf(" seconds=%.6f\n", seconds);
	pipeline_result_free(&r);
	settings_free(&s);
	return 0;
}
