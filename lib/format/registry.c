/* registry.c - the formats by name: a --format spec to its backend (lib/format/format.h),
 * and the specs --format auto tries. */
#include "lib/format/internal.h"
#include "lib/format/proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const *rl_format_candidates(void)
{
	static const char *const c[] = {"combined", "alb", "json", "trace", NULL};
	return c;
}

/* "nginx:'…'" → the text between the single quotes (optional: a shell took them).
 * Double quotes are never taken away: a format may start and end with a literal '"'. */
static const char *after_prefix(const char *spec, const char *prefix, char *buf, size_t cap)
{
	/* buf has room for the spec (rl_format_new sizes it so): nothing is ever cut */
	size_t k = strlen(prefix);
	if (strncmp(spec, prefix, k) != 0)
		return NULL;
	const char *v = spec + k;
	size_t n = strlen(v);
	if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'') {
		snprintf(buf, cap, "%.*s", (int)(n - 2), v + 1);
		return buf;
	}
	return v;
}

/* True when spec names a JSON format, the only ones --field applies to: json,
 * json:PROFILE, an nginx log_format that is a JSON object, and those in an envelope. */
static bool is_json_spec(const char *spec)
{
	const char *gt = strchr(spec, '>');
	if (strcmp(spec, "json") == 0 || strncmp(spec, "json:", 5) == 0)
		return true;
	if (strncmp(spec, "nginx:", 6) == 0) {
		const char *v = spec + 6;
		v += *v == '\'';
		while (*v == ' ' || *v == '\t' || *v == '\n')
			v++;
		return *v == '{';
	}
	return gt && strncmp(spec, "apache:", 7) && strncmp(spec, "regex:", 6) && is_json_spec(gt + 1);
}

/* The formats named with an argument ("json:caddy", "nginx:'…'"); buf has room for
 * spec. Returns 1 when spec is none of them. */
static int make_with_argument(rl_format **out, const char *spec, const rl_format_opts *opts, char *buf, size_t cap,
			      rl_err *err)
{
	const char *v;
	if ((v = after_prefix(spec, "json:", buf, cap)))
		return rl_json_format_new(out, v, opts, err);
	if ((v = after_prefix(spec, "nginx:", buf, cap)))
		return rl_nginx_format_new(out, v, opts, err);
	if ((v = after_prefix(spec, "apache:", buf, cap)))
		return rl_apache_format_new(out, v, opts, err);
	if ((v = after_prefix(spec, "regex:", buf, cap)))
		return rl_regex_format_new(out, spec, v, opts, err);
	return 1;
}

/* The format spec names, without --trusted-proxy (rl_format_new adds it to the format
 * it returns). */
static int make(rl_format **out, const char *spec, const rl_format_opts *opts, rl_err *err)
{
	*out = NULL;
	if (opts && opts->nfields && !is_json_spec(spec))
		return rl_err_set(err, RL_EUSAGE, "--field", 0,
				  "applies to JSON formats only (json, json:PROFILE, an escape=json nginx format), "
				  "not to %.60s",
				  spec);
	/* "cri>json:envoy": a shipper's envelope around a format */
	const char *gt = strchr(spec, '>');
	size_t kn = gt ? (size_t)(gt - spec) : 0;
	if (gt && kn < 16 && strncmp(spec, "nginx:", 6) && strncmp(spec, "apache:", 7) && strncmp(spec, "regex:", 6)) {
		char kind[16];
		memcpy(kind, spec, kn);
		kind[kn] = 0;
		rl_format *inner;
		int rc = make(&inner, gt + 1, opts, err);
		if (rc)
			return rc;
		return rl_envelope_format_new(out, kind, inner, err);
	}
	if (strcmp(spec, "combined") == 0 || strcmp(spec, "common") == 0 || strcmp(spec, "vcombined") == 0)
		return rl_clf_format_new(out, spec, opts, err);
	if (strcmp(spec, "trace") == 0)
		return rl_trace_format_new(out, opts, err);
	if (strcmp(spec, "har") == 0)
		return rl_har_format_new(out, opts, err);
	if (strcmp(spec, "alb") == 0)
		return rl_alb_format_new(out, opts, err);
	if (strcmp(spec, "json") == 0)
		return rl_json_format_new(out, NULL, opts, err);
	size_t cap = strlen(spec) + 1;
	char *buf = malloc(cap);
	if (!buf)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	int rc = make_with_argument(out, spec, opts, buf, cap, err);
	free(buf);
	if (rc != 1)
		return rc;
	return rl_err_set(err, RL_EUSAGE, "--format", 0,
			  "unknown format '%s' (known: auto, combined, common, vcombined, alb, json, trace, har, "
			  "nginx:'LOG_FORMAT', apache:'LOGFORMAT', regex:'PCRE2', and ENVELOPE>FORMAT with "
			  "ENVELOPE cri, compose, vector or fluentbit)",
			  spec);
}

int rl_format_new(rl_format **out, const char *spec, const rl_format_opts *opts, rl_err *err)
{
	int rc = make(out, spec, opts, err);
	if (rc || !opts || !opts->ntrusted_proxies)
		return rc;
	rl_proxy_table *t = calloc(1, sizeof *t);
	if (!t)
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; !rc && i < opts->ntrusted_proxies; i++)
		rc = rl_proxy_table_add(t, opts->trusted_proxies[i], err);
	if (rc) {
		free(t);
		rl_format_free(*out);
		*out = NULL;
		return rc;
	}
	(*out)->proxies = t;
	return 0;
}
