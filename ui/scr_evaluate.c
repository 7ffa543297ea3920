/* scr_evaluate: the Evaluate screen. The confusion matrix of the validation
 * or test split, every metric beside the majority baseline, a live
 * threshold, a ROC or precision-recall curve with the current point, and
 * the rows behind any matrix cell (Enter on one explains it on the Tree
 * screen).
 *
 * Invariants: everything cached in the state (validation curves, a cell's
 * row list, the columns shown) belongs to the result recorded in it; a
 * different result (a new training) drops the caches before use. The row
 * list is rebuilt whenever the split, cell or threshold it was made for
 * changes, so it always agrees with the matrix on screen. The validation
 * curves take a sort of the whole split (too slow for one key on a large
 * file): a thread computes them from its own copy of the labels and
 * probabilities and the screen adopts them if the result is still the one
 * they were made for. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "screen.h"
#include "scr_data.h"
#include "term.h"
#include "tree.h"
#include "util.h"
#include "view.h"
#include "vm_eval.h"

#define LIST_COLS 4

/* Validation curves computed off the UI thread. */
struct curve_task {
	bool running;
	pthread_t thread;
	atomic_int done;
	struct app *app;
	double stamp;                 /* vm_result_stamp of the result they are for */
	const struct pipeline_result *result;
	uint8_t *y;
	double *proba;
	size_t n;
	struct curve roc, pr;
};

struct eval_state {
	/* The result the caches belong to. */
	const struct pipeline_result *result;
	const struct tree *tree;
	double stamp;

	enum split_id split;          /* SPLIT_TEST or SPLIT_VALIDATION */
	bool pr;                      /* precision-recall curve instead of ROC */
	bool risk;                    /* the risk chart instead of either */
	enum vm_cell cell;            /* selected matrix cell */

	bool listing;                 /* the cell's rows are shown */
	bool list_valid;
	enum split_id list_split;
	enum vm_cell list_cell;
	double list_threshold;
	size_t *list, nlist;          /* sample indices into the split */
	size_t sel, top;
	int page;                     /* list rows visible at the last draw */

	bool have_vcurves;            /* validation curves (test ones are in the result) */
	struct curve vroc, vpr;
	struct curve_task task;

	int cols[LIST_COLS];          /* frame columns shown beside listed rows */
	size_t ncols;
};

static void *curve_main(void *arg)
{
	struct curve_task *t = arg;
	metrics_roc_curve(t->y, t->proba, t->n, &t->roc);
	metrics_pr_curve(t->y, t->proba, t->n, &t->pr);
	atomic_store(&t->done, 1);
	app_wake(t->app);
	return NULL;
}

/* Join a finished (or, with wait, any) curve task; adopt its curves when
 * they belong to s's result. */
static void curve_task_poll(struct eval_state *s, bool wait)
{
	struct curve_task *t = &s->task;
	if (!t->running || (!wait && !atomic_load(&t->done)))
		return;
	pthread_join(t->thread, NULL);
	t->running = false;
	free(t->y);
	free(t->proba);
	t->y = NULL;
	t->proba = NULL;
	if (!s->have_vcurves && s->result && s->result == t->result && s->stamp == t->stamp) {
		s->vroc = t->roc;
		s->vpr = t->pr;
		s->have_vcurves = true;
	} else {
		curve_free(&t->roc);
		curve_free(&t->pr);
	}
	memset(&t->roc, 0, sizeof t->roc);
	memset(&t->pr, 0, sizeof t->pr);
}

static void curve_task_start(struct app *a, struct eval_state *s, const struct pipeline_result *r)
{
	struct curve_task *t = &s->task;
	if (t->running || !r->validation_proba || !r->validation.n)
		return;
	t->app = a;
	t->result = r;
	t->stamp = s->stamp;
	t->n = r->validation.n;
	t->y = xmalloc(t->n);
	memcpy(t->y, r->validation.y, t->n);
	t->proba = xmalloc(t->n * sizeof *t->proba);
	memcpy(t->proba, r->validation_proba, t->n * sizeof *t->proba);
	atomic_store(&t->done, 0);
	if (pthread_create(&t->thread, NULL, curve_main, t)) {
		/* no thread: compute here, slow but correct */
		curve_main(t);
		t->running = true;
		curve_task_poll(s, false);
		return;
	}
	t->running = true;
}

static void drop_caches(struct eval_state *s)
{
	free(s->list);
	s->list = NULL;
	s->nlist = 0;
	s->list_valid = false;
	s->listing = false;
	s->sel = s->top = 0;
	if (s->have_vcurves) {
		curve_free(&s->vroc);
		curve_free(&s->vpr);
		s->have_vcurves = false;
	}
	s->ncols = 0;
	s->result = NULL;
	s->tree = NULL;
}

/* The inputs of the most important features, as frame columns: what a
 * person looks at first when judging a listed row. */
static void choose_columns(struct eval_state *s, const struct app *a)
{
	const struct pipeline_result *r = a->result;
	size_t top[4 * LIST_COLS];
	size_t n = pipeline_top_features(r->tree, top, sizeof top / sizeof top[0]);

	s->ncols = 0;
	for (size_t k = 0; k < n && s->ncols < LIST_COLS && a->frame && r->recipe; k++) {
		if (top[k] >= r->recipe->nfeatures)
			continue;
		size_t in = r->recipe->features[top[k]].input;
		if (in >= r->recipe->ninputs)
			continue;
		int col = frame_find(a->frame, r->recipe->inputs[in].name);
		bool dup = col < 0;
		for (size_t c = 0; c < s->ncols && !dup; c++)
			dup = s->cols[c] == col;
		if (!dup)
			s->cols[s->ncols++] = col;
	}
}

static struct eval_state *get_state(struct app *a)
{
	struct eval_state *s = a->screen_state[SCR_EVALUATE];
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->split = SPLIT_TEST;
		s->cell = VM_CELL_FN;
		a->screen_state[SCR_EVALUATE] = s;
	}
	const struct pipeline_result *r = a->result;
	if (r && (s->result != r || s->tree != r->tree || s->stamp != vm_result_stamp(r))) {
		drop_caches(s);
		s->result = r;
		s->tree = r->tree;
		s->stamp = vm_result_stamp(r);
		choose_columns(s, a);
	}
	return s;
}

static const struct dataset *split_data(const struct pipeline_result *r, enum split_id sp,
					const double **proba, const struct metrics **m)
{
	if (sp == SPLIT_VALIDATION) {
		*proba = r->validation_proba;
		*m = &r->validation_metrics;
		return &r->validation;
	}
	*proba = r->test_proba;
	*m = &r->test_metrics;
	return &r->test;
}

static const char *split_name(enum split_id sp)
{
	return sp == SPLIT_VALIDATION ? "validation" : "test";
}

static double current_threshold(const struct pipeline_result *r)
{
	return r->test_metrics.threshold;
}

static void refresh_list(struct eval_state *s, const struct pipeline_result *r)
{
	double t = current_threshold(r);
	if (s->list_valid && s->list_split == s->split && s->list_cell == s->cell &&
	    s->list_threshold == t)
		return;
	const double *proba;
	const struct metrics *m;
	const struct dataset *d = split_data(r, s->split, &proba, &m);
	free(s->list);
	s->list = xmalloc((d->n ? d->n : 1) * sizeof *s->list);
	s->nlist = proba ? vm_cell_samples(d->y, proba, d->n, t, s->cell, s->list) : 0;
	s->list_valid = true;
	s->list_split = s->split;
	s->list_cell = s->cell;
	s->list_threshold = t;
	if (s->sel >= s->nlist)
		s->sel = s->nlist ? s->nlist - 1 : 0;
}

/* NULL while the validation curves are being computed. */
static const struct curve *split_curve(struct app *a, struct eval_state *s,
				       const struct pipeline_result *r)
{
	if (s->split == SPLIT_TEST)
		return s->pr ? &r->pr : &r->roc;
	curve_task_poll(s, false);
	if (!s->have_vcurves) {
		curve_task_start(a, s, r);
		return NULL;
	}
	return s->pr ? &s->vpr : &s->vroc;
}

/* ---- drawing ---------------------------------------------------------- */

#define LABEL_W 15    /* "actual fraud  " and a space */

static void draw_no_model(struct app *a, WINDOW *win, int w)
{
	term_put(win, 0, 0, w, "Evaluate", term_attr(ROLE_HEADER), false);
	if (!a->frame)
		term_put(win, 2, 2, w - 2, "No data loaded yet. Press 1 to open a CSV file, then 3 to train a model.",
			 term_attr(ROLE_NORMAL), false);
	else
		term_put(win, 2, 2, w - 2, "No model trained yet. Press 3 to train a model.",
			 term_attr(ROLE_NORMAL), false);
	term_put(win, 4, 2, w - 2,
		 "This screen then shows the confusion matrix, every metric beside the majority",
		 term_attr(ROLE_DIM), false);
	term_put(win, 5, 2, w - 2,
		 "baseline, a live decision threshold and the rows behind each matrix cell.",
		 term_attr(ROLE_DIM), false);
}

/* One horizontal rule of the 2 x 2 box: left, two cells wide cw, right. */
static void box_rule(WINDOW *win, int y, int x, int cw, chtype left, chtype mid, chtype right)
{
	mvwaddch(win, y, x, left);
	for (int c = 0; c < 2; c++) {
		mvwhline(win, y, x + 1 + c * (cw + 1), ACS_HLINE, cw);
		mvwaddch(win, y, x + (c + 1) * (cw + 1), c ? right : mid);
	}
}

static attr_t cell_attr(const struct eval_state *s, enum vm_cell c, bool active)
{
	attr_t at = term_attr(c == VM_CELL_TN || c == VM_CELL_TP ? ROLE_GOOD : ROLE_BAD);
	if (active && s->cell == c)
		at = term_attr(ROLE_SELECTED) | A_BOLD;
	return at;
}

/* The matrix from row y, column x0: header, then a 2 x 2 box of cells cw
 * wide; the selected cell shows only in the active one. Returns the rows
 * used (8). */
static int draw_matrix(WINDOW *win, int y, int x0, int cw, const struct eval_state *s,
		       const struct metrics *m, bool active)
{
	static const char *const row_label[2] = { "actual legit", "actual fraud" };
	int x = x0 + LABEL_W;
	uint64_t n = m->n ? m->n : 1;

	term_put(win, y, x + 1, cw, "predicted legit", term_attr(ROLE_HEADER), false);
	term_put(win, y, x + cw + 2, cw, "predicted fraud", term_attr(ROLE_HEADER), false);
	wattrset(win, term_attr(ROLE_DIM));
	box_rule(win, y + 1, x, cw, ACS_ULCORNER, ACS_TTEE, ACS_URCORNER);
	box_rule(win, y + 4, x, cw, ACS_LTEE, ACS_PLUS, ACS_RTEE);
	box_rule(win, y + 7, x, cw, ACS_LLCORNER, ACS_BTEE, ACS_LRCORNER);
	for (int r = 0; r < 2; r++) {
		int yy = y + 2 + 3 * r;
		term_put(win, yy, x0 + 1, LABEL_W - 1, row_label[r], term_attr(ROLE_HEADER), false);
		for (int c = 0; c < 2; c++) {
			enum vm_cell cell = (enum vm_cell)(2 * r + c);
			uint64_t count = vm_cell_count(&m->cm, cell);
			int cx = x + 1 + c * (cw + 1);
			char line[64];
			attr_t at = cell_attr(s, cell, active);
			wattrset(win, term_attr(ROLE_DIM));
			mvwaddch(win, yy, x + c * (cw + 1), ACS_VLINE);
			mvwaddch(win, yy + 1, x + c * (cw + 1), ACS_VLINE);
			snprintf(line, sizeof line, " %s %*llu ", vm_cell_name(cell), cw - 5,
				 (unsigned long long)count);
			term_put(win, yy, cx, cw, line, at | A_BOLD, false);
			snprintf(line, sizeof line, " %6.2f%% of rows", 100.0 * (double)count / (double)n);
			term_put(win, yy + 1, cx, cw, line, at, false);
		}
		wattrset(win, term_attr(ROLE_DIM));
		mvwaddch(win, yy, x + 2 * (cw + 1), ACS_VLINE);
		mvwaddch(win, yy + 1, x + 2 * (cw + 1), ACS_VLINE);
		wattrset(win, A_NORMAL);
	}
	wattrset(win, A_NORMAL);
	return 8;
}

/* Metrics in two columns of 26 (the matrix's width), the accuracy row
 * coloured by whether it beats the baseline and catches fraud at all. */
#define METRIC_ROWS 6

static int draw_metrics(WINDOW *win, int y, int x0, int hmax, const struct metrics *m)
{
	struct { const char *name; double v; } cells[2 * METRIC_ROWS] = {
		{ "accuracy", m->accuracy }, { "majority baseline", m->baseline },
		{ "precision", m->precision }, { "recall", m->recall },
		{ "specificity", m->specificity }, { "F1", m->f1 },
		{ "balanced accuracy", m->balanced_accuracy }, { "MCC", m->mcc },
		{ "ROC AUC", m->roc_auc }, { "PR AUC", m->pr_auc },
		{ "beats baseline by", m->accuracy - m->baseline }, { "log loss", m->log_loss },
	};
	bool weak = m->cm.tp == 0 || !(m->baseline_p_value < METRICS_SIGNIFICANCE);
	int used = 0;

	for (int row = 0; row < METRIC_ROWS && used < hmax; row++, used++) {
		for (int k = 0; k < 2; k++) {
			int i = 2 * row + k;
			char buf[64];
			attr_t at = term_attr(ROLE_NORMAL);
			if (i < 2 || i == 10)
				at = term_attr(weak ? ROLE_BAD : ROLE_GOOD);
			snprintf(buf, sizeof buf, "%-17s %7.4f", cells[i].name, cells[i].v);
			term_put(win, y + used, x0 + 1 + k * 26, 25, buf, at, false);
		}
	}
	/* The 95% intervals of the figures an approver reads first, and the
	 * calibration of the probability (the test split has them all). */
	static const struct { const char *name, *shown; } iv[] = {
		{ "recall", "recall" }, { "precision", "precision" },
		{ "f1", "F1" }, { "roc_auc", "ROC AUC" },
	};
	for (size_t i = 0; i < sizeof iv / sizeof iv[0] && used < hmax; i += 2) {
		char line[2][32] = { "", "" };
		for (size_t k = 0; k < 2; k++) {
			char key[40];
			double lo, hi;
			snprintf(key, sizeof key, "%s.lower", iv[i + k].name);
			if (!metrics_lookup(m, key, &lo))
				continue;
			snprintf(key, sizeof key, "%s.upper", iv[i + k].name);
			metrics_lookup(m, key, &hi);
			snprintf(line[k], sizeof line[k], "%s [%.3f,%.3f]", iv[i + k].shown, lo, hi);
		}
		if (!line[0][0] && !line[1][0])
			break;
		term_printf(win, y + used++, x0 + 1, 51, term_attr(ROLE_DIM), "95%% %s  %s",
			    line[0], line[1]);
	}
	if (used < hmax)
		term_printf(win, y + used++, x0 + 1, 51, term_attr(ROLE_DIM),
			    "Brier %.4f  mean probability %.4f, rate %.4f", m->brier,
			    m->mean_probability, m->n ? (double)m->positives / (double)m->n : 0.0);
	/* the decisions in money and review (amount.h), when there is room */
	const struct amount_metrics *am = &m->amount;
	char v[4][32];
	snprintf(v[0], sizeof v[0], "%llu", (unsigned long long)am->alerts);
	snprintf(v[1], sizeof v[1], "%.4f", am->alert_rate);
	snprintf(v[2], sizeof v[2], fabs(am->net_savings) < 1e9 ? "%.2f" : "%.6g", am->net_savings);
	snprintf(v[3], sizeof v[3], "%.4f", am->amount_recall);
	const char *names[4] = { "alerts", "alert rate", "net savings",
				 am->unit ? "frauds recall" : "amount recall" };
	for (int row = 0; row < 2 && used < hmax; row++, used++) {
		for (int k = 0; k < 2; k++) {
			char buf[64];
			int i = 2 * row + k;
			snprintf(buf, sizeof buf, "%-13s %11s", names[i], v[i]);
			term_put(win, y + used, x0 + 1 + k * 26, 25, buf, term_attr(ROLE_NORMAL), false);
		}
	}
	return used;
}

/* The lesson of a 0.85 gate that passed a model catching no fraud. */
static int draw_warnings(WINDOW *win, int y, int w, int hmax, const struct metrics *m)
{
	int used = 0;
	if (m->cm.tp == 0 && used < hmax)
		term_printf(win, y + used++, 1, w - 1, term_attr(ROLE_BAD) | A_BOLD,
			    "WARNING: no fraud caught (TP = 0): this model misses every fraud");
	if (!(m->baseline_p_value < METRICS_SIGNIFICANCE) && used < hmax)
		term_printf(win, y + used++, 1, w - 1, term_attr(ROLE_BAD) | A_BOLD,
			    "WARNING: accuracy %.4f does not beat the majority baseline %.4f "
			    "significantly (p = %.2g)", m->accuracy, m->baseline, m->baseline_p_value);
	return used;
}

/* The frame of a unit-square plot whose area starts at (y + 1, x + 1):
 * the x axis with ticks at 0, 0.5 and 1, their labels below and the x
 * name after the 0 when it fits; the y axis with a tick at 0.5 and the
 * labels 1 and 0 just left of it (the one free column). */
static void draw_axes(WINDOW *win, int y, int x, int pw, int ph, const char *xname)
{
	int mid = (pw - 1) / 2;
	wattrset(win, term_attr(ROLE_DIM));
	mvwaddch(win, y + 1 + ph, x, ACS_LLCORNER);
	mvwhline(win, y + 1 + ph, x + 1, ACS_HLINE, pw);
	mvwaddch(win, y + 1 + ph, x + 1 + mid, ACS_BTEE);
	mvwaddch(win, y + 1 + ph, x + pw, ACS_BTEE);
	if (ph >= 5)
		mvwaddch(win, y + 1 + (ph - 1) / 2, x, ACS_LTEE);
	wattrset(win, A_NORMAL);
	if (mid >= 4) {
		int right = pw - mid - 3 > 0 ? pw - mid - 3 : 0;
		term_printf(win, y + 2 + ph, x, pw + 1, term_attr(ROLE_DIM), "0%*s0.5%*s1",
			    mid - 1, "", right, "");
		int nl = (int)strlen(xname);
		if (nl + 3 < mid - 1)
			term_printf(win, y + 2 + ph, x + 2, nl + 1, term_attr(ROLE_DIM), "%s", xname);
		else if (nl + 3 < right)
			term_printf(win, y + 2 + ph, x + mid + 4, nl + 1, term_attr(ROLE_DIM), "%s",
				    xname);
	}
	term_printf(win, y + 1, x - 1, 1, term_attr(ROLE_DIM), "1");
	term_printf(win, y + ph, x - 1, 1, term_attr(ROLE_DIM), "0");
}

/* The risk-curve point of the rows a threshold flags: the last point
 * whose threshold is at least t (the first, none flagged, otherwise). */
static size_t risk_point(const struct amount_risk *k, double t)
{
	size_t at = 0;
	for (size_t i = 1; i < k->n; i++)
		if (k->threshold[i] >= t)
			at = i;
	return at;
}

/* Rattle's risk chart, on test: recall of the frauds and of their amount
 * against the share of rows flagged (highest scores first), the current
 * threshold marked with a dot and the least costly one (on validation)
 * with a diamond. */
static void draw_risk(WINDOW *win, int y, int x, int pw, int ph, const struct pipeline_result *r)
{
	const struct amount_risk *k = &r->risk;
	double t = r->settings.threshold;
	ph--;   /* the legend takes the last line */
	if (ph < 3)
		return;
	size_t now = risk_point(k, t), best = risk_point(k, r->cost_optimal_threshold);
	bool unit = r->test_metrics.amount.unit;
	term_printf(win, y, x, pw + 1, term_attr(ROLE_HEADER), "Risk test  y: recall%s",
		    unit ? "" : ", amount recall (dim)");
	struct curve cases = { k->n, k->alert_rate, k->recall, k->threshold };
	struct curve money = { k->n, k->alert_rate, k->amount_recall, k->threshold };
	struct vm_plot pc, pm, pb;
	bool have = k->n > 0;
	vm_plot_curve(have ? &cases : NULL, pw, ph, have ? k->alert_rate[now] : NAN,
		      have ? k->recall[now] : NAN, &pc);
	vm_plot_curve(have && !unit ? &money : NULL, pw, ph, NAN, NAN, &pm);
	vm_plot_curve(NULL, pw, ph, have ? k->alert_rate[best] : NAN,
		      have ? k->recall[best] : NAN, &pb);
	bool utf8 = term_utf8();
	for (int row = 0; row < ph; row++) {
		wattrset(win, term_attr(ROLE_DIM));
		mvwaddch(win, y + 1 + row, x, ACS_VLINE);
		for (int col = 0; col < pw; col++) {
			uint8_t mc = pc.dots[row * pw + col], mm = pm.dots[row * pw + col];
			const char *glyph = NULL;
			if (row == pb.mark_row && col == pb.mark_col) {
				wattrset(win, term_attr(ROLE_GOOD) | A_BOLD);
				glyph = utf8 ? "\xe2\x97\x86" : "$";
			} else if (row == pc.mark_row && col == pc.mark_col) {
				wattrset(win, term_attr(ROLE_WARN) | A_BOLD);
				glyph = utf8 ? "\xe2\x97\x8f" : "@";
			}
			if (glyph) {
				mvwaddstr(win, y + 1 + row, x + 1 + col, glyph);
				continue;
			}
			uint8_t mask = mc ? mc : mm;
			wattrset(win, term_attr(mc ? ROLE_BAR_POSITIVE : ROLE_DIM));
			if (utf8 && mask) {
				char b[4];
				vm_braille_utf8(mask, b);
				mvwaddstr(win, y + 1 + row, x + 1 + col, b);
			} else {
				mvwaddch(win, y + 1 + row, x + 1 + col,
					 (chtype)(mc ? vm_plot_ascii(mc) : mm ? '.' : ' '));
			}
		}
	}
	draw_axes(win, y, x, pw, ph, pw >= 40 ? "alert rate" : "alerts");
	char tb[32], bb[32];
	fmt_double(tb, t);
	fmt_double(bb, r->cost_optimal_threshold);
	const char *dot = utf8 ? "\xe2\x97\x8f" : "@", *diamond = utf8 ? "\xe2\x97\x86" : "$";
	int full = (int)(strlen(tb) + strlen(bb)) + 28;
	if (pw + 1 >= full)
		term_printf(win, y + 3 + ph, x, pw + 1, term_attr(ROLE_DIM),
			    "%s threshold %s  %s min cost %s", dot, tb, diamond, bb);
	else
		term_printf(win, y + 3 + ph, x, pw + 1, term_attr(ROLE_DIM), "%s%s %smin cost %s",
			    dot, tb, diamond, bb);
	vm_plot_free(&pc);
	vm_plot_free(&pm);
	vm_plot_free(&pb);
}

static void draw_curve(struct app *a, WINDOW *win, int y, int x, int pw, int ph,
		       struct eval_state *s, const struct pipeline_result *r, const struct metrics *m)
{
	const struct curve *c = split_curve(a, s, r);
	double mx, my;
	if (s->pr) {
		mx = m->recall;
		my = m->precision;
	} else {
		uint64_t neg = m->cm.fp + m->cm.tn;
		mx = neg ? (double)m->cm.fp / (double)neg : 0;
		my = m->recall;
	}
	if (s->risk) {
		draw_risk(win, y, x, pw, ph, r);
		return;
	}
	term_printf(win, y, x, pw + 1, term_attr(ROLE_HEADER), "%s %s AUC %.3f  y: %s",
		    s->pr ? "PR" : "ROC", split_name(s->split), s->pr ? m->pr_auc : m->roc_auc,
		    s->pr ? "precision" : "TPR");
	struct vm_plot p;
	vm_plot_curve(c, pw, ph, mx, my, &p);
	bool utf8 = term_utf8();
	for (int row = 0; row < ph; row++) {
		wattrset(win, term_attr(ROLE_DIM));
		mvwaddch(win, y + 1 + row, x, ACS_VLINE);
		wattrset(win, term_attr(ROLE_BAR_POSITIVE));
		for (int col = 0; col < pw; col++) {
			uint8_t mask = p.dots[row * pw + col];
			if (row == p.mark_row && col == p.mark_col) {
				wattrset(win, term_attr(ROLE_WARN) | A_BOLD);
				mvwaddstr(win, y + 1 + row, x + 1 + col, utf8 ? "\xe2\x97\x8f" : "@");
				wattrset(win, term_attr(ROLE_BAR_POSITIVE));
			} else if (utf8 && mask) {
				char b[4];
				vm_braille_utf8(mask, b);
				mvwaddstr(win, y + 1 + row, x + 1 + col, b);
			} else {
				mvwaddch(win, y + 1 + row, x + 1 + col, (chtype)vm_plot_ascii(mask));
			}
		}
	}
	if (!c)
		term_printf(win, y + 1 + ph / 2, x + 2, pw - 2, term_attr(ROLE_DIM),
			    "computing the curve...");
	draw_axes(win, y, x, pw, ph, s->pr ? "recall" : "FPR");
	vm_plot_free(&p);
}

static void draw_list(struct app *a, WINDOW *win, int y, int w, int hmax, struct eval_state *s)
{
	const struct pipeline_result *r = a->result;
	const double *proba;
	const struct metrics *m;
	const struct dataset *d = split_data(r, s->split, &proba, &m);
	char buf[256];

	refresh_list(s, r);
	if (hmax < 3)
		return;
	term_printf(win, y, 0, w, term_attr(ROLE_HEADER) | A_BOLD,
		    "%s: %zu %s rows, threshold %s  Enter: explain  Esc: back",
		    vm_cell_title(s->cell), s->nlist, split_name(s->split), view_num(current_threshold(r)).s);
	/* Header: row, line, probability, then as many columns as fit. */
	int colw = 16, x0 = 26;
	size_t ncols = s->ncols;
	while (ncols && x0 + (int)ncols * (colw + 1) > w)
		ncols--;
	term_printf(win, y + 1, 0, w, term_attr(ROLE_HEADER), "%8s %8s %7s", "#", "line", "proba");
	for (size_t k = 0; k < ncols && a->frame; k++)
		term_put(win, y + 1, x0 + (int)k * (colw + 1), colw,
			 a->frame->cols[s->cols[k]].name, term_attr(ROLE_HEADER), false);
	int rows = hmax - 2;
	s->page = rows;
	if (!s->nlist) {
		term_put(win, y + 2, 2, w - 2, "(no rows in this cell)", term_attr(ROLE_DIM), false);
		return;
	}
	if (s->sel < s->top)
		s->top = s->sel;
	if (s->sel >= s->top + (size_t)rows)
		s->top = s->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && s->top + (size_t)i < s->nlist; i++) {
		size_t k = s->top + (size_t)i;
		size_t si = s->list[k];
		size_t fr = d->rows ? d->rows[si] : si;
		bool in_frame = a->frame && fr < a->frame->nrows;
		attr_t at = k == s->sel ? term_attr(ROLE_SELECTED) : term_attr(ROLE_NORMAL);
		term_fill(win, y + 2 + i, 0, at);
		if (in_frame && a->frame->row_line)
			snprintf(buf, sizeof buf, "%8zu %8u %7.4f", fr + 1,
				 (unsigned)a->frame->row_line[fr], proba[si]);
		else
			snprintf(buf, sizeof buf, "%8zu %8s %7.4f", fr + 1, "-", proba[si]);
		term_put(win, y + 2 + i, 0, x0 < w ? x0 : w, buf, at, false);
		for (size_t c = 0; c < ncols && in_frame; c++) {
			char cell[128];
			size_t col = (size_t)s->cols[c];
			if (frame_is_missing(a->frame, col, fr))
				snprintf(cell, sizeof cell, "NA");
			else
				frame_cell_text(a->frame, col, fr, cell, sizeof cell);
			term_put(win, y + 2 + i, x0 + (int)c * (colw + 1), colw, cell, at, false);
		}
	}
}

static void draw(struct app *a, WINDOW *win)
{
	int h, w;
	getmaxyx(win, h, w);
	if (!a->result || !a->result->tree) {
		draw_no_model(a, win, w);
		return;
	}
	struct eval_state *s = get_state(a);
	const struct pipeline_result *r = a->result;
	const double *proba;
	const struct metrics *m;
	split_data(r, s->split, &proba, &m);

	int tx = term_printf(win, 0, 0, w, term_attr(ROLE_HEADER) | A_BOLD,
			     "Confusion matrix (%s)", split_name(s->split)) + 3;
	term_printf(win, 0, tx, w - tx, term_attr(ROLE_NORMAL),
		    "threshold %s  n=%llu (%llu fraud)  Gate: %s", view_num(current_threshold(r)).s,
		    (unsigned long long)m->n, (unsigned long long)m->positives,
		    r->gate.pass ? "PASS" : "FAIL");
	int y = 1;
	int cw = (w - LABEL_W - 3) / 2;
	if (cw > 17)
		cw = 17;
	if (cw < 15 || h < 12) {
		/* Smaller than the workbench's minimum: the counts at least. */
		term_printf(win, y++, 1, w - 1, term_attr(ROLE_NORMAL), "TN %llu  FP %llu  FN %llu  TP %llu",
			    (unsigned long long)m->cm.tn, (unsigned long long)m->cm.fp,
			    (unsigned long long)m->cm.fn, (unsigned long long)m->cm.tp);
		draw_warnings(win, y, w, h - y, m);
		return;
	}
	/* Warnings first: they are the point of this screen when they apply. */
	y += draw_warnings(win, y, w, 2, m);
	int top = y;
	y += draw_matrix(win, y, 0, cw, s, m, true);
	/* Left column: matrix, then metrics (unless the row list needs the
	 * room). The curve stands beside it, down to the hint line, or only
	 * beside the matrix while the row list is open below. Wide terminals
	 * show the other split's matrix and metrics at the right too. */
	bool metrics = !s->listing || h - y >= METRIC_ROWS + 11;
	if (metrics)
		y += draw_metrics(win, y, 0, h - y, m);
	int block_w = LABEL_W + 2 * (cw + 1) + 1;
	int cx = block_w + 2;
	int pw = w - cx - 2;
	if (!s->listing && cw == 17 && w >= 2 * block_w + 36) {
		enum split_id other = s->split == SPLIT_TEST ? SPLIT_VALIDATION : SPLIT_TEST;
		const double *p2;
		const struct metrics *m2;
		int x2 = w - block_w;
		split_data(r, other, &p2, &m2);
		term_printf(win, 0, x2, block_w, term_attr(ROLE_HEADER) | A_BOLD,
			    "Confusion matrix (%s)  n=%llu", split_name(other),
			    (unsigned long long)m2->n);
		draw_matrix(win, top, x2, cw, s, m2, false);
		draw_metrics(win, top + 8, x2, h - top - 8, m2);
		pw = x2 - cx - 4;
	}
	int ph = (s->listing ? y : h - 1) - top - 3;
	if (pw > 60)
		pw = 60;
	if (pw >= 16 && ph >= 3)
		draw_curve(a, win, top, cx, pw, ph, s, r, m);
	if (s->listing) {
		draw_list(a, win, y + 1, w, h - y - 1, s);
		return;
	}
	if (y + 1 < h)
		term_printf(win, h - 1, 0, w, term_attr(ROLE_DIM),
			    "Left/Right threshold 0.01  [ ] 0.05  Up/Down cell  Enter rows  D in Data  v split  "
			    "c curve/risk");
}

/* ---- keys ------------------------------------------------------------- */

/* Through app_set_threshold, as `:threshold X`: the settings and the
 * model move together, so Train, Evaluate and :register agree. */
static int move_threshold(struct app *a, double delta)
{
	double t = vm_threshold_step(current_threshold(a->result), delta);
	if (t == current_threshold(a->result))
		return KEY_HANDLED;
	app_set_threshold(a, t);
	return KEY_HANDLED | KEY_REDRAW;
}

static int explain_selected(struct app *a, struct eval_state *s)
{
	const double *proba;
	const struct metrics *m;
	const struct dataset *d = split_data(a->result, s->split, &proba, &m);

	refresh_list(s, a->result);
	if (!s->nlist)
		return KEY_HANDLED;
	size_t si = s->list[s->sel];
	size_t fr = d->rows ? d->rows[si] : si;
	if (fr == SIZE_MAX || fr > (size_t)INT32_MAX)
		return KEY_HANDLED;
	a->explain_row = (int)fr;
	app_request_screen(a, SCR_TREE);
	app_message(a, false, "explaining row #%zu (%s, p=%.4f)", fr + 1,
		    vm_cell_title(s->cell), proba[si]);
	return KEY_HANDLED | KEY_REDRAW;
}

/* The selected cell's rows in the Data grid with every column (the row
 * list here shows only the top features). */
static int show_in_data(struct app *a, struct eval_state *s)
{
	const double *proba;
	const struct metrics *m;
	const struct dataset *d = split_data(a->result, s->split, &proba, &m);
	refresh_list(s, a->result);
	size_t *rows = xmalloc((s->nlist ? s->nlist : 1) * sizeof *rows);
	size_t n = 0;
	for (size_t i = 0; i < s->nlist; i++) {
		size_t fr = d->rows ? d->rows[s->list[i]] : s->list[i];
		if (fr != SIZE_MAX)
			rows[n++] = fr;
	}
	char label[128], thr[32];
	fmt_double(thr, current_threshold(a->result));
	snprintf(label, sizeof label, "%s rows of the %s split at threshold %s",
		 vm_cell_title(s->cell), split_name(s->split), thr);
	scr_data_show_rows(a, rows, n, label);
	free(rows);
	return KEY_HANDLED | KEY_REDRAW;
}

/* The row list takes every key while it is open (modal): it moves, Enter
 * explains, Esc or q closes. */
static int list_key(struct eval_state *s, int ch)
{
	size_t page = s->page > 1 ? (size_t)s->page : 1;
	if (screen_list_key(ch, &s->sel, s->nlist, page))
		return KEY_HANDLED | KEY_REDRAW;
	switch (ch) {
	case 27: case 'q': case KEY_BACKSPACE: case 127: case 8:
		s->listing = false;
		break;
	default:
		break;
	}
	return KEY_HANDLED | KEY_REDRAW;
}

static bool modal(struct app *a)
{
	struct eval_state *s = a->screen_state[SCR_EVALUATE];
	return s && s->listing && a->result && a->result->tree;
}

static int key(struct app *a, int ch)
{
	if (!a->result || !a->result->tree)
		return KEY_UNHANDLED;
	struct eval_state *s = get_state(a);
	switch (ch) {
	case KEY_LEFT: return move_threshold(a, -0.01);
	case KEY_RIGHT: return move_threshold(a, 0.01);
	case '[': return move_threshold(a, -0.05);
	case ']': return move_threshold(a, 0.05);
	case 'v':
		s->split = s->split == SPLIT_TEST ? SPLIT_VALIDATION : SPLIT_TEST;
		s->sel = s->top = 0;
		return KEY_HANDLED | KEY_REDRAW;
	case 'c':   /* ROC, precision-recall, risk chart, ROC... */
		if (s->risk) {
			s->risk = false;
		} else if (s->pr) {
			s->pr = false;
			s->risk = true;
		} else {
			s->pr = true;
		}
		return KEY_HANDLED | KEY_REDRAW;
	case 'D':
		return show_in_data(a, s);
	case '\n': case '\r': case KEY_ENTER:
		if (s->listing)
			return explain_selected(a, s);
		s->listing = true;
		s->sel = s->top = 0;
		return KEY_HANDLED | KEY_REDRAW;
	default:
		break;
	}
	if (s->listing)
		return list_key(s, ch);
	/* Tab belongs to the main loop (next screen): Up/Down walk the four
	 * cells in reading order. */
	if (ch == KEY_DOWN || ch == KEY_UP) {
		int step = ch == KEY_DOWN ? 1 : VM_CELL_COUNT - 1;
		s->cell = (enum vm_cell)((s->cell + step) % VM_CELL_COUNT);
		s->sel = s->top = 0;
		return KEY_HANDLED | KEY_REDRAW;
	}
	return KEY_UNHANDLED;
}

static void free_state(struct app *a)
{
	struct eval_state *s = a->screen_state[SCR_EVALUATE];
	if (!s)
		return;
	curve_task_poll(s, true);
	drop_caches(s);
	free(s);
	a->screen_state[SCR_EVALUATE] = NULL;
}

static const struct key_binding help[] = {
	{ { 0 }, "Left/Right", "threshold -/+ 0.01 (metrics and matrix update live)", KB_SETTING, "threshold", NULL },
	{ { '[', ']' }, "[ ]", "threshold -/+ 0.05 (u undoes)", KB_SETTING, "threshold", NULL },
	{ { 0 }, "Up/Down", "select a matrix cell (TN, FP, FN, TP); in the row list: move", KB_VIEW, NULL, NULL },
	{ { 0 }, "PgUp/PgDn Home/End", "move in the row list (j/k, g/G too); while it is open it takes every key", KB_VIEW, NULL, NULL },
	{ { 0 }, "Enter", "list the selected cell's rows; on a row: explain it on Tree", KB_VIEW, NULL, NULL },
	{ { 0 }, "Esc, q", "close the row list", KB_VIEW, NULL, NULL },
	{ { 0 }, "v", "validation / test split", KB_VIEW, NULL, NULL },
	{ { 0 }, "c", "ROC / precision-recall curve", KB_VIEW, NULL, NULL },
	{ { 0 }, "D", "the selected cell's rows in the Data grid, every column (Esc there shows all)", KB_VIEW, NULL, NULL },
	{ { 0 }, NULL, NULL, KB_VIEW, NULL, NULL }
};

const struct screen_ops scr_evaluate_ops = {
	.name = "Evaluate",
	.draw = draw,
	.key = key,
	.enter = NULL,
	.leave = NULL,
	.free_state = free_state,
	.modal = modal,
	.keys = help,
};
