/* test_source.c - line splitting over plain and gzip input: block boundaries, CRLF,
 * a missing final newline, overlong lines, concatenated, truncated and corrupt gzip;
 * streams: ticks while nothing arrives, a stop (a cut line kept back), idle returns. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/input/source.h"
#include "tests/check.h"

static char dir[] = "/tmp/rl-test-source-XXXXXX";

static const char *path(const char *name)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const char *data, size_t n)
{
	FILE *f = fopen(path(name), "wb");
	fwrite(data, 1, n, f);
	fclose(f);
}

static void write_gz(const char *name, const char *data, size_t n, const char *mode)
{
	gzFile g = gzopen(path(name), mode);
	gzwrite(g, data, (unsigned)n);
	gzclose(g);
}

/* Reads all lines into a newline-joined string (overlong lines as "<LONG:n>"). */
static int slurp(const char *name, size_t bufsize, size_t max_line, char *out, size_t cap, rl_err *err)
{
	rl_source *s;
	rl_source_opts o = {.buffer_size = bufsize, .max_line = max_line};
	int rc = rl_source_open(&s, path(name), &o, err);
	if (rc)
		return rc;
	size_t used = 0;
	out[0] = 0;
	rl_line ln;
	long long expect = 1;
	while ((rc = rl_source_next(s, &ln, err)) == 1) {
		CHECK_INT(ln.lineno, expect++);
		if (ln.overlong)
			used += (size_t)snprintf(out + used, cap - used, "<LONG:%zu>|", ln.full_len);
		else
			used += (size_t)snprintf(out + used, cap - used, "%.*s|", (int)ln.n, ln.p);
	}
	rl_source_free(s);
	return rc;
}

static void test_plain(void)
{
	char out[4096];
	rl_err err;
	write_file("a.log", "one\ntwo\r\n\nthree", 15);
	CHECK_INT(slurp("a.log", 0, 0, out, sizeof out, &err), 0);
	CHECK_STR(out, "one|two||three|");
	/* tiny buffers: every line straddles a block boundary */
	CHECK_INT(slurp("a.log", 4, 3, out, sizeof out, &err), 0);
	CHECK_STR(out, "one|two||<LONG:5>|");
	write_file("empty.log", "", 0);
	CHECK_INT(slurp("empty.log", 0, 0, out, sizeof out, &err), 0);
	CHECK_STR(out, "");
	/* a 1 MiB line between two short ones, with a 64 KiB limit and a 256 KiB buffer */
	size_t big = 1 << 20;
	char *data = malloc(big + 16);
	memcpy(data, "a\n", 2);
	memset(data + 2, 'x', big);
	memcpy(data + 2 + big, "\nb\n", 3);
	write_file("big.log", data, big + 5);
	CHECK_INT(slurp("big.log", 256 * 1024, 64 * 1024, out, sizeof out, &err), 0);
	CHECK_STR(out, "a|<LONG:1048576>|b|");
	/* the same without a final newline after the long line */
	write_file("big2.log", data, big + 2);
	CHECK_INT(slurp("big2.log", 256 * 1024, 64 * 1024, out, sizeof out, &err), 0);
	CHECK_STR(out, "a|<LONG:1048576>|");
	free(data);
	/* binary bytes and NULs are ordinary line content */
	write_file("bin.log", "a\0b\nc\xff\n", 7);
	rl_source *s;
	rl_line ln;
	CHECK_INT(rl_source_open(&s, path("bin.log"), NULL, &err), 0);
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK_INT(ln.n, 3);
	CHECK_INT(ln.offset, 0);
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK_INT(ln.n, 2);
	CHECK_INT(ln.offset, 4);
	CHECK_INT(rl_source_next(s, &ln, &err), 0);
	CHECK(!rl_source_is_gzip(s));
	rl_source_free(s);
	CHECK_INT(rl_source_open(&s, path("missing.log"), NULL, &err), RL_EINPUT);
	CHECK(strstr(err.source, "missing.log") != NULL);
}

static void test_gzip(void)
{
	char out[4096];
	rl_err err;
	const char *text = "alpha\nbeta\ngamma\n";
	write_gz("a.gz", text, strlen(text), "wb");
	CHECK_INT(slurp("a.gz", 0, 0, out, sizeof out, &err), 0);
	CHECK_STR(out, "alpha|beta|gamma|");
	CHECK_INT(slurp("a.gz", 8, 6, out, sizeof out, &err), 0);
	CHECK_STR(out, "alpha|beta|gamma|");
	/* two members back to back, as `cat a.gz b.gz` makes */
	write_gz("b.gz", "delta\n", 6, "wb");
	FILE *o = fopen(path("ab.gz"), "wb");
	for (int k = 0; k < 2; k++) {
		FILE *i = fopen(path(k ? "b.gz" : "a.gz"), "rb");
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, i)) > 0)
			fwrite(buf, 1, n, o);
		fclose(i);
	}
	fclose(o);
	CHECK_INT(slurp("ab.gz", 0, 0, out, sizeof out, &err), 0);
	CHECK_STR(out, "alpha|beta|gamma|delta|");
	/* truncated: the lines before the cut are delivered, then an error */
	char *big = malloc(200000);
	size_t n = 0;
	for (int i = 0; n < 190000; i++)
		n += (size_t)snprintf(big + n, 200000 - n, "line %d with some text to compress\n", i);
	write_gz("t.gz", big, n, "wb1");
	FILE *f = fopen(path("t.gz"), "rb");
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fclose(f);
	CHECK_INT(truncate(path("t.gz"), sz / 2), 0);
	rl_source *s;
	rl_line ln;
	CHECK_INT(rl_source_open(&s, path("t.gz"), NULL, &err), 0);
	int rc, lines = 0;
	while ((rc = rl_source_next(s, &ln, &err)) == 1)
		lines++;
	CHECK_INT(rc, RL_EINPUT);
	CHECK(lines > 0);
	CHECK(strstr(err.msg, "truncated") != NULL);
	CHECK(rl_source_is_gzip(s));
	rl_source_free(s);
	/* corrupt: flip bytes in the middle of the deflate stream */
	write_gz("c.gz", big, n, "wb1");
	f = fopen(path("c.gz"), "r+b");
	fseek(f, 40, SEEK_SET);
	fwrite("\xff\xff\xff\xff\xff\xff\xff\xff", 1, 8, f);
	fclose(f);
	CHECK_INT(rl_source_open(&s, path("c.gz"), NULL, &err), 0);
	while ((rc = rl_source_next(s, &ln, &err)) == 1)
		;
	CHECK_INT(rc, RL_EINPUT);
	CHECK(strstr(err.msg, "gzip") != NULL);
	rl_source_free(s);
	free(big);
}

/* --- streams: ticks while nothing arrives, a stop, the idle return -------------------- */

static int ticks, stop_after;

static bool tick(void *ctx)
{
	(void)ctx;
	return ++ticks < stop_after;
}

/* Makes a pipe standard input (restored by the caller) and returns its write end. */
static int pipe_stdin(int *saved)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	*saved = dup(0);
	dup2(fd[0], 0);
	close(fd[0]);
	return fd[1];
}

static void restore_stdin(int saved)
{
	dup2(saved, 0);
	close(saved);
}

static void test_stream(void)
{
	rl_err err = {0};
	rl_line ln;
	int saved, w = pipe_stdin(&saved);
	CHECK(w >= 0);
	rl_source_opts o = {.tick = tick, .tick_us = 10000};
	rl_source *s;
	CHECK_INT(rl_source_open(&s, "-", &o, &err), 0);
	CHECK(rl_source_is_stream(s));
	CHECK_INT(write(w, "a\nb\n", 4), 4);
	ticks = 0, stop_after = 1000;
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK(ln.n == 1 && ln.p[0] == 'a');
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK(ln.n == 1 && ln.p[0] == 'b');
	CHECK(ticks >= 1); /* before the read */
	/* nothing more: the source ticks every 10 ms while it waits; the 5th tick stops it */
	ticks = 0, stop_after = 5;
	CHECK_INT(rl_source_next(s, &ln, &err), 0);
	CHECK_INT(ticks, 5);
	CHECK(rl_source_stopped(s));
	CHECK_INT(rl_source_dropped(s), 0);
	CHECK_INT(rl_source_next(s, &ln, &err), 0); /* stays stopped */
	rl_source_free(s);
	close(w);
	restore_stdin(saved);

	/* a line without its newline at the stop is not handed out, and its length is kept */
	w = pipe_stdin(&saved);
	CHECK_INT(rl_source_open(&s, "-", &o, &err), 0);
	CHECK_INT(write(w, "c\npartial", 9), 9);
	ticks = 0, stop_after = 1000;
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK(ln.n == 1 && ln.p[0] == 'c');
	ticks = 0, stop_after = 3;
	CHECK_INT(rl_source_next(s, &ln, &err), 0);
	CHECK_INT(rl_source_dropped(s), 7);
	rl_source_free(s);
	close(w);
	restore_stdin(saved);

	/* at the end of a stream (the writer gone) the last line is a line like any other */
	w = pipe_stdin(&saved);
	CHECK_INT(rl_source_open(&s, "-", &o, &err), 0);
	CHECK_INT(write(w, "d\nlast", 6), 6);
	close(w);
	ticks = 0, stop_after = 1000;
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK(ln.n == 4 && memcmp(ln.p, "last", 4) == 0);
	CHECK_INT(rl_source_next(s, &ln, &err), 0);
	CHECK(!rl_source_stopped(s));
	rl_source_free(s);
	restore_stdin(saved);

	/* idle returns: 2 after a tick with nothing to read, then reading goes on */
	w = pipe_stdin(&saved);
	CHECK_INT(rl_source_open(&s, "-", &o, &err), 0);
	CHECK_INT(write(w, "x\n", 2), 2);
	ticks = 0, stop_after = 1000;
	rl_source_set_idle_return(s, true);
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK_INT(rl_source_next(s, &ln, &err), 2);
	CHECK_INT(write(w, "y\n", 2), 2);
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK(ln.n == 1 && ln.p[0] == 'y');
	rl_source_set_idle_return(s, false);
	close(w);
	CHECK_INT(rl_source_next(s, &ln, &err), 0);
	CHECK(!rl_source_stopped(s));
	rl_source_free(s);
	restore_stdin(saved);

	/* a regular file never ticks */
	write_file("plain.log", "p\nq\n", 4);
	ticks = 0, stop_after = 1;
	CHECK_INT(rl_source_open(&s, path("plain.log"), &o, &err), 0);
	CHECK(!rl_source_is_stream(s));
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK_INT(rl_source_next(s, &ln, &err), 1);
	CHECK_INT(rl_source_next(s, &ln, &err), 0);
	CHECK_INT(ticks, 0);
	rl_source_free(s);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_plain();
	test_gzip();
	test_stream();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return check_done("source");
}
