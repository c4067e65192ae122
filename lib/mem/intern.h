/* mem/intern.h - a capped table of distinct strings with small integer ids.
 *
 * Endpoint templates and methods are aggregated by id so that aggregate keys stay small.
 * Ids are dense from 1 in insertion order. Past max entries every new string maps to
 * the overflow entry (e.g. "{other}"), so the table, and the database, stay small; the
 * table remembers that the cap was hit. Each entry also carries the id the database gave
 * it (0 until the store assigns one). */
#ifndef RL_INTERN_H
#define RL_INTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rl_intern rl_intern;

/* Creates a table holding up to max strings of up to max_len bytes each, plus the
 * overflow entry named overflow (id max + 1 at most). Returns NULL on allocation failure. */
rl_intern *rl_intern_new(size_t max, size_t max_len, const char *overflow);

/* Returns the id of the n bytes at p, adding them if new (the overflow id when full);
 * 0 only on allocation failure. Bytes past max_len are cut. */
uint32_t rl_intern_id(rl_intern *t, const char *p, size_t n);

/* Looks up without adding; 0 if absent. */
uint32_t rl_intern_find(const rl_intern *t, const char *p, size_t n);

/* Number of ids handed out (the largest id). */
uint32_t rl_intern_count(const rl_intern *t);

/* The NUL-terminated string of an id rl_intern_id returned. This and the two below
 * may be called from another thread for ids handed out before (lib/store/writer.h). */
const char *rl_intern_str(const rl_intern *t, uint32_t id);

/* The database id stored for id, 0 if none yet; and setting it. */
int64_t rl_intern_db_id(const rl_intern *t, uint32_t id);
void rl_intern_set_db_id(rl_intern *t, uint32_t id, int64_t db_id);

/* Interns a name the database already holds under db_id (a callback for the store's
 * name listing: ctx is the rl_intern). Returns 0, or RL_ENOMEM. */
int rl_intern_preload(void *ctx, int64_t db_id, const char *name);

/* True when a string was mapped to the overflow entry. */
bool rl_intern_overflowed(const rl_intern *t);

void rl_intern_free(rl_intern *t);

#endif
