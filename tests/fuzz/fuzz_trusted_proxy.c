/* fuzz_trusted_proxy.c - --trusted-proxy ranges and the walk on arbitrary text.
 *
 * The input is split at '\n': the lines up to the first empty one are ranges, each read
 * by rl_proxy_table_add() (NUL-terminated, as the command line gives them; most are
 * refused, which is fine); every later line is "ADDR\tX-FORWARDED-FOR", whose two parts
 * are copied to buffers of exactly their size (so ASan sees any read past them) and
 * walked by rl_proxy_client(), which must return a view inside one of them (or the
 * address itself). Then the same line goes through a combined and an nginx format made
 * with the ranges, whose client must be a view into the line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/format.h"
#include "lib/format/proxy.h"

static bool inside(rl_str v, const char *p, size_t n)
{
	return v.p >= p && v.p + v.n <= p + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	rl_proxy_table t = {.n = 0};
	const char *ranges[RL_PROXY_MAX];
	char *owned[RL_PROXY_MAX];
	size_t nranges = 0;
	rl_err err;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n == 0) {
			p++;
			break;
		}
		char *c = malloc(n + 1);
		if (!c)
			break;
		memcpy(c, p, n);
		c[n] = 0;
		if (nranges < RL_PROXY_MAX && rl_proxy_table_add(&t, c, &err) == 0) {
			ranges[nranges] = c;
			owned[nranges++] = c;
		} else {
			free(c);
		}
		p += n + (nl != NULL);
	}
	rl_format_opts o = {.trusted_proxies = ranges, .ntrusted_proxies = nranges};
	rl_format *f[2] = {NULL, NULL};
	if (nranges) {
		rl_format_new(&f[0], "combined", &o, &err);
		rl_format_new(&f[1], "nginx:$remote_addr [$time_local] \"$http_x_forwarded_for\" $status", &o, &err);
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *tab = memchr(p, '\t', n);
		size_t an = tab ? (size_t)(tab - p) : n, xn = tab ? n - an - 1 : 0;
		char *a = malloc(an ? an : 1), *x = malloc(xn ? xn : 1), *line = malloc(n ? n : 1);
		if (a && x && line) {
			memcpy(a, p, an);
			memcpy(x, tab ? tab + 1 : p, xn);
			memcpy(line, p, n);
			rl_str addr = rl_str_make(a, an), xff = rl_str_make(x, xn);
			rl_str c = rl_proxy_client(&t, addr, xff);
			if (!(c.p == addr.p && c.n == addr.n) && !inside(c, a, an) && !inside(c, x, xn))
				abort(); /* the client must be a view into the inputs */
			(void)rl_proxy_table_has(&t, addr);
			rl_record rec;
			for (int k = 0; k < 2; k++)
				if (f[k] && rl_format_parse(f[k], line, n, &rec) == RL_REJECT_NONE && rec.addr.p &&
				    !inside(rec.addr, line, n))
					abort();
		}
		free(a);
		free(x);
		free(line);
		p += n + (nl != NULL);
	}
	rl_format_free(f[0]);
	rl_format_free(f[1]);
	for (size_t i = 0; i < nranges; i++)
		free(owned[i]);
	return 0;
}
