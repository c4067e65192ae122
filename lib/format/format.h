/* format.h - the family of line formats behind one interface.
 *
 * A format turns one line into an rl_record (lib/record.h) or says why it cannot: a
 * reject reason is data, counted and sampled by the caller, never an error. Formats are
 * made from a --format spec ("combined", "common", "vcombined") by rl_format_new(), or
 * chosen from a sample of lines by rl_format_sniff() for "auto". Each format compiles
 * its PCRE2 pattern once, with JIT, and reuses its match data for every line; parse()
 * allocates nothing (the trace format, JSON read with jansson, is the exception). */
#ifndef RL_FORMAT_H
#define RL_FORMAT_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/record.h"

typedef enum rl_reject {
	RL_REJECT_NONE = 0,
	RL_REJECT_NO_MATCH, /* the line does not have the format's shape */
	RL_REJECT_BAD_TIME, /* the time field is not a valid date */
	RL_REJECT_NO_TIME, /* the format matched but logged no time */
	RL_REJECT_BAD_STATUS, /* the status is not 0..999 or "-" */
	RL_REJECT_TOO_LONG, /* the line is longer than the source's max_line */
	RL_REJECT_COUNT
} rl_reject;

/* A short reason for a reject code ("does not match the format"). */
const char *rl_reject_text(rl_reject r);

typedef struct rl_format rl_format;

typedef struct rl_format_ops {
	/* Fills rec (already reset) from the n bytes at p (no newline, no NUL needed).
	 * Returns RL_REJECT_NONE or the reason. */
	rl_reject (*parse)(rl_format *f, const char *p, size_t n, rl_record *rec);
	void (*free)(rl_format *f);
} rl_format_ops;

struct rl_format {
	const rl_format_ops *ops;
	char name[64]; /* the spec it was made from: "combined" */
};

/* Makes the format named by spec. Returns 0, or RL_EUSAGE naming the spec. */
int rl_format_new(rl_format **out, const char *spec, rl_err *err);

static inline rl_reject rl_format_parse(rl_format *f, const char *p, size_t n, rl_record *rec)
{
	rl_record_reset(rec);
	return f->ops->parse(f, p, n, rec);
}

/* Frees f; NULL is fine. */
void rl_format_free(rl_format *f);

/* For --format auto: tries every candidate format on the sample lines and makes the one
 * that parses most of them (ties: the richer format). *matched gets how many sample
 * lines it parsed. Returns 0, or RL_EINPUT when no candidate parses any line, with a
 * message listing the candidates. */
int rl_format_sniff(rl_format **out, const rl_str *lines, size_t n, size_t *matched, const char *source, rl_err *err);

/* The specs "auto" tries, in order of preference, NULL-terminated. */
const char *const *rl_format_candidates(void);

/* --- building blocks for formats (lib/format/) ------------------------------ */

/* A format from a PCRE2 pattern whose named groups carry the fields: the group names
 * understood are listed in regex.c (e.g. time_local, request, status). The pattern is
 * compiled once with JIT. name is the spec shown to users. */
int rl_regex_format_new(rl_format **out, const char *name, const char *pattern, rl_err *err);

/* The combined/common/vcombined family (clf.c). */
int rl_clf_format_new(rl_format **out, const char *spec, rl_err *err);

/* JSONL client traces (trace.c). */
int rl_trace_format_new(rl_format **out, rl_err *err);

#endif
