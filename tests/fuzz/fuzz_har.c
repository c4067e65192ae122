/* fuzz_har.c - the HAR document format and its detector on arbitrary documents.
 *
 * The input is fed to a fresh har format line by line (each line in a buffer of exactly
 * its size, freed after the call: the format must copy what it keeps), then finish()
 * and next() until the end, the records' views read while valid. rl_har_detect() is
 * asked about every prefix of the first 512 bytes, and about the whole input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/format.h"

static volatile size_t sink;

static void touch(rl_str v)
{
	for (size_t i = 0; i < v.n; i++)
		sink += (unsigned char)v.p[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	size_t lim = size < 512 ? size : 512;
	for (size_t n = 0; n <= lim; n++) {
		int r = rl_har_detect(copy, n, n == size);
		if (r < -1 || r > 1 || (n == size && r == -1))
			abort();
	}
	(void)rl_har_detect(copy, size, true);
	free(copy);

	rl_format *f = NULL;
	rl_err err;
	rl_format_opts o = {.client = size && (data[0] & 1) ? "X-Client-Id" : NULL};
	if (rl_har_format_new(&f, &o, &err))
		return 0;
	rl_record rec;
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = malloc(n ? n : 1);
		if (!line)
			break;
		memcpy(line, p, n);
		if (rl_format_parse(f, line, n, &rec) != RL_REJECT_PENDING)
			abort();
		free(line);
		if (!nl)
			break;
		p = nl + 1;
	}
	if (rl_format_finish(f) == RL_REJECT_NONE) {
		rl_reject rj;
		long long item;
		for (;;) {
			rl_record_reset(&rec);
			if (!rl_format_next(f, &rec, &rj, &item))
				break;
			touch(rec.method), touch(rec.target), touch(rec.protocol), touch(rec.addr);
			touch(rec.user_agent), touch(rec.referer), touch(rec.vhost), touch(rec.client_id);
			touch(rec.forwarded_for), touch(rec.request_id), touch(rec.idempotency_key);
			touch(rec.retry_after), touch(rec.body);
		}
	}
	rl_format_free(f);
	return 0;
}
