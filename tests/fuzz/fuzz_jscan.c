/* fuzz_jscan.c - the one-pass JSON scanner (lib/format/jscan.h) on arbitrary lines.
 *
 * A fixed set of paths, like the JSON profiles' (dotted keys, indexes, quoted keys,
 * arrays taken whole or by their first element, two paths on one slot), is scanned
 * over the input, held in a buffer of exactly its size, with a decode buffer of exactly
 * cap = n bytes. When the input's first line looks like a path list ("#p1 p2 …") those
 * paths are compiled too (the path parser's own input) and the rest is scanned with
 * them. Checked: a found value's view lies inside the line or the decode buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/jscan.h"

static const struct {
	const char *path;
	bool raw;
} fixed[] = {
	{"ts", false},
	{"request.method", false},
	{"request.uri", false},
	{"request.headers.User-Agent", false},
	{"request.headers[\"X.Client-Id\"]", false},
	{"resp_headers.Retry-After", false},
	{"status", false},
	{"a[2].b", false},
	{"a[0]", true},
	{"headers", true},
	{"deep.er.and.deeper.still.eight.steps.x", false},
	{"msg", false},
	{"status", false}, /* slot 6 again: the same path twice */
	{"duration", false}, /* slot 7, shared with a[2].b */
};

static rl_jpaths *fixed_set;

static void check(const rl_jvalue *v, size_t slots, const char *line, size_t n, const char *buf, size_t cap)
{
	for (size_t i = 0; i < slots; i++) {
		if (v[i].type == RL_J_NONE || !v[i].text.n)
			continue;
		const char *p = v[i].text.p;
		bool in_line = p >= line && p + v[i].text.n <= line + n;
		bool in_buf = p >= buf && p + v[i].text.n <= buf + cap;
		if (!in_line && !in_buf)
			abort();
	}
}

static void scan(const rl_jpaths *set, const char *p, size_t n)
{
	char *line = malloc(n ? n : 1), *buf = malloc(n ? n : 1);
	size_t slots = rl_jpaths_slots(set);
	rl_jvalue *vals = calloc(slots ? slots : 1, sizeof *vals);
	if (line && buf && vals) {
		memcpy(line, p, n);
		if (rl_jscan(set, line, n, vals, buf, n))
			check(vals, slots, line, n, buf, n);
	}
	free(line);
	free(buf);
	free(vals);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fixed_set) {
		if (!(fixed_set = rl_jpaths_new()))
			abort();
		for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			if (rl_jpaths_add(fixed_set, fixed[i].path, strlen(fixed[i].path), (int)(i < 12 ? i : i - 6),
					  fixed[i].raw))
				abort();
	}
	const char *p = (const char *)data;
	scan(fixed_set, p, size);

	if (size && p[0] == '#') {
		const char *nl = memchr(p, '\n', size);
		if (!nl)
			return 0;
		rl_jpaths *set = rl_jpaths_new();
		if (!set)
			return 0;
		int slot = 0;
		for (const char *q = p + 1; q < nl && slot < 40;) {
			const char *sp = memchr(q, ' ', (size_t)(nl - q));
			const char *e = sp ? sp : nl;
			char *path = malloc((size_t)(e - q) + 1);
			if (!path)
				break;
			memcpy(path, q, (size_t)(e - q));
			(void)rl_jpaths_add(set, path, (size_t)(e - q), slot % 7 * 37, slot & 1);
			free(path);
			slot++;
			q = e + 1;
		}
		scan(set, nl + 1, size - (size_t)(nl + 1 - p));
		rl_jpaths_free(set);
	}
	return 0;
}
