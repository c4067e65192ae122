/* format.h - the family of input formats behind one interface.
 *
 * A format turns one line into an rl_record (lib/record.h) or says why it cannot: a
 * reject reason is data, counted and sampled by the caller, never an error. Formats are
 * made from a --format spec ("combined", "nginx:'…'", "json:caddy", "cri>json", …) by
 * rl_format_new(), or chosen from a sample of lines by rl_format_sniff() for "auto".
 * Pattern formats compile their PCRE2 pattern once, with JIT, and reuse their match
 * data; json scans each line once into buffers it reuses; none allocates per line but
 * trace and har, which read JSON with jansson. A document format (har) takes every line
 * and hands out its records at the end of input (finish/next below). */
#ifndef RL_FORMAT_H
#define RL_FORMAT_H

#include <stdbool.h>
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
	RL_REJECT_NOT_ACCESS, /* a JSON log record that is not an HTTP access record */
	RL_REJECT_BAD_DOCUMENT, /* a document format (har) could not read its input */
	RL_REJECT_PENDING, /* not a reject: the format took the line, its record comes later
			      (a document's lines, a CRI partial line) */
	RL_REJECT_PARTIAL, /* a line split by the runtime (CRI "P") whose end never came */
	RL_REJECT_TOO_COMPLEX, /* the pattern gave up: more backtracking than the match limit */
	RL_REJECT_TOO_DEEP, /* JSON nested deeper than the format reads (128; jansson: 2048) */
	RL_REJECT_COUNT
} rl_reject;

/* A short reason for a reject code ("does not match the format"). */
const char *rl_reject_text(rl_reject r);

/* Why n bytes of JSON that did not parse were refused: RL_REJECT_TOO_DEEP when its
 * arrays and objects nest deeper than max_depth (strings skipped), else
 * RL_REJECT_NO_MATCH. For the JSON formats, on the failure path only. */
rl_reject rl_json_failure(const char *p, size_t n, int max_depth);

typedef struct rl_format rl_format;

typedef struct rl_format_ops {
	/* Fills rec (already reset) from the n bytes at p (no newline, no NUL needed).
	 * Returns RL_REJECT_NONE or the reason. */
	rl_reject (*parse)(rl_format *f, const char *p, size_t n, rl_record *rec);
	void (*free)(rl_format *f);
	/* Document formats only (har; NULL for line formats). parse() takes every line of
	 * the input and returns RL_REJECT_PENDING. At end of input, finish() reads what was
	 * taken: RL_REJECT_NONE, or why the whole document is unreadable (counted as one
	 * rejected line). next() then hands out the document's items in start order: it
	 * returns 1 and fills rec (already reset) and *item (1-based, for samples) with
	 * *rj = RL_REJECT_NONE or an item's reject reason, and 0 when there are no more.
	 * Views stay valid until the format is freed. */
	rl_reject (*finish)(rl_format *f);
	int (*next)(rl_format *f, rl_record *rec, rl_reject *rj, long long *item);
	/* Optional, for check-format: where the line stops matching, as one line of text
	 * (a token of the format and what the line had there). Not on the hot path. */
	void (*explain)(rl_format *f, const char *p, size_t n, char *buf, size_t cap);
	/* Optional, for line formats that hold part of a record across lines (a CRI
	 * partial line): at end of input, called until it returns RL_REJECT_NONE; each
	 * other answer is one held line lost (counted as a rejected line). */
	rl_reject (*end)(rl_format *f);
} rl_format_ops;

struct rl_format {
	const rl_format_ops *ops;
	char name[256]; /* the spec it was made from: "combined", "nginx:'…'" (cut) */
};

/* What the command line adds to a format spec. */
#define RL_FORMAT_FIELDS_MAX 32 /* --field options kept */

typedef struct rl_format_opts {
	/* --field NAME=PATH[:unit|start|end], nfields of them: where a JSON format finds a
	 * field (SPEC §2), overriding its profile. */
	const char *const *fields;
	size_t nfields;
	/* --client FIELD: the field (a named group, $variable, header or JSON path) whose
	 * value is the client; hashed when its name looks like a key (SPEC §3). NULL: the
	 * format's own client field, else address + user agent. */
	const char *client;
} rl_format_opts;

/* Makes the format named by spec; opts may be NULL. Returns 0, or RL_EUSAGE naming the
 * spec. */
int rl_format_new(rl_format **out, const char *spec, const rl_format_opts *opts, rl_err *err);

/* Why the n bytes at p do not parse, for check-format: the format's own diagnosis
 * (the token that failed and the text there) or the reject reason. */
void rl_format_explain(rl_format *f, const char *p, size_t n, char *buf, size_t cap);

/* True for a document format (har), whose records come from finish()/next(). */
static inline bool rl_format_is_document(const rl_format *f)
{
	return f->ops->finish != NULL;
}

/* True when a header or field name looks like a credential (it contains
 * "authorization", "api-key"/"api_key", "apikey", "token" or "secret", any case):
 * a client taken from it is stored as a hash (SPEC §3). */
bool rl_format_name_is_secret(const char *name, size_t n);

static inline rl_reject rl_format_parse(rl_format *f, const char *p, size_t n, rl_record *rec)
{
	rl_record_reset(rec);
	return f->ops->parse(f, p, n, rec);
}

/* At end of input: what a line format still held, lost (RL_REJECT_PARTIAL), or
 * RL_REJECT_NONE. */
static inline rl_reject rl_format_end(rl_format *f)
{
	return f->ops->end ? f->ops->end(f) : RL_REJECT_NONE;
}

/* Frees f; NULL is fine. */
void rl_format_free(rl_format *f);

/* For --format auto: tries every candidate format on the sample lines, bare and inside
 * each shipper's envelope the lines show (rl_envelope_detect), and makes the one that
 * parses most of them (ties: the one that takes more lines as its own, counting JSON
 * records that are no access records, then the envelope, then the richer format: more
 * fields filled). A candidate whose constructor fails with RL_EUSAGE is skipped.
 * *matched gets how many sample lines it parsed (0 when only non-access JSON records
 * were seen). Returns 0, or RL_EINPUT when no candidate takes any line, with a message
 * listing every format tried. */
int rl_format_sniff(rl_format **out, const rl_str *lines, size_t n, const rl_format_opts *opts, size_t *matched,
		    const char *source, rl_err *err);

/* The specs "auto" tries, in order of preference, NULL-terminated ("combined" stands
 * for the clf family; "json" chooses its profile from the lines). */
const char *const *rl_format_candidates(void);

/* --- building blocks for formats (lib/format/) ------------------------------ */

/* The PCRE2 pattern of a double-quoted value's inside where quotes are escaped as \"
 * (and backslashes as \\): possessive, so it never backtracks. */
#define RL_PATTERN_QUOTED "[^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+"

/* A format from a PCRE2 pattern whose named groups carry the fields (the names are
 * SPEC §2's fields and nginx's variables, listed in the field table, fields.h; other
 * names are captured and ignored). The pattern is compiled once with JIT. name is the
 * spec shown to users; opts may be NULL. */
int rl_regex_format_new(rl_format **out, const char *name, const char *pattern, const rl_format_opts *opts,
			rl_err *err);

typedef struct rl_layout rl_layout;
/* Gives a regex format a copy of the layout it was compiled from (layout.h), for
 * explain(). */
int rl_regex_format_keep_layout(rl_format *f, const rl_layout *l, rl_err *err);

/* The combined/common/vcombined family (clf.c). */
int rl_clf_format_new(rl_format **out, const char *spec, const rl_format_opts *opts, rl_err *err);

/* An nginx log_format string, compiled to a pattern (nginx.c). */
int rl_nginx_format_new(rl_format **out, const char *log_format, const rl_format_opts *opts, rl_err *err);

/* Finds log_format want (NULL: the only one) in the nginx config at path and returns
 * the --format spec for it in *spec (malloc'd: "nginx:…", or "combined" for nginx's
 * predefined one). Errors: RL_EINPUT (unreadable file), RL_EUSAGE (no such format; the
 * message lists the names found). */
int rl_nginx_conf_format(char **spec, const char *path, const char *want, rl_err *err);

/* An Apache LogFormat string, compiled to a pattern (apache.c). */
int rl_apache_format_new(rl_format **out, const char *log_format, const rl_format_opts *opts, rl_err *err);

/* AWS Application Load Balancer access logs (alb.c). */
int rl_alb_format_new(rl_format **out, const rl_format_opts *opts, rl_err *err);

/* JSON lines (json.c): profile names a built-in field mapping ("nginx", "caddy",
 * "envoy", "traefik", "cloudflare"), NULL to choose it from the first line that one of
 * them reads as an access record (the name then becomes "json:PROFILE"). opts->fields
 * (--field NAME=PATH[:UNIT]) and opts->client replace the profile's paths for their
 * field, the later of two winning. A valid JSON object that is no HTTP access record
 * is RL_REJECT_NOT_ACCESS. Returns 0, RL_EUSAGE naming "--format" (unknown profile) or
 * "--field" (a malformed override), RL_ENOMEM. */
int rl_json_format_new(rl_format **out, const char *profile, const rl_format_opts *opts, rl_err *err);

/* HAR 1.2 files (har.c), a document format. */
int rl_har_format_new(rl_format **out, const rl_format_opts *opts, rl_err *err);

/* The most a document format reads: a larger document is rejected whole by finish().
 * Its source's line limit is raised to this (a minified HAR is one line). */
#define RL_DOCUMENT_MAX_BYTES ((size_t)512 << 20)

/* For --format auto, before lines are sniffed: whether the n bytes at p, the start of an
 * input (all of it when end), begin a HAR: an optional UTF-8 BOM, whitespace, {"log": {
 * and "entries", "version" or "creator" within the first 64 KiB. Returns 1 (a HAR),
 * 0 (not one) or -1 (cannot tell yet: call again with more bytes). */
int rl_har_detect(const char *p, size_t n, bool end);

/* The decimal text of a JSON number read by jansson (jsonnum.c): an integer exactly, a
 * real as the shortest text that reads back as the same double, without an exponent
 * (for reals from 1e-20 to 2^53, which holds every time and duration a log writes;
 * outside it the text is the double's nearest value with at most 20 decimals).
 * false (and buf "") when v is not a number or buf (64 bytes is plenty) is too small. */
struct json_t;
bool rl_json_number_text(const struct json_t *v, char *buf, size_t cap);

/* JSONL client traces (trace.c). */
int rl_trace_format_new(rl_format **out, const rl_format_opts *opts, rl_err *err);

/* A log shipper's wrapper around the lines of inner (envelope.c): kind "cri"
 * (containerd/CRI-O "TIME stdout|stderr F|P " prefix; P parts are joined up to the F
 * line), "compose" (docker compose "name  | " prefix), "vector" (Vector json_lines,
 * {"message": LINE, …}) or "fluentbit" (Fluent Bit json_lines and Docker's json-file,
 * {"log": LINE, …}). parse() takes the inner line out and returns inner's verdict on it;
 * a P part is RL_REJECT_PENDING (its record comes with the F line; one still open at
 * the end of input is lost: the end op), a wrapper event without a line, or an empty
 * one, RL_REJECT_NOT_ACCESS. The format owns inner from the call on (it is freed even when
 * the call fails) and is named "KIND>INNER" ("cri>json:envoy"). Returns 0, RL_EUSAGE
 * for an unknown kind or a document format inside, RL_ENOMEM. */
int rl_envelope_format_new(rl_format **out, const char *kind, rl_format *inner, rl_err *err);

/* The wrapper kind whose shape the n bytes at p have ("cri", "compose", "vector",
 * "fluentbit"; a static string), NULL for none. For the sniffer: it checks the shape,
 * not whether the inner line parses. */
const char *rl_envelope_detect(const char *p, size_t n);

#endif
