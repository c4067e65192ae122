/* trace.c - client traces: one JSON object per HTTP attempt (SPEC §2).
 *
 *   {"ts": "2026-11-29T10:00:00.123Z" | 1764410400123, "client_id": "svc-a",
 *    "method": "GET", "url": "https://api.example.com/v1/leads/7", "status": 503,
 *    "attempt": 2, "request_id": "r-1", "idempotency_key": "k-1",
 *    "retry_after": 2 | "2" | "Wed, 21 Oct 2015 07:28:00 GMT", "duration_ms": 12.5,
 *    "body": {...} | "error": {...}}
 *
 * ts marks the start of the attempt: RFC 3339 text (its resolution is the fraction it
 * shows) or a number of epoch milliseconds (1 ms). A missing status, or 0, is a network
 * error. Fields other than ts are optional. The parsed object lives until the next line,
 * so the record's views may point into it; numbers are rendered into small buffers of
 * the format for the same lifetime. The body (body, else error) is the record's body:
 * a string as it is, an object or array as compact JSON in a buffer the format reuses. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/internal.h"
#include "lib/base/timestamp.h"

typedef struct trace_format {
	rl_format base;
	json_t *cur;
	char ra[48];
	char *body; /* a body object or array as compact JSON */
	size_t body_cap;
	char client[128]; /* --client: the member that names the client ("" : client_id) */
	bool client_is_secret;
} trace_format;

static rl_str view(json_t *v)
{
	if (!json_is_string(v))
		return RL_STR_NULL;
	return rl_str_make(json_string_value(v), json_string_length(v));
}

/* An object or array as compact JSON text in f->body, grown as needed; empty when out
 * of memory (the body only feeds error messages). */
static rl_str dump_body(trace_format *f, json_t *v)
{
	size_t n = json_dumpb(v, f->body, f->body_cap, JSON_COMPACT);
	if (n > f->body_cap) {
		char *p = realloc(f->body, n);
		if (!p)
			return RL_STR_NULL;
		f->body = p;
		f->body_cap = n;
		n = json_dumpb(v, f->body, f->body_cap, JSON_COMPACT);
	}
	return n && n <= f->body_cap ? rl_str_make(f->body, n) : RL_STR_NULL;
}

static rl_reject trace_parse(rl_format *base, const char *p, size_t n, rl_record *r)
{
	trace_format *f = (trace_format *)base;
	json_decref(f->cur);
	f->cur = NULL;
	if (n == 0 || p[0] != '{')
		return RL_REJECT_NO_MATCH;
	json_error_t je;
	json_t *o = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &je);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return o ? RL_REJECT_NO_MATCH : rl_json_failure(p, n, 2048); /* jansson's depth */
	}
	f->cur = o;
	char num[48];
	json_t *ts = json_object_get(o, "ts");
	if (json_is_string(ts)) {
		if (!rl_timestamp_parse_iso8601(view(ts), &r->time_us, &r->time_res_us))
			return RL_REJECT_BAD_TIME;
	} else if (json_is_number(ts)) {
		rl_json_number_text(ts, num, sizeof num);
		if (!rl_timestamp_parse_epoch(rl_str_make(num, strlen(num)), 1000, &r->time_us, &r->time_res_us))
			return RL_REJECT_BAD_TIME;
		if (r->time_res_us > 1000)
			r->time_res_us = 1000; /* integer epoch ms */
	} else {
		return RL_REJECT_NO_TIME;
	}
	r->time_is_start = true;
	json_t *st = json_object_get(o, "status");
	if (!st || json_is_null(st)) {
		r->status = 0;
	} else if (json_is_integer(st) && json_integer_value(st) >= 0 && json_integer_value(st) <= 999) {
		r->status = (int)json_integer_value(st);
	} else {
		return RL_REJECT_BAD_STATUS;
	}
	r->method = view(json_object_get(o, "method"));
	r->target = view(json_object_get(o, "url"));
	r->client_id = view(json_object_get(o, f->client[0] ? f->client : "client_id"));
	r->client_is_secret = f->client_is_secret && r->client_id.n;
	r->request_id = view(json_object_get(o, "request_id"));
	r->idempotency_key = view(json_object_get(o, "idempotency_key"));
	json_t *a = json_object_get(o, "attempt");
	if (json_is_integer(a) && json_integer_value(a) > 0 && json_integer_value(a) < 1000000)
		r->attempt = (int)json_integer_value(a);
	json_t *d = json_object_get(o, "duration_ms");
	if (json_is_number(d)) {
		rl_json_number_text(d, num, sizeof num);
		if (!rl_duration_parse(rl_str_make(num, strlen(num)), 1000, &r->duration_us, &r->duration_res_us))
			r->duration_us = -1;
		else if (r->duration_res_us > 1000)
			r->duration_res_us = 1000;
	}
	json_t *ra = json_object_get(o, "retry_after");
	if (json_is_string(ra)) {
		r->retry_after = view(ra);
	} else if (json_is_number(ra)) {
		rl_json_number_text(ra, f->ra, sizeof f->ra);
		r->retry_after = rl_str_make(f->ra, strlen(f->ra));
	}
	json_t *body = json_object_get(o, "body");
	if (!body || json_is_null(body))
		body = json_object_get(o, "error");
	if (json_is_string(body))
		r->body = view(body);
	else if (json_is_object(body) || json_is_array(body))
		r->body = dump_body(f, body);
	return RL_REJECT_NONE;
}

static void trace_free(rl_format *base)
{
	trace_format *f = (trace_format *)base;
	json_decref(f->cur);
	free(f->body);
	free(f);
}

static const rl_format_ops trace_ops = {.parse = trace_parse, .free = trace_free};

int rl_trace_format_new(rl_format **out, const rl_format_opts *opts, rl_err *err)
{
	*out = NULL;
	if (opts && opts->client && strlen(opts->client) >= sizeof((trace_format *)0)->client)
		return rl_err_set(err, RL_EUSAGE, "--client", 0, "'%.40s…' is too long for a trace member",
				  opts->client);
	trace_format *f = calloc(1, sizeof *f);
	if (!f)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	if (opts && opts->client) {
		/* a member of the record (an API key a client logs, say) instead of client_id */
		snprintf(f->client, sizeof f->client, "%s", opts->client);
		f->client_is_secret = rl_format_name_is_secret(f->client, strlen(f->client));
	}
	f->base.ops = &trace_ops;
	snprintf(f->base.name, sizeof f->base.name, "trace");
	*out = &f->base;
	return 0;
}
