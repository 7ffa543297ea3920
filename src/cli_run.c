/* cli_run: `fraudtree run`, the whole pipeline headless.
 *
 * Settings are resolved as defaults <- --pipeline file <- each --set in
 * order, then validated before the data is read. The report goes to stdout
 * as aligned text; --out writes the run's files (each atomically); a run
 * that passes the gate is registered unless --no-register. Exit status:
 * 0 gate passed, 1 gate failed, 2 error. */
#include "config.h"
#include "cli.h"

#include <inttypes.h>
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv_load.h"
#include "json.h"
#include "model.h"
#include "pipeline.h"
#include "pipeline_publish.h"
#include "registry.h"
#include "settings.h"
#include "tree.h"
#include "tree_text.h"
#include "tune.h"

#define LABEL_WIDTH 12

/* Raised by the first Ctrl-C: the engine stops at its next check and the
 * run ends cleanly (progress line cleared, nothing half-written). A second
 * Ctrl-C kills as usual, after removing the temporaries of the files being
 * written. A signal handler can only reach a global. */
static atomic_int interrupted;

static void on_interrupt(int sig)
{
	if (atomic_exchange(&interrupted, 1)) {
		out_remove_temporaries();
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

static void catch_interrupt(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

struct run_options {
	const char *pipeline;
	char **sets; size_t nsets;
	bool no_register, quiet, tune;
	const char *out_dir, *registry, *description, *na_values;
	char delimiter;
	const char *file;
};

static void usage(FILE *out)
{
	fputs("Usage: fraudtree run [OPTIONS] FILE.csv\n"
	      "Run the whole pipeline (prepare, tune, train, evaluate, gate) and\n"
	      "register the model when the gate passes.\n\n"
	      "  --pipeline P.json    settings file (see fraudtree-pipeline(5))\n"
	      "  --set KEY=VALUE      override one setting; repeatable, applied in order\n"
	      "  --out DIR            write model.json, evaluation.json, pipeline.json,\n"
	      "                       rules.txt into DIR (created when missing)\n"
	      "  --tune               grid-search the tree first: the tune.* lists, or\n"
	      "                       when none is set the default grid (as the workbench)\n"
	      "  --no-register        never register, even when the gate passes\n"
	      "  --registry DIR       registry root (else $FRAUDTREE_REGISTRY, else ./registry)\n"
	      "  --description TEXT   description recorded with the registered version\n"
	      "  --na-values LIST     extra strings read as missing, comma-separated\n"
	      "  --delimiter C        field delimiter (else detected among , ; TAB |)\n"
	      "  -q, --quiet          print only the outcome\n"
	      "  -h, --help           show this help\n\n"
	      "Exit status: 0 gate passed, 1 gate failed (or the group's policy refused\n"
	      "the registration), 2 error.\n", out);
}

static int parse_args(int argc, char **argv, struct run_options *o, bool *help)
{
	enum {
		OPT_PIPELINE = 256, OPT_SET, OPT_NO_REGISTER, OPT_OUT, OPT_REGISTRY,
		OPT_DESCRIPTION, OPT_NA_VALUES, OPT_DELIMITER, OPT_QUIET, OPT_HELP, OPT_TUNE
	};
	static const struct option longopts[] = {
		{ "pipeline", required_argument, NULL, OPT_PIPELINE },
		{ "set", required_argument, NULL, OPT_SET },
		{ "no-register", no_argument, NULL, OPT_NO_REGISTER },
		{ "tune", no_argument, NULL, OPT_TUNE },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "registry", required_argument, NULL, OPT_REGISTRY },
		{ "description", required_argument, NULL, OPT_DESCRIPTION },
		{ "na-values", required_argument, NULL, OPT_NA_VALUES },
		{ "delimiter", required_argument, NULL, OPT_DELIMITER },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PIPELINE: o->pipeline = optarg; break;
		case OPT_SET:
			o->sets = xreallocarray(o->sets, o->nsets + 1, sizeof *o->sets);
			o->sets[o->nsets++] = optarg;
			break;
		case OPT_NO_REGISTER: o->no_register = true; break;
		case OPT_TUNE: o->tune = true; break;
		case OPT_OUT: o->out_dir = optarg; break;
		case OPT_REGISTRY: o->registry = optarg; break;
		case OPT_DESCRIPTION: o->description = optarg; break;
		case OPT_NA_VALUES: o->na_values = optarg; break;
		case OPT_DELIMITER:
			if (!cli_delimiter("run", optarg, &o->delimiter))
				return -1;
			break;
		case 'q':
		case OPT_QUIET: o->quiet = true; break;
		case 'h':
		case OPT_HELP: *help = true; return 0;
		case ':':
			cli_errorf("run: %s: missing value (see fraudtree run --help)",
				   argv[optind - 1]);
			return -1;
		default:
			cli_errorf("run: %s: unknown option (see fraudtree run --help)",
				   argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		cli_errorf("run: missing FILE.csv (see fraudtree run --help)");
		return -1;
	}
	if (optind + 1 < argc) {
		cli_errorf("run: %s: only one data file is accepted", argv[optind + 1]);
		return -1;
	}
	o->file = argv[optind];
	return 0;
}

static int resolve_settings(const struct run_options *o, struct settings *s,
			    struct ft_err *err)
{
	if (o->pipeline && settings_load_file(s, o->pipeline, err) < 0)
		return -1;
	for (size_t i = 0; i < o->nsets; i++)
		if (settings_set(s, o->sets[i], err) < 0)
			return -1;
	if (o->na_values)
		options_add_na_values(s, o->na_values);
	if (o->tune)
		tune_default_grid(s);
	return settings_validate(s, err);
}

/* ---- the printed report ------------------------------------------------ */

/* A class label from the data in a column header: its control characters
 * made visible first (ft_escape_controls), then cut to the column. */
static void label(char out[LABEL_WIDTH + 1], const char *s)
{
	char *shown = ft_escape_controls(s ? s : "");
	snprintf(out, LABEL_WIDTH + 1, "%s", shown);
	free(shown);
}

static void print_stages(const struct pipeline_result *r, double load_seconds)
{
	printf("stages (seconds)\n");
	printf("  %-10s %9.3f\n", "load", load_seconds);
	for (int st = 0; st < STAGE_COUNT; st++) {
		const char *extra = st == STAGE_TUNE && !r->tune && !r->ccp_path.n ?
			"  (no tune.* grid)" : "";
		printf("  %-10s %9.3f%s\n", pipeline_stage_name((enum pipeline_stage)st),
		       r->seconds[st], extra);
	}
}

static void print_counts(const struct pipeline_result *r)
{
	char neg[LABEL_WIDTH + 1], pos[LABEL_WIDTH + 1];
	label(neg, r->target.negative);
	label(pos, r->target.positive);
	const struct split_counts *c = &r->counts;
	char *target = ft_escape_controls(r->settings.target);
	char *shown = ft_escape_controls(r->target.positive ? r->target.positive : "");
	printf("\nclass counts (%s: %s = fraud)\n", target, shown);
	free(target);
	free(shown);
	printf("  %-18s %12s %12s %10s\n", "", neg, pos, "fraud %");
	struct {
		const char *name;
		const size_t *n;
	} rows[] = {
		{ "train (before)", c->before[SPLIT_TRAIN] },
		{ "train (after)", c->train_after },
		{ "validation", c->before[SPLIT_VALIDATION] },
		{ "test", c->before[SPLIT_TEST] },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t total = rows[i].n[0] + rows[i].n[1];
		printf("  %-18s %12zu %12zu %9.2f%%\n", rows[i].name, rows[i].n[0],
		       rows[i].n[1], total ? 100.0 * (double)rows[i].n[1] / (double)total : 0.0);
	}
	if (r->settings.resample == RESAMPLE_CLASS_WEIGHT)
		printf("  %-18s %12.4g %12.4g\n", "class weight", c->train_weight[0],
		       c->train_weight[1]);
	else if (r->settings.resample == RESAMPLE_NONE)
		printf("  (no resampling; validation and test are never resampled)\n");
}

static void print_notes(const struct pipeline_result *r)
{
	if (!r->nnotes)
		return;
	printf("\nnotes\n");
	for (size_t i = 0; i < r->nnotes; i++) {
		char *shown = ft_escape_controls(r->notes[i]);   /* notes quote column names */
		printf("  - %s\n", shown);
		free(shown);
	}
}

static void print_tuning(const struct pipeline_result *r)
{
	enum { SHOW_ALL = 24 };
	if (!r->tune)
		return;
	bool cv = r->settings.tune_cv > 0;
	if (cv)
		printf("\ntuning (%zu grid points, %d-fold cross-validation on train+validation, "
		       "%s mean +/- sd)\n", r->ntune, r->settings.tune_cv,
		       r->settings.tune_objective);
	else
		printf("\ntuning (%zu grid points, validation %s)\n", r->ntune,
		       r->settings.tune_objective);
	printf("  %9s %17s %16s %12s%s\n", "max_depth", "min_samples_split",
	       "min_samples_leaf", cv ? "mean" : "score", cv ? "       sd" : "");
	for (size_t k = 0; k < r->ntune; k++) {
		if (r->ntune > SHOW_ALL && k != r->tune_best)
			continue;
		const struct tune_row *t = &r->tune[k];
		char depth[16];
		if (t->max_depth)
			snprintf(depth, sizeof depth, "%d", t->max_depth);
		else
			snprintf(depth, sizeof depth, "none");
		char sd[32] = "";
		if (cv)
			snprintf(sd, sizeof sd, " +/- %.4f", t->score_sd);
		printf("  %9s %17zu %16zu %12.4f%s%s\n", depth, t->min_samples_split,
		       t->min_samples_leaf, t->score, sd, k == r->tune_best ? "  * best" : "");
	}
	if (r->ntune > SHOW_ALL)
		printf("  (best row shown; the whole table is in evaluation.json)\n");
}

/* The pruning path's table: every alpha when it is short, else the
 * first, the last, the best and the rows around the one-SE choice. */
static void print_ccp_path(const struct pipeline_result *r)
{
	enum { SHOW_ALL = 30, AROUND = 2 };
	const struct tune_path *p = &r->ccp_path;
	if (!p->n)
		return;
	bool cv = r->settings.tune_cv > 0;
	if (cv)
		printf("\npruning path (%zu alphas, %d-fold cross-validation on train+validation, "
		       "%s mean +/- SE)\n", p->n, r->settings.tune_cv, r->settings.tune_objective);
	else
		printf("\npruning path (%zu alphas, validation %s +/- SE)\n", p->n,
		       r->settings.tune_objective);
	printf("  %24s %7s %10s %10s %9s\n", "alpha", "leaves", "impurity",
	       cv ? "mean" : "score", "SE");
	bool gap = false;
	for (size_t k = 0; k < p->n; k++) {
		bool near = k + AROUND >= p->chosen && k <= p->chosen + AROUND;
		if (p->n > SHOW_ALL && k && k + 1 < p->n && k != p->best && !near) {
			if (!gap)
				printf("  %24s\n", "...");
			gap = true;
			continue;
		}
		gap = false;
		const struct tune_alpha *a = &p->rows[k];
		char al[32], sc[32], se[32];
		fmt_double(al, a->alpha);
		if (isnan(a->score))
			snprintf(sc, sizeof sc, "-");
		else
			snprintf(sc, sizeof sc, "%.4f", a->score);
		if (isnan(a->score_se))
			snprintf(se, sizeof se, "-");
		else
			snprintf(se, sizeof se, "%.4f", a->score_se);
		const char *mark = k == p->chosen && k == p->best ? "  * best, chosen"
			: k == p->chosen ? (p->has_se ? "  <- chosen (one SE)"
						      : "  <- chosen (largest alpha at the best)")
			: k == p->best ? "  * best" : "";
		printf("  %24s %7zu %10.4g %10s %9s%s\n", al, a->leaves, a->impurity, sc, se, mark);
	}
	if (p->n > SHOW_ALL)
		printf("  (the whole table is in evaluation.json)\n");
	char al[32];
	fmt_double(al, p->rows[p->chosen].alpha);
	printf("  the fit uses tree.ccp_alpha=%s: the largest alpha %s\n", al,
	       p->has_se ? "within one SE of the best"
			 : "with the best score (tune.objective has no standard error)");
}

/* name's validation and test values, and the test value's 95% interval
 * when it has one. */
static void print_metric(const struct pipeline_result *r, const char *name,
			 const char *shown, const char *remark)
{
	const struct metrics *tr = &r->train_metrics, *v = &r->validation_metrics,
		*t = &r->test_metrics;
	double x = 0, a = 0, b = 0, lo, hi;
	metrics_lookup(tr, name, &x);
	metrics_lookup(v, name, &a);
	metrics_lookup(t, name, &b);
	char key[64], iv[64] = "";
	snprintf(key, sizeof key, "%s.lower", name);
	if (metrics_lookup(t, key, &lo)) {
		snprintf(key, sizeof key, "%s.upper", name);
		metrics_lookup(t, key, &hi);
		snprintf(iv, sizeof iv, "[%.4f, %.4f]", lo, hi);
	}
	printf("  %-20s %10.4f %10.4f %10.4f  %-18s%s\n", shown, x, a, b, iv, remark);
}

static void print_metrics(const struct pipeline_result *r)
{
	const struct metrics *t = &r->test_metrics;
	printf("\nmetrics (threshold %g on the %s)\n  %-20s %10s %10s %10s  %-18s\n",
	       r->settings.threshold, threshold_on_name(r->settings.threshold_on), "",
	       "train", "validation", "test", "test 95% interval");
	print_metric(r, "accuracy", "accuracy",
		     t->baseline_p_value < METRICS_SIGNIFICANCE ? "" :
		     "  <- does not beat the baseline significantly");
	print_metric(r, "baseline", "majority baseline", "");
	print_metric(r, "balanced_accuracy", "balanced_accuracy", "");
	print_metric(r, "precision", "precision", "");
	print_metric(r, "recall", "recall", t->cm.tp ? "" : "  <- no fraud caught");
	print_metric(r, "specificity", "specificity", "");
	print_metric(r, "f1", "f1", "");
	print_metric(r, "mcc", "mcc", "");
	print_metric(r, "roc_auc", "roc_auc", "");
	print_metric(r, "pr_auc", "pr_auc", "");
	print_metric(r, "log_loss", "log_loss", "");
	print_metric(r, "brier", "brier", "");
	printf("  baseline test: accuracy above the baseline with one-sided binomial p = %.2g"
	       " (%s %g)\n", t->baseline_p_value,
	       t->baseline_p_value < METRICS_SIGNIFICANCE ? "<" : "not <", METRICS_SIGNIFICANCE);
	printf("  intervals: Wilson for proportions; stratified bootstrap (%zu resamples, "
	       "seed %" PRIu64 ") for the rest\n", t->bootstrap_resamples, t->bootstrap_seed);
}

/* Amounts print with cents: a whole-cent figure is what a fraud team
 * reads; printf widens a field rather than cutting it. */
static void print_amount_row(const char *name, double v, double t)
{
	printf("  %-24s %14.2f %14.2f\n", name, v, t);
}

static void print_decisions(const struct pipeline_result *r)
{
	const struct settings *s = &r->settings;
	const struct amount_metrics *v = &r->validation_metrics.amount, *t = &r->test_metrics.amount;
	if (t->unit)
		printf("\ndecisions (no amount column: every fraud counts 1)\n");
	else {
		char *shown = ft_escape_controls(s->amount_column);   /* a column name */
		printf("\ndecisions (amount: %s; cost.alert %g, cost.missed %g, cost.caught %g)\n",
		       shown, s->cost.alert, s->cost.missed, s->cost.caught);
		free(shown);
	}
	printf("  %-24s %14s %14s\n", "", "validation", "test");
	printf("  %-24s %14" PRIu64 " %14" PRIu64 "\n", "alerts", v->alerts, t->alerts);
	printf("  %-24s %14.4f %14.4f\n", "alert_rate", v->alert_rate, t->alert_rate);
	print_amount_row("fraud amount", v->fraud_amount, t->fraud_amount);
	print_amount_row("amount_caught", v->amount_caught, t->amount_caught);
	print_amount_row("amount_missed", v->amount_missed, t->amount_missed);
	printf("  %-24s %14.4f %14.4f\n", "amount_recall", v->amount_recall, t->amount_recall);
	print_amount_row("cost", v->cost, t->cost);
	print_amount_row("net_savings", v->net_savings, t->net_savings);
	char rate[32];
	fmt_double(rate, s->alert_rate);
	printf("  at alert_rate %s (the top %g%% of rows by score; ties in expectation)\n",
	       rate, 100.0 * s->alert_rate);
	printf("  %-24s %14.4f %14.4f\n", "precision_at_alert_rate",
	       v->precision_at_alert_rate, t->precision_at_alert_rate);
	printf("  %-24s %14.4f %14.4f\n", "recall_at_alert_rate",
	       v->recall_at_alert_rate, t->recall_at_alert_rate);
	if (r->min_cost) {
		char tb[32];
		fmt_double(tb, s->threshold);
		printf("  threshold %s: the least cost on validation (%.2f)\n", tb,
		       r->min_cost_validation);
	}
}

static void print_confusion(const struct pipeline_result *r)
{
	const struct confusion *cm = &r->test_metrics.cm;
	char neg[LABEL_WIDTH + 1], pos[LABEL_WIDTH + 1];
	label(neg, r->target.negative);
	label(pos, r->target.positive);
	char pn[32], pp[32], an[32], ap[32];
	snprintf(pn, sizeof pn, "predicted %s", neg);
	snprintf(pp, sizeof pp, "predicted %s", pos);
	snprintf(an, sizeof an, "actual %s", neg);
	snprintf(ap, sizeof ap, "actual %s", pos);
	printf("\nconfusion matrix (test)\n");
	printf("  %-20s %22s %22s\n", "", pn, pp);
	printf("  %-20s %17llu (TN) %17llu (FP)\n", an, (unsigned long long)cm->tn,
	       (unsigned long long)cm->fp);
	printf("  %-20s %17llu (FN) %17llu (TP)\n", ap, (unsigned long long)cm->fn,
	       (unsigned long long)cm->tp);
}

static void print_tree(const struct pipeline_result *r)
{
	const struct tree *t = r->tree;
	printf("\ntree: %zu nodes, %zu leaves, depth %d\n", t->nnodes, tree_leaves(t),
	       tree_depth(t));
	size_t top[5];
	size_t n = pipeline_top_features(t, top, 5);
	int width = 0;
	char *shown[5];
	for (size_t i = 0; i < n; i++) {
		shown[i] = ft_escape_controls(t->feature_names[top[i]]);   /* names from data */
		int len = (int)strlen(shown[i]);
		width = len > width ? len : width;
	}
	for (size_t i = 0; i < n; i++) {
		printf("  %-*s %6.3f\n", width, shown[i], t->importance[top[i]]);
		free(shown[i]);
	}
}

static void print_gate(const struct pipeline_result *r)
{
	printf("\ngate (test split)\n");
	for (size_t i = 0; i < r->gate.nchecks; i++) {
		const struct gate_check *c = &r->gate.checks[i];
		char cond[96];
		snprintf(cond, sizeof cond, "%s %s %g", c->metric, cmp_op_name(c->op), c->value);
		printf("  %s  %-28s %s\n", c->pass ? "pass" : "FAIL", cond, c->why);
	}
}

static void print_outcome(const struct pipeline_result *r)
{
	if (r->gate.pass) {
		printf("gate passed\n");
		return;
	}
	printf("gate FAILED:");
	const char *sep = " ";
	for (size_t i = 0; i < r->gate.nchecks; i++) {
		if (!r->gate.checks[i].pass) {
			printf("%s%s", sep, r->gate.checks[i].why);
			sep = "; ";
		}
	}
	printf("\n");
}

/* What the report and the registry say about the data; the frame itself
 * is gone by then (the pipeline frees it once the splits are built). */
struct data_info {
	char *path;
	size_t nrows, ncols;
};

static void print_report(const struct data_info *data, const struct pipeline_result *r,
			 double load_seconds)
{
	printf("data: %s (%zu rows, %zu columns)\n\n", data->path ? data->path : "",
	       data->nrows, data->ncols);
	print_stages(r, load_seconds);
	print_counts(r);
	print_notes(r);
	print_tuning(r);
	print_ccp_path(r);
	print_metrics(r);
	print_decisions(r);
	print_confusion(r);
	print_tree(r);
	print_gate(r);
	printf("\n");
}

/* ---- files -------------------------------------------------------------- */

static int make_dirs(const char *dir, struct ft_err *err)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; ; s++) {
		bool end = *s == '\0';
		if (*s == '/' || end) {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				ft_fail(err, FT_EIO, "%s: %s", p, strerror(errno));
				free(p);
				return -1;
			}
			if (end)
				break;
			*s = '/';
		}
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ft_fail(err, FT_EIO, "%s: not a directory", dir);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

struct run_texts {
	char *model, *evaluation, *pipeline, *rules;
};

static int write_out(const char *dir, const struct run_texts *t, struct ft_err *err)
{
	const struct {
		const char *name, *text;
	} files[] = {
		{ "model.json", t->model },
		{ "evaluation.json", t->evaluation },
		{ "pipeline.json", t->pipeline },
		{ "rules.txt", t->rules },
	};
	/* every file is checked before anything is made */
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (json_text_utf8(files[i].name, files[i].text, err) < 0)
			return -1;
	if (make_dirs(dir, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *path = xasprintf("%s/%s", dir, files[i].name);
		int rc = file_write_atomic(path, files[i].text, strlen(files[i].text), 0644, err);
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int publish(const struct run_options *o, const struct data_info *data,
		   const struct pipeline_result *r, struct ft_err *err)
{
	struct pipeline_publish_args a = {
		.root = options_registry_root(o->registry),
		.description = o->description,
		.data_path = o->file,
		.data_rows = data->nrows,
		.data_columns = data->ncols,
	};
	int version = 0;
	if (pipeline_publish(r, &a, &version, err) < 0)
		return -1;
	printf("registered %s/%d (%s)\n", r->settings.group, version,
	       registry_status_name(REG_PENDING));
	return 0;
}

static int run(const struct run_options *o)
{
	struct ft_err err;
	struct settings s;
	ft_err_clear(&err);
	settings_init(&s);
	if (resolve_settings(o, &s, &err) < 0) {
		settings_free(&s);
		return cli_error(&err);
	}

	catch_interrupt();
	struct cli_progress *cp = o->quiet ? NULL : cli_progress_new();
	struct csv_options copt = {
		.delimiter = o->delimiter,
		.na_values = (const char *const *)s.na_values,
		.nna_values = s.nna_values,
		.threads = 0,
		.progress = { .fn = cp ? cli_progress_fn : NULL, .ctx = cp,
			      .cancel = &interrupted },
	};
	double t0 = ft_now();
	struct frame *f = csv_load(o->file, &copt, &err);
	double load_seconds = ft_now() - t0;
	if (!f) {
		cli_progress_free(cp);
		settings_free(&s);
		return cli_error(&err);
	}

	struct data_info data = {
		.path = f->path ? xstrdup(f->path) : NULL, .nrows = f->nrows, .ncols = f->ncols,
	};
	struct pipeline_result r;
	int rc = pipeline_run_owned(f, &s, &copt.progress, &r, &err);
	cli_progress_free(cp);
	settings_free(&s);
	if (rc < 0) {
		free(data.path);
		return cli_error(&err);
	}

	struct run_texts t = {
		.model = model_to_text(r.recipe, r.tree, r.settings.threshold,
				       r.settings.threshold_on, r.reference),
		.evaluation = pipeline_report_json(&r),
		.pipeline = settings_to_json(&r.settings),
		.rules = tree_export_text(r.tree,
					  &(struct tree_decision){ r.settings.threshold,
								   r.settings.threshold_on },
					  r.target.positive, r.target.negative),
	};
	int status = r.gate.pass ? EXIT_OK : EXIT_GATE_FAILED;
	if (!t.model || !t.evaluation || !t.pipeline || !t.rules) {
		ft_fail(&err, FT_EINTERNAL, "run: could not serialise the results");
		status = cli_error(&err);
		goto done;
	}
	if (!o->quiet)
		print_report(&data, &r, load_seconds);
	if (o->out_dir && write_out(o->out_dir, &t, &err) < 0) {
		status = cli_error(&err);
		goto done;
	}
	print_outcome(&r);
	if (r.gate.pass) {
		if (o->no_register) {
			if (!o->quiet)
				printf("not registered (--no-register)\n");
		} else if (publish(o, &data, &r, &err) < 0) {
			/* refused by the group's policy: like a failed gate, not an error */
			status = cli_error(&err);
			if (err.code == FT_EREFUSED)
				status = EXIT_GATE_FAILED;
		}
	}
	if (o->out_dir && !o->quiet)
		printf("wrote %s/{model.json,evaluation.json,pipeline.json,rules.txt}\n",
		       o->out_dir);
done:
	free(t.model);
	free(t.evaluation);
	free(t.pipeline);
	free(t.rules);
	pipeline_result_free(&r);
	free(data.path);
	return status;
}

int cli_run(int argc, char **argv)
{
	struct run_options o;
	bool help = false;
	memset(&o, 0, sizeof o);
	int status;
	if (parse_args(argc, argv, &o, &help) < 0)
		status = EXIT_ERROR;
	else if (help) {
		usage(stdout);
		status = EXIT_OK;
	} else {
		status = run(&o);
	}
	free(o.sets);
	return status;
}
