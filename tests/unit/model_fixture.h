/* model_fixture: a model trained by the pipeline on a CSV, as `run` would
 * write it, for the tests that check a front end against predict (drift,
 * predict itself, the Tree screen's explain view). */
#ifndef FT_MODEL_FIXTURE_H
#define FT_MODEL_FIXTURE_H

#include <stddef.h>

#include "frame.h"
#include "model.h"
#include "pipeline.h"
#include "settings.h"

struct trained {
	struct frame *f;             /* the CSV as loaded */
	struct settings s;           /* the defaults and the sets given */
	struct pipeline_result r;
	char *text;                  /* model.json */
	struct model *m;             /* model.json parsed back */
};

/* Load data, apply each "key=value" of sets, run the pipeline and parse
 * its model.json; any failure fails the test. */
void trained_fit(struct trained *t, const char *data, const char *const *sets, size_t nsets);
void trained_free(struct trained *t);

/* data's header and the raw lines of frame rows (generated data has one
 * line per row) to path; with set not NULL, field col (0-based, counted
 * before any quoted field) of each row becomes set. */
void fixture_write_rows(const struct frame *f, const char *data, const size_t *rows, size_t n,
			const char *path, int col, const char *set);

#endif
