/* strmap: a hash map from byte strings to sizes (column numbers, counts),
 * for every place that must match names in time proportional to their
 * number: header names, a recipe's inputs, keys of two documents. */
#ifndef FT_STRMAP_H
#define FT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap {
	struct strmap_slot {
		uint64_t hash;
		size_t entry;           /* entry + 1; 0: empty */
	} *slots;
	size_t mask, n, cap;
	struct strmap_entry {
		const char *key;        /* a copy the map owns, or borrowed */
		size_t len, value;
	} *entries;                 /* in insertion order */
	uint64_t probes;            /* slots examined so far: lets tests bound
	                               the work of a caller without timing it */
	bool borrow;                /* keys are the caller's, kept alive by it
	                               for the map's life: not copied */
};

/* An empty map is all zeros: `struct strmap m = { 0 };` (or with
 * `.borrow = true`). */
void strmap_free(struct strmap *m);

/* The value stored for key, or false. */
bool strmap_get(struct strmap *m, const char *key, size_t len, size_t *value);

/* Store key -> value unless key is present; true when it was added. With
 * `existing` non-NULL it receives the value the key has (new or old). */
bool strmap_add(struct strmap *m, const char *key, size_t len, size_t value, size_t *existing);

/* A pointer to key's value, or NULL; valid until the next strmap_add. */
size_t *strmap_find(struct strmap *m, const char *key, size_t len);

#endif
