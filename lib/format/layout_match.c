/* layout_match.c - a layout's pattern (layout.c) matched in C along its first path.
 *
 * PCRE2 tries a pattern's choices depth first, each in its order of preference: a
 * greedy run longest first, an optional group taken first, an alternation left to
 * right, a lazy run shortest first. The first path that reaches the end is the match.
 * This matcher walks that first path only: at each item it takes what PCRE2 would try
 * first (and, within an item's own shape, the first way the shape matches at all), and
 * where a later item then fails, it does not look back: it answers 0, and regex.c asks
 * PCRE2, which searches the other paths. So a line it matches gets PCRE2's offsets, and
 * a line it does not is PCRE2's to judge (tests/unit/test_layout_match.c holds the two
 * together on every item kind). The steps mirror layout.c's pattern() and put_value()
 * one for one: a change there is a change here. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/scan.h"
#include "lib/format/layout.h"

enum op {
	OP_BYTES, /* literal bytes, exactly */
	OP_BLANKS, /* [ \t]+ (a run of spaces in a literal) */
	OP_QUOTED, /* RL_PATTERN_QUOTED */
	OP_REQUEST, /* (?|(QUOTED)(?=")|(.*?)(?=")) */
	OP_CLF_TIME,
	OP_ISO_TIME,
	OP_DECIMAL,
	OP_INT,
	OP_STATUS,
	OP_LIST,
	OP_NOT_BLANK_OR, /* [^ \t c]*+ */
	OP_NOT_BLANK, /* [^ \t]*+ */
	OP_UPTO, /* [^c]*+ */
	OP_REST, /* .* (the last item) */
	OP_LAZY, /* .*? (before another field): empty first */
};

typedef struct step {
	uint8_t op;
	char c;
	uint16_t group; /* a field's group number; for OP_BYTES, the bytes' offset in lit */
	uint16_t n; /* OP_BYTES: how many */
} step;

struct rl_layout_matcher {
	size_t nsteps;
	uint16_t ngroups;
	step steps[RL_LAYOUT_MAX * 96];
	char lit[RL_LAYOUT_MAX * 96];
};

#define FAIL SIZE_MAX

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t digits(const char *p, size_t n, size_t i)
{
	while (i < n && rl_is_digit(p[i]))
		i++;
	return i;
}

/* exactly k digits at i */
static bool digits_k(const char *p, size_t n, size_t i, size_t k)
{
	if (i > n || n - i < k)
		return false;
	for (size_t j = 0; j < k; j++)
		if (!rl_is_digit(p[i + j]))
			return false;
	return true;
}

/* \d{1,2}/[A-Za-z]{3}/\d{4}[: ]\d\d:\d\d:\d\d(?: [+-]\d{4})?|- */
static size_t clf_time(const char *p, size_t n, size_t i)
{
	size_t j = i;
	if (j < n && rl_is_digit(p[j])) {
		j++;
		if (j < n && rl_is_digit(p[j]))
			j++; /* two digits then '/', or (a third digit) neither way */
		if (j + 18 <= n && p[j] == '/' && is_alpha(p[j + 1]) && is_alpha(p[j + 2]) && is_alpha(p[j + 3]) &&
		    p[j + 4] == '/' && digits_k(p, n, j + 5, 4) && (p[j + 9] == ':' || p[j + 9] == ' ') &&
		    digits_k(p, n, j + 10, 2) && p[j + 12] == ':' && digits_k(p, n, j + 13, 2) && p[j + 15] == ':' &&
		    digits_k(p, n, j + 16, 2)) {
			j += 18;
			if (j + 6 <= n && p[j] == ' ' && (p[j + 1] == '+' || p[j + 1] == '-') &&
			    digits_k(p, n, j + 2, 4))
				j += 6;
			return j;
		}
	}
	return i < n && p[i] == '-' ? i + 1 : FAIL;
}

/* \d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?|- */
static size_t iso_time(const char *p, size_t n, size_t i)
{
	if (i + 19 <= n && digits_k(p, n, i, 4) && p[i + 4] == '-' && digits_k(p, n, i + 5, 2) && p[i + 7] == '-' &&
	    digits_k(p, n, i + 8, 2) && (p[i + 10] == 'T' || p[i + 10] == ' ') && digits_k(p, n, i + 11, 2) &&
	    p[i + 13] == ':' && digits_k(p, n, i + 14, 2) && p[i + 16] == ':' && digits_k(p, n, i + 17, 2)) {
		size_t j = i + 19;
		if (j + 1 < n && (p[j] == '.' || p[j] == ',') && rl_is_digit(p[j + 1]))
			j = digits(p, n, j + 1);
		if (j < n && p[j] == 'Z') {
			j++;
		} else if (j < n && (p[j] == '+' || p[j] == '-') && digits_k(p, n, j + 1, 2)) {
			j += 3;
			if (j < n && p[j] == ':' && digits_k(p, n, j + 1, 2))
				j += 3;
			else if (digits_k(p, n, j, 2))
				j += 2;
		}
		return j;
	}
	return i < n && p[i] == '-' ? i + 1 : FAIL;
}

/* -?\d+(?:\.\d+)?|- */
static size_t decimal(const char *p, size_t n, size_t i)
{
	size_t j = i < n && p[i] == '-' ? i + 1 : i, k = digits(p, n, j);
	if (k > j) {
		if (k + 1 < n && p[k] == '.' && rl_is_digit(p[k + 1]))
			k = digits(p, n, k + 1);
		return k;
	}
	return i < n && p[i] == '-' ? i + 1 : FAIL;
}

static bool list_char(char c)
{
	return c != ' ' && c != ',';
}

static size_t list_run(const char *p, size_t n, size_t i)
{
	while (i < n && list_char(p[i]))
		i++;
	return i;
}

/* [^ ,]+(?:(?:, ?| : )[^ ,]+)*+ */
static size_t list(const char *p, size_t n, size_t i)
{
	size_t j = list_run(p, n, i);
	if (j == i)
		return FAIL;
	for (;;) {
		size_t k;
		if (j < n && p[j] == ',')
			k = j + 1 < n && p[j + 1] == ' ' ? j + 2 : j + 1; /* ", " then a run, else "," then one */
		else if (j + 2 < n && p[j] == ' ' && p[j + 1] == ':' && p[j + 2] == ' ')
			k = j + 3;
		else
			return j;
		size_t e = list_run(p, n, k);
		if (e == k)
			return j;
		j = e;
	}
}

static size_t run_not(const char *p, size_t n, size_t i, char a, char b, char c)
{
	while (i < n && p[i] != a && p[i] != b && p[i] != c)
		i++;
	return i;
}

static size_t value(const step *s, const char *p, size_t n, size_t i)
{
	const char *nl;
	switch (s->op) {
	case OP_QUOTED:
		return rl_quoted_end(p, n, i);
	case OP_REQUEST: {
		size_t e = rl_quoted_end(p, n, i);
		return e < n && p[e] == '"' ? e : FAIL; /* else the lazy alternative: PCRE2's */
	}
	case OP_CLF_TIME:
		return clf_time(p, n, i);
	case OP_ISO_TIME:
		return iso_time(p, n, i);
	case OP_DECIMAL:
		return decimal(p, n, i);
	case OP_INT: {
		size_t j = digits(p, n, i);
		return j > i ? j : i < n && p[i] == '-' ? i + 1 : FAIL;
	}
	case OP_STATUS:
		return digits_k(p, n, i, 3) ? i + 3 : i < n && p[i] == '-' ? i + 1 : FAIL;
	case OP_LIST:
		return list(p, n, i);
	case OP_NOT_BLANK_OR:
		return run_not(p, n, i, ' ', '\t', s->c);
	case OP_NOT_BLANK:
		return run_not(p, n, i, ' ', '\t', ' ');
	case OP_UPTO:
		return run_not(p, n, i, s->c, s->c, s->c);
	case OP_REST:
		nl = memchr(p + i, '\n', n - i);
		return nl ? FAIL : n; /* '.' stops at a newline, and $ then needs the end */
	case OP_LAZY:
		return i;
	default:
		return FAIL;
	}
}

int rl_layout_match(const void *ctx, const char *p, size_t n, size_t *ov)
{
	const rl_layout_matcher *m = ctx;
	size_t i = 0;
	for (size_t k = 0; k < m->nsteps; k++) {
		const step *s = &m->steps[k];
		if (s->op == OP_BYTES) {
			if (n - i < s->n)
				return 0;
			const char *lit = m->lit + s->group; /* a literal is a few bytes: no call */
			for (size_t j = 0; j < s->n; j++)
				if (p[i + j] != lit[j])
					return 0;
			i += s->n;
		} else if (s->op == OP_BLANKS) {
			size_t j = rl_skip_blanks(p, n, i);
			if (j == i)
				return 0;
			i = j;
		} else {
			size_t e = value(s, p, n, i);
			if (e == FAIL)
				return 0;
			ov[2 * s->group] = i;
			ov[2 * s->group + 1] = e;
			i = e;
		}
	}
	/* [ \t]*$ */
	i = rl_skip_blanks(p, n, i);
	if (i != n && !(i + 1 == n && p[i] == '\n'))
		return 0;
	ov[0] = 0;
	ov[1] = i;
	return m->ngroups + 1;
}

/* A field's step: put_value()'s choice, in its order. */
static step field_step(const rl_layout *l, size_t i)
{
	const rl_layout_item *it = &l->items[i];
	const rl_layout_item *prev = i > 0 ? &l->items[i - 1] : NULL;
	const rl_layout_item *next = i + 1 < l->n ? &l->items[i + 1] : NULL;
	bool quoted = prev && prev->literal && prev->text[prev->text_len - 1] == '"' && next && next->literal &&
		      next->text[0] == '"';
	step s = {0};
	if (quoted && it->val == RL_VAL_REQUEST) {
		s.op = OP_REQUEST;
		return s;
	}
	if (quoted && (it->val == RL_VAL_TEXT || it->val == RL_VAL_WORD || it->val == RL_VAL_LIST)) {
		s.op = OP_QUOTED;
		return s;
	}
	switch (it->val) {
	case RL_VAL_CLF_TIME:
		s.op = OP_CLF_TIME;
		return s;
	case RL_VAL_ISO_TIME:
		s.op = OP_ISO_TIME;
		return s;
	case RL_VAL_DECIMAL:
		s.op = OP_DECIMAL;
		return s;
	case RL_VAL_INT:
		s.op = OP_INT;
		return s;
	case RL_VAL_STATUS:
		s.op = OP_STATUS;
		return s;
	case RL_VAL_LIST:
		s.op = OP_LIST;
		return s;
	case RL_VAL_WORD:
		if (next && next->literal && !rl_is_blank(next->text[0]))
			s.op = OP_NOT_BLANK_OR, s.c = next->text[0];
		else
			s.op = OP_NOT_BLANK;
		return s;
	case RL_VAL_REQUEST:
	case RL_VAL_TEXT:
		break;
	}
	if (!next)
		s.op = OP_REST;
	else if (!next->literal)
		s.op = OP_LAZY;
	else if (rl_is_blank(next->text[0]))
		s.op = OP_NOT_BLANK;
	else
		s.op = OP_UPTO, s.c = next->text[0];
	return s;
}

rl_layout_matcher *rl_layout_matcher_new(const rl_layout *l)
{
	rl_layout_matcher *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	size_t nlit = 0;
	for (size_t i = 0; i < l->n; i++) {
		const rl_layout_item *it = &l->items[i];
		if (!it->literal) {
			step s = field_step(l, i);
			s.group = ++m->ngroups;
			m->steps[m->nsteps++] = s;
			continue;
		}
		/* put_literal(): a run of spaces is [ \t]+, every other byte itself */
		for (size_t j = 0; j < it->text_len; j++) {
			if (it->text[j] == ' ') {
				while (j + 1 < it->text_len && it->text[j + 1] == ' ')
					j++;
				m->steps[m->nsteps++] = (step){.op = OP_BLANKS};
				continue;
			}
			step *last = m->nsteps ? &m->steps[m->nsteps - 1] : NULL;
			if (!last || last->op != OP_BYTES || last->group + last->n != nlit)
				m->steps[m->nsteps++] = (step){.op = OP_BYTES, .group = (uint16_t)nlit};
			m->steps[m->nsteps - 1].n++;
			m->lit[nlit++] = it->text[j];
		}
	}
	return m;
}
