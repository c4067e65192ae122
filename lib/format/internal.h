/* internal.h - what the format backends (lib/format/) share: the operations a
 * format implements, the struct every format starts with, and the building blocks
 * (the regex engine under the pattern formats, each backend's constructor, which the
 * registry calls). Nothing outside lib/format/ includes it but the backends' tests. */
#ifndef RL_FORMAT_INTERNAL_H
#define RL_FORMAT_INTERNAL_H

#include "lib/base/scan.h"
#include "lib/format/format.h"

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
	/* Optional, for a line format that changes as it reads (json.c chooses its profile,
	 * and its name, from the first record): true once it no longer does. Without it,
	 * a format without finish() or end() never changes (rl_format_parses_alone). */
	bool (*settled)(const rl_format *f);
} rl_format_ops;

struct rl_format {
	const rl_format_ops *ops;
	char name[256]; /* the spec it was made from: "combined", "nginx:'…'" (cut) */
	/* Set by the backend: the format can log X-Forwarded-For (a field of it, or a list
	 * where the address goes), which --trusted-proxy reads. */
	bool logs_forwarded_for;
	/* --trusted-proxy (proxy.h), NULL without: set by rl_format_new on the format it
	 * returns (never on an envelope's inner format) and applied by rl_format_parse and
	 * rl_format_next to every record; freed by rl_format_free. */
	struct rl_proxy_table *proxies;
	/* Whether the last parse left views into the format's own buffers (reused by the
	 * next line): rl_format_parse sets it before each parse, and a backend that knows
	 * better (regex.c) clears it. */
	bool borrowed;
};

/* The PCRE2 pattern of a double-quoted value's inside where quotes are escaped as \"
 * (and backslashes as \\): possessive, so it never backtracks. */
#define RL_PATTERN_QUOTED "[^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+"

/* The bytes the patterns call [ \t] and \d, and the end of a run of [ \t] from p[i]
 * (p holds n bytes): for the patterns matched in C and the CLF prefix (regex.c). */
static inline bool rl_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool rl_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline size_t rl_skip_blanks(const char *p, size_t n, size_t i)
{
	while (i < n && rl_is_blank(p[i]))
		i++;
	return i;
}

/* Where RL_PATTERN_QUOTED's possessive match from p[i] ends (p holds n bytes): runs of
 * neither '"' nor '\\', each '\\' taking the byte after it unless that is a newline or
 * the end ('.' takes no newline). For the patterns matched in C (clf.c,
 * layout_match.c). */
static inline size_t rl_quoted_end(const char *p, size_t n, size_t i)
{
	const char *end = p + n;
	for (const char *q = p + i;;) {
		q = rl_find2(q, end, '"', '\\');
		if (q == end || *q == '"' || q + 1 == end || q[1] == '\n')
			return (size_t)(q - p);
		q += 2;
	}
}

/* A format from a PCRE2 pattern whose named groups carry the fields (the names are
 * SPEC §2's fields and nginx's variables, listed in the field table, fields.h; other
 * names are captured and ignored). The pattern is compiled once with JIT. name is the
 * spec shown to users; opts may be NULL. */
int rl_regex_format_new(rl_format **out, const char *name, const char *pattern, const rl_format_opts *opts,
			rl_err *err);

/* A pattern's match written in C, for the patterns of common formats: fills ov with
 * each group's start and end offsets, (size_t)-1 for a group that took no part, as
 * pcre2_match() would, and returns what it would (one more than the highest group
 * set), or 0 for no match. A line it rejects is matched again by PCRE2,
 * which has the last word on it. */
typedef int (*rl_regex_matcher)(const void *ctx, const char *p, size_t n, size_t *ov);
/* Gives a regex format its pattern in C; ctx (malloc'd or NULL) is handed to every call
 * and freed with the format. Without PCRE2's default newline (a line feed) the format
 * keeps PCRE2 alone, and ctx is freed at once. */
void rl_regex_format_set_matcher(rl_format *f, rl_regex_matcher m, void *ctx);
/* The combined/common/vcombined pattern, and its match in C (rl_regex_matcher); both
 * for the test that holds them to the same offsets. */
extern const char rl_clf_pattern[];
int rl_clf_match(const void *ctx, const char *p, size_t n, size_t *ov);

typedef struct rl_layout rl_layout;
/* Gives a regex format a copy of the layout it was compiled from (layout.h), for
 * explain(). */
int rl_regex_format_keep_layout(rl_format *f, const rl_layout *l, rl_err *err);

/* The combined/common/vcombined family (clf.c). */
int rl_clf_format_new(rl_format **out, const char *spec, const rl_format_opts *opts, rl_err *err);

/* An nginx log_format string, compiled to a pattern (nginx.c). */
int rl_nginx_format_new(rl_format **out, const char *log_format, const rl_format_opts *opts, rl_err *err);

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

#endif
