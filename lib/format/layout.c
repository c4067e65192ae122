/* layout.c - log layouts compiled to PCRE2 patterns, and check-format's diagnosis. */
#include "lib/format/layout.h"

#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool rl_layout_literal(rl_layout *l, const char *p, size_t n)
{
	if (n == 0)
		return true;
	rl_layout_item *last = l->n ? &l->items[l->n - 1] : NULL;
	if (last && last->literal && last->text_len + n < sizeof last->text) {
		memcpy(last->text + last->text_len, p, n);
		last->text_len += n;
		return true;
	}
	while (n > 0) {
		if (l->n == RL_LAYOUT_MAX)
			return false;
		rl_layout_item *it = &l->items[l->n++];
		memset(it, 0, sizeof *it);
		it->literal = true;
		size_t k = n < sizeof it->text - 1 ? n : sizeof it->text - 1;
		memcpy(it->text, p, k);
		it->text_len = k;
		p += k;
		n -= k;
	}
	return true;
}

static bool is_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

bool rl_layout_field(rl_layout *l, const char *group, size_t group_len, rl_val val, const char *token, size_t token_len)
{
	if (l->n == RL_LAYOUT_MAX)
		return false;
	rl_layout_item *it = &l->items[l->n];
	memset(it, 0, sizeof *it);
	it->val = val;
	bool ok = group_len > 0 && group_len < sizeof it->group;
	for (size_t i = 0; ok && i < group_len; i++)
		ok = is_name_char(group[i], i == 0);
	if (ok)
		memcpy(it->group, group, group_len);
	else
		snprintf(it->group, sizeof it->group, "f%zu", l->n);
	it->text_len = token_len < sizeof it->text - 1 ? token_len : sizeof it->text - 1;
	memcpy(it->text, token, it->text_len);
	l->n++;
	return true;
}

/* --- patterns ------------------------------------------------------------------- */

typedef struct buf {
	char *p;
	size_t n, cap;
	bool failed;
} buf;

static void put(buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->failed = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void puts_(buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* One literal byte, escaped for PCRE2; a run of blanks matches one or more. */
static void put_literal(buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == ' ') {
			while (i + 1 < n && p[i + 1] == ' ')
				i++;
			puts_(b, "[ \\t]+");
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80) {
			put(b, (const char *)&c, 1);
		} else {
			char e[8];
			snprintf(e, sizeof e, "\\x%02x", c);
			puts_(b, e);
		}
	}
}

/* The value pattern of item i, from its kind or its neighbours. */
static void put_value(buf *b, const rl_layout *l, size_t i)
{
	const rl_layout_item *it = &l->items[i];
	const rl_layout_item *prev = i > 0 ? &l->items[i - 1] : NULL;
	const rl_layout_item *next = i + 1 < l->n ? &l->items[i + 1] : NULL;
	bool quoted = prev && prev->literal && prev->text[prev->text_len - 1] == '"' && next && next->literal &&
		      next->text[0] == '"';
	if (quoted &&
	    (it->val == RL_VAL_TEXT || it->val == RL_VAL_WORD || it->val == RL_VAL_LIST || it->val == RL_VAL_REQUEST)) {
		puts_(b, RL_PATTERN_QUOTED);
		return;
	}
	switch (it->val) {
	case RL_VAL_CLF_TIME:
		puts_(b, "\\d{1,2}/[A-Za-z]{3}/\\d{4}[: ]\\d\\d:\\d\\d:\\d\\d(?: [+-]\\d{4})?|-");
		return;
	case RL_VAL_ISO_TIME:
		puts_(b, "\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(?:[.,]\\d+)?(?:Z|[+-]\\d\\d(?::?\\d\\d)?)?|-");
		return;
	case RL_VAL_DECIMAL:
		puts_(b, "-?\\d+(?:\\.\\d+)?|-");
		return;
	case RL_VAL_INT:
		puts_(b, "\\d+|-");
		return;
	case RL_VAL_STATUS:
		puts_(b, "\\d{3}|-");
		return;
	case RL_VAL_LIST:
		puts_(b, "[^ ,]+(?:(?:, ?| : )[^ ,]+)*+");
		return;
	case RL_VAL_REQUEST:
		break;
	case RL_VAL_WORD:
		if (next && next->literal && next->text[0] != ' ' && next->text[0] != '\t') {
			char e[24];
			snprintf(e, sizeof e, "[^ \\t\\x%02x]*+", (unsigned char)next->text[0]);
			puts_(b, e);
		} else {
			puts_(b, "[^ \\t]*+");
		}
		return;
	case RL_VAL_TEXT:
		break;
	}
	if (!next) {
		puts_(b, ".*");
	} else if (!next->literal) {
		puts_(b, ".*?");
	} else if (next->text[0] == ' ' || next->text[0] == '\t') {
		puts_(b, "[^ \\t]*+");
	} else {
		/* up to the next literal's first byte */
		char e[16];
		snprintf(e, sizeof e, "[^\\x%02x]*+", (unsigned char)next->text[0]);
		puts_(b, e);
	}
}

static char *pattern(const rl_layout *l, size_t upto, bool anchor_end)
{
	buf b = {0};
	puts_(&b, "^");
	for (size_t i = 0; i < upto && i < l->n; i++) {
		const rl_layout_item *it = &l->items[i];
		if (it->literal) {
			put_literal(&b, it->text, it->text_len);
			continue;
		}
		bool quoted_request = it->val == RL_VAL_REQUEST && i > 0 && l->items[i - 1].literal &&
				      l->items[i - 1].text[l->items[i - 1].text_len - 1] == '"' && i + 1 < l->n &&
				      l->items[i + 1].literal && l->items[i + 1].text[0] == '"';
		if (quoted_request) {
			/* servers that do not escape quotes in the request: a lazy fallback */
			puts_(&b, "(?|(?<");
			puts_(&b, it->group);
			puts_(&b, ">" RL_PATTERN_QUOTED ")(?=\")|(?<");
			puts_(&b, it->group);
			puts_(&b, ">.*?)(?=\"))");
			continue;
		}
		puts_(&b, "(?<");
		puts_(&b, it->group);
		puts_(&b, ">");
		put_value(&b, l, i);
		puts_(&b, ")");
	}
	if (anchor_end)
		puts_(&b, "[ \\t]*$");
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *rl_layout_pattern(const rl_layout *l, size_t upto)
{
	return pattern(l, upto, upto >= l->n);
}

int rl_layout_format_new(rl_format **out, const char *name, const rl_layout *l, const rl_format_opts *opts, rl_err *err)
{
	*out = NULL;
	char *pat = rl_layout_pattern(l, l->n);
	if (!pat)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	int rc = rl_regex_format_new(out, name, pat, opts, err);
	free(pat);
	if (rc == 0 && (rc = rl_regex_format_keep_layout(*out, l, err))) {
		rl_format_free(*out);
		*out = NULL;
	}
	rl_layout_matcher *m = rc == 0 ? rl_layout_matcher_new(l) : NULL;
	if (m) /* without memory for it, PCRE2 alone matches */
		rl_regex_format_set_matcher(*out, rl_layout_match, m);
	return rc;
}

/* --- check-format -------------------------------------------------------------- */

/* How many bytes at the start of p..n the pattern of the first k items matches, or -1. */
static long prefix_match(const rl_layout *l, size_t k, bool anchor_end, const char *p, size_t n)
{
	char *pat = pattern(l, k, anchor_end);
	if (!pat)
		return -1;
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_DUPNAMES, &ec, &eo, NULL);
	free(pat);
	if (!code)
		return -1;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	long at = -1;
	if (mc)
		pcre2_set_match_limit(mc, 100000 + 64 * (uint32_t)(n < 65536 ? n : 65536)); /* as regex.c */
	if (md && mc && pcre2_match(code, (PCRE2_SPTR)p, n, 0, 0, md, mc) >= 0)
		at = (long)pcre2_get_ovector_pointer(md)[1];
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return at;
}

void rl_layout_explain(const rl_layout *l, const char *p, size_t n, char *out, size_t cap)
{
	if (prefix_match(l, l->n, true, p, n) >= 0) {
		snprintf(out, cap, "the line matches the format");
		return;
	}
	long all = prefix_match(l, l->n, false, p, n);
	if (all >= 0) {
		char more[64];
		size_t rest = n - (size_t)all;
		rl_text_clean(more, sizeof more, p + all, rest < 40 ? rest : 40);
		snprintf(out, cap, "the format ends at byte %ld but the line goes on: '%s'", all, more);
		return;
	}
	/* the longest run of items that still matches from the start (none always does) */
	size_t j = l->n;
	long at = 0;
	while (j > 0 && (at = prefix_match(l, --j, false, p, n)) < 0)
		;
	if (at < 0)
		at = 0;
	const rl_layout_item *it = &l->items[j];
	char want[200], have[64];
	rl_text_clean(want, sizeof want, it->text, it->text_len);
	size_t rest = n - (size_t)at;
	rl_text_clean(have, sizeof have, p + at, rest < 40 ? rest : 40);
	const char *q = it->literal ? "'" : "";
	if (rest == 0)
		snprintf(out, cap, "item %zu (%s%s%s) expected at byte %ld, but the line ends there", j + 1, q, want, q,
			 at);
	else
		snprintf(out, cap, "item %zu (%s%s%s) does not match at byte %ld, where the line has '%s'", j + 1, q,
			 want, q, at, have);
}
