/* test_split_request.c - rl_record_split_request against its plain reading (the
 * byte loops it had before the " HTTP/x.y" shortcut and the one-table tchar test), on
 * random request lines of methods, spaces, targets and protocols. */
#include <stdint.h>

#include "lib/format/record.h"
#include "tests/check.h"

static bool tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void ref(rl_record *r, rl_str req)
{
	const char *p = req.p, *end = req.p + req.n, *m = p;
	while (m < end && tchar((unsigned char)*m))
		m++;
	if (m == p || m == end || *m != ' ' || m - p > 32) {
		r->method = r->protocol = RL_STR_NULL;
		r->target = req;
		return;
	}
	r->method = rl_str_make(p, (size_t)(m - p));
	const char *t = m;
	while (t < end && *t == ' ')
		t++;
	const char *e = end;
	while (e > t && e[-1] == ' ')
		e--;
	const char *sp = e;
	while (sp > t && sp[-1] != ' ')
		sp--;
	if (sp > t && e - sp >= 5 && memcmp(sp, "HTTP/", 5) == 0) {
		r->protocol = rl_str_make(sp, (size_t)(e - sp));
		e = sp;
		while (e > t && e[-1] == ' ')
			e--;
	} else {
		r->protocol = RL_STR_NULL;
	}
	r->target = rl_str_make(t, (size_t)(e - t));
}

static bool same(rl_str a, rl_str b)
{
	return a.n == b.n && a.p == b.p;
}

int main(void)
{
	static const char *const pieces[] = {
		"GET",	     "POST", " ",	 " ", "/v1/a", "?x=1",	   "HTTP/1.1", "HTTP/2.0", "HTTP/",   "1.1",
		" HTTP/1.1", "x",    "\x16\x03", "-", "\"",    "M-SEARCH", "HTTP/ x1", "HTTP/x y", "HTTP/xy "};
	char buf[120];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	bool all = true;
	for (long t = 0; t < check_rounds(300000); t++) {
		size_t n = 0;
		for (size_t k = x % 7; k > 0; k--) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			const char *s = pieces[x % (sizeof pieces / sizeof pieces[0])];
			size_t m = strlen(s);
			if (n + m > sizeof buf)
				break;
			memcpy(buf + n, s, m);
			n += m;
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		rl_record a, b;
		rl_record_reset(&a);
		rl_record_reset(&b);
		rl_record_split_request(&a, rl_str_make(buf, n));
		ref(&b, rl_str_make(buf, n));
		if (!same(a.method, b.method) || !same(a.target, b.target) || !same(a.protocol, b.protocol)) {
			if (all)
				fprintf(stderr, "split differs on \"%.*s\"\n", (int)n, buf);
			all = false;
		}
	}
	CHECK(all);
	return check_done("split_request");
}
