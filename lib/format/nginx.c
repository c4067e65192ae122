/* nginx.c - nginx log_format strings compiled to patterns (SPEC §2).
 *
 *   --format nginx:'$remote_addr - $remote_user [$time_local] "$request" $status ...'
 *
 * The string is the log_format as written in nginx.conf: variables ($name or ${name}),
 * literals, and the backslash escapes of a quoted nginx.conf string. Each variable
 * becomes a named group of the same name (regex.c maps the ones that carry a field:
 * $msec, $time_local, $request, $status, $http_x_client_id, $sent_http_retry_after …;
 * every other variable is captured and ignored, never an error). Variables whose
 * values have a fixed shape get a pattern of that shape, which keeps matching exact
 * when neighbouring values are unquoted. */
#include <stdio.h>
#include <string.h>

#include "lib/format/format.h"
#include "lib/format/layout.h"

static const struct {
	const char *name;
	rl_val val;
} shapes[] = {
	{"time_local", RL_VAL_CLF_TIME},
	{"time_iso8601", RL_VAL_ISO_TIME},
	{"msec", RL_VAL_DECIMAL},
	{"status", RL_VAL_STATUS},
	{"body_bytes_sent", RL_VAL_INT},
	{"bytes_sent", RL_VAL_INT},
	{"request_length", RL_VAL_INT},
	{"connection", RL_VAL_INT},
	{"connection_requests", RL_VAL_INT},
	{"pid", RL_VAL_INT},
	{"request_time", RL_VAL_DECIMAL},
	{"upstream_status", RL_VAL_LIST},
	{"upstream_addr", RL_VAL_LIST},
	{"upstream_response_time", RL_VAL_LIST},
	{"upstream_connect_time", RL_VAL_LIST},
	{"upstream_header_time", RL_VAL_LIST},
	{"upstream_response_length", RL_VAL_LIST},
	{"upstream_bytes_received", RL_VAL_LIST},
	{"upstream_bytes_sent", RL_VAL_LIST},
	{"remote_addr", RL_VAL_WORD},
	{"remote_port", RL_VAL_INT},
	{"remote_user", RL_VAL_WORD},
	{"request", RL_VAL_REQUEST},
	{"http_x_forwarded_for", RL_VAL_LIST},
	{"proxy_add_x_forwarded_for", RL_VAL_LIST},
};

static rl_val shape_of(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		if (strlen(shapes[i].name) == n && memcmp(shapes[i].name, name, n) == 0)
			return shapes[i].val;
	return RL_VAL_TEXT;
}

static bool is_var_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int rl_nginx_parse_layout(rl_layout *l, const char *fmt, rl_err *err)
{
	memset(l, 0, sizeof *l);
	const char *p = fmt;
	bool any_var = false;
	while (*p) {
		if (*p == '\\' && p[1]) {
			char c = p[1];
			char lit = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
			if (!rl_layout_literal(l, &lit, 1))
				goto full;
			p += 2;
			continue;
		}
		if (*p != '$') {
			const char *q = p;
			while (*q && *q != '$' && *q != '\\')
				q++;
			if (!rl_layout_literal(l, p, (size_t)(q - p)))
				goto full;
			p = q;
			continue;
		}
		const char *name = p + 1, *end;
		bool braced = *name == '{';
		if (braced) {
			name++;
			end = strchr(name, '}');
			if (!end)
				return rl_err_set(err, RL_EUSAGE, "--format", 0, "nginx format: '${' without '}' at '%.20s'",
						  p);
		} else {
			end = name;
			while (is_var_char(*end))
				end++;
		}
		size_t n = (size_t)(end - name);
		if (n == 0)
			return rl_err_set(err, RL_EUSAGE, "--format", 0,
					  "nginx format: '$' without a variable name at '%.20s'", p);
		const char *after = braced ? end + 1 : end;
		if (!rl_layout_field(l, name, n, shape_of(name, n), p, (size_t)(after - p)))
			goto full;
		any_var = true;
		p = after;
	}
	if (!any_var)
		return rl_err_set(err, RL_EUSAGE, "--format", 0, "nginx format '%.60s' has no $variable", fmt);
	return 0;
full:
	return rl_err_set(err, RL_EUSAGE, "--format", 0, "nginx format has more than %d items", RL_LAYOUT_MAX);
}

int rl_nginx_format_new(rl_format **out, const char *log_format, const rl_format_opts *opts, rl_err *err)
{
	*out = NULL;
	rl_layout l;
	int rc = rl_nginx_parse_layout(&l, log_format, err);
	if (rc)
		return rc;
	char name[256];
	snprintf(name, sizeof name, "nginx:'%s'", log_format);
	return rl_layout_format_new(out, name, &l, opts, err);
}
