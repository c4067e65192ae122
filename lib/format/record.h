/* format/record.h - one HTTP attempt as a parser sees it.
 *
 * Every format (lib/format/) fills an rl_record from one line (or one item of a
 * document). All rl_str fields are views into the line buffer or into buffers of the
 * format (an unwrapped envelope, a decoded JSON string, a HAR document): valid until
 * the next line or item is read from that source, never NUL-terminated, empty
 * (p == NULL) when the format does not log them. Numbers use -1 for "not logged". */
#ifndef RL_RECORD_H
#define RL_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/text.h"

typedef struct rl_record {
	int64_t time_us; /* as logged, UTC µs */
	int64_t time_res_us; /* resolution of time_us (1 s for $time_local) */
	bool time_is_start; /* the time marks the request's start (Apache %t), else its end */
	int64_t duration_us; /* -1: not logged */
	int64_t duration_res_us;
	int status; /* 0..999; -1: not logged */
	int64_t bytes; /* -1: not logged */

	rl_str method; /* empty when the request line has none ("", "-", garbage) */
	rl_str target; /* path + query as logged */
	rl_str protocol; /* "HTTP/1.1" */
	rl_str addr; /* remote address as logged (may be a forwarded list, a name, "unix:");
			with --trusted-proxy, the client's address behind the proxies (proxy.h) */
	rl_str user_agent;
	rl_str referer;
	rl_str vhost;
	rl_str client_id; /* an explicit client field (SPEC §3) */
	bool client_is_secret; /* client_id came from a key-like header: stored as sha256:… */
	rl_str forwarded_for; /* X-Forwarded-For as logged (combined: a list before the address) */
	rl_str request_id;
	rl_str idempotency_key;
	rl_str retry_after;
	int attempt; /* client-side attempt number, 0: not logged */
	rl_str body; /* response body or error envelope as text (for error messages) */
} rl_record;

/* Resets every field to "not logged". */
void rl_record_reset(rl_record *r);

/* Start and end of the request in µs (SPEC §3.1: without a duration, start = end). */
static inline int64_t rl_record_start_us(const rl_record *r)
{
	return r->time_is_start || r->duration_us < 0 ? r->time_us : r->time_us - r->duration_us;
}
static inline int64_t rl_record_end_us(const rl_record *r)
{
	return !r->time_is_start || r->duration_us < 0 ? r->time_us : r->time_us + r->duration_us;
}

/* The wait a Retry-After value asks for, in µs: delta-seconds (decimals accepted) or an
 * HTTP-date, which counts from response_end_us (SPEC §3.1.10; a date in the past asks
 * for 0). -1 when absent or unreadable. */
int64_t rl_retry_after_us(rl_str value, int64_t response_end_us);

/* Splits an HTTP request line "METHOD SP TARGET [SP PROTOCOL]" into r->method,
 * r->target and r->protocol. A request without a method token ("", "-", a TLS hello
 * rendered as \x16\x03…) leaves method and protocol empty and the whole text in
 * target: still an attempt (SPEC §3.1.12), of endpoint "-". */
void rl_record_split_request(rl_record *r, rl_str req);

#endif
