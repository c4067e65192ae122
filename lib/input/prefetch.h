/* input/prefetch.h - a file's lines read and parsed ahead, on a thread of their own.
 *
 * The reader (reader.h) takes lines one at a time: read, parse, count, hand the record
 * on. For a regular file read with a line format that holds nothing across lines
 * (rl_format_parses_alone), the read and the parse can run ahead on another core while
 * the reader counts: this thread reads lines, copies each into a batch, and parses
 * each line the reader would parse (the same test: not overlong, not blank, not a last
 * line without its newline that waits for the next run), in order, with the reader's
 * format. A record's views that point outside its line (a format's buffers, reused on
 * the next line) are copied into the batch too. The reader then takes the lines and
 * their records in order, exactly as it would have made them; only where the work
 * runs changes. A batch lives until the reader takes the first line of the next one.
 *
 * While it runs the thread alone calls the source's and the format's functions, but
 * the source's thread-safe readings (rl_source_position, rl_source_bytes_read). */
#ifndef RL_PREFETCH_H
#define RL_PREFETCH_H

#include <stdbool.h>

#include "lib/format/format.h"
#include "lib/input/source.h"

typedef struct rl_prefetch rl_prefetch;

/* A line as the thread left it: parsed is whether it ran the format on it, and then rj
 * and rec are what rl_format_parse returned. */
typedef struct rl_prefetched {
	bool parsed;
	rl_reject rj;
	rl_record rec;
	/* a record's endpoint template (rl_prefetch_template), made here too: a view into
	 * the batch, tpl NULL when not made */
	const char *tpl;
	size_t tpl_n;
} rl_prefetched;

/* The endpoint template of a record (lib/classify/endpoint.h): what the reader's caller
 * counts it under. Made on the prefetch thread for a record it parsed. */
size_t rl_prefetch_template(const rl_record *r, char *out, size_t cap);

/* Starts the thread on src and fmt; hold_unterminated as the reader's. Returns 0, or
 * RL_ENOMEM (the reader then reads inline). */
int rl_prefetch_start(rl_prefetch **out, rl_source *src, rl_format *fmt, bool hold_unterminated);

/* The next line, as rl_source_next returns it (1, 0 at the end, RL_EINPUT with err
 * after the lines before the failure), with *pre its parse. Both, and the views of
 * pre->rec, stay valid until the next call. */
int rl_prefetch_next(rl_prefetch *pf, const rl_line **line, const rl_prefetched **pre, rl_err *err);

/* Stops the thread (it may be waiting for the reader) and frees pf. NULL is fine. */
void rl_prefetch_free(rl_prefetch *pf);

/* Whether prefetching is on: with more than one core to run on, unless the environment
 * sets RETRYLENS_PREFETCH=0 (the tests compare both ways). */
bool rl_prefetch_enabled(void);

#endif
