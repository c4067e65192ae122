/* text.c - the report as aligned tables for a terminal. */
#include <string.h>

#include "lib/render/render.h"
#include "lib/text.h"
#include "lib/timestamp.h"

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

/* Prints s cut to width display columns (counting UTF-8 characters), padded with
 * spaces unless it is the last cell of its line (pad false). */
static void cell_pad(FILE *f, const char *s, int width, bool pad)
{
	char clean[1024];
	rl_text_clean(clean, sizeof clean, s, strlen(s));
	int cols = 0;
	size_t i = 0, n = strlen(clean);
	while (i < n) {
		size_t l = 1;
		unsigned char c = (unsigned char)clean[i];
		if (c >= 0xf0)
			l = 4;
		else if (c >= 0xe0)
			l = 3;
		else if (c >= 0xc0)
			l = 2;
		if (cols == width - 1 && i + l < n) {
			fputs("\xe2\x80\xa6", f);
			cols++;
			break;
		}
		fwrite(clean + i, 1, l, f);
		cols++;
		i += l;
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

int rl_render_text(const rl_report *r, FILE *f, const rl_render_opts *o)
{
	char a[32], b[32], p1[32], p2[32];
	fprintf(f, "retrylens report · policy %s", r->policy->name);
	if (r->has_window)
		fprintf(f, " · %s → %s", rl_timestamp_format(r->from_us, a), rl_timestamp_format(r->to_us, b));
	fputc('\n', f);

	heading(f, o, "Sources");
	for (size_t i = 0; i < r->nsources; i++) {
		const rl_report_source *s = &r->sources[i];
		fputs("  ", f);
		cell(f, s->name, 40);
		fprintf(f, " %-10s %10llu lines %8llu rejected\n", s->format ? s->format : "-",
			(unsigned long long)s->lines, (unsigned long long)s->rejected);
	}

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
		if (r->retries.analysed)
			fprintf(f, " %9llu %8llu %8llu %6llu", (unsigned long long)e->attempts,
				(unsigned long long)e->errors, (unsigned long long)e->retries,
				(unsigned long long)e->blind_4xx);
		else
			fprintf(f, " %9llu %8llu %8s %6s", (unsigned long long)e->attempts,
				(unsigned long long)e->errors, "-", "-");
		ms_cell(f, e->p50_us);
		ms_cell(f, e->p95_us);
		ms_cell(f, e->p99_us);
		fputc('\n', f);
	}
	if (r->endpoints_capped)
		fprintf(f, "  (the template table is full: endpoints past the first 1000 are counted under {other})\n");

	heading(f, o, "Retries");
	if (!r->retries.analysed)
		fprintf(f, "  Not analysed by this version of retrylens: retry chains, blind 4xx retries, unsafe\n"
			   "  retries and backoff compliance come with the retry analysis. The JSON report's\n"
			   "  \"retries\" section holds zeros with \"analysed\": false until then.\n");

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
	return ferror(f) ? -1 : 0;
}
