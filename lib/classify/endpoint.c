/* classify/endpoint.c - one pass over the path, segment by segment. */
#include "lib/classify/endpoint.h"

#include <stdbool.h>

/* Character classes for one pass over a segment, one entry per byte. */
enum { C_DIGIT = 1, C_HEX = 2, C_DASH = 4, C_AT = 8, C_DOT = 16, C_PCT = 32, C_OTHER = 64, C_SLASH = 128, C_END = 256 };
#define D (C_DIGIT | C_HEX)
#define H C_HEX
#define M C_DASH
#define A C_AT
#define P C_DOT
#define Q C_PCT
#define S C_SLASH
#define E C_END
#define O C_OTHER
/* clang-format off */
static const unsigned short cls[256] = {
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, E, O, Q, O, O, O, O, O, O, O, M, P, S,
	D, D, D, D, D, D, D, D, D, D, O, O, O, O, O, E,
	A, H, H, H, H, H, H, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, H, H, H, H, H, H, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
};
/* clang-format on */
#undef D
#undef H
#undef M
#undef A
#undef P
#undef Q
#undef S
#undef E
#undef O

static unsigned cls_of(char c)
{
	return cls[(unsigned char)c];
}

static bool is_uuid(const char *s)
{
	/* 36 characters, hex or dash, known to have dashes only at 8 13 18 23 */
	return s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-';
}

/* local@domain.tld, the @ possibly written %40 */
static bool is_email(const char *s, size_t n)
{
	size_t at = 0, at_len = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '@') {
			at = i, at_len = 1;
			break;
		}
		if (s[i] == '%' && i + 2 < n && s[i + 1] == '4' && s[i + 2] == '0') {
			at = i, at_len = 3;
			break;
		}
	}
	if (!at_len || at == 0)
		return false;
	const char *d = s + at + at_len;
	size_t dn = n - at - at_len;
	const char *dot = dn ? memchr(d, '.', dn) : NULL;
	return dot && dot > d && dot < d + dn - 1;
}

/* The placeholder for a segment of n bytes whose characters' classes, and-ed and
 * or-ed, are all and any; NULL to keep the segment. */
static const char *placeholder(const char *s, size_t n, unsigned all, unsigned any)
{
	if (n == 0)
		return NULL;
	if ((all & C_DIGIT) || ((all & C_HEX) && n >= 16))
		return "{id}";
	if (n == 36 && !(any & ~(C_DIGIT | C_HEX | C_DASH)) && (any & C_DASH) && is_uuid(s)) {
		/* every character hex or dash: dashes exactly at the UUID positions */
		size_t dashes = 0;
		for (size_t i = 0; i < n; i++)
			dashes += s[i] == '-';
		if (dashes == 4)
			return "{id}";
	}
	if ((any & (C_AT | C_PCT)) && (any & C_DOT) && is_email(s, n))
		return "{email}";
	return NULL;
}

static size_t put(char *out, size_t o, size_t cap, const char *s, size_t n)
{
	if (o + n > cap)
		n = cap - o;
	memcpy(out + o, s, n);
	return o + n;
}

/* The one pass below, for a template that fits in cap: the classes are read byte by
 * byte and the bytes copied only around a placeholder and at the end, a run at a time.
 * Returns 0 where the template would not fit; the pass below, which cuts it, then
 * starts over. */
static size_t fast_template(const char *p, const char *end, char *out, size_t cap)
{
	if (cap < 16)
		return 0;
	const char *q = p, *a = p; /* a: the target is copied up to here */
	size_t o = 0;
	for (;;) {
		const char *seg = q;
		unsigned all = 0xffff, any = 0, c = C_END;
		for (; q < end; q++) {
			c = cls_of(*q);
			if (c & (C_SLASH | C_END))
				break;
			all &= c;
			any |= c;
		}
		if (q == end)
			c = C_END;
		/* placeholder()'s own tests, first: most segments are words */
		bool maybe = (all & (C_DIGIT | C_HEX)) || (any & (C_AT | C_PCT)) || q - seg == 36;
		const char *ph = maybe ? placeholder(seg, (size_t)(q - seg), all, any) : NULL;
		if (ph) {
			size_t k = strlen(ph), m = (size_t)(seg - a);
			if (o + m + k >= cap)
				return 0;
			memcpy(out + o, a, m);
			memcpy(out + o + m, ph, k);
			o += m + k;
			a = q;
		}
		if (c & C_END)
			break;
		q++;
	}
	size_t m = (size_t)(q - a);
	if (o + m >= cap)
		return 0;
	memcpy(out + o, a, m);
	o += m;
	if (o == 0) /* "?x=1" alone */
		out[o++] = '/';
	return o;
}

/* The path from p to its template in out, cut at cap bytes. */
static size_t cut_template(const char *p, const char *end, char *out, size_t cap)
{
	/* one pass: segments end at '/', the path at '?', '#' or the end */
	const char *seg = p;
	size_t o = 0;
	unsigned all = 0xffff, any = 0;
	for (const char *q = p;; q++) {
		unsigned c = q < end ? cls_of(*q) : C_END;
		if (c & (C_SLASH | C_END)) {
			size_t sn = (size_t)(q - seg);
			const char *ph = placeholder(seg, sn, all, any);
			o = ph ? put(out, o, cap, ph, strlen(ph)) : put(out, o, cap, seg, sn);
			if ((c & C_END) || o == cap)
				break;
			o = put(out, o, cap, "/", 1);
			seg = q + 1;
			all = 0xffff;
			any = 0;
			continue;
		}
		all &= c;
		any |= c;
	}
	if (o == 0) /* "?x=1" alone */
		o = put(out, 0, cap, "/", 1);
	return o;
}

size_t rl_endpoint_template(rl_str target, char *out, size_t cap)
{
	const char *p = target.p, *end = target.p + target.n;
	if (target.n == 0)
		return put(out, 0, cap, "-", 1);
	/* absolute-form: scheme "://" authority, then the path */
	const char *colon = p[0] == '/' ? NULL : memchr(p, ':', target.n < 16 ? target.n : 16);
	if (colon && end - colon >= 3 && colon[1] == '/' && colon[2] == '/') {
		const char *a = colon + 3;
		while (a < end && *a != '/' && *a != '?' && *a != '#')
			a++;
		if (a == end || *a != '/')
			return put(out, 0, cap, "/", 1);
		p = a;
	}
	size_t o = fast_template(p, end, out, cap);
	return o ? o : cut_template(p, end, out, cap);
}
