/* mem/u64map.h - a hash map from 64-bit keys (already hashes) to 32-bit values.
 *
 * Linear probing with backward-shift deletion, so entries come and go forever without
 * tombstones: the chain index, the rekey index and the client table use it. Key 0 is
 * reserved (callers' hashes are never 0, or are made odd). */
#ifndef RL_U64MAP_H
#define RL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct rl_u64map {
	struct rl_u64map_slot {
		uint64_t key;
		uint32_t value;
	} * slots;
	size_t cap, count; /* cap a power of two, count ≤ cap / 2 */
} rl_u64map;

/* The value of key, or 0 when absent. */
uint32_t rl_u64map_get(const rl_u64map *m, uint64_t key);

/* Sets key to value (≠ 0). Returns 0, or RL_ENOMEM when out of memory. */
int rl_u64map_put(rl_u64map *m, uint64_t key, uint32_t value);

/* Removes key if present. */
void rl_u64map_del(rl_u64map *m, uint64_t key);

/* Visits every entry; cb may not change the map. */
void rl_u64map_each(const rl_u64map *m, void (*cb)(void *ctx, uint64_t key, uint32_t value), void *ctx);

/* Empties the map (keeps its memory), and frees it. */
void rl_u64map_clear(rl_u64map *m);
void rl_u64map_free(rl_u64map *m);

#endif
