/* regex.c - a format from a PCRE2 pattern with named groups.
 *
 * Each named group the engine knows fills one record field; unknown names are captured
 * and ignored. The group-to-field table is resolved once at compile time, so parsing a
 * line is one JIT match plus a field setter per group. */
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/format.h"
#include "lib/timestamp.h"

typedef enum field {
	F_IGNORE,
	F_CLF_PREFIX, /* "[vhost] [forwarded list] addr ident user " in front of [time] */
	F_ADDR,
	F_VHOST,
	F_TIME_CLF_END, /* nginx $time_local */
	F_TIME_CLF_START, /* Apache %t */
	F_REQUEST,
	F_METHOD,
	F_TARGET,
	F_STATUS,
	F_BYTES,
	F_REFERER,
	F_USER_AGENT,
} field;

static const struct {
	const char *name;
	field f;
} group_names[] = {
	{"clf_prefix", F_CLF_PREFIX},
	{"remote_addr", F_ADDR},
	{"vhost", F_VHOST},
	{"time_local", F_TIME_CLF_END},
	{"apache_time", F_TIME_CLF_START},
	{"request", F_REQUEST},
	{"method", F_METHOD},
	{"target", F_TARGET},
	{"status", F_STATUS},
	{"body_bytes_sent", F_BYTES},
	{"http_referer", F_REFERER},
	{"http_user_agent", F_USER_AGENT},
};

#define MAX_GROUPS 64

typedef struct regex_format {
	rl_format base;
	pcre2_code *code;
	pcre2_match_data *md;
	bool jit;
	field by_group[MAX_GROUPS + 1]; /* group number → field */
	uint32_t ngroups;
	uint8_t mapped[MAX_GROUPS]; /* the group numbers that fill a field, ascending */
	uint32_t nmapped;
	rl_clf_cache clf_cache;
} regex_format;

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits the text before "[time]": "[vhost[:port]] [forwarded list] addr ident user ",
 * where the address may itself be a comma-separated list ("10.0.0.2, 10.0.0.1,
 * 127.0.0.1"). Without at least address, ident and user the line does not match. */
static bool set_clf_prefix(rl_record *r, const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end && is_blank(*p))
		p++;
	/* drop user, then ident: each a token preceded by blanks */
	for (int k = 0; k < 2; k++) {
		if (end == p || !is_blank(end[-1]))
			return false;
		while (end > p && is_blank(end[-1]))
			end--;
		while (end > p && !is_blank(end[-1]))
			end--;
	}
	if (end == p || !is_blank(end[-1]))
		return false;
	while (end > p && is_blank(end[-1]))
		end--;
	if (end == p)
		return false;
	/* the address run: the last token, extended left over tokens ending in ',' */
	const char *a = end;
	for (;;) {
		while (a > p && !is_blank(a[-1]))
			a--;
		const char *b = a;
		while (b > p && is_blank(b[-1]))
			b--;
		if (b > p && b[-1] == ',') {
			a = b;
			continue;
		}
		break;
	}
	r->addr = rl_str_make(a, (size_t)(end - a));
	const char *rest_end = a;
	while (rest_end > p && is_blank(rest_end[-1]))
		rest_end--;
	if (rest_end > p && *p != '"') {
		const char *v = p;
		while (v < rest_end && !is_blank(*v))
			v++;
		if (v[-1] != ',')
			r->vhost = rl_str_make(p, (size_t)(v - p));
	}
	return true;
}

static rl_reject set_field(regex_format *fm, rl_record *r, field f, const char *p, size_t n)
{
	rl_str s = rl_str_make(p, n);
	uint64_t v;
	switch (f) {
	case F_IGNORE:
		break;
	case F_CLF_PREFIX:
		if (!set_clf_prefix(r, p, n))
			return RL_REJECT_NO_MATCH;
		break;
	case F_ADDR:
		r->addr = s;
		break;
	case F_VHOST:
		r->vhost = s;
		break;
	case F_TIME_CLF_END:
	case F_TIME_CLF_START:
		if (!rl_timestamp_parse_clf_cached(&fm->clf_cache, s, &r->time_us))
			return RL_REJECT_BAD_TIME;
		r->time_res_us = RL_US_PER_S;
		r->time_is_start = f == F_TIME_CLF_START;
		break;
	case F_REQUEST:
		rl_record_split_request(r, s);
		break;
	case F_METHOD:
		r->method = rl_str_is_dash(s) ? RL_STR_NULL : s;
		break;
	case F_TARGET:
		r->target = s;
		break;
	case F_STATUS:
		if (rl_str_is_dash(s))
			r->status = -1;
		else if (rl_parse_u64(s, &v) && v <= 999)
			r->status = (int)v;
		else
			return RL_REJECT_BAD_STATUS;
		break;
	case F_BYTES:
		r->bytes = rl_parse_u64(s, &v) ? (int64_t)v : -1;
		break;
	case F_REFERER:
		r->referer = s;
		break;
	case F_USER_AGENT:
		r->user_agent = s;
		break;
	}
	return RL_REJECT_NONE;
}

static rl_reject regex_parse(rl_format *base, const char *p, size_t n, rl_record *rec)
{
	regex_format *f = (regex_format *)base;
	int rc = f->jit ? pcre2_jit_match(f->code, (PCRE2_SPTR)p, n, 0, 0, f->md, NULL)
			: pcre2_match(f->code, (PCRE2_SPTR)p, n, 0, 0, f->md, NULL);
	if (rc < 0)
		return RL_REJECT_NO_MATCH;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(f->md);
	bool have_time = false;
	uint32_t top = (uint32_t)rc - 1; /* the highest group that took part */
	for (uint32_t i = 0; i < f->nmapped && f->mapped[i] <= top; i++) {
		uint32_t g = f->mapped[i];
		field fd = f->by_group[g];
		if (ov[2 * g] == PCRE2_UNSET)
			continue;
		rl_reject rj = set_field(f, rec, fd, p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		if (rj)
			return rj;
		have_time |= fd == F_TIME_CLF_END || fd == F_TIME_CLF_START;
	}
	return have_time ? RL_REJECT_NONE : RL_REJECT_NO_TIME;
}

static void regex_free(rl_format *base)
{
	regex_format *f = (regex_format *)base;
	pcre2_match_data_free(f->md);
	pcre2_code_free(f->code);
	free(f);
}

static const rl_format_ops regex_ops = {regex_parse, regex_free, NULL, NULL};

int rl_regex_format_new(rl_format **out, const char *name, const char *pattern, const rl_format_opts *opts,
			rl_err *err)
{
	(void)opts; /* --client: next commit */
	*out = NULL;
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_DUPNAMES, &ec, &eo, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		return rl_err_set(err, RL_EUSAGE, name, 0, "bad pattern at offset %zu: %s", (size_t)eo, (char *)msg);
	}
	regex_format *f = calloc(1, sizeof *f);
	if (!f) {
		pcre2_code_free(code);
		return rl_err_set(err, RL_ENOMEM, name, 0, "out of memory");
	}
	f->base.ops = &regex_ops;
	snprintf(f->base.name, sizeof f->base.name, "%s", name);
	f->code = code;
	f->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	f->md = pcre2_match_data_create_from_pattern(code, NULL);
	uint32_t cap = 0, count = 0, esize = 0;
	PCRE2_SPTR table;
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &esize);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
	if (!f->md || cap > MAX_GROUPS) {
		regex_free(&f->base);
		return rl_err_set(err, RL_EUSAGE, name, 0, "pattern has more than %d groups", MAX_GROUPS);
	}
	f->ngroups = cap;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = table + (size_t)i * esize;
		uint32_t g = ((uint32_t)e[0] << 8) | e[1];
		const char *gname = (const char *)e + 2;
		for (size_t k = 0; k < sizeof group_names / sizeof group_names[0]; k++)
			if (strcmp(gname, group_names[k].name) == 0)
				f->by_group[g] = group_names[k].f;
	}
	for (uint32_t g = 1; g <= cap; g++)
		if (f->by_group[g] != F_IGNORE)
			f->mapped[f->nmapped++] = (uint8_t)g;
	*out = &f->base;
	return 0;
}
