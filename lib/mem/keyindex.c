/* mem/keyindex.c - open addressing over (fingerprint, reference) pairs. */
#include "lib/mem/keyindex.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/err.h"

static uint32_t fingerprint(uint64_t key)
{
	return (uint32_t)(key >> 32);
}

/* The home slot depends on the fingerprint alone, so growing needs no key. */
static size_t home(const rl_keyindex *x, uint32_t fp)
{
	return (size_t)(((uint64_t)fp * 0x9e3779b97f4a7c15ULL) >> 32) & (x->cap - 1);
}

uint32_t rl_keyindex_get(const rl_keyindex *x, uint64_t key, rl_keyindex_key_fn key_of, const void *ctx)
{
	if (!x->cap)
		return 0;
	uint32_t fp = fingerprint(key);
	for (size_t i = home(x, fp);; i = (i + 1) & (x->cap - 1)) {
		const struct rl_keyindex_slot *s = &x->slots[i];
		if (!s->ref)
			return 0;
		if (s->fp == fp && key_of(ctx, s->ref) == key)
			return s->ref;
	}
}

static void place(rl_keyindex *x, struct rl_keyindex_slot e)
{
	size_t i = home(x, e.fp);
	while (x->slots[i].ref)
		i = (i + 1) & (x->cap - 1);
	x->slots[i] = e;
}

static int grow(rl_keyindex *x)
{
	size_t oc = x->cap, nc = oc ? oc * 2 : 1024;
	struct rl_keyindex_slot *old = x->slots, *s = calloc(nc, sizeof *s);
	if (!s)
		return RL_ENOMEM;
	x->slots = s;
	x->cap = nc;
	for (size_t i = 0; i < oc; i++)
		if (old[i].ref)
			place(x, old[i]);
	free(old);
	return 0;
}

int rl_keyindex_put(rl_keyindex *x, uint64_t key, uint32_t ref)
{
	if ((x->count + 1) * 4 > x->cap * 3 && grow(x))
		return RL_ENOMEM;
	place(x, (struct rl_keyindex_slot){fingerprint(key), ref});
	x->count++;
	return 0;
}

void rl_keyindex_del(rl_keyindex *x, uint64_t key, uint32_t ref)
{
	if (!x->cap || !ref)
		return;
	size_t mask = x->cap - 1, i = home(x, fingerprint(key));
	for (;; i = (i + 1) & mask) {
		if (!x->slots[i].ref)
			return;
		if (x->slots[i].ref == ref)
			break;
	}
	/* backward shift: pull later entries of the probe run into the hole when their
	 * home does not lie cyclically in (hole, j] */
	for (size_t j = (i + 1) & mask; x->slots[j].ref; j = (j + 1) & mask) {
		size_t h = home(x, x->slots[j].fp);
		if (((j - h) & mask) >= ((j - i) & mask)) {
			x->slots[i] = x->slots[j];
			i = j;
		}
	}
	x->slots[i] = (struct rl_keyindex_slot){0, 0};
	x->count--;
}

void rl_keyindex_each(const rl_keyindex *x, void (*cb)(void *ctx, uint32_t ref), void *ctx)
{
	for (size_t i = 0; i < x->cap; i++)
		if (x->slots[i].ref)
			cb(ctx, x->slots[i].ref);
}

size_t rl_keyindex_bytes(const rl_keyindex *x)
{
	return x->cap * sizeof *x->slots;
}

void rl_keyindex_free(rl_keyindex *x)
{
	free(x->slots);
	memset(x, 0, sizeof *x);
}
