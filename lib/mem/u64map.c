/* mem/u64map.c - open addressing, linear probing, backward-shift deletion. */
#include "lib/mem/u64map.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/err.h"
#include "lib/base/text.h"

static size_t home(const rl_u64map *m, uint64_t key)
{
	return (size_t)rl_hash_u64(key) & (m->cap - 1);
}

uint32_t rl_u64map_get(const rl_u64map *m, uint64_t key)
{
	if (!m->cap)
		return 0;
	for (size_t i = home(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].key == key)
			return m->slots[i].value;
		if (!m->slots[i].key)
			return 0;
	}
}

static int grow(rl_u64map *m)
{
	size_t nc = m->cap ? m->cap * 2 : 64;
	struct rl_u64map_slot *s = calloc(nc, sizeof *s), *old = m->slots;
	if (!s)
		return RL_ENOMEM;
	size_t oc = m->cap;
	m->slots = s;
	m->cap = nc;
	for (size_t i = 0; i < oc; i++) {
		if (!old[i].key)
			continue;
		size_t j = home(m, old[i].key);
		while (s[j].key)
			j = (j + 1) & (nc - 1);
		s[j] = old[i];
	}
	free(old);
	return 0;
}

int rl_u64map_put(rl_u64map *m, uint64_t key, uint32_t value)
{
	if ((m->count + 1) * 2 > m->cap && grow(m))
		return RL_ENOMEM;
	size_t i = home(m, key);
	for (; m->slots[i].key; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key) {
			m->slots[i].value = value;
			return 0;
		}
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->count++;
	return 0;
}

void rl_u64map_del(rl_u64map *m, uint64_t key)
{
	if (!m->cap)
		return;
	size_t mask = m->cap - 1, i = home(m, key);
	for (;; i = (i + 1) & mask) {
		if (!m->slots[i].key)
			return;
		if (m->slots[i].key == key)
			break;
	}
	/* shift back the entries of the run that follows, where their home allows */
	size_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!m->slots[j].key)
			break;
		size_t h = home(m, m->slots[j].key);
		/* move j to i when h is not cyclically in (i, j] */
		if ((i <= j) ? (h <= i || h > j) : (h <= i && h > j)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].key = 0;
	m->slots[i].value = 0;
	m->count--;
}

void rl_u64map_each(const rl_u64map *m, void (*cb)(void *ctx, uint64_t key, uint32_t value), void *ctx)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			cb(ctx, m->slots[i].key, m->slots[i].value);
}

void rl_u64map_clear(rl_u64map *m)
{
	if (m->slots)
		memset(m->slots, 0, m->cap * sizeof *m->slots);
	m->count = 0;
}

void rl_u64map_free(rl_u64map *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}
