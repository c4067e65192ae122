/* apache.c - Apache LogFormat strings compiled to patterns (SPEC §2).
 *
 *   --format apache:'%h %l %u %t "%r" %>s %b %D "%{Referer}i" "%{User-Agent}i"'
 *
 * Each directive becomes a named group. Those that carry a field are in the field table
 * (fields.c), with the group each becomes: %h/%a the address,
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

#include "lib/format/fields.h"
#include "lib/format/internal.h"
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

/* The shape of a field's value as Apache writes it: numbers in digits, the rest words. */
static rl_val field_shape(rl_field f, rl_unit u)
{
	switch (f) {
	case RL_FIELD_REQUEST:
		return RL_VAL_REQUEST;
	case RL_FIELD_STATUS:
		return RL_VAL_STATUS;
	case RL_FIELD_TIME:
		return u == RL_UNIT_CLF ? RL_VAL_CLF_TIME : RL_VAL_INT;
	case RL_FIELD_BYTES:
	case RL_FIELD_DURATION:
		return RL_VAL_INT;
	default:
		return RL_VAL_WORD;
	}
}

/* The group and shape of directive c with argument arg (n bytes, may be empty) when the
 * field table has it: "%{arg}c" as the table writes it, else "%c" where the argument
 * only qualifies the directive (%{foo}b is %b, %{xyz}T is %T); for %h, %a and %t the
 * argument makes it another one (the peer's address, a strftime time). */
static bool field_directive(char c, const char *arg, size_t n, char *group, size_t cap, rl_val *val)
{
	char key[80];
	const rl_field_name *nm = NULL;
	if (n && n < sizeof key - 4) {
		snprintf(key, sizeof key, "%%{%.*s}%c", (int)n, arg, c);
		rl_field_find(RL_IN_APACHE, key, strlen(key), &nm);
	}
	if (!nm && (n == 0 || !strchr("hat", c))) {
		snprintf(key, sizeof key, "%%%c", c);
		rl_field_find(RL_IN_APACHE, key, strlen(key), &nm);
	}
	if (!nm)
		return false;
	snprintf(group, cap, "%s", nm->name);
	*val = field_shape(rl_field_find(RL_IN_GROUP, nm->name, strlen(nm->name), NULL), nm->unit);
	return true;
}

/* The group and shape of directive c with argument arg (n bytes, may be empty): a field
 * of the table, else one captured and ignored. */
static void directive(char c, const char *arg, size_t n, char *group, size_t cap, rl_val *val)
{
	if (field_directive(c, arg, n, group, cap, val))
		return;
	*val = RL_VAL_WORD;
	const char *g = NULL;
	switch (c) {
	case 'h':
	case 'a':
		g = "peer_addr";
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
	case 'H':
		g = "server_protocol";
		break;
	case 'I':
	case 'S':
		g = c == 'I' ? "bytes_received" : "bytes_transferred";
		*val = RL_VAL_INT;
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
		/* the fraction alone (%{msec_frac}t: %t gives the rest, at 1 s), or a strftime
		 * format, ignored */
		const char *a = arg;
		size_t k = n;
		if (k > 6 && memcmp(a, "begin:", 6) == 0)
			a += 6, k -= 6;
		else if (k > 4 && memcmp(a, "end:", 4) == 0)
			a += 4, k -= 4;
		bool frac = arg_is(a, k, "msec_frac") || arg_is(a, k, "usec_frac");
		g = frac ? "time_part" : "time_text";
		*val = frac ? RL_VAL_INT : RL_VAL_TEXT;
		break;
	}
	case 'i':
	case 'o': {
		/* shaped as nginx's variable of the same name ($http_x_forwarded_for: a list) */
		const rl_field_name *nm;
		size_t k = header_group(group, cap, c == 'i' ? "http_" : "sent_http_", arg, n);
		*val = rl_field_find(RL_IN_GROUP, group, k, &nm) != RL_FIELD_NONE ? nm->shape : RL_VAL_TEXT;
		return;
	}
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
			    !rl_layout_field(l, group, strlen(group), val, tok, tlen) || !rl_layout_literal(l, "]", 1))
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
