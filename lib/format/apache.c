/* apache.c - Apache LogFormat strings compiled to patterns (SPEC §2).
 *
 *   --format apache:'%h %l %u %t "%r" %>s %b %D "%{Referer}i" "%{User-Agent}i"'
 *
 * Each directive becomes a named group that regex.c understands: %h/%a the address,
 * %t the start time (its brackets are literals here), %{sec|msec|usec}t epoch times,
 * %r the request, %m %U %q its parts, %>s the status, %b/%B/%O bytes, %D µs and %T
 * (or %{ms|us|s}T) the duration, %v the virtual host, %{Header}i request headers as
 * http_<header> and %{Header}o response headers as sent_http_<header> (so
 * %{X-Client-Id}i, %{Idempotency-Key}i and %{Retry-After}o feed the analysis like the
 * nginx variables of the same names). Modifiers (%>s, %400,501{…}i, %!200{…}i) are
 * accepted; other directives are captured and ignored. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/format/format.h"
#include "lib/format/layout.h"

/* "User-Agent" → prefix + "user_agent" */
static size_t header_group(char *out, size_t cap, const char *prefix, const char *h, size_t n)
{
	size_t o = (size_t)snprintf(out, cap, "%s", prefix);
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		out[o++] = h[i] == '-' ? '_' : (char)tolower((unsigned char)h[i]);
	out[o] = 0;
	return o;
}

static bool arg_is(const char *arg, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(arg, lit, n) == 0;
}

/* The group and shape of directive c with argument arg (n bytes, may be empty). */
static void directive(char c, const char *arg, size_t n, char *group, size_t cap, rl_val *val)
{
	*val = RL_VAL_WORD;
	const char *g = NULL;
	switch (c) {
	case 'h':
	case 'a':
		g = n ? "peer_addr" : "remote_addr";
		break;
	case 'A':
		g = "local_addr";
		break;
	case 'l':
		g = "ident";
		break;
	case 'u':
		g = "remote_user";
		break;
	case 'r':
		g = "request";
		*val = RL_VAL_REQUEST;
		break;
	case 'm':
		g = "request_method";
		break;
	case 'U':
		g = "uri";
		break;
	case 'q':
		g = "args";
		break;
	case 'H':
		g = "server_protocol";
		break;
	case 's':
		g = "status";
		*val = RL_VAL_STATUS;
		break;
	case 'b':
	case 'B':
		g = "body_bytes_sent";
		*val = RL_VAL_INT;
		break;
	case 'O':
		g = "bytes_sent";
		*val = RL_VAL_INT;
		break;
	case 'I':
	case 'S':
		g = c == 'I' ? "bytes_received" : "bytes_transferred";
		*val = RL_VAL_INT;
		break;
	case 'D':
		g = "duration_us";
		*val = RL_VAL_INT;
		break;
	case 'T':
		g = arg_is(arg, n, "ms") ? "duration_ms" : arg_is(arg, n, "us") ? "duration_us" : "duration_s";
		*val = RL_VAL_INT;
		break;
	case 'v':
		g = "vhost";
		break;
	case 'V':
		g = "server_name";
		break;
	case 'p':
		g = "server_port";
		*val = RL_VAL_INT;
		break;
	case 'P':
		g = "pid";
		break;
	case 'k':
		g = "keepalive";
		*val = RL_VAL_INT;
		break;
	case 't': {
		/* %{sec}t, %{begin:msec}t …: epoch numbers; a strftime format is ignored */
		const char *a = arg;
		size_t k = n;
		bool end = false;
		if (k > 6 && memcmp(a, "begin:", 6) == 0)
			a += 6, k -= 6;
		else if (k > 4 && memcmp(a, "end:", 4) == 0)
			a += 4, k -= 4, end = true;
		*val = RL_VAL_INT;
		if (arg_is(a, k, "sec"))
			g = end ? "time_end" : "apache_time_sec";
		else if (arg_is(a, k, "msec"))
			g = end ? "apache_time_msec_end" : "apache_time_msec";
		else if (arg_is(a, k, "usec"))
			g = end ? "apache_time_usec_end" : "apache_time_usec";
		else if (arg_is(a, k, "msec_frac") || arg_is(a, k, "usec_frac"))
			g = "time_part"; /* the fraction alone: %t gives the rest, at 1 s */
		else {
			g = "time_text";
			*val = RL_VAL_TEXT;
		}
		break;
	}
	case 'i':
		header_group(group, cap, "http_", arg, n);
		*val = strcmp(group, "http_x_forwarded_for") == 0 ? RL_VAL_LIST : RL_VAL_TEXT;
		return;
	case 'o':
		header_group(group, cap, "sent_http_", arg, n);
		*val = RL_VAL_TEXT;
		return;
	case 'e':
	case 'n':
	case 'C':
	case 'x':
		header_group(group, cap,
			     c == 'e'	? "env_"
			     : c == 'n' ? "note_"
			     : c == 'C' ? "cookie_"
					: "ssl_",
			     arg, n);
		*val = RL_VAL_TEXT;
		return;
	default:
		g = "other";
		*val = RL_VAL_TEXT;
		break;
	}
	snprintf(group, cap, "%s", g);
}

int rl_apache_parse_layout(rl_layout *l, const char *fmt, rl_err *err)
{
	memset(l, 0, sizeof *l);
	const char *p = fmt;
	bool any = false;
	while (*p) {
		if (*p == '\\' && p[1]) {
			char c = p[1];
			char lit = c == 't' ? '\t' : c == 'n' ? '\n' : c;
			if (!rl_layout_literal(l, &lit, 1))
				goto full;
			p += 2;
			continue;
		}
		if (*p != '%') {
			/* from p + 1: a '\\' that ends the format is a literal (else no progress) */
			const char *q = p + 1;
			while (*q && *q != '%' && *q != '\\')
				q++;
			if (!rl_layout_literal(l, p, (size_t)(q - p)))
				goto full;
			p = q;
			continue;
		}
		if (p[1] == '%') {
			if (!rl_layout_literal(l, "%", 1))
				goto full;
			p += 2;
			continue;
		}
		const char *tok = p++;
		while (*p == '<' || *p == '>' || *p == '!' || *p == ',' || (*p >= '0' && *p <= '9'))
			p++;
		const char *arg = p;
		size_t n = 0;
		if (*p == '{') {
			const char *close = strchr(p, '}');
			if (!close)
				return rl_err_set(err, RL_EUSAGE, "--format", 0,
						  "apache format: '{' without '}' at '%.20s'", tok);
			arg = p + 1;
			n = (size_t)(close - arg);
			p = close + 1;
		}
		if (*p == '^' && (p[1] == 't') && (p[2] == 'i' || p[2] == 'o')) {
			/* %{Trailer}^ti, %{Trailer}^to: trailers, captured and ignored */
			char group[64];
			header_group(group, sizeof group, p[2] == 'i' ? "trailer_in_" : "trailer_out_", arg, n);
			p += 3;
			if (!rl_layout_field(l, group, strlen(group), RL_VAL_TEXT, tok, (size_t)(p - tok)))
				goto full;
			any = true;
			continue;
		}
		if (!*p || !isalpha((unsigned char)*p))
			return rl_err_set(err, RL_EUSAGE, "--format", 0, "apache format: unknown directive at '%.20s'",
					  tok);
		char c = *p++;
		char group[64];
		rl_val val;
		directive(c, arg, n, group, sizeof group, &val);
		size_t tlen = (size_t)(p - tok);
		if (c == 't' && n == 0) {
			/* "[10/Oct/2000:13:55:36 -0700]": the brackets are part of %t's output */
			if (!rl_layout_literal(l, "[", 1) ||
			    !rl_layout_field(l, "apache_time", 11, RL_VAL_CLF_TIME, tok, tlen) ||
			    !rl_layout_literal(l, "]", 1))
				goto full;
		} else if (!rl_layout_field(l, group, strlen(group), val, tok, tlen)) {
			goto full;
		}
		any = true;
	}
	if (!any)
		return rl_err_set(err, RL_EUSAGE, "--format", 0, "apache format '%.60s' has no %%directive", fmt);
	return 0;
full:
	return rl_err_set(err, RL_EUSAGE, "--format", 0, "apache format has more than %d items", RL_LAYOUT_MAX);
}

int rl_apache_format_new(rl_format **out, const char *log_format, const rl_format_opts *opts, rl_err *err)
{
	*out = NULL;
	rl_layout l;
	int rc = rl_apache_parse_layout(&l, log_format, err);
	if (rc)
		return rc;
	char name[256];
	snprintf(name, sizeof name, "apache:'%s'", log_format);
	return rl_layout_format_new(out, name, &l, opts, err);
}
