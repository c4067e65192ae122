/* endpoint.c - one pass over the path, segment by segment. */
#include "lib/endpoint.h"

#include <stdbool.h>

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static bool is_uuid(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !is_hex((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool is_email(const char *s, size_t n)
{
	size_t at = 0;
	size_t at_len = 0;
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

/* The placeholder for a segment, or NULL to keep it. */
static const char *placeholder(const char *s, size_t n)
{
	if (n == 0)
		return NULL;
	bool digits = true, hex = true;
	for (size_t i = 0; i < n && (digits || hex); i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < '0' || c > '9')
			digits = false;
		if (!is_hex(c))
			hex = false;
	}
	if (digits || (hex && n >= 16) || is_uuid(s, n))
		return "{id}";
	if (is_email(s, n))
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

size_t rl_endpoint_template(rl_str target, char *out, size_t cap)
{
	const char *p = target.p, *end = target.p + target.n;
	if (target.n == 0)
		return put(out, 0, cap, "-", 1);
	/* absolute-form: scheme "://" authority, then the path */
	const char *colon = memchr(p, ':', target.n < 16 ? target.n : 16);
	if (p[0] != '/' && colon && end - colon >= 3 && colon[1] == '/' && colon[2] == '/') {
		const char *a = colon + 3;
		while (a < end && *a != '/' && *a != '?' && *a != '#')
			a++;
		if (a == end || *a != '/')
			return put(out, 0, cap, "/", 1);
		p = a;
	}
	/* cut the query and fragment */
	const char *q = p;
	while (q < end && *q != '?' && *q != '#')
		q++;
	end = q;
	size_t o = 0;
	const char *seg = p;
	while (o < cap) {
		const char *e = seg;
		while (e < end && *e != '/')
			e++;
		const char *ph = placeholder(seg, (size_t)(e - seg));
		o = ph ? put(out, o, cap, ph, strlen(ph)) : put(out, o, cap, seg, (size_t)(e - seg));
		if (e == end)
			break;
		o = put(out, o, cap, "/", 1);
		seg = e + 1;
	}
	if (o == 0) /* "?x=1" alone */
		o = put(out, 0, cap, "/", 1);
	return o;
}
