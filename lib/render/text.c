/* text.c - the report as aligned tables for a terminal. */
#include <string.h>

#include "lib/base/defaults.h"
#include "lib/render/render.h"
#include "lib/base/text.h"
#include "lib/base/timestamp.h"

static void heading(FILE *f, const rl_render_opts *o, const char *title)
{
	if (o->color)
		fprintf(f, "\n\033[1m%s\033[0m\n", title);
	else
		fprintf(f, "\n%s\n", title);
}

static void pct(char *buf, size_t cap, rl_rate r)
{
	if (!r.valid)
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%.2f %%", r.value * 100.0);
}

/* The byte offset of character k of the n bytes of UTF-8 at s. */
static size_t char_offset(const char *s, size_t n, int k)
{
	size_t i = 0;
	for (int c = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == k)
			return i;
	return n;
}

/* Prints s in width display columns (counting UTF-8 characters), padded with spaces
 * unless it is the last cell of its line (pad false). A longer s is cut in the middle,
 * keeping both ends: "/var/log/…/access.log.1" and "…/access.log" stay apart. */
static void cell_pad(FILE *f, const char *s, int width, bool pad)
{
	char clean[4096];
	size_t n = rl_text_clean(clean, sizeof clean, s, strlen(s));
	int cols = 0;
	for (size_t i = 0; i < n; i++)
		cols += ((unsigned char)clean[i] & 0xc0) != 0x80;
	if (cols <= width) {
		fwrite(clean, 1, n, f);
	} else {
		int head = (width - 1) / 2, tail = width - 1 - head;
		size_t hb = char_offset(clean, n, head), tb = char_offset(clean, n, cols - tail);
		fwrite(clean, 1, hb, f);
		fputs("\xe2\x80\xa6", f);
		fwrite(clean + tb, 1, n - tb, f);
		cols = width;
	}
	for (; pad && cols < width; cols++)
		fputc(' ', f);
}

static void cell(FILE *f, const char *s, int width)
{
	cell_pad(f, s, width, true);
}

static void ms_cell(FILE *f, int64_t us)
{
	if (us < 0)
		fprintf(f, " %8s", "-");
	else
		fprintf(f, " %8.1f", (double)us / 1000.0);
}

static void count_line(FILE *f, int indent, const char *label, uint64_t n, const char *share, const char *why)
{
	fprintf(f, "%*s%-*s %10llu  %9s  %s\n", indent, "", 26 - indent, label, (unsigned long long)n,
		share ? share : "", why);
}

/* A resolution in µs as "1 s", "100 ms", "1 µs"; 0 is "unknown". */
static const char *resolution(char *buf, size_t cap, int64_t us)
{
	return rl_report_resolution(buf, cap, us, " ");
}

static void not_judged_line(FILE *f, int indent, const char *label, const char *why)
{
	fprintf(f, "%*s%-*s %10s  %9s  %s\n", indent, "", 26 - indent, label, "-", "", why);
}

/* The outcomes of the chains that saw a failure, gave up and open split into those
 * retried and the single failed attempts nobody retried (of a web log's lone 404s, the
 * most). */
static void outcomes(FILE *f, const rl_report *r)
{
	const __typeof__(r->retries) *t = &r->retries;
	char why[256];
	count_line(f, 2, "outcomes", t->recovered + t->gave_up + t->open, NULL,
		   "requests that saw a failure, by how they ended:");
	count_line(f, 4, "recovered", t->recovered, NULL, "ended in a success after retries");
	snprintf(why, sizeof why,
		 "ended in a failure, no retry within the window: %llu after retries, %llu single failed attempt%s "
		 "(never retried: a lone 404 is one)",
		 (unsigned long long)(t->gave_up - t->gave_up_single), (unsigned long long)t->gave_up_single,
		 t->gave_up_single == 1 ? "" : "s");
	count_line(f, 4, "gave up", t->gave_up, NULL, why);
	snprintf(why, sizeof why, "still inside the retry window %s: %llu after retries, %llu single failed attempt%s",
		 r->one_shot ? "when input ended"
			     : "at the end of the input so far (the next ingest goes on with them)",
		 (unsigned long long)(t->open - t->open_single), (unsigned long long)t->open_single,
		 t->open_single == 1 ? "" : "s");
	count_line(f, 4, "open", t->open, NULL, why);
}

static void retries(FILE *f, const rl_report *r, const rl_render_opts *o)
{
	const __typeof__(r->retries) *t = &r->retries;
	char title[128], p[32], a[32], why[160];
	if (t->policy[0] && strcmp(t->policy, r->policy->name) != 0)
		snprintf(title, sizeof title, "Retries (judged with policy %s, the database's)", t->policy);
	else
		snprintf(title, sizeof title, "Retries");
	heading(f, o, title);
	if (t->amplification.valid)
		snprintf(a, sizeof a, "×%.3f", t->amplification.value);
	else
		snprintf(a, sizeof a, "-");
	count_line(f, 2, "chains", t->chains, a, "requests, retries included (amplification: attempts per request)");
	const uint64_t *v = t->count;
	count_line(f, 2, "retries", v[RL_RC_RETRIES], NULL, rl_retry_counter_help(RL_RC_RETRIES));
	outcomes(f, r);
	pct(p, sizeof p, t->blind_4xx_retry_rate);
	count_line(f, 2, "blind 4xx retries", v[RL_RC_BLIND_4XX], p, rl_retry_counter_help(RL_RC_BLIND_4XX));
	count_line(f, 2, "unsafe retries", v[RL_RC_UNSAFE], NULL, rl_retry_counter_help(RL_RC_UNSAFE));
	count_line(f, 2, "backoff checked", v[RL_RC_CHECKED], NULL, rl_retry_counter_help(RL_RC_CHECKED));
	pct(p, sizeof p, t->compliance_rate);
	for (int i = RL_RC_COMPLIANT; i < RL_RC_N; i++) {
		const char *no = i == RL_RC_NO_JITTER ? rl_report_not_judged(r, true, v[i], why, sizeof why) : NULL;
		if (no)
			not_judged_line(f, 4, rl_retry_counter_name(i), no);
		else
			count_line(f, 4, rl_retry_counter_name(i), v[i], i == RL_RC_COMPLIANT ? p : NULL,
				   rl_retry_counter_help(i));
	}
	const char *no = rl_report_not_judged(r, false, t->lockstep_retries, why, sizeof why);
	if (no)
		not_judged_line(f, 2, "lockstep", no);
	else
		fprintf(f, "  %-24s %10llu  %9s  retries from %llu clients that started within 5 ms of each other\n",
			"lockstep", (unsigned long long)t->lockstep_retries, "",
			(unsigned long long)t->lockstep_clients);
	for (size_t i = 0; i < t->nbursts; i++) {
		char when[32];
		fprintf(f, "    burst at %s: retry %u of %llu clients at once\n",
			rl_timestamp_format(t->bursts[i].start_us, when), t->bursts[i].round,
			(unsigned long long)t->bursts[i].clients);
	}
	fprintf(f, "  %-24s %10llu  %9s  attempts from %llu clients retried under a new idempotency key\n", "rekeyed",
		(unsigned long long)t->rekeyed_attempts, "", (unsigned long long)t->rekeyed_clients);
}

/* The messages behind the failures, when the inputs logged bodies. */
static void error_messages(FILE *f, const rl_report *r, const rl_render_opts *o)
{
	char title[64], tc[160];
	if (!r->nerrors)
		return;
	if (o->top && r->nerrors >= o->top)
		snprintf(title, sizeof title, "Error messages (top %zu by count)", o->top);
	else
		snprintf(title, sizeof title, "Error messages");
	heading(f, o, title);
	fprintf(f, "  %6s %10s  %-40s %s\n", "STATUS", "COUNT", "TYPE / CODE", "MESSAGE");
	for (size_t i = 0; i < r->nerrors; i++) {
		const rl_report_error *e = &r->errors[i];
		if (e->type || e->code)
			snprintf(tc, sizeof tc, "%s / %s", e->type ? e->type : "-", e->code ? e->code : "-");
		else
			snprintf(tc, sizeof tc, "-");
		fprintf(f, "  %6d %10llu  ", e->status, (unsigned long long)e->count);
		cell(f, tc, 40);
		fputc(' ', f);
		cell_pad(f, e->message ? e->message : "-", 70, false);
		fputc('\n', f);
	}
	if (r->errors_capped)
		fprintf(f, "  (the message table is full: templates past the first %d are counted under {other})\n",
			RL_ERRORS_CAP);
}

static bool client_column(int k)
{
	return rl_render_client_column(k, false);
}

static int col_width(int k)
{
	return (int)strlen(rl_client_counter_head(k)) + 1;
}

/* The evidence chain of a client, one attempt a line. */
static void evidence(FILE *f, const rl_evidence_doc *ev)
{
	if (!ev)
		return;
	fprintf(f, "    evidence: a request of %u attempts%s\n", ev->attempts,
		ev->attempts > ev->nsteps ? " (the first shown)" : "");
	/* columns as wide as this chain needs: ms or µs times, long waits */
	char start[RL_EVIDENCE_STEPS][32], wait[RL_EVIDENCE_STEPS][32];
	int wstart = 20, wwait = 8;
	for (unsigned i = 0; i < ev->nsteps; i++) {
		double ms;
		bool is_int;
		int n = rl_step_wait_ms(&ev->steps[i], &ms, &is_int)
				? snprintf(wait[i], sizeof wait[i], "+%.3f s", ms / 1000.0)
				: (wait[i][0] = 0);
		int l = (int)strlen(rl_timestamp_format(ev->steps[i].start_us, start[i]));
		if (l > wstart)
			wstart = l;
		if (n > wwait)
			wwait = n;
	}
	for (unsigned i = 0; i < ev->nsteps; i++) {
		const rl_evidence_step *st = &ev->steps[i];
		char status[8] = "-", verdict[64];
		if (st->status >= 0)
			snprintf(status, sizeof status, "%d", st->status);
		fprintf(f, "      %-*s  %*s  %4s  ", wstart, start[i], wwait, wait[i], status);
		cell_pad(f, ev->method, 7, true);
		fputc(' ', f);
		cell_pad(f, ev->target, 40, true);
		fprintf(f, " %s\n", rl_step_verdict(st, verdict, sizeof verdict));
	}
}

static void offenders(FILE *f, const rl_report *r, const rl_render_opts *o)
{
	char title[96];
	snprintf(title, sizeof title,
		 "Clients (%s by violations: blind + unsafe + backoff verdicts other than compliant)",
		 o->top ? "top" : "all");
	heading(f, o, title);
	fprintf(f, "  %-40s", "CLIENT");
	for (int k = 0; k < RL_CL_N; k++)
		if (client_column(k))
			fprintf(f, " %*s", col_width(k), rl_client_counter_head(k));
	fputc('\n', f);
	for (size_t i = 0; i < r->nclients; i++) {
		const rl_report_client *c = &r->clients[i];
		fputs("  ", f);
		cell(f, c->name, 40);
		for (int k = 0; k < RL_CL_N; k++)
			if (client_column(k))
				fprintf(f, " %*llu", col_width(k), (unsigned long long)c->v[k]);
		fputc('\n', f);
		if (c->v[RL_CL_VIOLATIONS])
			evidence(f, c->evidence);
	}
	if (r->clients_capped)
		fprintf(f, "  (the database keeps %d,%03d clients: those with the fewest violations were dropped)\n",
			RL_CLIENTS_CAP / 1000, RL_CLIENTS_CAP % 1000);
}

#define TIMELINE_ROWS 400 /* 6 h of minutes, 14 days of hours: more, and the JSON has them */

static void timeline(FILE *f, const rl_report *r, const rl_render_opts *o)
{
	static const char *const by[] = {"minute", "minute", "hour", "day"};
	char title[64], when[32];
	snprintf(title, sizeof title, "Timeline (per %s, UTC)", by[r->by]);
	heading(f, o, title);
	if (r->ntimeline > TIMELINE_ROWS) {
		fprintf(f, "  %zu buckets: too many to print; --by hour or day, or --output json for all of them\n",
			r->ntimeline);
		return;
	}
	fprintf(f, "  %-20s %9s %8s %9s %8s %6s\n", "START", "ATTEMPTS", "ERRORS", "RETRYABLE", "RETRIES", "BLIND");
	for (size_t i = 0; i < r->ntimeline; i++) {
		const rl_report_bucket *x = &r->timeline[i];
		fprintf(f, "  %-20s %9llu %8llu %9llu %8llu %6llu\n", rl_timestamp_format(x->start_us, when),
			(unsigned long long)x->attempts, (unsigned long long)x->errors,
			(unsigned long long)x->retryable_errors, (unsigned long long)x->retries,
			(unsigned long long)x->blind_4xx);
	}
}

int rl_render_text(const rl_report *r, FILE *f, const rl_render_opts *o)
{
	char a[32], b[32], p1[32], p2[32];
	fprintf(f, "retrylens report · policy %s", r->policy->name);
	if (r->has_window)
		fprintf(f, " · %s → %s", rl_timestamp_format(r->from_us, a), rl_timestamp_format(r->to_us, b));
	fputc('\n', f);
	char merged[160];
	if (rl_report_merged_note(r, merged, sizeof merged))
		fprintf(f, "%s\n", merged);
	if (r->windowed)
		fprintf(f, "(a window: attempts and retries count at their start, chains at their first attempt's, "
			   "outcomes at their last attempt's end; sources, rejected lines and clients are all time)\n");

	heading(f, o, "Sources");
	bool any_late = false;
	for (size_t i = 0; i < r->nsources; i++) {
		const rl_report_source *s = &r->sources[i];
		char res[32];
		fputs("  ", f);
		cell(f, s->name, 40);
		fputc(' ', f);
		cell(f, s->format ? s->format : "-", 16);
		/* the resolution last, padded only when more follows (no trailing blanks): 7
		 * columns, "µ" two bytes of one */
		fprintf(f, " %10llu lines %8llu rejected %8llu late  time resolution %-*s",
			(unsigned long long)s->lines, (unsigned long long)s->rejected, (unsigned long long)s->late,
			s->skipped ? 7 + (s->time_res_us % 1000 != 0) : 0, resolution(res, sizeof res, s->time_res_us));
		if (s->skipped)
			fprintf(f, " %8llu skipped (not access records)", (unsigned long long)s->skipped);
		fputc('\n', f);
		any_late |= s->late != 0;
	}
	if (any_late)
		fprintf(f, "  (late: more than --max-lag out of order, counted and judged as they came)\n");

	heading(f, o, "Attempts");
	const __typeof__(r->totals) *t = &r->totals;
	rl_rate ok = {t->attempts != 0, t->attempts ? (double)t->success / (double)t->attempts : 0};
	rl_rate er = {t->attempts != 0, t->attempts ? (double)t->errors / (double)t->attempts : 0};
	pct(p1, sizeof p1, ok);
	fprintf(f, "  %-24s %10llu\n", "attempts", (unsigned long long)t->attempts);
	fprintf(f, "  %-24s %10llu  %9s\n", "success", (unsigned long long)t->success, p1);
	pct(p1, sizeof p1, er);
	fprintf(f, "  %-24s %10llu  %9s\n", "errors", (unsigned long long)t->errors, p1);
	pct(p1, sizeof p1, t->retryable_rate);
	pct(p2, sizeof p2, t->retryable_share_of_errors);
	fprintf(f, "    %-22s %10llu  %9s of attempts, %s of errors: the client may retry these, with backoff\n",
		"retryable", (unsigned long long)t->retryable_errors, p1, p2);
	pct(p1, sizeof p1, t->non_retryable_rate);
	fprintf(f, "    %-22s %10llu  %9s of attempts: the request must change before it is sent again\n",
		"non-retryable", (unsigned long long)t->non_retryable_errors, p1);
	if (t->unknown_status)
		fprintf(f, "  %-24s %10llu  (the log has no status for these)\n", "unknown status",
			(unsigned long long)t->unknown_status);

	heading(f, o, "Status");
	fprintf(f, "  %6s %10s  %s\n", "STATUS", "COUNT", "CLASS (policy)");
	for (size_t i = 0; i < r->nstatus; i++) {
		const rl_report_status *s = &r->status[i];
		const char *cls = s->status < 0	 ? "not logged"
				  : !s->failure	 ? "success"
				  : s->retryable ? "retryable error"
						 : "non-retryable error";
		if (s->status < 0)
			fprintf(f, "  %6s %10llu  %s\n", "-", (unsigned long long)s->count, cls);
		else
			fprintf(f, "  %6d %10llu  %s\n", s->status, (unsigned long long)s->count, cls);
	}

	error_messages(f, r, o);

	char title[64];
	if (o->top && r->nendpoints >= o->top)
		snprintf(title, sizeof title, "Endpoints (top %zu by attempts)", o->top);
	else
		snprintf(title, sizeof title, "Endpoints");
	heading(f, o, title);
	fprintf(f, "  %-40s %-7s %9s %8s %8s %6s %8s %8s %8s\n", "ENDPOINT", "METHOD", "ATTEMPTS", "ERRORS", "RETRIES",
		"BLIND", "P50 ms", "P95 ms", "P99 ms");
	for (size_t i = 0; i < r->nendpoints; i++) {
		const rl_report_endpoint *e = &r->endpoints[i];
		fputs("  ", f);
		cell(f, e->endpoint, 40);
		fputc(' ', f);
		cell(f, e->method, 7);
		fprintf(f, " %9llu %8llu %8llu %6llu", (unsigned long long)e->attempts, (unsigned long long)e->errors,
			(unsigned long long)e->retries, (unsigned long long)e->blind_4xx);
		ms_cell(f, e->p50_us);
		ms_cell(f, e->p95_us);
		ms_cell(f, e->p99_us);
		fputc('\n', f);
	}
	if (r->endpoints_capped)
		fprintf(f, "  (the template table is full: endpoints past the first %d are counted under {other})\n",
			RL_ENDPOINTS_CAP);

	retries(f, r, o);
	timeline(f, r, o);
	offenders(f, r, o);

	if (r->rejected) {
		snprintf(title, sizeof title, "Rejected lines: %llu", (unsigned long long)r->rejected);
		heading(f, o, title);
		for (size_t i = 0; i < r->nsamples; i++) {
			const rl_report_sample *s = &r->samples[i];
			fputs("  ", f);
			cell_pad(f, s->source, 200, false);
			fprintf(f, ":%lld: %s: ", s->line, s->reason);
			cell_pad(f, s->excerpt, 80, false);
			fputc('\n', f);
		}
	}
	return ferror(f) ? RL_EOUTPUT : 0;
}
