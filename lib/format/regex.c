/* regex.c - a format from a PCRE2 pattern with named groups.
 *
 * Each named group the field table knows (fields.h: SPEC §2's names, nginx's variables,
 * the Apache compiler's names) fills its record field; unknown names are captured and
 * ignored. Groups are resolved to rows once at compile time, so parsing a line is one
 * JIT match plus a field setter per group. This is the engine behind
 * combined/common/vcombined (clf.c), nginx:'…' (nginx.c), apache:'…' (apache.c), alb
 * and regex:'…'. */
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/scan.h"
#include "lib/format/fields.h"
#include "lib/format/internal.h"
#include "lib/format/layout.h"
#include "lib/base/timestamp.h"

/* What a group fills: a field of the table (fields.h), read in the unit and marking
 * the end its name gives, or the CLF family's prefix (clf.c), which regex formats alone
 * read. */
#define FIELD_CLF_PREFIX RL_FIELD_COUNT

typedef struct group {
	int8_t field; /* an rl_field, FIELD_CLF_PREFIX or RL_FIELD_NONE (ignored) */
	uint8_t unit; /* rl_unit */
	bool start;
	bool rule; /* read by a rule of set_group's before it is stored, else stored as logged */
} group;

#define MAX_GROUPS 64
/* The match steps a line may take: a base plus some per byte, so that a long
 * well-formed line matches and a short hostile one stops early. */
#define RL_MATCH_BASE 100000
#define RL_MATCH_PER_BYTE 64
#define TARGET_CAP 8192
_Static_assert(PCRE2_UNSET == (size_t)-1, "the matchers mark an unset group as PCRE2 does");

typedef struct regex_format {
	rl_format base;
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc; /* the match limit: a pattern never backtracks for long */
	pcre2_jit_stack *js; /* JIT's stack, larger than its default 32 KiB */
	bool jit;
	rl_regex_matcher matcher; /* the pattern in C, when it has one (clf.c, layout_match.c) */
	void *matcher_ctx;
	PCRE2_SIZE fov[2 * (MAX_GROUPS + 1)]; /* the matcher's offsets */
	group by_group[MAX_GROUPS + 1]; /* group number → what it fills */
	uint32_t ngroups;
	uint8_t mapped[MAX_GROUPS]; /* the group numbers that fill a field, ascending */
	uint32_t nmapped;
	bool has_status; /* a status group exists: upstream_status is only a fallback */
	bool has_time;
	bool client_is_secret; /* the client group was named by --client and looks like a key */
	bool clf_groups; /* the groups are clf.c's, each its field (clf_fill) */
	rl_clf_cache clf_cache;
	rl_layout *layout; /* what the pattern was compiled from, when known (explain) */
	rl_str uri, args; /* $uri and $args of this line, joined into target at the end */
	char target[TARGET_CAP];
} regex_format;

/* Splits the text before "[time]": "[vhost[:port]] [forwarded list] addr ident user ",
 * where the address may itself be a comma-separated list ("10.0.0.2, 10.0.0.1,
 * 127.0.0.1"). The forwarded list, quoted or not, is the record's X-Forwarded-For.
 * Without at least address, ident and user the line does not match. */
static bool clf_prefix_general(rl_record *r, const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end && rl_is_blank(*p))
		p++;
	/* drop user, then ident: each a token preceded by blanks */
	for (int k = 0; k < 2; k++) {
		if (end == p || !rl_is_blank(end[-1]))
			return false;
		while (end > p && rl_is_blank(end[-1]))
			end--;
		while (end > p && !rl_is_blank(end[-1]))
			end--;
	}
	if (end == p || !rl_is_blank(end[-1]))
		return false;
	while (end > p && rl_is_blank(end[-1]))
		end--;
	if (end == p)
		return false;
	/* the address run: the last token, extended left over tokens ending in ',' */
	const char *a = end;
	for (;;) {
		while (a > p && !rl_is_blank(a[-1]))
			a--;
		const char *b = a;
		while (b > p && rl_is_blank(b[-1]))
			b--;
		if (b > p && b[-1] == ',') {
			a = b;
			continue;
		}
		break;
	}
	r->addr = rl_str_make(a, (size_t)(end - a));
	const char *rest_end = a;
	while (rest_end > p && rl_is_blank(rest_end[-1]))
		rest_end--;
	const char *fwd = p;
	if (rest_end > p && *p != '"') {
		const char *v = p;
		while (v < rest_end && !rl_is_blank(*v))
			v++;
		if (v[-1] != ',') {
			r->vhost = rl_str_make(p, (size_t)(v - p));
			for (fwd = v; fwd < rest_end && rl_is_blank(*fwd);)
				fwd++;
		}
	}
	/* what is left between the vhost and the address: the forwarded list */
	if (rest_end - fwd >= 2 && *fwd == '"' && rest_end[-1] == '"')
		fwd++, rest_end--;
	if (rest_end > fwd && !(rest_end - fwd == 1 && *fwd == '-'))
		r->forwarded_for = rl_str_make(fwd, (size_t)(rest_end - fwd));
	return true;
}

/* The same for the usual "addr ident user ": three tokens and a space after each,
 * which the general reading takes to the address alone (tests/unit/test_clf_prefix.c
 * holds the two together). */
static bool set_clf_prefix(rl_record *r, const char *p, size_t n)
{
	const char *end = p + n;
	if (n >= 6 && end[-1] == ' ' && !rl_is_blank(p[0])) {
		const char *s1 = rl_find2(p, end, ' ', '\t'), *s2, *s3;
		/* ident and user are most often "-": a byte then the space */
		if (*s1 == ' ' &&
		    (s2 = s1 + 2 < end && !rl_is_blank(s1[1]) && s1[2] == ' '
				  ? s1 + 2
				  : rl_find2(s1 + 1, end, ' ', '\t')) > s1 + 1 &&
		    *s2 == ' ' &&
		    (s3 = s2 + 2 == end - 1 && !rl_is_blank(s2[1]) ? s2 + 2 : rl_find2(s2 + 1, end, ' ', '\t')) ==
			    end - 1 &&
		    s3 > s2 + 1) {
			r->addr = rl_str_make(p, (size_t)(s1 - p));
			return true;
		}
	}
	return clf_prefix_general(r, p, n);
}

/* "a, b : c" → the last element (ngx upstream lists: ", " between servers, " : "
 * between upstream groups). */
static rl_str last_of_list(rl_str s)
{
	size_t i = s.n;
	while (i > 0 && s.p[i - 1] != ',' && s.p[i - 1] != ':')
		i--;
	rl_str t = rl_str_make(s.p + i, s.n - i);
	while (t.n && t.p[0] == ' ')
		t.p++, t.n--;
	while (t.n && t.p[t.n - 1] == ' ')
		t.n--;
	return t;
}

static bool parse_status(rl_str s, int *out)
{
	uint64_t v;
	if (rl_str_is_dash(s)) {
		*out = -1;
		return true;
	}
	if (!rl_parse_u64(s, &v) || v > 999)
		return false;
	*out = (int)v;
	return true;
}

/* A time group's text in unit u to µs and its resolution; false when unreadable. */
static bool parse_time(regex_format *fm, rl_unit u, rl_str s, int64_t *us, int64_t *res)
{
	switch (u) {
	case RL_UNIT_CLF:
		*res = RL_US_PER_S;
		return rl_timestamp_parse_clf_cached(&fm->clf_cache, s, us);
	case RL_UNIT_ISO8601:
		return rl_timestamp_parse_iso8601(s, us, res);
	case RL_UNIT_S:
		return rl_timestamp_parse_epoch(s, RL_US_PER_S, us, res);
	case RL_UNIT_MS:
		return rl_timestamp_parse_epoch(s, 1000, us, res);
	case RL_UNIT_US:
		return rl_timestamp_parse_epoch(s, 1, us, res);
	case RL_UNIT_AUTO:
		if (s.n >= 5 && s.p[4] == '-')
			return rl_timestamp_parse_iso8601(s, us, res);
		if (s.n >= 3 && s.p[2] == '/') {
			*res = RL_US_PER_S;
			return rl_timestamp_parse_clf_cached(&fm->clf_cache, s, us);
		}
		if (s.n && ((s.p[0] >= 'A' && s.p[0] <= 'Z') || (s.p[0] >= 'a' && s.p[0] <= 'z'))) {
			/* "Sun Mar 13 22:49:12 2016" (asctime, as uWSGI logs) or an HTTP-date */
			*res = RL_US_PER_S;
			return rl_timestamp_parse_http_date(s, us);
		}
		return rl_timestamp_parse_epoch(s, RL_US_PER_S, us, res);
	default:
		return false;
	}
}

/* A duration group's text in unit u: a decimal, or whole nanoseconds. */
static bool parse_duration(rl_unit u, rl_str s, int64_t *us, int64_t *res)
{
	uint64_t v;
	if (rl_str_is_dash(s))
		return false;
	switch (u) {
	case RL_UNIT_MS:
		return rl_duration_parse(s, 1000, us, res);
	case RL_UNIT_US:
		return rl_duration_parse(s, 1, us, res);
	case RL_UNIT_NS:
		if (!rl_parse_u64(s, &v))
			return false;
		*us = (int64_t)(v / 1000);
		*res = 1;
		return true;
	default:
		return rl_duration_parse(s, RL_US_PER_S, us, res);
	}
}

/* Whether text formats read the field by a rule before they store it: the fields
 * set_group has a case for (keep the two lists together); the others are stored as
 * logged. Decided when the format is made. */
static bool has_rule(int field)
{
	switch (field) {
	case FIELD_CLF_PREFIX:
	case RL_FIELD_TIME:
	case RL_FIELD_DURATION:
	case RL_FIELD_STATUS:
	case RL_FIELD_UPSTREAM_STATUS:
	case RL_FIELD_BYTES:
	case RL_FIELD_ATTEMPT:
	case RL_FIELD_URI:
	case RL_FIELD_ARGS:
		return true;
	default:
		return false;
	}
}

/* Reads the n bytes at p for group g into the record, through its field's setter: as
 * logged, or once the rules of text formats have read it (the finest time wins, ties
 * the first; the first byte count that reads wins; upstream_status only without a
 * status). v is the line's value, its secret set; only the members the field's setter
 * reads are written. Each rule stores with its own field (rl_field_set, inlined to the
 * setter: no second switch). */
static rl_reject set_group(regex_format *fm, rl_record *r, const group *g, const char *p, size_t n, bool *have_time,
			   rl_field_value *v)
{
	rl_str s = rl_str_make(p, n);
	uint64_t u;
	int st;
	if (!g->rule) {
		v->text = s;
		rl_field_set(r, (rl_field)g->field, v);
		return RL_REJECT_NONE;
	}
	switch (g->field) {
	case FIELD_CLF_PREFIX:
		return set_clf_prefix(r, p, n) ? RL_REJECT_NONE : RL_REJECT_NO_MATCH;
	case RL_FIELD_TIME:
		v->res_us = RL_US_PER_S;
		v->start = g->start;
		if (rl_str_is_dash(s))
			return RL_REJECT_NONE;
		if (!parse_time(fm, g->unit, s, &v->num, &v->res_us))
			return RL_REJECT_BAD_TIME;
		if (*have_time && v->res_us >= r->time_res_us)
			return RL_REJECT_NONE;
		*have_time = true;
		rl_field_set(r, RL_FIELD_TIME, v);
		return RL_REJECT_NONE;
	case RL_FIELD_DURATION:
		if (parse_duration(g->unit, s, &v->num, &v->res_us))
			rl_field_set(r, RL_FIELD_DURATION, v);
		return RL_REJECT_NONE;
	case RL_FIELD_STATUS:
		if (!parse_status(s, &st))
			return RL_REJECT_BAD_STATUS;
		v->num = st;
		rl_field_set(r, RL_FIELD_STATUS, v);
		return RL_REJECT_NONE;
	case RL_FIELD_UPSTREAM_STATUS:
		if (!fm->has_status && parse_status(last_of_list(s), &st)) {
			v->num = st;
			rl_field_set(r, RL_FIELD_UPSTREAM_STATUS, v);
		}
		return RL_REJECT_NONE;
	case RL_FIELD_BYTES:
		if (r->bytes < 0) {
			v->num = rl_parse_u64(s, &u) ? (int64_t)u : -1;
			rl_field_set(r, RL_FIELD_BYTES, v);
		}
		return RL_REJECT_NONE;
	case RL_FIELD_ATTEMPT:
		if (rl_parse_u64(s, &u) && u > 0 && u < 1000000) {
			v->num = (int64_t)u;
			rl_field_set(r, RL_FIELD_ATTEMPT, v);
		}
		return RL_REJECT_NONE;
	case RL_FIELD_URI: /* joined with the args at the end of the line */
		fm->uri = s;
		return RL_REJECT_NONE;
	case RL_FIELD_ARGS:
		fm->args = rl_str_is_dash(s) ? RL_STR_NULL : s;
		return RL_REJECT_NONE;
	default:
		return RL_REJECT_NONE;
	}
}

/* $uri and $args (or Apache %U%q) make the target when no request line gave one. */
static void join_target(regex_format *f, rl_record *rec)
{
	if (rec->target.p || !f->uri.p)
		return;
	rl_str a = f->args;
	if (a.n && a.p[0] == '?')
		a.p++, a.n--;
	rl_field_value v = {.text = f->uri};
	if (a.n) {
		size_t n = f->uri.n < TARGET_CAP - 1 ? f->uri.n : TARGET_CAP - 1;
		memcpy(f->target, f->uri.p, n);
		f->target[n++] = '?';
		size_t k = a.n < TARGET_CAP - n ? a.n : TARGET_CAP - n;
		memcpy(f->target + n, a.p, k);
		v.text = rl_str_make(f->target, n + k);
		f->base.borrowed = true;
	}
	rl_field_set(rec, RL_FIELD_URI, &v);
}

/* regex_parse's loop for clf.c's pattern, whose groups are numbered 1 prefix, 2
 * time_local, 3 request, 4 status, 5 body_bytes_sent, 6 referer, 7 user agent, 8
 * X-Forwarded-For, with the format's fields as clf.c names them: each group's case of
 * set_group, called without the loop's dispatch (test_clf_fill holds the two to the
 * same records). */
static rl_reject clf_fill(regex_format *f, rl_record *rec, const char *p, const PCRE2_SIZE *ov, uint32_t top)
{
	rl_field_value v = {.secret = f->client_is_secret};
	if (!set_clf_prefix(rec, p + ov[2], ov[3] - ov[2]))
		return RL_REJECT_NO_MATCH;
	bool have_time = false;
	rl_str s = rl_str_make(p + ov[4], ov[5] - ov[4]);
	if (!rl_str_is_dash(s)) {
		if (!rl_timestamp_parse_clf_cached(&f->clf_cache, s, &v.num))
			return RL_REJECT_BAD_TIME;
		v.res_us = RL_US_PER_S;
		v.start = false;
		rl_field_set_time(rec, &v);
		have_time = true;
	}
	v.text = rl_str_make(p + ov[6], ov[7] - ov[6]);
	rl_field_set_request(rec, &v);
	int st;
	if (!parse_status(rl_str_make(p + ov[8], ov[9] - ov[8]), &st))
		return RL_REJECT_BAD_STATUS;
	v.num = st;
	rl_field_set_status(rec, &v);
	if (rec->bytes < 0) {
		uint64_t u;
		v.num = rl_parse_u64(rl_str_make(p + ov[10], ov[11] - ov[10]), &u) ? (int64_t)u : -1;
		rl_field_set_bytes(rec, &v);
	}
	if (top >= 6 && ov[12] != PCRE2_UNSET) {
		v.text = rl_str_make(p + ov[12], ov[13] - ov[12]);
		rl_field_set_referer(rec, &v);
	}
	if (top >= 7 && ov[14] != PCRE2_UNSET) {
		v.text = rl_str_make(p + ov[14], ov[15] - ov[14]);
		rl_field_set_user_agent(rec, &v);
	}
	if (top >= 8 && ov[16] != PCRE2_UNSET) {
		v.text = rl_str_make(p + ov[16], ov[17] - ov[16]);
		rl_field_set_forwarded_for(rec, &v);
	}
	return have_time ? RL_REJECT_NONE : RL_REJECT_NO_TIME;
}

/* Whether the format's groups are clf.c's, each mapped to its field (clf_fill). */
static bool is_clf_groups(const regex_format *f)
{
	static const int8_t want[9] = {RL_FIELD_NONE,	 FIELD_CLF_PREFIX,    RL_FIELD_TIME,
				       RL_FIELD_REQUEST, RL_FIELD_STATUS,     RL_FIELD_BYTES,
				       RL_FIELD_REFERER, RL_FIELD_USER_AGENT, RL_FIELD_FORWARDED_FOR};
	if (f->ngroups != 8 || f->nmapped != 8)
		return false;
	for (uint32_t g = 1; g <= 8; g++)
		if (f->by_group[g].field != want[g] || f->mapped[g - 1] != g)
			return false;
	return f->by_group[2].unit == RL_UNIT_CLF && !f->by_group[2].start;
}

static rl_reject regex_parse(rl_format *base, const char *p, size_t n, rl_record *rec)
{
	regex_format *f = (regex_format *)base;
	PCRE2_SIZE *ov = f->fov;
	base->borrowed = false; /* every view is into the line, but a target join_target makes */
	int rc = f->matcher ? f->matcher(f->matcher_ctx, p, n, f->fov) : 0;
	if (rc <= 0) {
		uint64_t limit = RL_MATCH_BASE + (uint64_t)n * RL_MATCH_PER_BYTE;
		pcre2_set_match_limit(f->mc, limit > UINT32_MAX ? UINT32_MAX : (uint32_t)limit);
		rc = f->jit ? pcre2_jit_match(f->code, (PCRE2_SPTR)p, n, 0, 0, f->md, f->mc)
			    : pcre2_match(f->code, (PCRE2_SPTR)p, n, 0, 0, f->md, f->mc);
		if (rc == PCRE2_ERROR_JIT_STACKLIMIT) /* the interpreter keeps its state on the heap */
			rc = pcre2_match(f->code, (PCRE2_SPTR)p, n, 0, PCRE2_NO_JIT, f->md, f->mc);
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
			return RL_REJECT_TOO_COMPLEX;
		if (rc < 0)
			return RL_REJECT_NO_MATCH;
		ov = pcre2_get_ovector_pointer(f->md);
	}
	uint32_t top = (uint32_t)rc - 1; /* the highest group that took part */
	if (f->clf_groups && top >= 5 && ov[2] != PCRE2_UNSET && ov[4] != PCRE2_UNSET && ov[6] != PCRE2_UNSET &&
	    ov[8] != PCRE2_UNSET && ov[10] != PCRE2_UNSET)
		return clf_fill(f, rec, p, ov, top);
	bool have_time = false;
	rl_field_value v = {.secret = f->client_is_secret};
	f->uri = f->args = RL_STR_NULL;
	for (uint32_t i = 0; i < f->nmapped && f->mapped[i] <= top; i++) {
		uint32_t g = f->mapped[i];
		if (ov[2 * g] == PCRE2_UNSET)
			continue;
		rl_reject rj =
			set_group(f, rec, &f->by_group[g], p + ov[2 * g], ov[2 * g + 1] - ov[2 * g], &have_time, &v);
		if (rj)
			return rj;
	}
	join_target(f, rec);
	return have_time ? RL_REJECT_NONE : RL_REJECT_NO_TIME;
}

static void regex_free(rl_format *base)
{
	regex_format *f = (regex_format *)base;
	pcre2_match_data_free(f->md);
	pcre2_match_context_free(f->mc);
	pcre2_jit_stack_free(f->js);
	pcre2_code_free(f->code);
	free(f->matcher_ctx);
	free(f->layout);
	free(f);
}

static void regex_explain(rl_format *base, const char *p, size_t n, char *buf, size_t cap)
{
	regex_format *f = (regex_format *)base;
	rl_record r;
	rl_reject rj = rl_format_parse(base, p, n, &r);
	if (rj == RL_REJECT_NO_MATCH && f->layout) {
		rl_layout_explain(f->layout, p, n, buf, cap);
		return;
	}
	snprintf(buf, cap, "%s", rj == RL_REJECT_NONE ? "the line matches the format" : rl_reject_text(rj));
}

void rl_regex_format_set_matcher(rl_format *base, rl_regex_matcher m, void *ctx)
{
	regex_format *f = (regex_format *)base;
	/* the matchers read '.' and '$' as PCRE2 does when a newline is a line feed alone */
	uint32_t nl = 0;
	pcre2_config(PCRE2_CONFIG_NEWLINE, &nl);
	free(f->matcher_ctx);
	f->matcher = nl == PCRE2_NEWLINE_LF ? m : NULL;
	f->matcher_ctx = f->matcher ? ctx : NULL;
	if (!f->matcher)
		free(ctx);
	f->clf_groups = m == rl_clf_match && is_clf_groups(f);
}

int rl_regex_format_keep_layout(rl_format *base, const rl_layout *l, rl_err *err)
{
	regex_format *f = (regex_format *)base;
	free(f->layout);
	if (!(f->layout = malloc(sizeof *l)))
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	memcpy(f->layout, l, sizeof *l);
	return 0;
}

/* --client FIELD as a group name: "$http_x_api_key", "X-Api-Key" and "x_api_key" all
 * name the group http_x_api_key (or a group called exactly so). */
static int client_group(const char *field, char *out, size_t cap, const char *name, rl_err *err)
{
	if (*field == '$')
		field++;
	size_t n = strlen(field);
	if (n == 0 || n >= cap)
		return rl_err_set(err, RL_EUSAGE, "--client", 0, "'%s' is not a field of format %s", field, name);
	for (size_t i = 0; i <= n; i++)
		out[i] = field[i] == '-' ? '_' : (char)tolower((unsigned char)field[i]);
	return 0;
}

static const rl_format_ops regex_ops = {.parse = regex_parse, .free = regex_free, .explain = regex_explain};

int rl_regex_format_new(rl_format **out, const char *name, const char *pattern, const rl_format_opts *opts, rl_err *err)
{
	*out = NULL;
	int ec, rc;
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
#ifndef RL_NO_JIT
	f->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
#endif
	f->md = pcre2_match_data_create_from_pattern(code, NULL);
	/* A line that almost matches a pattern with adjacent free fields ($a$b$c) can take
	 * exponential steps: past its match limit (RL_MATCH_BASE + RL_MATCH_PER_BYTE per
	 * byte) it is rejected as too complex, in bounded time. The patterns retrylens
	 * builds take a few steps per byte on any line. */
	f->mc = pcre2_match_context_create(NULL);
	if (f->jit && f->mc && (f->js = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL)))
		pcre2_jit_stack_assign(f->mc, NULL, f->js);
	uint32_t cap = 0, count = 0, esize = 0;
	PCRE2_SPTR table;
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &esize);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
	if (!f->md || !f->mc || cap > MAX_GROUPS) {
		regex_free(&f->base);
		return rl_err_set(err, RL_EUSAGE, name, 0, "pattern has more than %d groups", MAX_GROUPS);
	}
	f->ngroups = cap;
	char client[40] = "";
	if (opts && opts->client && (rc = client_group(opts->client, client, sizeof client, name, err))) {
		regex_free(&f->base);
		return rc;
	}
	for (uint32_t g = 0; g <= cap; g++)
		f->by_group[g] = (group){RL_FIELD_NONE, RL_UNIT_NONE, false, false};
	bool client_found = false;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = table + (size_t)i * esize;
		uint32_t g = ((uint32_t)e[0] << 8) | e[1];
		const char *gname = (const char *)e + 2;
		if (client[0] && (strcmp(gname, client) == 0 ||
				  (strncmp(gname, "http_", 5) == 0 && strcmp(gname + 5, client) == 0))) {
			f->by_group[g] = (group){RL_FIELD_CLIENT, RL_UNIT_NONE, false, false};
			f->client_is_secret = rl_format_name_is_secret(gname, strlen(gname));
			client_found = true;
			continue;
		}
		const rl_field_name *nm;
		rl_field k = rl_field_find(RL_IN_GROUP, gname, strlen(gname), &nm);
		if (k != RL_FIELD_NONE)
			f->by_group[g] = (group){(int8_t)k, (uint8_t)nm->unit, nm->start, false};
		else if (strcmp(gname, "clf_prefix") == 0)
			f->by_group[g].field = FIELD_CLF_PREFIX;
		/* with --client, the format's own client field is an ordinary header */
		if (client[0] && k == RL_FIELD_CLIENT)
			f->by_group[g].field = RL_FIELD_NONE;
	}
	if (client[0] && !client_found) {
		regex_free(&f->base);
		return rl_err_set(err, RL_EUSAGE, "--client", 0, "format %s logs no field '%s'", name, opts->client);
	}
	for (uint32_t g = 1; g <= cap; g++) {
		if (f->by_group[g].field == RL_FIELD_NONE)
			continue;
		f->by_group[g].rule = has_rule(f->by_group[g].field);
		f->mapped[f->nmapped++] = (uint8_t)g;
		f->has_status |= f->by_group[g].field == RL_FIELD_STATUS;
		f->has_time |= f->by_group[g].field == RL_FIELD_TIME;
		f->base.logs_forwarded_for |=
			f->by_group[g].field == RL_FIELD_FORWARDED_FOR || f->by_group[g].field == FIELD_CLF_PREFIX;
	}
	if (!f->has_time) {
		regex_free(&f->base);
		return rl_err_set(err, RL_EUSAGE, name, 0,
				  "the format has no time field (a group or variable named time, time_local, "
				  "time_iso8601, msec …)");
	}
	*out = &f->base;
	return 0;
}
