/* json.c - the JSON report (SPEC §6).
 *
 * The tree is built with jansson; it is written by a small writer of our own so that
 * reals come out in their shortest round-trip form (0.1, not 0.10000000000000001) and
 * key order is the order of SPEC §6. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/render/render.h"
#include "lib/base/timestamp.h"

/* --- writer -------------------------------------------------------------------- */

static void write_string(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

const char *rl_render_real(char buf[40], double v)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, 40, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

static void write_real(FILE *f, double v)
{
	char buf[40];
	fputs(rl_render_real(buf, v), f);
}

static void indent(FILE *f, int depth)
{
	fputc('\n', f);
	for (int i = 0; i < depth; i++)
		fputs("  ", f);
}

static void write_value(FILE *f, json_t *v, int depth)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		bool first = true;
		if (json_object_size(v) == 0) {
			fputs("{}", f);
			break;
		}
		fputc('{', f);
		json_object_foreach (v, k, x) {
			if (!first)
				fputc(',', f);
			first = false;
			indent(f, depth + 1);
			write_string(f, k, strlen(k));
			fputs(": ", f);
			write_value(f, x, depth + 1);
		}
		indent(f, depth);
		fputc('}', f);
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		if (json_array_size(v) == 0) {
			fputs("[]", f);
			break;
		}
		fputc('[', f);
		json_array_foreach (v, i, x) {
			if (i)
				fputc(',', f);
			indent(f, depth + 1);
			write_value(f, x, depth + 1);
		}
		indent(f, depth);
		fputc(']', f);
		break;
	}
	case JSON_STRING:
		write_string(f, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		fprintf(f, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		write_real(f, json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", f);
		break;
	case JSON_FALSE:
		fputs("false", f);
		break;
	case JSON_NULL:
		fputs("null", f);
		break;
	}
}

/* --- the tree ------------------------------------------------------------------ */

static json_t *rate(rl_rate r)
{
	return r.valid ? json_real(r.value) : json_null();
}

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* A string from the store: already valid UTF-8; json_string would refuse otherwise. */
static json_t *str(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_string("\xef\xbf\xbd");
}

static json_t *ms(int64_t us)
{
	if (us < 0)
		return json_null();
	if (us % 1000 == 0)
		return json_integer(us / 1000);
	return json_real((double)us / 1000.0);
}

static json_t *time_json(int64_t us)
{
	char buf[32];
	return json_string(rl_timestamp_format(us, buf));
}

/* "backoff": checked and one count per verdict, from v[RL_RC_N]. */
static json_t *backoff_json(const uint64_t *v)
{
	json_t *b = json_object();
	for (int i = RL_RC_CHECKED; i < RL_RC_N; i++)
		json_object_set_new(b, rl_retry_counter_name(i), u64(v[i]));
	return b;
}

/* evidence[]: {start, method, target, status, wait_ms, verdict} per step kept. */
static json_t *evidence_json(const rl_evidence_doc *ev)
{
	json_t *steps = json_array();
	for (unsigned i = 0; ev && i < ev->nsteps; i++) {
		const rl_evidence_step *st = &ev->steps[i];
		char when[32], verdict[64];
		double ms;
		bool is_int;
		json_t *s = json_object();
		json_object_set_new(s, "start", json_string(rl_timestamp_format(st->start_us, when)));
		json_object_set_new(s, "method", json_string(ev->method));
		json_object_set_new(s, "target", json_string(ev->target));
		json_object_set_new(s, "status", st->status < 0 ? json_null() : json_integer(st->status));
		json_object_set_new(s, "wait_ms",
				    !rl_step_wait_ms(st, &ms, &is_int) ? json_null()
				    : is_int			       ? json_integer(st->wait_us / 1000)
								       : json_real(ms));
		json_object_set_new(s, "verdict", json_string(rl_step_verdict(st, verdict, sizeof verdict)));
		json_array_append_new(steps, s);
	}
	return steps;
}

static json_t *client_json(const rl_report_client *c)
{
	json_t *x = json_object();
	json_object_set_new(x, "client", str(c->name));
	json_object_set_new(x, "attempts", u64(c->v[RL_CL_ATTEMPTS]));
	json_object_set_new(x, "retries", u64(c->v[RL_CL_RETRIES]));
	json_object_set_new(x, "blind_4xx_retries", u64(c->v[RL_CL_BLIND_4XX]));
	json_object_set_new(x, "unsafe_retries", u64(c->v[RL_CL_UNSAFE]));
	json_object_set_new(x, "backoff", backoff_json(&c->v[RL_CL_RETRIES]));
	json_object_set_new(x, "violations", u64(c->v[RL_CL_VIOLATIONS]));
	json_object_set_new(x, "rekeyed", u64(c->v[RL_CL_REKEYED]));
	json_object_set_new(x, "evidence", evidence_json(c->evidence));
	json_object_set_new(x, "evidence_attempts", json_integer(c->evidence ? c->evidence->attempts : 0));
	return x;
}

json_t *rl_render_json_doc(const rl_report *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "schema", json_string("retrylens.report/1"));
	json_object_set_new(o, "generated_at", json_string(r->generated_at));
	static const char *const by_names[] = {"minute", "minute", "hour", "day"};
	json_object_set_new(o, "window",
			    json_pack("{s:o,s:o,s:s}", "from", r->has_window ? time_json(r->from_us) : json_null(),
				      "to", r->has_window ? time_json(r->to_us) : json_null(), "by", by_names[r->by]));
	json_object_set_new(o, "policy", str(r->policy->name));
	json_t *merged = json_pack("{s:s,s:I}", "mode", r->merged_mode, "inputs", (json_int_t)r->merged_inputs);
	if (r->merged_of) /* shards: of how many (fewer inputs: some are missing) */
		json_object_set_new(merged, "of", json_integer(r->merged_of));
	json_object_set_new(o, "merged", merged);
	if (r->shard_n > 1) /* one shard's database: only its clients */
		json_object_set_new(o, "shard",
				    json_pack("{s:i,s:i}", "index", (int)r->shard_i, "of", (int)r->shard_n));

	json_t *sources = json_array();
	for (size_t i = 0; i < r->nsources; i++) {
		const rl_report_source *s = &r->sources[i];
		json_t *so = json_pack("{s:o,s:o,s:o,s:o,s:o}", "name", str(s->name), "format",
				       s->format ? str(s->format) : json_null(), "lines", u64(s->lines), "rejected",
				       u64(s->rejected), "late", u64(s->late));
		json_object_set_new(so, "skipped", u64(s->skipped));
		/* the resolution of the source's times, ms (0.001 = µs) */
		json_object_set_new(so, "time_resolution_ms",
				    s->time_res_us <= 0		 ? json_null()
				    : s->time_res_us % 1000 == 0 ? json_integer(s->time_res_us / 1000)
								 : json_real((double)s->time_res_us / 1000.0));
		json_array_append_new(sources, so);
	}
	json_object_set_new(o, "sources", sources);

	json_t *t = json_object();
	json_object_set_new(t, "attempts", u64(r->totals.attempts));
	json_object_set_new(t, "success", u64(r->totals.success));
	json_object_set_new(t, "errors", u64(r->totals.errors));
	json_object_set_new(t, "unknown_status", u64(r->totals.unknown_status));
	json_object_set_new(t, "retryable_errors", u64(r->totals.retryable_errors));
	json_object_set_new(t, "non_retryable_errors", u64(r->totals.non_retryable_errors));
	json_object_set_new(t, "retryable_rate", rate(r->totals.retryable_rate));
	json_object_set_new(t, "non_retryable_rate", rate(r->totals.non_retryable_rate));
	json_object_set_new(t, "retryable_share_of_errors", rate(r->totals.retryable_share_of_errors));
	json_object_set_new(o, "totals", t);

	json_t *st = json_array();
	for (size_t i = 0; i < r->nstatus; i++) {
		const rl_report_status *s = &r->status[i];
		json_array_append_new(st, json_pack("{s:o,s:o,s:o}", "status",
						    s->status < 0 ? json_null() : json_integer(s->status), "count",
						    u64(s->count), "retryable",
						    s->status < 0 ? json_null() : json_boolean(s->retryable)));
	}
	json_object_set_new(o, "status", st);

	json_t *re = json_object();
	json_object_set_new(re, "chains", u64(r->retries.chains));
	json_object_set_new(re, "retries", u64(r->retries.count[RL_RC_RETRIES]));
	json_object_set_new(re, "amplification", rate(r->retries.amplification));
	json_object_set_new(re, "blind_4xx_retries", u64(r->retries.count[RL_RC_BLIND_4XX]));
	json_object_set_new(re, "blind_4xx_retry_rate", rate(r->retries.blind_4xx_retry_rate));
	json_object_set_new(re, "unsafe_retries", u64(r->retries.count[RL_RC_UNSAFE]));
	json_object_set_new(re, "outcomes",
			    json_pack("{s:o,s:o,s:o}", "recovered", u64(r->retries.recovered), "gave_up",
				      u64(r->retries.gave_up), "open", u64(r->retries.open)));
	/* of gave_up and open (counted there too): chains of a single failed attempt */
	json_object_set_new(re, "unretried_failures", u64(r->retries.gave_up_single + r->retries.open_single));
	json_t *b = backoff_json(r->retries.count);
	json_object_set_new(b, "compliance_rate", rate(r->retries.compliance_rate));
	json_object_set_new(re, "backoff", b);
	json_t *bursts = json_array();
	for (size_t i = 0; i < r->retries.nbursts; i++) {
		const rl_report_burst *x = &r->retries.bursts[i];
		json_array_append_new(bursts, json_pack("{s:o,s:i,s:o}", "start", time_json(x->start_us), "round",
							(int)x->round, "clients", u64(x->clients)));
	}
	json_object_set_new(re, "lockstep",
			    json_pack("{s:o,s:o,s:o}", "retries", u64(r->retries.lockstep_retries), "clients",
				      u64(r->retries.lockstep_clients), "bursts", bursts));
	json_object_set_new(re, "rekeyed",
			    json_pack("{s:o,s:o}", "attempts", u64(r->retries.rekeyed_attempts), "clients",
				      u64(r->retries.rekeyed_clients)));
	if (r->retries.policy[0])
		json_object_set_new(re, "policy", str(r->retries.policy));
	json_object_set_new(o, "retries", re);

	json_t *errors = json_array();
	for (size_t i = 0; i < r->nerrors; i++) {
		const rl_report_error *e = &r->errors[i];
		json_array_append_new(errors,
				      json_pack("{s:i,s:o,s:o,s:o,s:o,s:o}", "status", e->status, "type",
						e->type ? str(e->type) : json_null(), "code",
						e->code ? str(e->code) : json_null(), "message",
						e->message ? str(e->message) : json_null(), "count", u64(e->count),
						"sample", e->sample ? str(e->sample) : json_null()));
	}
	json_object_set_new(o, "errors", errors);
	json_object_set_new(o, "errors_capped", json_boolean(r->errors_capped));

	json_t *tl = json_array();
	for (size_t i = 0; i < r->ntimeline; i++) {
		const rl_report_bucket *x = &r->timeline[i];
		json_array_append_new(tl, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "start", time_json(x->start_us),
						    "attempts", u64(x->attempts), "retries", u64(x->retries), "errors",
						    u64(x->errors), "retryable_errors", u64(x->retryable_errors),
						    "blind_4xx_retries", u64(x->blind_4xx)));
	}
	json_object_set_new(o, "timeline", tl);

	json_t *eps = json_array();
	for (size_t i = 0; i < r->nendpoints; i++) {
		const rl_report_endpoint *e = &r->endpoints[i];
		json_t *x = json_object();
		json_object_set_new(x, "endpoint", str(e->endpoint));
		json_object_set_new(x, "method", str(e->method));
		json_object_set_new(x, "attempts", u64(e->attempts));
		json_object_set_new(x, "errors", u64(e->errors));
		json_object_set_new(x, "retries", u64(e->retries));
		json_object_set_new(x, "blind_4xx_retries", u64(e->blind_4xx));
		json_object_set_new(x, "p50_ms", ms(e->p50_us));
		json_object_set_new(x, "p95_ms", ms(e->p95_us));
		json_object_set_new(x, "p99_ms", ms(e->p99_us));
		json_array_append_new(eps, x);
	}
	json_object_set_new(o, "endpoints", eps);
	json_object_set_new(o, "endpoints_capped", json_boolean(r->endpoints_capped));

	json_t *clients = json_array();
	for (size_t i = 0; i < r->nclients; i++)
		json_array_append_new(clients, client_json(&r->clients[i]));
	json_object_set_new(o, "clients", clients);
	json_object_set_new(o, "clients_capped", json_boolean(r->clients_capped));

	json_t *samples = json_array();
	for (size_t i = 0; i < r->nsamples; i++) {
		const rl_report_sample *s = &r->samples[i];
		json_array_append_new(samples, json_pack("{s:o,s:I,s:o,s:o}", "source", str(s->source), "line",
							 (json_int_t)s->line, "reason", str(s->reason), "text",
							 str(s->excerpt)));
	}
	json_object_set_new(o, "rejected", json_pack("{s:o,s:o}", "count", u64(r->rejected), "samples", samples));
	return o;
}

int rl_render_json(const rl_report *r, FILE *out, const rl_render_opts *opts)
{
	(void)opts; /* JSON has no colour, and always every row the report holds */
	json_t *o = rl_render_json_doc(r);
	if (!o)
		return RL_ENOMEM;
	write_value(out, o, 0);
	fputc('\n', out);
	json_decref(o);
	return ferror(out) ? RL_EOUTPUT : 0;
}
