/* test_memory.c - the compact containers of the retry analysis: the key index (against
 * a plain array, through growth and backward-shift deletion, with keys that share their
 * fingerprint) and the string pool (classes, cutting, reuse). */
#include <stdlib.h>
#include <string.h>

#include "lib/mem/keyindex.h"
#include "lib/mem/strpool.h"
#include "tests/check.h"

#define N 20000

static uint64_t keys[N + 1]; /* the "records": ref → key, 0 when not in the index */

static uint64_t key_of(const void *ctx, uint32_t ref)
{
	(void)ctx;
	return keys[ref];
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_keyindex(void)
{
	rl_keyindex x = {0};
	size_t live = 0;
	int bad = 0;
	/* random puts and deletes; a third of the keys share their upper half (fingerprint)
	 * with another key, so lookups must compare the full key */
	for (int round = 0; round < 200000; round++) {
		uint32_t ref = 1 + (uint32_t)(next() % N);
		if (keys[ref]) {
			if (rl_keyindex_get(&x, keys[ref], key_of, NULL) != ref)
				bad++;
			rl_keyindex_del(&x, keys[ref], ref);
			if (rl_keyindex_get(&x, keys[ref], key_of, NULL) != 0)
				bad++;
			keys[ref] = 0;
			live--;
		} else {
			uint64_t k = next() | 1;
			if (ref % 3 == 0 && keys[ref - 1])
				k = (keys[ref - 1] & 0xffffffff00000000ULL) | (uint32_t)(k ^ 0x5a5a5a5a) | 1;
			if (rl_keyindex_get(&x, k, key_of, NULL) != 0)
				continue; /* already there under another ref: keep keys unique */
			keys[ref] = k;
			if (rl_keyindex_put(&x, k, ref))
				bad++;
			live++;
		}
		if (round % 50000 == 0) {
			for (uint32_t r = 1; r <= N; r++)
				if (keys[r] && rl_keyindex_get(&x, keys[r], key_of, NULL) != r)
					bad++;
		}
	}
	CHECK_INT(bad, 0);
	CHECK_INT(x.count, live);
	CHECK(x.count * 4 <= x.cap * 3);
	for (uint32_t r = 1; r <= N; r++)
		if (keys[r] && rl_keyindex_get(&x, keys[r], key_of, NULL) != r)
			bad++;
	CHECK_INT(bad, 0);
	CHECK_INT(rl_keyindex_get(&x, 0x1234567890abcdefULL, key_of, NULL), 0);
	CHECK_INT(rl_keyindex_bytes(&x), x.cap * 8);
	rl_keyindex_free(&x);
	CHECK_INT(rl_keyindex_get(&x, 1, key_of, NULL), 0);
}

static void test_strpool(void)
{
	rl_strpool *p = rl_strpool_new();
	CHECK(p != NULL);
	CHECK_STR(rl_strpool_get(p, 0), "");
	char long_s[300];
	memset(long_s, 'x', sizeof long_s);
	const char *s[] = {"", "/v1/leads/44882", "/v1/leads/448821",
			   "/v1/campaigns/0b3c4d5e-4a1b-4c2d-8e3f-00000000ab12/stats"};
	uint32_t ref[5];
	for (int i = 0; i < 4; i++) {
		ref[i] = rl_strpool_put(p, s[i], strlen(s[i]));
		CHECK(ref[i] != 0);
		CHECK_STR(rl_strpool_get(p, ref[i]), s[i]);
	}
	ref[4] = rl_strpool_put(p, long_s, sizeof long_s);
	CHECK_INT(strlen(rl_strpool_get(p, ref[4])), RL_STRPOOL_MAX);
	CHECK_INT(rl_strpool_used(p), 5);
	/* 15 bytes + NUL fits 16, 16 bytes do not: different classes */
	CHECK((ref[1] >> 29) != (ref[2] >> 29));
	size_t bytes = rl_strpool_bytes(p);
	rl_strpool_release(p, ref[1]);
	uint32_t again = rl_strpool_put(p, "/v1/leads/1", 11);
	CHECK_INT(again, ref[1]); /* the freed slot of its class comes back */
	CHECK_INT(rl_strpool_bytes(p), bytes);
	rl_strpool_release(p, again);
	for (int i = 0; i < 5; i++)
		if (i != 1)
			rl_strpool_release(p, ref[i]);
	rl_strpool_release(p, 0);
	CHECK_INT(rl_strpool_used(p), 0);
	rl_strpool_free(p);
}

int main(void)
{
	test_keyindex();
	test_strpool();
	return check_done("memory");
}
