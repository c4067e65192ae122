/* fields.h - the record's fields and every name logs give them, in one table.
 *
 * Each row of rl_fields is one field of rl_record as logs name it: SPEC §2's fields,
 * the parts of a record a log may also name (the request line, protocol, referer, …)
 * and the pieces formats join into one (uri and args into target; upstream_status,
 * the status when none is logged). A row lists the names the field goes by, best
 * first, each with where it is known, the unit its value is written in and, for nginx
 * variables, the shape of its value; and the one setter that stores a value, once a
 * format has read it, into the record. Adding a field is adding a row.
 *
 * The formats derive their lookups from it when they are made, never per line:
 *   - regex.c: named groups (nginx:'…' and apache:'…' name theirs after the nginx
 *     variables and the Apache names below);
 *   - nginx.c: the shapes of variables, and the fields of an escape=json template;
 *   - apache.c: the directives that carry a field;
 *   - json.c: the keys of the nginx profile, and --field NAME.
 * Where two names of one field are in one line, the earlier name in the row wins for
 * the JSON formats; regex formats take the finest time (SPEC §3.1.1) and otherwise
 * follow the line. Per line a format holds row indexes, so nothing here is searched. */
#ifndef RL_FORMAT_FIELDS_H
#define RL_FORMAT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/format/layout.h"
#include "lib/record.h"
#include "lib/text.h"

/* The rows, in order: SPEC §2's fields, the others --field may name, then the pieces.
 * The request line comes before its parts: where both are logged, the parts win. */
typedef enum rl_field {
	RL_FIELD_NONE = -1, /* a name no row has: captured and ignored */
	RL_FIELD_TIME,
	RL_FIELD_REQUEST, /* "GET /path HTTP/1.1": split into method, target and protocol */
	RL_FIELD_CLIENT,
	RL_FIELD_METHOD,
	RL_FIELD_TARGET, /* path + query */
	RL_FIELD_STATUS,
	RL_FIELD_BYTES,
	RL_FIELD_DURATION,
	RL_FIELD_USER_AGENT,
	RL_FIELD_ADDR,
	RL_FIELD_REQUEST_ID,
	RL_FIELD_IDEMPOTENCY_KEY,
	RL_FIELD_RETRY_AFTER,
	RL_FIELD_ATTEMPT,
	RL_FIELD_BODY,
	RL_FIELD_PROTOCOL,
	RL_FIELD_REFERER,
	RL_FIELD_FORWARDED_FOR,
	RL_FIELD_VHOST,
	RL_FIELD_URI, /* the path alone: the target when nothing logs the whole one */
	RL_FIELD_ARGS, /* the query alone, joined to the uri */
	RL_FIELD_UPSTREAM_STATUS, /* "502, 502 : 200": the last one, when no status is logged */
	RL_FIELD_COUNT
} rl_field;

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

typedef struct rl_field_row {
	const char *name; /* "time": SPEC §2's name, and --field NAME */
	rl_field_option option;
	/* Stores v into r: the members this field fills (a "-" or empty text is "not
	 * logged" for the fields a server writes so; the others keep it as logged). */
	void (*set)(rl_record *r, const rl_field_value *v);
	const rl_field_name *names; /* best first; the list ends with a NULL name */
} rl_field_row;

/* The table: row f is rl_fields[f]. */
extern const rl_field_row rl_fields[RL_FIELD_COUNT];

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
int64_t rl_unit_ns(rl_unit u);

#endif
