/* input/source.h - input bytes to lines: files, .gz files and stdin.
 *
 * A source reads in large blocks (plain read(2), so a pipe or a FIFO delivers lines as
 * they arrive), inflates gzip with zlib as it goes (detected by its magic bytes,
 * concatenated members included), and hands out lines as views into its buffer without
 * copying. Memory is bounded by the buffers, whatever the input: a line longer than
 * max_line is skipped to its newline and reported as overlong. */
#ifndef RL_SOURCE_H
#define RL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/err.h"

typedef struct rl_source rl_source;

typedef struct rl_line {
	const char *p; /* the line without its "\n" (or "\r\n"); valid until the next read */
	size_t n; /* bytes at p */
	long long lineno; /* 1-based */
	uint64_t offset; /* byte offset of the line start in the (decompressed) stream */
	size_t full_len; /* the line's real length; > n only when overlong */
	bool overlong; /* longer than max_line: p holds its first bytes only */
	bool unterminated; /* the input's last line, without its newline */
	uint64_t next; /* the stream offset after it (and its newline) */
} rl_line;

typedef struct rl_source_opts {
	size_t buffer_size; /* read block; 0: 1 MiB */
	size_t max_line; /* longer lines are skipped and reported; 0: 64 KiB */
	/* A stream (a pipe, a FIFO, a terminal: not a regular file) is never waited on
	 * blindly: before each read, and every tick_us while nothing arrives, tick(tick_ctx)
	 * runs (a commit may be due). When it returns false the source stops as if the
	 * input ended, except that a line without its newline yet is not handed out
	 * (rl_source_dropped says how many bytes it had). NULL tick: plain blocking reads. */
	bool (*tick)(void *ctx);
	void *tick_ctx;
	int64_t tick_us; /* 0: 200 ms */
} rl_source_opts;

/* Opens path ("-" is stdin). opts may be NULL. Returns 0 or RL_EINPUT/RL_ENOMEM. */
int rl_source_open(rl_source **out, const char *path, const rl_source_opts *opts, rl_err *err);

/* Opens n bytes at data (copied; at most max_line) as a source named name: a file's
 * pending last line, counted by a report (lib/input/checkpoint.h). */
int rl_source_open_mem(rl_source **out, const char *name, const void *data, size_t n, const rl_source_opts *opts,
		       rl_err *err);

/* Reads the next line. Returns 1 with *line filled, 0 at end of input, RL_EINPUT
 * (read error, corrupt or truncated gzip: lines before it were delivered), or 2 while
 * idle returns are on (rl_source_set_idle_return) when a stream had nothing to read
 * for a tick. */
int rl_source_next(rl_source *s, rl_line *line, rl_err *err);

/* For sniffing a format before the first line is taken: buffers at least want bytes
 * not yet handed out as lines (fewer when the input ends first; at most the buffer's
 * size, 1 MiB by default) without consuming them, and points *p and *n at all of them.
 * May block on a pipe until they arrive. The view is valid until the next call on s.
 * Returns 0, or RL_EINPUT when reading fails before any byte arrived (a failure after
 * some is left to rl_source_next, which reports it after the lines before it). */
int rl_source_peek(rl_source *s, size_t want, const char **p, size_t *n, rl_err *err);

/* Before a line is handed out (a peek is fine): skips the next bytes of the
 * (decompressed) stream, after which lines lines were read: a regular file seeks, gzip
 * inflates and discards. Line numbers and offsets go on from there. Returns 0; 1 when the
 * input ends before (err says where); RL_EINPUT when reading fails (a read error, bad
 * gzip data), RL_ENOMEM. */
int rl_source_skip(rl_source *s, uint64_t bytes, long long lines, rl_err *err);

/* Changes the longest line handed out whole (rl_source_opts.max_line), for an input
 * found to be a document (a minified HAR is one line). A larger limit does not allocate
 * at once: the buffer grows, doubling, only while a line needs it (if memory runs out,
 * the line is reported overlong). */
void rl_source_set_max_line(rl_source *s, size_t max_line);

/* The name given to rl_source_open. */
const char *rl_source_name(const rl_source *s);

/* True once gzip data was detected. */
bool rl_source_is_gzip(const rl_source *s);

/* Bytes read from the file so far (compressed bytes for gzip). */
uint64_t rl_source_bytes_read(const rl_source *s);

/* Where reading is in the file (a regular file's offset, compressed for gzip, counting
 * what a checkpoint skipped; a stream's bytes read): for a progress line. */
uint64_t rl_source_position(const rl_source *s);

/* While on, a stream of plain text with ticks does not wait past one tick for a line:
 * rl_source_next returns 2 instead (the sniffer decides with the lines it has rather
 * than wait for more on an idle stream). */
void rl_source_set_idle_return(rl_source *s, bool on);

/* Whether the last rl_source_peek returned early because the stream was idle (idle
 * returns on), clearing it. */
bool rl_source_take_idle(rl_source *s);

/* True for a pipe, a FIFO or a terminal: not a regular file. */
bool rl_source_is_stream(const rl_source *s);

/* True when a tick stopped the source. Then rl_source_dropped is the length of the
 * line it held without a newline (0: none), which was not handed out. */
bool rl_source_stopped(const rl_source *s);
size_t rl_source_dropped(const rl_source *s);

/* Closes the file (not stdin) and frees s. NULL is fine. */
void rl_source_free(rl_source *s);

#endif
