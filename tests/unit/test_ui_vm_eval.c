/* Evaluate screen view model: matrix cells and their rows, threshold
 * steps, and curve rasterisation into braille dots. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vm_eval.h"

static void test_cells(void **state)
{
	(void)state;
	struct confusion cm = { .tn = 5, .fp = 2, .fn = 3, .tp = 4 };
	assert_int_equal(vm_cell_count(&cm, VM_CELL_TN), 5);
	assert_int_equal(vm_cell_count(&cm, VM_CELL_FP), 2);
	assert_int_equal(vm_cell_count(&cm, VM_CELL_FN), 3);
	assert_int_equal(vm_cell_count(&cm, VM_CELL_TP), 4);
	assert_string_equal(vm_cell_name(VM_CELL_FN), "FN");
	assert_string_equal(vm_cell_title(VM_CELL_FN), "Missed frauds (FN)");
	/* proba >= threshold is fraud, as metrics_compute decides. */
	assert_int_equal(vm_cell_of(1, 0.5, 0.5), VM_CELL_TP);
	assert_int_equal(vm_cell_of(1, 0.49, 0.5), VM_CELL_FN);
	assert_int_equal(vm_cell_of(0, 0.5, 0.5), VM_CELL_FP);
	assert_int_equal(vm_cell_of(0, 0.0, 0.5), VM_CELL_TN);
}

static void test_cell_samples(void **state)
{
	(void)state;
	uint8_t y[7] = { 1, 0, 1, 0, 1, 1, 0 };
	double p[7] = { 0.2, 0.7, 0.4, 0.1, 0.9, 0.4, 0.5 };
	size_t out[7];

	/* Missed frauds, most probable first; the 0.4 tie in index order. */
	assert_int_equal(vm_cell_samples(y, p, 7, 0.5, VM_CELL_FN, out), 3);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 5);
	assert_int_equal(out[2], 0);
	assert_int_equal(vm_cell_samples(y, p, 7, 0.5, VM_CELL_FP, out), 2);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 6);
	assert_int_equal(vm_cell_samples(y, p, 7, 0.5, VM_CELL_TP, out), 1);
	assert_int_equal(out[0], 4);
	assert_int_equal(vm_cell_samples(y, p, 7, 0.5, VM_CELL_TN, out), 1);
	/* Lowering the threshold moves the 0.4 frauds into TP. */
	assert_int_equal(vm_cell_samples(y, p, 7, 0.35, VM_CELL_TP, out), 3);
	assert_int_equal(vm_cell_samples(y, p, 0, 0.5, VM_CELL_TP, out), 0);
}

static void test_threshold_step(void **state)
{
	(void)state;
	assert_true(vm_threshold_step(0.5, 0.01) == 0.51);
	assert_true(vm_threshold_step(0.5, -0.05) == 0.45);
	assert_true(vm_threshold_step(0.98, 0.05) == 1.0);
	assert_true(vm_threshold_step(0.02, -0.05) == 0.0);
	/* A hundred small steps land exactly on 1, not 0.9999999. */
	double t = 0;
	for (int i = 0; i < 100; i++)
		t = vm_threshold_step(t, 0.01);
	assert_true(t == 1.0);
	for (int i = 0; i < 37; i++)
		t = vm_threshold_step(t, -0.01);
	assert_true(t == 0.63);
}

static void test_plot_diagonal(void **state)
{
	(void)state;
	double x[2] = { 0, 1 }, yv[2] = { 0, 1 }, th[2] = { 1, 0 };
	struct curve c = { 2, x, yv, th };
	struct vm_plot p;

	/* 2 x 1 cells = 4 x 4 dots; the diagonal lights (0,3) (1,2) (2,1) (3,0). */
	vm_plot_curve(&c, 2, 1, 1.0, 1.0, &p);
	assert_int_equal(p.w, 2);
	assert_int_equal(p.h, 1);
	assert_int_equal(p.dots[0], 0x40 | 0x20);
	assert_int_equal(p.dots[1], 0x02 | 0x08);
	assert_int_equal(p.mark_col, 1);
	assert_int_equal(p.mark_row, 0);
	vm_plot_free(&p);

	/* No marker when the point is unknown; out-of-range values are clamped. */
	double x2[2] = { -1, 2 }, y2[2] = { 0.5, 0.5 };
	struct curve flat = { 2, x2, y2, th };
	vm_plot_curve(&flat, 2, 2, NAN, 0.5, &p);
	assert_int_equal(p.mark_col, -1);
	/* y = 0.5 -> dot row round(0.5 * 7) = 4: top dots of the second cell row. */
	assert_int_equal(p.dots[0], 0);
	assert_int_equal(p.dots[1], 0);
	assert_int_equal(p.dots[2], 0x01 | 0x08);
	assert_int_equal(p.dots[3], 0x01 | 0x08);
	vm_plot_free(&p);
}

static void test_plot_step_curve(void **state)
{
	(void)state;
	/* A perfect ROC: up the left edge, then along the top. */
	double x[3] = { 0, 0, 1 }, yv[3] = { 0, 1, 1 }, th[3] = { 2, 1, 0 };
	struct curve c = { 3, x, yv, th };
	struct vm_plot p;

	vm_plot_curve(&c, 3, 2, 0.0, 1.0, &p);
	/* Left column of dots in the first cell of both rows. */
	assert_int_equal(p.dots[0] & 0x47, 0x47);
	assert_int_equal(p.dots[3] & 0x47, 0x47);
	/* Top row of dots all along the first cell row. */
	for (int col = 0; col < 3; col++)
		assert_int_equal(p.dots[col] & 0x09, col == 0 ? 0x09 : 0x09);
	/* Nothing else in the lower right. */
	assert_int_equal(p.dots[5], 0);
	assert_int_equal(p.mark_col, 0);
	assert_int_equal(p.mark_row, 0);
	vm_plot_free(&p);
	vm_plot_curve(NULL, 0, 0, 0, 0, &p);
	assert_int_equal(p.w, 0);
	vm_plot_free(&p);
}

static void test_braille(void **state)
{
	(void)state;
	char b[4];
	vm_braille_utf8(0, b);
	assert_memory_equal(b, "\xe2\xa0\x80", 4);
	vm_braille_utf8(0xFF, b);
	assert_memory_equal(b, "\xe2\xa3\xbf", 4);
	vm_braille_utf8(0x47, b);     /* dots 1,2,3,7: U+2847 */
	assert_memory_equal(b, "\xe2\xa1\x87", 4);
	assert_int_equal(vm_plot_ascii(0), ' ');
	assert_int_equal(vm_plot_ascii(0x01), '\'');
	assert_int_equal(vm_plot_ascii(0x80), '.');
	assert_int_equal(vm_plot_ascii(0x41), ':');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_cell_samples),
		cmocka_unit_test(test_threshold_step),
		cmocka_unit_test(test_plot_diagonal),
		cmocka_unit_test(test_plot_step_curve),
		cmocka_unit_test(test_braille),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
