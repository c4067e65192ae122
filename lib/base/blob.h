/* base/blob.h - little-endian byte blobs for saved state (chains, waiting attempts).
 *
 * Saved state outlives the process and may move between machines, so it is written
 * field by field in a fixed byte order, never as raw structs. The writer stops growing
 * at its capacity (ok becomes false); the reader never reads past its end (ok becomes
 * false and values read as 0). */
#ifndef RL_BLOB_H
#define RL_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct rl_blob {
	unsigned char *p;
	size_t n, cap;
	bool ok;
} rl_blob;

static inline void rl_blob_put(rl_blob *b, uint64_t v, size_t bytes)
{
	if (b->n + bytes > b->cap) {
		b->ok = false;
		return;
	}
	for (size_t i = 0; i < bytes; i++)
		b->p[b->n++] = (unsigned char)(v >> (8 * i));
}

static inline void rl_blob_put_str(rl_blob *b, const char *s, size_t n)
{
	if (n > 0xffff)
		n = 0xffff;
	rl_blob_put(b, n, 2);
	if (b->n + n > b->cap) {
		b->ok = false;
		return;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static inline uint64_t rl_blob_get(rl_blob *b, size_t bytes)
{
	uint64_t v = 0;
	if (b->n + bytes > b->cap) {
		b->ok = false;
		return 0;
	}
	for (size_t i = 0; i < bytes; i++)
		v |= (uint64_t)b->p[b->n++] << (8 * i);
	return v;
}

/* Copies a string into out (cap bytes, NUL-terminated, cut if longer). */
static inline void rl_blob_get_str(rl_blob *b, char *out, size_t cap)
{
	size_t n = (size_t)rl_blob_get(b, 2);
	if (b->n + n > b->cap) {
		b->ok = false;
		n = 0;
	}
	size_t k = n < cap - 1 ? n : cap - 1;
	memcpy(out, b->p + b->n, k);
	out[k] = 0;
	b->n += n;
}

#endif
