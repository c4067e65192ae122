/* fields.h - the record's fields and every name logs give them, in one table.
 *
 * Each row of RL_FIELDS is one field of rl_record as logs name it: SPEC §2's fields,
 * the parts of a record a log may also name (the request line, protocol, referer, …)
 * and the pieces formats join into one (uri and args into target; upstream_status,
 * the status when none is logged). A row gives the field's id, its name, whether
 * --field may name it, the one setter that stores a value into the record once a
 * format has read it, and the names the field goes by, best first, each with where it
 * is known, the unit its value is written in and, for nginx variables, the shape of its
 * value. The enum, the row array rl_fields and rl_field_set() are made from it: adding
 * a field is adding a row (and, for a new kind of value, its setter).
 *
 * The formats derive their lookups from it when they are made, never per line:
 *   - regex.c: named groups (nginx:'…' and apache:'…' name theirs after the nginx
 *     variables and the Apache names below);
 *   - nginx.c: the shapes of variables, and the fields of an escape=json template;
 *   - apache.c: the directives that carry a field;
 *   - json.c: the keys of the nginx profile, and --field NAME.
 * Where two names of one field are in one line, the earlier name in the row wins for
 * the JSON formats; regex formats take the finest time (SPEC §3.1.1) and otherwise
 * follow the line. Per line a format holds row indexes and stores through
 * rl_field_set(), inlined, so nothing here is searched or called indirectly. */
#ifndef RL_FORMAT_FIELDS_H
#define RL_FORMAT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/format/layout.h"
#include "lib/format/record.h"
#include "lib/base/text.h"

/* How a value is written: the unit of a number, or the form of a time. */
typedef enum rl_unit {
	RL_UNIT_NONE = 0, /* text, or a count (status, bytes, attempt) */
	RL_UNIT_S, /* a number of seconds, fraction allowed: epoch times, $request_time */
	RL_UNIT_MS,
	RL_UNIT_US,
	RL_UNIT_NS,
	RL_UNIT_CLF, /* 10/Oct/2000:13:55:36 -0700 */
	RL_UNIT_ISO8601, /* 2000-10-10T13:55:36.123+02:00 */
	RL_UNIT_AUTO, /* a time whose text shows its form; an epoch number: seconds in text
			 formats, by its digits in JSON (≤ 11 s, ≤ 14 ms, ≤ 17 µs, else ns) */
} rl_unit;

/* Where a name is known (rl_field_name.in). */
#define RL_IN_GROUP 1u /* a named group of a regex format (every nginx variable is one) */
#define RL_IN_TEMPLATE 2u /* a variable whose member an nginx escape=json template maps */
#define RL_IN_JSON 4u /* a key of the nginx JSON profile */
#define RL_IN_APACHE 8u /* for rl_field_find: an Apache directive, as .apache writes it */
#define RL_IN_NGINX (RL_IN_GROUP | RL_IN_TEMPLATE | RL_IN_JSON) /* an nginx variable all of them read */

/* One name of a field. */
typedef struct rl_field_name {
	const char *name; /* "msec", "http_x_client_id", "@timestamp" */
	unsigned in; /* RL_IN_GROUP | RL_IN_TEMPLATE | RL_IN_JSON */
	rl_unit unit;
	bool start; /* a time that marks the request's start (else its end, SPEC §2) */
	rl_val shape; /* as an nginx variable: the pattern of its value (RL_VAL_TEXT: by context) */
	const char *apache; /* the Apache directives the group is made from ("%D %{us}T"), or NULL */
} rl_field_name;

/* A value a format read for a field, ready to store: its text (a view into the line),
 * or what the text reads as. */
typedef struct rl_field_value {
	rl_str text;
	int64_t num; /* a time or duration in µs; a status, a byte count, an attempt */
	int64_t res_us; /* a time's or duration's resolution */
	bool start; /* a time that marks the request's start */
	bool secret; /* a client taken from a key-like name: stored as a hash (SPEC §3) */
} rl_field_value;

/* Whether --field NAME=PATH may name a row (json.c). */
typedef enum rl_field_option {
	RL_OPTION_NONE, /* a piece formats join: no --field */
	RL_OPTION_SPEC, /* SPEC §2's fields */
	RL_OPTION_MORE, /* the other parts of a record a log_format may name */
} rl_field_option;

/* --- the setters: a value, once read, into the record ---------------------------- */

/* A view stored as logged; or with "-" (and "") as "not logged", for the fields a
 * server writes so. */
#define RL_SET_AS_LOGGED(member)                                                        \
	static inline void rl_field_set_##member(rl_record *r, const rl_field_value *v) \
	{                                                                               \
		r->member = v->text;                                                    \
	}
#define RL_SET_DASH_IS_NONE(member)                                                     \
	static inline void rl_field_set_##member(rl_record *r, const rl_field_value *v) \
	{                                                                               \
		r->member = rl_str_is_dash(v->text) ? RL_STR_NULL : v->text;            \
	}
RL_SET_AS_LOGGED(target)
RL_SET_AS_LOGGED(protocol)
RL_SET_AS_LOGGED(addr)
RL_SET_AS_LOGGED(user_agent)
RL_SET_AS_LOGGED(referer)
RL_SET_AS_LOGGED(vhost)
RL_SET_DASH_IS_NONE(method)
RL_SET_DASH_IS_NONE(forwarded_for)
RL_SET_DASH_IS_NONE(request_id)
RL_SET_DASH_IS_NONE(idempotency_key)
RL_SET_DASH_IS_NONE(retry_after)
RL_SET_DASH_IS_NONE(body)

static inline void rl_field_set_time(rl_record *r, const rl_field_value *v)
{
	r->time_us = v->num;
	r->time_res_us = v->res_us < 1 ? 1 : v->res_us;
	r->time_is_start = v->start;
}

static inline void rl_field_set_duration(rl_record *r, const rl_field_value *v)
{
	r->duration_us = v->num;
	r->duration_res_us = v->res_us < 1 ? 1 : v->res_us;
}

static inline void rl_field_set_request(rl_record *r, const rl_field_value *v)
{
	rl_record_split_request(r, v->text);
}

static inline void rl_field_set_client(rl_record *r, const rl_field_value *v)
{
	if (rl_str_is_dash(v->text))
		return;
	r->client_id = v->text;
	r->client_is_secret = v->secret;
}

static inline void rl_field_set_status(rl_record *r, const rl_field_value *v)
{
	r->status = (int)v->num;
}

static inline void rl_field_set_bytes(rl_record *r, const rl_field_value *v)
{
	r->bytes = v->num;
}

static inline void rl_field_set_attempt(rl_record *r, const rl_field_value *v)
{
	r->attempt = (int)v->num;
}

/* --- the table --------------------------------------------------------------------- */

/* X(ID, name, option, setter, names…): one row per field, in the order of the enum (the
 * request line before its parts: where both are logged, the parts win). Each name is
 * {name, where, unit, start, nginx shape, Apache directives}: nginx's variables first
 * (nginx:'…' formats and templates use them as they are), then SPEC §2's names and the
 * Apache compiler's, then other keys JSON loggers use. */
/* clang-format off */
#define RL_FIELDS(X)                                                                                                  \
	X(TIME, "time", RL_OPTION_SPEC, rl_field_set_time,                                                            \
	  {"msec", RL_IN_NGINX, RL_UNIT_S, false, RL_VAL_DECIMAL, NULL},                                              \
	  {"time_iso8601", RL_IN_NGINX, RL_UNIT_ISO8601, false, RL_VAL_ISO_TIME, NULL},                               \
	  {"time_local", RL_IN_NGINX, RL_UNIT_CLF, false, RL_VAL_CLF_TIME, NULL},                                     \
	  {"@timestamp", RL_IN_JSON, RL_UNIT_AUTO, false, RL_VAL_TEXT, NULL},                                         \
	  {"time", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_AUTO, false, RL_VAL_TEXT, NULL},                                 \
	  {"timestamp", RL_IN_JSON, RL_UNIT_AUTO, false, RL_VAL_TEXT, NULL},                                          \
	  {"time_end", RL_IN_GROUP, RL_UNIT_AUTO, false, RL_VAL_TEXT, "%{end:sec}t"},                                 \
	  {"time_start", RL_IN_GROUP, RL_UNIT_AUTO, true, RL_VAL_TEXT, NULL},                                         \
	  {"time_iso8601_start", RL_IN_GROUP, RL_UNIT_ISO8601, true, RL_VAL_TEXT, NULL},                              \
	  {"apache_time", RL_IN_GROUP, RL_UNIT_CLF, true, RL_VAL_TEXT, "%t"},                                         \
	  {"apache_time_sec", RL_IN_GROUP, RL_UNIT_S, true, RL_VAL_TEXT, "%{sec}t %{begin:sec}t"},                    \
	  {"apache_time_msec", RL_IN_GROUP, RL_UNIT_MS, true, RL_VAL_TEXT, "%{msec}t %{begin:msec}t"},                \
	  {"apache_time_usec", RL_IN_GROUP, RL_UNIT_US, true, RL_VAL_TEXT, "%{usec}t %{begin:usec}t"},                \
	  {"apache_time_msec_end", RL_IN_GROUP, RL_UNIT_MS, false, RL_VAL_TEXT, "%{end:msec}t"},                      \
	  {"apache_time_usec_end", RL_IN_GROUP, RL_UNIT_US, false, RL_VAL_TEXT, "%{end:usec}t"})                      \
	X(REQUEST, "request", RL_OPTION_MORE, rl_field_set_request,                                                   \
	  {"request", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_REQUEST, "%r"})                                        \
	X(CLIENT, "client", RL_OPTION_SPEC, rl_field_set_client,                                                      \
	  {"http_x_client_id", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                  \
	  {"client_id", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                            \
	  {"client", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                            \
	X(METHOD, "method", RL_OPTION_SPEC, rl_field_set_method,                                                      \
	  {"request_method", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, "%m"},                                    \
	  {"method", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                               \
	/* path + query; in a template $uri is the target: $args cannot be joined to it there */                      \
	X(TARGET, "target", RL_OPTION_SPEC, rl_field_set_target,                                                      \
	  {"target", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                            \
	  {"request_uri", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                       \
	  {"uri", RL_IN_TEMPLATE, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                            \
	X(STATUS, "status", RL_OPTION_SPEC, rl_field_set_status,                                                      \
	  {"status", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_STATUS, "%s"})                                          \
	X(BYTES, "bytes", RL_OPTION_SPEC, rl_field_set_bytes,                                                         \
	  {"body_bytes_sent", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_INT, "%b %B"},                                 \
	  {"bytes_sent", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_INT, "%O"},                                         \
	  {"body_bytes", RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                         \
	  {"bytes", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                             \
	X(DURATION, "duration", RL_OPTION_SPEC, rl_field_set_duration,                                                \
	  {"request_time", RL_IN_NGINX, RL_UNIT_S, false, RL_VAL_DECIMAL, NULL},                                      \
	  {"response_time", RL_IN_JSON, RL_UNIT_S, false, RL_VAL_TEXT, NULL},                                         \
	  {"duration", RL_IN_GROUP, RL_UNIT_S, false, RL_VAL_TEXT, NULL},                                             \
	  {"duration_s", RL_IN_GROUP, RL_UNIT_S, false, RL_VAL_TEXT, "%T %{s}T"},                                     \
	  {"duration_ms", RL_IN_GROUP, RL_UNIT_MS, false, RL_VAL_TEXT, "%{ms}T"},                                     \
	  {"duration_us", RL_IN_GROUP, RL_UNIT_US, false, RL_VAL_TEXT, "%D %{us}T"},                                  \
	  {"duration_ns", RL_IN_GROUP, RL_UNIT_NS, false, RL_VAL_TEXT, NULL})                                         \
	X(USER_AGENT, "user_agent", RL_OPTION_SPEC, rl_field_set_user_agent,                                          \
	  {"http_user_agent", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                   \
	  {"user_agent", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                           \
	  {"ua", RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                                 \
	X(ADDR, "addr", RL_OPTION_SPEC, rl_field_set_addr,                                                            \
	  {"remote_addr", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_WORD, "%h %a"},                                    \
	  {"realip_remote_addr", RL_IN_GROUP | RL_IN_TEMPLATE, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},               \
	  {"remote_ip", RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                          \
	  {"addr", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                              \
	/* the client's X-Request-Id before nginx's own $request_id */                                                \
	X(REQUEST_ID, "request_id", RL_OPTION_SPEC, rl_field_set_request_id,                                          \
	  {"http_x_request_id", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                 \
	  {"request_id", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                        \
	X(IDEMPOTENCY_KEY, "idempotency_key", RL_OPTION_SPEC, rl_field_set_idempotency_key,                           \
	  {"http_idempotency_key", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                              \
	  {"idempotency_key", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                      \
	X(RETRY_AFTER, "retry_after", RL_OPTION_SPEC, rl_field_set_retry_after,                                       \
	  {"sent_http_retry_after", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                             \
	  {"retry_after", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                          \
	  {"upstream_http_retry_after", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                         \
	X(ATTEMPT, "attempt", RL_OPTION_SPEC, rl_field_set_attempt,                                                   \
	  {"http_x_retry_attempt", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                              \
	  {"attempt", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                              \
	X(BODY, "body", RL_OPTION_SPEC, rl_field_set_body,                                                            \
	  {"body", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                              \
	X(PROTOCOL, "protocol", RL_OPTION_MORE, rl_field_set_protocol,                                                \
	  {"server_protocol", RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                    \
	  {"protocol", RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                           \
	X(REFERER, "referer", RL_OPTION_MORE, rl_field_set_referer,                                                   \
	  {"http_referer", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                      \
	  {"referer", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                              \
	X(FORWARDED_FOR, "forwarded_for", RL_OPTION_MORE, rl_field_set_forwarded_for,                                 \
	  {"http_x_forwarded_for", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_LIST, NULL},                              \
	  {"proxy_add_x_forwarded_for", RL_IN_GROUP | RL_IN_TEMPLATE, RL_UNIT_NONE, false, RL_VAL_LIST, NULL},        \
	  {"forwarded_for", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                     \
	X(VHOST, "vhost", RL_OPTION_MORE, rl_field_set_vhost,                                                         \
	  {"host", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                              \
	  {"http_host", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                         \
	  {"server_name", RL_IN_NGINX, RL_UNIT_NONE, false, RL_VAL_TEXT, "%V"},                                       \
	  {"vhost", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, "%v"})                                             \
	/* the pieces: the path alone, the target when nothing logs the whole one; the query */                       \
	/* alone, joined to it; the formats store the target they join */                                             \
	X(URI, "uri", RL_OPTION_NONE, rl_field_set_target,                                                            \
	  {"uri", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, "%U"},                                  \
	  {"document_uri", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL},                                      \
	  {"path", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                                              \
	X(ARGS, "args", RL_OPTION_NONE, rl_field_set_target,                                                          \
	  {"args", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, "%q"},                                 \
	  {"query_string", RL_IN_GROUP | RL_IN_JSON, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL})                         \
	/* "502, 502 : 200": the last one, when no status is logged */                                                \
	X(UPSTREAM_STATUS, "upstream_status", RL_OPTION_NONE, rl_field_set_status,                                    \
	  {"upstream_status", RL_IN_GROUP, RL_UNIT_NONE, false, RL_VAL_LIST, NULL})
/* clang-format on */

/* clang-format off */
typedef enum rl_field {
	RL_FIELD_NONE = -1, /* a name no row has: captured and ignored */
#define RL_FIELD_ID(id, ...) RL_FIELD_##id,
	RL_FIELDS(RL_FIELD_ID)
#undef RL_FIELD_ID
	RL_FIELD_COUNT
} rl_field;
/* clang-format on */

typedef struct rl_field_row {
	const char *name; /* "time": SPEC §2's name, and --field NAME */
	rl_field_option option;
	void (*set)(rl_record *r, const rl_field_value *v); /* the row's setter (rl_field_set) */
	const rl_field_name *names; /* best first; the list ends with a NULL name */
} rl_field_row;

/* The rows: row f is rl_fields[f]. */
extern const rl_field_row rl_fields[RL_FIELD_COUNT];

/* Stores v into r with field f's setter: the members the field fills. Inline, for the
 * per-line paths (a switch, no call). */
static inline void rl_field_set(rl_record *r, rl_field f, const rl_field_value *v)
{
	switch (f) {
#define RL_FIELD_CASE(id, name, option, setter, ...) \
	case RL_FIELD_##id:                          \
		setter(r, v);                        \
		break;
		RL_FIELDS(RL_FIELD_CASE)
#undef RL_FIELD_CASE
	default:
		break;
	}
}

/* The field that name (n bytes, no NUL needed) names in vocabulary in (one RL_IN_*
 * flag; for RL_IN_APACHE, one directive as .apache writes it: "%{end:msec}t"), or
 * RL_FIELD_NONE. *found (may be NULL) gets the name's entry, NULL for none. */
rl_field rl_field_find(unsigned in, const char *name, size_t n, const rl_field_name **found);

/* The row --field NAME names (n bytes), or RL_FIELD_NONE. */
rl_field rl_field_by_option(const char *name, size_t n);

/* The unit a --field suffix or a Go duration names: "s", "ms", "us" (or "µs"), "ns" (n
 * bytes); RL_UNIT_NONE for anything else. */
rl_unit rl_unit_by_name(const char *name, size_t n);

/* The unit that ends s ("1.5ms": RL_UNIT_MS), its name then cut from *s; RL_UNIT_NONE,
 * s unchanged, when none does. */
rl_unit rl_unit_cut_suffix(rl_str *s);

/* Nanoseconds per unit: 1000000000 for RL_UNIT_S … 1 for RL_UNIT_NS; 0 for the forms
 * of times (an epoch number in them is read by its digits). */
static inline int64_t rl_unit_ns(rl_unit u)
{
	return u == RL_UNIT_S	 ? 1000000000
	       : u == RL_UNIT_MS ? 1000000
	       : u == RL_UNIT_US ? 1000
	       : u == RL_UNIT_NS ? 1
				 : 0;
}

#endif
