/* gen: synthetic card transactions in the shape of the raw data the
 * pipeline was built for, with a fraud label that depends on the features
 * (and their interactions) so that a tree has something real to learn. */
#ifndef FT_GEN_H
#define FT_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define GEN_DEFAULT_SEED 42
#define GEN_DEFAULT_FRAUD_RATE 0.02
#define GEN_MAX_ROWS UINT64_C(1000000000000)

struct gen_options {
	uint64_t rows;          /* data rows after the header; 0 writes the header only */
	uint64_t seed;          /* same seed, rows and rate = byte-identical output */
	double fraud_rate;      /* expected share of isFraud = 1, in [0, 1] */
};

void gen_options_default(struct gen_options *opt);

/* Validate options before any output; -1 with FT_EINPUT and a message. */
int gen_check(const struct gen_options *opt, struct ft_err *err);

/* The header line the generator writes (no newline). */
const char *gen_header(void);

/* Receives output in large chunks; returns 0, or -1 after filling err. */
typedef int (*gen_sink_fn)(void *ctx, const char *buf, size_t len, struct ft_err *err);

/* Stream the CSV (header and rows, '\n' line ends) to sink. */
int gen_stream(const struct gen_options *opt, gen_sink_fn sink, void *ctx,
	       const struct ft_progress *progress, struct ft_err *err);

/* Write the CSV to path atomically: a temporary file beside it is written,
 * fsynced and renamed, so path holds either the old or the whole new file.
 * A path that exists and is not a regular file (a device, a FIFO) is
 * opened and written in place instead. */
int gen_write_file(const struct gen_options *opt, const char *path,
		   const struct ft_progress *progress, struct ft_err *err);

/* Write the CSV to an open descriptor (e.g. standard output). */
int gen_write_fd(const struct gen_options *opt, int fd,
		 const struct ft_progress *progress, struct ft_err *err);

#endif
