/* test_endpoint_passes.c - endpoint.c's two passes agree: the one that copies runs
 * (fast_template, for templates that fit) and the one that cuts at the cap
 * (cut_template), on random paths of the bytes the rules turn on. The file is included
 * for its static functions; nothing else of lib/ is used. */
#include "lib/classify/endpoint.c"
#include "tests/check.h"

#include <stdint.h>

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(void)
{
	static const char *const pieces[] = {"/",
					     "/",
					     "/",
					     "v1",
					     "leads",
					     "12345",
					     "7",
					     "0123456789abcdef",
					     "550e8400-e29b-41d4-a716-446655440000",
					     "jane@example.com",
					     "a%40b.co",
					     "?",
					     "#",
					     "x=1",
					     "-",
					     ".",
					     "@",
					     "%",
					     "Z",
					     "ABCDEF",
					     "0123456789ABCDEF",
					     "550E8400-E29B-41D4-A716-446655440000",
					     "\xc3\xa9",
					     "\xc1\x66",
					     "G",
					     "`",
					     "me@x.io",
					     "0123456789abcdeg",
					     "0123456789ABCDEG",
					     "\xb2\xb3\xb9",
					     "12\xb9"};
	char path[400], fast[RL_ENDPOINT_MAX_LEN], cut[RL_ENDPOINT_MAX_LEN];
	long long fits = 0, over = 0;
	bool all = true;
	for (long t = 0; t < check_rounds(200000); t++) {
		size_t n = 0, k = rnd() % 40;
		for (size_t i = 0; i < k; i++) {
			const char *s = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
			size_t m = strlen(s);
			if (n + m > sizeof path)
				break;
			memcpy(path + n, s, m);
			n += m;
		}
		size_t cap = rnd() % 2 ? RL_ENDPOINT_MAX_LEN : 16 + rnd() % 48;
		size_t a = fast_template(path, path + n, fast, cap), b = cut_template(path, path + n, cut, cap);
		if (!a) { /* it declines only what does not fit */
			over++;
			all &= b == cap;
			continue;
		}
		fits++;
		if (a != b || memcmp(fast, cut, a) != 0) {
			all = false;
			fprintf(stderr, "passes differ on \"%.*s\" (cap %zu): \"%.*s\" vs \"%.*s\"\n", (int)n, path,
				cap, (int)a, fast, (int)b, cut);
		}
	}
	CHECK(all);
	CHECK(fits > check_rounds(10000));
	/* the table, byte by byte, against the classes' definitions */
	bool table = true;
	for (int b = 0; b < 256; b++) {
		unsigned want = C_OTHER;
		if (b >= '0' && b <= '9')
			want = C_DIGIT | C_HEX;
		else if ((b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F'))
			want = C_HEX;
		else if (b == '-')
			want = C_DASH;
		else if (b == '@')
			want = C_AT;
		else if (b == '.')
			want = C_DOT;
		else if (b == '%')
			want = C_PCT;
		else if (b == '/')
			want = C_SLASH;
		else if (b == '?' || b == '#')
			want = C_END;
		if (cls_of((char)b) != want) {
			fprintf(stderr, "class of byte 0x%02x: %u, want %u\n", b, cls_of((char)b), want);
			table = false;
		}
	}
	CHECK(table);
	CHECK(over > check_rounds(1000));
	return check_done("endpoint_passes");
}
