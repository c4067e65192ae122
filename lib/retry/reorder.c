/* retry/reorder.c - a wheel of one-second buckets. */
#include "lib/retry/reorder.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/base/err.h"
#include "lib/base/timestamp.h"

#define WIDTH RL_US_PER_S /* µs per bucket: a second */
#define SHRINK_ABOVE 1024 /* attempts a drained bucket may keep room for */

typedef struct bucket {
	rl_attempt *v;
	size_t n, cap, done; /* v[done, n) wait; v[0, done) were released */
	int64_t second; /* which second the bucket holds (when n > done) */
	bool sorted; /* v[done, n) is in order */
} bucket;

struct rl_reorder {
	int64_t max_lag, latest;
	bucket *b;
	size_t nb; /* a power of two above max_lag in seconds + 3 */
	int64_t next; /* no waiting attempt starts in a second below this one */
	size_t count; /* in the wheel */
	/* attempts an earlier run saved (rl_reorder_hold): in order from held[hdone] */
	rl_attempt *held;
	size_t nheld, capheld, hdone;
	bool hsorted;
};

static int cmp(const void *x, const void *y)
{
	const rl_attempt *a = x, *b = y;
	if (a->start_us != b->start_us)
		return a->start_us < b->start_us ? -1 : 1;
	if (a->end_us != b->end_us)
		return a->end_us < b->end_us ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

rl_reorder *rl_reorder_new(int64_t max_lag_us)
{
	rl_reorder *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->max_lag = max_lag_us < 0 ? 0 : max_lag_us;
	r->latest = INT64_MIN;
	r->next = INT64_MIN;
	size_t need = (size_t)(r->max_lag / WIDTH) + 4;
	r->nb = 8;
	while (r->nb < need)
		r->nb <<= 1;
	r->b = calloc(r->nb, sizeof *r->b);
	if (!r->b) {
		free(r);
		return NULL;
	}
	return r;
}

void rl_reorder_free(rl_reorder *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nb; i++)
		free(r->b[i].v);
	free(r->b);
	free(r->held);
	free(r);
}

int64_t rl_reorder_max_lag(const rl_reorder *r)
{
	return r->max_lag;
}

int64_t rl_reorder_latest(const rl_reorder *r)
{
	return r->latest;
}

void rl_reorder_set_latest(rl_reorder *r, int64_t latest_us)
{
	r->latest = latest_us;
}

size_t rl_reorder_count(const rl_reorder *r)
{
	return r->count + (r->nheld - r->hdone);
}

size_t rl_reorder_bytes(const rl_reorder *r)
{
	size_t n = sizeof *r + r->nb * sizeof *r->b + r->capheld * sizeof *r->held;
	for (size_t i = 0; i < r->nb; i++)
		n += r->b[i].cap * sizeof(rl_attempt);
	return n;
}

int rl_reorder_hold(rl_reorder *r, const rl_attempt *a)
{
	if (rl_array_grow((void **)&r->held, &r->capheld, r->nheld, sizeof *r->held))
		return RL_ENOMEM;
	if (r->nheld == r->hdone)
		r->hsorted = true;
	else if (r->hsorted && cmp(&r->held[r->nheld - 1], a) > 0)
		r->hsorted = false;
	r->held[r->nheld++] = *a;
	return 0;
}

/* Releases the held attempts that come before x (NULL: those that start at or before
 * t), so that they and the wheel's go out in one order. */
static int release_held(rl_reorder *r, const rl_attempt *x, int64_t t, rl_reorder_cb cb, void *ctx)
{
	if (r->hdone == r->nheld)
		return 0;
	if (!r->hsorted) {
		qsort(r->held + r->hdone, r->nheld - r->hdone, sizeof *r->held, cmp);
		r->hsorted = true;
	}
	while (r->hdone < r->nheld && (x ? cmp(&r->held[r->hdone], x) < 0 : r->held[r->hdone].start_us <= t)) {
		int rc = cb(ctx, &r->held[r->hdone++]);
		if (rc)
			return rc;
	}
	if (r->hdone == r->nheld) {
		free(r->held);
		r->held = NULL;
		r->nheld = r->capheld = r->hdone = 0;
	}
	return 0;
}

/* Releases, in order, the attempts of bucket b that start at or before t. */
static int release_bucket(rl_reorder *r, bucket *b, int64_t t, rl_reorder_cb cb, void *ctx)
{
	if (!b->sorted) {
		qsort(b->v + b->done, b->n - b->done, sizeof *b->v, cmp);
		b->sorted = true;
	}
	while (b->done < b->n && b->v[b->done].start_us <= t) {
		int rc = r->hdone < r->nheld ? release_held(r, &b->v[b->done], t, cb, ctx) : 0;
		if (rc)
			return rc;
		r->count--;
		rc = cb(ctx, &b->v[b->done++]);
		if (rc)
			return rc;
	}
	if (b->done == b->n) {
		b->n = b->done = 0;
		if (b->cap > SHRINK_ABOVE) {
			/* a burst made it big: give it back rather than hold it until the bucket's
			 * second comes round again (a steady rate this high re-grows it in log steps) */
			free(b->v);
			b->v = NULL;
			b->cap = 0;
		}
	}
	return 0;
}

static int cmp_bucket_second(const void *x, const void *y)
{
	const bucket *a = *(bucket *const *)x, *b = *(bucket *const *)y;
	return a->second < b->second ? -1 : a->second > b->second;
}

/* Releases every attempt that starts at or before t. */
static int release_wheel(rl_reorder *r, int64_t t, rl_reorder_cb cb, void *ctx)
{
	if (r->count == 0)
		return 0;
	int64_t last = rl_floor_div(t, WIDTH);
	if (r->next != INT64_MIN && last - r->next < (int64_t)r->nb) {
		/* the usual case: walk the seconds that may hold safe attempts */
		for (int64_t s = r->next; s <= last; s++) {
			bucket *b = &r->b[(uint64_t)s & (r->nb - 1)];
			if (b->n > b->done && b->second == s) {
				int rc = release_bucket(r, b, t, cb, ctx);
				if (rc)
					return rc;
			}
		}
	} else {
		/* a jump over the whole wheel: take the occupied buckets in second order */
		bucket *order[64], **ord = r->nb <= 64 ? order : malloc(r->nb * sizeof *ord);
		if (!ord)
			return RL_ENOMEM;
		size_t k = 0;
		for (size_t i = 0; i < r->nb; i++)
			if (r->b[i].n > r->b[i].done && r->b[i].second <= last)
				ord[k++] = &r->b[i];
		qsort(ord, k, sizeof *ord, cmp_bucket_second);
		int rc = 0;
		for (size_t i = 0; i < k && !rc; i++)
			rc = release_bucket(r, ord[i], t, cb, ctx);
		if (ord != order)
			free(ord);
		if (rc)
			return rc;
	}
	/* the second holding t may keep attempts that start after t */
	r->next = last;
	return 0;
}

static inline int release_upto(rl_reorder *r, int64_t t, rl_reorder_cb cb, void *ctx)
{
	int rc = release_wheel(r, t, cb, ctx);
	return rc || r->hdone == r->nheld ? rc : release_held(r, NULL, t, cb, ctx);
}

int rl_reorder_push(rl_reorder *r, const rl_attempt *a, rl_reorder_cb cb, void *ctx)
{
	if (r->latest != INT64_MIN && a->start_us < r->latest - r->max_lag)
		return 1;
	if (a->start_us > r->latest)
		r->latest = a->start_us;
	int64_t s = rl_floor_div(a->start_us, WIDTH);
	bucket *b = &r->b[(uint64_t)s & (r->nb - 1)];
	if (b->n > b->done && b->second != s) {
		/* an older second still waits here: it is safe by now (the wheel spans more
		 * than max_lag), so let it go first */
		int rc = release_upto(r, r->latest - r->max_lag, cb, ctx);
		if (rc)
			return rc;
	}
	if (rl_array_grow((void **)&b->v, &b->cap, b->n, sizeof *b->v))
		return RL_ENOMEM;
	if (b->n == b->done) {
		b->n = b->done = 0;
		b->second = s;
		b->sorted = true;
	} else if (b->sorted && cmp(&b->v[b->n - 1], a) > 0) {
		b->sorted = false;
	}
	b->v[b->n++] = *a;
	r->count++;
	if (r->next == INT64_MIN || s < r->next)
		r->next = s;
	return release_upto(r, r->latest - r->max_lag, cb, ctx);
}

int rl_reorder_advance(rl_reorder *r, int64_t start_us, rl_reorder_cb cb, void *ctx)
{
	if (r->latest == INT64_MIN || start_us > r->latest)
		r->latest = start_us;
	return release_upto(r, r->latest - r->max_lag, cb, ctx); /* as a push releases */
}

int rl_reorder_drain(rl_reorder *r, rl_reorder_cb cb, void *ctx)
{
	r->next = INT64_MIN; /* force the full scan */
	return release_upto(r, INT64_MAX - WIDTH, cb, ctx);
}

int rl_reorder_each(const rl_reorder *r, rl_reorder_cb cb, void *ctx)
{
	for (size_t i = r->hdone; i < r->nheld; i++) {
		int rc = cb(ctx, &r->held[i]);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < r->nb; i++) {
		const bucket *b = &r->b[i];
		for (size_t j = b->done; j < b->n; j++) {
			int rc = cb(ctx, &b->v[j]);
			if (rc)
				return rc;
		}
	}
	return 0;
}
