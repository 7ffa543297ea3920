/* csv_load: reads a delimited text file into a frame (typed columns and
 * their statistics) using libcsv, in parallel over row-aligned chunks. */
#ifndef FT_CSV_LOAD_H
#define FT_CSV_LOAD_H

#include "frame.h"
#include "util.h"

struct csv_options {
	char delimiter;                  /* 0: detect among , ; TAB | */
	const char *const *na_values;    /* added to pandas' default NA strings */
	size_t nna_values;
	int threads;                     /* 0: all cores */
	struct ft_progress progress;     /* stage "load": bytes done / total */
};

/* Load `path`. Returns a frame the caller frees with frame_free, or NULL with
 * err set: "PATH:LINE: what is wrong" (FT_EINPUT), FT_EIO, or FT_ECANCELLED. */
struct frame *csv_load(const char *path, const struct csv_options *opt,
		       struct ft_err *err);

#endif
