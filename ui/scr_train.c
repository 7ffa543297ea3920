/* scr_train: the Train screen: the tree's parameters (each moved with +/-
 * or typed after Enter), training and tuning in the worker thread, the last
 * model's summary, the run history and the tuning results (table and a
 * max_depth x min_samples_split heat map of the objective).
 *
 * Parameters are changed only through `:set KEY VALUE` so the command line
 * and the keys cannot disagree; the screen keeps just its cursors. */
#include "config.h"
#include "screen.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include "metrics.h"
#include "prompt.h"
#include "term.h"
#include "tree.h"
#include "tune.h"
#include "util.h"
#include "view.h"

enum param {
	P_CRITERION, P_MAX_DEPTH, P_MIN_SPLIT, P_MIN_LEAF, P_MIN_IMPURITY, P_MAX_LEAVES,
	P_CCP_ALPHA, P_CLASS_WEIGHT, P_THRESHOLD, P_TUNE_DEPTH, P_TUNE_SPLIT, P_TUNE_LEAF,
	P_TUNE_OBJECTIVE, P_TUNE_CCP, P_COUNT
};

static const struct {
	const char *label, *key;
} params[P_COUNT] = {
	[P_CRITERION] = { "criterion", "tree.criterion" },
	[P_MAX_DEPTH] = { "max_depth", "tree.max_depth" },
	[P_MIN_SPLIT] = { "min_samples_split", "tree.min_samples_split" },
	[P_MIN_LEAF] = { "min_samples_leaf", "tree.min_samples_leaf" },
	[P_MIN_IMPURITY] = { "min_impurity_decrease", "tree.min_impurity_decrease" },
	[P_MAX_LEAVES] = { "max_leaf_nodes", "tree.max_leaf_nodes" },
	[P_CCP_ALPHA] = { "ccp_alpha", "tree.ccp_alpha" },
	[P_CLASS_WEIGHT] = { "class weights", "resample.method" },
	[P_THRESHOLD] = { "threshold", "threshold" },
	[P_TUNE_DEPTH] = { "tune max_depth", "tune.max_depth" },
	[P_TUNE_SPLIT] = { "tune min_samples_split", "tune.min_samples_split" },
	[P_TUNE_LEAF] = { "tune min_samples_leaf", "tune.min_samples_leaf" },
	[P_TUNE_OBJECTIVE] = { "tune objective", "tune.objective" },
	[P_TUNE_CCP] = { "tune ccp_alpha", "tune.ccp_alpha" },
};

enum focus { FOCUS_PARAMS, FOCUS_HISTORY, FOCUS_TUNE, FOCUS_PATH };

struct train_state {
	int cur;
	enum focus focus;
	/* runs compared side by side (0-based), shown while compare is set */
	bool compare;
	size_t cmp_a, cmp_b;
	bool marked;
	size_t mark;
	size_t hist_cur, tune_cur, tune_top, hist_top, path_cur, path_top;
	const struct pipeline_result *heat_of, *path_of;
	struct view_heat heat;
	char find[64];   /* the last text / looked for */
};

static struct train_state *state(struct app *a)
{
	struct train_state *s = a->screen_state[SCR_TRAIN];
	if (!s) {
		s = xcalloc(1, sizeof *s);
		a->screen_state[SCR_TRAIN] = s;
	}
	return s;
}

static void free_state(struct app *a)
{
	struct train_state *s = a->screen_state[SCR_TRAIN];
	if (!s)
		return;
	view_heat_free(&s->heat);
	free(s);
	a->screen_state[SCR_TRAIN] = NULL;
}

static void list_text(const struct int_list *l, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->n && o + 2 < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%ld", i ? "," : "", l->v[i]);
}

static void param_value(const struct settings *st, enum param p, char *buf, size_t size)
{
	const struct tree_params *t = &st->tree;
	switch (p) {
	case P_CRITERION: snprintf(buf, size, "%s", criterion_name(t->criterion)); break;
	case P_MAX_DEPTH: snprintf(buf, size, "%d", t->max_depth); break;
	case P_MIN_SPLIT: snprintf(buf, size, "%zu", t->min_samples_split); break;
	case P_MIN_LEAF: snprintf(buf, size, "%zu", t->min_samples_leaf); break;
	case P_MIN_IMPURITY: snprintf(buf, size, "%s", view_num(t->min_impurity_decrease).s); break;
	case P_MAX_LEAVES: snprintf(buf, size, "%zu", t->max_leaf_nodes); break;
	case P_CCP_ALPHA: snprintf(buf, size, "%s", view_num(t->ccp_alpha).s); break;
	case P_CLASS_WEIGHT: snprintf(buf, size, "%s", st->resample == RESAMPLE_CLASS_WEIGHT ? "balanced" : "none"); break;
	case P_THRESHOLD: snprintf(buf, size, "%s", view_num(st->threshold).s); break;
	case P_TUNE_DEPTH: list_text(&st->tune_max_depth, buf, size); break;
	case P_TUNE_SPLIT: list_text(&st->tune_min_samples_split, buf, size); break;
	case P_TUNE_LEAF: list_text(&st->tune_min_samples_leaf, buf, size); break;
	case P_TUNE_OBJECTIVE: snprintf(buf, size, "%s", st->tune_objective ? st->tune_objective : ""); break;
	case P_TUNE_CCP: snprintf(buf, size, "%s", tune_ccp_name(st->tune_ccp_alpha)); break;
	default: buf[0] = '\0'; break;
	}
}

static const char *param_note(const struct settings *st, enum param p)
{
	switch (p) {
	case P_MAX_DEPTH: return st->tree.max_depth ? "" : "unlimited";
	case P_MAX_LEAVES: return st->tree.max_leaf_nodes ? "best-first" : "unlimited";
	case P_CCP_ALPHA: return st->tree.ccp_alpha > 0 ? "pruned" : "no pruning";
	case P_TUNE_DEPTH: case P_TUNE_SPLIT: case P_TUNE_LEAF:
		return "e.g. 3,5,8";
	case P_TUNE_CCP:
		return st->tune_ccp_alpha == TUNE_CCP_PATH ? "T: one-SE alpha" : "path: T picks alpha";
	default: return "";
	}
}

/* ---- drawing ---- */

static void draw_params(struct app *a, struct train_state *s, WINDOW *w, int width)
{
	const struct settings *st = &a->settings;
	attr_t head = term_attr(ROLE_HEADER) | (s->focus == FOCUS_PARAMS ? A_REVERSE : 0);
	term_put(w, 0, 0, width, " parameters (+/- change, Enter types)", head, false);
	for (int p = 0; p < P_COUNT; p++) {
		char val[128];
		param_value(st, (enum param)p, val, sizeof val);
		bool sel = p == s->cur && s->focus == FOCUS_PARAMS;
		attr_t at = sel ? term_attr(ROLE_SELECTED) : A_NORMAL;
		char line[256];
		/* a value longer than its column (a pruning path's alpha) takes
		 * room from the label's padding, so its digits stay whole */
		int vw = view_text_width(val[0] ? val : "-"), lab = 22;
		if (vw > 14 && lab > width - 2 - vw)
			lab = width - 2 - vw;
		if (lab < view_text_width(params[p].label))
			lab = view_text_width(params[p].label);
		snprintf(line, sizeof line, " %-*s %-14s", lab, params[p].label, val[0] ? val : "-");
		term_put(w, 1 + p, 0, width, line, at, false);
		int x = view_text_width(line) + 1;
		const char *note = param_note(st, (enum param)p);
		if (x + view_text_width(note) <= width)
			term_put(w, 1 + p, x, width - x, note, sel ? at : term_attr(ROLE_DIM), false);
	}
}

static void draw_summary(struct app *a, WINDOW *w, int x0, int width)
{
	int y = 0;
	term_put(w, y++, x0, width, " last model", term_attr(ROLE_HEADER) | A_REVERSE, false);
	if (a->job_running && (a->job.kind == JOB_TRAIN || a->job.kind == JOB_TUNE)) {
		char stage[32];
		double frac;
		app_job_progress(a, stage, sizeof stage, &frac);
		term_printf(w, y++, x0 + 1, width - 1, A_BOLD, "%s: %s  %.1f s",
			    a->job.kind == JOB_TUNE ? "tuning" : "training", stage,
			    ft_now() - a->job.started);
		if (frac >= 0)
			term_bar(w, y, x0 + 1, width - 8, frac, 1, term_attr(ROLE_BAR));
		term_printf(w, y++, x0 + width - 6, 6, A_NORMAL, "%3d%%", frac >= 0 ? (int)(frac * 100) : 0);
		term_put(w, y++, x0 + 1, width - 1, "Esc cancels; keys keep working", term_attr(ROLE_DIM), false);
		y++;
	}
	const struct pipeline_result *r = a->result;
	if (!r) {
		term_put(w, y, x0 + 1, width - 1, "none yet: t trains, T tunes", term_attr(ROLE_DIM), false);
		return;
	}
	const struct metrics *m = &r->test_metrics;
	char **stale;
	size_t nstale = app_stale_keys(a, &stale);
	if (nstale) {
		/* the panel beside shows what the next training uses; say
		 * plainly that this model was trained with something else */
		struct strbuf sb = { 0 };
		for (size_t i = 0; i < nstale; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", stale[i]);
		char *one = xasprintf("model is stale: %s changed", sb.data);
		if (view_text_width(one) <= width - 1) {
			term_put(w, y++, x0 + 1, width - 1, one, term_attr(ROLE_WARN) | A_BOLD, false);
		} else {
			term_printf(w, y++, x0 + 1, width - 1, term_attr(ROLE_WARN) | A_BOLD,
				    "model is stale: %zu setting%s changed:", nstale,
				    nstale == 1 ? "" : "s");
			term_printf(w, y++, x0 + 3, width - 3, term_attr(ROLE_WARN), "%s", sb.data);
		}
		free(one);
		sb_free(&sb);
	}
	settings_diff_free(stale, nstale);
	char line[256];
	snprintf(line, sizeof line, "tree       %zu nodes, %zu leaves, depth %d", r->tree->nnodes,
		 tree_leaves(r->tree), tree_depth(r->tree));
	if (view_text_width(line) > width - 1)
		snprintf(line, sizeof line, "tree       depth %d, %zu nodes", tree_depth(r->tree),
			 r->tree->nnodes);
	term_put(w, y++, x0 + 1, width - 1, line, A_NORMAL, false);
	term_printf(w, y++, x0 + 1, width - 1, A_NORMAL, "accuracy   %.4f  (baseline %.4f)", m->accuracy, m->baseline);
	term_printf(w, y++, x0 + 1, width - 1, A_NORMAL, "precision  %.4f  recall %.4f", m->precision, m->recall);
	term_printf(w, y++, x0 + 1, width - 1, A_NORMAL, "f1         %.4f  roc_auc %.4f", m->f1, m->roc_auc);
	char cm[160];
	snprintf(cm, sizeof cm, "test       TP %llu  FP %llu  FN %llu  TN %llu",
		 (unsigned long long)m->cm.tp, (unsigned long long)m->cm.fp,
		 (unsigned long long)m->cm.fn, (unsigned long long)m->cm.tn);
	if (view_text_width(cm) <= width - 1) {
		term_put(w, y++, x0 + 1, width - 1, cm, A_NORMAL, false);
	} else {
		/* narrow (80 columns): the matrix on two lines, never cut */
		term_printf(w, y++, x0 + 1, width - 1, A_NORMAL, "test       TP %llu  FP %llu",
			    (unsigned long long)m->cm.tp, (unsigned long long)m->cm.fp);
		term_printf(w, y++, x0 + 1, width - 1, A_NORMAL, "           FN %llu  TN %llu",
			    (unsigned long long)m->cm.fn, (unsigned long long)m->cm.tn);
	}
	term_printf(w, y, x0 + 1, width - 1, A_NORMAL, "gate       ");
	term_printf(w, y++, x0 + 12, width - 12, r->gate.pass ? term_attr(ROLE_GOOD) : term_attr(ROLE_BAD),
		    "%s", r->gate.pass ? "PASS" : "FAIL");
	/* each check whole, wrapped at blanks: its numbers are never cut */
	for (size_t i = 0; i < r->gate.nchecks && y < P_COUNT + 1; i++) {
		attr_t at = r->gate.checks[i].pass ? term_attr(ROLE_DIM) : term_attr(ROLE_BAD);
		char *text = xasprintf("%s %s", r->gate.checks[i].pass ? "ok " : "NO ",
				       r->gate.checks[i].why);
		const char *p = text;
		bool first = true;
		while (*p && y < P_COUNT + 1) {
			int room = width - (first ? 3 : 7);
			size_t fit = view_text_fit(p, room, NULL), cut = fit;
			if (p[fit] && y < P_COUNT) {
				while (cut > 0 && p[cut] != ' ')
					cut--;
				if (!cut)
					cut = fit;
			} else if (p[fit]) {
				cut = strlen(p);   /* the last row: term_put marks the cut */
			}
			char *piece = xstrndup(p, cut);
			term_put(w, y++, x0 + (first ? 3 : 7), room, piece, at, false);
			free(piece);
			p += cut;
			while (*p == ' ')
				p++;
			first = false;
		}
		free(text);
	}
	double total = 0;
	for (int i = 0; i < STAGE_COUNT; i++)
		total += r->seconds[i];
	if (y < P_COUNT + 1) {
		/* the stages' times when they fit, else the total alone (the
		 * history's secs column has it too): a time is never cut */
		char times[96];
		int len = snprintf(times, sizeof times, "time       %.2f s (tune %.2f, train %.2f)",
				   total, r->seconds[STAGE_TUNE], r->seconds[STAGE_TRAIN]);
		if (len > width - 1)
			snprintf(times, sizeof times, "time       %.2f s", total);
		term_put(w, y++, x0 + 1, width - 1, times, term_attr(ROLE_DIM), false);
	}
}

/* Run i of the history as its row shows it (and as / searches it). */
static void history_line(const struct app *a, size_t i, char *line, size_t size)
{
	const struct run_record *h = &a->history[i];
	snprintf(line, size, " %-3zu %-7s %5d %6zu %5zu %6d %6.4f %6.4f %6.4f %5.3f %4s %6.2f",
		 i + 1, criterion_name(h->settings.tree.criterion), h->depth,
		 h->settings.tree.min_samples_split, h->settings.tree.min_samples_leaf,
		 h->nodes, h->test.accuracy, h->test.recall, h->test.precision,
		 h->test.roc_auc, h->gate_pass ? "pass" : "FAIL", h->seconds);
}

static void draw_history(struct app *a, struct train_state *s, WINDOW *w, int y0, int height)
{
	int width = getmaxx(w);
	attr_t head = term_attr(ROLE_HEADER) | (s->focus == FOCUS_HISTORY ? A_REVERSE : 0);
	term_fill(w, y0, 0, s->focus == FOCUS_HISTORY ? head : A_NORMAL);
	term_printf(w, y0, 0, width, head, " %-3s %-7s %5s %6s %5s %6s %6s %6s %6s %5s %4s %6s",
		    "run", "crit", "depth", "split", "leaf", "nodes", "acc", "recall", "prec",
		    "auc", "gate", "secs");
	if (!a->nhistory) {
		term_put(w, y0 + 1, 1, width - 1, "no runs yet", term_attr(ROLE_DIM), false);
		return;
	}
	if (s->hist_cur >= a->nhistory)
		s->hist_cur = a->nhistory - 1;
	size_t rows = height > 1 ? (size_t)height - 1 : 1;
	if (s->hist_cur < s->hist_top)
		s->hist_top = s->hist_cur;
	if (s->hist_cur >= s->hist_top + rows)
		s->hist_top = s->hist_cur - rows + 1;
	for (size_t i = s->hist_top; i < a->nhistory && i < s->hist_top + rows; i++) {
		const struct run_record *h = &a->history[i];
		bool sel = s->focus == FOCUS_HISTORY && i == s->hist_cur;
		char line[256];
		history_line(a, i, line, sizeof line);
		term_put(w, y0 + 1 + (int)(i - s->hist_top), 0, width, line,
			 sel ? term_attr(ROLE_SELECTED) : (h->gate_pass ? A_NORMAL : term_attr(ROLE_DIM)), false);
	}
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path ? path : "?";
}

static void gate_text(const struct settings *st, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < st->ngate && o + 2 < size; i++) {
		char v[32];
		fmt_double(v, st->gate[i].value);
		o += (size_t)snprintf(buf + o, size - o, "%s%s%s%s", i ? ", " : "", st->gate[i].metric,
				      cmp_op_name(st->gate[i].op), v);
	}
}

/* Two runs side by side: what they were trained on and with, what they
 * scored, their confusion matrices, and the settings in which they
 * differ. */
static void draw_compare(struct app *a, struct train_state *s, WINDOW *w, int y0, int height)
{
	int width = getmaxx(w);
	if (s->cmp_a >= a->nhistory || s->cmp_b >= a->nhistory) {
		s->compare = false;
		return;
	}
	const struct run_record *r[2] = { &a->history[s->cmp_a], &a->history[s->cmp_b] };
	int lw = 12, cw = (width - lw - 2) / 2;
	char title[2][32];
	snprintf(title[0], sizeof title[0], "run %zu", s->cmp_a + 1);
	snprintf(title[1], sizeof title[1], "run %zu", s->cmp_b + 1);
	term_fill(w, y0, 0, term_attr(ROLE_HEADER) | A_REVERSE);
	term_put(w, y0, 0, lw, " compare", term_attr(ROLE_HEADER) | A_REVERSE, false);
	for (int k = 0; k < 2; k++)
		term_put(w, y0, lw + 1 + k * (cw + 1), cw, title[k], term_attr(ROLE_HEADER) | A_REVERSE,
			 false);
	enum { R_FILE, R_TARGET, R_RESAMPLE, R_THRESHOLD, R_GATE, R_TREE, R_ACC, R_PR, R_AUC,
	       R_TPFP, R_FNTN, R_COUNT };
	static const char *const labels[R_COUNT] = { "file", "target", "resampling", "threshold",
		"gate", "tree", "accuracy", "prec/recall", "f1/roc_auc", "TP / FP", "FN / TN" };
	int y = y0 + 1;
	for (int row = 0; row < R_COUNT && y < y0 + height; row++, y++) {
		char cell[2][256];
		for (int k = 0; k < 2; k++) {
			const struct run_record *h = r[k];
			const struct settings *st = &h->settings;
			const struct metrics *m = &h->test;
			char t[32];
			switch (row) {
			case R_FILE: snprintf(cell[k], sizeof cell[k], "%s", base_name(h->path)); break;
			case R_TARGET: snprintf(cell[k], sizeof cell[k], "%s", st->target ? st->target : "-"); break;
			case R_RESAMPLE:
				fmt_double(t, st->resample_ratio);
				snprintf(cell[k], sizeof cell[k], "%s%s%s", resample_name(st->resample),
					 st->resample == RESAMPLE_NONE ? "" : ", ratio ",
					 st->resample == RESAMPLE_NONE ? "" : t);
				break;
			case R_THRESHOLD: fmt_double(cell[k], st->threshold); break;
			case R_GATE: {
				char g[200];
				gate_text(st, g, sizeof g);
				snprintf(cell[k], sizeof cell[k], "%s %s", h->gate_pass ? "pass" : "FAIL", g);
				break;
			}
			case R_TREE: snprintf(cell[k], sizeof cell[k], "%d nodes, depth %d", h->nodes, h->depth); break;
			case R_ACC: snprintf(cell[k], sizeof cell[k], "%.4f (baseline %.4f)", m->accuracy, m->baseline); break;
			case R_PR: snprintf(cell[k], sizeof cell[k], "%.4f / %.4f", m->precision, m->recall); break;
			case R_AUC: snprintf(cell[k], sizeof cell[k], "%.4f / %.4f", m->f1, m->roc_auc); break;
			case R_TPFP: snprintf(cell[k], sizeof cell[k], "%llu / %llu", (unsigned long long)m->cm.tp, (unsigned long long)m->cm.fp); break;
			default: snprintf(cell[k], sizeof cell[k], "%llu / %llu", (unsigned long long)m->cm.fn, (unsigned long long)m->cm.tn); break;
			}
		}
		bool differ = strcmp(cell[0], cell[1]) != 0;
		term_put(w, y, 1, lw - 1, labels[row], term_attr(ROLE_DIM), false);
		for (int k = 0; k < 2; k++)
			term_put(w, y, lw + 1 + k * (cw + 1), cw, cell[k], differ ? A_BOLD : A_NORMAL, false);
	}
	if (y < y0 + height) {
		char **keys;
		size_t n = settings_diff(&r[0]->settings, &r[1]->settings, true, &keys);
		struct strbuf sb = { 0 };
		for (size_t i = 0; i < n; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", keys[i]);
		term_printf(w, y, 1, width - 1, term_attr(ROLE_WARN), "%zu setting%s differ%s%s", n,
			    n == 1 ? "" : "s", n == 1 ? "s" : "", n ? ": " : "");
		if (n)
			term_printf(w, y, 1 + view_text_width("00 settings differ: "), width - 22,
				    term_attr(ROLE_WARN), "%s", sb.data);
		sb_free(&sb);
		settings_diff_free(keys, n);
	}
}

/* Tuning row i as its row shows it (and as / searches it). */
static void tune_line(const struct pipeline_result *r, size_t i, bool wide, char *line,
		      size_t size)
{
	const struct tune_row *t = &r->tune[i];
	const char *best = i == r->tune_best ? " *" : "";
	if (r->settings.tune_cv > 0)
		snprintf(line, size, " %-3zu %5d %6zu %5zu %12.4f %7.4f%s", i + 1, t->max_depth,
			 t->min_samples_split, t->min_samples_leaf, t->score, t->score_sd, best);
	else if (wide)
		snprintf(line, size, " %-3zu %5d %6zu %5zu %12.4f %7.4f %7.4f%s", i + 1,
			 t->max_depth, t->min_samples_split, t->min_samples_leaf, t->score,
			 t->validation.accuracy, t->validation.recall, best);
	else
		snprintf(line, size, " %-3zu %5d %6zu %5zu %12.4f %7.4f%s", i + 1, t->max_depth,
			 t->min_samples_split, t->min_samples_leaf, t->score,
			 t->validation.accuracy, best);
}

static void draw_tune(struct app *a, struct train_state *s, WINDOW *w, int y0, int height)
{
	const struct pipeline_result *r = a->result;
	int width = getmaxx(w);
	bool wide = width >= 100;
	int tw = wide ? 58 : 47;
	attr_t head = term_attr(ROLE_HEADER) | (s->focus == FOCUS_TUNE ? A_REVERSE : 0);
	const char *obj = r->settings.tune_objective ? r->settings.tune_objective : "score";
	/* cross-validated: the mean of the folds and its sd */
	bool cv = r->settings.tune_cv > 0;
	term_printf(w, y0, 0, tw, head, " %-3s %5s %6s %5s %-12.12s %7s %7s", "#", "depth", "split",
		    "leaf", obj, cv ? "+/- sd" : "acc", wide && !cv ? "recall" : "");
	size_t rows = height > 1 ? (size_t)height - 1 : 1;
	if (s->tune_cur >= r->ntune)
		s->tune_cur = r->ntune ? r->ntune - 1 : 0;
	if (s->tune_cur < s->tune_top)
		s->tune_top = s->tune_cur;
	if (s->tune_cur >= s->tune_top + rows)
		s->tune_top = s->tune_cur - rows + 1;
	for (size_t i = s->tune_top; i < r->ntune && i < s->tune_top + rows; i++) {
		bool sel = s->focus == FOCUS_TUNE && i == s->tune_cur;
		char line[160];
		tune_line(r, i, wide, line, sizeof line);
		term_put(w, y0 + 1 + (int)(i - s->tune_top), 0, tw, line,
			 sel ? term_attr(ROLE_SELECTED) : (i == r->tune_best ? A_BOLD : A_NORMAL), false);
	}
	/* heat map */
	if (s->heat_of != r) {
		view_heat_free(&s->heat);
		view_heatmap(r->tune, r->ntune, metrics_higher_is_better(obj), &s->heat);
		s->heat_of = r;
	}
	const struct view_heat *h = &s->heat;
	int x0 = tw + 2, cw = 7;
	if (x0 + 8 + cw > width)
		return;
	term_printf(w, y0, x0, width - x0, term_attr(ROLE_HEADER), "depth x split: %s", obj);
	int x = x0 + 7;
	for (size_t c = 0; c < h->ncols && x + cw <= width; c++, x += cw)
		term_printf(w, y0 + 1, x, cw, term_attr(ROLE_DIM), "%6zu", h->split[c]);
	static const char *const shade_u[] = { "\u2591", "\u2592", "\u2593", "\u2588" };
	static const char *const shade_a[] = { ".", ":", "+", "#" };
	for (size_t rr = 0; rr < h->nrows && (int)rr + 2 < height; rr++) {
		int y = y0 + 2 + (int)rr;
		char lab[16];
		snprintf(lab, sizeof lab, "%5d", h->depth[rr]);
		term_put(w, y, x0, 6, h->depth[rr] ? lab : "  all", term_attr(ROLE_DIM), false);
		x = x0 + 7;
		for (size_t c = 0; c < h->ncols && x + cw <= width; c++, x += cw) {
			double v = h->score[rr * h->ncols + c];
			if (isnan(v)) {
				term_put(w, y, x, cw, "    -", term_attr(ROLE_DIM), false);
				continue;
			}
			double t = h->hi > h->lo ? (v - h->lo) / (h->hi - h->lo) : 1;
			bool better_high = metrics_higher_is_better(obj);
			if (!better_high)
				t = 1 - t;
			int level = t >= 0.75 ? 3 : t >= 0.5 ? 2 : t >= 0.25 ? 1 : 0;
			enum term_role role = level == 3 ? ROLE_GOOD : level == 2 ? ROLE_BAR : level == 1 ? ROLE_WARN : ROLE_BAD;
			char cell[32];
			bool best = rr == h->best_row && c == h->best_col;
			snprintf(cell, sizeof cell, "%s%.3f%s", term_utf8() ? shade_u[level] : shade_a[level],
				 v, best ? "*" : " ");
			term_put(w, y, x, cw, cell, term_attr(role) | (best ? A_BOLD | A_REVERSE : 0), false);
		}
	}
}

/* Row i of the pruning path as its row shows it (and as / searches it):
 * the alpha whole (the shortest round-trip decimal), leaves, impurity,
 * the objective and its SE: at most 77 columns, so the workbench's
 * smallest terminal (80 columns) never cuts a number. */
static void path_line(const struct pipeline_result *r, size_t i, char *line, size_t size)
{
	const struct tune_path *p = &r->ccp_path;
	const struct tune_alpha *t = &p->rows[i];
	char al[32], sc[16] = "-", se[16] = "-";
	fmt_double(al, t->alpha);
	if (!isnan(t->score))
		snprintf(sc, sizeof sc, "%.4f", t->score);
	if (!isnan(t->score_se))
		snprintf(se, sizeof se, "%.4f", t->score_se);
	/* the choice is the one-SE rule's, or with no SE the largest alpha
	 * at the best score */
	const char *pick = p->has_se ? "1SE" : "max";
	char mark[8] = "";
	if (i == p->chosen || i == p->best)
		snprintf(mark, sizeof mark, " %s%s", i == p->best ? "*" : "",
			 i == p->chosen ? pick : "");
	snprintf(line, size, " %-3zu %-23s %6zu %8.4g %17s %7s%s", i + 1, al, t->leaves,
		 t->impurity, sc, se, mark);
}

static void draw_path(struct app *a, struct train_state *s, WINDOW *w, int y0, int height)
{
	const struct pipeline_result *r = a->result;
	const struct tune_path *p = &r->ccp_path;
	int width = getmaxx(w);
	attr_t head = term_attr(ROLE_HEADER) | (s->focus == FOCUS_PATH ? A_REVERSE : 0);
	const char *obj = r->settings.tune_objective ? r->settings.tune_objective : "score";
	term_fill(w, y0, 0, s->focus == FOCUS_PATH ? head : A_NORMAL);
	char on[32];
	if (r->settings.tune_cv > 0)
		snprintf(on, sizeof on, "alpha (%d-fold mean)", r->settings.tune_cv);
	else
		snprintf(on, sizeof on, "alpha (validation)");
	term_printf(w, y0, 0, width, head, " %-3s %-23s %6s %8s %17s %7s", "#", on,
		    "leaves", "impurity", "", "+/- SE");
	/* the objective's name over its column, cut with a mark when long */
	int ox = 1 + 3 + 1 + 23 + 1 + 6 + 1 + 8 + 1;
	if (ox + 17 <= width)
		term_put(w, y0, ox, 17, obj, head, true);
	/* a new path opens at its one-SE choice, the alpha the fit used */
	if (s->path_of != r) {
		s->path_of = r;
		s->path_cur = p->chosen;
	}
	size_t rows = height > 1 ? (size_t)height - 1 : 1;
	if (s->path_cur >= p->n)
		s->path_cur = p->n ? p->n - 1 : 0;
	if (s->path_cur < s->path_top)
		s->path_top = s->path_cur;
	if (s->path_cur >= s->path_top + rows)
		s->path_top = s->path_cur - rows + 1;
	for (size_t i = s->path_top; i < p->n && i < s->path_top + rows; i++) {
		bool sel = s->focus == FOCUS_PATH && i == s->path_cur;
		char line[160];
		path_line(r, i, line, sizeof line);
		term_put(w, y0 + 1 + (int)(i - s->path_top), 0, width, line,
			 sel ? term_attr(ROLE_SELECTED) : (i == p->chosen ? A_BOLD : A_NORMAL), false);
	}
}

static void draw(struct app *a, WINDOW *w)
{
	struct train_state *s = state(a);
	int h = getmaxy(w), width = getmaxx(w);
	int lw = width * 52 / 100;
	draw_params(a, s, w, lw);
	draw_summary(a, w, lw + 1, width - lw - 1);
	int y0 = P_COUNT + 2, bh = h - y0;
	if (bh < 2)
		return;
	bool have_tune = a->result && a->result->ntune;
	bool have_path = a->result && a->result->ccp_path.n;
	if (s->compare)
		draw_compare(a, s, w, y0, bh);
	else if (have_path && (s->focus == FOCUS_PATH || (!have_tune && s->focus != FOCUS_HISTORY)))
		draw_path(a, s, w, y0, bh);
	else if (have_tune && s->focus != FOCUS_HISTORY)
		draw_tune(a, s, w, y0, bh);
	else
		draw_history(a, s, w, y0, bh);
}

/* ---- keys ---- */

static int set(struct app *a, const char *key, const char *value)
{
	if (!app_set1(a, key, value))
		app_message(a, false, "set %s = %s (u undoes)", key, value);
	return KEY_REDRAW;
}

static void set_threshold_text(struct app *a, const char *text)
{
	char *end;
	errno = 0;
	double t = strtod(text, &end);
	if (errno || end == text || *end || !(t >= 0 && t <= 1)) {
		app_message(a, true, "threshold: expected a number in [0, 1], got '%s'", text);
		return;
	}
	app_set_threshold(a, t);
}

static size_t step_count(size_t v, int dir, size_t min)
{
	size_t step = v < 10 ? 1 : v < 100 ? 5 : v < 1000 ? 50 : 500;
	if (dir < 0)
		return v > min + step ? v - step : min;
	return v + step;
}

static int adjust(struct app *a, enum param p, int dir)
{
	const struct settings *st = &a->settings;
	const struct tree_params *t = &st->tree;
	char buf[64];
	switch (p) {
	case P_CRITERION:
		return set(a, params[p].key, t->criterion == CRIT_GINI ? "entropy" : "gini");
	case P_MAX_DEPTH: {
		int d = t->max_depth + dir;
		snprintf(buf, sizeof buf, "%d", d < 0 ? 0 : d);
		break;
	}
	case P_MIN_SPLIT:
		snprintf(buf, sizeof buf, "%zu", step_count(t->min_samples_split, dir, 2));
		break;
	case P_MIN_LEAF:
		snprintf(buf, sizeof buf, "%zu", step_count(t->min_samples_leaf, dir, 1));
		break;
	case P_MIN_IMPURITY: {
		double v = t->min_impurity_decrease + dir * 0.0005;
		snprintf(buf, sizeof buf, "%.4f", v < 0 ? 0 : v);
		break;
	}
	case P_MAX_LEAVES: {
		size_t v = t->max_leaf_nodes;
		if (dir > 0)
			v = v ? step_count(v, 1, 2) : 2;
		else
			v = v > 2 ? step_count(v, -1, 2) : 0;
		snprintf(buf, sizeof buf, "%zu", v);
		break;
	}
	case P_CCP_ALPHA: {
		double v = t->ccp_alpha + dir * 0.0005;
		snprintf(buf, sizeof buf, "%.4f", v < 0 ? 0 : v);
		break;
	}
	case P_CLASS_WEIGHT:
		return set(a, params[p].key, st->resample == RESAMPLE_CLASS_WEIGHT ? "none" : "class_weight");
	case P_TUNE_CCP:
		return set(a, params[p].key, st->tune_ccp_alpha == TUNE_CCP_PATH ? "none" : "path");
	case P_THRESHOLD: {
		double v = st->threshold + dir * 0.05;
		v = v < 0 ? 0 : v > 1 ? 1 : v;
		app_set_threshold(a, round(v * 100) / 100);
		return KEY_REDRAW;
	}
	default:
		app_message(a, false, "press Enter to type %s", params[p].label);
		return KEY_REDRAW;
	}
	return set(a, params[p].key, buf);
}

static void value_done(struct app *a, const char *line, void *ctx)
{
	if (!line || !*line)
		return;
	enum param p = (enum param)(intptr_t)ctx;
	if (p == P_THRESHOLD) {
		set_threshold_text(a, line);
		return;
	}
	if (p == P_CLASS_WEIGHT) {
		bool on = !strcmp(line, "balanced") || !strcmp(line, "class_weight") || !strcmp(line, "yes");
		set(a, params[p].key, on ? "class_weight" : line);
		return;
	}
	set(a, params[p].key, line);
}

static int train_adopt(struct app *a, size_t i)
{
	if (!a->result || i >= a->result->ntune)
		return -1;
	const struct tune_row *t = &a->result->tune[i];
	char *assign[3];
	assign[0] = xasprintf("tree.max_depth=%d", t->max_depth);
	assign[1] = xasprintf("tree.min_samples_split=%zu", t->min_samples_split);
	assign[2] = xasprintf("tree.min_samples_leaf=%zu", t->min_samples_leaf);
	int rc = app_set(a, (const char *const *)assign, 3);
	for (int k = 0; k < 3; k++)
		free(assign[k]);
	if (rc)
		return -1;
	app_message(a, false, "adopted row %zu: max_depth %d, min_samples_split %zu, min_samples_leaf %zu; t trains (u undoes)",
		    i + 1, t->max_depth, t->min_samples_split, t->min_samples_leaf);
	return 0;
}

/* A pruning-path row: its alpha becomes tree.ccp_alpha, and the path is
 * switched off so the next training keeps it. */
static int path_adopt(struct app *a, size_t i)
{
	if (!a->result || i >= a->result->ccp_path.n)
		return -1;
	const struct tune_alpha *t = &a->result->ccp_path.rows[i];
	char al[32];
	fmt_double(al, t->alpha);
	char *assign[2];
	assign[0] = xasprintf("tree.ccp_alpha=%s", al);
	assign[1] = xasprintf("tune.ccp_alpha=none");
	int rc = app_set(a, (const char *const *)assign, 2);
	free(assign[0]);
	free(assign[1]);
	if (rc)
		return -1;
	app_message(a, false, "adopted alpha row %zu: tree.ccp_alpha %s (%zu leaves), "
		    "tune.ccp_alpha none; t trains (u undoes)", i + 1, al, t->leaves);
	return 0;
}

/* A run or tuning row number 1..n from text; -1 with the message said. */
static long row_number(struct app *a, const char *what, const char *text, size_t n)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < 1 || (size_t)v > n) {
		if (n)
			app_message(a, true, "%s: expected a number 1..%zu, got '%s'", what, n, text);
		else
			app_message(a, true, "%s: there is none yet", what);
		return -1;
	}
	return v;
}

static int cmd_restore(struct app *a, int argc, char **argv)
{
	if (argc != 2) {
		app_message(a, true, "usage: :restore N");
		return -1;
	}
	long n = row_number(a, "restore: run", argv[1], a->nhistory);
	if (n < 0)
		return -1;
	return app_history_restore(a, (size_t)n - 1);
}

static int cmd_adopt(struct app *a, int argc, char **argv)
{
	if (argc != 2) {
		app_message(a, true, "usage: :adopt N");
		return -1;
	}
	long n = row_number(a, "adopt: tuning row", argv[1], a->result ? a->result->ntune : 0);
	if (n < 0)
		return -1;
	return train_adopt(a, (size_t)n - 1);
}

static int cmd_compare(struct app *a, int argc, char **argv)
{
	if (argc != 3) {
		app_message(a, true, "usage: :compare N M");
		return -1;
	}
	long x = row_number(a, "compare: run", argv[1], a->nhistory);
	if (x < 0)
		return -1;
	long y = row_number(a, "compare: run", argv[2], a->nhistory);
	if (y < 0)
		return -1;
	struct train_state *s = state(a);
	s->compare = true;
	s->cmp_a = (size_t)x - 1;
	s->cmp_b = (size_t)y - 1;
	s->focus = FOCUS_HISTORY;
	app_request_screen(a, SCR_TRAIN);
	app_message(a, false, "run %ld and run %ld side by side (Esc closes)", x, y);
	return 0;
}

static int cmd_alpha(struct app *a, int argc, char **argv)
{
	if (argc != 2) {
		app_message(a, true, "usage: :alpha N");
		return -1;
	}
	long n = row_number(a, "alpha: pruning path row", argv[1],
			    a->result ? a->result->ccp_path.n : 0);
	if (n < 0)
		return -1;
	return path_adopt(a, (size_t)n - 1);
}

static const struct command commands[] = {
	{ "compare", "N M", "runs N and M side by side: data, settings, metrics, confusion matrices", { ARG_NONE, ARG_NONE, ARG_NONE }, cmd_compare },
	{ "restore", "N", "put back the settings of run N from the history (same file only)", { ARG_NONE, ARG_NONE, ARG_NONE }, cmd_restore },
	{ "adopt", "N", "adopt the parameters of tuning row N", { ARG_NONE, ARG_NONE, ARG_NONE }, cmd_adopt },
	{ "alpha", "N", "adopt the alpha of pruning path row N as tree.ccp_alpha (tune.ccp_alpha none)", { ARG_NONE, ARG_NONE, ARG_NONE }, cmd_alpha },
};

/* The text of row i of the focused list, as / searches it. */
static void row_text(struct app *a, struct train_state *s, size_t i, char *buf, size_t size)
{
	if (s->focus == FOCUS_HISTORY) {
		history_line(a, i, buf, size);
	} else if (s->focus == FOCUS_TUNE) {
		tune_line(a->result, i, true, buf, size);
	} else if (s->focus == FOCUS_PATH) {
		path_line(a->result, i, buf, size);
	} else {
		char val[128];
		param_value(&a->settings, (enum param)i, val, sizeof val);
		snprintf(buf, size, "%s %s %s", params[i].label, params[i].key, val);
	}
}

static size_t focus_count(struct app *a, struct train_state *s)
{
	return s->focus == FOCUS_HISTORY ? a->nhistory
	     : s->focus == FOCUS_TUNE ? (a->result ? a->result->ntune : 0)
	     : s->focus == FOCUS_PATH ? (a->result ? a->result->ccp_path.n : 0) : P_COUNT;
}

static size_t *focus_cur(struct train_state *s, size_t *params_cur)
{
	return s->focus == FOCUS_HISTORY ? &s->hist_cur
	     : s->focus == FOCUS_TUNE ? &s->tune_cur
	     : s->focus == FOCUS_PATH ? &s->path_cur : params_cur;
}

struct row_match {
	struct app *a;
	struct train_state *s;
};

static bool row_holds(size_t row, void *ctx)
{
	const struct row_match *m = ctx;
	char text[256];
	row_text(m->a, m->s, row, text, sizeof text);
	return strcasestr(text, m->s->find) != NULL;
}

static void find_next(struct app *a, struct train_state *s, bool forward)
{
	static const char *const what[] = { "parameter", "run", "tuning row", "pruning path row" };
	if (!s->find[0]) {
		app_message(a, true, "nothing to find yet: / finds a %s by its text", what[s->focus]);
		return;
	}
	size_t n = focus_count(a, s), pcur = (size_t)s->cur, *cur = focus_cur(s, &pcur);
	struct row_match m = { a, s };
	bool wrapped;
	size_t i = screen_find_row(n, *cur, forward, row_holds, &m, &wrapped);
	if (i == n) {
		app_message(a, true, "no %s holds '%s'", what[s->focus], s->find);
		return;
	}
	*cur = i;
	s->cur = (int)pcur;
	app_message(a, false, "%s%s %zu of %zu", wrapped ? "find wrapped: " : "", what[s->focus],
		    i + 1, n);
}

static void find_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	struct train_state *s = state(a);
	if (!line || !*line)
		return;
	snprintf(s->find, sizeof s->find, "%s", line);
	find_next(a, s, true);
}

static int list_key(struct app *a, struct train_state *s, int ch)
{
	bool hist = s->focus == FOCUS_HISTORY;
	size_t pcur = 0, *cur = focus_cur(s, &pcur);
	size_t n = focus_count(a, s);
	if (screen_list_key(ch, cur, n, 5))
		return KEY_REDRAW;
	switch (ch) {
	case 'm':
		if (!hist || !n)
			return KEY_UNHANDLED;
		s->marked = true;
		s->mark = *cur;
		app_message(a, false, "marked run %zu: select another and press c to compare", *cur + 1);
		return KEY_REDRAW;
	case 'c':
		if (!hist || !n)
			return KEY_UNHANDLED;
		if (!s->marked || s->mark == *cur) {
			app_message(a, true, "mark a run with m first, then press c on another");
			return KEY_REDRAW;
		}
		s->compare = true;
		s->cmp_a = s->mark;
		s->cmp_b = *cur;
		app_message(a, false, "run %zu and run %zu side by side (Esc closes)", s->mark + 1, *cur + 1);
		return KEY_REDRAW;
	case '\r': case '\n': case KEY_ENTER: {
		if (!n)
			return KEY_REDRAW;
		if (hist)
			app_history_restore(a, *cur);
		else if (s->focus == FOCUS_PATH)
			path_adopt(a, *cur);
		else
			train_adopt(a, *cur);
		return KEY_REDRAW;
	}
	case 27:
		if (a->job_running)
			return KEY_UNHANDLED;
		if (s->compare) {
			s->compare = false;
			return KEY_REDRAW;
		}
		s->focus = FOCUS_PARAMS;
		return KEY_REDRAW;
	default:
		return KEY_UNHANDLED;
	}
}

static int key(struct app *a, int ch)
{
	struct train_state *s = state(a);
	switch (ch) {
	case 't':
		app_start_train(a, false);
		return KEY_REDRAW;
	case 'T':
		app_start_train(a, true);
		return KEY_REDRAW;
	case 'v':
		/* parameters, history, then the tuning and path tables there are */
		s->focus = s->focus == FOCUS_PARAMS ? FOCUS_HISTORY
			 : s->focus == FOCUS_HISTORY ? FOCUS_TUNE
			 : s->focus == FOCUS_TUNE ? FOCUS_PATH : FOCUS_PARAMS;
		if (s->focus == FOCUS_TUNE && !(a->result && a->result->ntune))
			s->focus = FOCUS_PATH;
		if (s->focus == FOCUS_PATH && !(a->result && a->result->ccp_path.n))
			s->focus = FOCUS_PARAMS;
		return KEY_REDRAW;
	case '/':
		prompt_begin(a, PROMPT_TEXT, "find: ", NULL, find_done, NULL);
		return KEY_REDRAW;
	case 'n': case 'N':
		find_next(a, s, ch == 'n');
		return KEY_REDRAW;
	default:
		break;
	}
	if (s->focus != FOCUS_PARAMS)
		return list_key(a, s, ch);
	size_t cur = (size_t)s->cur;
	if (screen_list_key(ch, &cur, P_COUNT, 5)) {
		s->cur = (int)cur;
		return KEY_REDRAW;
	}
	switch (ch) {
	case '+': case '=': case KEY_RIGHT: case 'l':
		return adjust(a, (enum param)s->cur, 1);
	case '-': case KEY_LEFT: case 'h':
		return adjust(a, (enum param)s->cur, -1);
	case '\r': case '\n': case KEY_ENTER: {
		char val[128], label[64];
		param_value(&a->settings, (enum param)s->cur, val, sizeof val);
		snprintf(label, sizeof label, "%s: ", params[s->cur].label);
		prompt_begin(a, PROMPT_TEXT, label, val, value_done, (void *)(intptr_t)s->cur);
		return KEY_REDRAW;
	}
	default:
		return KEY_UNHANDLED;
	}
}

static const struct key_binding help[] = {
	{ { 0 }, "Up/Down j/k", "select a parameter, a run or a tuning row (PgUp/PgDn, Home/End, g/G)", KB_VIEW, NULL, NULL },
	{ { 0 }, "+/- Left/Right", "change it (:set KEY VALUE, :threshold X)", KB_VIEW, NULL, NULL },
	{ { 0 }, "Enter", "type a value (lists for tune.*: 3,5,8)", KB_VIEW, NULL, NULL },
	{ { 't' }, "t", "train with these settings (:train)", KB_MODEL, "train", NULL },
	{ { 'T' }, "T", "tune the grid, then train the best; the panel then shows the adopted values (:tune)", KB_MODEL, "tune", NULL },
	{ { 0 }, "v", "move between parameters, run history, tuning results and the pruning path", KB_VIEW, NULL, NULL },
	{ { 0 }, "/ n N", "find a parameter, run or tuning row by its text; next, previous", KB_VIEW, NULL, NULL },
	{ { 0 }, "Enter (history)", "restore that run's settings (:restore N; u undoes)", KB_VIEW, NULL, NULL },
	{ { 0 }, "m, c (history)", "mark a run; compare the selected one with it side by side (:compare N M)", KB_VIEW, NULL, NULL },
	{ { 0 }, "Enter (tuning)", "adopt that row's parameters (:adopt N)", KB_VIEW, NULL, NULL },
	{ { 0 }, "Enter (path)", "adopt that row's alpha as tree.ccp_alpha, path off (:alpha N)", KB_VIEW, NULL, NULL },
	{ { 0 }, "Esc", "cancel training or tuning", KB_VIEW, NULL, NULL },
	{ { 0 }, NULL, NULL, KB_VIEW, NULL, NULL }
};

const struct screen_ops scr_train_ops = {
	.name = "Train",
	.draw = draw,
	.key = key,
	.free_state = free_state,
	.keys = help,
	.commands = commands,
	.ncommands = sizeof commands / sizeof commands[0],
};
