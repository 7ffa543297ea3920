/* vm_eval: the Evaluate screen's logic, kept free of curses so it can be
 * tested. A sample's predicted class is proba >= threshold, exactly as
 * metrics_compute decides it, so cell listings always add up to the matrix. */
#include "config.h"
#include "vm_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *vm_cell_name(enum vm_cell c)
{
	static const char *const names[] = { "TN", "FP", "FN", "TP" };
	return c < VM_CELL_COUNT ? names[c] : "?";
}

const char *vm_cell_title(enum vm_cell c)
{
	static const char *const titles[] = {
		"Legit rows passed (TN)", "False alarms (FP)",
		"Missed frauds (FN)", "Caught frauds (TP)"
	};
	return c < VM_CELL_COUNT ? titles[c] : "?";
}

uint64_t vm_cell_count(const struct confusion *cm, enum vm_cell c)
{
	switch (c) {
	case VM_CELL_TN: return cm->tn;
	case VM_CELL_FP: return cm->fp;
	case VM_CELL_FN: return cm->fn;
	case VM_CELL_TP: return cm->tp;
	default: return 0;
	}
}

enum vm_cell vm_cell_of(uint8_t y, double p, double threshold)
{
	bool predicted = p >= threshold;
	if (y)
		return predicted ? VM_CELL_TP : VM_CELL_FN;
	return predicted ? VM_CELL_FP : VM_CELL_TN;
}

struct ranked {
	double p;
	size_t i;
};

static int by_proba_desc(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->p != y->p)
		return x->p > y->p ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

size_t vm_cell_samples(const uint8_t *y, const double *proba, size_t n,
		       double threshold, enum vm_cell c, size_t *out)
{
	struct ranked *r = xmalloc((n ? n : 1) * sizeof *r);
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (vm_cell_of(y[i], proba[i], threshold) == c)
			r[m++] = (struct ranked){ proba[i], i };
	qsort(r, m, sizeof *r, by_proba_desc);
	for (size_t k = 0; k < m; k++)
		out[k] = r[k].i;
	free(r);
	return m;
}

double vm_threshold_step(double t, double delta)
{
	double v = round((t + delta) * 100.0) / 100.0;
	if (v < 0)
		v = 0;
	if (v > 1)
		v = 1;
	return v;
}

/* Braille bit of the dot at (column dx % 2, row dy % 4) inside a cell. */
static const uint8_t dot_bit[4][2] = {
	{ 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 }
};

static void set_dot(struct vm_plot *p, int dx, int dy)
{
	if (dx < 0 || dy < 0 || dx >= 2 * p->w || dy >= 4 * p->h)
		return;
	p->dots[(dy / 4) * p->w + dx / 2] |= dot_bit[dy % 4][dx % 2];
}

static int dot_x(const struct vm_plot *p, double x)
{
	if (x < 0)
		x = 0;
	if (x > 1)
		x = 1;
	return (int)lround(x * (2 * p->w - 1));
}

static int dot_y(const struct vm_plot *p, double y)
{
	if (y < 0)
		y = 0;
	if (y > 1)
		y = 1;
	return (int)lround((1 - y) * (4 * p->h - 1));
}

/* Bresenham: every dot between two dots, both ends included. */
static void segment(struct vm_plot *p, int x0, int y0, int x1, int y1)
{
	int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
	int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
	int e = dx + dy;

	for (;;) {
		set_dot(p, x0, y0);
		if (x0 == x1 && y0 == y1)
			break;
		int e2 = 2 * e;
		if (e2 >= dy) {
			e += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			e += dx;
			y0 += sy;
		}
	}
}

void vm_plot_curve(const struct curve *c, int w, int h, double mx, double my,
		   struct vm_plot *p)
{
	p->w = w > 0 ? w : 0;
	p->h = h > 0 ? h : 0;
	p->dots = xcalloc((size_t)(p->w * p->h) + 1, 1);
	p->mark_col = p->mark_row = -1;
	if (!p->w || !p->h)
		return;
	bool have_prev = false;
	int px = 0, py = 0;
	for (size_t i = 0; c && i < c->n; i++) {
		if (isnan(c->x[i]) || isnan(c->y[i]))
			continue;
		int x = dot_x(p, c->x[i]), y = dot_y(p, c->y[i]);
		if (have_prev)
			segment(p, px, py, x, y);
		else
			set_dot(p, x, y);
		px = x;
		py = y;
		have_prev = true;
	}
	if (!isnan(mx) && !isnan(my)) {
		p->mark_col = dot_x(p, mx) / 2;
		p->mark_row = dot_y(p, my) / 4;
	}
}

void vm_plot_free(struct vm_plot *p)
{
	free(p->dots);
	p->dots = NULL;
}

void vm_braille_utf8(uint8_t mask, char out[4])
{
	out[0] = (char)0xE2;
	out[1] = (char)(0xA0 | (mask >> 6));
	out[2] = (char)(0x80 | (mask & 0x3F));
	out[3] = '\0';
}

char vm_plot_ascii(uint8_t mask)
{
	bool top = mask & 0x1B;      /* dots of rows 0 and 1 */
	bool bottom = mask & 0xE4;   /* dots of rows 2 and 3 */

	if (top && bottom)
		return ':';
	if (top)
		return '\'';
	return bottom ? '.' : ' ';
}

double vm_result_stamp(const struct pipeline_result *r)
{
	double t = 0;
	for (int i = 0; i < STAGE_COUNT; i++)
		t += r->seconds[i];
	return t + (r->tree ? (double)r->tree->nnodes : 0) + (double)r->test.n;
}
