/* test_slab.c - fixed-size slots by reference (lib/mem/slab.h): references ≥ 1, zeroed
 * slots (fresh and recycled), slots that stay put while the slab grows, the 4-byte
 * minimum, release and reuse without growth. */
#include <stdlib.h>

#include "lib/mem/slab.h"
#include "tests/check.h"

static void test_alloc(void)
{
	rl_slab *s = rl_slab_new(24);
	CHECK(s != NULL);
	CHECK_INT(rl_slab_used(s), 0);
	uint32_t a = rl_slab_alloc(s), b = rl_slab_alloc(s), c = rl_slab_alloc(s);
	CHECK(a >= 1 && b >= 1 && c >= 1);
	CHECK(a != b && b != c && a != c);
	CHECK_INT(rl_slab_used(s), 3);
	CHECK(rl_slab_bytes(s) >= 3 * 24);
	/* distinct slots that do not overlap */
	char *pa = rl_slab_get(s, a), *pb = rl_slab_get(s, b), *pc = rl_slab_get(s, c);
	memset(pa, 'a', 24);
	memset(pb, 'b', 24);
	memset(pc, 'c', 24);
	CHECK(pa[0] == 'a' && pa[23] == 'a');
	CHECK(pb[0] == 'b' && pb[23] == 'b');
	CHECK(pc[0] == 'c' && pc[23] == 'c');
	/* release 0 is ignored */
	rl_slab_release(s, 0);
	CHECK_INT(rl_slab_used(s), 3);
	/* a recycled slot comes back zeroed, and the others are untouched */
	rl_slab_release(s, b);
	CHECK_INT(rl_slab_used(s), 2);
	uint32_t d = rl_slab_alloc(s);
	CHECK(d != a && d != c);
	char *pd = rl_slab_get(s, d);
	int zero = 1;
	for (int i = 0; i < 24; i++)
		zero &= pd[i] == 0;
	CHECK(zero);
	CHECK(pa[0] == 'a' && pa[23] == 'a');
	CHECK(pc[0] == 'c' && pc[23] == 'c');
	CHECK_INT(rl_slab_used(s), 3);
	rl_slab_free(s);
	rl_slab_free(NULL);
}

static void test_small_slots(void)
{
	/* slot_size below 4 still gives 4-byte slots: 3,000 uint32 values do not overlap */
	rl_slab *s = rl_slab_new(1);
	enum { N = 3000 };
	static uint32_t ref[N];
	for (uint32_t i = 0; i < N; i++) {
		ref[i] = rl_slab_alloc(s);
		uint32_t v = i * 2654435761u;
		memcpy(rl_slab_get(s, ref[i]), &v, 4);
	}
	int ok = 1;
	for (uint32_t i = 0; i < N; i++) {
		uint32_t v;
		memcpy(&v, rl_slab_get(s, ref[i]), 4);
		ok &= v == i * 2654435761u;
	}
	CHECK(ok);
	CHECK_INT(rl_slab_used(s), N);
	rl_slab_free(s);
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

static void test_stable_and_reuse(void)
{
	/* slots stay put while the slab grows through many chunks (and its chunk list with them) */
	rl_slab *s = rl_slab_new(16);
	uint32_t first = rl_slab_alloc(s);
	char *p = rl_slab_get(s, first);
	memcpy(p, "first slot here", 16);
	enum { N = 40000 };
	static uint32_t ref[N];
	int zeroed = 1, distinct = 1;
	for (int i = 0; i < N; i++) {
		ref[i] = rl_slab_alloc(s);
		char *q = rl_slab_get(s, ref[i]);
		for (int k = 0; k < 16; k++)
			zeroed &= q[k] == 0;
		distinct &= ref[i] != first && (i == 0 || ref[i] != ref[i - 1]);
		snprintf(q, 16, "slot %d", i);
	}
	CHECK(zeroed);
	CHECK(distinct);
	CHECK(rl_slab_get(s, first) == p);
	CHECK_STR(p, "first slot here");
	int ok = 1;
	char want[16];
	for (int i = 0; i < N; i++) {
		snprintf(want, sizeof want, "slot %d", i);
		ok &= strcmp(rl_slab_get(s, ref[i]), want) == 0;
	}
	CHECK(ok);
	CHECK_INT(rl_slab_used(s), N + 1);
	/* give back every slot, take as many again: no growth, and the same references */
	size_t bytes = rl_slab_bytes(s);
	for (int i = 0; i < N; i++)
		rl_slab_release(s, ref[i]);
	CHECK_INT(rl_slab_used(s), 1);
	/* each new reference is one of those released, none twice */
	qsort(ref, N, sizeof *ref, cmp_u32);
	static char seen[N];
	int in_range = 1, again = 1;
	for (int i = 0; i < N; i++) {
		uint32_t r = rl_slab_alloc(s);
		uint32_t *hit = bsearch(&r, ref, N, sizeof *ref, cmp_u32);
		in_range &= hit != NULL;
		if (hit) {
			again &= !seen[hit - ref];
			seen[hit - ref] = 1;
		}
	}
	CHECK(in_range);
	CHECK(again);
	CHECK_INT(rl_slab_bytes(s), bytes);
	CHECK_INT(rl_slab_used(s), N + 1);
	CHECK_STR(p, "first slot here");
	rl_slab_free(s);
}

int main(void)
{
	test_alloc();
	test_small_slots();
	test_stable_and_reuse();
	return check_done("slab");
}
