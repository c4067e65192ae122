/* json.c - JSON access logs, one object per line (SPEC §2): nginx escape=json, Caddy,
 * Envoy, Traefik, Cloudflare Logpush, and any other through --field overrides.
 *
 * A profile is a list of (path, field) pairs in order of preference: the first path of
 * a field that the line holds (not null, "" or "-") gives the field. --field NAME=PATH
 * and --client PATH replace the profile's paths for their field (the later of two). Without
 * a named profile, each line is tried with every profile until one reads an access
 * record; that profile is then kept (the name becomes "json:caddy").
 *
 * Lines are read by the path scanner (jscan.h), not into a tree: jansson builds a
 * hash table per object and reads about 185,000 such lines a second; the scanner
 * several times that. Numbers are taken from their text in the line, so times are
 * exact integers of µs (timestamp.h). The record's views point into the line or into the format's
 * buffer of decoded strings, valid until the next line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/format.h"
#include "lib/format/jscan.h"
#include "lib/timestamp.h"

typedef enum jfield {
	JF_TIME,
	JF_END_TIME, /* the other end (Cloudflare EdgeEndTimestamp): gives the duration */
	JF_CLIENT,
	JF_REQUEST, /* "GET /path HTTP/1.1" */
	JF_METHOD,
	JF_TARGET,
	JF_URI, /* nginx $uri: the target when there is no $request_uri, with $args */
	JF_ARGS,
	JF_PROTOCOL,
	JF_STATUS,
	JF_BYTES,
	JF_DURATION,
	JF_USER_AGENT,
	JF_REFERER,
	JF_ADDR,
	JF_ADDR_PORT, /* "10.0.0.1:5000", "[::1]:5000": the port is dropped */
	JF_FORWARDED_FOR,
	JF_VHOST,
	JF_REQUEST_ID,
	JF_IDEMPOTENCY_KEY,
	JF_RETRY_AFTER,
	JF_ATTEMPT,
	JF_BODY,
	JF_LOGGER, /* Caddy: only http.log.access… loggers write access records */
	JF_COUNT
} jfield;

#define U_S 1000000000LL /* units in ns, as rl_timestamp_parse_decimal takes them */
#define U_MS 1000000LL
#define U_US 1000LL
#define U_NS 1LL
#define U_GUESS 0 /* epoch numbers: the unit follows from the number of digits */

typedef struct jspec {
	const char *path;
	jfield field;
	long long unit; /* time: U_GUESS or a unit for numbers; duration: its unit */
	bool start; /* time: marks the start of the request */
} jspec;

static const jspec nginx_specs[] = {
	{"msec", JF_TIME, U_S, false},
	{"time_iso8601", JF_TIME, U_GUESS, false},
	{"time_local", JF_TIME, U_GUESS, false},
	{"@timestamp", JF_TIME, U_GUESS, false},
	{"time", JF_TIME, U_GUESS, false},
	{"timestamp", JF_TIME, U_GUESS, false},
	{"http_x_client_id", JF_CLIENT, 0, false},
	{"client_id", JF_CLIENT, 0, false},
	{"request", JF_REQUEST, 0, false},
	{"request_method", JF_METHOD, 0, false},
	{"method", JF_METHOD, 0, false},
	{"request_uri", JF_TARGET, 0, false},
	{"uri", JF_URI, 0, false},
	{"args", JF_ARGS, 0, false},
	{"query_string", JF_ARGS, 0, false},
	{"server_protocol", JF_PROTOCOL, 0, false},
	{"protocol", JF_PROTOCOL, 0, false},
	{"status", JF_STATUS, 0, false},
	{"body_bytes_sent", JF_BYTES, 0, false},
	{"bytes_sent", JF_BYTES, 0, false},
	{"body_bytes", JF_BYTES, 0, false},
	{"request_time", JF_DURATION, U_S, false},
	{"response_time", JF_DURATION, U_S, false},
	{"http_user_agent", JF_USER_AGENT, 0, false},
	{"user_agent", JF_USER_AGENT, 0, false},
	{"ua", JF_USER_AGENT, 0, false},
	{"http_referer", JF_REFERER, 0, false},
	{"referer", JF_REFERER, 0, false},
	{"remote_addr", JF_ADDR, 0, false},
	{"remote_ip", JF_ADDR, 0, false},
	{"http_x_forwarded_for", JF_FORWARDED_FOR, 0, false},
	{"host", JF_VHOST, 0, false},
	{"http_host", JF_VHOST, 0, false},
	{"server_name", JF_VHOST, 0, false},
	{"http_x_request_id", JF_REQUEST_ID, 0, false},
	{"request_id", JF_REQUEST_ID, 0, false},
	{"http_idempotency_key", JF_IDEMPOTENCY_KEY, 0, false},
	{"idempotency_key", JF_IDEMPOTENCY_KEY, 0, false},
	{"sent_http_retry_after", JF_RETRY_AFTER, 0, false},
	{"retry_after", JF_RETRY_AFTER, 0, false},
	{"http_x_retry_attempt", JF_ATTEMPT, 0, false},
	{"attempt", JF_ATTEMPT, 0, false},
	{NULL, 0, 0, false},
};

static const jspec caddy_specs[] = {
	{"ts", JF_TIME, U_S, false},
	{"logger", JF_LOGGER, 0, false},
	{"request.headers.X-Client-Id", JF_CLIENT, 0, false},
	{"request.method", JF_METHOD, 0, false},
	{"request.uri", JF_TARGET, 0, false},
	{"request.proto", JF_PROTOCOL, 0, false},
	{"status", JF_STATUS, 0, false},
	{"size", JF_BYTES, 0, false},
	{"duration", JF_DURATION, U_S, false},
	{"request.headers.User-Agent", JF_USER_AGENT, 0, false},
	{"request.headers.Referer", JF_REFERER, 0, false},
	{"request.client_ip", JF_ADDR, 0, false},
	{"request.remote_ip", JF_ADDR, 0, false},
	{"request.headers.X-Forwarded-For", JF_FORWARDED_FOR, 0, false},
	{"request.host", JF_VHOST, 0, false},
	{"request.headers.X-Request-Id", JF_REQUEST_ID, 0, false},
	{"resp_headers.X-Request-Id", JF_REQUEST_ID, 0, false},
	{"request.headers.Idempotency-Key", JF_IDEMPOTENCY_KEY, 0, false},
	{"resp_headers.Retry-After", JF_RETRY_AFTER, 0, false},
	{NULL, 0, 0, false},
};

static const jspec envoy_specs[] = {
	{"start_time", JF_TIME, U_GUESS, true},
	{"x-client-id", JF_CLIENT, 0, false},
	{"method", JF_METHOD, 0, false},
	{":method", JF_METHOD, 0, false},
	{"x-envoy-original-path", JF_TARGET, 0, false},
	{"x-envoy-origin-path", JF_TARGET, 0, false},
	{"path", JF_TARGET, 0, false},
	{":path", JF_TARGET, 0, false},
	{"protocol", JF_PROTOCOL, 0, false},
	{"response_code", JF_STATUS, 0, false},
	{"bytes_sent", JF_BYTES, 0, false},
	{"duration", JF_DURATION, U_MS, false},
	{"user-agent", JF_USER_AGENT, 0, false},
	{"user_agent", JF_USER_AGENT, 0, false},
	{"referer", JF_REFERER, 0, false},
	{"downstream_remote_address", JF_ADDR_PORT, 0, false},
	{"x-forwarded-for", JF_FORWARDED_FOR, 0, false},
	{":authority", JF_VHOST, 0, false},
	{"authority", JF_VHOST, 0, false},
	{"x-request-id", JF_REQUEST_ID, 0, false},
	{"request_id", JF_REQUEST_ID, 0, false},
	{"idempotency-key", JF_IDEMPOTENCY_KEY, 0, false},
	{"retry-after", JF_RETRY_AFTER, 0, false},
	{NULL, 0, 0, false},
};

static const jspec traefik_specs[] = {
	{"StartUTC", JF_TIME, U_GUESS, true},
	{"StartLocal", JF_TIME, U_GUESS, true},
	{"request_X-Client-Id", JF_CLIENT, 0, false},
	{"RequestMethod", JF_METHOD, 0, false},
	{"RequestPath", JF_TARGET, 0, false},
	{"RequestProtocol", JF_PROTOCOL, 0, false},
	{"DownstreamStatus", JF_STATUS, 0, false},
	{"OriginStatus", JF_STATUS, 0, false},
	{"DownstreamContentSize", JF_BYTES, 0, false},
	{"Duration", JF_DURATION, U_NS, false},
	{"request_User-Agent", JF_USER_AGENT, 0, false},
	{"request_Referer", JF_REFERER, 0, false},
	{"ClientHost", JF_ADDR, 0, false},
	{"request_X-Forwarded-For", JF_FORWARDED_FOR, 0, false},
	{"RequestHost", JF_VHOST, 0, false},
	{"request_X-Request-Id", JF_REQUEST_ID, 0, false},
	{"request_Idempotency-Key", JF_IDEMPOTENCY_KEY, 0, false},
	{"downstream_Retry-After", JF_RETRY_AFTER, 0, false},
	{NULL, 0, 0, false},
};

static const jspec cloudflare_specs[] = {
	{"EdgeStartTimestamp", JF_TIME, U_GUESS, true},
	{"EdgeEndTimestamp", JF_END_TIME, U_GUESS, false},
	{"ClientRequestMethod", JF_METHOD, 0, false},
	{"ClientRequestURI", JF_TARGET, 0, false},
	{"ClientRequestProtocol", JF_PROTOCOL, 0, false},
	{"EdgeResponseStatus", JF_STATUS, 0, false},
	{"EdgeResponseBytes", JF_BYTES, 0, false},
	{"ClientRequestUserAgent", JF_USER_AGENT, 0, false},
	{"ClientRequestReferer", JF_REFERER, 0, false},
	{"ClientIP", JF_ADDR, 0, false},
	{"ClientRequestHost", JF_VHOST, 0, false},
	{"RayID", JF_REQUEST_ID, 0, false},
	{NULL, 0, 0, false},
};

static const struct {
	const char *name;
	const jspec *specs;
} profiles[] = {
	{"nginx", nginx_specs},	    {"caddy", caddy_specs},	      {"envoy", envoy_specs},
	{"traefik", traefik_specs}, {"cloudflare", cloudflare_specs},
};
#define NPROFILES (sizeof profiles / sizeof profiles[0])
#define MAX_SPECS 255

/* a profile with the overrides put in front, its paths compiled */
typedef struct compiled {
	const char *name;
	rl_jpaths *paths;
	struct cspec {
		jfield field;
		long long unit;
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
		return rl_timestamp_parse_decimal(s, sp->unit, us, res);
	if (v.type != RL_J_STRING)
		return false;
	if (s.n >= 19 && s.p[4] == '-')
		return rl_timestamp_parse_iso8601(s, us, res);
	if (s.n >= 20 && s.p[2] == '/') {
		*res = RL_US_PER_S;
		return rl_timestamp_parse_clf_cached(&f->clf, s, us);
	}
	return rl_timestamp_parse_decimal(s, sp->unit, us, res);
}

/* A duration: a number in the spec's unit, or Go's text form with a unit ("1.5ms"). */
static bool parse_duration(const struct cspec *sp, rl_jvalue v, int64_t *us, int64_t *res)
{
	if (v.type != RL_J_NUMBER && v.type != RL_J_STRING)
		return false;
	rl_str s = v.text;
	long long unit = sp->unit;
	static const struct {
		const char *suffix;
		long long unit;
	} sfx[] = {{"ns", U_NS}, {"us", U_US}, {"\xc2\xb5s", U_US}, {"ms", U_MS}, {"s", U_S}};
	for (size_t k = 0; v.type == RL_J_STRING && k < sizeof sfx / sizeof sfx[0]; k++) {
		size_t m = strlen(sfx[k].suffix);
		if (s.n > m && memcmp(s.p + s.n - m, sfx[k].suffix, m) == 0) {
			s.n -= m;
			unit = sfx[k].unit;
			break;
		}
	}
	if (s.n && s.p[0] == '-')
		return false;
	return rl_timestamp_parse_decimal(s, unit, us, res);
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

/* Fills r from the scanned values; *score gets the number of fields the line held. */
static rl_reject fill(json_format *f, const compiled *c, rl_record *r, char *scratch, int *score)
{
	int got[JF_COUNT];
	for (int k = 0; k < JF_COUNT; k++)
		got[k] = -1;
	*score = 0;
	for (size_t i = 0; i < c->nspec; i++)
		if (got[c->spec[i].field] < 0 && present(f->vals[i])) {
			got[c->spec[i].field] = (int)i;
			++*score;
		}
#define V(k) (f->vals[got[k]])
	/* an access record: Caddy's access loggers, else a request with a status (Caddy) or
	 * anything with a status, method or target */
	bool http = got[JF_METHOD] >= 0 || got[JF_TARGET] >= 0 || got[JF_REQUEST] >= 0 || got[JF_URI] >= 0;
	bool status = got[JF_STATUS] >= 0;
	if (got[JF_LOGGER] >= 0) {
		static const char acc[] = "http.log.access";
		rl_str lg = V(JF_LOGGER).text;
		if (lg.n < sizeof acc - 1 || memcmp(lg.p, acc, sizeof acc - 1) != 0)
			return RL_REJECT_NOT_ACCESS;
	} else if (c->logger_rule ? !(status && http) : !(status || http)) {
		return RL_REJECT_NOT_ACCESS;
	}
	if (got[JF_TIME] < 0)
		return RL_REJECT_NO_TIME;
	const struct cspec *ts = &c->spec[got[JF_TIME]];
	if (!parse_time(f, ts, V(JF_TIME), &r->time_us, &r->time_res_us))
		return RL_REJECT_BAD_TIME;
	r->time_is_start = ts->start;
	uint64_t u;
	if (got[JF_STATUS] >= 0) {
		if (!parse_uint(V(JF_STATUS), 999, &u))
			return RL_REJECT_BAD_STATUS;
		r->status = (int)u;
	}
	if (got[JF_REQUEST] >= 0 && is_scalar(V(JF_REQUEST)))
		rl_record_split_request(r, V(JF_REQUEST).text);
	if (got[JF_METHOD] >= 0)
		r->method = text(V(JF_METHOD));
	if (got[JF_TARGET] >= 0) {
		r->target = text(V(JF_TARGET));
	} else if (got[JF_URI] >= 0 && is_scalar(V(JF_URI))) {
		rl_str uri = V(JF_URI).text, args = got[JF_ARGS] >= 0 ? text(V(JF_ARGS)) : RL_STR_NULL;
		r->target = uri;
		if (args.n && !memchr(uri.p, '?', uri.n)) {
			memcpy(scratch, uri.p, uri.n);
			scratch[uri.n] = '?';
			memcpy(scratch + uri.n + 1, args.p, args.n);
			r->target = rl_str_make(scratch, uri.n + 1 + args.n);
		}
	}
	if (got[JF_PROTOCOL] >= 0)
		r->protocol = text(V(JF_PROTOCOL));
	if (got[JF_BYTES] >= 0 && parse_uint(V(JF_BYTES), UINT64_MAX >> 2, &u))
		r->bytes = (int64_t)u;
	if (got[JF_DURATION] >= 0 &&
	    !parse_duration(&c->spec[got[JF_DURATION]], V(JF_DURATION), &r->duration_us, &r->duration_res_us))
		r->duration_us = -1;
	int64_t end, end_res;
	if (got[JF_END_TIME] >= 0 && r->duration_us < 0 && r->time_is_start &&
	    parse_time(f, &c->spec[got[JF_END_TIME]], V(JF_END_TIME), &end, &end_res) && end >= r->time_us) {
		r->duration_us = end - r->time_us;
		r->duration_res_us = end_res > r->time_res_us ? end_res : r->time_res_us;
	}
	if (got[JF_CLIENT] >= 0) {
		r->client_id = text(V(JF_CLIENT));
		r->client_is_secret = c->spec[got[JF_CLIENT]].secret;
	}
	if (got[JF_ADDR] >= 0)
		r->addr = text(V(JF_ADDR));
	else if (got[JF_ADDR_PORT] >= 0)
		r->addr = strip_port(text(V(JF_ADDR_PORT)));
	if (got[JF_USER_AGENT] >= 0)
		r->user_agent = text(V(JF_USER_AGENT));
	if (got[JF_REFERER] >= 0)
		r->referer = text(V(JF_REFERER));
	if (got[JF_FORWARDED_FOR] >= 0)
		r->forwarded_for = text(V(JF_FORWARDED_FOR));
	if (got[JF_VHOST] >= 0)
		r->vhost = text(V(JF_VHOST));
	if (got[JF_REQUEST_ID] >= 0)
		r->request_id = text(V(JF_REQUEST_ID));
	if (got[JF_IDEMPOTENCY_KEY] >= 0)
		r->idempotency_key = text(V(JF_IDEMPOTENCY_KEY));
	if (got[JF_RETRY_AFTER] >= 0)
		r->retry_after = text(V(JF_RETRY_AFTER));
	if (got[JF_ATTEMPT] >= 0 && parse_uint(V(JF_ATTEMPT), 999999, &u) && u > 0)
		r->attempt = (int)u;
	if (got[JF_BODY] >= 0)
		r->body = V(JF_BODY).text;
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
static int first_present(const json_format *f, const compiled *c, jfield field)
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
			? first_present(f, c, rj == RL_REJECT_BAD_TIME ? JF_TIME : JF_STATUS)
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
			if (c->spec[s].field == JF_TIME && strlen(keys) + strlen(c->spec[s].path) + 3 < sizeof keys)
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

static const rl_format_ops json_ops = {.parse = json_parse, .free = json_free, .explain = json_explain};

/* --- overrides ---------------------------------------------------------------------- */

typedef struct override {
	const char *path;
	size_t n;
	jfield field;
	long long unit;
	bool start, secret;
} override;

static const struct {
	const char *name;
	jfield field;
} field_names[] = {
	{"time", JF_TIME},
	{"client", JF_CLIENT},
	{"method", JF_METHOD},
	{"target", JF_TARGET},
	{"status", JF_STATUS},
	{"bytes", JF_BYTES},
	{"duration", JF_DURATION},
	{"user_agent", JF_USER_AGENT},
	{"addr", JF_ADDR},
	{"request_id", JF_REQUEST_ID},
	{"idempotency_key", JF_IDEMPOTENCY_KEY},
	{"retry_after", JF_RETRY_AFTER},
	{"attempt", JF_ATTEMPT},
	{"body", JF_BODY},
	/* beyond SPEC §2's list: the parts of a record a log_format may also name */
	{"request", JF_REQUEST},
	{"protocol", JF_PROTOCOL},
	{"referer", JF_REFERER},
	{"forwarded_for", JF_FORWARDED_FOR},
	{"vhost", JF_VHOST},
};

/* "NAME=PATH[:UNIT]" → o; returns 0 or RL_EUSAGE naming --field. */
static int parse_override(const char *arg, override *o, rl_err *err)
{
	const char *eq = strchr(arg, '=');
	size_t nl = eq ? (size_t)(eq - arg) : 0;
	size_t k = 0;
	while (eq && k < sizeof field_names / sizeof field_names[0] &&
	       !(strlen(field_names[k].name) == nl && memcmp(field_names[k].name, arg, nl) == 0))
		k++;
	if (!eq || k == sizeof field_names / sizeof field_names[0])
		return rl_err_set(err, RL_EUSAGE, "--field", 0,
				  "'%s' is not NAME=PATH with NAME one of time, client, method, target, status, bytes, "
				  "duration, user_agent, addr, request_id, idempotency_key, retry_after, attempt, body "
				  "(or request, protocol, referer, forwarded_for, vhost)",
				  arg);
	*o = (override){eq + 1, strlen(eq + 1), field_names[k].field, U_GUESS, false, false};
	if (o->field == JF_DURATION)
		o->unit = U_S;
	const char *colon = strrchr(o->path, ':');
	bool word = colon && colon[1];
	for (const char *q = colon ? colon + 1 : ""; *q; q++)
		word &= (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z');
	if ((o->field == JF_TIME || o->field == JF_DURATION) && word) {
		const char *u = colon + 1;
		o->n = (size_t)(colon - o->path);
		if (o->field == JF_TIME && (!strcmp(u, "start") || !strcmp(u, "end")))
			o->start = !strcmp(u, "start");
		else if (o->field == JF_DURATION && !strcmp(u, "s"))
			o->unit = U_S;
		else if (o->field == JF_DURATION && !strcmp(u, "ms"))
			o->unit = U_MS;
		else if (o->field == JF_DURATION && !strcmp(u, "us"))
			o->unit = U_US;
		else if (o->field == JF_DURATION && !strcmp(u, "ns"))
			o->unit = U_NS;
		else
			return rl_err_set(err, RL_EUSAGE, "--field", 0, "'%s': %s takes %s, not ':%s'", arg,
					  field_names[k].name,
					  o->field == JF_TIME ? ":start or :end" : ":s, :ms, :us or :ns", u);
	}
	if (o->field == JF_CLIENT)
		o->secret = rl_format_name_is_secret(o->path, o->n);
	return 0;
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
				  ov[i].field == JF_BODY);
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
	replaced[JF_END_TIME] = replaced[JF_TIME] || replaced[JF_DURATION];
	replaced[JF_URI] = replaced[JF_ARGS] = replaced[JF_REQUEST] = replaced[JF_TARGET];
	replaced[JF_ADDR_PORT] = replaced[JF_ADDR];
	for (const jspec *s = profiles[prof].specs; s->path; s++) {
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
		ov[nov++] = (override){cl, strlen(cl), JF_CLIENT, 0, false, rl_format_name_is_secret(cl, strlen(cl))};
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
