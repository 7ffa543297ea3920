/* test_explore: fraud figures by value and the leakage hints, on CSV files
 * written here and read by the real loader, with counts worked out by hand. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_load.h"
#include "explore.h"
#include "frame.h"
#include "target.h"
#include "settings.h"
#include "util.h"

struct loaded {
	struct frame *f;
	struct target_info t;
};

static void load_text(struct loaded *l, const char *text, const char *target)
{
	char path[] = "/tmp/test_explore.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	struct csv_options opt = { 0 };
	opt.threads = 1;
	struct ft_err err;
	l->f = csv_load(path, &opt, &err);
	unlink(path);
	assert_non_null(l->f);
	struct settings s;
	settings_init(&s);
	s.target = xstrdup(target);
	assert_int_equal(target_resolve(l->f, &s, &l->t, &err), 0);
	settings_free(&s);
}

static void unload(struct loaded *l)
{
	target_info_free(&l->t);
	frame_free(l->f);
}

static size_t col(const struct loaded *l, const char *name)
{
	int c = frame_find(l->f, name);
	assert_true(c >= 0);
	return (size_t)c;
}

static const struct explore_group *level(const struct loaded *l, const struct explore_column *e,
					 const char *text)
{
	for (size_t i = 0; i < e->ngroups; i++)
		if (strcmp(l->f->cols[e->col].levels[e->groups[i].code], text) == 0)
			return &e->groups[i];
	fail_msg("no level %s", text);
	return NULL;
}

static void test_levels(void **state)
{
	(void)state;
	struct loaded l;
	/* a: x x y y y (missing) z, one row without a label */
	load_text(&l, "a,label\nx,1\nx,0\ny,1\ny,1\ny,0\n,1\nz,0\nx,\n", "label");
	struct explore_column e;
	struct ft_err err;
	assert_int_equal(explore_column(l.f, col(&l, "a"), l.t.y, 10, &e, &err), 0);
	assert_int_equal(e.kind, EXPLORE_LEVELS);
	assert_int_equal(e.rows, 7);
	assert_int_equal(e.fraud, 4);
	assert_int_equal(level(&l, &e, "x")->rows, 2);   /* the unlabelled x is left out */
	assert_int_equal(level(&l, &e, "x")->fraud, 1);
	assert_int_equal(level(&l, &e, "y")->rows, 3);
	assert_int_equal(level(&l, &e, "y")->fraud, 2);
	assert_int_equal(level(&l, &e, "z")->fraud, 0);
	assert_int_equal(e.missing.rows, 1);
	assert_int_equal(e.missing.fraud, 1);
	assert_true(explore_rate(&e.missing) == 1.0);
	size_t sum = e.missing.rows;
	for (size_t i = 0; i < e.ngroups; i++)
		sum += e.groups[i].rows;
	assert_int_equal(sum, e.rows);

	explore_sort(&e, EXPLORE_BY_COUNT);
	char buf[64];
	assert_string_equal(explore_group_label(l.f, &e, &e.groups[0], EXPLORE_HOUR, buf, sizeof buf), "y");
	assert_string_equal(explore_group_label(l.f, &e, &e.groups[1], EXPLORE_HOUR, buf, sizeof buf), "x");
	explore_sort(&e, EXPLORE_BY_RATE);   /* y 2/3, x 1/2, z 0 */
	assert_string_equal(explore_group_label(l.f, &e, &e.groups[0], EXPLORE_HOUR, buf, sizeof buf), "y");
	assert_string_equal(explore_group_label(l.f, &e, &e.groups[2], EXPLORE_HOUR, buf, sizeof buf), "z");
	explore_sort(&e, EXPLORE_BY_VALUE);  /* first-seen order */
	assert_string_equal(explore_group_label(l.f, &e, &e.groups[0], EXPLORE_HOUR, buf, sizeof buf), "x");
	assert_string_equal(explore_group_label(l.f, &e, &e.missing, EXPLORE_HOUR, buf, sizeof buf), "(missing)");
	explore_column_free(&e);
	explore_column_free(NULL);

	assert_int_equal(explore_column(l.f, col(&l, "a"), l.t.y, 0, &e, &err), -1);
	assert_int_equal(err.code, FT_EINPUT);
	assert_int_equal(explore_column(l.f, col(&l, "a"), l.t.y, EXPLORE_BINS_MAX + 1, &e, &err), -1);
	unload(&l);
}

static void test_values_and_bins(void **state)
{
	(void)state;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "v,few,label\n");
	/* v: 0..29 (30 distinct, so bins); few: v % 3 */
	for (int i = 0; i < 30; i++)
		sb_printf(&sb, "%d,%d,%d\n", i, i % 3, i >= 27);
	sb_puts(&sb, ",,0\n");
	struct loaded l;
	load_text(&l, sb.data, "label");
	sb_free(&sb);
	struct explore_column e;
	struct ft_err err;
	assert_int_equal(explore_column(l.f, col(&l, "few"), l.t.y, 10, &e, &err), 0);
	assert_int_equal(e.kind, EXPLORE_VALUES);
	assert_int_equal(e.ngroups, 3);
	assert_true(e.groups[0].lo == 0 && e.groups[2].lo == 2);
	assert_int_equal(e.groups[0].rows, 10);
	assert_int_equal(e.groups[0].fraud, 1);   /* 27 */
	assert_int_equal(e.groups[1].fraud, 1);   /* 28 */
	assert_int_equal(e.missing.rows, 1);
	explore_column_free(&e);

	/* 3 bins over [0, 29]: edges 0, 9.666..., 19.333..., 29 */
	assert_int_equal(explore_column(l.f, col(&l, "v"), l.t.y, 3, &e, &err), 0);
	assert_int_equal(e.kind, EXPLORE_BINS);
	assert_int_equal(e.ngroups, 3);
	assert_true(e.groups[0].lo == 0 && e.groups[2].hi == 29);
	assert_true(e.groups[0].hi == e.groups[1].lo);
	assert_int_equal(e.groups[0].rows, 10);   /* 0..9 */
	assert_int_equal(e.groups[1].rows, 10);   /* 10..19 */
	assert_int_equal(e.groups[2].rows, 10);   /* 20..29, the maximum included */
	assert_int_equal(e.groups[2].fraud, 3);
	char buf[64];
	assert_string_equal(explore_group_label(l.f, &e, &e.groups[2], EXPLORE_HOUR, buf, sizeof buf),
			    "[19.333333333333332, 29]");
	explore_column_free(&e);

	/* 29 bins of width 1: each integer lands on its own lower edge */
	assert_int_equal(explore_column(l.f, col(&l, "v"), l.t.y, 29, &e, &err), 0);
	for (size_t b = 0; b < 28; b++)
		assert_int_equal(e.groups[b].rows, 1);
	assert_int_equal(e.groups[28].rows, 2);   /* 28 and the maximum 29 */
	explore_column_free(&e);
	unload(&l);
}

static void test_infinite_values(void **state)
{
	(void)state;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "v,label\n-inf,1\ninf,0\n");
	for (int i = 0; i < 30; i++)
		sb_printf(&sb, "%d,%d\n", i, i % 2);
	struct loaded l;
	load_text(&l, sb.data, "label");
	sb_free(&sb);
	struct explore_column e;
	assert_int_equal(explore_column(l.f, col(&l, "v"), l.t.y, 2, &e, NULL), 0);
	assert_true(isinf(e.groups[0].lo) && e.groups[0].lo < 0);
	assert_true(isinf(e.groups[1].hi) && e.groups[1].hi > 0);
	assert_int_equal(e.groups[0].rows + e.groups[1].rows, 32);
	assert_int_equal(e.groups[0].fraud, 1 + 7);   /* -inf, and 1, 3, ..., 13 */
	explore_column_free(&e);
	unload(&l);
}

static void test_datetime(void **state)
{
	(void)state;
	struct loaded l;
	/* 2024-01-01 was a Monday */
	load_text(&l, "t,d,label\n"
		  "2024-01-01 13:30:00,2024-01-01,1\n"
		  "2024-01-02 13:00:00,2024-02-03,0\n"
		  "2024-03-03 00:00:00,2024-03-03,1\n"
		  ",,0\n", "label");
	struct explore_column e;
	assert_int_equal(explore_column(l.f, col(&l, "t"), l.t.y, 10, &e, NULL), 0);
	assert_int_equal(e.kind, EXPLORE_DATETIME);
	assert_true(e.has_time);
	assert_int_equal(e.npart[EXPLORE_HOUR], 24);
	assert_int_equal(e.part[EXPLORE_HOUR][13].rows, 2);
	assert_int_equal(e.part[EXPLORE_HOUR][13].fraud, 1);
	assert_int_equal(e.part[EXPLORE_HOUR][0].rows, 1);
	assert_int_equal(e.part[EXPLORE_DAY_OF_WEEK][0].rows, 1);   /* Monday */
	assert_int_equal(e.part[EXPLORE_DAY_OF_WEEK][6].rows, 1);   /* Sunday 3 March */
	assert_int_equal(e.part[EXPLORE_MONTH][0].rows, 2);
	assert_int_equal(e.part[EXPLORE_MONTH][2].fraud, 1);
	assert_int_equal(e.missing.rows, 1);
	char buf[32];
	assert_string_equal(explore_group_label(l.f, &e, &e.part[EXPLORE_MONTH][2], EXPLORE_MONTH,
						buf, sizeof buf), "March");
	assert_string_equal(explore_group_label(l.f, &e, &e.part[EXPLORE_DAY_OF_WEEK][6],
						EXPLORE_DAY_OF_WEEK, buf, sizeof buf), "Sunday");
	assert_string_equal(explore_group_label(l.f, &e, &e.part[EXPLORE_HOUR][13], EXPLORE_HOUR,
						buf, sizeof buf), "13:00");
	explore_column_free(&e);
	assert_int_equal(explore_column(l.f, col(&l, "d"), l.t.y, 10, &e, NULL), 0);
	assert_false(e.has_time);
	assert_int_equal(e.part[EXPLORE_DAY_OF_WEEK][5].rows, 1);   /* Saturday 3 Feb */
	explore_column_free(&e);
	assert_true(explore_has_time(l.f, col(&l, "t"), NULL, 0));
	assert_false(explore_has_time(l.f, col(&l, "d"), NULL, 0));
	size_t midnight_only[] = { 2, 3 };
	assert_false(explore_has_time(l.f, col(&l, "t"), midnight_only, 2));
	unload(&l);
}

static const struct explore_hint *hint_for(const struct explore_hints *h, const struct frame *f,
					   const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(f->cols[h->v[i].col].name, name) == 0)
			return &h->v[i];
	return NULL;
}

/* The hint for a column, failing the test when there is none. */
static const struct explore_hint *need_hint(const struct explore_hints *h, const struct frame *f,
					    const char *name)
{
	static const struct explore_hint none = { 0, HINT_KIND_COUNT, 0, (char *)"" };
	const struct explore_hint *p = hint_for(h, f, name);
	if (!p) {
		fail_msg("no hint for %s", name);
		return &none;
	}
	return p;
}

static void test_leakage(void **state)
{
	(void)state;
	/* 1000 rows, 10% fraud.
	 * copy:     the label with one flip: separates (balanced accuracy ~0.999)
	 * amount:   fraud rows are large with 2 exceptions: separates by threshold
	 * noise:    unrelated to the label: nothing
	 * note:     missing only for fraud rows: one class (missing)
	 * status:   level "chargeback" only for 50 of the 100 frauds: one class
	 *           (0.1^50) but not separating (BA 0.75)
 * gone:     numeric, missing exactly for the frauds: separates by missingness
 * half:     numeric, missing for half the frauds: one class (missing)
	 * rare:     level "q" 5 rows all legitimate: 0.9^5 is no evidence */
	struct strbuf sb = { 0 };
	sb_puts(&sb, "copy,amount,noise,note,status,rare,gone,half,label\n");
	unsigned x = 12345;
	for (int i = 0; i < 1000; i++) {
		int fraud = i % 10 == 0;
		x = x * 1103515245u + 12345u;
		int copy = i == 5 ? 1 : fraud;
		double amount = fraud ? 1000 + i : (i == 7 || i == 9 ? 5000 : i % 100);
		char gone[16] = "", half[16] = "";
		if (!fraud)
			snprintf(gone, sizeof gone, "%d", i % 50);
		if (!(fraud && i % 20 == 0))
			snprintf(half, sizeof half, "%d", (i * 7) % 100);
		sb_printf(&sb, "%d,%g,%u,%s,%s,%s,%s,%s,%d\n", copy, amount, (x >> 8) % 97,
			  fraud ? "" : "ok", fraud && i % 20 == 0 ? "chargeback" : "open",
			  i < 50 && !fraud && i % 9 == 1 ? "q" : "p", gone, half, fraud);
	}
	struct loaded l;
	load_text(&l, sb.data, "label");
	sb_free(&sb);
	struct explore_hints h;
	struct ft_err err;
	assert_int_equal(explore_leakage(l.f, l.t.y, l.t.col, NULL, &h, &err), 0);
	const struct explore_hint *c = need_hint(&h, l.f, "copy");
	assert_int_equal(c->kind, HINT_SEPARATES);
	assert_true(c->score >= 0.99);
	assert_non_null(strstr(c->reason, "balanced accuracy"));
	const struct explore_hint *a = need_hint(&h, l.f, "amount");
	assert_int_equal(a->kind, HINT_SEPARATES);
	assert_non_null(strstr(a->reason, "amount <= 99"));
	assert_null(hint_for(&h, l.f, "noise"));
	assert_null(hint_for(&h, l.f, "rare"));
	assert_null(hint_for(&h, l.f, "label"));
	const struct explore_hint *n = need_hint(&h, l.f, "note");
	/* missing exactly for the frauds: its one level separates perfectly */
	assert_int_equal(n->kind, HINT_SEPARATES);
	assert_true(n->score == 1.0);
	assert_non_null(strstr(n->reason, "note = \"ok\" or not"));
	const struct explore_hint *s = need_hint(&h, l.f, "status");
	assert_int_equal(s->kind, HINT_ONE_CLASS);
	assert_non_null(strstr(s->reason, "the 50 rows with status = \"chargeback\" are all fraud"));
	const struct explore_hint *g = need_hint(&h, l.f, "gone");
	assert_int_equal(g->kind, HINT_SEPARATES);
	assert_non_null(strstr(g->reason, "(gone missing or not)"));
	const struct explore_hint *hf = need_hint(&h, l.f, "half");
	assert_int_equal(hf->kind, HINT_ONE_CLASS);
	assert_non_null(strstr(hf->reason, "the 50 rows with it missing are all fraud"));
	explore_hints_free(&h);
	explore_hints_free(NULL);

	atomic_int stop = 1;
	struct ft_progress prog = { .cancel = &stop };
	assert_int_equal(explore_leakage(l.f, l.t.y, l.t.col, &prog, &h, &err), -1);
	assert_int_equal(err.code, FT_ECANCELLED);
	assert_int_equal(h.n, 0);
	unload(&l);
}

/* A chance below a double's range is still written, as a power of ten. */
static void test_tiny_chance(void **state)
{
	(void)state;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "flag,label\n");
	for (int i = 0; i < 3000; i++)   /* 1500 frauds, 1200 of them flagged */
		sb_printf(&sb, "%s,%d\n", i % 2 == 0 && i < 2400 ? "yes" : "no", i % 2 == 0);
	struct loaded l;
	load_text(&l, sb.data, "label");
	sb_free(&sb);
	struct explore_hints h;
	assert_int_equal(explore_leakage(l.f, l.t.y, l.t.col, NULL, &h, NULL), 0);
	const struct explore_hint *f = need_hint(&h, l.f, "flag");
	assert_int_equal(f->kind, HINT_ONE_CLASS);
	/* 0.5^1200 = 10^-361.2 */
	assert_non_null(strstr(f->reason, "the 1200 rows with flag = \"yes\" are all fraud "
			       "(by chance: about 1e-361)"));
	explore_hints_free(&h);
	unload(&l);
}

static void test_time_like(void **state)
{
	(void)state;
	struct strbuf sb = { 0 };
	sb_puts(&sb, "step,shuffled,TransactionDT,when,flag,sparse,countdown,label\n");
	/* sparse: zeros but for 2 of 300 rows (2 and 5): 99% of its steps are
	 * "not down" in any order, yet it has no order */
	for (int i = 0; i < 300; i++)
		sb_printf(&sb, "%d,%d,%d,2024-01-%02d,%d,%d,%d,%d\n", i / 3, (i * 37) % 200,
			  (i * 53) % 200, i % 28 + 1, i % 2, i % 150 == 50 ? i / 50 + 1 : 0,
			  1000 - i / 2, i % 7 == 0);
	struct loaded l;
	load_text(&l, sb.data, "label");
	sb_free(&sb);
	assert_non_null(explore_time_like(l.f, col(&l, "step")));
	assert_string_equal(explore_time_like(l.f, col(&l, "step")), "it grows with the row number");
	assert_null(explore_time_like(l.f, col(&l, "shuffled")));
	assert_string_equal(explore_time_like(l.f, col(&l, "TransactionDT")),
			    "named like a time or a row order");
	assert_null(explore_time_like(l.f, col(&l, "when")));   /* its parts say */
	assert_null(explore_time_like(l.f, col(&l, "flag")));
	assert_null(explore_time_like(l.f, col(&l, "sparse")));
	assert_string_equal(explore_time_like(l.f, col(&l, "countdown")),
			    "it falls with the row number");
	struct explore_hints h = { 0 };
	explore_hint_row_order("step", col(&l, "step"), 1, explore_time_like(l.f, col(&l, "step")), &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.v[0].kind, HINT_ROW_ORDER);
	assert_non_null(strstr(h.v[0].reason, "step: time-like"));
	explore_hints_free(&h);
	unload(&l);
}

/* A datetime part marks when only over less than one of its cycles. */
static void test_part_marks_time(void **state)
{
	(void)state;
	char buf[160];
	double day = 86400;
	assert_null(explore_part_marks_time(FEAT_DT_HOUR, 30 * day, buf, sizeof buf));
	assert_null(explore_part_marks_time(FEAT_DT_DAY_OF_WEEK, 30 * day, buf, sizeof buf));
	assert_null(explore_part_marks_time(FEAT_DT_MONTH, 400 * day, buf, sizeof buf));
	assert_null(explore_part_marks_time(FEAT_DT_MONTH, NAN, buf, sizeof buf));
	assert_null(explore_part_marks_time(FEAT_NUMERIC, day, buf, sizeof buf));
	const char *m = explore_part_marks_time(FEAT_DT_MONTH, 59 * day, buf, sizeof buf);
	assert_non_null(m);
	assert_string_equal(m, "its month, and the values span 59 days, less than a year: "
			    "each month is one stretch of time");
	assert_non_null(explore_part_marks_time(FEAT_DT_HOUR, 0.5 * day, buf, sizeof buf));
	assert_non_null(explore_part_marks_time(FEAT_DT_DAY, 20 * day, buf, sizeof buf));
	assert_null(explore_part_marks_time(FEAT_DT_DAY, 28 * day, buf, sizeof buf));
}

static void test_names(void **state)
{
	(void)state;
	for (int i = 0; i < EXPLORE_ORDER_COUNT; i++) {
		enum explore_order o;
		assert_true(explore_order_parse(explore_order_name((enum explore_order)i), &o));
		assert_int_equal(o, i);
	}
	enum explore_order o;
	assert_false(explore_order_parse("fraud", &o));
	for (int i = 0; i < HINT_KIND_COUNT; i++)
		assert_string_not_equal(explore_hint_kind_name((enum explore_hint_kind)i), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_values_and_bins),
		cmocka_unit_test(test_infinite_values),
		cmocka_unit_test(test_datetime),
		cmocka_unit_test(test_leakage),
		cmocka_unit_test(test_tiny_chance),
		cmocka_unit_test(test_time_like),
		cmocka_unit_test(test_part_marks_time),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
