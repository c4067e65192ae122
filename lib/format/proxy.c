/* proxy.c - trusted proxy ranges and the walk that finds the client behind them
 * (lib/format/proxy.h). */
#include "lib/format/proxy.h"

#include <arpa/inet.h>
#include <string.h>

/* An address read from a hop: IPv4 in b[0..4), IPv6 in b[0..16), or "unix:". */
typedef struct ip {
	uint8_t b[16];
	bool v4, unix_socket;
} ip;

/* "a.b.c.d": four decimals 0..255 without leading zeros (as inet_pton reads them). */
static bool parse_v4(const char *p, size_t n, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part && (i == n || p[i++] != '.'))
			return false;
		size_t start = i;
		unsigned v = 0;
		while (i < n && p[i] >= '0' && p[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(p[i++] - '0');
		if (i == start || v > 255 || (p[start] == '0' && i - start > 1))
			return false;
		out[part] = (uint8_t)v;
	}
	return i == n;
}

/* An IPv6 address (no brackets, no zone): inet_pton on a NUL-terminated copy. The
 * IPv4-mapped ::ffff:a.b.c.d becomes the IPv4 address. */
static bool parse_v6(const char *p, size_t n, ip *a)
{
	char buf[64];
	if (n < 2 || n >= sizeof buf)
		return false;
	memcpy(buf, p, n);
	buf[n] = 0;
	if (inet_pton(AF_INET6, buf, a->b) != 1)
		return false;
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	a->v4 = memcmp(a->b, mapped, 12) == 0;
	if (a->v4)
		memmove(a->b, a->b + 12, 4);
	return true;
}

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return n > 0;
}

/* One hop: "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:443"
 * or "unix:". Fills *a and *text (the address without port or brackets); false when the
 * hop is no address. */
static bool parse_hop(rl_str h, ip *a, rl_str *text)
{
	memset(a, 0, sizeof *a);
	*text = h;
	if (h.n == 5 && memcmp(h.p, "unix:", 5) == 0) {
		a->unix_socket = true;
		return true;
	}
	if (h.n && h.p[0] == '[') {
		const char *e = memchr(h.p, ']', h.n);
		if (!e)
			return false;
		size_t rest = h.n - (size_t)(e - h.p) - 1;
		if (rest && (e[1] != ':' || !all_digits(e + 2, rest - 1)))
			return false;
		*text = rl_str_make(h.p + 1, (size_t)(e - h.p) - 1);
		return parse_v6(text->p, text->n, a);
	}
	const char *c = memchr(h.p, ':', h.n);
	if (!c) {
		a->v4 = true;
		return parse_v4(h.p, h.n, a->b);
	}
	if (!memchr(c + 1, ':', h.n - (size_t)(c - h.p) - 1)) { /* one colon: IPv4 and a port */
		if (!all_digits(c + 1, h.n - (size_t)(c - h.p) - 1))
			return false;
		*text = rl_str_make(h.p, (size_t)(c - h.p));
		a->v4 = true;
		return parse_v4(text->p, text->n, a->b);
	}
	return parse_v6(h.p, h.n, a);
}

static bool in_range(const rl_proxy_range *r, const ip *a)
{
	if (r->v4 != a->v4)
		return false;
	size_t whole = r->bits / 8;
	if (memcmp(r->addr, a->b, whole) != 0)
		return false;
	unsigned rest = r->bits % 8;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a->b[whole] & mask) == r->addr[whole];
}

static bool trusted(const rl_proxy_table *t, const ip *a)
{
	if (a->unix_socket)
		return t->unix_socket;
	for (size_t i = 0; i < t->n; i++)
		if (in_range(&t->range[i], a))
			return true;
	return false;
}

bool rl_proxy_table_has(const rl_proxy_table *t, rl_str hop)
{
	ip a;
	rl_str text;
	return parse_hop(hop, &a, &text) && trusted(t, &a);
}

int rl_proxy_table_add(rl_proxy_table *t, const char *cidr, rl_err *err)
{
	static const char src[] = "--trusted-proxy";
	size_t n = strlen(cidr);
	if (strchr(cidr, ','))
		return rl_err_set(err, RL_EUSAGE, src, 0, "'%s': one range per option (repeat --trusted-proxy)", cidr);
	if (t->n == RL_PROXY_MAX)
		return rl_err_set(err, RL_EUSAGE, src, 0, "'%s': more than %d ranges", cidr, RL_PROXY_MAX);
	if (n == 5 && memcmp(cidr, "unix:", 5) == 0) {
		t->unix_socket = true;
		return 0;
	}
	const char *slash = strchr(cidr, '/');
	size_t an = slash ? (size_t)(slash - cidr) : n;
	ip a;
	memset(&a, 0, sizeof a);
	bool colon = memchr(cidr, ':', an) != NULL;
	if (!colon)
		a.v4 = true;
	if (!(colon ? parse_v6(cidr, an, &a) : parse_v4(cidr, an, a.b)))
		return rl_err_set(err, RL_EUSAGE, src, 0,
				  "'%s': '%.*s' is not an IPv4 or IPv6 address (give ADDRESS or ADDRESS/BITS: "
				  "10.0.0.0/8, 2001:db8::/32)",
				  cidr, (int)an, cidr);
	bool mapped = a.v4 && colon; /* ::ffff:a.b.c.d/BITS: BITS count the IPv6 prefix */
	unsigned bits = mapped ? 128 : a.v4 ? 32 : 128, max = bits;
	if (slash) {
		const char *b = slash + 1;
		size_t bn = strlen(b);
		if (!all_digits(b, bn))
			return rl_err_set(err, RL_EUSAGE, src, 0, "'%s': the prefix length '%s' is not a number", cidr,
					  b);
		bits = 0;
		for (size_t i = 0; i < bn && bits <= max; i++)
			bits = bits * 10 + (unsigned)(b[i] - '0');
		if (bits > max)
			return rl_err_set(err, RL_EUSAGE, src, 0, "'%s': an %s prefix length is 0 to %u", cidr,
					  a.v4 && !mapped ? "IPv4" : "IPv6", max);
	}
	if (mapped && bits < 96) { /* wider than the mapped block: an IPv6 range after all */
		memmove(a.b + 12, a.b, 4);
		memset(a.b, 0, 10);
		a.b[10] = a.b[11] = 0xff;
		a.v4 = false;
	} else if (mapped) {
		bits -= 96;
	}
	rl_proxy_range *r = &t->range[t->n++];
	memset(r, 0, sizeof *r);
	r->v4 = a.v4;
	r->bits = (uint8_t)bits;
	memcpy(r->addr, a.b, bits / 8);
	if (bits % 8)
		r->addr[bits / 8] = (uint8_t)(a.b[bits / 8] & (0xff << (8 - bits % 8)));
	return 0;
}

/* --- the walk ---------------------------------------------------------------------- */

static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

/* The hops not read yet: the right-most entries of lists[k], then of lists[k + 1]. */
typedef struct hops {
	rl_str list[2];
	int k;
} hops;

/* Takes the next hop (the right-most entry left) into *h; false when none is left. */
static bool next_hop(hops *s, rl_str *h)
{
	for (; s->k < 2; s->k++) {
		rl_str *l = &s->list[s->k];
		size_t end = l->n;
		while (end && is_sep(l->p[end - 1]))
			end--;
		size_t start = end;
		while (start && !is_sep(l->p[start - 1]))
			start--;
		l->n = start;
		if (start == end)
			continue;
		*h = rl_str_make(l->p + start, end - start);
		return true;
	}
	return false;
}

rl_str rl_proxy_client(const rl_proxy_table *t, rl_str addr, rl_str forwarded_for)
{
	/* "-" is how logs write "nothing" */
	hops s = {{rl_str_is_dash(addr) ? RL_STR_NULL : addr,
		   rl_str_is_dash(forwarded_for) ? RL_STR_NULL : forwarded_for},
		  0};
	rl_str h, text, next_text;
	ip a, next;
	if (!next_hop(&s, &h))
		return addr;
	if (!parse_hop(h, &a, &text))
		return h; /* no address: no proxy of ours */
	while (trusted(t, &a)) {
		if (!next_hop(&s, &h) || !parse_hop(h, &next, &next_text))
			break; /* every hop trusted (the left-most is the client), or garbage */
		a = next;
		text = next_text;
	}
	return text;
}
