/* regex.c - a format from a PCRE2 pattern with named groups.
 *
 * Each named group the engine knows fills one record field; unknown names are captured
 * and ignored. The group-to-field table is resolved once at compile time, so parsing a
 * line is one JIT match plus a field setter per group. This is the engine behind
 * combined/common/vcombined (clf.c), nginx:'…' (nginx.c), apache:'…' (apache.c), alb
 * and regex:'…'. */
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/format.h"
#include "lib/format/layout.h"
#include "lib/base/timestamp.h"

typedef enum field {
	F_IGNORE,
	F_CLF_PREFIX, /* "[vhost] [forwarded list] addr ident user " in front of [time] */
	F_ADDR,
	F_VHOST,
	F_TIME_CLF_END, /* nginx $time_local */
	F_TIME_CLF_START, /* Apache %t */
	F_TIME_ISO_END, /* nginx $time_iso8601 */
	F_TIME_ISO_START,
	F_TIME_MSEC_END, /* nginx $msec: epoch seconds with a fraction */
	F_TIME_SEC_START, /* Apache %{sec}t, %{msec_frac}t forms: epoch seconds */
	F_TIME_MS_START, /* Apache %{msec}t: epoch ms */
	F_TIME_US_START, /* Apache %{usec}t: epoch µs */
	F_TIME_MS_END, /* Apache %{end:msec}t */
	F_TIME_US_END, /* Apache %{end:usec}t */
	F_TIME_END, /* a regex's "time": CLF, ISO 8601 or epoch seconds, by its text */
	F_TIME_START,
	F_REQUEST,
	F_METHOD,
	F_TARGET, /* path + query: $request_uri */
	F_URI, /* path only: $uri, Apache %U */
	F_ARGS, /* query: $args ("a=1"), Apache %q ("?a=1") */
	F_STATUS,
	F_UPSTREAM_STATUS, /* "502, 502" or "200 : 200": the last one, when no $status */
	F_BYTES,
	F_DURATION_S, /* $request_time, Apache %T */
	F_DURATION_MS,
	F_DURATION_US, /* Apache %D */
	F_DURATION_NS,
	F_REFERER,
	F_USER_AGENT,
	F_FORWARDED_FOR,
	F_CLIENT,
	F_REQUEST_ID,
	F_IDEMPOTENCY_KEY,
	F_RETRY_AFTER,
	F_ATTEMPT,
	F_BODY,
} field;

/* Group names: SPEC §2's fields, nginx's variables (and the names the Apache compiler
 * gives its directives). Headers arrive as http_<name> / sent_http_<name>. */
static const struct {
	const char *name;
	field f;
} group_names[] = {
	{"clf_prefix", F_CLF_PREFIX},
	{"remote_addr", F_ADDR},
	{"addr", F_ADDR},
	{"realip_remote_addr", F_ADDR},
	{"vhost", F_VHOST},
	{"host", F_VHOST},
	{"server_name", F_VHOST},
	{"http_host", F_VHOST},
	{"time_local", F_TIME_CLF_END},
	{"apache_time", F_TIME_CLF_START},
	{"time_iso8601", F_TIME_ISO_END},
	{"time_iso8601_start", F_TIME_ISO_START},
	{"msec", F_TIME_MSEC_END},
	{"apache_time_sec", F_TIME_SEC_START},
	{"apache_time_msec", F_TIME_MS_START},
	{"apache_time_usec", F_TIME_US_START},
	{"apache_time_msec_end", F_TIME_MS_END},
	{"apache_time_usec_end", F_TIME_US_END},
	{"time", F_TIME_END},
	{"time_end", F_TIME_END},
	{"time_start", F_TIME_START},
	{"request", F_REQUEST},
	{"method", F_METHOD},
	{"request_method", F_METHOD},
	{"target", F_TARGET},
	{"request_uri", F_TARGET},
	{"uri", F_URI},
	{"document_uri", F_URI},
	{"path", F_URI},
	{"args", F_ARGS},
	{"query_string", F_ARGS},
	{"status", F_STATUS},
	{"upstream_status", F_UPSTREAM_STATUS},
	{"body_bytes_sent", F_BYTES},
	{"bytes_sent", F_BYTES},
	{"bytes", F_BYTES},
	{"request_time", F_DURATION_S},
	{"duration", F_DURATION_S},
	{"duration_s", F_DURATION_S},
	{"duration_ms", F_DURATION_MS},
	{"duration_us", F_DURATION_US},
	{"duration_ns", F_DURATION_NS},
	{"http_referer", F_REFERER},
	{"referer", F_REFERER},
	{"http_user_agent", F_USER_AGENT},
	{"user_agent", F_USER_AGENT},
	{"http_x_forwarded_for", F_FORWARDED_FOR},
	{"forwarded_for", F_FORWARDED_FOR},
	{"client", F_CLIENT},
	{"client_id", F_CLIENT},
	{"http_x_client_id", F_CLIENT},
	{"request_id", F_REQUEST_ID},
	{"http_x_request_id", F_REQUEST_ID},
	{"idempotency_key", F_IDEMPOTENCY_KEY},
	{"http_idempotency_key", F_IDEMPOTENCY_KEY},
	{"retry_after", F_RETRY_AFTER},
	{"sent_http_retry_after", F_RETRY_AFTER},
	{"upstream_http_retry_after", F_RETRY_AFTER},
	{"attempt", F_ATTEMPT},
	{"http_x_retry_attempt", F_ATTEMPT},
	{"body", F_BODY},
};

/* Several groups may give the time (nginx $msec and $time_local): the finest wins
 * (SPEC §3.1.1), ties the first. */
static bool is_time_field(field f)
{
	return f >= F_TIME_CLF_END && f <= F_TIME_START;
}

#define MAX_GROUPS 64
/* The match steps a line may take: a base plus some per byte, so that a long
 * well-formed line matches and a short hostile one stops early. */
#define RL_MATCH_BASE 100000
#define RL_MATCH_PER_BYTE 64
#define TARGET_CAP 8192

typedef struct regex_format {
	rl_format base;
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc; /* the match limit: a pattern never backtracks for long */
	pcre2_jit_stack *js; /* JIT's stack, larger than its default 32 KiB */
	bool jit;
	field by_group[MAX_GROUPS + 1]; /* group number → field */
	uint32_t ngroups;
	uint8_t mapped[MAX_GROUPS]; /* the group numbers that fill a field, ascending */
	uint32_t nmapped;
	bool has_status; /* a status group exists: upstream_status is only a fallback */
	bool has_time;
	bool client_is_secret; /* the client group was named by --client and looks like a key */
	rl_clf_cache clf_cache;
	rl_layout *layout; /* what the pattern was compiled from, when known (explain) */
	rl_str uri, args; /* $uri and $args of this line, joined into target at the end */
	char target[TARGET_CAP];
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

/* A time group's text to µs and its resolution; false when unreadable. */
static bool parse_time(regex_format *fm, field f, rl_str s, int64_t *us, int64_t *res)
{
	switch (f) {
	case F_TIME_CLF_END:
	case F_TIME_CLF_START:
		*res = RL_US_PER_S;
		return rl_timestamp_parse_clf_cached(&fm->clf_cache, s, us);
	case F_TIME_ISO_END:
	case F_TIME_ISO_START:
		return rl_timestamp_parse_iso8601(s, us, res);
	case F_TIME_MSEC_END:
	case F_TIME_SEC_START:
		return rl_timestamp_parse_epoch(s, RL_US_PER_S, us, res);
	case F_TIME_MS_START:
	case F_TIME_MS_END:
		if (!rl_timestamp_parse_epoch(s, 1000, us, res))
			return false;
		if (*res > 1000)
			*res = 1000;
		return true;
	case F_TIME_US_START:
	case F_TIME_US_END:
		*res = 1;
		return rl_timestamp_parse_epoch(s, 1, us, NULL);
	case F_TIME_END:
	case F_TIME_START:
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

static bool is_start_field(field f)
{
	return f == F_TIME_CLF_START || f == F_TIME_ISO_START || f == F_TIME_SEC_START || f == F_TIME_MS_START ||
	       f == F_TIME_US_START || f == F_TIME_START;
}

static void set_duration(rl_record *r, rl_str s, int64_t unit_us)
{
	int64_t d, res;
	if (rl_str_is_dash(s) || !rl_duration_parse(s, unit_us, &d, &res))
		return;
	r->duration_us = d;
	r->duration_res_us = res < 1 ? 1 : res;
}

static rl_reject set_field(regex_format *fm, rl_record *r, field f, const char *p, size_t n, bool *have_time)
{
	rl_str s = rl_str_make(p, n);
	uint64_t v;
	int st;
	if (is_time_field(f)) {
		int64_t us, res = RL_US_PER_S;
		if (rl_str_is_dash(s))
			return RL_REJECT_NONE;
		if (!parse_time(fm, f, s, &us, &res))
			return RL_REJECT_BAD_TIME;
		if (!*have_time || res < r->time_res_us) {
			r->time_us = us;
			r->time_res_us = res < 1 ? 1 : res;
			r->time_is_start = is_start_field(f);
			*have_time = true;
		}
		return RL_REJECT_NONE;
	}
	switch (f) {
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
	case F_REQUEST:
		rl_record_split_request(r, s);
		break;
	case F_METHOD:
		r->method = rl_str_is_dash(s) ? RL_STR_NULL : s;
		break;
	case F_TARGET:
		r->target = s;
		break;
	case F_URI:
		fm->uri = s;
		break;
	case F_ARGS:
		fm->args = rl_str_is_dash(s) ? RL_STR_NULL : s;
		break;
	case F_STATUS:
		if (!parse_status(s, &r->status))
			return RL_REJECT_BAD_STATUS;
		break;
	case F_UPSTREAM_STATUS:
		if (!fm->has_status && parse_status(last_of_list(s), &st))
			r->status = st;
		break;
	case F_BYTES:
		if (r->bytes < 0)
			r->bytes = rl_parse_u64(s, &v) ? (int64_t)v : -1;
		break;
	case F_DURATION_S:
		set_duration(r, s, RL_US_PER_S);
		break;
	case F_DURATION_MS:
		set_duration(r, s, 1000);
		break;
	case F_DURATION_US:
		set_duration(r, s, 1);
		break;
	case F_DURATION_NS:
		if (!rl_str_is_dash(s) && rl_parse_u64(s, &v)) {
			r->duration_us = (int64_t)(v / 1000);
			r->duration_res_us = 1;
		}
		break;
	case F_REFERER:
		r->referer = s;
		break;
	case F_USER_AGENT:
		r->user_agent = s;
		break;
	case F_FORWARDED_FOR:
		r->forwarded_for = rl_str_is_dash(s) ? RL_STR_NULL : s;
		break;
	case F_CLIENT:
		if (!rl_str_is_dash(s)) {
			r->client_id = s;
			r->client_is_secret = fm->client_is_secret;
		}
		break;
	case F_REQUEST_ID:
		r->request_id = rl_str_is_dash(s) ? RL_STR_NULL : s;
		break;
	case F_IDEMPOTENCY_KEY:
		r->idempotency_key = rl_str_is_dash(s) ? RL_STR_NULL : s;
		break;
	case F_RETRY_AFTER:
		r->retry_after = rl_str_is_dash(s) ? RL_STR_NULL : s;
		break;
	case F_ATTEMPT:
		if (rl_parse_u64(s, &v) && v > 0 && v < 1000000)
			r->attempt = (int)v;
		break;
	case F_BODY:
		r->body = rl_str_is_dash(s) ? RL_STR_NULL : s;
		break;
	default:
		break;
	}
	return RL_REJECT_NONE;
}

/* $uri and $args (or Apache %U%q) make the target when no request line gave one. */
static void join_target(regex_format *f, rl_record *rec)
{
	if (rec->target.p || !f->uri.p)
		return;
	rl_str a = f->args;
	if (a.n && a.p[0] == '?')
		a.p++, a.n--;
	if (!a.n) {
		rec->target = f->uri;
		return;
	}
	size_t n = f->uri.n < TARGET_CAP - 1 ? f->uri.n : TARGET_CAP - 1;
	memcpy(f->target, f->uri.p, n);
	f->target[n++] = '?';
	size_t k = a.n < TARGET_CAP - n ? a.n : TARGET_CAP - n;
	memcpy(f->target + n, a.p, k);
	rec->target = rl_str_make(f->target, n + k);
}

static rl_reject regex_parse(rl_format *base, const char *p, size_t n, rl_record *rec)
{
	regex_format *f = (regex_format *)base;
	uint64_t limit = RL_MATCH_BASE + (uint64_t)n * RL_MATCH_PER_BYTE;
	pcre2_set_match_limit(f->mc, limit > UINT32_MAX ? UINT32_MAX : (uint32_t)limit);
	int rc = f->jit ? pcre2_jit_match(f->code, (PCRE2_SPTR)p, n, 0, 0, f->md, f->mc)
			: pcre2_match(f->code, (PCRE2_SPTR)p, n, 0, 0, f->md, f->mc);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT) /* the interpreter keeps its state on the heap */
		rc = pcre2_match(f->code, (PCRE2_SPTR)p, n, 0, PCRE2_NO_JIT, f->md, f->mc);
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return RL_REJECT_TOO_COMPLEX;
	if (rc < 0)
		return RL_REJECT_NO_MATCH;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(f->md);
	bool have_time = false;
	f->uri = f->args = RL_STR_NULL;
	uint32_t top = (uint32_t)rc - 1; /* the highest group that took part */
	for (uint32_t i = 0; i < f->nmapped && f->mapped[i] <= top; i++) {
		uint32_t g = f->mapped[i];
		if (ov[2 * g] == PCRE2_UNSET)
			continue;
		rl_reject rj = set_field(f, rec, f->by_group[g], p + ov[2 * g], ov[2 * g + 1] - ov[2 * g], &have_time);
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
	bool client_found = false;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = table + (size_t)i * esize;
		uint32_t g = ((uint32_t)e[0] << 8) | e[1];
		const char *gname = (const char *)e + 2;
		if (client[0] && (strcmp(gname, client) == 0 ||
				  (strncmp(gname, "http_", 5) == 0 && strcmp(gname + 5, client) == 0))) {
			f->by_group[g] = F_CLIENT;
			f->client_is_secret = rl_format_name_is_secret(gname, strlen(gname));
			client_found = true;
			continue;
		}
		for (size_t k = 0; k < sizeof group_names / sizeof group_names[0]; k++)
			if (strcmp(gname, group_names[k].name) == 0)
				f->by_group[g] = group_names[k].f;
		/* with --client, the format's own client field is an ordinary header */
		if (client[0] && f->by_group[g] == F_CLIENT)
			f->by_group[g] = F_IGNORE;
	}
	if (client[0] && !client_found) {
		regex_free(&f->base);
		return rl_err_set(err, RL_EUSAGE, "--client", 0, "format %s logs no field '%s'", name, opts->client);
	}
	for (uint32_t g = 1; g <= cap; g++) {
		if (f->by_group[g] == F_IGNORE)
			continue;
		f->mapped[f->nmapped++] = (uint8_t)g;
		f->has_status |= f->by_group[g] == F_STATUS;
		f->has_time |= is_time_field(f->by_group[g]);
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
