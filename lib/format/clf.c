/* clf.c - combined, common and vcombined, read as real servers write them (SPEC §2).
 *
 * One lenient pattern serves the family: an optional virtual host (with or without
 * :port) and forwarded-for list before the address, ident and user, [time], a request
 * that may be empty, "-" or escaped binary (with a fallback for servers that do not
 * escape quotes), status or "-", bytes or "-", then referer and user agent when present
 * (a common-form line inside a combined log is fine), then a quoted field read as
 * X-Forwarded-For (nginx's default "main" format ends so; where such a field holds
 * something else, --trusted-proxy finds no address in it), and anything after them
 * ignored. The text before "[" (address, ident, user) is split in C (regex.c), which spares
 * the pattern any backtracking. The three names differ only in what "auto" reports. */
#include <stdbool.h>
#include <string.h>

#include "lib/base/scan.h"
#include "lib/format/internal.h"
#include "lib/format/layout.h"

const char rl_clf_pattern[] =
	"^(?<clf_prefix>[^\\[]*+)\\[(?<time_local>[^\\]]{1,40})\\][ \\t]+"
	"\"(?|(?<request>" RL_PATTERN_QUOTED ")|(?<request>.*?))\"[ \\t]+"
	"(?<status>\\d{3}|-)[ \\t]+(?<body_bytes_sent>\\d+|-)"
	"(?:[ \\t]+\"(?<http_referer>" RL_PATTERN_QUOTED ")\"(?:[ \\t]+\"(?<http_user_agent>" RL_PATTERN_QUOTED
	")\"(?:[ \\t]+\"(?<http_x_forwarded_for>" RL_PATTERN_QUOTED ")\")?)?)?";

/* rl_clf_pattern's match in C, group for group (regex.c asks PCRE2 about every line this
 * rejects, so PCRE2 has the last word on those; tests/unit/test_clf_match.c holds the
 * two to the same offsets on every line it makes). The groups, as the pattern numbers
 * them (the request's two alternatives share 3): */
enum { G_PREFIX = 1, G_TIME, G_REQUEST, G_STATUS, G_BYTES, G_REFERER, G_UA, G_XFF };
#define UNSET ((size_t)-1)

/* "[ \t]+(?<status>\d{3}|-)[ \t]+(?<body_bytes_sent>\d+|-)" at i: its end, 0 when it
 * does not match there. Nothing before it can make it match otherwise: each blank run
 * is followed by a byte no blank is, and the optional groups after it always match. */
static size_t clf_tail(const char *p, size_t n, size_t i, size_t *ov)
{
	size_t s0 = rl_skip_blanks(p, n, i), s1;
	if (s0 == i)
		return 0;
	if (s0 + 3 <= n && rl_is_digit(p[s0]) && rl_is_digit(p[s0 + 1]) && rl_is_digit(p[s0 + 2]))
		s1 = s0 + 3;
	else if (s0 < n && p[s0] == '-')
		s1 = s0 + 1;
	else
		return 0;
	size_t b0 = rl_skip_blanks(p, n, s1), b1 = b0;
	if (b0 == s1)
		return 0;
	while (b1 < n && rl_is_digit(p[b1]))
		b1++;
	if (b1 == b0) {
		if (b0 < n && p[b0] == '-')
			b1++;
		else
			return 0;
	}
	ov[2 * G_STATUS] = s0, ov[2 * G_STATUS + 1] = s1;
	ov[2 * G_BYTES] = b0, ov[2 * G_BYTES + 1] = b1;
	return b1;
}

/* '[ \t]+"(QUOTED)"' at i into group g: its end, 0 when it does not match there. */
static size_t quoted_field(const char *p, size_t n, size_t i, int g, size_t *ov)
{
	size_t q = rl_skip_blanks(p, n, i);
	if (q == i || q >= n || p[q] != '"')
		return 0;
	size_t e = rl_quoted_end(p, n, q + 1);
	if (e >= n || p[e] != '"')
		return 0;
	ov[2 * g] = q + 1, ov[2 * g + 1] = e;
	return e + 1;
}

int rl_clf_match(const void *ctx, const char *p, size_t n, size_t *ov)
{
	(void)ctx;
	/* ^(?<clf_prefix>[^\[]*+)\[(?<time_local>[^\]]{1,40})\][ \t]+" */
	const char *end = p + n, *lb = rl_find2(p, end, '[', '[');
	if (lb == end)
		return 0;
	size_t t0 = (size_t)(lb - p) + 1, left = n - t0;
	const char *tend = p + t0 + (left < 41 ? left : 41), *rb = rl_find2(p + t0, tend, ']', ']');
	if (rb == tend || (size_t)(rb - p) == t0)
		return 0;
	size_t t1 = (size_t)(rb - p), r = rl_skip_blanks(p, n, t1 + 1);
	if (r == t1 + 1 || r >= n || p[r] != '"')
		return 0;
	r++;
	/* (?|(?<request>QUOTED)|(?<request>.*?))" then the tail: the first alternative,
	 * else the shortest run without a newline that the tail follows */
	size_t e = rl_quoted_end(p, n, r), me = 0; /* where the match ends */
	if (e < n && p[e] == '"')
		me = clf_tail(p, n, e + 1, ov);
	if (!me) {
		const char *nl = memchr(p + r, '\n', n - r);
		size_t lim = nl ? (size_t)(nl - p) : n;
		for (e = r; e < lim; e++) {
			const char *dq = memchr(p + e, '"', lim - e);
			if (!dq)
				return 0;
			e = (size_t)(dq - p);
			if ((me = clf_tail(p, n, e + 1, ov)))
				break;
		}
		if (!me)
			return 0;
	}
	ov[0] = 0;
	ov[2 * G_PREFIX] = 0, ov[2 * G_PREFIX + 1] = t0 - 1;
	ov[2 * G_TIME] = t0, ov[2 * G_TIME + 1] = t1;
	ov[2 * G_REQUEST] = r, ov[2 * G_REQUEST + 1] = e;
	/* (?:[ \t]+"referer"(?:[ \t]+"user agent"(?:[ \t]+"forwarded for")?)?)? */
	int top = G_BYTES;
	for (int g = G_REFERER; g <= G_XFF; g++) {
		size_t f = quoted_field(p, n, me, g, ov);
		if (!f)
			break;
		me = f, top = g;
	}
	for (int g = top + 1; g <= G_XFF; g++)
		ov[2 * g] = ov[2 * g + 1] = UNSET;
	ov[1] = me;
	return top + 1;
}

static const char combined_layout[] =
	"$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
	"\"$http_user_agent\"";
static const char common_layout[] = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent";

int rl_clf_format_new(rl_format **out, const char *spec, const rl_format_opts *opts, rl_err *err)
{
	if (strcmp(spec, "combined") && strcmp(spec, "common") && strcmp(spec, "vcombined"))
		return rl_err_set(err, RL_EUSAGE, "--format", 0, "unknown format '%s'", spec);
	int rc = rl_regex_format_new(out, spec, rl_clf_pattern, opts, err);
	if (rc)
		return rc;
	rl_regex_format_set_matcher(*out, rl_clf_match, NULL);
	/* check-format explains a line against the strict layout the family grew from */
	rl_layout l;
	bool common = strcmp(spec, "common") == 0;
	if ((rc = rl_nginx_parse_layout(&l, common ? common_layout : combined_layout, err)) ||
	    (rc = rl_regex_format_keep_layout(*out, &l, err))) {
		rl_format_free(*out);
		*out = NULL;
	}
	return rc;
}
