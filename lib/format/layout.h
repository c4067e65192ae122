/* layout.h - a log line layout: literals and fields in order, compiled to one pattern.
 *
 * The nginx and Apache compilers (nginx.c, apache.c) read a log_format/LogFormat string
 * into a layout; this module turns it into a PCRE2 pattern with one named group per
 * field (the names regex.c understands) and, for check-format, finds the first item a
 * line does not match. A field's value pattern comes from its kind where the kind
 * fixes it (a CLF time, a status, a number), else from what follows it: the text up to
 * the closing quote inside quotes, up to the next literal's first byte, or the rest of
 * the line for the last field. */
#ifndef RL_LAYOUT_H
#define RL_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/format/internal.h"

typedef enum rl_val {
	RL_VAL_TEXT, /* from the context */
	RL_VAL_WORD, /* no blanks */
	RL_VAL_CLF_TIME, /* 10/Oct/2000:13:55:36 -0700 */
	RL_VAL_ISO_TIME, /* 2000-10-10T13:55:36+00:00 */
	RL_VAL_DECIMAL, /* 12, 0.123 or - */
	RL_VAL_INT, /* 12 or - */
	RL_VAL_STATUS, /* 200 or - */
	RL_VAL_LIST, /* nginx upstream lists: "a, b : c" or - */
	RL_VAL_REQUEST, /* the request line: quoted text, lenient about unescaped quotes */
} rl_val;

typedef struct rl_layout_item {
	bool literal;
	rl_val val;
	char group[33]; /* the named group ("status"), empty for a literal */
	char text[96]; /* the literal bytes, or the token as written ("$status", "%>s") */
	size_t text_len;
} rl_layout_item;

#define RL_LAYOUT_MAX 96

typedef struct rl_layout {
	rl_layout_item items[RL_LAYOUT_MAX];
	size_t n;
} rl_layout;

/* Appends a literal of n bytes (joined with a literal before it). Returns false when
 * the layout is full. */
bool rl_layout_literal(rl_layout *l, const char *p, size_t n);

/* Appends a field: group is its group name (cut to a valid PCRE2 name; a name that
 * cannot be one becomes "f<index>", captured and ignored), token how it was written.
 * Returns false when the layout is full. */
bool rl_layout_field(rl_layout *l, const char *group, size_t group_len, rl_val val, const char *token,
		     size_t token_len);

/* The pattern of items [0, upto), anchored at the start, and at the end when upto is
 * l->n. malloc'd, or NULL when out of memory. */
char *rl_layout_pattern(const rl_layout *l, size_t upto);

/* The pattern of a whole layout matched in C along PCRE2's first path
 * (layout_match.c): a rl_regex_matcher whose ctx is what rl_layout_matcher_new
 * returns (malloc'd; NULL when out of memory). */
typedef struct rl_layout_matcher rl_layout_matcher;
rl_layout_matcher *rl_layout_matcher_new(const rl_layout *l);
int rl_layout_match(const void *ctx, const char *p, size_t n, size_t *ov);

/* Reads an nginx log_format string (nginx.c) or an Apache LogFormat string (apache.c)
 * into l. Returns 0, or RL_EUSAGE saying what is wrong with the string. */
int rl_nginx_parse_layout(rl_layout *l, const char *log_format, rl_err *err);
int rl_apache_parse_layout(rl_layout *l, const char *log_format, rl_err *err);

/* Makes a regex format (regex.c) from the layout, keeping a copy of it for
 * rl_format_explain(). name is the spec shown to users. */
int rl_layout_format_new(rl_format **out, const char *name, const rl_layout *l, const rl_format_opts *opts,
			 rl_err *err);

/* Where a line stops matching the layout: writes "token 5 ($status) expected at byte
 * 42, found 'abc…'" (or "the line matches") into buf. */
void rl_layout_explain(const rl_layout *l, const char *p, size_t n, char *buf, size_t cap);

#endif
