/* format.h - the family of input formats behind one interface.
 *
 * A format turns one line into an rl_record (lib/format/record.h) or says why it cannot: a
 * reject reason is data, counted and sampled by the caller, never an error. Formats are
 * made from a --format spec ("combined", "nginx:'…'", "json:caddy", "cri>json", …) by
 * rl_format_new(), or chosen from a sample of lines by rl_format_sniff() for "auto".
 * Pattern formats compile their PCRE2 pattern once, with JIT, and reuse their match
 * data; json scans each line once into buffers it reuses; none allocates per line but
 * trace and har, which read JSON with jansson. A document format (har) takes every line
 * and hands out its records at the end of input (finish/next below). The format is
 * opaque: backends see lib/format/internal.h. */
#ifndef RL_FORMAT_H
#define RL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/err.h"
#include "lib/format/record.h"

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
	/* --trusted-proxy CIDR, ntrusted_proxies of them (lib/format/proxy.h): the client's
	 * address is taken from X-Forwarded-For behind these proxies, where the format logs
	 * it (SPEC §2). */
	const char *const *trusted_proxies;
	size_t ntrusted_proxies;
} rl_format_opts;

/* Makes the format named by spec; opts may be NULL. Returns 0, or RL_EUSAGE naming the
 * spec (or "--trusted-proxy", for a range that does not read). */
int rl_format_new(rl_format **out, const char *spec, const rl_format_opts *opts, rl_err *err);

/* Why the n bytes at p do not parse, for check-format: the format's own diagnosis
 * (the token that failed and the text there) or the reject reason. */
void rl_format_explain(rl_format *f, const char *p, size_t n, char *buf, size_t cap);

/* The spec the format was made from: "combined", "nginx:'…'" (cut to 255 bytes). */
const char *rl_format_name(const rl_format *f);

/* True when the format can log X-Forwarded-For (a field of it, or a list where the
 * address goes): only then does --trusted-proxy change a client. */
bool rl_format_logs_forwarded_for(const rl_format *f);

/* True for a document format (har), whose records come from finish()/next(). */
bool rl_format_is_document(const rl_format *f);

/* Whether the record of the last rl_format_parse may hold views into the format's own
 * buffers, which its next parse reuses (else they are all into the line or NULL). */
bool rl_format_borrowed(const rl_format *f);

/* 1 when each line's record depends on the line alone, and on the lines before it
 * only through what the format settled (a JSON profile once a line chose it): no
 * document, no parts held, nothing that changes under a reader from here on. Then
 * another thread may parse the lines ahead, in order (lib/input/prefetch.h). 0 while
 * the format has yet to settle, -1 for a format that never will (a document, CRI). */
int rl_format_parses_alone(const rl_format *f);

/* True when a header or field name looks like a credential (it contains
 * "authorization", "api-key"/"api_key", "apikey", "token" or "secret", any case):
 * a client taken from it is stored as a hash (SPEC §3). */
bool rl_format_name_is_secret(const char *name, size_t n);

/* Fills rec (reset first) from the n bytes at p (no newline, no NUL needed). Returns
 * RL_REJECT_NONE or the reason. With --trusted-proxy, rec->addr is then the client's
 * address behind the trusted proxies (lib/format/proxy.h); rl_format_next does the same. */
rl_reject rl_format_parse(rl_format *f, const char *p, size_t n, rl_record *rec);

/* At end of input: what a line format still held, lost (RL_REJECT_PARTIAL), or
 * RL_REJECT_NONE. */
rl_reject rl_format_end(rl_format *f);

/* A document format at end of input: reads what it took, RL_REJECT_NONE or why the
 * whole document is unreadable (one rejected line). */
rl_reject rl_format_finish(rl_format *f);

/* Then its items, in start order: 1 with rec (reset) and *item (1-based) filled and
 * *rj RL_REJECT_NONE or the item's reject reason; 0 when there are no more. Views stay
 * valid until the format is freed. */
int rl_format_next(rl_format *f, rl_record *rec, rl_reject *rj, long long *item);

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

/* Finds log_format want (NULL: the only one) in the nginx config at path and returns
 * the --format spec for it in *spec (malloc'd: "nginx:…", or "combined" for nginx's
 * predefined one). Errors: RL_EINPUT (unreadable file), RL_EUSAGE (no such format; the
 * message lists the names found). */
int rl_nginx_conf_format(char **spec, const char *path, const char *want, rl_err *err);

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

/* The wrapper kind whose shape the n bytes at p have ("cri", "compose", "vector",
 * "fluentbit"; a static string), NULL for none. For the sniffer: it checks the shape,
 * not whether the inner line parses. */
const char *rl_envelope_detect(const char *p, size_t n);

#endif
