/* target: which column is the label and which of its values is fraud. */
#ifndef FT_TARGET_H
#define FT_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "settings.h"
#include "util.h"

/* The target: which column, which of its values is the positive class. */
struct target_info {
	int col;               /* frame column */
	char *positive;        /* text of the positive value */
	char *negative;        /* text of the other value */
	uint8_t *y;            /* per frame row: 0, 1, or 255 when missing */
	size_t missing;        /* rows dropped for a missing target */
};
/* Resolve target and positive label from settings (detecting when NULL:
 * 1, 1.0, Y, Yes, True, fraud... case-insensitive). Errors when the column
 * does not exist or does not have exactly two classes. */
int target_resolve(const struct frame *f, const struct settings *s,
		   struct target_info *out, struct ft_err *err);
void target_info_free(struct target_info *t);

#endif
