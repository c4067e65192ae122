/* test_scan.c - rl_find2 (lib/base/scan.h) against a byte loop, on runs of every length
 * from 0 to 59 at every offset, of bytes that are often the ones looked for. */
#include <stdbool.h>
#include <stdint.h>

#include "lib/base/scan.h"
#include "tests/check.h"

int main(void)
{
	char buf[100];
	uint64_t x = 7;
	bool all = true;
	for (long t = 0; t < check_rounds(500000); t++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t n = x % 60, at = (x >> 8) % 10;
		for (size_t i = 0; i < n + at; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[i] = "ab\"\\xyz"[x % 7];
		}
		const char *p = buf + at, *end = p + n, *q = p;
		while (q < end && *q != '"' && *q != '\\')
			q++;
		all &= rl_find2(p, end, '"', '\\') == q;
	}
	CHECK(all);
	return check_done("scan");
}
