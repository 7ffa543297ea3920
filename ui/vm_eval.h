/* vm_eval: what the Evaluate screen shows, computed without a terminal: the
 * confusion-matrix cells and their rows, threshold steps, and a curve
 * rasterised into a grid of braille dots. */
#ifndef FT_VM_EVAL_H
#define FT_VM_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "pipeline.h"

/* Matrix cells in reading order: actual legit row, then actual fraud row. */
enum vm_cell { VM_CELL_TN, VM_CELL_FP, VM_CELL_FN, VM_CELL_TP, VM_CELL_COUNT };

const char *vm_cell_name(enum vm_cell c);     /* "TN", "FP", "FN", "TP" */
const char *vm_cell_title(enum vm_cell c);    /* "Missed frauds (FN)", ... */
uint64_t vm_cell_count(const struct confusion *cm, enum vm_cell c);
/* Which cell a sample with label y and fraud probability p falls into. */
enum vm_cell vm_cell_of(uint8_t y, double p, double threshold);

/* Indices i (into y/proba) of the samples in cell c, highest probability
 * first, ties by index. out needs room for n. Returns the count. */
size_t vm_cell_samples(const uint8_t *y, const double *proba, size_t n,
		       double threshold, enum vm_cell c, size_t *out);

/* t + delta on the 0.01 grid, clamped to [0, 1]. */
double vm_threshold_step(double t, double delta);

/* A curve drawn into w x h character cells of 2 x 4 dots each (braille).
 * dots[row * w + col] is the braille bit mask of a cell (bit 0 = dot 1,
 * top left ... bit 7 = dot 8, bottom right). x and y run over [0, 1], y = 1
 * on the top row. mark_col/mark_row: the cell of the marked point, -1 when
 * there is none. */
struct vm_plot {
	int w, h;
	uint8_t *dots;
	int mark_col, mark_row;
};
/* Draw c's points joined by straight segments; mark (mx, my) unless either
 * is NAN. Caller frees with vm_plot_free. */
void vm_plot_curve(const struct curve *c, int w, int h, double mx, double my,
		   struct vm_plot *p);
void vm_plot_free(struct vm_plot *p);
/* UTF-8 of the braille character for mask (3 bytes + NUL). */
void vm_braille_utf8(uint8_t mask, char out[4]);
/* One ASCII character that suggests mask, for terminals without UTF-8. */
char vm_plot_ascii(uint8_t mask);

/* A fingerprint of a trained result (timings and size), so a screen notices
 * a new training even when the allocator hands back the old address. */
double vm_result_stamp(const struct pipeline_result *r);

#endif
