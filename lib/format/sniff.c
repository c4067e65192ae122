/* sniff.c - --format auto: the candidate that reads a sample of lines best
 * (rl_format_sniff, lib/format/format.h). Reading the sample is lib/input/sniff.c's. */
#include "lib/format/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
