/* mem/slab.h - fixed-size slots handed out by small integer references.
 *
 * The retry analysis keeps short-lived copies (targets of failed attempts, evidence of
 * chains) whose number follows the traffic inside the retry window. A slab grows by
 * chunks and recycles freed slots, so steady state allocates nothing. A reference is
 * a uint32 ≥ 1 (0 means none); the slot it names stays put until released. */
#ifndef RL_SLAB_H
#define RL_SLAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct rl_slab rl_slab;

/* Slots of slot_size bytes (≥ 4), zeroed when handed out. NULL on allocation failure. */
rl_slab *rl_slab_new(size_t slot_size);
void rl_slab_free(rl_slab *s);

/* A zeroed slot, or 0 when out of memory. */
uint32_t rl_slab_alloc(rl_slab *s);

/* The slot of ref (≥ 1, from rl_slab_alloc and not released). */
void *rl_slab_get(const rl_slab *s, uint32_t ref);

/* Gives a slot back; 0 is ignored. */
void rl_slab_release(rl_slab *s, uint32_t ref);

/* Slots in use, and bytes held (chunks included). */
size_t rl_slab_used(const rl_slab *s);
size_t rl_slab_bytes(const rl_slab *s);

#endif
