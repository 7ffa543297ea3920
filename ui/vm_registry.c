/* vm_registry: the Registry screen's text, kept free of curses so it can
 * be tested. Every function only reads the registry structures it is given;
 * fields a damaged version may lack (NULL strings) print as "?". */
#include "config.h"
#include "vm_registry.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "?";
}

const char *vm_status_short(enum registry_status s)
{
	return registry_status_short(s);
}

void vm_created_short(const char *iso, char *buf, size_t size)
{
	/* YYYY-MM-DDTHH:MM... : date and minutes, the T as a space. */
	if (iso && strlen(iso) >= 16 && iso[10] == 'T')
		snprintf(buf, size, "%.10s %.5s", iso, iso + 11);
	else
		snprintf(buf, size, "%s", or_unknown(iso));
}

void vm_version_line(const struct registry_version *v, char *buf, size_t size)
{
	if (v->damaged) {
		snprintf(buf, size, "DAMAGED: %s", or_unknown(v->problem));
		return;
	}
	char created[32], acc[16] = "     -", rec[16] = "     -";
	vm_created_short(v->m.created, created, sizeof created);
	if (v->m.has_metrics) {
		snprintf(acc, sizeof acc, "%6.4f", v->m.metrics.accuracy);
		snprintf(rec, sizeof rec, "%6.4f", v->m.metrics.recall);
	}
	snprintf(buf, size, "%-8s  %-16s  %s  %s  %.8s", vm_status_short(v->m.status),
		 created, acc, rec, v->m.data_sha256);
}

static void add(char ***lines, size_t *n, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(char ***lines, size_t *n, size_t *cap, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*lines = xreallocarray(*lines, *cap, sizeof **lines);
	}
	(*lines)[(*n)++] = xstrdup(buf);
}

static const char *op_text(const char *op)
{
	return op && *op ? op : "?";
}

/* "0.7750 [0.7123, 0.8274]": a test figure and its 95% interval as
 * evaluation.json recorded it; the figure alone (and false) when there
 * is none. */
static bool with_interval(const struct metrics *t, const char *name, char *buf, size_t size)
{
	double v = 0, lo, hi;
	char key[64];
	metrics_lookup(t, name, &v);
	snprintf(key, sizeof key, "%s.lower", name);
	bool known = metrics_lookup(t, key, &lo);
	snprintf(key, sizeof key, "%s.upper", name);
	known = known && metrics_lookup(t, key, &hi);
	if (known)
		snprintf(buf, size, "%.4f [%.4f, %.4f]", v, lo, hi);
	else
		snprintf(buf, size, "%.4f", v);
	return known;
}

char **vm_registry_details(const struct registry_details *d, size_t *n)
{
	char **l = NULL;
	size_t cap = 0;
	const struct registry_manifest *m = &d->v.m;

	*n = 0;
	add(&l, n, &cap, "%s/%d  %s", or_unknown(m->group), m->version,
	    registry_status_name(m->status));
	add(&l, n, &cap, "created %s by %s with %s", or_unknown(m->created), or_unknown(m->user),
	    or_unknown(m->program));
	if (m->description && *m->description)
		add(&l, n, &cap, "description: %s", m->description);
	add(&l, n, &cap, "data: %s", or_unknown(m->data_path));
	add(&l, n, &cap, "      %llu rows x %llu columns, %llu bytes, sha256 %.16s",
	    (unsigned long long)m->data_rows, (unsigned long long)m->data_columns,
	    (unsigned long long)m->data_size, m->data_sha256);
	if (m->has_metrics) {
		const struct metrics *t = &m->metrics;
		char acc[48], base[48], rec[48], prec[48], f1[48], roc[48], pr[48];
		bool any = with_interval(t, "accuracy", acc, sizeof acc);
		any |= with_interval(t, "baseline", base, sizeof base);
		any |= with_interval(t, "recall", rec, sizeof rec);
		any |= with_interval(t, "precision", prec, sizeof prec);
		any |= with_interval(t, "f1", f1, sizeof f1);
		any |= with_interval(t, "roc_auc", roc, sizeof roc);
		any |= with_interval(t, "pr_auc", pr, sizeof pr);
		add(&l, n, &cap, "test: accuracy %s (baseline %s)", acc, base);
		add(&l, n, &cap, "      recall %s, precision %s", rec, prec);
		char thr[32];
		fmt_double(thr, t->threshold);
		add(&l, n, &cap, "      F1 %s, ROC AUC %s, PR AUC %s at threshold %s", f1, roc, pr,
		    thr);
		if (any)
			add(&l, n, &cap, "      [95%% intervals: Wilson for proportions, stratified "
			    "bootstrap (%zu resamples, seed %llu) for the rest]",
			    t->bootstrap_resamples, (unsigned long long)t->bootstrap_seed);
		else
			add(&l, n, &cap, "      (no intervals recorded in evaluation.json)");
		add(&l, n, &cap, "      TN %llu  FP %llu  FN %llu  TP %llu", (unsigned long long)t->cm.tn,
		    (unsigned long long)t->cm.fp, (unsigned long long)t->cm.fn,
		    (unsigned long long)t->cm.tp);
	}
	add(&l, n, &cap, "tree: %zu nodes, %zu leaves, depth %d", d->nodes, d->leaves, d->depth);
	if (d->ntop) {
		struct strbuf top = { 0 };
		for (size_t i = 0; i < d->ntop; i++)
			sb_printf(&top, "%s%s %.3f", i ? ", " : "", or_unknown(d->top[i].name),
				  d->top[i].importance);
		add(&l, n, &cap, "      top features: %s", top.data);
		sb_free(&top);
	}
	add(&l, n, &cap, "gate at registration: %s", m->gate_pass ? "PASS" : "FAIL");
	for (size_t i = 0; i < m->ngate; i++) {
		const struct registry_gate_check *g = &m->gate[i];
		char cond[96], value[32];
		fmt_double(value, g->value);
		snprintf(cond, sizeof cond, "%s %s %s", or_unknown(g->metric), op_text(g->op), value);
		add(&l, n, &cap, "  %s  %-18s %s", g->pass ? "pass" : "FAIL", cond, or_unknown(g->why));
	}
	add(&l, n, &cap, "audit history (%zu event%s):", d->nevents,
	    d->nevents == 1 ? "" : "s");
	for (size_t i = 0; i < d->nevents; i++) {
		const struct registry_event *e = &d->events[i];
		bool has_from = e->from && *e->from;
		bool has_reason = e->reason && *e->reason;
		add(&l, n, &cap, "  %s  %s  %s  %s%s%s%s%s%s", or_unknown(e->time), or_unknown(e->user),
		    or_unknown(e->event), has_from ? e->from : "", has_from ? " -> " : "-> ",
		    or_unknown(e->to), has_reason ? ": \"" : "", has_reason ? e->reason : "",
		    has_reason ? "\"" : "");
	}
	return l;
}

/* A number's text, rounded to four decimals unless it is an integer;
 * false when text is not a number. */
static bool short_number(const char *text, char *buf, size_t size)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || !isfinite(v))
		return false;
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.4f", v);
	return true;
}

char **vm_registry_diff(const struct registry_diff_item *items, size_t nitems,
			const char *a_name, const char *b_name, size_t *n)
{
	char **l = NULL;
	size_t cap = 0;

	*n = 0;
	add(&l, n, &cap, "Differences %s -> %s (%zu)", or_unknown(a_name), or_unknown(b_name),
	    nitems);
	if (!nitems)
		add(&l, n, &cap, "  none: the two versions agree on status, settings, metrics, data and tree");
	for (size_t i = 0; i < nitems; i++) {
		const struct registry_diff_item *it = &items[i];
		char delta[48] = "";
		if (it->has_delta) {
			if (it->delta == floor(it->delta) && fabs(it->delta) < 1e15)
				snprintf(delta, sizeof delta, " (%+.0f)", it->delta);
			else
				snprintf(delta, sizeof delta, " (%+.4f)", it->delta);
		}
		char a[64], b[64];
		const char *at = it->a ? it->a : "", *bt = it->b ? it->b : "";
		/* Numbers arrive exact ("%.17g"); people compare four decimals. */
		if (it->has_delta && short_number(at, a, sizeof a) && short_number(bt, b, sizeof b)) {
			at = a;
			bt = b;
		}
		add(&l, n, &cap, "  %-9s %s: %s -> %s%s", registry_diff_kind_name(it->kind), or_unknown(it->key),
		    at, bt, delta);
	}
	return l;
}

void vm_gate_condition(const struct gate_check *c, char *buf, size_t size)
{
	char value[32];
	fmt_double(value, c->value);
	snprintf(buf, size, "%s %s %s", or_unknown(c->metric), cmp_op_name(c->op), value);
}
