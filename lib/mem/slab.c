/* mem/slab.c - chunks of 1024 slots and a free list threaded through free slots. */
#include "lib/mem/slab.h"

#include <stdlib.h>
#include <string.h>

#define PER_CHUNK 1024

struct rl_slab {
	size_t size;
	char **chunks;
	size_t nchunks, cap_chunks;
	uint32_t free_head; /* ref of the first free slot, 0 none */
	uint32_t next; /* refs below next were handed out at least once */
	size_t used;
};

rl_slab *rl_slab_new(size_t slot_size)
{
	rl_slab *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	/* sizeof a type is a multiple of its alignment, and chunks are malloc'd: a slot
	 * needs no rounding (the free list link is copied, never accessed in place) */
	s->size = slot_size < 4 ? 4 : slot_size;
	s->next = 1;
	return s;
}

void rl_slab_free(rl_slab *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nchunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	free(s);
}

void *rl_slab_get(const rl_slab *s, uint32_t ref)
{
	uint32_t i = ref - 1;
	return s->chunks[i / PER_CHUNK] + (size_t)(i % PER_CHUNK) * s->size;
}

uint32_t rl_slab_alloc(rl_slab *s)
{
	uint32_t ref;
	if (s->free_head) {
		ref = s->free_head;
		memcpy(&s->free_head, rl_slab_get(s, ref), sizeof s->free_head);
	} else {
		if (s->next == UINT32_MAX)
			return 0;
		if ((s->next - 1) / PER_CHUNK == s->nchunks) {
			if (s->nchunks == s->cap_chunks) {
				size_t nc = s->cap_chunks ? s->cap_chunks * 2 : 16;
				char **p = realloc(s->chunks, nc * sizeof *p);
				if (!p)
					return 0;
				s->chunks = p;
				s->cap_chunks = nc;
			}
			if (!(s->chunks[s->nchunks] = malloc(PER_CHUNK * s->size)))
				return 0;
			s->nchunks++;
		}
		ref = s->next++;
	}
	memset(rl_slab_get(s, ref), 0, s->size);
	s->used++;
	return ref;
}

void rl_slab_release(rl_slab *s, uint32_t ref)
{
	if (!ref)
		return;
	memcpy(rl_slab_get(s, ref), &s->free_head, sizeof s->free_head);
	s->free_head = ref;
	s->used--;
}

size_t rl_slab_used(const rl_slab *s)
{
	return s->used;
}

size_t rl_slab_bytes(const rl_slab *s)
{
	return s->nchunks * PER_CHUNK * s->size + s->cap_chunks * sizeof(char *);
}
