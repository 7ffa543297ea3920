/* split: the rows with a known target cut into train, validation and test,
 * stratified by class or ordered by time. Only labels and (for a time
 * split) one column are read; no feature is computed here. */
#ifndef FT_SPLIT_H
#define FT_SPLIT_H

#include <stddef.h>

#include "frame.h"
#include "settings.h"
#include "target.h"
#include "util.h"

/* Train / validation / test index lists (frame rows, ascending; each
 * allocated at its length). */
struct split {
	size_t *train, *validation, *test;
	size_t ntrain, nvalidation, ntest;
	/* A time split: the frame column it ordered by, each split's first and
	 * last time (epoch seconds; a numeric column's own values), and the
	 * rows it left out (missing time, or inside a gap). time_col -1: a
	 * stratified split. */
	int time_col;
	double from[3], to[3];
	size_t no_time, in_gap;
};

/* Stratified split, exact class shares. prog as for recipe_fit: watched,
 * never needed. */
int split_stratified(const struct target_info *t, size_t nrows, const struct settings *s,
		     const struct ft_progress *prog, struct split *out, struct ft_err *err);

/* The split settings ask for: split_stratified for split.method =
 * stratified; for time, rows with a target and a time sorted by time (ties
 * by row), train the first split.train share, then validation, then test,
 * each cut moved past rows of equal time so that every training row is
 * earlier than every validation row, which is earlier than every test
 * row; rows within split.gap_days after the last row of train (and of
 * validation) are left out. The time column is split.time_column (a
 * datetime column, or a numeric one read as seconds), else the first
 * datetime column that is neither the target nor dropped. */
int split_frame(const struct frame *f, const struct target_info *t,
		const struct settings *s, const struct ft_progress *prog,
		struct split *out, struct ft_err *err);
/* The frame column a time split would order by, or -1. */
int split_time_column(const struct frame *f, const struct target_info *t,
		      const struct settings *s);
void split_free(struct split *sp);

#endif
