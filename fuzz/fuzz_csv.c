/* fuzz_csv: libFuzzer harness for the CSV loader. The input is the whole
 * file; it is handed to csv_load through an anonymous in-memory file so the
 * real open/map/read path runs, then the statistics are recomputed and a few
 * frame invariants (every column has nrows cells, codes index levels) are
 * checked, so a silent corruption aborts as loudly as a crash. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csv_load.h"
#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frame(const struct frame *f)
{
	char buf[128];
	for (size_t c = 0; c < f->ncols; c++) {
		const struct column *col = &f->cols[c];
		if (!col->name)
			abort();
		if (col->type == COL_CATEGORICAL) {
			for (size_t r = 0; r < f->nrows; r++)
				if (col->codes[r] != FRAME_NA_CODE && col->codes[r] >= col->nlevels)
					abort();
		} else if (f->nrows && !col->num) {
			abort();
		}
		if (col->stats.count + col->stats.missing != f->nrows)
			abort();
		for (size_t r = 0; r < f->nrows; r++)
			frame_cell_text(f, c, r, buf, sizeof buf);
	}
	struct class_count cc[8];
	size_t missing;
	for (size_t c = 0; c < f->ncols && c < 4; c++)
		frame_class_balance(f, c, cc, 8, &missing);
	frame_guess_target(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.csv", 0);
	if (fd < 0)
		abort();
	if (write_all(fd, data, size) < 0)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	static const char *const na[] = { "missing", "?" };
	struct csv_options opt = { 0 };
	opt.threads = 1;
	opt.na_values = na;
	opt.nna_values = 2;
	struct ft_err err;
	struct frame *f = csv_load(path, &opt, &err);
	if (f) {
		check_frame(f);
		frame_compute_stats(f, 1);
		check_frame(f);
		frame_free(f);
	} else if (err.msg[0] == '\0') {
		abort();   /* a failure must say why */
	}
	close(fd);
	return 0;
}
