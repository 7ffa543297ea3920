/* strmap: open addressing with linear probing over a power-of-two table
 * kept at most half full; entries keep insertion order and own their keys.
 * Every operation is expected O(1) (a 64-bit hash compared before the
 * bytes), so no caller needs a quadratic scan over names. */
#include "config.h"
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t strmap_hash(const char *s, size_t n)
{
	/* Eight bytes a step, each step multiplied and folded; a final
	 * avalanche so the low bits (the slot) depend on every byte. */
	uint64_t h = UINT64_C(0x9E3779B97F4A7C15) ^ (n * UINT64_C(0xff51afd7ed558ccd));
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * UINT64_C(0xbf58476d1ce4e5b9);
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	h = (h ^ w) * UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 32;
	return h;
}

void strmap_free(struct strmap *m)
{
	if (!m)
		return;
	if (!m->borrow)
		for (size_t i = 0; i < m->n; i++)
			free((char *)m->entries[i].key);
	free(m->entries);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static void strmap_rehash(struct strmap *m)
{
	size_t nslots = m->slots ? (m->mask + 1) * 2 : 16;
	free(m->slots);
	m->slots = xcalloc(nslots, sizeof *m->slots);
	m->mask = nslots - 1;
	for (size_t e = 0; e < m->n; e++) {
		uint64_t h = strmap_hash(m->entries[e].key, m->entries[e].len);
		size_t i = (size_t)h & m->mask;
		while (m->slots[i].entry)
			i = (i + 1) & m->mask;
		m->slots[i].hash = h;
		m->slots[i].entry = e + 1;
	}
}

/* The slot holding key, or the empty slot where it would go. */
static struct strmap_slot *strmap_slot(struct strmap *m, const char *key, size_t len,
				       uint64_t h)
{
	size_t i = (size_t)h & m->mask;
	for (;; i = (i + 1) & m->mask) {
		struct strmap_slot *s = &m->slots[i];
		m->probes++;
		if (!s->entry)
			return s;
		const struct strmap_entry *e = &m->entries[s->entry - 1];
		if (s->hash == h && e->len == len && !memcmp(e->key, key, len))
			return s;
	}
}

size_t *strmap_find(struct strmap *m, const char *key, size_t len)
{
	if (!m->slots)
		return NULL;
	struct strmap_slot *s = strmap_slot(m, key, len, strmap_hash(key, len));
	return s->entry ? &m->entries[s->entry - 1].value : NULL;
}

bool strmap_get(struct strmap *m, const char *key, size_t len, size_t *value)
{
	size_t *v = strmap_find(m, key, len);
	if (v && value)
		*value = *v;
	return v != NULL;
}

bool strmap_add(struct strmap *m, const char *key, size_t len, size_t value, size_t *existing)
{
	if (!m->slots || (m->n + 1) * 2 > m->mask + 1)
		strmap_rehash(m);
	uint64_t h = strmap_hash(key, len);
	struct strmap_slot *s = strmap_slot(m, key, len, h);
	if (s->entry) {
		if (existing)
			*existing = m->entries[s->entry - 1].value;
		return false;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->entries = xreallocarray(m->entries, m->cap, sizeof *m->entries);
	}
	struct strmap_entry *e = &m->entries[m->n];
	e->key = m->borrow ? key : xstrndup(key, len);
	e->len = len;
	e->value = value;
	s->hash = h;
	s->entry = ++m->n;
	if (existing)
		*existing = value;
	return true;
}
