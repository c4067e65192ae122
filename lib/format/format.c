/* format.c - format specs, reject reasons and the "auto" sniffer. */
#include "lib/format/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *rl_reject_text(rl_reject r)
{
	switch (r) {
	case RL_REJECT_NONE:
		return "ok";
	case RL_REJECT_NO_MATCH:
		return "does not match the format";
	case RL_REJECT_BAD_TIME:
		return "unreadable time";
	case RL_REJECT_NO_TIME:
		return "no time logged";
	case RL_REJECT_BAD_STATUS:
		return "status is not 0..999 or -";
	case RL_REJECT_TOO_LONG:
		return "line too long";
	case RL_REJECT_NOT_ACCESS:
		return "not an HTTP access record";
	case RL_REJECT_BAD_DOCUMENT:
		return "unreadable document";
	case RL_REJECT_PENDING:
		return "pending";
	case RL_REJECT_PARTIAL:
		return "a partial line whose end never came";
	case RL_REJECT_TOO_DEEP:
		return "JSON nested too deep";
	case RL_REJECT_TOO_COMPLEX:
		return "too much backtracking to match (a format with adjacent unquoted fields?)";
	case RL_REJECT_COUNT:
		break;
	}
	return "rejected";
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

int rl_format_new(rl_format **out, const char *spec, const rl_format_opts *opts, rl_err *err)
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
		int rc = rl_format_new(&inner, gt + 1, opts, err);
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

rl_reject rl_json_failure(const char *p, size_t n, int max_depth)
{
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '"') {
			for (i++; i < n && p[i] != '"'; i++)
				i += p[i] == '\\';
		} else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return RL_REJECT_TOO_DEEP;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return RL_REJECT_NO_MATCH;
}

void rl_format_explain(rl_format *f, const char *p, size_t n, char *buf, size_t cap)
{
	if (f->ops->explain) {
		f->ops->explain(f, p, n, buf, cap);
		return;
	}
	rl_record r;
	rl_reject rj = rl_format_parse(f, p, n, &r);
	snprintf(buf, cap, "%s", rj == RL_REJECT_NONE ? "the line matches the format" : rl_reject_text(rj));
}

bool rl_format_name_is_secret(const char *name, size_t n)
{
	static const char *const words[] = {"authorization", "api-key", "api_key", "apikey", "token", "secret"};
	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		size_t k = strlen(words[w]);
		for (size_t i = 0; i + k <= n; i++)
			if (strncasecmp(name + i, words[w], k) == 0)
				return true;
	}
	return false;
}

void rl_format_free(rl_format *f)
{
	if (f)
		f->ops->free(f);
}

const char *const *rl_format_candidates(void)
{
	static const char *const c[] = {"combined", "alb", "json", "trace", NULL};
	return c;
}

/* Within the clf family, which name fits the sample best: vcombined when most parsed
 * lines start with a virtual host, combined when any has a user agent, else common. */
static const char *clf_name(rl_format *f, const rl_str *lines, size_t n)
{
	size_t parsed = 0, with_ua = 0, with_vhost = 0;
	rl_record r;
	for (size_t i = 0; i < n; i++) {
		if (rl_format_parse(f, lines[i].p, lines[i].n, &r))
			continue;
		parsed++;
		with_ua += r.user_agent.p != NULL;
		with_vhost += r.vhost.p != NULL;
	}
	if (parsed && with_vhost * 2 > parsed && with_ua)
		return "vcombined";
	return with_ua ? "combined" : "common";
}

/* How a candidate reads the sample: the lines it parsed into a request (a method or a
 * target), the lines it took as its own (those, and JSON records that are no access
 * records), the lines it parsed into a record that names no request (a lenient format
 * such as trace takes any JSON object with a time: weak evidence), the fields it
 * filled, and whether it unwrapped a shipper's envelope. */
typedef struct fit {
	size_t parsed, own, weak, fields;
	bool wrapped;
} fit;

static size_t record_fields(const rl_record *r)
{
	return (size_t)(r->duration_us >= 0) + (r->status >= 0) + (r->bytes >= 0) + (r->attempt > 0) +
	       (r->method.p != NULL) + (r->target.p != NULL) + (r->protocol.p != NULL) + (r->addr.p != NULL) +
	       (r->user_agent.p != NULL) + (r->referer.p != NULL) + (r->vhost.p != NULL) + (r->client_id.p != NULL) +
	       (r->forwarded_for.p != NULL) + (r->request_id.p != NULL) + (r->idempotency_key.p != NULL) +
	       (r->retry_after.p != NULL) + (r->body.p != NULL);
}

static fit measure(rl_format *f, const rl_str *lines, size_t n, bool wrapped)
{
	fit m = {0, 0, 0, 0, wrapped};
	rl_record r;
	for (size_t i = 0; i < n; i++) {
		rl_reject rj = rl_format_parse(f, lines[i].p, lines[i].n, &r);
		bool request = rj == RL_REJECT_NONE && (r.method.p || r.target.p);
		m.parsed += request;
		m.own += request || rj == RL_REJECT_NOT_ACCESS;
		m.weak += rj == RL_REJECT_NONE && !request;
		m.fields += rj == RL_REJECT_NONE ? record_fields(&r) : 0;
	}
	return m;
}

/* a is the better reading: more lines parsed, then more taken, then the wrapper (it
 * explains a prefix the bare format would read as data, as combined takes "web  | "
 * for a virtual host), then more weak records, then more fields: the richer format */
static bool beats(fit a, fit b)
{
	if (a.parsed != b.parsed)
		return a.parsed > b.parsed;
	if (a.own != b.own)
		return a.own > b.own;
	if (a.wrapped != b.wrapped)
		return a.wrapped;
	if (a.weak != b.weak)
		return a.weak > b.weak;
	return a.fields > b.fields;
}

static void add_name(char *list, size_t cap, const char *kind, const char *spec)
{
	static const char *const clf[] = {"combined", "common", "vcombined"};
	bool is_clf = strcmp(spec, "combined") == 0;
	for (size_t m = 0; m < (is_clf ? 3 : 1); m++) {
		size_t k = strlen(list);
		snprintf(list + k, cap - k, "%s%s%s%s", k ? ", " : "", kind ? kind : "", kind ? ">" : "",
			 is_clf ? clf[m] : spec);
	}
}

int rl_format_sniff(rl_format **out, const rl_str *lines, size_t n, const rl_format_opts *opts, size_t *matched,
		    const char *source, rl_err *err)
{
	*out = NULL;
	*matched = 0;
	/* the shippers' envelopes the sample shows: each candidate is tried inside them too */
	const char *kinds[8];
	size_t nk = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = rl_envelope_detect(lines[i].p, lines[i].n);
		size_t j = 0;
		while (k && j < nk && strcmp(kinds[j], k) != 0)
			j++;
		if (k && j == nk && nk < sizeof kinds / sizeof kinds[0])
			kinds[nk++] = k;
	}
	const char *const *cand = rl_format_candidates();
	rl_format *best = NULL, *best_inner = NULL;
	const char *best_kind = NULL;
	fit best_fit = {0, 0, 0, 0, false};
	char tried[400] = "";
	for (size_t w = 0; w <= nk; w++) {
		const char *kind = w ? kinds[w - 1] : NULL;
		for (size_t c = 0; cand[c]; c++) {
			rl_format *inner, *f;
			int rc = rl_format_new(&inner, cand[c], opts, err);
			if (rc == RL_EUSAGE) { /* a format that cannot be made is not a candidate */
				rl_err_clear(err);
				continue;
			}
			if (!rc && kind)
				rc = rl_envelope_format_new(&f, kind, inner, err);
			else
				f = inner;
			if (rc) {
				rl_format_free(best);
				return rc;
			}
			add_name(tried, sizeof tried, kind, cand[c]);
			fit m = measure(f, lines, n, kind != NULL);
			if ((m.own || m.weak) && (!best || beats(m, best_fit))) {
				rl_format_free(best);
				best = f;
				best_inner = inner;
				best_kind = kind;
				best_fit = m;
			} else {
				rl_format_free(f);
			}
		}
	}
	if (!best)
		return rl_err_set(err, RL_EINPUT, source, 0,
				  "cannot tell the format: none of %s parses any of the first %zu lines%s%s%s%s; "
				  "name it with --format",
				  tried, n, opts && opts->client ? " (with --client " : "",
				  opts && opts->client ? opts->client : "",
				  opts && opts->client ? ": formats that do not log it were left out)" : "",
				  opts && opts->nfields ? " (--field leaves only the JSON formats)" : "");
	/* Formats are made afresh from the chosen spec: the one measured holds state from
	 * the sample (a CRI partial line) that neither the naming below nor the real first
	 * lines may inherit. The clf family shares one parser: name the member that fits. */
	char spec[sizeof best->name];
	snprintf(spec, sizeof spec, "%s", best->name);
	bool clf = strcmp(best_inner->name, "combined") == 0;
	rl_format_free(best);
	int rc = rl_format_new(out, spec, opts, err);
	if (rc == 0 && clf) {
		const char *member = clf_name(*out, lines, n);
		if (best_kind)
			snprintf(spec, sizeof spec, "%s>%s", best_kind, member);
		else
			snprintf(spec, sizeof spec, "%s", member);
		rl_format_free(*out);
		rc = rl_format_new(out, spec, opts, err);
	}
	if (rc == 0)
		*matched = best_fit.parsed;
	return rc;
}
