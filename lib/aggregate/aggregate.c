/* aggregate/aggregate.c - open-addressing tables of fixed-size entries, one size per table.
 *
 * An entry is a 128-bit key and as many 32-bit counters as its table needs (one for
 * attempts: 24 bytes, so that the hot table stays small in cache). Linear probing on a
 * power-of-two array kept at most 5/8 full, growing past 7/8 if a burst overshoots
 * the flush threshold. rl_agg_drain() compacts and sorts the entries in place (the
 * table is reset afterwards anyway), so rows reach SQLite in key order, which keeps
 * its B-tree writes sequential. */
#include "lib/aggregate/aggregate.h"

#include <stdlib.h>
#include <string.h>

#include "lib/retry/backoff.h"
#include "lib/aggregate/histogram.h"
#include "lib/base/text.h"

#define USED (1ULL << 63)

typedef struct head {
	uint64_t k0, k1; /* k1 has USED set in a used entry */
} head;

typedef struct table {
	unsigned char *e;
	size_t esize, nv; /* bytes per entry, counters per entry */
	size_t nslots, count, max;
} table;

struct rl_agg {
	table buckets, latency, retries, minutes;
};

static inline head *entry(const table *t, size_t i)
{
	return (head *)(t->e + i * t->esize);
}

static inline uint32_t *values(head *h)
{
	return (uint32_t *)(h + 1);
}

static int table_init(table *t, size_t max, size_t nv)
{
	t->max = max;
	t->nv = nv;
	t->esize = (sizeof(head) + nv * sizeof(uint32_t) + 7) & ~(size_t)7;
	t->nslots = 16;
	while (t->nslots * 5 / 8 < max)
		t->nslots <<= 1;
	t->e = calloc(t->nslots, t->esize);
	return t->e ? 0 : -1;
}

static uint32_t *table_put(table *t, uint64_t k0, uint64_t k1)
{
	k1 |= USED;
	size_t mask = t->nslots - 1;
	size_t i = (size_t)rl_hash_u64(k0 ^ rl_hash_u64(k1)) & mask;
	for (;; i = (i + 1) & mask) {
		head *e = entry(t, i);
		if (e->k1 == k1 && e->k0 == k0)
			return values(e);
		if (!e->k1) {
			e->k0 = k0;
			e->k1 = k1;
			t->count++;
			return values(e);
		}
	}
}

/* Doubles the table: the flush threshold (max) stays, this only keeps a burst of keys
 * between two fullness checks (a release of many retries) from filling it. */
static void table_grow(table *t)
{
	table old = *t;
	unsigned char *e = calloc(t->nslots * 2, t->esize);
	if (!e)
		return; /* keep probing the fuller table: slower, still correct below 100 % */
	t->e = e;
	t->nslots *= 2;
	t->count = 0;
	for (size_t i = 0; i < old.nslots; i++) {
		head *h = entry(&old, i);
		if (h->k1)
			memcpy(table_put(t, h->k0, h->k1 & ~USED), values(h), t->nv * sizeof(uint32_t));
	}
	free(old.e);
}

static inline uint32_t *table_get(table *t, uint64_t k0, uint64_t k1)
{
	if ((t->count + 1) * 8 > t->nslots * 7)
		table_grow(t);
	return table_put(t, k0, k1);
}

static inline void add32(uint32_t *v, uint64_t x)
{
	/* counters saturate rather than wrap; a minute bucket never gets near 2^32 */
	*v = (uint64_t)*v + x > UINT32_MAX ? UINT32_MAX : *v + (uint32_t)x;
}

rl_agg *rl_agg_new(size_t max_keys)
{
	rl_agg *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	if (!max_keys)
		max_keys = 4096;
	if (table_init(&a->buckets, max_keys, 1) || table_init(&a->latency, max_keys, 1) ||
	    table_init(&a->retries, max_keys, RL_RC_N) || table_init(&a->minutes, max_keys, RL_AGG_NMINUTE)) {
		rl_agg_free(a);
		return NULL;
	}
	return a;
}

void rl_agg_free(rl_agg *a)
{
	if (!a)
		return;
	free(a->buckets.e);
	free(a->latency.e);
	free(a->retries.e);
	free(a->minutes.e);
	free(a);
}

/* Keys: minute (signed, biased to sort) in the high half of k0. */
static inline uint64_t minute_bits(int64_t minute)
{
	return (uint64_t)(uint32_t)((int32_t)minute ^ INT32_MIN);
}
static inline int64_t key_minute(uint64_t k0)
{
	return (int32_t)((uint32_t)(k0 >> 32) ^ (uint32_t)INT32_MIN);
}

void rl_agg_add_attempt(rl_agg *a, int64_t minute, uint32_t endpoint, uint32_t method, int status, uint32_t code,
			int64_t duration_us)
{
	uint64_t k0 = minute_bits(minute) << 32 | (uint64_t)(endpoint & 0xffff) << 16 | (code & 0xffff);
	uint64_t k1 = (uint64_t)(method & 0xffff) << 16 | (uint64_t)(status + 1);
	add32(table_get(&a->buckets, k0, k1), 1);
	if (duration_us >= 0) {
		uint64_t l0 = minute_bits(minute) << 32 | (uint64_t)(endpoint & 0xffff) << 16 | (method & 0xffff);
		add32(table_get(&a->latency, l0, rl_hist_index(duration_us)), 1);
	}
}

void rl_agg_add_retry(rl_agg *a, int64_t minute, uint32_t endpoint, uint32_t method, bool blind, bool unsafe,
		      int verdict)
{
	uint64_t k0 = minute_bits(minute) << 32 | (uint64_t)(endpoint & 0xffff) << 16 | (method & 0xffff);
	uint32_t *v = table_get(&a->retries, k0, 0);
	for (uint32_t m = rl_retry_counts(blind, unsafe, verdict); m; m &= m - 1)
		add32(&v[__builtin_ctz(m)], 1);
}

void rl_agg_add_minute(rl_agg *a, int64_t minute, int which, uint32_t n)
{
	add32(&table_get(&a->minutes, minute_bits(minute) << 32, 0)[which], n);
}

bool rl_agg_full(const rl_agg *a)
{
	return a->buckets.count >= a->buckets.max || a->latency.count >= a->latency.max ||
	       a->retries.count >= a->retries.max || a->minutes.count >= a->minutes.max;
}

bool rl_agg_empty(const rl_agg *a)
{
	return !a->buckets.count && !a->latency.count && !a->retries.count && !a->minutes.count;
}

static int cmp_head(const void *x, const void *y)
{
	const head *a = x, *b = y;
	if (a->k0 != b->k0)
		return a->k0 < b->k0 ? -1 : 1;
	return a->k1 < b->k1 ? -1 : a->k1 > b->k1;
}

/* Moves used entries to the front and sorts them; returns their number. The table is
 * no longer a hash table afterwards: rl_agg_drain() resets it. */
static size_t table_sort(table *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nslots; i++) {
		head *h = entry(t, i);
		if (h->k1) {
			if (n != i)
				memcpy(entry(t, n), h, t->esize);
			n++;
		}
	}
	qsort(t->e, n, t->esize, cmp_head);
	return n;
}

int rl_agg_drain(rl_agg *a, const rl_agg_sink *sink)
{
	int rc = 0;
	size_t n = table_sort(&a->buckets);
	rl_agg_bucket b[RL_AGG_CHUNK];
	for (size_t i = 0; sink->bucket && i < n && !rc;) {
		size_t k = 0;
		for (; k < RL_AGG_CHUNK && i < n; k++, i++) {
			head *e = entry(&a->buckets, i);
			b[k] = (rl_agg_bucket){
				.minute = key_minute(e->k0),
				.endpoint = (uint32_t)(e->k0 >> 16) & 0xffff,
				.code = (uint32_t)e->k0 & 0xffff,
				.method = (uint32_t)(e->k1 >> 16) & 0xffff,
				.status = (int)(e->k1 & 0xffff) - 1,
				.attempts = values(e)[0],
			};
		}
		rc = sink->bucket(sink->ctx, b, k);
	}
	n = rc ? 0 : table_sort(&a->latency);
	rl_agg_latency l[RL_AGG_CHUNK];
	for (size_t i = 0; sink->latency && i < n && !rc;) {
		size_t k = 0;
		for (; k < RL_AGG_CHUNK && i < n; k++, i++) {
			head *e = entry(&a->latency, i);
			l[k] = (rl_agg_latency){
				.minute = key_minute(e->k0),
				.endpoint = (uint32_t)(e->k0 >> 16) & 0xffff,
				.method = (uint32_t)e->k0 & 0xffff,
				.bucket = (uint32_t)(e->k1 & 0xffffffff),
				.count = values(e)[0],
			};
		}
		rc = sink->latency(sink->ctx, l, k);
	}
	n = rc ? 0 : table_sort(&a->retries);
	rl_agg_retry r[RL_AGG_CHUNK];
	for (size_t i = 0; sink->retry && i < n && !rc;) {
		size_t k = 0;
		for (; k < RL_AGG_CHUNK && i < n; k++, i++) {
			head *e = entry(&a->retries, i);
			r[k].minute = key_minute(e->k0);
			r[k].endpoint = (uint32_t)(e->k0 >> 16) & 0xffff;
			r[k].method = (uint32_t)e->k0 & 0xffff;
			for (int j = 0; j < RL_RC_N; j++)
				r[k].v[j] = values(e)[j];
		}
		rc = sink->retry(sink->ctx, r, k);
	}
	n = rc ? 0 : table_sort(&a->minutes);
	rl_agg_minute m[RL_AGG_CHUNK];
	for (size_t i = 0; sink->minute && i < n && !rc;) {
		size_t k = 0;
		for (; k < RL_AGG_CHUNK && i < n; k++, i++) {
			head *e = entry(&a->minutes, i);
			m[k].minute = key_minute(e->k0);
			for (int j = 0; j < RL_AGG_NMINUTE; j++)
				m[k].v[j] = values(e)[j];
		}
		rc = sink->minute(sink->ctx, m, k);
	}
	rl_agg_reset(a);
	return rc;
}

void rl_agg_merge(rl_agg *into, rl_agg *from)
{
	table *ti[] = {&into->buckets, &into->latency, &into->retries, &into->minutes};
	table *tf[] = {&from->buckets, &from->latency, &from->retries, &from->minutes};
	for (size_t k = 0; k < 4; k++)
		for (size_t i = 0; tf[k]->count && i < tf[k]->nslots; i++) {
			head *h = entry(tf[k], i);
			if (!h->k1)
				continue;
			uint32_t *v = table_get(ti[k], h->k0, h->k1 & ~USED), *w = values(h);
			for (size_t j = 0; j < ti[k]->nv; j++)
				add32(&v[j], w[j]);
		}
	rl_agg_reset(from);
}

void rl_agg_reset(rl_agg *a)
{
	table *ts[] = {&a->buckets, &a->latency, &a->retries, &a->minutes};
	for (size_t i = 0; i < 4; i++) {
		memset(ts[i]->e, 0, ts[i]->nslots * ts[i]->esize);
		ts[i]->count = 0;
	}
}
