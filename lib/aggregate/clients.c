/* aggregate/clients.c - a client table keyed by the client hash, with an arena for strings. */
#include "lib/aggregate/clients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/base/err.h"
#include "lib/mem/u64map.h"

#define MAX_ROWS 65536
#define ARENA_CHUNK (256 * 1024)
#define ARENA_MAX (16 * 1024 * 1024)

typedef struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
} chunk;

struct rl_clients {
	rl_u64map index; /* hash → row index + 1 */
	rl_client_row *rows;
	size_t n, cap;
	chunk *arena;
	size_t arena_bytes;
};

rl_clients *rl_clients_new(void)
{
	return calloc(1, sizeof(rl_clients));
}

static void arena_free(rl_clients *t)
{
	while (t->arena) {
		chunk *c = t->arena;
		t->arena = c->next;
		free(c);
	}
	t->arena_bytes = 0;
}

void rl_clients_free(rl_clients *t)
{
	if (!t)
		return;
	arena_free(t);
	rl_u64map_free(&t->index);
	free(t->rows);
	free(t);
}

/* n bytes in the arena; NULL when out of memory. */
static void *arena_alloc(rl_clients *t, size_t n)
{
	if (!t->arena || t->arena->cap - t->arena->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		chunk *c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->next = t->arena;
		c->used = 0;
		c->cap = cap;
		t->arena = c;
		t->arena_bytes += cap;
	}
	void *p = t->arena->data + t->arena->used;
	t->arena->used += n;
	return p;
}

/* A copy of n bytes (NUL-terminated) in the arena. */
static char *arena_dup(rl_clients *t, const char *s, size_t n)
{
	char *p = arena_alloc(t, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

rl_client_row *rl_clients_get(rl_clients *t, uint64_t hash, const char *name, size_t n)
{
	uint32_t i = rl_u64map_get(&t->index, hash | 1);
	rl_client_row *r;
	if (i) {
		r = &t->rows[i - 1];
	} else {
		if (rl_array_grow((void **)&t->rows, &t->cap, t->n, sizeof *t->rows) ||
		    rl_u64map_put(&t->index, hash | 1, (uint32_t)t->n + 1))
			return NULL;
		r = &t->rows[t->n++];
		memset(r, 0, sizeof *r);
		r->hash = hash;
		r->last_us = INT64_MIN;
	}
	if (name && !r->name)
		r->name = arena_dup(t, name, n);
	return r;
}

#define NAME_(id, name, head, help) #name,
#define HEAD_(id, name, head, help) head,
static const char *const counter_names[RL_CL_N] = {RL_CLIENT_COUNTERS(NAME_)};
static const char *const counter_heads[RL_CL_N] = {RL_CLIENT_COUNTERS(HEAD_)};

const char *rl_client_counter_name(int i)
{
	return i >= 0 && i < RL_CL_N ? counter_names[i] : NULL;
}

const char *rl_client_counter_head(int i)
{
	return i >= 0 && i < RL_CL_N ? counter_heads[i] : NULL;
}

int rl_clients_add_retry(rl_clients *t, const rl_retry_event *ev)
{
	rl_client_row *r = rl_clients_get(t, ev->client, NULL, 0);
	if (!r)
		return RL_ENOMEM;
	rl_retry_count(&r->v[RL_CL_RETRIES], ev->blind, ev->unsafe, ev->verdict);
	r->v[RL_CL_VIOLATIONS] += rl_retry_violations(ev->blind, ev->unsafe, ev->verdict);
	return 0;
}

int rl_clients_add_evidence(rl_clients *t, const rl_evidence *ev, const char *method)
{
	rl_client_row *r = rl_clients_get(t, ev->client, NULL, 0);
	if (!r)
		return RL_ENOMEM;
	if (!rl_evidence_beats(ev->violations, ev->first_start_us, r->ev_violations, r->evidence, r->ev_start))
		return 0;
	/* the blob goes straight into the arena: sized first when it may not fit the buffer */
	unsigned char buf[1024];
	size_t n = rl_evidence_encode(ev, method, buf, sizeof buf);
	void *blob = arena_alloc(t, n);
	if (!blob)
		return RL_ENOMEM;
	if (n <= sizeof buf)
		memcpy(blob, buf, n);
	else
		rl_evidence_encode(ev, method, blob, n);
	r->evidence = blob;
	r->evidence_len = n;
	r->ev_violations = ev->violations;
	r->ev_start = ev->first_start_us;
	return 0;
}

size_t rl_clients_count(const rl_clients *t)
{
	return t->n;
}

rl_client_row *rl_clients_row(rl_clients *t, size_t i)
{
	return &t->rows[i];
}

static int cmp_row(const void *x, const void *y)
{
	int64_t a = (int64_t)((const rl_client_row *)x)->hash, b = (int64_t)((const rl_client_row *)y)->hash;
	return a < b ? -1 : a > b;
}

void rl_clients_sort(rl_clients *t)
{
	if (t->n < 2)
		return;
	qsort(t->rows, t->n, sizeof *t->rows, cmp_row);
	/* the index was sized for these rows: putting them again allocates nothing */
	rl_u64map_clear(&t->index);
	for (size_t i = 0; i < t->n; i++)
		(void)rl_u64map_put(&t->index, t->rows[i].hash | 1, (uint32_t)i + 1);
}

bool rl_clients_full(const rl_clients *t)
{
	return t->n >= MAX_ROWS || t->arena_bytes >= ARENA_MAX;
}

void rl_clients_reset(rl_clients *t)
{
	arena_free(t);
	rl_u64map_clear(&t->index);
	t->n = 0;
}

int rl_clients_merge(rl_clients *into, rl_clients *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const rl_client_row *f = &from->rows[i];
		rl_client_row *r = rl_clients_get(into, f->hash, f->name, f->name ? strlen(f->name) : 0);
		if (!r)
			return RL_ENOMEM;
		for (int k = 0; k < RL_CL_N; k++)
			r->v[k] += f->v[k];
		if (f->last_us > r->last_us)
			r->last_us = f->last_us;
		if (f->evidence &&
		    rl_evidence_beats(f->ev_violations, f->ev_start, r->ev_violations, r->evidence, r->ev_start)) {
			void *blob = arena_alloc(into, f->evidence_len);
			if (!blob)
				return RL_ENOMEM;
			memcpy(blob, f->evidence, f->evidence_len);
			r->evidence = blob;
			r->evidence_len = f->evidence_len;
			r->ev_violations = f->ev_violations;
			r->ev_start = f->ev_start;
		}
	}
	rl_clients_reset(from);
	return 0;
}
