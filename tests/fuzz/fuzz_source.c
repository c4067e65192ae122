/* fuzz_source.c - the line reader (lib/input/source.h) on arbitrary bytes, plain and gzip.
 *
 * The input is read three ways through a memfd (opened by path, /proc/self/fd/N): as
 * it is (it may itself be gzip), gzip-compressed with zlib, and that gzip cut short at
 * a point the input chooses. Each is peeked (rl_source_peek) and then read to the end
 * with small buffers and a small max_line, so overlong lines, lines across buffer
 * refills and "\r\n" all happen. Checked: every line handed out (or its excerpt) is the
 * stream's bytes at its offset, and a line within max_line is never marked overlong. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/input/source.h"

static int fd = -1;

static void put(const void *p, size_t n)
{
	if (fd < 0 && (fd = memfd_create("input", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) || (n && pwrite(fd, p, n, 0) != (ssize_t)n))
		abort();
}

/* Reads the memfd; stream/n: what its lines must come from (NULL: not checked). */
static void read_all(const rl_source_opts *o, const uint8_t *stream, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	rl_source *s;
	rl_err err;
	if (rl_source_open(&s, path, o, &err))
		abort();
	const char *p;
	size_t pn;
	if (rl_source_peek(s, 100, &p, &pn, &err) == 0 && stream && (pn > n || memcmp(p, stream, pn)))
		abort();
	rl_line line;
	int r;
	while ((r = rl_source_next(s, &line, &err)) == 1) {
		if (!line.overlong && (line.n > o->max_line || line.full_len != line.n))
			abort();
		if (stream &&
		    (line.offset > n || line.n > n - line.offset || memcmp(line.p, stream + line.offset, line.n)))
			abort();
	}
	if (r != 0 && r != RL_EINPUT)
		abort();
	(void)rl_source_is_gzip(s);
	(void)rl_source_bytes_read(s);
	rl_source_free(s);
}

static size_t gzip(const uint8_t *in, size_t n, uint8_t **out)
{
	z_stream z = {0};
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	size_t cap = deflateBound(&z, n) + 64;
	*out = malloc(cap);
	if (!*out)
		abort();
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	bool plain_is_gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
	rl_source_opts small = {.buffer_size = 64, .max_line = 40};
	rl_source_opts mid = {.buffer_size = 300, .max_line = 120};

	put(data, size);
	read_all(&small, plain_is_gzip ? NULL : data, size);
	read_all(&mid, plain_is_gzip ? NULL : data, size);

	uint8_t *z;
	size_t zn = gzip(data, size, &z);
	put(z, zn);
	read_all(&small, data, size);
	size_t cut = size ? (data[size - 1] * 257u + data[0]) % zn : zn / 2;
	put(z, cut);
	read_all(&mid, cut >= 2 ? data : NULL, size); /* under 2 bytes it is no gzip */
	free(z);
	return 0;
}
