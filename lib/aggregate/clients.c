/* aggregate/clients.c - a client table keyed by the client hash, with an arena for strings. */
#include "lib/aggregate/clients.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/base/err.h"
#include "lib/base/text.h"
#include "lib/base/timestamp.h"
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

/* A copy of n bytes (NUL-terminated) in the arena. */
static char *arena_dup(rl_clients *t, const char *s, size_t n)
{
	if (!t->arena || t->arena->cap - t->arena->used < n + 1) {
		size_t cap = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;
		chunk *c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->next = t->arena;
		c->used = 0;
		c->cap = cap;
		t->arena = c;
		t->arena_bytes += cap;
	}
	char *p = t->arena->data + t->arena->used;
	memcpy(p, s, n);
	p[n] = 0;
	t->arena->used += n + 1;
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

const char *rl_step_verdict(const rl_evidence_step *st, char *buf, size_t cap)
{
	if (st->flags & RL_STEP_FIRST) {
		snprintf(buf, cap, "first");
		return buf;
	}
	size_t o = 0;
	buf[0] = 0;
	if (st->flags & RL_STEP_BLIND)
		o += (size_t)snprintf(buf + o, cap - o, "%sblind_4xx", o ? "+" : "");
	if ((st->flags & RL_STEP_UNSAFE) && o < cap)
		o += (size_t)snprintf(buf + o, cap - o, "%sunsafe", o ? "+" : "");
	if ((st->flags & RL_STEP_CHECKED) && o < cap)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? "+" : "", rl_verdict_name((rl_verdict)st->verdict));
	if (o == 0)
		snprintf(buf, cap, "not_checked");
	return buf;
}

char *rl_evidence_json(const rl_evidence *ev, const char *method)
{
	json_t *steps = json_array();
	char clean[RL_TARGET_MAX * 4 + 8], when[32], verdict[64];
	rl_text_clean(clean, sizeof clean, ev->target, strlen(ev->target));
	for (unsigned i = 0; i < ev->nsteps; i++) {
		const rl_evidence_step *st = &ev->steps[i];
		json_t *s = json_object();
		json_object_set_new(s, "start", json_string(rl_timestamp_format(st->start_us, when)));
		json_object_set_new(s, "method", json_string(method ? method : "-"));
		json_object_set_new(s, "target", json_string(clean));
		json_object_set_new(s, "status", st->status < 0 ? json_null() : json_integer(st->status));
		json_object_set_new(s, "wait_ms",
				    st->wait_us == INT32_MIN  ? json_null()
				    : st->wait_us % 1000 == 0 ? json_integer(st->wait_us / 1000)
							      : json_real(st->wait_us / 1000.0));
		json_object_set_new(s, "verdict", json_string(rl_step_verdict(st, verdict, sizeof verdict)));
		json_array_append_new(steps, s);
	}
	json_t *o = json_pack("{s:I,s:o}", "attempts", (json_int_t)ev->attempts, "steps", steps);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) : NULL;
	json_decref(o);
	return text;
}

int rl_clients_add_evidence(rl_clients *t, const rl_evidence *ev, const char *method)
{
	rl_client_row *r = rl_clients_get(t, ev->client, NULL, 0);
	if (!r)
		return RL_ENOMEM;
	if (!rl_evidence_beats(ev->violations, ev->first_start_us, r->ev_violations, r->evidence, r->ev_start))
		return 0;
	char *json = rl_evidence_json(ev, method);
	if (!json)
		return RL_ENOMEM;
	r->evidence = arena_dup(t, json, strlen(json));
	free(json);
	if (!r->evidence)
		return RL_ENOMEM;
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
