/* test_clf_prefix.c - regex.c's two readings of the text before a CLF line's "[time]"
 * agree: the one for the usual "addr ident user " (set_clf_prefix) and the general one
 * (clf_prefix_general), on random prefixes of addresses, names, dashes, quotes, commas,
 * spaces and tabs. The file is included for its static functions. */
#include "lib/format/regex.c"
#include "tests/check.h"

static uint64_t rng = 0x853c49e6748fea9bULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool same_view(rl_str a, rl_str b)
{
	return a.n == b.n && (a.n == 0 ? (a.p == NULL) == (b.p == NULL) : a.p == b.p);
}

int main(void)
{
	static const char *const pieces[] = {"10.1.2.3",
					     "-",
					     "frank",
					     " ",
					     " ",
					     " ",
					     "\t",
					     ",",
					     "\"",
					     "::1",
					     "example.com:80",
					     "a,",
					     "10.0.0.2, 10.0.0.1",
					     "\"1.2.3.4\""};
	char buf[200];
	long long fast = 0;
	bool all = true;
	for (long t = 0; t < check_rounds(300000); t++) {
		size_t n = 0, k = rnd() % 9;
		for (size_t i = 0; i < k; i++) {
			const char *s = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
			size_t m = strlen(s);
			if (n + m > sizeof buf)
				break;
			memcpy(buf + n, s, m);
			n += m;
		}
		if (rnd() % 2 && n + 1 < sizeof buf)
			buf[n++] = ' ';
		rl_record a, b;
		rl_record_reset(&a);
		rl_record_reset(&b);
		bool ra = set_clf_prefix(&a, buf, n), rb = clf_prefix_general(&b, buf, n);
		fast += ra && !b.vhost.p && !b.forwarded_for.p;
		if (ra != rb || (ra && (!same_view(a.addr, b.addr) || !same_view(a.vhost, b.vhost) ||
					!same_view(a.forwarded_for, b.forwarded_for)))) {
			all = false;
			fprintf(stderr, "prefix readings differ on \"%.*s\"\n", (int)n, buf);
		}
	}
	CHECK(all);
	CHECK(fast > check_rounds(10000));
	return check_done("clf_prefix");
}
