/* test_u64map.c - the 64-bit key map (lib/mem/u64map.h): get/put/overwrite, growth at half
 * load, backward-shift deletion inside one probe run (and one that wraps past the last
 * slot), each, clear, and a long random run against a plain array. */
#include <stdlib.h>

#include "lib/base/text.h"
#include "lib/mem/u64map.h"
#include "tests/check.h"

/* Keys (odd, as callers make them) whose home slot in a map of cap slots is want. */
static size_t keys_at(uint64_t *out, size_t n, size_t cap, size_t want, uint64_t from)
{
	size_t k = 0;
	for (uint64_t key = from | 1; k < n; key += 2)
		if ((rl_hash_u64(key) & (cap - 1)) == want)
			out[k++] = key;
	return k;
}

static void test_basic(void)
{
	rl_u64map m = {0};
	/* an empty map answers without memory */
	CHECK_INT(rl_u64map_get(&m, 42), 0);
	rl_u64map_del(&m, 42);
	CHECK_INT(m.count, 0);
	CHECK_INT(rl_u64map_put(&m, 42, 7), 0);
	CHECK_INT(rl_u64map_put(&m, 43, 8), 0);
	CHECK_INT(rl_u64map_get(&m, 42), 7);
	CHECK_INT(rl_u64map_get(&m, 43), 8);
	CHECK_INT(rl_u64map_get(&m, 44), 0);
	CHECK_INT(m.count, 2);
	/* put on a present key sets its value, no new entry */
	CHECK_INT(rl_u64map_put(&m, 42, 9), 0);
	CHECK_INT(rl_u64map_get(&m, 42), 9);
	CHECK_INT(m.count, 2);
	/* full 64-bit keys: the high bits count */
	CHECK_INT(rl_u64map_put(&m, 0x8000000000000001ULL, 1), 0);
	CHECK_INT(rl_u64map_put(&m, 0x0000000000000001ULL, 2), 0);
	CHECK_INT(rl_u64map_get(&m, 0x8000000000000001ULL), 1);
	CHECK_INT(rl_u64map_get(&m, 0x0000000000000001ULL), 2);
	CHECK_INT(rl_u64map_put(&m, UINT64_MAX, 0xffffffffu), 0);
	CHECK_INT(rl_u64map_get(&m, UINT64_MAX), 0xffffffffu);
	/* del removes only its key; deleting an absent key changes nothing */
	rl_u64map_del(&m, 42);
	rl_u64map_del(&m, 42);
	rl_u64map_del(&m, 12345);
	CHECK_INT(rl_u64map_get(&m, 42), 0);
	CHECK_INT(rl_u64map_get(&m, 43), 8);
	CHECK_INT(m.count, 4);
	rl_u64map_free(&m);
	CHECK(m.slots == NULL && m.cap == 0 && m.count == 0);
	CHECK_INT(rl_u64map_get(&m, 43), 0);
}

static void test_growth(void)
{
	/* 10,000 keys: a power-of-two capacity, never above half full, every key kept */
	rl_u64map m = {0};
	int ok = 1, load = 1;
	for (uint64_t i = 1; i <= 10000; i++) {
		ok &= rl_u64map_put(&m, i * 0x9e3779b97f4a7c15ULL | 1, (uint32_t)i) == 0;
		load &= m.count * 2 <= m.cap && (m.cap & (m.cap - 1)) == 0;
	}
	CHECK(ok);
	CHECK(load);
	CHECK_INT(m.count, 10000);
	CHECK(m.cap >= 20000);
	ok = 1;
	for (uint64_t i = 1; i <= 10000; i++)
		ok &= rl_u64map_get(&m, i * 0x9e3779b97f4a7c15ULL | 1) == (uint32_t)i;
	CHECK(ok);
	rl_u64map_free(&m);
}

static void test_backward_shift(void)
{
	/* one probe run in a 64-slot map: five keys at home 10, two at home 11, one at 12.
	 * They fill slots 10..17; deleting from the front or the middle must keep the rest
	 * reachable (a key may move back only as far as its home). */
	rl_u64map m = {0};
	uint64_t h10[5], h11[2], h12[1];
	keys_at(h10, 5, 64, 10, 1000);
	keys_at(h11, 2, 64, 11, 1000);
	keys_at(h12, 1, 64, 12, 1000);
	uint64_t order[] = {h10[0], h11[0], h10[1], h12[0], h10[2], h11[1], h10[3], h10[4]};
	for (uint32_t i = 0; i < 8; i++)
		rl_u64map_put(&m, order[i], i + 1);
	CHECK_INT(m.cap, 64); /* 8 entries: no growth, so the homes above hold */
	int ok = 1;
	for (uint32_t i = 0; i < 8; i++)
		ok &= rl_u64map_get(&m, order[i]) == i + 1;
	CHECK(ok);
	/* delete in an order that opens holes before keys of every home */
	uint32_t del[] = {0, 3, 1, 6, 2};
	for (int d = 0; d < 5; d++) {
		rl_u64map_del(&m, order[del[d]]);
		ok = 1;
		for (uint32_t i = 0; i < 8; i++) {
			int gone = 0;
			for (int e = 0; e <= d; e++)
				gone |= del[e] == i;
			ok &= rl_u64map_get(&m, order[i]) == (gone ? 0 : i + 1);
		}
		CHECK(ok);
	}
	CHECK_INT(m.count, 3);
	/* the run is closed up: no slot past the run still holds a key */
	size_t used = 0;
	for (size_t i = 0; i < m.cap; i++)
		used += m.slots[i].key != 0;
	CHECK_INT(used, 3);
	rl_u64map_free(&m);

	/* a run that wraps: four keys at home 62 fill 62, 63, 0, 1; two at home 0 go to 2, 3 */
	uint64_t w62[4], w0[2];
	keys_at(w62, 4, 64, 62, 5000);
	keys_at(w0, 2, 64, 0, 5000);
	uint64_t wrap[] = {w62[0], w62[1], w62[2], w62[3], w0[0], w0[1]};
	for (uint32_t i = 0; i < 6; i++)
		rl_u64map_put(&m, wrap[i], 100 + i);
	CHECK_INT(m.cap, 64);
	CHECK(m.slots[62].key == wrap[0] && m.slots[1].key == wrap[3] && m.slots[3].key == wrap[5]);
	/* deleting at 63 pulls 0 back to 63 and 1 to 0; the home-0 keys move back only to 1
	 * and 2 (not to 63, before their home) */
	rl_u64map_del(&m, wrap[1]);
	ok = 1;
	for (uint32_t i = 0; i < 6; i++)
		ok &= rl_u64map_get(&m, wrap[i]) == (i == 1 ? 0 : 100 + i);
	CHECK(ok);
	CHECK(m.slots[63].key == wrap[2]);
	CHECK(m.slots[0].key == wrap[3]);
	CHECK(m.slots[1].key == wrap[4]);
	CHECK(m.slots[2].key == wrap[5]);
	CHECK(m.slots[3].key == 0);
	rl_u64map_del(&m, wrap[0]);
	rl_u64map_del(&m, wrap[4]);
	CHECK_INT(rl_u64map_get(&m, wrap[2]), 102);
	CHECK_INT(rl_u64map_get(&m, wrap[3]), 103);
	CHECK_INT(rl_u64map_get(&m, wrap[5]), 105);
	CHECK_INT(m.count, 3);
	rl_u64map_free(&m);

	/* the hole at 63, a key of home 63 wrapped to 0: it moves back to its home */
	uint64_t w63[2];
	keys_at(w63, 2, 64, 63, 9000);
	rl_u64map_put(&m, w63[0], 1);
	rl_u64map_put(&m, w63[1], 2);
	CHECK(m.slots[63].key == w63[0] && m.slots[0].key == w63[1]);
	rl_u64map_del(&m, w63[0]);
	CHECK_INT(rl_u64map_get(&m, w63[1]), 2);
	CHECK(m.slots[63].key == w63[1] && m.slots[0].key == 0);
	rl_u64map_free(&m);

	/* the hole at 62, a key of home 63 wrapped to 0: it must not move before its home */
	uint64_t a62[1], b63[2];
	keys_at(a62, 1, 64, 62, 9000);
	keys_at(b63, 2, 64, 63, 9000);
	rl_u64map_put(&m, a62[0], 1);
	rl_u64map_put(&m, b63[0], 2);
	rl_u64map_put(&m, b63[1], 3);
	CHECK(m.slots[62].key == a62[0] && m.slots[63].key == b63[0] && m.slots[0].key == b63[1]);
	rl_u64map_del(&m, a62[0]);
	CHECK_INT(rl_u64map_get(&m, b63[0]), 2);
	CHECK_INT(rl_u64map_get(&m, b63[1]), 3);
	CHECK(m.slots[62].key == 0);
	rl_u64map_free(&m);
}

typedef struct sum {
	size_t n;
	uint64_t keys, values;
} sum;

static void add(void *ctx, uint64_t key, uint32_t value)
{
	sum *s = ctx;
	s->n++;
	s->keys += key;
	s->values += value;
}

static void test_each_clear(void)
{
	rl_u64map m = {0};
	sum s = {0, 0, 0};
	rl_u64map_each(&m, add, &s);
	CHECK_INT(s.n, 0);
	for (uint64_t i = 1; i <= 100; i++)
		rl_u64map_put(&m, i * 2 + 1, (uint32_t)i);
	rl_u64map_del(&m, 21); /* i = 10 */
	rl_u64map_each(&m, add, &s);
	CHECK_INT(s.n, 99);
	CHECK_INT(s.values, 5050 - 10);
	CHECK_INT(s.keys, (2 * 5050 + 100) - 21);
	/* clear empties the map and keeps its memory */
	size_t cap = m.cap;
	rl_u64map_clear(&m);
	CHECK_INT(m.count, 0);
	CHECK_INT(m.cap, cap);
	CHECK_INT(rl_u64map_get(&m, 23), 0);
	s = (sum){0, 0, 0};
	rl_u64map_each(&m, add, &s);
	CHECK_INT(s.n, 0);
	CHECK_INT(rl_u64map_put(&m, 23, 5), 0);
	CHECK_INT(rl_u64map_get(&m, 23), 5);
	CHECK_INT(m.count, 1);
	rl_u64map_free(&m);
	rl_u64map_clear(&m); /* on a freed map: nothing to do */
	CHECK_INT(m.count, 0);
}

static void test_random(void)
{
	/* 200,000 random puts, overwrites and deletes over 4,096 keys, against an array */
	enum { K = 4096 };
	static uint64_t key[K];
	static uint32_t val[K];
	rl_u64map m = {0};
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < K; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		key[i] = x | 1;
	}
	size_t live = 0;
	int bad = 0;
	for (int round = 0; round < 200000; round++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t i = (size_t)(x % K);
		if ((x >> 40) % 3 == 0) {
			live -= val[i] != 0;
			rl_u64map_del(&m, key[i]);
			val[i] = 0;
		} else {
			uint32_t v = (uint32_t)(x >> 32) | 1;
			live += val[i] == 0;
			bad += rl_u64map_put(&m, key[i], v) != 0;
			val[i] = v;
		}
		bad += rl_u64map_get(&m, key[i]) != val[i];
		if (round % 20000 == 0)
			for (size_t j = 0; j < K; j++)
				bad += rl_u64map_get(&m, key[j]) != val[j];
	}
	for (size_t j = 0; j < K; j++)
		bad += rl_u64map_get(&m, key[j]) != val[j];
	CHECK_INT(bad, 0);
	CHECK_INT(m.count, live);
	rl_u64map_free(&m);
}

int main(void)
{
	test_basic();
	test_growth();
	test_backward_shift();
	test_each_clear();
	test_random();
	return check_done("u64map");
}
