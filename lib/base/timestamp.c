/* base/timestamp.c - exact, allocation-free timestamp parsing.
 *
 * The civil-date arithmetic is Howard Hinnant's days_from_civil algorithm: a handful of
 * integer operations, so parsing a line's time costs far less than strptime + timegm. */
#include "lib/base/timestamp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t rl_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void rl_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned rl_days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return dim[m - 1] + (m == 2 && is_leap(y));
}

/* n digits at p as a number, or -1 if any is not a digit. */
static int digits(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		unsigned c = (unsigned char)p[i] - '0';
		if (c > 9)
			return -1;
		v = v * 10 + (int)c;
	}
	return v;
}

static unsigned month_from_abbr(const char *p)
{
	/* Case-insensitive three-letter English month names. */
	unsigned a = (unsigned char)p[0] | 0x20, b = (unsigned char)p[1] | 0x20, c = (unsigned char)p[2] | 0x20;
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	for (unsigned i = 0; i < 12; i++)
		if (names[3 * i] == (char)a && names[3 * i + 1] == (char)b && names[3 * i + 2] == (char)c)
			return i + 1;
	return 0;
}

static bool civil_to_us(int64_t y, int mo, int d, int h, int mi, int s, int64_t *us)
{
	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || (unsigned)d > rl_days_in_month(y, (unsigned)mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return false;
	int64_t days = rl_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*us = ((days * 24 + h) * 60 + mi) * RL_US_PER_MIN + (int64_t)s * RL_US_PER_S;
	return true;
}

/* Zone "+hhmm", "+hh:mm", "+hh", "Z" at s (n bytes exactly) → offset in µs. */
static bool parse_zone(const char *p, size_t n, int64_t *off)
{
	if (n == 1 && (p[0] == 'Z' || p[0] == 'z')) {
		*off = 0;
		return true;
	}
	if (n < 3 || (p[0] != '+' && p[0] != '-'))
		return false;
	int hh = digits(p + 1, 2), mm = 0;
	if (n == 5)
		mm = digits(p + 3, 2);
	else if (n == 6 && p[3] == ':')
		mm = digits(p + 4, 2);
	else if (n != 3)
		return false;
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
		return false;
	*off = (p[0] == '-' ? -1 : 1) * ((int64_t)hh * 60 + mm) * RL_US_PER_MIN;
	return true;
}

bool rl_timestamp_parse_clf(rl_str s, int64_t *us)
{
	/* 10/Oct/2000:13:55:36 -0700 */
	const char *p = s.p;
	if (s.n < 20 || p[2] != '/' || p[6] != '/' || (p[11] != ':' && p[11] != ' ') || p[14] != ':' || p[17] != ':')
		return false;
	int d = digits(p, 2), y = digits(p + 7, 4), h = digits(p + 12, 2), mi = digits(p + 15, 2),
	    sec = digits(p + 18, 2);
	unsigned mo = month_from_abbr(p + 3);
	int64_t t, off = 0;
	if (d < 0 || y < 0 || h < 0 || mi < 0 || sec < 0 || mo == 0)
		return false;
	if (s.n > 20) {
		if (p[20] != ' ' || !parse_zone(p + 21, s.n - 21, &off) || s.n - 21 == 1)
			return false;
	}
	if (!civil_to_us(y, (int)mo, d, h, mi, sec, &t))
		return false;
	*us = t - off;
	return true;
}

/* memcmp(a, b, n) == 0 for the cache's short keys: overlapping loads. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y, u, v;
	if (n > 16 && n <= 32) {
		return same_bytes(a, b, 16) && same_bytes(a + n - 16, b + n - 16, 16);
	}
	if (n >= 8 && n <= 16) {
		memcpy(&x, a, 8), memcpy(&y, b, 8), memcpy(&u, a + n - 8, 8), memcpy(&v, b + n - 8, 8);
		return x == y && u == v;
	}
	if (n > 32)
		return memcmp(a, b, n) == 0;
	if (n >= 4) {
		uint32_t x4, y4, u4, v4;
		memcpy(&x4, a, 4), memcpy(&y4, b, 4), memcpy(&u4, a + n - 4, 4), memcpy(&v4, b + n - 4, 4);
		return x4 == y4 && u4 == v4;
	}
	return memcmp(a, b, n) == 0;
}

/* Keeps a text that read as us, for the next line's. */
static void remember(rl_clf_cache *c, rl_str s, int64_t us)
{
	int k = c->last_next;
	c->last_next = !k;
	if (s.n > sizeof c->last[k]) {
		c->last_len[k] = 0;
		return;
	}
	memcpy(c->last[k], s.p, s.n);
	c->last_len[k] = s.n;
	c->last_us[k] = us;
}

bool rl_timestamp_parse_clf_cached(rl_clf_cache *c, rl_str s, int64_t *us)
{
	const char *p = s.p;
	for (int k = 0; k < 2; k++)
		if (s.n == c->last_len[k] && s.n >= 8 && same_bytes(p, c->last[k], s.n)) {
			*us = c->last_us[k];
			return true;
		}
	size_t zl = s.n > 20 ? s.n - 20 : 0;
	if (c->valid && s.n >= 20 && zl == c->zone_len && zl <= sizeof c->zone && same_bytes(p, c->date, 11) &&
	    same_bytes(p + 20, c->zone, zl) && p[11] == ':' && p[14] == ':' && p[17] == ':') {
		int h = digits(p + 12, 2), mi = digits(p + 15, 2), sec = digits(p + 18, 2);
		if (h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 60) {
			*us = c->base_us + (((int64_t)h * 60 + mi) * 60 + sec) * RL_US_PER_S;
			remember(c, s, *us);
			return true;
		}
		return false;
	}
	if (!rl_timestamp_parse_clf(s, us))
		return false;
	if (zl <= sizeof c->zone && p[11] == ':') {
		int h = digits(p + 12, 2), mi = digits(p + 15, 2), sec = digits(p + 18, 2);
		memcpy(c->date, p, 11);
		memcpy(c->zone, p + 20, zl);
		c->zone_len = zl;
		c->base_us = *us - (((int64_t)h * 60 + mi) * 60 + sec) * RL_US_PER_S;
		c->valid = 1;
	}
	remember(c, s, *us);
	return true;
}

/* Parses digits then an optional ".fraction" at p[0..n); value in unit_us. */
static bool parse_decimal(rl_str s, int64_t unit_us, int64_t *out, int64_t *res_us)
{
	size_t i = 0;
	bool neg = false;
	if (s.n && s.p[0] == '-') {
		neg = true;
		i = 1;
	}
	size_t int_start = i;
	int64_t ip = 0;
	while (i < s.n && (unsigned)(s.p[i] - '0') <= 9) {
		if (i - int_start >= 17)
			return false;
		ip = ip * 10 + (s.p[i] - '0');
		i++;
	}
	if (i == int_start)
		return false;
	if (ip > INT64_MAX / unit_us)
		return false;
	int64_t v = ip * unit_us, res = unit_us;
	if (i < s.n && s.p[i] == '.') {
		i++;
		size_t f0 = i;
		int64_t scale = unit_us; /* µs per unit of the current digit, times 10 */
		while (i < s.n && (unsigned)(s.p[i] - '0') <= 9) {
			if (scale > 1) { /* digits finer than 1 µs are dropped */
				scale /= 10;
				v += (s.p[i] - '0') * scale;
			}
			i++;
		}
		if (i == f0)
			return false;
		res = scale < 1 ? 1 : scale;
	}
	if (i != s.n)
		return false;
	*out = neg ? -v : v;
	if (res_us)
		*res_us = res;
	return true;
}

bool rl_timestamp_parse_epoch(rl_str s, int64_t unit_us, int64_t *us, int64_t *res_us)
{
	return parse_decimal(s, unit_us, us, res_us);
}

bool rl_duration_parse(rl_str s, int64_t unit_us, int64_t *us, int64_t *res_us)
{
	int64_t v;
	if (!parse_decimal(s, unit_us, &v, res_us) || v < 0)
		return false;
	*us = v;
	return true;
}

static bool is_digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

/* The digits at s.p[*i]: counted in *count, the significant ones (from the first that
 * is not 0) appended to dig[*nd]. False when there is none or too many. */
static bool take_digits(rl_str s, size_t *i, char *dig, int *nd, int *count)
{
	size_t a = *i;
	for (; *i < s.n && is_digit(s.p[*i]); ++*i, ++*count) {
		if (*nd == 0 && s.p[*i] == '0')
			continue;
		if (*nd == 40)
			return false;
		dig[(*nd)++] = s.p[*i];
	}
	return *i > a;
}

bool rl_timestamp_parse_decimal(rl_str s, int64_t unit_ns, int64_t *us, int64_t *res_us)
{
	char dig[40]; /* the significant digits, M */
	int nd = 0, ni = 0, nf = 0, e = 0;
	size_t i = s.n && s.p[0] == '-';
	bool neg = i == 1;
	if (!take_digits(s, &i, dig, &nd, &ni))
		return false;
	if (i < s.n && s.p[i] == '.' && (++i, !take_digits(s, &i, dig, &nd, &nf)))
		return false;
	if (i < s.n && (s.p[i] == 'e' || s.p[i] == 'E')) {
		bool eneg = ++i < s.n && s.p[i] == '-';
		i += i < s.n && (s.p[i] == '-' || s.p[i] == '+');
		size_t a = i;
		while (i < s.n && is_digit(s.p[i]) && e < 1000)
			e = e * 10 + (s.p[i++] - '0');
		if (i == a)
			return false;
		e = eneg ? -e : e;
	}
	if (i != s.n)
		return false;
	int exp10 = e - nf; /* the value is M × 10^exp10 */
	if (unit_ns == 0) {
		int whole = nd + exp10;
		unit_ns = whole <= 11 ? 1000000000 : whole <= 14 ? 1000000 : whole <= 17 ? 1000 : 1;
	}
	int k = exp10 +
		(unit_ns == 1000000000 ? 9
		 : unit_ns == 1000000  ? 6
		 : unit_ns == 1000     ? 3
				       : 0) -
		3; /* µs = M × 10^k */
	int keep = k < 0 ? nd + k : nd, zeros = k > 0 ? k : 0;
	if (zeros > 18 || (keep > 0 && keep + zeros > 18))
		return false;
	int64_t v = 0, r = 1;
	for (int j = 0; j < keep; j++)
		v = v * 10 + (dig[j] - '0');
	for (int j = 0; j < zeros; j++) {
		v *= 10;
		r *= 10;
	}
	*us = neg ? -v : v;
	if (res_us)
		*res_us = r;
	return true;
}

bool rl_timestamp_parse_iso8601(rl_str s, int64_t *us, int64_t *res_us)
{
	/* 2000-10-10T13:55:36[.fff][zone] */
	const char *p = s.p;
	if (s.n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') || p[13] != ':' ||
	    p[16] != ':')
		return false;
	int y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2), h = digits(p + 11, 2),
	    mi = digits(p + 14, 2), sec = digits(p + 17, 2);
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
		return false;
	size_t i = 19;
	int64_t frac = 0, res = RL_US_PER_S;
	if (i < s.n && (p[i] == '.' || p[i] == ',')) {
		i++;
		size_t f0 = i;
		int64_t scale = RL_US_PER_S;
		while (i < s.n && (unsigned)(p[i] - '0') <= 9) {
			if (scale > 1) {
				scale /= 10;
				frac += (p[i] - '0') * scale;
			}
			i++;
		}
		if (i == f0)
			return false;
		res = scale;
	}
	int64_t off = 0;
	if (i < s.n && !parse_zone(p + i, s.n - i, &off))
		return false;
	int64_t t;
	if (!civil_to_us(y, mo, d, h, mi, sec, &t))
		return false;
	*us = t + frac - off;
	if (res_us)
		*res_us = res;
	return true;
}

/* Skips a day name and returns the position after it and its separator, or NULL. */
static const char *skip_day(const char *p, const char *end, char sep)
{
	while (p < end && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		p++;
	if (p >= end || *p != sep)
		return NULL;
	return p + 1;
}

bool rl_timestamp_parse_http_date(rl_str s, int64_t *us)
{
	const char *p = s.p, *end = s.p + s.n;
	int d, y, h, mi, sec;
	unsigned mo;
	const char *q;
	if ((q = skip_day(p, end, ',')) && end - q == 25 && q[0] == ' ' && q[3] == ' ' && q[7] == ' ' && q[12] == ' ' &&
	    memcmp(q + 21, " GMT", 4) == 0) {
		/* IMF-fixdate: ", 06 Nov 1994 08:49:37 GMT" */
		d = digits(q + 1, 2);
		mo = month_from_abbr(q + 4);
		y = digits(q + 8, 4);
		q += 13;
	} else if (q && end - q == 23 && q[0] == ' ' && q[3] == '-' && q[7] == '-' && q[10] == ' ' &&
		   memcmp(q + 19, " GMT", 4) == 0) {
		/* RFC 850: ", 06-Nov-94 08:49:37 GMT", two-digit years read as 1970..2069 */
		d = digits(q + 1, 2);
		mo = month_from_abbr(q + 4);
		y = digits(q + 8, 2);
		y = y < 0 ? -1 : y + (y < 70 ? 2000 : 1900);
		q += 11;
	} else if ((q = skip_day(p, end, ' ')) && end - q == 20 && q[3] == ' ' && q[6] == ' ' && q[15] == ' ') {
		/* asctime: "Nov  6 08:49:37 1994" */
		mo = month_from_abbr(q);
		d = q[4] == ' ' ? digits(q + 5, 1) : digits(q + 4, 2);
		y = digits(q + 16, 4);
		q += 7;
	} else {
		return false;
	}
	if (q[2] != ':' || q[5] != ':')
		return false;
	h = digits(q, 2);
	mi = digits(q + 3, 2);
	sec = digits(q + 6, 2);
	if (d < 0 || y < 0 || h < 0 || mi < 0 || sec < 0 || mo == 0)
		return false;
	return civil_to_us(y, (int)mo, d, h, mi, sec, us);
}

char *rl_timestamp_format(int64_t us, char *buf)
{
	int64_t secs = us / RL_US_PER_S, frac = us % RL_US_PER_S;
	if (frac < 0) {
		frac += RL_US_PER_S;
		secs -= 1;
	}
	int64_t days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days -= 1;
	}
	int64_t y;
	unsigned m, d;
	rl_civil_from_days(days, &y, &m, &d);
	int n = snprintf(buf, 32, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, d, (int)(rem / 3600),
			 (int)(rem / 60 % 60), (int)(rem % 60));
	if (frac % 1000 == 0 && frac)
		n += snprintf(buf + n, 32 - (size_t)n, ".%03d", (int)(frac / 1000));
	else if (frac)
		n += snprintf(buf + n, 32 - (size_t)n, ".%06d", (int)frac);
	snprintf(buf + n, 32 - (size_t)n, "Z");
	return buf;
}

int64_t rl_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * RL_US_PER_S + ts.tv_nsec / 1000;
}

int64_t rl_wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * RL_US_PER_S + ts.tv_nsec / 1000;
}

bool rl_timestamp_parse_when(const char *s, int64_t now_us, int64_t *us)
{
	size_t n = strlen(s);
	int64_t day = rl_floor_div(now_us, 86400 * RL_US_PER_S) * 86400 * RL_US_PER_S;
	if (strcmp(s, "today") == 0) {
		*us = day;
		return true;
	}
	if (strcmp(s, "yesterday") == 0) {
		*us = day - 86400 * RL_US_PER_S;
		return true;
	}
	/* a span back from now: digits and one unit */
	if (n >= 2 && n <= 12 && strchr("smhdw", s[n - 1])) {
		int64_t v = 0;
		size_t i = 0;
		for (; i < n - 1 && s[i] >= '0' && s[i] <= '9'; i++)
			v = v * 10 + (s[i] - '0');
		if (i == n - 1) {
			int64_t unit = s[n - 1] == 's'	 ? 1
				       : s[n - 1] == 'm' ? 60
				       : s[n - 1] == 'h' ? 3600
				       : s[n - 1] == 'd' ? 86400
							 : 7 * 86400;
			if (v > INT64_MAX / (unit * RL_US_PER_S))
				return false;
			*us = now_us - v * unit * RL_US_PER_S;
			return true;
		}
	}
	/* a date: its midnight UTC */
	if (n == 10) {
		char full[32];
		snprintf(full, sizeof full, "%sT00:00:00Z", s);
		return rl_timestamp_parse_iso8601(rl_str_make(full, strlen(full)), us, NULL);
	}
	return n >= 19 && rl_timestamp_parse_iso8601(rl_str_make(s, n), us, NULL);
}
