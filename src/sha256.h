/* sha256: FIPS 180-4 SHA-256, for the registry's checksums and the data
 * lineage. Streaming (init/update/final) and one-shot forms. */
#ifndef FT_SHA256_H
#define FT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct sha256 {
	uint32_t h[8];
	uint64_t len;          /* bytes hashed so far */
	uint8_t buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
/* 64 lowercase hex digits and a NUL into hex. */
void sha256_final(struct sha256 *c, char hex[65]);
void sha256_hex(const void *data, size_t n, char hex[65]);

/* Hash a whole file, streaming; *size gets its length. */
int sha256_file(const char *path, char hex[65], uint64_t *size, struct ft_err *err);

#endif
