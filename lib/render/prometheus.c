/* prometheus.c - the report in the Prometheus text exposition format 0.0.4 (SPEC §5),
 * for node_exporter's textfile collector.
 *
 * Every family has HELP and TYPE and the retrylens_ prefix. Counts are counters whose
 * names end in _total and mirror the JSON names of SPEC §6 (totals.retryable_errors is
 * retrylens_retryable_errors_total); rates, client counts and times are gauges in base
 * units (fractions, seconds, seconds since the epoch). A rate whose denominator is 0
 * (JSON null) has no sample, never NaN: its family keeps HELP and TYPE.
 *
 * The numbers are those of the report's window: without --since they only grow (until
 * a prune); with --since they are the counts of that window, so alerts read the rate
 * gauges or ratios of two counts, not rate()/increase().
 *
 * Labels stay bounded: status (at most one per HTTP status), outcome and verdict (fixed
 * sets), source (one per input), and endpoint × method for the top N endpoints of the
 * report (N = --top; --top 0 means 20 here, as each series lives on in Prometheus), the
 * rest summed into one endpoint="{other}",method="{other}" series so that each family
 * still sums to its total, and percentile (50, 95, 99) of their latency. Never a
 * client's address or name. */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/timestamp.h"
#include "lib/render/render.h"
#include "lib/version.h"

/* Endpoint series when --top is 0 (all). */
#define PROM_TOP_ALL 20

typedef struct label {
	const char *name, *value;
} label;

/* --- the format ----------------------------------------------------------------- */

/* The length of the valid UTF-8 character at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80		    ? 1
		     : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
		     : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		     : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
						    : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] > 0x8f))
		return 0; /* overlong, a surrogate, or past U+10FFFF */
	return len;
}

/* Writes s with backslash and newline escaped, and a double quote too when quote (a
 * label value; HELP text leaves quotes as they are). The format wants UTF-8: a byte that
 * is not (the store keeps text valid, a file name may not be) becomes U+FFFD. */
static void put_escaped(FILE *f, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(p + i, n - i);
		if (len == 0) {
			fputs("\xef\xbf\xbd", f);
			i++;
		} else if (p[i] == '\\') {
			fputs("\\\\", f);
			i++;
		} else if (p[i] == '\n') {
			fputs("\\n", f);
			i++;
		} else if (p[i] == '"' && quote) {
			fputs("\\\"", f);
			i++;
		} else {
			fwrite(p + i, 1, len, f);
			i += len;
		}
	}
}

/* # HELP and # TYPE of a family. */
static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	put_escaped(f, help, false);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/* The start of a sample, "name{a="x",b="y"} ": the value and a newline follow. */
static void sample(FILE *f, const char *name, const label *l, size_t nl)
{
	fputs(name, f);
	for (size_t i = 0; i < nl; i++) {
		fprintf(f, "%c%s=\"", i ? ',' : '{', l[i].name);
		put_escaped(f, l[i].value ? l[i].value : "", true);
		fputc('"', f);
	}
	fputs(nl ? "} " : " ", f);
}

static void put_u64(FILE *f, const char *name, const label *l, size_t nl, uint64_t v)
{
	sample(f, name, l, nl);
	fprintf(f, "%" PRIu64 "\n", v);
}

/* µs as seconds, exactly in decimal ("1764410401", "0.0125"): no float on the way. */
static void put_seconds(FILE *f, const char *name, const label *l, size_t nl, int64_t us)
{
	uint64_t mag = us < 0 ? 0 - (uint64_t)us : (uint64_t)us;
	uint64_t whole = mag / RL_US_PER_S, frac = mag % RL_US_PER_S;
	int digits = 6;
	while (frac && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	sample(f, name, l, nl);
	fprintf(f, "%s%" PRIu64, us < 0 ? "-" : "", whole);
	if (frac)
		fprintf(f, ".%0*" PRIu64, digits, frac);
	fputc('\n', f);
}

/* A rate in its shortest round-trip form (0.1, not 0.10000000000000001); none when the
 * rate is null. */
static void put_rate(FILE *f, const char *name, rl_rate r)
{
	char buf[40];
	if (!r.valid)
		return;
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, r.value);
		if (strtod(buf, NULL) == r.value)
			break;
	}
	sample(f, name, NULL, 0);
	fprintf(f, "%s\n", buf);
}

/* A family of one unlabelled sample. */
static void counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	family(f, name, "counter", help);
	put_u64(f, name, NULL, 0, v);
}

static void gauge_u64(FILE *f, const char *name, const char *help, uint64_t v)
{
	family(f, name, "gauge", help);
	put_u64(f, name, NULL, 0, v);
}

static void gauge_rate(FILE *f, const char *name, const char *help, rl_rate r)
{
	family(f, name, "gauge", help);
	put_rate(f, name, r);
}

/* --- the report ----------------------------------------------------------------- */

static void put_meta(const rl_report *r, FILE *f)
{
	label info[3] = {{"policy", r->policy->name}, {"version", rl_version()}, {"retry_policy", r->retries.policy}};
	family(f, "retrylens_report_info", "gauge",
	       "Always 1: the policy the statuses were classified with, the one the retries were judged with "
	       "(the database's), and the version of retrylens.");
	put_u64(f, "retrylens_report_info", info, r->retries.policy[0] ? 3 : 2, 1);

	int64_t us;
	family(f, "retrylens_report_generated_timestamp_seconds", "gauge",
	       "When the report was made, in seconds since the epoch.");
	if (rl_timestamp_parse_iso8601(rl_str_make(r->generated_at, strlen(r->generated_at)), &us, NULL))
		put_seconds(f, "retrylens_report_generated_timestamp_seconds", NULL, 0, us);
	family(f, "retrylens_window_start_timestamp_seconds", "gauge",
	       "The first time the report covers (window.from), in seconds since the epoch; no sample when there is "
	       "none.");
	if (r->has_window)
		put_seconds(f, "retrylens_window_start_timestamp_seconds", NULL, 0, r->from_us);
	family(f, "retrylens_window_end_timestamp_seconds", "gauge",
	       "The last time the report covers (window.to), in seconds since the epoch; no sample when there is "
	       "none.");
	if (r->has_window)
		put_seconds(f, "retrylens_window_end_timestamp_seconds", NULL, 0, r->to_us);
}

static void put_totals(const rl_report *r, FILE *f)
{
	family(f, "retrylens_attempts_total", "counter",
	       "Attempts (HTTP requests) by response status; status=\"unknown\" where the log has none. Sums to "
	       "totals.attempts.");
	for (size_t i = 0; i < r->nstatus; i++) {
		char code[16];
		snprintf(code, sizeof code, "%d", r->status[i].status);
		label l = {"status", r->status[i].status < 0 ? "unknown" : code};
		put_u64(f, "retrylens_attempts_total", &l, 1, r->status[i].count);
	}
	counter(f, "retrylens_success_total", "Attempts that succeeded (status below 400).", r->totals.success);
	counter(f, "retrylens_errors_total", "Attempts that failed (status 400 and above, or a network error).",
		r->totals.errors);
	counter(f, "retrylens_unknown_status_total",
		"Attempts whose status the log does not say: neither success nor failure.", r->totals.unknown_status);
	counter(f, "retrylens_retryable_errors_total", "Failed attempts whose status the policy calls retryable.",
		r->totals.retryable_errors);
	counter(f, "retrylens_non_retryable_errors_total", "Failed attempts whose status the policy does not retry.",
		r->totals.non_retryable_errors);
	gauge_rate(f, "retrylens_retryable_rate", "Retryable errors / attempts; no sample when there are no attempts.",
		   r->totals.retryable_rate);
	gauge_rate(f, "retrylens_non_retryable_rate",
		   "Non-retryable errors / attempts; no sample when there are no attempts.",
		   r->totals.non_retryable_rate);
	gauge_rate(f, "retrylens_retryable_share_of_errors",
		   "Retryable errors / errors; no sample when there are no errors.",
		   r->totals.retryable_share_of_errors);
}

static void put_retries(const rl_report *r, FILE *f)
{
	const uint64_t *c = r->retries.count;
	counter(f, "retrylens_retry_chains_total",
		"Chains: the attempts of one retry key (client, method, target) that follow failures within the "
		"retry window.",
		r->retries.chains);
	counter(f, "retrylens_retries_total", "Retries: attempts that repeat a failed request within the window.",
		c[RL_RC_RETRIES]);
	counter(f, "retrylens_blind_4xx_retries_total",
		"Retries repeated unchanged after a 4xx that says the request must change.", c[RL_RC_BLIND_4XX]);
	counter(f, "retrylens_unsafe_retries_total",
		"Retries of a non-idempotent call without an idempotency key: they may take effect twice.",
		c[RL_RC_UNSAFE]);
	gauge_rate(f, "retrylens_retry_amplification_ratio",
		   "Attempts / chains (1: no retries); no sample when there are no chains.", r->retries.amplification);
	gauge_rate(f, "retrylens_blind_4xx_retry_rate",
		   "Blind 4xx retries / attempts; no sample when there are no attempts.",
		   r->retries.blind_4xx_retry_rate);

	family(f, "retrylens_retry_outcomes_total", "counter",
	       "Chains that saw a failure, by how they ended: recovered (in a success), gave_up (in a failure, the "
	       "window passed), open (in a failure, still inside the window).");
	const label out[3] = {{"outcome", "recovered"}, {"outcome", "gave_up"}, {"outcome", "open"}};
	put_u64(f, "retrylens_retry_outcomes_total", &out[0], 1, r->retries.recovered);
	put_u64(f, "retrylens_retry_outcomes_total", &out[1], 1, r->retries.gave_up);
	put_u64(f, "retrylens_retry_outcomes_total", &out[2], 1, r->retries.open);
	counter(f, "retrylens_unretried_failures_total",
		"Chains of one failed attempt that was never retried (also counted in retry_outcomes_total: "
		"gave_up or open); a lone 404 is one.",
		r->retries.gave_up_single + r->retries.open_single);

	counter(f, "retrylens_backoff_checked_total",
		"Retries after a retryable error, judged by the policy's backoff.", c[RL_RC_CHECKED]);
	family(f, "retrylens_backoff_verdicts_total", "counter",
	       "Backoff-checked retries by verdict (one each; they sum to retrylens_backoff_checked_total).");
	for (int i = RL_RC_COMPLIANT; i < RL_RC_N; i++) {
		label l = {"verdict", rl_retry_counter_name(i)};
		put_u64(f, "retrylens_backoff_verdicts_total", &l, 1, c[i]);
	}
	gauge_rate(f, "retrylens_backoff_compliance_ratio",
		   "Compliant / backoff-checked retries; no sample when no retry was checked.",
		   r->retries.compliance_rate);

	counter(f, "retrylens_lockstep_retries_total",
		"Backoff-checked retries that started within 5 ms of retries of the same round from 2 other clients "
		"or more.",
		r->retries.lockstep_retries);
	gauge_u64(f, "retrylens_lockstep_clients", "Clients with a retry in lockstep.", r->retries.lockstep_clients);
	counter(f, "retrylens_rekeyed_attempts_total",
		"Attempts that repeat a failed one under a new idempotency key (the server cannot deduplicate them).",
		r->retries.rekeyed_attempts);
	gauge_u64(f, "retrylens_rekeyed_clients", "Clients with a rekeyed attempt.", r->retries.rekeyed_clients);
}

/* Column c of a source: lines, rejected, late, skipped. */
static uint64_t source_count(const rl_report_source *s, int c)
{
	return c == 0 ? s->lines : c == 1 ? s->rejected : c == 2 ? s->late : s->skipped;
}

static void put_sources(const rl_report *r, FILE *f)
{
	static const struct {
		const char *name, *help;
	} cols[4] = {
		{"retrylens_source_lines_total", "Lines read, by input (all time, whatever --since says)."},
		{"retrylens_source_rejected_lines_total", "Lines that could not be parsed, by input (all time)."},
		{"retrylens_source_late_lines_total",
		 "Attempts that came after a later attempt of their retry key had been read, by input (all time)."},
		{"retrylens_source_skipped_lines_total",
		 "Lines that are not access records (blank lines, other records), by input (all time)."},
	};
	counter(f, "retrylens_rejected_lines_total",
		"Lines that could not be parsed (all time, whatever --since says).", r->rejected);
	for (int c = 0; c < 4; c++) {
		family(f, cols[c].name, "counter", cols[c].help);
		for (size_t i = 0; i < r->nsources; i++) {
			bool seen = false;
			for (size_t j = 0; j < i && !seen; j++)
				seen = strcmp(r->sources[j].name, r->sources[i].name) == 0;
			if (seen)
				continue; /* summed into the first of that name */
			uint64_t v = 0;
			for (size_t k = i; k < r->nsources; k++)
				if (strcmp(r->sources[k].name, r->sources[i].name) == 0)
					v += source_count(&r->sources[k], c);
			label l = {"source", r->sources[i].name};
			put_u64(f, cols[c].name, &l, 1, v);
		}
	}
}

/* One endpoint series: the rows of the report that print alike, summed. */
typedef struct ep_row {
	const char *endpoint, *method;
	uint64_t v[4]; /* attempts, errors, retries, blind 4xx */
	bool latency; /* p[] holds the first row's p50, p95, p99 (µs, -1: none) */
	int64_t p[3];
} ep_row;

/* The series of the top endpoints, then the rest as endpoint="{other}",method="{other}"
 * (what --top dropped from the report and what is past top here), so that each family
 * sums to its total. Into rows (min(endpoints, top) + 1 of them); returns how many. */
static size_t endpoint_rows(const rl_report *r, size_t top, ep_row *rows)
{
	size_t n = r->nendpoints < top ? r->nendpoints : top, nrows = 0;
	uint64_t rest[4] = {r->totals.attempts, r->totals.errors, r->retries.count[RL_RC_RETRIES],
			    r->retries.count[RL_RC_BLIND_4XX]};
	for (size_t i = 0; i <= n; i++) {
		const rl_report_endpoint *e = i < n ? &r->endpoints[i] : NULL;
		const char *ep = e ? e->endpoint : "{other}", *m = e ? e->method : "{other}";
		uint64_t v[4];
		bool any = false;
		for (int c = 0; c < 4; c++) {
			v[c] = !e	? rest[c]
			       : c == 0 ? e->attempts
			       : c == 1 ? e->errors
			       : c == 2 ? e->retries
					: e->blind_4xx;
			rest[c] = rest[c] > v[c] ? rest[c] - v[c] : 0;
			any |= v[c] != 0;
		}
		if (!e && !any)
			break; /* the top holds everything */
		ep_row *x = NULL;
		for (size_t j = 0; j < nrows && !x; j++)
			if (strcmp(rows[j].endpoint, ep) == 0 && strcmp(rows[j].method, m) == 0)
				x = &rows[j];
		if (!x) {
			x = &rows[nrows++];
			*x = (ep_row){.endpoint = ep, .method = m, .latency = e != NULL};
			if (e) {
				x->p[0] = e->p50_us;
				x->p[1] = e->p95_us;
				x->p[2] = e->p99_us;
			}
		}
		for (int c = 0; c < 4; c++)
			x->v[c] += v[c];
	}
	return nrows;
}

static int put_endpoints(const rl_report *r, FILE *f, size_t top)
{
	static const struct {
		const char *name, *help;
	} cols[4] = {
		{"retrylens_endpoint_attempts_total", "Attempts by endpoint template and method."},
		{"retrylens_endpoint_errors_total", "Failed attempts by endpoint template and method."},
		{"retrylens_endpoint_retries_total", "Retries by endpoint template and method."},
		{"retrylens_endpoint_blind_4xx_retries_total", "Blind 4xx retries by endpoint template and method."},
	};
	static const char *const percentile[3] = {"50", "95", "99"};
	ep_row *rows = calloc((r->nendpoints < top ? r->nendpoints : top) + 1, sizeof *rows);
	if (!rows)
		return RL_ENOMEM;
	size_t nrows = endpoint_rows(r, top, rows);
	for (int c = 0; c < 4; c++) {
		char help[160];
		snprintf(help, sizeof help,
			 "%s The top %zu endpoints by attempts; endpoint=\"{other}\" holds the rest.", cols[c].help,
			 top);
		family(f, cols[c].name, "counter", help);
		for (size_t i = 0; i < nrows; i++) {
			label l[2] = {{"endpoint", rows[i].endpoint}, {"method", rows[i].method}};
			put_u64(f, cols[c].name, l, 2, rows[i].v[c]);
		}
	}
	/* a gauge with its own label, not a summary: the report has no sum of durations,
	 * and a summary without one would be served with _sum 0 and _count 0 */
	family(f, "retrylens_endpoint_latency_seconds", "gauge",
	       "Response time percentiles (50, 95, 99) by endpoint template and method, in seconds; no sample "
	       "where the log has no durations.");
	for (size_t i = 0; i < nrows; i++) {
		for (int k = 0; rows[i].latency && k < 3; k++) {
			if (rows[i].p[k] < 0)
				continue;
			label l[3] = {{"endpoint", rows[i].endpoint},
				      {"method", rows[i].method},
				      {"percentile", percentile[k]}};
			put_seconds(f, "retrylens_endpoint_latency_seconds", l, 3, rows[i].p[k]);
		}
	}
	free(rows);
	return 0;
}

int rl_render_prometheus(const rl_report *r, FILE *out, const rl_render_opts *o)
{
	size_t top = o && o->top ? o->top : PROM_TOP_ALL;
	put_meta(r, out);
	put_totals(r, out);
	put_retries(r, out);
	put_sources(r, out);
	int rc = put_endpoints(r, out, top);
	return rc ? rc : ferror(out) ? RL_EOUTPUT : 0;
}
