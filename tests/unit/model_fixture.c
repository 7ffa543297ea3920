/* model_fixture: see model_fixture.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_load.h"
#include "model_fixture.h"
#include "util.h"

void trained_fit(struct trained *t, const char *data, const char *const *sets, size_t nsets)
{
	memset(t, 0, sizeof *t);
	struct ft_err err;
	struct csv_options copt = { 0 };
	t->f = csv_load(data, &copt, &err);
	if (!t->f)
		fail_msg("%s", err.msg);
	settings_init(&t->s);
	for (size_t i = 0; i < nsets; i++)
		if (settings_set(&t->s, sets[i], &err) < 0)
			fail_msg("%s", err.msg);
	if (pipeline_run(t->f, &t->s, NULL, &t->r, &err) < 0)
		fail_msg("%s", err.msg);
	t->text = model_to_text(t->r.recipe, t->r.tree, t->r.settings.threshold,
				t->r.settings.threshold_on, t->r.reference);
	t->m = model_parse(t->text, "model.json", &err);
	if (!t->m)
		fail_msg("%s", err.msg);
}

void trained_free(struct trained *t)
{
	model_free(t->m);
	free(t->text);
	pipeline_result_free(&t->r);
	settings_free(&t->s);
	frame_free(t->f);
	memset(t, 0, sizeof *t);
}

void fixture_write_rows(const struct frame *f, const char *data, const size_t *rows, size_t n,
			const char *path, int col, const char *set)
{
	char *text = file_read_all(data, NULL, NULL);
	assert_non_null(text);
	size_t nlines = 0, cap = f->nrows + 2;
	char **line = xcalloc(cap, sizeof *line);
	for (char *p = text; *p && nlines < cap;) {
		line[nlines++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fprintf(out, "%s\n", line[0]);
	for (size_t i = 0; i < n; i++) {
		size_t at = f->row_line[rows[i]];
		assert_true(at >= 2 && at <= nlines);
		const char *l = line[at - 1];
		if (!set) {
			fprintf(out, "%s\n", l);
			continue;
		}
		const char *p = l;
		for (int c = 0; c < col; c++) {
			p = strchr(p, ',');
			assert_non_null(p);
			p++;
		}
		const char *end = strchr(p, ',');
		fprintf(out, "%.*s%s%s\n", (int)(p - l), l, set, end ? end : "");
	}
	fclose(out);
	free(line);
	free(text);
}
