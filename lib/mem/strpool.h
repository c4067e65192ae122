/* mem/strpool.h - short strings in size-class slabs, handed out by reference.
 *
 * The retry analysis keeps the target of every open chain (the evidence shows it) and
 * of every failed attempt still waiting in the reorder buffer: up to a million copies,
 * most of them 10 to 50 bytes. One fixed slot size would waste most of each slot, so a
 * string goes to the smallest of a few classes (16 to 128 bytes) that holds it and its
 * NUL; each class is a slab (lib/mem/slab.h), so steady state allocates nothing. */
#ifndef RL_STRPOOL_H
#define RL_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

#define RL_STRPOOL_MAX 127 /* longest string kept; longer ones are cut */

typedef struct rl_strpool rl_strpool;

rl_strpool *rl_strpool_new(void);
void rl_strpool_free(rl_strpool *p);

/* A copy of the first min(n, RL_STRPOOL_MAX) bytes of s, NUL-terminated: a reference
 * ≥ 1, or 0 when out of memory. */
uint32_t rl_strpool_put(rl_strpool *p, const char *s, size_t n);

/* The string of ref; "" for 0. Valid until ref is released. */
const char *rl_strpool_get(const rl_strpool *p, uint32_t ref);

/* Gives a string back; 0 is ignored. */
void rl_strpool_release(rl_strpool *p, uint32_t ref);

/* Strings held, and bytes held (slab chunks included). */
size_t rl_strpool_used(const rl_strpool *p);
size_t rl_strpool_bytes(const rl_strpool *p);

#endif
