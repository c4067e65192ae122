/* test_hash.c - rl_hash_bytes gives the values it always gave: keys hashed by an
 * earlier version (saved retry state, client rows) must be found again. The reference
 * below is the original byte-at-a-time tail; the function's loads must agree with it on
 * every length and seed. */
#include <stdint.h>

#include "lib/base/text.h"
#include "tests/check.h"

static uint64_t ref(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	const uint64_t k1 = 0xa0761d6478bd642fULL, k2 = 0xe7037ed1a0b428dbULL;
	uint64_t h = seed ^ k1 ^ (n * k2), x, y;
	while (n >= 16) {
		memcpy(&x, p, 8);
		memcpy(&y, p + 8, 8);
		__uint128_t r = (__uint128_t)(x ^ k2 ^ h) * (y ^ k1);
		h = (uint64_t)r ^ (uint64_t)(r >> 64);
		p += 16;
		n -= 16;
	}
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
	} else {
		for (size_t i = 0; i < n; i++)
			a |= (uint64_t)p[i] << (8 * i);
	}
	__uint128_t r = (__uint128_t)(h ^ a ^ k2) * (b ^ k1 ^ n);
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

int main(void)
{
	unsigned char buf[64];
	uint64_t x = 1;
	bool all = true;
	for (long t = 0; t < check_rounds(200000); t++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t n = x % 40;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[i] = (unsigned char)x;
		}
		all &= rl_hash_bytes(buf, n, x) == ref(buf, n, x);
	}
	CHECK(all);
	CHECK(rl_hash_bytes("GET", 3, 0) == ref("GET", 3, 0));
	CHECK(rl_hash_bytes("", 0, 7) == ref("", 0, 7));
	return check_done("hash");
}
