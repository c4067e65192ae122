/* markdown.c - the whole report as Markdown headings and pipe tables, to paste into a
 * post-incident review (SPEC §5).
 *
 * Nothing from a log becomes markup: in prose and table cells every character that can
 * open an inline construct (emphasis, code, a link, an autolink, raw HTML, an entity, a
 * cell break) is backslash-escaped, and a line break becomes a space; evidence chains
 * go in fenced code blocks whose fence is longer than any run of backticks inside. */
#include <string.h>
#include <strings.h>

#include "lib/base/defaults.h"
#include "lib/base/timestamp.h"
#include "lib/render/render.h"

/* Text from a log, escaped for a Markdown paragraph or table cell: the characters that
 * open emphasis, code, links, raw HTML, entities and cell breaks, and what GFM would
 * make an autolink of ("scheme://", "www.", "user@host"). */
static void md(FILE *f, const char *s)
{
	for (const char *p = s; p && *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool www = c == '.' && p - s >= 3 && strncasecmp(p - 3, "www", 3) == 0;
		if (c == '\n' || c == '\r' || c == '\t')
			fputc(' ', f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\\\x%02x", c);
		else if (strchr("\\`*_[]<>|~&!#@", c) || www || (c == ':' && p[1] == '/'))
			fprintf(f, "\\%c", c);
		else
			fputc(c, f);
	}
}

static void pct(FILE *f, rl_rate r)
{
	if (r.valid)
		fprintf(f, "%.2f %%", r.value * 100.0);
	else
		fputs("–", f);
}

static void ms_cell(FILE *f, int64_t us)
{
	if (us < 0)
		fputs(" – |", f);
	else
		fprintf(f, " %.1f |", (double)us / 1000.0);
}

static void row_u64(FILE *f, const char *label, uint64_t v, const char *what)
{
	fprintf(f, "| %s | %llu | %s |\n", label, (unsigned long long)v, what);
}

static void sources(FILE *f, const rl_report *r)
{
	fputs("\n## Sources\n\n| source | format | lines | rejected | late | skipped |\n|---|---|--:|--:|--:|--:|\n",
	      f);
	for (size_t i = 0; i < r->nsources; i++) {
		const rl_report_source *s = &r->sources[i];
		fputs("| ", f);
		md(f, s->name);
		fputs(" | ", f);
		md(f, s->format ? s->format : "–");
		fprintf(f, " | %llu | %llu | %llu | %llu |\n", (unsigned long long)s->lines,
			(unsigned long long)s->rejected, (unsigned long long)s->late, (unsigned long long)s->skipped);
	}
}

static void attempts(FILE *f, const rl_report *r)
{
	const __typeof__(r->totals) *t = &r->totals;
	fputs("\n## Attempts\n\n| | count | share |\n|---|--:|--:|\n", f);
	fprintf(f, "| attempts | %llu | |\n", (unsigned long long)t->attempts);
	fprintf(f, "| success | %llu | |\n", (unsigned long long)t->success);
	fprintf(f, "| errors | %llu | |\n", (unsigned long long)t->errors);
	fprintf(f, "| retryable errors | %llu | ", (unsigned long long)t->retryable_errors);
	pct(f, t->retryable_rate);
	fputs(" of attempts, ", f);
	pct(f, t->retryable_share_of_errors);
	fputs(" of errors |\n", f);
	fprintf(f, "| non-retryable errors | %llu | ", (unsigned long long)t->non_retryable_errors);
	pct(f, t->non_retryable_rate);
	fputs(" of attempts |\n", f);
	fprintf(f, "| unknown status | %llu | |\n", (unsigned long long)t->unknown_status);

	fputs("\n## Status\n\n| status | count | class |\n|--:|--:|---|\n", f);
	for (size_t i = 0; i < r->nstatus; i++) {
		const rl_report_status *s = &r->status[i];
		const char *cls = s->status < 0	 ? "not logged"
				  : !s->failure	 ? "success"
				  : s->retryable ? "retryable error"
						 : "non-retryable error";
		if (s->status < 0)
			fprintf(f, "| – | %llu | %s |\n", (unsigned long long)s->count, cls);
		else
			fprintf(f, "| %d | %llu | %s |\n", s->status, (unsigned long long)s->count, cls);
	}
}

static void errors(FILE *f, const rl_report *r)
{
	if (!r->nerrors)
		return;
	fputs("\n## Error messages\n\n| status | count | type | code | message | sample |\n|--:|--:|---|---|---|---|\n",
	      f);
	for (size_t i = 0; i < r->nerrors; i++) {
		const rl_report_error *e = &r->errors[i];
		fprintf(f, "| %d | %llu | ", e->status, (unsigned long long)e->count);
		md(f, e->type ? e->type : "–");
		fputs(" | ", f);
		md(f, e->code ? e->code : "–");
		fputs(" | ", f);
		md(f, e->message ? e->message : "–");
		fputs(" | ", f);
		md(f, e->sample ? e->sample : "–");
		fputs(" |\n", f);
	}
	if (r->errors_capped)
		fprintf(f, "\nThe message table is full: templates past the first %d are counted under {other}.\n",
			RL_ERRORS_CAP);
}

static void endpoints(FILE *f, const rl_report *r, const rl_render_opts *o)
{
	if (o->top && r->nendpoints >= o->top)
		fprintf(f, "\n## Endpoints (top %zu by attempts)\n\n", o->top);
	else
		fputs("\n## Endpoints\n\n", f);
	fputs("| endpoint | method | attempts | errors | retries | blind 4xx | p50 ms | p95 ms | p99 ms |\n"
	      "|---|---|--:|--:|--:|--:|--:|--:|--:|\n",
	      f);
	for (size_t i = 0; i < r->nendpoints; i++) {
		const rl_report_endpoint *e = &r->endpoints[i];
		fputs("| ", f);
		md(f, e->endpoint);
		fputs(" | ", f);
		md(f, e->method);
		fprintf(f, " | %llu | %llu | %llu | %llu |", (unsigned long long)e->attempts,
			(unsigned long long)e->errors, (unsigned long long)e->retries,
			(unsigned long long)e->blind_4xx);
		ms_cell(f, e->p50_us);
		ms_cell(f, e->p95_us);
		ms_cell(f, e->p99_us);
		fputc('\n', f);
	}
	if (r->endpoints_capped)
		fprintf(f, "\nThe template table is full: endpoints past the first %d are counted under {other}.\n",
			RL_ENDPOINTS_CAP);
}

static void retries(FILE *f, const rl_report *r)
{
	const __typeof__(r->retries) *t = &r->retries;
	const uint64_t *v = t->count;
	fputs("\n## Retries", f);
	if (t->policy[0] && strcmp(t->policy, r->policy->name) != 0) {
		fputs(" (judged with policy ", f);
		md(f, t->policy);
		fputs(", the database's)", f);
	}
	fputs("\n\n| | count | |\n|---|--:|---|\n", f);
	fprintf(f, "| chains | %llu | amplification ", (unsigned long long)t->chains);
	if (t->amplification.valid)
		fprintf(f, "×%.3f |\n", t->amplification.value);
	else
		fputs("– |\n", f);
	row_u64(f, "retries", v[RL_RC_RETRIES], rl_retry_counter_help(RL_RC_RETRIES));
	row_u64(f, "recovered", t->recovered, "requests that saw a failure and ended in success");
	fprintf(f,
		"| gave up | %llu | requests that ended in failure once their retry window passed: %llu after retries, "
		"%llu single failed attempts never retried (a lone 404 is one) |\n",
		(unsigned long long)t->gave_up, (unsigned long long)(t->gave_up - t->gave_up_single),
		(unsigned long long)t->gave_up_single);
	fprintf(f,
		"| open | %llu | requests that ended in failure still inside their retry window %s: %llu after "
		"retries, "
		"%llu single failed attempts |\n",
		(unsigned long long)t->open, r->one_shot ? "when input ended" : "at the end of the input so far",
		(unsigned long long)(t->open - t->open_single), (unsigned long long)t->open_single);
	row_u64(f, "unretried failures", t->gave_up_single + t->open_single,
		"chains of one failed attempt, never retried (also counted in gave up and open)");
	fprintf(f, "| blind 4xx retries | %llu | ", (unsigned long long)v[RL_RC_BLIND_4XX]);
	pct(f, t->blind_4xx_retry_rate);
	fprintf(f, " %s |\n", rl_retry_counter_help(RL_RC_BLIND_4XX));
	row_u64(f, "unsafe retries", v[RL_RC_UNSAFE], rl_retry_counter_help(RL_RC_UNSAFE));
	row_u64(f, "backoff checked", v[RL_RC_CHECKED], rl_retry_counter_help(RL_RC_CHECKED));
	for (int i = RL_RC_COMPLIANT; i < RL_RC_N; i++) {
		char why[160];
		const char *no = i == RL_RC_NO_JITTER ? rl_report_not_judged(r, true, v[i], why, sizeof why) : NULL;
		if (no) {
			fprintf(f, "| %s | – | %s |\n", rl_retry_counter_name(i), no);
			continue;
		}
		fprintf(f, "| %s | %llu | ", rl_retry_counter_name(i), (unsigned long long)v[i]);
		if (i == RL_RC_COMPLIANT) {
			pct(f, t->compliance_rate);
			fputs(" compliance: ", f);
		}
		fprintf(f, "%s |\n", rl_retry_counter_help(i));
	}
	char why[160];
	const char *no = rl_report_not_judged(r, false, t->lockstep_retries, why, sizeof why);
	if (no)
		fprintf(f, "| lockstep | – | %s |\n", no);
	else
		fprintf(f, "| lockstep | %llu | retries from %llu clients that started within 5 ms of each other |\n",
			(unsigned long long)t->lockstep_retries, (unsigned long long)t->lockstep_clients);
	fprintf(f, "| rekeyed | %llu | attempts from %llu clients retried under a new idempotency key |\n",
		(unsigned long long)t->rekeyed_attempts, (unsigned long long)t->rekeyed_clients);
	if (t->nbursts) {
		char when[32];
		fputs("\n| lockstep burst | retry | clients |\n|---|--:|--:|\n", f);
		for (size_t i = 0; i < t->nbursts; i++)
			fprintf(f, "| %s | %u | %llu |\n", rl_timestamp_format(t->bursts[i].start_us, when),
				t->bursts[i].round, (unsigned long long)t->bursts[i].clients);
	}
}

#define TIMELINE_ROWS 200 /* more buckets than this: the JSON and csv have them */

static void timeline(FILE *f, const rl_report *r)
{
	static const char *const by[] = {"minute", "minute", "hour", "day"};
	char when[32];
	fprintf(f, "\n## Timeline (per %s, UTC)\n\n", by[r->by]);
	if (r->ntimeline > TIMELINE_ROWS) {
		fprintf(f,
			"%zu buckets: too many to paste; `--by hour` or `--by day`, or `--output csv --table "
			"timeline` for all of them.\n",
			r->ntimeline);
		return;
	}
	fputs("| start | attempts | errors | retryable | retries | blind 4xx |\n|---|--:|--:|--:|--:|--:|\n", f);
	for (size_t i = 0; i < r->ntimeline; i++) {
		const rl_report_bucket *x = &r->timeline[i];
		fprintf(f, "| %s | %llu | %llu | %llu | %llu | %llu |\n", rl_timestamp_format(x->start_us, when),
			(unsigned long long)x->attempts, (unsigned long long)x->errors,
			(unsigned long long)x->retryable_errors, (unsigned long long)x->retries,
			(unsigned long long)x->blind_4xx);
	}
}

/* The longest run of backticks in s. */
static size_t backtick_run(const char *s, size_t longest)
{
	size_t run = 0;
	for (; s && *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	return longest;
}

/* Code-block text: printed as it is but for line breaks. */
static void code(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void evidence(FILE *f, const rl_report_client *c)
{
	const rl_evidence_doc *ev = c->evidence;
	if (!ev || !ev->nsteps)
		return;
	size_t fence = backtick_run(ev->target, backtick_run(ev->method, 2)) + 1;
	fputs("\nEvidence of ", f);
	md(f, c->name);
	fprintf(f, ": a request of %u attempts%s.\n\n", ev->attempts,
		ev->attempts > ev->nsteps ? " (the first shown)" : "");
	for (size_t k = 0; k < fence; k++)
		fputc('`', f);
	fputs("text\n", f);
	for (unsigned i = 0; i < ev->nsteps; i++) {
		const rl_evidence_step *st = &ev->steps[i];
		char when[32], wait[32] = "", verdict[64];
		double ms;
		bool is_int;
		if (rl_step_wait_ms(st, &ms, &is_int))
			snprintf(wait, sizeof wait, "+%.3f s", ms / 1000.0);
		fprintf(f, "%-27s %10s  ", rl_timestamp_format(st->start_us, when), wait);
		if (st->status >= 0)
			fprintf(f, "%4d  ", st->status);
		else
			fputs("   -  ", f);
		code(f, ev->method);
		fputc(' ', f);
		code(f, ev->target);
		fprintf(f, "  %s\n", rl_step_verdict(st, verdict, sizeof verdict));
	}
	for (size_t k = 0; k < fence; k++)
		fputc('`', f);
	fputc('\n', f);
}

static bool client_column(int k)
{
	return rl_render_client_column(k, false);
}

static void clients(FILE *f, const rl_report *r, const rl_render_opts *o)
{
	fprintf(f,
		"\n## Clients (%s by violations)\n\nViolations are blind and unsafe retries and backoff verdicts "
		"other than compliant.\n\n| client |",
		o->top ? "top" : "all");
	for (int k = 0; k < RL_CL_N; k++)
		if (client_column(k))
			fprintf(f, " %s |", rl_client_counter_head(k));
	fputs("\n|---|", f);
	for (int k = 0; k < RL_CL_N; k++)
		if (client_column(k))
			fputs("--:|", f);
	fputc('\n', f);
	for (size_t i = 0; i < r->nclients; i++) {
		fputs("| ", f);
		md(f, r->clients[i].name);
		fputs(" |", f);
		for (int k = 0; k < RL_CL_N; k++)
			if (client_column(k))
				fprintf(f, " %llu |", (unsigned long long)r->clients[i].v[k]);
		fputc('\n', f);
	}
	if (r->clients_capped)
		fprintf(f, "\nThe database keeps %d clients: those with the fewest violations were dropped.\n",
			RL_CLIENTS_CAP);
	for (size_t i = 0; i < r->nclients; i++)
		if (r->clients[i].v[RL_CL_VIOLATIONS])
			evidence(f, &r->clients[i]);
}

static void rejected(FILE *f, const rl_report *r)
{
	if (!r->rejected)
		return;
	fprintf(f, "\n## Rejected lines: %llu\n\n", (unsigned long long)r->rejected);
	if (!r->nsamples)
		return;
	fputs("| source | line | reason | text |\n|---|--:|---|---|\n", f);
	for (size_t i = 0; i < r->nsamples; i++) {
		const rl_report_sample *s = &r->samples[i];
		fputs("| ", f);
		md(f, s->source);
		fprintf(f, " | %lld | ", s->line);
		md(f, s->reason);
		fputs(" | ", f);
		md(f, s->excerpt);
		fputs(" |\n", f);
	}
}

int rl_render_markdown(const rl_report *r, FILE *f, const rl_render_opts *o)
{
	char a[32], b[32];
	fputs("# retrylens report\n\nPolicy **", f);
	md(f, r->policy->name);
	fputs("**", f);
	if (r->has_window)
		fprintf(f, ", traffic from %s to %s", rl_timestamp_format(r->from_us, a),
			rl_timestamp_format(r->to_us, b));
	fprintf(f, " (UTC), generated %s.\n", r->generated_at);
	char merged[160];
	if (rl_report_merged_note(r, merged, sizeof merged))
		fprintf(f, "\n%s\n", merged);
	if (r->windowed)
		fputs("\nA window: attempts and retries count at their start, chains at their first attempt's, "
		      "outcomes at their last attempt's end; sources, rejected lines and clients are all time.\n",
		      f);
	sources(f, r);
	attempts(f, r);
	errors(f, r);
	endpoints(f, r, o);
	retries(f, r);
	timeline(f, r);
	clients(f, r, o);
	rejected(f, r);
	return ferror(f) ? RL_EOUTPUT : 0;
}
