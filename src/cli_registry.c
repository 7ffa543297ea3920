/* cli_registry: `fraudtree registry list|show|approve|reject|diff|verify`,
 * the shell's view of the registry. The engine (registry.c) returns
 * structures; this file only parses arguments and prints them, as a table
 * for people or as JSON (--json) for scripts. */
#include "config.h"
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "registry.h"

struct args {
	const char *registry;
	const char *reason;
	const char *user;
	bool json;
	const char *pos[4];
	size_t npos;
};

static const char usage_text[] =
	"Usage: fraudtree registry list [GROUP] [--json]\n"
	"       fraudtree registry show GROUP/VERSION [--json]\n"
	"       fraudtree registry approve GROUP/VERSION --reason TEXT [--user NAME]\n"
	"       fraudtree registry reject GROUP/VERSION --reason TEXT [--user NAME]\n"
	"       fraudtree registry diff GROUP/A GROUP/B [--json]\n"
	"       fraudtree registry verify [GROUP]\n"
	"       fraudtree registry card GROUP/VERSION [-o FILE] [--format html|md]\n"
	"VERSION may also be @latest or @approved (GROUP@latest).\n"
	"Options: --registry DIR (else $FRAUDTREE_REGISTRY, else ./registry).\n"
	"Exit status: 0 success, 2 error or (verify) damage found.\n";

/* Options may come anywhere; "--opt=value" and "--opt value" both work.
 * Returns 0 to go on, 1 when help was printed, -1 after an error message. */
static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **dst = NULL;
		const char *name = NULL;
		if (!strcmp(s, "--json")) {
			a->json = true;
			continue;
		}
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			fputs(usage_text, stdout);
			return 1;
		}
		if (!strncmp(s, "--registry", 10))
			dst = &a->registry, name = "--registry";
		else if (!strncmp(s, "--reason", 8))
			dst = &a->reason, name = "--reason";
		else if (!strncmp(s, "--user", 6))
			dst = &a->user, name = "--user";
		if (dst) {
			size_t n = strlen(name);
			if (s[n] == '=') {
				*dst = s + n + 1;
				continue;
			}
			if (s[n] == '\0') {
				if (i + 1 >= argc) {
					cli_errorf("registry: %s needs a value", name);
					return -1;
				}
				*dst = argv[++i];
				continue;
			}
		}
		if ((s[0] == '-' && s[1]) || a->npos == 4) {
			if (a->npos == 4)
				cli_errorf("registry: too many arguments (see --help)");
			else
				cli_errorf("registry: unknown option %s (see --help)", s);
			return -1;
		}
		a->pos[a->npos++] = s;
	}
	return 0;
}

static void fmt_metric(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.4f", v);
}

/* One line of a table for people. Descriptions, reasons, user names,
 * feature names and paths come from data: the whole line is shown with its
 * control characters escaped (ft_escape_controls), so that none of them
 * can clear the screen, move the cursor or forge another line. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line = NULL;
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		return;
	size_t n = strlen(line);
	bool nl = n && line[n - 1] == '\n';
	if (nl)
		line[n - 1] = '\0';
	char *shown = ft_escape_controls(line);
	fputs(shown, stdout);
	if (nl)
		putchar('\n');
	free(shown);
	free(line);
}

/* ---- list ------------------------------------------------------------- */

/* Print a JSON document on standard output and free it. */
static void print_json(cJSON *j)
{
	char *s = cJSON_Print(j);
	puts(s);
	cJSON_free(s);
	cJSON_Delete(j);
}

static int list_groups(const char *root, bool json)
{
	struct registry_group *g;
	size_t n;
	struct ft_err err;
	if (registry_list_groups(root, &g, &n, &err) < 0)
		return cli_error(&err);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "group", g[i].name);
			cJSON_AddStringToObject(o, "description", g[i].description);
			cJSON_AddStringToObject(o, "created", g[i].created);
			cJSON_AddNumberToObject(o, "versions", (double)g[i].nversions);
			cJSON_AddNumberToObject(o, "damaged", (double)g[i].ndamaged);
			cJSON_AddNumberToObject(o, "latest", g[i].latest);
			cJSON_AddNumberToObject(o, "approved", g[i].approved);
			if (g[i].problem)
				cJSON_AddStringToObject(o, "problem", g[i].problem);
			else
				cJSON_AddNullToObject(o, "problem");
			cJSON_AddItemToArray(arr, o);
		}
		print_json(arr);
	} else if (n == 0) {
		say("no groups in %s\n", root);
	} else {
		say("%-40s %8s %7s %8s  %s\n", "GROUP", "VERSIONS", "LATEST", "APPROVED",
		       "DESCRIPTION");
		for (size_t i = 0; i < n; i++) {
			char latest[16] = "-", approved[16] = "-";
			if (g[i].latest)
				snprintf(latest, sizeof latest, "%d", g[i].latest);
			if (g[i].approved)
				snprintf(approved, sizeof approved, "%d", g[i].approved);
			say("%-40s %8zu %7s %8s  %s\n", g[i].name, g[i].nversions, latest, approved,
			       g[i].description);
			if (g[i].ndamaged)
				say("  %zu DAMAGED version%s (see: fraudtree registry verify %s)\n",
				       g[i].ndamaged, g[i].ndamaged > 1 ? "s" : "", g[i].name);
			if (g[i].problem)
				say("  DAMAGED %s\n", g[i].problem);
		}
	}
	registry_groups_free(g, n);
	return EXIT_OK;
}

static int list_versions(const char *root, const char *group, bool json)
{
	struct registry_version *v;
	size_t n;
	struct ft_err err;
	if (registry_list_versions(root, group, &v, &n, &err) < 0)
		return cli_error(&err);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "version", v[i].number);
			if (v[i].damaged) {
				cJSON_AddStringToObject(o, "status", "DAMAGED");
				cJSON_AddStringToObject(o, "problem", v[i].problem);
			} else {
				const struct registry_manifest *m = &v[i].m;
				cJSON_AddStringToObject(o, "status", registry_status_name(m->status));
				cJSON_AddStringToObject(o, "created", m->created);
				cJSON_AddStringToObject(o, "user", m->user);
				if (m->has_metrics) {
					json_add_num(o, "accuracy", m->metrics.accuracy);
					json_add_num(o, "recall", m->metrics.recall);
				}
				cJSON_AddStringToObject(o, "data_sha256", m->data_sha256);
				cJSON_AddStringToObject(o, "description", m->description);
			}
			cJSON_AddItemToArray(arr, o);
		}
		print_json(arr);
	} else if (n == 0) {
		say("no versions in %s/%s\n", root, group);
	} else {
		say("%-8s %-22s %-21s %-8s %-8s %-12s %s\n", "VERSION", "STATUS", "CREATED",
		       "ACCURACY", "RECALL", "DATA", "DESCRIPTION");
		for (size_t i = 0; i < n; i++) {
			if (v[i].damaged) {
				say("%-8d %-22s %s\n", v[i].number, "DAMAGED", v[i].problem);
				continue;
			}
			const struct registry_manifest *m = &v[i].m;
			char acc[16] = "-", rec[16] = "-";
			if (m->has_metrics) {
				fmt_metric(acc, sizeof acc, m->metrics.accuracy);
				fmt_metric(rec, sizeof rec, m->metrics.recall);
			}
			say("%-8d %-22s %-21s %-8s %-8s %.12s %s\n", v[i].number,
			       registry_status_name(m->status), m->created, acc, rec, m->data_sha256,
			       m->description);
		}
	}
	registry_versions_free(v, n);
	return EXIT_OK;
}

/* ---- show ------------------------------------------------------------- */

/* The test figures show prints, in its order. */
static const struct {
	const char *name, *label;
} shown_metrics[] = {
	{ "accuracy", "accuracy" }, { "baseline", "majority baseline" },
	{ "balanced_accuracy", "balanced_accuracy" }, { "precision", "precision" },
	{ "recall", "recall" }, { "specificity", "specificity" }, { "f1", "f1" },
	{ "mcc", "mcc" }, { "roc_auc", "roc_auc" }, { "pr_auc", "pr_auc" },
	{ "log_loss", "log_loss" },
};

/* name's recorded 95% interval; false when evaluation.json has none. */
static bool interval_of(const struct metrics *mt, const char *name, double *lo, double *hi)
{
	char key[64];
	snprintf(key, sizeof key, "%s.lower", name);
	if (!metrics_lookup(mt, key, lo))
		return false;
	snprintf(key, sizeof key, "%s.upper", name);
	return metrics_lookup(mt, key, hi);
}

static cJSON *details_json(const struct registry_details *d)
{
	const struct registry_manifest *m = &d->v.m;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "group", m->group);
	cJSON_AddNumberToObject(o, "version", m->version);
	cJSON_AddStringToObject(o, "status", registry_status_name(m->status));
	cJSON_AddStringToObject(o, "created", m->created);
	cJSON_AddStringToObject(o, "user", m->user);
	cJSON_AddStringToObject(o, "program", m->program);
	cJSON_AddStringToObject(o, "description", m->description);
	cJSON *data = cJSON_AddObjectToObject(o, "data");
	cJSON_AddStringToObject(data, "path", m->data_path);
	cJSON_AddNumberToObject(data, "size", (double)m->data_size);
	cJSON_AddStringToObject(data, "sha256", m->data_sha256);
	cJSON_AddNumberToObject(data, "rows", (double)m->data_rows);
	cJSON_AddNumberToObject(data, "columns", (double)m->data_columns);
	cJSON *gate = gate_json_new(m->gate_pass, GATE_JSON_MANIFEST);
	for (size_t i = 0; i < m->ngate; i++)
		gate_json_add(gate, GATE_JSON_MANIFEST, m->gate[i].metric, m->gate[i].op,
			      m->gate[i].value, m->gate[i].actual, m->gate[i].pass, m->gate[i].why);
	cJSON_AddItemToObject(o, "gate", gate);
	if (m->has_metrics) {
		const struct metrics *mt = &m->metrics;
		cJSON *mj = cJSON_AddObjectToObject(o, "metrics");
		const struct { const char *k; double v; } f[] = {
			{ "threshold", mt->threshold }, { "accuracy", mt->accuracy },
			{ "baseline", mt->baseline }, { "precision", mt->precision },
			{ "recall", mt->recall }, { "specificity", mt->specificity },
			{ "f1", mt->f1 }, { "balanced_accuracy", mt->balanced_accuracy },
			{ "mcc", mt->mcc }, { "roc_auc", mt->roc_auc }, { "pr_auc", mt->pr_auc },
			{ "log_loss", mt->log_loss },
		};
		for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
			json_add_num(mj, f[i].k, f[i].v);
		/* evaluation.json's intervals, in its spelling */
		cJSON *ivs = cJSON_AddObjectToObject(mj, "intervals");
		size_t k = 0;
		for (const char *const *name = metrics_names(); *name && k < METRICS_MAX;
		     name++, k++) {
			const struct metric_interval *iv = &mt->interval[k];
			if (!iv->known)
				continue;
			cJSON *e = cJSON_AddObjectToObject(ivs, *name);
			json_add_num(e, "standard_deviation", iv->standard_deviation);
			json_add_num(e, "lower", iv->lower);
			json_add_num(e, "upper", iv->upper);
		}
		cJSON *un = cJSON_AddObjectToObject(mj, "uncertainty");
		json_add_num(un, "confidence", METRICS_CONFIDENCE);
		cJSON_AddNumberToObject(un, "bootstrap_resamples", (double)mt->bootstrap_resamples);
		cJSON_AddNumberToObject(un, "bootstrap_seed", (double)mt->bootstrap_seed);
		cJSON *cm = cJSON_AddObjectToObject(mj, "confusion_matrix");
		cJSON_AddNumberToObject(cm, "tn", (double)mt->cm.tn);
		cJSON_AddNumberToObject(cm, "fp", (double)mt->cm.fp);
		cJSON_AddNumberToObject(cm, "fn", (double)mt->cm.fn);
		cJSON_AddNumberToObject(cm, "tp", (double)mt->cm.tp);
	}
	cJSON *tree = cJSON_AddObjectToObject(o, "tree");
	cJSON_AddNumberToObject(tree, "nodes", (double)d->nodes);
	cJSON_AddNumberToObject(tree, "leaves", (double)d->leaves);
	cJSON_AddNumberToObject(tree, "depth", d->depth);
	json_add_num(tree, "threshold", d->model->threshold);
	cJSON *top = cJSON_AddArrayToObject(tree, "top_features");
	for (size_t i = 0; i < d->ntop; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "feature", d->top[i].name);
		json_add_num(t, "importance", d->top[i].importance);
		cJSON_AddItemToArray(top, t);
	}
	cJSON *settings = cJSON_AddObjectToObject(o, "settings");
	for (size_t i = 0; i < d->nsettings; i++) {
		cJSON *v = cJSON_Parse(d->settings[i].value);
		cJSON_AddItemToObject(settings, d->settings[i].key, v ? v : cJSON_CreateNull());
	}
	cJSON *hist = cJSON_AddArrayToObject(o, "history");
	for (size_t i = 0; i < d->nevents; i++) {
		const struct registry_event *e = &d->events[i];
		cJSON *h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "time", e->time);
		cJSON_AddStringToObject(h, "user", e->user);
		cJSON_AddStringToObject(h, "event", e->event);
		cJSON_AddStringToObject(h, "from", e->from);
		cJSON_AddStringToObject(h, "to", e->to);
		cJSON_AddStringToObject(h, "reason", e->reason);
		cJSON_AddItemToArray(hist, h);
	}
	return o;
}

static void print_details(const struct registry_details *d)
{
	const struct registry_manifest *m = &d->v.m;
	say("%s/%d  %s\n", m->group, m->version, registry_status_name(m->status));
	say("created      %s by %s (%s)\n", m->created, m->user, m->program);
	if (*m->description)
		say("description  %s\n", m->description);
	say("data         %s (%llu bytes, %llu rows, %llu columns)\n", m->data_path,
	       (unsigned long long)m->data_size, (unsigned long long)m->data_rows,
	       (unsigned long long)m->data_columns);
	say("data sha256  %s\n", m->data_sha256);
	say("gate         %s\n", m->gate_pass ? "passed" : "FAILED");
	for (size_t i = 0; i < m->ngate; i++)
		say("  %-4s %s\n", m->gate[i].pass ? "ok" : "FAIL", m->gate[i].why);
	if (m->has_metrics) {
		const struct metrics *mt = &m->metrics;
		bool any = false;
		say("metrics      test split, %llu rows, threshold %g\n",
		       (unsigned long long)mt->n, mt->threshold);
		say("  %-20s %10s  %s\n", "", "value", "95% interval");
		for (size_t i = 0; i < sizeof shown_metrics / sizeof shown_metrics[0]; i++) {
			char v[16], iv[48] = "";
			double x = NAN, lo, hi;
			metrics_lookup(mt, shown_metrics[i].name, &x);
			fmt_metric(v, sizeof v, x);
			if (interval_of(mt, shown_metrics[i].name, &lo, &hi)) {
				char l[16], h[16];
				fmt_metric(l, sizeof l, lo);
				fmt_metric(h, sizeof h, hi);
				snprintf(iv, sizeof iv, "[%s, %s]", l, h);
				any = true;
			}
			say("  %-20s %10s  %s\n", shown_metrics[i].label, v, iv);
		}
		if (any)
			say("  intervals: Wilson for proportions; stratified bootstrap (%zu resamples, "
			    "seed %llu) for the rest\n", mt->bootstrap_resamples,
			    (unsigned long long)mt->bootstrap_seed);
		else
			say("  intervals: none recorded in evaluation.json\n");
		say("confusion    %12s %12s\n", "predicted 0", "predicted 1");
		say("  actual 0   %12llu %12llu\n", (unsigned long long)mt->cm.tn,
		       (unsigned long long)mt->cm.fp);
		say("  actual 1   %12llu %12llu\n", (unsigned long long)mt->cm.fn,
		       (unsigned long long)mt->cm.tp);
	}
	say("tree         %zu nodes, %zu leaves, depth %d, threshold %g\n", d->nodes,
	       d->leaves, d->depth, d->model->threshold);
	for (size_t i = 0; i < d->ntop; i++)
		say("  %-40s %.4f\n", d->top[i].name, d->top[i].importance);
	say("settings\n");
	for (size_t i = 0; i < d->nsettings; i++)
		say("  %s = %s\n", d->settings[i].key, d->settings[i].value);
	say("history\n");
	for (size_t i = 0; i < d->nevents; i++) {
		const struct registry_event *e = &d->events[i];
		say("  %s  %-12s %-10s %s%s%s  %s\n", e->time, e->user, e->event, e->from,
		       *e->from ? " -> " : "", e->to, e->reason);
	}
}

static int show(const char *root, const char *ref, bool json)
{
	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	struct ft_err err;
	struct registry_details d;
	if (registry_resolve(root, ref, group, &version, &err) < 0 ||
	    registry_show(root, group, version, &d, &err) < 0)
		return cli_error(&err);
	if (json) {
		cJSON *o = details_json(&d);
		cli_policy_flags_json(root, group, version, o);
		print_json(o);
	} else {
		print_details(&d);
		cli_policy_print_flags(root, group, version);
	}
	registry_details_free(&d);
	return EXIT_OK;
}

/* ---- approve / reject ------------------------------------------------- */

static int set_status(const char *root, const struct args *a, enum registry_status to)
{
	if (a->npos != 2)
		return cli_errorf("registry: %s needs GROUP/VERSION (see --help)",
				  to == REG_APPROVED ? "approve" : "reject");
	if (!a->reason)
		return cli_errorf("registry: --reason TEXT is required");
	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	struct ft_err err;
	if (registry_resolve(root, a->pos[1], group, &version, &err) < 0 ||
	    registry_set_status(root, group, version, to, a->reason, a->user, &err) < 0)
		return cli_error(&err);
	say("%s/%d: %s\n", group, version, registry_status_name(to));
	return EXIT_OK;
}

/* ---- diff ------------------------------------------------------------- */

static int diff(const char *root, const struct args *a)
{
	if (a->npos != 3)
		return cli_errorf("registry: diff needs GROUP/A GROUP/B (see --help)");
	char ga[REGISTRY_GROUP_MAX + 1], gb[REGISTRY_GROUP_MAX + 1];
	int va, vb;
	struct ft_err err;
	struct registry_diff_item *d;
	size_t n;
	if (registry_resolve(root, a->pos[1], ga, &va, &err) < 0 ||
	    registry_resolve(root, a->pos[2], gb, &vb, &err) < 0 ||
	    registry_diff(root, ga, va, gb, vb, &d, &n, &err) < 0)
		return cli_error(&err);
	if (a->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "kind", registry_diff_kind_name(d[i].kind));
			cJSON_AddStringToObject(o, "key", d[i].key);
			cJSON_AddStringToObject(o, "a", d[i].a);
			cJSON_AddStringToObject(o, "b", d[i].b);
			if (d[i].has_delta)
				json_add_num(o, "delta", d[i].delta);
			cJSON_AddItemToArray(arr, o);
		}
		print_json(arr);
	} else if (n == 0) {
		say("%s/%d and %s/%d do not differ\n", ga, va, gb, vb);
	} else {
		say("%s/%d -> %s/%d\n", ga, va, gb, vb);
		for (size_t i = 0; i < n; i++) {
			char delta[48] = "";
			if (d[i].has_delta)
				snprintf(delta, sizeof delta, " (%+.6g)", d[i].delta);
			say("%-10s %s: %s -> %s%s\n", registry_diff_kind_name(d[i].kind), d[i].key,
			    d[i].a, d[i].b, delta);
		}
	}
	registry_diff_free(d, n);
	return EXIT_OK;
}

/* ---- verify ----------------------------------------------------------- */

static int verify(const char *root, const struct args *a)
{
	if (a->npos > 2)
		return cli_errorf("registry: verify takes at most one GROUP");
	struct registry_problem *p;
	size_t n;
	struct ft_err err;
	if (registry_verify(root, a->npos == 2 ? a->pos[1] : NULL, &p, &n, &err) < 0)
		return cli_error(&err);
	for (size_t i = 0; i < n; i++)
		say("%s: %s\n", p[i].path, p[i].reason);
	registry_problems_free(p, n);
	if (n)
		return cli_errorf("registry: %zu problem%s found in %s", n, n > 1 ? "s" : "", root);
	say("%s: no problems found\n", root);
	return EXIT_OK;
}

static int run_verb(const char *root, const struct args *a)
{
	const char *verb = a->pos[0];
	if (!strcmp(verb, "list")) {
		if (a->npos > 2)
			return cli_errorf("registry: list takes at most one GROUP");
		return a->npos == 2 ? list_versions(root, a->pos[1], a->json) :
			list_groups(root, a->json);
	}
	if (!strcmp(verb, "show")) {
		if (a->npos != 2)
			return cli_errorf("registry: show needs GROUP/VERSION (see --help)");
		return show(root, a->pos[1], a->json);
	}
	if (!strcmp(verb, "approve"))
		return set_status(root, a, REG_APPROVED);
	if (!strcmp(verb, "reject"))
		return set_status(root, a, REG_REJECTED);
	if (!strcmp(verb, "diff"))
		return diff(root, a);
	if (!strcmp(verb, "verify"))
		return verify(root, a);
	return cli_errorf("registry: unknown command \"%s\" (list, show, approve, reject, diff, verify, card)",
			  verb);
}

int cli_registry(int argc, char **argv)
{
	/* `registry card ...` and `registry --registry DIR card ...` alike:
	 * the card reads its own options, wherever they stand. */
	int v = cli_registry_verb(argc, argv);
	if (v && !strcmp(argv[v], "card")) {
		char **args = xcalloc((size_t)argc + 1, sizeof *args);
		int n = 0;
		args[n++] = argv[v];
		for (int i = 1; i < argc; i++)
			if (i != v)
				args[n++] = argv[i];
		int rc = cli_card(n, args);
		free(args);
		return rc;
	}
	if (cli_policy_handles(argc, argv))
		return cli_policy(argc, argv);
	struct args a;
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	if (a.npos == 0) {
		fputs(usage_text, stderr);
		return EXIT_ERROR;
	}
	return run_verb(options_registry_root(a.registry), &a);
}
