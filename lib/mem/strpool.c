/* mem/strpool.c - seven slabs; a reference carries its class in its top three bits. */
#include "lib/mem/strpool.h"

#include <stdlib.h>
#include <string.h>

#include "lib/mem/slab.h"

#define NCLASS 7
#define CLASS_SHIFT 29
#define SLOT_MASK ((1u << CLASS_SHIFT) - 1)

static const size_t class_size[NCLASS] = {16, 24, 32, 48, 64, 96, 128};

struct rl_strpool {
	rl_slab *slab[NCLASS];
};

rl_strpool *rl_strpool_new(void)
{
	rl_strpool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	for (int i = 0; i < NCLASS; i++)
		if (!(p->slab[i] = rl_slab_new(class_size[i]))) {
			rl_strpool_free(p);
			return NULL;
		}
	return p;
}

void rl_strpool_free(rl_strpool *p)
{
	if (!p)
		return;
	for (int i = 0; i < NCLASS; i++)
		rl_slab_free(p->slab[i]);
	free(p);
}

uint32_t rl_strpool_put(rl_strpool *p, const char *s, size_t n)
{
	if (n > RL_STRPOOL_MAX)
		n = RL_STRPOOL_MAX;
	int k = 0;
	while (class_size[k] < n + 1)
		k++;
	uint32_t slot = rl_slab_alloc(p->slab[k]);
	if (!slot || slot > SLOT_MASK) {
		rl_slab_release(p->slab[k], slot);
		return 0;
	}
	char *d = rl_slab_get(p->slab[k], slot);
	memcpy(d, s, n);
	d[n] = 0;
	return (uint32_t)(k + 1) << CLASS_SHIFT | slot;
}

const char *rl_strpool_get(const rl_strpool *p, uint32_t ref)
{
	if (!ref)
		return "";
	return rl_slab_get(p->slab[(ref >> CLASS_SHIFT) - 1], ref & SLOT_MASK);
}

void rl_strpool_release(rl_strpool *p, uint32_t ref)
{
	if (ref)
		rl_slab_release(p->slab[(ref >> CLASS_SHIFT) - 1], ref & SLOT_MASK);
}

size_t rl_strpool_used(const rl_strpool *p)
{
	size_t n = 0;
	for (int i = 0; i < NCLASS; i++)
		n += rl_slab_used(p->slab[i]);
	return n;
}

size_t rl_strpool_bytes(const rl_strpool *p)
{
	size_t n = sizeof *p;
	for (int i = 0; i < NCLASS; i++)
		n += rl_slab_bytes(p->slab[i]);
	return n;
}
