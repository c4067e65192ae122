/* json.c - JSON access logs, one object per line (SPEC §2): nginx escape=json, Caddy,
 * Envoy, Traefik, Cloudflare Logpush, and any other through --field overrides.
 *
 * A profile is a list of (path, field) pairs in order of preference: the first path of
 * a field that the line holds (not null, "" or "-") gives the field. The nginx profile
 * is the field table's JSON keys (fields.c); the others are the products' own layouts.
 * --field NAME=PATH and --client PATH replace the profile's paths for their field (the
 * later of two). Without a named profile, each line is tried with every profile until
 * one reads an access record; that profile is then kept (the name becomes "json:caddy").
 *
 * Lines are read by the path scanner (jscan.h), not into a tree: jansson builds a
 * hash table per object and reads about 185,000 such lines a second; the scanner
 * several times that. Numbers are taken from their text in the line, so times are
 * exact integers of µs (timestamp.h). The record's views point into the line or into
 * the format's buffer of decoded strings, valid until the next line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/fields.h"
#include "lib/format/internal.h"
#include "lib/format/jscan.h"
#include "lib/base/timestamp.h"

/* What a path gives: a field of the table (fields.h), or one of the profiles' own. */
enum {
	JF_END_TIME = RL_FIELD_COUNT, /* the other end (Cloudflare EdgeEndTimestamp): gives the duration */
	JF_ADDR_PORT, /* "10.0.0.1:5000", "[::1]:5000" (Envoy): the address, its port dropped */
	JF_LOGGER, /* Caddy: only http.log.access… loggers write access records */
	JF_COUNT
};

typedef struct jspec {
	const char *path;
	int field; /* an rl_field or JF_* */
	rl_unit unit; /* a time's or a duration's numbers (fields.h; RL_UNIT_AUTO: by their digits) */
	bool start; /* time: marks the start of the request */
} jspec;

static const jspec caddy_specs[] = {
	{"ts", RL_FIELD_TIME, RL_UNIT_S, false},
	{"logger", JF_LOGGER, RL_UNIT_NONE, false},
	{"request.headers.X-Client-Id", RL_FIELD_CLIENT, RL_UNIT_NONE, false},
	{"request.method", RL_FIELD_METHOD, RL_UNIT_NONE, false},
	{"request.uri", RL_FIELD_TARGET, RL_UNIT_NONE, false},
	{"request.proto", RL_FIELD_PROTOCOL, RL_UNIT_NONE, false},
	{"status", RL_FIELD_STATUS, RL_UNIT_NONE, false},
	{"size", RL_FIELD_BYTES, RL_UNIT_NONE, false},
	{"duration", RL_FIELD_DURATION, RL_UNIT_S, false},
	{"request.headers.User-Agent", RL_FIELD_USER_AGENT, RL_UNIT_NONE, false},
	{"request.headers.Referer", RL_FIELD_REFERER, RL_UNIT_NONE, false},
	{"request.client_ip", RL_FIELD_ADDR, RL_UNIT_NONE, false},
	{"request.remote_ip", RL_FIELD_ADDR, RL_UNIT_NONE, false},
	{"request.headers.X-Forwarded-For", RL_FIELD_FORWARDED_FOR, RL_UNIT_NONE, false},
	{"request.host", RL_FIELD_VHOST, RL_UNIT_NONE, false},
	{"request.headers.X-Request-Id", RL_FIELD_REQUEST_ID, RL_UNIT_NONE, false},
	{"resp_headers.X-Request-Id", RL_FIELD_REQUEST_ID, RL_UNIT_NONE, false},
	{"request.headers.Idempotency-Key", RL_FIELD_IDEMPOTENCY_KEY, RL_UNIT_NONE, false},
	{"resp_headers.Retry-After", RL_FIELD_RETRY_AFTER, RL_UNIT_NONE, false},
	{NULL, 0, RL_UNIT_NONE, false},
};

static const jspec envoy_specs[] = {
	{"start_time", RL_FIELD_TIME, RL_UNIT_AUTO, true},
	{"x-client-id", RL_FIELD_CLIENT, RL_UNIT_NONE, false},
	{"method", RL_FIELD_METHOD, RL_UNIT_NONE, false},
	{":method", RL_FIELD_METHOD, RL_UNIT_NONE, false},
	{"x-envoy-original-path", RL_FIELD_TARGET, RL_UNIT_NONE, false},
	{"x-envoy-origin-path", RL_FIELD_TARGET, RL_UNIT_NONE, false},
	{"path", RL_FIELD_TARGET, RL_UNIT_NONE, false},
	{":path", RL_FIELD_TARGET, RL_UNIT_NONE, false},
	{"protocol", RL_FIELD_PROTOCOL, RL_UNIT_NONE, false},
	{"response_code", RL_FIELD_STATUS, RL_UNIT_NONE, false},
	{"bytes_sent", RL_FIELD_BYTES, RL_UNIT_NONE, false},
	{"duration", RL_FIELD_DURATION, RL_UNIT_MS, false},
	{"user-agent", RL_FIELD_USER_AGENT, RL_UNIT_NONE, false},
	{"user_agent", RL_FIELD_USER_AGENT, RL_UNIT_NONE, false},
	{"referer", RL_FIELD_REFERER, RL_UNIT_NONE, false},
	{"downstream_remote_address", JF_ADDR_PORT, RL_UNIT_NONE, false},
	{"x-forwarded-for", RL_FIELD_FORWARDED_FOR, RL_UNIT_NONE, false},
	{":authority", RL_FIELD_VHOST, RL_UNIT_NONE, false},
	{"authority", RL_FIELD_VHOST, RL_UNIT_NONE, false},
	{"x-request-id", RL_FIELD_REQUEST_ID, RL_UNIT_NONE, false},
	{"request_id", RL_FIELD_REQUEST_ID, RL_UNIT_NONE, false},
	{"idempotency-key", RL_FIELD_IDEMPOTENCY_KEY, RL_UNIT_NONE, false},
	{"retry-after", RL_FIELD_RETRY_AFTER, RL_UNIT_NONE, false},
	{NULL, 0, RL_UNIT_NONE, false},
};

static const jspec traefik_specs[] = {
	{"StartUTC", RL_FIELD_TIME, RL_UNIT_AUTO, true},
	{"StartLocal", RL_FIELD_TIME, RL_UNIT_AUTO, true},
	{"request_X-Client-Id", RL_FIELD_CLIENT, RL_UNIT_NONE, false},
	{"RequestMethod", RL_FIELD_METHOD, RL_UNIT_NONE, false},
	{"RequestPath", RL_FIELD_TARGET, RL_UNIT_NONE, false},
	{"RequestProtocol", RL_FIELD_PROTOCOL, RL_UNIT_NONE, false},
	{"DownstreamStatus", RL_FIELD_STATUS, RL_UNIT_NONE, false},
	{"OriginStatus", RL_FIELD_STATUS, RL_UNIT_NONE, false},
	{"DownstreamContentSize", RL_FIELD_BYTES, RL_UNIT_NONE, false},
	{"Duration", RL_FIELD_DURATION, RL_UNIT_NS, false},
	{"request_User-Agent", RL_FIELD_USER_AGENT, RL_UNIT_NONE, false},
	{"request_Referer", RL_FIELD_REFERER, RL_UNIT_NONE, false},
	{"ClientHost", RL_FIELD_ADDR, RL_UNIT_NONE, false},
	{"request_X-Forwarded-For", RL_FIELD_FORWARDED_FOR, RL_UNIT_NONE, false},
	{"RequestHost", RL_FIELD_VHOST, RL_UNIT_NONE, false},
	{"request_X-Request-Id", RL_FIELD_REQUEST_ID, RL_UNIT_NONE, false},
	{"request_Idempotency-Key", RL_FIELD_IDEMPOTENCY_KEY, RL_UNIT_NONE, false},
	{"downstream_Retry-After", RL_FIELD_RETRY_AFTER, RL_UNIT_NONE, false},
	{NULL, 0, RL_UNIT_NONE, false},
};

static const jspec cloudflare_specs[] = {
	{"EdgeStartTimestamp", RL_FIELD_TIME, RL_UNIT_AUTO, true},
	{"EdgeEndTimestamp", JF_END_TIME, RL_UNIT_AUTO, false},
	{"ClientRequestMethod", RL_FIELD_METHOD, RL_UNIT_NONE, false},
	{"ClientRequestURI", RL_FIELD_TARGET, RL_UNIT_NONE, false},
	{"ClientRequestProtocol", RL_FIELD_PROTOCOL, RL_UNIT_NONE, false},
	{"EdgeResponseStatus", RL_FIELD_STATUS, RL_UNIT_NONE, false},
	{"EdgeResponseBytes", RL_FIELD_BYTES, RL_UNIT_NONE, false},
	{"ClientRequestUserAgent", RL_FIELD_USER_AGENT, RL_UNIT_NONE, false},
	{"ClientRequestReferer", RL_FIELD_REFERER, RL_UNIT_NONE, false},
	{"ClientIP", RL_FIELD_ADDR, RL_UNIT_NONE, false},
	{"ClientRequestHost", RL_FIELD_VHOST, RL_UNIT_NONE, false},
	{"RayID", RL_FIELD_REQUEST_ID, RL_UNIT_NONE, false},
	{NULL, 0, RL_UNIT_NONE, false},
};

static const struct {
	const char *name;
	const jspec *specs;
} profiles[] = {
	{"nginx", NULL}, /* the field table's JSON keys (fields.c) */
	{"caddy", caddy_specs}, {"envoy", envoy_specs}, {"traefik", traefik_specs}, {"cloudflare", cloudflare_specs},
};
#define NPROFILES (sizeof profiles / sizeof profiles[0])
#define MAX_SPECS 255

/* a profile with the overrides put in front, its paths compiled */
typedef struct compiled {
	const char *name;
	rl_jpaths *paths;
	struct cspec {
		int field; /* an rl_field or JF_* */
		rl_unit unit;
		bool start, secret;
		char *path; /* for check-format's explanations */
	} spec[MAX_SPECS]; /* slot i of the scan is spec[i] */
	size_t nspec;
	bool logger_rule; /* the profile reads a logger name (Caddy): records without one need
			     a request and a status */
} compiled;

typedef struct json_format {
	rl_format base;
	compiled prof[NPROFILES];
	size_t nprof;
	int cur; /* the profile in use, -1 until a line chose one */
	rl_jvalue *vals;
	char *buf;
	size_t cap;
	rl_clf_cache clf;
} json_format;

/* --- reading values ------------------------------------------------------------------ */

static bool is_scalar(rl_jvalue v)
{
	return v.type == RL_J_STRING || v.type == RL_J_NUMBER || v.type == RL_J_TRUE || v.type == RL_J_FALSE;
}

/* null, "" and "-" are how loggers write "none" */
static bool present(rl_jvalue v)
{
	if (v.type == RL_J_NONE || v.type == RL_J_NULL)
		return false;
	return v.type != RL_J_STRING || !rl_str_is_dash(v.text);
}

static bool parse_time(json_format *f, const struct cspec *sp, rl_jvalue v, int64_t *us, int64_t *res)
{
	rl_str s = v.text;
	if (v.type == RL_J_NUMBER)
		return rl_timestamp_parse_decimal(s, rl_unit_ns(sp->unit), us, res);
	if (v.type != RL_J_STRING)
		return false;
	if (s.n >= 19 && s.p[4] == '-')
		return rl_timestamp_parse_iso8601(s, us, res);
	if (s.n >= 20 && s.p[2] == '/') {
		*res = RL_US_PER_S;
		return rl_timestamp_parse_clf_cached(&f->clf, s, us);
	}
	return rl_timestamp_parse_decimal(s, rl_unit_ns(sp->unit), us, res);
}

/* A duration: a number in the spec's unit, or Go's text form with a unit ("1.5ms"). */
static bool parse_duration(const struct cspec *sp, rl_jvalue v, int64_t *us, int64_t *res)
{
	if (v.type != RL_J_NUMBER && v.type != RL_J_STRING)
		return false;
	rl_str s = v.text;
	rl_unit unit = v.type == RL_J_STRING ? rl_unit_cut_suffix(&s) : RL_UNIT_NONE;
	if (unit == RL_UNIT_NONE)
		unit = sp->unit;
	if (s.n && s.p[0] == '-')
		return false;
	return rl_timestamp_parse_decimal(s, rl_unit_ns(unit), us, res);
}

static bool parse_uint(rl_jvalue v, uint64_t max, uint64_t *out)
{
	return (v.type == RL_J_NUMBER || v.type == RL_J_STRING) && rl_parse_u64(v.text, out) && *out <= max;
}

static rl_str text(rl_jvalue v)
{
	return is_scalar(v) ? v.text : RL_STR_NULL;
}

/* "10.0.0.1:5000" → "10.0.0.1", "[fd00::1]:5000" → "fd00::1"; a bare IPv6 stays. */
static rl_str strip_port(rl_str s)
{
	if (s.n && s.p[0] == '[') {
		const char *e = memchr(s.p, ']', s.n);
		return e ? rl_str_make(s.p + 1, (size_t)(e - s.p - 1)) : s;
	}
	const char *c = memchr(s.p, ':', s.n);
	if (c && !memchr(c + 1, ':', s.n - (size_t)(c - s.p) - 1))
		return rl_str_make(s.p, (size_t)(c - s.p));
	return s;
}

/* --- a line to a record ---------------------------------------------------------------- */

/* Puts the value of field k (of the table) for its setter into v, from the scanned value
 * jv: the members its setter reads. False when it is not stored (unreadable, or read
 * with another field). */
static bool value_of(const compiled *c, const int *got, const rl_jvalue *vals, int k, char *scratch, rl_field_value *v)
{
	const rl_jvalue jv = vals[got[k]];
	uint64_t u;
	v->text = text(jv);
	switch (k) {
	case RL_FIELD_REQUEST:
		return is_scalar(jv);
	case RL_FIELD_URI: {
		/* the target when none is logged, with the args joined */
		if (got[RL_FIELD_TARGET] >= 0 || !is_scalar(jv))
			return false;
		rl_str uri = jv.text, args = got[RL_FIELD_ARGS] >= 0 ? text(vals[got[RL_FIELD_ARGS]]) : RL_STR_NULL;
		if (args.n && !memchr(uri.p, '?', uri.n)) {
			memcpy(scratch, uri.p, uri.n);
			scratch[uri.n] = '?';
			memcpy(scratch + uri.n + 1, args.p, args.n);
			uri = rl_str_make(scratch, uri.n + 1 + args.n);
		}
		v->text = uri;
		return true;
	}
	case RL_FIELD_BYTES:
		if (!parse_uint(jv, UINT64_MAX >> 2, &u))
			return false;
		v->num = (int64_t)u;
		return true;
	case RL_FIELD_DURATION:
		return parse_duration(&c->spec[got[k]], jv, &v->num, &v->res_us);
	case RL_FIELD_ATTEMPT:
		if (!parse_uint(jv, 999999, &u) || u == 0)
			return false;
		v->num = (int64_t)u;
		return true;
	case RL_FIELD_CLIENT:
		v->secret = c->spec[got[k]].secret;
		return true;
	case RL_FIELD_BODY:
		v->text = jv.text; /* an error envelope: an object as its JSON text */
		return true;
	case RL_FIELD_TIME: /* read first */
	case RL_FIELD_STATUS:
	case RL_FIELD_ARGS: /* joined to the uri */
	case RL_FIELD_UPSTREAM_STATUS:
		return false;
	default:
		return true;
	}
}

/* Fills r from the scanned values; *score gets the number of fields the line held. */
static rl_reject fill(json_format *f, const compiled *c, rl_record *r, char *scratch, int *score)
{
	int got[JF_COUNT], held[JF_COUNT], nheld = 0; /* where each field is in vals; the fields held */
	for (int k = 0; k < JF_COUNT; k++)
		got[k] = -1;
	for (size_t i = 0; i < c->nspec; i++)
		if (present(f->vals[i]) && got[c->spec[i].field] < 0) {
			got[c->spec[i].field] = (int)i;
			held[nheld++] = c->spec[i].field;
		}
	*score = nheld;
#define V(k) (f->vals[got[k]])
	/* an access record: Caddy's access loggers, else a request with a status (Caddy) or
	 * anything with a status, method or target */
	bool http = got[RL_FIELD_METHOD] >= 0 || got[RL_FIELD_TARGET] >= 0 || got[RL_FIELD_REQUEST] >= 0 ||
		    got[RL_FIELD_URI] >= 0;
	bool status = got[RL_FIELD_STATUS] >= 0;
	if (got[JF_LOGGER] >= 0) {
		static const char acc[] = "http.log.access";
		rl_str lg = V(JF_LOGGER).text;
		if (lg.n < sizeof acc - 1 || memcmp(lg.p, acc, sizeof acc - 1) != 0)
			return RL_REJECT_NOT_ACCESS;
	} else if (c->logger_rule ? !(status && http) : !(status || http)) {
		return RL_REJECT_NOT_ACCESS;
	}
	if (got[RL_FIELD_TIME] < 0)
		return RL_REJECT_NO_TIME;
	const struct cspec *ts = &c->spec[got[RL_FIELD_TIME]];
	rl_field_value v = {.start = ts->start};
	if (!parse_time(f, ts, V(RL_FIELD_TIME), &v.num, &v.res_us))
		return RL_REJECT_BAD_TIME;
	rl_field_set(r, RL_FIELD_TIME, &v);
	uint64_t u;
	if (got[RL_FIELD_STATUS] >= 0) {
		if (!parse_uint(V(RL_FIELD_STATUS), 999, &u))
			return RL_REJECT_BAD_STATUS;
		v.num = (int64_t)u;
		rl_field_set(r, RL_FIELD_STATUS, &v);
	}
	/* the request line before the others: its parts, logged on their own, override it */
	if (got[RL_FIELD_REQUEST] >= 0 && value_of(c, got, f->vals, RL_FIELD_REQUEST, scratch, &v))
		rl_field_set(r, RL_FIELD_REQUEST, &v);
	for (int i = 0; i < nheld; i++) {
		int k = held[i];
		if (k != RL_FIELD_REQUEST && k < RL_FIELD_COUNT && value_of(c, got, f->vals, k, scratch, &v))
			rl_field_set(r, (rl_field)k, &v);
	}
	int64_t end, end_res;
	if (got[JF_END_TIME] >= 0 && r->duration_us < 0 && r->time_is_start &&
	    parse_time(f, &c->spec[got[JF_END_TIME]], V(JF_END_TIME), &end, &end_res) && end >= r->time_us) {
		v.num = end - r->time_us;
		v.res_us = end_res > r->time_res_us ? end_res : r->time_res_us;
		rl_field_set(r, RL_FIELD_DURATION, &v);
	}
	if (got[RL_FIELD_ADDR] < 0 && got[JF_ADDR_PORT] >= 0) {
		v.text = strip_port(text(V(JF_ADDR_PORT)));
		rl_field_set(r, RL_FIELD_ADDR, &v);
	}
#undef V
	return RL_REJECT_NONE;
}

static rl_reject json_parse(rl_format *base, const char *p, size_t n, rl_record *r)
{
	json_format *f = (json_format *)base;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) { /* a BOM opening the file */
		p += 3;
		n -= 3;
	}
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i == n || p[i] != '{')
		return RL_REJECT_NO_MATCH;
	/* decoded strings take at most n bytes, the joined $uri?$args at most n more */
	if (f->cap < 2 * n + 2) {
		size_t c = f->cap ? f->cap : 1024;
		while (c < 2 * n + 2)
			c *= 2;
		char *b = realloc(f->buf, c);
		if (!b)
			return RL_REJECT_TOO_LONG;
		f->buf = b;
		f->cap = c;
	}
	int score;
	if (f->cur >= 0) {
		compiled *c = &f->prof[f->cur];
		if (!rl_jscan(c->paths, p, n, f->vals, f->buf, f->cap))
			return rl_json_failure(p, n, RL_JSCAN_MAX_DEPTH);
		return fill(f, c, r, f->buf + n, &score);
	}
	/* no profile yet: the one that reads an access record with the most fields */
	int best = -1, best_score = 0, why_score = -1;
	rl_reject why = RL_REJECT_NOT_ACCESS;
	for (size_t k = 0; k < f->nprof; k++) {
		if (!rl_jscan(f->prof[k].paths, p, n, f->vals, f->buf, f->cap))
			return rl_json_failure(p, n, RL_JSCAN_MAX_DEPTH);
		rl_record_reset(r);
		rl_reject rj = fill(f, &f->prof[k], r, f->buf + n, &score);
		if (rj == RL_REJECT_NONE && score > best_score) {
			best = (int)k;
			best_score = score;
		} else if (rj != RL_REJECT_NONE && rj != RL_REJECT_NOT_ACCESS && score > why_score) {
			why = rj;
			why_score = score;
		}
	}
	if (best < 0)
		return why;
	f->cur = best;
	snprintf(f->base.name, sizeof f->base.name, "json:%s", f->prof[best].name);
	rl_record_reset(r);
	rl_jscan(f->prof[best].paths, p, n, f->vals, f->buf, f->cap);
	return fill(f, &f->prof[best], r, f->buf + n, &score);
}

static void json_free(rl_format *base)
{
	json_format *f = (json_format *)base;
	for (size_t k = 0; k < f->nprof; k++) {
		rl_jpaths_free(f->prof[k].paths);
		for (size_t i = 0; i < f->prof[k].nspec; i++)
			free(f->prof[k].spec[i].path);
	}
	free(f->vals);
	free(f->buf);
	free(f);
}

/* The first path of field in c that the scanned line holds, or -1. */
static int first_present(const json_format *f, const compiled *c, int field)
{
	for (size_t i = 0; i < c->nspec; i++)
		if (c->spec[i].field == field && present(f->vals[i]))
			return (int)i;
	return -1;
}

/* check-format: why a line is no record, in the profile's terms */
static void json_explain(rl_format *base, const char *p, size_t n, char *buf, size_t cap)
{
	json_format *f = (json_format *)base;
	rl_record r;
	rl_reject rj = rl_format_parse(base, p, n, &r);
	const compiled *c = f->cur >= 0 ? &f->prof[f->cur] : NULL;
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	int k = c && (rj == RL_REJECT_BAD_TIME || rj == RL_REJECT_BAD_STATUS)
			? first_present(f, c, rj == RL_REJECT_BAD_TIME ? RL_FIELD_TIME : RL_FIELD_STATUS)
			: -1;
	if (rj == RL_REJECT_NO_MATCH && (i == n || p[i] != '{')) {
		snprintf(buf, cap, "not a JSON object: the line starts with '%.*s'", (int)(n - i < 24 ? n - i : 24),
			 p + i);
	} else if (rj == RL_REJECT_NO_MATCH) {
		snprintf(buf, cap, "not valid JSON (or nested deeper than 128)");
	} else if (rj == RL_REJECT_NOT_ACCESS) {
		int lg = c ? first_present(f, c, JF_LOGGER) : -1;
		snprintf(buf, cap, "a JSON record, but no HTTP access record: %s%.*s%s",
			 lg >= 0 ? "its logger '"
			 : c	 ? "it has no status, method or target"
				 : "no profile finds one in it",
			 lg >= 0 ? (int)f->vals[lg].text.n : 0, lg >= 0 ? f->vals[lg].text.p : "",
			 lg >= 0 ? "' is not http.log.access…" : "");
	} else if (rj == RL_REJECT_NO_TIME && c) {
		char keys[200] = "";
		for (size_t s = 0; s < c->nspec; s++)
			if (c->spec[s].field == RL_FIELD_TIME &&
			    strlen(keys) + strlen(c->spec[s].path) + 3 < sizeof keys)
				snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", keys[0] ? ", " : "",
					 c->spec[s].path);
		snprintf(buf, cap, "no time: the line has none of %s (--field time=PATH names another)", keys);
	} else if (k >= 0) {
		snprintf(buf, cap, "%s '%s' is '%.*s': %s", rj == RL_REJECT_BAD_TIME ? "time" : "status",
			 c->spec[k].path, (int)(f->vals[k].text.n < 64 ? f->vals[k].text.n : 64), f->vals[k].text.p,
			 rj == RL_REJECT_BAD_TIME ? "not ISO 8601, CLF or an epoch number" : "not 0..999");
	} else {
		snprintf(buf, cap, "%s", rj == RL_REJECT_NONE ? "the line matches the format" : rl_reject_text(rj));
	}
}

static bool json_settled(const rl_format *base)
{
	return ((const json_format *)base)->cur >= 0;
}

static const rl_format_ops json_ops = {
	.parse = json_parse, .free = json_free, .explain = json_explain, .settled = json_settled};

/* --- overrides ---------------------------------------------------------------------- */

typedef struct override {
	const char *path;
	size_t n;
	int field; /* an rl_field */
	rl_unit unit;
	bool start, secret;
} override;

/* The names --field takes for option o, ", "-separated, into buf. */
static void option_names(char *buf, size_t cap, rl_field_option o)
{
	size_t k = 0;
	buf[0] = 0;
	for (int f = 0; f < RL_FIELD_COUNT && k < cap; f++)
		if (rl_fields[f].option == o)
			k += (size_t)snprintf(buf + k, cap - k, "%s%s", k ? ", " : "", rl_fields[f].name);
}

/* "NAME=PATH[:UNIT]" → o; returns 0 or RL_EUSAGE naming --field. */
static int parse_override(const char *arg, override *o, rl_err *err)
{
	const char *eq = strchr(arg, '=');
	rl_field field = eq ? rl_field_by_option(arg, (size_t)(eq - arg)) : RL_FIELD_NONE;
	if (field == RL_FIELD_NONE) {
		char spec[256], more[128];
		option_names(spec, sizeof spec, RL_OPTION_SPEC);
		option_names(more, sizeof more, RL_OPTION_MORE);
		return rl_err_set(err, RL_EUSAGE, "--field", 0, "'%s' is not NAME=PATH with NAME one of %s (or %s)",
				  arg, spec, more);
	}
	*o = (override){eq + 1, strlen(eq + 1), field, RL_UNIT_AUTO, false, false};
	if (field == RL_FIELD_DURATION)
		o->unit = RL_UNIT_S; /* as nginx writes $request_time */
	const char *colon = strrchr(o->path, ':');
	bool word = colon && colon[1];
	for (const char *q = colon ? colon + 1 : ""; *q; q++)
		word &= (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z');
	if ((field == RL_FIELD_TIME || field == RL_FIELD_DURATION) && word) {
		const char *u = colon + 1;
		rl_unit unit = rl_unit_by_name(u, strlen(u));
		o->n = (size_t)(colon - o->path);
		if (field == RL_FIELD_TIME && (!strcmp(u, "start") || !strcmp(u, "end")))
			o->start = !strcmp(u, "start");
		else if (field == RL_FIELD_DURATION && unit != RL_UNIT_NONE)
			o->unit = unit;
		else
			return rl_err_set(err, RL_EUSAGE, "--field", 0, "'%s': %s takes %s, not ':%s'", arg,
					  rl_fields[field].name,
					  field == RL_FIELD_TIME ? ":start or :end" : ":s, :ms, :us or :ns", u);
	}
	if (field == RL_FIELD_CLIENT)
		o->secret = rl_format_name_is_secret(o->path, o->n);
	return 0;
}

/* The nginx profile into out (cap > its size, ended by a NULL path): the field table's
 * JSON keys, nginx's variables first (fields.c). */
static void nginx_specs(jspec *out, size_t cap)
{
	size_t n = 0;
	for (int f = 0; f < RL_FIELD_COUNT; f++)
		for (const rl_field_name *nm = rl_fields[f].names; nm->name && n + 1 < cap; nm++)
			if (nm->in & RL_IN_JSON)
				out[n++] = (jspec){nm->name, f, nm->unit, nm->start};
	out[n] = (jspec){NULL, 0, RL_UNIT_NONE, false};
}

static int add_spec(compiled *c, const char *path, size_t n, struct cspec sp, bool raw)
{
	if (c->nspec == MAX_SPECS)
		return -1;
	int rc = rl_jpaths_add(c->paths, path, n, (int)c->nspec, raw);
	if (rc == 0 && !(sp.path = strndup(path, n)))
		rc = RL_ENOMEM;
	if (rc == 0)
		c->spec[c->nspec++] = sp;
	return rc;
}

static int compile(compiled *c, size_t prof, const override *ov, size_t nov, rl_err *err)
{
	c->name = profiles[prof].name;
	if (!(c->paths = rl_jpaths_new()))
		return rl_err_set(err, RL_ENOMEM, "--format", 0, "out of memory");
	bool replaced[JF_COUNT] = {false};
	for (size_t i = 0; i < nov; i++) {
		int rc = add_spec(c, ov[i].path, ov[i].n,
				  (struct cspec){ov[i].field, ov[i].unit, ov[i].start, ov[i].secret, NULL},
				  ov[i].field == RL_FIELD_BODY);
		if (rc)
			return rc == RL_ENOMEM
				       ? rl_err_set(err, RL_ENOMEM, "--field", 0, "out of memory")
				       : rl_err_set(err, RL_EUSAGE, "--field", 0,
						    "bad JSON path '%.*s' (keys joined by '.', [N] for an array "
						    "element, [\"a.b\"] for a key with a dot)",
						    (int)ov[i].n, ov[i].path);
		replaced[ov[i].field] = true;
	}
	/* a new time or duration makes the profile's other end meaningless */
	replaced[JF_END_TIME] = replaced[RL_FIELD_TIME] || replaced[RL_FIELD_DURATION];
	replaced[RL_FIELD_URI] = replaced[RL_FIELD_ARGS] = replaced[RL_FIELD_REQUEST] = replaced[RL_FIELD_TARGET];
	replaced[JF_ADDR_PORT] = replaced[RL_FIELD_ADDR];
	jspec table[MAX_SPECS];
	const jspec *specs = profiles[prof].specs;
	if (!specs) {
		nginx_specs(table, MAX_SPECS);
		specs = table;
	}
	for (const jspec *s = specs; s->path; s++) {
		if (replaced[s->field])
			continue;
		if (add_spec(c, s->path, strlen(s->path), (struct cspec){s->field, s->unit, s->start, false, NULL},
			     false))
			return rl_err_set(err, RL_ENOMEM, "--format", 0, "out of memory");
		c->logger_rule |= s->field == JF_LOGGER;
	}
	return 0;
}

int rl_json_format_new(rl_format **out, const char *profile, const rl_format_opts *opts, rl_err *err)
{
	*out = NULL;
	size_t pk = NPROFILES;
	if (profile) {
		for (pk = 0; pk < NPROFILES && strcmp(profiles[pk].name, profile) != 0; pk++)
			;
		if (pk == NPROFILES)
			return rl_err_set(err, RL_EUSAGE, "--format", 0,
					  "unknown JSON profile '%s' (known: nginx, caddy, envoy, traefik, cloudflare)",
					  profile);
	}
	size_t nf = opts ? opts->nfields : 0;
	override ov[MAX_SPECS];
	size_t nov = 0;
	if (nf + 1 > MAX_SPECS)
		return rl_err_set(err, RL_EUSAGE, "--field", 0, "more than %d --field options", MAX_SPECS - 1);
	for (size_t i = 0; i < nf; i++) {
		int rc = parse_override(opts->fields[i], &ov[nov], err);
		if (rc)
			return rc;
		nov++;
	}
	if (opts && opts->client) {
		const char *cl = opts->client[0] == '$' ? opts->client + 1 : opts->client;
		ov[nov++] = (override){cl,	     strlen(cl), RL_FIELD_CLIENT,
				       RL_UNIT_NONE, false,	 rl_format_name_is_secret(cl, strlen(cl))};
	}
	/* of two overrides of one field the later wins (--client after --field client=) */
	size_t kept = 0;
	for (size_t i = 0; i < nov; i++) {
		size_t j = i + 1;
		while (j < nov && ov[j].field != ov[i].field)
			j++;
		if (j == nov)
			ov[kept++] = ov[i];
	}
	nov = kept;
	json_format *f = calloc(1, sizeof *f);
	if (!f)
		return rl_err_set(err, RL_ENOMEM, "--format", 0, "out of memory");
	f->base.ops = &json_ops;
	f->cur = -1;
	size_t slots = 0;
	for (size_t k = profile ? pk : 0; k < (profile ? pk + 1 : NPROFILES); k++) {
		compiled *c = &f->prof[f->nprof++];
		int rc = compile(c, k, ov, nov, err);
		if (rc) {
			json_free(&f->base);
			return rc;
		}
		if (rl_jpaths_slots(c->paths) > slots)
			slots = rl_jpaths_slots(c->paths);
		for (size_t i = 0; i < c->nspec; i++)
			f->base.logs_forwarded_for |= c->spec[i].field == RL_FIELD_FORWARDED_FOR;
	}
	if (!(f->vals = calloc(slots + 1, sizeof *f->vals))) {
		json_free(&f->base);
		return rl_err_set(err, RL_ENOMEM, "--format", 0, "out of memory");
	}
	if (profile) {
		f->cur = 0;
		snprintf(f->base.name, sizeof f->base.name, "json:%s", profile);
	} else {
		snprintf(f->base.name, sizeof f->base.name, "json");
	}
	*out = &f->base;
	return 0;
}
