/* fields.c - the field table (fields.h): one row per record field, with its names and
 * its setter, and the lookups the formats make from it when they are made. */
#include "lib/format/fields.h"

#include <string.h>

/* --- setters --------------------------------------------------------------------- */

/* A view stored as logged; or with "-" (and "") as "not logged". */
#define AS_LOGGED(member)                                               \
	static void set_##member(rl_record *r, const rl_field_value *v) \
	{                                                               \
		r->member = v->text;                                    \
	}
#define DASH_IS_NONE(member)                                                 \
	static void set_##member(rl_record *r, const rl_field_value *v)      \
	{                                                                    \
		r->member = rl_str_is_dash(v->text) ? RL_STR_NULL : v->text; \
	}

AS_LOGGED(target)
AS_LOGGED(protocol)
AS_LOGGED(addr)
AS_LOGGED(user_agent)
AS_LOGGED(referer)
AS_LOGGED(vhost)
DASH_IS_NONE(method)
DASH_IS_NONE(forwarded_for)
DASH_IS_NONE(request_id)
DASH_IS_NONE(idempotency_key)
DASH_IS_NONE(retry_after)
DASH_IS_NONE(body)

static void set_time(rl_record *r, const rl_field_value *v)
{
	r->time_us = v->num;
	r->time_res_us = v->res_us < 1 ? 1 : v->res_us;
	r->time_is_start = v->start;
}

static void set_duration(rl_record *r, const rl_field_value *v)
{
	r->duration_us = v->num;
	r->duration_res_us = v->res_us < 1 ? 1 : v->res_us;
}

static void set_request(rl_record *r, const rl_field_value *v)
{
	rl_record_split_request(r, v->text);
}

static void set_client(rl_record *r, const rl_field_value *v)
{
	if (rl_str_is_dash(v->text))
		return;
	r->client_id = v->text;
	r->client_is_secret = v->secret;
}

static void set_status(rl_record *r, const rl_field_value *v)
{
	r->status = (int)v->num;
}

static void set_bytes(rl_record *r, const rl_field_value *v)
{
	r->bytes = v->num;
}

static void set_attempt(rl_record *r, const rl_field_value *v)
{
	r->attempt = (int)v->num;
}

/* --- the table ------------------------------------------------------------------- */

#define G RL_IN_GROUP
#define T RL_IN_TEMPLATE
#define J RL_IN_JSON
#define NAMES(...) ((const rl_field_name[]){__VA_ARGS__, {NULL, 0, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL}})

/* {name, where, unit, start, nginx shape, Apache directives}. The names of a field are
 * nginx's variables (which nginx:'…' formats and templates use as they are), SPEC §2's
 * names and the Apache compiler's, then other keys JSON loggers use. */
const rl_field_row rl_fields[RL_FIELD_COUNT] = {
	[RL_FIELD_TIME] = {"time", RL_OPTION_SPEC, set_time,
			   NAMES({"msec", G | T | J, RL_UNIT_S, false, RL_VAL_DECIMAL, NULL},
				 {"time_iso8601", G | T | J, RL_UNIT_ISO8601, false, RL_VAL_ISO_TIME, NULL},
				 {"time_local", G | T | J, RL_UNIT_CLF, false, RL_VAL_CLF_TIME, NULL},
				 {"@timestamp", J, RL_UNIT_AUTO, false, RL_VAL_TEXT, NULL},
				 {"time", G | J, RL_UNIT_AUTO, false, RL_VAL_TEXT, NULL},
				 {"timestamp", J, RL_UNIT_AUTO, false, RL_VAL_TEXT, NULL},
				 {"time_end", G, RL_UNIT_AUTO, false, RL_VAL_TEXT, "%{end:sec}t"},
				 {"time_start", G, RL_UNIT_AUTO, true, RL_VAL_TEXT, NULL},
				 {"time_iso8601_start", G, RL_UNIT_ISO8601, true, RL_VAL_TEXT, NULL},
				 {"apache_time", G, RL_UNIT_CLF, true, RL_VAL_TEXT, "%t"},
				 {"apache_time_sec", G, RL_UNIT_S, true, RL_VAL_TEXT, "%{sec}t %{begin:sec}t"},
				 {"apache_time_msec", G, RL_UNIT_MS, true, RL_VAL_TEXT, "%{msec}t %{begin:msec}t"},
				 {"apache_time_usec", G, RL_UNIT_US, true, RL_VAL_TEXT, "%{usec}t %{begin:usec}t"},
				 {"apache_time_msec_end", G, RL_UNIT_MS, false, RL_VAL_TEXT, "%{end:msec}t"},
				 {"apache_time_usec_end", G, RL_UNIT_US, false, RL_VAL_TEXT, "%{end:usec}t"})},
	[RL_FIELD_REQUEST] = {"request", RL_OPTION_MORE, set_request,
			      NAMES({"request", G | T | J, RL_UNIT_NONE, false, RL_VAL_REQUEST, "%r"})},
	[RL_FIELD_CLIENT] = {"client", RL_OPTION_SPEC, set_client,
			     NAMES({"http_x_client_id", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				   {"client_id", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				   {"client", G, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_METHOD] = {"method", RL_OPTION_SPEC, set_method,
			     NAMES({"request_method", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, "%m"},
				   {"method", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	/* in a template $uri is the target: $args cannot be joined to it there */
	[RL_FIELD_TARGET] = {"target", RL_OPTION_SPEC, set_target,
			     NAMES({"target", G, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				   {"request_uri", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				   {"uri", T, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_STATUS] = {"status", RL_OPTION_SPEC, set_status,
			     NAMES({"status", G | T | J, RL_UNIT_NONE, false, RL_VAL_STATUS, "%s"})},
	[RL_FIELD_BYTES] = {"bytes", RL_OPTION_SPEC, set_bytes,
			    NAMES({"body_bytes_sent", G | T | J, RL_UNIT_NONE, false, RL_VAL_INT, "%b %B"},
				  {"bytes_sent", G | T | J, RL_UNIT_NONE, false, RL_VAL_INT, "%O"},
				  {"body_bytes", J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				  {"bytes", G, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_DURATION] = {"duration", RL_OPTION_SPEC, set_duration,
			       NAMES({"request_time", G | T | J, RL_UNIT_S, false, RL_VAL_DECIMAL, NULL},
				     {"response_time", J, RL_UNIT_S, false, RL_VAL_TEXT, NULL},
				     {"duration", G, RL_UNIT_S, false, RL_VAL_TEXT, NULL},
				     {"duration_s", G, RL_UNIT_S, false, RL_VAL_TEXT, "%T %{s}T"},
				     {"duration_ms", G, RL_UNIT_MS, false, RL_VAL_TEXT, "%{ms}T"},
				     {"duration_us", G, RL_UNIT_US, false, RL_VAL_TEXT, "%D %{us}T"},
				     {"duration_ns", G, RL_UNIT_NS, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_USER_AGENT] = {"user_agent", RL_OPTION_SPEC, set_user_agent,
				 NAMES({"http_user_agent", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				       {"user_agent", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				       {"ua", J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_ADDR] = {"addr", RL_OPTION_SPEC, set_addr,
			   NAMES({"remote_addr", G | T | J, RL_UNIT_NONE, false, RL_VAL_WORD, "%h %a"},
				 {"realip_remote_addr", G | T, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				 {"remote_ip", J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				 {"addr", G, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	/* the client's X-Request-Id before nginx's own $request_id */
	[RL_FIELD_REQUEST_ID] = {"request_id", RL_OPTION_SPEC, set_request_id,
				 NAMES({"http_x_request_id", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				       {"request_id", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_IDEMPOTENCY_KEY] = {"idempotency_key", RL_OPTION_SPEC, set_idempotency_key,
				      NAMES({"http_idempotency_key", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
					    {"idempotency_key", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_RETRY_AFTER] = {"retry_after", RL_OPTION_SPEC, set_retry_after,
				  NAMES({"sent_http_retry_after", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
					{"retry_after", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
					{"upstream_http_retry_after", G, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_ATTEMPT] = {"attempt", RL_OPTION_SPEC, set_attempt,
			      NAMES({"http_x_retry_attempt", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				    {"attempt", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_BODY] = {"body", RL_OPTION_SPEC, set_body,
			   NAMES({"body", G, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_PROTOCOL] = {"protocol", RL_OPTION_MORE, set_protocol,
			       NAMES({"server_protocol", J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				     {"protocol", J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_REFERER] = {"referer", RL_OPTION_MORE, set_referer,
			      NAMES({"http_referer", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				    {"referer", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_FORWARDED_FOR] = {"forwarded_for", RL_OPTION_MORE, set_forwarded_for,
				    NAMES({"http_x_forwarded_for", G | T | J, RL_UNIT_NONE, false, RL_VAL_LIST, NULL},
					  {"forwarded_for", G, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_VHOST] = {"vhost", RL_OPTION_MORE, set_vhost,
			    NAMES({"host", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				  {"http_host", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				  {"server_name", G | T | J, RL_UNIT_NONE, false, RL_VAL_TEXT, "%V"},
				  {"vhost", G, RL_UNIT_NONE, false, RL_VAL_TEXT, "%v"})},
	/* the pieces: the formats join uri and args into the target they store */
	[RL_FIELD_URI] = {"uri", RL_OPTION_NONE, set_target,
			  NAMES({"uri", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, "%U"},
				{"document_uri", G, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},
				{"path", G, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_ARGS] = {"args", RL_OPTION_NONE, set_target,
			   NAMES({"args", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, "%q"},
				 {"query_string", G | J, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})},
	[RL_FIELD_UPSTREAM_STATUS] = {"upstream_status", RL_OPTION_NONE, set_status,
				      NAMES({"upstream_status", G, RL_UNIT_NONE, false, RL_VAL_LIST, NULL})},
};

#undef G
#undef T
#undef J
#undef NAMES

/* --- lookups --------------------------------------------------------------------- */

static bool same(const char *a, const char *b, size_t n)
{
	return strlen(a) == n && memcmp(a, b, n) == 0;
}

/* Whether the space-separated list has the word w (n bytes). */
static bool has_word(const char *list, const char *w, size_t n)
{
	while (list && *list) {
		size_t k = strcspn(list, " ");
		if (k == n && memcmp(list, w, n) == 0)
			return true;
		list += k + (list[k] == ' ');
	}
	return false;
}

rl_field rl_field_find(unsigned in, const char *name, size_t n, const rl_field_name **found)
{
	if (found)
		*found = NULL;
	for (int f = 0; f < RL_FIELD_COUNT; f++)
		for (const rl_field_name *nm = rl_fields[f].names; nm->name; nm++)
			if (in == RL_IN_APACHE ? has_word(nm->apache, name, n)
					       : (nm->in & in) && same(nm->name, name, n)) {
				if (found)
					*found = nm;
				return (rl_field)f;
			}
	return RL_FIELD_NONE;
}

rl_field rl_field_by_option(const char *name, size_t n)
{
	for (int f = 0; f < RL_FIELD_COUNT; f++)
		if (rl_fields[f].option != RL_OPTION_NONE && same(rl_fields[f].name, name, n))
			return (rl_field)f;
	return RL_FIELD_NONE;
}

/* --- units ----------------------------------------------------------------------- */

/* Longer names first: a suffix "s" must not take the end of "ms". */
static const struct {
	const char *name;
	rl_unit unit;
} unit_names[] = {
	{"ns", RL_UNIT_NS}, {"us", RL_UNIT_US}, {"\xc2\xb5s", RL_UNIT_US}, {"ms", RL_UNIT_MS}, {"s", RL_UNIT_S},
};

rl_unit rl_unit_by_name(const char *name, size_t n)
{
	for (size_t k = 0; k < sizeof unit_names / sizeof unit_names[0]; k++)
		if (same(unit_names[k].name, name, n))
			return unit_names[k].unit;
	return RL_UNIT_NONE;
}

rl_unit rl_unit_cut_suffix(rl_str *s)
{
	for (size_t k = 0; k < sizeof unit_names / sizeof unit_names[0]; k++) {
		size_t m = strlen(unit_names[k].name);
		if (s->n > m && memcmp(s->p + s->n - m, unit_names[k].name, m) == 0) {
			s->n -= m;
			return unit_names[k].unit;
		}
	}
	return RL_UNIT_NONE;
}

int64_t rl_unit_ns(rl_unit u)
{
	switch (u) {
	case RL_UNIT_S:
		return 1000000000;
	case RL_UNIT_MS:
		return 1000000;
	case RL_UNIT_US:
		return 1000;
	case RL_UNIT_NS:
		return 1;
	default:
		return 0;
	}
}
