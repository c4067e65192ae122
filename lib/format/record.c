/* format/record.c - request-line splitting shared by every format. */
#include "lib/format/record.h"

#include "lib/base/timestamp.h"

void rl_record_reset(rl_record *r)
{
	memset(r, 0, sizeof *r);
	r->time_res_us = 1000000;
	r->duration_us = -1;
	r->status = -1;
	r->bytes = -1;
}

/* RFC 9110 tchar: letters, digits and !#$%&'*+-.^_`|~ */
static bool is_tchar(unsigned char c)
{
	/* clang-format off */
	static const unsigned char t[256] = {
		['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
		['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
		['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
		['y'] = 1, ['z'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
		['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
		['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
		['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
		['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['!'] = 1, ['#'] = 1,
		['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1,
		['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1,
	};
	/* clang-format on */
	return t[c];
}

void rl_record_split_request(rl_record *r, rl_str req)
{
	const char *p = req.p, *end = req.p + req.n;
	const char *m = p;
	while (m < end && is_tchar((unsigned char)*m))
		m++;
	if (m == p || m == end || *m != ' ' || m - p > 32) {
		/* no request line: the raw text stands for the target, so that only the same
		 * bytes count as the same request */
		r->method = r->protocol = RL_STR_NULL;
		r->target = req;
		return;
	}
	r->method = rl_str_make(p, (size_t)(m - p));
	const char *t = m;
	while (t < end && *t == ' ')
		t++;
	/* the protocol is the last token when it starts with "HTTP/" */
	const char *e = end;
	while (e > t && e[-1] == ' ')
		e--;
	const char *sp = e;
	if (e - t > 9 && e[-9] == ' ' && e[-3] != ' ' && e[-2] != ' ' && memcmp(e - 8, "HTTP/", 5) == 0)
		sp = e - 8; /* " HTTP/1.1": the loop below would stop there */
	else
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

int64_t rl_retry_after_us(rl_str v, int64_t response_end_us)
{
	while (v.n && (v.p[0] == ' ' || v.p[0] == '\t'))
		v.p++, v.n--;
	while (v.n && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
		v.n--;
	if (v.n == 0 || rl_str_is_dash(v))
		return -1;
	int64_t us;
	if (v.p[0] >= '0' && v.p[0] <= '9')
		return rl_duration_parse(v, 1000000, &us, NULL) ? us : -1;
	if (!rl_timestamp_parse_http_date(v, &us))
		return -1;
	return us > response_end_us ? us - response_end_us : 0;
}
