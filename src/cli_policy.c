/* cli_policy: `fraudtree registry policy|alias|compare` and `registry
 * approve --promote`, the group policy and the champion from the shell.
 * The engine keeps and checks them (registry.c, registry_policy.c,
 * compare.c); this file parses arguments and prints. */
#include "config.h"
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "registry.h"
#include "registry_policy.h"

static const char policy_usage[] =
	"Usage: fraudtree registry policy GROUP [--gate CONDITIONS] [--four-eyes on|off]\n"
	"                                 [--must-beat champion|none] --reason TEXT [--user NAME]\n"
	"       fraudtree registry policy GROUP           (print it)\n"
	"       fraudtree registry alias GROUP NAME VERSION --reason TEXT [--user NAME]\n"
	"       fraudtree registry approve GROUP/VERSION --promote --reason TEXT [--user NAME]\n"
	"       fraudtree registry compare GROUP/A GROUP/B FILE.csv\n"
	"CONDITIONS as --set gate= takes them: recall.lower>=0.5,alerts<=500 (none: no conditions).\n"
	"Options: --registry DIR (else $FRAUDTREE_REGISTRY, else ./registry).\n"
	"Exit status: 0 success (compare: whatever the verdict), 2 error.\n";

/* A line for people with its data (reasons, user names, paths, version
 * names) shown with control characters escaped (ft_escape_controls), so
 * none of them can move the cursor or forge a line. */
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
	/* the format's own line breaks, before and after, are kept; only
	 * what lies between them (names, reasons) is escaped */
	size_t n = strlen(line), lead = strspn(line, "\n");
	bool nl = n > lead && line[n - 1] == '\n';
	if (nl)
		line[n - 1] = '\0';
	for (size_t i = 0; i < lead; i++)
		putchar('\n');
	char *shown = ft_escape_controls(line + lead);
	fputs(shown, stdout);
	if (nl)
		putchar('\n');
	free(shown);
	free(line);
}

struct popts {
	const char *registry, *reason, *user, *gate, *four_eyes, *must_beat;
	bool promote;
	const char *pos[5];
	size_t npos;
};

static int parse(int argc, char **argv, struct popts *o)
{
	memset(o, 0, sizeof *o);
	const struct { const char *name; const char **dst; } valued[] = {
		{ "--registry", &o->registry },
		{ "--reason", &o->reason },
		{ "--user", &o->user },
		{ "--gate", &o->gate },
		{ "--four-eyes", &o->four_eyes },
		{ "--must-beat", &o->must_beat },
	};
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			fputs(policy_usage, stdout);
			return 1;
		}
		if (!strcmp(s, "--promote")) {
			o->promote = true;
			continue;
		}
		bool done = false;
		for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !done; k++) {
			size_t n = strlen(valued[k].name);
			if (strncmp(s, valued[k].name, n) || (s[n] != '=' && s[n] != '\0'))
				continue;
			const char **dst = valued[k].dst;
			if (s[n] == '=') {
				*dst = s + n + 1;
			} else if (i + 1 < argc) {
				*dst = argv[++i];
			} else {
				cli_errorf("registry: %s needs a value", valued[k].name);
				return -1;
			}
			done = true;
		}
		if (done)
			continue;
		if ((s[0] == '-' && s[1]) || o->npos == 5) {
			if (o->npos == 5)
				cli_errorf("registry: too many arguments (see --help)");
			else
				cli_errorf("registry: unknown option %s (see --help)", s);
			return -1;
		}
		o->pos[o->npos++] = s;
	}
	return 0;
}

static bool on_off(const char *s, bool *out)
{
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true")) {
		*out = true;
		return true;
	}
	if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false")) {
		*out = false;
		return true;
	}
	return false;
}

static void print_policy(const char *group, const struct registry_policy *p)
{
	if (!p->set) {
		say("%s: no policy (a registration meets only its run's gate)\n", group);
		return;
	}
	char *gate = registry_policy_gate_text(p->gate, p->ngate);
	say("policy of %s (set by %s at %s: %s)\n", group, p->user, p->time, p->reason);
	say("  %-10s %s\n", "gate", gate);
	say("  %-10s %s\n", "four-eyes", p->four_eyes ? "on" : "off");
	say("  %-10s %s\n", "must-beat", p->must_beat_champion ? "champion" : "none");
	free(gate);
}

static int policy(const char *root, const struct popts *o)
{
	if (o->npos != 2)
		return cli_errorf("registry: policy needs GROUP (see --help)");
	const char *group = o->pos[1];
	struct ft_err err;
	struct registry_policy p;
	if (registry_get_policy(root, group, &p, &err) < 0)
		return cli_error(&err);
	bool change = o->gate || o->four_eyes || o->must_beat;
	if (!change) {
		if (o->reason)
			cli_errorf("registry: policy: --reason without a change (--gate, "
				   "--four-eyes or --must-beat)");
		else
			print_policy(group, &p);
		registry_policy_free(&p);
		return o->reason ? EXIT_ERROR : EXIT_OK;
	}
	/* every argument is checked before anything is written */
	int rc = EXIT_OK;
	if (!o->reason) {
		rc = cli_errorf("registry: --reason TEXT is required");
		goto done;
	}
	if (o->gate && registry_policy_parse_gate(o->gate, &p, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	if (o->four_eyes && !on_off(o->four_eyes, &p.four_eyes)) {
		rc = cli_errorf("registry: --four-eyes: expected on or off, got \"%s\"", o->four_eyes);
		goto done;
	}
	if (o->must_beat) {
		if (!strcmp(o->must_beat, "champion"))
			p.must_beat_champion = true;
		else if (!strcmp(o->must_beat, "none"))
			p.must_beat_champion = false;
		else {
			rc = cli_errorf("registry: --must-beat: expected champion or none, got \"%s\"",
					o->must_beat);
			goto done;
		}
	}
	if (registry_set_policy(root, group, &p, o->reason, o->user, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	registry_policy_free(&p);
	if (registry_get_policy(root, group, &p, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	print_policy(group, &p);
done:
	registry_policy_free(&p);
	return rc;
}

static int alias(const char *root, const struct popts *o)
{
	if (o->npos != 4)
		return cli_errorf("registry: alias needs GROUP NAME VERSION (see --help)");
	if (!o->reason)
		return cli_errorf("registry: --reason TEXT is required");
	const char *group = o->pos[1], *name = o->pos[2];
	char *ref = strchr(o->pos[3], '/') || strchr(o->pos[3], '@') ?
		xstrdup(o->pos[3]) : xasprintf("%s/%s", group, o->pos[3]);
	char g[REGISTRY_GROUP_MAX + 1];
	int version;
	struct ft_err err;
	int rc = EXIT_OK;
	if (registry_resolve(root, ref, g, &version, &err) < 0) {
		rc = cli_error(&err);
	} else if (strcmp(g, group)) {
		rc = cli_errorf("registry: alias: %s is not a version of %s", o->pos[3], group);
	} else if (registry_set_alias(root, group, name, version, o->reason, o->user, &err) < 0) {
		rc = cli_error(&err);
	} else {
		say("%s@%s: %s/%d\n", group, name, group, version);
	}
	free(ref);
	return rc;
}

static int approve_promote(const char *root, const struct popts *o)
{
	if (o->npos != 2)
		return cli_errorf("registry: approve needs GROUP/VERSION (see --help)");
	if (!o->reason)
		return cli_errorf("registry: --reason TEXT is required");
	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	struct ft_err err;
	if (registry_resolve(root, o->pos[1], group, &version, &err) < 0 ||
	    registry_set_status(root, group, version, REG_APPROVED, o->reason, o->user, &err) < 0)
		return cli_error(&err);
	say("%s/%d: %s\n", group, version, registry_status_name(REG_APPROVED));
	if (registry_set_alias(root, group, "champion", version, o->reason, o->user, &err) < 0)
		return cli_error(&err);
	say("%s@champion: %s/%d\n", group, group, version);
	return EXIT_OK;
}

static void print_confusion(const char *name, const struct confusion *c)
{
	say("  %-4s TN %-8llu FP %-8llu FN %-8llu TP %llu\n", name,
	       (unsigned long long)c->tn, (unsigned long long)c->fp,
	       (unsigned long long)c->fn, (unsigned long long)c->tp);
}

static int compare(const char *root, const struct popts *o)
{
	if (o->npos != 4)
		return cli_errorf("registry: compare needs GROUP/A GROUP/B FILE.csv (see --help)");
	char group[2][REGISTRY_GROUP_MAX + 1];
	int version[2];
	struct registry_details d[2];
	struct model *m[2] = { NULL, NULL };
	char *pipe[2] = { NULL, NULL }, *name[2] = { NULL, NULL };
	struct ft_err err;
	int rc = EXIT_OK, loaded = 0;
	for (int s = 0; s < 2; s++) {
		if (registry_resolve(root, o->pos[1 + s], group[s], &version[s], &err) < 0 ||
		    registry_show(root, group[s], version[s], &d[s], &err) < 0) {
			rc = cli_error(&err);
			goto done;
		}
		loaded++;
		if (!(m[s] = registry_load_model(root, group[s], version[s], &err)) ||
		    !(pipe[s] = registry_read_pipeline(root, group[s], version[s], &err))) {
			rc = cli_error(&err);
			goto done;
		}
		name[s] = xasprintf("%s/%d", group[s], version[s]);
	}
	struct compare_model a = { name[0], m[0], d[0].v.m.data_sha256, pipe[0] };
	struct compare_model b = { name[1], m[1], d[1].v.m.data_sha256, pipe[1] };
	struct compare_result r;
	if (compare_models(&a, &b, o->pos[3], &r, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	say("compare %s (A) and %s (B) on %s\n", name[0], name[1], o->pos[3]);
	say("  file sha256 %s: %s\n", r.file_sha256,
	       r.trained_on_file[0] || r.trained_on_file[1] ? "training data of "
	       "a version" : "the training data of neither version");
	say("  rows: %zu (%s)\n", r.rows, r.rows_note);
	if (r.amount_column)
		say("  amount: %s\n", r.amount_column);
	else
		say("  amount: none (every fraud counts 1)\n");
	say("\n  %-24s %14s %14s %14s\n", "", "A", "B", "B - A");
	static const char *const shown[] = {
		"accuracy", "precision", "recall", "f1", "alerts", "alert_rate",
		"amount_caught", "amount_missed", "amount_recall", "cost", "net_savings",
		"precision_at_alert_rate", "recall_at_alert_rate",
	};
	for (size_t k = 0; k < sizeof shown / sizeof shown[0]; k++) {
		double va = 0, vb = 0;
		metrics_lookup(&r.m[0], shown[k], &va);
		metrics_lookup(&r.m[1], shown[k], &vb);
		bool money = !strncmp(shown[k], "amount_c", 8) || !strncmp(shown[k], "amount_m", 8) ||
			!strcmp(shown[k], "cost") || !strcmp(shown[k], "net_savings");
		if (!strcmp(shown[k], "alerts"))
			say("  %-24s %14.0f %14.0f %+14.0f\n", shown[k], va, vb, vb - va);
		else if (money)
			say("  %-24s %14.2f %14.2f %+14.2f\n", shown[k], va, vb, vb - va);
		else
			say("  %-24s %14.4f %14.4f %+14.4f\n", shown[k], va, vb, vb - va);
	}
	say("\nconfusion matrices (threshold A %g, B %g)\n", m[0]->threshold, m[1]->threshold);
	print_confusion("A", &r.m[0].cm);
	print_confusion("B", &r.m[1].cm);
	say("\nMcNemar's exact test (rows where the decisions differ)\n");
	say("  all rows:   B right, A wrong %llu; A right, B wrong %llu; p = %.4g\n",
	       (unsigned long long)r.decisions.b, (unsigned long long)r.decisions.c,
	       r.decisions.p);
	say("  fraud rows: B caught, A missed %llu; A caught, B missed %llu; p = %.4g\n",
	       (unsigned long long)r.frauds.b, (unsigned long long)r.frauds.c, r.frauds.p);
	char why[400];
	if (compare_beats(&r, why, sizeof why)) {
		say("\nverdict: B beats A: %s\n", why);
	} else {
		char why_b[400];
		compare_swap(&r);
		if (compare_beats(&r, why_b, sizeof why_b))
			say("\nverdict: A beats B: %s\n", why_b);
		else
			say("\nverdict: neither beats the other; B: %s\n", why);
	}
	compare_result_free(&r);
done:
	for (int s = 0; s < loaded; s++)
		registry_details_free(&d[s]);
	for (int s = 0; s < 2; s++) {
		model_free(m[s]);
		free(pipe[s]);
		free(name[s]);
	}
	return rc;
}

void cli_policy_print_flags(const char *root, const char *group, int version)
{
	char **lines;
	struct ft_err err;
	size_t n = registry_version_flags(root, group, version, &lines, &err);
	if (n == (size_t)-1) {
		say("flags        (cannot be read: %s)\n", err.msg);
		return;
	}
	say("flags        %s\n", n ? "how its gate and threshold differ from the policy "
	       "and the defaults" : "none: its gate and threshold meet the policy and the defaults");
	for (size_t i = 0; i < n; i++) {
		say("  ! %s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
}

void cli_policy_flags_json(const char *root, const char *group, int version, cJSON *o)
{
	char **lines;
	struct ft_err err;
	size_t n = registry_version_flags(root, group, version, &lines, &err);
	cJSON *arr = cJSON_AddArrayToObject(o, "flags");
	for (size_t i = 0; n != (size_t)-1 && i < n; i++) {
		cJSON_AddItemToArray(arr, cJSON_CreateString(lines[i]));
		free(lines[i]);
	}
	if (n != (size_t)-1)
		free(lines);
}

int cli_registry_verb(int argc, char **argv)
{
	static const char *const valued[] = {
		"--registry", "--reason", "--user", "--gate", "--four-eyes", "--must-beat"
	};
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
				if (!strcmp(argv[i], valued[k]))
					i++;
			continue;
		}
		return i;
	}
	return 0;
}

bool cli_policy_handles(int argc, char **argv)
{
	int v = cli_registry_verb(argc, argv);
	if (!v)
		return false;
	bool promote = false;
	for (int i = 1; i < argc; i++)
		promote |= !strcmp(argv[i], "--promote");
	const char *verb = argv[v];
	return !strcmp(verb, "policy") || !strcmp(verb, "alias") || !strcmp(verb, "compare") ||
	       (!strcmp(verb, "approve") && promote);
}

int cli_policy(int argc, char **argv)
{
	struct popts o;
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	const char *root = options_registry_root(o.registry);
	const char *verb = o.pos[0];
	if (!strcmp(verb, "policy"))
		return policy(root, &o);
	if (!strcmp(verb, "alias"))
		return alias(root, &o);
	if (!strcmp(verb, "compare"))
		return compare(root, &o);
	return approve_promote(root, &o);
}
