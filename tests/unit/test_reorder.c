/* test_reorder.c - the reorder buffer (lib/retry/reorder.h): release once start ≤ latest start
 * read − max_lag, (start, end, input order) order, late arrivals, the end of input, a
 * callback that stops, restoring latest, jumps and wrap-around of the wheel of seconds,
 * times before 1970, and a long shuffled input checked against a sort. */
#include <stdlib.h>

#include "lib/base/err.h"
#include "lib/retry/reorder.h"
#include "tests/check.h"

#define S 1000000LL
#define MS 1000LL
#define MAXGOT 25000

/* What the callback saw: the attempts released, in order, and the latest start read
 * when each was released. */
typedef struct seen {
	rl_reorder *r;
	size_t n;
	rl_attempt a[MAXGOT];
	int64_t latest[MAXGOT];
	size_t stop_after; /* 0: never stop; else return 7 once n reaches it */
} seen;

static seen G;

static void reset(rl_reorder *r)
{
	G.r = r;
	G.n = 0;
	G.stop_after = 0;
}

static int on_release(void *ctx, const rl_attempt *a)
{
	seen *s = ctx;
	if (s->n < MAXGOT) {
		s->a[s->n] = *a;
		s->latest[s->n] = rl_reorder_latest(s->r);
	}
	s->n++;
	return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

static rl_attempt at(uint64_t seq, int64_t start, int64_t end)
{
	rl_attempt a;
	memset(&a, 0, sizeof a);
	a.start_us = start;
	a.end_us = end;
	a.seq = seq;
	a.status = 200;
	return a;
}

static int push(rl_reorder *r, uint64_t seq, int64_t start, int64_t end)
{
	rl_attempt a = at(seq, start, end);
	return rl_reorder_push(r, &a, on_release, &G);
}

/* The seqs released so far, as "1,2,3". */
static const char *released(void)
{
	static char buf[512];
	size_t k = 0;
	buf[0] = 0;
	for (size_t i = 0; i < G.n && i < MAXGOT && k < sizeof buf - 24; i++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%llu", i ? "," : "", (unsigned long long)G.a[i].seq);
	return buf;
}

static void test_release_rule(void)
{
	rl_reorder *r = rl_reorder_new(10 * S);
	reset(r);
	CHECK(rl_reorder_latest(r) == INT64_MIN);
	CHECK_INT(rl_reorder_count(r), 0);
	/* nothing is safe until some start is 10 s after it */
	CHECK_INT(push(r, 1, 0, 0), 0);
	CHECK_INT(push(r, 2, 4 * S, 4 * S), 0);
	CHECK_INT(push(r, 3, 9 * S, 9 * S), 0);
	CHECK_INT(G.n, 0);
	CHECK_INT(rl_reorder_count(r), 3);
	CHECK_INT(rl_reorder_latest(r), 9 * S);
	/* latest 10 s: 10 − 10 = 0, and start 0 ≤ 0 goes */
	CHECK_INT(push(r, 4, 10 * S, 10 * S), 0);
	CHECK_STR(released(), "1");
	CHECK_INT(rl_reorder_count(r), 3);
	/* latest 14 s − 1 µs: 4 s is 1 µs short of safe */
	CHECK_INT(push(r, 5, 14 * S - 1, 14 * S - 1), 0);
	CHECK_STR(released(), "1");
	CHECK_INT(push(r, 6, 14 * S, 14 * S), 0);
	CHECK_STR(released(), "1,2");
	/* an earlier start does not move latest back */
	CHECK_INT(push(r, 7, 5 * S, 5 * S), 0);
	CHECK_INT(rl_reorder_latest(r), 14 * S);
	CHECK_INT(rl_reorder_count(r), 5);
	/* the end of input releases the rest in start order: 5 s, 9 s, 10 s, 14 s − 1 µs, 14 s */
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_STR(released(), "1,2,7,3,4,5,6");
	CHECK_INT(rl_reorder_count(r), 0);
	/* a second drain has nothing left */
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_INT(G.n, 7);
	rl_reorder_free(r);
}

static void test_late(void)
{
	rl_reorder *r = rl_reorder_new(10 * S);
	reset(r);
	/* the first attempt is never late, however old */
	CHECK_INT(push(r, 1, 100 * S, 100 * S), 0);
	/* 90 s is exactly max_lag before latest: not more than it, so kept (and already safe) */
	CHECK_INT(push(r, 2, 90 * S, 90 * S), 0);
	CHECK_STR(released(), "2");
	/* 1 µs more is late: not kept, not released, count unchanged */
	CHECK_INT(push(r, 3, 90 * S - 1, 90 * S - 1), 1);
	CHECK_INT(push(r, 4, -5 * S, -5 * S), 1);
	CHECK_INT(rl_reorder_count(r), 1);
	CHECK_STR(released(), "2");
	/* a late attempt does not move latest either way */
	CHECK_INT(rl_reorder_latest(r), 100 * S);
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_STR(released(), "2,1");
	/* after the end of input the same rule holds: 90 s is safe at once */
	CHECK_INT(push(r, 5, 90 * S, 90 * S), 0);
	CHECK_STR(released(), "2,1,5");
	CHECK_INT(rl_reorder_count(r), 0);
	rl_reorder_free(r);
}

static void test_ties(void)
{
	rl_reorder *r = rl_reorder_new(5 * S);
	reset(r);
	/* same start: shorter end first; same start and end: input order (seq) */
	CHECK_INT(push(r, 1, 2 * S, 2 * S + 300 * MS), 0);
	CHECK_INT(push(r, 2, 2 * S, 2 * S + 100 * MS), 0);
	CHECK_INT(push(r, 3, 2 * S, 2 * S + 300 * MS), 0);
	CHECK_INT(push(r, 4, 1 * S, 3 * S), 0);
	CHECK_INT(push(r, 5, 2 * S, 2 * S + 300 * MS), 0);
	CHECK_INT(push(r, 6, 2 * S, 2 * S + 100 * MS), 0);
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_STR(released(), "4,2,6,1,3,5");
	rl_reorder_free(r);

	/* forty ties in one second, pushed after an earlier start so the bucket must be
	 * sorted: they come out in input order */
	r = rl_reorder_new(5 * S);
	reset(r);
	CHECK_INT(push(r, 1, 3 * S + 500 * MS, 3 * S + 500 * MS), 0);
	int kept = 0;
	for (uint64_t i = 2; i <= 41; i++)
		kept += push(r, i, 3 * S + 200 * MS, 3 * S + 200 * MS) == 0;
	CHECK_INT(kept, 40);
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_INT(G.n, 41);
	int in_order = G.a[40].seq == 1;
	for (size_t i = 0; i < 40; i++)
		in_order &= G.a[i].seq == i + 2;
	CHECK(in_order);
	rl_reorder_free(r);
}

static void test_zero_and_negative_lag(void)
{
	/* max_lag 0: each attempt is safe as soon as it is read; any earlier start is late */
	rl_reorder *r = rl_reorder_new(0);
	reset(r);
	CHECK_INT(push(r, 1, 5 * S, 5 * S), 0);
	CHECK_INT(rl_reorder_count(r), 0);
	CHECK_INT(push(r, 2, 5 * S, 6 * S), 0); /* the same start is not earlier */
	CHECK_INT(push(r, 3, 5 * S - 1, 5 * S), 1);
	CHECK_STR(released(), "1,2");
	rl_reorder_free(r);

	/* a negative max_lag is taken as 0 */
	r = rl_reorder_new(-3 * S);
	reset(r);
	CHECK_INT(push(r, 1, 5 * S, 5 * S), 0);
	CHECK_INT(push(r, 2, 6 * S, 6 * S), 0);
	CHECK_INT(push(r, 3, 6 * S - 1, 6 * S - 1), 1);
	CHECK_INT(rl_reorder_count(r), 0);
	CHECK_STR(released(), "1,2");
	rl_reorder_free(r);
}

static void test_before_1970(void)
{
	/* negative times sort as numbers, across the second that holds 0 */
	rl_reorder *r = rl_reorder_new(3 * S);
	reset(r);
	CHECK_INT(push(r, 1, 200 * MS, 200 * MS), 0);
	CHECK_INT(push(r, 2, -1500 * MS, -1500 * MS), 0);
	CHECK_INT(push(r, 3, -1, -1), 0);
	CHECK_INT(push(r, 4, -2 * S, -2 * S), 0);
	CHECK_INT(G.n, 0);
	/* latest 1.5 s: −2 s and −1.5 s are ≤ −1.5 s, −1 µs is not */
	CHECK_INT(push(r, 5, 1500 * MS, 1500 * MS), 0);
	CHECK_STR(released(), "4,2");
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_STR(released(), "4,2,3,1,5");
	rl_reorder_free(r);
}

static void test_callback_stops(void)
{
	rl_reorder *r = rl_reorder_new(10 * S);
	reset(r);
	for (uint64_t i = 1; i <= 5; i++)
		push(r, i, (int64_t)(6 - i) * S, (int64_t)(6 - i) * S);
	CHECK_INT(rl_reorder_count(r), 5);
	/* starts 5, 4, 3, 2, 1 s; the callback stops at the second one released */
	G.stop_after = 2;
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 7);
	CHECK_STR(released(), "5,4");
	CHECK_INT(rl_reorder_count(r), 3);
	/* the rest is still held, and a later drain gives it in order */
	G.stop_after = 0;
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_STR(released(), "5,4,3,2,1");
	CHECK_INT(rl_reorder_count(r), 0);

	/* a push whose release is stopped returns the callback's value */
	reset(r);
	CHECK_INT(push(r, 6, 20 * S, 20 * S), 0);
	CHECK_INT(push(r, 7, 21 * S, 21 * S), 0);
	G.stop_after = 1;
	CHECK_INT(push(r, 8, 40 * S, 40 * S), 7);
	CHECK_STR(released(), "6");
	rl_reorder_free(r);
}

static int hold(rl_reorder *r, uint64_t seq, int64_t start, int64_t end)
{
	rl_attempt a = at(seq, start, end);
	return rl_reorder_hold(r, &a);
}

static void test_hold_and_each(void)
{
	/* restoring saved state: the saved attempts are held; they do not move the clock
	 * (this run's own, SPEC §3.1.8) and are never late */
	rl_reorder *r = rl_reorder_new(60 * S);
	reset(r);
	CHECK_INT(hold(r, 11, 950 * S, 951 * S), 0);
	CHECK_INT(hold(r, 13, 999 * S, 999 * S), 0);
	CHECK_INT(hold(r, 12, 940 * S + 1, 940 * S + 1), 0);
	CHECK_INT(rl_reorder_latest(r), INT64_MIN);
	CHECK_INT(rl_reorder_count(r), 3);
	/* a run of another host for earlier hours: its clock starts at its own first start,
	 * nothing of it is late, and the held attempts wait */
	CHECK_INT(push(r, 1, 100 * S, 100 * S), 0);
	CHECK_INT(push(r, 2, 170 * S, 170 * S), 0);
	CHECK_STR(released(), "1");
	CHECK_INT(rl_reorder_latest(r), 170 * S);
	/* late is against this run's clock: 109 s is more than 60 s before 170 s */
	CHECK_INT(push(r, 3, 109 * S, 109 * S), 1);
	/* each visits exactly the waiting attempts, held ones included */
	reset(r);
	CHECK_INT(rl_reorder_each(r, on_release, &G), 0);
	CHECK_INT(G.n, 4);
	uint64_t sum = 0;
	for (size_t i = 0; i < G.n; i++)
		sum += G.a[i].seq;
	CHECK_INT(sum, 2 + 11 + 12 + 13);
	CHECK_INT(rl_reorder_count(r), 4); /* each releases nothing */
	/* … and stops at a callback's non-zero value */
	reset(r);
	G.stop_after = 2;
	CHECK_INT(rl_reorder_each(r, on_release, &G), 7);
	CHECK_INT(G.n, 2);
	/* the clock reaching them: the held and the wheel's go out in one order (ties by
	 * seq: 10 ties with 11's start) */
	reset(r);
	CHECK_INT(push(r, 10, 950 * S, 951 * S), 0);
	CHECK_INT(push(r, 14, 945 * S, 945 * S), 0);
	CHECK_INT(push(r, 15, 1011 * S, 1011 * S), 0); /* safe up to 951 s */
	CHECK_STR(released(), "2,12,14,10,11");
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_STR(released(), "2,12,14,10,11,13,15");
	CHECK_INT(rl_reorder_count(r), 0);
	rl_reorder_free(r);

	/* held attempts alone: a drain gives them in order */
	r = rl_reorder_new(60 * S);
	reset(r);
	CHECK_INT(hold(r, 30, 990 * S, 990 * S), 0);
	CHECK_INT(hold(r, 10, 990 * S, 990 * S), 0);
	CHECK_INT(hold(r, 20, 980 * S, 990 * S), 0);
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_STR(released(), "20,10,30");
	rl_reorder_free(r);
}

static void test_wheel(void)
{
	/* a jump far past everything waiting releases it all, in order */
	rl_reorder *r = rl_reorder_new(2 * S);
	reset(r);
	CHECK_INT(push(r, 1, 1500 * MS, 1500 * MS), 0);
	CHECK_INT(push(r, 2, 500 * MS, 500 * MS), 0);
	CHECK_INT(push(r, 3, 2 * S, 2 * S), 0);
	CHECK_INT(push(r, 4, 1003 * S, 1003 * S), 0);
	CHECK_STR(released(), "2,1,3");
	CHECK_INT(rl_reorder_count(r), 1);
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_STR(released(), "2,1,3,4");
	rl_reorder_free(r);

	/* seconds 8 apart (the smallest wheel has 8 buckets) land in the same bucket:
	 * the older one goes first */
	r = rl_reorder_new(2 * S);
	reset(r);
	CHECK_INT(push(r, 1, 500 * MS, 500 * MS), 0);
	CHECK_INT(push(r, 2, 8 * S + 500 * MS, 8 * S + 500 * MS), 0);
	CHECK_STR(released(), "1");
	CHECK_INT(rl_reorder_count(r), 1);
	/* 14.5 s makes 8.5 s safe: it is found in its bucket as second 8 */
	CHECK_INT(push(r, 3, 14 * S + 500 * MS, 14 * S + 500 * MS), 0);
	CHECK_STR(released(), "1,2");
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_STR(released(), "1,2,3");
	rl_reorder_free(r);

	/* a steady walk through many turns of the wheel: one attempt every 700 ms,
	 * each released exactly when latest reaches its start + 2 s */
	r = rl_reorder_new(2 * S);
	reset(r);
	int ok = 1;
	for (uint64_t i = 0; i < 100; i++) {
		int64_t t = (int64_t)i * 700 * MS;
		ok &= push(r, i + 1, t, t) == 0;
		/* released so far: every start ≤ t − 2 s, i.e. i' ≤ (t − 2 s) / 700 ms */
		int64_t lim = t - 2 * S;
		size_t want = lim < 0 ? 0 : (size_t)(lim / (700 * MS)) + 1;
		ok &= G.n == want;
	}
	CHECK(ok);
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_INT(G.n, 100);
	int in_order = 1;
	for (size_t i = 0; i < G.n; i++)
		in_order &= G.a[i].seq == i + 1;
	CHECK(in_order);
	rl_reorder_free(r);
}

static void test_memory(void)
{
	/* a burst in one second is given back once it is released */
	rl_reorder *r = rl_reorder_new(1 * S);
	reset(r);
	size_t empty = rl_reorder_bytes(r);
	int kept = 0;
	for (uint64_t i = 1; i <= 3000; i++)
		kept += push(r, i, 5 * S + (int64_t)(i % 997), 5 * S + (int64_t)(i % 997)) == 0;
	CHECK_INT(kept, 3000);
	CHECK_INT(rl_reorder_count(r), 3000);
	CHECK(rl_reorder_bytes(r) >= empty + 3000 * sizeof(rl_attempt));
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_INT(G.n, 3000);
	CHECK_INT(rl_reorder_count(r), 0);
	CHECK_INT(rl_reorder_bytes(r), empty);
	rl_reorder_free(r);
	rl_reorder_free(NULL);
}

/* A deterministic shuffle: 20,000 attempts over ~5 minutes, each start up to max_lag
 * (60 s) behind the latest start read so far, with ties. Released order must equal the
 * input sorted by (start, end, seq); none is late; none is released before it is safe,
 * and none that is safe is still waiting after a push. */
static int cmp_attempt(const void *x, const void *y)
{
	const rl_attempt *a = x, *b = y;
	if (a->start_us != b->start_us)
		return a->start_us < b->start_us ? -1 : 1;
	if (a->end_us != b->end_us)
		return a->end_us < b->end_us ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int64_t waiting_min;
static int min_start(void *ctx, const rl_attempt *a)
{
	(void)ctx;
	if (a->start_us < waiting_min)
		waiting_min = a->start_us;
	return 0;
}

static void test_shuffled(void)
{
	enum { N = 20000 };
	const int64_t lag = 60 * S;
	static rl_attempt in[N];
	rl_reorder *r = rl_reorder_new(lag);
	reset(r);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int64_t latest = 0;
	int late = 0, safe_waiting = 0;
	for (size_t i = 0; i < N; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t rnd = x >> 33;
		int64_t start;
		if (rnd % 4 == 0) {
			latest += (int64_t)((rnd >> 2) % 128) * MS; /* time moves on */
			start = latest;
		} else {
			start = latest - (int64_t)((rnd >> 4) % (uint64_t)(lag / MS + 1)) * MS; /* up to lag behind */
		}
		int64_t end = start + (int64_t)((rnd >> 20) % 3) * 100 * MS;
		in[i] = at(i + 1, start, end);
		late += rl_reorder_push(r, &in[i], on_release, &G) != 0;
		if (i % 97)
			continue;
		waiting_min = INT64_MAX;
		rl_reorder_each(r, min_start, NULL);
		safe_waiting += waiting_min != INT64_MAX && waiting_min <= rl_reorder_latest(r) - lag;
	}
	CHECK_INT(late, 0);
	CHECK_INT(safe_waiting, 0);
	CHECK_INT(rl_reorder_latest(r), latest);
	size_t before_drain = G.n;
	CHECK(before_drain > N / 2); /* most were released on the way, not at the end */
	int early = 0;
	for (size_t i = 0; i < before_drain; i++)
		early += G.a[i].start_us > G.latest[i] - lag;
	CHECK_INT(early, 0);
	CHECK_INT(rl_reorder_drain(r, on_release, &G), 0);
	CHECK_INT(G.n, N);
	qsort(in, N, sizeof *in, cmp_attempt);
	size_t mismatch = 0;
	for (size_t i = 0; i < N; i++)
		mismatch += G.a[i].seq != in[i].seq;
	CHECK_INT(mismatch, 0);
	rl_reorder_free(r);
}

int main(void)
{
	test_release_rule();
	test_late();
	test_ties();
	test_zero_and_negative_lag();
	test_before_1970();
	test_callback_stops();
	test_hold_and_each();
	test_wheel();
	test_memory();
	test_shuffled();
	return check_done("reorder");
}
