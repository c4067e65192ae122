/* base/timestamp.h - log timestamps to UTC microseconds, without strptime/mktime.
 *
 * Every time inside retrylens is an int64 count of microseconds since 1970-01-01 UTC,
 * parsed exactly from its decimal text (SPEC §3.1: never floats). Parsers take a view
 * that need not be NUL-terminated and return false on anything they do not fully
 * understand; they never read past s.n bytes. */
#ifndef RL_TIMESTAMP_H
#define RL_TIMESTAMP_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/text.h"

#define RL_US_PER_S 1000000LL
#define RL_US_PER_MIN (60LL * RL_US_PER_S)

/* a / b rounded toward minus infinity (b ≠ 0): the minute or second a time falls in,
 * before 1970 too. */
static inline int64_t rl_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The minute a time falls in (SPEC §6's minute buckets): floor(us / 60 s). */
static inline int64_t rl_minute_of(int64_t us)
{
	return rl_floor_div(us, RL_US_PER_MIN);
}

/* The monotonic clock in µs: for "how long since", never for log times. */
int64_t rl_mono_us(void);

/* The wall clock in µs since the epoch: when a run or a database was made. */
int64_t rl_wall_us(void);

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12, d 1..31). */
int64_t rl_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Inverse of rl_days_from_civil. */
void rl_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Days in month m (1..12) of year y. */
unsigned rl_days_in_month(int64_t y, unsigned m);

/* nginx $time_local / Apache %t: "10/Oct/2000:13:55:36 -0700" (the brackets
 * excluded). Also takes a space instead of the ':' after the year and a missing zone
 * (then UTC), as Python's http.server writes. Resolution: 1 s. */
bool rl_timestamp_parse_clf(rl_str s, int64_t *us);

/* The same with a one-entry cache of the date and zone: consecutive log lines share
 * them, so most lines cost only the parse of hh:mm:ss. The cache belongs to the caller
 * (one per format), zeroed before first use. */
typedef struct rl_clf_cache {
	char date[11]; /* "10/Oct/2000" */
	char zone[8]; /* " -0700" and its length */
	size_t zone_len;
	int64_t base_us; /* the UTC µs of 00:00:00 that day in that zone */
	int valid;
	/* the last two texts read, whole (a busy log repeats its seconds, a little out of
	 * order), their µs, and which of the two goes next */
	char last[2][32];
	size_t last_len[2];
	int64_t last_us[2];
	int last_next;
} rl_clf_cache;
bool rl_timestamp_parse_clf_cached(rl_clf_cache *c, rl_str s, int64_t *us);

/* ISO 8601 / RFC 3339: "2000-10-10T13:55:36Z", with an optional fraction (any number of
 * digits; past 6 truncated), 'T' or ' ', and zone Z, +hh:mm, +hhmm, +hh or none (UTC).
 * *res_us (may be NULL) gets the resolution the text shows: 10^(6-digits) µs, ≥ 1. */
bool rl_timestamp_parse_iso8601(rl_str s, int64_t *us, int64_t *res_us);

/* Epoch time with an optional decimal fraction, in the unit given by unit_us (1000000
 * for seconds as nginx $msec writes "1136214245.123", 1000 for ms, 1 for µs).
 * *res_us (may be NULL) gets the resolution shown (1 ms for "….123" in seconds). */
bool rl_timestamp_parse_epoch(rl_str s, int64_t unit_us, int64_t *us, int64_t *res_us);

/* An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", and the
 * obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6
 * 08:49:37 1994") forms recipients must accept. */
bool rl_timestamp_parse_http_date(rl_str s, int64_t *us);

/* Decimal duration in the unit unit_us ("0.123" s → 123000 µs). Same rules as epoch. */
bool rl_duration_parse(rl_str s, int64_t unit_us, int64_t *us, int64_t *res_us);

/* A decimal number with optional sign, fraction and exponent ("1764410400.123",
 * "7.314e-05", as JSON numbers and loggers write them) in units of unit_ns nanoseconds
 * (1000000000 for seconds, 1000000, 1000 or 1 for ns; 0: by its integer digits, as an
 * epoch time: ≤ 11 s, ≤ 14 ms, ≤ 17 µs, else ns) to µs, exactly with integers: digits
 * below 1 µs are dropped. *res_us (may be NULL) gets the resolution the digits show, at
 * least 1 µs. False for anything else, more than 40 significant digits, or 19 digits of
 * µs and more. */
bool rl_timestamp_parse_decimal(rl_str s, int64_t unit_ns, int64_t *us, int64_t *res_us);

/* A time as a user gives it on the command line, into *us: RFC 3339 ("2026-11-01T00:00:00Z",
 * with any zone), a date ("2026-11-01": its midnight UTC), "today" or "yesterday" (their
 * midnight UTC), or a span back from now_us: a whole number and a unit, s, m, h, d or w
 * ("30d", "24h"). False for anything else. */
bool rl_timestamp_parse_when(const char *s, int64_t now_us, int64_t *us);

/* Writes RFC 3339 UTC text ("2000-10-10T20:55:36Z", with ".123" or ".123456" when the
 * time has a fraction) into buf (≥ 32 bytes). Returns buf. */
char *rl_timestamp_format(int64_t us, char *buf);

#endif
