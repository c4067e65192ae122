/* input/sniff.h - --format auto: the format the start of an input shows.
 *
 * A HAR is told from its first bytes, before any line is taken (a minified one is a
 * single line far longer than --max-line). Anything else is told from the first lines:
 * up to 64 lines, or 32 that are not blank, or 1 MiB of them (each kept whole), copied
 * so that the caller reads them again, in order, before the source's own
 * (rl_sniff_next). ingest and check-format sniff the same way through this module. */
#ifndef RL_SNIFF_H
#define RL_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/err.h"
#include "lib/format/format.h"
#include "lib/input/source.h"

#define RL_SNIFF_LINES 64
#define RL_SNIFF_BYTES ((size_t)1 << 20)

typedef struct rl_sniff {
	rl_line *lines; /* the lines read while sniffing; p points into arena */
	char *arena;
	size_t n, next; /* lines held, the next one to hand out */
	size_t nonblank, matched; /* for the notice: lines looked at, lines that parsed */
	bool ended; /* the input ended (or failed) while sniffing */
	int read_error; /* RL_EINPUT when the source failed while sniffing (read_err says
			   how); the lines before the failure are held */
	rl_err read_err;
} rl_sniff;

/* For --format auto, before any line is taken: a HAR document? Makes the har format in
 * *fmt (and raises src's line limit to RL_DOCUMENT_MAX_BYTES) when the input starts as
 * one, else leaves *fmt NULL. Returns 0, or RL_EINPUT/RL_ENOMEM. */
int rl_sniff_document(rl_source *src, const rl_format_opts *opts, rl_format **fmt, rl_err *err);

/* Reads the first lines of src into s (zeroed, or cleared) and makes the format they
 * show in *fmt. *fmt stays NULL when the lines held are all blank or overlong: then,
 * unless s->ended, the caller takes them with rl_sniff_next and calls again. Returns 0,
 * RL_EINPUT when no format parses any line (err lists what was tried; the lines stay
 * held), or RL_ENOMEM. */
int rl_sniff_lines(rl_sniff *s, rl_source *src, const rl_format_opts *opts, const char *name, rl_format **fmt,
		   rl_err *err);

/* The next held line (valid until rl_sniff_clear): true, or false when all were handed
 * out. */
bool rl_sniff_next(rl_sniff *s, rl_line *ln);

/* Frees what s holds; s can be used again. */
void rl_sniff_clear(rl_sniff *s);

/* True for a line of only blanks (spaces, tabs, a CR): skipped, never rejected. */
bool rl_line_is_blank(const char *p, size_t n);

#endif
