/* input/source.c - block reads, gzip inflation and zero-copy line splitting. */
#include "lib/input/source.h"

#include <errno.h>
#include <stdatomic.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define RAW_CAP (256 * 1024)
#define EXCERPT 256

struct zpipe;
struct rl_source {
	char *name;
	int fd;
	bool own_fd;
	bool raw_eof; /* read(2) returned 0 */
	bool decided; /* gzip or not is known */
	bool gzip;
	bool z_ready; /* zs initialised */
	struct zpipe *zp; /* a regular gzip file: inflated on a thread of its own (below) */
	bool z_done; /* the last gzip member ended and nothing follows */
	const char *z_bad; /* zlib's message of a corrupt stream, reported after the bytes before it */
	z_stream zs;
	unsigned char *raw; /* compressed input, gzip only (and the sniffed first bytes) */
	size_t raw_start, raw_end;

	char *buf; /* decompressed bytes: [start, end) not yet handed out */
	size_t cap, start, end, scan;
	size_t max_line;
	long long lineno;
	uint64_t offset; /* stream offset of buf[start] */
	_Atomic uint64_t bytes_read; /* the inflating thread adds, the reader reads */
	char excerpt[EXCERPT];
	/* a stream's ticks (rl_source_opts) */
	bool stream, stopped;
	bool idle_return, idled; /* rl_source_set_idle_return; a tick passed with nothing to read */
	bool peek_idled; /* rl_source_peek returned early for it (rl_source_take_idle) */
	bool (*tick)(void *ctx);
	void *tick_ctx;
	int tick_ms;
	size_t dropped; /* bytes of a line without its newline, not handed out at a stop */
};

static void zpipe_start(rl_source *s);
static void zpipe_stop(rl_source *s);

int rl_source_open(rl_source **out, const char *path, const rl_source_opts *opts, rl_err *err)
{
	*out = NULL;
	rl_source *s = calloc(1, sizeof *s);
	if (!s)
		return rl_err_set(err, RL_ENOMEM, path, 0, "out of memory");
	size_t bs = opts && opts->buffer_size ? opts->buffer_size : 1 << 20;
	s->max_line = opts && opts->max_line ? opts->max_line : 64 * 1024;
	s->cap = bs > s->max_line + 2 ? bs : s->max_line + 2; /* the line, "\r\n" */
	s->buf = malloc(s->cap);
	s->raw = malloc(RAW_CAP);
	s->name = strdup(path);
	if (!s->buf || !s->raw || !s->name) {
		rl_source_free(s);
		return rl_err_set(err, RL_ENOMEM, path, 0, "out of memory");
	}
	if (strcmp(path, "-") == 0) {
		s->fd = 0;
	} else {
		/* a FIFO's open waits for a writer: a signal that stops the run ends the wait */
		while ((s->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && errno == EINTR)
			if (opts && opts->tick && !opts->tick(opts->tick_ctx))
				break;
		if (s->fd < 0 && errno == EINTR) { /* stopped before any byte: an empty input */
			s->stopped = s->raw_eof = s->decided = true;
			*out = s;
			return 0;
		}
		if (s->fd < 0) {
			int e = errno;
			rl_source_free(s);
			return rl_err_set(err, RL_EINPUT, path, 0, "cannot open: %s", strerror(e));
		}
		s->own_fd = true;
	}
	struct stat sb;
	s->stream = fstat(s->fd, &sb) == 0 && !S_ISREG(sb.st_mode);
	if (opts && opts->tick) {
		s->tick = opts->tick;
		s->tick_ctx = opts->tick_ctx;
		s->tick_ms = opts->tick_us > 0 ? (int)((opts->tick_us + 999) / 1000) : 200;
	}
	*out = s;
	return 0;
}

int rl_source_open_mem(rl_source **out, const char *name, const void *data, size_t n, const rl_source_opts *opts,
		       rl_err *err)
{
	rl_source_opts o = opts ? *opts : (rl_source_opts){0};
	o.tick = NULL;
	if (!o.max_line || o.max_line < n)
		o.max_line = n;
	if (!o.buffer_size || o.buffer_size < n + 2)
		o.buffer_size = n + 2;
	*out = NULL;
	rl_source *s = calloc(1, sizeof *s);
	if (!s)
		return rl_err_set(err, RL_ENOMEM, name, 0, "out of memory");
	s->max_line = o.max_line;
	s->cap = o.buffer_size > s->max_line + 2 ? o.buffer_size : s->max_line + 2;
	s->buf = malloc(s->cap);
	s->name = strdup(name);
	s->fd = -1;
	if (!s->buf || !s->name) {
		rl_source_free(s);
		return rl_err_set(err, RL_ENOMEM, name, 0, "out of memory");
	}
	memcpy(s->buf, data, n);
	s->end = n;
	s->raw_eof = s->decided = true;
	*out = s;
	return 0;
}

void rl_source_set_idle_return(rl_source *s, bool on)
{
	s->idle_return = on;
}

bool rl_source_take_idle(rl_source *s)
{
	bool was = s->peek_idled;
	s->peek_idled = false;
	return was;
}

bool rl_source_is_stream(const rl_source *s)
{
	return s->stream;
}

bool rl_source_stopped(const rl_source *s)
{
	return s->stopped;
}

size_t rl_source_dropped(const rl_source *s)
{
	return s->dropped;
}

const char *rl_source_name(const rl_source *s)
{
	return s->name;
}

bool rl_source_is_gzip(const rl_source *s)
{
	return s->gzip;
}

uint64_t rl_source_bytes_read(const rl_source *s)
{
	return atomic_load_explicit(&s->bytes_read, memory_order_relaxed);
}

uint64_t rl_source_position(const rl_source *s)
{
	off_t p = s->stream ? -1 : lseek(s->fd, 0, SEEK_CUR);
	return p >= 0 ? (uint64_t)p : atomic_load_explicit(&s->bytes_read, memory_order_relaxed);
}

void rl_source_free(rl_source *s)
{
	if (!s)
		return;
	zpipe_stop(s); /* before the decoder and the file it reads go */
	if (s->z_ready)
		inflateEnd(&s->zs);
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s->raw);
	free(s->name);
	free(s);
}

/* At end of input: RL_EINPUT when a regular file is now shorter than where reading
 * got to (truncated under us, e.g. logrotate's copytruncate): the lines before count,
 * the cut line does not. */
static int check_shrunk(rl_source *s, rl_err *err)
{
	struct stat sb;
	off_t at = lseek(s->fd, 0, SEEK_CUR);
	if (at <= 0 || fstat(s->fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size >= at)
		return 0;
	/* on the inflating thread the reader's line is not known here: zpipe_take sets it */
	return rl_err_set(err, RL_EINPUT, s->name, s->zp ? 0 : s->lineno + 1,
			  "the file shrank to %lld bytes while it was read (at byte %lld): truncated or rotated with "
			  "copytruncate? The lines before this one count",
			  (long long)sb.st_size, (long long)at);
}

/* On a stream with ticks: waits until it can be read, ticking before and every tick_ms
 * meanwhile. 1: read now; 0: a tick stopped the source; 2: a tick passed with nothing
 * to read and the caller asked not to wait (rl_source_set_idle_return, plain data). */
static int wait_readable(rl_source *s)
{
	for (;;) {
		if (!s->tick(s->tick_ctx)) {
			s->stopped = true;
			return 0;
		}
		struct pollfd pfd = {s->fd, POLLIN, 0};
		int r = poll(&pfd, 1, s->tick_ms);
		if (r > 0 || (r < 0 && errno != EINTR))
			return 1; /* readable, at its end, or an error read(2) will report */
		if (r == 0 && s->idle_return && s->decided && !s->gzip)
			return 2;
	}
}

/* read(2) into p, retrying EINTR. Returns bytes, 0 at EOF (or when stopped), or
 * RL_EINPUT. */
static long read_some(rl_source *s, void *p, size_t n, rl_err *err)
{
	for (;;) {
		int w = s->stopped ? 0 : s->stream && s->tick ? wait_readable(s) : 1;
		if (w == 2)
			s->idled = true; /* not the end: nothing yet */
		if (w != 1)
			return 0;
		ssize_t r = read(s->fd, p, n);
		if (r == 0 && n > 0 && check_shrunk(s, err))
			return RL_EINPUT;
		if (r >= 0) {
			atomic_fetch_add_explicit(&s->bytes_read, (uint64_t)r, memory_order_relaxed);
			return (long)r;
		}
		if (errno != EINTR)
			return rl_err_set(err, RL_EINPUT, s->name, 0, "read error: %s", strerror(errno));
	}
}

/* Decides plain or gzip from the first two bytes. */
static int sniff(rl_source *s, rl_err *err)
{
	while (s->raw_end < 2 && !s->raw_eof) {
		long r = read_some(s, s->raw + s->raw_end, RAW_CAP - s->raw_end, err);
		if (r < 0)
			return (int)r;
		if (r == 0)
			s->raw_eof = true;
		s->raw_end += (size_t)r;
	}
	s->gzip = s->raw_end >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b;
	s->decided = true;
	if (s->gzip) {
		if (inflateInit2(&s->zs, 15 + 16) != Z_OK)
			return rl_err_set(err, RL_ENOMEM, s->name, 0, "cannot start gzip decoder");
		s->z_ready = true;
		if (!s->stream && s->fd >= 0)
			zpipe_start(s);
	}
	return 0;
}

/* Inflates into dst[0, room). Returns bytes produced, 0 at end, or an error (err's line:
 * line). */
static long inflate_some(rl_source *s, char *dst, size_t room, long long line, rl_err *err)
{
	for (;;) {
		if (s->z_done)
			return 0;
		if (s->z_bad)
			return rl_err_set(err, RL_EINPUT, s->name, line, "corrupt gzip data: %s", s->z_bad);
		if (s->raw_start == s->raw_end && !s->raw_eof) {
			long r = read_some(s, s->raw, RAW_CAP, err);
			if (r < 0)
				return r;
			if (s->stopped)
				return 0; /* not the end of the compressed stream: only of this run */
			s->raw_start = 0;
			s->raw_end = (size_t)r;
			if (r == 0)
				s->raw_eof = true;
		}
		s->zs.next_in = s->raw + s->raw_start;
		s->zs.avail_in = (uInt)(s->raw_end - s->raw_start);
		s->zs.next_out = (Bytef *)dst;
		s->zs.avail_out = (uInt)room;
		int zr = inflate(&s->zs, Z_NO_FLUSH);
		s->raw_start = s->raw_end - s->zs.avail_in;
		size_t produced = room - s->zs.avail_out;
		if (zr == Z_STREAM_END) {
			/* Another member may follow; anything else after it is ignored, as gzip(1) does. */
			while (s->raw_end - s->raw_start < 2 && !s->raw_eof) {
				memmove(s->raw, s->raw + s->raw_start, s->raw_end - s->raw_start);
				s->raw_end -= s->raw_start;
				s->raw_start = 0;
				long r = read_some(s, s->raw + s->raw_end, RAW_CAP - s->raw_end, err);
				if (r < 0)
					return r;
				if (r == 0)
					s->raw_eof = true;
				s->raw_end += (size_t)r;
			}
			if (s->raw_end - s->raw_start >= 2 && s->raw[s->raw_start] == 0x1f &&
			    s->raw[s->raw_start + 1] == 0x8b)
				inflateReset(&s->zs);
			else
				s->z_done = true;
		} else if (zr == Z_BUF_ERROR && s->raw_eof && s->raw_start == s->raw_end) {
			return rl_err_set(
				err, RL_EINPUT, s->name, line,
				"truncated gzip data after %llu bytes: the file ends inside a compressed stream",
				(unsigned long long)atomic_load_explicit(&s->bytes_read, memory_order_relaxed));
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			/* the bytes inflated by this call (all of the data, when only the trailer's
			 * check fails) are handed out first; the next call reports the error */
			s->z_bad = s->zs.msg ? s->zs.msg : "inflate failed";
			if (!produced)
				return rl_err_set(err, RL_EINPUT, s->name, line, "corrupt gzip data: %s", s->z_bad);
		}
		if (produced)
			return (long)produced;
	}
}

/* --- gzip on a thread of its own ---------------------------------------------------------
 *
 * A regular gzip file is inflated by a thread while the reader parses (SPEC's speed: a .gz
 * costs little more than the file plain): blocks of inflated bytes go through a small
 * ring, in order; an error (truncated, corrupt, a read error, a file that shrank) comes
 * after the bytes before it, as inflating inline gives it. Streams inflate inline: their
 * reads wait on ticks. */

#define ZBLOCK (256 * 1024)
#define ZRING 4

typedef struct zpipe {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *blk[ZRING];
	size_t len[ZRING];
	size_t head, count, off; /* filled blocks from head; the consumer is off into blk[head] */
	bool done, quit;
	int rc; /* the error after the last block, 0 at a clean end */
	rl_err err;
} zpipe;

static void *zpipe_run(void *arg)
{
	rl_source *s = arg;
	zpipe *z = s->zp;
	for (;;) {
		pthread_mutex_lock(&z->mu);
		while (z->count == ZRING && !z->quit)
			pthread_cond_wait(&z->cv, &z->mu);
		bool quit = z->quit;
		size_t slot = (z->head + z->count) % ZRING;
		pthread_mutex_unlock(&z->mu);
		if (quit)
			break;
		rl_err e;
		rl_err_clear(&e);
		long n = 0;
		size_t filled = 0;
		while (filled < ZBLOCK && (n = inflate_some(s, z->blk[slot] + filled, ZBLOCK - filled, 0, &e)) > 0)
			filled += (size_t)n;
		pthread_mutex_lock(&z->mu);
		if (filled) {
			z->len[slot] = filled;
			z->count++;
		}
		if (n <= 0) {
			z->done = true;
			z->rc = (int)n;
			z->err = e;
		}
		pthread_cond_broadcast(&z->cv);
		bool end = z->done;
		pthread_mutex_unlock(&z->mu);
		if (end)
			break;
	}
	return NULL;
}

/* Starts the thread for s (a regular gzip file whose decoder is ready); without one,
 * s inflates inline. */
static void zpipe_start(rl_source *s)
{
	zpipe *z = calloc(1, sizeof *z);
	if (!z)
		return;
	for (int i = 0; i < ZRING; i++)
		if (!(z->blk[i] = malloc(ZBLOCK))) {
			for (int k = 0; k < i; k++)
				free(z->blk[k]);
			free(z);
			return;
		}
	pthread_mutex_init(&z->mu, NULL);
	pthread_cond_init(&z->cv, NULL);
	s->zp = z;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old); /* signals are the reader's */
	bool ok = pthread_create(&z->thread, NULL, zpipe_run, s) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		s->zp = NULL;
		pthread_mutex_destroy(&z->mu);
		pthread_cond_destroy(&z->cv);
		for (int i = 0; i < ZRING; i++)
			free(z->blk[i]);
		free(z);
	}
}

/* Up to room bytes of the thread's output into dst. Returns bytes, 0 at the end, or the
 * error that followed the last of them (err's line: where the reader is). */
static long zpipe_take(rl_source *s, char *dst, size_t room, rl_err *err)
{
	zpipe *z = s->zp;
	pthread_mutex_lock(&z->mu);
	while (!z->count && !z->done)
		pthread_cond_wait(&z->cv, &z->mu);
	long got = 0;
	if (z->count) {
		size_t n = z->len[z->head] - z->off;
		n = n < room ? n : room;
		memcpy(dst, z->blk[z->head] + z->off, n);
		z->off += n;
		if (z->off == z->len[z->head]) {
			z->off = 0;
			z->head = (z->head + 1) % ZRING;
			z->count--;
			pthread_cond_broadcast(&z->cv);
		}
		got = (long)n;
	} else if (z->rc < 0) {
		*err = z->err;
		if (strncmp(err->msg, "read error", 10) != 0) /* a read error names no line, inline too */
			err->line = s->lineno + 1;
		got = z->rc;
	}
	pthread_mutex_unlock(&z->mu);
	return got;
}

static void zpipe_stop(rl_source *s)
{
	zpipe *z = s->zp;
	if (!z)
		return;
	pthread_mutex_lock(&z->mu);
	z->quit = true;
	pthread_cond_broadcast(&z->cv);
	pthread_mutex_unlock(&z->mu);
	pthread_join(z->thread, NULL);
	pthread_mutex_destroy(&z->mu);
	pthread_cond_destroy(&z->cv);
	for (int i = 0; i < ZRING; i++)
		free(z->blk[i]);
	free(z);
	s->zp = NULL;
}

/* Appends input to buf after moving the unread part to the front. Returns bytes added,
 * 0 at end of input, or an error. */
static long fill(rl_source *s, rl_err *err)
{
	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->scan -= s->start;
		s->start = 0;
	}
	if (s->end == s->cap)
		return 0;
	if (!s->decided) {
		int r = sniff(s, err);
		if (r < 0)
			return r;
	}
	long got;
	if (s->gzip) {
		got = s->zp ? zpipe_take(s, s->buf + s->end, s->cap - s->end, err)
			    : inflate_some(s, s->buf + s->end, s->cap - s->end, s->lineno + 1, err);
	} else if (s->raw_start < s->raw_end) { /* bytes read while sniffing */
		size_t n = s->raw_end - s->raw_start, room = s->cap - s->end;
		if (n > room)
			n = room;
		memcpy(s->buf + s->end, s->raw + s->raw_start, n);
		s->raw_start += n;
		got = (long)n;
	} else if (s->raw_eof) {
		got = 0;
	} else {
		got = read_some(s, s->buf + s->end, s->cap - s->end, err);
		if (got == 0 && !s->idled)
			s->raw_eof = true;
	}
	if (got > 0)
		s->end += (size_t)got;
	return got;
}

static void emit(rl_source *s, rl_line *line, size_t len, size_t consumed)
{
	const char *p = s->buf + s->start;
	size_t n = len;
	if (n && p[n - 1] == '\r')
		n--;
	line->lineno = ++s->lineno;
	line->offset = s->offset;
	line->next = s->offset + consumed;
	line->unterminated = consumed == len;
	line->full_len = n;
	if (n > s->max_line) {
		size_t k = n < EXCERPT ? n : EXCERPT;
		memcpy(s->excerpt, p, k);
		line->p = s->excerpt;
		line->n = k;
		line->overlong = true;
	} else {
		line->p = p;
		line->n = n;
		line->overlong = false;
	}
	s->start += consumed;
	s->scan = s->start;
	s->offset += consumed;
}

/* The buffer is full without a newline: keep an excerpt, drop bytes up to the next
 * newline (or end of input) and report the line as overlong. */
static int skip_long_line(rl_source *s, rl_line *line, rl_err *err)
{
	uint64_t line_start = s->offset, total = 0;
	bool newline = false;
	size_t kept = s->end - s->start < EXCERPT ? s->end - s->start : EXCERPT;
	memcpy(s->excerpt, s->buf + s->start, kept);
	for (;;) {
		char *nl = memchr(s->buf + s->start, '\n', s->end - s->start);
		if (nl) {
			size_t k = (size_t)(nl - (s->buf + s->start));
			total += k;
			s->start += k + 1;
			s->scan = s->start;
			newline = true;
			break;
		}
		total += s->end - s->start;
		s->start = s->end = s->scan = 0;
		long r = fill(s, err);
		if (r < 0)
			return (int)r;
		if (r == 0 && s->idled) { /* nothing yet: the line is not over */
			s->idled = false;
			continue;
		}
		if (r == 0)
			break;
	}
	s->offset = line_start + total + newline;
	line->lineno = ++s->lineno;
	line->offset = line_start;
	line->next = s->offset;
	line->unterminated = !newline;
	line->full_len = (size_t)total;
	line->p = s->excerpt;
	line->n = kept;
	line->overlong = true;
	return 1;
}

int rl_source_peek(rl_source *s, size_t want, const char **p, size_t *n, rl_err *err)
{
	if (want > s->cap)
		want = s->cap;
	while (s->end - s->start < want) {
		long r = fill(s, err);
		if (r < 0 && s->end == s->start)
			return (int)r;
		if (r < 0)
			rl_err_clear(err); /* rl_source_next reports it after the lines before it */
		if (r == 0 && s->idled) {
			s->idled = false;
			s->peek_idled = true;
			break;
		}
		if (r <= 0)
			break;
	}
	*p = s->buf + s->start;
	*n = s->end - s->start;
	return 0;
}

int rl_source_skip(rl_source *s, uint64_t bytes, long long lines, rl_err *err)
{
	uint64_t left = bytes;
	for (;;) {
		size_t have = s->end - s->start, k = have < left ? have : (size_t)left;
		s->start += k;
		s->scan = s->start;
		left -= k;
		if (!left)
			break;
		if (s->decided && !s->gzip && !s->stream) {
			/* a plain file: past the bytes read ahead, seek */
			size_t raw = s->raw_end - s->raw_start, r = raw < left ? raw : (size_t)left;
			s->raw_start += r;
			left -= r;
			if (left && !s->raw_eof && lseek(s->fd, (off_t)left, SEEK_CUR) >= 0)
				left = 0;
			if (!left)
				break;
		}
		long got = fill(s, err);
		if (got < 0)
			return (int)got;
		if (got == 0) {
			rl_err_set(err, RL_EINPUT, s->name, 0,
				   "it ends after %llu bytes, before the %llu an earlier run read",
				   (unsigned long long)(bytes - left), (unsigned long long)bytes);
			return 1;
		}
	}
	s->offset += bytes;
	s->lineno = lines;
	return 0;
}

void rl_source_set_max_line(rl_source *s, size_t max_line)
{
	s->max_line = max_line;
}

/* Doubles the buffer (up to max_line + "\r\n") for a line that fills it. Returns false
 * when it is as large as allowed or memory is short. */
static bool grow(rl_source *s)
{
	if (s->cap >= s->max_line + 2)
		return false;
	size_t nc = s->cap * 2 < s->max_line + 2 ? s->cap * 2 : s->max_line + 2;
	char *nb = realloc(s->buf, nc);
	if (!nb)
		return false;
	s->buf = nb;
	s->cap = nc;
	return true;
}

int rl_source_next(rl_source *s, rl_line *line, rl_err *err)
{
	for (;;) {
		char *nl = memchr(s->buf + s->scan, '\n', s->end - s->scan);
		if (nl) {
			size_t len = (size_t)(nl - (s->buf + s->start));
			emit(s, line, len, len + 1);
			return 1;
		}
		s->scan = s->end;
		if (s->start == 0 && s->end == s->cap && !grow(s))
			return skip_long_line(s, line, err);
		long r = fill(s, err);
		if (r < 0)
			return (int)r;
		if (r == 0) {
			if (s->idled) {
				s->idled = false;
				return 2;
			}
			if (s->start == s->end)
				return 0;
			if (s->stopped) { /* a line still without its newline: not a line */
				s->dropped = s->end - s->start;
				s->start = s->scan = s->end;
				return 0;
			}
			size_t len = s->end - s->start; /* last line without a newline */
			emit(s, line, len, len);
			return 1;
		}
	}
}
