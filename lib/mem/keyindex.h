/* mem/keyindex.h - a hash index from 64-bit keys to slab references, 8 bytes a slot.
 *
 * The chain detector's index of open chains holds one entry per active key: with a
 * million keys inside one retry window its slots are a fifth of the analysis's memory.
 * A slot holds the reference and 32 bits of the key (a fingerprint); the full key lives
 * in the referenced record, where a lookup checks it when the fingerprints agree.
 * Linear probing to a load of 3/4, backward-shift deletion (no tombstones), and growth
 * by doubling, which needs only the fingerprints. Keys are hashes already. */
#ifndef RL_KEYINDEX_H
#define RL_KEYINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct rl_keyindex {
	struct rl_keyindex_slot {
		uint32_t fp, ref; /* ref 0: empty */
	} * slots;
	size_t cap, count;
} rl_keyindex;

/* The key stored in the record ref names. */
typedef uint64_t (*rl_keyindex_key_fn)(const void *ctx, uint32_t ref);

/* The reference of key, or 0 when absent. */
uint32_t rl_keyindex_get(const rl_keyindex *x, uint64_t key, rl_keyindex_key_fn key_of, const void *ctx);

/* Adds key → ref (≥ 1); key must be absent. Returns 0, or RL_ENOMEM when out of memory. */
int rl_keyindex_put(rl_keyindex *x, uint64_t key, uint32_t ref);

/* Removes the entry key → ref, if present. */
void rl_keyindex_del(rl_keyindex *x, uint64_t key, uint32_t ref);

/* Visits every reference; cb may not change the index. */
void rl_keyindex_each(const rl_keyindex *x, void (*cb)(void *ctx, uint32_t ref), void *ctx);

size_t rl_keyindex_bytes(const rl_keyindex *x);
void rl_keyindex_free(rl_keyindex *x);

#endif
