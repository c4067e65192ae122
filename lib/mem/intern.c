/* mem/intern.c - open addressing over an array of entries; strings live in one arena each. */
#include "lib/mem/intern.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/err.h"
#include "lib/base/text.h"

typedef struct entry {
	char *s;
	size_t n;
	uint64_t hash;
	int64_t db_id;
} entry;

struct rl_intern {
	entry *e; /* e[1..count] */
	uint32_t *slots; /* ids, 0 = empty */
	size_t nslots, count, max, max_len;
	char *overflow;
	uint32_t overflow_id;
	bool overflowed;
	/* ids of strings of up to 7 bytes by their bytes and length (short_key), the last
	 * one found in each of a few slots: a log's few methods, found without a hash */
	uint64_t short_key[8];
	uint32_t short_id[8];
};

/* The n ≤ 7 bytes at p little-endian, and n in the top byte: equal only for equal strings. */
static uint64_t short_key(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t k = (uint64_t)n << 56;
	for (size_t i = 0; i < n; i++)
		k |= (uint64_t)u[i] << (8 * i);
	return k;
}

rl_intern *rl_intern_new(size_t max, size_t max_len, const char *overflow)
{
	rl_intern *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->max = max;
	t->max_len = max_len;
	t->nslots = 16;
	while (t->nslots < 2 * (max + 2))
		t->nslots <<= 1;
	t->slots = calloc(t->nslots, sizeof *t->slots);
	t->e = calloc(max + 2, sizeof *t->e);
	t->overflow = strdup(overflow);
	if (!t->slots || !t->e || !t->overflow) {
		rl_intern_free(t);
		return NULL;
	}
	return t;
}

static uint32_t lookup(const rl_intern *t, const char *p, size_t n, uint64_t h, size_t *slot)
{
	size_t mask = t->nslots - 1, i = h & mask;
	for (;; i = (i + 1) & mask) {
		uint32_t id = t->slots[i];
		if (!id) {
			*slot = i;
			return 0;
		}
		const entry *e = &t->e[id];
		if (e->hash == h && e->n == n && memcmp(e->s, p, n) == 0)
			return id;
	}
}

static uint32_t add(rl_intern *t, const char *p, size_t n, uint64_t h, size_t slot)
{
	char *s = malloc(n + 1);
	if (!s)
		return 0;
	memcpy(s, p, n);
	s[n] = 0;
	uint32_t id = (uint32_t)++t->count;
	t->e[id] = (entry){s, n, h, 0};
	t->slots[slot] = id;
	return id;
}

uint32_t rl_intern_find(const rl_intern *t, const char *p, size_t n)
{
	if (n > t->max_len)
		n = t->max_len;
	size_t slot;
	return lookup(t, p, n, rl_hash_bytes(p, n, 0), &slot);
}

/* The id of every string past the cap: the overflow entry, added once. */
static uint32_t overflow_id(rl_intern *t)
{
	size_t slot;
	t->overflowed = true;
	if (!t->overflow_id) {
		size_t on = strlen(t->overflow);
		uint64_t oh = rl_hash_bytes(t->overflow, on, 0);
		uint32_t oid = lookup(t, t->overflow, on, oh, &slot);
		t->overflow_id = oid ? oid : add(t, t->overflow, on, oh, slot);
	}
	return t->overflow_id;
}

uint32_t rl_intern_id(rl_intern *t, const char *p, size_t n)
{
	if (n > t->max_len)
		n = t->max_len;
	uint64_t sk = 0;
	size_t si = 0;
	if (n <= 7) {
		sk = short_key(p, n);
		si = (size_t)(sk ^ sk >> 29 ^ sk >> 47) & 7;
		if (t->short_key[si] == sk && t->short_id[si])
			return t->short_id[si];
	}
	uint64_t h = rl_hash_bytes(p, n, 0);
	size_t slot;
	uint32_t id = lookup(t, p, n, h, &slot);
	if (!id)
		id = t->count < t->max ? add(t, p, n, h, slot) : overflow_id(t);
	if (n <= 7 && id) {
		t->short_key[si] = sk;
		t->short_id[si] = id;
	}
	return id;
}

uint32_t rl_intern_count(const rl_intern *t)
{
	return (uint32_t)t->count;
}

/* These three never read t->count: the commit writer calls them for ids handed out
 * earlier while the parser goes on adding (lib/store/writer.h). */
const char *rl_intern_str(const rl_intern *t, uint32_t id)
{
	return id && id <= t->max + 1 ? t->e[id].s : NULL;
}

int64_t rl_intern_db_id(const rl_intern *t, uint32_t id)
{
	return id && id <= t->max + 1 ? t->e[id].db_id : 0;
}

void rl_intern_set_db_id(rl_intern *t, uint32_t id, int64_t db_id)
{
	if (id && id <= t->max + 1)
		t->e[id].db_id = db_id;
}

bool rl_intern_overflowed(const rl_intern *t)
{
	return t->overflowed;
}

void rl_intern_free(rl_intern *t)
{
	if (!t)
		return;
	if (t->e)
		for (size_t i = 1; i <= t->count; i++)
			free(t->e[i].s);
	free(t->e);
	free(t->slots);
	free(t->overflow);
	free(t);
}

int rl_intern_preload(void *ctx, int64_t db_id, const char *name)
{
	rl_intern *t = ctx;
	uint32_t local = rl_intern_id(t, name, strlen(name));
	if (!local)
		return RL_ENOMEM;
	rl_intern_set_db_id(t, local, db_id);
	return 0;
}
