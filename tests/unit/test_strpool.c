/* test_strpool.c - short strings by reference (lib/mem/strpool.h): copies of n bytes, the
 * cut at RL_STRPOOL_MAX, every length across the size classes, embedded NULs, release
 * and reuse without growth, and many strings held at once. */
#include <stdlib.h>

#include "lib/mem/strpool.h"
#include "tests/check.h"

static void test_basic(void)
{
	rl_strpool *p = rl_strpool_new();
	CHECK(p != NULL);
	CHECK_INT(rl_strpool_used(p), 0);
	/* 0 is no string: "" and release ignores it */
	CHECK_STR(rl_strpool_get(p, 0), "");
	rl_strpool_release(p, 0);
	CHECK_INT(rl_strpool_used(p), 0);
	/* n bytes of a view that is not NUL-terminated */
	const char line[] = "GET /v1/leads/7 HTTP/1.1";
	uint32_t a = rl_strpool_put(p, line + 4, 11);
	uint32_t b = rl_strpool_put(p, line, 3);
	uint32_t e = rl_strpool_put(p, line, 0);
	CHECK(a != 0 && b != 0 && e != 0);
	CHECK(a != b && b != e && a != e);
	CHECK_STR(rl_strpool_get(p, a), "/v1/leads/7");
	CHECK_STR(rl_strpool_get(p, b), "GET");
	CHECK_STR(rl_strpool_get(p, e), "");
	CHECK_INT(rl_strpool_used(p), 3);
	/* a copy: changing the source does not change it */
	char src[] = "abc";
	uint32_t c = rl_strpool_put(p, src, 3);
	src[0] = 'X';
	CHECK_STR(rl_strpool_get(p, c), "abc");
	/* releasing one leaves the others as they were */
	rl_strpool_release(p, b);
	CHECK_INT(rl_strpool_used(p), 3);
	CHECK_STR(rl_strpool_get(p, a), "/v1/leads/7");
	CHECK_STR(rl_strpool_get(p, c), "abc");
	rl_strpool_free(p);
	rl_strpool_free(NULL);
}

static void test_lengths(void)
{
	/* every length from 0 to 140: the first min(n, 127) bytes, then a NUL */
	rl_strpool *p = rl_strpool_new();
	char src[141];
	for (int i = 0; i < 141; i++)
		src[i] = (char)('a' + i % 26);
	uint32_t ref[141];
	for (size_t n = 0; n <= 140; n++)
		ref[n] = rl_strpool_put(p, src, n);
	int ok = 1, nonzero = 1;
	for (size_t n = 0; n <= 140; n++) {
		size_t want = n < RL_STRPOOL_MAX ? n : RL_STRPOOL_MAX;
		const char *s = rl_strpool_get(p, ref[n]);
		nonzero &= ref[n] != 0;
		ok &= strlen(s) == want && memcmp(s, src, want) == 0;
	}
	CHECK(nonzero);
	CHECK(ok);
	CHECK_INT(rl_strpool_used(p), 141);
	CHECK_INT(strlen(rl_strpool_get(p, ref[127])), 127);
	CHECK_INT(strlen(rl_strpool_get(p, ref[128])), 127);
	CHECK_INT(strlen(rl_strpool_get(p, ref[140])), 127);
	/* the boundaries of the classes (16 … 128 bytes with the NUL) keep their last byte */
	CHECK(rl_strpool_get(p, ref[15])[14] == src[14] && rl_strpool_get(p, ref[15])[15] == 0);
	CHECK(rl_strpool_get(p, ref[16])[15] == src[15] && rl_strpool_get(p, ref[16])[16] == 0);
	CHECK(rl_strpool_get(p, ref[127])[126] == src[126] && rl_strpool_get(p, ref[127])[127] == 0);
	rl_strpool_free(p);
}

static void test_embedded_nul(void)
{
	rl_strpool *p = rl_strpool_new();
	uint32_t r = rl_strpool_put(p, "a\0b\0c", 5);
	CHECK(memcmp(rl_strpool_get(p, r), "a\0b\0c", 6) == 0);
	uint32_t h = rl_strpool_put(p, "\xff\x01\x7f", 3);
	CHECK(memcmp(rl_strpool_get(p, h), "\xff\x01\x7f", 4) == 0);
	rl_strpool_free(p);
}

static void test_reuse(void)
{
	/* put and release, again and again: the pool does not grow */
	rl_strpool *p = rl_strpool_new();
	uint32_t keep = rl_strpool_put(p, "/kept", 5);
	uint32_t r[64];
	for (int i = 0; i < 64; i++)
		r[i] = rl_strpool_put(p, "/v1/some/target/of/forty/bytes/or/so", 36);
	for (int i = 0; i < 64; i++)
		rl_strpool_release(p, r[i]);
	size_t bytes = rl_strpool_bytes(p);
	CHECK(bytes > 0);
	CHECK_INT(rl_strpool_used(p), 1);
	char buf[64];
	int ok = 1;
	for (int round = 0; round < 1000; round++) {
		int n = snprintf(buf, sizeof buf, "/v1/round/%d", round);
		uint32_t x = rl_strpool_put(p, buf, (size_t)n);
		ok &= x != 0 && strcmp(rl_strpool_get(p, x), buf) == 0;
		rl_strpool_release(p, x);
	}
	CHECK(ok);
	CHECK_INT(rl_strpool_bytes(p), bytes);
	CHECK_INT(rl_strpool_used(p), 1);
	CHECK_STR(rl_strpool_get(p, keep), "/kept");
	rl_strpool_free(p);
}

static void test_many(void)
{
	/* 20,000 strings of mixed lengths held at once, all intact; then half released,
	 * the other half still intact */
	enum { N = 20000 };
	static uint32_t ref[N];
	rl_strpool *p = rl_strpool_new();
	char buf[160];
	for (int i = 0; i < N; i++) {
		int n = snprintf(buf, sizeof buf, "%0*d", 1 + (i * 37) % 130, i);
		ref[i] = rl_strpool_put(p, buf, (size_t)n);
	}
	CHECK_INT(rl_strpool_used(p), N);
	CHECK(rl_strpool_bytes(p) >= (size_t)N * 16);
	int ok = 1;
	for (int i = 0; i < N; i++) {
		int n = snprintf(buf, sizeof buf, "%0*d", 1 + (i * 37) % 130, i);
		if (n > RL_STRPOOL_MAX)
			buf[RL_STRPOOL_MAX] = 0;
		ok &= strcmp(rl_strpool_get(p, ref[i]), buf) == 0;
	}
	CHECK(ok);
	for (int i = 0; i < N; i += 2)
		rl_strpool_release(p, ref[i]);
	CHECK_INT(rl_strpool_used(p), N / 2);
	ok = 1;
	for (int i = 1; i < N; i += 2) {
		int n = snprintf(buf, sizeof buf, "%0*d", 1 + (i * 37) % 130, i);
		if (n > RL_STRPOOL_MAX)
			buf[RL_STRPOOL_MAX] = 0;
		ok &= strcmp(rl_strpool_get(p, ref[i]), buf) == 0;
	}
	CHECK(ok);
	rl_strpool_free(p);
}

int main(void)
{
	test_basic();
	test_lengths();
	test_embedded_nul();
	test_reuse();
	test_many();
	return check_done("strpool");
}
