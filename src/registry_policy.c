/* registry_policy: a group's policy and aliases in group.json, and the
 * checks made with them.
 *
 * group.json members (fraudtree-registry(5)):
 *   "policy": {"gate": [{"metric", "op", "value"}...], "four_eyes": BOOL,
 *              "must_beat": "champion" | "none", "reason", "user", "time"}
 *   "aliases": {"champion": 3, ...}
 * A condition of the policy is met on the version's own test metrics,
 * whatever the run's gate said; a run's gate never replaces it. The gate
 * syntax and the metric names are the settings' and the metrics' own, so
 * a policy accepts exactly what `--set gate=` accepts. */
#include "config.h"
#include "registry_policy.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

static void gate_free(struct gate_condition *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].metric);
	free(g);
}

static struct gate_condition *gate_dup(const struct gate_condition *g, size_t n)
{
	if (!n)
		return NULL;
	struct gate_condition *d = xcalloc(n, sizeof *d);
	for (size_t i = 0; i < n; i++) {
		d[i] = g[i];
		d[i].metric = xstrdup(g[i].metric);
	}
	return d;
}

void registry_policy_free(struct registry_policy *p)
{
	if (!p)
		return;
	gate_free(p->gate, p->ngate);
	free(p->reason);
	free(p->user);
	free(p->time);
	memset(p, 0, sizeof *p);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void registry_policy_copy(struct registry_policy *dst, const struct registry_policy *src)
{
	*dst = *src;
	dst->gate = gate_dup(src->gate, src->ngate);
	dst->reason = dup_or_null(src->reason);
	dst->user = dup_or_null(src->user);
	dst->time = dup_or_null(src->time);
}

int registry_policy_parse_gate(const char *text, struct registry_policy *p, struct ft_err *err)
{
	if (!text[0] || !strcmp(text, "none")) {
		gate_free(p->gate, p->ngate);
		p->gate = NULL;
		p->ngate = 0;
		return 0;
	}
	struct settings s;
	settings_init(&s);
	char *assignment = xasprintf("gate=%s", text);
	struct ft_err e;
	ft_err_clear(&e);
	int rc = settings_set(&s, assignment, &e);
	free(assignment);
	if (rc < 0) {
		/* "--set gate: expected ..." reads "--gate: expected ..." here */
		const char *msg = strncmp(e.msg, "--set gate: ", 12) == 0 ? e.msg + 12 : e.msg;
		ft_fail(err, FT_EINPUT, "--gate: %s", msg);
	} else {
		gate_free(p->gate, p->ngate);
		p->gate = s.gate;
		p->ngate = s.ngate;
		s.gate = NULL;
		s.ngate = 0;
	}
	settings_free(&s);
	return rc;
}

char *registry_policy_gate_text(const struct gate_condition *g, size_t n)
{
	if (!n)
		return xstrdup("none");
	struct strbuf sb = { 0 };
	for (size_t i = 0; i < n; i++) {
		char v[32];
		fmt_double(v, g[i].value);
		sb_printf(&sb, "%s%s%s%s", i ? "," : "", g[i].metric, cmp_op_name(g[i].op), v);
	}
	return sb.data;
}

static int policy_fail(struct ft_err *err, const char *where, const char *what)
{
	return ft_fail(err, FT_EINPUT, "%s: policy: %s", where, what);
}

int registry_policy_from_json(const cJSON *j, const char *where, struct registry_policy *out,
			      struct ft_err *err)
{
	memset(out, 0, sizeof *out);
	if (!j || cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsObject(j))
		return policy_fail(err, where, "expected an object");
	const cJSON *gate = cJSON_GetObjectItemCaseSensitive(j, "gate");
	const cJSON *four = cJSON_GetObjectItemCaseSensitive(j, "four_eyes");
	const cJSON *beat = cJSON_GetObjectItemCaseSensitive(j, "must_beat");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(j, "reason");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(j, "user");
	const cJSON *time = cJSON_GetObjectItemCaseSensitive(j, "time");
	if (!cJSON_IsArray(gate))
		return policy_fail(err, where, "gate: expected a list of conditions");
	if (!cJSON_IsBool(four))
		return policy_fail(err, where, "four_eyes: expected true or false");
	if (!cJSON_IsString(beat) || (strcmp(beat->valuestring, "champion") &&
				      strcmp(beat->valuestring, "none")))
		return policy_fail(err, where, "must_beat: expected \"champion\" or \"none\"");
	if (!cJSON_IsString(reason) || !cJSON_IsString(user) || !cJSON_IsString(time))
		return policy_fail(err, where, "reason, user, time: expected text");
	/* the conditions go through the settings' own checks */
	struct settings s;
	settings_init(&s);
	cJSON *wrap = cJSON_CreateObject();
	cJSON_AddItemToObject(wrap, "gate", cJSON_Duplicate(gate, true));
	char *text = cJSON_PrintUnformatted(wrap);
	cJSON_Delete(wrap);
	struct ft_err e;
	ft_err_clear(&e);
	int rc = settings_load_json(&s, text, "policy", &e);
	free(text);
	if (rc < 0) {
		settings_free(&s);
		return ft_fail(err, FT_EINPUT, "%s: %s", where, e.msg);
	}
	out->set = true;
	out->gate = s.gate;
	out->ngate = s.ngate;
	s.gate = NULL;
	s.ngate = 0;
	settings_free(&s);
	out->four_eyes = cJSON_IsTrue(four);
	out->must_beat_champion = !strcmp(beat->valuestring, "champion");
	out->reason = xstrdup(reason->valuestring);
	out->user = xstrdup(user->valuestring);
	out->time = xstrdup(time->valuestring);
	return 0;
}

cJSON *registry_policy_to_json(const struct registry_policy *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *gate = cJSON_AddArrayToObject(o, "gate");
	for (size_t i = 0; i < p->ngate; i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "metric", p->gate[i].metric);
		cJSON_AddStringToObject(c, "op", cmp_op_name(p->gate[i].op));
		char v[32];
		fmt_double(v, p->gate[i].value);
		cJSON_AddRawToObject(c, "value", v);
		cJSON_AddItemToArray(gate, c);
	}
	cJSON_AddBoolToObject(o, "four_eyes", p->four_eyes);
	cJSON_AddStringToObject(o, "must_beat", p->must_beat_champion ? "champion" : "none");
	cJSON_AddStringToObject(o, "reason", p->reason ? p->reason : "");
	cJSON_AddStringToObject(o, "user", p->user ? p->user : "");
	cJSON_AddStringToObject(o, "time", p->time ? p->time : "");
	return o;
}

bool registry_policy_admits(const struct registry_policy *p, const struct metrics *m,
			    char *why, size_t size)
{
	if (size)
		why[0] = '\0';
	if (!p || !p->set)
		return true;
	for (size_t i = 0; i < p->ngate; i++) {
		const struct gate_condition *c = &p->gate[i];
		char v[32], want[32];
		fmt_double(want, c->value);
		double actual;
		if (!metrics_lookup(m, c->metric, &actual)) {
			snprintf(why, size, "%s%s%s: %s is not measured", c->metric,
				 cmp_op_name(c->op), want, c->metric);
			return false;
		}
		if (!cmp_op_eval(c->op, actual, c->value)) {
			fmt_double(v, actual);
			snprintf(why, size, "%s %s is not %s %s", c->metric, v,
				 cmp_op_name(c->op), want);
			return false;
		}
	}
	return true;
}

/* Does condition c of a gate hold whenever `need` does, for the same
 * metric? (>= 0.9 covers >= 0.85; <= 400 covers <= 500.) */
static bool covers(const struct gate_condition *c, const struct gate_condition *need)
{
	if (strcmp(c->metric, need->metric))
		return false;
	bool c_low = c->op == OP_GE || c->op == OP_GT, n_low = need->op == OP_GE || need->op == OP_GT;
	bool c_high = c->op == OP_LE || c->op == OP_LT, n_high = need->op == OP_LE || need->op == OP_LT;
	if (c_low && n_low)
		return c->value > need->value ||
		       (c->value == need->value && (c->op == OP_GT || need->op == OP_GE));
	if (c_high && n_high)
		return c->value < need->value ||
		       (c->value == need->value && (c->op == OP_LT || need->op == OP_LE));
	if (c->op == OP_EQ)
		return cmp_op_eval(need->op, c->value, need->value);
	return c->op == need->op && c->value == need->value;
}

static char *cond_text(const struct gate_condition *c)
{
	return registry_policy_gate_text(c, 1);
}

static void add_line(char ***out, size_t *n, char *line)
{
	*out = xreallocarray(*out, *n + 1, sizeof **out);
	(*out)[(*n)++] = line;
}

/* need[] conditions the version's gate does not cover, as lines. */
static void uncovered(const struct gate_condition *gate, size_t ngate,
		      const struct gate_condition *need, size_t nneed, const char *whose,
		      char ***out, size_t *n)
{
	for (size_t k = 0; k < nneed; k++) {
		bool ok = false;
		for (size_t i = 0; i < ngate && !ok; i++)
			ok = covers(&gate[i], &need[k]);
		if (ok)
			continue;
		char *want = cond_text(&need[k]);
		char *mine = NULL;
		for (size_t i = 0; i < ngate && !mine; i++)
			if (!strcmp(gate[i].metric, need[k].metric))
				mine = cond_text(&gate[i]);
		if (mine)
			add_line(out, n, xasprintf("gate %s is weaker than %s %s", mine, whose, want));
		else
			add_line(out, n, xasprintf("gate lacks %s %s", whose, want));
		free(want);
		free(mine);
	}
}

size_t registry_policy_flags(const struct registry_policy *p, const cJSON *gate_json,
			     const cJSON *threshold_json, char ***out)
{
	*out = NULL;
	size_t n = 0;
	struct settings defaults, version;
	settings_init(&defaults);
	settings_init(&version);
	bool gate_read = false;
	if (gate_json) {
		cJSON *wrap = cJSON_CreateObject();
		cJSON_AddItemToObject(wrap, "gate", cJSON_Duplicate(gate_json, true));
		char *text = cJSON_PrintUnformatted(wrap);
		cJSON_Delete(wrap);
		struct ft_err e;
		ft_err_clear(&e);
		gate_read = settings_load_json(&version, text, "pipeline.json", &e) == 0;
		free(text);
	}
	if (!gate_read)
		add_line(out, &n, xstrdup("gate: not recorded in pipeline.json"));
	else {
		if (p && p->set)
			uncovered(version.gate, version.ngate, p->gate, p->ngate, "the policy's",
				  out, &n);
		uncovered(version.gate, version.ngate, defaults.gate, defaults.ngate,
			  "the default", out, &n);
	}
	char dv[32];
	fmt_double(dv, defaults.threshold);
	if (cJSON_IsString(threshold_json) && !strcmp(threshold_json->valuestring, "min_cost"))
		add_line(out, &n, xasprintf("threshold min_cost (least cost on validation), not "
					    "the default %s", dv));
	else if (cJSON_IsNumber(threshold_json) &&
		 threshold_json->valuedouble != defaults.threshold) {
		char tv[32];
		fmt_double(tv, threshold_json->valuedouble);
		add_line(out, &n, xasprintf("threshold %s, not the default %s", tv, dv));
	}
	settings_free(&defaults);
	settings_free(&version);
	return n;
}

bool registry_alias_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len < 1 || len > 32 || !islower((unsigned char)name[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
		    name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

int registry_alias_get(const cJSON *group_json, const char *name)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(group_json, "aliases");
	const cJSON *v = cJSON_IsObject(a) ? cJSON_GetObjectItemCaseSensitive(a, name) : NULL;
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 999999999 ||
	    v->valuedouble != floor(v->valuedouble))
		return 0;
	return (int)v->valuedouble;
}
